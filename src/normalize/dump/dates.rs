//! Dates as people write them above a story: `24 November 2026`,
//! `24.11.2026`, `Nov 24, 2026 7:42 AM GMT`, `2026-11-24 09:15 CET`,
//! `24 ноября 2026`, `2026年11月24日`, and the same in the common European
//! languages; and relative times (`3 hours ago`, `vor 2 Stunden`).
//!
//! A line is read as a date only when every word in it is part of the
//! date (a number, a month or weekday name, a time, a zone, or one of a
//! few filler words such as `de` or `um`), so a sentence that mentions a
//! date is never taken for one. Times without a zone are read as UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};

/// Month names and their usual abbreviations in English, German, French,
/// Spanish, Italian, Portuguese and Russian (nominative and genitive),
/// lower case; a word matches a month when it is one of these or, with
/// three letters or more, the start of one.
const MONTHS: [&[&str]; 12] = [
    &[
        "january",
        "januar",
        "janvier",
        "enero",
        "gennaio",
        "janeiro",
        "января",
        "январь",
        "jänner",
    ],
    &[
        "february",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "fevereiro",
        "февраля",
        "февраль",
    ],
    &[
        "march",
        "märz",
        "maerz",
        "mars",
        "marzo",
        "março",
        "марта",
        "март",
    ],
    &["april", "avril", "abril", "aprile", "апреля", "апрель"],
    &["may", "mai", "mayo", "maggio", "maio", "мая", "май"],
    &[
        "june", "juni", "juin", "junio", "giugno", "junho", "июня", "июнь",
    ],
    &[
        "july", "juli", "juillet", "julio", "luglio", "julho", "июля", "июль",
    ],
    &["august", "août", "aout", "agosto", "августа", "август"],
    &[
        "september",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "setembro",
        "сентября",
        "сентябрь",
    ],
    &[
        "october",
        "oktober",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
        "октября",
        "октябрь",
    ],
    &[
        "november",
        "novembre",
        "noviembre",
        "novembro",
        "ноября",
        "ноябрь",
    ],
    &[
        "december",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "декабря",
        "декабрь",
    ],
];

/// Weekday names and words that may stand around a date without being
/// part of it (`Published on`, `le`, `à`, `um … Uhr`, `г.`).
const FILLER: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thurs",
    "fri",
    "sat",
    "sun",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "понедельник",
    "вторник",
    "среда",
    "четверг",
    "пятница",
    "суббота",
    "воскресенье",
    "published",
    "updated",
    "posted",
    "last",
    "on",
    "at",
    "the",
    "of",
    "veröffentlicht",
    "aktualisiert",
    "stand",
    "am",
    "um",
    "uhr",
    "publié",
    "publiée",
    "mis",
    "à",
    "jour",
    "le",
    "a",
    "de",
    "del",
    "el",
    "actualizado",
    "publicado",
    "publicada",
    "el",
    "alle",
    "ore",
    "il",
    "em",
    "às",
    "опубликовано",
    "обновлено",
    "в",
    "г",
    "года",
    "et",
    "h",
];

/// Zone abbreviations seen in datelines, as hours east of UTC.
const ZONES: &[(&str, i32)] = &[
    ("utc", 0),
    ("gmt", 0),
    ("z", 0),
    ("wet", 0),
    ("bst", 1),
    ("cet", 1),
    ("mez", 1),
    ("cest", 2),
    ("mesz", 2),
    ("eet", 2),
    ("eest", 3),
    ("msk", 3),
    ("ist", 5),
    ("cst", -6),
    ("est", -5),
    ("edt", -4),
    ("cdt", -5),
    ("mst", -7),
    ("mdt", -6),
    ("pst", -8),
    ("pdt", -7),
    ("jst", 9),
    ("kst", 9),
    ("hkt", 8),
    ("sgt", 8),
    ("aest", 10),
];

/// The date a whole line states, absolute or relative to `now`.
pub(super) fn line_date(line: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    relative(line, now).or_else(|| absolute(line))
}

/// Whether a whole line is a date, absolute or relative.
pub(super) fn is_date_line(line: &str) -> bool {
    line_date(line, DateTime::<Utc>::MAX_UTC).is_some()
}

/// An absolute date with an optional time and zone, or `None` when any
/// word of `text` is not part of a date.
pub(super) fn absolute(text: &str) -> Option<DateTime<Utc>> {
    if text.chars().count() > 80 {
        return None;
    }
    let mut parts = Parts::default();
    for token in tokens(&cjk_to_latin(text)) {
        if !parts.take(&token) {
            return None;
        }
    }
    parts.finish()
}

/// `3 hours ago` and the same in the languages above; `None` otherwise.
fn relative(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if text.len() > 48 {
        return None;
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let (count, unit) = match words.as_slice() {
        [n, unit, "ago"] | ["vor", n, unit] | ["il", "y", "a", n, unit] | ["hace", n, unit] => {
            (n.parse::<i64>().ok()?, *unit)
        }
        [n, unit, "назад"] => (n.parse::<i64>().ok()?, *unit),
        [one] => return cjk_relative(one, now),
        _ => return None,
    };
    let step = unit_length(unit)?;
    now.checked_sub_signed(step.checked_mul(i32::try_from(count).ok()?)?)
}

/// `3小时前`, `3時間前`, `10分钟前`: a number, a unit and 前 (before).
fn cjk_relative(word: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let rest = word.strip_suffix('前')?;
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let count: i32 = rest[..digits].parse().ok()?;
    let step = match &rest[digits..] {
        "分钟" | "分" => TimeDelta::minutes(1),
        "小时" | "時間" => TimeDelta::hours(1),
        "天" | "日" => TimeDelta::days(1),
        _ => return None,
    };
    now.checked_sub_signed(step.checked_mul(count)?)
}

fn unit_length(unit: &str) -> Option<TimeDelta> {
    let stem = |prefixes: &[&str]| prefixes.iter().any(|p| unit.starts_with(p));
    if stem(&["min", "мин"]) {
        Some(TimeDelta::minutes(1))
    } else if stem(&["hour", "hr", "stunde", "heure", "hora", "час"]) {
        Some(TimeDelta::hours(1))
    } else if stem(&["day", "tag", "jour", "día", "dia", "дн", "ден", "день"]) {
        Some(TimeDelta::days(1))
    } else {
        None
    }
}

/// `2026年11月24日 9時15分` read as `2026-11-24 9:15`; other text
/// unchanged.
fn cjk_to_latin(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '年' | '月' => '-',
            '时' | '時' => ':',
            '日' | '分' => ' ',
            c => c,
        })
        .collect()
}

/// Words of a date line, separators dropped: `24.11.2026` stays one
/// token, `Nov 24, 2026` gives three.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '·' | '(' | ')' | '—' | '–'))
        .map(|t| t.trim_end_matches([':', '.']).to_lowercase())
        .filter(|t| !t.is_empty() && t != "-")
        .collect()
}

/// What a date line said so far.
#[derive(Default)]
struct Parts {
    date: Option<NaiveDate>,
    month: Option<u32>,
    numbers: Vec<u32>,
    time: Option<NaiveTime>,
    pm: Option<bool>,
    offset_hours: Option<i32>,
}

impl Parts {
    /// Takes one token, or says it is not part of a date.
    fn take(&mut self, token: &str) -> bool {
        if let Some(date) = numeric_date(token) {
            return self.date.replace(date).is_none();
        }
        if let Some(hours) = zone(token) {
            return self.offset_hours.replace(hours).is_none();
        }
        if let Some(time) = clock(token) {
            return self.time.replace(time).is_none();
        }
        if let Ok(n) = token.parse::<u32>() {
            self.numbers.push(n);
            return self.numbers.len() <= 2;
        }
        // `24th`, `1st`, `2nd`, `3rd`
        if let Some(day) = ["th", "st", "nd", "rd"]
            .iter()
            .find_map(|s| token.strip_suffix(s))
        {
            if let Ok(n) = day.parse::<u32>() {
                self.numbers.push(n);
                return true;
            }
        }
        // `am` is also German filler (`am 24.11.`), so it only ever
        // moves 12 o'clock.
        match token {
            "am" | "a.m" => return self.pm.get_or_insert(false) == &false,
            "pm" | "p.m" => return self.pm.replace(true).is_none(),
            _ => {}
        }
        if let Some(month) = month(token) {
            return self.month.replace(month).is_none();
        }
        FILLER.contains(&token)
    }

    fn finish(self) -> Option<DateTime<Utc>> {
        let date = match (self.date, self.month, self.numbers.as_slice()) {
            (Some(date), None, []) => date,
            (None, Some(month), [a, b]) => {
                let (day, year) = if *a > 31 { (*b, *a) } else { (*a, *b) };
                NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
            }
            _ => return None,
        };
        let mut time = self.time.unwrap_or(NaiveTime::MIN);
        let hour = chrono::Timelike::hour(&time);
        let hour = match self.pm {
            Some(true) if hour < 12 => hour + 12,
            Some(false) if hour == 12 => 0,
            _ => hour,
        };
        time = chrono::Timelike::with_hour(&time, hour)?;
        let offset = FixedOffset::east_opt(self.offset_hours.unwrap_or(0) * 3600)?;
        let local = offset.from_local_datetime(&date.and_time(time)).single()?;
        Some(local.with_timezone(&Utc))
    }
}

/// `2026-11-24`, `24.11.2026`, `24/11/2026` (day first unless the first
/// number cannot be a day of the month: `11/24/2026`).
fn numeric_date(token: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = token.split(['-', '.', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (a, b, c): (u32, u32, u32) = (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
    let (year, month, day) = if a > 31 {
        (a, b, c)
    } else if b > 12 {
        (c, a, b)
    } else {
        (c, b, a)
    };
    if year < 1000 {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// `9:15`, `09:15:30`, `09h15`, `7:42am`.
fn clock(token: &str) -> Option<NaiveTime> {
    let token = token.trim_end_matches("am").trim_end_matches("pm");
    let (h, rest) = token.split_once([':', 'h'])?;
    let mut rest = rest.split(':');
    let m: u32 = rest.next()?.parse().ok()?;
    let s: u32 = rest.next().map_or(Some(0), |s| s.parse().ok())?;
    NaiveTime::from_hms_opt(h.parse().ok()?, m, s)
}

/// A zone abbreviation or a numeric offset such as `+01:00` or `+0100`.
fn zone(token: &str) -> Option<i32> {
    if let Some(&(_, hours)) = ZONES.iter().find(|(name, _)| *name == token) {
        return Some(hours);
    }
    let (sign, digits) = match token.strip_prefix('+') {
        Some(d) => (1, d),
        None => (-1, token.strip_prefix('-')?),
    };
    let digits = digits.trim_start_matches("utc").replace(':', "");
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    (hours <= 14 && digits.len() == 4).then_some(sign * hours)
}

fn month(token: &str) -> Option<u32> {
    if token.chars().count() < 3 {
        return None;
    }
    let found = MONTHS
        .iter()
        .position(|names| names.iter().any(|n| n.starts_with(token)))?;
    u32::try_from(found + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> String {
        absolute(text).map_or_else(|| "none".into(), |d| d.to_rfc3339())
    }

    #[test]
    fn dates_in_the_ways_people_write_them() {
        for (text, want) in [
            ("24 November 2026", "2026-11-24T00:00:00+00:00"),
            ("24.11.2026", "2026-11-24T00:00:00+00:00"),
            ("Nov 24, 2026 7:42 AM GMT", "2026-11-24T07:42:00+00:00"),
            ("Nov 24, 2026 7:42 PM", "2026-11-24T19:42:00+00:00"),
            ("2026-11-24 09:15 CET", "2026-11-24T08:15:00+00:00"),
            ("24.11.2026, 09:15 Uhr", "2026-11-24T09:15:00+00:00"),
            (
                "Publié le 24 novembre 2026 à 09h15",
                "2026-11-24T09:15:00+00:00",
            ),
            ("24 de noviembre de 2026", "2026-11-24T00:00:00+00:00"),
            ("24 ноября 2026, 09:15", "2026-11-24T09:15:00+00:00"),
            ("2026年11月24日 09:15", "2026-11-24T09:15:00+00:00"),
            ("Monday, 24. November 2026", "2026-11-24T00:00:00+00:00"),
            ("November 22nd, 2026", "2026-11-22T00:00:00+00:00"),
            (
                "Updated: 11/24/2026 09:15 +01:00",
                "2026-11-24T08:15:00+00:00",
            ),
        ] {
            assert_eq!(at(text), want, "{text}");
        }
    }

    #[test]
    fn lines_that_only_mention_a_date_are_not_dates() {
        for text in [
            "The meeting on 24 November 2026 was cancelled",
            "Storm warning",
            "2026",
            "May the best team win",
            "31.02.2026",
            "sometime last week",
        ] {
            assert_eq!(at(text), "none", "{text}");
        }
    }

    #[test]
    fn relative_times_count_back_from_now() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        for (text, hours) in [
            ("3 hours ago", 3),
            ("vor 2 Stunden", 2),
            ("il y a 5 heures", 5),
            ("hace 1 hora", 1),
            ("4 часа назад", 4),
            ("3小时前", 3),
            ("2 days ago", 48),
        ] {
            let want = now - TimeDelta::hours(hours);
            assert_eq!(line_date(text, now), Some(want), "{text}");
        }
        assert_eq!(line_date("ago", now), None);
    }
}
