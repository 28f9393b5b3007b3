//! How often to poll a source that schedules itself by what it publishes
//! (`[daemon] schedule = "adaptive"`): three times per average gap between
//! its recent items, bounded by `min_interval` and `max_interval`. The
//! average over a window (items per day, in effect), not the median gap:
//! publishing is bursty, and the median of bursty gaps is short; in the
//! simulation (benches/schedule.rs) the median sent 3.9× fewer requests
//! than fixed polling where the average sent 5.3×, at two polls per gap.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The newest items whose dates are read. Enough for a stable median;
/// few enough that a feed changing pace is followed within days.
pub const HISTORY: usize = 16;
/// Polls per average gap. At two, stories from feeds of a few items a
/// day waited 26 minutes (median) against 15 at a fixed 30 minutes; three
/// brings that to 17 and keeps 4× fewer requests overall.
const POLLS_PER_GAP: u32 = 3;
/// A source silent for longer than this many average gaps is read as
/// having slowed down to its silence: a feed that stopped is not polled
/// at its old pace for ever.
const QUIET_GAPS: u32 = 4;

/// `min_interval` and `max_interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub min: Duration,
    pub max: Duration,
}

/// What a source's history taught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Learnt {
    /// The interval chosen.
    pub every: Duration,
    /// The average gap between items it was chosen from.
    pub gap: Duration,
    /// How many dated items the gap was read from.
    pub items: usize,
    /// Set when a bound overrode the gap.
    pub bounded: Option<Bound>,
    /// Set when the source has been silent long enough to stretch the gap.
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Min,
    Max,
}

/// The interval for a source whose newest items were published at
/// `times` (any order, at most [`HISTORY`] are read); `None` with fewer
/// than two distinct dates, when there is no gap to learn from.
pub fn learn(times: &[DateTime<Utc>], now: DateTime<Utc>, bounds: Bounds) -> Option<Learnt> {
    let mut times: Vec<DateTime<Utc>> = times.iter().copied().filter(|t| *t <= now).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    times.dedup();
    times.truncate(HISTORY);
    let (newest, oldest) = (*times.first()?, *times.last()?);
    let gaps = u32::try_from(times.len() - 1).ok().filter(|&n| n > 0)?;
    let average = (newest - oldest).to_std().ok()? / gaps;
    let silence = (now - newest).to_std().unwrap_or_default();
    let quiet = silence > average.saturating_mul(QUIET_GAPS);
    let gap = if quiet { silence / QUIET_GAPS } else { average };
    let wanted = gap / POLLS_PER_GAP;
    let (every, bounded) = if wanted < bounds.min {
        (bounds.min, Some(Bound::Min))
    } else if wanted > bounds.max {
        (bounds.max, Some(Bound::Max))
    } else {
        (wanted, None)
    };
    Some(Learnt {
        every,
        gap,
        items: times.len(),
        bounded,
        quiet,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);
    const BOUNDS: Bounds = Bounds {
        min: Duration::from_secs(600),
        max: Duration::from_secs(86_400),
    };

    fn now() -> DateTime<Utc> {
        "2026-01-10T00:00:00Z".parse().unwrap()
    }

    /// `n` items `gap` apart, the newest `since` ago.
    fn every(gap: Duration, n: usize, since: Duration) -> Vec<DateTime<Utc>> {
        (0..n).map(|i| now() - since - gap * i as u32).collect()
    }

    fn learnt(times: &[DateTime<Utc>]) -> Learnt {
        learn(times, now(), BOUNDS).expect("a gap to learn from")
    }

    #[test]
    fn polls_three_times_per_average_gap() {
        let l = learnt(&every(6 * HOUR, 10, HOUR));
        assert_eq!((l.gap, l.every, l.items), (6 * HOUR, 2 * HOUR, 10));
        assert_eq!(l.bounded, None);
    }

    #[test]
    fn bounds_hold_either_way() {
        let fast = learnt(&every(Duration::from_secs(60), 16, Duration::ZERO));
        assert_eq!((fast.every, fast.bounded), (BOUNDS.min, Some(Bound::Min)));
        let slow = learnt(&every(30 * 24 * HOUR, 5, HOUR));
        assert_eq!((slow.every, slow.bounded), (BOUNDS.max, Some(Bound::Max)));
    }

    #[test]
    fn a_burst_shortens_the_gap_only_by_its_share() {
        // Eight items over 42 hours, and two more in a burst: ten items,
        // nine gaps.
        let mut times = every(6 * HOUR, 8, HOUR);
        times.extend(every(Duration::from_secs(10), 3, HOUR));
        let l = learnt(&times);
        assert_eq!(l.gap, 42 * HOUR / 9);
        assert!(!l.quiet);
    }

    #[test]
    fn a_silent_source_slows_down() {
        let l = learnt(&every(HOUR, 10, 20 * HOUR));
        assert!(l.quiet);
        assert_eq!((l.gap, l.every), (5 * HOUR, 5 * HOUR / 3));
    }

    #[test]
    fn only_the_newest_items_count() {
        let mut times = every(HOUR, HISTORY, Duration::ZERO);
        times.extend(every(30 * 24 * HOUR, 20, 100 * 24 * HOUR));
        let l = learnt(&times);
        assert_eq!((l.gap, l.items), (HOUR, HISTORY));
    }

    #[test]
    fn one_date_or_future_dates_teach_nothing() {
        assert_eq!(learn(&every(HOUR, 1, HOUR), now(), BOUNDS), None);
        assert_eq!(
            learn(&[now() + HOUR, now() + HOUR * 2], now(), BOUNDS),
            None
        );
        assert_eq!(learn(&[now() - HOUR, now() - HOUR], now(), BOUNDS), None);
    }
}
