//! What hostile feeds cost: CPU and peak memory of polling worst-case
//! bodies at the default body limit (16 MiB), each built to stress one
//! stage (deep markup, huge content, half a million tiny items, a dump of
//! one-word lines), and 64 worst-case feeds in flight at once.
//!
//! `cargo bench --bench hostile` runs every case; name cases to choose
//! (`cargo bench --bench hostile -- deep-nesting tiny-items`). The feeds
//! are served by a child process and every case is polled in a fresh
//! process of its own, so the CPU time and peak RSS reported are that
//! poll's alone. Aims: under 2 s of CPU for any single feed; under 300 MB
//! with 64 worst-case feeds in flight; under 150 MB for the dump.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use syndic::config::Config;
use syndic::fetch::FetchSlots;
use syndic::normalize::html::MAX_NESTING;
use syndic::poll::{PollOutcome, Poller};
use syndic::store::StoreHandle;
use tokio::task::JoinSet;

mod common;
use common::{peak_rss_mb, Child};

const SERVE_ARG: &str = "--serve-feeds";
const CASE_ARG: &str = "--case";
/// Just under the default `max_body_kb`, so every body is accepted.
const BODY: usize = 16 * 1024 * 1024 - 4096;
/// Linux's USER_HZ, the unit of the CPU times in /proc/self/stat.
const TICKS_PER_SECOND: f64 = 100.0;

/// A case: its name, the body it serves, how many sources poll it at once
/// and whether it is a plain-text dump.
struct Case {
    name: &'static str,
    what: &'static str,
    sources: usize,
    text: bool,
    body: fn() -> String,
}

const CASES: &[Case] = &[
    Case {
        name: "deep-nesting",
        what: "one item: 1.4 million nested <div>s",
        sources: 1,
        text: false,
        body: deep_nesting,
    },
    Case {
        name: "deep-items",
        what: "items nested just under the flattening depth",
        sources: 1,
        text: false,
        body: deep_items,
    },
    Case {
        name: "unclosed-tags",
        what: "one item: <b><i><u> opened and never closed, over and over",
        sources: 1,
        text: false,
        body: unclosed_tags,
    },
    Case {
        name: "huge-content",
        what: "one item: 16 MiB of paragraphs",
        sources: 1,
        text: false,
        body: huge_content,
    },
    Case {
        name: "link-heavy",
        what: "3 KB items of relative links and images to rewrite",
        sources: 1,
        text: false,
        body: link_heavy,
    },
    Case {
        name: "tiny-items",
        what: "half a million tiny items",
        sources: 1,
        text: false,
        body: tiny_items,
    },
    Case {
        name: "64-tiny-items",
        what: "64 sources of half a million tiny items, polled at once",
        sources: 64,
        text: false,
        body: tiny_items,
    },
    Case {
        name: "64-deep-nesting",
        what: "64 sources of 1.4 million nested <div>s, polled at once",
        sources: 64,
        text: false,
        body: deep_nesting,
    },
    Case {
        name: "dump-one-word",
        what: "a 16 MiB text dump of one-word lines",
        sources: 1,
        text: true,
        body: one_word_lines,
    },
];

fn main() {
    syndic::allocator::return_large_blocks();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some(SERVE_ARG) => return serve_feeds(),
        Some(CASE_ARG) => return run_case(&args[1], &args[2]),
        _ => {}
    }
    let chosen: Vec<&Case> = CASES
        .iter()
        .filter(|c| args.is_empty() || args.iter().any(|a| a == c.name))
        .collect();
    let mut server = Child::start(&[SERVE_ARG]);
    let port = server.first_line();
    println!("hostile-input benchmark: bodies of {} KiB served on loopback; CPU and peak RSS of the polling process", BODY / 1024);
    for case in chosen {
        let mut run = Child::start(&[CASE_ARG, case.name, &port]);
        println!("{:<16} {}", case.name, run.first_line());
        run.wait();
    }
    server.stop();
}

/// Polls `case` twice in this process (the second poll gets the same
/// bytes with no validators) and prints what it cost.
fn run_case(name: &str, port: &str) {
    let case = CASES.iter().find(|c| c.name == name).expect("a known case");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Arc::new(config(dir.path(), case, port));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = StoreHandle::open(&config.daemon.database).expect("database");
        let slots = FetchSlots::new(config.daemon.concurrency, config.daemon.per_host);
        let poller = Arc::new(Poller::new(&config.daemon, slots, store).expect("client"));
        let (cpu, wall) = (cpu_seconds(), Instant::now());
        let first = poll_all(&poller, &config).await;
        let (first_cpu, first_wall) = (cpu_seconds() - cpu, wall.elapsed().as_secs_f64());
        let peak = peak_rss_mb();
        let cpu = cpu_seconds();
        let again = poll_all(&poller, &config).await;
        println!(
            "CPU {first_cpu:>6.2} s  wall {first_wall:>6.2} s  peak RSS {peak:>4} MB  {first}; unchanged again: CPU {:.2} s, {again}  ({})",
            cpu_seconds() - cpu,
            case.what
        );
    });
}

/// Polls every source at once; says what they stored or how they failed.
async fn poll_all(poller: &Arc<Poller>, config: &Arc<Config>) -> String {
    let mut polls = JoinSet::new();
    for i in 0..config.sources.len() {
        let (poller, config) = (Arc::clone(poller), Arc::clone(config));
        polls.spawn(async move { poller.poll(&config.sources[i]).await });
    }
    let (mut items, mut unchanged, mut failed) = (0, 0, Vec::new());
    while let Some(done) = polls.join_next().await {
        match done.expect("poll task").outcome {
            PollOutcome::Stored { summary, .. } => items += summary.inserted + summary.updated,
            PollOutcome::NotModified => unchanged += 1,
            other => failed.push(format!("{other:?}")),
        }
    }
    match failed.first() {
        Some(first) => format!("{} FAILED, first: {first}", failed.len()),
        None if unchanged > 0 => format!("{unchanged} not parsed"),
        None => format!("{items} items stored"),
    }
}

fn config(dir: &std::path::Path, case: &Case, port: &str) -> Config {
    // Every feed is on one host here, so the per-host limit is raised to
    // the global one; real deployments keep it low.
    let mut text =
        String::from("[daemon]\ndatabase = \"bench.db\"\nconcurrency = 64\nper_host = 64\n");
    let kind = if case.text { "text" } else { "feed" };
    for i in 0..case.sources {
        text.push_str(&format!(
            "[[source]]\nname = \"s{i}\"\nkind = \"{kind}\"\nurl = \"http://127.0.0.1:{port}/{}/{i}\"\n",
            case.name
        ));
    }
    Config::parse(&dir.join("feeds.toml"), &text).expect("bench config")
}

/// User and system CPU time of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 11 and 12 here.
    (ticks(11) + ticks(12)) / TICKS_PER_SECOND
}

fn serve_feeds() {
    common::serve_on_loopback(axum::Router::new().route("/{case}/{n}", get(body)));
}

/// A case's body, built once and served without validators, so only the
/// body's digest can tell it is unchanged.
async fn body(Path((case, _)): Path<(String, usize)>) -> Response {
    static BODIES: OnceLock<Vec<(&'static str, bytes::Bytes)>> = OnceLock::new();
    let bodies = BODIES.get_or_init(|| {
        let mut built: Vec<(&str, bytes::Bytes)> = Vec::new();
        for c in CASES {
            built.push((c.name, (c.body)().into()));
        }
        built
    });
    match bodies.iter().find(|(name, _)| *name == case) {
        Some((_, bytes)) => bytes.clone().into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

/// An RSS document of items made by `item(i)` until the body is full.
fn rss_filled(item: impl Fn(usize) -> String) -> String {
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Hostile</title><link>http://feeds.example/</link>\n",
    );
    let end = "</channel></rss>\n";
    for i in 0.. {
        let next = item(i);
        if body.len() + next.len() + end.len() > BODY {
            break;
        }
        body.push_str(&next);
    }
    body.push_str(end);
    body
}

/// One item whose (escaped) description is `open` repeated, then `close`
/// repeated as often, filling the body.
fn one_item_of(open: &str, middle: &str, close: &str) -> String {
    let head = "<item><title>One</title><guid>one</guid><description>";
    let tail = "</description></item></channel></rss>\n";
    let room = BODY - 200 - head.len() - tail.len() - middle.len();
    let n = room / (open.len() + close.len());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Hostile</title>{head}{}{middle}{}{tail}",
        open.repeat(n),
        close.repeat(n)
    )
}

fn deep_nesting() -> String {
    one_item_of("&lt;div&gt;", "deep", "&lt;/div&gt;")
}

fn unclosed_tags() -> String {
    one_item_of("&lt;b&gt;&lt;i&gt;&lt;u&gt;x", "", "")
}

fn huge_content() -> String {
    one_item_of("&lt;p&gt;word word word word&lt;/p&gt;", "", "")
}

fn deep_items() -> String {
    rss_filled(|i| {
        format!(
            "<item><title>Deep {i}</title><guid>deep-{i}</guid><description>{}x{}</description></item>\n",
            "&lt;div&gt;".repeat(MAX_NESTING),
            "&lt;/div&gt;".repeat(MAX_NESTING)
        )
    })
}

fn link_heavy() -> String {
    rss_filled(|i| {
        let links: String = (0..30)
            .map(|j| format!("&lt;a href=\"/story/{i}/{j}\"&gt;link {j}&lt;/a&gt; &lt;img data-src=\"img/{j}.png\"&gt; "))
            .collect();
        format!("<item><title>Links {i}</title><link>http://feeds.example/{i}</link><guid>l-{i}</guid><description>{links}</description></item>\n")
    })
}

fn tiny_items() -> String {
    rss_filled(|i| format!("<item><guid>{i}</guid></item>"))
}

fn one_word_lines() -> String {
    let mut body = String::with_capacity(BODY);
    let mut i = 0usize;
    while body.len() + 16 < BODY {
        body.push_str(&format!("w{i}\n"));
        i += 1;
    }
    body
}
