//! Plain text from the sanitized HTML items carry, for matching filters
//! against what a reader sees and for fields that formats define as text.

/// Elements that start a new line when shown, so their edges separate
/// words; inline elements (`<b>`, `<a>`) do not.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// The text of `html`: tags dropped (block elements' edges count as
/// spaces), entities decoded, runs of whitespace folded to one space.
pub fn to_plain(html: &str) -> String {
    let mut stripped = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        stripped.push_str(&rest[..open]);
        rest = match rest[open..].find('>') {
            Some(close) => {
                if is_block(&rest[open + 1..open + close]) {
                    stripped.push(' ');
                }
                &rest[open + close + 1..]
            }
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

/// Whether the tag whose text (between `<` and `>`) is `tag` is a block.
fn is_block(tag: &str) -> bool {
    let name = tag.trim_start_matches('/');
    let end = name
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(&name[..end]))
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
    fn block_edges_separate_words_inline_tags_do_not() {
        assert_eq!(to_plain("<li>one</li><li>two</li>"), "one two");
        assert_eq!(to_plain("one<br/>two<BR>three"), "one two three");
        assert_eq!(to_plain("<p>a <b>bold</b>.</p>"), "a bold.");
        assert_eq!(to_plain("un<em>believ</em>able"), "unbelievable");
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
