//! Polling end to end: a real HTTP server on loopback, a real SQLite file,
//! and the fetch state that steers the next poll.

use std::sync::{Arc, Mutex};

use crate::support::{mutable_document, serve, stored_titles, syndic, Conditional};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use syndic::config::Config;
use syndic::fetch::FetchSlots;
use syndic::model::{PollResult, SourceName};
use syndic::poll::{PollOutcome, Poller};
use syndic::store::{FetchState, StoreHandle};

const FIRST: &str = include_str!("../fixtures/daemon/first.rss");

struct Setup {
    dir: tempfile::TempDir,
    config: Config,
    poller: Poller,
    store: StoreHandle,
}

/// A config with one source per `(name, path)` on `addr`.
fn setup(addr: std::net::SocketAddr, sources: &[(&str, &str)]) -> Setup {
    let mut text = String::new();
    for (name, path) in sources {
        text.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nurl = \"http://{addr}{path}\"\ninterval = \"15m\"\n"
        ));
    }
    setup_config(&text)
}

/// A config of `sources` (TOML) with a database in a fresh folder.
fn setup_config(sources: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("[daemon]\ndatabase = \"syndic.db\"\n{sources}");
    let config = Config::parse(&dir.path().join("feeds.toml"), &text).unwrap();
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    let poller = Poller::new(&config.daemon, FetchSlots::new(8, 2), store.clone()).unwrap();
    Setup {
        dir,
        config,
        poller,
        store,
    }
}

impl Setup {
    async fn poll(&self, name: &str) -> syndic::poll::PollReport {
        self.poller.poll(self.config.source(name).unwrap()).await
    }

    async fn state(&self, name: &str) -> FetchState {
        let name = SourceName::new(name).unwrap();
        self.store
            .read(move |s| s.fetch_state(&name))
            .await
            .unwrap()
            .expect("state stored")
    }

    async fn titles(&self) -> Vec<String> {
        stored_titles(&self.store).await
    }
}

fn stored(outcome: &PollOutcome) -> (usize, usize, usize) {
    match outcome {
        PollOutcome::Stored { summary, .. } => {
            (summary.inserted, summary.updated, summary.unchanged)
        }
        other => panic!("expected stored items, got {other:?}"),
    }
}

fn minutes_until(at: chrono::DateTime<Utc>) -> i64 {
    (at - Utc::now()).num_minutes()
}

#[tokio::test]
async fn first_poll_stores_and_a_repeat_costs_a_304() {
    let doc = Conditional::new(FIRST, "\"r1\"", "application/rss+xml");
    let served = doc.clone();
    let addr = serve(Router::new().route(
        "/feed",
        get(move |h: HeaderMap| async move { served.respond(&h) }),
    ))
    .await;
    let s = setup(addr, &[("harbour", "/feed")]);
    let first = s.poll("harbour").await;
    assert_eq!(stored(&first.outcome), (2, 0, 0));
    let wait = minutes_until(first.next_due);
    assert!((13..=16).contains(&wait), "next poll in {wait} min");
    let gen = s.store.generation();

    let second = s.poll("harbour").await;
    assert!(
        matches!(second.outcome, PollOutcome::NotModified),
        "{second:?}"
    );
    assert_eq!(doc.full_responses(), 1);
    assert_eq!(s.store.generation(), gen, "a 304 changes nothing");
    let state = s.state("harbour").await;
    assert_eq!(state.etag.as_deref(), Some("\"r1\""));
    assert_eq!(
        (state.failures, state.last_status),
        (0, Some(PollResult::NotModified))
    );
    let mut titles = s.titles().await;
    titles.sort();
    assert_eq!(
        titles,
        ["Breakwater repairs begin", "Ferry timetable changes"]
    );
}

#[tokio::test]
async fn unchanged_feeds_add_nothing_and_changed_entries_update_in_place() {
    let (body, route) = mutable_document(FIRST);
    let addr = serve(Router::new().route("/feed", route)).await;
    let s = setup(addr, &[("harbour", "/feed")]);
    assert_eq!(stored(&s.poll("harbour").await.outcome), (2, 0, 0));
    // The server sends no validators: the same body again is known by its
    // digest and not parsed.
    assert!(matches!(
        s.poll("harbour").await.outcome,
        PollOutcome::NotModified
    ));

    let edited = FIRST.replace("Ferry timetable changes", "Ferry timetable changes again");
    *body.lock().unwrap() = edited;
    let gen = s.store.generation();
    assert_eq!(stored(&s.poll("harbour").await.outcome), (0, 1, 1));
    assert!(s.store.generation() > gen, "readers learn of the change");
    let titles = s.titles().await;
    assert_eq!(titles.len(), 2);
    assert!(titles.contains(&"Ferry timetable changes again".to_string()));
}

#[tokio::test]
async fn gone_disables_until_the_url_changes() {
    let hits = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&hits);
    let addr = serve(
        Router::new()
            .route(
                "/gone",
                get(move || {
                    *counted.lock().unwrap() += 1;
                    async { StatusCode::GONE }
                }),
            )
            .route("/feed", get(|| async { FIRST })),
    )
    .await;
    let s = setup(addr, &[("old", "/gone")]);
    let report = s.poll("old").await;
    assert_eq!(report.outcome.result(), PollResult::Gone);
    let state = s.state("old").await;
    assert!(state.disabled);
    assert!(state.last_error.unwrap().contains("410"));
    assert!(matches!(s.poll("old").await.outcome, PollOutcome::Disabled));
    assert_eq!(*hits.lock().unwrap(), 1, "a disabled source is not fetched");

    // The user fixes the url: the source is polled afresh.
    let mut fixed = s.config.clone();
    fixed.sources[0].location =
        syndic::config::Location::Url(format!("http://{addr}/feed").parse().unwrap());
    let report = s.poller.poll(&fixed.sources[0]).await;
    assert_eq!(stored(&report.outcome), (2, 0, 0));
    assert!(!s.state("old").await.disabled);
}

#[tokio::test]
async fn permanent_redirects_move_the_source() {
    let old_hits = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&old_hits);
    let addr = serve(
        Router::new()
            .route(
                "/old",
                get(move || {
                    *counted.lock().unwrap() += 1;
                    async {
                        (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/new")])
                            .into_response()
                    }
                }),
            )
            .route("/new", get(|| async { FIRST })),
    )
    .await;
    let s = setup(addr, &[("harbour", "/old")]);
    assert_eq!(stored(&s.poll("harbour").await.outcome), (2, 0, 0));
    let state = s.state("harbour").await;
    assert_eq!(state.moved_to, Some(format!("http://{addr}/new")));
    assert!(matches!(
        s.poll("harbour").await.outcome,
        PollOutcome::NotModified
    ));
    assert_eq!(
        *old_hits.lock().unwrap(),
        1,
        "the old address is not asked again"
    );
}

#[tokio::test]
async fn failures_back_off_and_honour_retry_after() {
    let addr = serve(
        Router::new()
            .route(
                "/busy",
                get(|| async {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, "7200")],
                    )
                }),
            )
            .route(
                "/broken",
                get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
            ),
    )
    .await;
    let s = setup(addr, &[("busy", "/busy"), ("broken", "/broken")]);
    let busy = s.poll("busy").await;
    assert_eq!(busy.outcome.result(), PollResult::Error);
    let wait = minutes_until(busy.next_due);
    assert!(
        (107..=132).contains(&wait),
        "Retry-After 2h, next in {wait} min"
    );

    let once = minutes_until(s.poll("broken").await.next_due);
    let twice = minutes_until(s.poll("broken").await.next_due);
    assert!((26..=33).contains(&once), "first backoff {once} min");
    assert!((53..=66).contains(&twice), "second backoff {twice} min");
    let state = s.state("broken").await;
    assert_eq!(state.failures, 2);
    assert_eq!(state.last_error.as_deref(), Some("HTTP 500"));
}

#[tokio::test]
async fn an_unreadable_feed_is_recorded_and_stored_items_stay() {
    let (body, route) = mutable_document(FIRST);
    let addr = serve(Router::new().route("/feed", route)).await;
    let s = setup(addr, &[("harbour", "/feed")]);
    s.poll("harbour").await;
    *body.lock().unwrap() = "<html><body>Maintenance</body></html>".into();
    let report = s.poll("harbour").await;
    assert_eq!(report.outcome.result(), PollResult::Error);
    let state = s.state("harbour").await;
    assert!(
        state
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("cannot read the feed"),
        "{state:?}"
    );
    assert_eq!(s.titles().await.len(), 2, "nothing stored is lost");
}

#[tokio::test]
async fn ttl_and_max_age_stretch_the_interval() {
    let with_ttl = FIRST.replace(
        "<title>Harbour Gazette</title>",
        "<title>Harbour Gazette</title><ttl>180</ttl>",
    );
    let addr = serve(
        Router::new()
            .route("/ttl", get(move || async move { with_ttl }))
            .route(
                "/cached",
                get(|| async { ([(header::CACHE_CONTROL, "max-age=14400")], FIRST) }),
            ),
    )
    .await;
    let s = setup(addr, &[("ttl", "/ttl"), ("cached", "/cached")]);
    let ttl = minutes_until(s.poll("ttl").await.next_due);
    assert!((160..=198).contains(&ttl), "ttl 3h, next in {ttl} min");
    let cached = minutes_until(s.poll("cached").await.next_due);
    assert!(
        (215..=264).contains(&cached),
        "max-age 4h, next in {cached} min"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_poll_command_reports_each_source_and_fails_when_one_did() {
    let addr = serve(
        Router::new()
            .route("/feed", get(|| async { FIRST }))
            .route("/missing", get(|| async { StatusCode::NOT_FOUND })),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"db/syndic.db\"\n\
             [[source]]\nname = \"good\"\nurl = \"http://{addr}/feed\"\n\
             [[source]]\nname = \"bad\"\nurl = \"http://{addr}/missing\"\n"
        ),
    )
    .unwrap();
    let config_path = config.clone();
    let out = tokio::task::spawn_blocking(move || syndic(&config_path, &["poll", "--all"]))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("good") && stdout.contains("2 new"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bad") && stdout.contains("HTTP 404"),
        "{stdout}"
    );

    // Nothing is due any more; naming a source polls it anyway.
    let config_path = config.clone();
    let out = tokio::task::spawn_blocking(move || syndic(&config_path, &["poll"]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no source is due"));
    let out = tokio::task::spawn_blocking(move || syndic(&config, &["poll", "good"]))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("not_modified"), "{stdout}");
}

const HEADLINES: &str = "Harbour Ferry Returns After Winter Break\nCouncil Opens New Riverside Library\nStorm Warning Lifted Across the Valley\n";

#[tokio::test]
async fn text_sources_read_dumps_over_http_with_conditional_get() {
    let doc = Conditional::new(HEADLINES, "\"d1\"", "text/plain; charset=utf-8");
    let served = doc.clone();
    let addr = serve(Router::new().route(
        "/dump.txt",
        get(move |h: HeaderMap| async move { served.respond(&h) }),
    ))
    .await;
    let s = setup_config(&format!(
        "[[source]]\nname = \"web\"\nkind = \"text\"\nurl = \"http://{addr}/dump.txt\"\n"
    ));
    assert_eq!(stored(&s.poll("web").await.outcome), (3, 0, 0));
    assert!(matches!(
        s.poll("web").await.outcome,
        PollOutcome::NotModified
    ));
    assert_eq!(doc.full_responses(), 1);
    assert!(s
        .titles()
        .await
        .contains(&"Council Opens New Riverside Library".to_string()));
}

#[tokio::test]
async fn text_sources_pick_up_new_dumps_in_their_folder() {
    let s = setup_config("[[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n");
    let dumps = s.dir.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    std::fs::write(dumps.join("monday.txt"), HEADLINES).unwrap();
    assert_eq!(stored(&s.poll("desk").await.outcome), (3, 0, 0));

    // A new dump repeating one headline, and a file that is not text.
    let tuesday = "Storm Warning Lifted Across the Valley\nMarket Hall Reopens on Saturday\n";
    std::fs::write(dumps.join("tuesday.txt"), tuesday).unwrap();
    std::fs::write(dumps.join("broken.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2]).unwrap();
    let report = s.poll("desk").await;
    let PollOutcome::Stored { summary, warning } = &report.outcome else {
        panic!("{report:?}");
    };
    assert_eq!((summary.inserted, summary.updated), (1, 0));
    let warning = warning.as_deref().unwrap_or_default();
    assert!(warning.contains("broken.txt"), "{warning}");
    assert_eq!(s.titles().await.len(), 4);
}

#[tokio::test]
async fn a_dump_folder_reads_only_the_files_that_changed() {
    let s = setup_config("[[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n");
    let dumps = s.dir.path().join("dumps");
    std::fs::create_dir(&dumps).unwrap();
    std::fs::write(dumps.join("monday.txt"), HEADLINES).unwrap();
    let tuesday = "Market Hall Reopens on Saturday\nBridge Repairs Finish Early\n";
    std::fs::write(dumps.join("tuesday.txt"), tuesday).unwrap();
    assert_eq!(stored(&s.poll("desk").await.outcome), (5, 0, 0));
    assert!(matches!(
        s.poll("desk").await.outcome,
        PollOutcome::NotModified
    ));

    // Only monday is read again: had tuesday been re-read, its two
    // headlines would count as unchanged too.
    let monday = format!("{HEADLINES}Night Buses Return to the Old Town\n");
    std::fs::write(dumps.join("monday.txt"), monday).unwrap();
    assert_eq!(stored(&s.poll("desk").await.outcome), (1, 0, 3));

    // A broken file is reported at every poll until it is fixed.
    std::fs::write(dumps.join("broken.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2]).unwrap();
    for _ in 0..2 {
        let report = s.poll("desk").await;
        let PollOutcome::Stored { warning, .. } = &report.outcome else {
            panic!("{report:?}");
        };
        assert!(warning
            .as_deref()
            .unwrap_or_default()
            .contains("broken.txt"));
    }
    std::fs::remove_file(dumps.join("broken.txt")).unwrap();
    assert!(matches!(
        s.poll("desk").await.outcome,
        PollOutcome::NotModified
    ));
    assert_eq!(s.titles().await.len(), 6);
}

/// With one fetch slot and the writer held up, both sources are still
/// fetched: a poll hands its slot back once its write is queued, instead
/// of holding it until the writer gets to it.
#[tokio::test]
async fn a_poll_waiting_for_the_writer_frees_its_fetch_slot() {
    let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&fetches);
    let app = Router::new().route(
        "/{feed}",
        get(move || {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async { ([(header::CONTENT_TYPE, "application/rss+xml")], FIRST) }
        }),
    );
    let addr = serve(app).await;
    let mut s = setup(addr, &[("a", "/a"), ("b", "/b")]);
    s.poller = Poller::new(&s.config.daemon, FetchSlots::new(1, 1), s.store.clone()).unwrap();
    let (release, held) = std::sync::mpsc::channel::<()>();
    let holder = s.store.clone();
    let hold = tokio::spawn(async move {
        holder
            .write(move |_| {
                let _ = held.recv();
                Ok(())
            })
            .await
    });
    let s = Arc::new(s);
    let both = {
        let s = Arc::clone(&s);
        tokio::spawn(async move { tokio::join!(s.poll("a"), s.poll("b")) })
    };
    let waited = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while fetches.load(std::sync::atomic::Ordering::SeqCst) < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    release.send(()).unwrap();
    assert!(
        waited.is_ok(),
        "the second fetch waited for the first poll's write"
    );
    hold.await.unwrap().unwrap();
    let (a, b) = both.await.unwrap();
    assert_eq!(stored(&a.outcome).0, stored(&b.outcome).0);
    assert!(stored(&a.outcome).0 > 0);
}
