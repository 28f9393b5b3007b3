//! Parsed feed entries to stored items: stable ids, absolute URLs,
//! sanitized HTML, plain-text titles.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use url::Url;

use super::html::Sanitizer;
use super::media;
use super::UNTITLED;
use crate::model::{Item, ItemId, SourceName};
use crate::parse::{ParsedEntry, ParsedFeed, Text, TextKind};
use crate::text::{cut_at_word, html_to_text, strip_tags};

/// How long a title made from an entry's text may be, in characters.
const DERIVED_TITLE_CHARS: usize = 120;

/// URL schemes a reader must never be sent to from an item link.
const UNSAFE_SCHEMES: [&str; 3] = ["javascript", "vbscript", "data"];

/// The items of a feed. `document_url` is where the feed was fetched from;
/// relative URLs resolve against the entry's `xml:base`, then the feed's,
/// then this. Entries that share an id are one item: the first is kept.
pub fn feed_items(
    feed: &ParsedFeed,
    source: &SourceName,
    document_url: Option<&Url>,
    now: DateTime<Utc>,
) -> Vec<Item> {
    let feed_base = resolve_base(document_url, feed.base.as_deref());
    let mut sanitizer = Sanitizer::new();
    let mut seen = HashSet::new();
    feed.entries
        .iter()
        .map(|entry| item(entry, source, feed_base.as_ref(), now, &mut sanitizer))
        .filter(|item| seen.insert(item.id.clone()))
        .collect()
}

fn item(
    entry: &ParsedEntry,
    source: &SourceName,
    feed_base: Option<&Url>,
    now: DateTime<Utc>,
    sanitizer: &mut Sanitizer,
) -> Item {
    let base = resolve_base(feed_base, entry.base.as_deref());
    let link = entry
        .link
        .as_deref()
        .and_then(|l| absolute_link(base.as_ref(), l));
    let mut body = |text: &Option<Text>| body_html(text.as_ref()?, base.as_ref(), sanitizer);
    let summary = body(&entry.summary);
    let content = body(&entry.content);
    let title = entry
        .title
        .as_ref()
        .map(title_text)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| derived_title(entry));
    // RSS feeds put their HTML in the description, so that is searched
    // for a picture too.
    let image = media::image(
        entry.image.as_deref(),
        content.as_deref().or(summary.as_deref()),
        base.as_ref(),
    );
    Item {
        source: source.clone(),
        id: item_id(entry, link.as_deref()),
        id_source: None,
        title,
        link,
        summary,
        content,
        authors: cleaned(&entry.authors),
        categories: cleaned(&entry.categories),
        published: entry.published.or(entry.updated),
        updated: entry.updated,
        enclosures: media::enclosures(&entry.enclosures, base.as_ref()),
        image,
        episode: entry.episode,
        explicit: entry.explicit,
        first_seen: now,
        also_in: Vec::new(),
    }
}

/// The entry's own id; else its absolute link; else a digest of its title
/// and text, which is the same on every poll while the entry is unchanged.
fn item_id(entry: &ParsedEntry, link: Option<&str>) -> ItemId {
    if let Some(id) = entry
        .id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
    {
        return ItemId::new(id);
    }
    if let Some(link) = link {
        return ItemId::new(link);
    }
    let title = entry.title.as_ref().map_or("", |t| t.value.as_str());
    let body = entry.content.as_ref().or(entry.summary.as_ref());
    ItemId::from_text(title, body.map_or("", |t| t.value.as_str()))
}

/// `relative` resolved against `base`; when there is no base, `relative`
/// itself if it is an absolute URL.
pub(super) fn resolve_base(base: Option<&Url>, relative: Option<&str>) -> Option<Url> {
    let Some(relative) = relative.map(str::trim).filter(|r| !r.is_empty()) else {
        return base.cloned();
    };
    match base {
        Some(base) => base.join(relative).ok().or_else(|| Some(base.clone())),
        None => Url::parse(relative).ok(),
    }
}

/// An item link as an absolute URL; `None` when it cannot be made absolute
/// or points at a script.
fn absolute_link(base: Option<&Url>, link: &str) -> Option<String> {
    let link = link.trim();
    let url = match base {
        Some(base) => base.join(link).ok()?,
        None => Url::parse(link).ok()?,
    };
    (!UNSAFE_SCHEMES.contains(&url.scheme())).then(|| url.into())
}

/// A title as plain text. Decoding HTML can bring tags back
/// (`&lt;script&gt;`), and plain text may hold some, so both lose them.
fn title_text(title: &Text) -> String {
    match title.kind {
        TextKind::Html => strip_tags(&html_to_text(&title.value)),
        TextKind::Plain => strip_tags(&title.value),
    }
}

/// A title for an entry that has none: the start of its text, cut at a
/// word boundary.
fn derived_title(entry: &ParsedEntry) -> String {
    let text = [entry.summary.as_ref(), entry.content.as_ref()]
        .into_iter()
        .flatten()
        .map(title_text)
        .find(|t| !t.is_empty());
    match text {
        Some(text) => cut_at_word(&text, DERIVED_TITLE_CHARS),
        None => UNTITLED.to_string(),
    }
}

/// Summary or content as sanitized HTML; plain text is escaped and set in
/// paragraphs.
fn body_html(text: &Text, base: Option<&Url>, sanitizer: &mut Sanitizer) -> Option<String> {
    let html = match text.kind {
        TextKind::Html => sanitizer.clean(&text.value, base),
        TextKind::Plain => plain_to_html(&text.value),
    };
    let html = html.trim();
    (!html.is_empty()).then(|| html.to_string())
}

fn plain_to_html(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", html_escape::encode_text(p)))
        .collect()
}

/// Trimmed, whitespace collapsed, empty ones dropped, first of each kept.
fn cleaned(values: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .iter()
        .map(|v| collapse_whitespace(v))
        .filter(|v| !v.is_empty() && seen.insert(v.clone()))
        .collect()
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> SourceName {
        SourceName::new("test").unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn feed(entries: Vec<ParsedEntry>) -> ParsedFeed {
        ParsedFeed {
            entries,
            ..ParsedFeed::default()
        }
    }

    #[test]
    fn ids_fall_back_from_guid_to_link_to_digest() {
        let doc = Url::parse("http://x.test/feed.xml").unwrap();
        let entries = vec![
            ParsedEntry {
                id: Some("guid-1".into()),
                link: Some("/a".into()),
                ..ParsedEntry::default()
            },
            ParsedEntry {
                link: Some("/b".into()),
                ..ParsedEntry::default()
            },
            ParsedEntry {
                title: Some(Text::plain("C")),
                content: Some(Text::plain("body")),
                ..ParsedEntry::default()
            },
        ];
        let items = feed_items(&feed(entries), &source(), Some(&doc), now());
        let ids: Vec<_> = items.iter().map(|i| i.id.as_str().to_string()).collect();
        assert_eq!(ids[0], "guid-1");
        assert_eq!(ids[1], "http://x.test/b");
        assert_eq!(ids[2], ItemId::from_text("C", "body").as_str());
        assert_eq!(items[0].link.as_deref(), Some("http://x.test/a"));
    }

    #[test]
    fn duplicate_ids_keep_the_first() {
        let entry = |title: &str| ParsedEntry {
            id: Some("same".into()),
            title: Some(Text::plain(title)),
            ..ParsedEntry::default()
        };
        let items = feed_items(
            &feed(vec![entry("first"), entry("second")]),
            &source(),
            None,
            now(),
        );
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title, "first");
    }

    #[test]
    fn bases_chain_from_document_to_feed_to_entry() {
        let doc = Url::parse("http://x.test/feeds/main.xml").unwrap();
        let mut parsed = feed(vec![ParsedEntry {
            link: Some("post".into()),
            base: Some("2024/".into()),
            content: Some(Text::html(r#"<img src="p.png">"#)),
            ..ParsedEntry::default()
        }]);
        parsed.base = Some("/blog/".into());
        let item = &feed_items(&parsed, &source(), Some(&doc), now())[0];
        assert_eq!(item.link.as_deref(), Some("http://x.test/blog/2024/post"));
        assert!(item
            .content
            .as_deref()
            .unwrap()
            .contains("http://x.test/blog/2024/p.png"));
    }

    #[test]
    fn unresolvable_and_script_links_are_dropped() {
        let entries = vec![
            ParsedEntry {
                id: Some("1".into()),
                link: Some("relative/only".into()),
                ..ParsedEntry::default()
            },
            ParsedEntry {
                id: Some("2".into()),
                link: Some("javascript:alert(1)".into()),
                ..ParsedEntry::default()
            },
        ];
        let items = feed_items(&feed(entries), &source(), None, now());
        assert_eq!(items[0].link, None);
        assert_eq!(items[1].link, None);
    }

    #[test]
    fn titles_are_plain_text_or_made_from_the_text() {
        let entries = vec![
            ParsedEntry {
                id: Some("1".into()),
                title: Some(Text::html("Caf&eacute; <b>news</b>")),
                ..ParsedEntry::default()
            },
            ParsedEntry {
                id: Some("2".into()),
                summary: Some(Text::html(format!("<p>{}</p>", "word ".repeat(40)))),
                ..ParsedEntry::default()
            },
            ParsedEntry {
                id: Some("3".into()),
                title: Some(Text::plain("  ")),
                ..ParsedEntry::default()
            },
        ];
        let items = feed_items(&feed(entries), &source(), None, now());
        assert_eq!(items[0].title, "Café news");
        let derived = &items[1].title;
        assert!(derived.ends_with("word…"), "{derived}");
        assert!(derived.chars().count() <= DERIVED_TITLE_CHARS + 1);
        assert_eq!(items[2].title, "(untitled)");
    }

    #[test]
    fn titles_lose_markup_however_it_came() {
        let titled = |id: &str, title: Text| ParsedEntry {
            id: Some(id.into()),
            title: Some(title),
            ..ParsedEntry::default()
        };
        let entries = vec![
            titled("1", Text::plain("News <img src=x onerror=alert(1)> today")),
            titled(
                "2",
                Text::html("Escaped &lt;script&gt;alert(1)&lt;/script&gt;twice"),
            ),
            titled("3", Text::plain("a < b, 5<6, AT&T, I <3 it")),
            ParsedEntry {
                summary: Some(Text::html("&lt;svg onload=alert(1)&gt;Derived")),
                ..titled("4", Text::plain("<script>alert(1)</script>"))
            },
        ];
        let items = feed_items(&feed(entries), &source(), None, now());
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "News today",
                "Escaped twice",
                "a < b, 5<6, AT&T, I <3 it",
                "Derived"
            ]
        );
    }

    #[test]
    fn bodies_dates_people_and_first_seen() {
        let updated = now() - chrono::Duration::days(1);
        let entry = ParsedEntry {
            id: Some("1".into()),
            summary: Some(Text::plain("a < b\n\nsecond")),
            content: Some(Text::html("<p onclick=x()>hi</p>")),
            authors: vec![" Ann ".into(), "".into(), "Ann".into(), "Bo  B".into()],
            categories: vec!["x".into(), " x".into()],
            updated: Some(updated),
            ..ParsedEntry::default()
        };
        let item = &feed_items(&feed(vec![entry]), &source(), None, now())[0];
        assert_eq!(
            item.summary.as_deref(),
            Some("<p>a &lt; b</p><p>second</p>")
        );
        assert_eq!(item.content.as_deref(), Some("<p>hi</p>"));
        assert_eq!(item.authors, ["Ann", "Bo B"]);
        assert_eq!(item.categories, ["x"]);
        assert_eq!(item.published, Some(updated));
        assert_eq!(item.updated, Some(updated));
        assert_eq!(item.first_seen, now());
    }
}
