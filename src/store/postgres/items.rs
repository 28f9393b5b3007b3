//! Item rows in PostgreSQL: the upsert with the SQLite store's change
//! detection (content hash, ids rotated by the feed, edited dump
//! articles, tombstones), and the reads.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row, Transaction};

use super::tombstones;
use crate::model::{Item, SourceName};
use crate::store::copy;
use crate::store::edited::{Article, PREFIX, RECENT_ARTICLES};
use crate::store::items::{json_list, RawItem, StoredRow};
use crate::store::{from_unix, to_unix, ItemQuery, StoreError, UpsertOutcome, UpsertSummary};

pub const COLUMNS: &str = "source, id, title, link, summary, content, authors, categories, published, updated, first_seen, id_source, enclosures, image, episode, explicit";

pub async fn upsert_all(tx: &Transaction<'_>, items: &[Item]) -> Result<UpsertSummary, StoreError> {
    let mut summary = UpsertSummary::default();
    let mut claimed = claimed_by(items);
    for item in items {
        let (outcome, rotated) = upsert(tx, item, &mut claimed).await?;
        summary.add(outcome);
        summary.rotated += usize::from(rotated);
    }
    Ok(summary)
}

pub async fn upsert_each(
    tx: &Transaction<'_>,
    items: &[Item],
) -> Result<Vec<UpsertOutcome>, StoreError> {
    let mut claimed = claimed_by(items);
    let mut outcomes = Vec::with_capacity(items.len());
    for item in items {
        outcomes.push(upsert(tx, item, &mut claimed).await?.0);
    }
    Ok(outcomes)
}

fn claimed_by(items: &[Item]) -> HashSet<String> {
    items.iter().map(|i| i.id.as_str().to_string()).collect()
}

/// As the SQLite store's upsert (see `store/items.rs`), step for step.
async fn upsert(
    tx: &Transaction<'_>,
    item: &Item,
    claimed: &mut HashSet<String>,
) -> Result<(UpsertOutcome, bool), StoreError> {
    let hash = item.content_hash();
    let source = item.source.as_str();
    let mut existing = tx
        .query_opt(
            "SELECT id, content_hash, first_seen FROM items WHERE source = $1 AND id = $2",
            &[&source, &item.id.as_str()],
        )
        .await?
        .map(|r| stored_row(&r));
    let mut rotated = false;
    if existing.is_none() {
        if tombstones::buried(tx, item).await? {
            return Ok((UpsertOutcome::Tombstoned, false));
        }
        existing = match rotated_earlier(tx, item, claimed).await? {
            Some(row) => Some(row),
            None => edited_earlier(tx, item, claimed).await?,
        };
        if let Some(row) = &existing {
            claimed.insert(row.id.clone());
            rotated = true;
        } else if let Some(id) = tombstones::buried_under_earlier_id(tx, item, claimed).await? {
            claimed.insert(id);
            return Ok((UpsertOutcome::Tombstoned, false));
        }
    }
    let first_seen = match &existing {
        Some(row) if row.content_hash == hash.as_str() => {
            return Ok((UpsertOutcome::Unchanged, rotated))
        }
        Some(row) => row.first_seen,
        None => to_unix(item.first_seen),
    };
    let id = existing
        .as_ref()
        .map_or(item.id.as_str(), |row| row.id.as_str());
    let sort_time = copy::sort_time(item, first_seen);
    write_row(tx, item, id, first_seen, hash.as_str(), sort_time).await?;
    let outcome = if existing.is_some() {
        UpsertOutcome::Updated
    } else {
        UpsertOutcome::Inserted
    };
    Ok((outcome, rotated))
}

async fn write_row(
    tx: &Transaction<'_>,
    item: &Item,
    id: &str,
    first_seen: i64,
    hash: &str,
    sort_time: i64,
) -> Result<(), StoreError> {
    let statement = tx
        .prepare(
            "INSERT INTO items (source, id, title, link, summary, content, authors, categories,
                                published, updated, first_seen, content_hash, sort_time, id_source,
                                enclosures, image, episode, explicit)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18)
             ON CONFLICT (source, id) DO UPDATE SET
                title = excluded.title, link = excluded.link, summary = excluded.summary,
                content = excluded.content, authors = excluded.authors,
                categories = excluded.categories, published = excluded.published,
                updated = excluded.updated, content_hash = excluded.content_hash,
                sort_time = excluded.sort_time, enclosures = excluded.enclosures,
                image = excluded.image, episode = excluded.episode,
                explicit = excluded.explicit",
        )
        .await?;
    tx.execute(
        &statement,
        &[
            &item.source.as_str(),
            &id,
            &item.title,
            &item.link,
            &item.summary,
            &item.content,
            &json_list(&item.authors),
            &json_list(&item.categories),
            &item.published.map(to_unix),
            &item.updated.map(to_unix),
            &first_seen,
            &hash,
            &sort_time,
            &item.id_source.as_ref().map(SourceName::as_str),
            &serde_json::to_string(&item.enclosures).unwrap_or_else(|_| "[]".into()),
            &item.image,
            &item.episode.map(i64::from),
            &item.explicit,
        ],
    )
    .await?;
    Ok(())
}

fn stored_row(r: &Row) -> StoredRow {
    StoredRow {
        id: r.get(0),
        content_hash: r.get(1),
        first_seen: r.get(2),
    }
}

/// The stored item with `item`'s link and title (see `store/rotation.rs`).
async fn rotated_earlier(
    tx: &Transaction<'_>,
    item: &Item,
    claimed: &HashSet<String>,
) -> Result<Option<StoredRow>, StoreError> {
    let Some(link) = item.link.as_deref().filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let rows = tx
        .query(
            "SELECT id, content_hash, first_seen FROM items
             WHERE source = $1 AND link = $2 AND title = $3 ORDER BY first_seen, id",
            &[&item.source.as_str(), &link, &item.title],
        )
        .await?;
    Ok(rows
        .iter()
        .map(stored_row)
        .find(|row| !claimed.contains(&row.id)))
}

/// The stored dump article `item` is an edit of (see `store/edited.rs`).
async fn edited_earlier(
    tx: &Transaction<'_>,
    item: &Item,
    claimed: &HashSet<String>,
) -> Result<Option<StoredRow>, StoreError> {
    let Some(article) = Article::of(item) else {
        return Ok(None);
    };
    let rows = tx
        .query(
            "SELECT id, content_hash, first_seen, title, summary FROM items
             WHERE source = $1 AND id >= $2 AND id < $3
             ORDER BY sort_time DESC, first_seen DESC, id LIMIT $4",
            &[
                &item.source.as_str(),
                &PREFIX,
                &"article;",
                &RECENT_ARTICLES,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .filter(|r| !claimed.contains(r.get::<_, &str>(0)))
        .find(|r| article.is(r.get(0), r.get(3), r.get(4)))
        .map(stored_row))
}

pub fn raw_item(r: &Row) -> Result<Item, StoreError> {
    let episode: Option<i64> = r.get(14);
    RawItem {
        source: r.get(0),
        id: r.get(1),
        title: r.get(2),
        link: r.get(3),
        summary: r.get(4),
        content: r.get(5),
        authors: r.get(6),
        categories: r.get(7),
        published: r.get(8),
        updated: r.get(9),
        first_seen: r.get(10),
        id_source: r.get(11),
        enclosures: r.get(12),
        image: r.get(13),
        episode: episode.and_then(|e| u32::try_from(e).ok()),
        explicit: r.get(15),
    }
    .into_item()
}

/// The items `query` asks for, newest first, each source read off its own
/// time index and merged, as in the SQLite store.
pub async fn items(
    client: &impl GenericClient,
    query: &ItemQuery,
) -> Result<Vec<Item>, StoreError> {
    let sources: Vec<String> = match &query.sources {
        Some(named) => named.iter().map(|s| s.as_str().to_string()).collect(),
        None => client
            .query("SELECT DISTINCT source FROM items", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect(),
    };
    let wanted = i64::try_from(query.limit.saturating_add(query.offset)).unwrap_or(i64::MAX);
    let since = query.since.map_or(i64::MIN, to_unix);
    let sql = format!(
        "SELECT {COLUMNS} FROM items WHERE source = $1 AND sort_time >= $2
         ORDER BY sort_time DESC, first_seen DESC, id LIMIT $3"
    );
    let mut merged = Vec::new();
    for source in &sources {
        for row in client.query(&sql, &[source, &since, &wanted]).await? {
            merged.push(raw_item(&row)?);
        }
    }
    if sources.len() > 1 {
        merged.sort_by(Item::newest_first);
    }
    Ok(merged
        .into_iter()
        .skip(query.offset)
        .take(query.limit)
        .collect())
}

pub async fn item_counts(client: &impl GenericClient) -> Result<HashMap<String, u64>, StoreError> {
    let rows = client
        .query("SELECT source, count(*) FROM items GROUP BY source", &[])
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let count: i64 = r.get(1);
            (r.get(0), u64::try_from(count).unwrap_or_default())
        })
        .collect())
}

pub async fn publication_times(
    client: &impl GenericClient,
    source: &SourceName,
    limit: usize,
) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(
            "SELECT id, sort_time FROM items WHERE source = $1
             ORDER BY sort_time DESC, first_seen DESC, id LIMIT $2",
            &[&source.as_str(), &limit],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.get(0), from_unix(r.get(1))?)))
        .collect()
}
