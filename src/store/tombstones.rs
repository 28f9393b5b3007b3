//! Tombstones: what retention removed stays removed. A source that still
//! lists an item retention dropped would otherwise bring it back as new at
//! its next poll; a tombstone remembers the removed item until its source
//! has stopped listing it for `TOMBSTONE_TTL`.

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::{params, OptionalExtension};

use super::StoreError;
use crate::model::{Item, SourceName};

/// How long a tombstone outlives the last poll that listed its item. Long
/// enough for a feed that drops an entry and shows it again (a page that
/// rotates what it lists) not to bring it back; short enough that the
/// table holds roughly what the sources currently list.
pub const TOMBSTONE_TTL: Duration = Duration::from_secs(30 * 86_400);

/// SQLite's clock, in the store's unit (Unix seconds): upserts carry no
/// time of their own.
const NOW: &str = "CAST(strftime('%s', 'now') AS INTEGER)";

/// Records a tombstone for every item in `temp.doomed`; run in the
/// transaction that deletes them.
pub(super) fn bury_doomed(tx: &rusqlite::Transaction<'_>, now: i64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO tombstones
             (source, id, content_hash, link, title, removed_at, last_listed)
         SELECT i.source, i.id, i.content_hash, i.link, i.title, ?1, ?1
         FROM items i JOIN temp.doomed d ON d.source = i.source AND d.id = i.id",
    )?
    .execute([now])?;
    Ok(())
}

/// True when `item`'s id was removed by retention. The tombstone is
/// marked as listed now, so it lives as long as the source lists the item.
///
/// A tombstoned item is skipped even when its content changed: the hash
/// covers the dates, and feeds that stamp every entry with the time of the
/// request would otherwise come back after every retention pass, which is
/// the churn tombstones exist to stop. Retention judged the story; an
/// edit of it does not make it another one.
pub(super) fn buried(tx: &rusqlite::Transaction<'_>, item: &Item) -> Result<bool, StoreError> {
    let found = tx
        .prepare_cached("SELECT 1 FROM tombstones WHERE source = ?1 AND id = ?2")?
        .query_row(params![item.source.as_str(), item.id.as_str()], |_| Ok(()))
        .optional()?;
    if found.is_some() {
        mark_listed(tx, item, item.id.as_str())?;
    }
    Ok(found.is_some())
}

/// For an item under an id new to the store (feeds that rotate ids, see
/// `rotation.rs`): the id of a tombstone with its link and title that the
/// batch has not claimed, marked as listed now. The same rules as for
/// stored items: both must match, and a link is required.
pub(super) fn buried_under_earlier_id(
    tx: &rusqlite::Transaction<'_>,
    item: &Item,
    claimed: &HashSet<String>,
) -> Result<Option<String>, StoreError> {
    let Some(link) = item.link.as_deref().filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let mut stmt = tx.prepare_cached(
        "SELECT id FROM tombstones INDEXED BY tombstones_by_link
         WHERE source = ?1 AND link = ?2 AND title = ?3 ORDER BY removed_at, id",
    )?;
    let mut rows = stmt.query(params![item.source.as_str(), link, item.title])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        if !claimed.contains(&id) {
            mark_listed(tx, item, &id)?;
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn mark_listed(tx: &rusqlite::Transaction<'_>, item: &Item, id: &str) -> Result<(), StoreError> {
    tx.prepare_cached(&format!(
        "UPDATE tombstones SET last_listed = {NOW} WHERE source = ?1 AND id = ?2"
    ))?
    .execute(params![item.source.as_str(), id])?;
    Ok(())
}

/// Keeps alive the tombstones the source listed at its last read, for a
/// poll that read nothing (`304`, the same body again, a failure): the
/// source is taken to list what it listed then. `since` is the start of
/// that previous poll; every tombstone it listed was marked at or after it.
pub(super) fn still_listed(
    tx: &rusqlite::Transaction<'_>,
    source: &SourceName,
    since: i64,
) -> Result<(), StoreError> {
    tx.prepare_cached(&format!(
        "UPDATE tombstones SET last_listed = {NOW} WHERE source = ?1 AND last_listed >= ?2"
    ))?
    .execute(params![source.as_str(), since])?;
    Ok(())
}

/// Drops the tombstones whose source has not listed their item since
/// `before`; returns how many.
pub(super) fn expire(tx: &rusqlite::Transaction<'_>, before: i64) -> Result<usize, StoreError> {
    Ok(tx
        .prepare_cached("DELETE FROM tombstones WHERE last_listed < ?1")?
        .execute([before])?)
}
