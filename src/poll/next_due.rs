//! When a source is next due: its interval (fixed, or learnt from what
//! it publishes), stretched by what the server and the feed ask for and by
//! failures, moved out of the hours and days the feed skips, with jitter
//! so sources drift apart instead of firing together. Each choice carries
//! its reason, which `syndic sources` shows.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use super::adaptive::{self, Bound, Bounds, Learnt};
use crate::config::HumanDuration;
use crate::feed_schedule::FeedSchedule;

/// A server's hints are obeyed up to this long; past it a stale or
/// mistaken header would silence a source for good.
pub const MAX_HINT: Duration = Duration::from_secs(24 * 3600);
/// Backoff grows no longer than this (or the source's own interval, if
/// that is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(12 * 3600);
/// Delays vary by up to this share either way.
const JITTER: f64 = 0.1;

/// What the last poll taught about when to come back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// `Retry-After`.
    pub retry_after: Option<Duration>,
    /// `Cache-Control: max-age`.
    pub max_age: Option<Duration>,
    /// What the feed says of its schedule (kept from the last read).
    pub feed: FeedSchedule,
}

/// Which hint set a wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    RetryAfter,
    MaxAge,
    Ttl,
    UpdatePeriod,
}

impl Hints {
    /// The longest thing the server or feed asked for, capped, and which.
    fn floor(&self) -> Option<(Duration, Hint)> {
        [
            (self.retry_after, Hint::RetryAfter),
            (self.max_age, Hint::MaxAge),
            (self.feed.ttl, Hint::Ttl),
            (self.feed.update_every, Hint::UpdatePeriod),
        ]
        .into_iter()
        .filter_map(|(d, hint)| Some((d?.min(MAX_HINT), hint)))
        .max_by_key(|(d, _)| *d)
    }
}

/// How a source's interval is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Its configured interval.
    Fixed(Duration),
    /// Learnt from its recent items within `bounds`; `fallback` (the
    /// configured interval) until it has two dated items.
    Adaptive { fallback: Duration, bounds: Bounds },
}

/// When a source is next due, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<Utc>,
    pub basis: Basis,
    /// The wait was stretched to this hint.
    pub hint: Option<Hint>,
    /// The time was moved out of the feed's `skipHours`/`skipDays`.
    pub skipped: bool,
}

/// What the wait before jitter and hints came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    Interval(Duration),
    Learnt(Learnt),
    /// Adaptive, with too few dated items yet.
    Unlearnt(Duration),
    Backoff {
        failures: u32,
        wait: Duration,
    },
}

/// The next poll after a successful one: the interval (or the learnt one
/// for an adaptive source whose newest items are dated `history`), or
/// longer when the server or feed asked for it.
pub fn after_success(
    now: DateTime<Utc>,
    pace: Pace,
    history: &[DateTime<Utc>],
    hints: Hints,
    rng: &mut impl Rng,
) -> Due {
    let basis = match pace {
        Pace::Fixed(interval) => Basis::Interval(interval),
        Pace::Adaptive { fallback, bounds } => {
            adaptive::learn(history, now, bounds).map_or(Basis::Unlearnt(fallback), Basis::Learnt)
        }
    };
    settle(now, basis, hints, rng)
}

/// The next poll after the `failures`-th failure in a row: the interval
/// doubled per failure, capped, and never sooner than `Retry-After`.
pub fn after_failure(
    now: DateTime<Utc>,
    interval: Duration,
    failures: u32,
    hints: Hints,
    rng: &mut impl Rng,
) -> Due {
    let cap = MAX_BACKOFF.max(interval);
    let factor = 1u32 << failures.min(16);
    let wait = interval.saturating_mul(factor).min(cap);
    settle(now, Basis::Backoff { failures, wait }, hints, rng)
}

fn settle(now: DateTime<Utc>, basis: Basis, hints: Hints, rng: &mut impl Rng) -> Due {
    let wait = basis.wait();
    let (wait, hint) = match hints.floor() {
        Some((floor, hint)) if floor > wait => (floor, Some(hint)),
        _ => (wait, None),
    };
    let jittered = now + jittered(wait, rng);
    let at = hints.feed.next_open(jittered);
    Due {
        at,
        basis,
        hint,
        skipped: at != jittered,
    }
}

impl Basis {
    fn wait(&self) -> Duration {
        match self {
            Basis::Interval(d) | Basis::Unlearnt(d) => *d,
            Basis::Learnt(l) => l.every,
            Basis::Backoff { wait, .. } => *wait,
        }
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Basis::Interval(d) => write!(f, "interval {}", HumanDuration(*d)),
            Basis::Unlearnt(d) => write!(
                f,
                "adaptive: fewer than 2 dated items yet, interval {}",
                HumanDuration(*d)
            ),
            Basis::Learnt(l) => {
                let gap = if l.quiet { "silence/4" } else { "average gap" };
                write!(
                    f,
                    "adaptive: {gap} {} over {} items, every {}",
                    minutes(l.gap),
                    l.items,
                    minutes(l.every)
                )?;
                match l.bounded {
                    Some(Bound::Min) => f.write_str(" (min_interval)"),
                    Some(Bound::Max) => f.write_str(" (max_interval)"),
                    None => Ok(()),
                }
            }
            Basis::Backoff { failures, wait } => write!(
                f,
                "backoff after {failures} failure{}: {}",
                if *failures == 1 { "" } else { "s" },
                HumanDuration(*wait)
            ),
        }
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Hint::RetryAfter => "Retry-After",
            Hint::MaxAge => "Cache-Control max-age",
            Hint::Ttl => "<ttl>",
            Hint::UpdatePeriod => "sy:updatePeriod",
        })
    }
}

/// The reason `syndic sources` shows: `adaptive: average gap 6h over 16
/// items, every 2h; stretched to <ttl>; past skipHours/skipDays`.
impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.basis)?;
        if let Some(hint) = self.hint {
            write!(f, "; stretched to {hint}")?;
        }
        if self.skipped {
            f.write_str("; past skipHours/skipDays")?;
        }
        Ok(())
    }
}

/// Learnt durations to the minute: seconds are noise in a reason.
fn minutes(d: Duration) -> HumanDuration {
    HumanDuration(Duration::from_secs(d.as_secs() / 60 * 60))
}

fn jittered(d: Duration, rng: &mut impl Rng) -> chrono::Duration {
    let scale = 1.0 + rng.gen_range(-JITTER..=JITTER);
    let d = d.mul_f64(scale);
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::mock::StepRng;
    use rand::SeedableRng;

    fn now() -> DateTime<Utc> {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn secs(at: DateTime<Utc>) -> i64 {
        (at - now()).num_seconds()
    }

    /// An rng whose jitter is (next to) zero: a mid-range value.
    fn centred() -> StepRng {
        StepRng::new(u64::MAX / 2, 0)
    }

    /// Equal to the second, which is all a centred jitter guarantees.
    fn about(got: i64, want: i64) {
        assert!((got - want).abs() <= 1, "got {got}s, want {want}s");
    }

    const MIN15: Duration = Duration::from_secs(900);
    const FIXED: Pace = Pace::Fixed(MIN15);
    const HOUR: Duration = Duration::from_secs(3600);
    const ADAPTIVE: Pace = Pace::Adaptive {
        fallback: MIN15,
        bounds: Bounds {
            min: Duration::from_secs(600),
            max: Duration::from_secs(86_400),
        },
    };

    /// Items published every `gap`, the newest just now.
    fn history(gap: Duration) -> Vec<DateTime<Utc>> {
        (0..10).map(|i| now() - gap * i).collect()
    }

    #[test]
    fn success_waits_the_interval_within_jitter() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let s = secs(after_success(now(), FIXED, &[], Hints::default(), &mut rng).at);
            assert!((810..=990).contains(&s), "{s}");
        }
    }

    #[test]
    fn jitter_spreads_sources() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let times: std::collections::HashSet<i64> = (0..50)
            .map(|_| secs(after_success(now(), FIXED, &[], Hints::default(), &mut rng).at))
            .collect();
        assert!(times.len() > 20, "{} distinct times", times.len());
    }

    #[test]
    fn server_hints_are_lower_bounds() {
        let hints = |ttl, max_age| Hints {
            retry_after: None,
            max_age,
            feed: FeedSchedule {
                ttl,
                ..FeedSchedule::default()
            },
        };
        let hour = Some(Duration::from_secs(3600));
        let at = |h| secs(after_success(now(), FIXED, &[], h, &mut centred()).at);
        about(at(hints(hour, None)), 3600);
        about(at(hints(None, hour)), 3600);
        about(at(hints(Some(Duration::from_secs(60)), None)), 900);
        let year = Some(Duration::from_secs(365 * 86_400));
        about(at(hints(year, None)), MAX_HINT.as_secs() as i64);
    }

    #[test]
    fn failures_back_off_exponentially_to_a_cap() {
        let at = |f| secs(after_failure(now(), MIN15, f, Hints::default(), &mut centred()).at);
        about(at(1), 1800);
        about(at(2), 3600);
        about(at(3), 7200);
        about(at(10), MAX_BACKOFF.as_secs() as i64);
        about(at(u32::MAX), MAX_BACKOFF.as_secs() as i64);
    }

    #[test]
    fn retry_after_beats_a_short_backoff() {
        let hints = Hints {
            retry_after: Some(Duration::from_secs(7200)),
            ..Hints::default()
        };
        about(
            secs(after_failure(now(), MIN15, 1, hints, &mut centred()).at),
            7200,
        );
    }

    #[test]
    fn adaptive_follows_the_publishing_gap_and_says_so() {
        let due = after_success(
            now(),
            ADAPTIVE,
            &history(6 * HOUR),
            Hints::default(),
            &mut centred(),
        );
        about(secs(due.at), 2 * 3600);
        assert_eq!(
            due.to_string(),
            "adaptive: average gap 6h over 10 items, every 2h"
        );
        let fresh = after_success(now(), ADAPTIVE, &[], Hints::default(), &mut centred());
        about(secs(fresh.at), 900);
        assert!(
            fresh.to_string().contains("fewer than 2 dated items"),
            "{fresh}"
        );
    }

    #[test]
    fn the_feeds_own_period_is_a_lower_bound_for_adaptive_too() {
        let hints = Hints {
            feed: FeedSchedule {
                update_every: Some(6 * HOUR),
                ..FeedSchedule::default()
            },
            ..Hints::default()
        };
        let due = after_success(now(), ADAPTIVE, &history(HOUR), hints, &mut centred());
        about(secs(due.at), 6 * 3600);
        assert!(
            due.to_string().ends_with("stretched to sy:updatePeriod"),
            "{due}"
        );
    }

    #[test]
    fn skipped_hours_move_the_time_and_say_so() {
        // now() is midnight: skipping hours 0 to 5 moves a 15-minute wait
        // to 6 o'clock.
        let hints = Hints {
            feed: FeedSchedule {
                skip_hours: 0b11_1111,
                ..FeedSchedule::default()
            },
            ..Hints::default()
        };
        let due = after_success(now(), FIXED, &[], hints, &mut centred());
        assert_eq!(secs(due.at), 6 * 3600);
        assert_eq!(due.to_string(), "interval 15m; past skipHours/skipDays");
    }

    #[test]
    fn backoff_says_how_many_failures() {
        let due = after_failure(now(), MIN15, 2, Hints::default(), &mut centred());
        assert_eq!(due.to_string(), "backoff after 2 failures: 1h");
    }
}
