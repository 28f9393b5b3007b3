//! What each source's feed says of itself (its title, id and site link),
//! learnt when a poll reads the feed, so outputs can name where each item
//! came from.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::{Store, StoreError};
use crate::model::SourceName;

/// A source feed's own description, as normalized by the poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceFeed {
    /// Plain text.
    pub title: Option<String>,
    /// Atom's feed id.
    pub id: Option<String>,
    /// The site the feed belongs to: an absolute http(s) URL.
    pub link: Option<String>,
}

impl Store {
    /// Every source whose feed was read since migration 10, by name.
    pub fn source_feeds(&self) -> Result<HashMap<String, SourceFeed>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, feed_title, feed_id, feed_link FROM sources
             WHERE feed_title IS NOT NULL OR feed_id IS NOT NULL OR feed_link IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                SourceFeed {
                    title: r.get(1)?,
                    id: r.get(2)?,
                    link: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Forgets what the feed of `source` said when the source now lives at
/// another `location` (its config was edited), before the new address is
/// read; true when there was something to forget.
pub(super) fn forget_if_relocated(
    conn: &Connection,
    source: &SourceName,
    location: Option<&str>,
) -> Result<bool, StoreError> {
    let forgotten = conn
        .prepare_cached(
            "UPDATE sources SET feed_title = NULL, feed_id = NULL, feed_link = NULL
             WHERE name = ?1 AND location IS NOT ?2
               AND (feed_title IS NOT NULL OR feed_id IS NOT NULL OR feed_link IS NOT NULL)",
        )?
        .execute(params![source.as_str(), location])?;
    Ok(forgotten > 0)
}

/// Records `feed` for `source`, whose row must exist; true when it differs
/// from what was stored, as rendered outputs then change.
pub(super) fn save_source_feed(
    conn: &Connection,
    source: &SourceName,
    feed: &SourceFeed,
) -> Result<bool, StoreError> {
    let changed = conn
        .prepare_cached(
            "UPDATE sources SET feed_title = ?2, feed_id = ?3, feed_link = ?4
             WHERE name = ?1
               AND (feed_title IS NOT ?2 OR feed_id IS NOT ?3 OR feed_link IS NOT ?4)",
        )?
        .execute(params![source.as_str(), feed.title, feed.id, feed.link])?;
    Ok(changed > 0)
}
