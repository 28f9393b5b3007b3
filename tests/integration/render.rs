//! Rendered feeds read back by an independent parser (feed-rs), and the
//! elements each specification requires checked in the text.

use chrono::{DateTime, TimeZone, Utc};
use quick_xml::events::Event;
use syndic::config::{Config, OutputConfig};
use syndic::model::{Item, ItemId, SourceName};
use syndic::render::{render, FeedFormat, Origins};

const CONFIG: &str = r#"
[daemon]
base_url = "https://feeds.example.org/news/"

[[source]]
name = "wire"
url = "https://wire.example/feed"

[[output]]
name = "world"
title = "World & <friends>"
description = "Stories from \"everywhere\""
sources = ["wire"]
"#;

fn config() -> Config {
    Config::parse(std::path::Path::new("/srv/feeds.toml"), CONFIG).unwrap()
}

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, h, 30, 0).unwrap()
}

/// A complete item, with markup-like text in its title.
fn full() -> Item {
    Item {
        link: Some("https://wire.example/stories/1".into()),
        summary: Some("<p>A short <b>summary</b>.</p>".into()),
        content: Some("<p>The whole story, with <a href=\"https://wire.example/\">a link</a>.</p><p>]]&gt; end</p>".into()),
        authors: vec!["Ada Lovelace".into(), "Grace Hopper".into()],
        categories: vec!["food".into(), "evening news".into()],
        published: Some(at(9)),
        updated: Some(at(11)),
        ..Item::new(
            SourceName::new("wire").unwrap(),
            ItemId::new("https://wire.example/stories/1"),
            "Fish & <chips> \"tonight\"",
            at(10),
        )
    }
}

/// An item with only what every item has: no link, text, authors or dates.
fn bare() -> Item {
    Item::new(
        SourceName::new("wire").unwrap(),
        ItemId::new("local-7"),
        "Bare item",
        at(8),
    )
}

fn output(config: &Config) -> &OutputConfig {
    config.output("world").unwrap()
}

fn rendered(format: FeedFormat, items: &[Item]) -> String {
    let config = config();
    render(
        format,
        output(&config),
        items,
        &Origins::default(),
        &config.daemon,
    )
}

fn parsed(text: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

/// Reads every event; quick-xml checks that end tags match start tags.
fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at {}: {e}\n{xml}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(depth, 0, "unclosed elements:\n{xml}");
}

fn text(t: &Option<feed_rs::model::Text>) -> &str {
    t.as_ref().map(|t| t.content.as_str()).unwrap_or("")
}

fn hrefs(links: &[feed_rs::model::Link]) -> Vec<(&str, Option<&str>)> {
    links
        .iter()
        .map(|l| (l.href.as_str(), l.rel.as_deref()))
        .collect()
}

#[test]
fn rss_reads_back_with_every_field() {
    let xml = rendered(FeedFormat::Rss, &[full(), bare()]);
    assert_well_formed(&xml);
    let feed = parsed(&xml);
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::RSS2);
    assert_eq!(text(&feed.title), "World & <friends>");
    assert_eq!(text(&feed.description), "Stories from \"everywhere\"");
    assert_eq!(feed.updated, Some(at(11)));
    assert_eq!(feed.published, Some(at(11)));
    let [first, second] = &feed.entries[..] else {
        panic!("two entries expected: {xml}");
    };
    assert_eq!(text(&first.title), "Fish & <chips> \"tonight\"");
    assert_eq!(first.id, "https://wire.example/stories/1");
    assert_eq!(hrefs(&first.links)[0].0, "https://wire.example/stories/1");
    assert_eq!(first.published, Some(at(9)));
    let authors: Vec<&str> = first.authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(authors, ["Ada Lovelace", "Grace Hopper"]);
    let categories: Vec<&str> = first.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(categories, ["food", "evening news"]);
    assert_eq!(text(&first.summary), "<p>A short <b>summary</b>.</p>");
    let body = first
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .unwrap();
    assert!(
        body.contains("<a href=\"https://wire.example/\">a link</a>"),
        "{body}"
    );
    assert!(body.contains("]]&gt; end"), "{body}");
    assert!(second.id.starts_with("urn:uuid:"), "{}", second.id);
    assert_eq!(
        second.published,
        Some(at(8)),
        "undated items carry their first-seen time"
    );
}

#[test]
fn rss_has_what_the_specification_requires() {
    let xml = rendered(FeedFormat::Rss, &[full(), bare()]);
    for required in [
        "<rss version=\"2.0\"",
        "xmlns:atom=\"http://www.w3.org/2005/Atom\"",
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"",
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
        "<channel><title>World &#x26; &#x3C;friends&#x3E;</title>",
        "<link>https://feeds.example.org/news/</link>",
        "<description>Stories from &quot;everywhere&quot;</description>",
        "<atom:link href=\"https://feeds.example.org/news/feeds/world.rss\" rel=\"self\" type=\"application/rss+xml\"/>",
        "<lastBuildDate>Mon, 4 May 2026 11:30:00 +0000</lastBuildDate>",
        "<pubDate>Mon, 4 May 2026 09:30:00 +0000</pubDate>",
        "<guid>https://wire.example/stories/1</guid>",
        "<guid isPermaLink=\"false\">urn:uuid:",
        "<dc:creator>Ada Lovelace</dc:creator>",
        "<content:encoded>",
        "<category>evening news</category>",
    ] {
        assert!(xml.contains(required), "missing {required}:\n{xml}");
    }
    assert_eq!(xml.matches("<item>").count(), 2);
    assert_eq!(xml.matches("<guid").count(), 2);
}

#[test]
fn atom_reads_back_with_every_field() {
    let xml = rendered(FeedFormat::Atom, &[full(), bare()]);
    assert_well_formed(&xml);
    let feed = parsed(&xml);
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "https://feeds.example.org/news/feeds/world.atom");
    assert_eq!(text(&feed.title), "World & <friends>");
    assert_eq!(feed.updated, Some(at(11)));
    let links = hrefs(&feed.links);
    assert!(links.contains(&(
        "https://feeds.example.org/news/feeds/world.atom",
        Some("self")
    )));
    assert!(links.contains(&("https://feeds.example.org/news/", Some("alternate"))));
    let [first, second] = &feed.entries[..] else {
        panic!("two entries expected: {xml}");
    };
    assert_eq!(first.id, "https://wire.example/stories/1");
    assert_eq!(text(&first.title), "Fish & <chips> \"tonight\"");
    assert_eq!(first.updated, Some(at(11)));
    assert_eq!(first.published, Some(at(9)));
    assert_eq!(
        hrefs(&first.links),
        [("https://wire.example/stories/1", Some("alternate"))]
    );
    let authors: Vec<&str> = first.authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(authors, ["Ada Lovelace", "Grace Hopper"]);
    let categories: Vec<&str> = first.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(categories, ["food", "evening news"]);
    let content = first.content.as_ref().unwrap();
    assert_eq!(content.content_type.to_string(), "text/html");
    assert!(content
        .body
        .as_deref()
        .unwrap()
        .contains("<p>The whole story"));
    assert!(text(&first.summary).contains("summary"));
    // Without authors of its own, an entry names its source.
    assert_eq!(second.authors[0].name, "wire");
    assert!(second.id.starts_with("urn:uuid:"));
    assert_eq!(second.updated, Some(at(8)));
    assert!(
        second.content.is_some(),
        "an entry without a link needs content"
    );
}

#[test]
fn atom_has_what_the_specification_requires() {
    let xml = rendered(FeedFormat::Atom, &[full(), bare()]);
    for required in [
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"",
        "<title>World &amp; &lt;friends&gt;</title>",
        "<id>https://feeds.example.org/news/feeds/world.atom</id>",
        "<updated>2026-05-04T11:30:00+00:00</updated>",
        "<author><name>World &amp; &lt;friends&gt;</name></author>",
        "<link href=\"https://feeds.example.org/news/feeds/world.atom\" rel=\"self\" type=\"application/atom+xml\"/>",
        "<link href=\"https://feeds.example.org/news/\" rel=\"alternate\" type=\"text/html\"/>",
        "<entry><title>Fish &amp; &lt;chips&gt; &quot;tonight&quot;</title>",
        "<id>https://wire.example/stories/1</id>",
        "<published>2026-05-04T09:30:00+00:00</published>",
        "<content type=\"html\">",
    ] {
        assert!(xml.contains(required), "missing {required}:\n{xml}");
    }
    let entries: Vec<&str> = xml.split("<entry>").skip(1).collect();
    assert_eq!(entries.len(), 2);
    for entry in entries {
        for required in ["<id>", "<title", "<updated>", "<author>"] {
            assert!(entry.contains(required), "entry lacks {required}: {entry}");
        }
    }
}

#[test]
fn json_feed_reads_back_with_every_field() {
    let text_body = rendered(FeedFormat::Json, &[full(), bare()]);
    let feed = parsed(&text_body);
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::JSON);
    assert_eq!(text(&feed.title), "World & <friends>");
    let [first, second] = &feed.entries[..] else {
        panic!("two entries expected: {text_body}");
    };
    assert_eq!(first.id, "https://wire.example/stories/1");
    assert_eq!(text(&first.title), "Fish & <chips> \"tonight\"");
    assert_eq!(first.published, Some(at(9)));
    assert_eq!(first.updated, Some(at(11)));
    assert_eq!(hrefs(&first.links)[0].0, "https://wire.example/stories/1");
    assert_eq!(first.authors.len(), 2);
    assert_eq!(first.categories.len(), 2);
    assert!(second.id.starts_with("urn:uuid:"));

    let json: serde_json::Value = serde_json::from_str(&text_body).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(
        json["feed_url"],
        "https://feeds.example.org/news/feeds/world.json"
    );
    assert_eq!(json["home_page_url"], "https://feeds.example.org/news/");
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert!(item["id"].is_string());
        assert!(item["content_html"].is_string() || item["content_text"].is_string());
        let published = item["date_published"].as_str().unwrap();
        assert!(
            DateTime::parse_from_rfc3339(published).is_ok(),
            "{published}"
        );
    }
    assert_eq!(items[0]["summary"], "A short summary.");
    assert_eq!(items[0]["authors"][0]["name"], "Ada Lovelace");
    assert_eq!(items[0]["tags"][1], "evening news");
    assert_eq!(items[0]["date_modified"], "2026-05-04T11:30:00Z");
    assert_eq!(items[1]["content_html"], "Bare item");
}

#[test]
fn empty_outputs_are_valid_feeds() {
    for format in FeedFormat::ALL {
        let body = rendered(format, &[]);
        let feed = parsed(&body);
        assert!(feed.entries.is_empty());
        assert_eq!(text(&feed.title), "World & <friends>");
        match format {
            FeedFormat::Rss => {
                assert_well_formed(&body);
                assert!(body.contains("<link>https://feeds.example.org/news/</link>"));
                assert!(body.contains("<description>"));
            }
            FeedFormat::Atom => {
                assert_well_formed(&body);
                assert!(body.contains("<id>https://feeds.example.org/news/feeds/world.atom</id>"));
                assert!(body.contains("<updated>1970-01-01T00:00:00+00:00</updated>"));
                assert!(body.contains("<author>"));
            }
            FeedFormat::Json => {
                let json: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(json["items"], serde_json::json!([]));
            }
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    for format in FeedFormat::ALL {
        let a = rendered(format, &[full(), bare()]);
        let b = rendered(format, &[full().clone(), bare().clone()]);
        assert_eq!(a, b, "{format} differs between renders");
        assert_eq!(rendered(format, &[]), rendered(format, &[]));
    }
}

#[test]
fn characters_xml_forbids_are_dropped() {
    let mut item = full();
    item.title = "Bell\u{7} rings".into();
    item.content = Some("<p>null\u{0}byte</p>".into());
    for format in [FeedFormat::Rss, FeedFormat::Atom] {
        let xml = rendered(format, &[item.clone()]);
        assert_well_formed(&xml);
        let feed = parsed(&xml);
        assert_eq!(text(&feed.entries[0].title), "Bell rings");
    }
}

#[test]
fn rss_titles_use_hexadecimal_references_and_read_back_as_text() {
    let mut item = full();
    item.title = "a < b & <c> AT&T &amp; \"q\"".into();
    let xml = rendered(FeedFormat::Rss, &[item]);
    assert!(
        xml.contains(
            "<title>a &#x3C; b &#x26; &#x3C;c&#x3E; AT&#x26;T &#x26;amp; &quot;q&quot;</title>"
        ),
        "{xml}"
    );
    assert_well_formed(&xml);
    let feed = parsed(&xml);
    assert_eq!(text(&feed.title), "World & <friends>");
    assert_eq!(text(&feed.entries[0].title), "a < b & <c> AT&T &amp; \"q\"");
    // Only titles change: the description keeps its named references.
    assert!(xml.contains("<description>Stories from &quot;everywhere&quot;</description>"));
}
