//! Item rows: idempotent upserts and the queries outputs and commands need.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension, Row};

use super::busy::write_transaction;
use super::{edited, from_unix, rotation, to_unix, tombstones, Store, StoreError};
use crate::model::{Item, ItemId, SourceName, DATE_SKEW_SECS};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Inserted,
    Updated,
    Unchanged,
    /// Removed by retention before and still listed: not stored again
    /// (see `tombstones.rs`).
    Tombstoned,
}

/// Counts over a batch of upserts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertSummary {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Items retention removed earlier, still listed and left out.
    pub tombstoned: usize,
    /// Of the updated and unchanged, how many came under a new id and were
    /// recognised by link and title (see `rotation.rs`), or as an edited
    /// dump article (see `edited.rs`).
    pub rotated: usize,
}

impl UpsertSummary {
    pub fn add(&mut self, outcome: UpsertOutcome) {
        match outcome {
            UpsertOutcome::Inserted => self.inserted += 1,
            UpsertOutcome::Updated => self.updated += 1,
            UpsertOutcome::Unchanged => self.unchanged += 1,
            UpsertOutcome::Tombstoned => self.tombstoned += 1,
        }
    }

    /// True when the batch changed what readers see.
    pub fn changed(&self) -> bool {
        self.inserted + self.updated > 0
    }
}

/// Which items to list, newest first (published, else first seen).
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    /// Only these sources; `None` is every source.
    pub sources: Option<Vec<SourceName>>,
    /// Only items whose sort time is at or after this.
    pub since: Option<DateTime<Utc>>,
    pub limit: usize,
    pub offset: usize,
}

pub(super) const COLUMNS: &str = "source, id, title, link, summary, content, authors, categories, published, updated, first_seen, id_source, enclosures, image, episode, explicit";

impl Store {
    /// Stores `items` in one transaction; re-storing an unchanged item is a
    /// no-op, a changed one is updated in place and keeps its first-seen time.
    pub fn upsert_items(&mut self, items: &[Item]) -> Result<UpsertSummary, StoreError> {
        write_transaction(&mut self.conn, |tx| upsert_all(tx, items))
    }

    /// As [`Store::upsert_items`], telling what became of each item.
    pub fn upsert_each(&mut self, items: &[Item]) -> Result<Vec<UpsertOutcome>, StoreError> {
        write_transaction(&mut self.conn, |tx| {
            let mut claimed = claimed_by(items);
            items
                .iter()
                .map(|item| Ok(upsert(tx, item, &mut claimed)?.0))
                .collect()
        })
    }

    pub fn upsert_item(&mut self, item: &Item) -> Result<UpsertOutcome, StoreError> {
        write_transaction(&mut self.conn, |tx| {
            let (outcome, _) = upsert(tx, item, &mut claimed_by(std::slice::from_ref(item)))?;
            Ok(outcome)
        })
    }

    pub fn item(&self, source: &SourceName, id: &ItemId) -> Result<Option<Item>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM items WHERE source = ?1 AND id = ?2");
        self.conn
            .query_row(&sql, params![source.as_str(), id.as_str()], raw_item)
            .optional()?
            .map(RawItem::into_item)
            .transpose()
    }

    pub fn items(&self, query: &ItemQuery) -> Result<Vec<Item>, StoreError> {
        let Some((sql, args)) = items_sql(query) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), raw_item)?;
        rows.map(|r| r?.into_item()).collect()
    }

    /// Number of stored items per source.
    pub fn item_counts(&self) -> Result<HashMap<String, u64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT source, count(*) FROM items GROUP BY source")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The SQL and arguments of `query`; `None` when it can match nothing.
/// The ORDER BY is the time indexes' own order, so SQLite reads a page off
/// an index and stops at the limit, ties included.
fn items_sql(query: &ItemQuery) -> Option<(String, Vec<Value>)> {
    let mut sql = format!("SELECT {COLUMNS} FROM items");
    let mut args: Vec<Value> = Vec::new();
    match query.sources.as_deref() {
        None => sql.push_str(" WHERE 1"),
        Some([]) => return None,
        // Left to itself SQLite reads one source through the primary
        // key and sorts all its rows; its time index yields them newest
        // first and stops at the limit (curation reads sources one by
        // one, so this is its hot path).
        Some([one]) => {
            sql.push_str(" INDEXED BY items_by_source_time WHERE source = ?");
            args.push(Value::Text(one.as_str().into()));
        }
        Some(many) => {
            sql.push_str(" WHERE source IN (");
            sql.push_str(&vec!["?"; many.len()].join(","));
            sql.push(')');
            args.extend(many.iter().map(|s| Value::Text(s.as_str().into())));
        }
    }
    if let Some(since) = query.since {
        sql.push_str(" AND sort_time >= ?");
        args.push(Value::Integer(to_unix(since)));
    }
    sql.push_str(" ORDER BY sort_time DESC, first_seen DESC, source, id LIMIT ? OFFSET ?");
    args.push(Value::Integer(clamp_i64(query.limit)));
    args.push(Value::Integer(clamp_i64(query.offset)));
    Some((sql, args))
}

fn clamp_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn upsert_all(
    tx: &rusqlite::Transaction<'_>,
    items: &[Item],
) -> Result<UpsertSummary, StoreError> {
    let mut summary = UpsertSummary::default();
    let mut claimed = claimed_by(items);
    for item in items {
        let (outcome, rotated) = upsert(tx, item, &mut claimed)?;
        summary.add(outcome);
        summary.rotated += usize::from(rotated);
    }
    Ok(summary)
}

/// The ids a batch carries, which no entry of it may take over.
fn claimed_by(items: &[Item]) -> HashSet<String> {
    items.iter().map(|i| i.id.as_str().to_string()).collect()
}

/// What an upsert compares against in a stored row.
pub(super) struct StoredRow {
    pub id: String,
    pub content_hash: String,
    pub first_seen: i64,
}

/// Stores `item`, under the id of the stored item it is when it came back
/// under a new one; the flag says it did.
fn upsert(
    tx: &rusqlite::Transaction<'_>,
    item: &Item,
    claimed: &mut HashSet<String>,
) -> Result<(UpsertOutcome, bool), StoreError> {
    let hash = item.content_hash();
    let mut existing = tx
        .prepare_cached(
            "SELECT id, content_hash, first_seen FROM items WHERE source = ?1 AND id = ?2",
        )?
        .query_row(params![item.source.as_str(), item.id.as_str()], |r| {
            Ok(StoredRow {
                id: r.get(0)?,
                content_hash: r.get(1)?,
                first_seen: r.get(2)?,
            })
        })
        .optional()?;
    let mut rotated = false;
    if existing.is_none() {
        // A removed id is asked for first: a look-alike stored under
        // another id must not take the removed item back in.
        if tombstones::buried(tx, item)? {
            return Ok((UpsertOutcome::Tombstoned, false));
        }
        existing = match rotation::earlier(tx, item, claimed)? {
            Some(row) => Some(row),
            None => edited::earlier(tx, item, claimed)?,
        };
        if let Some(row) = &existing {
            claimed.insert(row.id.clone());
            rotated = true;
        } else if let Some(id) = tombstones::buried_under_earlier_id(tx, item, claimed)? {
            claimed.insert(id);
            return Ok((UpsertOutcome::Tombstoned, false));
        }
    }
    let first_seen = match &existing {
        Some(row) if row.content_hash == hash.as_str() => {
            return Ok((UpsertOutcome::Unchanged, rotated))
        }
        Some(row) => row.first_seen,
        None => to_unix(item.first_seen),
    };
    let id = existing
        .as_ref()
        .map_or(item.id.as_str(), |row| row.id.as_str());
    // Item::sort_time, on the first-seen time kept in the row.
    let sort_time = item
        .published
        .map_or(first_seen, to_unix)
        .min(first_seen.saturating_add(DATE_SKEW_SECS));
    tx.prepare_cached(
        "INSERT INTO items (source, id, title, link, summary, content, authors, categories,
                            published, updated, first_seen, content_hash, sort_time, id_source,
                            enclosures, image, episode, explicit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18)
         ON CONFLICT (source, id) DO UPDATE SET
            title = excluded.title, link = excluded.link, summary = excluded.summary,
            content = excluded.content, authors = excluded.authors,
            categories = excluded.categories, published = excluded.published,
            updated = excluded.updated, content_hash = excluded.content_hash,
            sort_time = excluded.sort_time, enclosures = excluded.enclosures,
            image = excluded.image, episode = excluded.episode,
            explicit = excluded.explicit",
    )?
    .execute(params![
        item.source.as_str(),
        id,
        item.title,
        item.link,
        item.summary,
        item.content,
        json_list(&item.authors),
        json_list(&item.categories),
        item.published.map(to_unix),
        item.updated.map(to_unix),
        first_seen,
        hash.as_str(),
        sort_time,
        item.id_source.as_ref().map(SourceName::as_str),
        serde_json::to_string(&item.enclosures).unwrap_or_else(|_| "[]".into()),
        item.image,
        item.episode,
        item.explicit,
    ])?;
    let outcome = if existing.is_some() {
        UpsertOutcome::Updated
    } else {
        UpsertOutcome::Inserted
    };
    Ok((outcome, rotated))
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A row as SQLite holds it, before the checks that make it an `Item`.
pub(super) struct RawItem {
    source: String,
    id: String,
    title: String,
    link: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    authors: String,
    categories: String,
    published: Option<i64>,
    updated: Option<i64>,
    first_seen: i64,
    id_source: Option<String>,
    enclosures: String,
    image: Option<String>,
    episode: Option<u32>,
    explicit: Option<bool>,
}

pub(super) fn raw_item(r: &Row<'_>) -> rusqlite::Result<RawItem> {
    Ok(RawItem {
        source: r.get(0)?,
        id: r.get(1)?,
        title: r.get(2)?,
        link: r.get(3)?,
        summary: r.get(4)?,
        content: r.get(5)?,
        authors: r.get(6)?,
        categories: r.get(7)?,
        published: r.get(8)?,
        updated: r.get(9)?,
        first_seen: r.get(10)?,
        id_source: r.get(11)?,
        enclosures: r.get(12)?,
        image: r.get(13)?,
        episode: r.get(14)?,
        explicit: r.get(15)?,
    })
}

impl RawItem {
    pub(super) fn into_item(self) -> Result<Item, StoreError> {
        let list = |s: &str| {
            serde_json::from_str::<Vec<String>>(s)
                .map_err(|e| StoreError::Corrupt(format!("item {}: {e}", self.id)))
        };
        let name = |s: String| SourceName::new(s).map_err(|e| StoreError::Corrupt(e.to_string()));
        Ok(Item {
            source: name(self.source.clone())?,
            id_source: self.id_source.map(name).transpose()?,
            authors: list(&self.authors)?,
            categories: list(&self.categories)?,
            enclosures: serde_json::from_str(&self.enclosures)
                .map_err(|e| StoreError::Corrupt(format!("item {}: {e}", self.id)))?,
            image: self.image,
            episode: self.episode,
            explicit: self.explicit,
            published: self.published.map(from_unix).transpose()?,
            updated: self.updated.map(from_unix).transpose()?,
            first_seen: from_unix(self.first_seen)?,
            id: ItemId::new(self.id),
            title: self.title,
            link: self.link,
            summary: self.summary,
            content: self.content,
            also_in: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `query`, one detail line per step.
    fn plan(store: &Store, query: &ItemQuery) -> String {
        let (sql, args) = items_sql(query).unwrap();
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt
            .query_map(params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn pages_are_read_off_an_index_without_sorting_ties() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let wire = SourceName::new("wire").unwrap();
        for sources in [None, Some(vec![wire])] {
            let query = ItemQuery {
                sources,
                limit: 50,
                ..ItemQuery::default()
            };
            let plan = plan(&store, &query);
            assert!(!plan.contains("TEMP B-TREE"), "sorts rows:\n{plan}");
            assert!(plan.contains("USING INDEX items_by"), "{plan}");
        }
    }
}
