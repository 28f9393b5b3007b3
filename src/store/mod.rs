//! Storage: items and per-source fetch state. `StoreHandle` is the
//! pipeline's way in, over a [`Backend`]; `Store` is one SQLite
//! connection, of which the SQLite backend keeps one writer and opens
//! readers as it needs.

mod backend;
mod busy;
mod checkpoints;
mod copy;
mod edited;
mod files;
mod full_text;
mod generations;
mod group_commit;
mod handle;
mod history;
mod items;
mod layout;
mod migrations;
mod notifications;
mod output_query;
mod postgres;
mod renames;
mod retention;
mod rotation;
mod search;
mod search_index;
mod search_pages;
mod source_feeds;
mod sources;
mod sqlite_backend;
mod store_handle;
mod tombstones;
mod websub;
mod writer;

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{Connection, OpenFlags};

pub use backend::{Backend, PollRecord, Rename};
pub use copy::{Counts, Snapshot, SourceRow, Tombstone};
pub use full_text::{FullTextCounts, FullTextPage, PageOutcome};
pub use generations::Stamp;
pub use handle::{HandleError, SqliteHandle, SqliteSlot};
pub use items::{ItemQuery, UpsertOutcome, UpsertSummary};
pub use migrations::LATEST as SCHEMA_VERSION;
pub use output_query::{ItemKey, ItemPages, OutputReads, Page, RowTest, StoredFields};
pub use search::{SearchFilter, SearchHit};
pub use search_pages::{MatchKey, MatchPage};
pub use source_feeds::SourceFeed;
pub use sources::{FetchState, Recorded, SourceStats};
pub use store_handle::{StoreHandle, WriteSlot};
pub use tombstones::TOMBSTONE_TTL;
pub use websub::{Subscription, SubscriptionMode};

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
    #[error("PostgreSQL: {0}")]
    Postgres(String),
    #[error("the target database already holds items; copy into an empty one")]
    NotEmpty,
}

pub struct Store {
    conn: Connection,
    /// Opened with `immutable=1`: no locks, no -wal or -shm.
    immutable: bool,
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
        Ok(Store {
            conn,
            immutable: false,
        })
    }

    /// Opens an existing database for reading only; it must already be at
    /// the current schema (the writer migrates it). The database is never
    /// written or created. Beside a writer, SQLite's `-wal` and `-shm`
    /// files are shared (and made if missing, as a read needs them); where
    /// they cannot be made (a read-only folder or file system, a full
    /// disk) no writer can be at work either, and when no committed write
    /// waits in the `-wal` the file is read as it is, without locks (such
    /// a connection serves one read and is not pooled, see `is_immutable`).
    pub fn open_reader(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        match Self::open_read_only(path, path, flags, false) {
            Err(StoreError::Sqlite(e)) if cannot_share(&e) && wal_is_empty(path) => {
                let Some(uri) = immutable_uri(path) else {
                    return Err(StoreError::Sqlite(e));
                };
                tracing::debug!(path = %path.display(), error = %e, "reading the database without its -wal and -shm files");
                Self::open_read_only(path, uri, flags | OpenFlags::SQLITE_OPEN_URI, true)
            }
            other => other,
        }
    }

    fn open_read_only(
        path: &Path,
        name: impl AsRef<Path>,
        flags: OpenFlags,
        immutable: bool,
    ) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(name, flags).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.busy_timeout(busy::BUSY_TIMEOUT)?;
        search_index::register_functions(&conn)?;
        // The first read is where SQLite opens the -wal and -shm files.
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
        Ok(Store { conn, immutable })
    }

    /// True when this connection reads the file without SQLite's locks
    /// (see `open_reader`); such a connection must not outlive the
    /// condition that made it necessary, so it is not kept for reuse.
    pub fn is_immutable(&self) -> bool {
        self.immutable
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
    conn.busy_timeout(busy::BUSY_TIMEOUT)?;
    search_index::register_functions(conn)?;
    layout::ask_for_new(conn)?;
    // Only takes effect on a new, empty file; lets retention shrink it
    // without a full VACUUM.
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    // WAL lets the server read while the scheduler writes; NORMAL is durable
    // across application crashes, which is the failure that matters here.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// True for the errors a read-only connection meets when SQLite cannot
/// make or map the database's -wal or -shm file.
fn cannot_share(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{CannotOpen, DiskFull, ReadOnly, SystemIoFailure};
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, CannotOpen | DiskFull | ReadOnly | SystemIoFailure))
}

/// True when the database's write-ahead log holds nothing: reading the
/// main file alone then sees every committed write.
fn wal_is_empty(path: &Path) -> bool {
    match std::fs::metadata(wal_path(path)) {
        Ok(meta) => meta.len() == 0,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Where SQLite keeps the write-ahead log of the database at `path`.
fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// The database as an SQLite URI that asks to read it as immutable;
/// `None` for a path a URI cannot name.
fn immutable_uri(path: &Path) -> Option<String> {
    let absolute = std::path::absolute(path).ok()?;
    let mut uri = url::Url::from_file_path(absolute).ok()?;
    uri.set_query(Some("immutable=1"));
    Some(uri.to_string())
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        // The driver's Display says only "db error"; the server's own
        // message is in its source.
        let detail = match e.as_db_error() {
            Some(db) => db.to_string(),
            None => e.to_string(),
        };
        StoreError::Postgres(detail)
    }
}

fn to_unix(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_unix(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {secs} out of range")))
}
