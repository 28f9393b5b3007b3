use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use syndic::model::SourceName;
use syndic::normalize::feed::feed_items;
use syndic::parse::parse_feed;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out)
        } else {
            out.push(p)
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outfile = &args[0];
    let mut files = Vec::new();
    for d in &args[1..] {
        collect(Path::new(d), &mut files);
    }
    files.sort();
    let bodies: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|f| {
            let b = std::fs::read(&f).unwrap();
            (f, b)
        })
        .collect();
    let total: usize = bodies.iter().map(|b| b.1.len()).sum();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let source = SourceName::new("corpus").unwrap();
    let mut out = std::fs::File::create(outfile).unwrap();
    for (f, body) in &bodies {
        let line = match parse_feed(body, None) {
            Ok(feed) => {
                let url = url::Url::from_file_path(f).ok();
                let items = feed_items(&feed, &source, url.as_ref(), now);
                format!(
                    "OK title={:?} link={:?} items={:?}",
                    feed.title, feed.link, items
                )
            }
            Err(e) => format!("ERR {e}"),
        };
        writeln!(out, "{}\t{}", f.display(), line).unwrap();
    }
    let rounds = 5;
    let t = Instant::now();
    for _ in 0..rounds {
        for (_, body) in &bodies {
            let _ = std::hint::black_box(parse_feed(body, None));
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "files {} bytes {} parse {:.1} MB/s",
        bodies.len(),
        total,
        (total * rounds) as f64 / secs / 1e6
    );
}
