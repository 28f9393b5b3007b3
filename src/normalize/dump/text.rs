//! From bytes to clean lines: decoding, refusing what is not text, and
//! evening out the whitespace habits of the editors and browsers that
//! save dumps, so that the same page saved two ways reads the same.

use std::borrow::Cow;

/// A cleaned line: its text borrowed from the decoded text when it was
/// clean already, as almost every line is, so a dump of millions of short
/// lines costs no allocation per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line<'a> {
    pub text: Cow<'a, str>,
    /// Columns of whitespace before the text: an indented first line is
    /// how wrapped text without blank lines marks a new paragraph.
    pub indent: usize,
}

impl<'a> From<&'a str> for Line<'a> {
    fn from(raw: &'a str) -> Self {
        clean_line(raw)
    }
}

impl std::ops::Deref for Line<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

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

/// The lines of decoded `text`, one per line of the file (so numbers stay
/// those an editor shows): whitespace collapsed to single spaces and
/// trimmed, and lines without a letter or digit (rules such as `* * *`)
/// made blank, since they only separate blocks.
pub(super) fn clean_lines(text: &str) -> Result<Vec<Line<'_>>, NotText> {
    check_textual(text)?;
    // Sized first: a dump of short lines holds millions, and a vector
    // grown by doubling would hold up to twice the room.
    let breaks = match bytecount(text, b'\n') {
        0 => bytecount(text, b'\r'),
        n => n,
    };
    let mut lines = Vec::with_capacity(breaks + 1);
    lines.extend(lines_of(text));
    if lines.iter().all(|l| l.is_empty()) {
        return Err(NotText::Empty);
    }
    Ok(lines)
}

/// The cleaned lines of `text`, one by one, as [`clean_lines`] lists
/// them.
pub(super) fn lines_of(text: &str) -> impl Iterator<Item = Line<'_>> + Clone {
    split_lines(text).map(clean_line)
}

fn bytecount(text: &str, byte: u8) -> usize {
    text.bytes().filter(|&b| b == byte).count()
}

/// Lines split at any line break, CRLF counted as one.
fn split_lines(text: &str) -> impl Iterator<Item = &str> + Clone {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let left = rest?;
        let Some(at) = left.find(is_line_break) else {
            rest = None;
            return Some(left);
        };
        let after = &left[at..];
        let break_len = if after.starts_with("\r\n") {
            2
        } else {
            after.chars().next().map_or(1, char::len_utf8)
        };
        rest = Some(&after[break_len..]);
        Some(&left[..at])
    })
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

fn clean_line(line: &str) -> Line<'_> {
    let indent = line
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum();
    Line {
        text: clean_text(line),
        indent,
    }
}

fn clean_text(line: &str) -> Cow<'_, str> {
    if !line.chars().any(char::is_alphanumeric) {
        return Cow::Borrowed("");
    }
    if is_clean(line) {
        return Cow::Borrowed(line);
    }
    let visible: String = line.chars().filter(|&c| !is_invisible(c)).collect();
    let words: Vec<&str> = visible
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect();
    if words.iter().any(|w| w.chars().any(char::is_alphanumeric)) {
        Cow::Owned(words.join(" "))
    } else {
        Cow::Borrowed("")
    }
}

/// Already as `clean_line` would make it: single spaces between words,
/// none at the ends, no other whitespace or invisible characters.
fn is_clean(line: &str) -> bool {
    !line.starts_with(' ')
        && !line.ends_with(' ')
        && !line.contains("  ")
        && !line
            .chars()
            .any(|c| is_invisible(c) || c.is_control() || (c.is_whitespace() && c != ' '))
}

/// Characters that render as nothing and would only split ids: a BOM left
/// mid-file by concatenation, zero-width spaces, soft hyphens.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{200b}' | '\u{2060}' | '\u{ad}')
}
