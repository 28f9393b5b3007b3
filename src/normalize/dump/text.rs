//! From bytes to clean lines: decoding, refusing what is not text, and
//! evening out the whitespace habits of the editors and browsers that
//! save dumps, so that the same page saved two ways reads the same.

use crate::text::decode::decode_text;

/// Above this share of control (or undecodable) characters, decoded
/// "text" is taken for binary data; real text saved from a page has none
/// beyond the odd stray form feed.
const MAX_CONTROL_PER_MILLE: usize = 20;

/// Why bytes were not taken for text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NotText {
    /// No line holds a word.
    Empty,
    /// The reason, phrased to follow "it".
    Binary(String),
}

/// The text's lines, one per line of the file (so numbers stay those an
/// editor shows): whitespace collapsed to single spaces and trimmed, and
/// lines without a letter or digit (rules such as `* * *`) made blank,
/// since they only separate blocks.
pub(super) fn clean_lines(bytes: &[u8]) -> Result<Vec<String>, NotText> {
    let text = decode_text(bytes).text;
    check_textual(&text)?;
    let lines: Vec<String> = text
        .replace("\r\n", "\n")
        .split(is_line_break)
        .map(clean_line)
        .collect();
    if lines.iter().all(String::is_empty) {
        return Err(NotText::Empty);
    }
    Ok(lines)
}

fn check_textual(text: &str) -> Result<(), NotText> {
    if text.contains('\0') {
        return Err(NotText::Binary(
            "contains NUL bytes (if it is UTF-16 without a byte-order mark, save it as UTF-8)"
                .into(),
        ));
    }
    let total = text.chars().count();
    let odd = text.chars().filter(|&c| is_binary_sign(c)).count();
    if total > 0 && odd * 1000 > total * MAX_CONTROL_PER_MILLE {
        return Err(NotText::Binary(format!(
            "has {odd} control or undecodable characters in {total}"
        )));
    }
    Ok(())
}

fn is_binary_sign(c: char) -> bool {
    c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

/// LF, CR (old Mac files), and the Unicode line and paragraph separators.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn clean_line(line: &str) -> String {
    let visible: String = line.chars().filter(|&c| !is_invisible(c)).collect();
    let words: Vec<&str> = visible
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| w.chars().any(char::is_alphanumeric)) {
        words.join(" ")
    } else {
        String::new()
    }
}

/// Characters that render as nothing and would only split ids: a BOM left
/// mid-file by concatenation, zero-width spaces, soft hyphens.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{200b}' | '\u{2060}' | '\u{ad}')
}
