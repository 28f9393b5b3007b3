//! The SQLite store as a [`Backend`]: each operation is one job for the
//! writer thread or one read on the blocking pool (see `handle.rs`), over
//! the synchronous `Store`.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::backend::{Backend, PollRecord, Rename};
use super::handle::{SqliteHandle, SqliteSlot};
use super::{
    Counts, FetchState, HandleError, ItemQuery, Recorded, Snapshot, SourceFeed, SourceStats,
    UpsertOutcome, UpsertSummary,
};
use crate::config::{Config, OutputConfig};
use crate::fetch::FileStamps;
use crate::model::{Item, SourceName};

impl Backend for SqliteHandle {
    type Slot = SqliteSlot;

    async fn is_healthy(&self) -> bool {
        self.read(|s| Ok(s.is_healthy())).await.unwrap_or(false)
    }

    async fn fetch_state(&self, source: SourceName) -> Result<Option<FetchState>, HandleError> {
        self.read(move |s| s.fetch_state(&source)).await
    }

    async fn fetch_states(&self) -> Result<HashMap<String, FetchState>, HandleError> {
        self.read(|s| s.fetch_states()).await
    }

    async fn source_feeds(&self) -> Result<HashMap<String, SourceFeed>, HandleError> {
        self.read(|s| s.source_feeds()).await
    }

    async fn file_stamps(&self, source: SourceName) -> Result<FileStamps, HandleError> {
        self.read(move |s| s.file_stamps(&source)).await
    }

    async fn publication_times(
        &self,
        source: SourceName,
        limit: usize,
    ) -> Result<Vec<(String, DateTime<Utc>)>, HandleError> {
        self.read(move |s| s.publication_times(&source, limit))
            .await
    }

    async fn reserve_write(&self) -> Result<SqliteSlot, HandleError> {
        SqliteHandle::reserve_write(self).await
    }

    async fn record_poll(
        &self,
        slot: SqliteSlot,
        record: PollRecord,
    ) -> Result<Recorded, HandleError> {
        slot.record_poll(record).await
    }

    async fn upsert_items(&self, items: Vec<Item>) -> Result<UpsertSummary, HandleError> {
        self.write(move |s| s.upsert_items(&items)).await
    }

    async fn ingest(
        &self,
        rename: Option<Rename>,
        items: Vec<Item>,
    ) -> Result<Vec<UpsertOutcome>, HandleError> {
        self.write(move |s| {
            if let Some(rename) = rename {
                s.adopt_renamed(&[rename])?;
            }
            s.upsert_each(&items)
        })
        .await
    }

    async fn items(&self, query: ItemQuery) -> Result<Vec<Item>, HandleError> {
        self.read(move |s| s.items(&query)).await
    }

    async fn item_counts(&self) -> Result<HashMap<String, u64>, HandleError> {
        self.read(|s| s.item_counts()).await
    }

    async fn source_stats(&self) -> Result<Vec<(String, SourceStats)>, HandleError> {
        self.read(|s| s.source_stats()).await
    }

    async fn holds_source(&self, source: SourceName) -> Result<bool, HandleError> {
        self.read(move |s| s.holds_source(&source)).await
    }

    async fn adopt_renamed(&self, renames: Vec<Rename>) -> Result<usize, HandleError> {
        self.write(move |s| s.adopt_renamed(&renames)).await
    }

    async fn select(
        &self,
        config: Arc<Config>,
        output: OutputConfig,
        now: DateTime<Utc>,
    ) -> Result<Vec<Item>, HandleError> {
        self.read(move |s| crate::curate::select(s, &config, &output, now))
            .await
    }

    async fn prune(&self, config: Arc<Config>) -> Result<usize, HandleError> {
        self.write(move |s| crate::curate::retention::prune(s, &config))
            .await
    }

    async fn snapshot(&self) -> Result<Snapshot, HandleError> {
        self.read(|s| s.snapshot()).await
    }

    async fn restore(&self, snapshot: Snapshot) -> Result<(), HandleError> {
        self.write(move |s| s.restore(&snapshot)).await
    }

    async fn counts(&self) -> Result<Counts, HandleError> {
        self.read(|s| s.counts()).await
    }

    async fn checkpoint(&self) -> Result<(), HandleError> {
        self.write(|s| s.checkpoint()).await
    }

    async fn data_version(&self) -> Result<i64, HandleError> {
        self.write(|s| s.data_version()).await
    }
}
