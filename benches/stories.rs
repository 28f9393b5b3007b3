//! The cost of one entry per story: an item's story key, and grouping an
//! output's items into stories, on generated news items from 100 sources
//! of which one in ten is a copy of another source's story.
//!
//! `cargo bench --bench stories`. `SYNDIC_BENCH_ITEMS` sets how many items
//! (default 20,000).

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use syndic::curate::matcher::StoryKey;
use syndic::curate::stories::Stories;
use syndic::model::{Item, ItemId, SourceName};

const SOURCES: usize = 100;
const RUNS: usize = 5;

/// Syllables of a 1,600-word vocabulary, so that headlines share words as
/// news does, not every word.
const SYLLABLES: [&str; 40] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "be", "da", "fo", "gu", "ha", "je", "ki", "la",
    "mo", "nu", "pa", "qui", "re", "si", "tu", "va", "wo", "xe", "yo", "za", "bri", "cla", "dro",
    "fle", "gra", "pro", "stra", "tre", "ble", "cro", "pla", "sno",
];

/// The `k`th word of story `n`'s headline.
fn word(n: usize, k: usize) -> String {
    // SplitMix64, so that no two stories share a headline.
    let mut z = (n as u64 * 16 + k as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let x = ((z ^ (z >> 31)) % 1_600) as usize;
    format!("{}{}", SYLLABLES[x / 40], SYLLABLES[x % 40])
}

/// Story `n`: a headline of seven words and a summary around it; every
/// tenth item is another source's copy of the story before it, under an
/// aggregator's title.
fn item(n: usize) -> Item {
    let story = if n % 10 == 9 { n - 1 } else { n };
    let mut title = (0..7).map(|k| word(story, k)).collect::<Vec<_>>().join(" ");
    if story != n {
        title.push_str(" - The Wire");
    }
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(n as i64);
    Item {
        link: Some(format!("https://s{}.example/{n}", n % SOURCES)),
        summary: Some(format!(
            "<p>{title}: officials said on Tuesday that talks on the {} would go on.</p>",
            word(story, 9)
        )),
        published: Some(at),
        ..Item::new(
            SourceName::new(format!("s{:03}", n % SOURCES)).expect("valid name"),
            ItemId::new(format!("https://s{}.example/{n}", n % SOURCES)),
            title,
            at,
        )
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let count: usize = std::env::var("SYNDIC_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let items: Vec<Item> = (0..count).rev().map(item).collect();
    let mut keys = Vec::new();
    let mut groups = Vec::new();
    let mut stories_found = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let made: Vec<StoryKey> = items.iter().map(StoryKey::of).collect();
        keys.push(started.elapsed().as_secs_f64() * 1e6 / count as f64);
        std::hint::black_box(made);
        let started = Instant::now();
        let mut stories = Stories::new(&[]);
        for item in items.iter().cloned() {
            stories.offer(item, true);
        }
        let shown = stories.into_items();
        groups.push(started.elapsed().as_secs_f64() * 1e6 / count as f64);
        stories_found = shown.len();
    }
    println!("{count} items from {SOURCES} sources, median of {RUNS} runs:");
    println!("  story key              {:>7.2} µs per item", median(keys));
    println!(
        "  grouped into stories   {:>7.2} µs per item (key included)",
        median(groups)
    );
    println!("  stories                {stories_found:>7} of {count} items");
}
