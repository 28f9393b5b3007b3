//! Repairs the markup slips feeds commonly make, before any XML parser sees
//! the document: HTML named entities XML does not define (`&nbsp;`), an
//! `&` that starts no reference (`?a=1&b=2`), a `<` that starts no tag
//! (`a < b`), numeric references to characters XML forbids or that were
//! meant as windows-1252 (`&#146;`), and C1 control characters that are
//! windows-1252 punctuation decoded as Latin-1. Entities the DOCTYPE
//! declares are expanded, since XML parsers here do not read DTDs. Done
//! once over the text, it lets the strict parsers accept most real feeds
//! and spares the lenient pass its own entity handling. CDATA sections,
//! comments, processing instructions and the DOCTYPE are copied untouched:
//! nothing in them is markup.

use std::borrow::Cow;

use crate::text::decode::windows_1252_char;

/// The longest HTML entity name is 31 characters.
const MAX_ENTITY_NAME: usize = 32;

/// Bounds on what a DOCTYPE may declare, so that a hostile document cannot
/// make the repaired copy grow without limit.
const MAX_DECLARED_ENTITIES: usize = 64;
const MAX_DECLARED_VALUE: usize = 1024;
const MAX_EXPANDED_BYTES: usize = 1 << 20;

const XML_ENTITIES: [&str; 5] = ["amp", "lt", "gt", "quot", "apos"];

/// The document with its references and stray markup characters fixed;
/// borrowed when there was nothing to fix.
pub(super) fn repair_markup(doc: &str) -> Cow<'_, str> {
    let mut repair = Repair {
        doc,
        out: String::new(),
        copied: 0,
        declared: Vec::new(),
        expanded: 0,
    };
    let bytes = doc.as_bytes();
    let mut at = 0;
    while let Some(offset) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| matches!(b, b'&' | b'<' | 0xC2)))
    {
        let found = at + offset;
        at = match bytes[found] {
            b'<' => repair.markup(found),
            b'&' => repair.reference(found),
            _ => repair.c1_control(found),
        };
    }
    repair.finish()
}

struct Repair<'a> {
    doc: &'a str,
    out: String,
    /// Bytes of `doc` already accounted for in `out`.
    copied: usize,
    /// Entities the DOCTYPE declares, with their values.
    declared: Vec<(&'a str, &'a str)>,
    /// Bytes added so far by expanding declared entities.
    expanded: usize,
}

impl<'a> Repair<'a> {
    fn replace(&mut self, start: usize, end: usize, with: &str) {
        if self.out.is_empty() {
            self.out.reserve(self.doc.len() + 64);
        }
        self.out.push_str(&self.doc[self.copied..start]);
        self.out.push_str(with);
        self.copied = end;
    }

    fn finish(mut self) -> Cow<'a, str> {
        if self.copied == 0 {
            return Cow::Borrowed(self.doc);
        }
        self.out.push_str(&self.doc[self.copied..]);
        Cow::Owned(self.out)
    }

    /// Handles the `<` at `at`; returns where scanning resumes.
    fn markup(&mut self, at: usize) -> usize {
        let rest = &self.doc[at..];
        for (open, close) in [("<![CDATA[", "]]>"), ("<!--", "-->"), ("<?", "?>")] {
            if rest.starts_with(open) {
                return skip_past(self.doc, at + open.len(), close);
            }
        }
        if rest.starts_with("<!") {
            return self.doctype_end(at);
        }
        let starts_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || matches!(c, '_' | ':' | '/'));
        if !starts_tag {
            self.replace(at, at + 1, "&lt;");
        }
        at + 1
    }

    /// The end of a DOCTYPE, past its internal subset if it has one; the
    /// entities the subset declares are noted.
    fn doctype_end(&mut self, at: usize) -> usize {
        let doc = self.doc;
        let rest = &doc[at..];
        match rest.find(['[', '>']) {
            Some(i) if rest.as_bytes()[i] == b'[' => {
                let end = skip_past(doc, at + i, "]>");
                self.declared = declared_entities(&doc[at + i..end]);
                end
            }
            Some(i) => at + i + 1,
            None => doc.len(),
        }
    }

    /// A UTF-8 encoded C1 control (U+0080–U+009F) at `at`: no feed means
    /// one, while windows-1252 text read as Latin-1 is full of them.
    fn c1_control(&mut self, at: usize) -> usize {
        let Some(&second) = self.doc.as_bytes().get(at + 1) else {
            return at + 1;
        };
        if (0x80..=0x9f).contains(&second) {
            let c = windows_1252_char(second);
            self.replace(at, at + 2, c.encode_utf8(&mut [0; 4]));
        }
        at + 2
    }

    /// Handles the `&` at `at`; returns where scanning resumes.
    fn reference(&mut self, at: usize) -> usize {
        let rest = &self.doc[at + 1..];
        if let Some(numeric) = rest.strip_prefix('#') {
            if let Some((len, code)) = numeric_reference(numeric) {
                let end = at + 2 + len;
                if let Some(fixed) = fix_code_point(code) {
                    self.replace(at, end, &fixed);
                }
                return end;
            }
        } else if let Some(name) = entity_name(rest) {
            let end = at + name.len() + 2;
            if XML_ENTITIES.contains(&name) {
                return end;
            }
            if let Some(&(_, value)) = self.declared.iter().find(|(n, _)| *n == name) {
                if self.expanded + value.len() <= MAX_EXPANDED_BYTES {
                    self.expanded += value.len();
                    self.replace(at, end, value);
                    return end;
                }
            }
            if let Some(value) = html_entity(name) {
                let refs: String = value.chars().map(|c| format!("&#{};", c as u32)).collect();
                self.replace(at, end, &refs);
                return end;
            }
        }
        self.replace(at, at + 1, "&amp;");
        at + 1
    }
}

/// The general entities an internal DTD subset declares with a literal
/// value: `<!ENTITY name "value">`.
fn declared_entities(subset: &str) -> Vec<(&str, &str)> {
    subset
        .split("<!ENTITY")
        .skip(1)
        .filter_map(|declaration| {
            let declaration = declaration.trim_start();
            let name_len = declaration.find(char::is_whitespace)?;
            let (name, rest) = declaration.split_at(name_len);
            let rest = rest.trim_start();
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let value = &rest[1..];
            let value = &value[..value.find(quote)?];
            let plain_name = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric());
            (plain_name && value.len() <= MAX_DECLARED_VALUE).then_some((name, value))
        })
        .take(MAX_DECLARED_ENTITIES)
        .collect()
}

fn skip_past(doc: &str, from: usize, close: &str) -> usize {
    doc[from..]
        .find(close)
        .map_or(doc.len(), |i| from + i + close.len())
}

/// The name of `name;` at the start of `rest`.
fn entity_name(rest: &str) -> Option<&str> {
    let len = rest
        .bytes()
        .take(MAX_ENTITY_NAME + 1)
        .take_while(u8::is_ascii_alphanumeric)
        .count();
    (len > 0 && len <= MAX_ENTITY_NAME && rest[len..].starts_with(';')).then(|| &rest[..len])
}

/// The length (up to and including `;`) and value of the numeric reference
/// after `&#`; `None` when it is not one. A value too large for `u32` is
/// returned as `u32::MAX`, which is no character.
fn numeric_reference(after_hash: &str) -> Option<(usize, u32)> {
    let (digits, radix, prefix) = match after_hash.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16, 1),
        None => (after_hash, 10, 0),
    };
    let len = digits
        .bytes()
        .take_while(|b| b.is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()))
        .count();
    if len == 0 || !digits[len..].starts_with(';') {
        return None;
    }
    let code = u32::from_str_radix(&digits[..len], radix).unwrap_or(u32::MAX);
    Some((prefix + len + 1, code))
}

/// The replacement for a numeric reference, or `None` when it is fine as
/// written. References to 128–159 are what windows-1252 text becomes when
/// escaped byte by byte, so they are read as windows-1252 (as browsers do).
fn fix_code_point(code: u32) -> Option<String> {
    if (0x80..=0x9f).contains(&code) {
        return Some(format!("&#{};", windows_1252_char(code as u8) as u32));
    }
    let allowed =
        matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
    (!allowed).then(|| "&#xFFFD;".to_string())
}

fn html_entity(name: &str) -> Option<&'static str> {
    html_escape::NAMED_ENTITIES
        .binary_search_by(|(entity, _)| (*entity).cmp(name.as_bytes()))
        .ok()
        .map(|i| html_escape::NAMED_ENTITIES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(doc: &str) -> String {
        repair_markup(doc).into_owned()
    }

    #[test]
    fn valid_documents_are_borrowed_unchanged() {
        let doc = "<a b=\"x&amp;y\">1 &lt; 2 &#233; &#xE9; <![CDATA[&nbsp; & <]]></a>";
        assert!(matches!(repair_markup(doc), Cow::Borrowed(d) if d == doc));
    }

    #[test]
    fn html_entities_become_character_references() {
        assert_eq!(
            fixed("<t>a&nbsp;b&mdash;c&eacute;</t>"),
            "<t>a&#160;b&#8212;c&#233;</t>"
        );
        assert_eq!(fixed("<t>&LT;</t>"), "<t>&#60;</t>");
    }

    #[test]
    fn stray_ampersands_and_angle_brackets_are_escaped() {
        assert_eq!(
            fixed("<link>http://x/?a=1&b=2</link>"),
            "<link>http://x/?a=1&amp;b=2</link>"
        );
        assert_eq!(
            fixed("<t>Tom & Jerry &unknown; &</t>"),
            "<t>Tom &amp; Jerry &amp;unknown; &amp;</t>"
        );
        assert_eq!(fixed("<t>1 < 2 <= 3</t>"), "<t>1 &lt; 2 &lt;= 3</t>");
        assert_eq!(fixed("<t>&#12</t>"), "<t>&amp;#12</t>");
    }

    #[test]
    fn bad_numeric_references_are_replaced() {
        assert_eq!(fixed("<t>&#146;&#x93;</t>"), "<t>&#8217;&#8220;</t>");
        assert_eq!(
            fixed("<t>&#0;&#xD800;&#99999999999;</t>"),
            "<t>&#xFFFD;&#xFFFD;&#xFFFD;</t>"
        );
    }

    #[test]
    fn c1_controls_are_read_as_windows_1252() {
        assert_eq!(
            fixed("<t>don\u{92}t \u{93}q\u{94} ©</t>"),
            "<t>don\u{2019}t \u{201c}q\u{201d} ©</t>"
        );
    }

    #[test]
    fn entities_the_doctype_declares_are_expanded() {
        let doc = "<!DOCTYPE rss [\n<!ENTITY id \"tag:x.test,\">\n<!ENTITY % p 'x'>]>\n<guid>&id;1</guid>";
        assert_eq!(
            fixed(doc),
            "<!DOCTYPE rss [\n<!ENTITY id \"tag:x.test,\">\n<!ENTITY % p 'x'>]>\n<guid>tag:x.test,1</guid>"
        );
    }

    #[test]
    fn entity_expansion_is_bounded() {
        let value = "x".repeat(MAX_DECLARED_VALUE);
        let refs = "&big;".repeat(4 * MAX_EXPANDED_BYTES / MAX_DECLARED_VALUE);
        let doc = format!("<!DOCTYPE r [<!ENTITY big \"{value}\">]><r>{refs}</r>");
        let out = fixed(&doc);
        // Escaping a stray `&` at most quintuples a byte; expansion adds
        // at most its budget.
        assert!(
            out.len() <= 5 * doc.len() + MAX_EXPANDED_BYTES,
            "{}",
            out.len()
        );
        assert!(out.len() > MAX_EXPANDED_BYTES - MAX_DECLARED_VALUE);
        assert!(out.contains("&amp;big;"));
    }

    #[test]
    fn cdata_comments_and_doctype_are_left_alone() {
        let doc =
            "<!DOCTYPE rss [<!ENTITY x \"&y;\">]><!-- a & b --><?pi & ?><t><![CDATA[x & y]]>&z</t>";
        assert_eq!(
            fixed(doc),
            "<!DOCTYPE rss [<!ENTITY x \"&y;\">]><!-- a & b --><?pi & ?><t><![CDATA[x & y]]>&amp;z</t>"
        );
        assert_eq!(
            fixed("<t><![CDATA[never closed & <"),
            "<t><![CDATA[never closed & <"
        );
    }
}
