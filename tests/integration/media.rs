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
        "the first image of the text, made absolute"
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
