//! The store as the pipeline holds it: one backend chosen at start-up,
//! and the generations that tell render caches when items changed.
//!
//! An enum, not a `dyn Backend`: the backends are few and known, static
//! dispatch keeps the trait's futures unboxed, and `read`/`write` below can
//! still hand SQLite-only features (full-text pages, notifications) the
//! connection itself.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::backend::{Backend, PollRecord, Rename};
use super::generations::{Generations, Stamp};
use super::handle::{SqliteHandle, SqliteSlot};
use super::postgres::{PgSlot, PgStore};
use super::{
    Counts, FetchState, HandleError, ItemQuery, Recorded, Snapshot, SourceFeed, SourceStats, Store,
    StoreError, UpsertOutcome, UpsertSummary,
};
use crate::config::{Config, DaemonSettings, OutputConfig, PostgresTarget};
use crate::fetch::FileStamps;
use crate::model::{Item, SourceName};

/// A cloneable handle to the database for async code.
#[derive(Clone)]
pub struct StoreHandle {
    backend: Backends,
    /// Bumped whenever stored items change, overall and per source, so
    /// caches of rendered outputs know when they are stale without asking
    /// the database.
    generations: Arc<Generations>,
    /// The database's last seen data version; `i64::MIN` before the first look.
    external: Arc<AtomicI64>,
}

#[derive(Clone)]
enum Backends {
    Sqlite(SqliteHandle),
    Postgres(PgStore),
}

/// Room for one poll's record in the backend's write queue (see
/// [`StoreHandle::reserve_write`]).
pub enum WriteSlot {
    Sqlite(SqliteSlot),
    Postgres(PgSlot),
}

/// Runs `$call` with `$b` bound to the handle's backend.
macro_rules! dispatch {
    ($handle:expr, $b:ident => $call:expr) => {
        match &$handle.backend {
            Backends::Sqlite($b) => $call,
            Backends::Postgres($b) => $call,
        }
    };
}

impl StoreHandle {
    /// Opens (and migrates) the SQLite database at `path` and starts its
    /// writer thread.
    pub fn open(path: &Path) -> Result<StoreHandle, StoreError> {
        Ok(Self::over(Backends::Sqlite(SqliteHandle::open(path)?)))
    }

    /// The store `daemon` names: its PostgreSQL database, else its SQLite
    /// file, opened (and migrated) as `open` does.
    pub async fn connect(daemon: &DaemonSettings) -> Result<StoreHandle, StoreError> {
        match &daemon.postgres {
            Some(target) => Self::open_postgres(target).await,
            None => Self::open(&daemon.database),
        }
    }

    /// Connects to (and migrates) the PostgreSQL database `target` names.
    pub async fn open_postgres(target: &PostgresTarget) -> Result<StoreHandle, StoreError> {
        Ok(Self::over(Backends::Postgres(PgStore::open(target).await?)))
    }

    /// Like `connect`, but an SQLite database that can be read and not
    /// written still gives a handle (see [`SqliteHandle::open_for_serving`]);
    /// the second value is why writing failed at start.
    pub async fn open_for_serving(
        daemon: &DaemonSettings,
    ) -> Result<(StoreHandle, Option<StoreError>), StoreError> {
        if daemon.postgres.is_some() {
            return Ok((Self::connect(daemon).await?, None));
        }
        let (handle, unwritable) = SqliteHandle::open_for_serving(&daemon.database)?;
        Ok((Self::over(Backends::Sqlite(handle)), unwritable))
    }

    fn over(backend: Backends) -> StoreHandle {
        StoreHandle {
            backend,
            generations: Arc::default(),
            external: Arc::new(AtomicI64::new(i64::MIN)),
        }
    }

    /// Runs `f` on an SQLite store's writer thread; for the features that
    /// only SQLite keeps (see the README's PostgreSQL section).
    /// Whether the features kept in SQLite alone (`read`/`write`
    /// closures) work on this store.
    pub fn is_sqlite(&self) -> bool {
        matches!(self.backend, Backends::Sqlite(_))
    }

    pub async fn write<T, F>(&self, f: F) -> Result<T, HandleError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.backend {
            Backends::Sqlite(b) => b.write(f).await,
            Backends::Postgres(_) => Err(HandleError::SqliteOnly),
        }
    }

    /// Runs `f` with an SQLite store's read-only connection; for the
    /// features that only SQLite keeps.
    pub async fn read<T, F>(&self, f: F) -> Result<T, HandleError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.backend {
            Backends::Sqlite(b) => b.read(f).await,
            Backends::Postgres(_) => Err(HandleError::SqliteOnly),
        }
    }

    /// Waits for room in the writer's queue. A poll takes it before it
    /// lets go of its fetch slot, so that fetching goes on while the
    /// writer works, and stops when the writer falls behind.
    pub async fn reserve_write(&self) -> Result<WriteSlot, HandleError> {
        Ok(match &self.backend {
            Backends::Sqlite(b) => WriteSlot::Sqlite(Backend::reserve_write(b).await?),
            Backends::Postgres(b) => WriteSlot::Postgres(b.reserve_write().await?),
        })
    }

    /// Writes a poll's record in the room `slot` holds.
    pub async fn record_poll(
        &self,
        slot: WriteSlot,
        record: PollRecord,
    ) -> Result<Recorded, HandleError> {
        match (&self.backend, slot) {
            (Backends::Sqlite(b), WriteSlot::Sqlite(slot)) => b.record_poll(slot, record).await,
            (Backends::Postgres(b), WriteSlot::Postgres(slot)) => b.record_poll(slot, record).await,
            _ => Err(HandleError::NotCommitted(
                "a write slot of another database".into(),
            )),
        }
    }

    /// A number that changes whenever stored items have changed.
    pub fn generation(&self) -> u64 {
        self.generations.any()
    }

    /// Records that stored items changed (new, updated or removed items)
    /// in sources not named: every output may have changed.
    pub fn mark_changed(&self) {
        self.generations.bump_all();
    }

    /// Records that the items of `sources` changed, and only theirs: call
    /// it after the commit, so a render that sees the new stamp reads the
    /// new rows.
    pub fn bump_sources(&self, sources: &[SourceName]) {
        self.generations.bump(sources);
    }

    /// Where `sources` stand: a later equal stamp means none changed.
    pub fn stamp(&self, sources: &[SourceName]) -> Stamp {
        self.generations.stamp(sources)
    }

    /// Marks the store changed when another process has written to it
    /// since the last call, so caches notice a `syndic import` run beside
    /// the daemon.
    pub async fn notice_external_changes(&self) -> Result<(), HandleError> {
        let version = self.data_version().await?;
        let previous = self.external.swap(version, Ordering::AcqRel);
        if previous != version && previous != i64::MIN {
            self.mark_changed();
        }
        Ok(())
    }

    pub async fn is_healthy(&self) -> bool {
        dispatch!(self, b => b.is_healthy().await)
    }

    pub async fn fetch_state(&self, source: SourceName) -> Result<Option<FetchState>, HandleError> {
        dispatch!(self, b => b.fetch_state(source).await)
    }

    pub async fn fetch_states(&self) -> Result<HashMap<String, FetchState>, HandleError> {
        dispatch!(self, b => b.fetch_states().await)
    }

    pub async fn source_feeds(&self) -> Result<HashMap<String, SourceFeed>, HandleError> {
        dispatch!(self, b => b.source_feeds().await)
    }

    pub async fn file_stamps(&self, source: SourceName) -> Result<FileStamps, HandleError> {
        dispatch!(self, b => b.file_stamps(source).await)
    }

    pub async fn publication_times(
        &self,
        source: SourceName,
        limit: usize,
    ) -> Result<Vec<(String, DateTime<Utc>)>, HandleError> {
        dispatch!(self, b => b.publication_times(source, limit).await)
    }

    pub async fn upsert_items(&self, items: Vec<Item>) -> Result<UpsertSummary, HandleError> {
        dispatch!(self, b => b.upsert_items(items).await)
    }

    pub async fn ingest(
        &self,
        rename: Option<Rename>,
        items: Vec<Item>,
    ) -> Result<Vec<UpsertOutcome>, HandleError> {
        dispatch!(self, b => b.ingest(rename, items).await)
    }

    pub async fn items(&self, query: ItemQuery) -> Result<Vec<Item>, HandleError> {
        dispatch!(self, b => b.items(query).await)
    }

    pub async fn item_counts(&self) -> Result<HashMap<String, u64>, HandleError> {
        dispatch!(self, b => b.item_counts().await)
    }

    pub async fn source_stats(&self) -> Result<Vec<(String, SourceStats)>, HandleError> {
        dispatch!(self, b => b.source_stats().await)
    }

    pub async fn holds_source(&self, source: SourceName) -> Result<bool, HandleError> {
        dispatch!(self, b => b.holds_source(source).await)
    }

    pub async fn adopt_renamed(&self, renames: Vec<Rename>) -> Result<usize, HandleError> {
        dispatch!(self, b => b.adopt_renamed(renames).await)
    }

    pub async fn select(
        &self,
        config: Arc<Config>,
        output: OutputConfig,
        now: DateTime<Utc>,
    ) -> Result<Vec<Item>, HandleError> {
        dispatch!(self, b => b.select(config, output, now).await)
    }

    pub async fn prune(&self, config: Arc<Config>) -> Result<usize, HandleError> {
        dispatch!(self, b => b.prune(config).await)
    }

    pub async fn snapshot(&self) -> Result<Snapshot, HandleError> {
        dispatch!(self, b => b.snapshot().await)
    }

    pub async fn restore(&self, snapshot: Snapshot) -> Result<(), HandleError> {
        dispatch!(self, b => b.restore(snapshot).await)
    }

    pub async fn counts(&self) -> Result<Counts, HandleError> {
        dispatch!(self, b => b.counts().await)
    }

    pub async fn checkpoint(&self) -> Result<(), HandleError> {
        dispatch!(self, b => b.checkpoint().await)
    }

    pub async fn data_version(&self) -> Result<i64, HandleError> {
        dispatch!(self, b => b.data_version().await)
    }
}
