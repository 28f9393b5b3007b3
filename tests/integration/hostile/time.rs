//! Dates and ids a feed cannot be trusted with: an item dated in the
//! year 9999 must not hold the top of an output or outlive `max_age`, and a
//! feed that mints new guids on every poll must not grow the database.

use std::collections::HashMap;

use axum::Router;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use syndic::config::{Config, Retention};
use syndic::fetch::FetchSlots;
use syndic::model::{Item, ItemId, SourceName, DATE_SKEW_SECS};
use syndic::poll::{PollOutcome, Poller};
use syndic::render::FeedFormat;
use syndic::store::{ItemQuery, Store, StoreHandle, UpsertSummary};

use crate::support::{mutable_document, serve, syndic};

const FAR: &str = "Fri, 31 Dec 9999 23:59:59 GMT";

fn far() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap()
}

fn item(source: &str, id: &str, title: &str, link: Option<&str>, seen: DateTime<Utc>) -> Item {
    Item {
        link: link.map(String::from),
        ..Item::new(
            SourceName::new(source).unwrap(),
            ItemId::new(id),
            title,
            seen,
        )
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("syndic.db")).unwrap();
    (dir, store)
}

fn ids(store: &Store) -> Vec<String> {
    let items = store
        .items(&ItemQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    items.into_iter().map(|i| i.id.to_string()).collect()
}

#[test]
fn a_far_future_date_sorts_as_arrival_plus_the_skew_and_is_kept_as_claimed() {
    let (_dir, mut store) = temp_store();
    let future = Item {
        published: Some(far()),
        ..item("wire", "future", "Dated 9999", None, t0())
    };
    let later = t0() + TimeDelta::hours(2);
    let newer = Item {
        published: Some(later),
        ..item("wire", "newer", "Two hours on", None, later)
    };
    store.upsert_items(&[future.clone(), newer]).unwrap();

    assert_eq!(ids(&store), ["newer", "future"]);
    let stored = store.item(&future.source, &future.id).unwrap().unwrap();
    assert_eq!(stored.published, Some(far()), "the claimed date is kept");
    assert_eq!(
        stored.sort_time(),
        t0() + TimeDelta::seconds(DATE_SKEW_SECS)
    );
    // Only items dated from an hour ago on: the 9999 one is older than that.
    let since = store
        .items(&ItemQuery {
            since: Some(later - TimeDelta::minutes(30)),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(since.len(), 1);
}

#[test]
fn served_feeds_carry_the_held_date_not_the_claimed_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[[source]]\nname = \"wire\"\nurl = \"https://wire.example/feed\"\n\
                [[output]]\nname = \"front\"\nsources = [\"wire\"]\n";
    let config = Config::parse(&dir.path().join("feeds.toml"), text).unwrap();
    let future = Item {
        published: Some(far()),
        updated: Some(far()),
        ..item("wire", "future", "Far ahead", None, t0())
    };
    let held = t0() + TimeDelta::seconds(DATE_SKEW_SECS);
    let items = [future];
    assert_eq!(syndic::render::last_change(&items), Some(held));
    for format in [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json] {
        let origins = syndic::render::Origins::default();
        let doc =
            syndic::render::render(format, &config.outputs[0], &items, &origins, &config.daemon);
        assert!(!doc.contains("9999"), "{format}: {doc}");
        assert!(doc.contains("2026"), "{format}: {doc}");
    }
}

#[test]
fn retention_removes_a_far_future_item_once_its_arrival_is_old() {
    let (_dir, mut store) = temp_store();
    let future = Item {
        published: Some(far()),
        ..item("wire", "future", "Dated 9999", None, t0())
    };
    store.upsert_item(&future).unwrap();
    let rules = [(
        future.source.clone(),
        Retention {
            keep: None,
            max_age: Some(std::time::Duration::from_secs(86_400)),
        },
    )];
    assert_eq!(
        store
            .prune(&rules, &[], t0() + TimeDelta::hours(12))
            .unwrap(),
        0
    );
    assert_eq!(
        store.prune(&rules, &[], t0() + TimeDelta::days(2)).unwrap(),
        1
    );
    assert!(ids(&store).is_empty());
}

#[test]
fn an_item_back_under_a_new_id_is_the_stored_one_and_look_alikes_stay_apart() {
    let (_dir, mut store) = temp_store();
    let live = "https://wire.example/live";
    let first = [
        item("wire", "a1", "Storm live", Some(live), t0()),
        item("wire", "b1", "Storm live: evening", Some(live), t0()),
        item(
            "wire",
            "c1",
            "Storm live",
            Some("https://wire.example/c"),
            t0(),
        ),
        item("wire", "d1", "No link", None, t0()),
    ];
    store.upsert_items(&first).unwrap();

    let later = t0() + TimeDelta::hours(1);
    let second = [
        item("wire", "a2", "Storm live", Some(live), later),
        item("wire", "b2", "Storm live: evening", Some(live), later),
        item(
            "wire",
            "c2",
            "Storm live",
            Some("https://wire.example/c"),
            later,
        ),
        // A link without a match is never folded on title alone.
        item("wire", "d2", "No link", None, later),
        // The same link with a new title is a new story, and so is the same
        // title under a new link.
        item("wire", "e1", "Storm live: morning after", Some(live), later),
        item(
            "wire",
            "f1",
            "Storm live",
            Some("https://wire.example/f"),
            later,
        ),
    ];
    let summary = store.upsert_items(&second).unwrap();
    assert_eq!(
        summary,
        UpsertSummary {
            inserted: 3,
            updated: 0,
            unchanged: 3,
            tombstoned: 0,
            rotated: 3,
        }
    );
    let mut stored = ids(&store);
    stored.sort();
    assert_eq!(stored, ["a1", "b1", "c1", "d1", "d2", "e1", "f1"]);
    let kept = store.item(&first[0].source, &first[0].id).unwrap().unwrap();
    assert_eq!(kept.first_seen, t0(), "the first sighting is kept");

    // A stored item still in the feed under its own id is not taken over
    // by a look-alike beside it: two entries of one poll are two items.
    let third = [
        item("wire", "a1", "Storm live", Some(live), later),
        item("wire", "a3", "Storm live", Some(live), later),
    ];
    let summary = store.upsert_items(&third).unwrap();
    assert_eq!((summary.inserted, summary.rotated), (1, 0));
}

/// A loopback source setup: `sources` is TOML, the database in a folder of
/// its own, the config written where the binary can read it.
struct Setup {
    _dir: tempfile::TempDir,
    config: Config,
    config_path: std::path::PathBuf,
    poller: Poller,
    store: StoreHandle,
}

fn setup(toml: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("feeds.toml");
    let text = format!("[daemon]\ndatabase = \"syndic.db\"\n{toml}");
    std::fs::write(&config_path, &text).unwrap();
    let config = Config::parse(&config_path, &text).unwrap();
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    let poller = Poller::new(&config.daemon, FetchSlots::new(8, 2), store.clone()).unwrap();
    Setup {
        _dir: dir,
        config,
        config_path,
        poller,
        store,
    }
}

impl Setup {
    async fn poll(&self, name: &str) -> UpsertSummary {
        match self
            .poller
            .poll(self.config.source(name).unwrap())
            .await
            .outcome
        {
            PollOutcome::Stored { summary, .. } => summary,
            other => panic!("expected stored items, got {other:?}"),
        }
    }

    async fn counts(&self) -> HashMap<String, u64> {
        self.store.read(|s| s.item_counts()).await.unwrap()
    }
}

fn rss(items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{}</channel></rss>",
        items.concat()
    )
}

fn rss_item(guid: &str, title: &str, link: &str, date: &str) -> String {
    format!(
        "<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>\
         <pubDate>{date}</pubDate><description>About {title}</description></item>"
    )
}

#[tokio::test]
async fn a_far_future_item_does_not_top_a_merged_output_and_ages_out() {
    let recent = (Utc::now() - TimeDelta::minutes(10)).to_rfc2822();
    let (future_body, future_route) = mutable_document("");
    let (wire_body, wire_route) = mutable_document("");
    let addr = serve(
        Router::new()
            .route("/future", future_route)
            .route("/wire", wire_route),
    )
    .await;
    let s = setup(&format!(
        "[[source]]\nname = \"future\"\nurl = \"http://{addr}/future\"\nmax_age = \"1d\"\n\
         [[source]]\nname = \"wire\"\nurl = \"http://{addr}/wire\"\n\
         [[output]]\nname = \"front\"\nsources = [\"future\", \"wire\"]\nlimit = 3\n\
         [[output]]\nname = \"today\"\nsources = [\"future\"]\nmax_age = \"1d\"\n"
    ));
    let link = format!("http://{addr}/far");
    *future_body.lock().unwrap() = rss(&[rss_item("far", "Dated 9999", &link, FAR)]);
    *wire_body.lock().unwrap() = rss(&(1..=3)
        .map(|n| {
            rss_item(
                &format!("w{n}"),
                &format!("Wire {n}"),
                &format!("http://{addr}/w{n}"),
                &recent,
            )
        })
        .collect::<Vec<_>>());

    // The 9999 item arrived two days ago; the feed still carries it.
    let arrived = Utc::now() - TimeDelta::days(2);
    let mut early = item("future", "far", "Dated 9999", Some(&link), arrived);
    early.published = Some(far());
    s.store
        .write(move |st| st.upsert_item(&early))
        .await
        .unwrap();
    s.poll("future").await;
    s.poll("wire").await;

    let config = s.config.clone();
    let shown = s
        .store
        .read(move |st| {
            let now = Utc::now();
            let mut shown = HashMap::new();
            for output in &config.outputs {
                let items = syndic::curate::select(st, &config, output, now)?;
                shown.insert(output.name.to_string(), items);
            }
            Ok(shown)
        })
        .await
        .unwrap();
    let titles =
        |name: &str| -> Vec<String> { shown[name].iter().map(|i| i.title.clone()).collect() };
    assert_eq!(titles("front"), ["Wire 1", "Wire 2", "Wire 3"]);
    assert!(titles("today").is_empty(), "{:?}", titles("today"));

    // Retention as the daemon runs it: what outputs show is spared, the
    // rest past `max_age` goes, the 9999 item with it.
    let protected: Vec<_> = shown
        .values()
        .flatten()
        .map(|i| (i.source.clone(), i.id.clone()))
        .collect();
    let rules: Vec<_> = s
        .config
        .sources
        .iter()
        .map(|src| (src.name.clone(), src.retention))
        .collect();
    let removed = s
        .store
        .write(move |st| st.prune(&rules, &protected, Utc::now()))
        .await
        .unwrap();
    assert_eq!(removed, 1);
    let counts = s.counts().await;
    assert_eq!((counts.get("future"), counts.get("wire")), (None, Some(&3)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_rotating_its_guids_keeps_its_item_count_and_sources_says_so() {
    let (body, route) = mutable_document("");
    let addr = serve(Router::new().route("/feed", route)).await;
    let s = setup(&format!(
        "[[source]]\nname = \"spinner\"\nurl = \"http://{addr}/feed\"\n"
    ));
    let date = "Fri, 20 Nov 2026 08:00:00 GMT";
    let live = format!("http://{addr}/live");
    let document = |poll: u32| {
        let mut items: Vec<String> = (1..=20)
            .map(|n| {
                rss_item(
                    &format!("urn:uuid:{poll}-{n}"),
                    &format!("Story {n}"),
                    &format!("http://{addr}/story/{n}"),
                    date,
                )
            })
            .collect();
        // Two stories on one live page stay two items.
        items.push(rss_item(
            &format!("live-a-{poll}"),
            "Live: morning",
            &live,
            date,
        ));
        items.push(rss_item(
            &format!("live-b-{poll}"),
            "Live: evening",
            &live,
            date,
        ));
        rss(&items)
    };
    for poll in 1..=5 {
        *body.lock().unwrap() = document(poll);
        let summary = s.poll("spinner").await;
        let expected = if poll == 1 { (22, 0) } else { (0, 22) };
        assert_eq!((summary.inserted, summary.rotated), expected, "poll {poll}");
        assert_eq!(s.counts().await.get("spinner"), Some(&22), "poll {poll}");
    }

    let config = s.config_path.clone();
    let (text, json) = tokio::task::spawn_blocking(move || {
        (
            syndic(&config, &["sources"]),
            syndic(&config, &["sources", "--json"]),
        )
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("rotates ids: 22 items"), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json[0]["rotated_ids"], 22, "{json}");
    assert_eq!(json[0]["items"], 22, "{json}");
}
