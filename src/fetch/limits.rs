//! How many fetches may run at once: over all hosts, and to any one host,
//! so thousands of sources never hammer a server that hosts many of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Target;

#[derive(Clone)]
pub struct FetchSlots {
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

/// Held for the duration of one fetch.
pub struct FetchPermit {
    _host: Option<OwnedSemaphorePermit>,
    _global: OwnedSemaphorePermit,
}

impl FetchSlots {
    pub fn new(global: usize, per_host: usize) -> FetchSlots {
        FetchSlots {
            global: Arc::new(Semaphore::new(global.max(1))),
            per_host: per_host.max(1),
            hosts: Arc::default(),
        }
    }

    /// Waits for a slot to `target`'s host, then for a global one: in that
    /// order, so a fetch queued behind a busy host holds no global slot.
    pub async fn acquire(&self, target: &Target) -> FetchPermit {
        let host = match target {
            Target::Http(url) => Some(self.host_semaphore(url)),
            Target::File(_) => None,
        };
        let host = match host {
            Some(sem) => sem.acquire_owned().await.ok(),
            None => None,
        };
        let global = Arc::clone(&self.global)
            .acquire_owned()
            .await
            .expect("the global semaphore is never closed");
        FetchPermit {
            _host: host,
            _global: global,
        }
    }

    fn host_semaphore(&self, url: &url::Url) -> Arc<Semaphore> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            url.port_or_known_default().unwrap_or(0)
        );
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(
            hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_host_is_limited_while_others_proceed() {
        let slots = FetchSlots::new(4, 1);
        let a = Target::Http("http://a.example/1".parse().unwrap());
        let a2 = Target::Http("http://a.example/2".parse().unwrap());
        let b = Target::Http("http://b.example/1".parse().unwrap());
        let held = slots.acquire(&a).await;
        let blocked = tokio::time::timeout(Duration::from_millis(50), slots.acquire(&a2)).await;
        assert!(blocked.is_err(), "a second fetch to the same host waited");
        let other = tokio::time::timeout(Duration::from_millis(50), slots.acquire(&b)).await;
        assert!(other.is_ok(), "another host was not held up");
        drop(held);
        let freed = tokio::time::timeout(Duration::from_millis(50), slots.acquire(&a2)).await;
        assert!(freed.is_ok());
    }

    #[tokio::test]
    async fn global_limit_applies_across_hosts() {
        let slots = FetchSlots::new(1, 4);
        let a = Target::Http("http://a.example/".parse().unwrap());
        let b = Target::Http("http://b.example/".parse().unwrap());
        let _held = slots.acquire(&a).await;
        let blocked = tokio::time::timeout(Duration::from_millis(50), slots.acquire(&b)).await;
        assert!(blocked.is_err());
    }
}
