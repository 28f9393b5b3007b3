//! WebSub (W3C), both ways.
//!
//! As a subscriber: a polled feed that advertises a hub and its own URL
//! (`discover`) is subscribed to at that hub with a callback under
//! `base_url` (`subscriber`); the hub's verification and its pushes
//! arrive at `/websub/{callback id}` (`crate::server`), where each push's
//! signature is checked against the subscription's secret (`signature`)
//! before its entries are read and stored as a poll's are. While the hub
//! holds a lease, the source is polled only every
//! `[daemon] websub_safety_interval`.
//!
//! As a publisher: with `[daemon] websub_hub`, public outputs advertise
//! the hub (`crate::render`) and the hub is told when an output's items
//! change (`publisher`).

pub mod discover;
mod hub_client;
pub mod publisher;
pub mod signature;
pub mod subscriber;

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::config::HumanDuration;
use crate::model::SourceName;
use crate::store::FetchState;
pub use discover::Advertised;

/// What a poll read of a feed's hub: `None` when the feed advertises none.
pub type Advertisement = (SourceName, Option<Advertised>);

/// The sources whose hub holds an active subscription, kept by the
/// subscriber and read by every poll.
#[derive(Debug, Default)]
pub struct ActiveSources(RwLock<HashSet<SourceName>>);

impl ActiveSources {
    pub fn contains(&self, source: &SourceName) -> bool {
        self.0.read().is_ok_and(|set| set.contains(source))
    }

    /// Replaces the set; returns the sources no longer in it.
    fn replace(&self, now_active: HashSet<SourceName>) -> Vec<SourceName> {
        let Ok(mut set) = self.0.write() else {
            return Vec::new();
        };
        let lost = set.difference(&now_active).cloned().collect();
        *set = now_active;
        lost
    }
}

/// What polls tell the subscriber and learn from it.
#[derive(Clone)]
pub struct PollHook {
    advertised: mpsc::UnboundedSender<Advertisement>,
    active: Arc<ActiveSources>,
    safety_interval: Duration,
}

impl PollHook {
    /// Tells the subscriber what a feed just read advertises.
    pub fn advertised(&self, source: &SourceName, advertised: Option<Advertised>) {
        // The subscriber gone (the daemon stopping) leaves nothing to tell.
        let _ = self.advertised.send((source.clone(), advertised));
    }

    /// Puts off the next poll of a source whose hub pushes its changes
    /// to the safety interval.
    pub fn slow_down(&self, source: &SourceName, state: &mut FetchState, now: DateTime<Utc>) {
        if !self.active.contains(source) {
            return;
        }
        let safety = now + chrono::Duration::from_std(self.safety_interval).unwrap_or_default();
        if state.next_due.is_none_or(|due| due < safety) {
            state.next_due = Some(safety);
            state.due_reason = Some(format!(
                "WebSub: the hub pushes changes; polled every {} for safety",
                HumanDuration(self.safety_interval)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WebSubSettings;

    #[test]
    fn only_sources_with_a_live_subscription_are_slowed_down() {
        let settings = WebSubSettings {
            hub: None,
            callback_base: None,
            safety_interval: Duration::from_secs(6 * 3600),
        };
        let (hook, inbox) = subscriber::channel(&settings);
        let pushed = SourceName::new("pushed").unwrap();
        let polled = SourceName::new("polled").unwrap();
        inbox.active.replace(HashSet::from([pushed.clone()]));
        let now = DateTime::from_timestamp(1_000_000, 0).unwrap();
        let soon = FetchState {
            next_due: Some(now + chrono::Duration::minutes(15)),
            ..FetchState::default()
        };
        let (mut a, mut b) = (soon.clone(), soon.clone());
        hook.slow_down(&pushed, &mut a, now);
        hook.slow_down(&polled, &mut b, now);
        assert_eq!(a.next_due, Some(now + chrono::Duration::hours(6)));
        assert!(a.due_reason.unwrap().contains("WebSub"));
        assert_eq!(b, soon);
    }

    #[test]
    fn losing_a_lease_is_reported_once() {
        let active = ActiveSources::default();
        let a = SourceName::new("a").unwrap();
        assert!(active.replace(HashSet::from([a.clone()])).is_empty());
        assert_eq!(active.replace(HashSet::new()), vec![a]);
        assert!(active.replace(HashSet::new()).is_empty());
    }
}
