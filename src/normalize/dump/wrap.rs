//! Hard-wrapped text: email, newsletters, wire copy and `fmt` output break
//! paragraphs at 60–100 columns. Whether a block is wrapped is decided for
//! the whole block, by which reading explains its lines better: wrapped
//! prose (lines run to the wrap width and go on mid-sentence) or a list
//! of separate lines (headlines, which stop where they end and start with
//! a capital).

use super::cjk;
use super::sentences::inner_breaks;

/// Widths text is wrapped at; a block whose longest line is outside this
/// range is one line per paragraph.
const WRAP_WIDTHS: std::ops::RangeInclusive<usize> = 30..=100;

/// CJK lines are wrapped at fewer characters, since each is a word or
/// half of one.
const CJK_MIN_WIDTH: usize = 12;

/// One line of a block as the wrap test sees it.
#[derive(Debug, Clone, Copy)]
pub(super) struct WrapLine<'a> {
    pub text: &'a str,
    pub indent: usize,
}

impl WrapLine<'_> {
    fn columns(&self) -> usize {
        self.indent + self.text.chars().count()
    }
}

/// Words that do not end a sentence or a headline, so a line ending in
/// one goes on in the next (English, German, French, Spanish, Russian).
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "and", "or", "for", "with", "on", "at", "by", "from", "as",
    "that", "is", "was", "be", "has", "have", "had", "will", "would", "its", "their", "his", "her",
    "this", "but", "not", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "und",
    "oder", "mit", "von", "zu", "im", "auf", "für", "ist", "sind", "hat", "wird", "nach", "bei",
    "aus", "über", "vor", "sich", "nicht", "auch", "als", "wie", "dass", "le", "la", "les", "de",
    "des", "du", "un", "une", "et", "ou", "à", "au", "aux", "en", "dans", "sur", "pour", "par",
    "avec", "que", "qui", "est", "sont", "ne", "el", "los", "las", "del", "una", "y", "o", "con",
    "por", "para", "se", "es", "al", "в", "и", "на", "с", "по", "к", "о", "из", "за", "от", "для",
    "не", "что", "как",
];

/// Whether `lines` (one block, in order) are wrapped paragraphs.
pub(super) fn is_wrapped(lines: &[WrapLine<'_>]) -> bool {
    let Some(width) = lines.iter().map(WrapLine::columns).max() else {
        return false;
    };
    if lines.len() < 2 {
        return false;
    }
    let full_pairs = || lines.windows(2).filter(|p| is_full(&p[0], &p[1], width));
    if lines.iter().any(|l| cjk::is_cjk_text(l.text)) {
        let has_sentences = lines
            .iter()
            .any(|l| l.text.chars().any(cjk::is_sentence_end));
        return width >= CJK_MIN_WIDTH && has_sentences && full_pairs().count() > 0;
    }
    if !WRAP_WIDTHS.contains(&width) {
        return false;
    }
    let pairs: Vec<&[WrapLine<'_>]> = full_pairs().collect();
    let sentences: i32 = lines
        .iter()
        .map(|l| {
            i32::try_from(inner_breaks(l.text).len())
                .unwrap_or(i32::MAX)
                .min(2)
        })
        .sum();
    let evidence: i32 = pairs
        .iter()
        .map(|p| continuation(p[0].text, p[1].text))
        .sum();
    !pairs.is_empty() && evidence + sentences > 0
}

/// Whether `line` ran to the wrap width: the first word of `next` would
/// not have fitted after it.
pub(super) fn is_full(line: &WrapLine<'_>, next: &WrapLine<'_>, width: usize) -> bool {
    if cjk::joins_tight(line.text, next.text) {
        return line.columns() + 1 >= width;
    }
    let first_word = next.text.split(' ').next().unwrap_or_default();
    line.columns() + 1 + first_word.chars().count() > width
}

/// Evidence that a line break is inside a sentence: the next line starts
/// in lower case, or the line ends with a comma, hyphen or a word that
/// cannot end a sentence; a line in title case is evidence of a list.
fn continuation(line: &str, next: &str) -> i32 {
    let mut votes = 0;
    if next.starts_with(|c: char| c.is_lowercase()) {
        votes += 1;
    }
    let last_word = line.rsplit(' ').next().unwrap_or_default().to_lowercase();
    if line.ends_with([',', '-', ';']) || FUNCTION_WORDS.contains(&last_word.as_str()) {
        votes += 1;
    }
    if super::roles::capital_share(line).is_some_and(|s| s >= 0.75) {
        votes -= 1;
    }
    votes
}

/// The width of a block: its longest line, in characters.
pub(super) fn width(lines: &[WrapLine<'_>]) -> usize {
    lines.iter().map(WrapLine::columns).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Vec<WrapLine<'_>> {
        text.lines()
            .map(|l| WrapLine {
                text: l.trim(),
                indent: l.len() - l.trim_start().len(),
            })
            .collect()
    }

    #[test]
    fn wrapped_prose_is_told_from_headline_lists() {
        let prose = "The port authority confirmed on Monday that dredging of the inner\nharbour will begin in the second week of January, two years later\nthan first planned, after the last of the permits was granted.";
        assert!(is_wrapped(&block(prose)));
        let headlines = "Council Approves Budget for New Sports Centre and Pool\nHeavy Snow Expected on High Ground Tonight in the North\nPolice Appeal for Witnesses";
        assert!(!is_wrapped(&block(headlines)));
        let sentence_case = "Government confirms it will raise the minimum wage again\nThousands of homes still without heating after the cold\nScientists say the warm autumn delayed migration";
        assert!(!is_wrapped(&block(sentence_case)));
    }

    #[test]
    fn cjk_is_measured_in_characters() {
        let prose = "今年秋季，全省粮食总产量再创历史新高。农业部门表示，良\n好的天气条件和新品种的推广是丰收的主要原因！";
        assert!(is_wrapped(&block(prose)));
        let headlines = "全国铁路客运量创同期新高\n上海发布新一轮人才引进政策";
        assert!(!is_wrapped(&block(headlines)));
    }
}
