//! Polling throughput: N generated feeds of 50 realistic items (about
//! 1.35 KB of HTML each, see `common/realistic.rs`) on loopback, polled
//! into a fresh database, then polled again (every answer a 304). Each
//! round reports its CPU use (user + system seconds over wall seconds),
//! and the database's size per stored item is reported at the end.
//!
//! `cargo bench --bench poll` runs N = 1,000 and 10,000; pass sizes to
//! choose (`cargo bench --bench poll -- 500 2000`). The feed server runs
//! in a child process, so the peak memory reported is the poller's alone.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use syndic::config::Config;
use syndic::fetch::FetchSlots;
use syndic::poll::{PollOutcome, Poller};
use syndic::store::StoreHandle;
use tokio::task::JoinSet;

mod common;
use common::{cpu_seconds, peak_rss_mb, realistic, Child};

const ITEMS_PER_FEED: usize = 50;
const SERVE_ARG: &str = "--serve-feeds";

fn main() {
    // As the daemon does, so the memory measured is what it would hold.
    syndic::allocator::return_large_blocks();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(SERVE_ARG) {
        return serve_feeds();
    }
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 10_000]
    } else {
        sizes
    };
    let mut server = Child::start(&[SERVE_ARG]);
    let port: u16 = server.first_line().parse().expect("a port number");
    println!("poll benchmark: {ITEMS_PER_FEED} items per feed, feeds served on loopback by a child process");
    for n in sizes {
        bench(n, port);
    }
    server.stop();
}

fn bench(n: usize, port: u16) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), n, port);
    let database = config.daemon.database.clone();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = StoreHandle::open(&config.daemon.database).expect("database");
        let slots = FetchSlots::new(config.daemon.concurrency, config.daemon.per_host);
        let poller = Arc::new(Poller::new(&config.daemon, slots, store).expect("client"));
        let config = Arc::new(config);
        for round in ["first poll", "re-poll (304)"] {
            let started = Instant::now();
            let cpu_before = cpu_seconds();
            let (items, failed) = poll_all(&poller, &config).await;
            let secs = started.elapsed().as_secs_f64();
            let cpu = (cpu_seconds() - cpu_before) / secs;
            println!(
                "N = {n:>6}  {round:<14} {secs:>7.2} s  {:>8.0} feeds/s  {:>9.0} items/s  CPU {cpu:>4.2} cores  peak RSS {:>4} MB{}",
                n as f64 / secs,
                items as f64 / secs,
                peak_rss_mb(),
                if failed > 0 { format!("  ({failed} FAILED)") } else { String::new() },
            );
        }
    });
    drop(runtime);
    println!(
        "N = {n:>6}  database       {:>7.0} bytes per item",
        bytes_per_item(&database)
    );
}

/// The database's size over its item count, after a checkpoint folded the
/// write-ahead log into it.
fn bytes_per_item(path: &std::path::Path) -> f64 {
    let store = syndic::store::Store::open(path).expect("database");
    store.checkpoint().expect("checkpoint");
    let items: u64 = store.item_counts().expect("counts").values().sum();
    let bytes = std::fs::metadata(path).expect("database file").len();
    bytes as f64 / items.max(1) as f64
}

/// Polls every source once, spread over the runtime's threads; returns
/// the items stored and the number of failed polls.
async fn poll_all(poller: &Arc<Poller>, config: &Arc<Config>) -> (usize, usize) {
    let mut polls = JoinSet::new();
    for i in 0..config.sources.len() {
        let (poller, config) = (Arc::clone(poller), Arc::clone(config));
        polls.spawn(async move { poller.poll(&config.sources[i]).await });
    }
    let (mut items, mut failed) = (0, 0);
    while let Some(done) = polls.join_next().await {
        match done.map(|r| r.outcome) {
            Ok(PollOutcome::Stored { summary, .. }) => items += summary.inserted,
            Ok(PollOutcome::NotModified) => {}
            Ok(other) => {
                if failed == 0 {
                    eprintln!("first failure: {other:?}");
                }
                failed += 1;
            }
            Err(e) => panic!("poll task failed: {e}"),
        }
    }
    (items, failed)
}

fn config(dir: &std::path::Path, n: usize, port: u16) -> Config {
    // Every feed is on one host here, so the per-host limit is raised to
    // the global one; real deployments keep it low.
    let mut text =
        String::from("[daemon]\ndatabase = \"bench.db\"\nconcurrency = 64\nper_host = 64\n");
    for i in 0..n {
        text.push_str(&format!(
            "[[source]]\nname = \"feed-{i}\"\nurl = \"http://127.0.0.1:{port}/feed/{i}\"\n"
        ));
    }
    Config::parse(&dir.join("feeds.toml"), &text).expect("bench config")
}

fn serve_feeds() {
    common::serve_on_loopback(axum::Router::new().route("/feed/{n}", get(feed)));
}

/// Feed `n`, generated on each request; its ETag never changes, so a
/// conditional request gets a 304.
async fn feed(Path(n): Path<usize>, headers: HeaderMap) -> Response {
    let etag = format!("\"feed-{n}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mut body = realistic::rss_head(n);
    for i in 0..ITEMS_PER_FEED {
        body.push_str(&realistic::rss_item(n, i));
    }
    body.push_str("</channel></rss>\n");
    (
        [
            (header::ETAG, etag),
            (header::CONTENT_TYPE, "application/rss+xml".into()),
        ],
        body,
    )
        .into_response()
}
