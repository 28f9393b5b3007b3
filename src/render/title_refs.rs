//! RSS titles with `&`, `<` and `>` written as hexadecimal character
//! references (`&#x26;`, `&#x3C;`, `&#x3E;`), the RSS Best Practices
//! Profile's advice: RSS never said whether a title is text or HTML, and
//! this is the one form that readers taking it either way show as text.

/// `xml`, an RSS document as the `rss` crate writes it, with the named
/// references in the text of its `<title>` elements made hexadecimal.
/// Everything else is copied as it is, CDATA sections (which may hold
/// `<title>` as text) included. One pass.
pub(super) fn hex_refs_in_titles(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + xml.len() / 16);
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        if let Some(section) = rest.strip_prefix(CDATA_START) {
            let end = section
                .find(CDATA_END)
                .map_or(section.len(), |i| i + CDATA_END.len());
            let (cdata, after) = rest.split_at(CDATA_START.len() + end);
            out.push_str(cdata);
            rest = after;
        } else if let Some(body) = rest.strip_prefix(TITLE_START) {
            // The writer escapes text, so a title's text holds no `<`.
            let end = body.find('<').unwrap_or(body.len());
            out.push_str(TITLE_START);
            push_hex_refs(&mut out, &body[..end]);
            rest = &body[end..];
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

const CDATA_START: &str = "<![CDATA[";
const CDATA_END: &str = "]]>";
const TITLE_START: &str = "<title>";

const HEX_REFS: [(&str, &str); 3] = [("&amp;", "&#x26;"), ("&lt;", "&#x3C;"), ("&gt;", "&#x3E;")];

fn push_hex_refs(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match HEX_REFS.iter().find(|(named, _)| rest.starts_with(named)) {
            Some((named, hex)) => {
                out.push_str(hex);
                rest = &rest[named.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::hex_refs_in_titles;

    #[test]
    fn only_title_text_changes() {
        let xml = concat!(
            "<rss><channel><title>A &amp; B &lt;c&gt; &quot;d&quot;</title>",
            "<description>x &amp; &lt;y&gt;</description>",
            "<item><title>&lt;script&gt;</title>",
            "<description><![CDATA[<title>a &amp; b</title>]]></description>",
            "</item></channel></rss>",
        );
        assert_eq!(
            hex_refs_in_titles(xml),
            concat!(
                "<rss><channel><title>A &#x26; B &#x3C;c&#x3E; &quot;d&quot;</title>",
                "<description>x &amp; &lt;y&gt;</description>",
                "<item><title>&#x3C;script&#x3E;</title>",
                "<description><![CDATA[<title>a &amp; b</title>]]></description>",
                "</item></channel></rss>",
            )
        );
    }

    #[test]
    fn unfinished_documents_are_copied() {
        assert_eq!(hex_refs_in_titles("<title>a &amp"), "<title>a &amp");
        assert_eq!(
            hex_refs_in_titles("<![CDATA[ <title>&amp;"),
            "<![CDATA[ <title>&amp;"
        );
        assert_eq!(hex_refs_in_titles("x <"), "x <");
    }
}
