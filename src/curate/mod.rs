//! Chooses the items an output shows: its sources and tags, include and
//! exclude patterns, age and count limits, and one entry per story when
//! several sources carry it.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

pub mod canonical_link;
mod filter;
pub mod matcher;
mod matches;
mod merge;
pub mod retention;
pub mod shingles;
pub mod stories;

use filter::Filter;
use matches::Matches;
use merge::Merge;
use stories::Stories;

use crate::config::{Config, OutputConfig, SourceConfig};
use crate::model::{Item, SourceName};
use crate::store::{ItemPages, RowTest, Store, StoreError, StoredFields};

/// The fewest rows one source's first query reads: an output over a
/// thousand sources takes one or two items of most.
const MIN_PAGE: usize = 2;
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
    select_with(|test| store.output_reads(test), config, output, now)
}

/// [`select`] over the reads `open` gives for the output's row test, so
/// any store that pages a source's keys newest first can be curated.
pub fn select_with<R: ItemPages>(
    open: impl FnOnce(Option<Arc<RowTest>>) -> Result<R, StoreError>,
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
    let test = Filter::of(output)
        .map(|filter| Arc::new(move |row: &StoredFields<'_>| filter.passes(row)) as Arc<RowTest>);
    let reads = open(test)?;
    // The reads share one snapshot, so every key taken has its row.
    if let Some(query) = &output.query {
        let mut matches = Matches::new(&reads, query, sources, since, output.limit + 1);
        let next = || match matches.next()? {
            Some(found) => reads.item(&found.source, &found.key.id),
            None => Ok(None),
        };
        return one_per_story(output, several, next);
    }
    let mut merge = Merge::new(&reads, sources, since, first_page);
    let next = || match merge.next()? {
        Some((source, key)) => reads.item(source, &key.id),
        None => Ok(None),
    };
    one_per_story(output, several, next)
}

/// The items `output` shows of those `next` gives, newest first: up to
/// its limit of stories, then earlier copies of them for a while.
fn one_per_story(
    output: &OutputConfig,
    several: bool,
    mut next: impl FnMut() -> Result<Option<Item>, StoreError>,
) -> Result<Vec<Item>, StoreError> {
    let mut stories = Stories::new(&output.prefer);
    let mut horizon = None;
    let mut look_back = output.limit.div_ceil(LOOK_BACK_SHARE);
    while let Some(item) = next()? {
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
    shown.sort_by(Item::newest_first);
    Ok(shown)
}

/// The output's sources plus every source carrying one of its tags, in
/// config order without repeats. An output that only a `query` defines
/// searches every source when it is private, and the published sources
/// (`published_sources`) when it is public.
pub fn sources_of(config: &Config, output: &OutputConfig) -> Vec<SourceName> {
    if output.sources.is_empty() && output.tags.is_empty() && output.query.is_some() {
        return if output.access.is_private() {
            config.sources.iter().map(|s| s.name.clone()).collect()
        } else {
            published_sources(config)
        };
    }
    config
        .sources
        .iter()
        .filter(|s| selects(output, s))
        .map(|s| s.name.clone())
        .collect()
}

/// The sources a public output names or selects by tag, in config order:
/// the only ones a search open to anyone (`/search.*`, a public output
/// defined by a query alone) may show. A source only private outputs
/// select, or none, is never searched for the public.
pub fn published_sources(config: &Config) -> Vec<SourceName> {
    let public: Vec<&OutputConfig> = config
        .outputs
        .iter()
        .filter(|o| !o.access.is_private())
        .collect();
    config
        .sources
        .iter()
        .filter(|s| public.iter().any(|o| selects(o, s)))
        .map(|s| s.name.clone())
        .collect()
}

/// True when `output` names `source` or one of its tags.
fn selects(output: &OutputConfig, source: &SourceConfig) -> bool {
    output.sources.contains(&source.name) || source.tags.iter().any(|t| output.tags.contains(t))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;
    use crate::store::ItemQuery;

    const SOURCES: [&str; 4] = ["alpha", "bravo", "charlie", "delta"];
    const TITLES: [&str; 4] = [
        "Harbour council approves the new ferry timetable",
        "Storm closes the old pier for the weekend",
        "Lighthouse keeper retires after forty years",
        "Market traders protest the new parking fees",
    ];
    const BODIES: [&str; 6] = [
        "<p>The old lighthouse reopens.</p>",
        "<p>Light<b>house</b> tours resume.</p>",
        "<p>A &#108;ighthouse of note.</p>",
        "<p>Sponsored: ferry tickets.</p>",
        "<p>Nothing of note.</p>",
        "<p>The pier<br>and the harbour.</p>",
    ];
    const INCLUDES: [&str; 5] = [
        "",
        "lighthouse",
        "title:ferry",
        "harbour|pier",
        "old lighthouse",
    ];
    const EXCLUDES: [&str; 3] = ["", "sponsored", "content:^the"];
    const QUERIES: [&str; 5] = [
        "",
        "lighthouse",
        "harbour OR pier",
        "\\\"new ferry\\\"",
        "old -storm",
    ];

    /// (source, title, body, hours published before the base, hours
    /// first seen after it, shared link)
    type Spec = (usize, usize, usize, i64, i64, bool);

    fn stored(specs: &[Spec]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let base = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let items: Vec<Item> = specs
            .iter()
            .enumerate()
            .map(|(n, &(source, title, body, published, seen, shared))| {
                let link = if shared {
                    format!("https://news.example/story/{title}")
                } else {
                    format!("https://{}.example/{n}", SOURCES[source])
                };
                Item {
                    published: Some(base - TimeDelta::hours(published)),
                    content: Some(BODIES[body].to_string()),
                    link: Some(link),
                    ..Item::new(
                        SourceName::new(SOURCES[source]).unwrap(),
                        crate::model::ItemId::new(format!("id-{n}")),
                        TITLES[title],
                        base + TimeDelta::hours(seen),
                    )
                }
            })
            .collect();
        store.upsert_items(&items).unwrap();
        (dir, store)
    }

    fn config(dir: &std::path::Path, output: &str) -> Config {
        let mut text = String::from("[daemon]\ndatabase = \"t.db\"\n");
        for s in SOURCES {
            text.push_str(&format!(
                "[[source]]\nname = \"{s}\"\nurl = \"https://{s}.example/feed\"\n"
            ));
        }
        text.push_str(output);
        Config::parse(&dir.join("feeds.toml"), &text).unwrap()
    }

    /// What `select` gave before pages, heaps and SQL filters: every
    /// item in the store's order, filtered here, told one by one; a query's
    /// matches are those the ranked search finds.
    fn straightforward(store: &Store, config: &Config, output: &OutputConfig) -> Vec<Item> {
        let sources = sources_of(config, output);
        let matches: Option<Vec<(SourceName, String)>> = output.query.as_ref().map(|query| {
            let every = crate::store::SearchFilter {
                limit: 100_000,
                ..Default::default()
            };
            let hits = store.search(query, &every).unwrap();
            hits.into_iter()
                .map(|h| (h.item.source, h.item.id.to_string()))
                .collect()
        });
        let all = store
            .items(&ItemQuery {
                limit: 100_000,
                ..ItemQuery::default()
            })
            .unwrap();
        let filter = Filter::of(output);
        let authors: Vec<String> = Vec::new();
        let json = serde_json::to_string(&authors).unwrap();
        let mut kept = all.into_iter().filter(|item| {
            sources.contains(&item.source)
                && matches
                    .as_ref()
                    .is_none_or(|m| m.contains(&(item.source.clone(), item.id.to_string())))
                && filter.as_ref().is_none_or(|f| {
                    f.passes(&StoredFields {
                        title: &item.title,
                        link: item.link.as_deref(),
                        authors: &json,
                        categories: &json,
                        summary: item.summary.as_deref(),
                        content: item.content.as_deref(),
                    })
                })
        });
        one_per_story(output, sources.len() > 1, || Ok(kept.next())).unwrap()
    }

    fn shown(items: &[Item]) -> Vec<(String, String, Vec<SourceName>)> {
        items
            .iter()
            .map(|i| (i.source.to_string(), i.id.to_string(), i.also_in.clone()))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn the_heap_and_sql_filters_show_what_a_straightforward_merge_does(
            specs in proptest::collection::vec(
                (0..4usize, 0..4usize, 0..6usize, 0..6i64, 0..3i64, any::<bool>()),
                0..40,
            ),
            picked in proptest::collection::vec(0..4usize, 1..4),
            limit in 1..12usize,
            include in 0..INCLUDES.len(),
            exclude in 0..EXCLUDES.len(),
            prefer in proptest::option::of(0..4usize),
            query in 0..QUERIES.len(),
        ) {
            let (dir, store) = stored(&specs);
            let mut names: Vec<&str> = picked.iter().map(|&i| SOURCES[i]).collect();
            names.dedup();
            let list = |xs: &[&str]| {
                xs.iter().filter(|x| !x.is_empty()).map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")
            };
            let prefer = prefer.map(|p| SOURCES[p]).filter(|p| names.contains(p));
            let mut output = format!(
                "[[output]]\nname = \"out\"\nsources = [{}]\nlimit = {limit}\ninclude = [{}]\nexclude = [{}]\nprefer = [{}]\n",
                list(&names),
                list(&[INCLUDES[include]]),
                list(&[EXCLUDES[exclude]]),
                list(&prefer.into_iter().collect::<Vec<_>>()),
            );
            if !QUERIES[query].is_empty() {
                output.push_str(&format!("query = \"{}\"\n", QUERIES[query]));
            }
            let config = config(dir.path(), &output);
            let output = config.output("out").unwrap();
            let now = Utc::now();
            let selected = select(&store, &config, output, now).unwrap();
            prop_assert_eq!(shown(&selected), shown(&straightforward(&store, &config, output)));
        }
    }
}
