//! Memory for bodies in flight, bounded as a whole. Fetches run many at
//! once (`[daemon] concurrency`), and each body may be as large as
//! `max_body_kb`: 64 bodies of 16 MiB would hold a gigabyte. A body stays
//! free while it is small; one that grows past `SMALL_BODY` waits for one
//! of a few large-body slots and keeps it until it has been read and
//! parsed, so at most that many large bodies are in memory at once.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Most feeds are well under this; 64 of them in flight hold 16 MiB.
pub const SMALL_BODY: usize = 256 * 1024;

/// Large bodies at once per core: one being parsed, one being read.
const LARGE_PER_CORE: usize = 2;

#[derive(Clone, Debug)]
pub struct BodySlots(Arc<Semaphore>);

/// Held with a large body until it is dropped; empty for a small body.
#[derive(Debug, Default)]
pub struct BodySlot(Option<OwnedSemaphorePermit>);

impl BodySlots {
    /// Slots for this machine's cores.
    pub fn for_cores() -> BodySlots {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        BodySlots::new(cores * LARGE_PER_CORE)
    }

    pub fn new(large: usize) -> BodySlots {
        BodySlots(Arc::new(Semaphore::new(large.max(1))))
    }

    /// Waits for a large-body slot.
    pub async fn large(&self) -> BodySlot {
        let permit = Arc::clone(&self.0)
            .acquire_owned()
            .await
            .expect("the body semaphore is never closed");
        BodySlot(Some(permit))
    }

    /// A slot for a body of `len` bytes: none when it is small.
    pub async fn for_len(&self, len: u64) -> BodySlot {
        if len > SMALL_BODY as u64 {
            self.large().await
        } else {
            BodySlot::default()
        }
    }
}

impl BodySlot {
    pub fn is_held(&self) -> bool {
        self.0.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn large_bodies_wait_for_a_slot_and_small_ones_do_not() {
        let slots = BodySlots::new(1);
        let held = slots.for_len(SMALL_BODY as u64 + 1).await;
        assert!(held.is_held());
        let second = tokio::time::timeout(Duration::from_millis(50), slots.large()).await;
        assert!(second.is_err(), "a second large body waited");
        let small = slots.for_len(SMALL_BODY as u64).await;
        assert!(!small.is_held());
        drop(held);
        let freed = tokio::time::timeout(Duration::from_millis(50), slots.large()).await;
        assert!(freed.is_ok());
    }
}
