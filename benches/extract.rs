//! Extraction speed and memory: pages per second of the readability
//! extraction (with sanitizing, as a full-text fetch does it), of the
//! listing heuristic, and of a saved page read whole, over the test pages
//! and a generated 1 MB article; and the peak resident memory each set
//! adds. Run with `cargo bench --bench extract`.

mod common;

use std::time::Instant;

use syndic::extract::{article, saved_page};
use syndic::scrape::headlines;
use url::Url;

use common::peak_rss_mb;

const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pages");

fn main() {
    let rounds: usize = std::env::var("SYNDIC_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let base = Url::parse("https://courier.example/news/").expect("a URL");
    let page = |name: &str| std::fs::read_to_string(format!("{PAGES}/{name}")).expect("fixture");
    let small = vec![
        page("article.html"),
        page("hostile.html"),
        page("saved_article.html"),
    ];
    let listings = vec![page("listing.html"), page("saved_index.html")];
    let large = vec![generated_article(1 << 20)];
    println!(
        "{:<28} {:>6} {:>10} {:>10} {:>9}",
        "set", "pages", "bytes", "pages/s", "peak MB"
    );
    run("article, readability", &small, rounds, |p| {
        let _ = article(p, Some(&base), None);
    });
    run("article, 1 MB generated", &large, rounds / 20 + 1, |p| {
        let _ = article(p, Some(&base), None);
    });
    run("listing, heuristic", &listings, rounds, |p| {
        let _ = headlines(p, Some(&base));
    });
    run("saved page, whole", &small, rounds, |p| {
        let _ = saved_page::read(p.as_bytes(), None);
    });
}

fn run(name: &str, pages: &[String], rounds: usize, f: impl Fn(&str)) {
    let baseline = reset_peak();
    let bytes: usize = pages.iter().map(String::len).sum();
    let started = Instant::now();
    for _ in 0..rounds {
        for p in pages {
            f(std::hint::black_box(p));
        }
    }
    let per_s = (pages.len() * rounds) as f64 / started.elapsed().as_secs_f64();
    let peak = peak_rss_mb().saturating_sub(baseline);
    println!(
        "{name:<28} {:>6} {bytes:>10} {per_s:>10.0} {peak:>9}",
        pages.len()
    );
}

/// A news article of about `size` bytes, with navigation and comments
/// around it, as readability meets on a long read.
fn generated_article(size: usize) -> String {
    let mut page = String::from(
        "<html><head><title>A long read</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>A long read</h1>",
    );
    let mut i = 0;
    while page.len() < size {
        page.push_str(&format!(
            "<p>Paragraph {i}: the harbour board met again on Tuesday and heard, for the \
             {i}th time, that the north pier needs rebuilding before the winter storms.</p>\n"
        ));
        i += 1;
    }
    page + "</article><section class=\"comments\"><p>First!</p></section></body></html>"
}

/// Resets the kernel's peak-RSS mark to the present RSS and returns it in
/// MB (writing 5 to clear_refs resets VmHWM on Linux 4.0 and later).
fn reset_peak() -> u64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    peak_rss_mb()
}
