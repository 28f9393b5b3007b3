//! Titles and summaries made from prose: the opening sentence, cut at a
//! word boundary so that feed readers show a whole phrase.

use super::sentences::first_sentence;

/// Longest derived title, in characters, ellipsis included.
pub(super) const TITLE_MAX: usize = 120;

const ELLIPSIS: char = '\u{2026}';

/// A title for an article without one: its opening sentence without the
/// final period, cut to [`TITLE_MAX`].
pub(super) fn title_from_opening(paragraph: &str) -> String {
    let sentence = first_sentence(paragraph);
    let bare = match sentence.strip_suffix('.') {
        Some(s) if !s.is_empty() && !s.ends_with('.') => s,
        _ => sentence,
    };
    cut(bare, TITLE_MAX)
}

/// `text` when it has at most `max` characters, else its longest run of
/// whole words that fits with an ellipsis, trailing commas and dashes
/// dropped. A first word longer than that is cut mid-word.
pub(super) fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let budget = max.saturating_sub(1);
    let mut kept = String::new();
    for word in text.split_whitespace() {
        let extra = usize::from(!kept.is_empty()) + word.chars().count();
        if kept.chars().count() + extra > budget {
            break;
        }
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    let mut kept = kept
        .trim_end_matches([',', ';', ':', '-', '\u{2013}', '\u{2014}', ' '])
        .to_string();
    if kept.is_empty() {
        kept = text.chars().take(budget).collect();
    }
    kept.push(ELLIPSIS);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_sentences_are_kept_whole_without_the_period() {
        assert_eq!(
            title_from_opening("The pier reopened today. Crowds came early."),
            "The pier reopened today"
        );
        assert_eq!(title_from_opening("Is it over?"), "Is it over?");
        assert_eq!(title_from_opening("Wait..."), "Wait...");
        assert_eq!(title_from_opening("."), ".");
    }

    #[test]
    fn long_sentences_are_cut_at_a_word_with_an_ellipsis() {
        let words = "alpha beta, gamma ".repeat(20);
        let title = cut(words.trim(), 40);
        assert_eq!(title, "alpha beta, gamma alpha beta, gamma\u{2026}");
        assert!(title.chars().count() <= 40);
        assert_eq!(
            cut(&"x".repeat(50), 10),
            format!("{}\u{2026}", "x".repeat(9))
        );
    }
}
