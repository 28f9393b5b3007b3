//! `/feeds/feed.xsl`: the stylesheet RSS and Atom outputs name, so a
//! browser opening one shows a page instead of raw XML; and the content
//! type that lets it: browsers apply XSLT to `application/xml`, but show
//! `application/rss+xml` and `application/atom+xml` as text.

use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::IntoResponse;

use crate::render::stylesheet::XSL;
use crate::render::FeedFormat;

/// Feeds answer by `Accept` as well as by `Accept-Encoding`.
pub const VARY: &str = "Accept-Encoding, Accept";

/// `format`'s own type, or `application/xml` for an RSS or Atom document
/// asked for by a browser (one that accepts `text/html`; feed readers do
/// not ask for it). The body is the same either way.
pub fn content_type(format: FeedFormat, request: &HeaderMap) -> &'static str {
    let browser = request
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| range.split(';').next().unwrap_or_default().trim() == "text/html");
    match format {
        FeedFormat::Rss | FeedFormat::Atom if browser => "application/xml; charset=utf-8",
        _ => format.content_type(),
    }
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            // The type browsers apply as XSLT; `text/xml` works too.
            (CONTENT_TYPE, "text/xsl; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        XSL,
    )
}
