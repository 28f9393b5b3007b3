//! Words as comparisons of text see them.

/// The lowercase words of `text`: runs of letters and digits, with each
/// Han, Hiragana or Katakana character a word of its own, since those
/// scripts put no space between words.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    word_slices(text).map(str::to_lowercase)
}

/// The words of `text` as written, case and all.
pub fn word_slices(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(char::is_alphanumeric)?;
        rest = &rest[start..];
        let first = rest.chars().next()?;
        let end = if written_without_spaces(first) {
            first.len_utf8()
        } else {
            rest.find(|c: char| !c.is_alphanumeric() || written_without_spaces(c))
                .unwrap_or(rest.len())
        };
        let (word, tail) = rest.split_at(end);
        rest = tail;
        Some(word)
    })
}

/// Han ideographs and Japanese kana.
pub fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2fa1f}')
}

#[cfg(test)]
mod tests {
    use super::words;

    fn all(text: &str) -> Vec<String> {
        words(text).collect()
    }

    #[test]
    fn spaced_scripts_split_at_anything_but_letters_and_digits() {
        assert_eq!(
            all("Storm hits COAST, 3 dead!"),
            ["storm", "hits", "coast", "3", "dead"]
        );
        assert_eq!(all("  Ärzte—streiken "), ["ärzte", "streiken"]);
        assert_eq!(all("Шторм обрушился"), ["шторм", "обрушился"]);
        assert_eq!(all("?! …"), Vec::<String>::new());
    }

    #[test]
    fn han_and_kana_are_a_word_a_character() {
        assert_eq!(all("台风登陆"), ["台", "风", "登", "陆"]);
        assert_eq!(all("東京で地震、M5"), ["東", "京", "で", "地", "震", "m5"]);
        assert_eq!(all("서울 시장"), ["서울", "시장"]);
    }
}
