//! The real binary, run as a process: exit codes, messages, and the
//! `items --json` contract.

use crate::support::syndic;

use std::path::Path;
use std::process::Command;

use chrono::{TimeZone, Utc};
use syndic::model::{Item, ItemId, SourceName};
use syndic::store::Store;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CONFIG: &str = r#"
[daemon]
database = "data/test.db"

[[source]]
name = "wire"
url = "https://example.org/wire.xml"
tags = ["world"]

[[source]]
name = "desk"
kind = "text"
path = "dumps/*.txt"

[[output]]
name = "all"
tags = ["world"]
sources = ["desk"]
"#;

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, CONFIG).unwrap();
    (dir, config)
}

#[test]
fn check_accepts_the_shipped_config() {
    let out = syndic(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"),
        &["check"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains(": ok"));
}

#[test]
fn check_refuses_a_broken_config_with_its_line() {
    let (dir, config) = setup();
    std::fs::write(
        &config,
        format!("{CONFIG}\n[[output]]\nname = \"x\"\nsources = [\"nope\"]\n"),
    )
    .unwrap();
    let out = syndic(&config, &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("feeds.toml:22:12:"), "{err}");
    assert!(err.contains("source `nope`"), "{err}");
    drop(dir);
}

#[test]
fn check_warns_of_an_unspecified_listen_address_without_base_url() {
    let (_dir, config) = setup();
    for (daemon, warned) in [
        ("listen = \"0.0.0.0:8080\"", true),
        ("listen = \"[::]:8080\"", true),
        (
            "listen = \"0.0.0.0:8080\"\nbase_url = \"https://feeds.example.org\"",
            false,
        ),
        ("listen = \"127.0.0.1:8080\"", false),
    ] {
        let written = CONFIG.replace("[daemon]\n", &format!("[daemon]\n{daemon}\n"));
        std::fs::write(&config, written).unwrap();
        let out = syndic(&config, &["check"]);
        assert_eq!(out.status.code(), Some(0), "{daemon}");
        let err = text(&out.stderr);
        assert_eq!(err.contains("warning: `listen"), warned, "{daemon}: {err}");
        if warned {
            assert!(err.contains("base_url"), "{err}");
        }
    }
}

#[test]
fn logs_have_no_colour_codes_off_a_terminal_and_carry_their_zone() {
    let (_dir, config) = setup();
    // A poll of an empty dump folder still logs its fetch.
    for no_color in [None, Some("1")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_syndic"));
        command
            .arg("--config")
            .arg(&config)
            .args(["poll", "desk"])
            .env("SYNDIC_LOG", "info");
        if let Some(v) = no_color {
            command.env("NO_COLOR", v);
        }
        let out = command.output().unwrap();
        let err = text(&out.stderr);
        assert!(err.contains(" INFO "), "{err}");
        assert!(
            !err.contains('\x1b'),
            "escape codes in a piped log: {err:?}"
        );
        let stamp = err.split_whitespace().next().unwrap();
        assert!(
            stamp.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(stamp).is_ok(),
            "a timestamp without its zone: {stamp}"
        );
    }
}

#[test]
fn missing_config_is_a_usage_error() {
    let out = syndic(Path::new("/nonexistent/feeds.toml"), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read the config file"));
}

#[test]
fn config_comes_from_the_environment_too() {
    let (_dir, config) = setup();
    let out = Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("check")
        .env("SYNDIC_CONFIG", &config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 sources (1 feeds, 1 text), 1 outputs"));
}

#[test]
fn bad_usage_exits_2() {
    let (_dir, config) = setup();
    assert_eq!(syndic(&config, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        syndic(&config, &["items", "--source", "ghost"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn items_json_keeps_the_contract_keys() {
    let (dir, config) = setup();
    let mut store = Store::open(&dir.path().join("data/test.db")).unwrap();
    let published = Utc.with_ymd_and_hms(2026, 11, 20, 8, 30, 0).unwrap();
    store
        .upsert_items(&[
            Item {
                link: Some("https://example.org/1".into()),
                content: Some("<p>body</p>".into()),
                authors: vec!["Ada".into()],
                categories: vec!["world".into()],
                published: Some(published),
                ..Item::new(
                    SourceName::new("wire").unwrap(),
                    ItemId::new("urn:1"),
                    "Older",
                    published,
                )
            },
            Item {
                published: Some(published + chrono::Duration::hours(1)),
                ..Item::new(
                    SourceName::new("desk").unwrap(),
                    ItemId::new("urn:2"),
                    "Newer",
                    published,
                )
            },
        ])
        .unwrap();
    drop(store);

    let out = syndic(&config, &["items", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = items.as_array().expect("one JSON array");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["title"], "Newer", "newest first");
    let older = &items[1];
    let mut keys: Vec<&str> = older
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "authors",
            "categories",
            "content",
            "id",
            "link",
            "published",
            "source",
            "summary",
            "title",
            "updated"
        ]
    );
    assert_eq!(older["published"], "2026-11-20T08:30:00Z");
    assert_eq!(older["updated"], serde_json::Value::Null);
    assert_eq!(older["authors"], serde_json::json!(["Ada"]));

    let filtered = syndic(
        &config,
        &["items", "--json", "--source", "wire", "--limit", "5"],
    );
    let filtered: serde_json::Value = serde_json::from_slice(&filtered.stdout).unwrap();
    assert_eq!(filtered.as_array().map(Vec::len), Some(1));

    let sources = syndic(&config, &["sources", "--json"]);
    let sources: serde_json::Value = serde_json::from_slice(&sources.stdout).unwrap();
    assert_eq!(sources[0]["name"], "wire");
    assert_eq!(sources[0]["items"], 1);
    assert_eq!(sources[1]["kind"], "text");
}

#[test]
fn sources_table_lists_every_configured_source() {
    let (dir, config) = setup();
    drop(Store::open(&dir.path().join("data/test.db")).unwrap());
    let out = syndic(&config, &["sources"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.starts_with("NAME"));
    assert!(table.contains("wire") && table.contains("desk"), "{table}");
    assert!(table.contains("never"));
}

#[test]
fn an_unchanged_local_feed_is_not_modified_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("local.rss");
    std::fs::write(
        &feed,
        "<rss version=\"2.0\"><channel><title>L</title>\
         <item><guid>l-1</guid><title>Local one</title></item></channel></rss>",
    )
    .unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[[source]]\nname = \"local\"\npath = \"local.rss\"\n",
    )
    .unwrap();
    assert!(text(&syndic(&config, &["poll", "--all"]).stdout).contains("1 new"));
    let again = text(&syndic(&config, &["poll", "--all"]).stdout);
    assert!(again.contains("not_modified"), "{again}");
    let sources: serde_json::Value =
        serde_json::from_slice(&syndic(&config, &["sources", "--json"]).stdout).unwrap();
    assert_eq!(sources[0]["result"], "not_modified", "{sources}");
}

#[test]
fn read_only_commands_never_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let toml = CONFIG.replace("database = \"", "database = \"data/");
    std::fs::write(&config, toml).unwrap();
    let export = dir.path().join("out");
    let export = export.to_str().unwrap();
    for args in [
        &["items"][..],
        &["sources"],
        &["render", "all"],
        &["export", export],
    ] {
        let out = syndic(&config, args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("no database yet at") && stderr.contains("run `syndic poll`"),
            "{args:?}: {stderr}"
        );
    }
    let opml = syndic(&config, &["opml", "export"]);
    assert_eq!(opml.status.code(), Some(0), "{}", text(&opml.stderr));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["feeds.toml"], "read-only commands wrote {left:?}");
}
