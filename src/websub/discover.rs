//! Whether a fetched feed advertises a WebSub hub, and under which topic
//! (its self URL): `Link` headers first, as the spec prefers, then the
//! feed's own links (RSS `atom:link`, Atom `link`, JSON Feed `hubs` and
//! `feed_url`). Only the head of an XML document is read: feed-level
//! links come before the first item or entry.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use url::Url;

/// A hub and the topic to subscribe to at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advertised {
    pub hub: Url,
    pub topic: Url,
}

/// What a fetched body and its `Link` header advertise, relative links
/// resolved against `base` (the address the body came from).
pub fn advertised(
    body: &[u8],
    link_header: Option<&str>,
    base: Option<&Url>,
) -> Option<Advertised> {
    let mut links = Links::default();
    if let Some(header) = link_header {
        header_links(header, &mut links);
    }
    if links.hub.is_none() || links.topic.is_none() {
        let mut found = Links::default();
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => json_links(body, &mut found),
            _ => xml_links(body, &mut found),
        }
        links.hub = links.hub.or(found.hub);
        links.topic = links.topic.or(found.topic);
    }
    let resolve = |href: String| match base {
        Some(base) => base.join(href.trim()).ok(),
        None => Url::parse(href.trim()).ok(),
    };
    let hub = resolve(links.hub?).filter(|u| matches!(u.scheme(), "http" | "https"))?;
    let topic = resolve(links.topic?)?;
    Some(Advertised { hub, topic })
}

/// The first hub and self link seen.
#[derive(Default)]
struct Links {
    hub: Option<String>,
    topic: Option<String>,
}

impl Links {
    fn offer(&mut self, rel: &str, href: String) {
        for rel in rel.split_ascii_whitespace() {
            let slot = if rel.eq_ignore_ascii_case("hub") {
                &mut self.hub
            } else if rel.eq_ignore_ascii_case("self") {
                &mut self.topic
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(href.clone());
            }
        }
    }
}

/// `<https://hub.example/>; rel="hub", <https://x.test/feed>; rel="self"`.
fn header_links(header: &str, links: &mut Links) {
    for link in header.split(',') {
        let mut parts = link.split(';');
        let Some(target) = parts.next().map(str::trim) else {
            continue;
        };
        let Some(href) = target.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else {
            continue;
        };
        for param in parts {
            if let Some((key, value)) = param.split_once('=') {
                if key.trim().eq_ignore_ascii_case("rel") {
                    links.offer(value.trim().trim_matches('"'), href.to_string());
                }
            }
        }
    }
}

fn json_links(body: &[u8], links: &mut Links) {
    #[derive(serde::Deserialize)]
    struct Head {
        feed_url: Option<String>,
        #[serde(default)]
        hubs: Vec<Hub>,
    }
    #[derive(serde::Deserialize)]
    struct Hub {
        #[serde(rename = "type", default)]
        kind: String,
        url: String,
    }
    let Ok(head) = serde_json::from_slice::<Head>(body) else {
        return;
    };
    links.topic = head.feed_url;
    links.hub = head
        .hubs
        .into_iter()
        .find(|h| h.kind.eq_ignore_ascii_case("websub"))
        .map(|h| h.url);
}

fn xml_links(body: &[u8], links: &mut Links) {
    let mut reader = Reader::from_reader(body);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => match local_name(&e) {
                b"item" | b"entry" => return,
                b"link" => {
                    if let (Some(rel), Some(href)) = (attribute(&e, b"rel"), attribute(&e, b"href"))
                    {
                        links.offer(&rel, href);
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => return,
            Ok(_) => {}
        }
        if links.hub.is_some() && links.topic.is_some() {
            return;
        }
        buf.clear();
    }
}

fn local_name<'e>(e: &'e BytesStart<'_>) -> &'e [u8] {
    let name = e.name().into_inner();
    match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn attribute(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| {
            let raw = String::from_utf8_lossy(&a.value);
            html_escape::decode_html_entities(&raw).into_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(body: &str, header: Option<&str>) -> Option<(String, String)> {
        let base = Url::parse("http://x.test/feeds/a.xml").unwrap();
        advertised(body.as_bytes(), header, Some(&base))
            .map(|a| (a.hub.to_string(), a.topic.to_string()))
    }

    #[test]
    fn rss_atom_links_before_the_first_item() {
        let rss = r#"<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel>
            <atom:link rel="hub" href="https://hub.test/"/>
            <atom:link rel="self" href="/feeds/a.xml"/>
            <item><atom:link rel="hub" href="https://other.test/"/></item></channel></rss>"#;
        assert_eq!(
            found(rss, None),
            Some((
                "https://hub.test/".into(),
                "http://x.test/feeds/a.xml".into()
            ))
        );
    }

    #[test]
    fn links_of_entries_do_not_count() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="http://x.test/a"/>
            <entry><link rel="hub" href="https://hub.test/"/></entry></feed>"#;
        assert_eq!(found(atom, None), None);
    }

    #[test]
    fn json_feed_hubs() {
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","feed_url":"http://x.test/f.json",
            "hubs":[{"type":"rssCloud","url":"http://cloud.test/"},{"type":"WebSub","url":"http://hub.test/"}],"items":[]}"#;
        assert_eq!(
            found(json, None),
            Some(("http://hub.test/".into(), "http://x.test/f.json".into()))
        );
    }

    #[test]
    fn link_header_wins_over_the_body() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="hub" href="https://body.test/"/>
            <link rel="self" href="http://x.test/a"/></feed>"#;
        let header = r#"<https://header.test/hub>; rel="hub", <http://x.test/b>; rel="self""#;
        assert_eq!(
            found(atom, Some(header)),
            Some(("https://header.test/hub".into(), "http://x.test/b".into()))
        );
    }

    #[test]
    fn no_hub_without_a_topic() {
        let rss = r#"<rss><channel><link rel="hub" href="https://hub.test/"/></channel></rss>"#;
        assert_eq!(found(rss, None), None);
    }
}
