//! Atom 1.0 (RFC 4287): every feed and entry carries the required id,
//! title, updated and author, and entries link to their pages.

use atom_syndication::{
    Category, Content, Entry, Feed, FixedDateTime, Generator, Link, Person, Source, Text,
};
use chrono::{DateTime, Utc};

use super::xml_text::clean;
use super::{authors_or_source, item_updated, FeedContext, FeedFormat, Origin, Origins};
use crate::model::Item;

pub(super) fn render(feed: &FeedContext<'_>, items: &[Item]) -> String {
    let document = Feed {
        title: Text::plain(clean(&feed.output.title)),
        id: feed.self_url.clone(),
        updated: fixed(feed.updated_or_epoch()),
        authors: vec![person(&feed.output.title)],
        links: [
            link("self", &feed.self_url, Some(FeedFormat::Atom.media_type())),
            link("alternate", &feed.home_url(), Some("text/html")),
        ]
        .into_iter()
        .chain(feed.hub().map(|hub| link("hub", hub, None)))
        .collect(),
        subtitle: feed
            .output
            .description
            .as_deref()
            .map(|d| Text::plain(clean(d))),
        generator: Some(Generator {
            value: super::rss::generator(),
            ..Default::default()
        }),
        entries: items.iter().map(|i| entry(i, feed.origins)).collect(),
        ..Default::default()
    };
    document.to_string()
}

fn entry(item: &Item, origins: &Origins) -> Entry {
    let origin = &origins.of(item);
    let html = |s: &str| Text::html(clean(s));
    Entry {
        title: Text::plain(clean(&item.title)),
        id: item.public_id(),
        updated: fixed(item_updated(item)),
        published: item.published.map(|p| fixed(item.believable(p))),
        authors: authors_or_source(item).into_iter().map(person).collect(),
        categories: item
            .categories
            .iter()
            .map(|c| Category {
                term: clean(c).into_owned(),
                ..Default::default()
            })
            .chain(also_in(item, origins))
            .collect(),
        links: item
            .link
            .iter()
            .map(|l| link("alternate", &clean(l), None))
            .chain(item.enclosures.iter().map(enclosure))
            .collect(),
        summary: item.summary.as_deref().map(html),
        content: match (&item.content, &item.link) {
            (Some(c), _) => Some(html_content(c)),
            (None, Some(_)) => None,
            // An entry without an alternate link must have content
            // (RFC 4287 §4.1.1).
            (None, None) => {
                Some(html_content(&item.summary.clone().unwrap_or_else(|| {
                    html_escape::encode_text(&item.title).into_owned()
                })))
            }
        },
        source: source(item, origin),
        ..Default::default()
    }
}

/// `<source>`: the feed the entry came from (RFC 4287 §4.2.11). The
/// writer always writes an id, so a source with neither a feed id nor a
/// URL goes unnamed here. Its `updated` is the entry's own: the feed
/// changed at least then, and it keeps the bytes of a render stable.
fn source(item: &Item, origin: &Origin) -> Option<Source> {
    let id = origin.id.as_deref()?;
    let links = [
        origin.feed_url.as_deref().map(|u| link("self", u, None)),
        origin
            .site
            .as_deref()
            .map(|u| link("alternate", &clean(u), None)),
    ];
    Some(Source {
        title: Text::plain(clean(&origin.title)),
        id: clean(id).into_owned(),
        updated: fixed(item_updated(item)),
        links: links.into_iter().flatten().collect(),
        ..Default::default()
    })
}

/// The other sources of the story, as categories of syndic's scheme
/// labelled with each source's title.
fn also_in<'a>(item: &'a Item, origins: &'a Origins) -> impl Iterator<Item = Category> + 'a {
    item.also_in.iter().map(|name| Category {
        term: name.to_string(),
        scheme: Some(super::ALSO_IN_SCHEME.into()),
        label: Some(clean(&origins.named(name).title).into_owned()),
    })
}

/// `<link rel="enclosure">` (RFC 4287 §4.2.7.2).
fn enclosure(file: &crate::model::Enclosure) -> Link {
    Link {
        title: file.title.as_deref().map(|t| clean(t).into_owned()),
        length: file.length.map(|l| l.to_string()),
        ..link(
            "enclosure",
            &clean(&file.url),
            file.mime_type.as_deref().map(|t| clean(t)).as_deref(),
        )
    }
}

fn html_content(html: &str) -> Content {
    Content {
        value: Some(clean(html).into_owned()),
        content_type: Some("html".into()),
        ..Default::default()
    }
}

fn person(name: &str) -> Person {
    Person {
        name: clean(name).into_owned(),
        ..Default::default()
    }
}

fn link(rel: &str, href: &str, mime_type: Option<&str>) -> Link {
    Link {
        href: href.into(),
        rel: rel.into(),
        mime_type: mime_type.map(Into::into),
        ..Default::default()
    }
}

fn fixed(t: DateTime<Utc>) -> FixedDateTime {
    t.fixed_offset()
}
