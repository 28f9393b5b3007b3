//! An RSS item's media: the one `<enclosure>` RSS allows, the rest as
//! Media RSS `media:content`, and the iTunes fields podcast apps read.

use std::collections::BTreeMap;
use std::time::Duration;

use rss::extension::itunes::{ITunesChannelExtension, ITunesItemExtension};
use rss::extension::{Extension, ExtensionMap};

use super::xml_text::clean;
use crate::model::{Enclosure, Item};

pub(super) const MEDIA_PREFIX: &str = "media";
pub(super) const MEDIA_NAMESPACE: &str = "http://search.yahoo.com/mrss/";

/// The item's first file. RSS requires a length; `0` is what validators
/// accept for an unknown one.
pub(super) fn enclosure(item: &Item) -> Option<rss::Enclosure> {
    let first = item.enclosures.first()?;
    Some(rss::Enclosure {
        url: clean(&first.url).into_owned(),
        length: first.length.unwrap_or(0).to_string(),
        mime_type: first.mime_type.as_deref().map_or_else(
            || "application/octet-stream".into(),
            |t| clean(t).into_owned(),
        ),
    })
}

/// `media:content` for every file after the first.
pub(super) fn extra_files(item: &Item) -> ExtensionMap {
    let contents: Vec<Extension> = item.enclosures.iter().skip(1).map(media_content).collect();
    if contents.is_empty() {
        return ExtensionMap::new();
    }
    let mut elements = BTreeMap::new();
    elements.insert("content".to_string(), contents);
    let mut map = ExtensionMap::new();
    map.insert(MEDIA_PREFIX.to_string(), elements);
    map
}

fn media_content(file: &Enclosure) -> Extension {
    let mut attrs = BTreeMap::new();
    attrs.insert("url".to_string(), clean(&file.url).into_owned());
    if let Some(t) = &file.mime_type {
        attrs.insert("type".to_string(), clean(t).into_owned());
    }
    if let Some(length) = file.length {
        attrs.insert("fileSize".to_string(), length.to_string());
    }
    if let Some(d) = file.duration {
        attrs.insert("duration".to_string(), d.as_secs().to_string());
    }
    Extension {
        name: format!("{MEDIA_PREFIX}:content"),
        value: None,
        attrs,
        children: BTreeMap::new(),
    }
}

/// `itunes:duration` (of the first file, the one `<enclosure>` names),
/// `itunes:image`, `itunes:episode` and `itunes:explicit`, when the item
/// has any.
pub(super) fn itunes_item(item: &Item) -> Option<ITunesItemExtension> {
    let duration = item.enclosures.first().and_then(|e| e.duration);
    let any = duration.is_some()
        || item.image.is_some()
        || item.episode.is_some()
        || item.explicit.is_some();
    any.then(|| ITunesItemExtension {
        duration: duration.map(hms),
        image: item.image.as_deref().map(|i| clean(i).into_owned()),
        episode: item.episode.map(|n| n.to_string()),
        explicit: item.explicit.map(|e| e.to_string()),
        ..Default::default()
    })
}

/// The channel fields podcast apps need before they list a feed (author,
/// explicit, artwork), written only when some item carries audio: a
/// merged output of podcasts is then a podcast itself.
pub(super) fn podcast_channel(title: &str, items: &[Item]) -> Option<ITunesChannelExtension> {
    let audio = items
        .iter()
        .any(|i| i.enclosures.iter().any(Enclosure::is_audio));
    audio.then(|| ITunesChannelExtension {
        author: Some(clean(title).into_owned()),
        explicit: Some("false".into()),
        image: items
            .iter()
            .find_map(|i| i.image.as_deref())
            .map(|i| clean(i).into_owned()),
        ..Default::default()
    })
}

/// `HH:MM:SS`, the form every podcast app reads.
fn hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_hours_minutes_seconds() {
        assert_eq!(hms(Duration::from_secs(3725)), "01:02:05");
        assert_eq!(hms(Duration::from_secs(59)), "00:00:59");
        assert_eq!(hms(Duration::from_secs(360_000)), "100:00:00");
    }
}
