//! A source renamed in `feeds.toml` with `renamed_from`, through the real
//! binary: its items keep their public ids, their first-seen times and their
//! count; nothing is published again.

use std::path::Path;

use syndic::model::SourceName;
use syndic::store::{ItemQuery, Store};

use crate::support::syndic;

/// Guids that are not URLs, so the published ids are derived ones.
const FEED: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>One</title><guid isPermaLink="false">story-1</guid><description>first</description></item>
<item><title>Two</title><guid isPermaLink="false">story-2</guid><description>second</description></item>
<item><title>Three</title><guid isPermaLink="false">3</guid></item>
</channel></rss>"#;

fn config(source: &str, renamed_from: Option<&str>) -> String {
    let renamed = renamed_from.map_or(String::new(), |old| format!("renamed_from = \"{old}\"\n"));
    format!(
        r#"
[daemon]
database = "syndic.db"

[[source]]
name = "{source}"
path = "wire.xml"
{renamed}
[[output]]
name = "world"
sources = ["{source}"]
"#
    )
}

fn run(config: &Path, args: &[&str]) -> String {
    let out = syndic(config, args);
    assert!(
        out.status.success(),
        "syndic {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The entry ids of `output` in each format, sorted.
fn published_ids(config: &Path, output: &str) -> Vec<Vec<String>> {
    ["rss", "atom", "json"]
        .into_iter()
        .map(|format| {
            let body = run(config, &["render", output, "--format", format]);
            let feed = feed_rs::parser::parse(body.as_bytes())
                .unwrap_or_else(|e| panic!("{format}: {e}\n{body}"));
            let mut ids: Vec<String> = feed.entries.into_iter().map(|e| e.id).collect();
            ids.sort();
            ids
        })
        .collect()
}

/// (id, first seen) of every stored item of `source`.
fn stored(database: &Path, source: &str) -> Vec<(String, i64)> {
    let store = Store::open_reader(database).unwrap();
    let query = ItemQuery {
        sources: Some(vec![SourceName::new(source).unwrap()]),
        limit: 100,
        ..ItemQuery::default()
    };
    let mut items: Vec<_> = store
        .items(&query)
        .unwrap()
        .into_iter()
        .map(|i| (i.id.as_str().to_string(), i.first_seen.timestamp()))
        .collect();
    items.sort();
    items
}

#[test]
fn a_renamed_source_publishes_the_same_ids_and_keeps_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("feeds.toml");
    let database = dir.path().join("syndic.db");
    std::fs::write(dir.path().join("wire.xml"), FEED).unwrap();
    std::fs::write(&config_path, config("wire", None)).unwrap();

    run(&config_path, &["poll", "--all"]);
    let before = published_ids(&config_path, "world");
    assert_eq!(before[0].len(), 3, "{before:?}");
    assert!(before.iter().all(|ids| ids == &before[0]), "{before:?}");
    assert!(before[0].iter().all(|id| id.starts_with("urn:uuid:")));
    let items = stored(&database, "wire");

    // A later first sighting would show as a later second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(&config_path, config("world-wire", Some("wire"))).unwrap();
    let polled = run(&config_path, &["poll", "--all"]);
    assert!(
        polled.contains("not_modified"),
        "nothing read again: {polled}"
    );

    assert_eq!(
        published_ids(&config_path, "world"),
        before,
        "same ids in every format"
    );
    assert_eq!(
        stored(&database, "world-wire"),
        items,
        "same items, first seen kept"
    );
    assert!(
        stored(&database, "wire").is_empty(),
        "nothing left under the old name"
    );

    // The feed changing afterwards updates the items in place.
    std::fs::write(
        dir.path().join("wire.xml"),
        FEED.replace("first", "first, edited"),
    )
    .unwrap();
    run(&config_path, &["poll", "--all"]);
    assert_eq!(published_ids(&config_path, "world"), before);
    assert_eq!(stored(&database, "world-wire"), items);
}

#[test]
fn an_import_into_a_renamed_text_source_finds_the_items_it_had() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("feeds.toml");
    let dump = dir.path().join("page.txt");
    std::fs::write(
        &dump,
        "Markets rally on rate hopes\n\nStorm closes the harbour\n",
    )
    .unwrap();
    let text_config = |name: &str, renamed: &str| {
        format!(
            "[daemon]\ndatabase = \"syndic.db\"\n\n[[source]]\nname = \"{name}\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n{renamed}\n[[output]]\nname = \"desk\"\nsources = [\"{name}\"]\n"
        )
    };
    std::fs::write(&config_path, text_config("desk", "")).unwrap();
    let dump_arg = dump.to_str().unwrap();
    let first = run(&config_path, &["import", "--source", "desk", dump_arg]);
    assert!(first.contains("2 new"), "{first}");
    let before = published_ids(&config_path, "desk");

    let renamed = text_config("news-desk", "renamed_from = \"desk\"\n");
    std::fs::write(&config_path, renamed).unwrap();
    let again = run(&config_path, &["import", "--source", "news-desk", dump_arg]);
    assert!(again.contains("0 new, 0 updated, 2 unchanged"), "{again}");
    assert_eq!(published_ids(&config_path, "desk"), before);
}
