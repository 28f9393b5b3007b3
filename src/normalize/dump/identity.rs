//! Item ids that survive the edits people make when they save a story
//! again: a word changed, a paragraph appended, a typo in the title fixed.
//!
//! An article's id has two halves, one from its title's words and one
//! from the opening words of its text (`article:<title>-<opening>`): an
//! edit rarely touches both, and the store matches a new id to a stored
//! article of the same source when either half is that of the stored id
//! or of the stored article's present title and opening (see
//! `store/edited.rs`). The content hash, not the id, tells that the
//! story changed. A headline's id comes from its words alone, so list
//! markers, quote styles, case and a trailing time do not count.

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
    ItemId::new(format!("headline:{}", short_hash(&title_key(title))))
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
            "MAYOR SAYS 'YES' TO TRAM",
        ] {
            assert_eq!(headline_id(same), id, "{same}");
        }
        assert_ne!(headline_id("Mayor says no to tram"), id);
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
