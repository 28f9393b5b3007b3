//! `[[output]] notify`: each new item of an output is sent to each of its
//! targets, at most once per item and target, across restarts. When the
//! store changes, each output with targets is selected again; its items
//! never claimed for a target are claimed in the database, then queued (a
//! bounded queue: what does not fit waits, unclaimed, for the next look)
//! for one sender that delivers them in order. A target seen for the
//! first time claims what the output holds without sending it.

mod deliver;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::config::{Config, NotifyTarget, OutputConfig};
use crate::item_record::ItemRecord;
use crate::metrics::Metrics;
use crate::model::Item;
use crate::shutdown::Shutdown;
use crate::store::StoreHandle;

/// How often the store is asked whether anything changed.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// Items waiting to be sent, over all targets.
const QUEUE: usize = 1_024;
/// A webhook that does not answer in this long has failed.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(15);

/// One item for one target.
struct Delivery {
    output: String,
    target: NotifyTarget,
    item: Item,
}

/// What a webhook receives and a command reads: the output and the item
/// as `syndic items --json` writes it.
#[derive(Serialize)]
struct Payload<'a> {
    output: &'a str,
    item: ItemRecord<'a>,
}

/// Runs until `stop`: looks for new items whenever the store changes and
/// sends them.
pub async fn run(
    store: StoreHandle,
    config: watch::Receiver<Arc<Config>>,
    metrics: Arc<Metrics>,
    mut stop: Shutdown,
) {
    let (queue, waiting) = mpsc::channel(QUEUE);
    let sender = tokio::spawn(send_all(waiting, Arc::clone(&metrics)));
    let mut seen = None;
    let mut tick = tokio::time::interval(LOOK_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait() => break,
        }
        let generation = store.generation();
        if seen == Some(generation) {
            continue;
        }
        let config = config.borrow().clone();
        if look(&store, &config, &queue).await {
            seen = Some(generation);
        }
    }
    // What is queued and claimed is not sent: at most once, never twice.
    sender.abort();
}

/// Queues the new items of every output with targets; false when
/// something could not be read or did not fit, so the next tick looks
/// again.
async fn look(store: &StoreHandle, config: &Arc<Config>, queue: &mpsc::Sender<Delivery>) -> bool {
    let mut complete = true;
    for output in config.outputs.iter().filter(|o| !o.notify.is_empty()) {
        for target in &output.notify {
            match queue_new(store, config, output, target, queue).await {
                Ok(all_queued) => complete &= all_queued,
                Err(e) => {
                    tracing::warn!(output = %output.name, target = %target, error = %e, "cannot look for items to notify");
                    complete = false;
                }
            }
        }
    }
    complete
}

/// Claims and queues `output`'s new items for `target`, as many as the
/// queue has room for; true when none was left waiting.
async fn queue_new(
    store: &StoreHandle,
    config: &Arc<Config>,
    output: &OutputConfig,
    target: &NotifyTarget,
    queue: &mpsc::Sender<Delivery>,
) -> Result<bool, crate::store::HandleError> {
    let key = target.key();
    let now = Utc::now();
    let (owned_config, owned_output) = (Arc::clone(config), output.clone());
    let mut items = store.select(owned_config, owned_output, now).await?;
    // Oldest first, so they are sent in the order they came.
    items.reverse();
    let room = queue.capacity();
    let name = output.name.to_string();
    let claimed = store
        .write(move |s| s.claim_notifications(&name, &key, items, room, now))
        .await?;
    let all_fit = claimed.len() < room;
    for item in claimed {
        let delivery = Delivery {
            output: output.name.to_string(),
            target: target.clone(),
            item,
        };
        // Room was counted above and this is the queue's only producer.
        if queue.try_send(delivery).is_err() {
            tracing::warn!(output = %output.name, "notification queue full: an item was dropped");
        }
    }
    Ok(all_fit)
}

async fn send_all(mut waiting: mpsc::Receiver<Delivery>, metrics: Arc<Metrics>) {
    let client = match reqwest::Client::builder().timeout(WEBHOOK_TIMEOUT).build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot make the webhook client; notifications are off");
            return;
        }
    };
    while let Some(d) = waiting.recv().await {
        let body = match serde_json::to_string(&Payload {
            output: &d.output,
            item: ItemRecord::from(&d.item),
        }) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "cannot write a notification");
                continue;
            }
        };
        let sent = match &d.target {
            NotifyTarget::Webhook(url) => deliver::webhook(&client, url, &body).await,
            NotifyTarget::Command(argv) => deliver::command(argv, &body).await,
        };
        metrics.record_notification(&d.output, d.target.kind(), sent.is_ok());
        match sent {
            Ok(()) => {
                tracing::info!(output = %d.output, target = %d.target, item = %d.item.id, "notified")
            }
            Err(e) => {
                tracing::warn!(output = %d.output, target = %d.target, item = %d.item.id, error = %e, "notification failed; not sent again")
            }
        }
    }
}
