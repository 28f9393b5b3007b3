//! Feed documents to one parsed shape, whatever their format.
//!
//! The bytes are decoded to UTF-8, the markup slips real feeds make are
//! repaired, the format is read from the document itself (never from a
//! Content-Type), and one lenient event walk (`xml`) reads every XML
//! dialect, keeping what it can, so one broken item or a truncated
//! download does not cost the whole feed.

mod dates;
mod detect;
mod error;
mod fields;
mod json;
mod repair;
mod xml;

use std::fmt;

use chrono::{DateTime, Utc};

pub use crate::feed_schedule::FeedSchedule;
pub use crate::model::Enclosure;
pub use dates::parse_date;
pub use error::ParseError;

/// The syndication dialect a document is written in (what syndic reads;
/// `render::FeedFormat` is what it writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    Rss090,
    Rss091,
    Rss092,
    Rss10,
    #[default]
    Rss20,
    /// The pre-standard Atom draft (`http://purl.org/atom/ns#`), still served
    /// by old blogs.
    Atom03,
    Atom10,
    JsonFeed,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Rss090 => "RSS 0.90",
            Dialect::Rss091 => "RSS 0.91",
            Dialect::Rss092 => "RSS 0.92",
            Dialect::Rss10 => "RSS 1.0",
            Dialect::Rss20 => "RSS 2.0",
            Dialect::Atom03 => "Atom 0.3",
            Dialect::Atom10 => "Atom 1.0",
            Dialect::JsonFeed => "JSON Feed",
        }
    }

    fn is_atom(self) -> bool {
        matches!(self, Dialect::Atom03 | Dialect::Atom10)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A feed as its document states it: nothing resolved, sanitized or
/// deduplicated yet (that is `normalize`'s job).
#[derive(Debug, Clone, Default)]
pub struct ParsedFeed {
    pub dialect: Dialect,
    /// Plain text.
    pub title: Option<String>,
    /// The site link, as written (may be relative).
    pub link: Option<String>,
    /// Atom's feed-level `<id>`, trimmed; RSS has none.
    pub id: Option<String>,
    /// Feed-level `xml:base`.
    pub base: Option<String>,
    /// What the publisher says of when to read the feed again.
    pub schedule: FeedSchedule,
    pub entries: Vec<ParsedEntry>,
    /// Entries left out because the feed held more than it may keep.
    pub skipped: usize,
}

#[derive(Debug, Clone, Default)]
pub struct ParsedEntry {
    /// guid / atom:id / JSON id, trimmed; never empty.
    pub id: Option<String>,
    pub title: Option<Text>,
    /// As written; Atom's `rel="alternate"` is preferred.
    pub link: Option<String>,
    pub summary: Option<Text>,
    pub content: Option<Text>,
    /// Names (or emails when there is no name); `dc:creator` too.
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// The entry's `xml:base`, already combined with the feed's when that
    /// one is absolute.
    pub base: Option<String>,
    /// Media files in document order, URLs as written (relative ones,
    /// repeats and other schemes included: `normalize` sorts them out).
    pub enclosures: Vec<Enclosure>,
    /// The entry's picture as written: JSON `image`, else
    /// `media:thumbnail`, else `itunes:image`.
    pub image: Option<String>,
    /// `itunes:episode`.
    pub episode: Option<u32>,
    /// `itunes:explicit`.
    pub explicit: Option<bool>,
}

/// A text field and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub kind: TextKind,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Plain,
    Html,
}

impl Text {
    pub fn plain(value: impl Into<String>) -> Self {
        Text {
            kind: TextKind::Plain,
            value: value.into(),
        }
    }

    pub fn html(value: impl Into<String>) -> Self {
        Text {
            kind: TextKind::Html,
            value: value.into(),
        }
    }
}

/// Parses a feed document. `http_charset` is the `charset` parameter of the
/// response's Content-Type, used only when the document does not name its
/// encoding itself.
pub fn parse_feed(body: &[u8], http_charset: Option<&str>) -> Result<ParsedFeed, ParseError> {
    parse_feed_at_most(body, http_charset, usize::MAX)
}

/// `parse_feed`, keeping at most `max_entries` entries: the newest by
/// date, the first written where dates say nothing. Memory stays bounded
/// while reading, so a feed of millions of tiny items costs no more than
/// `max_entries` of them.
pub fn parse_feed_at_most(
    body: &[u8],
    http_charset: Option<&str>,
    max_entries: usize,
) -> Result<ParsedFeed, ParseError> {
    let mut feed = read_document(body, http_charset, max_entries)?;
    keep_newest(&mut feed, max_entries);
    Ok(feed)
}

fn read_document(
    body: &[u8],
    http_charset: Option<&str>,
    max_entries: usize,
) -> Result<ParsedFeed, ParseError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    detect::refuse_utf32(body)?;
    let decoded = crate::text::decode::decode_xml(body, http_charset);
    let document = detect::document_start(&decoded.text)?;
    if document.starts_with('{') {
        return json::parse(document);
    }
    let xml = repair::repair_markup(document);
    let format = detect::xml_format(&xml)?;
    xml::parse(&xml, format, max_entries)
}

/// Trims `feed` to its `max` newest entries (dated ones first, newest
/// first; undated ones in document order), counting what was left out.
fn keep_newest(feed: &mut ParsedFeed, max: usize) {
    if feed.entries.len() <= max {
        return;
    }
    let date = |e: &ParsedEntry| e.published.or(e.updated);
    // Stable, so entries with equal dates keep their document order.
    feed.entries.sort_by(|a, b| {
        date(b)
            .is_some()
            .cmp(&date(a).is_some())
            .then(date(b).cmp(&date(a)))
    });
    feed.skipped += feed.entries.len() - max;
    feed.entries.truncate(max);
}
