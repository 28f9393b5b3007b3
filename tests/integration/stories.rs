//! One story carried by three sources (an Atom wire, an RSS paper and a
//! JSON Feed aggregator, served on loopback) is one entry in an output
//! over them, shown as its earliest copy or the preferred source's, naming
//! the others; a source's own look-alike items and other stories stay
//! apart. Through the real binary (`poll`, then `render`), every format
//! read back by feed-rs and serde_json.

use std::path::{Path, PathBuf};

use axum::http::header;
use axum::Router;
use feed_rs::model::{Entry, Feed};

use crate::support::{serve, syndic};

const DAM: &str = "Dam breach floods three valley towns, thousands evacuated";
const ALSO_IN: &str = "urn:syndic:also-in";

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/stories/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn route(name: &'static str, content_type: &'static str) -> axum::routing::MethodRouter {
    let body = fixture(name);
    axum::routing::get(move || async move { ([(header::CONTENT_TYPE, content_type)], body) })
}

/// The three feeds served and polled once into a fresh database; two
/// outputs over them, one preferring the paper's copies.
async fn polled() -> (tempfile::TempDir, PathBuf) {
    let app = Router::new()
        .route("/wire.atom", route("wire.atom", "application/atom+xml"))
        .route("/paper.rss", route("paper.rss", "application/rss+xml"))
        .route(
            "/top.json",
            route("aggregator.json", "application/feed+json"),
        );
    let base = format!("http://{}", serve(app).await);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let text = format!(
        r#"
[daemon]
database = "syndic.db"

[[source]]
name = "wire"
url = "{base}/wire.atom"

[[source]]
name = "paper"
url = "{base}/paper.rss"

[[source]]
name = "aggregator"
url = "{base}/top.json"

[[output]]
name = "all"
sources = ["wire", "paper", "aggregator"]

[[output]]
name = "paper-first"
sources = ["wire", "paper", "aggregator"]
prefer = ["paper"]
"#
    );
    std::fs::write(&config, text).unwrap();
    let out = tokio::task::spawn_blocking({
        let config = config.clone();
        move || syndic(&config, &["poll", "--all"])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir, config)
}

fn render(config: &Path, output: &str, format: &str) -> String {
    let out = syndic(config, &["render", output, "--format", format]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn parsed(text: &str) -> Feed {
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}:\n{text}"))
}

fn titles(feed: &Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| {
            e.title
                .as_ref()
                .map(|t| t.content.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn entry<'a>(feed: &'a Feed, title: &str) -> &'a Entry {
    feed.entries
        .iter()
        .find(|e| e.title.as_ref().is_some_and(|t| t.content == title))
        .unwrap_or_else(|| panic!("no entry {title}: {:?}", titles(feed)))
}

/// The sources an entry's also-in categories name, with their labels.
fn also_in(entry: &Entry) -> Vec<(String, Option<String>)> {
    entry
        .categories
        .iter()
        .filter(|c| c.scheme.as_deref() == Some(ALSO_IN))
        .map(|c| (c.term.clone(), c.label.clone()))
        .collect()
}

/// What every output over the three feeds shows, newest first.
const EXPECTED: [&str; 7] = [
    "Dam breach: death toll rises to twelve as search continues",
    "Daily briefing",
    "Lottery numbers for Nov. 24, 2026",
    "Central bank holds rates steady for a third month",
    DAM,
    "Daily briefing",
    "Lottery numbers for Nov. 23, 2026",
];

#[tokio::test]
async fn rss_and_atom_show_the_earliest_copy_naming_the_others() {
    let (_dir, config) = polled().await;
    let rss = parsed(&render(&config, "all", "rss"));
    assert_eq!(titles(&rss), EXPECTED);
    let dam = entry(&rss, DAM);
    assert_eq!(dam.links[0].href, "https://wire.test/2026/11/24/dam-breach");
    assert_eq!(
        also_in(dam),
        [
            ("paper".to_string(), None),
            ("aggregator".to_string(), None)
        ]
    );
    let alone = rss.entries.iter().filter(|e| also_in(e).is_empty()).count();
    assert_eq!(alone, 6, "only the dam story names other sources");

    let atom = parsed(&render(&config, "all", "atom"));
    assert_eq!(titles(&atom), EXPECTED);
    assert_eq!(
        also_in(entry(&atom, DAM)),
        [
            ("paper".to_string(), Some("The Valley Paper".to_string())),
            ("aggregator".to_string(), Some("Top Stories".to_string()))
        ]
    );
}

#[tokio::test]
async fn json_names_the_other_sources_in_its_extension() {
    let (_dir, config) = polled().await;
    let text = render(&config, "all", "json");
    assert_eq!(titles(&parsed(&text)), EXPECTED);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let dam = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == DAM)
        .unwrap();
    assert_eq!(dam["_syndic"]["source"], "wire");
    let also: Vec<(&str, &str)> = dam["_syndic"]["also_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["source"].as_str().unwrap(),
                s["source_title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        also,
        [("paper", "The Valley Paper"), ("aggregator", "Top Stories")]
    );
    assert!(
        dam["_syndic"]["also_in"][0]["source_url"]
            .as_str()
            .unwrap()
            .ends_with("/paper.rss"),
        "{dam}"
    );
}

#[tokio::test]
async fn prefer_shows_the_preferred_source_s_copy() {
    let (_dir, config) = polled().await;
    let rss = parsed(&render(&config, "paper-first", "rss"));
    let dam = entry(&rss, DAM);
    assert_eq!(
        dam.links[0].href,
        "https://paper.test/news/dam-breach-valley"
    );
    assert_eq!(
        also_in(dam),
        [("wire".to_string(), None), ("aggregator".to_string(), None)]
    );
    assert_eq!(rss.entries.len(), EXPECTED.len());
}
