//! One suite of store behaviour, run against both backends through the
//! `StoreHandle` the pipeline uses: an SQLite file in a temp dir, and a
//! fresh database on the throwaway PostgreSQL cluster. Each case is
//! written once, taking the handle; `backend_cases!` makes its two tests.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use syndic::config::Config;
use syndic::fetch::FileStamp;
use syndic::model::{Item, ItemId, PollResult, SourceName};
use syndic::store::{FetchState, ItemQuery, PollRecord, SourceFeed, StoreHandle, UpsertOutcome};

use crate::support::postgres as cluster;

/// A store of each kind with `daemon` settings and `rest` of a config;
/// holds the temp dir the config (and SQLite file) live in.
pub struct Opened {
    _dir: tempfile::TempDir,
    pub store: StoreHandle,
    pub config: Arc<Config>,
}

pub async fn sqlite(rest: &'static str) -> Option<Opened> {
    Some(open(rest, "").await)
}

/// `None` (the harness said why, loudly) when PostgreSQL cannot run here.
pub async fn postgres(rest: &'static str) -> Option<Opened> {
    let url = cluster::cluster()?.fresh_database();
    Some(open(rest, &format!("[daemon]\ndatabase = \"{url}\"\n")).await)
}

async fn open(rest: &str, daemon: &str) -> Opened {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::parse(&dir.path().join("feeds.toml"), &format!("{daemon}{rest}")).unwrap();
    let store = StoreHandle::connect(&config.daemon).await.unwrap();
    Opened {
        _dir: dir,
        store,
        config: Arc::new(config),
    }
}

/// For each case, `sqlite::case` and `postgres::case`.
macro_rules! backend_cases {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $case() {
                super::$case(super::sqlite).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $case() {
                super::$case(super::postgres).await;
            })*
        }
    };
}

backend_cases!(
    upserts_are_idempotent_and_detect_changes,
    an_entry_back_under_a_new_id_is_the_stored_item,
    a_poll_record_round_trips_state_feed_and_files,
    retention_keeps_the_newest_and_its_tombstones_keep_removed_items_out,
    a_renamed_source_takes_over_its_items,
    outputs_are_curated_newest_first_with_their_filters,
    items_and_stats_read_back_what_was_stored,
);

type Opener<F> = fn(&'static str) -> F;

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, 0, 0).unwrap()
}

fn name(s: &str) -> SourceName {
    SourceName::new(s).unwrap()
}

fn item(source: &str, id: &str, title: &str, hour: u32) -> Item {
    Item {
        link: Some(format!("https://example.org/{id}")),
        summary: Some("<p>summary</p>".into()),
        authors: vec!["Ada".into()],
        categories: vec!["world".into()],
        published: Some(at(hour)),
        ..Item::new(name(source), ItemId::new(id), title, at(23))
    }
}

async fn titles(store: &StoreHandle, source: &str) -> Vec<String> {
    let query = ItemQuery {
        sources: Some(vec![name(source)]),
        limit: 100,
        ..ItemQuery::default()
    };
    let items = store.items(query).await.unwrap();
    items.into_iter().map(|i| i.title).collect()
}

const WIRE: &str = "[[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\n";

async fn upserts_are_idempotent_and_detect_changes<F>(open: Opener<F>)
where
    F: std::future::Future<Output = Option<Opened>>,
{
    let Some(Opened { store, _dir, .. }) = open(WIRE).await else {
        return;
    };
    let first = item("wire", "1", "First", 8);
    let summary = store.upsert_items(vec![first.clone()]).await.unwrap();
    assert_eq!((summary.inserted, summary.unchanged), (1, 0));
    let mut again = first.clone();
    again.first_seen += chrono::Duration::days(1);
    let summary = store.upsert_items(vec![again]).await.unwrap();
    assert_eq!((summary.inserted, summary.unchanged), (0, 1));
    let mut edited = first.clone();
    edited.title = "First, edited".into();
    edited.first_seen += chrono::Duration::days(2);
    let outcomes = store.ingest(None, vec![edited]).await.unwrap();
    assert_eq!(outcomes, [UpsertOutcome::Updated]);
    let stored = store
        .items(ItemQuery {
            limit: 10,
            ..ItemQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].title, "First, edited");
    assert_eq!(
        stored[0].first_seen, first.first_seen,
        "keeps its first sighting"
    );
}

async fn an_entry_back_under_a_new_id_is_the_stored_item<F>(open: Opener<F>)
where
    F: std::future::Future<Output = Option<Opened>>,
{
    let Some(Opened { store, _dir, .. }) = open(WIRE).await else {
        return;
    };
    store
        .upsert_items(vec![item("wire", "guid-1", "Story", 8)])
        .await
        .unwrap();
    let mut rotated = item("wire", "guid-2", "Story", 8);
    rotated.link = Some("https://example.org/guid-1".into());
    let summary = store.upsert_items(vec![rotated]).await.unwrap();
    assert_eq!((summary.inserted, summary.rotated), (0, 1));
    assert_eq!(titles(&store, "wire").await, ["Story"]);
}

async fn a_poll_record_round_trips_state_feed_and_files<F>(open: Opener<F>)
where
    F: std::future::Future<Output = Option<Opened>>,
{
    let Some(Opened { store, _dir, .. }) = open(WIRE).await else {
        return;
    };
    let state = FetchState {
        etag: Some("\"v1\"".into()),
        last_modified: Some("Fri, 20 Nov 2026 08:00:00 GMT".into()),
        next_due: Some(at(9)),
        failures: 2,
        last_fetch: Some(at(8)),
        last_status: Some(PollResult::Ok),
        location: Some("https://wire.example/feed".into()),
        body_hash: Some("abc".into()),
        due_reason: Some("interval".into()),
        ..FetchState::default()
    };
    let feed = SourceFeed {
        title: Some("The Wire".into()),
        id: None,
        link: Some("https://wire.example/".into()),
    };
    let files = BTreeMap::from([(
        "a.txt".to_string(),
        FileStamp {
            size: 12,
            modified_ns: 34,
        },
    )]);
    let slot = store.reserve_write().await.unwrap();
    let record = PollRecord {
        source: name("wire"),
        items: vec![item("wire", "1", "One", 8), item("wire", "2", "Two", 9)],
        state: state.clone(),
        feed: Some(feed.clone()),
        files: Some(files.clone()),
    };
    let recorded = store.record_poll(slot, record).await.unwrap();
    assert_eq!(recorded.summary.inserted, 2);
    assert!(recorded.feed_changed);
    assert_eq!(
        store.fetch_state(name("wire")).await.unwrap(),
        Some(state.clone())
    );
    assert_eq!(
        store.fetch_states().await.unwrap().get("wire"),
        Some(&state)
    );
    assert_eq!(store.source_feeds().await.unwrap().get("wire"), Some(&feed));
    assert_eq!(store.file_stamps(name("wire")).await.unwrap(), files);
    assert_eq!(store.fetch_state(name("desk")).await.unwrap(), None);
    let times = store.publication_times(name("wire"), 1).await.unwrap();
    assert_eq!(times, [("2".to_string(), at(9))]);
}

async fn retention_keeps_the_newest_and_its_tombstones_keep_removed_items_out<F>(open: Opener<F>)
where
    F: std::future::Future<Output = Option<Opened>>,
{
    let Some(Opened {
        store,
        config,
        _dir,
    }) = open(
        "[[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\nkeep = 2\n\
         [[output]]\nname = \"front\"\nsources = [\"wire\"]\nlimit = 1\n",
    )
    .await
    else {
        return;
    };
    let batch: Vec<Item> = (1..=4)
        .map(|n| item("wire", &format!("s{n}"), &format!("Story {n}"), n))
        .collect();
    store.upsert_items(batch.clone()).await.unwrap();
    assert_eq!(store.prune(Arc::clone(&config)).await.unwrap(), 2);
    assert_eq!(titles(&store, "wire").await, ["Story 4", "Story 3"]);
    let summary = store.upsert_items(batch).await.unwrap();
    assert_eq!(
        (summary.tombstoned, summary.inserted),
        (2, 0),
        "removed stays removed"
    );
    assert_eq!(store.prune(config).await.unwrap(), 0);
}

async fn a_renamed_source_takes_over_its_items<F>(open: Opener<F>)
where
    F: std::future::Future<Output = Option<Opened>>,
{
    let Some(Opened { store, _dir, .. }) = open(WIRE).await else {
        return;
    };
    store
        .upsert_items(vec![item("old", "1", "Kept", 8)])
        .await
        .unwrap();
    assert!(store.holds_source(name("old")).await.unwrap());
    let moved = store
        .adopt_renamed(vec![(name("old"), name("wire"))])
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert!(!store.holds_source(name("old")).await.unwrap());
    let items = store
        .items(ItemQuery {
            sources: Some(vec![name("wire")]),
            limit: 10,
            ..ItemQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id_source, Some(name("old")), "keeps its public id");
    let summary = store
        .upsert_items(vec![item("wire", "1", "Kept", 8)])
        .await
        .unwrap();
    assert_eq!(summary.inserted, 0);
}

async fn outputs_are_curated_newest_first_with_their_filters<F>(open: Opener<F>)
where
    F: std::future::Future<Output = Option<Opened>>,
{
    let Some(Opened { store, config, _dir }) = open(
        "[[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\n\
         [[source]]\nname = \"desk\"\nurl = \"https://desk.example/feed\"\n\
         [[output]]\nname = \"front\"\nsources = [\"wire\", \"desk\"]\nexclude = [\"sponsored\"]\nlimit = 3\n",
    )
    .await else {
        return;
    };
    let mut items: Vec<Item> = (1..=5)
        .map(|n| item("wire", &format!("w{n}"), &format!("Wire {n}"), n))
        .collect();
    items.push(item("desk", "d1", "Desk sponsored", 10));
    items.push(item("desk", "d2", "Desk news", 7));
    store.upsert_items(items).await.unwrap();
    let output = config.output("front").unwrap().clone();
    let shown = store
        .select(Arc::clone(&config), output, at(23))
        .await
        .unwrap();
    let shown: Vec<&str> = shown.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(shown, ["Desk news", "Wire 5", "Wire 4"]);
}

async fn items_and_stats_read_back_what_was_stored<F>(open: Opener<F>)
where
    F: std::future::Future<Output = Option<Opened>>,
{
    let Some(Opened { store, _dir, .. }) = open(WIRE).await else {
        return;
    };
    let original = Item {
        content: Some("<p>Café “quoted” ✓</p>".into()),
        image: Some("https://cdn.example.org/1.jpg".into()),
        episode: Some(7),
        explicit: Some(false),
        updated: Some(at(10)),
        ..item("wire", "1", "Title ✓", 8)
    };
    store
        .upsert_items(vec![original.clone(), item("desk", "2", "Other", 9)])
        .await
        .unwrap();
    let read = store
        .items(ItemQuery {
            sources: Some(vec![name("wire")]),
            limit: 10,
            ..ItemQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(read, [original]);
    let counts = store.item_counts().await.unwrap();
    assert_eq!(
        (counts.get("wire"), counts.get("desk")),
        (Some(&1), Some(&1))
    );
    let stats = store.source_stats().await.unwrap();
    let names: Vec<&str> = stats.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["desk", "wire"]);
    assert!(store.is_healthy().await);
    let all = store
        .items(ItemQuery {
            limit: 1,
            offset: 1,
            ..ItemQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].title, "Title ✓", "newest first, after the offset");
}
