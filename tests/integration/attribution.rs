//! Attribution: an output over several sources, polled from loopback
//! feeds and a dump folder into a real store, names each item's source in
//! every format. feed-rs drops `<source>` (its `Entry::source` is never
//! filled), so it only vouches that the documents stay valid; the
//! elements themselves are read back with quick-xml.

use std::collections::BTreeMap;

use axum::Router;
use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;
use syndic::config::Config;
use syndic::fetch::FetchSlots;
use syndic::poll::{PollOutcome, Poller};
use syndic::render::{render, FeedFormat, Origins};
use syndic::store::StoreHandle;

use crate::support::{mutable_document, serve};

fn wire_atom(title: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{title}</title>
  <id>tag:wire.test,2026:feed</id>
  <link rel="alternate" href="/"/>
  <updated>2026-05-04T10:00:00Z</updated>
  <entry><title>Wire one</title><id>tag:wire.test,2026:1</id>
    <link href="https://wire.test/1"/><updated>2026-05-04T09:00:00Z</updated>
    <summary>One.</summary></entry>
  <entry><title>Wire two</title><id>tag:wire.test,2026:2</id>
    <link href="https://wire.test/2"/><updated>2026-05-04T07:00:00Z</updated>
    <summary>Two.</summary></entry>
</feed>"#
    )
}

const DESK_RSS: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel>
  <title>Desk &lt;b&gt;News&lt;/b&gt;</title><link>https://desk.test/</link>
  <description>d</description>
  <item><title>Desk one</title><guid>https://desk.test/1</guid>
    <pubDate>Mon, 04 May 2026 08:00:00 +0000</pubDate></item>
</channel></rss>"#;

/// A loopback wire (Atom) and desk (RSS) feed, a folder of dumps, one
/// output over all three, everything polled once.
struct Polled {
    _dir: tempfile::TempDir,
    config: Config,
    store: StoreHandle,
    poller: Poller,
    wire_body: std::sync::Arc<std::sync::Mutex<String>>,
    base: String,
}

async fn polled() -> Polled {
    let (wire_body, wire) = mutable_document(&wire_atom("The Wire &amp; Co"));
    let (_, desk) = mutable_document(DESK_RSS);
    let addr = serve(
        Router::new()
            .route("/wire.atom", wire)
            .route("/desk.rss", desk),
    )
    .await;
    let base = format!("http://{addr}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dumps")).unwrap();
    std::fs::write(
        dir.path().join("dumps/notes.txt"),
        "Date: 2026-05-04 06:00\n\nA note from the dump\n",
    )
    .unwrap();
    let path = dir.path().join("feeds.toml");
    let text = format!(
        r#"
[daemon]
database = "syndic.db"
base_url = "https://feeds.example.org/"

[[source]]
name = "wire"
url = "{base}/wire.atom"

[[source]]
name = "desk"
url = "{base}/desk.rss"

[[source]]
name = "notes"
kind = "text"
path = "dumps/*.txt"

[[output]]
name = "all"
sources = ["wire", "desk", "notes"]
"#
    );
    let config = Config::parse(&path, &text).unwrap();
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    let poller = Poller::new(&config.daemon, FetchSlots::new(8, 2), store.clone()).unwrap();
    let polled = Polled {
        _dir: dir,
        config,
        store,
        poller,
        wire_body,
        base,
    };
    for name in ["wire", "desk", "notes"] {
        polled.poll(name).await;
    }
    polled
}

impl Polled {
    async fn poll(&self, name: &str) -> PollOutcome {
        let source = self.config.source(name).unwrap();
        let outcome = self.poller.poll(source).await.outcome;
        assert!(
            matches!(outcome, PollOutcome::Stored { .. }),
            "{name}: {outcome:?}"
        );
        outcome
    }

    async fn render(&self, format: FeedFormat) -> String {
        let config = self.config.clone();
        self.store
            .read(move |s| {
                let output = config.output("all").unwrap();
                let items = syndic::curate::select(s, &config, output, chrono::Utc::now())?;
                let origins = Origins::read(s, &config)?;
                Ok(render(format, output, &items, &origins, &config.daemon))
            })
            .await
            .unwrap()
    }
}

/// A `<source>` as read back: its `url` attribute, its text, and for
/// Atom its `title`, `id` and `link`s (rel, href).
#[derive(Debug, Clone, Default, PartialEq)]
struct SourceXml {
    url: Option<String>,
    text: String,
    title: String,
    id: String,
    links: Vec<(String, String)>,
}

/// Each `item_tag` element's title and its `<source>`, if any.
fn sources(xml: &str, item_tag: &[u8]) -> BTreeMap<String, Option<SourceXml>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = BTreeMap::new();
    let mut item: Option<(String, Option<SourceXml>)> = None;
    let mut path: Vec<Vec<u8>> = Vec::new();
    loop {
        let event = reader.read_event().unwrap();
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_vec();
                if name == item_tag {
                    item = Some((String::new(), None));
                }
                if let Some((_, source)) = &mut item {
                    if name == b"source" {
                        *source = Some(SourceXml {
                            url: attr(e, "url"),
                            ..SourceXml::default()
                        });
                    } else if name == b"link" && path.last().map(Vec::as_slice) == Some(b"source") {
                        if let Some(s) = source {
                            s.links.push((
                                attr(e, "rel").unwrap_or_default(),
                                attr(e, "href").unwrap_or_default(),
                            ));
                        }
                    }
                }
                if matches!(event, Event::Start(_)) {
                    path.push(name);
                }
            }
            Event::Text(_) | Event::GeneralRef(_) => {
                let text = match &event {
                    Event::Text(t) => t.decode().unwrap().into_owned(),
                    Event::GeneralRef(r) => unescape(&format!("&{};", r.decode().unwrap()))
                        .unwrap()
                        .into_owned(),
                    _ => unreachable!(),
                };
                if let Some((title, source)) = &mut item {
                    let here: Vec<&[u8]> = path.iter().rev().take(2).map(Vec::as_slice).collect();
                    match (here.as_slice(), source) {
                        ([b"source", ..], Some(s)) => s.text.push_str(&text),
                        ([b"title", b"source"], Some(s)) => s.title.push_str(&text),
                        ([b"id", b"source"], Some(s)) => s.id.push_str(&text),
                        ([b"title", parent], _) if *parent == item_tag => title.push_str(&text),
                        _ => {}
                    }
                }
            }
            Event::End(e) => {
                path.pop();
                if e.name().as_ref() == item_tag {
                    if let Some((title, source)) = item.take() {
                        out.insert(title, source);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.try_get_attribute(key).unwrap().map(|a| {
        a.normalized_value(XmlVersion::Implicit1_0)
            .unwrap()
            .into_owned()
    })
}

fn valid(xml: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{xml}"))
}

#[tokio::test]
async fn rss_items_name_their_feed() {
    let s = polled().await;
    let xml = s.render(FeedFormat::Rss).await;
    assert_eq!(valid(&xml).entries.len(), 4, "{xml}");
    let found = sources(&xml, b"item");
    let rss_source = |url: &str, text: &str| {
        Some(SourceXml {
            url: Some(url.into()),
            text: text.into(),
            ..SourceXml::default()
        })
    };
    let wire = rss_source(&format!("{}/wire.atom", s.base), "The Wire & Co");
    let desk = rss_source(&format!("{}/desk.rss", s.base), "Desk News");
    let expected = BTreeMap::from([
        ("Wire one".to_string(), wire.clone()),
        ("Wire two".to_string(), wire),
        ("Desk one".to_string(), desk),
        // RSS requires the url, and a folder of dumps has none to give.
        ("A note from the dump".to_string(), None),
    ]);
    assert_eq!(found, expected, "{xml}");
    assert_eq!(xml, s.render(FeedFormat::Rss).await, "deterministic");
}

#[tokio::test]
async fn atom_entries_carry_the_source_feed() {
    let s = polled().await;
    let xml = s.render(FeedFormat::Atom).await;
    assert_eq!(valid(&xml).entries.len(), 4, "{xml}");
    let found = sources(&xml, b"entry");
    let wire = Some(SourceXml {
        title: "The Wire & Co".into(),
        id: "tag:wire.test,2026:feed".into(),
        links: vec![
            ("self".into(), format!("{}/wire.atom", s.base)),
            ("alternate".into(), format!("{}/", s.base)),
        ],
        ..SourceXml::default()
    });
    let desk_url = format!("{}/desk.rss", s.base);
    let desk = Some(SourceXml {
        title: "Desk News".into(),
        // RSS feeds have no id: the feed's URL stands in.
        id: desk_url.clone(),
        links: vec![
            ("self".into(), desk_url),
            ("alternate".into(), "https://desk.test/".into()),
        ],
        ..SourceXml::default()
    });
    let expected = BTreeMap::from([
        ("Wire one".to_string(), wire.clone()),
        ("Wire two".to_string(), wire),
        ("Desk one".to_string(), desk),
        ("A note from the dump".to_string(), None),
    ]);
    assert_eq!(found, expected, "{xml}");
    assert_eq!(xml, s.render(FeedFormat::Atom).await, "deterministic");
}

#[tokio::test]
async fn json_items_carry_a_syndic_extension() {
    let s = polled().await;
    let text = s.render(FeedFormat::Json).await;
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let found: BTreeMap<&str, &serde_json::Value> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["title"].as_str().unwrap(), &i["_syndic"]))
        .collect();
    let wire = serde_json::json!({
        "source": "wire",
        "source_title": "The Wire & Co",
        "source_url": format!("{}/wire.atom", s.base),
    });
    let desk = serde_json::json!({
        "source": "desk",
        "source_title": "Desk News",
        "source_url": format!("{}/desk.rss", s.base),
    });
    let notes = serde_json::json!({ "source": "notes", "source_title": "notes" });
    let expected = BTreeMap::from([
        ("Wire one", &wire),
        ("Wire two", &wire),
        ("Desk one", &desk),
        ("A note from the dump", &notes),
    ]);
    assert_eq!(found, expected, "{text}");
    assert_eq!(text, s.render(FeedFormat::Json).await, "deterministic");
}

#[tokio::test]
async fn a_renamed_feed_is_renamed_in_outputs_and_wakes_the_cache() {
    let s = polled().await;
    let before = s.store.generation();
    *s.wire_body.lock().unwrap() = wire_atom("Wire Weekly");
    match s.poll("wire").await {
        PollOutcome::Stored { summary, .. } => assert!(!summary.changed(), "{summary:?}"),
        other => panic!("{other:?}"),
    }
    assert!(
        s.store.generation() > before,
        "served renders must be made again"
    );
    let xml = s.render(FeedFormat::Rss).await;
    let wire = format!("{}/wire.atom", s.base);
    assert!(
        xml.contains(&format!("<source url=\"{wire}\">Wire Weekly</source>")),
        "{xml}"
    );
}
