//! Retention: dropping items past a source's `keep` count or `max_age`,
//! sparing whatever an output still shows, leaving a tombstone for each
//! (tombstones.rs), and giving the space back.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter};

use super::busy::write_transaction;
use super::{to_unix, tombstones, Store, StoreError};
use crate::config::Retention;
use crate::model::{ItemId, SourceName};

impl Store {
    /// Applies each source's retention and returns how many items were
    /// removed. Items in `protected` are kept whatever their age or rank,
    /// so no output loses an entry it currently serves. Each removed item
    /// leaves a tombstone, written in the same transaction, and tombstones
    /// not listed by their source for `TOMBSTONE_TTL` go.
    pub fn prune(
        &mut self,
        rules: &[(SourceName, Retention)],
        protected: &[(SourceName, ItemId)],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let removed = write_transaction(&mut self.conn, |tx| {
            tx.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS protected (source TEXT, id TEXT, PRIMARY KEY (source, id));
                 DELETE FROM temp.protected;
                 CREATE TEMP TABLE IF NOT EXISTS doomed (source TEXT, id TEXT, PRIMARY KEY (source, id));
                 DELETE FROM temp.doomed;",
            )?;
            {
                let mut insert =
                    tx.prepare_cached("INSERT OR IGNORE INTO temp.protected VALUES (?1, ?2)")?;
                for (source, id) in protected {
                    insert.execute(params![source.as_str(), id.as_str()])?;
                }
            }
            for (source, retention) in rules {
                if let Some(max_age) = retention.max_age {
                    tx.prepare_cached(
                        // An item counts as old only once both its date and its
                        // arrival are old, so a back-dated entry still in its
                        // feed is not deleted and re-added on every poll.
                        "INSERT OR IGNORE INTO temp.doomed
                         SELECT source, id FROM items WHERE source = ?1 AND max(sort_time, first_seen) < ?2
                         AND NOT EXISTS (SELECT 1 FROM temp.protected p
                                         WHERE p.source = items.source AND p.id = items.id)",
                    )?
                    .execute(params![source.as_str(), to_unix(now) - secs(max_age)])?;
                }
                if let Some(keep) = retention.keep {
                    tx.prepare_cached(
                        // Ranked among the items `max_age` leaves.
                        "INSERT OR IGNORE INTO temp.doomed
                         SELECT source, id FROM items WHERE source = ?1 AND id IN (
                            SELECT id FROM items WHERE source = ?1
                            AND NOT EXISTS (SELECT 1 FROM temp.doomed d
                                            WHERE d.source = items.source AND d.id = items.id)
                            ORDER BY sort_time DESC, first_seen DESC, id LIMIT -1 OFFSET ?2)
                         AND NOT EXISTS (SELECT 1 FROM temp.protected p
                                         WHERE p.source = items.source AND p.id = items.id)",
                    )?
                    .execute(params![
                        source.as_str(),
                        i64::try_from(keep).unwrap_or(i64::MAX)
                    ])?;
                }
            }
            tombstones::bury_doomed(tx, to_unix(now))?;
            let removed = tx
                .prepare_cached(
                    "DELETE FROM items WHERE EXISTS (SELECT 1 FROM temp.doomed d
                                      WHERE d.source = items.source AND d.id = items.id)",
                )?
                .execute([])?;
            tombstones::expire(tx, to_unix(now) - secs(tombstones::TOMBSTONE_TTL))?;
            Ok(removed)
        })?;
        if removed > 0 {
            // Returns freed pages to the file system (new databases are
            // created with auto_vacuum = INCREMENTAL).
            // The pragma frees one page per step, so it is stepped to the end.
            let mut vacuum = self.conn.prepare("PRAGMA incremental_vacuum")?;
            let mut rows = vacuum.query([])?;
            while rows.next()?.is_some() {}
        }
        Ok(removed)
    }

    /// Drops the tombstones of every source not in `configured`: nothing
    /// polls such a source, so they guard nothing, and a source added
    /// again under that name starts afresh.
    pub fn forget_tombstones_except(
        &mut self,
        configured: &[SourceName],
    ) -> Result<usize, StoreError> {
        let marks = vec!["?"; configured.len()].join(",");
        let sql = format!("DELETE FROM tombstones WHERE source NOT IN ({marks})");
        write_transaction(&mut self.conn, |tx| {
            Ok(tx
                .prepare(&sql)?
                .execute(params_from_iter(configured.iter().map(|s| s.as_str())))?)
        })
    }

    /// Number of tombstones per source.
    pub fn tombstone_counts(&self) -> Result<std::collections::HashMap<String, u64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT source, count(*) FROM tombstones GROUP BY source")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}
