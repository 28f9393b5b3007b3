//! The items the search and ingest benchmarks store: about 190 words
//! each, drawn from a Zipf-distributed vocabulary of 30,000 made-up
//! words, so some words are in most items and most in few, as in news
//! text. It uses only what the store offered before the search index, so
//! `benches/ingest.rs` builds at the commit before it too, for a
//! before/after comparison of ingest.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use syndic::model::{Item, ItemId, SourceName};
use syndic::store::Store;

pub const SOURCES: usize = 100;
const VOCABULARY: usize = 30_000;
/// Items per transaction, about what one poll of a busy feed stores.
const BATCH: usize = 200;
/// Items per ingest sample.
pub const CHUNK: usize = 20_000;

/// Made-up words and a Zipf sampler over them (rank 1 most frequent).
pub struct Words {
    pub words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    pub fn new(rng: &mut StdRng) -> Words {
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

pub fn item(n: usize, words: &Words, rng: &mut StdRng) -> Item {
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

/// Stores `count` items (the same ones for the same seed), `BATCH` to a
/// transaction, and returns the time the upserts took per `CHUNK` items;
/// generating them is not timed.
pub fn fill(store: &mut Store, count: usize, words: &Words) -> Vec<Duration> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut chunks = Vec::new();
    let mut spent = Duration::ZERO;
    let mut batch = Vec::with_capacity(BATCH);
    for n in 0..count {
        batch.push(item(n, words, &mut rng));
        if batch.len() < BATCH && n + 1 < count {
            continue;
        }
        let started = Instant::now();
        store.upsert_items(&batch).expect("insert items");
        spent += started.elapsed();
        batch.clear();
        if (n + 1) % CHUNK == 0 || n + 1 == count {
            chunks.push(std::mem::take(&mut spent));
        }
    }
    store.checkpoint().expect("checkpoint");
    chunks
}

/// Prints items per second over all of `chunks` and the median chunk's.
pub fn report_ingest(what: &str, count: usize, chunks: &[Duration]) {
    let total: Duration = chunks.iter().sum();
    let mut sorted = chunks.to_vec();
    sorted.sort();
    let rate = |items: usize, d: Duration| items as f64 / d.as_secs_f64();
    println!(
        "ingest {what}: {:.0} items/s over {count} items; per {CHUNK} items median {:.0}, \
         slowest {:.0}, fastest {:.0}",
        rate(count, total),
        rate(CHUNK, sorted[sorted.len() / 2]),
        rate(CHUNK, sorted[sorted.len() - 1]),
        rate(CHUNK, sorted[0]),
    );
}

pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Removes the database at `path` and its -wal and -shm files.
pub fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}
