//! The labelled set: realistic dumps (tests/fixtures/dumps/labelled/*.txt,
//! saved in the encodings people use) beside hand-written expectations
//! (*.expected), scored as a whole. A dump is exactly right when every
//! item, and every field of every item, is what a careful editor would
//! make of it; item precision and recall count items matched by kind and
//! title.
//!
//! The expectation format, one field a line:
//!
//! ```text
//! warning                       the dump must give a warning
//! article: Title                an item with content …
//! headline: Title               … or without
//! link: https://…               fields of the item above
//! by: Jane Doe; John Roe
//! date: 2026-11-24T07:42:00Z    none given: `published` must be empty
//! summary: …                    checked when given
//! p: Opening words … last words.   content, in order: a paragraph,
//! h3: Subhead                      a subhead,
//! li: A point                      a list point
//! ```
//!
//! A `p:` with ` … ` in it matches a paragraph that starts with the part
//! before and ends with the part after.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use syndic::model::{Item, SourceName};
use syndic::normalize::dump::{dump_items, DumpMeta};

/// Share of dumps that must come out exactly right, and the item
/// precision the set must reach (issue 11).
const MIN_EXACT: f64 = 0.90;
const MIN_PRECISION: f64 = 0.95;

#[derive(Debug, Default, PartialEq)]
struct Expected {
    kind: &'static str,
    title: String,
    link: Option<String>,
    authors: Vec<String>,
    date: Option<String>,
    summary: Option<String>,
    content: Vec<(String, String)>,
}

#[derive(Debug, Default)]
struct Expectation {
    warning: bool,
    items: Vec<Expected>,
}

fn parse_expectation(text: &str) -> Expectation {
    let mut exp = Expectation::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if line == "warning" {
            exp.warning = true;
            continue;
        }
        let (key, value) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("bad expectation line {line:?}"));
        let value = value.to_string();
        if let Some(kind) = ["article", "headline"].into_iter().find(|k| *k == key) {
            exp.items.push(Expected {
                kind,
                title: value,
                ..Expected::default()
            });
            continue;
        }
        let item = exp.items.last_mut().expect("a field before any item");
        match key {
            "link" => item.link = Some(value),
            "by" => item.authors = value.split("; ").map(String::from).collect(),
            "date" => item.date = Some(value),
            "summary" => item.summary = Some(value),
            "p" | "h3" | "li" => item.content.push((key.to_string(), value)),
            _ => panic!("unknown expectation key {key:?}"),
        }
    }
    exp
}

/// An item's content as (tag, text) pairs, tags stripped from the text.
fn content_parts(item: &Item) -> Vec<(String, String)> {
    let Some(content) = item.content.as_deref() else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    for line in content.lines() {
        if let Some(list) = line.strip_prefix("<ul>") {
            for point in list.trim_end_matches("</ul>").split("</li>") {
                if let Some(text) = point.strip_prefix("<li>") {
                    parts.push(("li".to_string(), plain(text)));
                }
            }
            continue;
        }
        let tag = if line.starts_with("<h3>") { "h3" } else { "p" };
        parts.push((tag.to_string(), plain(line)));
    }
    parts
}

fn plain(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&text).into_owned()
}

fn text_matches(want: &str, got: &str) -> bool {
    match want.split_once(" … ") {
        Some((start, end)) => got.starts_with(start) && got.ends_with(end),
        None => want == got,
    }
}

/// What differs between an expected item and the item made, if anything.
fn differences(want: &Expected, got: &Item) -> Vec<String> {
    let mut diffs = Vec::new();
    let kind = if got.content.is_some() {
        "article"
    } else {
        "headline"
    };
    let mut check = |what: &str, ok: bool, detail: String| {
        if !ok {
            diffs.push(format!("{what}: {detail}"));
        }
    };
    check("kind", kind == want.kind, kind.to_string());
    check("link", got.link == want.link, format!("{:?}", got.link));
    check(
        "authors",
        got.authors == want.authors,
        format!("{:?}", got.authors),
    );
    let date = got
        .published
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    check("date", date == want.date, format!("{date:?}"));
    if let Some(summary) = &want.summary {
        let got_summary = got.summary.as_deref().map(plain);
        check(
            "summary",
            got_summary.as_deref() == Some(summary.as_str()),
            format!("{got_summary:?}"),
        );
    }
    let parts = content_parts(got);
    let content_ok = parts.len() == want.content.len()
        && parts
            .iter()
            .zip(&want.content)
            .all(|((tag, text), (want_tag, want_text))| {
                tag == want_tag && text_matches(want_text, text)
            });
    check("content", content_ok, format!("{parts:#?}"));
    diffs
}

#[derive(Debug, Default)]
struct Score {
    dumps: usize,
    exact: usize,
    expected_items: usize,
    made_items: usize,
    matched_items: usize,
    failures: Vec<String>,
}

fn file_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
}

fn score_one(name: &str, bytes: &[u8], expectation: &Expectation, score: &mut Score) {
    let source = SourceName::new("labelled").unwrap();
    let meta = DumpMeta {
        source: &source,
        origin: name,
        fallback_date: file_time(),
        now: file_time() + chrono::TimeDelta::hours(1),
        max_items: usize::MAX,
    };
    score.dumps += 1;
    score.expected_items += expectation.items.len();
    let dump = match dump_items(bytes, &meta) {
        Ok(dump) => dump,
        Err(e) => {
            score.failures.push(format!("{name}: refused: {e}"));
            return;
        }
    };
    score.made_items += dump.items.len();
    let mut unmatched: Vec<&Expected> = expectation.items.iter().collect();
    for item in &dump.items {
        if let Some(at) = unmatched
            .iter()
            .position(|w| w.title == item.title && (w.kind == "article") == item.content.is_some())
        {
            unmatched.remove(at);
            score.matched_items += 1;
        }
    }
    let mut problems = Vec::new();
    let warned = !dump.warnings.is_empty();
    if expectation.warning != warned {
        problems.push(format!("warnings: {:?}", dump.warnings));
    }
    if dump.items.len() != expectation.items.len() {
        let titles: Vec<&str> = dump.items.iter().map(|i| i.title.as_str()).collect();
        problems.push(format!(
            "{} items, want {}: {titles:#?}",
            dump.items.len(),
            expectation.items.len()
        ));
    }
    for (want, got) in expectation.items.iter().zip(&dump.items) {
        if want.title != got.title {
            problems.push(format!("title {:?}, want {:?}", got.title, want.title));
        }
        for diff in differences(want, got) {
            problems.push(format!("{:?}: {diff}", want.title));
        }
    }
    if problems.is_empty() {
        score.exact += 1;
    } else {
        score
            .failures
            .push(format!("{name}:\n  {}", problems.join("\n  ")));
    }
}

fn labelled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dumps/labelled")
}

#[test]
fn the_labelled_set_comes_out_as_an_editor_would_make_it() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(labelled_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "the set has {} dumps", names.len());
    let mut score = Score::default();
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected"))
            .unwrap_or_else(|e| panic!("{name}: no expectation: {e}"));
        score_one(&name, &bytes, &parse_expectation(&expected), &mut score);
    }
    let exact = score.exact as f64 / score.dumps as f64;
    let precision = score.matched_items as f64 / score.made_items.max(1) as f64;
    let recall = score.matched_items as f64 / score.expected_items.max(1) as f64;
    for failure in &score.failures {
        eprintln!("{failure}");
    }
    eprintln!(
        "labelled dumps: {}/{} exact ({:.1}%), item precision {:.1}% ({}/{}), recall {:.1}% ({}/{})",
        score.exact,
        score.dumps,
        exact * 100.0,
        precision * 100.0,
        score.matched_items,
        score.made_items,
        recall * 100.0,
        score.matched_items,
        score.expected_items
    );
    assert!(exact >= MIN_EXACT, "exact {:.1}%", exact * 100.0);
    assert!(
        precision >= MIN_PRECISION,
        "precision {:.1}%",
        precision * 100.0
    );
}

#[test]
fn the_expectation_format_is_read_as_documented() {
    let exp = parse_expectation(
        "warning\narticle: T\nby: A; B\ndate: 2026-11-24T00:00:00Z\np: x … y\nli: z\nheadline: H\nlink: https://e.org/h\nsummary: S",
    );
    assert!(exp.warning);
    assert_eq!(exp.items.len(), 2);
    assert_eq!(exp.items[0].authors, ["A", "B"]);
    assert_eq!(exp.items[0].content.len(), 2);
    assert_eq!(exp.items[1].link.as_deref(), Some("https://e.org/h"));
    assert!(text_matches("x … y", "x and then y"));
    assert!(!text_matches("x … y", "x and then z"));
}
