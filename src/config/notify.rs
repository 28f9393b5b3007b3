//! `[[output]] notify`: where each new item of an output is sent, a
//! webhook (`{ url = "https://…" }`, the item POSTed as JSON) or a
//! command (`{ command = ["program", "arg"] }`, the item as JSON on its
//! standard input).

use std::fmt;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::{Checker, ConfigError};
use crate::model::OutputName;

/// One `notify` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    pub url: Option<String>,
    pub command: Option<Vec<String>>,
}

/// Where an output's new items go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyTarget {
    Webhook(Url),
    /// The program and its arguments, run without a shell.
    Command(Vec<String>),
}

impl NotifyTarget {
    /// What deliveries are recorded under: the same target keeps its
    /// history across restarts and reloads.
    pub fn key(&self) -> String {
        match self {
            NotifyTarget::Webhook(url) => format!("url {url}"),
            NotifyTarget::Command(argv) => format!("command {}", argv.join(" ")),
        }
    }

    /// `webhook` or `command`, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            NotifyTarget::Webhook(_) => "webhook",
            NotifyTarget::Command(_) => "command",
        }
    }
}

impl fmt::Display for NotifyTarget {
    /// A webhook's URL without its query (which may hold a key), or the
    /// command's program.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotifyTarget::Webhook(url) => {
                write!(
                    f,
                    "{}://{}{}",
                    url.scheme(),
                    url.host_str().unwrap_or(""),
                    url.path()
                )
            }
            NotifyTarget::Command(argv) => write!(f, "{}", argv.first().map_or("", String::as_str)),
        }
    }
}

impl Checker<'_> {
    pub(super) fn notify_targets(
        &self,
        output: &OutputName,
        raw: Vec<Spanned<RawNotify>>,
    ) -> Result<Vec<NotifyTarget>, ConfigError> {
        raw.into_iter()
            .map(|entry| {
                let span = entry.span();
                let bad = |why: String| {
                    self.error(
                        Some(span.clone()),
                        format!("output `{output}`: notify {why}"),
                    )
                };
                match entry.into_inner() {
                    RawNotify {
                        url: Some(url),
                        command: None,
                    } => Url::parse(&url)
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https"))
                        .map(NotifyTarget::Webhook)
                        .ok_or_else(|| bad(format!("url `{url}` is not an http(s) URL"))),
                    RawNotify {
                        url: None,
                        command: Some(argv),
                    } if !argv.is_empty() && !argv[0].is_empty() => Ok(NotifyTarget::Command(argv)),
                    RawNotify {
                        url: None,
                        command: Some(_),
                    } => Err(bad(
                        "command is empty: write `command = [\"program\", \"arg\"]`".into(),
                    )),
                    _ => Err(bad(
                        "needs one of `url = \"https://…\"` or `command = [\"program\", …]`".into(),
                    )),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::NotifyTarget;
    use crate::config::Config;

    fn parse(notify: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "[[source]]\nname = \"a\"\nurl = \"https://a.test/f\"\n\
             [[output]]\nname = \"o\"\nsources = [\"a\"]\nnotify = {notify}\n"
        );
        Config::parse(&dir.path().join("feeds.toml"), &text).map_err(|e| e.to_string())
    }

    #[test]
    fn webhooks_and_commands_are_read() {
        let config = parse(
            "[{ url = \"https://hooks.test/x?key=k\" }, { command = [\"/bin/handler\", \"-v\"] }]",
        )
        .unwrap();
        let targets = &config.outputs[0].notify;
        assert_eq!(
            targets[0].to_string(),
            "https://hooks.test/x",
            "no query shown"
        );
        assert_eq!(
            targets[1],
            NotifyTarget::Command(vec!["/bin/handler".into(), "-v".into()])
        );
        for (notify, said) in [
            ("[{ url = \"ftp://x.test/\" }]", "not an http(s) URL"),
            ("[{ command = [] }]", "command is empty"),
            (
                "[{ url = \"https://x.test/\", command = [\"x\"] }]",
                "needs one of",
            ),
            ("[{ mail = \"a@b\" }]", "unknown field"),
        ] {
            let err = parse(notify).unwrap_err();
            assert!(err.contains(said), "{notify}: {err}");
        }
    }
}
