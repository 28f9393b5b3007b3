//! `token_env` / `token_file`: where a token is read from, for the keys
//! that take one (a pushed source's, a private output's). The token itself
//! is never written in the config.

use std::ops::Range;

use toml::Spanned;

use super::secret::{Secret, SecretFrom};
use super::{Checker, ConfigError};

/// The two keys, as read.
pub struct RawToken {
    pub token_env: Option<Spanned<String>>,
    pub token_file: Option<Spanned<String>>,
}

impl RawToken {
    /// Where the first of the two keys is written, if either is.
    pub fn span(&self) -> Option<Range<usize>> {
        self.token_env
            .as_ref()
            .or(self.token_file.as_ref())
            .map(Spanned::span)
    }
}

impl Checker<'_> {
    /// Reads the token `owner` names (e.g. "source `desk`"); errors point
    /// at `span` (the key that asks for a token) when neither key is given.
    /// `purpose` ends the message when the token cannot be read.
    pub(super) fn read_token(
        &self,
        owner: &str,
        raw: RawToken,
        span: Range<usize>,
        purpose: &str,
    ) -> Result<Secret, ConfigError> {
        let from = match (raw.token_env, raw.token_file) {
            (Some(var), None) => SecretFrom::Env(var.into_inner()),
            (None, Some(path)) => SecretFrom::File(self.folder().join(path.get_ref())),
            (Some(env), Some(_)) => {
                return Err(self.error(
                    Some(env.span()),
                    format!("{owner} has both `token_env` and `token_file`: keep one"),
                ))
            }
            (None, None) => {
                return Err(self.error(
                    Some(span),
                    format!("{owner} needs a token: add `token_env = \"VARIABLE\"` or `token_file = \"path\"`"),
                ))
            }
        };
        Secret::read(from).map_err(|e| self.error(Some(span), format!("{owner}: {e}: {purpose}")))
    }
}
