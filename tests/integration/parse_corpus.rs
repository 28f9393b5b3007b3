//! Every file of the feedparser test corpus either parses or is refused
//! with a `ParseError`, and nearly all of its well-formed RSS and Atom
//! files parse. The corpus lives outside the crate; without it the test
//! passes after saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use syndic::model::SourceName;
use syndic::normalize::feed::feed_items;
use syndic::parse::{parse_feed, ParseError};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/feedparser");

/// The shares, in percent, of `wellformed/` as a whole and of its RSS and
/// Atom folders that must parse. Measured: 99.1% (the refusals are CDF, a
/// format syndic does not read) and 100%; the floors sit a little under.
const WELLFORMED_FLOOR: usize = 97;
const WELLFORMED_RSS_ATOM_FLOOR: usize = 98;

#[derive(Default)]
struct Counts {
    parsed: usize,
    refused: usize,
}

#[test]
fn every_corpus_file_parses_or_is_refused_cleanly() {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        println!("skipped: no corpus at {}", root.display());
        return;
    }
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    let source = SourceName::new("corpus").unwrap();
    let mut by_folder: BTreeMap<String, Counts> = BTreeMap::new();
    let mut refusals = Vec::new();
    for file in &files {
        let body = std::fs::read(file).unwrap();
        let folder = folder_of(root, file);
        let counts = by_folder.entry(folder).or_default();
        match parse_feed(&body, None) {
            Ok(feed) => {
                let document = url::Url::from_file_path(file).ok();
                feed_items(&feed, &source, document.as_ref(), Utc::now());
                counts.parsed += 1;
            }
            Err(e) => {
                assert_clear(&e);
                counts.refused += 1;
                refusals.push(format!(
                    "{}: {e}",
                    file.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    let parsed: usize = by_folder.values().map(|c| c.parsed).sum();
    let refused: usize = by_folder.values().map(|c| c.refused).sum();
    println!(
        "corpus: parsed {parsed} / refused {refused} / total {}",
        files.len()
    );
    for (folder, c) in &by_folder {
        println!(
            "  {folder:<28} parsed {:>4}  refused {:>4}",
            c.parsed, c.refused
        );
    }
    for refusal in &refusals {
        println!("  refused {refusal}");
    }
    assert_eq!(parsed + refused, files.len());

    let share = |folders: &[&str]| {
        let counts = by_folder
            .iter()
            .filter(|(f, _)| folders.iter().any(|p| f.starts_with(p)));
        counts.fold((0, 0), |(ok, all), (_, c)| {
            (ok + c.parsed, all + c.parsed + c.refused)
        })
    };
    let (ok, all) = share(&["wellformed/"]);
    println!("wellformed: {ok} of {all} parse");
    assert!(all > 0, "the corpus has no wellformed files");
    assert!(
        ok * 100 >= all * WELLFORMED_FLOOR,
        "only {ok} of {all} wellformed files parse"
    );
    let (ok, all) = share(&["wellformed/rss", "wellformed/atom"]);
    println!("wellformed rss and atom: {ok} of {all} parse");
    assert!(
        ok * 100 >= all * WELLFORMED_RSS_ATOM_FLOOR,
        "only {ok} of {all} wellformed rss/atom files parse"
    );
}

fn assert_clear(e: &ParseError) {
    let message = e.to_string();
    assert!(message.len() > 10, "unhelpful error: {message:?}");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// The folder of `file` relative to the corpus, two levels deep at most
/// (`wellformed/rss`, `entities`).
fn folder_of(root: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(root).unwrap();
    let parts: Vec<_> = relative
        .parent()
        .into_iter()
        .flat_map(|p| p.iter())
        .take(2)
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}
