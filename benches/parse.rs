//! Parse speed: MB/s of `parse_feed` over realistic generated feeds (RSS
//! 2.0 and Atom, 200 items of about 1.4 KB HTML each), the project's
//! fixture feeds, and the public parser corpus when it is present beside
//! the project. Run with `cargo bench --bench parse`; on a busy machine,
//! compare instruction counts instead:
//! `SYNDIC_BENCH_SET=generated SYNDIC_BENCH_ROUNDS=1 valgrind --tool=callgrind target/release/deps/parse-…`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use syndic::parse::parse_feed;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/feedparser");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/feeds");

fn main() {
    let rounds: usize = std::env::var("SYNDIC_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let sets = [
        ("generated RSS 2.0", vec![rss(200)]),
        ("generated Atom 1.0", vec![atom(200)]),
        ("fixture feeds", files(Path::new(FIXTURES))),
        ("feedparser corpus", files(Path::new(CORPUS))),
    ];
    // One set alone (its name's first word), for instruction counts under
    // valgrind, which are repeatable where wall time on a busy machine is not.
    let only = std::env::var("SYNDIC_BENCH_SET").ok();
    println!(
        "{:<22} {:>7} {:>10} {:>10}",
        "set", "files", "bytes", "MB/s"
    );
    for (name, bodies) in sets {
        if only.as_deref().is_some_and(|o| !name.starts_with(o)) {
            continue;
        }
        if bodies.is_empty() {
            println!("{name:<22} (not present)");
            continue;
        }
        let bytes: usize = bodies.iter().map(Vec::len).sum();
        let started = Instant::now();
        for _ in 0..rounds {
            for body in &bodies {
                let _ = std::hint::black_box(parse_feed(body, None));
            }
        }
        let mb_s = (bytes * rounds) as f64 / started.elapsed().as_secs_f64() / 1e6;
        println!("{name:<22} {:>7} {bytes:>10} {mb_s:>10.1}", bodies.len());
    }
}

fn paragraph(n: usize) -> String {
    format!(
        "<p>Story {n}: the harbour committee met on Tuesday evening to discuss the budget, \
         the ferry timetable and the <a href=\"https://news.example/pier\">old pier</a>. \
         Residents asked about parking &amp; fees.</p>"
    )
    .repeat(5)
}

fn rss(items: usize) -> Vec<u8> {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
         <title>Harbour News</title><link>https://news.example/</link><ttl>30</ttl>",
    );
    for n in 0..items {
        doc.push_str(&format!(
            "<item><title>Council approves harbour budget, part {n}</title>\
             <link>https://news.example/{n}</link><guid>https://news.example/{n}</guid>\
             <dc:creator>Desk Reporter</dc:creator><category>local</category>\
             <pubDate>Tue, 24 Nov 2026 07:42:00 GMT</pubDate>\
             <description><![CDATA[{}]]></description></item>",
            paragraph(n)
        ));
    }
    doc.push_str("</channel></rss>");
    doc.into_bytes()
}

fn atom(entries: usize) -> Vec<u8> {
    let mut doc = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Harbour News</title><id>urn:harbour</id><updated>2026-11-24T07:42:00Z</updated>\
         <link href=\"https://news.example/\"/>",
    );
    for n in 0..entries {
        let escaped = paragraph(n)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        doc.push_str(&format!(
            "<entry><title>Council approves harbour budget, part {n}</title>\
             <id>https://news.example/{n}</id><link href=\"https://news.example/{n}\"/>\
             <author><name>Desk Reporter</name></author><category term=\"local\"/>\
             <updated>2026-11-24T07:42:00Z</updated>\
             <content type=\"html\">{escaped}</content></entry>"
        ));
    }
    doc.push_str("</feed>");
    doc.into_bytes()
}

fn files(root: &Path) -> Vec<Vec<u8>> {
    let mut paths = Vec::new();
    collect(root, &mut paths);
    paths.sort();
    paths.iter().filter_map(|p| std::fs::read(p).ok()).collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
