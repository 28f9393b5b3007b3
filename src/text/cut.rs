//! Titles made from running text: cut at a word boundary, so that a
//! reader shows a whole phrase, with an ellipsis where text was left out.

const ELLIPSIS: char = '\u{2026}';

/// `text` when it has at most `max` characters, else its longest run of
/// whole words that fits with an ellipsis, trailing commas and dashes
/// dropped. A first word longer than that is cut mid-word.
pub fn cut_at_word(text: &str, max: usize) -> String {
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
    fn long_sentences_are_cut_at_a_word_with_an_ellipsis() {
        let words = "alpha beta, gamma ".repeat(20);
        let title = cut_at_word(words.trim(), 40);
        assert_eq!(title, "alpha beta, gamma alpha beta, gamma\u{2026}");
        assert!(title.chars().count() <= 40);
        assert_eq!(
            cut_at_word(&"x".repeat(50), 10),
            format!("{}\u{2026}", "x".repeat(9))
        );
    }

    #[test]
    fn short_text_is_kept_and_the_limit_holds_the_ellipsis() {
        assert_eq!(cut_at_word("short", 10), "short");
        assert_eq!(cut_at_word("one two three", 9), "one two\u{2026}");
        assert_eq!(cut_at_word("one two three", 7), "one\u{2026}");
        assert_eq!(cut_at_word("ééé ééé ééé", 8), "ééé ééé\u{2026}");
    }
}
