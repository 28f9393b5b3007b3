//! `accept_push`, `token_env` and `token_file`: a text source that takes
//! dumps sent to `POST /ingest/{source}`, and the token a sender must show.

use std::ops::Range;

use toml::Spanned;

use super::secret::{Secret, SecretFrom};
use super::{Checker, ConfigError};
use crate::model::{SourceKind, SourceName};

/// The `[[source]]` keys this module reads.
pub struct RawPush {
    pub accept_push: Option<Spanned<bool>>,
    pub token_env: Option<Spanned<String>>,
    pub token_file: Option<Spanned<String>>,
}

impl RawPush {
    pub fn accepts(&self) -> bool {
        self.accept_push.as_ref().is_some_and(|a| *a.get_ref())
    }

    fn token_span(&self) -> Option<Range<usize>> {
        self.token_env
            .as_ref()
            .or(self.token_file.as_ref())
            .map(Spanned::span)
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
            return match raw.token_span() {
                Some(span) => Err(self.error(
                    Some(span),
                    format!("source `{source}` has a push token but does not set `accept_push = true`"),
                )),
                None => Ok(None),
            };
        };
        let span = accept.span();
        if kind != SourceKind::Text {
            return Err(self.error(
                Some(span),
                format!("source `{source}`: `accept_push` is for text sources: add `kind = \"text\"`"),
            ));
        }
        let from = match (raw.token_env, raw.token_file) {
            (Some(var), None) => SecretFrom::Env(var.into_inner()),
            (None, Some(path)) => SecretFrom::File(self.folder().join(path.get_ref())),
            (Some(env), Some(_)) => {
                return Err(self.error(
                    Some(env.span()),
                    format!("source `{source}` has both `token_env` and `token_file`: keep one"),
                ))
            }
            (None, None) => {
                return Err(self.error(
                    Some(span),
                    format!("source `{source}` accepts pushes without a token: add `token_env = \"VARIABLE\"` or `token_file = \"path\"`"),
                ))
            }
        };
        Secret::read(from).map(Some).map_err(|e| {
            self.error(
                Some(span),
                format!("source `{source}`: {e}: it should hold the token senders show"),
            )
        })
    }
}
