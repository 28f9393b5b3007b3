//! The periodic clean-up: each source's `keep` and `max_age` applied,
//! sparing every item an output currently shows.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::Config;
use crate::shutdown::Shutdown;
use crate::store::StoreHandle;

/// The first clean-up waits a little so start-up polling goes first.
const FIRST_RUN: Duration = Duration::from_secs(60);
const EVERY: Duration = Duration::from_secs(3600);

pub async fn run(store: StoreHandle, config: watch::Receiver<Arc<Config>>, mut stop: Shutdown) {
    let mut wait = FIRST_RUN;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait() => return,
        }
        wait = EVERY;
        let config = config.borrow().clone();
        match store.prune(config).await {
            Ok(0) => {}
            Ok(removed) => {
                store.mark_changed();
                tracing::info!(removed, "retention removed old items");
            }
            Err(e) => tracing::error!(error = %e, "retention failed"),
        }
    }
}
