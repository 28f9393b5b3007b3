//! Text as XML 1.0 can carry it: the control characters it forbids (even
//! escaped) are dropped, so a stray byte in a source never makes an
//! output unreadable.

use std::borrow::Cow;

pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn drops_only_what_xml_forbids() {
        assert_eq!(clean("a\u{1}b\u{FFFE}c"), "abc");
        assert_eq!(clean("tab\there\nnew ✓ 𝄞"), "tab\there\nnew ✓ 𝄞");
    }
}
