//! Full text for `full_text = true` sources: each new item's link is
//! fetched (through the same fetch slots, per-host limits, timeout and
//! body limit as feeds) and its article, extracted and sanitized, becomes
//! the item's content. A page is fetched once per link; what it gave is
//! stored and applied again at every poll, since the feed keeps sending
//! its summary. A failure keeps the feed's content and is recorded with
//! its reason; it never fails the poll.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::{FullText, SourceConfig};
use crate::extract::{article, decode_page};
use crate::fetch::{Body, FetchSlots, Fetcher, Target, Validators};
use crate::model::{Item, ItemId};
use crate::store::{FullTextPage, HandleError, PageOutcome, StoreHandle};

/// What page fetches go through: the poller's own.
pub struct Pages<'a> {
    pub fetcher: &'a Fetcher,
    pub slots: &'a FetchSlots,
    pub store: &'a StoreHandle,
    /// Extraction is CPU bound: at most one per core at a time.
    pub readers: &'a Arc<Semaphore>,
}

/// Completes `items` of `source` with their pages' articles: stored ones
/// for links fetched before, fetched ones for at most `per_poll` others.
/// True when pages were left for a later poll.
pub async fn complete(
    pages: Pages<'_>,
    source: &SourceConfig,
    full_text: &FullText,
    items: &mut [Item],
    now: DateTime<Utc>,
) -> Result<bool, HandleError> {
    let name = source.name.clone();
    let ids: Vec<ItemId> = items
        .iter()
        .filter(|i| i.link.is_some())
        .map(|i| i.id.clone())
        .collect();
    let known = pages
        .store
        .read(move |s| s.full_text_pages(&name, &ids))
        .await?;
    let mut fetched = Vec::new();
    let mut left = false;
    for item in items.iter_mut() {
        let Some(link) = item.link.clone() else {
            continue;
        };
        let page = match known.get(&item.id) {
            Some(page) if page.link == link => page.clone(),
            _ if fetched.len() < full_text.per_poll => {
                let page = fetch(&pages, source, full_text, &item.id, &link).await;
                fetched.push(page.clone());
                page
            }
            _ => {
                left = true;
                continue;
            }
        };
        apply(item, &page.outcome);
    }
    if !fetched.is_empty() {
        let name = source.name.clone();
        pages
            .store
            .write(move |s| s.record_full_text_pages(&name, &fetched, now))
            .await?;
    }
    Ok(left)
}

/// The article replaces the item's content; the feed's content becomes
/// its summary when it had none.
fn apply(item: &mut Item, outcome: &PageOutcome) {
    if let PageOutcome::Article(article) = outcome {
        if item.summary.is_none() {
            item.summary = item.content.take();
        }
        item.content = Some(article.clone());
    }
}

async fn fetch(
    pages: &Pages<'_>,
    source: &SourceConfig,
    full_text: &FullText,
    item: &ItemId,
    link: &str,
) -> FullTextPage {
    let outcome = match article_at(pages, source, full_text, link).await {
        Ok(article) => PageOutcome::Article(article),
        Err(reason) => {
            tracing::warn!(source = %source.name, link, reason, "full text: kept the feed's content");
            PageOutcome::Failed(reason)
        }
    };
    FullTextPage {
        item: item.clone(),
        link: link.to_string(),
        outcome,
    }
}

/// The sanitized article at `link`, or why there is none.
async fn article_at(
    pages: &Pages<'_>,
    source: &SourceConfig,
    full_text: &FullText,
    link: &str,
) -> Result<String, String> {
    let url = Url::parse(link).map_err(|e| format!("the link is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("the link is not http(s): {link}"));
    }
    let target = Target::Http(url);
    let fetched = {
        let _slot = pages.slots.acquire(&target).await;
        pages
            .fetcher
            .fetch(&target, &Validators::default(), source.into())
            .await
            .map_err(|e| e.to_string())?
    };
    let Body::Changed {
        bytes,
        charset,
        url,
        slot,
    } = fetched.body
    else {
        return Err("the server answered 304 Not Modified to a request without validators".into());
    };
    let selector = full_text.selector.clone();
    let _reader = pages.readers.acquire().await;
    let extracted = tokio::task::spawn_blocking(move || {
        let _large_body = slot;
        let html = decode_page(&bytes, charset.as_deref());
        article(&html, url.as_ref(), selector.as_ref()).map(|a| a.content)
    })
    .await
    .map_err(|e| format!("internal error while extracting (please report it): {e}"))?;
    extracted.map_err(|e| e.to_string())
}
