//! RSS 0.9x, 1.0 and 2.0 through the `rss` crate.

use ::rss::extension::ExtensionMap;
use ::rss::{Channel, Item};

use super::bases;
use super::dates::parse_date;
use super::fields::{
    guessed_text, html_text, non_empty, permalink, plain, push_trimmed, rss_author, ttl,
};
use super::{FeedFormat, ParsedEntry, ParsedFeed};

/// The feed, or `None` when the crate refuses the document.
pub(super) fn parse(xml: &str, format: FeedFormat) -> Option<ParsedFeed> {
    let channel = Channel::read_from(xml.as_bytes()).ok()?;
    let bases = bases::scan(xml);
    let entries = channel
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| entry(item, bases.entry(i)))
        .collect();
    Some(ParsedFeed {
        format,
        title: guessed_text(&channel.title)
            .or_else(|| {
                first(
                    channel.dublin_core_ext.as_ref()?.titles.iter(),
                    guessed_text,
                )
            })
            .map(|t| plain(&t)),
        link: non_empty(&channel.link),
        base: bases.feed,
        ttl: channel.ttl.as_deref().and_then(ttl),
        entries,
        recovered: false,
    })
}

fn entry(item: &Item, base: Option<String>) -> ParsedEntry {
    let dc = item.dublin_core_ext.as_ref();
    let itunes = item.itunes_ext.as_ref();
    let guid = item.guid.as_ref();
    let mut authors = Vec::new();
    authors.extend(item.author.as_deref().and_then(rss_author));
    let mut categories = Vec::new();
    for category in &item.categories {
        push_trimmed(&mut categories, &category.name);
    }
    if let Some(dc) = dc {
        dc.creators
            .iter()
            .for_each(|c| push_trimmed(&mut authors, c));
        dc.subjects
            .iter()
            .for_each(|s| push_trimmed(&mut categories, s));
    }
    if authors.is_empty() {
        authors.extend(itunes.and_then(|i| non_empty(i.author.as_deref()?)));
    }
    let dc_date = || first(dc?.dates.iter(), parse_date);
    let dcterms_date = |name| extension_date(&item.extensions, "dcterms", name);
    ParsedEntry {
        id: guid.and_then(|g| non_empty(&g.value)),
        title: item
            .title
            .as_deref()
            .and_then(guessed_text)
            .or_else(|| first(dc?.titles.iter(), guessed_text)),
        link: item
            .link
            .as_deref()
            .and_then(non_empty)
            .or_else(|| guid.and_then(|g| permalink(&g.value, g.permalink))),
        summary: item
            .description
            .as_deref()
            .and_then(html_text)
            .or_else(|| first(dc?.descriptions.iter(), html_text))
            .or_else(|| guessed_text(itunes?.summary.as_deref()?)),
        content: item.content.as_deref().and_then(html_text),
        authors,
        categories,
        published: item
            .pub_date
            .as_deref()
            .and_then(parse_date)
            .or_else(dc_date)
            .or_else(|| dcterms_date("issued"))
            .or_else(|| dcterms_date("created")),
        updated: dcterms_date("modified"),
        base,
    }
}

/// The first value `read` accepts.
fn first<'v, T>(
    values: impl Iterator<Item = &'v String>,
    read: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    values.map(String::as_str).find_map(read)
}

/// A date from an extension element the crate keeps by prefix, such as
/// `dcterms:modified`.
fn extension_date(
    extensions: &ExtensionMap,
    prefix: &str,
    name: &str,
) -> Option<chrono::DateTime<chrono::Utc>> {
    extensions
        .get(prefix)?
        .get(name)?
        .iter()
        .find_map(|e| e.value.as_deref().and_then(parse_date))
}
