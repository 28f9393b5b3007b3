//! Text as the full-text index reads it. SQLite's `unicode61` tokenizer
//! folds case and diacritics and splits at spaces and punctuation, which
//! suits scripts written with spaces between words (Latin, Cyrillic,
//! Greek, Arabic, Hebrew, Korean). Chinese and Japanese are written
//! without them, so a whole sentence would be one token that no word of
//! it finds. Each such character is therefore spaced out into a token of
//! its own, in the indexed text and in queries alike, and a query word
//! in those scripts becomes a phrase of its characters: "北京" finds the
//! two characters side by side. This costs one token per character, far
//! less than a second, trigram index over every text (which would also
//! not find the many two-character Chinese words).

use std::borrow::Cow;

/// Marks around a matched word in snippets, as the store asks FTS5 to
/// write them; callers turn them into what their output shows.
pub const HIT_START: char = '\u{2}';
pub const HIT_END: char = '\u{3}';

/// True for the characters of scripts written without spaces between
/// words: CJK ideographs, kana and their compatibility forms.
pub fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF66..=0xFF9F    // halfwidth Katakana
        | 0x20000..=0x2FA1F  // CJK extensions B–F, compatibility supplement
    )
}

/// `text` with a space on each side of every unspaced-script character,
/// so the tokenizer makes each its own token; borrowed when there is none.
pub fn spaced(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unspaced) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    for c in text.chars() {
        if is_unspaced(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Undoes `spaced` in a snippet: drops each space that has an
/// unspaced-script character on both sides (looking past other spaces
/// and hit marks), and the spaces at either end.
pub fn unspaced(snippet: &str) -> String {
    let chars: Vec<char> = snippet.trim().chars().collect();
    let is_mark = |c: char| c == HIT_START || c == HIT_END || c == ' ';
    let neighbour = |mut i: usize, forward: bool| -> Option<char> {
        loop {
            i = if forward {
                i.checked_add(1)?
            } else {
                i.checked_sub(1)?
            };
            let c = *chars.get(i)?;
            if !is_mark(c) {
                return Some(c);
            }
        }
    };
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| {
            c != ' '
                || !(neighbour(i, false).is_some_and(is_unspaced)
                    && neighbour(i, true).is_some_and(is_unspaced))
        })
        .map(|(_, &c)| c)
        .collect()
}

/// The text of a JSON array of strings as stored (authors, categories),
/// one entry after another; a value that is not such an array is indexed
/// as it is.
pub fn list_text(json: &str) -> String {
    match serde_json::from_str::<Vec<String>>(json) {
        Ok(list) => spaced(&list.join(" ; ")).into_owned(),
        Err(_) => spaced(json).into_owned(),
    }
}

/// The indexed text of an HTML field (summary, content).
pub fn html_text(html: &str) -> String {
    spaced(&crate::text::html_to_text(html)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_japanese_characters_become_tokens_of_their_own() {
        assert_eq!(spaced("北京市Beijing"), " 北  京  市 Beijing");
        assert_eq!(spaced("東京タワー"), " 東  京  タ  ワ  ー ");
        assert!(matches!(spaced("Москва, القاهرة"), Cow::Borrowed(_)));
    }

    #[test]
    fn snippets_lose_the_spaces_indexing_added() {
        let marked = format!(" 北  {HIT_START}京{HIT_END}  市 in Beijing");
        assert_eq!(
            unspaced(&marked),
            format!("北{HIT_START}京{HIT_END}市 in Beijing")
        );
        assert_eq!(unspaced("two words"), "two words");
    }

    #[test]
    fn lists_are_indexed_as_their_entries() {
        assert_eq!(list_text(r#"["Jane Doe","Ann"]"#), "Jane Doe ; Ann");
        assert_eq!(list_text("not json"), "not json");
    }
}
