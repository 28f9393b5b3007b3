//! The periodic clean-up: each source's `keep` and `max_age` applied,
//! sparing every item an output currently shows.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::config::Config;
use crate::model::{ItemId, SourceName};
use crate::store::{Store, StoreError, StoreHandle};

/// The first clean-up waits a little so start-up polling goes first.
const FIRST_RUN: Duration = Duration::from_secs(60);
const EVERY: Duration = Duration::from_secs(3600);

pub async fn run(
    store: StoreHandle,
    config: watch::Receiver<Arc<Config>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut wait = FIRST_RUN;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        wait = EVERY;
        let config = config.borrow().clone();
        if !config
            .sources
            .iter()
            .any(|s| s.retention != Default::default())
        {
            continue;
        }
        match store.write(move |s| prune(s, &config)).await {
            Ok(0) => {}
            Ok(removed) => {
                store.mark_changed();
                tracing::info!(removed, "retention removed old items");
            }
            Err(e) => tracing::error!(error = %e, "retention failed"),
        }
    }
}

/// Applies every source's retention; what outputs show is protected.
pub fn prune(store: &mut Store, config: &Config) -> Result<usize, StoreError> {
    let now = Utc::now();
    let mut protected: Vec<(SourceName, ItemId)> = Vec::new();
    for output in &config.outputs {
        let shown = crate::curate::select(store, config, output, now)?;
        protected.extend(shown.into_iter().map(|i| (i.source, i.id)));
    }
    let rules: Vec<_> = config
        .sources
        .iter()
        .filter(|s| s.retention != Default::default())
        .map(|s| (s.name.clone(), s.retention))
        .collect();
    store.prune(&rules, &protected, now)
}
