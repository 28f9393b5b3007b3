//! SQLite storage: items and per-source fetch state. One `Store` is one
//! connection; the daemon keeps one writer and opens readers as it needs.

mod files;
mod handle;
mod items;
mod migrations;
mod retention;
mod rotation;
mod sources;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags};

pub use handle::{HandleError, StoreHandle};
pub use items::{ItemQuery, UpsertOutcome, UpsertSummary};
pub use migrations::LATEST as SCHEMA_VERSION;
pub use sources::{FetchState, SourceStats};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {source}", path = path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database schema version {found} is newer than this syndic supports ({supported}); upgrade syndic")]
    TooNew { found: u32, supported: u32 },
    #[error("no database yet at {path} (run `syndic poll` or `syndic run` first)", path = .0.display())]
    Missing(PathBuf),
    #[error("database schema version {found} is older than this syndic reads ({latest}); run `syndic poll` or `syndic run` once to upgrade it")]
    TooOld { found: u32, latest: u32 },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_at_version(path, migrations::LATEST)
    }

    /// Opens with the schema migrated only up to `version`; for testing
    /// upgrades from older databases.
    #[doc(hidden)]
    pub fn open_at_version(path: &Path, version: u32) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent() {
            // A missing folder would otherwise surface as an opaque SQLite error.
            let _ = std::fs::create_dir_all(parent);
        }
        let mut conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        configure(&conn)?;
        migrations::migrate_to(&mut conn, version)?;
        Ok(Store { conn })
    }

    /// Opens an existing database for reading only; it must already be at
    /// the current schema (the writer migrates it). Nothing is created or
    /// written, not even a missing file.
    pub fn open_reader(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let found = migrations::version(&conn)?;
        if found > migrations::LATEST {
            return Err(StoreError::TooNew {
                found,
                supported: migrations::LATEST,
            });
        }
        if found < migrations::LATEST {
            return Err(StoreError::TooOld {
                found,
                latest: migrations::LATEST,
            });
        }
        Ok(Store { conn })
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrations::version(&self.conn)
    }

    /// True when the database answers a trivial query.
    pub fn is_healthy(&self) -> bool {
        self.conn
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .is_ok()
    }

    /// Copies the write-ahead log into the main file and truncates it; done
    /// at shutdown so the database is one self-contained file.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// A number that changes when another connection, such as a
    /// `syndic import` in another process, commits to the database.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// Runs SQLite's own consistency check; `Ok` holds its verdict lines.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_secs(5))?;
    // Only takes effect on a new, empty file; lets retention shrink it
    // without a full VACUUM.
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    // WAL lets the server read while the scheduler writes; NORMAL is durable
    // across application crashes, which is the failure that matters here.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

fn to_unix(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_unix(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {secs} out of range")))
}
