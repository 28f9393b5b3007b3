//! Retention and renamed sources in PostgreSQL, as `store/retention.rs`
//! and `store/renames.rs` do them.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Transaction};

use crate::config::Retention;
use crate::model::{ItemId, SourceName};
use crate::store::backend::Rename;
use crate::store::{to_unix, StoreError, TOMBSTONE_TTL};

/// Every table keyed by source name, with the column holding it and the
/// rest of its key.
const TABLES: [(&str, &str, &str); 4] = [
    ("items", "source", "id"),
    ("sources", "name", ""),
    ("source_files", "source", "path"),
    ("tombstones", "source", "id"),
];

pub async fn holds(client: &impl GenericClient, source: &SourceName) -> Result<bool, StoreError> {
    for (table, column, _) in TABLES {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} = $1)");
        if client.query_one(&sql, &[&source.as_str()]).await?.get(0) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Moves what each old name holds to its new one; rows the new name
/// already holds under the same key stay, as in the SQLite store.
pub async fn adopt_renamed(tx: &Transaction<'_>, renames: &[Rename]) -> Result<usize, StoreError> {
    let mut moved = 0;
    for (old, new) in renames {
        if !holds(tx, old).await? {
            continue;
        }
        let (old, new) = (old.as_str(), new.as_str());
        tx.execute(
            "UPDATE items SET id_source = source WHERE source = $1 AND id_source IS NULL",
            &[&old],
        )
        .await?;
        for (table, column, key) in TABLES {
            let taken = match key {
                "" => format!("EXISTS (SELECT 1 FROM {table} t WHERE t.{column} = $2)"),
                key => format!(
                    "EXISTS (SELECT 1 FROM {table} t WHERE t.{column} = $2 AND t.{key} = {table}.{key})"
                ),
            };
            tx.execute(
                &format!("UPDATE {table} SET {column} = $2 WHERE {column} = $1 AND NOT {taken}"),
                &[&old, &new],
            )
            .await?;
            tx.execute(&format!("DELETE FROM {table} WHERE {column} = $1"), &[&old])
                .await?;
        }
        tracing::info!(from = %old, to = %new, "renamed source took over its stored items");
        moved += 1;
    }
    Ok(moved)
}

/// Applies each source's retention, sparing `protected`, burying what
/// goes, expiring old tombstones and those of sources not `configured`.
pub async fn prune(
    tx: &Transaction<'_>,
    rules: &[(SourceName, Retention)],
    protected: &[(SourceName, ItemId)],
    configured: &[SourceName],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let configured: Vec<&str> = configured.iter().map(SourceName::as_str).collect();
    tx.execute(
        "DELETE FROM tombstones WHERE NOT (source = ANY($1))",
        &[&configured],
    )
    .await?;
    let (kept_sources, kept_ids): (Vec<&str>, Vec<&str>) = protected
        .iter()
        .map(|(s, id)| (s.as_str(), id.as_str()))
        .unzip();
    let now = to_unix(now);
    let mut removed = 0;
    for (source, retention) in rules {
        // Old by both its date and its arrival; then ranked among the rest.
        let too_old = retention.max_age.map_or(i64::MIN, |age| now - secs(age));
        let keep = retention
            .keep
            .map_or(i64::MAX, |k| i64::try_from(k).unwrap_or(i64::MAX));
        removed += tx
            .execute(
                "WITH marked AS (
                    SELECT id, content_hash, link, title, sort_time, first_seen,
                           EXISTS (SELECT 1 FROM unnest($4::text[], $5::text[]) AS p(source, id)
                                   WHERE p.source = $1 AND p.id = items.id) AS spared,
                           greatest(sort_time, first_seen) < $2 AS old
                    FROM items WHERE source = $1),
                 ranked AS (
                    SELECT *, old AND NOT spared AS aged,
                           row_number() OVER (PARTITION BY old AND NOT spared
                                              ORDER BY sort_time DESC, first_seen DESC, id) AS rank
                    FROM marked),
                 doomed AS (
                    SELECT id, content_hash, link, title FROM ranked
                    WHERE NOT spared AND (aged OR rank > $3)),
                 buried AS (
                    INSERT INTO tombstones (source, id, content_hash, link, title, removed_at, last_listed)
                    SELECT $1, id, content_hash, link, title, $6, $6 FROM doomed
                    ON CONFLICT (source, id) DO UPDATE SET
                        content_hash = excluded.content_hash, link = excluded.link,
                        title = excluded.title, removed_at = excluded.removed_at,
                        last_listed = excluded.last_listed)
                 DELETE FROM items WHERE source = $1 AND id IN (SELECT id FROM doomed)",
                &[
                    &source.as_str(),
                    &too_old,
                    &keep,
                    &kept_sources,
                    &kept_ids,
                    &now,
                ],
            )
            .await?;
    }
    tx.execute(
        "DELETE FROM tombstones WHERE last_listed < $1",
        &[&(now - secs(TOMBSTONE_TTL))],
    )
    .await?;
    Ok(usize::try_from(removed).unwrap_or(usize::MAX))
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}
