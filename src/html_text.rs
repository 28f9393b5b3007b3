//! Plain text from the sanitized HTML items carry, for matching filters
//! against what a reader sees and for fields that formats define as text.

/// The text of `html`: tags dropped (a tag boundary counts as a space),
/// entities decoded, runs of whitespace folded to one space.
pub fn to_plain(html: &str) -> String {
    let mut stripped = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        stripped.push_str(&rest[..open]);
        stripped.push(' ');
        rest = match rest[open..].find('>') {
            Some(close) => &rest[open + close + 1..],
            // An unclosed `<` is text, not the start of a tag.
            None => {
                stripped.push_str(&rest[open..]);
                ""
            }
        };
    }
    stripped.push_str(rest);
    let decoded = html_escape::decode_html_entities(&stripped);
    fold_whitespace(&decoded)
}

fn fold_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_plain;

    #[test]
    fn drops_tags_and_decodes_entities() {
        assert_eq!(
            to_plain("<p>Fish &amp; <b>chips</b></p>\n<p>today</p>"),
            "Fish & chips today"
        );
    }

    #[test]
    fn tag_boundaries_separate_words() {
        assert_eq!(to_plain("<li>one</li><li>two</li>"), "one two");
    }

    #[test]
    fn a_lone_angle_bracket_is_text() {
        assert_eq!(to_plain("1 < 2"), "1 < 2");
        assert_eq!(to_plain("a &lt;b&gt;"), "a <b>");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = to_plain(&s);
        }
    }
}
