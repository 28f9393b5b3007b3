//! RSS 2.0, with the Atom self link, Dublin Core creators and
//! `content:encoded` that readers expect from a modern RSS feed.

use std::collections::BTreeMap;

use rss::extension::atom::{AtomExtension, Link};
use rss::extension::dublincore::DublinCoreExtension;
use rss::{Category, Channel, Guid, Source};

use super::rss_media;
use super::title_refs::hex_refs_in_titles;
use super::xml_text::clean;
use super::{own_authors, FeedContext, Origin};
use crate::model::Item;

pub(super) fn render(feed: &FeedContext<'_>, items: &[Item]) -> String {
    let mut namespaces = BTreeMap::new();
    if items.iter().any(|i| i.enclosures.len() > 1) {
        namespaces.insert(
            rss_media::MEDIA_PREFIX.to_string(),
            rss_media::MEDIA_NAMESPACE.to_string(),
        );
    }
    let channel = Channel {
        title: clean(&feed.output.title).into_owned(),
        link: feed.home_url(),
        description: clean(feed.description()).into_owned(),
        generator: Some(generator()),
        pub_date: feed.updated.map(|t| t.to_rfc2822()),
        last_build_date: feed.updated.map(|t| t.to_rfc2822()),
        atom_ext: Some(AtomExtension {
            links: std::iter::once(Link {
                href: feed.self_url.clone(),
                rel: "self".into(),
                mime_type: Some(super::FeedFormat::Rss.media_type().into()),
                ..Default::default()
            })
            .chain(feed.hub().map(|hub| Link {
                href: hub.into(),
                rel: "hub".into(),
                ..Default::default()
            }))
            .collect(),
        }),
        items: items.iter().map(|i| item(i, &feed.origins.of(i))).collect(),
        itunes_ext: rss_media::podcast_channel(&feed.output.title, items),
        namespaces,
        ..Default::default()
    };
    hex_refs_in_titles(&channel.to_string())
}

fn item(item: &Item, origin: &Origin) -> rss::Item {
    let public_id = item.public_id();
    let permalink = item.link.as_deref() == Some(public_id.as_str());
    rss::Item {
        title: Some(clean(&item.title).into_owned()),
        link: item.link.as_deref().map(|l| clean(l).into_owned()),
        description: item
            .summary
            .as_deref()
            .or(item.content.as_deref())
            .map(|s| clean(s).into_owned()),
        content: item.content.as_deref().map(|c| clean(c).into_owned()),
        guid: Some(Guid {
            value: public_id,
            permalink,
        }),
        pub_date: Some(item.sort_time().to_rfc2822()),
        categories: item
            .categories
            .iter()
            .map(|c| Category {
                name: clean(c).into_owned(),
                domain: None,
            })
            .chain(item.also_in.iter().map(|s| Category {
                name: s.to_string(),
                domain: Some(super::ALSO_IN_SCHEME.into()),
            }))
            .collect(),
        dublin_core_ext: creators(item),
        source: source(origin),
        enclosure: rss_media::enclosure(item),
        extensions: rss_media::extra_files(item),
        itunes_ext: rss_media::itunes_item(item),
        ..Default::default()
    }
}

/// `<source url>` names the feed the item came from; RSS requires the
/// url, so a source readers cannot subscribe to goes unnamed here.
fn source(origin: &Origin) -> Option<Source> {
    origin.feed_url.as_ref().map(|url| Source {
        url: url.clone(),
        title: Some(clean(&origin.title).into_owned()),
    })
}

/// `dc:creator` for each author; RSS's own `author` must be an e-mail
/// address, which items rarely have.
fn creators(item: &Item) -> Option<DublinCoreExtension> {
    let creators: Vec<String> = own_authors(item).map(|a| clean(a).into_owned()).collect();
    (!creators.is_empty()).then(|| DublinCoreExtension {
        creators,
        ..Default::default()
    })
}

pub(super) fn generator() -> String {
    format!("syndic {}", env!("CARGO_PKG_VERSION"))
}
