//! `syndic search`: the stored items that best match a query, with the
//! matched words marked in a snippet of each.

use chrono::Utc;
use serde::Serialize;

use super::inspect::rfc3339;
use super::store_access::CliStore;
use super::{known_source, print_out, CliError};
use crate::config::{Config, HumanDuration};
use crate::item_record::ItemRecord;
use crate::search::{words, SearchQuery};
use crate::store::{SearchFilter, SearchHit};

/// How a matched word is marked in snippets, on a terminal and in JSON.
const MARK: &str = "**";

/// What to search and how to print it.
pub struct SearchArgs<'a> {
    pub query: &'a str,
    pub sources: &'a [String],
    pub since: Option<HumanDuration>,
    pub limit: usize,
    pub json: bool,
}

/// One `search --json` result: the `items --json` keys and the match's.
#[derive(Serialize)]
struct HitRecord<'a> {
    #[serde(flatten)]
    item: ItemRecord<'a>,
    /// bm25, lower is better.
    score: f64,
    snippet: String,
}

pub fn search(config: &Config, args: &SearchArgs<'_>) -> Result<(), CliError> {
    let query = SearchQuery::parse(args.query).map_err(|e| CliError::Usage(e.to_string()))?;
    let sources = if args.sources.is_empty() {
        None
    } else {
        let named = args.sources.iter().map(|name| known_source(config, name));
        Some(
            named
                .map(|s| s.map(|s| s.name.clone()))
                .collect::<Result<_, _>>()?,
        )
    };
    let filter = SearchFilter {
        sources,
        since: args.since.map(|d| {
            let age = chrono::Duration::from_std(d.0).unwrap_or(chrono::Duration::MAX);
            Utc::now()
                .checked_sub_signed(age)
                .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC)
        }),
        limit: args.limit,
    };
    let store = CliStore::sqlite_reader(config, "search")?;
    let hits = store
        .search(&query, &filter)
        .map_err(|e| CliError::Runtime(e.into()))?;
    if args.json {
        let records: Vec<HitRecord> = hits
            .iter()
            .map(|h| HitRecord {
                item: ItemRecord::from(&h.item),
                score: h.score,
                snippet: marked(&h.snippet),
            })
            .collect();
        let text = serde_json::to_string_pretty(&records).map_err(anyhow::Error::from)?;
        return print_out(&(text + "\n"));
    }
    print_out(&listing(&hits))
}

fn listing(hits: &[SearchHit]) -> String {
    if hits.is_empty() {
        return "no stored item matches\n".into();
    }
    let mut out = String::new();
    for (rank, hit) in hits.iter().enumerate() {
        let item = &hit.item;
        out.push_str(&format!(
            "{:>3}. {}  {:<20}  {}\n",
            rank + 1,
            rfc3339(item.sort_time()),
            item.source,
            item.title
        ));
        if let Some(link) = &item.link {
            out.push_str(&format!("     {link}\n"));
        }
        if !hit.snippet.is_empty() {
            out.push_str(&format!("     {}\n", marked(&hit.snippet)));
        }
    }
    out
}

/// A snippet with its matches between `MARK`s.
fn marked(snippet: &str) -> String {
    snippet.replace([words::HIT_START, words::HIT_END], MARK)
}
