//! `[daemon] schedule`, `min_interval` and `max_interval`: whether each
//! source is polled at its interval or at a pace learnt from what it
//! publishes, and the bounds of that pace.

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::duration::HumanDuration;
use super::raw::RawDaemon;
use super::{Checker, ConfigError, MIN_INTERVAL};

/// Never polled more often than this by default: half the fixed default,
/// so the busiest feeds' stories wait less than under fixed polling
/// (benches/schedule.rs) at a bounded cost.
const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Even a feed that publishes once a month is looked at daily.
const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    #[default]
    Fixed,
    Adaptive,
}

/// How sources are paced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Schedule {
    /// Each source at its `interval`.
    #[default]
    Fixed,
    /// Each feed at a pace learnt from its recent items, within bounds;
    /// its `interval` until it has any.
    Adaptive { min: Duration, max: Duration },
}

impl Checker<'_> {
    pub(super) fn schedule(&self, raw: &RawDaemon) -> Result<Schedule, ConfigError> {
        let min = self.bound(
            "min_interval",
            raw.min_interval.as_ref(),
            DEFAULT_MIN_INTERVAL,
        )?;
        let max = self.bound(
            "max_interval",
            raw.max_interval.as_ref(),
            DEFAULT_MAX_INTERVAL,
        )?;
        if let Some(span) = (max < min)
            .then(|| raw.max_interval.as_ref().or(raw.min_interval.as_ref()))
            .flatten()
        {
            return Err(self.error(
                Some(span.span()),
                format!(
                    "max_interval {} is shorter than min_interval {}: raise max_interval",
                    HumanDuration(max),
                    HumanDuration(min)
                ),
            ));
        }
        Ok(match raw.schedule.unwrap_or_default() {
            ScheduleKind::Fixed => Schedule::Fixed,
            ScheduleKind::Adaptive => Schedule::Adaptive { min, max },
        })
    }

    fn bound(
        &self,
        key: &str,
        raw: Option<&Spanned<HumanDuration>>,
        default: Duration,
    ) -> Result<Duration, ConfigError> {
        match raw {
            Some(d) if d.get_ref().0 < MIN_INTERVAL => Err(self.error(
                Some(d.span()),
                format!(
                    "{key} {} is too short: polling more often than every {} is impolite to servers",
                    d.get_ref(),
                    HumanDuration(MIN_INTERVAL)
                ),
            )),
            Some(d) => Ok(d.get_ref().0),
            None => Ok(default),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(daemon: &str) -> Result<Config, ConfigError> {
        Config::parse(
            std::path::Path::new("feeds.toml"),
            &format!("[daemon]\n{daemon}\n"),
        )
    }

    #[test]
    fn fixed_unless_asked_with_documented_bounds() {
        assert_eq!(parse("").unwrap().daemon.schedule, Schedule::Fixed);
        assert_eq!(
            parse("schedule = \"adaptive\"").unwrap().daemon.schedule,
            Schedule::Adaptive {
                min: DEFAULT_MIN_INTERVAL,
                max: DEFAULT_MAX_INTERVAL
            }
        );
    }

    #[test]
    fn bounds_keep_the_politeness_floor_and_their_order() {
        let short = parse("schedule = \"adaptive\"\nmin_interval = \"30s\"").unwrap_err();
        assert!(short.to_string().contains("feeds.toml:3:"), "{short}");
        assert!(short.to_string().contains("impolite"), "{short}");
        let crossed = parse("min_interval = \"2h\"\nmax_interval = \"1h\"").unwrap_err();
        assert!(
            crossed.to_string().contains("shorter than min_interval"),
            "{crossed}"
        );
        let unknown = parse("schedule = \"sometimes\"").unwrap_err();
        assert!(unknown.to_string().contains("adaptive"), "{unknown}");
    }
}
