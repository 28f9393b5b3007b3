//! The story matcher judged on a labelled set of item pairs from
//! different sources (`tests/fixtures/dedup/pairs.jsonl`): copies of one
//! story (tracking links, wire copies, aggregator titles, independent
//! rewrites) and near-misses (follow-ups, generic and template titles,
//! other events of the same kind, shared home-page links, opinion beside
//! report, one headline months apart) in ten languages. Labels say what a
//! careful editor would, written before the matcher ran.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use syndic::curate::matcher::{same_story, StoryKey};
use syndic::model::{Item, ItemId, SourceName};

#[derive(Deserialize)]
struct Pair {
    id: String,
    lang: String,
    label: Label,
    kind: String,
    a: Side,
    b: Side,
}

#[derive(Deserialize, PartialEq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Label {
    Duplicate,
    Distinct,
}

#[derive(Deserialize)]
struct Side {
    source: String,
    title: String,
    summary: String,
    link: Option<String>,
    published: DateTime<Utc>,
}

impl Side {
    fn item(&self, id: &str) -> Item {
        Item {
            link: self.link.clone(),
            summary: (!self.summary.is_empty()).then(|| self.summary.clone()),
            published: Some(self.published),
            ..Item::new(
                SourceName::new(&self.source).unwrap(),
                ItemId::new(id),
                &self.title,
                self.published,
            )
        }
    }
}

fn pairs(file: &str) -> Vec<Pair> {
    let path = format!("{}/tests/fixtures/dedup/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Counts of one slice of the set.
#[derive(Default)]
struct Tally {
    true_pos: usize,
    false_pos: usize,
    false_neg: usize,
    true_neg: usize,
}

impl Tally {
    fn add(&mut self, label: Label, said_same: bool) {
        match (label, said_same) {
            (Label::Duplicate, true) => self.true_pos += 1,
            (Label::Distinct, true) => self.false_pos += 1,
            (Label::Duplicate, false) => self.false_neg += 1,
            (Label::Distinct, false) => self.true_neg += 1,
        }
    }

    fn pairs(&self) -> usize {
        self.true_pos + self.false_pos + self.false_neg + self.true_neg
    }

    fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }

    fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name:<32} pairs {:>3}  precision {:>5.1}%  recall {:>5.1}%",
            self.pairs(),
            100.0 * self.precision(),
            100.0 * self.recall()
        )
    }
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

/// The matcher's verdict on every pair of `file`, printed overall, by
/// kind and by language, with the pairs it got wrong.
fn judged(file: &str) -> Tally {
    let pairs = pairs(file);
    let duplicates = pairs.iter().filter(|p| p.label == Label::Duplicate).count();
    assert!(
        duplicates * 5 >= pairs.len() * 2 && duplicates * 5 <= pairs.len() * 3,
        "{file}: {duplicates} duplicates of {}",
        pairs.len()
    );
    let mut all = Tally::default();
    let mut slices: BTreeMap<String, Tally> = BTreeMap::new();
    let mut wrong = Vec::new();
    for p in &pairs {
        let (a, b) = (
            p.a.item(&format!("{}-a", p.id)),
            p.b.item(&format!("{}-b", p.id)),
        );
        let said = same_story(&StoryKey::of(&a), &StoryKey::of(&b));
        all.add(p.label, said.is_some());
        for slice in [format!("kind {}", p.kind), format!("lang {}", p.lang)] {
            slices
                .entry(slice)
                .or_default()
                .add(p.label, said.is_some());
        }
        if (p.label == Label::Duplicate) != said.is_some() {
            wrong.push(format!(
                "{} {} ({said:?}): {} | {}",
                p.id, p.kind, a.title, b.title
            ));
        }
    }
    println!("{file}\n{}", all.line("all"));
    for (name, tally) in &slices {
        println!("{}", tally.line(name));
    }
    println!("misjudged:\n  {}\n", wrong.join("\n  "));
    all
}

/// `file`'s figures reach at least these.
fn holds(file: &str, pairs: usize, precision: f64, recall: f64) {
    let all = judged(file);
    let line = all.line(file);
    assert!(all.pairs() >= pairs, "{line}");
    assert!(all.precision() >= precision, "{line}");
    assert!(all.recall() >= recall, "{line}");
}

/// The set the rules were chosen on.
#[test]
fn the_matcher_is_precise_on_near_misses_and_finds_most_copies() {
    holds("pairs.jsonl", 200, 0.97, 0.60);
}

/// Sets written afterwards by another hand. The first run of each found
/// wrong merges that changed a rule (recurring headlines of five words or
/// more, template headlines differing in one place; README, "One entry per
/// story"), so they are regression sets now, no longer unseen.
#[test]
fn the_matcher_holds_on_the_held_out_sets() {
    holds("pairs-holdout.jsonl", 100, 0.97, 0.60);
    holds("pairs-holdout-2.jsonl", 100, 0.95, 0.50);
}
