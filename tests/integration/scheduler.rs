//! The scheduler against a loopback server: it polls what is due according
//! to the stored state, follows config reloads, and stops without waiting
//! for a stuck server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Path;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use syndic::config::Config;
use syndic::fetch::FetchSlots;
use syndic::metrics::Metrics;
use syndic::model::SourceName;
use syndic::poll::Poller;
use syndic::scheduler::Scheduler;
use syndic::shutdown::{self, ShutdownTrigger};
use syndic::store::{FetchState, StoreHandle};
use tokio::sync::watch;

const FEED: &str = include_str!("../fixtures/daemon/first.rss");

type Hits = Arc<Mutex<HashMap<String, usize>>>;

/// Serves the fixture at `/feed/{name}`, counting requests per name;
/// `/slow/{name}` never answers in time.
async fn counting_server() -> (std::net::SocketAddr, Hits) {
    let hits: Hits = Arc::default();
    let counted = Arc::clone(&hits);
    let app = Router::new()
        .route(
            "/feed/{name}",
            get(move |Path(name): Path<String>| {
                *counted.lock().unwrap().entry(name).or_default() += 1;
                async { FEED }
            }),
        )
        .route(
            "/slow/{name}",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                FEED
            }),
        );
    (crate::support::serve(app).await, hits)
}

fn config(dir: &std::path::Path, addr: std::net::SocketAddr, sources: &[(&str, &str)]) -> Config {
    let mut text = String::from("[daemon]\ndatabase = \"syndic.db\"\n");
    for (name, route) in sources {
        text.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nurl = \"http://{addr}/{route}/{name}\"\n"
        ));
    }
    Config::parse(&dir.join("feeds.toml"), &text).unwrap()
}

struct Running {
    config: watch::Sender<Arc<Config>>,
    stop: ShutdownTrigger,
    task: tokio::task::JoinHandle<()>,
}

async fn start(config: Config, store: &StoreHandle) -> Running {
    let slots = FetchSlots::new(4, 2);
    let poller = Arc::new(Poller::new(&config.daemon, slots, store.clone()).unwrap());
    let (config_tx, config_rx) = watch::channel(Arc::new(config));
    let (stop_tx, stop_rx) = shutdown::channel();
    let scheduler = Scheduler::resume(poller, config_rx, Arc::new(Metrics::new())).await;
    let task = tokio::spawn(scheduler.run(stop_rx, Duration::from_millis(200)));
    Running {
        config: config_tx,
        stop: stop_tx,
        task,
    }
}

impl Running {
    async fn stop(self) {
        self.stop.trigger();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the scheduler stops")
            .unwrap();
    }
}

async fn wait_for_hits(hits: &Hits, name: &str, n: usize) {
    for _ in 0..200 {
        if hits.lock().unwrap().get(name).copied().unwrap_or(0) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "{name} was not polled {n} times: {:?}",
        hits.lock().unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_what_is_due_and_resumes_the_stored_schedule() {
    let (addr, hits) = counting_server().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), addr, &[("due", "feed"), ("later", "feed")]);
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    // `later` was polled before a restart and is not due for an hour.
    let later = config.source("later").unwrap();
    let state = FetchState {
        next_due: Some(Utc::now() + chrono::Duration::hours(1)),
        location: Some(later.location.to_string()),
        ..FetchState::default()
    };
    let name = SourceName::new("later").unwrap();
    store
        .write(move |s| s.save_fetch_state(&name, &state))
        .await
        .unwrap();

    let running = start(config, &store).await;
    wait_for_hits(&hits, "due", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.stop().await;

    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.get("due"), Some(&1), "polled once, not again");
    assert_eq!(hits.get("later"), None, "not due yet");
    let name = SourceName::new("due").unwrap();
    let state = store
        .read(move |s| s.fetch_state(&name))
        .await
        .unwrap()
        .unwrap();
    let minutes = (state.next_due.unwrap() - Utc::now()).num_minutes();
    assert!((25..=33).contains(&minutes), "next poll in {minutes} min");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_adds_new_sources_and_drops_removed_ones() {
    let (addr, hits) = counting_server().await;
    let dir = tempfile::tempdir().unwrap();
    let first = config(dir.path(), addr, &[("kept", "feed")]);
    let store = StoreHandle::open(&first.daemon.database).unwrap();
    let running = start(first, &store).await;
    wait_for_hits(&hits, "kept", 1).await;

    let second = config(dir.path(), addr, &[("added", "feed")]);
    running.config.send(Arc::new(second)).unwrap();
    wait_for_hits(&hits, "added", 1).await;
    running.stop().await;
    assert_eq!(hits.lock().unwrap().get("kept"), Some(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_abandons_a_poll_stuck_on_a_slow_server() {
    let (addr, _hits) = counting_server().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), addr, &[("stuck", "slow")]);
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    let running = start(config, &store).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The fetch would take a minute; stop returns after the grace period.
    running.stop().await;
    let name = SourceName::new("stuck").unwrap();
    let state = store.read(move |s| s.fetch_state(&name)).await.unwrap();
    assert_eq!(state, None, "an abandoned poll records nothing");
}
