//! Atom 1.0 through the `atom_syndication` crate.

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, TextType};
use chrono::{DateTime, Utc};

use super::bases;
use super::fields::{non_empty, plain, push_trimmed, typed_text};
use super::{FeedFormat, ParsedEntry, ParsedFeed, Text};

/// The feed, or `None` when the crate refuses the document.
pub(super) fn parse(xml: &str) -> Option<ParsedFeed> {
    let feed = Feed::read_from(xml.as_bytes()).ok()?;
    let bases = bases::scan(xml);
    let feed_authors = people(&feed.authors);
    let entries = feed
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| entry(e, bases.entry(i), &feed_authors))
        .collect();
    Some(ParsedFeed {
        format: FeedFormat::Atom10,
        title: text(&feed.title).map(|t| plain(&t)),
        link: alternate(&feed.links),
        base: bases
            .feed
            .or_else(|| feed.base.as_deref().and_then(non_empty)),
        ttl: None,
        entries,
        recovered: false,
    })
}

fn entry(e: &Entry, base: Option<String>, feed_authors: &[String]) -> ParsedEntry {
    let mut authors = people(&e.authors);
    if authors.is_empty() {
        // An entry without an author has the feed's (RFC 4287, 4.2.1).
        authors = feed_authors.to_vec();
    }
    let mut categories = Vec::new();
    for c in &e.categories {
        push_trimmed(
            &mut categories,
            c.label
                .as_deref()
                .filter(|_| c.term.trim().is_empty())
                .unwrap_or(&c.term),
        );
    }
    ParsedEntry {
        id: non_empty(&e.id),
        title: text(&e.title),
        link: alternate(&e.links),
        summary: e
            .summary
            .as_ref()
            .and_then(text)
            .or_else(|| media_description(e)),
        content: e.content.as_ref().and_then(content),
        authors,
        categories,
        published: e.published.map(|d| d.with_timezone(&Utc)),
        updated: stated(&e.updated),
        base,
    }
}

fn text(t: &atom_syndication::Text) -> Option<Text> {
    let kind = match t.r#type {
        TextType::Text => "text",
        TextType::Html => "html",
        TextType::Xhtml => "xhtml",
    };
    typed_text(Some(kind), &t.value)
}

/// Inline content; content that is only a `src` reference is not text.
fn content(c: &Content) -> Option<Text> {
    typed_text(c.content_type.as_deref(), c.value.as_deref()?)
}

/// The `rel="alternate"` link (the default relation), else the first one.
fn alternate(links: &[Link]) -> Option<String> {
    let href = |l: &Link| non_empty(&l.href);
    links
        .iter()
        .filter(|l| l.rel == "alternate")
        .find_map(href)
        .or_else(|| links.iter().find_map(href))
}

/// `media:group/media:description`, where video sites such as YouTube put
/// an entry's text.
fn media_description(e: &Entry) -> Option<Text> {
    let media = e.extensions.get("media")?;
    let in_group = media
        .get("group")
        .into_iter()
        .flatten()
        .flat_map(|group| group.children.get("description").into_iter().flatten());
    let direct = media.get("description").into_iter().flatten();
    in_group.chain(direct).find_map(|d| {
        let kind = d.attrs.get("type").map(String::as_str);
        typed_text(Some(kind.unwrap_or("text")), d.value.as_deref()?)
    })
}

fn people(persons: &[Person]) -> Vec<String> {
    persons
        .iter()
        .filter_map(|p| non_empty(&p.name).or_else(|| p.email.as_deref().and_then(non_empty)))
        .collect()
}

/// The crate fills a missing `<updated>` with the epoch; no feed means it.
fn stated(date: &FixedDateTime) -> Option<DateTime<Utc>> {
    (date.timestamp() != 0).then(|| date.with_timezone(&Utc))
}
