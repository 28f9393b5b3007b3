//! What notifications have sent: each output's targets with when they
//! were first seen, and each item claimed for a target (before it is
//! sent, so a crash mid-send loses it rather than sending it twice).

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};

use super::busy::write_transaction;
use super::{to_unix, Store, StoreError};
use crate::model::Item;

impl Store {
    /// Claims for `target` of `output` at most `room` of `items` (oldest
    /// first) never claimed for it before, and returns them. A target seen
    /// for the first time claims every item as it stands and returns none:
    /// adding a target does not replay the output.
    pub fn claim_notifications(
        &mut self,
        output: &str,
        target: &str,
        items: Vec<Item>,
        room: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<Item>, StoreError> {
        let claimed = write_transaction(&mut self.conn, |tx| {
            let new_target = tx.execute(
                "INSERT OR IGNORE INTO notification_targets (output, target, since) VALUES (?1, ?2, ?3)",
                params![output, target, to_unix(now)],
            )? == 1;
            let mut fresh = Vec::new();
            let mut taken = 0;
            for item in &items {
                if !new_target && taken == room {
                    break;
                }
                let now_claimed = claim(tx, output, target, item, now)? && !new_target;
                taken += usize::from(now_claimed);
                fresh.push(now_claimed);
            }
            Ok(fresh)
        })?;
        Ok(items
            .into_iter()
            .zip(claimed)
            .filter_map(|(item, fresh)| fresh.then_some(item))
            .collect())
    }
}

/// Whether `item` was claimed now (not before).
fn claim(
    tx: &Transaction<'_>,
    output: &str,
    target: &str,
    item: &Item,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO notification_deliveries \
         (output, target, source, item_id, claimed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let added = insert.execute(params![
        output,
        target,
        item.source.as_str(),
        item.id.as_str(),
        to_unix(now)
    ])?;
    Ok(added == 1)
}
