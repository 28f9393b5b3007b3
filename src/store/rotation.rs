//! Items that come back under a new id. Some feeds mint a fresh guid for
//! every entry on every poll; taken at their word they would add their
//! whole feed again each time. An entry whose id is new but whose link and
//! title are exactly those of an item already stored for the source is
//! that item.

use std::collections::HashSet;

use rusqlite::params;

use super::items::StoredRow;
use super::StoreError;
use crate::model::Item;

/// Oldest first, so a source's duplicates from before this check all
/// give way to the one item that first arrived. Left to itself SQLite
/// reads the whole source through the primary key (which holds every
/// column) rather than the few rows the title index points at (a title is
/// about half as long as a link, so its index is half the size; the link
/// is checked on the rows it finds).
const EARLIER: &str = "SELECT id, content_hash, first_seen FROM items INDEXED BY items_by_title
     WHERE source = ?1 AND link = ?2 AND title = ?3
     ORDER BY first_seen, id";

/// The stored item `item` is, when `item`'s own id is new to the store.
///
/// Both link and title must match: one story's link carries several titles
/// (a live page), one title several links (a daily column), and an item
/// without a link is never matched on its title alone. Ids in `claimed`
/// (the batch's own and those already matched in it) are skipped, so two
/// entries of one poll are never folded into one item, and a stored item
/// still in the feed under its own id is not taken by a look-alike.
pub(super) fn earlier(
    tx: &rusqlite::Transaction<'_>,
    item: &Item,
    claimed: &HashSet<String>,
) -> Result<Option<StoredRow>, StoreError> {
    let Some(link) = item.link.as_deref().filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let mut stmt = tx.prepare_cached(EARLIER)?;
    let mut rows = stmt.query(params![item.source.as_str(), link, item.title])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        if !claimed.contains(&id) {
            return Ok(Some(StoredRow {
                id,
                content_hash: row.get(1)?,
                first_seen: row.get(2)?,
            }));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_lookup_reads_the_title_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).unwrap();
        let plan: String = store
            .conn
            .query_row(
                &format!("EXPLAIN QUERY PLAN {EARLIER}"),
                params!["wire", "https://wire.example/a", "A"],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("USING INDEX items_by_title"), "{plan}");
    }
}
