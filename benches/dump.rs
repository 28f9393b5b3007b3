//! What normalizing a large plain-text dump costs: wall time, throughput
//! and peak memory of `dump_items` on a 16 MiB dump made of the labelled
//! set's realistic plain-text dumps (wrapped prose, page copies with
//! furniture, headline lists, CJK) repeated, on the same of its Markdown
//! dumps, and on 16 MiB of wrapped stories, the case that joins the most
//! lines and makes the most items.
//!
//! `cargo bench --bench dump`. Each case runs in a fresh child process
//! that reads the dump first and then resets its peak-memory mark, so the
//! peak reported is the normalizer's own, over the bytes already held.
//! Aims: a few seconds at most; peak memory under 3 times the file.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use syndic::model::SourceName;
use syndic::normalize::dump::{dump_items, DumpMeta};

mod common;
use common::{peak_rss_mb, Child};

const CASE_ARG: &str = "--case";
/// Just under the default `max_body_kb`, as the daemon would accept.
const SIZE: usize = 16 * 1024 * 1024 - 4096;

struct Case {
    name: &'static str,
    what: &'static str,
    body: fn() -> String,
}

const CASES: &[Case] = &[
    Case {
        name: "labelled-text",
        what: "the labelled plain-text dumps, again",
        body: labelled_text,
    },
    Case {
        name: "labelled-markdown",
        what: "the labelled Markdown dumps, again",
        body: labelled_markdown,
    },
    Case {
        name: "wrapped-prose",
        what: "stories wrapped at 72 columns",
        body: wrapped_prose,
    },
];

fn main() {
    syndic::allocator::return_large_blocks();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(CASE_ARG) {
        return run_case(&args[1], &args[2]);
    }
    // `cargo bench` passes `--bench`; the rest name cases.
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "dump benchmark: {:.1} MiB dumps, each normalized in a child process",
        SIZE as f64 / f64::from(1 << 20)
    );
    for case in CASES
        .iter()
        .filter(|c| names.is_empty() || names.iter().any(|a| *a == c.name))
    {
        let path = dir.path().join(format!("{}.txt", case.name));
        std::fs::write(&path, (case.body)()).expect("dump written");
        let mut child = Child::start(&[CASE_ARG, case.name, path.to_str().expect("utf-8 path")]);
        println!("{:<14} {:<36} {}", case.name, case.what, child.first_line());
        child.wait();
    }
}

/// Normalizes the dump at `path` (read before the measure starts) and
/// reports time, throughput, items and peak memory over the baseline.
fn run_case(_name: &str, path: &str) {
    let bytes = std::fs::read(path).expect("dump read");
    let baseline = reset_peak();
    let source = SourceName::new("bench").expect("valid name");
    let at = Utc
        .with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
        .single()
        .expect("a date");
    let meta = DumpMeta {
        source: &source,
        origin: path,
        fallback_date: at,
        now: at,
        max_items: usize::MAX,
    };
    let start = Instant::now();
    let dump = dump_items(&bytes, &meta).expect("the dump is read");
    let secs = start.elapsed().as_secs_f64();
    let peak = peak_rss_mb().saturating_sub(baseline);
    let mb = bytes.len() as f64 / 1e6;
    println!(
        "{secs:>6.2} s  {:>6.1} MB/s  {:>7} items  peak {peak:>4} MB over the dump ({:.2}x its size)",
        mb / secs,
        dump.items.len(),
        peak as f64 / (bytes.len() as f64 / f64::from(1 << 20)),
    );
}

/// Resets the kernel's peak-RSS mark to the present RSS and returns it
/// in MB.
fn reset_peak() -> u64 {
    // Writing 5 to clear_refs resets VmHWM (Linux 4.0 and later).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    peak_rss_mb()
}

fn labelled_text() -> String {
    labelled(false)
}

fn labelled_markdown() -> String {
    labelled(true)
}

/// The labelled dumps in Markdown, or the others, repeated: one file is
/// read as Markdown or as plain text as a whole.
fn labelled(markdown: bool) -> String {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dumps/labelled");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("labelled set")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter(|p| p.to_string_lossy().contains("markdown") == markdown)
        .collect();
    paths.sort();
    let texts: Vec<String> = paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).expect("fixture");
            syndic::text::decode::decode_text(&bytes).text
        })
        .collect();
    fill(|i| format!("{}\n\n", texts[i % texts.len()]))
}

fn wrapped_prose() -> String {
    let paragraph = "The regional transport board said on Thursday that it would replace\n\
        the entire fleet of diesel buses on the coastal routes with electric\n\
        ones by the end of next year, after a trial on two routes showed that\n\
        running costs fell by almost a third.\n";
    fill(|i| format!("Story number {i} of the day\nBy Ann Lee\n\n{paragraph}\n{paragraph}\n"))
}

/// Pieces `piece(0)`, `piece(1)`, … up to [`SIZE`] bytes.
fn fill(piece: impl Fn(usize) -> String) -> String {
    let mut text = String::with_capacity(SIZE);
    for i in 0.. {
        let next = piece(i);
        if text.len() + next.len() > SIZE {
            break;
        }
        text.push_str(&next);
    }
    text
}
