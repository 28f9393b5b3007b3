//! Chinese, Japanese and Korean text: written without spaces, so lines
//! are measured in characters, sentences end at `。！？` with no space
//! after them, and wrapped lines join without a space.

use crate::text::words::written_without_spaces;

/// Ideographs, kana, hangul and the full-width punctuation that goes
/// with them.
pub(super) fn is_cjk(c: char) -> bool {
    written_without_spaces(c)
        || matches!(u32::from(c),
            0x3000..=0x303F     // CJK punctuation
            | 0xAC00..=0xD7AF   // hangul syllables
            | 0xFF00..=0xFFEF   // full-width forms
        )
}

/// Marks that end a sentence in CJK text.
pub(super) fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '．')
}

/// Whether most of the letters of `text` are CJK.
pub(super) fn is_cjk_text(text: &str) -> bool {
    let (mut cjk, mut other) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphanumeric()) {
        if is_cjk(c) {
            cjk += 1;
        } else {
            other += 1;
        }
    }
    cjk > other
}

/// Whether two wrapped lines join without a space: a line break between
/// two CJK characters is not a word break.
pub(super) fn joins_tight(before: &str, after: &str) -> bool {
    let last = before.chars().next_back();
    let first = after.chars().next();
    last.is_some_and(is_cjk) && first.is_some_and(is_cjk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_is_told_from_latin() {
        assert!(is_cjk_text("杭州地铁新线路正式开通运营"));
        assert!(is_cjk_text("円相場、一時１ドル＝１４０円台に"));
        assert!(!is_cjk_text("Tokyo (東京) is large"));
        assert!(joins_tight("开通运营", "全长约"));
        assert!(!joins_tight("open", "全长约"));
        assert!(is_sentence_end('。') && !is_sentence_end('，'));
    }
}
