//! Item ids that survive the edits people make when they save a story
//! again: a word changed, a paragraph appended, a typo in the title fixed.
//!
//! An article's id has two halves, one from its title's words and one
//! from the opening words of its text (`article:<title>-<opening>`): an
//! edit rarely touches both, and the store matches a new id to a stored
//! article of the same source when either half is that of the stored id
//! or of the stored article's present title and opening (see
//! `store/edited.rs`). The content hash, not the id, tells that the
//! story changed. A headline's id comes from its text, so list markers,
//! the style of its quotes and dashes, case and a trailing time do not
//! count; it is made as before these rules for a headline they do not
//! touch, so stored headlines keep their ids.

use sha2::{Digest, Sha256};

use crate::model::ItemId;

/// Words of the opening that make its half of the id.
const OPENING_WORDS: usize = 12;

pub(crate) fn article_id(title: &str, opening: &str) -> ItemId {
    let opening: Vec<String> = words(opening).take(OPENING_WORDS).collect();
    ItemId::new(format!(
        "article:{}-{}",
        short_hash(&title_key(title)),
        short_hash(&opening.join(" "))
    ))
}

pub(super) fn headline_id(title: &str) -> ItemId {
    let mut key = fold(title);
    while let Some((before, _)) = key.rsplit_once(' ').filter(|(_, w)| is_time(w)) {
        key = before.to_string();
    }
    ItemId::new(format!("headline:{}", ItemId::from_text(&key, "")))
}

/// Lower case, with every style of quote and dash written one way, as
/// happens when a page is copied again or re-encoded into a charset
/// without curly quotes.
fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{2039}'
            | '\u{203a}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        })
        .collect()
}

/// The words of a title, without a trailing time of day (`… 09:15`).
fn title_key(title: &str) -> String {
    let mut words: Vec<String> = words(title).collect();
    while words.last().is_some_and(|w| is_time(w)) {
        words.pop();
    }
    words.join(" ")
}

/// Lower-case words, punctuation and quotes of every style dropped.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != ':')
        .map(|w| w.trim_matches(':').to_lowercase())
        .filter(|w| !w.is_empty())
}

fn is_time(word: &str) -> bool {
    word.len() <= 5 && word.contains(':') && word.chars().all(|c| c.is_ascii_digit() || c == ':')
}

fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_differing_in_quotes_case_or_time_are_one() {
        let id = headline_id("Mayor says \u{201c}yes\u{201d} to tram");
        for same in [
            "Mayor says \"yes\" to tram",
            "Mayor says «yes» to tram 09:15",
            "MAYOR SAYS „YES\u{201d} TO TRAM",
        ] {
            assert_eq!(headline_id(same), id, "{same}");
        }
        assert_ne!(headline_id("Mayor says no to tram"), id);
    }

    #[test]
    fn headline_ids_are_those_stored_before() {
        // As the normalizer made them until now: the folded line hashed
        // as a title with no text.
        let before = format!(
            "headline:{}",
            ItemId::from_text("it's here: the \"new\" tram - day one", "")
        );
        assert_eq!(
            headline_id("It\u{2019}s Here: The \u{201c}New\u{201d} Tram \u{2014} Day One").as_str(),
            before
        );
    }

    #[test]
    fn article_ids_keep_one_half_through_an_edit() {
        let id = article_id(
            "Harbour Reopens",
            "The harbour reopened on Monday after repairs.",
        );
        let typo_fixed = article_id(
            "Harbour Re-opens",
            "The harbour reopened on Monday after repairs.",
        );
        let (a, b) = (id.as_str(), typo_fixed.as_str());
        assert_ne!(a, b);
        assert_eq!(a.split('-').nth(1), b.split('-').nth(1));
        let long = "The harbour reopened on Monday after repairs that took the whole summer.";
        assert_eq!(
            article_id("Harbour Reopens", &format!("{long} Crowds came.")),
            article_id("Harbour Reopens", long),
            "only the opening words count"
        );
    }
}
