//! Reading one tag at a `<`, as shared by every pass that walks HTML or
//! text that may hold tags (plain text, nesting depth, title stripping).

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

/// A tag (or comment, or declaration) at the start of some HTML.
pub(super) struct Tag<'a> {
    /// Compared ignoring case; empty for comments, declarations and `</`
    /// before no letter.
    pub(super) name: &'a str,
    pub(super) closing: bool,
    /// Written `<name … />`.
    pub(super) self_closed: bool,
    /// The HTML after the tag.
    pub(super) rest: &'a str,
}

impl<'a> Tag<'a> {
    pub(super) fn read(html: &'a str) -> Option<Self> {
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
        // As a browser reads it: `<` opens markup before a letter, `!` or
        // `?`, and `</` before anything at all (a bogus comment, when no
        // letter follows). Any other `<` is text.
        if !(closing || first.is_ascii_alphabetic() || matches!(first, '!' | '?')) {
            return None;
        }
        let name_len = if first.is_ascii_alphabetic() {
            after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(after.len())
        } else {
            0
        };
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
    pub(super) fn nests(&self) -> bool {
        !self.name.is_empty()
            && !SELF_ENDING_TAGS
                .iter()
                .any(|t| t.eq_ignore_ascii_case(self.name))
    }

    pub(super) fn is_block(&self) -> bool {
        BLOCK_TAGS.iter().any(|t| t.eq_ignore_ascii_case(self.name))
    }

    /// Past the content of a script or style (up to its closing tag);
    /// `rest` unchanged for any other tag.
    pub(super) fn skip_content(&self, rest: &'a str) -> &'a str {
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
