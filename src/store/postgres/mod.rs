//! The PostgreSQL store: `tokio-postgres` over a `deadpool-postgres` pool.
//! Every operation takes a pooled connection for as long as it runs; a
//! poll's record is one transaction. No TLS yet: reach the server over
//! loopback, a Unix socket or a tunnel.

mod copy;
mod items;
mod migrations;
mod reads;
mod retention;
mod sources;
mod tombstones;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::{IsolationLevel, NoTls};

use super::backend::{Backend, PollRecord, Rename};
use super::{
    Counts, FetchState, HandleError, ItemQuery, Recorded, Snapshot, SourceFeed, SourceStats,
    StoreError, UpsertOutcome, UpsertSummary,
};
use crate::config::{Config, OutputConfig, PostgresTarget};
use crate::fetch::FileStamps;
use crate::model::{Item, SourceName};

/// Connections one process keeps open; polls and requests beyond them wait
/// for one. PostgreSQL's default `max_connections` is 100: a handful of
/// processes fit.
const POOL_SIZE: usize = 16;

/// A cloneable handle to a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Room for polls' records: one per pooled connection, so waiting polls
    /// hold their items rather than fetch more.
    writes: Arc<Semaphore>,
}

impl PgStore {
    /// Connects, and brings the schema up to date.
    pub async fn open(target: &PostgresTarget) -> Result<PgStore, StoreError> {
        let mut config = tokio_postgres::Config::from_str(&target.url)
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        if let Some(password) = &target.password {
            config.password(password.expose());
        }
        config.application_name("syndic");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        let store = PgStore {
            pool,
            writes: Arc::new(Semaphore::new(POOL_SIZE)),
        };
        let mut client = store.client().await?;
        migrations::migrate(&mut client).await?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Postgres(e.to_string()))
    }

    /// Runs `work` in a transaction, committed when it succeeds; after a
    /// commit that changed items, advances the generation other processes
    /// watch (after, so that one who sees it reads the new rows).
    async fn write<T>(
        &self,
        changed: impl Fn(&T) -> bool,
        work: impl AsyncFnOnce(&tokio_postgres::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, HandleError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(StoreError::from)?;
        let done = work(&tx).await?;
        tx.commit().await.map_err(StoreError::from)?;
        if changed(&done) {
            client
                .execute("SELECT nextval('store_generation')", &[])
                .await
                .map_err(StoreError::from)?;
        }
        Ok(done)
    }
}

/// One poll's room to write (see [`PgStore::reserve_write`]).
pub struct PgSlot {
    _permit: OwnedSemaphorePermit,
}

impl Backend for PgStore {
    type Slot = PgSlot;

    async fn is_healthy(&self) -> bool {
        match self.client().await {
            Ok(client) => client.query_one("SELECT 1", &[]).await.is_ok(),
            Err(_) => false,
        }
    }

    async fn fetch_state(&self, source: SourceName) -> Result<Option<FetchState>, HandleError> {
        Ok(sources::fetch_state(&**self.client().await?, &source).await?)
    }

    async fn fetch_states(&self) -> Result<HashMap<String, FetchState>, HandleError> {
        Ok(sources::fetch_states(&**self.client().await?).await?)
    }

    async fn source_feeds(&self) -> Result<HashMap<String, SourceFeed>, HandleError> {
        Ok(sources::source_feeds(&**self.client().await?).await?)
    }

    async fn file_stamps(&self, source: SourceName) -> Result<FileStamps, HandleError> {
        Ok(sources::file_stamps(&**self.client().await?, &source).await?)
    }

    async fn publication_times(
        &self,
        source: SourceName,
        limit: usize,
    ) -> Result<Vec<(String, DateTime<Utc>)>, HandleError> {
        Ok(items::publication_times(&**self.client().await?, &source, limit).await?)
    }

    async fn reserve_write(&self) -> Result<PgSlot, HandleError> {
        let permit = Arc::clone(&self.writes)
            .acquire_owned()
            .await
            .map_err(|_| HandleError::WriterGone)?;
        Ok(PgSlot { _permit: permit })
    }

    async fn record_poll(&self, slot: PgSlot, record: PollRecord) -> Result<Recorded, HandleError> {
        let recorded = self
            .write(Recorded::changed, async |tx| {
                sources::record_poll(tx, &record).await
            })
            .await;
        drop(slot);
        recorded
    }

    async fn upsert_items(&self, items: Vec<Item>) -> Result<UpsertSummary, HandleError> {
        self.write(UpsertSummary::changed, async |tx| {
            items::upsert_all(tx, &items).await
        })
        .await
    }

    async fn ingest(
        &self,
        rename: Option<Rename>,
        items: Vec<Item>,
    ) -> Result<Vec<UpsertOutcome>, HandleError> {
        let changed = |outcomes: &Vec<UpsertOutcome>| {
            outcomes
                .iter()
                .any(|o| matches!(o, UpsertOutcome::Inserted | UpsertOutcome::Updated))
        };
        self.write(changed, async |tx| {
            retention::adopt_renamed(tx, rename.as_slice()).await?;
            items::upsert_each(tx, &items).await
        })
        .await
    }

    async fn items(&self, query: ItemQuery) -> Result<Vec<Item>, HandleError> {
        Ok(items::items(&**self.client().await?, &query).await?)
    }

    async fn item_counts(&self) -> Result<HashMap<String, u64>, HandleError> {
        Ok(items::item_counts(&**self.client().await?).await?)
    }

    async fn source_stats(&self) -> Result<Vec<(String, SourceStats)>, HandleError> {
        Ok(sources::source_stats(&**self.client().await?).await?)
    }

    async fn holds_source(&self, source: SourceName) -> Result<bool, HandleError> {
        Ok(retention::holds(&**self.client().await?, &source).await?)
    }

    async fn adopt_renamed(&self, renames: Vec<Rename>) -> Result<usize, HandleError> {
        self.write(
            |moved| *moved > 0,
            async |tx| retention::adopt_renamed(tx, &renames).await,
        )
        .await
    }

    async fn select(
        &self,
        config: Arc<Config>,
        output: OutputConfig,
        now: DateTime<Utc>,
    ) -> Result<Vec<Item>, HandleError> {
        let mut client = self.client().await?;
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let tx = runtime.block_on(
                client
                    .build_transaction()
                    .isolation_level(IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start(),
            )?;
            let open = |test| {
                Ok(reads::PgReads {
                    tx: &tx,
                    runtime: runtime.clone(),
                    test,
                })
            };
            crate::curate::select_with(open, &config, &output, now)
        })
        .await
        .map_err(|e| HandleError::Reader(e.to_string()))?
        .map_err(HandleError::from)
    }

    async fn prune(&self, config: Arc<Config>) -> Result<usize, HandleError> {
        self.adopt_renamed(config.renames()).await?;
        let now = Utc::now();
        let rules = crate::curate::retention::rules(&config);
        // What outputs show, read first: an item that turns up in an
        // output meanwhile is new, far from any retention limit.
        let mut protected = Vec::new();
        if !rules.is_empty() {
            for output in &config.outputs {
                let shown = self
                    .select(Arc::clone(&config), output.clone(), now)
                    .await?;
                protected.extend(shown.into_iter().map(|i| (i.source, i.id)));
            }
        }
        let configured = crate::curate::retention::configured(&config);
        self.write(
            |removed| *removed > 0,
            async |tx| retention::prune(tx, &rules, &protected, &configured, now).await,
        )
        .await
    }

    async fn checkpoint(&self) -> Result<(), HandleError> {
        Ok(())
    }

    async fn snapshot(&self) -> Result<Snapshot, HandleError> {
        Ok(copy::snapshot(&**self.client().await?).await?)
    }

    async fn restore(&self, snapshot: Snapshot) -> Result<(), HandleError> {
        self.write(|_| true, async |tx| copy::restore(tx, &snapshot).await)
            .await
    }

    async fn counts(&self) -> Result<Counts, HandleError> {
        Ok(copy::counts(&**self.client().await?).await?)
    }

    async fn data_version(&self) -> Result<i64, HandleError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT last_value FROM store_generation", &[])
            .await
            .map_err(StoreError::from)?;
        Ok(row.get(0))
    }
}
