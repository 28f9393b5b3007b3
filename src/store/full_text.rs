//! The article page fetched for each item of a `full_text` source: what
//! it gave, and the link it came from, so a page is fetched once per link.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::busy::write_transaction;
use super::{to_unix, Store, StoreError};
use crate::model::{ItemId, SourceName};

/// What fetching one item's page gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageOutcome {
    /// The sanitized article.
    Article(String),
    /// Why there is none; the item keeps the feed's own content.
    Failed(String),
}

/// One item's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullTextPage {
    pub item: ItemId,
    /// The link fetched.
    pub link: String,
    pub outcome: PageOutcome,
}

impl Store {
    /// The pages recorded for `items` of `source`, by item id.
    pub fn full_text_pages(
        &self,
        source: &SourceName,
        items: &[ItemId],
    ) -> Result<HashMap<ItemId, FullTextPage>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT link, content, reason FROM full_text_pages WHERE source = ?1 AND item_id = ?2",
        )?;
        let mut found = HashMap::new();
        for id in items {
            let row = stmt.query_row(params![source.as_str(), id.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            });
            let (link, content, reason) = match row {
                Ok(row) => row,
                Err(rusqlite::Error::QueryReturnedNoRows) => continue,
                Err(e) => return Err(e.into()),
            };
            let outcome = match content {
                Some(article) => PageOutcome::Article(article),
                None => PageOutcome::Failed(reason.unwrap_or_default()),
            };
            let page = FullTextPage {
                item: id.clone(),
                link,
                outcome,
            };
            found.insert(id.clone(), page);
        }
        Ok(found)
    }

    /// Records pages fetched for `source` at `at`, replacing what an
    /// item's former link gave.
    pub fn record_full_text_pages(
        &mut self,
        source: &SourceName,
        pages: &[FullTextPage],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        write_transaction(&mut self.conn, |tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO full_text_pages
                 (source, item_id, link, content, reason, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for page in pages {
                let (content, reason) = match &page.outcome {
                    PageOutcome::Article(a) => (Some(a.as_str()), None),
                    PageOutcome::Failed(r) => (None, Some(r.as_str())),
                };
                stmt.execute(params![
                    source.as_str(),
                    page.item.as_str(),
                    page.link,
                    content,
                    reason,
                    to_unix(at)
                ])?;
            }
            Ok(())
        })
    }
}
