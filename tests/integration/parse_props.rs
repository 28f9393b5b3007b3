//! No input makes the parser or the normalizers panic: arbitrary bytes, and
//! arbitrary text spliced into the places of a valid feed.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use syndic::model::SourceName;
use syndic::normalize::feed::feed_items;
use syndic::normalize::html::sanitize_html;
use syndic::parse::{parse_date, parse_feed};
use syndic::text::html_to_text;
use url::Url;

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T{0}</title><link>{1}</link>
<item><title>{0}</title><link>{1}</link><guid>{2}</guid><pubDate>{2}</pubDate>
<description>{0}</description><dc:creator>{1}</dc:creator></item>
<item><description><![CDATA[{1}]]></description>{2}</item></channel></rss>"#;

const ATOM: &str = r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{1}"><title type="html">{0}</title>
<entry xml:base="{2}"><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{0}</div></title>
<link href="{1}"/><id>{2}</id><updated>{2}</updated><content type="html">{0}</content>
<author><name>{1}</name></author></entry>{0}</feed>"#;

/// Text that is likely to touch markup, references, CDATA and dates.
fn markupish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&;#xX0-9a-z/!?=\"' \\[\\]:.-]{0,80}",
        prop::collection::vec(
            prop::sample::select(vec![
                "<",
                ">",
                "&",
                "&amp;",
                "&nbsp;",
                "&#",
                "&#x",
                ";",
                "<![CDATA[",
                "]]>",
                "<!--",
                "-->",
                "<item>",
                "</item>",
                "<entry>",
                "</entry>",
                "<title>",
                "</title>",
                "<b>",
                "</b>",
                "<script>",
                "\"",
                "'",
                "http://x.test/",
                "../",
                "javascript:",
                "\u{92}",
                "é",
                "2024-01-02T03:04:05Z",
                "Mon, 01 Jan 2024 10:00:00 GMT",
                " ",
                "\n",
                "<!DOCTYPE r [<!ENTITY e \"&e;&e;\">]>",
                "&e;",
                "xml:base=\"",
            ]),
            0..24,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn exercise(body: &[u8]) {
    let source = SourceName::new("prop").unwrap();
    let document = Url::parse("http://feeds.test/dir/feed.xml").unwrap();
    let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    if let Ok(feed) = parse_feed(body, Some("windows-1252")) {
        let items = feed_items(&feed, &source, Some(&document), now);
        assert!(items.len() <= feed.entries.len());
        feed_items(&feed, &source, None, now);
    }
}

fn splice(template: &str, a: &str, b: &str, c: &str) -> String {
    template
        .replace("{0}", a)
        .replace("{1}", b)
        .replace("{2}", c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&body);
    }

    #[test]
    fn text_spliced_into_rss_never_panics(a in markupish(), b in markupish(), c in markupish()) {
        exercise(splice(RSS, &a, &b, &c).as_bytes());
    }

    #[test]
    fn text_spliced_into_atom_never_panics(a in markupish(), b in markupish(), c in markupish()) {
        exercise(splice(ATOM, &a, &b, &c).as_bytes());
    }

    #[test]
    fn text_spliced_into_json_never_panics(a in any::<String>(), n in any::<i64>()) {
        let doc = serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": a,
            "items": [{"id": n, "title": a, "content_html": a, "date_published": a, "url": a}]
        });
        exercise(doc.to_string().as_bytes());
    }

    #[test]
    fn html_functions_never_panic(html in markupish(), base in markupish()) {
        let base = Url::parse("http://x.test/a/").unwrap().join(&base).ok();
        let clean = sanitize_html(&html, base.as_ref());
        prop_assert!(!clean.contains("<script"));
        let text = html_to_text(&html);
        prop_assert!(!text.contains("  "));
    }

    #[test]
    fn dates_never_panic(text in markupish()) {
        parse_date(&text);
    }
}
