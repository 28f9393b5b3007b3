//! Checkpoints on the writer's terms. SQLite's automatic checkpoint
//! copies the write-ahead log into the database file inside whichever
//! commit crosses 1,000 pages, so a bulk ingest pays for it in the middle
//! of its writes. The writer turns that off and checkpoints when it has
//! nothing queued, or when the log has grown past a bound.

use std::path::{Path, PathBuf};

use super::{wal_path, Store};

/// The log size past which a checkpoint runs even while writes wait.
/// Pages written again and again within one log are copied once, so a
/// larger log saves work; its bound is disk, not memory.
const WAL_LIMIT: u64 = 128 << 20;

pub(super) struct Checkpoints {
    wal: PathBuf,
    /// Writes were committed since the last checkpoint.
    behind: bool,
}

impl Checkpoints {
    pub(super) fn new(database: &Path) -> Checkpoints {
        Checkpoints {
            wal: wal_path(database),
            behind: false,
        }
    }

    /// Sets the writer's connection to leave checkpoints to this module.
    pub(super) fn take_over(store: &Store) -> rusqlite::Result<()> {
        store.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // A checkpoint that copied the whole log truncates the file to
        // this, so a burst's log does not keep its disk space.
        store
            .conn
            .pragma_update(None, "journal_size_limit", WAL_LIMIT as i64)
    }

    /// Called when no write is waiting: copies what was written since
    /// the last checkpoint.
    pub(super) fn when_quiet(&mut self, store: &Store) {
        if self.behind {
            self.behind = passive(store);
        }
    }

    /// Called after each write, while more may wait: checkpoints only
    /// once the log is past its bound.
    pub(super) fn after_write(&mut self, store: &Store) {
        self.behind = true;
        if self.wal_bytes() > WAL_LIMIT {
            self.behind = passive(store);
        }
    }

    fn wal_bytes(&self) -> u64 {
        std::fs::metadata(&self.wal).map_or(0, |m| m.len())
    }
}

/// A checkpoint that never waits for readers: it copies what no reader
/// still needs, and the rest at a later one. True when some is left.
fn passive(store: &Store) -> bool {
    let done = store
        .conn
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
    match done {
        Ok((log, copied)) => {
            tracing::debug!(log, copied, "checkpoint");
            copied < log
        }
        Err(e) => {
            tracing::warn!(error = %e, "checkpoint failed");
            true
        }
    }
}
