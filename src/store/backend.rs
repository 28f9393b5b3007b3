//! What the pipeline asks of a store, whichever database holds it. Each
//! backend implements this; `StoreHandle` picks one at start-up and
//! dispatches to it, so the callers never name a backend.
//!
//! Arguments are owned: a backend answers on another thread (SQLite's
//! writer and blocking readers) or across a connection pool, never while
//! the caller's borrows are live.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{
    Counts, FetchState, HandleError, ItemQuery, Recorded, Snapshot, SourceFeed, SourceStats,
    UpsertOutcome, UpsertSummary,
};
use crate::config::{Config, OutputConfig};
use crate::fetch::FileStamps;
use crate::model::{Item, SourceName};

/// A source's old and new names, as `renamed_from` declares them.
pub type Rename = (SourceName, SourceName);

/// What one poll leaves behind, written at once: its items, the source's
/// new fetch state, what the feed said of itself, and the files read.
#[derive(Debug)]
pub struct PollRecord {
    pub source: SourceName,
    pub items: Vec<Item>,
    pub state: FetchState,
    pub feed: Option<SourceFeed>,
    pub files: Option<FileStamps>,
}

/// The store operations the pipeline needs. Async because a networked
/// database answers over a socket; `Send` futures so a poll or a request
/// can hold them across `tokio::spawn`.
pub trait Backend: Clone + Send + Sync + 'static {
    /// Room in the backend's write queue for one poll's record.
    type Slot: Send + 'static;

    /// True when the database answers a trivial query.
    fn is_healthy(&self) -> impl Future<Output = bool> + Send;

    // Fetch state and the poll records that go with it.

    fn fetch_state(
        &self,
        source: SourceName,
    ) -> impl Future<Output = Result<Option<FetchState>, HandleError>> + Send;

    /// Every source's state by name: the scheduler's due times come from it.
    fn fetch_states(
        &self,
    ) -> impl Future<Output = Result<HashMap<String, FetchState>, HandleError>> + Send;

    /// What each feed last said of itself, by source name.
    fn source_feeds(
        &self,
    ) -> impl Future<Output = Result<HashMap<String, SourceFeed>, HandleError>> + Send;

    /// The files of a `kind = "text"` source as last read.
    fn file_stamps(
        &self,
        source: SourceName,
    ) -> impl Future<Output = Result<FileStamps, HandleError>> + Send;

    /// Ids and sort times of `source`'s newest `limit` items, newest first.
    fn publication_times(
        &self,
        source: SourceName,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(String, DateTime<Utc>)>, HandleError>> + Send;

    /// Waits for room to write a poll's record; see [`Backend::record_poll`].
    fn reserve_write(&self) -> impl Future<Output = Result<Self::Slot, HandleError>> + Send;

    /// Stores a poll's items (change detection, rotation, tombstones) and
    /// its fetch state in one transaction.
    fn record_poll(
        &self,
        slot: Self::Slot,
        record: PollRecord,
    ) -> impl Future<Output = Result<Recorded, HandleError>> + Send;

    // Items.

    /// Stores items in one transaction: unchanged ones are no-ops, changed
    /// ones updated in place.
    fn upsert_items(
        &self,
        items: Vec<Item>,
    ) -> impl Future<Output = Result<UpsertSummary, HandleError>> + Send;

    /// A pushed or imported batch: the source's rename adopted first, then
    /// each item stored, in one transaction; what became of each item.
    fn ingest(
        &self,
        rename: Option<Rename>,
        items: Vec<Item>,
    ) -> impl Future<Output = Result<Vec<UpsertOutcome>, HandleError>> + Send;

    fn items(
        &self,
        query: ItemQuery,
    ) -> impl Future<Output = Result<Vec<Item>, HandleError>> + Send;

    /// Stored items by source name.
    fn item_counts(&self)
        -> impl Future<Output = Result<HashMap<String, u64>, HandleError>> + Send;

    /// Each source's state with its counts, for `syndic sources` and the
    /// index page.
    fn source_stats(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, SourceStats)>, HandleError>> + Send;

    // Renamed sources.

    fn holds_source(
        &self,
        source: SourceName,
    ) -> impl Future<Output = Result<bool, HandleError>> + Send;

    /// Moves what is stored under each old name to its new one.
    fn adopt_renamed(
        &self,
        renames: Vec<Rename>,
    ) -> impl Future<Output = Result<usize, HandleError>> + Send;

    // Curation and retention.

    /// The items `output` shows at `now`, newest first.
    fn select(
        &self,
        config: Arc<Config>,
        output: OutputConfig,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Item>, HandleError>> + Send;

    /// Applies every source's retention, sparing what outputs show, and
    /// expires tombstones; how many items went.
    fn prune(&self, config: Arc<Config>)
        -> impl Future<Output = Result<usize, HandleError>> + Send;

    // Moving a whole store (`syndic migrate`).

    /// Every row the pipeline's tables hold.
    fn snapshot(&self) -> impl Future<Output = Result<Snapshot, HandleError>> + Send;

    /// Writes `snapshot` into this store, which must hold no items.
    fn restore(&self, snapshot: Snapshot) -> impl Future<Output = Result<(), HandleError>> + Send;

    /// Rows per table.
    fn counts(&self) -> impl Future<Output = Result<Counts, HandleError>> + Send;

    // Housekeeping.

    /// Leaves the database tidy for a shutdown.
    fn checkpoint(&self) -> impl Future<Output = Result<(), HandleError>> + Send;

    /// A number that changes when another process commits to the
    /// database, so caches notice writes they did not make.
    fn data_version(&self) -> impl Future<Output = Result<i64, HandleError>> + Send;
}
