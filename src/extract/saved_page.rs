//! A web page saved from a browser (`.html`, `.htm`) in a text source's
//! folder: an article page becomes one item, read with readability and
//! the page's metadata; an index page (many headline links) becomes its
//! headlines.

use chrono::{DateTime, Utc};
use url::Url;

use super::{article, decode_page, Article, ExtractError, PageMeta};
use crate::model::{Item, ItemId};
use crate::normalize::dump::{Dump, DumpError, DumpMeta};
use crate::normalize::html::Sanitizer;
use crate::scrape::{headline_item, headlines, Headline};
use crate::text::html_to_text;

/// A page with at least this many headline links that does not call
/// itself an article is an index page.
pub const INDEX_MIN_HEADLINES: usize = 5;

/// What a saved page holds.
#[derive(Debug)]
pub enum SavedPage {
    Article(Article),
    Index(Vec<Headline>),
}

/// Whether `origin` (a file path) names a saved web page.
pub fn is_saved_page(origin: &str) -> bool {
    let lower = origin.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// Reads a saved page; `url` (its canonical address, when known) resolves
/// relative links.
pub fn read(bytes: &[u8], url: Option<&Url>) -> Result<SavedPage, ExtractError> {
    let html = decode_page(bytes, None);
    let doc = super::parse_page(&html).ok_or(ExtractError::TooDeep)?;
    let meta = PageMeta::read(&doc, url);
    drop(doc);
    // A saved page names its own address; relative links resolve there.
    let own = meta.canonical.and_then(|c| Url::parse(&c).ok());
    let base = own.as_ref().or(url);
    let found = headlines(&html, base);
    if found.len() >= INDEX_MIN_HEADLINES && !meta.is_article {
        return Ok(SavedPage::Index(found));
    }
    match article(&html, base, None) {
        Ok(a) => Ok(SavedPage::Article(a)),
        Err(_) if found.len() >= crate::scrape::heuristic::MIN_HEADLINES => {
            Ok(SavedPage::Index(found))
        }
        Err(e) => Err(e),
    }
}

/// The items of a saved page, in the shape of a dump's.
pub fn items(bytes: &[u8], meta: &DumpMeta) -> Result<Dump, DumpError> {
    let page = read(bytes, None).map_err(|e| DumpError::NoPageContent {
        origin: meta.origin.to_string(),
        why: e.to_string(),
    })?;
    let items = match page {
        SavedPage::Article(a) => vec![article_item(a, meta)],
        SavedPage::Index(found) => {
            let mut sanitizer = Sanitizer::new();
            found
                .into_iter()
                .take(meta.max_items)
                .map(|h| {
                    let mut item = headline_item(h, None, meta.source, meta.now, &mut sanitizer);
                    item.published = item.published.or(Some(meta.fallback_date));
                    item
                })
                .collect()
        }
    };
    Ok(Dump {
        items,
        warnings: Vec::new(),
    })
}

/// One item for an article page: its canonical link is its id, else a
/// digest of its title and text, so saving it again adds nothing.
fn article_item(a: Article, meta: &DumpMeta) -> Item {
    let text = html_to_text(&a.content);
    let title = a
        .meta
        .title
        .or(a.title)
        .unwrap_or_else(|| crate::text::cut_at_word(&text, 120));
    let id = match &a.meta.canonical {
        Some(link) => ItemId::new(link.clone()),
        None => ItemId::from_text(&title, &text),
    };
    let published: Option<DateTime<Utc>> = a.meta.published.or(Some(meta.fallback_date));
    Item {
        source: meta.source.clone(),
        id,
        id_source: None,
        title,
        link: a.meta.canonical,
        summary: None,
        content: Some(a.content),
        authors: a.meta.author.into_iter().collect(),
        categories: Vec::new(),
        published,
        updated: None,
        enclosures: Vec::new(),
        image: None,
        episode: None,
        explicit: None,
        first_seen: meta.now,
        also_in: Vec::new(),
    }
}
