//! The feed server under load, beside a plain static file server serving
//! the same bytes, and the time to select and render a 500-item output
//! from a large database.
//!
//! `cargo bench --bench serve`. Environment:
//! - `SYNDIC_BENCH_ITEMS`: items in the database (default 1,000,000)
//! - `SYNDIC_BENCH_SOURCES`: sources they are spread over (default 1,000)
//! - `SYNDIC_BENCH_DB`: a database file to keep between runs: filled when
//!   missing, reused as it is otherwise (so runs of two builds can take
//!   turns on the same items)
//! - `SYNDIC_BENCH_RENDER_ONLY`: set to skip the load phases
//! - `SYNDIC_BENCH_OUTPUTS`: the outputs to render, comma-separated
//!   (default: all of them)
//! - `SYNDIC_BENCH_SECS`: seconds per load phase (default 5)
//! - `SYNDIC_BENCH_CONNS`: concurrent keep-alive connections (default 32)
//!
//! Everything runs on loopback, bounded in time, and stops by itself.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path as UrlPath;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use chrono::{TimeZone, Utc};
use syndic::config::Config;
use syndic::curate;
use syndic::metrics::Metrics;
use syndic::model::{Item, ItemId, SourceName};
use syndic::render::{render, FeedFormat, Origins};
use syndic::server::{serve, ServerState};
use syndic::shutdown::{self, ShutdownTrigger};
use syndic::store::{Store, StoreHandle};
use tokio::sync::{oneshot, watch};

const BATCH: usize = 50_000;
const RENDER_RUNS: usize = 9;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One item in this many carries the word the `include1pct` output asks for.
const RARE_EVERY: usize = 100;

fn config_text(database: &Path, sources: usize) -> String {
    let mut text = format!(
        "[daemon]\ndatabase = {:?}\n\n",
        database.display().to_string()
    );
    for s in 0..sources {
        let tag = if s < 10 { "front" } else { "back" };
        text.push_str(&format!(
            "[[source]]\nname = \"s{s:03}\"\nurl = \"https://s{s:03}.example/feed\"\ntags = [\"all\", \"{tag}\"]\n\n"
        ));
    }
    text.push_str(
        r#"[[output]]
name = "front50"
tags = ["front"]
limit = 50

[[output]]
name = "all500"
tags = ["all"]
limit = 500

[[output]]
name = "one500"
sources = ["s042"]
limit = 500

[[output]]
name = "filtered500"
tags = ["all"]
include = ["story [0-9]*7\\b"]
exclude = ["sponsored"]
limit = 500

[[output]]
name = "include1pct"
tags = ["all"]
include = ["lighthouse"]
limit = 500

[[output]]
name = "exclude500"
tags = ["all"]
exclude = ["sponsored", "title:advertisement"]
limit = 500
"#,
    );
    text
}

fn item(n: usize, sources: usize) -> Item {
    let at = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
        + chrono::Duration::seconds(n as i64 * 30);
    Item {
        link: Some(format!("https://news.example/{n}")),
        summary: Some(format!(
            "<p>The council voted on item {n} after a long debate about ferries, fees and the old pier.</p>"
        )),
        content: Some(format!(
            "<p>Story {n}. {}</p><p>{}{}</p>",
            "The harbour committee met on Tuesday evening to discuss the budget. ".repeat(3),
            "Residents asked about parking, ferry timetables and the fish market. ".repeat(3),
            if n % RARE_EVERY == 7 { "The old lighthouse reopens in May." } else { "" }
        )),
        authors: vec!["Desk Reporter".into()],
        categories: vec!["local".into(), "politics".into()],
        published: Some(at),
        ..Item::new(SourceName::new(format!("s{:03}", n % sources)).unwrap_or_else(|e| panic!("{e}")), ItemId::new(format!("https://news.example/{n}")), format!("Story {n}: council approves the new harbour budget"), at)
    }
}

fn fill(path: &Path, count: usize, sources: usize) -> Duration {
    let started = Instant::now();
    let mut store = Store::open(path).expect("open bench database");
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..count {
        batch.push(item(n, sources));
        if batch.len() == BATCH || n + 1 == count {
            store.upsert_items(&batch).expect("insert items");
            batch.clear();
        }
    }
    store.checkpoint().expect("checkpoint");
    started.elapsed()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Select + render of `output` as RSS, median and worst of several runs.
fn time_render(store: &Store, config: &Config, output: &str) -> (Duration, Duration, usize) {
    let output = config.output(output).expect("bench output");
    let mut samples = Vec::with_capacity(RENDER_RUNS);
    let mut count = 0;
    for _ in 0..RENDER_RUNS {
        let started = Instant::now();
        let items = curate::select(store, config, output, Utc::now()).expect("select");
        let origins = Origins::read(store, config).expect("origins");
        let body = render(FeedFormat::Rss, output, &items, &origins, &config.daemon);
        samples.push(started.elapsed());
        count = items.len();
        std::hint::black_box(body);
    }
    let worst = samples.iter().copied().max().unwrap_or_default();
    (median(samples), worst, count)
}

/// Requests `url` from `conns` keep-alive connections for `secs`; returns
/// answers per second with the expected status.
async fn load(
    url: String,
    etag: Option<String>,
    expect: StatusCode,
    conns: usize,
    secs: f64,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            let (url, etag, done) = (url.clone(), etag.clone(), done.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .no_gzip()
                    .no_brotli()
                    .no_deflate()
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("client");
                while Instant::now() < deadline {
                    let mut request = client.get(&url);
                    if let Some(tag) = &etag {
                        request = request.header(header::IF_NONE_MATCH, tag);
                    }
                    let response = request.send().await.expect("request");
                    assert_eq!(response.status(), expect);
                    let _ = response.bytes().await.expect("body");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("load worker");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// A plain static file server: each request reads the file from disk.
async fn static_server(dir: PathBuf) -> (SocketAddr, oneshot::Sender<()>) {
    let app = axum::Router::new().route(
        "/feeds/{file}",
        axum::routing::get(move |UrlPath(file): UrlPath<String>| {
            let dir = dir.clone();
            async move {
                if file.contains('/') || file.starts_with('.') {
                    return StatusCode::NOT_FOUND.into_response();
                }
                match tokio::fs::read(dir.join(&file)).await {
                    Ok(body) => (
                        [(header::CONTENT_TYPE, FeedFormat::Rss.content_type())],
                        body,
                    )
                        .into_response(),
                    Err(_) => StatusCode::NOT_FOUND.into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    (addr, stop)
}

async fn syndic_server(config: Arc<Config>) -> (SocketAddr, ShutdownTrigger) {
    let store = StoreHandle::open(&config.daemon.database).expect("store handle");
    // The receiver keeps the last config after the sender is gone.
    let (_, rx) = watch::channel(config);
    let state = ServerState::new(rx, store, Arc::new(Metrics::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = shutdown::channel();
    tokio::spawn(serve(listener, state, stopped));
    (addr, stop)
}

fn main() {
    let items: usize = env_or("SYNDIC_BENCH_ITEMS", 1_000_000);
    let sources: usize = env_or("SYNDIC_BENCH_SOURCES", 1_000);
    let render_only = std::env::var_os("SYNDIC_BENCH_RENDER_ONLY").is_some();
    let secs: f64 = env_or("SYNDIC_BENCH_SECS", 5.0);
    let conns: usize = env_or("SYNDIC_BENCH_CONNS", 32);
    let dir = tempfile::tempdir().expect("temp dir");
    let database = std::env::var_os("SYNDIC_BENCH_DB")
        .map_or_else(|| dir.path().join("bench.db"), PathBuf::from);
    let config_path = dir.path().join("feeds.toml");
    std::fs::write(&config_path, config_text(&database, sources)).expect("write config");
    let config = Arc::new(Config::load(&config_path).expect("bench config"));

    if database.exists() {
        println!("reusing the items in {}", database.display());
    } else {
        println!("filling {items} items over {sources} sources …");
        let filled = fill(&config.daemon.database, items, sources);
        println!("  filled in {:.1} s", filled.as_secs_f64());
    }

    println!("\nselect + render (RSS), median of {RENDER_RUNS} runs:");
    let reader = Store::open_reader(&config.daemon.database).expect("reader");
    let merged = format!("500 items merged from {sources} sources");
    let wanted = std::env::var("SYNDIC_BENCH_OUTPUTS").unwrap_or_default();
    let wanted: Vec<&str> = wanted.split(',').filter(|s| !s.is_empty()).collect();
    for (name, what) in [
        ("all500", merged.as_str()),
        ("one500", "500 items of one source"),
        ("filtered500", "500 items, include/exclude regexes"),
        ("include1pct", "500 items, include a word in 1% of items"),
        ("exclude500", "500 items, exclude words matching none"),
        ("front50", "50 items from 10 sources"),
    ] {
        if !wanted.is_empty() && !wanted.contains(&name) {
            continue;
        }
        let (median, worst, count) = time_render(&reader, &config, name);
        println!(
            "  {name:<12} {what:<40} median {:>7.2} ms  worst {:>7.2} ms  ({count} items)",
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3
        );
    }
    drop(reader);
    if render_only {
        return;
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let export = dir.path().join("public");
        std::fs::create_dir_all(&export).expect("export dir");
        let (syndic_addr, stop_syndic) = syndic_server(config.clone()).await;
        let url = format!("http://{syndic_addr}/feeds/front50.rss");
        let first = reqwest::get(&url).await.expect("first request");
        let etag = first
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = first.bytes().await.expect("body");
        std::fs::write(export.join("front50.rss"), &body).expect("export file");
        let (static_addr, stop_static) = static_server(export).await;
        let static_url = format!("http://{static_addr}/feeds/front50.rss");
        let check = reqwest::get(&static_url).await.expect("static request");
        assert_eq!(
            check.bytes().await.expect("static body"),
            body,
            "same bytes"
        );

        println!(
            "\nload: {conns} keep-alive connections, {secs} s per phase, body {} bytes",
            body.len()
        );
        // Warm both servers and the client pools.
        load(url.clone(), None, StatusCode::OK, conns, 1.0).await;
        load(static_url.clone(), None, StatusCode::OK, conns, 1.0).await;
        let cached = load(url.clone(), None, StatusCode::OK, conns, secs).await;
        let not_modified = load(url.clone(), etag, StatusCode::NOT_MODIFIED, conns, secs).await;
        let plain = load(static_url, None, StatusCode::OK, conns, secs).await;
        println!("  syndic, cached 50-item feed  {cached:>9.0} req/s");
        println!("  syndic, 304 Not Modified     {not_modified:>9.0} req/s");
        println!("  static file server           {plain:>9.0} req/s");
        println!(
            "  ratio cached/static {:.2}, 304/static {:.2}",
            cached / plain,
            not_modified / plain
        );
        stop_syndic.trigger();
        let _ = stop_static.send(());
    });
}
