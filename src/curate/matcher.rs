//! Whether two items from different sources tell one story: the same
//! article link, the same headline within a day or two, or nearly the
//! same headline and opening. The thresholds come from a labelled set of
//! real-looking pairs (`tests/fixtures/dedup/pairs.jsonl`), whose
//! precision and recall the README reports.

use chrono::{DateTime, TimeDelta, Utc};

use super::canonical_link::canonical_link;
use super::shingles::{word_hash, word_hashes, Shingles};
use crate::model::{Item, SourceName};
use crate::text::html_to_text;
use crate::text::words::{word_slices, written_without_spaces};

/// Copies of a story under one headline appear within this of each other;
/// the same headline further apart is usually another story (a yearly
/// budget vote, a weekly column).
const TITLE_WINDOW: TimeDelta = TimeDelta::hours(48);
/// Near-identical text further apart than this is a re-run, not a copy.
const TEXT_WINDOW: TimeDelta = TimeDelta::days(7);
/// How much of their openings two items under the very same headline
/// share at least, when both have one: a copy carries the story's lede, a
/// recurring headline ("The Morning Briefing: what you need to know") a
/// new one each time. An aggregator's added name excuses its own blurb.
const SAME_HEADLINE_OPENING: f64 = 0.15;
/// How much of title and opening two copies share at least.
const TEXT_RESEMBLANCE: f64 = 0.45;
/// Below this, two items under one link share no story: the link is a
/// home or section page that a feed gives all its items.
const LINK_TEXT_RESEMBLANCE: f64 = 0.1;
/// Words a headline needs to tell one story: "Daily briefing", "El
/// tiempo" or "Editorial" head a new story every day. A Han or kana
/// character counts half a word.
const DISTINCT_HEADLINE_WORDS: f64 = 5.0;
/// Words at most in the one place two template headlines differ.
const MAX_SLOT_WORDS: usize = 3;
/// Word pairs a text needs before its resemblance means anything.
const MIN_TEXT_SHINGLES: usize = 8;
/// Characters of summary (else content) read as the opening.
const OPENING_CHARS: usize = 600;

/// Why two items were taken for one story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The same published id.
    Id,
    /// The same article link, tracking and spelling aside.
    Link,
    /// The same headline, close in time.
    Title,
    /// Nearly the same headline and opening.
    Text,
}

/// What the matcher compares of an item, worked out once.
#[derive(Debug, Clone)]
pub struct StoryKey {
    pub source: SourceName,
    pub public_id: String,
    pub link: Option<String>,
    /// The normalized title.
    pub title: String,
    pub time: DateTime<Utc>,
    /// How many words the title has, a Han or kana character counting half.
    pub headline_words: f64,
    /// The title's words, in order.
    pub words: Vec<String>,
    /// Those of its words that hold digits: a date, a score, a draw.
    pub numbers: Vec<String>,
    /// Title and opening.
    pub text: Shingles,
    /// The opening alone.
    pub opening: Shingles,
}

impl StoryKey {
    pub fn of(item: &Item) -> StoryKey {
        let slices: Vec<&str> = word_slices(&item.title).collect();
        let words: Vec<String> = slices.iter().map(|w| w.to_lowercase()).collect();
        let title_hashes: Vec<u64> = slices.iter().map(|w| word_hash(w)).collect();
        let opening_hashes = word_hashes(&opening(item));
        StoryKey {
            source: item.source.clone(),
            public_id: item.public_id(),
            link: item.link.as_deref().and_then(canonical_link),
            title: normalized_title(&item.title),
            time: item.sort_time(),
            headline_words: words.iter().map(|w| word_weight(w)).sum(),
            numbers: words
                .iter()
                .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
                .cloned()
                .collect(),
            words,
            text: Shingles::of_words(&[title_hashes, opening_hashes.clone()].concat()),
            opening: Shingles::of_words(&opening_hashes),
        }
    }
}

fn word_weight(word: &str) -> f64 {
    if word.chars().all(written_without_spaces) {
        0.5
    } else {
        1.0
    }
}

/// The first characters of the summary's text, else the content's.
fn opening(item: &Item) -> String {
    let html = item.summary.as_deref().or(item.content.as_deref());
    let text = html.map(html_to_text).unwrap_or_default();
    text.chars().take(OPENING_CHARS).collect()
}

/// How `a` and `b` are one story, if they are. Items of one source are
/// that source's to tell apart: only a shared id or link joins them, never
/// a headline ("Daily briefing" every morning) or resembling text.
pub fn same_story(a: &StoryKey, b: &StoryKey) -> Option<Match> {
    if a.public_id == b.public_id {
        return Some(Match::Id);
    }
    if a.link.is_some() && a.link == b.link {
        let shared = a.text.resemblance(&b.text) >= LINK_TEXT_RESEMBLANCE;
        return shared.then_some(Match::Link);
    }
    if a.source == b.source || numbers_differ(a, b) || one_slot_differs(a, b) {
        return None;
    }
    let apart = (a.time - b.time).abs();
    if apart <= TITLE_WINDOW && same_headline(a, b) {
        return Some(Match::Title);
    }
    let enough = a.text.len().min(b.text.len()) >= MIN_TEXT_SHINGLES;
    let close = apart <= TEXT_WINDOW && enough && headlines_overlap(a, b);
    (close && a.text.resemblance(&b.text) >= TEXT_RESEMBLANCE).then_some(Match::Text)
}

/// At least half the words of the shorter headline are in the other: a
/// summary both feeds fill from one template ("…officials said on
/// Tuesday…") must not carry two headlines into one story.
fn headlines_overlap(a: &StoryKey, b: &StoryKey) -> bool {
    let (short, long) = if a.words.len() <= b.words.len() {
        (&a.words, &b.words)
    } else {
        (&b.words, &a.words)
    };
    let shared = short.iter().filter(|w| long.contains(w)).count();
    shared * 2 >= short.len()
}

/// Neither headline's numbers are the other's with some left out: the
/// same template on two days ("Powerball numbers for Nov. 23", "… Nov.
/// 25"), two matches, two draws. A copy that adds a number ("…, on sale
/// April 24") keeps all of the other's, in order.
fn numbers_differ(a: &StoryKey, b: &StoryKey) -> bool {
    !runs_within(&a.numbers, &b.numbers) && !runs_within(&b.numbers, &a.numbers)
}

/// Whether `part` is `whole` with some words left out, in its order:
/// `round 1 story 0` is not `round 0 story 1`.
fn runs_within(part: &[String], whole: &[String]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|n| rest.any(|w| w == n))
}

/// The headlines are one sentence with one slot filled differently, by
/// words the other lacks: a town (`Boil-water notice issued for Oakdale`,
/// `… for Fernhill`), a weekday, a team, a version, a company. That is a
/// template telling two stories; an edit rewords, reorders or adds.
fn one_slot_differs(a: &StoryKey, b: &StoryKey) -> bool {
    let (x, y) = (&a.words, &b.words);
    let head = x.iter().zip(y).take_while(|(p, q)| p == q).count();
    let tail = x[head..]
        .iter()
        .rev()
        .zip(y[head..].iter().rev())
        .take_while(|(p, q)| p == q)
        .count();
    let (slot_x, slot_y) = (&x[head..x.len() - tail], &y[head..y.len() - tail]);
    let small = |slot: &[String]| (1..=MAX_SLOT_WORDS).contains(&slot.len());
    small(slot_x) && small(slot_y) && !slot_x.iter().any(|w| slot_y.contains(w))
}

/// One headline, long enough to name one story: the very same with a like
/// opening, or one with an aggregator's additions (a "- BBC News", a
/// "BREAKING:"). Headlines that each have words the other lacks are two
/// (`… in Oakdale`, `… in Fernhill`); the text rule judges edits.
fn same_headline(a: &StoryKey, b: &StoryKey) -> bool {
    let (short, long) = if a.title.len() <= b.title.len() {
        (a, b)
    } else {
        (b, a)
    };
    if short.headline_words < DISTINCT_HEADLINE_WORDS {
        return false;
    }
    if a.title == b.title {
        a.opening.is_empty()
            || b.opening.is_empty()
            || a.opening.resemblance(&b.opening) >= SAME_HEADLINE_OPENING
    } else {
        contains_words(&long.title, &short.title)
    }
}

/// Whether the words of `short` run, whole, inside `long`.
fn contains_words(long: &str, short: &str) -> bool {
    long.match_indices(short).any(|(at, _)| {
        let before = long[..at].chars().next_back();
        let after = long[at + short.len()..].chars().next();
        before.is_none_or(|c| c == ' ') && after.is_none_or(|c| c == ' ')
    })
}

/// Lowercase words with punctuation and whitespace folded to single
/// spaces, so "Storm hits coast!" and "storm  hits coast" compare equal.
fn normalized_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut gap = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ItemId;
    use chrono::TimeZone;

    fn item(source: &str, id: &str, title: &str, summary: &str, hour: i64) -> Item {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap() + TimeDelta::hours(hour);
        Item {
            summary: (!summary.is_empty()).then(|| summary.to_string()),
            published: Some(at),
            ..Item::new(SourceName::new(source).unwrap(), ItemId::new(id), title, at)
        }
    }

    fn judge(a: &Item, b: &Item) -> Option<Match> {
        same_story(&StoryKey::of(a), &StoryKey::of(b))
    }

    #[test]
    fn one_source_never_merges_on_headline_or_text() {
        let title = "Storm Idris brings gusts to north Wales";
        let one = item("wire", "1", title, "Gusts reached 90mph.", 0);
        let two = item("wire", "2", title, "Gusts reached 90mph.", 24);
        assert_eq!(judge(&one, &two), None);
        let other = item("bbc", "9", title, "", 1);
        assert_eq!(judge(&one, &other), Some(Match::Title));
    }

    #[test]
    fn one_link_is_one_story_unless_the_texts_share_nothing() {
        let mut a = item("wire", "1", "Storm hits the coast at dawn", "", 0);
        let mut b = item("wire", "2", "Storm hits the coast", "", 1);
        a.link = Some("https://wire.example/storm?utm_source=rss".into());
        b.link = Some("http://www.wire.example/storm/".into());
        assert_eq!(judge(&a, &b), Some(Match::Link));
        b.title = "Council approves housing plan".into();
        assert_eq!(judge(&a, &b), None, "a section page is no article");
    }

    #[test]
    fn a_headline_is_a_story_only_when_long_and_close_in_time() {
        let title = "Parliament approves the budget for next year";
        let a = item("bbc", "1", title, "MPs backed the budget.", 0);
        let late = item("cnn", "2", title, "Lawmakers passed the plan.", 24 * 8);
        assert_eq!(judge(&a, &late), None);
        let aggregated = item("news", "3", &format!("{title} - BBC News"), "", 2);
        assert_eq!(judge(&a, &aggregated), Some(Match::Title));
        let recurring = "The Morning Briefing: what you need to know today";
        let monday = item(
            "bbc",
            "6",
            recurring,
            "Strikes, storms and a royal visit.",
            0,
        );
        let tuesday = item(
            "cnn",
            "7",
            recurring,
            "Budget talks resume as markets slide.",
            1,
        );
        assert_eq!(
            judge(&monday, &tuesday),
            None,
            "a new lede under an old headline"
        );
        let variant = item(
            "cnn",
            "8",
            "Parliament approves the budget for next term",
            "",
            1,
        );
        assert_eq!(
            judge(&a, &variant),
            None,
            "each headline has a word the other lacks"
        );
        let short = item("bbc", "4", "Week in review", "", 0);
        let other = item("cnn", "5", "Week in review", "", 0);
        assert_eq!(judge(&short, &other), None);
    }

    #[test]
    fn headlines_of_one_template_differ_in_their_numbers() {
        let a = item(
            "lotto",
            "1",
            "Powerball winning numbers for Nov. 23, 2026",
            "",
            0,
        );
        let b = item(
            "news",
            "2",
            "Powerball winning numbers for Nov. 25, 2026",
            "",
            0,
        );
        assert_eq!(judge(&a, &b), None);
        let c = item(
            "news",
            "3",
            "Powerball winning numbers for Nov. 23, 2026 - Local 10",
            "",
            0,
        );
        assert_eq!(judge(&a, &c), Some(Match::Title));
    }

    #[test]
    fn the_same_numbers_in_another_order_are_another_story() {
        let summary = |r, s| format!("Story {s} of round {r}, long enough to make the row real.");
        let a = item("feed0", "1", "Feed 2 round 1 story 0", &summary(1, 0), 0);
        let b = item("feed1", "2", "Feed 2 round 0 story 1", &summary(0, 1), 0);
        assert_eq!(judge(&a, &b), None);
    }

    #[test]
    fn headlines_of_one_template_differ_in_one_slot() {
        let oakdale = item(
            "city",
            "1",
            "Boil water advisory issued for Oakdale after main break",
            "",
            0,
        );
        let fernhill = item(
            "county",
            "2",
            "Boil water advisory issued for Fernhill after main break",
            "",
            0,
        );
        assert_eq!(judge(&oakdale, &fernhill), None);
        let a = item("nhk", "3", "福岡県に大雨警報　土砂災害に警戒", "", 0);
        let b = item("asahi", "4", "熊本県に大雨警報　土砂災害に警戒", "", 0);
        assert_eq!(judge(&a, &b), None);
        let reordered = item(
            "abc",
            "5",
            "Reserve bank holds rates, signals possible cuts next year",
            "",
            0,
        );
        let edited = item(
            "rtr",
            "6",
            "Reserve Bank holds rates, signals cuts possible next year",
            "",
            0,
        );
        assert!(!super::one_slot_differs(
            &StoryKey::of(&reordered),
            &StoryKey::of(&edited)
        ));
    }

    #[test]
    fn han_headlines_need_twice_the_characters() {
        let a = item("nhk", "1", "今日のニュース", "", 0);
        let b = item("asahi", "2", "今日のニュース", "", 0);
        assert_eq!(judge(&a, &b), None);
        let c = item("xinhua", "3", "新加坡组屋转售价格连续第七季上涨", "", 0);
        let d = item(
            "zaobao",
            "4",
            "新加坡组屋转售价格连续第七季上涨 - 联合早报",
            "",
            0,
        );
        assert_eq!(judge(&c, &d), Some(Match::Title));
    }

    #[test]
    fn a_lightly_edited_copy_is_the_same_story() {
        let a = item(
            "reuters",
            "1",
            "Central bank raises rates by half a point",
            "The central bank raised its key rate by half a point on Tuesday, its biggest move in a decade.",
            0,
        );
        let b = item(
            "yahoo",
            "2",
            "Central bank raises interest rates by half a point",
            "The central bank raised its key interest rate by half a point on Tuesday, its biggest move in a decade.",
            3,
        );
        assert_eq!(judge(&a, &b), Some(Match::Text));
    }

    #[test]
    fn titles_fold_case_punctuation_and_spaces() {
        assert_eq!(
            normalized_title("  Storm hits   COAST! "),
            "storm hits coast"
        );
        assert_eq!(normalized_title("Storm — hits, coast"), "storm hits coast");
        assert_eq!(normalized_title("Élan vital"), "élan vital");
        assert_eq!(normalized_title("?!"), "");
    }
}
