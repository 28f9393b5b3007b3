//! Human durations as written in `feeds.toml`: `90s`, `15m`, `6h`, `7d`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::de::{self, Deserialize, Deserializer};

/// A duration written with one unit suffix. Wraps `std::time::Duration` so the
/// config keeps the user's spelling out of the rest of the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(pub Duration);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid duration `{input}`: write a whole number followed by s, m, h or d, as in `90s`, `15m`, `6h`, `7d`")]
pub struct DurationError {
    input: String,
}

impl FromStr for HumanDuration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DurationError {
            input: s.to_string(),
        };
        let trimmed = s.trim();
        let split = trimmed
            .char_indices()
            .last()
            .map(|(i, _)| i)
            .ok_or_else(err)?;
        let (number, unit) = trimmed.split_at(split);
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let n: u64 = number.parse().map_err(|_| err())?;
        let seconds_per_unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(err()),
        };
        let secs = n.checked_mul(seconds_per_unit).ok_or_else(err)?;
        Ok(HumanDuration(Duration::from_secs(secs)))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] {
            if secs != 0 && secs % size == 0 {
                return write!(f, "{}{unit}", secs / size);
            }
        }
        write!(f, "{secs}s")
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit() {
        let secs = |s: &str| s.parse::<HumanDuration>().map(|d| d.0.as_secs());
        assert_eq!(secs("90s"), Ok(90));
        assert_eq!(secs("15m"), Ok(900));
        assert_eq!(secs("6h"), Ok(21_600));
        assert_eq!(secs("7d"), Ok(604_800));
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "m",
            "15",
            "15x",
            "-5m",
            "1.5h",
            "15 m",
            "99999999999999999999d",
        ] {
            assert!(bad.parse::<HumanDuration>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn displays_in_largest_whole_unit() {
        let show = |s: &str| s.parse::<HumanDuration>().map(|d| d.to_string());
        assert_eq!(show("120m"), Ok("2h".to_string()));
        assert_eq!(show("90s"), Ok("90s".to_string()));
        assert_eq!(show("0s"), Ok("0s".to_string()));
    }
}
