//! When a source is next due: its interval, stretched by what the server
//! asks for and by failures, with jitter so sources drift apart instead of
//! firing together.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

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
    /// RSS `<ttl>`.
    pub ttl: Option<Duration>,
}

impl Hints {
    /// The longest thing the server asked for, capped.
    fn floor(&self) -> Duration {
        [self.retry_after, self.max_age, self.ttl]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or_default()
            .min(MAX_HINT)
    }
}

/// The next poll after a successful one: the interval, or longer when the
/// server asked for it.
pub fn after_success(
    now: DateTime<Utc>,
    interval: Duration,
    hints: Hints,
    rng: &mut impl Rng,
) -> DateTime<Utc> {
    now + jittered(interval.max(hints.floor()), rng)
}

/// The next poll after the `failures`-th failure in a row: the interval
/// doubled per failure, capped, and never sooner than `Retry-After`.
pub fn after_failure(
    now: DateTime<Utc>,
    interval: Duration,
    failures: u32,
    hints: Hints,
    rng: &mut impl Rng,
) -> DateTime<Utc> {
    let cap = MAX_BACKOFF.max(interval);
    let factor = 1u32 << failures.min(16);
    let backoff = interval.saturating_mul(factor).min(cap);
    now + jittered(backoff.max(hints.floor()), rng)
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

    #[test]
    fn success_waits_the_interval_within_jitter() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..200 {
            let s = secs(after_success(now(), MIN15, Hints::default(), &mut rng));
            assert!((810..=990).contains(&s), "{s}");
        }
    }

    #[test]
    fn jitter_spreads_sources() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let times: std::collections::HashSet<i64> = (0..50)
            .map(|_| secs(after_success(now(), MIN15, Hints::default(), &mut rng)))
            .collect();
        assert!(times.len() > 20, "{} distinct times", times.len());
    }

    #[test]
    fn server_hints_are_lower_bounds() {
        let hints = |ttl, max_age| Hints {
            retry_after: None,
            max_age,
            ttl,
        };
        let hour = Some(Duration::from_secs(3600));
        let at = |h| secs(after_success(now(), MIN15, h, &mut centred()));
        about(at(hints(hour, None)), 3600);
        about(at(hints(None, hour)), 3600);
        about(at(hints(Some(Duration::from_secs(60)), None)), 900);
        let year = Some(Duration::from_secs(365 * 86_400));
        about(at(hints(year, None)), MAX_HINT.as_secs() as i64);
    }

    #[test]
    fn failures_back_off_exponentially_to_a_cap() {
        let at = |f| {
            secs(after_failure(
                now(),
                MIN15,
                f,
                Hints::default(),
                &mut centred(),
            ))
        };
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
            secs(after_failure(now(), MIN15, 1, hints, &mut centred())),
            7200,
        );
    }
}
