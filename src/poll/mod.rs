//! Polling one source, start to finish: fetch, parse, normalize, store,
//! and the fetch state that decides when to come back. The scheduler and
//! `syndic poll` both go through here, so they behave the same.

pub mod adaptive;
pub mod next_due;
mod pacing;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::{DaemonSettings, FullText, Location, SourceConfig};
use crate::feed_schedule::FeedSchedule;
use crate::fetch::{
    self, Body, ClientError, DumpFile, DumpGlobError, FetchError, FetchSlots, Fetched, Fetcher,
    FileStamps, Target, Validators,
};
use crate::model::{ContentHash, Item, PollResult, SourceKind, SourceName};
use crate::normalize::dump::{dump_items, Dump, DumpError, DumpMeta};
use crate::store::{
    FetchState, HandleError, PollRecord, SourceFeed, StoreHandle, UpsertSummary, WriteSlot,
};
use crate::websub::{discover::advertised, PollHook};
use next_due::Hints;
use pacing::set_due;

/// Polls sources; one per daemon (or per `syndic poll`), shared by all.
#[derive(Clone)]
pub struct Poller {
    fetcher: Fetcher,
    slots: FetchSlots,
    store: StoreHandle,
    max_body: u64,
    max_items: usize,
    /// Parsing and normalizing are CPU and memory bound: at most one per
    /// core at a time, however many fetches are in flight.
    readers: Arc<Semaphore>,
    /// The daemon's WebSub subscriber, told what feeds advertise.
    websub: Option<PollHook>,
}

/// What one poll did.
#[derive(Debug)]
pub struct PollReport {
    pub source: SourceName,
    pub outcome: PollOutcome,
    pub elapsed: Duration,
    pub next_due: DateTime<Utc>,
}

#[derive(Debug)]
pub enum PollOutcome {
    /// New content was read and stored; `warning` names files that failed
    /// while the rest of a batch went in.
    Stored {
        summary: UpsertSummary,
        warning: Option<String>,
    },
    NotModified,
    Failed(PollError),
    /// Disabled by `410 Gone`; not fetched.
    Disabled,
}

impl PollOutcome {
    pub fn result(&self) -> PollResult {
        match self {
            PollOutcome::Stored { .. } => PollResult::Ok,
            PollOutcome::NotModified => PollResult::NotModified,
            PollOutcome::Failed(PollError::Fetch(FetchError::Gone)) => PollResult::Gone,
            PollOutcome::Failed(_) => PollResult::Error,
            PollOutcome::Disabled => PollResult::Disabled,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("cannot read the feed: {0}")]
    Parse(#[from] crate::parse::ParseError),
    #[error("cannot read the dump: {0}")]
    Dump(#[from] DumpError),
    #[error(transparent)]
    DumpFiles(#[from] DumpGlobError),
    #[error("cannot read the page: {0}")]
    Scrape(#[from] crate::scrape::ScrapeError),
    #[error("database: {0}")]
    Store(#[from] HandleError),
    #[error("source `{0}` has no url or path to poll: it only takes dumps pushed to /ingest/{0}")]
    PushOnly(SourceName),
    #[error("internal error while reading the source (please report it): {0}")]
    Internal(#[from] tokio::task::JoinError),
}

/// What a successful fetch and read produced.
struct Harvest {
    /// `None` when nothing changed since the last poll.
    items: Option<Vec<Item>>,
    validators: Validators,
    /// `Cache-Control: max-age`.
    max_age: Option<Duration>,
    /// What a feed read said of its schedule.
    schedule: Option<FeedSchedule>,
    moved_to: Option<Url>,
    warning: Option<String>,
    /// For a folder of dumps, the file stamps to remember when they changed.
    files: Option<FileStamps>,
    /// The digest of a body read whole, to know it again next time.
    body_hash: Option<String>,
    /// What a feed read said of itself.
    feed: Option<SourceFeed>,
}

impl Poller {
    pub fn new(
        settings: &DaemonSettings,
        slots: FetchSlots,
        store: StoreHandle,
    ) -> Result<Poller, ClientError> {
        Ok(Poller::with_fetcher(
            settings,
            Fetcher::new(settings.into())?,
            slots,
            store,
        ))
    }

    /// A poller fetching through `fetcher` (one made with
    /// [`Fetcher::with_overrides`], in tests).
    pub fn with_fetcher(
        settings: &DaemonSettings,
        fetcher: Fetcher,
        slots: FetchSlots,
        store: StoreHandle,
    ) -> Poller {
        Poller {
            fetcher,
            slots,
            store,
            max_body: settings.max_body_bytes,
            max_items: settings.max_items,
            readers: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(2, usize::from),
            )),
            websub: None,
        }
    }

    /// Tells `hook` the hubs that feeds advertise, and slows the polls of
    /// sources its hub pushes.
    pub fn with_websub(mut self, hook: PollHook) -> Poller {
        self.websub = Some(hook);
        self
    }

    pub fn store(&self) -> &StoreHandle {
        &self.store
    }

    /// Polls `source` once, records the result, and logs one line.
    /// Fetching and reading hold a fetch slot, so they are bounded by the
    /// same limits as the network, and memory with them; the slot is
    /// handed back once the poll has room in the writer's queue (which is
    /// bounded too), so the next fetch need not wait for the writer.
    pub async fn poll(&self, source: &SourceConfig) -> PollReport {
        let started = Instant::now();
        let now = Utc::now();
        // The configured address decides the slot: a redirect to another
        // host is rare enough not to need its own.
        let Some(slot) = target(source, None) else {
            return PollReport {
                source: source.name.clone(),
                outcome: PollOutcome::Failed(PollError::PushOnly(source.name.clone())),
                elapsed: started.elapsed(),
                next_due: after(now, source.interval),
            };
        };
        let mut permit = Some(self.slots.acquire(&slot).await);
        let outcome = match self.state(source).await {
            Ok(state) if state.disabled => Ok((PollOutcome::Disabled, after(now, source.interval))),
            Ok(state) => {
                let mut harvest = self.harvest(source, &state, now).await;
                if let Some(full_text) = &source.full_text {
                    // Pages take slots of their own: holding this one
                    // while waiting for them could deadlock two polls.
                    permit = None;
                    harvest = self
                        .complete_full_text(source, full_text, harvest, now)
                        .await;
                }
                let write = self.store.reserve_write().await;
                drop(permit.take());
                Ok(self.settle(source, state, harvest, write, now).await)
            }
            Err(e) => Err(e),
        };
        let (outcome, next_due) = outcome.unwrap_or_else(|e| {
            (
                PollOutcome::Failed(e.into()),
                after(now, Duration::from_secs(60)),
            )
        });
        let report = PollReport {
            source: source.name.clone(),
            outcome,
            elapsed: started.elapsed(),
            next_due,
        };
        log(&report);
        report
    }

    /// The stored state, or a fresh one when the source is new or its
    /// configured location changed (what was learnt about the old address
    /// does not apply to the new one).
    async fn state(&self, source: &SourceConfig) -> Result<FetchState, HandleError> {
        self.adopt_renamed(source).await?;
        let name = source.name.clone();
        let stored = self.store.fetch_state(name).await?;
        let location = source.location.to_string();
        Ok(match stored {
            Some(state) if state.location.as_deref() == Some(location.as_str()) => state,
            _ => FetchState {
                location: Some(location),
                ..FetchState::default()
            },
        })
    }

    /// Moves what the database holds under a renamed source's old name to
    /// its new one before the state is read, so the poll goes on from
    /// there. The read first spares a write on every later poll.
    async fn adopt_renamed(&self, source: &SourceConfig) -> Result<(), HandleError> {
        let Some((old, new)) = source.rename() else {
            return Ok(());
        };
        if self.store.holds_source(old.clone()).await? {
            self.store.adopt_renamed(vec![(old, new)]).await?;
            self.store.mark_changed();
        }
        Ok(())
    }

    async fn harvest(
        &self,
        source: &SourceConfig,
        state: &FetchState,
        now: DateTime<Utc>,
    ) -> Result<Harvest, PollError> {
        if let (SourceKind::Text, Location::Path(pattern)) = (source.kind, &source.location) {
            return self
                .read_dump_folder(source, pattern.clone(), state, now)
                .await;
        }
        let target = target(source, state.moved_to.as_deref())
            .ok_or_else(|| PollError::PushOnly(source.name.clone()))?;
        let validators = Validators {
            etag: state.etag.clone(),
            last_modified: state.last_modified.clone(),
        };
        let fetched = self
            .fetcher
            .fetch(&target, &validators, source.into())
            .await?;
        let fetched = match source.kind {
            SourceKind::Feed => {
                fetch::discover::follow_alternate(&self.fetcher, fetched, source.into()).await?
            }
            SourceKind::Text | SourceKind::Html => fetched,
        };
        self.read_fetched(source, fetched, state, now).await
    }

    /// Completes the items read with their pages' articles (`full_text`).
    async fn complete_full_text(
        &self,
        source: &SourceConfig,
        full_text: &FullText,
        mut harvest: Result<Harvest, PollError>,
        now: DateTime<Utc>,
    ) -> Result<Harvest, PollError> {
        if let Ok(h) = &mut harvest {
            let Some(items) = &mut h.items else {
                return harvest;
            };
            let pages = crate::full_text::Pages {
                fetcher: &self.fetcher,
                slots: &self.slots,
                store: &self.store,
                readers: &self.readers,
            };
            if crate::full_text::complete(pages, source, full_text, items, now).await? {
                // Pages are left for the next poll: it must read the feed
                // whole again, even unchanged, to find their items.
                h.validators = Validators::default();
                h.body_hash = None;
            }
        }
        harvest
    }

    /// Parses and normalizes a changed body, unless it is byte for byte the
    /// one read last time (servers without validators resend it whole):
    /// then nothing is parsed, as after a `304`.
    async fn read_fetched(
        &self,
        source: &SourceConfig,
        fetched: Fetched,
        state: &FetchState,
        now: DateTime<Utc>,
    ) -> Result<Harvest, PollError> {
        let mut harvest = Harvest {
            items: None,
            validators: fetched.validators,
            max_age: fetched.max_age,
            schedule: None,
            moved_to: fetched.moved_to,
            warning: None,
            files: None,
            body_hash: None,
            feed: None,
        };
        let Body::Changed {
            bytes,
            charset,
            url,
            slot: _large_body,
        } = fetched.body
        else {
            return Ok(harvest);
        };
        if let (Some(hook), SourceKind::Feed) = (&self.websub, source.kind) {
            // Before the digest: a `Link` header can change with the body
            // resent as it was.
            let hub = advertised(&bytes, fetched.link_header.as_deref(), url.as_ref());
            hook.advertised(&source.name, hub);
        }
        let hash = ContentHash::of_bytes(&bytes).as_str().to_string();
        if state.body_hash.as_deref() == Some(hash.as_str()) {
            return Ok(harvest);
        }
        harvest.body_hash = Some(hash);
        let name = source.name.clone();
        let kind = source.kind;
        let selectors = source.selectors.clone();
        let max_items = self.max_items;
        let _reader = self.readers.acquire().await;
        let read = blocking(move || match kind {
            SourceKind::Feed => read_feed(
                &bytes,
                charset.as_deref(),
                &name,
                url.as_ref(),
                now,
                max_items,
            ),
            SourceKind::Text => read_dump(&bytes, &name, url.as_ref(), now, max_items),
            SourceKind::Html => {
                let html = crate::extract::decode_page(&bytes, charset.as_deref());
                let items = crate::scrape::listing_items(
                    &html,
                    url.as_ref(),
                    &name,
                    now,
                    selectors.as_ref(),
                    max_items,
                )?;
                Ok(Read {
                    items,
                    schedule: None,
                    warning: None,
                    feed: None,
                })
            }
        })
        .await??;
        harvest.items = Some(read.items);
        harvest.schedule = read.schedule;
        harvest.warning = read.warning;
        harvest.feed = read.feed;
        Ok(harvest)
    }

    /// Reads the dumps of a folder that are new or changed since the last
    /// poll. A file that cannot be read or normalized is left out of the
    /// stamps, so it is tried again (and reported) at every poll until fixed.
    async fn read_dump_folder(
        &self,
        source: &SourceConfig,
        pattern: std::path::PathBuf,
        state: &FetchState,
        now: DateTime<Utc>,
    ) -> Result<Harvest, PollError> {
        let name = source.name.clone();
        // A fresh state (a new source, or one whose path was edited)
        // starts from no stamps: every file is read.
        let known = match state.last_fetch {
            Some(_) => self.store.file_stamps(name).await?,
            None => FileStamps::default(),
        };
        let name = source.name.clone();
        let (max_body, max_items) = (self.max_body, self.max_items);
        let (items, found, failures, cuts) = blocking(move || {
            let mut found = fetch::read_changed(&pattern, &known, max_body)?;
            let mut failures: Vec<String> = found.failures.iter().map(|f| f.to_string()).collect();
            let (mut items, mut cuts) = (Vec::new(), Vec::new());
            for file in &found.changed {
                match dump_file_items(file, &name, now, max_items) {
                    Ok(read) => {
                        cuts.extend(read.warnings);
                        cuts.extend(dump_cut_warning(&file.origin, read.items.len(), max_items));
                        items.extend(read.items);
                    }
                    Err(e) => {
                        found.stamps.remove(&file.origin);
                        failures.push(e.to_string());
                    }
                }
            }
            let changed = found.stamps != known;
            Ok::<_, PollError>((items, (found, changed), failures, cuts))
        })
        .await??;
        let (found, stamps_changed) = found;
        let unread = (!failures.is_empty()).then(|| {
            format!(
                "{} of {} files could not be read: {}",
                failures.len(),
                found.matched,
                failures.join("; ")
            )
        });
        let warnings: Vec<String> = unread.into_iter().chain(cuts).collect();
        let warning = (!warnings.is_empty()).then(|| warnings.join("; "));
        let read_any = !found.changed.is_empty() || warning.is_some();
        Ok(Harvest {
            items: read_any.then_some(items),
            validators: Validators::default(),
            max_age: None,
            schedule: None,
            moved_to: None,
            warning,
            files: stamps_changed.then_some(found.stamps),
            body_hash: None,
            feed: None,
        })
    }

    /// Stores what the poll found, updates the fetch state, and decides
    /// when to come back.
    async fn settle(
        &self,
        source: &SourceConfig,
        mut state: FetchState,
        harvest: Result<Harvest, PollError>,
        write: Result<WriteSlot, HandleError>,
        now: DateTime<Utc>,
    ) -> (PollOutcome, DateTime<Utc>) {
        state.last_fetch = Some(now);
        let (outcome, record) = match harvest {
            Ok(h) => self.succeeded(source, state, h, now).await,
            Err(e) => failed(source, state, e, now),
        };
        let next_due = record.state.next_due.unwrap_or(now);
        (self.record(source, record, outcome, write).await, next_due)
    }

    async fn succeeded(
        &self,
        source: &SourceConfig,
        mut state: FetchState,
        h: Harvest,
        now: DateTime<Utc>,
    ) -> (PollOutcome, Record) {
        state.failures = 0;
        state.etag = h.validators.etag;
        state.last_modified = h.validators.last_modified;
        state.body_hash = h.body_hash.or(state.body_hash.take());
        if let Some(url) = h.moved_to {
            tracing::info!(
                source = %source.name,
                to = %url,
                "permanent redirect: polling the new address from now on"
            );
            state.moved_to = Some(url.to_string());
        }
        if let Some(schedule) = h.schedule {
            state.feed_schedule = schedule;
        }
        state.last_error = h.warning.clone();
        let items = h.items.as_deref().unwrap_or_default();
        let hints = Hints {
            retry_after: None,
            max_age: h.max_age,
            feed: state.feed_schedule,
        };
        let due = self.due_after_success(source, items, hints, now).await;
        set_due(&mut state, due);
        if let Some(hook) = &self.websub {
            hook.slow_down(&source.name, &mut state, now);
        }
        let (outcome, items) = match h.items {
            Some(items) => {
                state.last_status = Some(PollResult::Ok);
                let outcome = PollOutcome::Stored {
                    summary: UpsertSummary::default(),
                    warning: h.warning,
                };
                (outcome, items)
            }
            None => {
                state.last_status = Some(PollResult::NotModified);
                (PollOutcome::NotModified, Vec::new())
            }
        };
        let record = Record {
            state,
            items,
            feed: h.feed,
            files: h.files,
        };
        (outcome, record)
    }

    /// Writes items and state in one transaction (shared with other
    /// polls' writes, see `store/group_commit.rs`); a failed write turns the
    /// outcome into a failure (the state then stays as it was, so the next
    /// poll fetches again).
    async fn record(
        &self,
        source: &SourceConfig,
        record: Record,
        outcome: PollOutcome,
        write: Result<WriteSlot, HandleError>,
    ) -> PollOutcome {
        let written = match write {
            Ok(slot) => {
                let record = PollRecord {
                    source: source.name.clone(),
                    items: record.items,
                    state: record.state,
                    feed: record.feed,
                    files: record.files,
                };
                self.store.record_poll(slot, record).await
            }
            Err(e) => Err(e),
        };
        match (written, outcome) {
            (Err(e), _) => PollOutcome::Failed(e.into()),
            (Ok(recorded), PollOutcome::Stored { warning, .. }) => {
                if recorded.changed() {
                    self.store.bump_sources(std::slice::from_ref(&source.name));
                }
                PollOutcome::Stored {
                    summary: recorded.summary,
                    warning,
                }
            }
            (Ok(_), other) => other,
        }
    }
}

/// What one poll writes.
struct Record {
    state: FetchState,
    items: Vec<Item>,
    feed: Option<SourceFeed>,
    files: Option<FileStamps>,
}

/// Records a failed poll in the state and backs off.
fn failed(
    source: &SourceConfig,
    mut state: FetchState,
    e: PollError,
    now: DateTime<Utc>,
) -> (PollOutcome, Record) {
    state.failures = state.failures.saturating_add(1);
    state.last_error = Some(e.to_string());
    let retry_after = match &e {
        PollError::Fetch(f) => f.retry_after(),
        _ => None,
    };
    if matches!(e, PollError::Fetch(FetchError::Gone)) {
        state.disabled = true;
        state.last_status = Some(PollResult::Gone);
    } else {
        state.last_status = Some(PollResult::Error);
    }
    // A move into a private network recorded before such moves were
    // refused: back to the configured address.
    if matches!(e, PollError::Fetch(FetchError::Private(_))) {
        state.moved_to = None;
    }
    let hints = Hints {
        retry_after,
        max_age: None,
        feed: state.feed_schedule,
    };
    let due = next_due::after_failure(
        now,
        source.interval,
        state.failures,
        hints,
        &mut rand::thread_rng(),
    );
    set_due(&mut state, due);
    let record = Record {
        state,
        items: Vec::new(),
        feed: None,
        files: None,
    };
    (PollOutcome::Failed(e), record)
}

fn after(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(wait).unwrap_or_default()
}

/// Where to fetch: a permanent redirect's target once one was seen, else
/// the configured address.
/// `None` for a source only pushed to.
fn target(source: &SourceConfig, moved_to: Option<&str>) -> Option<Target> {
    Some(
        match (&source.location, moved_to.and_then(|u| Url::parse(u).ok())) {
            (Location::Url(_), Some(moved)) => Target::Http(moved),
            (Location::Url(url), None) => Target::Http(url.clone()),
            (Location::Path(path), _) => Target::File(path.clone()),
            (Location::Push, _) => return None,
        },
    )
}

/// What reading one body gave.
struct Read {
    items: Vec<Item>,
    /// `None` for a dump, which says nothing of its schedule.
    schedule: Option<FeedSchedule>,
    warning: Option<String>,
    /// `None` for a dump, which says nothing of itself.
    feed: Option<SourceFeed>,
}

fn read_feed(
    bytes: &[u8],
    charset: Option<&str>,
    source: &SourceName,
    url: Option<&Url>,
    now: DateTime<Utc>,
    max_items: usize,
) -> Result<Read, PollError> {
    let feed = crate::parse::parse_feed_at_most(bytes, charset, max_items)?;
    let items = crate::normalize::feed::feed_items(&feed, source, url, now);
    let warning = (feed.skipped > 0).then(|| {
        format!(
            "the feed holds {} entries; kept the newest {max_items} ([daemon] max_items)",
            feed.skipped + feed.entries.len()
        )
    });
    Ok(Read {
        items,
        schedule: Some(feed.schedule),
        warning,
        feed: Some(crate::normalize::source_feed::source_feed(&feed, url)),
    })
}

/// The items of a feed document a WebSub hub pushed for `source`, read
/// as a poll reads a fetched one.
pub fn pushed_feed_items(
    bytes: &[u8],
    charset: Option<&str>,
    source: &SourceName,
    topic: Option<&Url>,
    now: DateTime<Utc>,
    max_items: usize,
) -> Result<Vec<Item>, PollError> {
    read_feed(bytes, charset, source, topic, now, max_items).map(|read| read.items)
}

fn read_dump(
    bytes: &[u8],
    source: &SourceName,
    url: Option<&Url>,
    now: DateTime<Utc>,
    max_items: usize,
) -> Result<Read, PollError> {
    let origin = url.map_or_else(|| source.to_string(), Url::to_string);
    let meta = DumpMeta {
        source,
        origin: &origin,
        fallback_date: now,
        now,
        max_items,
    };
    let dump = dump_items(bytes, &meta)?;
    let warnings: Vec<String> = dump
        .warnings
        .into_iter()
        .chain(dump_cut_warning(&origin, dump.items.len(), max_items))
        .collect();
    let warning = (!warnings.is_empty()).then(|| warnings.join("; "));
    Ok(Read {
        items: dump.items,
        schedule: None,
        warning,
        feed: None,
    })
}

/// Says that a dump gave as many items as it may, so the rest were left out.
pub fn dump_cut_warning(origin: &str, items: usize, max_items: usize) -> Option<String> {
    (items >= max_items).then(|| {
        format!("{origin}: kept the first {max_items} items of the dump ([daemon] max_items)")
    })
}

/// The items of one dump file, dated by its modification time where its
/// text gives no date (standard input is dated `now`).
pub fn dump_file_items(
    file: &DumpFile,
    source: &SourceName,
    now: DateTime<Utc>,
    max_items: usize,
) -> Result<Dump, DumpError> {
    let meta = DumpMeta {
        source,
        origin: &file.origin,
        fallback_date: file.modified.unwrap_or(now),
        now,
        max_items,
    };
    if crate::extract::saved_page::is_saved_page(&file.origin) {
        return crate::extract::saved_page::items(&file.bytes, &meta);
    }
    dump_items(&file.bytes, &meta)
}

/// Runs CPU-bound reading off the async threads; a panic in it (a bug)
/// becomes this source's error instead of taking the daemon down.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PollError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(PollError::Internal)
}

/// One line per poll.
fn log(report: &PollReport) {
    let ms = report.elapsed.as_millis() as u64;
    let source = report.source.as_str();
    let result = report.outcome.result().as_str();
    match &report.outcome {
        PollOutcome::Stored { summary, warning } => tracing::info!(
            source,
            result,
            new = summary.inserted,
            updated = summary.updated,
            unchanged = summary.unchanged,
            tombstoned = summary.tombstoned,
            rotated_ids = summary.rotated,
            ms,
            warning = warning.as_deref(),
            "fetched"
        ),
        PollOutcome::NotModified => tracing::info!(source, result, ms, "fetched"),
        PollOutcome::Disabled => tracing::debug!(source, "disabled by 410 Gone; not fetched"),
        PollOutcome::Failed(e) => tracing::warn!(
            source,
            result,
            ms,
            next = %report.next_due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            error = %e,
            "fetch failed"
        ),
    }
}
