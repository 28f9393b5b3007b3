//! Chooses the items an output shows: its sources and tags, include and
//! exclude patterns, age and count limits, and one entry per story when
//! several sources carry it.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

pub mod canonical_link;
mod filter;
pub mod matcher;
pub mod shingles;
pub mod stories;

use stories::Stories;

use crate::config::{Config, OutputConfig};
use crate::model::{Item, SourceName};
use crate::store::{ItemQuery, Store, StoreError};

/// The fewest rows one source's first query reads.
const MIN_PAGE: usize = 8;
/// How far past its last story an output reads for earlier copies of the
/// stories it shows, which are shown in their place…
const LOOK_BACK: TimeDelta = TimeDelta::hours(48);
/// …and how many items at most, per story shown: a quarter more. Copies
/// come hours apart, not a quarter of a feed apart, and each item read
/// costs a row read and a story key, as one shown does.
const LOOK_BACK_SHARE: usize = 4;

/// The items `output` shows, newest first (published, else first seen),
/// one per story: a story several sources carry is shown once, as its
/// earliest copy or that of the source the output prefers.
///
/// Each source is read on its own, newest first, through the
/// `items_by_source_time` index, and the streams are merged here: one
/// query over many sources would make SQLite read and sort every row of
/// them, and a scan of the time index would wade through other sources'
/// rows. Pages start small and double, so filters that drop many items
/// cost a few more queries, not a full read.
pub fn select(
    store: &Store,
    config: &Config,
    output: &OutputConfig,
    now: DateTime<Utc>,
) -> Result<Vec<Item>, StoreError> {
    let since = output.max_age.map(|age| {
        let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
        now.checked_sub_signed(age)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    });
    let sources = sources_of(config, output);
    let first_page = MIN_PAGE.max(output.limit.div_ceil(sources.len().max(1)) + 1);
    // One source's items are that source's to tell apart (its re-issued
    // entries are recognised as it is polled): only several sources need
    // grouping into stories.
    let several = sources.len() > 1;
    let mut cursors: Vec<Cursor> = sources
        .into_iter()
        .map(|source| Cursor::new(source, since, first_page))
        .collect();
    let mut stories = Stories::new(&output.prefer);
    let mut horizon = None;
    let mut look_back = output.limit.div_ceil(LOOK_BACK_SHARE);
    while let Some(item) = next_newest(store, &mut cursors)? {
        if horizon.is_some() {
            if look_back == 0 || horizon.is_some_and(|h| item.sort_time() < h) {
                break;
            }
            look_back -= 1;
        }
        if !filter::passes(output, &item) {
            continue;
        }
        let time = item.sort_time();
        if several {
            stories.offer(item, horizon.is_none());
        } else {
            stories.open(item);
        }
        if horizon.is_none() && stories.len() >= output.limit {
            if !several {
                break;
            }
            horizon = Some(time.checked_sub_signed(LOOK_BACK).unwrap_or(time));
        }
    }
    let mut shown = stories.into_items();
    shown.sort_by(order);
    Ok(shown)
}

/// Takes the newest item at the head of any cursor.
fn next_newest(store: &Store, cursors: &mut [Cursor]) -> Result<Option<Item>, StoreError> {
    for cursor in cursors.iter_mut() {
        cursor.fill(store)?;
    }
    let best = cursors
        .iter_mut()
        .filter(|c| !c.buffer.is_empty())
        .min_by(|a, b| match (a.buffer.front(), b.buffer.front()) {
            (Some(x), Some(y)) => order(x, y),
            _ => std::cmp::Ordering::Equal,
        });
    Ok(best.and_then(|c| c.buffer.pop_front()))
}

/// The store's order: newest sort time, then newest arrival, then source
/// and id (a total order, the time indexes' own).
fn order(a: &Item, b: &Item) -> std::cmp::Ordering {
    b.sort_time()
        .cmp(&a.sort_time())
        .then(b.first_seen.cmp(&a.first_seen))
        .then_with(|| a.source.cmp(&b.source))
        .then_with(|| a.id.cmp(&b.id))
}

/// One source's items, newest first, read a page at a time.
struct Cursor {
    query: ItemQuery,
    buffer: VecDeque<Item>,
    exhausted: bool,
}

impl Cursor {
    fn new(source: SourceName, since: Option<DateTime<Utc>>, page: usize) -> Cursor {
        Cursor {
            query: ItemQuery {
                sources: Some(vec![source]),
                since,
                limit: page,
                offset: 0,
            },
            buffer: VecDeque::new(),
            exhausted: false,
        }
    }

    /// Reads the next page when the buffer is empty and more rows remain.
    fn fill(&mut self, store: &Store) -> Result<(), StoreError> {
        if self.buffer.is_empty() && !self.exhausted {
            let page = store.items(&self.query)?;
            self.exhausted = page.len() < self.query.limit;
            self.query.offset += page.len();
            self.query.limit = self.query.limit.saturating_mul(2);
            self.buffer.extend(page);
        }
        Ok(())
    }
}

/// The output's sources plus every source carrying one of its tags, in
/// config order without repeats.
pub fn sources_of(config: &Config, output: &OutputConfig) -> Vec<SourceName> {
    config
        .sources
        .iter()
        .filter(|s| {
            output.sources.contains(&s.name) || s.tags.iter().any(|t| output.tags.contains(t))
        })
        .map(|s| s.name.clone())
        .collect()
}
