//! WebSub state (see `crate::websub`): each source's subscription to its
//! hub, and the digest of what each output last announced to ours.

use std::fmt;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{from_unix, to_unix, Store, StoreError};
use crate::model::SourceName;

/// A `hub.mode` syndic asks a hub for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionMode {
    Subscribe,
    Unsubscribe,
}

impl SubscriptionMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionMode::Subscribe => "subscribe",
            SubscriptionMode::Unsubscribe => "unsubscribe",
        }
    }

    pub fn parse(s: &str) -> Option<SubscriptionMode> {
        match s {
            "subscribe" => Some(SubscriptionMode::Subscribe),
            "unsubscribe" => Some(SubscriptionMode::Unsubscribe),
            _ => None,
        }
    }
}

/// One source's subscription. Debug leaves the secret out, so logging a
/// subscription cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Subscription {
    pub source: SourceName,
    /// The last segment of the callback URL: random, so a push names a
    /// subscription without naming its source.
    pub callback_id: String,
    pub hub: String,
    pub topic: String,
    /// The `hub.secret` pushes are signed with.
    pub secret: String,
    /// The request sent and not yet verified by the hub.
    pub pending: Option<SubscriptionMode>,
    /// When the last request was sent (or failed).
    pub requested_at: DateTime<Utc>,
    /// Requests failed or denied in a row.
    pub failures: u32,
    /// Until when the hub verified the subscription.
    pub lease_until: Option<DateTime<Utc>>,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("source", &self.source)
            .field("callback_id", &self.callback_id)
            .field("hub", &self.hub)
            .field("topic", &self.topic)
            .field("pending", &self.pending)
            .field("requested_at", &self.requested_at)
            .field("failures", &self.failures)
            .field("lease_until", &self.lease_until)
            .finish_non_exhaustive()
    }
}

impl Subscription {
    /// Pushes are taken and polling is slowed while this holds.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.lease_until.is_some_and(|until| until > now)
    }
}

const COLUMNS: &str =
    "source, callback_id, hub, topic, secret, pending, requested_at, failures, lease_until";

impl Store {
    pub fn websub_subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM websub_subscriptions ORDER BY source");
        let mut select = self.conn.prepare_cached(&sql)?;
        let rows = select.query_map([], subscription)?;
        rows.map(|r| r?).collect()
    }

    pub fn websub_by_callback(
        &self,
        callback_id: &str,
    ) -> Result<Option<Subscription>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM websub_subscriptions WHERE callback_id = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([callback_id], subscription)
            .optional()?
            .transpose()
    }

    /// Stores `sub` whole, replacing the source's former subscription.
    pub fn save_websub(&mut self, sub: &Subscription) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO websub_subscriptions \
             (source, callback_id, hub, topic, secret, pending, requested_at, failures, lease_until) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                sub.source.as_str(),
                sub.callback_id,
                sub.hub,
                sub.topic,
                sub.secret,
                sub.pending.map(SubscriptionMode::as_str),
                to_unix(sub.requested_at),
                sub.failures,
                sub.lease_until.map(to_unix),
            ],
        )?;
        Ok(())
    }

    /// The hub's verification of the request pending for `callback_id`:
    /// true when one was pending for this mode and topic. A verified
    /// subscription holds until `lease_until`; a verified unsubscription
    /// is forgotten.
    pub fn verify_websub(
        &mut self,
        callback_id: &str,
        mode: SubscriptionMode,
        topic: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let matches = "callback_id = ?1 AND pending = ?2 AND topic = ?3";
        let changed = match mode {
            SubscriptionMode::Subscribe => self.conn.execute(
                &format!(
                    "UPDATE websub_subscriptions SET pending = NULL, failures = 0, lease_until = ?4 \
                     WHERE {matches}"
                ),
                params![callback_id, mode.as_str(), topic, to_unix(lease_until)],
            )?,
            SubscriptionMode::Unsubscribe => self.conn.execute(
                &format!("DELETE FROM websub_subscriptions WHERE {matches}"),
                params![callback_id, mode.as_str(), topic],
            )?,
        };
        Ok(changed == 1)
    }

    /// The hub refused the subscription pending for `callback_id`.
    pub fn deny_websub(&mut self, callback_id: &str, topic: &str) -> Result<bool, StoreError> {
        let changed = self.conn.execute(
            "UPDATE websub_subscriptions SET pending = NULL, failures = failures + 1, lease_until = NULL \
             WHERE callback_id = ?1 AND topic = ?2 AND pending = 'subscribe'",
            params![callback_id, topic],
        )?;
        Ok(changed == 1)
    }

    pub fn forget_websub(&mut self, source: &SourceName) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM websub_subscriptions WHERE source = ?1",
            [source.as_str()],
        )?;
        Ok(())
    }

    /// The digest of the items last announced for `output`.
    pub fn websub_published(&self, output: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT digest FROM websub_published WHERE output = ?1")?
            .query_row([output], |r| r.get(0))
            .optional()?)
    }

    pub fn save_websub_published(&mut self, output: &str, digest: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO websub_published (output, digest) VALUES (?1, ?2)",
            params![output, digest],
        )?;
        Ok(())
    }
}

fn subscription(row: &Row<'_>) -> rusqlite::Result<Result<Subscription, StoreError>> {
    let source: String = row.get(0)?;
    let pending: Option<String> = row.get(5)?;
    let requested_at: i64 = row.get(6)?;
    let lease_until: Option<i64> = row.get(8)?;
    let (callback_id, hub, topic, secret, failures) = (
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(7)?,
    );
    Ok((|| {
        Ok(Subscription {
            source: SourceName::new(source)
                .map_err(|e| StoreError::Corrupt(format!("websub subscription: {e}")))?,
            callback_id,
            hub,
            topic,
            secret,
            pending: pending.as_deref().and_then(SubscriptionMode::parse),
            requested_at: from_unix(requested_at)?,
            failures,
            lease_until: lease_until.map(from_unix).transpose()?,
        })
    })())
}
