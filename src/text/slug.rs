//! Names made from titles (a source's from its feed's, a tag from an OPML
//! folder's): lower case, letters and digits of any script kept, every run
//! of anything else one `-`.

/// `Café Öffentlich` → `café-öffentlich`; at most `max_bytes` of UTF-8
/// (names are limited in bytes), cut between characters, never starting
/// or ending with `-`. Empty when `text` has no letter or digit.
pub fn slug(text: &str, max_bytes: usize) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut cut = String::new();
    for c in out.trim_end_matches('-').chars() {
        if cut.len() + c.len_utf8() > max_bytes {
            break;
        }
        cut.push(c);
    }
    cut.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn letters_of_every_script_are_kept() {
        assert_eq!(slug("Café Öffentlich", 48), "café-öffentlich");
        assert_eq!(slug("Night & Day News!", 48), "night-day-news");
        assert_eq!(slug("Новости дня", 48), "новости-дня");
        assert_eq!(slug("東京 ニュース", 48), "東京-ニュース");
        assert_eq!(slug("  --  ", 48), "");
        assert_eq!(slug("abc def", 4), "abc");
        assert_eq!(
            slug("東京東京", 7),
            "東京",
            "cut between characters, in bytes"
        );
    }
}
