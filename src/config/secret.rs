//! Credentials read from the environment or a file, never from the config
//! itself: the config is shown, shared and checked in, a secret is not.
//! A [`Secret`] prints where it came from, never what it holds.

use std::fmt;
use std::path::PathBuf;

/// Where a secret is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretFrom {
    Env(String),
    /// An absolute path.
    File(PathBuf),
}

impl fmt::Display for SecretFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretFrom::Env(var) => write!(f, "environment variable `{var}`"),
            SecretFrom::File(path) => write!(f, "file `{}`", path.display()),
        }
    }
}

/// A password or token. Its Debug and Display show only where it came
/// from, so logging a config, an error or a request cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    value: String,
    from: SecretFrom,
}

/// Why a secret could not be read. The messages never quote the value:
/// `VarError::NotUnicode` would print it.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{0} is not set")]
    Unset(SecretFrom),
    #[error("{0} is not valid UTF-8")]
    NotUnicode(SecretFrom),
    #[error("{from} cannot be read: {source}")]
    Unreadable {
        from: SecretFrom,
        source: std::io::Error,
    },
    #[error("{0} is empty")]
    Empty(SecretFrom),
}

impl Secret {
    /// Reads the secret now; called at every config load, so a rotated
    /// secret is picked up by a reload.
    pub fn read(from: SecretFrom) -> Result<Secret, SecretError> {
        let value = match &from {
            SecretFrom::Env(var) => match std::env::var(var) {
                Ok(v) => v,
                Err(std::env::VarError::NotPresent) => return Err(SecretError::Unset(from)),
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(SecretError::NotUnicode(from))
                }
            },
            SecretFrom::File(path) => match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(v) => v,
                    Err(_) => return Err(SecretError::NotUnicode(from)),
                },
                Err(source) => return Err(SecretError::Unreadable { from, source }),
            },
        };
        // `echo token > file` and heredocs end the file with a line break
        // that is no part of the secret.
        let value = value.trim_end_matches(['\r', '\n']).to_string();
        if value.is_empty() {
            return Err(SecretError::Empty(from));
        }
        Ok(Secret { value, from })
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn from(&self) -> &SecretFrom {
        &self.from
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(from {}, redacted)", self.from)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the secret in {}", self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_lose_their_final_line_break_and_never_show() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cr3t-value\r\n").unwrap();
        let secret = Secret::read(SecretFrom::File(path.clone())).unwrap();
        assert_eq!(secret.expose(), "s3cr3t-value");
        for shown in [format!("{secret:?}"), secret.to_string()] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("token"), "{shown}");
        }
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            Secret::read(SecretFrom::File(path)),
            Err(SecretError::Empty(_))
        ));
    }

    #[test]
    fn an_unset_variable_is_named() {
        let var = "SYNDIC_TEST_SECRET_THAT_IS_NEVER_SET";
        let err = Secret::read(SecretFrom::Env(var.into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("environment variable `{var}` is not set")
        );
    }
}
