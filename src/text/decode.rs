//! Bytes to UTF-8 text. Feeds and dumps arrive in whatever encoding their
//! publisher used; everything after this module sees only `String`s.
//!
//! The order of evidence follows what is most often right in practice: a
//! byte-order mark is never accidental; an XML declaration is written by
//! the software that wrote the document, while an HTTP charset is often a
//! server default; bytes that are valid UTF-8 almost never are by chance;
//! anything else is guessed from the byte statistics.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Text decoded from bytes, with the encoding that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    /// True when some bytes were not valid in that encoding and were
    /// replaced with U+FFFD.
    pub had_errors: bool,
}

/// Decodes an XML document (a feed). The encoding comes from the BOM, else
/// the XML declaration, else the HTTP `charset`, else UTF-8 when the bytes
/// are valid UTF-8, else a statistical guess. The declaration's `encoding`
/// is rewritten to `UTF-8` so XML parsers do not decode the text twice.
pub fn decode_xml(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let declared = || declared_encoding(bytes).filter(|e| !is_utf16(e));
    let encoding = bom(bytes)
        .or_else(|| utf16_without_bom(bytes))
        .or_else(declared)
        .or_else(|| http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())))
        .filter(|e| fits(bytes, e));
    let mut decoded = decode_with(bytes, encoding);
    if let Some(fixed) = relabel_declaration(&decoded.text) {
        decoded.text = fixed;
    }
    decoded
}

/// Decodes an HTML page. The encoding comes from the BOM, else the HTTP
/// `charset`, else a `<meta charset>` or `<meta http-equiv>` in the first
/// kilobyte (what a page saved from a browser keeps), else UTF-8 when the
/// bytes are valid UTF-8, else a statistical guess: the HTML standard's
/// order, less its finer points.
pub fn decode_html(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    let encoding = bom(bytes)
        .or_else(|| http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())))
        .or_else(|| meta_charset(bytes))
        .filter(|e| fits(bytes, e));
    decode_with(bytes, encoding)
}

/// The charset a `<meta>` tag in the first kilobyte names. A page that
/// says UTF-16 there was read as ASCII to find it, so it is UTF-8.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes[..bytes.len().min(1024)].to_ascii_lowercase();
    let head = String::from_utf8_lossy(&head);
    head.match_indices("<meta").find_map(|(at, _)| {
        let tag = &head[at..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let value = tag
            .split("charset")
            .nth(1)?
            .trim_start()
            .strip_prefix('=')?;
        let value = value.trim_start().trim_start_matches(['"', '\'']);
        let end = value
            .find(|c: char| c == '"' || c == '\'' || c == ';' || c == '/' || c.is_whitespace())
            .unwrap_or(value.len());
        let encoding = Encoding::for_label(&value.as_bytes()[..end])?;
        Some(if is_utf16(&encoding) { UTF_8 } else { encoding })
    })
}

/// The character a windows-1252 byte stands for. Text escaped or decoded
/// byte by byte as Latin-1 shows windows-1252 punctuation as C1 controls
/// (U+0080–U+009F); this reads them as browsers do.
pub fn windows_1252_char(byte: u8) -> char {
    let bytes = [byte];
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
    text.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// Decodes plain text (a dump): BOM, else UTF-8 when valid, else a guess.
pub fn decode_text(bytes: &[u8]) -> Decoded {
    decode_with(bytes, bom(bytes))
}

fn decode_with(bytes: &[u8], known: Option<&'static Encoding>) -> Decoded {
    let encoding = known.unwrap_or_else(|| guess(bytes));
    // `decode` sniffs and strips a BOM itself, so a BOM always wins.
    let (text, used, had_errors) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: used,
        had_errors,
    }
}

/// Whether a named encoding can be what `bytes` are in: a label saying
/// UTF-8 over bytes that are not is a mistake, left to the guess.
fn fits(bytes: &[u8], encoding: &'static Encoding) -> bool {
    encoding != UTF_8 || std::str::from_utf8(strip_bom(bytes)).is_ok()
}

fn bom(bytes: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_bom(bytes).map(|(e, _)| e)
}

/// UTF-16 recognized from the first characters of an XML declaration, as
/// XML 1.0 appendix F describes for documents that omit the BOM.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes.get(..4)? {
        [0x3C, 0, 0x3F, 0] => Some(UTF_16LE),
        [0, 0x3C, 0, 0x3F] => Some(UTF_16BE),
        _ => None,
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    match Encoding::for_bom(bytes) {
        Some((_, len)) => &bytes[len..],
        None => bytes,
    }
}

fn is_utf16(e: &&'static Encoding) -> bool {
    *e == UTF_16LE || *e == UTF_16BE
}

fn guess(bytes: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(bytes).is_ok() {
        return UTF_8;
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

/// The `encoding` pseudo-attribute of a leading XML declaration, read as
/// ASCII (every encoding a declaration can name is ASCII-compatible there,
/// UTF-16 aside, which has a BOM or is refused by the filter above).
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(512)];
    let head: String = head
        .iter()
        .map(|&b| if b.is_ascii() { b as char } else { '\u{fffd}' })
        .collect();
    let (start, end) = declaration_span(&head)?;
    let label = encoding_value(&head[start..end])?;
    Encoding::for_label(label.as_bytes())
}

/// The byte range of `<?xml … ?>` when it is the first thing in `text`
/// (whitespace and a BOM aside: real feeds put blank lines before it).
fn declaration_span(text: &str) -> Option<(usize, usize)> {
    let start = text.len()
        - text
            .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
            .len();
    if !text[start..].starts_with("<?xml") {
        return None;
    }
    let end = text[start..].find("?>")? + start + 2;
    Some((start, end))
}

fn encoding_value(declaration: &str) -> Option<&str> {
    let at = declaration.find("encoding")? + "encoding".len();
    let rest = declaration[at..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(&value[..value.find(quote)?])
}

/// The text with its declaration's encoding set to UTF-8, or `None` when
/// there is nothing to change.
fn relabel_declaration(text: &str) -> Option<String> {
    let (start, end) = declaration_span(text)?;
    let declaration = &text[start..end];
    let label = encoding_value(declaration)?;
    if label.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let fixed = declaration.replacen(label, "UTF-8", 1);
    Some(format!("{}{fixed}{}", &text[..start], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages saved from a browser, each with its `<meta>` in one of the
    /// forms pages use, and text whose encoding a guess gets wrong.
    #[test]
    fn a_saved_page_is_read_in_the_charset_its_meta_names() {
        let cases = [
            (
                "<meta charset=\"ISO-8859-2\">",
                "ISO-8859-2",
                "Łódź, śródmieście",
            ),
            ("<meta charset=koi8-r>", "KOI8-R", "Новости дня"),
            (
                "<meta charset='iso-8859-15'/>",
                "ISO-8859-15",
                "Prix : 5 € le café",
            ),
            (
                "<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=Shift_JIS'>",
                "Shift_JIS",
                "今日のニュース",
            ),
            ("<meta charset=\"utf-16\">", "UTF-8", "ça va"),
        ];
        for (meta, label, text) in cases {
            let encoding = Encoding::for_label(label.as_bytes()).unwrap();
            let body = format!(
                "<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"
            );
            let (bytes, _, _) = encoding.encode(&body);
            let decoded = decode_html(&bytes, None);
            assert_eq!(decoded.encoding, encoding, "{meta}");
            assert!(decoded.text.contains(text), "{meta}: {}", decoded.text);
            // The HTTP charset, when there is one, comes first.
            assert_eq!(
                decode_html(&bytes, Some("windows-1252")).encoding,
                encoding_rs::WINDOWS_1252
            );
        }
        // Without the meta a guess misreads some of these pages.
        let misread = cases.iter().filter(|(_, label, text)| {
            let encoding = Encoding::for_label(label.as_bytes()).unwrap();
            let page = format!("<p>{text}</p>");
            let bare = encoding.encode(&page).0;
            !decode_html(&bare, None).text.contains(text)
        });
        assert!(misread.count() > 0, "the meta changed nothing");
    }

    #[test]
    fn bom_wins_over_everything() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(
            "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><a>é</a>".as_bytes(),
        );
        let d = decode_xml(&bytes, Some("koi8-r"));
        assert_eq!(d.encoding, UTF_8);
        assert!(d.text.contains("<a>é</a>"));
        assert!(d.text.contains("encoding=\"UTF-8\""));
    }

    #[test]
    fn declaration_then_http_charset() {
        let doc = b"<?xml version='1.0' encoding='windows-1252'?><a>\x93q\x94</a>";
        let d = decode_xml(doc, Some("utf-8"));
        assert_eq!(
            d.text,
            "<?xml version='1.0' encoding='UTF-8'?><a>\u{201c}q\u{201d}</a>"
        );
        let koi = b"<a>\xf0\xd2\xc9\xd7\xc5\xd4</a>";
        assert_eq!(decode_xml(koi, Some("KOI8-R")).text, "<a>Привет</a>");
    }

    #[test]
    fn declared_utf8_that_is_not_falls_back_to_a_guess() {
        let doc = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a>caf\xe9 cr\xe8me br\xfbl\xe9e</a>";
        let d = decode_xml(doc, None);
        assert!(d.text.contains("café crème brûlée"), "{}", d.text);
    }

    #[test]
    fn utf16_text_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Line one\r\nLigne deux é".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let d = decode_text(&bytes);
        assert_eq!(d.encoding, UTF_16LE);
        assert_eq!(d.text, "Line one\r\nLigne deux é");
    }

    #[test]
    fn utf16_xml_without_bom_is_recognized_from_the_declaration() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>é</a>";
        let le: Vec<u8> = doc.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = doc.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for (bytes, encoding) in [(le, UTF_16LE), (be, UTF_16BE)] {
            let d = decode_xml(&bytes, None);
            assert_eq!(d.encoding, encoding);
            assert_eq!(d.text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>é</a>");
        }
    }

    #[test]
    fn legacy_text_is_guessed() {
        let d = decode_text("Die Straße führt über den Fluß, sagte der Bürgermeister.".as_bytes());
        assert_eq!(d.encoding, UTF_8);
        let latin1 = b"Die Stra\xdfe f\xfchrt \xfcber den Flu\xdf, sagte der B\xfcrgermeister.";
        let d = decode_text(latin1);
        assert!(d.text.contains("Straße führt über"), "{}", d.text);
        assert!(!d.had_errors);
    }

    #[test]
    fn leading_whitespace_before_the_declaration() {
        let doc = b"\n\n  <?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>";
        assert!(decode_xml(doc, None).text.ends_with("<a>é</a>"));
    }
}
