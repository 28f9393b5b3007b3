//! Titles and summaries made from prose: the opening sentence, cut at a
//! word boundary so that feed readers show a whole phrase.

use super::sentences::first_sentence;
use crate::text::cut_at_word;

/// Longest derived title, in characters, ellipsis included.
pub(super) const TITLE_MAX: usize = 120;

/// A title for an article without one: its opening sentence without the
/// final period, cut to [`TITLE_MAX`].
pub(super) fn title_from_opening(paragraph: &str) -> String {
    let sentence = first_sentence(paragraph);
    let bare = match sentence.strip_suffix(['.', '。']) {
        Some(s) if !s.is_empty() && !s.ends_with('.') => s,
        _ => sentence,
    };
    cut_at_word(bare, TITLE_MAX)
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
        assert_eq!(title_from_opening("新高。农业部门"), "新高");
    }
}
