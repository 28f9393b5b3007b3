//! A source's own HTTP settings: `user_agent`, `headers`, `auth` and
//! `http2`, checked so that a request built from them cannot fail or fight
//! with what syndic sends itself.

use std::collections::BTreeMap;
use std::ops::Range;

use reqwest::header::{HeaderName, HeaderValue};
use toml::Spanned;

use super::raw::RawAuth;
use super::secret::{Secret, SecretFrom};
use super::{Checker, ConfigError};
use crate::model::SourceName;

/// What a source adds to its requests; the default adds nothing.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Replaces syndic's own User-Agent.
    pub user_agent: Option<HeaderValue>,
    /// Sent, like `auth`, only to the configured url's origin.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub auth: Option<Auth>,
    /// `http2 = false`: servers whose HTTP/2 is broken.
    pub http1_only: bool,
}

impl HttpOptions {
    pub fn is_default(&self) -> bool {
        self.user_agent.is_none()
            && self.headers.is_empty()
            && self.auth.is_none()
            && !self.http1_only
    }
}

/// Credentials sent in `Authorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Basic { user: String, password: Secret },
    Bearer(Secret),
}

impl std::fmt::Display for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic { user, password } => {
                write!(
                    f,
                    "basic auth as `{user}`, password from {}",
                    password.from()
                )
            }
            Auth::Bearer(token) => write!(f, "bearer token from {}", token.from()),
        }
    }
}

/// The `[[source]]` keys this module reads.
pub struct RawHttpOptions {
    pub user_agent: Option<Spanned<String>>,
    pub headers: Option<Spanned<BTreeMap<String, String>>>,
    pub auth: Option<Spanned<RawAuth>>,
    pub http2: Option<Spanned<bool>>,
}

impl RawHttpOptions {
    /// Where the first key set is, for refusing them all on a file source.
    pub fn first_span(&self) -> Option<Range<usize>> {
        [
            self.user_agent.as_ref().map(Spanned::span),
            self.headers.as_ref().map(Spanned::span),
            self.auth.as_ref().map(Spanned::span),
            self.http2.as_ref().map(Spanned::span),
        ]
        .into_iter()
        .flatten()
        .min_by_key(|s| s.start)
    }
}

/// Why syndic keeps a header to itself, or `None` when a source may set it.
fn refusal(name: &HeaderName) -> Option<&'static str> {
    Some(match name.as_str() {
        "authorization" => "carries credentials, which belong in `auth = { bearer_env = \"…\" }` or `auth = { basic_user = \"…\", password_env = \"…\" }` (read from the environment or a file, never written in the config)",
        "user-agent" => "has its own key: `user_agent = \"…\"`",
        "host" => "is set by syndic from the url",
        "content-length" => "describes a request body, and syndic's GET has none",
        "if-none-match" | "if-modified-since" => "is set by syndic for conditional GET, from the feed's last response",
        "accept-encoding" => "is set by syndic, which decodes gzip, brotli and deflate",
        "connection" | "keep-alive" | "proxy-connection" | "te" | "trailer"
        | "transfer-encoding" | "upgrade" | "proxy-authorization" | "proxy-authenticate" => {
            "is hop-by-hop: it concerns one connection, which the HTTP client manages"
        }
        _ => return None,
    })
}

impl Checker<'_> {
    pub(super) fn http_options(
        &self,
        source: &SourceName,
        raw: RawHttpOptions,
    ) -> Result<HttpOptions, ConfigError> {
        let user_agent = raw
            .user_agent
            .map(|ua| {
                HeaderValue::from_str(ua.get_ref())
                    .ok()
                    .filter(|_| !ua.get_ref().trim().is_empty())
                    .ok_or_else(|| {
                        self.error(
                            Some(ua.span()),
                            format!("source `{source}`: `user_agent` must be one line of printable text"),
                        )
                    })
            })
            .transpose()?;
        let headers = match raw.headers {
            Some(h) => self.headers(source, h)?,
            None => Vec::new(),
        };
        let auth = raw.auth.map(|a| self.auth(source, a)).transpose()?;
        Ok(HttpOptions {
            user_agent,
            headers,
            auth,
            http1_only: raw.http2.is_some_and(|h| !h.into_inner()),
        })
    }

    fn headers(
        &self,
        source: &SourceName,
        raw: Spanned<BTreeMap<String, String>>,
    ) -> Result<Vec<(HeaderName, HeaderValue)>, ConfigError> {
        let span = raw.span();
        let bad = |why: String| self.error(Some(span.clone()), format!("source `{source}`: {why}"));
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        for (name, value) in raw.into_inner() {
            let parsed = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| bad(format!("`{name}` is not a valid header name")))?;
            if let Some(why) = refusal(&parsed) {
                return Err(bad(format!("header `{name}` {why}")));
            }
            if headers.iter().any(|(n, _)| *n == parsed) {
                return Err(bad(format!(
                    "header `{name}` is given twice (header names ignore case)"
                )));
            }
            let value = HeaderValue::from_str(&value).map_err(|_| {
                bad(format!(
                    "the value of header `{name}` must be one line of printable text"
                ))
            })?;
            headers.push((parsed, value));
        }
        Ok(headers)
    }

    fn auth(&self, source: &SourceName, raw: Spanned<RawAuth>) -> Result<Auth, ConfigError> {
        let span = raw.span();
        let bad = |why: String| {
            self.error(
                Some(span.clone()),
                format!("source `{source}`: auth: {why}"),
            )
        };
        let a = raw.into_inner();
        let from = |env: Option<String>, file: Option<String>, what: &str| match (env, file) {
            (Some(var), None) => Ok(SecretFrom::Env(var)),
            (None, Some(path)) => Ok(SecretFrom::File(self.folder().join(path))),
            (Some(_), Some(_)) => Err(bad(format!(
                "both `{what}_env` and `{what}_file`: keep one"
            ))),
            (None, None) => Err(bad(format!(
                "add `{what}_env = \"VARIABLE\"` or `{what}_file = \"path\"`"
            ))),
        };
        // `kind` is the keys' prefix: the hint names the other key of the pair.
        let read = |from: SecretFrom, kind: &str, what: &str| {
            let other = match from {
                SecretFrom::Env(_) => "file",
                SecretFrom::File(_) => "env",
            };
            Secret::read(from).map_err(|e| {
                bad(format!(
                    "{e}: it should hold the {what} (or use `{kind}_{other}` to read it from elsewhere)"
                ))
            })
        };
        match a.basic_user {
            Some(user) => {
                if a.bearer_env.is_some() || a.bearer_file.is_some() {
                    return Err(bad(
                        "both basic and bearer credentials: keep one kind".into()
                    ));
                }
                // RFC 7617: the user id ends at the first colon.
                if user.is_empty() || user.contains(':') || user.chars().any(char::is_control) {
                    return Err(bad(
                        "`basic_user` must be a non-empty name without `:` or control characters"
                            .into(),
                    ));
                }
                let password = read(
                    from(a.password_env, a.password_file, "password")?,
                    "password",
                    "password",
                )?;
                Ok(Auth::Basic { user, password })
            }
            None => {
                if a.password_env.is_some() || a.password_file.is_some() {
                    return Err(bad(
                        "a password without `basic_user`: add `basic_user = \"name\"`".into(),
                    ));
                }
                if a.bearer_env.is_none() && a.bearer_file.is_none() {
                    return Err(bad("write `{ bearer_env = \"VARIABLE\" }`, `{ bearer_file = \"path\" }`, or `{ basic_user = \"name\", password_env = \"VARIABLE\" }` (or `password_file`)".into()));
                }
                let token_from = from(a.bearer_env, a.bearer_file, "bearer")?;
                let token = read(token_from, "bearer", "bearer token")?;
                if HeaderValue::from_str(token.expose()).is_err() {
                    return Err(bad(format!(
                        "the token in {} holds a line break or control character",
                        token.from()
                    )));
                }
                Ok(Auth::Bearer(token))
            }
        }
    }
}
