//! Dates as feeds write them: RFC 822 with any day name and many zone
//! spellings, RFC 3339, ISO 8601 with or without a zone, and the usual
//! variants. A date that cannot be read is `None`, never an error: a feed
//! with a bad date is still a feed.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

const HOUR: i32 = 3600;

/// Reads a date in any of the forms feeds use. A date without a zone is
/// taken as UTC.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let starts_with_year = text.len() >= 4 && text.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    if starts_with_year {
        if let Some(date) = iso8601(text) {
            return Some(date);
        }
    }
    rfc822(text)
}

/// `YYYY[-MM[-DD]][(T| )hh[:mm[:ss[.fff]]]][zone]`, or the compact
/// `YYYYMMDDThhmmss` form.
fn iso8601(text: &str) -> Option<DateTime<Utc>> {
    let mut c = Cursor::new(text);
    let year = c.number(4, 4)? as i32;
    let (month, day) = if c.eat(b'-') {
        let month = c.number(1, 2)?;
        let day = if c.eat(b'-') { c.number(1, 2)? } else { 1 };
        (month, day)
    } else if c.peek_digit() {
        (c.number(2, 2)?, c.number(2, 2)?)
    } else {
        (1, 1)
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    if c.at_end() {
        return Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?));
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let (hour, minute, second, nanos) = iso_time(&mut c)?;
    let offset = iso_zone(&mut c)?;
    let local = date.and_hms_nano_opt(hour, minute, second, nanos)?;
    to_utc(local, offset)
}

fn iso_time(c: &mut Cursor<'_>) -> Option<(u32, u32, u32, u32)> {
    let hour = c.number(2, 2)?;
    let colons = c.eat(b':');
    let minute = if colons || c.peek_digit() {
        c.number(2, 2)?
    } else {
        0
    };
    let second = if (colons && c.eat(b':')) || (!colons && c.peek_digit()) {
        c.number(2, 2)?
    } else {
        0
    };
    let nanos = if c.eat(b'.') || c.eat(b',') {
        c.fraction()
    } else {
        0
    };
    Some((hour, minute, second.min(59), nanos))
}

fn iso_zone(c: &mut Cursor<'_>) -> Option<i32> {
    c.skip_spaces();
    if c.at_end() || c.eat(b'Z') || c.eat(b'z') {
        return c.at_end().then_some(0);
    }
    let rest = c.rest();
    if rest.starts_with(['+', '-']) {
        return numeric_zone(rest);
    }
    zone(rest)
}

/// `[Day,] DD Mon YYYY [hh:mm[:ss]] [zone]` and the orders real feeds put
/// those parts in (`Mon Sep 6 2010 …`, `06-Sep-2010`, two-digit years).
fn rfc822(text: &str) -> Option<DateTime<Utc>> {
    let mut parts = Parts::default();
    for token in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        // `06-Sep-2010`, but not a zone such as `GMT-5`.
        let spread = token.matches('-').count() >= 2 && token.chars().any(char::is_alphabetic);
        if spread {
            token.split('-').try_for_each(|t| parts.take(t))?;
        } else {
            parts.take(token)?;
        }
    }
    parts.into_utc()
}

#[derive(Default)]
struct Parts {
    numbers: Vec<(u32, usize)>,
    month: Option<u32>,
    time: Option<(u32, u32, u32)>,
    offset: Option<i32>,
    afternoon: Option<bool>,
}

impl Parts {
    /// Classifies one token; `None` when it makes the date unreadable.
    fn take(&mut self, token: &str) -> Option<()> {
        let token = token.trim_matches(|c| c == '(' || c == ')' || c == '.');
        if token.is_empty() {
            return Some(());
        }
        if token.contains(':') && token.starts_with(|c: char| c.is_ascii_digit()) {
            return self.take_time(token);
        }
        if token.starts_with(['+', '-']) {
            self.offset = self.offset.or(numeric_zone(token));
            return Some(());
        }
        if token.bytes().all(|b| b.is_ascii_digit()) {
            if self.numbers.len() >= 2 {
                return None;
            }
            self.numbers.push((token.parse().ok()?, token.len()));
            return Some(());
        }
        let lower = token.to_ascii_lowercase();
        if let Some(month) = month(&lower) {
            self.month = self.month.or(Some(month));
        } else if lower == "am" || lower == "pm" {
            self.afternoon = Some(lower == "pm");
        } else if self.offset.is_none() {
            self.offset = zone(token);
        }
        Some(())
    }

    fn take_time(&mut self, token: &str) -> Option<()> {
        let split = token.find(['+', '-', 'Z', 'z']).unwrap_or(token.len());
        let (clock, zone_part) = token.split_at(split);
        let mut fields = clock.split(':');
        let hour = fields.next()?.parse().ok()?;
        let minute = fields.next()?.parse().ok()?;
        let second = match fields.next() {
            Some(s) => s.split(['.', ',']).next()?.parse::<u32>().ok()?.min(59),
            None => 0,
        };
        self.time = Some((hour, minute, second));
        if !zone_part.is_empty() {
            self.offset = self.offset.or(zone(zone_part));
        }
        Some(())
    }

    fn into_utc(self) -> Option<DateTime<Utc>> {
        let month = self.month?;
        let (day, year) = match self.numbers.as_slice() {
            [(a, 4), (b, _)] => (*b, year_from(*a, 4)?),
            [(a, _), (b, blen)] => (*a, year_from(*b, *blen)?),
            _ => return None,
        };
        let (mut hour, minute, second) = self.time.unwrap_or((0, 0, 0));
        match self.afternoon {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        let local = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour, minute, second)?;
        to_utc(local, self.offset.unwrap_or(0))
    }
}

/// Two-digit years as RFC 2822 reads them: 00–49 are 2000s, 50–99 1900s.
fn year_from(value: u32, digits: usize) -> Option<i32> {
    let value = i32::try_from(value).ok()?;
    match digits {
        4 => Some(value),
        1 | 2 if value < 50 => Some(2000 + value),
        1 | 2 => Some(1900 + value),
        _ => None,
    }
}

fn to_utc(local: NaiveDateTime, offset_seconds: i32) -> Option<DateTime<Utc>> {
    let offset = FixedOffset::east_opt(offset_seconds)?;
    Some(
        offset
            .from_local_datetime(&local)
            .single()?
            .with_timezone(&Utc),
    )
}

/// `+hhmm`, `+hh:mm`, `+hh`, in seconds east of UTC.
fn numeric_zone(text: &str) -> Option<i32> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits[..1].parse::<i32>().ok()?,
            digits[1..].parse::<i32>().ok()?,
        ),
        _ => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
    };
    (hours <= 14 && minutes < 60).then_some(sign * (hours * HOUR + minutes * 60))
}

/// A zone written as a name (`GMT`, `EST`, `CEST`), possibly followed by an
/// offset (`GMT+2`, `UTC-05:00`). Unknown names are `None`.
fn zone(text: &str) -> Option<i32> {
    let name_len = text.find(['+', '-']).unwrap_or(text.len());
    let (name, offset) = text.split_at(name_len);
    let base = match name.to_ascii_uppercase().as_str() {
        "" | "Z" | "UT" | "UTC" | "GMT" | "WET" => 0,
        "BST" | "CET" | "WEST" | "MET" => HOUR,
        "CEST" | "EET" | "SAST" | "MEST" => 2 * HOUR,
        "EEST" | "MSK" => 3 * HOUR,
        "IST" => 5 * HOUR + 1800,
        "ICT" | "WIB" => 7 * HOUR,
        "SGT" | "HKT" | "AWST" | "CST8" | "PHT" => 8 * HOUR,
        "JST" | "KST" => 9 * HOUR,
        "ACST" => 9 * HOUR + 1800,
        "AEST" => 10 * HOUR,
        "AEDT" => 11 * HOUR,
        "NZST" => 12 * HOUR,
        "NZDT" => 13 * HOUR,
        "ADT" => -3 * HOUR,
        "AST" | "EDT" => -4 * HOUR,
        "EST" | "CDT" => -5 * HOUR,
        "CST" | "MDT" => -6 * HOUR,
        "MST" | "PDT" => -7 * HOUR,
        "PST" | "AKDT" => -8 * HOUR,
        "AKST" => -9 * HOUR,
        "HST" => -10 * HOUR,
        // RFC 2822 says single military letters other than Z carry no
        // information, since RFC 822 defined their signs backwards.
        single if single.len() == 1 && single.bytes().all(|b| b.is_ascii_alphabetic()) => 0,
        _ => return None,
    };
    if offset.is_empty() {
        return (!name.is_empty()).then_some(base);
    }
    Some(base + numeric_zone(offset)?)
}

fn month(lower: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if lower.len() < 3 {
        return None;
    }
    let position = MONTHS.iter().position(|m| m.starts_with(lower))?;
    Some(position as u32 + 1)
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor { text, at: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn at_end(&self) -> bool {
        self.at >= self.text.len()
    }

    fn peek_digit(&self) -> bool {
        self.rest().starts_with(|c: char| c.is_ascii_digit())
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.rest().as_bytes().first() == Some(&byte);
        self.at += usize::from(hit);
        hit
    }

    fn skip_spaces(&mut self) {
        self.at = self.text.len() - self.rest().trim_start().len();
    }

    /// Between `min` and `max` digits, as a number.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let len = self
            .rest()
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        if len < min {
            return None;
        }
        let value = self.rest()[..len].parse().ok()?;
        self.at += len;
        Some(value)
    }

    /// Fractional seconds as nanoseconds; digits past the ninth are read
    /// and dropped.
    fn fraction(&mut self) -> u32 {
        let digits: &str = {
            let rest = self.rest();
            let len = rest.bytes().take_while(u8::is_ascii_digit).count();
            &rest[..len]
        };
        self.at += digits.len();
        let kept = &digits[..digits.len().min(9)];
        let value: u32 = kept.parse().unwrap_or(0);
        value * 10u32.pow((9 - kept.len()) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        parse_date(text).map_or("none".to_string(), |d| d.to_rfc3339())
    }

    #[test]
    fn rfc822_and_its_variants() {
        let want = "2010-09-06T00:01:00+00:00";
        for text in [
            "Mon, 06 Sep 2010 00:01:00 +0000",
            "Mon, 06 Sep 2010 00:01:00 GMT",
            "Monday, 6 September 2010 00:01:00 UT",
            "Thu, 06 Sep 2010 00:01:00 Z",
            "06 Sep 2010 00:01:00",
            "Mon, 06 Sep 10 00:01:00 GMT",
            "Mon, 06-Sep-2010 00:01:00 GMT",
            "Sep 06 2010 00:01:00 GMT",
            "Mon Sep  6 00:01:00 2010",
            "Mon, 05 Sep 2010 20:01:00 EDT",
            "Mon, 05 Sep 2010 19:01:00 -0500",
            "Mon, 06 Sep 2010 02:01:00 +02:00",
            "Mon, 06 Sep 2010 02:01:00 GMT+2",
            "Sun, 05 Sep 2010 19:01:00 GMT-5",
            "Mon, 06 Sept 2010 12:01:00 AM GMT",
            "Mon, 06 Sep 2010 00:01:00 +0000 (UTC)",
        ] {
            assert_eq!(utc(text), want, "{text}");
        }
        assert_eq!(utc("Mon, 06 Sep 2010"), "2010-09-06T00:00:00+00:00");
        assert_eq!(
            utc("Mon, 06 Sep 2010 10:01 PM PST"),
            "2010-09-07T06:01:00+00:00"
        );
    }

    #[test]
    fn iso8601_and_rfc3339() {
        for (text, want) in [
            ("2010-09-06T00:01:00Z", "2010-09-06T00:01:00+00:00"),
            ("2010-09-06T02:01:00+02:00", "2010-09-06T00:01:00+00:00"),
            ("2010-09-06T02:01:00+0200", "2010-09-06T00:01:00+00:00"),
            (
                "2010-09-06T00:01:00.123456789123Z",
                "2010-09-06T00:01:00.123456789+00:00",
            ),
            ("2010-09-06 00:01:00", "2010-09-06T00:01:00+00:00"),
            ("2010-09-06T00:01", "2010-09-06T00:01:00+00:00"),
            ("2010-09-06", "2010-09-06T00:00:00+00:00"),
            ("2010-09", "2010-09-01T00:00:00+00:00"),
            ("2010", "2010-01-01T00:00:00+00:00"),
            ("20100906T000100Z", "2010-09-06T00:01:00+00:00"),
            ("2010-09-05T20:01:00 EDT", "2010-09-06T00:01:00+00:00"),
            ("2010-12-31T23:59:60Z", "2010-12-31T23:59:59+00:00"),
        ] {
            assert_eq!(utc(text), want, "{text}");
        }
    }

    #[test]
    fn unreadable_dates_are_none() {
        for text in [
            "",
            "   ",
            "yesterday",
            "Mon, 32 Sep 2010 00:01:00 GMT",
            "Mon, 31 Feb 2010",
            "2010-13-01",
            "2010-09-06T25:00:00Z",
            "2010-09-06T00:01:00+99:00",
            "06 2010 00:01:00",
            "1 2 3 Sep",
            "2010-09-06Tnoon",
            "Mon, 06 Sep 2010 00:61:00 GMT",
            "99999999999999999999",
            "Sep 99999999999 2010",
        ] {
            assert_eq!(utc(text), "none", "{text:?}");
        }
    }
}
