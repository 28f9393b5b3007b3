//! JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written with
//! serde_json; field order is fixed by the structs, so output is stable.

use serde::Serialize;

use super::{rfc3339, FeedContext, Origin, Origins};
use crate::model::Item;
use crate::text::html_to_text;

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: String,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<JsonItem<'a>>,
}

/// JSON Feed's `hubs`: where to subscribe for real-time notifications.
#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: &'a str,
    content_html: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
    /// Extensions start with `_` (JSON Feed 1.1, "Extensions").
    #[serde(rename = "_syndic")]
    syndic: Attribution,
}

/// Where the item came from, and which other sources carried the story.
#[derive(Serialize)]
struct Attribution {
    #[serde(flatten)]
    source: SourceRef,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    also_in: Vec<SourceRef>,
}

#[derive(Serialize)]
struct SourceRef {
    /// The configured source name.
    source: String,
    source_title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_url: Option<String>,
}

impl From<Origin> for SourceRef {
    fn from(origin: Origin) -> SourceRef {
        SourceRef {
            source: origin.name.to_string(),
            source_title: origin.title,
            source_url: origin.feed_url,
        }
    }
}

#[derive(Serialize)]
struct Attachment<'a> {
    url: &'a str,
    /// Required by JSON Feed; a file of unknown type is plain bytes.
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_in_seconds: Option<u64>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

pub(super) fn render(feed: &FeedContext<'_>, items: &[Item]) -> String {
    let document = JsonFeed {
        version: VERSION,
        title: &feed.output.title,
        home_page_url: feed.home_url(),
        feed_url: &feed.self_url,
        description: feed.output.description.as_deref(),
        hubs: feed
            .hub()
            .map(|url| Hub {
                kind: "WebSub",
                url,
            })
            .into_iter()
            .collect(),
        items: items.iter().map(|i| item(i, feed.origins)).collect(),
    };
    // Serializing plain structs of strings cannot fail.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn item<'a>(item: &'a Item, origins: &Origins) -> JsonItem<'a> {
    JsonItem {
        id: item.public_id(),
        url: item.link.as_deref(),
        title: &item.title,
        // One of content_html and content_text is required.
        content_html: item
            .content
            .clone()
            .or_else(|| item.summary.clone())
            .unwrap_or_else(|| html_escape::encode_text(&item.title).into_owned()),
        // JSON Feed's summary is plain text.
        summary: item.summary.as_deref().map(html_to_text),
        date_published: rfc3339(item.sort_time()),
        date_modified: super::item_modified(item).map(rfc3339),
        authors: super::own_authors(item)
            .map(|name| Author { name })
            .collect(),
        tags: &item.categories,
        image: item.image.as_deref(),
        attachments: item
            .enclosures
            .iter()
            .map(|e| Attachment {
                url: &e.url,
                mime_type: e.mime_type.as_deref().unwrap_or("application/octet-stream"),
                title: e.title.as_deref(),
                size_in_bytes: e.length,
                duration_in_seconds: e.duration.map(|d| d.as_secs()),
            })
            .collect(),
        syndic: Attribution {
            source: origins.of(item).into(),
            also_in: item
                .also_in
                .iter()
                .map(|name| origins.named(name).into())
                .collect(),
        },
    }
}
