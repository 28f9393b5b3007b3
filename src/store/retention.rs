//! Retention: dropping items past a source's `keep` count or `max_age`,
//! sparing whatever an output still shows, and giving the space back.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::busy::write_transaction;
use super::{to_unix, Store, StoreError};
use crate::config::Retention;
use crate::model::{ItemId, SourceName};

impl Store {
    /// Applies each source's retention and returns how many items were
    /// removed. Items in `protected` are kept whatever their age or rank,
    /// so no output loses an entry it currently serves.
    pub fn prune(
        &mut self,
        rules: &[(SourceName, Retention)],
        protected: &[(SourceName, ItemId)],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let removed = write_transaction(&mut self.conn, |tx| {
            tx.execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS protected (source TEXT, id TEXT, PRIMARY KEY (source, id));
                 DELETE FROM temp.protected;",
            )?;
            {
                let mut insert =
                    tx.prepare_cached("INSERT OR IGNORE INTO temp.protected VALUES (?1, ?2)")?;
                for (source, id) in protected {
                    insert.execute(params![source.as_str(), id.as_str()])?;
                }
            }
            let mut removed = 0;
            for (source, retention) in rules {
                if let Some(max_age) = retention.max_age {
                    removed += tx
                        .prepare_cached(
                            // An item counts as old only once both its date and its
                            // arrival are old, so a back-dated entry still in its
                            // feed is not deleted and re-added on every poll.
                            "DELETE FROM items WHERE source = ?1 AND max(sort_time, first_seen) < ?2
                         AND NOT EXISTS (SELECT 1 FROM temp.protected p
                                         WHERE p.source = items.source AND p.id = items.id)",
                        )?
                        .execute(params![source.as_str(), to_unix(now) - secs(max_age)])?;
                }
                if let Some(keep) = retention.keep {
                    removed += tx
                        .prepare_cached(
                            "DELETE FROM items WHERE source = ?1 AND id IN (
                            SELECT id FROM items WHERE source = ?1
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
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}
