//! The response headers that steer polling: `Retry-After`,
//! `Cache-Control: max-age`, the Content-Type's charset and `Link`.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, CACHE_CONTROL, CONTENT_TYPE, LINK, RETRY_AFTER};

/// `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

/// Every `Link` header value, joined with commas (as RFC 9110 allows a
/// repeated field to be), or `None` when there is none.
pub fn link_header(headers: &HeaderMap) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// `max-age` of `Cache-Control`, unless the response may not be reused.
pub fn cache_max_age(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(CACHE_CONTROL)?.to_str().ok()?;
    let mut max_age = None;
    for directive in value.split(',') {
        let directive = directive.trim();
        let (name, arg) = directive.split_once('=').unwrap_or((directive, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "no-store" | "no-cache" => return None,
            "max-age" => max_age = arg.trim().trim_matches('"').parse().ok(),
            _ => {}
        }
    }
    max_age.map(Duration::from_secs)
}

/// The `charset` parameter of the Content-Type.
pub fn charset(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    value.split(';').skip(1).find_map(|param| {
        let (name, arg) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| arg.trim().trim_matches('"').to_string())
            .filter(|c| !c.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn with(name: reqwest::header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(
            retry_after(&with(RETRY_AFTER, " 120 ")),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
        let d = retry_after(&with(RETRY_AFTER, &later)).unwrap();
        assert!(d > Duration::from_secs(3500) && d <= Duration::from_secs(3600));
        let past = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(retry_after(&with(RETRY_AFTER, past)), Some(Duration::ZERO));
        assert_eq!(retry_after(&with(RETRY_AFTER, "soon")), None);
    }

    #[test]
    fn max_age_unless_uncacheable() {
        let age = |v| cache_max_age(&with(CACHE_CONTROL, v));
        assert_eq!(age("public, max-age=600"), Some(Duration::from_secs(600)));
        assert_eq!(age("MAX-AGE=\"60\""), Some(Duration::from_secs(60)));
        assert_eq!(age("no-cache, max-age=600"), None);
        assert_eq!(age("max-age=-1"), None);
        assert_eq!(age("private"), None);
    }

    #[test]
    fn charset_parameter() {
        let cs = |v| charset(&with(CONTENT_TYPE, v));
        assert_eq!(
            cs("application/rss+xml; charset=\"windows-1252\""),
            Some("windows-1252".into())
        );
        assert_eq!(cs("text/xml;Charset=KOI8-R"), Some("KOI8-R".into()));
        assert_eq!(cs("application/xml"), None);
        assert_eq!(cs("text/xml; charset="), None);
    }
}
