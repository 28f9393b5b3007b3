//! The reads of an output with a `query`: its matches over all its
//! sources at once, newest first, a page at a time. The full-text index
//! gives the matching rows; only they are read, filtered by source, age
//! and the output's row test, and sorted, so a query that matches few
//! items costs those items, however many its sources hold.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::output_query::{ItemKey, OutputReads};
use super::{to_unix, StoreError};
use crate::model::SourceName;
use crate::search::SearchQuery;

/// Where a row stands among the matches of several sources: the store's
/// order within a source, with the source name breaking ties as the
/// per-source merge does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchKey {
    pub source: SourceName,
    pub key: ItemKey,
}

/// One page of matches: the keys that passed the row test, and the last
/// row read, where the next page starts.
#[derive(Debug, Default)]
pub struct MatchPage {
    pub passed: Vec<MatchKey>,
    pub last_read: Option<MatchKey>,
    /// Fewer rows than asked for were left.
    pub exhausted: bool,
}

/// The rows after `?4..?7` in the store's order (newest sort time, newest
/// arrival, source, id). `+source` keeps SQLite from walking a source's
/// time index: the matches, looked up by rowid, are the rows to read.
const MATCHES_AFTER: &str = "FROM items
     WHERE rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?1)
       AND +source IN (SELECT value FROM json_each(?2))
       AND sort_time >= ?3
       AND (sort_time < ?4 OR (sort_time = ?4 AND (first_seen < ?5
            OR (first_seen = ?5 AND (source > ?6 OR (source = ?6 AND id > ?7))))))
     ORDER BY sort_time DESC, first_seen DESC, source, id
     LIMIT ?8";

impl OutputReads<'_> {
    /// [`ItemPages::match_page`] on SQLite's full-text index.
    pub fn search_page(
        &self,
        query: &SearchQuery,
        sources: &[SourceName],
        since: Option<DateTime<Utc>>,
        after: Option<&MatchKey>,
        rows: usize,
    ) -> Result<MatchPage, StoreError> {
        let sql = format!(
            "SELECT sort_time, first_seen, source, id, {} {MATCHES_AFTER}",
            self.test
        );
        let names: Vec<&str> = sources.iter().map(SourceName::as_str).collect();
        let names = serde_json::to_string(&names)
            .map_err(|e| StoreError::Corrupt(format!("source names: {e}")))?;
        let start = ItemKey::start();
        let (after_source, after_key) = after.map_or(("", &start), |a| (a.source.as_str(), &a.key));
        let mut stmt = self.store.conn.prepare_cached(&sql)?;
        let mut found = stmt.query(params![
            query.fts5(),
            names,
            since.map_or(i64::MIN, to_unix),
            after_key.sort_time,
            after_key.first_seen,
            after_source,
            after_key.id,
            i64::try_from(rows).unwrap_or(i64::MAX),
        ])?;
        let mut page = MatchPage::default();
        let mut read = 0;
        while let Some(row) = found.next()? {
            read += 1;
            let key = MatchKey {
                source: SourceName::new(row.get::<_, String>(2)?)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                key: ItemKey {
                    sort_time: row.get(0)?,
                    first_seen: row.get(1)?,
                    id: row.get(3)?,
                },
            };
            if row.get::<_, bool>(4)? {
                page.passed.push(key.clone());
            }
            page.last_read = Some(key);
        }
        page.exhausted = read < rows;
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_page_reads_the_matches_by_rowid_not_a_source_time_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT sort_time, first_seen, source, id, 1 {MATCHES_AFTER}"
        );
        let mut stmt = store.conn.prepare(&sql).unwrap();
        let plan: Vec<String> = stmt
            .query_map(
                params!["\"flood\"", "[\"wire\"]", 0, i64::MAX, i64::MAX, "", "", 10],
                |r| r.get::<_, String>(3),
            )
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let plan = plan.join("\n");
        assert!(plan.contains("VIRTUAL TABLE INDEX"), "{plan}");
        assert!(
            plan.contains("INTEGER PRIMARY KEY") || plan.contains("rowid=?"),
            "{plan}"
        );
        assert!(!plan.contains("items_by_source_time"), "{plan}");
    }
}
