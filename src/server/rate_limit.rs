//! A token bucket per client address for the search routes, whose
//! uncached answers cost real work: each client may make `BURST`
//! requests at once, then one every `REFILL_EVERY`. A feed reader
//! polling a few searches every few minutes never meets the limit; a
//! script asking one query after another does. Clients behind one proxy
//! share its address, and so one bucket.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Requests a client may make at once.
pub const BURST: f64 = 10.0;
/// One more request is allowed per this interval.
pub const REFILL_EVERY: Duration = Duration::from_secs(3);
/// Buckets kept at most; beyond it, full ones (idle clients) are dropped.
const MAX_CLIENTS: usize = 10_000;

#[derive(Debug, Default)]
pub struct RateLimit {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// The bucket refilled for the time passed until `now`.
    fn at(self, now: Instant) -> Bucket {
        let earned =
            now.saturating_duration_since(self.at).as_secs_f64() / REFILL_EVERY.as_secs_f64();
        Bucket {
            tokens: (self.tokens + earned).min(BURST),
            at: now,
        }
    }
}

impl RateLimit {
    /// Takes a token for `client`: `Ok` when it had one, else how long
    /// until it has.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, b| b.at(now).tokens < BURST);
        }
        let full = Bucket {
            tokens: BURST,
            at: now,
        };
        let bucket = buckets.entry(client).or_insert(full);
        *bucket = bucket.at(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(REFILL_EVERY.mul_f64(1.0 - bucket.tokens))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_one_request_per_interval() {
        let limit = RateLimit::default();
        let client: IpAddr = [192, 0, 2, 1].into();
        let start = Instant::now();
        for _ in 0..BURST as usize {
            assert!(limit.take(client, start).is_ok());
        }
        let wait = limit.take(client, start).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= REFILL_EVERY, "{wait:?}");
        assert!(limit.take(client, start + REFILL_EVERY).is_ok());
        assert!(limit.take(client, start + REFILL_EVERY).is_err());
    }

    #[test]
    fn each_client_has_its_own_bucket() {
        let limit = RateLimit::default();
        let now = Instant::now();
        let busy: IpAddr = [192, 0, 2, 1].into();
        while limit.take(busy, now).is_ok() {}
        assert!(limit.take([192, 0, 2, 2].into(), now).is_ok());
    }
}
