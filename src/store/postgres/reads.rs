//! An output's reads in PostgreSQL, for `curate::select_with`: curation
//! is synchronous (it pulls pages as its merge needs them), so it runs on
//! a blocking thread and each page waits on the async client there. One
//! read-only repeatable-read transaction gives every page one snapshot.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::runtime::Handle;
use tokio_postgres::Transaction;

use super::items::{raw_item, COLUMNS};
use crate::model::{Item, SourceName};
use crate::search::SearchQuery;
use crate::store::{
    to_unix, ItemKey, ItemPages, MatchKey, MatchPage, Page, RowTest, StoreError, StoredFields,
};

pub struct PgReads<'t> {
    pub tx: &'t Transaction<'t>,
    pub runtime: Handle,
    pub test: Option<Arc<RowTest>>,
}

impl ItemPages for PgReads<'_> {
    fn page(
        &self,
        source: &SourceName,
        since: Option<DateTime<Utc>>,
        after: &ItemKey,
        rows: usize,
    ) -> Result<Page, StoreError> {
        let limit = i64::try_from(rows).unwrap_or(i64::MAX);
        let found = self.runtime.block_on(self.tx.query(
            "SELECT sort_time, first_seen, id, title, link, authors, categories, summary, content
             FROM items
             WHERE source = $1 AND sort_time >= $2 AND sort_time <= $3
               AND (sort_time < $3 OR first_seen < $4 OR (first_seen = $4 AND id > $5))
             ORDER BY sort_time DESC, first_seen DESC, id
             LIMIT $6",
            &[
                &source.as_str(),
                &since.map_or(i64::MIN, to_unix),
                &after.sort_time,
                &after.first_seen,
                &after.id,
                &limit,
            ],
        ))?;
        let mut page = Page {
            exhausted: found.len() < rows,
            ..Page::default()
        };
        for row in &found {
            let key = ItemKey {
                sort_time: row.get(0),
                first_seen: row.get(1),
                id: row.get(2),
            };
            let fields = StoredFields {
                title: row.get(3),
                link: row.get(4),
                authors: row.get(5),
                categories: row.get(6),
                summary: row.get(7),
                content: row.get(8),
            };
            if self.test.as_ref().is_none_or(|test| test(&fields)) {
                page.passed.push(key.clone());
            }
            page.last_read = Some(key);
        }
        Ok(page)
    }

    fn item(&self, source: &SourceName, id: &str) -> Result<Option<Item>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM items WHERE source = $1 AND id = $2");
        self.runtime
            .block_on(self.tx.query_opt(&sql, &[&source.as_str(), &id]))?
            .map(|r| raw_item(&r))
            .transpose()
    }

    /// The full-text index is SQLite's alone for now; the config refuses
    /// an output `query` on PostgreSQL, so this is never reached from it.
    fn match_page(
        &self,
        _query: &SearchQuery,
        _sources: &[SourceName],
        _since: Option<DateTime<Utc>>,
        _after: Option<&MatchKey>,
        _rows: usize,
    ) -> Result<MatchPage, StoreError> {
        Err(StoreError::Postgres(
            "search needs the SQLite store for now".into(),
        ))
    }
}
