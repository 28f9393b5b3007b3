//! A whole PostgreSQL store as rows and back, for `syndic migrate` (see
//! `store/copy.rs`).

use tokio_postgres::{GenericClient, Transaction};

use super::items::{raw_item, COLUMNS as ITEM_COLUMNS};
use super::sources::{save_state, state_at, COLUMNS as STATE_COLUMNS};
use crate::fetch::FileStamp;
use crate::model::SourceName;
use crate::store::copy::{sort_time, Counts, Snapshot, SourceRow, Tombstone};
use crate::store::items::json_list;
use crate::store::{to_unix, SourceFeed, StoreError};

pub async fn snapshot(client: &impl GenericClient) -> Result<Snapshot, StoreError> {
    let mut snapshot = Snapshot::default();
    let sql = format!("SELECT {ITEM_COLUMNS}, content_hash FROM items ORDER BY source, id");
    for r in client.query(&sql, &[]).await? {
        snapshot.items.push((raw_item(&r)?, r.get(16)));
    }
    let sql = format!(
        "SELECT name, rotated_ids, feed_title, feed_id, feed_link, {STATE_COLUMNS} FROM sources ORDER BY name"
    );
    for r in client.query(&sql, &[]).await? {
        snapshot.sources.push(SourceRow {
            name: r.get(0),
            rotated_ids: r.get(1),
            feed: SourceFeed {
                title: r.get(2),
                id: r.get(3),
                link: r.get(4),
            },
            state: state_at(&r, 5)?,
        });
    }
    let sql = "SELECT source, path, size, modified FROM source_files ORDER BY source, path";
    for r in client.query(sql, &[]).await? {
        let size: i64 = r.get(2);
        let stamp = FileStamp {
            size: u64::try_from(size).unwrap_or_default(),
            modified_ns: r.get(3),
        };
        snapshot.files.push((r.get(0), r.get(1), stamp));
    }
    let sql = "SELECT source, id, content_hash, link, title, removed_at, last_listed
               FROM tombstones ORDER BY source, id";
    for r in client.query(sql, &[]).await? {
        snapshot.tombstones.push(Tombstone {
            source: r.get(0),
            id: r.get(1),
            content_hash: r.get(2),
            link: r.get(3),
            title: r.get(4),
            removed_at: r.get(5),
            last_listed: r.get(6),
        });
    }
    Ok(snapshot)
}

/// Writes `snapshot` into this store, which must hold no items.
pub async fn restore(tx: &Transaction<'_>, snapshot: &Snapshot) -> Result<(), StoreError> {
    let held: i64 = tx
        .query_one("SELECT count(*) FROM items", &[])
        .await?
        .get(0);
    if held > 0 {
        return Err(StoreError::NotEmpty);
    }
    let insert = tx
        .prepare(&format!(
            "INSERT INTO items ({ITEM_COLUMNS}, content_hash, sort_time)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        ))
        .await?;
    for (item, hash) in &snapshot.items {
        let first_seen = to_unix(item.first_seen);
        tx.execute(
            &insert,
            &[
                &item.source.as_str(),
                &item.id.as_str(),
                &item.title,
                &item.link,
                &item.summary,
                &item.content,
                &json_list(&item.authors),
                &json_list(&item.categories),
                &item.published.map(to_unix),
                &item.updated.map(to_unix),
                &first_seen,
                &item.id_source.as_ref().map(SourceName::as_str),
                &serde_json::to_string(&item.enclosures).unwrap_or_else(|_| "[]".into()),
                &item.image,
                &item.episode.map(i64::from),
                &item.explicit,
                hash,
                &sort_time(item, first_seen),
            ],
        )
        .await?;
    }
    for row in &snapshot.sources {
        let name =
            SourceName::new(row.name.clone()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        save_state(tx, &name, &row.state).await?;
        tx.execute(
            "UPDATE sources SET rotated_ids = $2, feed_title = $3, feed_id = $4, feed_link = $5
             WHERE name = $1",
            &[
                &row.name,
                &row.rotated_ids,
                &row.feed.title,
                &row.feed.id,
                &row.feed.link,
            ],
        )
        .await?;
    }
    for (source, path, stamp) in &snapshot.files {
        tx.execute(
            "INSERT INTO source_files (source, path, size, modified) VALUES ($1, $2, $3, $4)",
            &[
                source,
                path,
                &i64::try_from(stamp.size).unwrap_or(i64::MAX),
                &stamp.modified_ns,
            ],
        )
        .await?;
    }
    for t in &snapshot.tombstones {
        tx.execute(
            "INSERT INTO tombstones (source, id, content_hash, link, title, removed_at, last_listed)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &t.source,
                &t.id,
                &t.content_hash,
                &t.link,
                &t.title,
                &t.removed_at,
                &t.last_listed,
            ],
        )
        .await?;
    }
    Ok(())
}

pub async fn counts(client: &impl GenericClient) -> Result<Counts, StoreError> {
    let mut counts = Counts::default();
    for (table, slot) in [
        ("items", &mut counts.items),
        ("sources", &mut counts.sources),
        ("source_files", &mut counts.files),
        ("tombstones", &mut counts.tombstones),
    ] {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await?
            .get(0);
        *slot = u64::try_from(n).unwrap_or_default();
    }
    Ok(counts)
}
