//! The article page fetched for each item of a `full_text` source: what
//! it gave, and the link it came from, so a page is fetched once per link.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::busy::write_transaction;
use super::{to_unix, Store, StoreError};
use crate::model::{ItemId, SourceName};

/// How long a page outlives its item.
const ORPHAN_AFTER_SECS: i64 = 24 * 3600;

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

/// What a source's pages gave, for `syndic sources`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FullTextCounts {
    pub articles: u64,
    /// Pages that gave no article: their items kept the feed's content.
    pub failed: u64,
    /// Why the most recent of those gave none.
    pub last_failure: Option<String>,
}

impl Store {
    /// Every source's page counts, by source name; none from a database
    /// read as it stands before migration 16 made the table.
    pub fn full_text_counts(&self) -> Result<HashMap<String, FullTextCounts>, StoreError> {
        let made: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'full_text_pages')",
            [],
            |r| r.get(0),
        )?;
        if !made {
            return Ok(HashMap::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT source, count(content), count(reason),
                    (SELECT reason FROM full_text_pages AS f
                     WHERE f.source = p.source AND reason IS NOT NULL
                     ORDER BY fetched_at DESC LIMIT 1)
             FROM full_text_pages AS p GROUP BY source",
        )?;
        let rows = stmt.query_map([], |r| {
            let counts = FullTextCounts {
                articles: r.get(1)?,
                failed: r.get(2)?,
                last_failure: r.get(3)?,
            };
            Ok((r.get::<_, String>(0)?, counts))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

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
    /// item's former link gave, and forgets the pages of items retention
    /// removed (a page held a day, so never one whose item is about to be
    /// stored by the poll that fetched it).
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
            tx.prepare_cached(
                "DELETE FROM full_text_pages AS p
                 WHERE source = ?1 AND fetched_at < ?2
                   AND NOT EXISTS (SELECT 1 FROM items AS i WHERE i.source = p.source AND i.id = p.item_id)",
            )?
            .execute(params![source.as_str(), to_unix(at) - ORPHAN_AFTER_SECS])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn page(item: &str, outcome: PageOutcome) -> FullTextPage {
        FullTextPage {
            item: ItemId::new(item),
            link: format!("https://news.example/{item}"),
            outcome,
        }
    }

    #[test]
    fn pages_are_kept_per_item_counted_and_follow_a_rename() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let old = SourceName::new("wire").unwrap();
        let pages = [
            page("a", PageOutcome::Article("<p>A</p>".into())),
            page("b", PageOutcome::Failed("HTTP 404".into())),
        ];
        store
            .record_full_text_pages(&old, &pages, Utc::now())
            .unwrap();
        let ids = [ItemId::new("a"), ItemId::new("b"), ItemId::new("c")];
        let found = store.full_text_pages(&old, &ids).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[&ids[1]], pages[1]);
        let counts = &store.full_text_counts().unwrap()["wire"];
        assert_eq!((counts.articles, counts.failed), (1, 1));
        assert_eq!(counts.last_failure.as_deref(), Some("HTTP 404"));

        // A day on, pages of items no longer stored are forgotten; a
        // stored item's is kept.
        let kept = crate::model::Item::new(old.clone(), ids[0].clone(), "A", Utc::now());
        store.upsert_items(&[kept]).unwrap();
        let later = Utc::now() + chrono::TimeDelta::days(2);
        store.record_full_text_pages(&old, &[], later).unwrap();
        let left: Vec<ItemId> = store
            .full_text_pages(&old, &ids)
            .unwrap()
            .into_keys()
            .collect();
        assert_eq!(left, [ids[0].clone()]);
        store
            .record_full_text_pages(&old, &pages, Utc::now())
            .unwrap();

        let new = SourceName::new("world-wire").unwrap();
        store.adopt_renamed(&[(old.clone(), new.clone())]).unwrap();
        assert!(store.full_text_pages(&old, &ids).unwrap().is_empty());
        assert_eq!(store.full_text_pages(&new, &ids).unwrap().len(), 2);
    }
}
