//! `accept_push`, `token_env` and `token_file`: a text source that takes
//! dumps sent to `POST /ingest/{source}`, and the token a sender must show.

use toml::Spanned;

use super::secret::Secret;
use super::token::RawToken;
use super::{Checker, ConfigError};
use crate::model::{SourceKind, SourceName};

/// The `[[source]]` keys this module reads.
pub struct RawPush {
    pub accept_push: Option<Spanned<bool>>,
    pub token: RawToken,
}

impl RawPush {
    pub fn accepts(&self) -> bool {
        self.accept_push.as_ref().is_some_and(|a| *a.get_ref())
    }
}

impl Checker<'_> {
    /// The token of a source that accepts pushes; `None` for one that
    /// does not.
    pub(super) fn push_token(
        &self,
        source: &SourceName,
        kind: SourceKind,
        raw: RawPush,
    ) -> Result<Option<Secret>, ConfigError> {
        let Some(accept) = raw.accept_push.as_ref().filter(|a| *a.get_ref()) else {
            return match raw.token.span() {
                Some(span) => Err(self.error(
                    Some(span),
                    format!(
                        "source `{source}` has a push token but does not set `accept_push = true`"
                    ),
                )),
                None => Ok(None),
            };
        };
        let span = accept.span();
        if kind != SourceKind::Text {
            return Err(self.error(
                Some(span),
                format!(
                    "source `{source}`: `accept_push` is for text sources: add `kind = \"text\"`"
                ),
            ));
        }
        self.read_token(
            &format!("source `{source}`"),
            raw.token,
            span,
            "it should hold the token senders show",
        )
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Location};

    fn parse(source: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "t0ken\n").unwrap();
        let text = format!("[[source]]\nname = \"desk\"\n{source}\n");
        Config::parse(&dir.path().join("feeds.toml"), &text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_push_only_text_source_reads_its_token() {
        let config = parse("kind = \"text\"\naccept_push = true\ntoken_file = \"token\"").unwrap();
        let source = &config.sources[0];
        assert_eq!(source.location, Location::Push);
        assert!(!source.is_polled());
        assert_eq!(source.push_token.as_ref().unwrap().expose(), "t0ken");
    }

    #[test]
    fn pushes_need_a_text_source_and_one_token() {
        let cases = [
            (
                "url = \"https://x.test/f\"\naccept_push = true\ntoken_file = \"token\"",
                "add `kind = \"text\"`",
            ),
            ("kind = \"text\"\naccept_push = true", "needs a token"),
            (
                "kind = \"text\"\npath = \"d/*.txt\"\ntoken_file = \"token\"",
                "does not set `accept_push = true`",
            ),
            (
                "kind = \"text\"\naccept_push = true\ntoken_file = \"token\"\ntoken_env = \"T\"",
                "keep one",
            ),
            (
                "kind = \"text\"\naccept_push = true\ntoken_env = \"SYNDIC_TEST_UNSET_PUSH_TOKEN\"",
                "is not set",
            ),
            ("kind = \"text\"", "neither `url` nor `path`"),
        ];
        for (source, said) in cases {
            let err = parse(source).unwrap_err();
            assert!(err.contains(said), "{source}: {err}");
        }
    }
}
