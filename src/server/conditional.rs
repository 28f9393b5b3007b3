//! Conditional requests (RFC 9110 §13): whether the client's copy is
//! still current, from `If-None-Match` or, when absent, `If-Modified-Since`.

use std::time::SystemTime;

use axum::http::header::{IF_MODIFIED_SINCE, IF_NONE_MATCH};
use axum::http::HeaderMap;

use super::encoding::Encoding;

/// True when the request's validators match a body whose ETags are
/// `hash` plus an encoding suffix and that last changed at `last_modified`.
pub fn is_not_modified(headers: &HeaderMap, hash: &str, last_modified: SystemTime) -> bool {
    let mut if_none_match = headers.get_all(IF_NONE_MATCH).iter().peekable();
    if if_none_match.peek().is_some() {
        // Weak comparison: a client holding any coding of this body is current.
        return if_none_match
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag_matches(tag.trim(), hash));
    }
    headers
        .get(IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| last_modified <= since)
}

fn tag_matches(tag: &str, hash: &str) -> bool {
    if tag == "*" {
        return true;
    }
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let Some(opaque) = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return false;
    };
    Encoding::ALL
        .iter()
        .any(|e| opaque.strip_prefix(hash) == Some(e.etag_suffix()))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    const T: Duration = Duration::from_secs(1_700_000_000);

    #[test]
    fn if_none_match_lists_star_and_weak_tags() {
        let at = UNIX_EPOCH + T;
        assert!(is_not_modified(
            &headers(&[("if-none-match", "\"abc\"")]),
            "abc",
            at
        ));
        assert!(is_not_modified(
            &headers(&[("if-none-match", "\"x\", W/\"abc-gz\"")]),
            "abc",
            at
        ));
        assert!(is_not_modified(
            &headers(&[("if-none-match", "\"x\""), ("if-none-match", "\"abc-br\"")]),
            "abc",
            at
        ));
        assert!(is_not_modified(
            &headers(&[("if-none-match", "*")]),
            "abc",
            at
        ));
        assert!(!is_not_modified(
            &headers(&[("if-none-match", "\"abcd\"")]),
            "abc",
            at
        ));
        assert!(!is_not_modified(
            &headers(&[("if-none-match", "abc")]),
            "abc",
            at
        ));
        assert!(!is_not_modified(
            &headers(&[("if-none-match", "\"ab\"")]),
            "abc",
            at
        ));
    }

    #[test]
    fn if_modified_since_only_without_if_none_match() {
        let at = UNIX_EPOCH + T;
        let same = httpdate::fmt_http_date(at);
        let earlier = httpdate::fmt_http_date(at - Duration::from_secs(1));
        assert!(is_not_modified(
            &headers(&[("if-modified-since", &same)]),
            "abc",
            at
        ));
        assert!(!is_not_modified(
            &headers(&[("if-modified-since", &earlier)]),
            "abc",
            at
        ));
        assert!(!is_not_modified(
            &headers(&[("if-modified-since", "yesterday")]),
            "abc",
            at
        ));
        assert!(!is_not_modified(
            &headers(&[("if-none-match", "\"other\""), ("if-modified-since", &same)]),
            "abc",
            at
        ));
    }
}
