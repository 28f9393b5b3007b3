//! Per-source fetch state, kept in the database so a restart neither
//! forgets validators nor refetches everything at once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::busy::write_transaction;
use super::files::replace_file_stamps;
use super::items::upsert_all;
use super::source_feeds::{forget_if_relocated, save_source_feed, SourceFeed};
use super::{from_unix, to_unix, tombstones, Store, StoreError, UpsertSummary};
use crate::feed_schedule::FeedSchedule;
use crate::fetch::FileStamps;
use crate::model::{Item, PollResult, SourceName};

/// What syndic remembers about fetching one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// When the source should next be polled; `None` is due now.
    pub next_due: Option<DateTime<Utc>>,
    /// Consecutive failures, for backoff.
    pub failures: u32,
    pub last_fetch: Option<DateTime<Utc>>,
    /// How the last poll ended.
    pub last_status: Option<PollResult>,
    pub last_error: Option<String>,
    /// The URL a permanent redirect pointed at.
    pub moved_to: Option<String>,
    /// Set by `410 Gone`: the source is not polled again.
    pub disabled: bool,
    /// The configured URL or path this state was learnt from.
    pub location: Option<String>,
    /// The digest of the last body read whole; the same body again is
    /// not parsed.
    pub body_hash: Option<String>,
    /// What the feed last said of its own schedule.
    pub feed_schedule: FeedSchedule,
    /// Why `next_due` is when it is.
    pub due_reason: Option<String>,
}

/// What recording one poll changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    pub summary: UpsertSummary,
    /// The feed's title, id or site link differ from those stored before.
    pub feed_changed: bool,
}

impl Recorded {
    /// True when rendered outputs may read differently.
    pub fn changed(&self) -> bool {
        self.summary.changed() || self.feed_changed
    }
}

/// A source's fetch state with its item count, for `syndic sources`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceStats {
    pub state: FetchState,
    pub items: u64,
    /// How many entries of the last poll that read any came under a new
    /// id and were recognised as stored items: the feed rotates its ids.
    pub rotated_ids: u64,
}

pub(super) const COLUMNS: &str =
    "etag, last_modified, next_due, failures, last_fetch, last_status, last_error, \
                       moved_to, disabled, location, body_hash, feed_schedule, due_reason";

impl Store {
    pub fn fetch_state(&self, source: &SourceName) -> Result<Option<FetchState>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM sources WHERE name = ?1");
        self.conn
            .prepare_cached(&sql)?
            .query_row([source.as_str()], raw_state)
            .optional()?
            .map(RawState::into_state)
            .transpose()
    }

    /// Every stored fetch state, by source name; read once at start-up so
    /// the scheduler resumes where it stopped.
    pub fn fetch_states(&self) -> Result<HashMap<String, FetchState>, StoreError> {
        let sql = format!("SELECT name, {COLUMNS} FROM sources");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, raw_state_at(r, 1)?)))?;
        rows.map(|row| {
            let (name, raw) = row?;
            Ok((name, raw.into_state()?))
        })
        .collect()
    }

    pub fn save_fetch_state(
        &mut self,
        source: &SourceName,
        state: &FetchState,
    ) -> Result<(), StoreError> {
        write_transaction(&mut self.conn, |tx| save_state(tx, source, state))
    }

    /// Stores a poll's items, the fetch state, what the feed said of
    /// itself (when the poll read one) and (for a folder of dumps) the
    /// stamps of the files read, in one transaction, so a crash leaves
    /// either all or none.
    pub fn record_poll(
        &mut self,
        source: &SourceName,
        items: &[Item],
        state: &FetchState,
        feed: Option<&SourceFeed>,
        files: Option<&FileStamps>,
    ) -> Result<Recorded, StoreError> {
        write_transaction(&mut self.conn, |tx| {
            record_poll(tx, source, items, state, feed, files)
        })
    }

    /// Every source the database knows, with its item count; a source with
    /// items but no fetch yet (imported dumps) appears with default state.
    pub fn source_stats(&self) -> Result<Vec<(String, SourceStats)>, StoreError> {
        let counts = self.item_counts()?;
        let sql = format!("SELECT name, rotated_ids, {COLUMNS} FROM sources ORDER BY name");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, u64>(1)?,
                raw_state_at(r, 2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, rotated_ids, raw) = row?;
            let items = counts.get(&name).copied().unwrap_or(0);
            out.push((
                name,
                SourceStats {
                    state: raw.into_state()?,
                    items,
                    rotated_ids,
                },
            ));
        }
        Ok(with_unpolled(out, counts))
    }
}

/// `stats` of the polled sources, with those that hold items but were
/// never polled (imported dumps) at default state, by name.
pub(super) fn with_unpolled(
    mut stats: Vec<(String, SourceStats)>,
    counts: HashMap<String, u64>,
) -> Vec<(String, SourceStats)> {
    for (name, items) in counts {
        if !stats.iter().any(|(n, _)| *n == name) {
            let unpolled = SourceStats {
                items,
                ..Default::default()
            };
            stats.push((name, unpolled));
        }
    }
    stats.sort_by(|a, b| a.0.cmp(&b.0));
    stats
}

/// [`Store::record_poll`] in a transaction the caller commits.
pub(super) fn record_poll(
    tx: &Transaction<'_>,
    source: &SourceName,
    items: &[Item],
    state: &FetchState,
    feed: Option<&SourceFeed>,
    files: Option<&FileStamps>,
) -> Result<Recorded, StoreError> {
    let summary = upsert_all(tx, items)?;
    // A poll that read no body (`304`, the same body, a failure)
    // leaves the source listing what it listed at its last read.
    if matches!(
        state.last_status,
        Some(PollResult::NotModified | PollResult::Error)
    ) {
        let previous: Option<i64> = tx
            .prepare_cached("SELECT last_fetch FROM sources WHERE name = ?1")?
            .query_row([source.as_str()], |r| r.get(0))
            .optional()?
            .flatten();
        if let Some(since) = previous {
            tombstones::still_listed(tx, source, since)?;
        }
    }
    let forgotten = forget_if_relocated(tx, source, state.location.as_deref())?;
    save_state(tx, source, state)?;
    // A poll that read nothing says nothing about the feed's ids.
    if !items.is_empty() {
        tx.prepare_cached("UPDATE sources SET rotated_ids = ?2 WHERE name = ?1")?
            .execute(params![
                source.as_str(),
                i64::try_from(summary.rotated).unwrap_or(i64::MAX)
            ])?;
    }
    let saved = match feed {
        Some(feed) => save_source_feed(tx, source, feed)?,
        None => false,
    };
    if let Some(files) = files {
        replace_file_stamps(tx, source, files)?;
    }
    Ok(Recorded {
        summary,
        feed_changed: forgotten || saved,
    })
}

pub(super) struct RawState {
    pub(super) etag: Option<String>,
    pub(super) last_modified: Option<String>,
    pub(super) next_due: Option<i64>,
    pub(super) failures: u32,
    pub(super) last_fetch: Option<i64>,
    pub(super) last_status: Option<String>,
    pub(super) last_error: Option<String>,
    pub(super) moved_to: Option<String>,
    pub(super) disabled: bool,
    pub(super) location: Option<String>,
    pub(super) body_hash: Option<String>,
    pub(super) feed_schedule: Option<String>,
    pub(super) due_reason: Option<String>,
}

fn raw_state(r: &Row<'_>) -> rusqlite::Result<RawState> {
    raw_state_at(r, 0)
}

pub(super) fn raw_state_at(r: &Row<'_>, at: usize) -> rusqlite::Result<RawState> {
    Ok(RawState {
        etag: r.get(at)?,
        last_modified: r.get(at + 1)?,
        next_due: r.get(at + 2)?,
        failures: r.get(at + 3)?,
        last_fetch: r.get(at + 4)?,
        last_status: r.get(at + 5)?,
        last_error: r.get(at + 6)?,
        moved_to: r.get(at + 7)?,
        disabled: r.get(at + 8)?,
        location: r.get(at + 9)?,
        body_hash: r.get(at + 10)?,
        feed_schedule: r.get(at + 11)?,
        due_reason: r.get(at + 12)?,
    })
}

impl RawState {
    pub(super) fn into_state(self) -> Result<FetchState, StoreError> {
        Ok(FetchState {
            etag: self.etag,
            last_modified: self.last_modified,
            next_due: self.next_due.map(from_unix).transpose()?,
            failures: self.failures,
            last_fetch: self.last_fetch.map(from_unix).transpose()?,
            // A word from a newer syndic reads as no result rather than
            // failing the whole read.
            last_status: self.last_status.as_deref().and_then(PollResult::parse),
            last_error: self.last_error,
            moved_to: self.moved_to,
            disabled: self.disabled,
            location: self.location,
            body_hash: self.body_hash,
            // Written by this code, so unreadable only if hand-edited or
            // from a newer syndic: then the feed's next read teaches it again.
            feed_schedule: self
                .feed_schedule
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default(),
            due_reason: self.due_reason,
        })
    }
}

pub(super) fn save_state(
    conn: &rusqlite::Connection,
    source: &SourceName,
    state: &FetchState,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO sources (name, etag, last_modified, next_due, failures, last_fetch,
                              last_status, last_error, moved_to, disabled, location,
                              body_hash, feed_schedule, due_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (name) DO UPDATE SET
            etag = excluded.etag, last_modified = excluded.last_modified,
            next_due = excluded.next_due, failures = excluded.failures,
            last_fetch = excluded.last_fetch, last_status = excluded.last_status,
            last_error = excluded.last_error, moved_to = excluded.moved_to,
            disabled = excluded.disabled, location = excluded.location,
            body_hash = excluded.body_hash, feed_schedule = excluded.feed_schedule,
            due_reason = excluded.due_reason",
    )?
    .execute(params![
        source.as_str(),
        state.etag,
        state.last_modified,
        state.next_due.map(to_unix),
        state.failures,
        state.last_fetch.map(to_unix),
        state.last_status.map(PollResult::as_str),
        state.last_error,
        state.moved_to,
        state.disabled,
        state.location,
        state.body_hash,
        schedule_json(&state.feed_schedule),
        state.due_reason,
    ])?;
    Ok(())
}

pub(super) fn schedule_json(schedule: &FeedSchedule) -> Option<String> {
    if schedule.is_empty() {
        return None;
    }
    serde_json::to_string(schedule).ok()
}
