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
    /// Written as folders and `category`; read from both.
    pub tags: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("not readable as OPML near byte {position}: {message}")]
    Malformed { position: u64, message: String },
    #[error("not an OPML document: no <opml> element")]
    NotOpml,
}

/// The longest tag made from a folder or category name, in bytes.
const MAX_TAG_BYTES: usize = 64;

/// Writes an OPML 2.0 document listing `subscriptions`: those without
/// tags at the top, the others in a folder named after their first tag,
/// every tag also in `category` so a reader that ignores folders keeps
/// them.
pub fn write(title: &str, subscriptions: &[Subscription]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    <title>{}</title>\n  </head>\n  <body>\n",
        html_escape::encode_text(title)
    );
    for s in subscriptions.iter().filter(|s| s.tags.is_empty()) {
        write_outline(&mut out, s, "    ");
    }
    let mut folders: Vec<&str> = subscriptions
        .iter()
        .filter_map(|s| s.tags.first().map(String::as_str))
        .collect();
    folders.sort_unstable();
    folders.dedup();
    for folder in folders {
        let name = esc(folder);
        out.push_str(&format!("    <outline text=\"{name}\" title=\"{name}\">\n"));
        for s in subscriptions
            .iter()
            .filter(|s| s.tags.first().map(String::as_str) == Some(folder))
        {
            write_outline(&mut out, s, "      ");
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn esc(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

fn write_outline(out: &mut String, s: &Subscription, indent: &str) {
    out.push_str(&format!(
        "{indent}<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{}\"",
        esc(&s.xml_url),
        t = esc(&s.title)
    ));
    if let Some(html) = &s.html_url {
        out.push_str(&format!(" htmlUrl=\"{}\"", esc(html)));
    }
    if !s.tags.is_empty() {
        out.push_str(&format!(" category=\"{}\"", esc(&s.tags.join(","))));
    }
    out.push_str("/>\n");
}

/// Reads every outline with an `xmlUrl`, at any depth (readers nest feeds
/// in folders). The folders it sits in and its `category` values become
/// its tags; a feed listed in several folders is one subscription with
/// the tags of all.
pub fn read(text: &str) -> Result<Vec<Subscription>, OpmlError> {
    let mut reader = Reader::from_str(text);
    let mut found: Vec<Subscription> = Vec::new();
    // The tag of each open outline (`None` for one that names no folder).
    let mut folders: Vec<Option<String>> = Vec::new();
    let mut saw_opml = false;
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Malformed {
            position: reader.buffer_position(),
            message: e.to_string(),
        })?;
        match event {
            Event::Start(e) if e.local_name().as_ref() == b"outline" => {
                let outline = Outline::read(&e);
                let folder = outline.as_ref().and_then(Outline::folder_tag);
                if let Some(outline) = outline {
                    add(&mut found, outline.subscription(&folders));
                }
                folders.push(folder);
            }
            Event::Empty(e) if e.local_name().as_ref() == b"outline" => {
                if let Some(outline) = Outline::read(&e) {
                    add(&mut found, outline.subscription(&folders));
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"outline" => {
                folders.pop();
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"opml" => {
                saw_opml = true;
            }
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

/// Adds `sub`, or its tags to the subscription of the same URL read before.
fn add(found: &mut Vec<Subscription>, sub: Option<Subscription>) {
    let Some(sub) = sub else { return };
    match found.iter_mut().find(|f| f.xml_url == sub.xml_url) {
        Some(earlier) => {
            for tag in sub.tags {
                if !earlier.tags.contains(&tag) {
                    earlier.tags.push(tag);
                }
            }
        }
        None => found.push(sub),
    }
}

/// The attributes of one `<outline>` this reader uses.
struct Outline {
    title: Option<String>,
    xml_url: Option<String>,
    html_url: Option<String>,
    categories: Vec<String>,
}

impl Outline {
    fn read(e: &quick_xml::events::BytesStart<'_>) -> Option<Outline> {
        let mut title = None;
        let mut text = None;
        let mut outline = Outline {
            title: None,
            xml_url: None,
            html_url: None,
            categories: Vec::new(),
        };
        for attr in e.attributes().flatten() {
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?
                .trim()
                .to_string();
            if value.is_empty() {
                continue;
            }
            match attr.key.local_name().as_ref() {
                b"title" => title = Some(value),
                b"text" => text = Some(value),
                b"xmlUrl" | b"xmlurl" => outline.xml_url = Some(value),
                b"htmlUrl" | b"htmlurl" => outline.html_url = Some(value),
                b"category" => outline.categories = category_tags(&value),
                _ => {}
            }
        }
        outline.title = title.or(text);
        Some(outline)
    }

    /// The tag an outline without a feed gives what it holds.
    fn folder_tag(&self) -> Option<String> {
        if self.xml_url.is_some() {
            return None;
        }
        let tag = crate::text::slug(self.title.as_deref()?, MAX_TAG_BYTES);
        (!tag.is_empty()).then_some(tag)
    }

    fn subscription(self, folders: &[Option<String>]) -> Option<Subscription> {
        let xml_url = self.xml_url?;
        let mut tags: Vec<String> = Vec::new();
        for tag in folders.iter().flatten().chain(&self.categories) {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        Some(Subscription {
            title: self.title.unwrap_or_else(|| xml_url.clone()),
            xml_url,
            html_url: self.html_url,
            tags,
        })
    }
}

/// OPML 2.0's `category`: comma-separated, each a `/`-separated path
/// (`/Boston/Weather`); every named step is a tag.
fn category_tags(value: &str) -> Vec<String> {
    value
        .split([',', '/'])
        .map(|step| crate::text::slug(step, MAX_TAG_BYTES))
        .filter(|tag| !tag.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back() {
        let mut subs = vec![
            Subscription {
                title: "News & \"views\" <here>".into(),
                xml_url: "https://example.org/feed?a=1&b=2".into(),
                html_url: Some("https://example.org/".into()),
                tags: vec!["café-öffentlich".into(), "world".into()],
            },
            Subscription {
                title: "Plain".into(),
                xml_url: "https://example.net/rss".into(),
                html_url: None,
                tags: Vec::new(),
            },
        ];
        let mut back = read(&write("mine", &subs)).unwrap();
        back.sort_by(|a, b| a.title.cmp(&b.title));
        subs.sort_by(|a, b| a.title.cmp(&b.title));
        assert_eq!(back, subs);
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
        assert_eq!(subs[0].tags, ["folder"]);
        assert_eq!(subs[1].title, "https://b.example/f");
        assert!(subs[1].tags.is_empty());
    }

    #[test]
    fn nested_folders_and_categories_become_tags() {
        let doc = r#"<opml version="2.0"><body>
            <outline text="Café Öffentlich"><outline title="Tech">
              <outline text="A" xmlUrl="https://a.example/f" category="/Boston/Weather,Local"/>
            </outline></outline>
            <outline text="Elsewhere"><outline text="A again" xmlUrl="https://a.example/f"/></outline>
        </body></opml>"#;
        let subs = read(doc).unwrap();
        assert_eq!(subs.len(), 1, "{subs:?}");
        assert_eq!(
            subs[0].tags,
            [
                "café-öffentlich",
                "tech",
                "boston",
                "weather",
                "local",
                "elsewhere"
            ]
        );
    }

    #[test]
    fn refuses_what_is_not_opml() {
        assert!(matches!(read("<rss></rss>"), Err(OpmlError::NotOpml)));
        assert!(read("<opml><body><outline xmlUrl=\"x></body>").is_err());
    }
}
