//! Tells `[daemon] websub_hub` when a public output changes, so the hub
//! fetches it and pushes it to its subscribers. When the store changes,
//! each public output's items are selected again and digested; an output
//! whose digest differs from the one last announced is announced once
//! it has been changed for `DEBOUNCE` (a burst of polls makes one ping),
//! one `hub.mode=publish` per format, with `hub.url` its self URL. A
//! failed ping is tried again with a doubling wait, a few times; the
//! digest is stored only once the hub took it, so a restart announces
//! what the hub missed and nothing else. Private outputs are never
//! announced: the hub would fetch them and serve them to anyone.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sha2::{Digest, Sha256};
use tokio::sync::watch;
use tokio::time::Instant;
use url::Url;

use super::hub_client::HubClient;
use crate::config::{Config, OutputConfig};
use crate::curate;
use crate::metrics::Metrics;
use crate::model::Item;
use crate::render::{self_url, FeedFormat};
use crate::shutdown::Shutdown;
use crate::store::{HandleError, StoreHandle};

/// How often the store is asked whether anything changed.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// An output is announced this long after it is first seen changed.
const DEBOUNCE: Duration = Duration::from_secs(2);
/// The wait after a first failed ping; doubled after each.
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
/// Pings of one change before it is given up (until the next change).
const ATTEMPTS: u32 = 6;

/// A change waiting to be announced.
struct Pending {
    digest: String,
    at: Instant,
    attempts: u32,
}

/// Runs until `stop`.
pub async fn run(
    store: StoreHandle,
    config: watch::Receiver<Arc<Config>>,
    metrics: Arc<Metrics>,
    mut stop: Shutdown,
) {
    let client = match HubClient::new() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot make the WebSub client; the hub is not told of changes");
            return;
        }
    };
    let mut publisher = Publisher {
        store,
        metrics,
        client,
        announced: HashMap::new(),
        pending: HashMap::new(),
    };
    let mut seen = None;
    let mut tick = tokio::time::interval(LOOK_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait() => return,
        }
        let config = config.borrow().clone();
        let Some(hub) = config.daemon.websub.hub.clone() else {
            continue;
        };
        let generation = publisher.store.generation();
        if seen != Some(generation) {
            match publisher.look(&config).await {
                Ok(()) => seen = Some(generation),
                Err(e) => tracing::warn!(error = %e, "cannot look for changed outputs to announce"),
            }
        }
        publisher.announce_due(&config, &hub).await;
    }
}

struct Publisher {
    store: StoreHandle,
    metrics: Arc<Metrics>,
    client: HubClient,
    /// The digest last announced per output, as stored.
    announced: HashMap<String, String>,
    pending: HashMap<String, Pending>,
}

impl Publisher {
    /// Notes every public output whose items differ from those announced.
    async fn look(&mut self, config: &Arc<Config>) -> Result<(), HandleError> {
        for output in config.outputs.iter().filter(|o| !o.access.is_private()) {
            let name = output.name.to_string();
            let digest = self.digest(config, output).await?;
            if self.last_announced(&name).await? == digest {
                self.pending.remove(&name);
                continue;
            }
            self.pending
                .entry(name)
                .and_modify(|p| p.digest.clone_from(&digest))
                .or_insert_with(|| Pending {
                    digest,
                    at: Instant::now() + DEBOUNCE,
                    attempts: 0,
                });
        }
        Ok(())
    }

    async fn digest(
        &self,
        config: &Arc<Config>,
        output: &OutputConfig,
    ) -> Result<String, HandleError> {
        let (config, output) = (Arc::clone(config), output.clone());
        let items = self
            .store
            .read(move |s| curate::select(s, &config, &output, Utc::now()))
            .await?;
        Ok(digest(&items))
    }

    /// The stored digest; an output never announced counts as empty, so
    /// a new empty output is not announced.
    async fn last_announced(&mut self, output: &str) -> Result<String, HandleError> {
        if let Some(digest) = self.announced.get(output) {
            return Ok(digest.clone());
        }
        let name = output.to_string();
        let stored = self.store.read(move |s| s.websub_published(&name)).await?;
        let digest = stored.unwrap_or_else(|| digest(&[]));
        self.announced.insert(output.to_string(), digest.clone());
        Ok(digest)
    }

    /// Pings the hub for each change whose time has come.
    async fn announce_due(&mut self, config: &Config, hub: &Url) {
        let now = Instant::now();
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.at <= now)
            .map(|(name, _)| name.clone())
            .collect();
        for name in due {
            let Some(output) = config.outputs.iter().find(|o| o.name.as_str() == name) else {
                self.pending.remove(&name);
                continue;
            };
            match self.ping(config, output, hub).await {
                Ok(()) => self.announced_now(&name).await,
                Err(e) => self.failed(&name, &e),
            }
        }
    }

    /// One publish ping per format, each naming the output's self URL.
    async fn ping(
        &self,
        config: &Config,
        output: &OutputConfig,
        hub: &Url,
    ) -> Result<(), super::hub_client::HubError> {
        for format in FeedFormat::ALL {
            let url = self_url(output, format, &config.daemon);
            let sent = self
                .client
                .post(hub, &[("hub.mode", "publish"), ("hub.url", &url)])
                .await;
            let result = if sent.is_ok() { "sent" } else { "failed" };
            self.metrics.record_websub("publish", result);
            sent?;
        }
        Ok(())
    }

    async fn announced_now(&mut self, name: &str) {
        let Some(pending) = self.pending.remove(name) else {
            return;
        };
        tracing::info!(output = name, "WebSub hub told of the change");
        let (owned, digest) = (name.to_string(), pending.digest.clone());
        let saved = self
            .store
            .write(move |s| s.save_websub_published(&owned, &digest))
            .await;
        if let Err(e) = saved {
            tracing::warn!(output = name, error = %e, "cannot record the announced change");
        }
        self.announced.insert(name.to_string(), pending.digest);
    }

    fn failed(&mut self, name: &str, error: &super::hub_client::HubError) {
        let Some(pending) = self.pending.get_mut(name) else {
            return;
        };
        pending.attempts += 1;
        if pending.attempts >= ATTEMPTS || !error.is_transient() {
            tracing::warn!(output = name, error = %error, attempts = pending.attempts, "the WebSub hub was not told of the change; giving up until the next one");
            self.pending.remove(name);
            return;
        }
        let wait = FIRST_BACKOFF.saturating_mul(1 << (pending.attempts - 1));
        tracing::warn!(output = name, error = %error, retry_in_s = wait.as_secs(), "telling the WebSub hub failed; trying again");
        pending.at = Instant::now() + wait;
    }
}

/// What an output holds, as one value: each item's source, id and
/// content hash, in order.
fn digest(items: &[Item]) -> String {
    let mut hash = Sha256::new();
    for item in items {
        for part in [
            item.source.as_str(),
            item.id.as_str(),
            item.content_hash().as_str(),
        ] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
