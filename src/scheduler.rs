//! Decides when each source is polled and runs the polls: each source at
//! its own time (remembered in the database across restarts), one poll per
//! source at a time, fetch slots bounding the rest. Follows config reloads.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use tokio::task::{self, JoinError, JoinSet};
use tokio::time::Instant;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::model::SourceName;
use crate::poll::{PollReport, Poller};
use crate::shutdown::Shutdown;

/// The scheduler wakes at least this often to look at the clock, so a
/// changed system time or a missed wake-up never stalls it for long.
const MAX_SLEEP: Duration = Duration::from_secs(30);

pub struct Scheduler {
    poller: Arc<Poller>,
    config: watch::Receiver<Arc<Config>>,
    metrics: Arc<Metrics>,
    /// When each source is next due; a source missing here is due now.
    due: HashMap<SourceName, DateTime<Utc>>,
    /// Sources being polled, with their task.
    running: HashMap<SourceName, task::Id>,
    /// Sources to poll now, whatever their due time: a watched folder
    /// changed.
    wake: Option<mpsc::UnboundedReceiver<SourceName>>,
    /// Sources woken while being polled: polled again once that poll
    /// ends, since it may have looked before the change.
    again: HashSet<SourceName>,
}

impl Scheduler {
    /// A scheduler resuming from the fetch state stored in the database.
    pub async fn resume(
        poller: Arc<Poller>,
        config: watch::Receiver<Arc<Config>>,
        metrics: Arc<Metrics>,
    ) -> Scheduler {
        let states = poller.store().fetch_states().await.unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot read the fetch state; polling every source now");
            HashMap::new()
        });
        let due = states
            .into_iter()
            .filter_map(|(name, state)| Some((SourceName::new(name).ok()?, state.next_due?)))
            .collect();
        Scheduler {
            poller,
            config,
            metrics,
            due,
            running: HashMap::new(),
            wake: None,
            again: HashSet::new(),
        }
    }

    /// Polls a source as soon as its name arrives on `wake`.
    pub fn woken_by(mut self, wake: mpsc::UnboundedReceiver<SourceName>) -> Scheduler {
        self.wake = Some(wake);
        self
    }

    /// Polls sources as they fall due until `stop` fires; then waits
    /// up to `grace` for polls in flight and abandons the rest (their
    /// sources stay due and are polled after the next start).
    pub async fn run(mut self, mut stop: Shutdown, grace: Duration) {
        let mut polls = JoinSet::new();
        // The sources are scanned only when the earliest due time comes or
        // the config changes, not after every finished poll: with
        // thousands of sources that would be quadratic.
        let wake = tokio::time::sleep(Duration::ZERO);
        tokio::pin!(wake);
        let mut scan = true;
        loop {
            if scan {
                let config = self.config.borrow_and_update().clone();
                let wait = self.launch_due(&config, &mut polls);
                wake.as_mut().reset(Instant::now() + wait);
                scan = false;
            }
            tokio::select! {
                _ = &mut wake => scan = true,
                Some(done) = polls.join_next() => {
                    if let Some(at) = self.finish(done) {
                        if at < wake.deadline() {
                            wake.as_mut().reset(at);
                        }
                    }
                }
                Some(name) = woken(&mut self.wake) => {
                    self.poll_soon(name);
                    scan = true;
                }
                changed = self.config.changed() => {
                    if changed.is_err() { break }
                    tracing::info!("scheduler following the reloaded config");
                    scan = true;
                }
                _ = stop.wait() => break,
            }
        }
        self.drain(polls, grace).await;
    }

    /// Starts a poll for every due source not already being polled and
    /// returns how long to sleep until the next one is due.
    fn launch_due(&mut self, config: &Config, polls: &mut JoinSet<PollReport>) -> Duration {
        // What `/readyz` reads to tell a running scheduler from a stuck one.
        self.metrics.scheduler_beat();
        let now = Utc::now();
        let mut next = now + chrono::Duration::from_std(MAX_SLEEP).unwrap_or_default();
        for source in config.sources.iter().filter(|s| s.is_polled()) {
            if self.running.contains_key(&source.name) {
                continue;
            }
            let due = self.due.get(&source.name).copied().unwrap_or(now);
            if due > now {
                next = next.min(due);
                continue;
            }
            let poller = Arc::clone(&self.poller);
            let owned = source.clone();
            let task = polls.spawn(async move { poller.poll(&owned).await });
            self.running.insert(source.name.clone(), task.id());
        }
        (next - now).to_std().unwrap_or_default()
    }

    fn poll_soon(&mut self, name: SourceName) {
        if self.running.contains_key(&name) {
            self.again.insert(name);
        } else {
            self.due.insert(name, Utc::now());
        }
    }

    /// Records a finished poll; returns when its source is next due.
    fn finish(&mut self, done: Result<PollReport, JoinError>) -> Option<Instant> {
        let (source, due) = match done {
            Ok(report) => {
                self.metrics.record_fetch(
                    report.source.as_str(),
                    report.outcome.result(),
                    report.elapsed,
                );
                (report.source, report.next_due)
            }
            Err(e) => self.failed_task(&e)?,
        };
        self.running.remove(&source);
        let due = if self.again.remove(&source) {
            Utc::now()
        } else {
            due
        };
        self.due.insert(source, due);
        Some(Instant::now() + (due - Utc::now()).to_std().unwrap_or_default())
    }

    /// A poll task only ends without a report when it panicked (a bug:
    /// reading input cannot panic the task) or was aborted at shutdown.
    /// Its source waits an hour, so a bug cannot make it spin.
    fn failed_task(&self, e: &JoinError) -> Option<(SourceName, DateTime<Utc>)> {
        let name = self
            .running
            .iter()
            .find_map(|(name, id)| (*id == e.id()).then(|| name.clone()))?;
        tracing::error!(source = %name, error = %e, "a poll task failed");
        Some((name, Utc::now() + chrono::Duration::hours(1)))
    }

    async fn drain(mut self, mut polls: JoinSet<PollReport>, grace: Duration) {
        if polls.is_empty() {
            return;
        }
        tracing::info!(
            in_flight = polls.len(),
            "stopping: waiting for polls in flight"
        );
        let deadline = tokio::time::sleep(grace);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                done = polls.join_next() => match done {
                    Some(done) => {
                        self.finish(done);
                    }
                    None => return,
                },
                _ = &mut deadline => {
                    tracing::warn!(abandoned = polls.len(), "stopping: abandoning polls still in flight");
                    polls.abort_all();
                    return;
                }
            }
        }
    }
}

/// The next name on `wake`; never, without one.
async fn woken(wake: &mut Option<mpsc::UnboundedReceiver<SourceName>>) -> Option<SourceName> {
    match wake {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
