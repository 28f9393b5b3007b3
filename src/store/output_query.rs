//! The reads an output makes: each source's item keys newest first, a
//! page at a time off the `items_by_source_time` index, with the output's
//! patterns tested inside SQLite on the stored fields, then whole items
//! only for the keys it takes. Rows a filter drops are never decoded into
//! items, and a page reads no row past its limit.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rusqlite::functions::FunctionFlags;
use rusqlite::{params, Transaction};

use super::search_pages::{MatchKey, MatchPage};
use super::{to_unix, Store, StoreError};
use crate::model::{Item, SourceName};
use crate::search::SearchQuery;

/// How much of the database file a reader maps: a render with filters
/// reads tens of thousands of rows, and through the page cache alone each
/// page is a `pread` copy (a quarter of the time, measured). Mapped pages
/// are the kernel's file cache, shared, not the process's own memory.
const MMAP_BYTES: i64 = 1 << 30;

/// The SQL name of the output's row test while its reads run.
const TEST_FUNCTION: &str = "syndic_output_test";

/// The store's order within one source: newest sort time, then newest
/// arrival, then id. The key of the row after `(?3, ?4, ?5)` in it starts
/// a page, so a page costs its own rows, however deep it starts.
const PAGE_AFTER: &str = "FROM items INDEXED BY items_by_source_time
     WHERE source = ?1 AND sort_time >= ?2
       AND sort_time <= ?3
       AND (sort_time < ?3 OR first_seen < ?4 OR (first_seen = ?4 AND id > ?5))
     ORDER BY sort_time DESC, first_seen DESC, id
     LIMIT ?6";

/// An item's fields as stored, for a test run on rows before they become
/// items: authors and categories are JSON arrays, summary and content HTML.
pub struct StoredFields<'a> {
    pub title: &'a str,
    pub link: Option<&'a str>,
    pub authors: &'a str,
    pub categories: &'a str,
    pub summary: Option<&'a str>,
    pub content: Option<&'a str>,
}

impl StoredFields<'_> {
    /// A JSON list column as its strings; an unreadable one holds none
    /// (decoding the item reports it).
    pub fn list(json: &str) -> Vec<String> {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// Whether a stored row belongs in the output; run by SQLite on each row
/// a page reads.
pub type RowTest = dyn Fn(&StoredFields<'_>) -> bool + Send + Sync;

/// Where a row stands in one source's order; a page starts after one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemKey {
    pub sort_time: i64,
    pub first_seen: i64,
    pub id: String,
}

impl ItemKey {
    /// Before every row.
    pub fn start() -> ItemKey {
        ItemKey {
            sort_time: i64::MAX,
            first_seen: i64::MAX,
            id: String::new(),
        }
    }
}

/// One page of a source: the keys of the rows that passed, and the last
/// row read, where the next page starts.
#[derive(Debug, Default)]
pub struct Page {
    pub passed: Vec<ItemKey>,
    pub last_read: Option<ItemKey>,
    /// Fewer rows than asked for were left: the source is read to its end.
    pub exhausted: bool,
}

/// An output's reads on one connection, its row test installed for as
/// long as this lives.
pub struct OutputReads<'s> {
    pub(super) store: &'s Store,
    /// One snapshot for every page and item, so a write in between cannot
    /// show a key whose row is gone.
    _snapshot: Option<Transaction<'s>>,
    tested: bool,
    /// The SQL expression that is true for a row the output takes.
    pub(super) test: String,
    page_sql: String,
}

impl Store {
    /// Reads for one output; `test`, when given, decides which rows pages
    /// return.
    pub fn output_reads(&self, test: Option<Arc<RowTest>>) -> Result<OutputReads<'_>, StoreError> {
        self.conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let tested = test.is_some();
        if let Some(test) = test {
            let test = AssertUnwindSafe(test);
            self.conn.create_scalar_function(
                TEST_FUNCTION,
                6,
                FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
                move |ctx| {
                    let text = |i| ctx.get_raw(i).as_str_or_null();
                    let fields = StoredFields {
                        title: text(0)?.unwrap_or_default(),
                        link: text(1)?,
                        authors: text(2)?.unwrap_or("[]"),
                        categories: text(3)?.unwrap_or("[]"),
                        summary: text(4)?,
                        content: text(5)?,
                    };
                    Ok(test(&fields))
                },
            )?;
        }
        let test = if tested {
            format!("{TEST_FUNCTION}(title, link, authors, categories, summary, content)")
        } else {
            "1".to_string()
        };
        let snapshot = if self.conn.is_autocommit() {
            Some(self.conn.unchecked_transaction()?)
        } else {
            None
        };
        Ok(OutputReads {
            store: self,
            _snapshot: snapshot,
            tested,
            page_sql: format!("SELECT sort_time, first_seen, id, {test} {PAGE_AFTER}"),
            test,
        })
    }
}

/// An output's reads, as curation asks for them: pages of one source's
/// keys newest first with the output's test applied, then whole items.
pub trait ItemPages {
    /// Up to `rows` rows of `source` after `after`, none older than `since`.
    fn page(
        &self,
        source: &SourceName,
        since: Option<DateTime<Utc>>,
        after: &ItemKey,
        rows: usize,
    ) -> Result<Page, StoreError>;

    /// The whole item of `source` under `id`.
    fn item(&self, source: &SourceName, id: &str) -> Result<Option<Item>, StoreError>;

    /// Up to `rows` matches of `query` among `sources` after `after` (from
    /// the first when `None`), none older than `since`, newest first.
    fn match_page(
        &self,
        query: &SearchQuery,
        sources: &[SourceName],
        since: Option<DateTime<Utc>>,
        after: Option<&MatchKey>,
        rows: usize,
    ) -> Result<MatchPage, StoreError>;
}

impl ItemPages for OutputReads<'_> {
    fn page(
        &self,
        source: &SourceName,
        since: Option<DateTime<Utc>>,
        after: &ItemKey,
        rows: usize,
    ) -> Result<Page, StoreError> {
        let mut stmt = self.store.conn.prepare_cached(&self.page_sql)?;
        let mut found = stmt.query(params![
            source.as_str(),
            since.map_or(i64::MIN, to_unix),
            after.sort_time,
            after.first_seen,
            after.id,
            i64::try_from(rows).unwrap_or(i64::MAX),
        ])?;
        let mut page = Page::default();
        let mut read = 0;
        while let Some(row) = found.next()? {
            read += 1;
            let key = ItemKey {
                sort_time: row.get(0)?,
                first_seen: row.get(1)?,
                id: row.get(2)?,
            };
            if row.get::<_, bool>(3)? {
                page.passed.push(key.clone());
            }
            page.last_read = Some(key);
        }
        page.exhausted = read < rows;
        Ok(page)
    }

    fn item(&self, source: &SourceName, id: &str) -> Result<Option<Item>, StoreError> {
        self.store.item_by_key(source, id)
    }

    fn match_page(
        &self,
        query: &SearchQuery,
        sources: &[SourceName],
        since: Option<DateTime<Utc>>,
        after: Option<&MatchKey>,
        rows: usize,
    ) -> Result<MatchPage, StoreError> {
        self.search_page(query, sources, since, after, rows)
    }
}

impl Drop for OutputReads<'_> {
    fn drop(&mut self) {
        if self.tested {
            // The test holds the output's compiled patterns; a connection
            // back in the pool need not keep them.
            let _ = self.store.conn.remove_function(TEST_FUNCTION, 6);
        }
    }
}
