//! When a polled source comes back: after a success at its interval, or
//! at the pace its newest items show (`schedule = "adaptive"`); after
//! either outcome the time and its reason go into the fetch state.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::adaptive;
use super::next_due::{self, Due, Hints, Pace};
use super::Poller;
use crate::config::{Location, Schedule, SourceConfig};
use crate::model::{Item, SourceName};
use crate::store::FetchState;

impl Poller {
    /// The next poll after a success. An adaptive feed learns its pace from
    /// its newest items: those stored and those just read (not stored yet).
    pub(super) async fn due_after_success(
        &self,
        source: &SourceConfig,
        read: &[Item],
        hints: Hints,
        now: DateTime<Utc>,
    ) -> Due {
        let pace = pace(source);
        let history = match pace {
            Pace::Fixed(_) => Vec::new(),
            Pace::Adaptive { .. } => self.history(&source.name, read).await,
        };
        next_due::after_success(now, pace, &history, hints, &mut rand::thread_rng())
    }

    /// The publication times of a source's newest items, stored or just
    /// read, each item once. A database that cannot be read leaves the
    /// history to what was read: the poll itself does not fail for it.
    async fn history(&self, source: &SourceName, read: &[Item]) -> Vec<DateTime<Utc>> {
        let name = source.clone();
        let stored = self
            .store
            .publication_times(name, adaptive::HISTORY)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(source = %source, error = %e, "cannot read the item history");
                Vec::new()
            });
        let mut times: HashMap<String, DateTime<Utc>> = stored.into_iter().collect();
        for item in read {
            times.insert(item.id.as_str().to_string(), item.sort_time());
        }
        times.into_values().collect()
    }
}

pub(super) fn set_due(state: &mut FetchState, due: Due) {
    state.next_due = Some(due.at);
    state.due_reason = Some(due.to_string());
}

/// How a source is paced: a folder of dumps is watched and cheap to scan,
/// so only feeds learn a pace.
fn pace(source: &SourceConfig) -> Pace {
    match (source.schedule, &source.location) {
        (Schedule::Adaptive { min, max }, Location::Url(_)) => Pace::Adaptive {
            fallback: source.interval,
            bounds: adaptive::Bounds { min, max },
        },
        _ => Pace::Fixed(source.interval),
    }
}
