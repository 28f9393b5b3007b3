//! The store on a real SQLite file: round trips, idempotent upserts,
//! fetch state, and schema migrations.

use chrono::{TimeZone, Utc};
use syndic::model::{Enclosure, Item, ItemId, PollResult, SourceName, DATE_SKEW_SECS};
use syndic::store::{FetchState, ItemQuery, SourceFeed, Store, UpsertOutcome, SCHEMA_VERSION};

fn item(source: &str, id: &str, title: &str, published_hour: Option<u32>) -> Item {
    Item {
        link: Some(format!("https://example.org/{id}")),
        summary: Some("<p>summary</p>".into()),
        content: Some("<p>content</p>".into()),
        authors: vec!["Ada".into(), "Grace".into()],
        categories: vec!["world".into()],
        enclosures: vec![Enclosure {
            mime_type: Some("audio/mpeg".into()),
            length: Some(1234),
            duration: Some(std::time::Duration::from_secs(3725)),
            title: Some("Episode".into()),
            ..Enclosure::new(format!("https://cdn.example.org/{id}.mp3"))
        }],
        image: Some(format!("https://cdn.example.org/{id}.jpg")),
        published: published_hour.map(|h| Utc.with_ymd_and_hms(2026, 11, 20, h, 0, 0).unwrap()),
        ..Item::new(
            SourceName::new(source).unwrap(),
            ItemId::new(id),
            title,
            Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap(),
        )
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("syndic.db")).unwrap();
    (dir, store)
}

#[test]
fn round_trip_keeps_every_field() {
    let (_dir, mut store) = temp_store();
    let original = item("s", "1", "Title “quoted” ✓", Some(8));
    assert_eq!(
        store.upsert_item(&original).unwrap(),
        UpsertOutcome::Inserted
    );
    let read = store.item(&original.source, &original.id).unwrap().unwrap();
    assert_eq!(read, original);
}

#[test]
fn upsert_is_idempotent_and_detects_changes() {
    let (_dir, mut store) = temp_store();
    let first = item("s", "1", "First", Some(8));
    assert_eq!(store.upsert_item(&first).unwrap(), UpsertOutcome::Inserted);

    let mut again = first.clone();
    again.first_seen += chrono::Duration::days(1);
    assert_eq!(store.upsert_item(&again).unwrap(), UpsertOutcome::Unchanged);

    let mut changed = first.clone();
    changed.content = Some("<p>corrected</p>".into());
    changed.first_seen += chrono::Duration::days(2);
    assert_eq!(store.upsert_item(&changed).unwrap(), UpsertOutcome::Updated);

    let mut recut = changed.clone();
    recut.enclosures[0].length = Some(999);
    assert_eq!(
        store.upsert_item(&recut).unwrap(),
        UpsertOutcome::Updated,
        "a new enclosure is an update"
    );

    let all = store
        .items(&ItemQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 1, "an update must not add a copy");
    assert_eq!(all[0].content.as_deref(), Some("<p>corrected</p>"));
    assert_eq!(all[0].enclosures[0].length, Some(999));
    assert_eq!(
        all[0].first_seen, first.first_seen,
        "first-seen survives updates"
    );
}

#[test]
fn same_id_in_two_sources_is_two_items() {
    let (_dir, mut store) = temp_store();
    let summary = store
        .upsert_items(&[item("a", "1", "x", None), item("b", "1", "x", None)])
        .unwrap();
    assert_eq!(summary.inserted, 2);
    let counts = store.item_counts().unwrap();
    assert_eq!(counts.get("a"), Some(&1));
    assert_eq!(counts.get("b"), Some(&1));
}

#[test]
fn queries_filter_by_source_and_age_newest_first() {
    let (_dir, mut store) = temp_store();
    store
        .upsert_items(&[
            item("a", "1", "oldest", Some(1)),
            item("a", "2", "newest", Some(9)),
            item("b", "3", "middle", Some(5)),
            item("a", "4", "undated, sorts by first seen", None),
        ])
        .unwrap();
    let titles = |q: ItemQuery| -> Vec<String> {
        store
            .items(&q)
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect()
    };
    assert_eq!(
        titles(ItemQuery {
            limit: 10,
            ..Default::default()
        }),
        ["undated, sorts by first seen", "newest", "middle", "oldest"]
    );
    assert_eq!(
        titles(ItemQuery {
            sources: Some(vec![SourceName::new("a").unwrap()]),
            since: Some(Utc.with_ymd_and_hms(2026, 11, 20, 4, 0, 0).unwrap()),
            limit: 10,
            offset: 0,
        }),
        ["undated, sorts by first seen", "newest"]
    );
    assert_eq!(
        titles(ItemQuery {
            limit: 2,
            offset: 1,
            ..Default::default()
        }),
        ["newest", "middle"]
    );
    assert!(titles(ItemQuery {
        sources: Some(vec![]),
        limit: 5,
        ..Default::default()
    })
    .is_empty());
}

#[test]
fn fetch_state_round_trips_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/folder/syndic.db");
    let name = SourceName::new("feed").unwrap();
    let state = FetchState {
        etag: Some("\"abc\"".into()),
        last_modified: Some("Tue, 24 Nov 2026 10:00:00 GMT".into()),
        next_due: Some(Utc.with_ymd_and_hms(2026, 11, 24, 11, 0, 0).unwrap()),
        failures: 3,
        last_fetch: Some(Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()),
        last_status: Some(PollResult::Error),
        last_error: Some("server busy".into()),
        moved_to: Some("https://example.org/new".into()),
        disabled: true,
        location: Some("https://example.org/old".into()),
        body_hash: Some("0f1e".into()),
        feed_schedule: syndic::feed_schedule::FeedSchedule {
            ttl: Some(std::time::Duration::from_secs(3600)),
            update_every: None,
            skip_hours: 1 << 3,
            skip_days: 1 << 6,
        },
        due_reason: Some("backoff after 3 failures: 2h".into()),
    };
    {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.fetch_state(&name).unwrap(), None);
        store.save_fetch_state(&name, &state).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.fetch_state(&name).unwrap(), Some(state.clone()));
    let stats = store.source_stats().unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!(stats[0].1.state, state);
}

#[test]
fn empty_file_migrates_to_latest_in_wal_mode() {
    let (dir, store) = temp_store();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    assert!(dir.path().join("syndic.db-wal").exists(), "WAL mode is on");
}

#[test]
fn previous_version_upgrades_without_losing_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // Every upgrade step runs from the first schema on.
        let old = Store::open_at_version(&path, 1).unwrap();
        assert_eq!(old.schema_version().unwrap(), 1);
        // Version 1 had no sort_time column: write rows as that version would.
        drop(old);
        let conn = rusqlite_conn(&path);
        conn.execute(
            "INSERT INTO items (source, id, title, published, first_seen, content_hash)
             VALUES ('s', 'kept', 'From v1', 1000, 900, 'h')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO sources (name, etag, failures) VALUES ('s', '\"v1\"', 2)",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let items = store
        .items(&ItemQuery {
            limit: 5,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, "From v1");
    assert_eq!(items[0].published.map(|t| t.timestamp()), Some(1000));
    assert_eq!(
        items[0].sort_time().timestamp(),
        1000,
        "sort_time backfilled"
    );
    let state = store
        .fetch_state(&SourceName::new("s").unwrap())
        .unwrap()
        .unwrap();
    // Migration 10 forgets validators, so the feed is read whole once.
    assert_eq!((state.etag.as_deref(), state.failures), (None, 2));
    assert_eq!((state.location, state.disabled), (None, false));
}

#[test]
fn a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    drop(Store::open(&path).unwrap());
    rusqlite_conn(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&path).err().expect("refused");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn readers_see_what_the_writer_committed() {
    let (dir, mut writer) = temp_store();
    let reader = Store::open_reader(&dir.path().join("syndic.db")).unwrap();
    writer.upsert_item(&item("s", "1", "seen", None)).unwrap();
    let got = reader
        .items(&ItemQuery {
            limit: 1,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(got[0].title, "seen");
    assert!(reader.is_healthy());
}

fn rusqlite_conn(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[tokio::test]
async fn handle_writes_on_its_thread_and_reads_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let handle = syndic::store::StoreHandle::open(&dir.path().join("h.db")).unwrap();
    let batch = vec![
        item("s", "1", "one", Some(1)),
        item("s", "2", "two", Some(2)),
    ];
    let summary = handle.write(move |s| s.upsert_items(&batch)).await.unwrap();
    assert_eq!(summary.inserted, 2);
    let (a, b) = tokio::join!(
        handle.read(|s| s.items(&ItemQuery {
            limit: 10,
            ..Default::default()
        })),
        handle.read(|s| s.item_counts()),
    );
    assert_eq!(a.unwrap().len(), 2);
    assert_eq!(b.unwrap().get("s"), Some(&2));
}

#[test]
fn retention_keeps_the_newest_and_spares_protected_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut store = Store::open(&path).unwrap();
    let many: Vec<Item> = (0..200)
        .map(|i| {
            let mut it = item("s", &format!("{i:03}"), "x", Some(i % 24));
            it.published = Some(
                Utc.timestamp_opt(1_700_000_000 + i64::from(i) * 60, 0)
                    .unwrap(),
            );
            it.first_seen = it.published.unwrap();
            it.content = Some("y".repeat(4000));
            it
        })
        .collect();
    store.upsert_items(&many).unwrap();
    store
        .upsert_items(&[item("other", "1", "untouched", Some(1))])
        .unwrap();
    store.checkpoint().unwrap();
    let size_before = std::fs::metadata(&path).unwrap().len();

    let s = SourceName::new("s").unwrap();
    let rules = [(
        s.clone(),
        syndic::config::Retention {
            keep: Some(10),
            max_age: None,
        },
    )];
    let protected = [(s.clone(), ItemId::new("000"))];
    let removed = store.prune(&rules, &protected, Utc::now()).unwrap();
    assert_eq!(removed, 189);
    let counts = store.item_counts().unwrap();
    assert_eq!(counts.get("s"), Some(&11));
    assert_eq!(counts.get("other"), Some(&1));
    assert!(
        store.item(&s, &ItemId::new("000")).unwrap().is_some(),
        "protected item kept"
    );
    assert!(
        store.item(&s, &ItemId::new("199")).unwrap().is_some(),
        "newest kept"
    );
    assert!(store.item(&s, &ItemId::new("100")).unwrap().is_none());

    let by_age = [(
        s.clone(),
        syndic::config::Retention {
            keep: None,
            max_age: Some(std::time::Duration::from_secs(5 * 60)),
        },
    )];
    let now = Utc.timestamp_opt(1_700_000_000 + 199 * 60, 0).unwrap();
    store.prune(&by_age, &[], now).unwrap();
    let left: Vec<String> = store
        .items(&ItemQuery {
            sources: Some(vec![s]),
            limit: 50,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|i| i.id.to_string())
        .collect();
    assert_eq!(left, ["199", "198", "197", "196", "195", "194"]);
    store.checkpoint().unwrap();
    let size_after = std::fs::metadata(&path).unwrap().len();
    assert!(
        size_after < size_before / 2,
        "file shrank: {size_before} -> {size_after}"
    );
}

#[tokio::test]
async fn writes_from_another_connection_are_noticed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("syndic.db");
    let handle = syndic::store::StoreHandle::open(&path).unwrap();
    handle.notice_external_changes().await.unwrap();
    let before = handle.generation();
    handle
        .write(|s| s.upsert_items(&[item("s", "own", "Own write", None)]))
        .await
        .unwrap();
    handle.notice_external_changes().await.unwrap();
    assert_eq!(
        handle.generation(),
        before,
        "its own writes are not outside changes"
    );

    let mut other = Store::open(&path).unwrap();
    other
        .upsert_items(&[item("s", "other", "From another process", None)])
        .unwrap();
    handle.notice_external_changes().await.unwrap();
    assert!(handle.generation() > before);
}

#[test]
fn migration_4_writes_poll_results_in_the_one_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    drop(Store::open_at_version(&path, 3).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "INSERT INTO sources (name, last_status) VALUES ('old', '304'), ('odd', 'teapot')",
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    let status = |name: &str| {
        let name = SourceName::new(name).unwrap();
        store.fetch_state(&name).unwrap().unwrap().last_status
    };
    assert_eq!(status("old"), Some(PollResult::NotModified));
    assert_eq!(status("odd"), None);
}

#[test]
fn migration_7_holds_far_future_sort_times_to_arrival_plus_the_skew() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    drop(Store::open_at_version(&path, 6).unwrap());
    let seen = Utc
        .with_ymd_and_hms(2026, 11, 20, 8, 0, 0)
        .unwrap()
        .timestamp();
    let far = Utc
        .with_ymd_and_hms(9999, 12, 31, 0, 0, 0)
        .unwrap()
        .timestamp();
    let past = seen - 86_400;
    rusqlite_conn(&path)
        .execute(
            "INSERT INTO items (source, id, title, published, first_seen, content_hash, sort_time)
             VALUES ('wire', 'far', 'Far', ?1, ?3, 'h', ?1), ('wire', 'past', 'Past', ?2, ?3, 'h', ?2)",
            rusqlite::params![far, past, seen],
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    let sort_time = |id: &str| -> i64 {
        rusqlite_conn(&path)
            .query_row("SELECT sort_time FROM items WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(sort_time("far"), seen + DATE_SKEW_SECS);
    assert_eq!(sort_time("past"), past);
    let kept = store
        .item(&SourceName::new("wire").unwrap(), &ItemId::new("far"))
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.published.map(|t| t.timestamp()),
        Some(far),
        "the claimed date is kept"
    );
}

#[test]
fn migration_9_adds_tombstones_to_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    drop(Store::open_at_version(&path, 8).unwrap());
    // Rows as version 8 wrote them, under the hashes the upsert computes.
    let again: Vec<Item> = (1..=3)
        .map(|h| item("s", &format!("{h}"), &format!("Story {h}"), Some(h)))
        .collect();
    for it in &again {
        rusqlite_conn(&path)
            .execute(
                "INSERT INTO items (source, id, title, link, first_seen, content_hash, sort_time)
                 VALUES ('s', ?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    it.id.as_str(),
                    it.title,
                    it.link,
                    it.first_seen.timestamp(),
                    it.content_hash().as_str(),
                    it.sort_time().timestamp()
                ],
            )
            .unwrap();
    }
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let rules = [(
        SourceName::new("s").unwrap(),
        syndic::config::Retention {
            keep: Some(1),
            max_age: None,
        },
    )];
    assert_eq!(store.prune(&rules, &[], Utc::now()).unwrap(), 2);
    assert_eq!(store.tombstone_counts().unwrap().get("s"), Some(&2));
    let summary = store.upsert_items(&again).unwrap();
    assert_eq!((summary.inserted, summary.tombstoned), (0, 2));
    assert_eq!(store.item_counts().unwrap().get("s"), Some(&1));
}

#[test]
fn migration_10_forgets_validators_so_every_feed_is_read_whole_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let wire = SourceName::new("wire").unwrap();
    let state = FetchState {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Mon, 04 May 2026 10:00:00 GMT".into()),
        body_hash: Some("00ff".into()),
        failures: 2,
        location: Some("https://wire.example/feed".into()),
        ..FetchState::default()
    };
    drop(Store::open_at_version(&path, 9).unwrap());
    // Written as a version-9 syndic wrote it: today's code writes
    // columns that schema lacks.
    rusqlite_conn(&path)
        .execute(
            "INSERT INTO sources (name, etag, last_modified, body_hash, failures, location)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                wire.as_str(),
                state.etag,
                state.last_modified,
                state.body_hash,
                state.failures,
                state.location
            ],
        )
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        store.fetch_state(&wire).unwrap(),
        Some(FetchState {
            etag: None,
            last_modified: None,
            body_hash: None,
            ..state.clone()
        })
    );
    assert!(store.source_feeds().unwrap().is_empty());

    let feed = SourceFeed {
        title: Some("The Wire".into()),
        id: None,
        link: Some("https://wire.example/".into()),
    };
    let recorded = store
        .record_poll(&wire, &[], &state, Some(&feed), None)
        .unwrap();
    assert!(recorded.feed_changed && recorded.changed());
    assert_eq!(store.source_feeds().unwrap().get("wire"), Some(&feed));
    let again = store
        .record_poll(&wire, &[], &state, Some(&feed), None)
        .unwrap();
    assert!(!again.changed(), "the same feed changes nothing");
}

#[test]
fn a_relocated_source_forgets_what_its_old_feed_said() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("syndic.db")).unwrap();
    let wire = SourceName::new("wire").unwrap();
    let at = |location: &str| FetchState {
        location: Some(location.into()),
        last_status: Some(PollResult::Error),
        ..FetchState::default()
    };
    let feed = SourceFeed {
        title: Some("The Wire".into()),
        ..SourceFeed::default()
    };
    let old = at("https://old.example/feed");
    store
        .record_poll(&wire, &[], &old, Some(&feed), None)
        .unwrap();
    assert!(!store
        .record_poll(&wire, &[], &old, None, None)
        .unwrap()
        .changed());
    assert_eq!(store.source_feeds().unwrap().len(), 1);

    // The first poll of the new address failed: nothing is known of it.
    let new = at("https://new.example/feed");
    let recorded = store.record_poll(&wire, &[], &new, None, None).unwrap();
    assert!(recorded.feed_changed, "outputs must drop the old title");
    assert!(store.source_feeds().unwrap().is_empty());
}

#[test]
fn migration_11_keeps_the_ids_items_were_published_under_through_a_rename() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    drop(Store::open_at_version(&path, 9).unwrap());
    let stored = item("s", "42", "Story", None);
    let published = stored.public_id();
    rusqlite_conn(&path)
        .execute(
            "INSERT INTO items (source, id, title, first_seen, content_hash, sort_time)
             VALUES ('s', '42', 'Story', ?1, ?2, ?1)",
            rusqlite::params![
                stored.first_seen.timestamp(),
                stored.content_hash().as_str()
            ],
        )
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let renamed = SourceName::new("t").unwrap();
    store
        .adopt_renamed(&[(SourceName::new("s").unwrap(), renamed.clone())])
        .unwrap();
    let moved = store.item(&renamed, &ItemId::new("42")).unwrap().unwrap();
    assert_eq!(moved.public_id(), published);
    assert_eq!(moved.first_seen.timestamp(), stored.first_seen.timestamp());
}

/// Names of the indexes on `items`, sorted.
fn item_indexes(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite_conn(path);
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'items' AND sql IS NOT NULL ORDER BY name")
        .unwrap();
    let names = stmt.query_map([], |r| r.get(0)).unwrap();
    names.map(Result::unwrap).collect()
}

#[test]
fn migration_14_makes_items_a_rowid_table_keeping_every_item() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    // A file made by a syndic before 14, on SQLite's default 4 KB pages.
    rusqlite_conn(&path)
        .execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x); DROP TABLE t;")
        .unwrap();
    drop(Store::open_at_version(&path, 13).unwrap());
    let long = format!("<p>{}</p>", "A paragraph of the article. ".repeat(60));
    let items: Vec<Item> = (0..300)
        .map(|n| Item {
            content: Some(long.clone()),
            ..item(
                &format!("s{}", n % 7),
                &format!("id-{n}"),
                &format!("Story {n}"),
                Some(n % 24),
            )
        })
        .collect();
    insert_as_version_13(&path, &items);
    let indexes_before = item_indexes(&path);

    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    for item in &items {
        let stored = store.item(&item.source, &item.id).unwrap();
        assert_eq!(stored.as_ref(), Some(item), "every item, every field");
    }
    let counts = store.item_counts().unwrap();
    assert_eq!((counts.len(), counts.values().sum::<u64>()), (7, 300));
    let conn = rusqlite_conn(&path);
    let rowids: i64 = conn
        .query_row("SELECT count(rowid) FROM items", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rowids, 300, "a rowid table");
    let page_size: u32 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 16_384);
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
    let mut expected: Vec<String> = indexes_before
        .into_iter()
        .filter(|name| name != "items_by_link" && name != "items_by_time")
        .chain(["items_by_key".into(), "items_by_title".into()])
        .collect();
    expected.sort();
    assert_eq!(item_indexes(&path), expected);
    // The hashes came across: the same items again change nothing, and
    // the key still refuses a second row for one (source, id).
    let again = store.upsert_items(&items).unwrap();
    assert_eq!((again.inserted, again.unchanged), (0, 300));
    let duplicate = conn.execute(
        "INSERT INTO items (source, id, title, first_seen, content_hash) VALUES ('s0', 'id-0', 't', 0, 'h')",
        [],
    );
    assert!(duplicate.is_err());
}

/// Writes `items` as a version-13 syndic did, into every column it had.
fn insert_as_version_13(path: &std::path::Path, items: &[Item]) {
    let mut conn = rusqlite_conn(path);
    let tx = conn.transaction().unwrap();
    for it in items {
        tx.execute(
            "INSERT INTO items (source, id, title, link, summary, content, authors, categories,
                                published, updated, first_seen, content_hash, sort_time,
                                id_source, enclosures, image, episode, explicit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
            rusqlite::params![
                it.source.as_str(),
                it.id.as_str(),
                it.title,
                it.link,
                it.summary,
                it.content,
                serde_json::to_string(&it.authors).unwrap(),
                serde_json::to_string(&it.categories).unwrap(),
                it.published.map(|t| t.timestamp()),
                it.updated.map(|t| t.timestamp()),
                it.first_seen.timestamp(),
                it.content_hash().as_str(),
                it.sort_time().timestamp(),
                it.id_source.as_ref().map(SourceName::as_str),
                serde_json::to_string(&it.enclosures).unwrap(),
                it.image,
                it.episode,
                it.explicit,
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}
