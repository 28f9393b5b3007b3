//! Keeps each source's subscription in step with what its feed
//! advertises and with the config: subscribes when a feed names a hub,
//! renews before the lease ends, subscribes again (with backoff) after a
//! failure or a lapse, and unsubscribes when the feed stops naming the
//! hub or the source leaves the config. Every request is stored as
//! pending before it is sent, since a hub may verify it before it
//! answers. The sources with a live lease are shared with polls, which
//! then slow down; a source losing its lease is polled at once.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use url::Url;

use super::hub_client::HubClient;
use super::signature::random_hex;
use super::{ActiveSources, Advertised, Advertisement, PollHook};
use crate::config::{Config, Location, SourceConfig, WebSubSettings};
use crate::fetch::address_policy::is_private_host;
use crate::metrics::Metrics;
use crate::model::SourceName;
use crate::shutdown::Shutdown;
use crate::store::{HandleError, StoreHandle, Subscription, SubscriptionMode};

/// How often leases, retries and config changes are looked at.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// A request the hub has not verified in this long has failed.
const VERIFY_WAIT: Duration = Duration::from_secs(5 * 60);
/// The share of a lease after which it is renewed.
const RENEW_AT: f64 = 0.85;
/// A lease is renewed at least this long before it ends.
const RENEW_MARGIN: Duration = Duration::from_secs(3);
/// The wait before subscribing again after a first failure; doubled
/// after each further one, up to `MAX_RETRY`.
const FIRST_RETRY: Duration = Duration::from_secs(60);
const MAX_RETRY: Duration = Duration::from_secs(6 * 60 * 60);

/// The subscriber's side of the hook polls hold.
pub struct Inbox {
    advertised: mpsc::UnboundedReceiver<Advertisement>,
    pub(super) active: Arc<ActiveSources>,
}

/// The hook for the poller and the inbox for [`run`].
pub fn channel(settings: &WebSubSettings) -> (PollHook, Inbox) {
    let (tx, rx) = mpsc::unbounded_channel();
    let active = Arc::new(ActiveSources::default());
    let hook = PollHook {
        advertised: tx,
        active: Arc::clone(&active),
        safety_interval: settings.safety_interval,
    };
    (
        hook,
        Inbox {
            advertised: rx,
            active,
        },
    )
}

/// What the subscriber works with.
pub struct Subscriber {
    pub store: StoreHandle,
    pub config: watch::Receiver<Arc<Config>>,
    pub metrics: Arc<Metrics>,
    /// Sources to poll at once: their lease ended.
    pub wake: mpsc::UnboundedSender<SourceName>,
}

/// Runs until `stop`.
pub async fn run(subscriber: Subscriber, mut inbox: Inbox, mut stop: Shutdown) {
    let client = match HubClient::new() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "cannot make the WebSub client; no subscriptions");
            return;
        }
    };
    let mut work = Work {
        subscriber,
        client,
        told: HashSet::new(),
    };
    let mut tick = tokio::time::interval(LOOK_EVERY);
    let mut heard = HashMap::new();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            Some((source, advertised)) = inbox.advertised.recv() => {
                heard.insert(source, advertised);
                continue;
            }
            _ = stop.wait() => return,
        }
        match work.round(std::mem::take(&mut heard)).await {
            Ok(active) => {
                for source in inbox.active.replace(active) {
                    tracing::info!(source = %source, "WebSub lease ended: polling again");
                    let _ = work.subscriber.wake.send(source);
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot look at WebSub subscriptions"),
        }
    }
}

struct Work {
    subscriber: Subscriber,
    client: HubClient,
    /// Sources already told why they cannot be subscribed, so the log
    /// says it once per source.
    told: HashSet<SourceName>,
}

impl Work {
    /// Follows what polls heard, then tends every subscription; returns
    /// the sources with a live lease.
    async fn round(
        &mut self,
        heard: HashMap<SourceName, Option<Advertised>>,
    ) -> Result<HashSet<SourceName>, HandleError> {
        let config = self.subscriber.config.borrow().clone();
        let now = Utc::now();
        let mut subs: HashMap<SourceName, Subscription> = self
            .read()
            .await?
            .into_iter()
            .map(|s| (s.source.clone(), s))
            .collect();
        for (source, advertised) in heard {
            let sub = subs.remove(&source);
            self.follow(&config, source, sub, advertised, now).await?;
        }
        for sub in subs.into_values() {
            self.tend(&config, sub, now).await?;
        }
        let active = self.read().await?.into_iter().filter(|s| s.is_active(now));
        Ok(active.map(|s| s.source).collect())
    }

    async fn read(&self) -> Result<Vec<Subscription>, HandleError> {
        self.subscriber
            .store
            .read(|s| s.websub_subscriptions())
            .await
    }

    /// Brings `source`'s subscription in line with what its feed said.
    async fn follow(
        &mut self,
        config: &Config,
        source: SourceName,
        sub: Option<Subscription>,
        advertised: Option<Advertised>,
        now: DateTime<Utc>,
    ) -> Result<(), HandleError> {
        let same = |sub: &Subscription, a: &Advertised| {
            sub.hub == a.hub.as_str() && sub.topic == a.topic.as_str()
        };
        match (sub, advertised) {
            (Some(sub), Some(a)) if same(&sub, &a) => self.tend(config, sub, now).await,
            (Some(sub), advertised) => {
                self.unsubscribe(config, sub, now).await?;
                match advertised {
                    Some(a) => self.subscribe_new(config, &source, a, now).await,
                    None => Ok(()),
                }
            }
            (None, Some(a)) => self.subscribe_new(config, &source, a, now).await,
            (None, None) => Ok(()),
        }
    }

    /// Renews, retries or ends one subscription as its state asks.
    async fn tend(
        &mut self,
        config: &Config,
        sub: Subscription,
        now: DateTime<Utc>,
    ) -> Result<(), HandleError> {
        let waited = now - sub.requested_at;
        let verify_wait = chrono::Duration::from_std(VERIFY_WAIT).unwrap_or_default();
        let configured = config.sources.iter().any(|s| s.name == sub.source);
        if !configured && sub.pending != Some(SubscriptionMode::Unsubscribe) {
            return self.unsubscribe(config, sub, now).await;
        }
        match sub.pending {
            Some(SubscriptionMode::Unsubscribe) if waited > verify_wait => {
                self.forget(sub.source).await
            }
            Some(SubscriptionMode::Subscribe) if waited > verify_wait => {
                tracing::warn!(source = %sub.source, hub = %sub.hub, "the WebSub hub did not verify the subscription");
                self.failed(sub, now).await
            }
            Some(_) => Ok(()),
            None if sub.is_active(now) && now >= renew_at(&sub) => {
                self.request(config, sub, SubscriptionMode::Subscribe, now)
                    .await
            }
            None if !sub.is_active(now) && now >= retry_at(&sub) => {
                self.request(config, sub, SubscriptionMode::Subscribe, now)
                    .await
            }
            None => Ok(()),
        }
    }

    async fn subscribe_new(
        &mut self,
        config: &Config,
        source: &SourceName,
        advertised: Advertised,
        now: DateTime<Utc>,
    ) -> Result<(), HandleError> {
        let Some(configured) = config.source(source.as_str()) else {
            return Ok(());
        };
        if let Some(why) = cannot_subscribe(config, configured, &advertised.hub) {
            if self.told.insert(source.clone()) {
                tracing::info!(source = %source, hub = %advertised.hub, "not subscribing to the feed's WebSub hub: {why}");
            }
            return Ok(());
        }
        let sub = Subscription {
            source: source.clone(),
            callback_id: random_hex(16),
            hub: advertised.hub.to_string(),
            topic: advertised.topic.to_string(),
            secret: random_hex(32),
            pending: None,
            requested_at: now,
            failures: 0,
            lease_until: None,
        };
        self.request(config, sub, SubscriptionMode::Subscribe, now)
            .await
    }

    async fn unsubscribe(
        &mut self,
        config: &Config,
        sub: Subscription,
        now: DateTime<Utc>,
    ) -> Result<(), HandleError> {
        self.request(config, sub, SubscriptionMode::Unsubscribe, now)
            .await
    }

    /// Stores the request as pending, then sends it. A subscription that
    /// fails counts a failure; an unsubscription that fails is dropped
    /// (its lease runs out at the hub anyway).
    async fn request(
        &mut self,
        config: &Config,
        mut sub: Subscription,
        mode: SubscriptionMode,
        now: DateTime<Utc>,
    ) -> Result<(), HandleError> {
        let Some(callback) = config.daemon.websub.callback(&sub.callback_id) else {
            // Without a callback no hub can verify anything: an
            // unsubscription is only forgotten.
            return match mode {
                SubscriptionMode::Subscribe => Ok(()),
                SubscriptionMode::Unsubscribe => self.forget(sub.source).await,
            };
        };
        sub.pending = Some(mode);
        sub.requested_at = now;
        let saved = sub.clone();
        self.subscriber
            .store
            .write(move |s| s.save_websub(&saved))
            .await?;
        let mut fields = vec![
            ("hub.callback", callback.as_str()),
            ("hub.mode", mode.as_str()),
            ("hub.topic", sub.topic.as_str()),
        ];
        if mode == SubscriptionMode::Subscribe {
            fields.push(("hub.secret", sub.secret.as_str()));
        }
        let sent = match Url::parse(&sub.hub) {
            Ok(hub) => self
                .client
                .post(&hub, &fields)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        self.subscriber.metrics.record_websub(
            mode.as_str(),
            if sent.is_ok() { "requested" } else { "failed" },
        );
        match sent {
            Ok(()) => {
                tracing::info!(source = %sub.source, hub = %sub.hub, topic = %sub.topic, mode = mode.as_str(), "WebSub request sent");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(source = %sub.source, hub = %sub.hub, mode = mode.as_str(), error = %e, "WebSub request failed");
                match mode {
                    SubscriptionMode::Subscribe => self.failed(sub, now).await,
                    SubscriptionMode::Unsubscribe => self.forget(sub.source).await,
                }
            }
        }
    }

    async fn forget(&self, source: SourceName) -> Result<(), HandleError> {
        self.subscriber
            .store
            .write(move |s| s.forget_websub(&source))
            .await
    }

    /// A subscription request that failed: tried again after a backoff.
    async fn failed(&self, mut sub: Subscription, now: DateTime<Utc>) -> Result<(), HandleError> {
        sub.pending = None;
        sub.requested_at = now;
        sub.failures = sub.failures.saturating_add(1);
        self.subscriber
            .store
            .write(move |s| s.save_websub(&sub))
            .await
    }
}

/// Why `source` cannot be subscribed to at `hub`, if it cannot: no
/// public address for the hub to call back, or a hub in a private
/// network named by a feed from outside it (which would let a feed send
/// syndic's requests into the operator's network).
fn cannot_subscribe(config: &Config, source: &SourceConfig, hub: &Url) -> Option<&'static str> {
    if config.daemon.websub.callback_base.is_none() {
        return Some("no [daemon] base_url is set, so the hub cannot call back");
    }
    let Location::Url(url) = &source.location else {
        return Some("only feeds fetched over HTTP are subscribed");
    };
    let private = |u: &Url| u.host().is_some_and(|h| is_private_host(&h));
    if private(hub) && !private(url) && !source.allow_private {
        return Some("the hub is in a private network (set allow_private = true to allow it)");
    }
    None
}

/// When an active lease is renewed: most of the way through it, and at
/// least a few looks before its end, so a short lease cannot lapse
/// between two looks.
fn renew_at(sub: &Subscription) -> DateTime<Utc> {
    let Some(until) = sub.lease_until else {
        return sub.requested_at;
    };
    let lease = (until - sub.requested_at).num_milliseconds().max(0);
    let margin = i64::try_from(RENEW_MARGIN.as_millis()).unwrap_or(i64::MAX);
    let share = (lease as f64 * RENEW_AT) as i64;
    sub.requested_at + chrono::Duration::milliseconds(share.min(lease - margin).max(0))
}

/// When a subscription without a live lease is requested again: at once
/// after a lapse, after a doubling wait after failures.
fn retry_at(sub: &Subscription) -> DateTime<Utc> {
    if sub.failures == 0 {
        return sub.requested_at;
    }
    let doublings = sub.failures.saturating_sub(1).min(16);
    let wait = FIRST_RETRY.saturating_mul(1 << doublings).min(MAX_RETRY);
    sub.requested_at + chrono::Duration::from_std(wait).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(requested: i64, lease_until: Option<i64>, failures: u32) -> Subscription {
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        Subscription {
            source: SourceName::new("a").unwrap(),
            callback_id: "c".into(),
            hub: "http://hub.test/".into(),
            topic: "http://x.test/f".into(),
            secret: "s".into(),
            pending: None,
            requested_at: at(requested),
            failures,
            lease_until: lease_until.map(at),
        }
    }

    #[test]
    fn renews_most_of_the_way_through_the_lease() {
        let s = sub(1_000, Some(2_000), 0);
        assert_eq!(renew_at(&s).timestamp(), 1_850);
        // A short lease keeps its margin; one shorter than that is renewed at once.
        assert_eq!(renew_at(&sub(1_000, Some(1_006), 0)).timestamp(), 1_003);
        assert_eq!(renew_at(&sub(1_000, Some(1_002), 0)).timestamp(), 1_000);
    }

    #[test]
    fn retries_at_once_after_a_lapse_and_backs_off_after_failures() {
        assert_eq!(retry_at(&sub(1_000, None, 0)).timestamp(), 1_000);
        assert_eq!(retry_at(&sub(1_000, None, 1)).timestamp(), 1_060);
        assert_eq!(retry_at(&sub(1_000, None, 3)).timestamp(), 1_240);
        assert_eq!(
            retry_at(&sub(1_000, None, 40)).timestamp(),
            1_000 + 6 * 3600
        );
    }
}
