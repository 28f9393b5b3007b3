//! Tokens shown with a request: a private output's reader's, a pushing
//! sender's. A token comes in `Authorization: Bearer …` or, for clients
//! that cannot set headers (feed readers, bookmarklets), as `?token=`.
//! It is compared in constant time and never logged.

use axum::http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{Access, Config, OutputConfig, Secret};
use crate::render::{self, FeedFormat};

/// The token a request shows: `Authorization: Bearer …`, else `?token=`
/// from its raw query string.
pub fn presented(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    bearer.or_else(|| query_token(query?))
}

/// `token` from a query string, percent-decoded; other parameters (a
/// reader's cache buster) are ignored.
fn query_token(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "token")
        .map(|(_, value)| value.into_owned())
}

/// Compares digests, in constant time: neither the token's bytes nor its
/// length show in how long a wrong guess takes.
pub fn same_token(shown: &str, expected: &Secret) -> bool {
    let shown = Sha256::digest(shown.as_bytes());
    let expected = Sha256::digest(expected.expose().as_bytes());
    shown.ct_eq(&expected).into()
}

/// Whether `shown` opens `output`: a public output is open to all.
pub fn may_read(output: &OutputConfig, shown: Option<&str>) -> bool {
    match &output.access {
        Access::Public => true,
        Access::Token(expected) => shown.is_some_and(|t| same_token(t, expected)),
    }
}

/// The outputs a request showing `shown` may see listed: the public
/// ones, and the private ones whose token it shows.
pub fn listed<'a>(
    config: &'a Config,
    shown: Option<&'a str>,
) -> impl Iterator<Item = &'a OutputConfig> + 'a {
    config.outputs.iter().filter(move |o| may_read(o, shown))
}

/// The address of `output` as `format`; a private output's carries the
/// token shown, so a page or list opened with it hands readers a working
/// address.
pub fn feed_url(
    config: &Config,
    output: &OutputConfig,
    format: FeedFormat,
    shown: Option<&str>,
) -> String {
    let url = render::self_url(output, format, &config.daemon);
    match (&output.access, shown) {
        (Access::Token(_), Some(token)) => {
            let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
            format!("{url}?token={encoded}")
        }
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_header_wins_over_the_query_and_the_query_is_decoded() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            presented(&headers, Some("x=1&token=a%2Bb%20c")).as_deref(),
            Some("a+b c")
        );
        assert_eq!(presented(&headers, Some("x=1")), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer  hdr "),
        );
        assert_eq!(presented(&headers, Some("token=q")).as_deref(), Some("hdr"));
    }
}
