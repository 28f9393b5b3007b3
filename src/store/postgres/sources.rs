//! Fetch state and what each poll records, in PostgreSQL; the same rows
//! and rules as `store/sources.rs`.

use std::collections::HashMap;

use tokio_postgres::{GenericClient, Row, Transaction};

use super::{items, tombstones};
use crate::fetch::{FileStamp, FileStamps};
use crate::model::{PollResult, SourceName};
use crate::store::backend::PollRecord;
use crate::store::sources::{schedule_json, with_unpolled, RawState};
use crate::store::{to_unix, FetchState, Recorded, SourceFeed, SourceStats, StoreError};

pub const COLUMNS: &str =
    "etag, last_modified, next_due, failures, last_fetch, last_status, last_error, \
     moved_to, disabled, location, body_hash, feed_schedule, due_reason";

pub fn state_at(r: &Row, at: usize) -> Result<FetchState, StoreError> {
    let failures: i64 = r.get(at + 3);
    RawState {
        etag: r.get(at),
        last_modified: r.get(at + 1),
        next_due: r.get(at + 2),
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last_fetch: r.get(at + 4),
        last_status: r.get(at + 5),
        last_error: r.get(at + 6),
        moved_to: r.get(at + 7),
        disabled: r.get(at + 8),
        location: r.get(at + 9),
        body_hash: r.get(at + 10),
        feed_schedule: r.get(at + 11),
        due_reason: r.get(at + 12),
    }
    .into_state()
}

pub async fn fetch_state(
    client: &impl GenericClient,
    source: &SourceName,
) -> Result<Option<FetchState>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sources WHERE name = $1");
    client
        .query_opt(&sql, &[&source.as_str()])
        .await?
        .map(|r| state_at(&r, 0))
        .transpose()
}

pub async fn fetch_states(
    client: &impl GenericClient,
) -> Result<HashMap<String, FetchState>, StoreError> {
    let sql = format!("SELECT name, {COLUMNS} FROM sources");
    client
        .query(&sql, &[])
        .await?
        .iter()
        .map(|r| Ok((r.get(0), state_at(r, 1)?)))
        .collect()
}

pub async fn source_feeds(
    client: &impl GenericClient,
) -> Result<HashMap<String, SourceFeed>, StoreError> {
    let rows = client
        .query(
            "SELECT name, feed_title, feed_id, feed_link FROM sources
             WHERE feed_title IS NOT NULL OR feed_id IS NOT NULL OR feed_link IS NOT NULL",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let feed = SourceFeed {
                title: r.get(1),
                id: r.get(2),
                link: r.get(3),
            };
            (r.get(0), feed)
        })
        .collect())
}

pub async fn file_stamps(
    client: &impl GenericClient,
    source: &SourceName,
) -> Result<FileStamps, StoreError> {
    let rows = client
        .query(
            "SELECT path, size, modified FROM source_files WHERE source = $1",
            &[&source.as_str()],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let size: i64 = r.get(1);
            let stamp = FileStamp {
                size: u64::try_from(size).unwrap_or_default(),
                modified_ns: r.get(2),
            };
            (r.get(0), stamp)
        })
        .collect())
}

pub async fn source_stats(
    client: &impl GenericClient,
) -> Result<Vec<(String, SourceStats)>, StoreError> {
    let counts = items::item_counts(client).await?;
    let sql = format!("SELECT name, rotated_ids, {COLUMNS} FROM sources ORDER BY name");
    let mut out = Vec::new();
    for r in client.query(&sql, &[]).await? {
        let name: String = r.get(0);
        let rotated: i64 = r.get(1);
        let items = counts.get(&name).copied().unwrap_or(0);
        out.push((
            name,
            SourceStats {
                state: state_at(&r, 2)?,
                items,
                rotated_ids: u64::try_from(rotated).unwrap_or_default(),
            },
        ));
    }
    Ok(with_unpolled(out, counts))
}

/// A poll's items, state, feed and file stamps in the caller's
/// transaction, as `store/sources.rs` records them.
pub async fn record_poll(
    tx: &Transaction<'_>,
    record: &PollRecord,
) -> Result<Recorded, StoreError> {
    let source = record.source.as_str();
    let state = &record.state;
    let summary = items::upsert_all(tx, &record.items).await?;
    if matches!(
        state.last_status,
        Some(PollResult::NotModified | PollResult::Error)
    ) {
        let previous: Option<i64> = tx
            .query_opt("SELECT last_fetch FROM sources WHERE name = $1", &[&source])
            .await?
            .and_then(|r| r.get(0));
        if let Some(since) = previous {
            tombstones::still_listed(tx, &record.source, since).await?;
        }
    }
    let forgotten = tx
        .execute(
            "UPDATE sources SET feed_title = NULL, feed_id = NULL, feed_link = NULL
             WHERE name = $1 AND location IS DISTINCT FROM $2
               AND (feed_title IS NOT NULL OR feed_id IS NOT NULL OR feed_link IS NOT NULL)",
            &[&source, &state.location],
        )
        .await?
        > 0;
    save_state(tx, &record.source, state).await?;
    if !record.items.is_empty() {
        let rotated = i64::try_from(summary.rotated).unwrap_or(i64::MAX);
        tx.execute(
            "UPDATE sources SET rotated_ids = $2 WHERE name = $1",
            &[&source, &rotated],
        )
        .await?;
    }
    let saved = match &record.feed {
        Some(feed) => {
            tx.execute(
                "UPDATE sources SET feed_title = $2, feed_id = $3, feed_link = $4
                 WHERE name = $1 AND (feed_title IS DISTINCT FROM $2
                   OR feed_id IS DISTINCT FROM $3 OR feed_link IS DISTINCT FROM $4)",
                &[&source, &feed.title, &feed.id, &feed.link],
            )
            .await?
                > 0
        }
        None => false,
    };
    if let Some(files) = &record.files {
        replace_file_stamps(tx, source, files).await?;
    }
    Ok(Recorded {
        summary,
        feed_changed: forgotten || saved,
    })
}

pub async fn save_state(
    tx: &Transaction<'_>,
    source: &SourceName,
    state: &FetchState,
) -> Result<(), StoreError> {
    let statement = tx
        .prepare(
            "INSERT INTO sources (name, etag, last_modified, next_due, failures, last_fetch,
                                  last_status, last_error, moved_to, disabled, location,
                                  body_hash, feed_schedule, due_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (name) DO UPDATE SET
                etag = excluded.etag, last_modified = excluded.last_modified,
                next_due = excluded.next_due, failures = excluded.failures,
                last_fetch = excluded.last_fetch, last_status = excluded.last_status,
                last_error = excluded.last_error, moved_to = excluded.moved_to,
                disabled = excluded.disabled, location = excluded.location,
                body_hash = excluded.body_hash, feed_schedule = excluded.feed_schedule,
                due_reason = excluded.due_reason",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &source.as_str(),
            &state.etag,
            &state.last_modified,
            &state.next_due.map(to_unix),
            &i64::from(state.failures),
            &state.last_fetch.map(to_unix),
            &state.last_status.map(PollResult::as_str),
            &state.last_error,
            &state.moved_to,
            &state.disabled,
            &state.location,
            &state.body_hash,
            &schedule_json(&state.feed_schedule),
            &state.due_reason,
        ],
    )
    .await?;
    Ok(())
}

async fn replace_file_stamps(
    tx: &Transaction<'_>,
    source: &str,
    stamps: &FileStamps,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM source_files WHERE source = $1", &[&source])
        .await?;
    for (path, stamp) in stamps {
        let size = i64::try_from(stamp.size).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO source_files (source, path, size, modified) VALUES ($1, $2, $3, $4)",
            &[&source, path, &size, &stamp.modified_ns],
        )
        .await?;
    }
    Ok(())
}
