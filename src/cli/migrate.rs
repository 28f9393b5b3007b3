//! `syndic migrate --to TARGET`: copies the config's store into another
//! database, SQLite to PostgreSQL or back, and checks that every table
//! arrived whole.

use std::path::Path;

use anyhow::anyhow;

use super::{print_out, CliError};
use crate::config::{Config, PostgresTarget, Secret, SecretFrom};
use crate::store::{Counts, StoreHandle};

/// Copies into `to`: a `postgres://` URL (its password, never in the URL,
/// from the variable `password_env`) or an SQLite file, which must hold
/// no items yet.
pub fn migrate(config: &Config, to: &str, password_env: Option<&str>) -> Result<(), CliError> {
    let target = Target::parse(to, password_env)?;
    if config.daemon.postgres.is_none() && !config.daemon.database.exists() {
        return Err(CliError::Usage(format!(
            "no database yet at {} to copy from",
            config.daemon.database.display()
        )));
    }
    let runtime = tokio::runtime::Runtime::new().map_err(anyhow::Error::from)?;
    let counts = runtime.block_on(copy(config, &target))?;
    print_out(&format!(
        "copied {} items, {} sources, {} file stamps and {} tombstones into {to}; counts match\n",
        counts.items, counts.sources, counts.files, counts.tombstones
    ))
}

enum Target {
    Postgres(PostgresTarget),
    Sqlite(std::path::PathBuf),
}

impl Target {
    fn parse(to: &str, password_env: Option<&str>) -> Result<Target, CliError> {
        if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
            if password_env.is_some() {
                return Err(CliError::Usage(
                    "--password-env is for a postgres:// target; an SQLite file has none".into(),
                ));
            }
            return Ok(Target::Sqlite(Path::new(to).to_path_buf()));
        }
        let url = url::Url::parse(to)
            .map_err(|e| CliError::Usage(format!("--to is not a readable URL: {e}")))?;
        if url.password().is_some() {
            return Err(CliError::Usage(
                "the --to URL carries a password: take it out and pass --password-env VARIABLE"
                    .into(),
            ));
        }
        let password = password_env
            .map(|var| Secret::read(SecretFrom::Env(var.to_string())))
            .transpose()
            .map_err(|e| CliError::Usage(format!("the target's password: {e}")))?;
        Ok(Target::Postgres(PostgresTarget {
            url: to.to_string(),
            password,
        }))
    }

    async fn open(&self) -> Result<StoreHandle, CliError> {
        let opened = match self {
            Target::Postgres(target) => StoreHandle::open_postgres(target).await,
            Target::Sqlite(path) => StoreHandle::open(path),
        };
        opened.map_err(|e| CliError::Runtime(e.into()))
    }
}

async fn copy(config: &Config, target: &Target) -> Result<Counts, CliError> {
    let runtime = |e: crate::store::HandleError| CliError::Runtime(e.into());
    let from = StoreHandle::connect(&config.daemon)
        .await
        .map_err(|e| CliError::Runtime(e.into()))?;
    let into = target.open().await?;
    let snapshot = from.snapshot().await.map_err(runtime)?;
    let expected = snapshot.counts();
    into.restore(snapshot).await.map_err(runtime)?;
    let found = into.counts().await.map_err(runtime)?;
    if found != expected {
        return Err(CliError::Runtime(anyhow!(
            "the copy does not match: read {expected:?}, the target holds {found:?}"
        )));
    }
    into.checkpoint().await.map_err(runtime)?;
    Ok(found)
}
