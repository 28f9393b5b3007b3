//! `syndic migrate`, run as a process: an SQLite store copied into a real
//! PostgreSQL and back, every row arriving as it was.

use std::path::Path;

use chrono::{TimeZone, Utc};
use syndic::model::{Item, ItemId, PollResult, SourceName};
use syndic::store::{FetchState, SourceFeed, Store};

use crate::support::{postgres, syndic};

const SOURCES: &str =
    "[[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\nkeep = 2\n";

fn item(n: u32) -> Item {
    let at = Utc.with_ymd_and_hms(2026, 11, 20, n, 0, 0).unwrap();
    Item {
        link: Some(format!("https://wire.example/{n}")),
        published: Some(at),
        categories: vec!["world".into()],
        ..Item::new(
            SourceName::new("wire").unwrap(),
            ItemId::new(format!("s{n}")),
            format!("Story {n} ✓"),
            at,
        )
    }
}

/// An SQLite store with items, a fetch state, a feed and tombstones.
fn filled(path: &Path) -> Store {
    let mut store = Store::open(path).unwrap();
    let state = FetchState {
        etag: Some("\"v7\"".into()),
        last_status: Some(PollResult::Ok),
        failures: 1,
        location: Some("https://wire.example/feed".into()),
        ..FetchState::default()
    };
    let feed = SourceFeed {
        title: Some("The Wire".into()),
        ..SourceFeed::default()
    };
    let items: Vec<Item> = (1..=5).map(item).collect();
    let name = SourceName::new("wire").unwrap();
    store
        .record_poll(&name, &items, &state, Some(&feed), None)
        .unwrap();
    let rules = [(
        name,
        syndic::config::Retention {
            keep: Some(2),
            max_age: None,
        },
    )];
    assert_eq!(store.prune(&rules, &[], Utc::now()).unwrap(), 3);
    store
}

#[test]
fn a_store_goes_to_postgres_and_back_unchanged() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let original = filled(&dir.path().join("syndic.db")).snapshot().unwrap();
    assert_eq!((original.items.len(), original.tombstones.len()), (2, 3));

    let sqlite_config = dir.path().join("feeds.toml");
    std::fs::write(&sqlite_config, SOURCES).unwrap();
    let url = cluster.fresh_database();
    let out = syndic(&sqlite_config, &["migrate", "--to", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("copied 2 items, 1 sources") && said.contains("3 tombstones"),
        "{said}"
    );
    assert_eq!(cluster.psql(&url, "SELECT count(*) FROM items"), "2");
    assert_eq!(cluster.psql(&url, "SELECT etag FROM sources"), "\"v7\"");

    let again = syndic(&sqlite_config, &["migrate", "--to", &url]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "refuses a target holding items"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds items"));

    let pg_config = dir.path().join("pg.toml");
    std::fs::write(
        &pg_config,
        format!("[daemon]\ndatabase = \"{url}\"\n{SOURCES}"),
    )
    .unwrap();
    let back = dir.path().join("back.db");
    let out = syndic(&pg_config, &["migrate", "--to", back.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back_store = Store::open(&back).unwrap();
    assert_eq!(back_store.snapshot().unwrap(), original);
    back_store.check_search_index().unwrap();
    let back_config = dir.path().join("back.toml");
    std::fs::write(
        &back_config,
        format!("[daemon]\ndatabase = \"back.db\"\n{SOURCES}"),
    )
    .unwrap();
    let found = syndic(&back_config, &["search", "story", "--json"]);
    let hits: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
    assert_eq!(
        hits.as_array().map(Vec::len),
        Some(2),
        "the copied items are searchable"
    );
}

#[test]
fn a_password_in_the_target_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    filled(&dir.path().join("syndic.db"));
    let config = dir.path().join("feeds.toml");
    std::fs::write(&config, SOURCES).unwrap();
    let out = syndic(
        &config,
        &["migrate", "--to", "postgres://syndic:hunter2@127.0.0.1:1/x"],
    );
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("carries a password") && !said.contains("hunter2"),
        "{said}"
    );
}
