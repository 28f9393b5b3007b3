//! What a parsed feed says of itself, made fit to repeat in every item an
//! output takes from it: a plain-text title, an id, an absolute site link.

use url::Url;

use super::feed::resolve_base;
use crate::parse::ParsedFeed;
use crate::store::SourceFeed;
use crate::text::{cut_at_word, strip_tags};

/// The longest feed title kept, in characters: it is repeated in every
/// item of the source an output shows.
const TITLE_CHARS: usize = 200;

/// The longest feed id or site link kept, in bytes; a longer one is no
/// usable identifier, and would be repeated in every item too.
const IRI_BYTES: usize = 2048;

/// `feed`'s title, id and site link; `document_url` is where the feed
/// was read from, against which (and the feed's `xml:base`) a relative
/// site link resolves.
pub fn source_feed(feed: &ParsedFeed, document_url: Option<&Url>) -> SourceFeed {
    // Titles lose anything tag-shaped, as item titles do: readers may
    // take them for HTML.
    let title = feed
        .title
        .as_deref()
        .map(|t| {
            strip_tags(t)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|t| !t.is_empty())
        .map(|t| cut_at_word(&t, TITLE_CHARS));
    let id = feed
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| is_iri(id))
        .map(str::to_string);
    let base = resolve_base(document_url, feed.base.as_deref());
    let link = feed
        .link
        .as_deref()
        .and_then(|l| site_link(base.as_ref(), l));
    SourceFeed { title, id, link }
}

/// Outputs repeat the id as an Atom id, which must be an absolute IRI
/// (`tag:`, `urn:`, `http:`…); feeds that write a bare number or a name
/// there get their URL instead.
fn is_iri(id: &str) -> bool {
    id.len() <= IRI_BYTES
        && !id.chars().any(|c| c.is_whitespace() || c.is_control())
        && Url::parse(id).is_ok()
}

/// Only a web page is a site a reader can open.
fn site_link(base: Option<&Url>, link: &str) -> Option<String> {
    let link = link.trim();
    let url = match base {
        Some(base) => base.join(link).ok()?,
        None => Url::parse(link).ok()?,
    };
    let web = matches!(url.scheme(), "http" | "https");
    let url = String::from(url);
    (web && url.len() <= IRI_BYTES).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_plain_and_links_absolute() {
        let feed = ParsedFeed {
            title: Some("  The <script>x</script> Wire\n Desk ".into()),
            link: Some("../home".into()),
            id: Some(" tag:wire.test,2026:feed ".into()),
            ..ParsedFeed::default()
        };
        let doc = Url::parse("https://wire.test/feeds/all.xml").unwrap();
        assert_eq!(
            source_feed(&feed, Some(&doc)),
            SourceFeed {
                title: Some("The Wire Desk".into()),
                id: Some("tag:wire.test,2026:feed".into()),
                link: Some("https://wire.test/home".into()),
            }
        );
    }

    #[test]
    fn what_cannot_serve_is_left_out() {
        let feed = ParsedFeed {
            title: Some(" <b></b> ".into()),
            link: Some("javascript:alert(1)".into()),
            id: Some(format!("tag:{}", "x".repeat(IRI_BYTES))),
            ..ParsedFeed::default()
        };
        assert_eq!(source_feed(&feed, None), SourceFeed::default());
        let relative = ParsedFeed {
            link: Some("/home".into()),
            ..ParsedFeed::default()
        };
        assert_eq!(source_feed(&relative, None).link, None);
        for bare in ["12345", "my feed", "feed:a b"] {
            let feed = ParsedFeed {
                id: Some(bare.into()),
                ..ParsedFeed::default()
            };
            assert_eq!(source_feed(&feed, None).id, None, "{bare}");
        }
    }
}
