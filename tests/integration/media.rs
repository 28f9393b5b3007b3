//! Enclosures and item pictures through syndic: fixture feeds parsed and
//! normalized, then stored in SQLite, rendered in every format and read
//! back by independent parsers (feed-rs, serde_json).

use std::time::Duration;

use chrono::Utc;
use syndic::model::{Enclosure, Item, SourceName};
use syndic::normalize::feed::feed_items;
use syndic::parse::parse_feed;
use url::Url;

fn fixture_items(name: &str, document: &str) -> Vec<Item> {
    let path = format!("{}/tests/fixtures/feeds/{name}", env!("CARGO_MANIFEST_DIR"));
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let feed = parse_feed(&body, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    let source = SourceName::new("pod").unwrap();
    feed_items(
        &feed,
        &source,
        Url::parse(document).ok().as_ref(),
        Utc::now(),
    )
}

fn podcast() -> Vec<Item> {
    fixture_items("podcast.xml", "https://pod.example/feed.xml")
}

fn video() -> Vec<Item> {
    fixture_items("media-rss.xml", "https://video.example/rss")
}

fn json() -> Vec<Item> {
    fixture_items("attachments.json", "https://notes.example/feed.json")
}

#[test]
fn podcast_enclosures_are_absolute_deduplicated_and_timed() {
    let items = podcast();
    let [ep2, ep1] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert_eq!(
        ep2.enclosures,
        [Enclosure {
            mime_type: Some("audio/mpeg".into()),
            length: Some(24_986_239),
            duration: Some(Duration::from_secs(3725)),
            ..Enclosure::new("https://pod.example/media/ep2.mp3")
        }],
        "the enclosure and its media:content copy are one file"
    );
    assert_eq!(ep2.image.as_deref(), Some("https://pod.example/ep2.jpg"));
    assert_eq!((ep2.episode, ep2.explicit), (Some(2), Some(false)));
    assert_eq!((ep1.episode, ep1.explicit), (None, None));
    assert_eq!(
        ep1.enclosures,
        [Enclosure {
            mime_type: Some("audio/x-m4a".into()),
            duration: Some(Duration::from_secs(2730)),
            ..Enclosure::new("https://pod.example/media/ep1.m4a")
        }],
        "length 0 is unknown; ftp is dropped"
    );
    assert_eq!(
        ep1.image.as_deref(),
        Some("https://pod.example/img/knot.png"),
        "the first image of the text, lazy-loaded, made absolute"
    );
}

#[test]
fn media_group_variants_and_thumbnail() {
    let items = video();
    let [dawn] = items.as_slice() else {
        panic!("{items:?}")
    };
    let urls: Vec<&str> = dawn.enclosures.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://cdn.video.example/dawn-1080.mp4",
            "https://cdn.video.example/dawn-480.webm"
        ]
    );
    assert_eq!(dawn.enclosures[0].length, Some(52_428_800));
    assert_eq!(dawn.enclosures[0].mime_type.as_deref(), Some("video/mp4"));
    assert_eq!(dawn.enclosures[1].duration, Some(Duration::from_secs(185)));
    assert_eq!(
        dawn.image.as_deref(),
        Some("https://cdn.video.example/dawn.jpg")
    );
    assert_eq!(
        dawn.summary.as_deref(),
        Some("<p>Time-lapse of the sunrise.</p>"),
        "the group's description is still the summary"
    );
}

#[test]
fn json_feed_attachments_and_image() {
    let items = json();
    let [birds] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert_eq!(
        birds.enclosures,
        [
            Enclosure {
                mime_type: Some("audio/ogg".into()),
                length: Some(812_345),
                duration: Some(Duration::from_secs(95)),
                title: Some("Birdsong (Ogg)".into()),
                ..Enclosure::new("https://notes.example/3.ogg")
            },
            Enclosure {
                mime_type: Some("audio/mpeg".into()),
                length: Some(912_345),
                duration: Some(Duration::from_secs(95)),
                ..Enclosure::new("https://notes.example/3.mp3")
            },
        ]
    );
    assert_eq!(birds.image.as_deref(), Some("https://notes.example/3.jpg"));
}

#[test]
fn atom_enclosure_links_are_enclosures_not_the_link() {
    let xml = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
        <entry><id>tag:a.test,2024:1</id><title>One</title>
        <link rel="enclosure" href="/one.mp3" type="audio/mpeg" length="42" title="Take one"/>
        <link href="https://a.test/one"/></entry></feed>"#;
    let feed = parse_feed(xml, None).unwrap();
    let source = SourceName::new("a").unwrap();
    let base = Url::parse("https://a.test/feed").ok();
    let items = feed_items(&feed, &source, base.as_ref(), Utc::now());
    assert_eq!(items[0].link.as_deref(), Some("https://a.test/one"));
    assert_eq!(
        items[0].enclosures,
        [Enclosure {
            mime_type: Some("audio/mpeg".into()),
            length: Some(42),
            title: Some("Take one".into()),
            ..Enclosure::new("https://a.test/one.mp3")
        }]
    );
}

mod end_to_end {
    use super::*;
    use syndic::config::Config;
    use syndic::render::{render, FeedFormat, Origins};
    use syndic::store::{ItemQuery, Store};

    const CONFIG: &str = r#"
[[source]]
name = "pod"
url = "https://pod.example/feed.xml"

[[output]]
name = "cast"
title = "Harbour & friends"
sources = ["pod"]
"#;

    /// The fixtures' items after a trip through a real SQLite file.
    fn stored(items: &[Item]) -> Vec<Item> {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("syndic.db")).unwrap();
        store.upsert_items(items).unwrap();
        store
            .items(&ItemQuery {
                limit: 100,
                ..Default::default()
            })
            .unwrap()
    }

    fn rendered(format: FeedFormat, items: &[Item]) -> String {
        let config = Config::parse(std::path::Path::new("/srv/feeds.toml"), CONFIG).unwrap();
        let output = config.output("cast").unwrap();
        render(format, output, items, &Origins::default(), &config.daemon)
    }

    fn everything() -> Vec<Item> {
        let all: Vec<Item> = [podcast(), video(), json()].concat();
        let read = stored(&all);
        assert_eq!(read.len(), all.len());
        for item in &all {
            let back = read.iter().find(|r| r.id == item.id).unwrap();
            assert_eq!(back.enclosures, item.enclosures, "{}", item.title);
            assert_eq!(back.image, item.image, "{}", item.title);
            assert_eq!(
                (back.episode, back.explicit),
                (item.episode, item.explicit),
                "{}",
                item.title
            );
        }
        read
    }

    fn entry<'f>(feed: &'f feed_rs::model::Feed, title: &str) -> &'f feed_rs::model::Entry {
        feed.entries
            .iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content == title))
            .unwrap_or_else(|| panic!("no entry {title}"))
    }

    fn media_urls(entry: &feed_rs::model::Entry) -> Vec<String> {
        entry
            .media
            .iter()
            .flat_map(|m| &m.content)
            .filter_map(|c| c.url.as_ref().map(|u| u.to_string()))
            .collect()
    }

    #[test]
    fn rss_carries_one_enclosure_the_rest_as_media_content_and_podcast_fields() {
        let xml = rendered(FeedFormat::Rss, &everything());
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));

        let ep2 = entry(&feed, "Episode 2: Tides");
        assert_eq!(media_urls(ep2), ["https://pod.example/media/ep2.mp3"]);
        let content = &ep2.media[0].content[0];
        assert_eq!(content.size, Some(24_986_239));
        assert_eq!(
            content
                .content_type
                .as_ref()
                .map(|t| t.to_string())
                .as_deref(),
            Some("audio/mpeg")
        );
        let duration = ep2.media.iter().find_map(|m| m.duration);
        assert_eq!(duration, Some(Duration::from_secs(3725)));

        let dawn = entry(&feed, "Dawn over the bay");
        assert_eq!(
            media_urls(dawn),
            [
                "https://cdn.video.example/dawn-1080.mp4",
                "https://cdn.video.example/dawn-480.webm"
            ],
            "the second file comes back as media:content"
        );

        assert!(
            xml.contains("xmlns:media=\"http://search.yahoo.com/mrss/\""),
            "{xml}"
        );
        assert!(xml.contains("xmlns:itunes="), "{xml}");
        assert!(
            xml.contains("<itunes:explicit>false</itunes:explicit><item>"),
            "the channel says it is not explicit:\n{xml}"
        );
        assert!(
            xml.contains("<itunes:author>Harbour &amp; friends</itunes:author>"),
            "{xml}"
        );
        assert!(
            xml.contains("<itunes:image href=\"https://pod.example/ep2.jpg\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<itunes:explicit>false</itunes:explicit><itunes:episode>2</itunes:episode></item>"
            ),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<enclosure url="https://pod.example/media/ep1.m4a" length="0" type="audio/x-m4a"/>"#),
            "an unknown length is written 0:\n{xml}"
        );
    }

    #[test]
    fn rss_without_audio_declares_no_itunes_channel() {
        let xml = rendered(FeedFormat::Rss, &stored(&video()));
        assert!(!xml.contains("<itunes:explicit>"), "{xml}");
        assert!(!xml.contains("<itunes:author>"), "{xml}");
        let plain = rendered(FeedFormat::Rss, &[]);
        assert!(!plain.contains("xmlns:media"), "{plain}");
    }

    #[test]
    fn atom_writes_enclosure_links() {
        let xml = rendered(FeedFormat::Atom, &everything());
        let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        let birds = entry(&feed, "Birdsong at dusk");
        let enclosures: Vec<_> = birds
            .links
            .iter()
            .filter(|l| l.rel.as_deref() == Some("enclosure"))
            .map(|l| {
                (
                    l.href.as_str(),
                    l.media_type.as_deref(),
                    l.length,
                    l.title.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            enclosures,
            [
                (
                    "https://notes.example/3.ogg",
                    Some("audio/ogg"),
                    Some(812_345),
                    Some("Birdsong (Ogg)")
                ),
                (
                    "https://notes.example/3.mp3",
                    Some("audio/mpeg"),
                    Some(912_345),
                    None
                ),
            ]
        );
        let alternate: Vec<_> = birds
            .links
            .iter()
            .filter(|l| l.rel.as_deref() == Some("alternate"))
            .map(|l| l.href.as_str())
            .collect();
        assert_eq!(alternate, ["https://notes.example/3"]);
    }

    #[test]
    fn json_writes_attachments_and_image() {
        let text = rendered(FeedFormat::Json, &everything());
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let items = doc["items"].as_array().unwrap();
        let find = |title: &str| {
            items
                .iter()
                .find(|i| i["title"] == title)
                .unwrap_or_else(|| panic!("no item {title}"))
        };
        let ep2 = find("Episode 2: Tides");
        assert_eq!(ep2["image"], "https://pod.example/ep2.jpg");
        assert_eq!(
            ep2["attachments"],
            serde_json::json!([{"url": "https://pod.example/media/ep2.mp3",
                "mime_type": "audio/mpeg", "size_in_bytes": 24_986_239,
                "duration_in_seconds": 3725}])
        );
        let birds = find("Birdsong at dusk");
        assert_eq!(birds["attachments"][0]["title"], "Birdsong (Ogg)");
        assert_eq!(
            birds["attachments"][1]["url"],
            "https://notes.example/3.mp3"
        );
        assert_eq!(
            find("Dawn over the bay")["image"],
            "https://cdn.video.example/dawn.jpg"
        );

        let feed = feed_rs::parser::parse(text.as_bytes()).unwrap();
        let sizes: Vec<_> = entry(&feed, "Birdsong at dusk")
            .links
            .iter()
            .filter_map(|l| l.length)
            .collect();
        assert_eq!(sizes, [812_345, 912_345], "feed-rs reads the attachments");
    }
}
