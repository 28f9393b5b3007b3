//! A whole store as plain rows, for `syndic migrate`: what one backend
//! reads out is what the other writes in, keys, first sightings, content
//! hashes and tombstones as they were, so nothing looks new afterwards.

use rusqlite::params;

use super::items::{json_list, raw_item, COLUMNS as ITEM_COLUMNS};
use super::sources::{raw_state_at, COLUMNS as STATE_COLUMNS};
use super::{to_unix, FetchState, SourceFeed, Store, StoreError};
use crate::fetch::FileStamp;
use crate::model::{Item, SourceName, DATE_SKEW_SECS};

/// Everything the pipeline's store holds (the SQLite-only tables aside).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Snapshot {
    /// Each item with its stored content hash.
    pub items: Vec<(Item, String)>,
    pub sources: Vec<SourceRow>,
    /// (source, path, stamp).
    pub files: Vec<(String, String, FileStamp)>,
    pub tombstones: Vec<Tombstone>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    pub name: String,
    pub state: FetchState,
    pub rotated_ids: i64,
    pub feed: SourceFeed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub source: String,
    pub id: String,
    pub content_hash: String,
    pub link: Option<String>,
    pub title: String,
    pub removed_at: i64,
    pub last_listed: i64,
}

/// Rows per table, which a copy must leave equal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub items: u64,
    pub sources: u64,
    pub files: u64,
    pub tombstones: u64,
}

impl Snapshot {
    pub fn counts(&self) -> Counts {
        let n = |len: usize| u64::try_from(len).unwrap_or(u64::MAX);
        Counts {
            items: n(self.items.len()),
            sources: n(self.sources.len()),
            files: n(self.files.len()),
            tombstones: n(self.tombstones.len()),
        }
    }
}

/// The `sort_time` column of an item first seen at `first_seen`:
/// `Item::sort_time` on the first-seen time kept in the row.
pub(super) fn sort_time(item: &Item, first_seen: i64) -> i64 {
    item.published
        .map_or(first_seen, to_unix)
        .min(first_seen.saturating_add(DATE_SKEW_SECS))
}

impl Store {
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot::default();
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ITEM_COLUMNS}, content_hash FROM items ORDER BY source, id"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let hash: String = r.get(16)?;
            snapshot.items.push((raw_item(r)?.into_item()?, hash));
        }
        let mut stmt = self.conn.prepare(&format!(
            "SELECT name, rotated_ids, feed_title, feed_id, feed_link, {STATE_COLUMNS} FROM sources ORDER BY name"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            snapshot.sources.push(SourceRow {
                name: r.get(0)?,
                rotated_ids: r.get(1)?,
                feed: SourceFeed {
                    title: r.get(2)?,
                    id: r.get(3)?,
                    link: r.get(4)?,
                },
                state: raw_state_at(r, 5)?.into_state()?,
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT source, path, size, modified FROM source_files ORDER BY source, path",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let size: i64 = r.get(2)?;
            let stamp = FileStamp {
                size: u64::try_from(size).unwrap_or_default(),
                modified_ns: r.get(3)?,
            };
            snapshot.files.push((r.get(0)?, r.get(1)?, stamp));
        }
        let mut stmt = self.conn.prepare(
            "SELECT source, id, content_hash, link, title, removed_at, last_listed
             FROM tombstones ORDER BY source, id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            snapshot.tombstones.push(Tombstone {
                source: r.get(0)?,
                id: r.get(1)?,
                content_hash: r.get(2)?,
                link: r.get(3)?,
                title: r.get(4)?,
                removed_at: r.get(5)?,
                last_listed: r.get(6)?,
            });
        }
        Ok(snapshot)
    }

    /// Writes `snapshot` into this store, which must hold no items.
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<(), StoreError> {
        super::busy::write_transaction(&mut self.conn, |tx| {
            let held: i64 = tx.query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
            if held > 0 {
                return Err(StoreError::NotEmpty);
            }
            for (item, hash) in &snapshot.items {
                let first_seen = to_unix(item.first_seen);
                tx.prepare_cached(&format!(
                    "INSERT INTO items ({ITEM_COLUMNS}, content_hash, sort_time)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
                ))?
                .execute(params![
                    item.source.as_str(),
                    item.id.as_str(),
                    item.title,
                    item.link,
                    item.summary,
                    item.content,
                    json_list(&item.authors),
                    json_list(&item.categories),
                    item.published.map(to_unix),
                    item.updated.map(to_unix),
                    first_seen,
                    item.id_source.as_ref().map(SourceName::as_str),
                    serde_json::to_string(&item.enclosures).unwrap_or_else(|_| "[]".into()),
                    item.image,
                    item.episode,
                    item.explicit,
                    hash,
                    sort_time(item, first_seen),
                ])?;
            }
            // The rows went in without the upserts, which keep the index.
            super::search_index::rebuild(tx)?;
            for row in &snapshot.sources {
                let name = SourceName::new(row.name.clone())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                super::sources::save_state(tx, &name, &row.state)?;
                tx.prepare_cached(
                    "UPDATE sources SET rotated_ids = ?2, feed_title = ?3, feed_id = ?4, feed_link = ?5
                     WHERE name = ?1",
                )?
                .execute(params![
                    row.name,
                    row.rotated_ids,
                    row.feed.title,
                    row.feed.id,
                    row.feed.link
                ])?;
            }
            for (source, path, stamp) in &snapshot.files {
                tx.prepare_cached(
                    "INSERT INTO source_files (source, path, size, modified) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    source,
                    path,
                    i64::try_from(stamp.size).unwrap_or(i64::MAX),
                    stamp.modified_ns
                ])?;
            }
            for t in &snapshot.tombstones {
                tx.prepare_cached(
                    "INSERT INTO tombstones (source, id, content_hash, link, title, removed_at, last_listed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    t.source,
                    t.id,
                    t.content_hash,
                    t.link,
                    t.title,
                    t.removed_at,
                    t.last_listed
                ])?;
            }
            Ok(())
        })
    }

    pub fn counts(&self) -> Result<Counts, StoreError> {
        let count = |table: &str| -> Result<u64, StoreError> {
            Ok(self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        Ok(Counts {
            items: count("items")?,
            sources: count("sources")?,
            files: count("source_files")?,
            tombstones: count("tombstones")?,
        })
    }
}
