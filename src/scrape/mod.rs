//! A listing page (a site's front page, a section, search results) turned
//! into items: by the CSS selectors the config gives (`selectors`), else by
//! a heuristic that finds repeated headline links (`heuristic`).

pub mod heuristic;
mod selectors;

use chrono::{DateTime, Utc};
use url::Url;

use crate::css_selector::CssSelector;
use crate::model::{Item, ItemId, SourceName};
use crate::normalize::html::Sanitizer;

pub use heuristic::headlines;
pub use selectors::selected_headlines;

/// `selectors = { item = "…", title = "…", … }` of a `kind = "html"` source:
/// `item` picks each entry; the others are looked for inside it.
#[derive(Debug, Clone)]
pub struct ListingSelectors {
    pub item: CssSelector,
    pub title: Option<CssSelector>,
    pub link: Option<CssSelector>,
    pub summary: Option<CssSelector>,
    pub date: Option<CssSelector>,
    pub image: Option<CssSelector>,
    pub author: Option<CssSelector>,
}

/// One entry of a listing page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headline {
    /// Plain text.
    pub title: String,
    /// Absolute http(s) URL.
    pub link: Option<String>,
    /// HTML, not yet sanitized.
    pub summary: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// Absolute http(s) URL.
    pub image: Option<String>,
    pub author: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScrapeError {
    #[error("the selector `{0}` (selectors.item) matches nothing with a title on the page")]
    NothingSelected(String),
    #[error("found no repeated headline links on the page; give `selectors = {{ item = \"…\" }}` for it")]
    NoHeadlines,
}

/// The items of the listing page `html`, fetched from `url`, at most
/// `max_items` of them.
pub fn listing_items(
    html: &str,
    url: Option<&Url>,
    source: &SourceName,
    now: DateTime<Utc>,
    selectors: Option<&ListingSelectors>,
    max_items: usize,
) -> Result<Vec<Item>, ScrapeError> {
    let found = match selectors {
        Some(s) => selected_headlines(html, url, s),
        None => headlines(html, url),
    };
    if found.is_empty() {
        return Err(match selectors {
            Some(s) => ScrapeError::NothingSelected(s.item.as_str().to_string()),
            None => ScrapeError::NoHeadlines,
        });
    }
    let mut sanitizer = Sanitizer::new();
    let mut seen = std::collections::HashSet::new();
    Ok(found
        .into_iter()
        .map(|h| headline_item(h, url, source, now, &mut sanitizer))
        .filter(|item| seen.insert(item.id.clone()))
        .take(max_items)
        .collect())
}

/// A headline as an item: its link is its id (else its title).
pub fn headline_item(
    h: Headline,
    base: Option<&Url>,
    source: &SourceName,
    now: DateTime<Utc>,
    sanitizer: &mut Sanitizer,
) -> Item {
    let id = match &h.link {
        Some(link) => ItemId::new(link.clone()),
        None => ItemId::from_text(&h.title, ""),
    };
    Item {
        source: source.clone(),
        id,
        id_source: None,
        title: h.title,
        link: h.link,
        summary: h
            .summary
            .map(|s| sanitizer.clean(&s, base))
            .filter(|s| !s.trim().is_empty()),
        content: None,
        authors: h.author.into_iter().collect(),
        categories: Vec::new(),
        published: h.published,
        updated: None,
        enclosures: Vec::new(),
        image: h.image,
        episode: None,
        explicit: None,
        first_seen: now,
        also_in: Vec::new(),
    }
}

/// Whitespace runs as one space, trimmed.
fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
