//! The writer thread's connection. The daemon may start while the
//! database cannot be written (a full disk, a read-only mount): it then
//! serves what the file holds, and the writer opens its connection again,
//! at most every few seconds, at each write asked of it, until that works.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::checkpoints::Checkpoints;
use super::group_commit::{self, Fate};
use super::handle::Job;
use super::{Store, StoreError};

/// The shortest wait between two attempts to open the writer connection.
const REOPEN_EVERY: Duration = Duration::from_secs(5);

/// How long the queue stays empty before the writer counts as idle and
/// checkpoints.
const QUIET_AFTER: Duration = Duration::from_secs(1);

/// Prepared statements the writer keeps: a poll's write uses about twenty.
const CACHED_STATEMENTS: usize = 64;

/// The writer's page cache, in KiB (SQLite's negative `cache_size`; the
/// default is 2 MB): a first run inserts all over the time index, and
/// every page that stays cached is one not read back. 32 MB took a first
/// poll of 10,000 feeds past its memory budget of 150 MB.
const CACHE_KIB: i64 = 8 * 1024;

pub(super) struct Writer {
    path: PathBuf,
    store: Option<Store>,
    checkpoints: Checkpoints,
    /// Why the connection could not be opened, while it cannot.
    failure: String,
    next_attempt: Instant,
}

impl Writer {
    pub(super) fn open(store: Store, path: PathBuf) -> Writer {
        tune(&store);
        Writer {
            checkpoints: Checkpoints::new(&path),
            path,
            store: Some(store),
            failure: String::new(),
            next_attempt: Instant::now(),
        }
    }

    /// A writer without its connection yet, for `failure`.
    pub(super) fn failed(path: PathBuf, failure: &StoreError) -> Writer {
        Writer {
            checkpoints: Checkpoints::new(&path),
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
                    tune(&store);
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

impl Writer {
    /// Runs the jobs of `queue` until every handle is gone.
    pub(super) fn serve(mut self, queue: &Receiver<Job>) {
        let mut next = None;
        while let Some(job) = next.take().or_else(|| self.wait(queue)) {
            next = match job {
                Job::Alone(work) => {
                    work(self.store());
                    None
                }
                Job::Grouped(first) => match self.store() {
                    Ok(store) => group_commit::run(store, first, queue),
                    Err(why) => {
                        first.deliver(Fate::Unwritable(why));
                        None
                    }
                },
            };
            if let Some(store) = self.store.as_ref() {
                self.checkpoints.after_write(store);
            }
        }
    }

    /// The next job; checkpoints first when none comes for a while.
    fn wait(&mut self, queue: &Receiver<Job>) -> Option<Job> {
        match queue.recv_timeout(QUIET_AFTER) {
            Ok(job) => Some(job),
            Err(RecvTimeoutError::Disconnected) => None,
            Err(RecvTimeoutError::Timeout) => {
                if let Some(store) = self.store.as_ref() {
                    self.checkpoints.when_quiet(store);
                }
                queue.recv().ok()
            }
        }
    }
}

/// Sets the writer's connection up for its work; what cannot be set only
/// costs speed, so it is logged and not fatal.
fn tune(store: &Store) {
    store
        .conn
        .set_prepared_statement_cache_capacity(CACHED_STATEMENTS);
    let tuned = Checkpoints::take_over(store)
        .and_then(|()| store.conn.pragma_update(None, "cache_size", -CACHE_KIB));
    if let Err(e) = tuned {
        tracing::warn!(error = %e, "cannot tune the writer's connection");
    }
}
