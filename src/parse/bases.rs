//! The `xml:base` attributes the strict crates drop: the feed's (on the
//! root or the channel) and each entry's, in document order.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::fields::{attribute, combine_base};

#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Bases {
    pub feed: Option<String>,
    /// One per `<item>`/`<entry>`, combined with the feed's.
    pub entries: Vec<Option<String>>,
}

impl Bases {
    /// The base of the entry at `index`.
    pub fn entry(&self, index: usize) -> Option<String> {
        self.entries.get(index).cloned().flatten()
    }
}

/// Scans `xml` for `xml:base`; most feeds have none, and then the scan
/// costs one substring search.
pub(super) fn scan(xml: &str) -> Bases {
    if !xml.contains("xml:base") {
        return Bases::default();
    }
    let mut bases = Bases::default();
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = false;
    loop {
        let (element, has_end) = match reader.read_event() {
            Ok(Event::Start(e)) => (e, true),
            Ok(Event::Empty(e)) => (e, false),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => continue,
        };
        let own = attribute(&element, "xml:base");
        match element.local_name().as_ref() {
            b"rss" | b"RDF" | b"channel" | b"feed" => {
                bases.feed = combine_base(bases.feed.as_deref(), own.as_deref()).or(bases.feed);
            }
            b"item" | b"entry" => {
                bases
                    .entries
                    .push(combine_base(bases.feed.as_deref(), own.as_deref()));
                // An entry's insides hold no further entries.
                if has_end && reader.read_to_end(element.name()).is_err() {
                    break;
                }
            }
            _ => {}
        }
    }
    bases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_and_entry_bases_in_order() {
        let xml = r#"<feed xml:base="http://x.test/blog/"><title xml:base="ignored/">t</title>
            <entry xml:base="2024/"><link href="a"/></entry>
            <entry><content xml:base="deep/">c</content></entry>
            <entry xml:base="http://other.test/"/></feed>"#;
        assert_eq!(
            scan(xml),
            Bases {
                feed: Some("http://x.test/blog/".into()),
                entries: vec![
                    Some("http://x.test/blog/2024/".into()),
                    None,
                    Some("http://other.test/".into())
                ],
            }
        );
    }

    #[test]
    fn rss_channel_base_is_relative_to_the_root() {
        let xml =
            r#"<rss xml:base="http://x.test/"><channel xml:base="news/"><item/></channel></rss>"#;
        let bases = scan(xml);
        assert_eq!(bases.feed.as_deref(), Some("http://x.test/news/"));
        assert_eq!(bases.entry(0), None);
        assert_eq!(bases.entry(7), None);
    }

    #[test]
    fn documents_without_bases_are_not_scanned() {
        assert_eq!(
            scan("<rss><channel><item/></channel></rss>"),
            Bases::default()
        );
    }
}
