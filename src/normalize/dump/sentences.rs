//! Where sentences end in a line of prose, good enough to count them and
//! to take the first one as a title: a `.`, `!` or `?` (and any closing
//! quotes) followed by a space and a capital, unless the `.` ends an
//! abbreviation such as `U.S.` or `Mr.`; or a CJK `。！？`, which needs no
//! space after it.

/// Abbreviations that end in a period and are usually followed by a
/// capitalised name; lower case, without the period.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "sen", "rep", "gov", "prof", "rev", "hon",
    "col", "capt", "sgt", "lt", "mt", "ft", "no", "inc", "co", "corp", "ltd", "vs", "dept", "jan",
    "feb", "aug", "sept", "oct", "nov", "dec", "approx", "fig",
];

const CLOSERS: &[char] = &['"', '\'', '\u{201d}', '\u{2019}', ')', ']', '\u{bb}'];

/// Byte offsets just past each sentence end inside `line` (closing quotes
/// included); the end of the line itself is not listed.
pub(super) fn inner_breaks(line: &str) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if super::cjk::is_sentence_end(c) {
            let end = at + c.len_utf8();
            if end < line.len() {
                breaks.push(end);
            }
            continue;
        }
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let mut end = at + c.len_utf8();
        while let Some(&(i, q)) = chars.peek() {
            if !CLOSERS.contains(&q) {
                break;
            }
            end = i + q.len_utf8();
            chars.next();
        }
        let rest = &line[end..];
        let opens_sentence = rest.starts_with(' ')
            && rest[1..]
                .trim_start_matches(['"', '\u{201c}', '\'', '\u{2018}', '('])
                .starts_with(|n: char| n.is_uppercase() || n.is_ascii_digit());
        if opens_sentence && !(c == '.' && ends_abbreviation(&line[..at])) {
            breaks.push(end);
        }
    }
    breaks
}

/// The first sentence of `line`, or all of it.
pub(super) fn first_sentence(line: &str) -> &str {
    inner_breaks(line).first().map_or(line, |&end| &line[..end])
}

/// Whether the word just before a period is an abbreviation or initial.
fn ends_abbreviation(before: &str) -> bool {
    let word = before.rsplit(' ').next().unwrap_or("");
    let word = word.trim_start_matches(['"', '\u{201c}', '(', '\'']);
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    word.contains('.')
        || (letters == 1 && word.chars().all(char::is_alphabetic))
        || ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_after_sentences_but_not_abbreviations() {
        let line = "The U.S. envoy met Mr. Smith in St. Petersburg. Talks went well! \u{201c}Good.\u{201d} Then 3 more.";
        let parts: Vec<&str> = {
            let mut start = 0;
            let mut v = Vec::new();
            for end in inner_breaks(line) {
                v.push(line[start..end].trim());
                start = end;
            }
            v
        };
        assert_eq!(
            parts,
            [
                "The U.S. envoy met Mr. Smith in St. Petersburg.",
                "Talks went well!",
                "\u{201c}Good.\u{201d}"
            ]
        );
    }

    #[test]
    fn cjk_sentences_end_without_a_space() {
        assert_eq!(first_sentence("新高。农业部门表示！"), "新高。");
        assert!(inner_breaks("一句话。").is_empty());
    }

    #[test]
    fn initials_and_lower_case_continuations_do_not_end_sentences() {
        assert!(inner_breaks("Written by J. R. Hartley and friends.").is_empty());
        assert!(inner_breaks("Prices rose 2.5 percent. then fell").is_empty());
        assert_eq!(first_sentence("No break here"), "No break here");
    }
}
