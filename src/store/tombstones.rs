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
/// time of their own. Marks never move back (a clock stepped back, or a
/// retention pass run for a later time) so a mark cannot shorten a life.
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
        "UPDATE tombstones SET last_listed = max(last_listed, {NOW}) WHERE source = ?1 AND id = ?2"
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
        "UPDATE tombstones SET last_listed = max(last_listed, {NOW}) WHERE source = ?1 AND last_listed >= ?2"
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

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, Utc};

    use crate::config::Retention;
    use crate::model::{ItemId, PollResult};
    use crate::store::{FetchState, Store, UpsertSummary};

    use super::*;

    fn wire() -> SourceName {
        SourceName::new("wire").unwrap()
    }

    /// Story `n`, published `n` hours after `at` and seen then.
    fn story(n: i64, at: DateTime<Utc>) -> Item {
        let when = at + TimeDelta::hours(n);
        Item {
            published: Some(when),
            link: Some(format!("https://wire.example/{n}")),
            ..Item::new(
                wire(),
                ItemId::new(format!("story-{n}")),
                format!("Story {n}"),
                when,
            )
        }
    }

    fn stories(ns: &[i64], at: DateTime<Utc>) -> Vec<Item> {
        ns.iter().map(|&n| story(n, at)).collect()
    }

    fn keep(n: usize) -> [(SourceName, Retention); 1] {
        [(
            wire(),
            Retention {
                keep: Some(n),
                max_age: None,
            },
        )]
    }

    fn ids(store: &Store) -> Vec<String> {
        let query = crate::store::ItemQuery {
            limit: 100,
            ..Default::default()
        };
        store
            .items(&query)
            .unwrap()
            .into_iter()
            .map(|i| i.id.to_string())
            .collect()
    }

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        (dir, store)
    }

    fn summary(inserted: usize, unchanged: usize, tombstoned: usize) -> UpsertSummary {
        UpsertSummary {
            inserted,
            unchanged,
            tombstoned,
            ..UpsertSummary::default()
        }
    }

    #[test]
    fn items_removed_by_keep_are_not_stored_again_while_listed() {
        let (_dir, mut store) = temp_store();
        let now = Utc::now();
        let feed = stories(&[1, 2, 3], now);
        assert_eq!(store.upsert_items(&feed).unwrap(), summary(3, 0, 0));
        assert_eq!(store.prune(&keep(1), &[], now).unwrap(), 2);

        assert_eq!(store.upsert_items(&feed).unwrap(), summary(0, 1, 2));
        assert_eq!(ids(&store), ["story-3"]);
        assert_eq!(store.tombstone_counts().unwrap().get("wire"), Some(&2));
    }

    #[test]
    fn items_removed_by_max_age_are_not_stored_again_while_listed() {
        let (_dir, mut store) = temp_store();
        let at = Utc::now() - TimeDelta::days(10);
        let feed = stories(&[1, 2, 100], at);
        store.upsert_items(&feed).unwrap();
        // Stories 1 and 2 arrived ten days ago; story 100 four days later.
        let rules = [(
            wire(),
            Retention {
                keep: None,
                max_age: Some(Duration::from_secs(7 * 86_400)),
            },
        )];
        assert_eq!(store.prune(&rules, &[], Utc::now()).unwrap(), 2);

        assert_eq!(store.upsert_items(&feed).unwrap(), summary(0, 1, 2));
        assert_eq!(ids(&store), ["story-100"]);
    }

    #[test]
    fn a_removed_item_stays_out_when_edited_or_under_a_new_id() {
        let (_dir, mut store) = temp_store();
        let now = Utc::now();
        store.upsert_items(&stories(&[1, 2, 3], now)).unwrap();
        store.prune(&keep(1), &[], now).unwrap();

        let edited = Item {
            summary: Some("now with a summary".into()),
            updated: Some(now),
            ..story(1, now)
        };
        let renamed = Item {
            id: ItemId::new("urn:uuid:fresh"),
            ..story(2, now)
        };
        let another = Item {
            title: "Story 2, another take".into(),
            ..renamed.clone()
        };
        let another = Item {
            id: ItemId::new("urn:uuid:other"),
            ..another
        };
        let batch = [edited, renamed, another, story(3, now)];
        assert_eq!(store.upsert_items(&batch).unwrap(), summary(1, 1, 2));
        assert_eq!(ids(&store), ["story-3", "urn:uuid:other"]);
    }

    #[test]
    fn tombstones_expire_once_the_source_stops_listing_their_items() {
        let (_dir, mut store) = temp_store();
        let now = Utc::now();
        let removed_at = now - TimeDelta::days(20);
        store.upsert_items(&stories(&[1, 2, 3], now)).unwrap();
        store.prune(&keep(1), &[], removed_at).unwrap();
        // The feed still lists story 1, no longer story 2.
        store.upsert_items(&stories(&[1, 3], now)).unwrap();

        store.prune(&[], &[], now + TimeDelta::days(15)).unwrap();
        assert_eq!(store.tombstone_counts().unwrap().get("wire"), Some(&1));
        let again = store.upsert_items(&stories(&[1, 2], now)).unwrap();
        assert_eq!(
            again,
            summary(1, 0, 1),
            "story 2 is new again, story 1 is not"
        );

        store.prune(&[], &[], now + TimeDelta::days(31)).unwrap();
        assert!(store.tombstone_counts().unwrap().is_empty());
    }

    #[test]
    fn a_poll_that_reads_no_body_keeps_the_tombstones_its_last_read_listed() {
        let (_dir, mut store) = temp_store();
        let now = Utc::now();
        let last_read = now - TimeDelta::days(20);
        store.upsert_items(&stories(&[1, 2, 3], now)).unwrap();
        store.prune(&keep(1), &[], now).unwrap();
        // The last read, twenty days ago, listed story 1; story 2 was
        // last listed before it.
        store
            .conn
            .execute(
                "UPDATE tombstones SET last_listed = CASE id WHEN 'story-1' THEN ?1 ELSE ?1 - 86400 END",
                [last_read.timestamp()],
            )
            .unwrap();
        let read = FetchState {
            last_fetch: Some(last_read),
            last_status: Some(PollResult::Ok),
            ..FetchState::default()
        };
        store.save_fetch_state(&wire(), &read).unwrap();
        let not_modified = FetchState {
            last_fetch: Some(now),
            last_status: Some(PollResult::NotModified),
            ..FetchState::default()
        };
        store
            .record_poll(&wire(), &[], &not_modified, None, None)
            .unwrap();

        store.prune(&[], &[], now + TimeDelta::days(15)).unwrap();
        let left: Vec<String> = store
            .conn
            .prepare("SELECT id FROM tombstones")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(left, ["story-1"]);
    }

    #[test]
    fn tombstones_of_sources_no_longer_configured_go() {
        let (_dir, mut store) = temp_store();
        let now = Utc::now();
        store.upsert_items(&stories(&[1, 2], now)).unwrap();
        store.prune(&keep(1), &[], now).unwrap();
        assert_eq!(store.forget_tombstones_except(&[wire()]).unwrap(), 0);
        let other = SourceName::new("other").unwrap();
        assert_eq!(store.forget_tombstones_except(&[other]).unwrap(), 1);
        assert_eq!(
            store.upsert_items(&stories(&[1], now)).unwrap(),
            summary(1, 0, 0)
        );
    }
}
