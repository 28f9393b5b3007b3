//! `[[output]] access`, `token_env` and `token_file`: an output anyone may
//! read, or one served only to whoever shows its token.

use serde::Deserialize;
use toml::Spanned;

use super::secret::Secret;
use super::token::RawToken;
use super::{Checker, ConfigError};
use crate::model::OutputName;

/// `access = "public" | "token"` as written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessKind {
    #[default]
    Public,
    Token,
}

/// Who may read an output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Access {
    #[default]
    Public,
    /// Only requests showing this token; everyone else is told the output
    /// does not exist.
    Token(Secret),
}

impl Access {
    pub fn is_private(&self) -> bool {
        matches!(self, Access::Token(_))
    }
}

impl Checker<'_> {
    pub(super) fn access(
        &self,
        output: &OutputName,
        kind: Option<Spanned<AccessKind>>,
        token: RawToken,
    ) -> Result<Access, ConfigError> {
        let Some(kind) = kind.filter(|k| *k.get_ref() == AccessKind::Token) else {
            return match token.span() {
                Some(span) => Err(self.error(
                    Some(span),
                    format!("output `{output}` has a token but does not set `access = \"token\"`"),
                )),
                None => Ok(Access::Public),
            };
        };
        self.read_token(
            &format!("output `{output}`"),
            token,
            kind.span(),
            "it should hold the token readers show",
        )
        .map(Access::Token)
    }
}

#[cfg(test)]
mod tests {
    use super::Access;
    use crate::config::Config;

    fn parse(output: &str) -> Result<Config, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "reader-t0ken\n").unwrap();
        let text = format!(
            "[[source]]\nname = \"a\"\nurl = \"https://a.test/f\"\n\
             [[output]]\nname = \"mine\"\nsources = [\"a\"]\n{output}\n"
        );
        Config::parse(&dir.path().join("feeds.toml"), &text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_private_output_reads_its_token_from_a_file() {
        let config = parse("access = \"token\"\ntoken_file = \"token\"").unwrap();
        let Access::Token(token) = &config.outputs[0].access else {
            panic!("the output should be private");
        };
        assert_eq!(token.expose(), "reader-t0ken");
        assert_eq!(parse("").unwrap().outputs[0].access, Access::Public);
    }

    #[test]
    fn a_token_needs_access_token_and_one_source() {
        let cases = [
            ("access = \"token\"", "needs a token"),
            (
                "token_file = \"token\"",
                "does not set `access = \"token\"`",
            ),
            (
                "access = \"token\"\ntoken_file = \"token\"\ntoken_env = \"T\"",
                "keep one",
            ),
            (
                "access = \"token\"\ntoken_env = \"SYNDIC_TEST_UNSET_OUTPUT_TOKEN\"",
                "is not set",
            ),
            ("access = \"secret\"", "unknown variant"),
        ];
        for (output, said) in cases {
            let err = parse(output).unwrap_err();
            assert!(err.contains(said), "{output}: {err}");
        }
    }
}
