//! `syndic render` and `syndic export` through the real binary, on a
//! database filled through the store.

use crate::support::syndic;

use std::path::PathBuf;

use chrono::{Duration, Utc};
use syndic::model::{Item, ItemId, SourceName};
use syndic::store::Store;

const CONFIG: &str = r#"
[daemon]
database = "data/syndic.db"
base_url = "https://feeds.example.org"

[[source]]
name = "wire"
url = "https://wire.example/feed"
tags = ["world"]

[[source]]
name = "desk"
kind = "text"
path = "dumps/*.txt"

[[output]]
name = "world"
title = "World digest"
tags = ["world"]

[[output]]
name = "desk-notes"
sources = ["desk"]
exclude = ["draft"]
"#;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn item(source: &str, id: &str, title: &str, hours_ago: i64) -> Item {
    let at = Utc::now() - Duration::hours(hours_ago);
    Item {
        link: Some(format!("https://{source}.example/{id}")),
        summary: Some(format!("<p>{title}</p>")),
        authors: vec!["Reporter".into()],
        published: Some(at),
        ..Item::new(SourceName::new(source).unwrap(), ItemId::new(id), title, at)
    }
}

/// A config in a temp dir and its database with three items.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let mut store = Store::open(&dir.path().join("data/syndic.db")).unwrap();
    store
        .upsert_items(&[
            item("wire", "w1", "Harbour reopens", 1),
            item("wire", "w2", "Bridge & tunnel", 2),
            item("desk", "d1", "Draft notes", 3),
        ])
        .unwrap();
    (dir, config)
}

#[test]
fn render_prints_each_format() {
    let (_dir, config) = setup();
    for (format, marker) in [
        ("rss", "<rss version=\"2.0\""),
        ("atom", "<feed xmlns=\"http://www.w3.org/2005/Atom\""),
        ("json", "\"version\": \"https://jsonfeed.org/version/1.1\""),
    ] {
        let out = syndic(&config, &["render", "world", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let body = text(&out.stdout);
        assert!(body.contains(marker), "{format}: {body}");
        let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(titles, ["Harbour reopens", "Bridge & tunnel"], "{format}");
    }
}

#[test]
fn render_defaults_to_rss_and_applies_filters() {
    let (_dir, config) = setup();
    let out = syndic(&config, &["render", "desk-notes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let body = text(&out.stdout);
    assert!(body.contains("<rss version=\"2.0\""), "{body}");
    assert!(!body.contains("<item>"), "the draft is excluded: {body}");
}

#[test]
fn render_of_an_unknown_output_lists_the_outputs() {
    let (_dir, config) = setup();
    let out = syndic(&config, &["render", "sports"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("no output named `sports`"), "{err}");
    assert!(err.contains("world, desk-notes"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn render_refuses_an_unknown_format() {
    let (_dir, config) = setup();
    let out = syndic(&config, &["render", "world", "--format", "html"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn export_writes_every_output_in_every_format_and_their_stylesheet() {
    let (dir, config) = setup();
    let target = dir.path().join("public/feeds");
    let out = syndic(&config, &["export", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut files: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "desk-notes.atom",
            "desk-notes.json",
            "desk-notes.rss",
            "feed.xsl",
            "world.atom",
            "world.json",
            "world.rss"
        ]
    );
    let report = text(&out.stdout);
    assert_eq!(report.lines().count(), 7, "{report}");
    assert!(report.contains("world.rss (2 items)"), "{report}");

    // The files are what `render` prints.
    for format in ["rss", "atom", "json"] {
        let printed = syndic(&config, &["render", "world", "--format", format]).stdout;
        let written = std::fs::read(target.join(format!("world.{format}"))).unwrap();
        assert_eq!(printed, written, "{format}");
    }

    // Exporting again replaces the files in place.
    std::fs::write(target.join("world.rss"), "stale").unwrap();
    let again = syndic(&config, &["export", target.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0));
    let rss = std::fs::read_to_string(target.join("world.rss")).unwrap();
    assert!(rss.contains("Harbour reopens"));
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 7);
}

#[test]
fn export_into_an_unwritable_place_fails() {
    let (dir, config) = setup();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let out = syndic(&config, &["export", blocker.join("sub").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cannot create"),
        "{}",
        text(&out.stderr)
    );
}
