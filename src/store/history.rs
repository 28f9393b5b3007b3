//! When a source's newest items were published, which an adaptive
//! schedule learns its pace from.

use chrono::{DateTime, Utc};

use super::{from_unix, Store, StoreError};
use crate::model::SourceName;

impl Store {
    /// The ids and sort times (publication, or first sighting for undated
    /// items) of `source`'s newest `limit` items, newest first; read off
    /// the source's time index.
    pub fn publication_times(
        &self,
        source: &SourceName,
        limit: usize,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, sort_time FROM items WHERE source = ?1
             ORDER BY sort_time DESC, first_seen DESC, id LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![source.as_str(), limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        rows.map(|row| {
            let (id, secs) = row?;
            Ok((id, from_unix(secs)?))
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Item;

    #[test]
    fn newest_first_and_limited() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let source = SourceName::new("a").unwrap();
        let now: DateTime<Utc> = "2026-01-10T00:00:00Z".parse().unwrap();
        let items: Vec<Item> = (0..5)
            .map(|i| {
                let mut item = Item::new(
                    source.clone(),
                    crate::model::ItemId::new(format!("id{i}")),
                    format!("t{i}"),
                    now,
                );
                item.published = Some(now - chrono::TimeDelta::hours(i));
                item
            })
            .collect();
        store.upsert_items(&items).unwrap();
        let got = store.publication_times(&source, 3).unwrap();
        let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["id0", "id1", "id2"]);
        assert_eq!(got[1].1, now - chrono::TimeDelta::hours(1));
    }
}
