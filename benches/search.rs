//! Full-text search on a large database: what the index costs ingestion
//! and disk, and how fast a two-word query returns its best 50.
//!
//! `cargo bench --bench search`. Environment:
//! - `SYNDIC_BENCH_ITEMS`: items stored (default 1,000,000)
//! - `SYNDIC_BENCH_DIR`: where the two databases go (default: a temporary
//!   folder; they take about 3 KB per item together)
//!
//! Items are made of words drawn from a Zipf-distributed vocabulary of
//! 30,000 made-up words, so some words are in most items and most in
//! few, as in news text. The same items are stored twice: with the index,
//! and in a database whose index was dropped before the first write, so
//! both hold the same rows and differ by the index alone.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use syndic::config::Config;
use syndic::curate;
use syndic::model::{Item, ItemId, SourceName};
use syndic::search::SearchQuery;
use syndic::store::{SearchFilter, Store};

const SOURCES: usize = 100;
const VOCABULARY: usize = 30_000;
/// Items per transaction, about what one poll of a busy feed stores.
const BATCH: usize = 200;
const QUERY_RUNS: usize = 15;
const TOP: usize = 50;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Made-up words and a Zipf sampler over them (rank 1 most frequent).
struct Words {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    fn new(rng: &mut StdRng) -> Words {
        const SYLLABLES: [&str; 24] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fo", "gu", "ha", "ji",
            "ko", "pe", "qui", "ro", "su", "ta", "ul", "ve", "wo", "zy",
        ];
        let mut words = Vec::with_capacity(VOCABULARY);
        let mut seen = std::collections::HashSet::new();
        while words.len() < VOCABULARY {
            let n = rng.gen_range(2..=4);
            let word: String = (0..n)
                .map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())])
                .collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Words { words, cumulative }
    }

    fn pick(&self, rng: &mut StdRng) -> &str {
        let total = self.cumulative[VOCABULARY - 1];
        let x = rng.gen::<f64>() * total;
        let i = self.cumulative.partition_point(|&c| c < x);
        &self.words[i.min(VOCABULARY - 1)]
    }

    fn sentence(&self, rng: &mut StdRng, n: usize) -> String {
        (0..n).map(|_| self.pick(rng)).collect::<Vec<_>>().join(" ")
    }
}

fn item(n: usize, words: &Words, rng: &mut StdRng) -> Item {
    let at = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
        + chrono::Duration::seconds(n as i64 * 30);
    let source = SourceName::new(format!("s{:03}", n % SOURCES)).expect("source name");
    Item {
        link: Some(format!("https://news.example/{n}")),
        summary: Some(format!("<p>{}.</p>", words.sentence(rng, 30))),
        content: Some(format!(
            "<p>{}.</p><p>{}.</p><p>{}.</p>",
            words.sentence(rng, 50),
            words.sentence(rng, 50),
            words.sentence(rng, 50)
        )),
        authors: vec![format!("Reporter {}", n % 500)],
        categories: vec![words.pick(rng).to_string(), "news".into()],
        published: Some(at),
        ..Item::new(
            source,
            ItemId::new(format!("https://news.example/{n}")),
            words.sentence(rng, 8),
            at,
        )
    }
}

/// Stores `count` items (the same ones for the same seed) and returns
/// the time the upserts took; generating them is not timed.
fn fill(store: &mut Store, count: usize, words: &Words) -> Duration {
    let mut rng = StdRng::seed_from_u64(7);
    let mut spent = Duration::ZERO;
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..count {
        batch.push(item(n, words, &mut rng));
        if batch.len() == BATCH || n + 1 == count {
            let started = Instant::now();
            store.upsert_items(&batch).expect("insert items");
            spent += started.elapsed();
            batch.clear();
        }
    }
    store.checkpoint().expect("checkpoint");
    spent
}

/// Drops the index and the triggers that keep it, through a connection
/// of its own (they are schema, which the store's connection then reads).
fn drop_index(path: &Path) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(
        "DROP TRIGGER items_search_insert;
         DROP TRIGGER items_search_delete;
         DROP TRIGGER items_search_update;
         DROP TABLE items_fts;
         DROP VIEW items_search_text;",
    )
    .expect("drop the index");
}

/// Bytes of the index (the FTS5 tables and the key index) and of
/// everything, from SQLite's own page accounting.
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
    (
        sum("WHERE name LIKE 'items_fts%' OR name = 'items_by_search_rowid'"),
        sum(""),
    )
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
            "[[source]]\nname = \"s{s:03}\"\nurl = \"https://s{s:03}.example/feed\"\n\n"
        ));
    }
    // The query is replaced by each one measured.
    text.push_str("[[output]]\nname = \"matches\"\nquery = \"any\"\nlimit = 50\n");
    Config::parse(&dir.join("feeds.toml"), &text).expect("bench config")
}

fn main() {
    let count: usize = env_or("SYNDIC_BENCH_ITEMS", 1_000_000);
    let temp = tempfile::tempdir().expect("temp dir");
    let dir =
        std::env::var_os("SYNDIC_BENCH_DIR").map_or_else(|| temp.path().to_path_buf(), Into::into);
    let words = Words::new(&mut StdRng::seed_from_u64(1));
    let indexed = dir.join("indexed.db");
    let plain = dir.join("plain.db");
    for path in [&indexed, &plain] {
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }

    println!("search benchmark: {count} items from {SOURCES} sources");
    drop(Store::open(&plain).expect("create plain database"));
    drop_index(&plain);
    let mut store = Store::open(&plain).expect("open plain database");
    let without = fill(&mut store, count, &words);
    drop(store);
    let mut store = Store::open(&indexed).expect("open indexed database");
    let with = fill(&mut store, count, &words);
    let rate = |d: Duration| count as f64 / d.as_secs_f64();
    println!(
        "ingest: {:.0} items/s without the index, {:.0} with it: {:.1}% slower",
        rate(without),
        rate(with),
        (with.as_secs_f64() / without.as_secs_f64() - 1.0) * 100.0
    );

    let (index, total) = index_bytes(&indexed);
    let file = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    println!(
        "size: index {:.0} MB of {:.0} MB: {:.1}% over the rest; files {:.0} MB with, {:.0} MB without: {:.1}% more",
        mb(index),
        mb(total),
        index as f64 / (total - index) as f64 * 100.0,
        mb(file(&indexed)),
        mb(file(&plain)),
        (file(&indexed) as f64 / file(&plain) as f64 - 1.0) * 100.0
    );

    // Word pairs by frequency rank: common, middling and rare words.
    let pairs = [(20, 40), (100, 300), (1_000, 3_000), (5_000, 10_000)];
    let all = SearchFilter {
        limit: TOP,
        ..SearchFilter::default()
    };
    let config = config(&dir);
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
            curate::select(&store, &config, &output, Utc::now()).expect("select")
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
