//! HTML made into plain text, for titles, filters and text-only outputs.

/// Elements that separate words: their tags become a space in plain text.
const BLOCK_TAGS: [&str; 30] = [
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

/// Void elements, and elements a parser closes when a sibling starts.
const SELF_ENDING_TAGS: [&str; 22] = [
    "area", "base", "br", "col", "dd", "dt", "embed", "hr", "img", "input", "li", "link", "meta",
    "option", "p", "param", "source", "td", "th", "tr", "track", "wbr",
];

/// Elements whose content is not text.
const HIDDEN_TAGS: [&str; 4] = ["script", "style", "template", "noscript"];

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

/// A tag (or comment, or declaration) at the start of some HTML.
struct Tag<'a> {
    /// Lowercase-insensitive name; empty for comments and declarations.
    name: &'a str,
    closing: bool,
    /// Written `<name … />`.
    self_closed: bool,
    /// The HTML after the tag.
    rest: &'a str,
}

impl<'a> Tag<'a> {
    fn read(html: &'a str) -> Option<Self> {
        if let Some(comment) = html.strip_prefix("<!--") {
            let rest = comment.find("-->").map_or("", |i| &comment[i + 3..]);
            return Some(Tag {
                name: "",
                closing: false,
                self_closed: true,
                rest,
            });
        }
        let after = &html[1..];
        let (closing, after) = match after.strip_prefix('/') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let first = after.chars().next()?;
        if !(first.is_ascii_alphabetic() || (!closing && matches!(first, '!' | '?'))) {
            return None;
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(after.len());
        let end = tag_end(after).map_or(after.len(), |i| i + 1);
        Some(Tag {
            name: &after[..name_len],
            closing,
            self_closed: after[..end].ends_with("/>"),
            rest: &after[end..],
        })
    }

    /// False for elements that never hold others open: void ones, those
    /// HTML ends by itself, comments and declarations.
    fn nests(&self) -> bool {
        !self.name.is_empty()
            && !SELF_ENDING_TAGS
                .iter()
                .any(|t| t.eq_ignore_ascii_case(self.name))
    }

    fn is_block(&self) -> bool {
        BLOCK_TAGS.iter().any(|t| t.eq_ignore_ascii_case(self.name))
    }

    /// Past the content of a script or style (up to its closing tag);
    /// `rest` unchanged for any other tag.
    fn skip_content(&self, rest: &'a str) -> &'a str {
        let hidden = HIDDEN_TAGS
            .iter()
            .any(|t| t.eq_ignore_ascii_case(self.name));
        if self.closing || !hidden {
            return rest;
        }
        let mut search = rest;
        while let Some(i) = search.find("</") {
            let after = &search[i + 2..];
            let matches = after
                .get(..self.name.len())
                .is_some_and(|n| n.eq_ignore_ascii_case(self.name));
            if matches {
                let end = tag_end(after).map_or(after.len(), |j| j + 1);
                return &after[end..];
            }
            search = after;
        }
        ""
    }
}

/// The index of the `>` that ends a tag, skipping quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
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
    fn a_lone_angle_bracket_is_text() {
        assert_eq!(html_to_text("1 < 2"), "1 < 2");
        assert_eq!(html_to_text("a &lt;b&gt;"), "a <b>");
    }
}
