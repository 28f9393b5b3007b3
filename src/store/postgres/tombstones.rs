//! Tombstones in PostgreSQL, as in `store/tombstones.rs`: what retention
//! removed stays removed while its source still lists it.

use std::collections::HashSet;

use tokio_postgres::Transaction;

use crate::model::{Item, SourceName};
use crate::store::StoreError;

/// The database's clock in Unix seconds; marks never move back.
const NOW: &str = "extract(epoch from now())::bigint";

pub async fn buried(tx: &Transaction<'_>, item: &Item) -> Result<bool, StoreError> {
    let marked = tx
        .execute(
            &format!(
                "UPDATE tombstones SET last_listed = greatest(last_listed, {NOW})
                 WHERE source = $1 AND id = $2"
            ),
            &[&item.source.as_str(), &item.id.as_str()],
        )
        .await?;
    Ok(marked > 0)
}

pub async fn buried_under_earlier_id(
    tx: &Transaction<'_>,
    item: &Item,
    claimed: &HashSet<String>,
) -> Result<Option<String>, StoreError> {
    let Some(link) = item.link.as_deref().filter(|l| !l.trim().is_empty()) else {
        return Ok(None);
    };
    let rows = tx
        .query(
            "SELECT id FROM tombstones WHERE source = $1 AND link = $2 AND title = $3
             ORDER BY removed_at, id",
            &[&item.source.as_str(), &link, &item.title],
        )
        .await?;
    let Some(id) = rows
        .iter()
        .map(|r| r.get::<_, String>(0))
        .find(|id| !claimed.contains(id))
    else {
        return Ok(None);
    };
    tx.execute(
        &format!(
            "UPDATE tombstones SET last_listed = greatest(last_listed, {NOW})
             WHERE source = $1 AND id = $2"
        ),
        &[&item.source.as_str(), &id],
    )
    .await?;
    Ok(Some(id))
}

/// Keeps alive what the source listed at its last read (since `since`),
/// for a poll that read nothing.
pub async fn still_listed(
    tx: &Transaction<'_>,
    source: &SourceName,
    since: i64,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "UPDATE tombstones SET last_listed = greatest(last_listed, {NOW})
             WHERE source = $1 AND last_listed >= $2"
        ),
        &[&source.as_str(), &since],
    )
    .await?;
    Ok(())
}
