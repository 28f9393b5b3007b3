//! OPML 2.0 subscription lists: written for feed readers, read to add
//! sources to the config.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One feed in a subscription list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub title: String,
    pub xml_url: String,
    pub html_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("not readable as OPML near byte {position}: {message}")]
    Malformed { position: u64, message: String },
    #[error("not an OPML document: no <opml> element")]
    NotOpml,
}

/// Writes an OPML 2.0 document listing `subscriptions`.
pub fn write(title: &str, subscriptions: &[Subscription]) -> String {
    let esc = |s: &str| html_escape::encode_double_quoted_attribute(s).into_owned();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>{}</title>\n  </head>\n  <body>\n",
        html_escape::encode_text(title)
    );
    for s in subscriptions {
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{}\"",
            esc(&s.xml_url),
            t = esc(&s.title)
        ));
        if let Some(html) = &s.html_url {
            out.push_str(&format!(" htmlUrl=\"{}\"", esc(html)));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

/// Reads every outline with an `xmlUrl`, at any depth (readers nest feeds
/// in folders).
pub fn read(text: &str) -> Result<Vec<Subscription>, OpmlError> {
    let mut reader = Reader::from_str(text);
    let mut found = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Malformed {
            position: reader.buffer_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"opml" => saw_opml = true,
                b"outline" => found.extend(subscription(&e)),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if saw_opml {
        Ok(found)
    } else {
        Err(OpmlError::NotOpml)
    }
}

fn subscription(e: &quick_xml::events::BytesStart<'_>) -> Option<Subscription> {
    let mut title = None;
    let mut text = None;
    let mut xml_url = None;
    let mut html_url = None;
    for attr in e.attributes().flatten() {
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()?
            .trim()
            .to_string();
        match attr.key.local_name().as_ref() {
            b"title" => title = Some(value),
            b"text" => text = Some(value),
            b"xmlUrl" | b"xmlurl" => xml_url = Some(value),
            b"htmlUrl" | b"htmlurl" => html_url = Some(value),
            _ => {}
        }
    }
    let xml_url = xml_url.filter(|u| !u.is_empty())?;
    Some(Subscription {
        title: title
            .or(text)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| xml_url.clone()),
        xml_url,
        html_url: html_url.filter(|u| !u.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let subs = vec![
            Subscription {
                title: "News & \"views\" <here>".into(),
                xml_url: "https://example.org/feed?a=1&b=2".into(),
                html_url: Some("https://example.org/".into()),
            },
            Subscription {
                title: "Plain".into(),
                xml_url: "https://example.net/rss".into(),
                html_url: None,
            },
        ];
        assert_eq!(read(&write("mine", &subs)).unwrap(), subs);
    }

    #[test]
    fn nested_outlines_and_missing_titles() {
        let doc = r#"<?xml version="1.0"?><opml version="1.0"><body>
            <outline text="Folder"><outline text="Inner" xmlUrl="https://a.example/f"/></outline>
            <outline xmlUrl="https://b.example/f"/>
            <outline text="no feed here"/>
        </body></opml>"#;
        let subs = read(doc).unwrap();
        assert_eq!(subs.len(), 2);
        assert_eq!(subs[0].title, "Inner");
        assert_eq!(subs[1].title, "https://b.example/f");
    }

    #[test]
    fn refuses_what_is_not_opml() {
        assert!(matches!(read("<rss></rss>"), Err(OpmlError::NotOpml)));
        assert!(read("<opml><body><outline xmlUrl=\"x></body>").is_err());
    }
}
