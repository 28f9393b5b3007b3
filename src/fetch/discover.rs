//! Feed autodiscovery: a page names its feeds with `<link rel="alternate"
//! type="application/rss+xml" href="…">` (or Atom, or JSON Feed). A feed
//! source whose url answers with such a page is led to its first feed,
//! which is then polled as if a permanent redirect had moved it there.

use url::Url;

use super::{Body, FetchError, Fetched, Fetcher, Origin, Target, Validators};

/// A feed a page offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    pub url: Url,
    /// `rss`, `atom` or `json`.
    pub format: &'static str,
    pub title: Option<String>,
}

/// The feeds `html` (fetched from `base`) offers, in page order.
pub fn feed_links(html: &str, base: &Url) -> Vec<FeedLink> {
    let Some(doc) = crate::extract::parse_page(html) else {
        return Vec::new();
    };
    let links = doc.select("link[rel][type][href]");
    links
        .nodes()
        .iter()
        .filter(|l| {
            l.attr("rel").is_some_and(|r| {
                r.split_whitespace()
                    .any(|w| w.eq_ignore_ascii_case("alternate"))
            })
        })
        .filter_map(|l| {
            let format = feed_format(&l.attr("type")?)?;
            let url = base.join(l.attr("href")?.trim()).ok()?;
            matches!(url.scheme(), "http" | "https").then(|| FeedLink {
                url,
                format,
                title: l
                    .attr("title")
                    .map(|t| t.trim().to_string())
                    .filter(|t| !t.is_empty()),
            })
        })
        .collect()
}

fn feed_format(mime: &str) -> Option<&'static str> {
    match mime.trim().to_ascii_lowercase().as_str() {
        "application/rss+xml" => Some("rss"),
        "application/atom+xml" => Some("atom"),
        "application/feed+json" | "application/json+feed" => Some("json"),
        _ => None,
    }
}

/// Whether a body is an HTML page rather than a feed.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..bytes.len().min(start + 14)];
    let head = head.to_ascii_lowercase();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// When `fetched` is an HTML page offering a feed, the first feed it
/// offers, fetched, with `moved_to` set to it so the poll remembers it;
/// else `fetched` as it was.
pub async fn follow_alternate(
    fetcher: &Fetcher,
    fetched: Fetched,
    origin: Origin<'_>,
) -> Result<Fetched, FetchError> {
    let Body::Changed {
        bytes,
        charset,
        url: Some(page),
        ..
    } = &fetched.body
    else {
        return Ok(fetched);
    };
    if !looks_like_html(bytes) {
        return Ok(fetched);
    }
    let html = crate::extract::decode_page(bytes, charset.as_deref());
    let Some(feed) = feed_links(&html, page).into_iter().next() else {
        return Ok(fetched);
    };
    tracing::info!(
        source = %origin.source,
        page = %page,
        feed = %feed.url,
        "the url is a page naming its feed: following it, and polling the feed from now on"
    );
    drop(fetched);
    let target = Target::Http(feed.url.clone());
    let mut found = fetcher
        .fetch(&target, &Validators::default(), origin)
        .await?;
    found.moved_to = Some(found.moved_to.unwrap_or(feed.url));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternate_feed_links_are_found_and_made_absolute() {
        let html = include_str!("../../tests/fixtures/pages/discover.html");
        let base = Url::parse("https://courier.example/news/").unwrap();
        let found = feed_links(html, &base);
        let seen: Vec<(&str, &str)> = found.iter().map(|f| (f.format, f.url.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("rss", "https://courier.example/feed.xml"),
                ("atom", "https://sport.example/atom"),
                ("json", "https://courier.example/feed.json"),
            ]
        );
        assert_eq!(found[0].title.as_deref(), Some("Coast Courier: all news"));
    }

    #[test]
    fn html_is_told_from_feeds() {
        assert!(looks_like_html(b"\n  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"<HTML><body>"));
        assert!(!looks_like_html(b"<?xml version=\"1.0\"?><rss>"));
        assert!(!looks_like_html(b""));
    }
}
