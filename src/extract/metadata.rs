//! What a page says of itself: its title, date, author and canonical
//! address, from `<meta>` tags, `<link rel="canonical">` and JSON-LD.

use chrono::{DateTime, Utc};
use dom_query::Document;
use serde_json::Value;
use url::Url;

use crate::parse::parse_date;

/// JSON-LD types that describe one article.
const ARTICLE_TYPES: [&str; 5] = [
    "NewsArticle",
    "Article",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    /// Plain text.
    pub title: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub author: Option<String>,
    /// Absolute http(s) URL.
    pub canonical: Option<String>,
    /// The page calls itself an article (`og:type` or JSON-LD).
    pub is_article: bool,
}

impl PageMeta {
    /// Reads the metadata of `doc`; relative addresses resolve against `url`.
    pub fn read(doc: &Document, url: Option<&Url>) -> PageMeta {
        let ld = json_ld_article(doc);
        let ld_str = |key: &str| ld.as_ref().and_then(|a| text_of(a.get(key)?));
        let title = meta(doc, "og:title")
            .or_else(|| ld_str("headline"))
            .or_else(|| nonempty(doc.select("title").text().to_string()));
        let published = meta(doc, "article:published_time")
            .or_else(|| ld_str("datePublished"))
            .and_then(|d| parse_date(&d));
        let author = meta(doc, "author")
            .or_else(|| ld.as_ref().and_then(|a| author_of(a.get("author")?)))
            .or_else(|| meta(doc, "article:author"));
        let canonical = doc
            .select("link[rel=canonical]")
            .attr("href")
            .map(|h| h.to_string())
            .or_else(|| meta(doc, "og:url"))
            .or_else(|| ld_str("url"))
            .and_then(|href| absolute(url, &href));
        let is_article =
            ld.is_some() || meta(doc, "og:type").is_some_and(|t| t.eq_ignore_ascii_case("article"));
        PageMeta {
            title,
            published,
            author,
            canonical,
            is_article,
        }
    }
}

/// `href` resolved against `base`, when the result is http(s).
pub fn absolute(base: Option<&Url>, href: &str) -> Option<String> {
    let href = href.trim();
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// The `content` of `<meta property=NAME>` or `<meta name=NAME>`.
fn meta(doc: &Document, name: &str) -> Option<String> {
    let metas = doc.select("meta[property], meta[name]");
    let node = metas.nodes().iter().find(|n| {
        n.attr("property")
            .or_else(|| n.attr("name"))
            .is_some_and(|p| p.eq_ignore_ascii_case(name))
    })?;
    nonempty(node.attr("content")?.to_string())
}

fn nonempty(s: String) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// The first JSON-LD object of an article type, looking inside arrays and
/// `@graph`s.
fn json_ld_article(doc: &Document) -> Option<Value> {
    doc.select(r#"script[type="application/ld+json"]"#)
        .nodes()
        .iter()
        .filter_map(|n| serde_json::from_str::<Value>(&n.text()).ok())
        .find_map(find_article)
}

fn find_article(v: Value) -> Option<Value> {
    match v {
        Value::Array(items) => items.into_iter().find_map(find_article),
        Value::Object(mut o) => {
            if let Some(graph) = o.remove("@graph") {
                return find_article(graph);
            }
            let typed = |t: &Value| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t));
            let is_article = match o.get("@type") {
                Some(Value::Array(ts)) => ts.iter().any(typed),
                Some(t) => typed(t),
                None => false,
            };
            is_article.then_some(Value::Object(o))
        }
        _ => None,
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => nonempty(s.clone()),
        Value::Object(o) => o.get("@id").or(o.get("url")).and_then(text_of),
        _ => None,
    }
}

/// A JSON-LD author: a name, a `Person`, or a list of them (joined).
fn author_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => nonempty(s.clone()),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .and_then(|s| nonempty(s.into())),
        Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(author_of).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_news_article_fills_what_meta_tags_lack() {
        let html = r#"<html><head><title>Site | Story</title>
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"Site"},
              {"@type":"NewsArticle","headline":"The story","datePublished":"2026-11-24T09:15:00+01:00",
               "author":[{"@type":"Person","name":"Ana Ruiz"},{"@type":"Person","name":"Sam Lee"}],
               "url":"/2026/story"}]}</script></head><body></body></html>"#;
        let base = Url::parse("https://news.example/x").unwrap();
        let meta = PageMeta::read(&Document::from(html), Some(&base));
        assert_eq!(meta.title.as_deref(), Some("The story"));
        assert_eq!(meta.author.as_deref(), Some("Ana Ruiz, Sam Lee"));
        assert_eq!(
            meta.published.map(|d| d.to_rfc3339()),
            Some("2026-11-24T08:15:00+00:00".into())
        );
        assert_eq!(
            meta.canonical.as_deref(),
            Some("https://news.example/2026/story")
        );
        assert!(meta.is_article);
    }

    #[test]
    fn a_javascript_canonical_is_no_link() {
        let html = r#"<link rel="canonical" href="javascript:alert(1)"><title>T</title>"#;
        let meta = PageMeta::read(&Document::from(html), None);
        assert_eq!(meta.canonical, None);
        assert_eq!(meta.title.as_deref(), Some("T"));
        assert!(!meta.is_article);
    }
}
