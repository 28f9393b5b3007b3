//! The XSLT stylesheet that makes an RSS or Atom output a readable page
//! in a browser, and the `<?xml-stylesheet?>` line that asks for it.
//! The line names `feed.xsl` relative to the document, so it resolves
//! beside the feed wherever it is served: `/feeds/feed.xsl` from the
//! daemon, `DIR/feed.xsl` from `syndic export`.

/// The stylesheet itself.
pub const XSL: &str = include_str!("feed.xsl");
/// Its file name beside the feeds.
pub const FILE_NAME: &str = "feed.xsl";

/// `document` with the processing instruction after its XML declaration
/// (before the root element, where XML allows it).
pub(super) fn with_stylesheet(document: String) -> String {
    let instruction = format!("<?xml-stylesheet type=\"text/xsl\" href=\"{FILE_NAME}\"?>\n");
    let at = match document.strip_prefix("<?xml") {
        Some(rest) => rest.find("?>").map_or(0, |end| {
            let after = "<?xml".len() + end + "?>".len();
            after + usize::from(document[after..].starts_with('\n'))
        }),
        None => 0,
    };
    let mut out = String::with_capacity(document.len() + instruction.len() + 1);
    out.push_str(&document[..at]);
    if at > 0 && !document[..at].ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&instruction);
    out.push_str(&document[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::with_stylesheet;

    #[test]
    fn the_instruction_follows_the_declaration() {
        assert_eq!(
            with_stylesheet("<?xml version=\"1.0\"?><rss/>".into()),
            "<?xml version=\"1.0\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>\n<rss/>"
        );
        assert_eq!(
            with_stylesheet("<?xml version=\"1.0\"?>\n<feed/>".into()),
            "<?xml version=\"1.0\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>\n<feed/>"
        );
        assert_eq!(
            with_stylesheet("<rss/>".into()),
            "<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>\n<rss/>"
        );
    }
}
