//! Writes an output's items as a feed document: RSS 2.0, Atom 1.0 or JSON
//! Feed 1.1. The same items always give the same bytes, so a hash of the
//! body is a usable ETag.

mod atom;
mod json;
mod origin;
mod rss;
mod rss_media;
pub mod stylesheet;
mod title_refs;
mod xml_text;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

use crate::config::{DaemonSettings, OutputConfig, ServedAs};
use crate::model::Item;
pub use origin::{Origin, Origins};

/// The category scheme (RSS `domain`) under which an item names the other
/// sources that carried its story.
pub const ALSO_IN_SCHEME: &str = "urn:syndic:also-in";

/// A feed document format; also the file extension it is served under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    pub fn extension(self) -> &'static str {
        match self {
            FeedFormat::Rss => "rss",
            FeedFormat::Atom => "atom",
            FeedFormat::Json => "json",
        }
    }

    /// The HTTP `Content-Type` of documents in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }

    /// The bare media type, for `<link type=…>` autodiscovery.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    pub fn from_extension(ext: &str) -> Option<FeedFormat> {
        FeedFormat::ALL.into_iter().find(|f| f.extension() == ext)
    }

    /// A short name for logs and labels.
    pub fn as_str(self) -> &'static str {
        self.extension()
    }
}

impl std::fmt::Display for FeedFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `output`'s `items` (already curated, newest first) as a `format`
/// document; each item names its source as `origins` describe it.
pub fn render(
    format: FeedFormat,
    output: &OutputConfig,
    items: &[Item],
    origins: &Origins,
    settings: &DaemonSettings,
) -> String {
    let feed = FeedContext {
        output,
        origins,
        settings,
        self_url: self_url(output, format, settings),
        updated: last_change(items),
    };
    match format {
        FeedFormat::Rss => stylesheet::with_stylesheet(rss::render(&feed, items)),
        FeedFormat::Atom => stylesheet::with_stylesheet(atom::render(&feed, items)),
        FeedFormat::Json => json::render(&feed, items),
    }
}

/// The public URL an output is served at in `format`.
pub fn self_url(output: &OutputConfig, format: FeedFormat, settings: &DaemonSettings) -> String {
    let ext = format.extension();
    match (&output.served_as, &output.query) {
        (ServedAs::Search, Some(query)) => {
            let q: String =
                url::form_urlencoded::byte_serialize(query.as_str().as_bytes()).collect();
            settings.public_url(&format!("/search.{ext}?q={q}"))
        }
        _ => settings.public_url(&format!("/feeds/{}.{ext}", output.name)),
    }
}

/// When the newest of `items` last changed: the latest of its publication,
/// update and arrival times. `None` for no items.
pub fn last_change(items: &[Item]) -> Option<DateTime<Utc>> {
    items.iter().map(item_changed).max()
}

/// What every format writer needs besides the items.
struct FeedContext<'a> {
    output: &'a OutputConfig,
    origins: &'a Origins,
    settings: &'a DaemonSettings,
    self_url: String,
    updated: Option<DateTime<Utc>>,
}

impl FeedContext<'_> {
    fn home_url(&self) -> String {
        self.settings.public_url("/")
    }

    fn description(&self) -> &str {
        self.output
            .description
            .as_deref()
            .unwrap_or(&self.output.title)
    }

    /// The feed-level update time; an empty feed gets a fixed one so its
    /// bytes, and so its ETag, do not change between renders.
    fn updated_or_epoch(&self) -> DateTime<Utc> {
        self.updated.unwrap_or_else(epoch)
    }

    /// The WebSub hub readers may subscribe to for this output's changes:
    /// `[daemon] websub_hub`, for public outputs only (a private output's
    /// content must not reach a hub, which would hand it to anyone).
    fn hub(&self) -> Option<&str> {
        let hub = self.settings.websub.hub.as_ref()?;
        (!self.output.access.is_private()).then_some(hub.as_str())
    }
}

fn item_changed(item: &Item) -> DateTime<Utc> {
    let times = [
        Some(item.sort_time()),
        item_modified(item),
        Some(item.first_seen),
    ];
    times.into_iter().flatten().max().unwrap_or(item.first_seen)
}

/// An item's update time for formats that require one.
fn item_updated(item: &Item) -> DateTime<Utc> {
    item_modified(item).map_or(item.sort_time(), |u| u.max(item.sort_time()))
}

/// The item's own update time, held to what outputs sort by: a reader
/// that sorts by it would otherwise pin a far-future item atop its list
/// just as we would. The claimed date stays in the store.
fn item_modified(item: &Item) -> Option<DateTime<Utc>> {
    item.updated.map(|u| item.believable(u))
}

fn epoch() -> DateTime<Utc> {
    Utc.timestamp_opt(0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Authors to show for an item: its own, else the name of its source, so
/// that formats requiring an author always have one.
fn authors_or_source(item: &Item) -> Vec<&str> {
    let own: Vec<&str> = own_authors(item).collect();
    if own.is_empty() {
        vec![item.source.as_str()]
    } else {
        own
    }
}

fn own_authors(item: &Item) -> impl Iterator<Item = &str> {
    item.authors
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::FeedFormat;

    #[test]
    fn extensions_round_trip() {
        for f in FeedFormat::ALL {
            assert_eq!(FeedFormat::from_extension(f.extension()), Some(f));
            assert!(f.content_type().starts_with(f.media_type()));
        }
        assert_eq!(FeedFormat::from_extension("xml"), None);
        assert_eq!(FeedFormat::from_extension("RSS"), None);
    }
}
