//! What a document is, read from the document itself: JSON or XML, and for
//! XML the root element, its namespace and its `version`.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::fields::attribute;
use super::{Dialect, ParseError};

/// How far into the body a feed may start after junk such as a PHP warning
/// printed before the XML declaration.
const JUNK_LIMIT: usize = 4096;

const FEED_STARTS: [&str; 4] = ["<?xml", "<rss", "<feed", "<rdf:RDF"];

/// Refuses UTF-32, the one encoding an XML document may use that the
/// decoder (following the WHATWG encoding standard) does not know; it is
/// recognized from its BOM or from a leading `<` (XML 1.0 appendix F).
pub(super) fn refuse_utf32(body: &[u8]) -> Result<(), ParseError> {
    match body.get(..4) {
        Some([0, 0, 0xFE, 0xFF] | [0xFF, 0xFE, 0, 0] | [0, 0, 0, 0x3C] | [0x3C, 0, 0, 0]) => {
            Err(ParseError::UnsupportedEncoding { encoding: "UTF-32" })
        }
        _ => Ok(()),
    }
}

/// The document from its first `<` or `{`, past leading whitespace and
/// a little leading junk; an error when nothing there can be a feed.
pub(super) fn document_start(text: &str) -> Result<&str, ParseError> {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        return Err(ParseError::Empty);
    }
    if is_html(trimmed) {
        return Err(not_a_feed("an HTML page"));
    }
    if trimmed.starts_with(['<', '{']) {
        return Ok(trimmed);
    }
    let head = &trimmed[..floor_boundary(trimmed, JUNK_LIMIT)];
    FEED_STARTS
        .iter()
        .filter_map(|marker| head.find(marker))
        .min()
        .map(|at| &trimmed[at..])
        .ok_or_else(|| not_a_feed(&describe(trimmed)))
}

/// The format of an XML document, from its root element.
pub(super) fn xml_format(xml: &str) -> Result<Dialect, ParseError> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(root) | Event::Empty(root)) => return root_format(&root),
            Ok(Event::Eof) => return Err(not_a_feed("an XML document without any element")),
            Ok(_) => {}
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Err(ParseError::malformed_at(xml, at, e.to_string()));
            }
        }
    }
}

fn root_format(root: &BytesStart<'_>) -> Result<Dialect, ParseError> {
    let local = String::from_utf8_lossy(root.local_name().as_ref()).into_owned();
    match local.as_str() {
        "rss" => Ok(match attribute(root, "version").as_deref().map(str::trim) {
            Some("0.91") => Dialect::Rss091,
            Some("0.92" | "0.93" | "0.94") => Dialect::Rss092,
            _ => Dialect::Rss20,
        }),
        "RDF" => Ok(match attribute(root, "xmlns") {
            Some(ns) if ns.contains("my.netscape.com/rdf/simple/0.9") => Dialect::Rss090,
            _ => Dialect::Rss10,
        }),
        "feed" => {
            let old_ns = attribute(root, "xmlns").is_some_and(|ns| ns.contains("purl.org/atom/ns"));
            let old_version =
                attribute(root, "version").is_some_and(|v| v.trim().starts_with("0."));
            Ok(if old_ns || old_version {
                Dialect::Atom03
            } else {
                Dialect::Atom10
            })
        }
        _ if local.eq_ignore_ascii_case("html") => Err(not_a_feed("an HTML page")),
        "opml" => Err(not_a_feed(
            "an OPML subscription list (add its feeds with `syndic opml import`)",
        )),
        _ => Err(not_a_feed(&format!(
            "XML whose root element is <{}>, not <rss>, <rdf:RDF> or <feed>",
            String::from_utf8_lossy(root.name().as_ref())
        ))),
    }
}

fn is_html(text: &str) -> bool {
    let head = text[..floor_boundary(text, 14)].to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.starts_with("<html")
}

fn not_a_feed(found: &str) -> ParseError {
    ParseError::NotAFeed {
        found: found.to_string(),
    }
}

/// A short description of a document that is neither XML nor JSON.
fn describe(text: &str) -> String {
    let head: String = text.chars().take(512).collect();
    let odd = head
        .chars()
        .filter(|&c| c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()))
        .count();
    if odd * 10 > head.chars().count() {
        return "binary data, not text".to_string();
    }
    let start: String = text
        .chars()
        .take(40)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("plain text beginning \"{}\"", start.trim_end())
}

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_of(xml: &str) -> Result<Dialect, ParseError> {
        xml_format(document_start(xml)?)
    }

    #[test]
    fn formats_come_from_the_root_element() {
        let cases = [
            ("<rss version=\"0.91\"><channel/></rss>", Dialect::Rss091),
            ("<rss version=' 0.92 '/>", Dialect::Rss092),
            ("<rss version=\"2.0\"/>", Dialect::Rss20),
            ("<rss/>", Dialect::Rss20),
            ("<rss version=\"banana\"/>", Dialect::Rss20),
            (
                "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"/>",
                Dialect::Rss10,
            ),
            (
                "<rdf:RDF xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"/>",
                Dialect::Rss090,
            ),
            ("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>", Dialect::Atom10),
            ("<feed xmlns=\"http://purl.org/atom/ns#\"/>", Dialect::Atom03),
            ("<feed version=\"0.3\"/>", Dialect::Atom03),
            ("<?xml version=\"1.0\"?>\n<!-- hi --><feed/>", Dialect::Atom10),
        ];
        for (xml, want) in cases {
            assert_eq!(format_of(xml).unwrap(), want, "{xml}");
        }
    }

    #[test]
    fn leading_whitespace_and_junk_are_skipped() {
        assert_eq!(
            document_start("\n\n  <?xml version=\"1.0\"?><rss/>").unwrap(),
            "<?xml version=\"1.0\"?><rss/>"
        );
        let junk = "Warning: deprecated call in feed.php on line 3\n<?xml version=\"1.0\"?><rss/>";
        assert_eq!(format_of(junk).unwrap(), Dialect::Rss20);
    }

    #[test]
    fn what_is_not_a_feed_says_what_it_is() {
        let found = |doc: &str| match format_of(doc) {
            Err(ParseError::NotAFeed { found }) => found,
            other => panic!("{doc}: {other:?}"),
        };
        assert_eq!(found("<!DOCTYPE html><html><p>x"), "an HTML page");
        assert_eq!(found("<HTML><body>"), "an HTML page");
        assert!(found("<opml version=\"2.0\"/>").contains("OPML"));
        assert!(found("<svg/>").contains("<svg>"));
        assert_eq!(found("hello world"), "plain text beginning \"hello world\"");
        assert_eq!(found("\u{1}\u{2}\u{3}\u{fffd}PK"), "binary data, not text");
        assert!(matches!(format_of("  \n "), Err(ParseError::Empty)));
    }

    #[test]
    fn utf32_is_refused_by_name() {
        for head in [
            &[0, 0, 0xFE, 0xFF][..],
            &[0xFF, 0xFE, 0, 0],
            &[0x3C, 0, 0, 0, 0x3F, 0, 0, 0],
        ] {
            assert_eq!(
                refuse_utf32(head),
                Err(ParseError::UnsupportedEncoding { encoding: "UTF-32" })
            );
        }
        assert_eq!(refuse_utf32(&[0xFF, 0xFE, 0x3C, 0]), Ok(()));
        assert_eq!(refuse_utf32(b"<rss"), Ok(()));
        assert_eq!(refuse_utf32(b""), Ok(()));
    }

    #[test]
    fn broken_markup_before_the_root_is_located() {
        match format_of("<?xml version=\"1.0\"?>\n<!-- never closed") {
            Err(ParseError::Malformed { line, .. }) => assert!(line >= 1),
            other => panic!("{other:?}"),
        }
    }
}
