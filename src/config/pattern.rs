//! Include/exclude patterns: regular expressions, compiled when the config
//! is read so a bad one is reported at its line.

use regex::{Regex, RegexBuilder};
use serde::de::{self, Deserialize, Deserializer};

/// A case-insensitive regular expression from the config.
#[derive(Debug, Clone)]
pub struct Pattern(Regex);

impl Pattern {
    pub fn new(source: &str) -> Result<Self, regex::Error> {
        RegexBuilder::new(source)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map(Pattern)
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Pattern::new(&text).map_err(|e| {
            de::Error::custom(format!(
                "invalid regular expression `{text}`: {}",
                e.to_string().lines().last().unwrap_or("syntax error")
            ))
        })
    }
}
