//! A web page's main article, found by a readability algorithm (the
//! `dom_smoothie` port of Mozilla's Readability.js) or by a CSS selector
//! the config gives for a site, sanitized exactly like feed content; and
//! what the page says of itself (`metadata`).

mod metadata;
pub mod saved_page;

use dom_query::Document;
use dom_smoothie::Readability;
use url::Url;

use crate::css_selector::CssSelector;
use crate::normalize::html::sanitize_html;
use crate::text::{html_to_text, nesting_depth};

pub use metadata::{absolute, PageMeta};

/// An article with less text than this (in characters other than spaces)
/// is a teaser, a paywall or a page readability misread: the feed's own
/// content is kept instead.
pub const MIN_ARTICLE_CHARS: usize = 200;

/// Pages nested deeper than this are refused: real pages nest a few dozen
/// levels, and the extraction's recursion must stay within a thread's
/// stack.
pub const MAX_PAGE_NESTING: usize = 512;

/// A page's article.
#[derive(Debug, Clone)]
pub struct Article {
    /// Sanitized HTML.
    pub content: String,
    pub meta: PageMeta,
    /// The title readability found, when the metadata gives none.
    pub title: Option<String>,
}

/// Why a page gave no article; stored as the item's reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("the selector `{0}` (full_text_selector) matches nothing on the page")]
    SelectorMissed(String),
    #[error("readability found no article: {0}")]
    NoArticle(String),
    #[error("the page nests its markup deeper than {MAX_PAGE_NESTING} levels")]
    TooDeep,
    #[error("the article found is too short ({chars} characters of text, fewer than {MIN_ARTICLE_CHARS})")]
    TooShort { chars: usize },
}

/// The article of the page `html`, fetched from `url` (relative links
/// resolve against it): the elements `selector` matches, else what
/// readability finds.
pub fn article(
    html: &str,
    url: Option<&Url>,
    selector: Option<&CssSelector>,
) -> Result<Article, ExtractError> {
    let doc = parse_page(html).ok_or(ExtractError::TooDeep)?;
    let meta = PageMeta::read(&doc, url);
    let (raw, title) = match selector {
        Some(selector) => (selected(&doc, selector)?, None),
        None => readable(doc, url)?,
    };
    let content = sanitize_html(&raw, url);
    let chars = html_to_text(&content)
        .chars()
        .filter(|c| !c.is_whitespace())
        .count();
    if chars < MIN_ARTICLE_CHARS {
        return Err(ExtractError::TooShort { chars });
    }
    Ok(Article {
        content,
        meta,
        title,
    })
}

/// The page parsed, unless it nests deeper than `MAX_PAGE_NESTING`: the
/// HTML parser's cost grows with the square of the depth, and readability
/// walks the tree recursively, so such a page could take minutes or
/// exhaust a thread's stack. Every reading of a page goes through here.
pub fn parse_page(html: &str) -> Option<Document> {
    (nesting_depth(html) <= MAX_PAGE_NESTING).then(|| Document::from(html))
}

/// Bytes of a page as text: the HTTP charset, else UTF-8 when valid, else
/// a guess from the bytes.
pub fn decode_page(bytes: &[u8], charset: Option<&str>) -> String {
    crate::text::decode::decode_html(bytes, charset).text
}

fn selected(doc: &Document, selector: &CssSelector) -> Result<String, ExtractError> {
    let found = doc.select_matcher(selector.matcher());
    if found.is_empty() {
        return Err(ExtractError::SelectorMissed(selector.as_str().to_string()));
    }
    Ok(found.nodes().iter().map(|n| n.html().to_string()).collect())
}

fn readable(doc: Document, url: Option<&Url>) -> Result<(String, Option<String>), ExtractError> {
    let no_article = |e: dom_smoothie::ReadabilityError| ExtractError::NoArticle(e.to_string());
    let article = Readability::with_document(doc, url.map(Url::as_str), None)
        .and_then(|mut r| r.parse())
        .map_err(no_article)?;
    let title = Some(article.title.trim().to_string()).filter(|t| !t.is_empty());
    Ok((article.content.to_string(), title))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = include_str!("../../tests/fixtures/pages/article.html");
    const HOSTILE: &str = include_str!("../../tests/fixtures/pages/hostile.html");

    fn base() -> Url {
        Url::parse("https://courier.example/news/2026/harbour-ferry-returns").unwrap()
    }

    #[test]
    fn the_story_is_kept_and_the_furniture_around_it_left_out() {
        let a = article(ARTICLE, Some(&base()), None).unwrap();
        assert!(a.content.contains("six weeks of repairs"));
        assert!(a.content.contains("buy a second vessel"));
        for furniture in [
            "ADVERTISEMENT",
            "Subscribe",
            "First!",
            "Copyright",
            "Comments",
        ] {
            assert!(
                !a.content.contains(furniture),
                "{furniture} left in: {}",
                a.content
            );
        }
        assert_eq!(
            a.meta.title.as_deref(),
            Some("Harbour ferry returns after storm repairs")
        );
        assert_eq!(a.meta.author.as_deref(), Some("Jane Doe"));
        assert_eq!(
            a.meta.canonical.as_deref(),
            Some("https://courier.example/news/2026/harbour-ferry-returns")
        );
        assert_eq!(
            a.meta.published.map(|d| d.to_rfc3339()),
            Some("2026-11-24T07:42:00+00:00".into())
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_links_do_not_survive() {
        let a = article(HOSTILE, Some(&base()), None).unwrap();
        let lower = a.content.to_ascii_lowercase();
        for bad in [
            "<script",
            "onclick",
            "onerror",
            "onmouseover",
            "onload",
            "javascript:",
            "<iframe",
            "<style",
            "alert(",
        ] {
            assert!(!lower.contains(bad), "{bad} survived: {}", a.content);
        }
        assert!(a
            .content
            .contains(r#"src="https://courier.example/img/library.jpg""#));
        assert!(a
            .content
            .contains(r#"href="https://courier.example/plans.pdf""#));
        assert!(a.content.contains("reading garden"));
    }

    #[test]
    fn a_selector_overrides_readability() {
        let selector = CssSelector::new(".story-body p:first-child").unwrap();
        let err = article(ARTICLE, Some(&base()), Some(&selector)).unwrap_err();
        assert!(matches!(err, ExtractError::TooShort { .. }), "{err}");
        let selector = CssSelector::new("article .story-body").unwrap();
        let a = article(ARTICLE, Some(&base()), Some(&selector)).unwrap();
        assert!(a.content.contains("Tom Reyes") && !a.content.contains("By Jane Doe"));
        let missing = CssSelector::new("div.nothing-here").unwrap();
        assert_eq!(
            article(ARTICLE, None, Some(&missing)).unwrap_err(),
            ExtractError::SelectorMissed("div.nothing-here".into())
        );
    }

    #[test]
    fn deeply_nested_pages_are_read_or_refused_without_overflowing() {
        let nested = |depth: usize| {
            let text = "The harbour board met again and decided nothing at all. ".repeat(8);
            format!(
                "<html><body>{}<p>{text}</p>{}</body></html>",
                "<div>".repeat(depth),
                "</div>".repeat(depth)
            )
        };
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let shallow = article(&nested(MAX_PAGE_NESTING - 2), None, None).map(|a| a.content);
                let deep = article(&nested(100_000), None, None).map(|a| a.content);
                // The listing heuristic and a saved page's reading walk
                // the same tree.
                assert!(crate::scrape::headlines(&nested(100_000), None).is_empty());
                assert!(saved_page::read(nested(100_000).as_bytes(), None).is_err());
                (shallow, deep)
            })
            .unwrap();
        let (shallow, deep) = handle.join().expect("no overflow");
        assert!(shallow.is_ok(), "{shallow:?}");
        assert_eq!(deep, Err(ExtractError::TooDeep));
    }

    #[test]
    fn a_page_without_an_article_is_an_error_not_a_panic() {
        assert!(article("<html><body><p>Hi.</p></body></html>", None, None).is_err());
        assert!(article("", None, None).is_err());
    }
}
