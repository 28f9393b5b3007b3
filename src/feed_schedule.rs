//! What a feed says of its own schedule: RSS `<ttl>`,
//! `<sy:updatePeriod>`/`<sy:updateFrequency>` and `<skipHours>`/`<skipDays>`.
//! `parse` reads it, the store keeps it with the fetch state (a `304`
//! carries no body to read it from again), and `poll::next_due` obeys it.

use std::time::Duration;

use chrono::{DateTime, Datelike, DurationRound, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Every hour of the day, as a `skip_hours` mask.
const ALL_HOURS: u32 = (1 << 24) - 1;
/// Every day of the week, as a `skip_days` mask.
const ALL_DAYS: u8 = (1 << 7) - 1;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSchedule {
    /// RSS `<ttl>`: how long readers may cache the feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<Duration>,
    /// `<sy:updatePeriod>` divided by `<sy:updateFrequency>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_every: Option<Duration>,
    /// Bit `h` set: the publisher asks not to be read during hour `h` UTC.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skip_hours: u32,
    /// Bit `d` set: not on day `d` (0 is Monday), UTC.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub skip_days: u8,
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl FeedSchedule {
    /// The longest wait the feed asks for between reads.
    pub fn floor(&self) -> Option<Duration> {
        self.ttl.max(self.update_every)
    }

    /// The first moment at or after `at` outside the skipped hours and
    /// days. A feed that skips every hour or every day asks for the
    /// impossible, and is read as asking nothing.
    pub fn next_open(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        let hours = self.skip_hours & ALL_HOURS;
        let days = self.skip_days & ALL_DAYS;
        if hours == ALL_HOURS || days == ALL_DAYS {
            return at;
        }
        let mut at = at;
        // Seven days of hours reach an open hour whatever the masks are.
        for _ in 0..(7 * 24) {
            let day = at.weekday().num_days_from_monday();
            let closed = days & (1 << day) != 0 || hours & (1 << at.hour()) != 0;
            if !closed {
                return at;
            }
            at = at
                .duration_trunc(TimeDelta::hours(1))
                .unwrap_or(at)
                .checked_add_signed(TimeDelta::hours(1))
                .unwrap_or(at);
        }
        at
    }

    /// True when nothing is asked for.
    pub fn is_empty(&self) -> bool {
        *self == FeedSchedule::default()
    }
}

/// `<sy:updatePeriod>` (hourly, daily, weekly, monthly, yearly) over
/// `<sy:updateFrequency>` (times per period, 1 when absent).
pub fn update_every(period: &str, frequency: Option<&str>) -> Option<Duration> {
    let hours: u64 = match period.trim().to_ascii_lowercase().as_str() {
        "hourly" => 1,
        "daily" => 24,
        "weekly" => 7 * 24,
        "monthly" => 30 * 24,
        "yearly" => 365 * 24,
        _ => return None,
    };
    let times = match frequency {
        Some(f) => f.trim().parse::<u64>().ok().filter(|&n| n > 0)?,
        None => 1,
    };
    Some(Duration::from_secs(hours * 3600 / times))
}

/// The hours of a `<skipHours>` element's inner markup
/// (`<hour>0</hour><hour>13</hour>`): every number 0–23 in it (RSS 2.0
/// counts 0–23; a 24, which some write for midnight, is 0).
pub fn skip_hours(inner: &str) -> u32 {
    numbers(inner)
        .filter_map(|n| (n <= 24).then_some(1u32 << (n % 24)))
        .fold(0, |mask, bit| mask | bit)
}

/// The days of a `<skipDays>` element's inner markup
/// (`<day>Saturday</day>`).
pub fn skip_days(inner: &str) -> u8 {
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lower = inner.to_ascii_lowercase();
    NAMES
        .iter()
        .enumerate()
        .filter(|(_, name)| lower.contains(*name))
        .fold(0, |mask, (i, _)| mask | 1 << i)
}

fn numbers(text: &str) -> impl Iterator<Item = u32> + '_ {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn update_period_over_frequency() {
        assert_eq!(
            update_every("hourly", Some("2")),
            Some(Duration::from_secs(1800))
        );
        assert_eq!(
            update_every(" Daily ", None),
            Some(Duration::from_secs(86_400))
        );
        assert_eq!(update_every("fortnightly", None), None);
        assert_eq!(update_every("daily", Some("0")), None);
    }

    #[test]
    fn skip_lists_become_masks() {
        assert_eq!(
            skip_hours("<hour>0</hour>\n<hour>13</hour><hour>24</hour><hour>99</hour>"),
            1 | 1 << 13
        );
        assert_eq!(
            skip_days("<day>Saturday</day><day>sunday</day>"),
            1 << 5 | 1 << 6
        );
    }

    #[test]
    fn next_open_steps_past_skipped_hours_and_days() {
        let night = FeedSchedule {
            skip_hours: skip_hours("<hour>22</hour><hour>23</hour><hour>0</hour>"),
            ..FeedSchedule::default()
        };
        // 2026-01-02 is a Friday.
        assert_eq!(
            night.next_open(at("2026-01-02T22:30:00Z")),
            at("2026-01-03T01:00:00Z")
        );
        assert_eq!(
            night.next_open(at("2026-01-02T12:30:00Z")),
            at("2026-01-02T12:30:00Z")
        );
        let weekend = FeedSchedule {
            skip_days: skip_days("<day>Saturday</day><day>Sunday</day>"),
            ..night
        };
        assert_eq!(
            weekend.next_open(at("2026-01-02T22:30:00Z")),
            at("2026-01-05T01:00:00Z")
        );
    }

    #[test]
    fn skipping_everything_skips_nothing() {
        let never = FeedSchedule {
            skip_hours: ALL_HOURS,
            ..FeedSchedule::default()
        };
        let t = at("2026-01-02T22:30:00Z");
        assert_eq!(never.next_open(t), t);
    }
}
