//! Blocks (runs of non-blank lines) and what each one is: article prose or
//! a list of headlines.
//!
//! Every line is judged by several independent signals — its length, how
//! it ends, how many sentences it holds, how many of its words are
//! capitalised — each voting "prose", "headline" or abstaining, and a
//! block goes with the majority of its lines. No single signal decides,
//! so a headline ending in `?`, a list in sentence case or an article of
//! short paragraphs still come out right.

use super::sentences::inner_breaks;
use super::text::Line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockKind {
    /// Paragraphs of an article; `titled` when the first line is the
    /// article's title rather than a paragraph.
    Prose {
        titled: bool,
    },
    Headlines,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block<'a> {
    pub lines: &'a [Line<'a>],
    pub kind: BlockKind,
}

/// Splits at blank lines and classifies each block.
pub(super) fn blocks<'a>(lines: &'a [Line<'a>]) -> Vec<Block<'a>> {
    lines
        .split(|l| l.is_empty())
        .filter(|b| !b.is_empty())
        .map(|lines| Block {
            lines,
            kind: classify(lines),
        })
        .collect()
}

/// A line this long is a paragraph whatever else it looks like.
const PARAGRAPH_CHARS: usize = 200;
const PARAGRAPH_WORDS: usize = 35;

/// Lines this long lean towards prose …
const LONG_CHARS: usize = 160;
const LONG_WORDS: usize = 24;
/// … and lines this short towards headlines.
const SHORT_CHARS: usize = 130;
const SHORT_WORDS: usize = 18;

/// A block of lines that all abstain is a list when it has several lines,
/// and a single line of this many words or more is a paragraph.
const UNDECIDED_PARAGRAPH_WORDS: usize = 12;

/// The votes on one line: positive for prose, negative for headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lean(i32);

impl Lean {
    /// A paragraph-length line: more than all four signals can add up to.
    const PARAGRAPH: Lean = Lean(5);

    fn is_prose(self) -> bool {
        self.0 > 0
    }

    fn is_headline(self) -> bool {
        self.0 < 0
    }
}

fn classify(lines: &[Line<'_>]) -> BlockKind {
    let leans: Vec<Lean> = lines.iter().map(|l| lean(l)).collect();
    if let ([first, ..], [first_lean, rest @ ..]) = (lines, leans.as_slice()) {
        if !rest.is_empty() && looks_like_title(first, *first_lean) && majority(rest) == Some(true)
        {
            return BlockKind::Prose { titled: true };
        }
    }
    let prose = majority(&leans).unwrap_or_else(|| match lines {
        [only] => word_count(only) >= UNDECIDED_PARAGRAPH_WORDS,
        _ => false,
    });
    if prose {
        BlockKind::Prose { titled: false }
    } else {
        BlockKind::Headlines
    }
}

/// `Some(true)` when the lines are mostly prose, `Some(false)` when mostly
/// headlines, by count of lines and then by total votes; `None` on a tie.
fn majority(leans: &[Lean]) -> Option<bool> {
    let prose = leans.iter().filter(|l| l.is_prose()).count();
    let headline = leans.iter().filter(|l| l.is_headline()).count();
    let total: i32 = leans.iter().map(|l| l.0).sum();
    match prose.cmp(&headline).then(total.cmp(&0)) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal => None,
    }
}

/// A short first line that does not read as a sentence: no closing period
/// or comma, and either capitalised like a title or only a few words.
fn looks_like_title(line: &str, lean: Lean) -> bool {
    let words = word_count(line);
    !lean.is_prose()
        && words <= SHORT_WORDS
        && !matches!(last_char(line), Some('.' | ',' | ';' | ':'))
        && (capital_share(line).is_some_and(|s| s >= 0.75) || words <= 12)
}

fn lean(line: &str) -> Lean {
    let chars = line.chars().count();
    let words = word_count(line);
    if chars >= PARAGRAPH_CHARS || words >= PARAGRAPH_WORDS {
        return Lean::PARAGRAPH;
    }
    let mut votes = 0;
    if chars >= LONG_CHARS || words >= LONG_WORDS {
        votes += 1;
    } else if chars <= SHORT_CHARS && words <= SHORT_WORDS {
        votes -= 1;
    }
    votes += match last_char(line) {
        Some('.') if !line.ends_with("...") => 1,
        Some(c) if c.is_alphanumeric() => -1,
        _ => 0,
    };
    if !inner_breaks(line).is_empty() {
        votes += 1;
    }
    votes += match capital_share(line) {
        Some(s) if s >= 0.75 => -1,
        Some(s) if s <= 0.4 => 1,
        _ => 0,
    };
    Lean(votes)
}

fn word_count(line: &str) -> usize {
    line.split(' ').count()
}

/// The last character that is not a closing quote or bracket.
fn last_char(line: &str) -> Option<char> {
    line.trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']', '\u{bb}'])
        .chars()
        .next_back()
}

/// Share of capitalised words among those after the first that are long
/// enough to matter (short ones such as "of" and "to" stay lower case even
/// in titles); `None` with fewer than two such words.
fn capital_share(line: &str) -> Option<f64> {
    let significant: Vec<char> = line
        .split(' ')
        .skip(1)
        .filter_map(|w| {
            let w = w.trim_start_matches(|c: char| !c.is_alphanumeric());
            let first = w.chars().next()?;
            (first.is_alphabetic() && w.chars().count() >= 4).then_some(first)
        })
        .collect();
    if significant.len() < 2 {
        return None;
    }
    let capitals = significant.iter().filter(|c| c.is_uppercase()).count();
    Some(capitals as f64 / significant.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> BlockKind {
        let lines: Vec<Line<'_>> = text.lines().map(Line::from).collect();
        classify(&lines)
    }

    const PROSE: BlockKind = BlockKind::Prose { titled: false };

    #[test]
    fn title_case_lists_and_sentence_case_lists_are_headlines() {
        assert_eq!(
            kind("Council Approves New Cycle Lanes\nLibrary Hours Extended Through Winter"),
            BlockKind::Headlines
        );
        assert_eq!(
            kind("Council approves new cycle lanes by the river\nLibrary hours extended through the winter"),
            BlockKind::Headlines
        );
        assert_eq!(
            kind("Will the harbour reopen before spring?\nRecord crowds at the autumn fair!"),
            BlockKind::Headlines
        );
    }

    #[test]
    fn short_sentences_are_prose() {
        assert_eq!(
            kind("The café reopened this week after a long refurbishment.\nIt serves breakfast until noon.\nThe owners said trade was good."),
            PROSE
        );
    }

    #[test]
    fn a_single_long_line_is_prose_and_a_title_line_is_recognised() {
        let long = "word ".repeat(40);
        assert_eq!(kind(long.trim()), PROSE);
        assert_eq!(
            kind("Harbour Repairs Begin\nThe harbour authority said work on the breakwater starts next week. It will take two months."),
            BlockKind::Prose { titled: true }
        );
    }
}
