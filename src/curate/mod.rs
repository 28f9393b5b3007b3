//! Chooses the items an output shows: its sources and tags, include and
//! exclude patterns, age and count limits, and one entry per story when
//! several sources carry it.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

pub mod canonical_link;
mod filter;
pub mod matcher;
mod merge;
pub mod shingles;
pub mod stories;

use filter::Filter;
use merge::Merge;
use stories::Stories;

use crate::config::{Config, OutputConfig};
use crate::model::{Item, SourceName};
use crate::store::{RowTest, Store, StoreError, StoredFields};

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
/// cost a few more queries, not a full read. The patterns are tested in
/// SQLite, and only the items taken are read whole.
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
    let test = Filter::of(output).map(|filter| {
        Arc::new(move |row: &StoredFields<'_>| filter.passes(row)) as Arc<RowTest>
    });
    let reads = store.output_reads(test)?;
    let mut merge = Merge::new(&reads, sources, since, first_page);
    let mut stories = Stories::new(&output.prefer);
    let mut horizon = None;
    let mut look_back = output.limit.div_ceil(LOOK_BACK_SHARE);
    while let Some((source, key)) = merge.next()? {
        // The reads share one snapshot, so its row is there.
        let Some(item) = reads.item(source, &key.id)? else {
            continue;
        };
        let time = item.sort_time();
        if horizon.is_some() {
            if look_back == 0 || horizon.is_some_and(|h| time < h) {
                break;
            }
            look_back -= 1;
        }
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

/// The store's order: newest sort time, then newest arrival, then source
/// and id (a total order, the time indexes' own).
fn order(a: &Item, b: &Item) -> std::cmp::Ordering {
    b.sort_time()
        .cmp(&a.sort_time())
        .then(b.first_seen.cmp(&a.first_seen))
        .then_with(|| a.source.cmp(&b.source))
        .then_with(|| a.id.cmp(&b.id))
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
