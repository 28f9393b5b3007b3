//! Retention against a feed that keeps listing what it removed: the
//! removed items must not come back as new at the next poll (issue 10).

use std::time::Duration;

use axum::Router;
use chrono::TimeDelta;
use syndic::config::Config;
use syndic::fetch::FetchSlots;
use syndic::model::SourceName;
use syndic::poll::{PollOutcome, Poller};
use syndic::store::{ItemQuery, Store, StoreHandle, UpsertSummary};

use crate::support::{mutable_document, serve, syndic};

/// An RSS document of `guids`, undated, built at `build` (the channel's
/// date changes the body, so the poll reads it again rather than taking
/// it for the one read last time).
fn rss(build: u32, guids: &[&str]) -> String {
    let items: String = guids
        .iter()
        .map(|g| {
            format!("<item><title>Story {g}</title><link>https://wire.example/{g}</link><guid>{g}</guid></item>")
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>\
         <lastBuildDate>Fri, 20 Nov 2026 0{build}:00:00 GMT</lastBuildDate>{items}</channel></rss>"
    )
}

fn feeds_toml(url: &str, retention: &str) -> String {
    format!("[daemon]\ndatabase = \"syndic.db\"\n[[source]]\nname = \"wire\"\nurl = \"{url}\"\n{retention}\n")
}

fn rules(config: &Config) -> Vec<(SourceName, syndic::config::Retention)> {
    config
        .sources
        .iter()
        .map(|s| (s.name.clone(), s.retention))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_1_removes_two_and_the_next_poll_adds_none() {
    let (body, route) = mutable_document(&rss(1, &["a", "b", "c"]));
    let addr = serve(Router::new().route("/feed", route)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("feeds.toml");
    let text = feeds_toml(&format!("http://{addr}/feed"), "keep = 1");
    std::fs::write(&path, &text).expect("config written");
    let config = Config::parse(&path, &text).expect("config");
    let poll = |path: std::path::PathBuf| async move {
        let out = tokio::task::spawn_blocking(move || syndic(&path, &["poll", "--all"]))
            .await
            .expect("poll ran");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let first = poll(path.clone()).await;
    assert!(first.contains("3 new"), "{first}");
    let mut store = Store::open(&config.daemon.database).expect("store");
    assert_eq!(
        store
            .prune(&rules(&config), &[], chrono::Utc::now())
            .expect("prune"),
        2
    );
    drop(store);

    *body.lock().expect("not poisoned") = rss(2, &["a", "b", "c"]);
    let second = poll(path.clone()).await;
    assert!(
        second.contains("0 new, 0 updated, 1 unchanged; 2 removed by retention before, left out"),
        "{second}"
    );
    let store = Store::open(&config.daemon.database).expect("store");
    assert_eq!(store.item_counts().expect("counts").get("wire"), Some(&1));
}

async fn stored(store: &StoreHandle) -> Vec<syndic::model::Item> {
    let query = ItemQuery {
        limit: 10,
        ..Default::default()
    };
    store.read(move |s| s.items(&query)).await.expect("items")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_age_removals_stay_removed_until_the_feed_stops_listing_them() {
    let (body, route) = mutable_document(&rss(1, &["a", "b"]));
    let addr = serve(Router::new().route("/feed", route)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let text = feeds_toml(&format!("http://{addr}/feed"), "max_age = \"7d\"");
    let config = Config::parse(&dir.path().join("feeds.toml"), &text).expect("config");
    let store = StoreHandle::open(&config.daemon.database).expect("store");
    let poller = Poller::new(&config.daemon, FetchSlots::new(4, 2), store.clone()).expect("poller");
    let poll = || async {
        match poller.poll(&config.sources[0]).await.outcome {
            PollOutcome::Stored { summary, .. } => summary,
            other => panic!("expected stored items, got {other:?}"),
        }
    };
    let prune = |at: chrono::DateTime<chrono::Utc>| {
        let rules = rules(&config);
        let store = store.clone();
        async move {
            store
                .write(move |s| s.prune(&rules, &[], at))
                .await
                .expect("prune")
        }
    };

    assert_eq!(poll().await.inserted, 2);
    // Ages are counted in whole seconds: c must arrive a second later.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    *body.lock().expect("not poisoned") = rss(2, &["a", "b", "c"]);
    assert_eq!(poll().await.inserted, 1);
    let c = stored(&store)
        .await
        .into_iter()
        .find(|i| i.title == "Story c")
        .expect("c stored");
    // A week after c arrived: a and b are older than `max_age`, c is not.
    let week_on = c.first_seen + TimeDelta::days(7);
    assert_eq!(prune(week_on).await, 2);

    *body.lock().expect("not poisoned") = rss(3, &["a", "b", "c"]);
    let summary = poll().await;
    assert_eq!(
        summary,
        UpsertSummary {
            unchanged: 1,
            tombstoned: 2,
            ..UpsertSummary::default()
        }
    );
    let left: Vec<String> = stored(&store).await.into_iter().map(|i| i.title).collect();
    assert_eq!(left, ["Story c"]);

    // The feed stops listing a and b; a month on their tombstones are
    // gone, and a listed again is a new item.
    *body.lock().expect("not poisoned") = rss(4, &["c"]);
    assert_eq!(poll().await.unchanged, 1);
    let month_on = week_on + TimeDelta::days(31);
    store
        .write(move |s| s.prune(&[], &[], month_on))
        .await
        .expect("expiry");
    let counts = store.read(|s| s.tombstone_counts()).await.expect("counts");
    assert!(counts.is_empty(), "{counts:?}");
    *body.lock().expect("not poisoned") = rss(5, &["a", "c"]);
    assert_eq!(poll().await.inserted, 1);
}
