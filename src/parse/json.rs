//! JSON Feed 1.0 and 1.1. Fields are read one by one from the JSON value,
//! so a field of an unexpected type is skipped instead of failing the feed.

use serde_json::{Map, Value};

use super::dates::parse_date;
use std::time::Duration;

use super::fields::{non_empty, push_trimmed};
use super::{Dialect, Enclosure, ParseError, ParsedEntry, ParsedFeed, Text};

pub(super) fn parse(document: &str) -> Result<ParsedFeed, ParseError> {
    let value: Value = serde_json::from_str(document).map_err(|e| ParseError::Malformed {
        line: e.line(),
        column: e.column(),
        message: format!("invalid JSON: {e}"),
    })?;
    let feed = value
        .as_object()
        .filter(|feed| string(feed, "version").is_some_and(|v| v.contains("jsonfeed.org/version/")))
        .ok_or_else(|| ParseError::NotAFeed {
            found: "JSON without a JSON Feed `version`".to_string(),
        })?;
    let feed_authors = authors(feed);
    let entries = feed
        .get("items")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_object)
                .map(|item| entry(item, &feed_authors))
                .collect()
        })
        .unwrap_or_default();
    Ok(ParsedFeed {
        dialect: Dialect::JsonFeed,
        title: string(feed, "title").and_then(non_empty),
        link: string(feed, "home_page_url").and_then(non_empty),
        id: None,
        base: None,
        schedule: super::FeedSchedule::default(),
        entries,
        skipped: 0,
    })
}

fn entry(item: &Map<String, Value>, feed_authors: &[String]) -> ParsedEntry {
    let mut item_authors = authors(item);
    if item_authors.is_empty() {
        item_authors = feed_authors.to_vec();
    }
    let mut categories = Vec::new();
    for tag in item
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        push_trimmed(&mut categories, tag.as_str().unwrap_or_default());
    }
    let content = string(item, "content_html")
        .and_then(non_empty)
        .map(Text::html)
        .or_else(|| {
            string(item, "content_text")
                .and_then(non_empty)
                .map(Text::plain)
        });
    ParsedEntry {
        id: id(item.get("id")),
        title: string(item, "title").and_then(non_empty).map(Text::plain),
        link: string(item, "url")
            .or_else(|| string(item, "external_url"))
            .and_then(non_empty),
        summary: string(item, "summary").and_then(non_empty).map(Text::plain),
        content,
        authors: item_authors,
        categories,
        published: string(item, "date_published").and_then(parse_date),
        updated: string(item, "date_modified").and_then(parse_date),
        base: None,
        enclosures: attachments(item),
        image: string(item, "image")
            .or_else(|| string(item, "banner_image"))
            .and_then(non_empty),
        // JSON Feed has no podcast episode fields.
        episode: None,
        explicit: None,
    }
}

fn attachments(item: &Map<String, Value>) -> Vec<Enclosure> {
    let list = item.get("attachments").and_then(Value::as_array);
    list.into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter_map(|a| {
            Some(Enclosure {
                mime_type: string(a, "mime_type").and_then(non_empty),
                length: a.get("size_in_bytes").and_then(Value::as_u64),
                duration: a
                    .get("duration_in_seconds")
                    .and_then(Value::as_f64)
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .and_then(|s| Duration::try_from_secs_f64(s.trunc()).ok()),
                title: string(a, "title").and_then(non_empty),
                ..Enclosure::new(string(a, "url").and_then(non_empty)?)
            })
        })
        .collect()
}

fn string<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

/// Ids should be strings, but some publishers write numbers.
fn id(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => non_empty(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Version 1.1 `authors`, else version 1.0 `author`.
fn authors(object: &Map<String, Value>) -> Vec<String> {
    let list = match object.get("authors") {
        Some(Value::Array(list)) => list.iter().collect(),
        _ => object.get("author").into_iter().collect::<Vec<_>>(),
    };
    list.into_iter()
        .filter_map(Value::as_object)
        .filter_map(|a| string(a, "name").and_then(non_empty))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_items_of_both_versions() {
        let doc = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "T",
            "home_page_url": "https://x.test/", "authors": [{"name": "Feed Author"}],
            "items": [
              {"id": 7, "content_text": "plain", "tags": ["a", " ", 3],
               "date_published": "2024-05-01T10:00:00+02:00"},
              {"id": " b ", "title": "B", "content_html": "<p>b</p>", "url": "/b",
               "author": {"name": "Old Style"}, "summary": "sum", "image": "/b.jpg",
               "attachments": [{"url": "/b.mp3", "mime_type": "audio/mpeg",
                 "size_in_bytes": 99, "duration_in_seconds": 61.5, "title": "Ep"},
                 {"mime_type": "audio/mpeg"}, {"url": "/c.ogg", "size_in_bytes": "9"}]},
              "not an object"
            ]}"#;
        let feed = parse(doc).unwrap();
        assert_eq!(feed.dialect, Dialect::JsonFeed);
        assert_eq!(feed.title.as_deref(), Some("T"));
        assert_eq!(feed.link.as_deref(), Some("https://x.test/"));
        let [a, b] = feed.entries.as_slice() else {
            panic!("{:?}", feed.entries)
        };
        assert_eq!(a.id.as_deref(), Some("7"));
        assert_eq!(a.content, Some(Text::plain("plain")));
        assert_eq!(a.categories, ["a"]);
        assert_eq!(a.authors, ["Feed Author"]);
        assert_eq!(
            a.published.unwrap().to_rfc3339(),
            "2024-05-01T08:00:00+00:00"
        );
        assert_eq!(b.id.as_deref(), Some("b"));
        assert_eq!(b.content, Some(Text::html("<p>b</p>")));
        assert_eq!(b.summary, Some(Text::plain("sum")));
        assert_eq!(b.link.as_deref(), Some("/b"));
        assert_eq!(b.authors, ["Old Style"]);
        assert_eq!(b.image.as_deref(), Some("/b.jpg"));
        assert_eq!(
            b.enclosures,
            [
                Enclosure {
                    mime_type: Some("audio/mpeg".into()),
                    length: Some(99),
                    duration: Some(Duration::from_secs(61)),
                    title: Some("Ep".into()),
                    ..Enclosure::new("/b.mp3")
                },
                Enclosure::new("/c.ogg"),
            ]
        );
        assert!(a.enclosures.is_empty() && a.image.is_none());
    }

    #[test]
    fn other_json_is_refused() {
        assert!(matches!(
            parse("{\"a\": 1}"),
            Err(ParseError::NotAFeed { .. })
        ));
        assert!(matches!(
            parse("{\"version\": \"https://jsonfeed.org/version/1\",\n \"items\": [}"),
            Err(ParseError::Malformed { line: 2, .. })
        ));
    }
}
