//! Full-text queries over the index of migration 17: the best matches
//! by bm25, each with a snippet around its matched words.

use chrono::{DateTime, Utc};
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension};

use super::{to_unix, Store, StoreError};
use crate::model::{Item, SourceName};
use crate::search::{words, SearchQuery};

/// bm25 weights of the indexed columns, in their order (title, summary,
/// content, authors, categories): a word in the title says more about
/// what an item is about than the same word deep in its content.
const WEIGHTS: &str = "10.0, 3.0, 1.0, 3.0, 3.0";

/// Words a snippet shows at most.
const SNIPPET_WORDS: u32 = 24;

/// Which matches to rank.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Only these sources; `None` is every source.
    pub sources: Option<Vec<SourceName>>,
    /// Only items whose sort time is at or after this.
    pub since: Option<DateTime<Utc>>,
    pub limit: usize,
}

/// One match: the item, a snippet of its text with the matched words
/// between `words::HIT_START` and `words::HIT_END`, and its bm25 score
/// (lower is better, as SQLite gives it).
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub item: Item,
    pub snippet: String,
    pub score: f64,
}

impl Store {
    /// The best `filter.limit` matches of `query`, best first. Ranking
    /// reads only the index (and, with a filter, the items' keys); the
    /// snippets and items, which need the text, are made for the hits
    /// alone.
    pub fn search(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some((sql, args)) = ranking_sql(query, filter) else {
            return Ok(Vec::new());
        };
        let ranked: Vec<(i64, f64)> = self
            .conn
            .prepare_cached(&sql)?
            .query_map(params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut hits = Vec::with_capacity(ranked.len());
        for (rowid, score) in ranked {
            // An item removed between the two reads is simply not shown.
            if let Some(item) = self.item_by_rowid(rowid)? {
                let snippet = self.snippet(query, rowid)?;
                hits.push(SearchHit {
                    item,
                    snippet,
                    score,
                });
            }
        }
        Ok(hits)
    }

    fn snippet(&self, query: &SearchQuery, rowid: i64) -> Result<String, StoreError> {
        let sql = format!(
            "SELECT snippet(items_fts, -1, char(2), char(3), '…', {SNIPPET_WORDS})
             FROM items_fts WHERE items_fts MATCH ?1 AND rowid = ?2"
        );
        let snippet: Option<String> = self
            .conn
            .prepare_cached(&sql)?
            .query_row(params![query.fts5(), rowid], |r| r.get(0))
            .optional()?;
        Ok(words::unspaced(snippet.as_deref().unwrap_or("")))
    }
}

/// The ranking query: `None` when it can match nothing. The items table
/// is joined only when a filter needs its columns.
fn ranking_sql(query: &SearchQuery, filter: &SearchFilter) -> Option<(String, Vec<Value>)> {
    let mut args = vec![Value::Text(query.fts5().to_string())];
    let mut sql =
        format!("SELECT items_fts.rowid, bm25(items_fts, {WEIGHTS}) AS score FROM items_fts");
    if filter.sources.is_some() || filter.since.is_some() {
        sql.push_str(" JOIN items ON items.rowid = items_fts.rowid");
    }
    sql.push_str(" WHERE items_fts MATCH ?");
    match filter.sources.as_deref() {
        None => {}
        Some([]) => return None,
        Some(many) => {
            sql.push_str(" AND items.source IN (");
            sql.push_str(&vec!["?"; many.len()].join(","));
            sql.push(')');
            args.extend(many.iter().map(|s| Value::Text(s.as_str().into())));
        }
    }
    if let Some(since) = filter.since {
        sql.push_str(" AND items.sort_time >= ?");
        args.push(Value::Integer(to_unix(since)));
    }
    // Ties (the same words as often) go to the item stored last.
    sql.push_str(" ORDER BY score, items_fts.rowid DESC LIMIT ?");
    args.push(Value::Integer(
        i64::try_from(filter.limit).unwrap_or(i64::MAX),
    ));
    Some((sql, args))
}
