//! The writer thread's connection. The daemon may start while the
//! database cannot be written (a full disk, a read-only mount): it then
//! serves what the file holds, and the writer opens its connection again,
//! at most every few seconds, at each write asked of it, until that works.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{Store, StoreError};

/// The shortest wait between two attempts to open the writer connection.
const REOPEN_EVERY: Duration = Duration::from_secs(5);

pub(super) struct Writer {
    path: PathBuf,
    store: Option<Store>,
    /// Why the connection could not be opened, while it cannot.
    failure: String,
    next_attempt: Instant,
}

impl Writer {
    pub(super) fn open(store: Store, path: PathBuf) -> Writer {
        Writer {
            path,
            store: Some(store),
            failure: String::new(),
            next_attempt: Instant::now(),
        }
    }

    /// A writer without its connection yet, for `failure`.
    pub(super) fn failed(path: PathBuf, failure: &StoreError) -> Writer {
        Writer {
            path,
            store: None,
            failure: failure.to_string(),
            next_attempt: Instant::now() + REOPEN_EVERY,
        }
    }

    /// The connection, opened again first if it is missing and the last
    /// attempt is long enough ago; else why there is none.
    pub(super) fn store(&mut self) -> Result<&mut Store, String> {
        if self.store.is_none() && Instant::now() >= self.next_attempt {
            self.next_attempt = Instant::now() + REOPEN_EVERY;
            match Store::open(&self.path) {
                Ok(store) => {
                    tracing::info!(database = %self.path.display(), "the database can be written again");
                    self.store = Some(store);
                }
                Err(e) => {
                    tracing::debug!(error = %e, "the database still cannot be written");
                    self.failure = e.to_string();
                }
            }
        }
        self.store.as_mut().ok_or_else(|| self.failure.clone())
    }
}
