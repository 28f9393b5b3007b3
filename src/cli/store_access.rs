//! The config's store as the one-shot commands use it: an SQLite file
//! through one synchronous connection (a reader is never created or
//! migrated), or a PostgreSQL database through a `StoreHandle` on a
//! runtime of the command's own.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;

use super::CliError;
use crate::config::{Config, OutputConfig};
use crate::model::{Item, SourceName};
use crate::render::Origins;
use crate::store::{
    FetchState, FullTextCounts, ItemQuery, Rename, SourceStats, Store, StoreHandle, UpsertSummary,
};

pub enum CliStore {
    Sqlite(Store),
    Postgres {
        runtime: tokio::runtime::Runtime,
        handle: StoreHandle,
    },
}

fn runtime_error(e: impl Into<anyhow::Error>) -> CliError {
    CliError::Runtime(e.into())
}

impl CliStore {
    /// The store for commands that only read.
    pub fn reader(config: &Config) -> Result<CliStore, CliError> {
        match config.daemon.postgres {
            Some(_) => Self::postgres(config),
            None => Ok(CliStore::Sqlite(
                Store::open_reader(&config.daemon.database).map_err(runtime_error)?,
            )),
        }
    }

    /// The SQLite store for commands that read what only it keeps (the
    /// full-text index); usage error on PostgreSQL.
    pub fn sqlite_reader(config: &Config, command: &str) -> Result<Store, CliError> {
        if config.daemon.postgres.is_some() {
            return Err(CliError::Usage(format!(
                "`{command}` needs the SQLite store for now; this config names a PostgreSQL database (see the README's PostgreSQL section)"
            )));
        }
        Store::open_reader(&config.daemon.database).map_err(runtime_error)
    }

    /// The store, created and migrated when needed, for commands that write.
    pub fn writer(config: &Config) -> Result<CliStore, CliError> {
        match config.daemon.postgres {
            Some(_) => Self::postgres(config),
            None => Ok(CliStore::Sqlite(
                Store::open(&config.daemon.database).map_err(runtime_error)?,
            )),
        }
    }

    fn postgres(config: &Config) -> Result<CliStore, CliError> {
        let runtime = tokio::runtime::Runtime::new().map_err(runtime_error)?;
        let handle = runtime
            .block_on(StoreHandle::connect(&config.daemon))
            .map_err(runtime_error)?;
        Ok(CliStore::Postgres { runtime, handle })
    }

    pub fn items(&self, query: ItemQuery) -> Result<Vec<Item>, CliError> {
        match self {
            CliStore::Sqlite(s) => s.items(&query).map_err(runtime_error),
            CliStore::Postgres { runtime, handle } => {
                runtime.block_on(handle.items(query)).map_err(runtime_error)
            }
        }
    }

    pub fn source_stats(&self) -> Result<Vec<(String, SourceStats)>, CliError> {
        match self {
            CliStore::Sqlite(s) => s.source_stats().map_err(runtime_error),
            CliStore::Postgres { runtime, handle } => runtime
                .block_on(handle.source_stats())
                .map_err(runtime_error),
        }
    }

    /// Full-text page counts; none on PostgreSQL, which refuses `full_text`.
    pub fn full_text_counts(&self) -> Result<HashMap<String, FullTextCounts>, CliError> {
        match self {
            CliStore::Sqlite(s) => s.full_text_counts().map_err(runtime_error),
            CliStore::Postgres { .. } => Ok(HashMap::new()),
        }
    }

    pub fn fetch_state(&self, source: &SourceName) -> Result<Option<FetchState>, CliError> {
        match self {
            CliStore::Sqlite(s) => s.fetch_state(source).map_err(runtime_error),
            CliStore::Postgres { runtime, handle } => runtime
                .block_on(handle.fetch_state(source.clone()))
                .map_err(runtime_error),
        }
    }

    /// The items `output` shows now.
    pub fn select(&self, config: &Config, output: &OutputConfig) -> Result<Vec<Item>, CliError> {
        match self {
            CliStore::Sqlite(s) => {
                crate::curate::select(s, config, output, Utc::now()).map_err(runtime_error)
            }
            CliStore::Postgres { runtime, handle } => runtime
                .block_on(handle.select(Arc::new(config.clone()), output.clone(), Utc::now()))
                .map_err(runtime_error),
        }
    }

    pub fn origins(&self, config: &Config) -> Result<Origins, CliError> {
        match self {
            CliStore::Sqlite(s) => Origins::read(s, config).map_err(runtime_error),
            CliStore::Postgres { runtime, handle } => {
                let (states, feeds) = runtime
                    .block_on(async {
                        tokio::try_join!(handle.fetch_states(), handle.source_feeds())
                    })
                    .map_err(runtime_error)?;
                Ok(Origins::new(config, &states, &feeds))
            }
        }
    }

    pub fn adopt_renamed(&mut self, renames: Vec<Rename>) -> Result<(), CliError> {
        match self {
            CliStore::Sqlite(s) => s.adopt_renamed(&renames).map(drop).map_err(runtime_error),
            CliStore::Postgres { runtime, handle } => runtime
                .block_on(handle.adopt_renamed(renames))
                .map(drop)
                .map_err(runtime_error),
        }
    }

    pub fn upsert_items(&mut self, items: Vec<Item>) -> Result<UpsertSummary, CliError> {
        match self {
            CliStore::Sqlite(s) => s.upsert_items(&items).map_err(runtime_error),
            CliStore::Postgres { runtime, handle } => runtime
                .block_on(handle.upsert_items(items))
                .map_err(runtime_error),
        }
    }
}
