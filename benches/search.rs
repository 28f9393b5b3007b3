//! Full-text search on a large database: what the index costs ingestion
//! and disk, and how fast a two-word query returns its best 50.
//!
//! `cargo bench --bench search`. Environment:
//! - `SYNDIC_BENCH_ITEMS`: items stored (default 1,000,000)
//! - `SYNDIC_BENCH_DIR`: where the database goes (default: a temporary
//!   folder; it takes about 3.5 KB per item)
//! - `SYNDIC_BENCH_REUSE=1`: query the database a run left in
//!   `SYNDIC_BENCH_DIR` instead of filling it again
//!
//! The items are those of `search_corpus`. Ingest without the index is
//! measured by `benches/ingest.rs` built at the commit before the index,
//! taking turns with the same bench built here.

mod search_corpus;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use rand::rngs::StdRng;
use rand::SeedableRng;
use search_corpus::{env_or, fill, remove_database, report_ingest, Words, SOURCES};
use syndic::config::Config;
use syndic::curate;
use syndic::model::SourceName;
use syndic::search::SearchQuery;
use syndic::store::{SearchFilter, Store};

const QUERY_RUNS: usize = 15;
const TOP: usize = 50;

/// Bytes of the index (the FTS5 tables) and of everything, from SQLite's
/// own page accounting.
fn index_bytes(path: &Path) -> (u64, u64) {
    let conn = rusqlite::Connection::open(path).expect("open");
    let sum = |filter: &str| -> u64 {
        conn.query_row(
            &format!("SELECT coalesce(sum(pgsize), 0) FROM dbstat {filter}"),
            [],
            |r| r.get(0),
        )
        .expect("dbstat")
    };
    (sum("WHERE name LIKE 'items_fts%'"), sum(""))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f());
        samples.push(started.elapsed());
    }
    (median(samples), last.expect("at least one run"))
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn config(dir: &Path) -> Config {
    let mut text = String::from("[daemon]\ndatabase = \"indexed.db\"\n\n");
    for s in 0..SOURCES {
        text.push_str(&format!(
            "[[source]]\nname = \"s{s:03}\"\nurl = \"https://s{s:03}.example/feed\"\ntags = [\"all\"]\n\n"
        ));
    }
    // The query is replaced by each one measured.
    text.push_str(
        "[[output]]\nname = \"matches\"\ntags = [\"all\"]\nquery = \"any\"\nlimit = 50\n",
    );
    Config::parse(&dir.join("feeds.toml"), &text).expect("bench config")
}

fn main() {
    let count: usize = env_or("SYNDIC_BENCH_ITEMS", 1_000_000);
    let temp = tempfile::tempdir().expect("temp dir");
    let dir =
        std::env::var_os("SYNDIC_BENCH_DIR").map_or_else(|| temp.path().to_path_buf(), Into::into);
    let words = Words::new(&mut StdRng::seed_from_u64(1));
    let indexed = dir.join("indexed.db");
    println!("search benchmark: {count} items from {SOURCES} sources");
    if std::env::var_os("SYNDIC_BENCH_REUSE").is_none() {
        remove_database(&indexed);
        let mut store = Store::open(&indexed).expect("open database");
        report_ingest("with the index", count, &fill(&mut store, count, &words));
    }
    let store = Store::open(&indexed).expect("open database");
    report_size(&indexed);
    report_queries(&store, &dir, &words);
}

fn report_size(indexed: &Path) {
    let (index, total) = index_bytes(indexed);
    println!(
        "size: index {:.0} MB of {:.0} MB: {:.1}% over the rest",
        mb(index),
        mb(total),
        index as f64 / (total - index) as f64 * 100.0,
    );
}

fn report_queries(store: &Store, dir: &Path, words: &Words) {
    // Word pairs by frequency rank: common, middling and rare words.
    let pairs = [(20, 40), (100, 300), (1_000, 3_000), (5_000, 10_000)];
    let all = SearchFilter {
        limit: TOP,
        ..SearchFilter::default()
    };
    let config = config(dir);
    for (a, b) in pairs {
        let text = format!("{} {}", words.words[a - 1], words.words[b - 1]);
        let query = SearchQuery::parse(&text).expect("query");
        let (ranked, hits) = time(QUERY_RUNS, || store.search(&query, &all).expect("search"));
        let one_source = SearchFilter {
            sources: Some(vec![SourceName::new("s042").expect("name")]),
            ..all.clone()
        };
        let (filtered, _) = time(QUERY_RUNS, || {
            store.search(&query, &one_source).expect("search")
        });
        let output = syndic::config::OutputConfig {
            query: Some(query.clone()),
            ..config.output("matches").expect("bench output").clone()
        };
        let (newest, _) = time(QUERY_RUNS, || {
            curate::select(store, &config, &output, Utc::now()).expect("select")
        });
        println!(
            "query \"{text}\" (word ranks {a} and {b}): top {TOP} by bm25 {:.1} ms ({} hits), \
             one source {:.1} ms, newest {TOP} matches {:.1} ms",
            ranked.as_secs_f64() * 1e3,
            hits.len(),
            filtered.as_secs_f64() * 1e3,
            newest.as_secs_f64() * 1e3,
        );
    }
}
