//! HTML made into plain text, for titles, filters and text-only outputs.

use super::tag::Tag;

/// The text of an HTML fragment: tags stripped (the content of scripts and
/// styles too), entities decoded, whitespace collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = &rest[open..];
        rest = match Tag::read(rest) {
            Some(tag) => {
                if tag.is_block() {
                    text.push(' ');
                }
                tag.skip_content(tag.rest)
            }
            None => {
                // A `<` that opens no tag is text.
                text.push('<');
                &rest[1..]
            }
        };
    }
    text.push_str(rest);
    let decoded = html_escape::decode_html_entities(&text);
    decoded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(c1_as_windows_1252)
        .collect()
}

/// False when every run of word characters (ASCII letters and digits,
/// `-`, `_`) in the text of `html` (as [`html_to_text`] makes it) is in
/// `html` as it stands: no tag, comment or script cut out of the text joins
/// two word characters (`un<em>believ</em>able`), and no entity may stand
/// for one (`&#98;`). Then a word absent from `html` is absent from its
/// text, and a search for it can skip making the text.
pub fn text_may_join_words(html: &str) -> bool {
    if has_entity_of_word(html) {
        return true;
    }
    // Whether the text so far ends in a word character that a cut holds
    // open: the next text, if it starts with one, is joined to it.
    let mut open = false;
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let before = &rest.as_bytes()[..at];
        if let (Some(&first), Some(&last)) = (before.first(), before.last()) {
            if open && is_word_byte(first) {
                return true;
            }
            open = is_word_byte(last);
        }
        rest = &rest[at..];
        rest = match Tag::read(rest) {
            Some(tag) => {
                open &= !tag.is_block();
                tag.skip_content(tag.rest)
            }
            None => {
                open = false;
                &rest[1..]
            }
        };
    }
    open && rest.as_bytes().first().is_some_and(|&b| is_word_byte(b))
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// True when `html` holds an entity that may decode to a word character:
/// any numeric one, and any named one but those HTML writers use for
/// markup characters and spaces.
fn has_entity_of_word(html: &str) -> bool {
    const MARKUP: [&str; 6] = ["amp", "lt", "gt", "quot", "apos", "nbsp"];
    html.match_indices('&').any(|(at, _)| {
        let after = &html[at + 1..];
        let name_len = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        after.starts_with('#') || (name_len > 0 && !MARKUP.contains(&&after[..name_len]))
    })
}

/// How deep elements nest in `html`, counted in one pass: void and
/// self-closed elements, and those HTML closes by itself (`p`, `li`,
/// table cells…), do not nest. Unclosed elements count as open to the end.
pub fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        rest = match Tag::read(rest) {
            Some(tag) => {
                if tag.closing {
                    depth = depth.saturating_sub(usize::from(tag.nests()));
                } else if tag.nests() && !tag.self_closed {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                tag.skip_content(tag.rest)
            }
            None => &rest[1..],
        };
    }
    deepest
}

/// A C1 control character (from `&#146;` and the like) read as the
/// windows-1252 character its code stands for, as browsers do.
fn c1_as_windows_1252(c: char) -> char {
    if !('\u{80}'..='\u{9f}').contains(&c) {
        return c;
    }
    super::decode::windows_1252_char(c as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_of_html() {
        assert_eq!(
            html_to_text("<p>One</p><p>Two&nbsp;&amp; <b>three</b></p>"),
            "One Two & three"
        );
        assert_eq!(html_to_text("a<br/>b <i>c</i>d"), "a b cd");
        assert_eq!(html_to_text("1 < 2 &lt;tag&gt;"), "1 < 2 <tag>");
        assert_eq!(
            html_to_text("x<script type=\"a>b\">alert('<p>')</script >y<!-- hidden -->z"),
            "xyz"
        );
        assert_eq!(html_to_text("<STYLE>p{}</STYLE>ok"), "ok");
        assert_eq!(html_to_text("<a title='a>b'>link</a>"), "link");
        assert_eq!(html_to_text("cut <b"), "cut");
        assert_eq!(html_to_text("<script>never closed"), "");
        assert_eq!(html_to_text("é<"), "é<");
        assert_eq!(html_to_text("don&#146;t"), "don\u{2019}t");
    }

    #[test]
    fn block_edges_separate_words_inline_tags_do_not() {
        assert_eq!(html_to_text("<li>one</li><li>two</li>"), "one two");
        assert_eq!(html_to_text("one<br/>two<BR>three"), "one two three");
        assert_eq!(html_to_text("<p>a <b>bold</b>.</p>"), "a bold.");
        assert_eq!(html_to_text("un<em>believ</em>able"), "unbelievable");
        assert_eq!(
            html_to_text("<p>Fish &amp; <b>chips</b></p>\n<p>today</p>"),
            "Fish & chips today"
        );
    }

    #[test]
    fn words_joined_by_cuts_or_spelt_as_entities_are_told() {
        for joined in [
            "un<em>believ</em>able",
            "har<b></b>bour",
            "a<!-- x -->b",
            "x<script>1</script>y",
            "ab&#99;d",
            "&lowbar;",
        ] {
            assert!(text_may_join_words(joined), "{joined}");
        }
        for apart in [
            "<p>Story 7. The harbour</p><p>committee</p>",
            "the <a href=\"x\">link text</a> here.",
            "Fish &amp; chips&nbsp;today &lt;b&gt;",
            "a<br>b",
            "1 < 2",
            "plain",
        ] {
            assert!(!text_may_join_words(apart), "{apart}");
        }
    }

    #[test]
    fn a_lone_angle_bracket_is_text() {
        assert_eq!(html_to_text("1 < 2"), "1 < 2");
        assert_eq!(html_to_text("a &lt;b&gt;"), "a <b>");
    }
}
