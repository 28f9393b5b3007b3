//! `[daemon] health_output` and `health_after`: the built-in `_health`
//! output, a feed of source problems the operator can subscribe to. It
//! reads the built-in source of the same name, which only the daemon
//! writes to.

use std::time::Duration;

use toml::Spanned;

use super::{
    Access, Checker, ConfigError, DaemonSettings, FieldSets, Location, OutputConfig, Retention,
    SourceConfig,
};
use crate::model::{OutputName, SourceKind, SourceName};

/// The name of the built-in source and output.
pub const HEALTH_NAME: &str = "_health";
/// A source counts as failing after this many failed polls in a row.
const DEFAULT_HEALTH_AFTER: u32 = 3;
/// The built-in output's length: problems are few and news is short-lived.
const HEALTH_LIMIT: usize = 100;

/// The two keys, as read.
pub struct RawHealth {
    pub output: Option<Spanned<bool>>,
    pub after: Option<Spanned<u32>>,
}

impl Checker<'_> {
    /// How many failed polls make a source failing, when the health
    /// output is on.
    pub(super) fn health_after(&self, raw: RawHealth) -> Result<Option<u32>, ConfigError> {
        let on = raw.output.as_ref().is_some_and(|o| *o.get_ref());
        match raw.after {
            Some(after) if !on => Err(self.error(
                Some(after.span()),
                "`health_after` is for the health output: add `health_output = true`".into(),
            )),
            Some(after) if *after.get_ref() == 0 => Err(self.error(
                Some(after.span()),
                "`health_after` must be at least 1".into(),
            )),
            after => Ok(on.then(|| after.map_or(DEFAULT_HEALTH_AFTER, Spanned::into_inner))),
        }
    }

    /// Appends the built-in source and output when the health output is
    /// on; a configured source or output may not take their name.
    pub(super) fn add_health(
        &self,
        daemon: &DaemonSettings,
        sources: &mut Vec<SourceConfig>,
        outputs: &mut Vec<OutputConfig>,
    ) -> Result<(), ConfigError> {
        if daemon.health_after.is_none() {
            return Ok(());
        }
        let taken = sources.iter().any(|s| s.name.as_str() == HEALTH_NAME)
            || outputs.iter().any(|o| o.name.as_str() == HEALTH_NAME);
        if taken {
            return Err(self.error(
                None,
                format!("`{HEALTH_NAME}` is the name of the built-in health output (`health_output = true`): rename your source or output"),
            ));
        }
        let name = SourceName::new(HEALTH_NAME).expect("the built-in name is valid");
        sources.push(SourceConfig {
            name: name.clone(),
            kind: SourceKind::Text,
            location: Location::Push,
            interval: daemon.interval,
            schedule: daemon.schedule,
            tags: Vec::new(),
            // A problem a month old is history.
            retention: Retention {
                keep: Some(HEALTH_LIMIT),
                max_age: Some(Duration::from_secs(30 * 86_400)),
            },
            allow_private: false,
            http: Default::default(),
            renamed_from: None,
            push_token: None,
            full_text: None,
            selectors: None,
        });
        outputs.push(OutputConfig {
            name: OutputName::new(HEALTH_NAME).expect("the built-in name is valid"),
            title: "syndic: source health".into(),
            description: Some(
                "Sources that fail, moved, are gone, or recovered, as syndic sees them.".into(),
            ),
            sources: vec![name],
            tags: Vec::new(),
            include: FieldSets::new(&[]).expect("an empty set compiles"),
            exclude: FieldSets::new(&[]).expect("an empty set compiles"),
            limit: HEALTH_LIMIT,
            max_age: None,
            prefer: Vec::new(),
            access: Access::Public,
            notify: Vec::new(),
            query: None,
            served_as: Default::default(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, HEALTH_NAME};

    fn parse(daemon: &str, more: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "[daemon]\n{daemon}\n[[source]]\nname = \"a\"\nurl = \"https://a.test/f\"\n{more}"
        );
        Config::parse(&dir.path().join("feeds.toml"), &text).map_err(|e| e.to_string())
    }

    #[test]
    fn the_health_output_is_built_in_when_asked_for() {
        let config = parse("health_output = true", "").unwrap();
        assert_eq!(config.daemon.health_after, Some(3));
        let output = config.output(HEALTH_NAME).unwrap();
        assert_eq!(output.sources[0].as_str(), HEALTH_NAME);
        assert!(!config.source(HEALTH_NAME).unwrap().is_polled());
        assert!(parse("", "").unwrap().output(HEALTH_NAME).is_none());
    }

    #[test]
    fn its_keys_and_name_are_checked() {
        let cases = [
            ("health_after = 2", "", "add `health_output = true`"),
            ("health_output = true\nhealth_after = 0", "", "at least 1"),
            (
                "health_output = true",
                "[[source]]\nname = \"_health\"\nurl = \"https://b.test/f\"\n",
                "built-in health output",
            ),
        ];
        for (daemon, more, said) in cases {
            let err = parse(daemon, more).unwrap_err();
            assert!(err.contains(said), "{daemon}: {err}");
        }
    }
}
