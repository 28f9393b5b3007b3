//! A source renamed in the config (`renamed_from`) takes over what the
//! database holds under its old name: items, fetch state, file stamps,
//! tombstones and full-text pages. Without this the old items would be orphaned and every entry
//! stored again as new, re-sorted to the top of outputs, with what
//! retention removed coming back.

use rusqlite::{params, Transaction};

use super::busy::write_transaction;
use super::{Store, StoreError};
use crate::model::SourceName;

/// Every table keyed by source name, with the column holding it.
const TABLES: [(&str, &str); 5] = [
    ("items", "source"),
    ("sources", "name"),
    ("source_files", "source"),
    ("tombstones", "source"),
    ("full_text_pages", "source"),
];

impl Store {
    /// True when anything is stored under `source`.
    pub fn holds_source(&self, source: &SourceName) -> Result<bool, StoreError> {
        holds(&self.conn, source)
    }

    /// Moves everything stored under each `(old, new)` pair's old name to
    /// its new one, all in one transaction; returns how many old names held
    /// anything. Once moved, the old name holds nothing, so running it again
    /// (every poll of a source that keeps its `renamed_from`) changes nothing.
    pub fn adopt_renamed(
        &mut self,
        renames: &[(SourceName, SourceName)],
    ) -> Result<usize, StoreError> {
        // No write lock taken for nothing: imports and polls beside a
        // daemon contend for it.
        if renames.is_empty() {
            return Ok(0);
        }
        write_transaction(&mut self.conn, |tx| {
            let mut moved = 0;
            for (old, new) in renames {
                if holds(tx, old)? {
                    adopt(tx, old, new)?;
                    moved += 1;
                }
            }
            Ok(moved)
        })
    }
}

fn holds(conn: &rusqlite::Connection, source: &SourceName) -> Result<bool, StoreError> {
    for (table, column) in TABLES {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} = ?1)");
        if conn
            .prepare_cached(&sql)?
            .query_row([source.as_str()], |r| r.get::<_, bool>(0))?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn adopt(tx: &Transaction<'_>, old: &SourceName, new: &SourceName) -> Result<(), StoreError> {
    // The public id was derived from the name the item was first stored
    // under; it is kept, so readers see no new entries.
    tx.prepare_cached(
        "UPDATE items SET id_source = source WHERE source = ?1 AND id_source IS NULL",
    )?
    .execute([old.as_str()])?;
    for (table, column) in TABLES {
        // The new name may already hold rows (it was polled before
        // `renamed_from` was added): those are what it read since and
        // stay; an old row for the same key is the same entry seen earlier.
        tx.prepare_cached(&format!(
            "UPDATE OR IGNORE {table} SET {column} = ?2 WHERE {column} = ?1"
        ))?
        .execute(params![old.as_str(), new.as_str()])?;
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE {column} = ?1"))?
            .execute([old.as_str()])?;
    }
    tracing::info!(from = %old, to = %new, "renamed source took over its stored items");
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, Utc};

    use crate::config::Retention;
    use crate::fetch::{FileStamp, FileStamps};
    use crate::model::{Item, ItemId, PollResult};
    use crate::store::{FetchState, ItemQuery, UpsertSummary};

    use super::*;

    fn name(s: &str) -> SourceName {
        SourceName::new(s).unwrap()
    }

    fn story(source: &str, n: i64) -> Item {
        let seen = Utc::now() - TimeDelta::hours(10 - n);
        Item::new(
            name(source),
            ItemId::new(format!("story-{n}")),
            format!("Story {n}"),
            seen,
        )
    }

    fn items(store: &Store, source: &str) -> Vec<Item> {
        let query = ItemQuery {
            sources: Some(vec![name(source)]),
            limit: 100,
            ..ItemQuery::default()
        };
        store.items(&query).unwrap()
    }

    #[test]
    fn a_rename_moves_items_state_stamps_and_tombstones_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let feed: Vec<Item> = (1..=3).map(|n| story("old", n)).collect();
        let state = FetchState {
            etag: Some("\"v1\"".into()),
            last_status: Some(PollResult::Ok),
            location: Some("https://wire.example/feed".into()),
            ..FetchState::default()
        };
        let stamps = FileStamps::from([(
            "dumps/a.txt".to_string(),
            FileStamp {
                size: 3,
                modified_ns: 7,
            },
        )]);
        store
            .record_poll(&name("old"), &feed, &state, None, Some(&stamps))
            .unwrap();
        let keep_two = [(
            name("old"),
            Retention {
                keep: Some(2),
                max_age: None,
            },
        )];
        assert_eq!(store.prune(&keep_two, &[], Utc::now()).unwrap(), 1);
        let published: Vec<String> = items(&store, "old").iter().map(Item::public_id).collect();

        let renames = [(name("old"), name("new"))];
        assert_eq!(store.adopt_renamed(&renames).unwrap(), 1);
        assert_eq!(store.adopt_renamed(&renames).unwrap(), 0, "once");

        assert!(!store.holds_source(&name("old")).unwrap());
        let moved = items(&store, "new");
        let kept: Vec<String> = moved.iter().map(Item::public_id).collect();
        assert_eq!(kept, published, "the ids readers hold");
        assert_eq!(store.fetch_state(&name("new")).unwrap(), Some(state));
        assert_eq!(store.file_stamps(&name("new")).unwrap(), stamps);
        assert_eq!(store.tombstone_counts().unwrap().get("new"), Some(&1));
        // The tombstone moved with the items: what retention removed stays out.
        let again: Vec<Item> = (1..=3).map(|n| story("new", n)).collect();
        let summary = store.upsert_items(&again).unwrap();
        assert_eq!(
            summary,
            UpsertSummary {
                unchanged: 2,
                tombstoned: 1,
                ..UpsertSummary::default()
            }
        );
    }

    #[test]
    fn what_the_new_name_stored_already_stays() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        store
            .upsert_items(&[story("old", 1), story("old", 2)])
            .unwrap();
        let polled_early = story("new", 2);
        store.upsert_item(&polled_early).unwrap();

        store.adopt_renamed(&[(name("old"), name("new"))]).unwrap();

        let mut ids: Vec<(String, String)> = items(&store, "new")
            .iter()
            .map(|i| (i.id.to_string(), i.public_id()))
            .collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                ("story-1".to_string(), story("old", 1).public_id()),
                ("story-2".to_string(), polled_early.public_id()),
            ]
        );
        assert!(!store.holds_source(&name("old")).unwrap());
    }

    #[test]
    fn a_second_rename_keeps_the_first_name_s_ids() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let first = story("a", 1);
        store.upsert_item(&first).unwrap();
        store.adopt_renamed(&[(name("a"), name("b"))]).unwrap();
        store.adopt_renamed(&[(name("b"), name("c"))]).unwrap();

        let moved = items(&store, "c");
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].id_source, Some(name("a")));
        assert_eq!(moved[0].public_id(), first.public_id());
    }
}
