//! Item rows: idempotent upserts and the queries outputs and commands need.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::busy::write_transaction;
use super::search_index::{self, IndexedText};
use super::{edited, from_unix, rotation, to_unix, tombstones, Store, StoreError};
use crate::model::{Item, ItemId, SourceName};

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
        self.item_by_key(source, id.as_str())
    }

    /// The whole item of `source` under `id`, if stored.
    pub(super) fn item_by_key(
        &self,
        source: &SourceName,
        id: &str,
    ) -> Result<Option<Item>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM items WHERE source = ?1 AND id = ?2"
            ))?
            .query_row(params![source.as_str(), id], raw_item)
            .optional()?
            .map(RawItem::into_item)
            .transpose()
    }

    /// The whole item stored under `rowid` (the full-text index's key),
    /// if still there.
    pub(super) fn item_by_rowid(&self, rowid: i64) -> Result<Option<Item>, StoreError> {
        self.conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM items WHERE rowid = ?1"))?
            .query_row(params![rowid], raw_item)
            .optional()?
            .map(RawItem::into_item)
            .transpose()
    }

    /// The items `query` asks for, newest first. Each source is read off
    /// its own time index and several are merged here: the store keeps no
    /// index of all items by time, whose inserts land all over it and cost
    /// a first poll of many feeds a third of its time.
    pub fn items(&self, query: &ItemQuery) -> Result<Vec<Item>, StoreError> {
        let sources = match &query.sources {
            Some(named) => named.clone(),
            None => self.stored_sources()?,
        };
        let wanted = query.limit.saturating_add(query.offset);
        let mut merged = Vec::new();
        for source in &sources {
            merged.extend(self.source_items(source, query.since, wanted)?);
        }
        if sources.len() > 1 {
            merged.sort_by(Item::newest_first);
        }
        Ok(merged
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .collect())
    }

    /// Up to `limit` items of `source`, newest first, none older than `since`.
    fn source_items(
        &self,
        source: &SourceName,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} {SOURCE_ITEMS}"))?;
        let rows = stmt.query_map(
            params![
                source.as_str(),
                since.map_or(i64::MIN, to_unix),
                clamp_i64(limit)
            ],
            raw_item,
        )?;
        rows.map(|r| r?.into_item()).collect()
    }

    /// The names of the sources that have items stored, read off the key
    /// index without touching a row.
    fn stored_sources(&self) -> Result<Vec<SourceName>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT source FROM items")?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        names
            .map(|n| SourceName::new(n?).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
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

/// One source's items newest first, in the order of its time index (so
/// SQLite reads a page off it and stops at the limit, ties included).
const SOURCE_ITEMS: &str = "FROM items INDEXED BY items_by_source_time
     WHERE source = ?1 AND sort_time >= ?2
     ORDER BY sort_time DESC, first_seen DESC, id LIMIT ?3";

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
    let sort_time = super::copy::sort_time(item, first_seen);
    let stored_rowid = match existing {
        Some(_) => search_index::unindex_row(tx, item.source.as_str(), id)?,
        None => None,
    };
    let authors = json_list(&item.authors);
    let categories = json_list(&item.categories);
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
        authors,
        categories,
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
    // No RETURNING: it would make the upsert a statement with a savepoint
    // (see migration 17).
    let rowid = stored_rowid.unwrap_or_else(|| tx.last_insert_rowid());
    let text = IndexedText {
        title: &item.title,
        summary: item.summary.as_deref(),
        content: item.content.as_deref(),
        authors: &authors,
        categories: &categories,
    };
    search_index::index_row(tx, rowid, &text)?;
    let outcome = if existing.is_some() {
        UpsertOutcome::Updated
    } else {
        UpsertOutcome::Inserted
    };
    Ok((outcome, rotated))
}

pub(super) fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// A row as SQLite holds it, before the checks that make it an `Item`.
pub(super) struct RawItem {
    pub(super) source: String,
    pub(super) id: String,
    pub(super) title: String,
    pub(super) link: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) content: Option<String>,
    pub(super) authors: String,
    pub(super) categories: String,
    pub(super) published: Option<i64>,
    pub(super) updated: Option<i64>,
    pub(super) first_seen: i64,
    pub(super) id_source: Option<String>,
    pub(super) enclosures: String,
    pub(super) image: Option<String>,
    pub(super) episode: Option<u32>,
    pub(super) explicit: Option<bool>,
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
    use chrono::TimeZone;

    /// SQLite's plan for `sql`, one detail line per step.
    fn plan(store: &Store, sql: &str, args: &[&dyn rusqlite::ToSql]) -> String {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = stmt.query_map(args, |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn pages_are_read_off_an_index_without_sorting_ties() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let sql = format!("SELECT {COLUMNS} {SOURCE_ITEMS}");
        let items = plan(&store, &sql, params!["wire", 0, 50]);
        assert!(!items.contains("TEMP B-TREE"), "sorts rows:\n{items}");
        assert!(
            items.contains("USING INDEX items_by_source_time"),
            "{items}"
        );
        let sources = plan(&store, "SELECT DISTINCT source FROM items", params![]);
        assert!(
            sources.contains("COVERING INDEX items_by"),
            "reads rows:
{sources}"
        );
    }

    #[test]
    fn several_sources_merge_into_the_store_order_with_offset() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("merge.db")).unwrap();
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 30, h, 0, 0).unwrap();
        let item = |source: &str, id: &str, hour| {
            let mut item = Item::new(
                SourceName::new(source).unwrap(),
                ItemId::new(id),
                id.to_string(),
                at(hour),
            );
            item.published = Some(at(hour));
            item
        };
        store
            .upsert_items(&[
                item("wire", "w1", 1),
                item("wire", "w3", 3),
                item("desk", "d2", 2),
                item("desk", "d4", 4),
                item("blog", "b3", 3),
            ])
            .unwrap();
        let ids = |sources: Option<Vec<&str>>, offset| -> Vec<String> {
            let query = ItemQuery {
                sources: sources
                    .map(|s| s.into_iter().map(|n| SourceName::new(n).unwrap()).collect()),
                limit: 3,
                offset,
                ..ItemQuery::default()
            };
            store
                .items(&query)
                .unwrap()
                .into_iter()
                .map(|i| i.id.to_string())
                .collect()
        };
        // Ties on time go to the source first by name.
        assert_eq!(ids(None, 0), ["d4", "b3", "w3"]);
        assert_eq!(ids(None, 2), ["w3", "d2", "w1"]);
        assert_eq!(ids(Some(vec!["wire", "desk"]), 1), ["w3", "d2", "w1"]);
        assert_eq!(ids(Some(vec![]), 0), Vec::<String>::new());
    }
}
