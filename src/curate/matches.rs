//! The matches of an output's `query` over all its sources, newest first,
//! read a page at a time: pages start at the output's limit and double,
//! so patterns that drop many matches cost a few more pages.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::model::SourceName;
use crate::search::SearchQuery;
use crate::store::{ItemPages, MatchKey, StoreError};

pub struct Matches<'r, R> {
    reads: &'r R,
    query: &'r SearchQuery,
    sources: Vec<SourceName>,
    since: Option<DateTime<Utc>>,
    passed: VecDeque<MatchKey>,
    last_read: Option<MatchKey>,
    page: usize,
    exhausted: bool,
}

impl<'r, R: ItemPages> Matches<'r, R> {
    pub fn new(
        reads: &'r R,
        query: &'r SearchQuery,
        sources: Vec<SourceName>,
        since: Option<DateTime<Utc>>,
        first_page: usize,
    ) -> Self {
        Matches {
            reads,
            query,
            exhausted: sources.is_empty(),
            sources,
            since,
            passed: VecDeque::new(),
            last_read: None,
            page: first_page.max(1),
        }
    }

    /// The next match that passes the output's patterns, newest first.
    pub fn next(&mut self) -> Result<Option<MatchKey>, StoreError> {
        loop {
            if let Some(key) = self.passed.pop_front() {
                return Ok(Some(key));
            }
            if self.exhausted {
                return Ok(None);
            }
            let page = self.reads.match_page(
                self.query,
                &self.sources,
                self.since,
                self.last_read.as_ref(),
                self.page,
            )?;
            self.passed.extend(page.passed);
            self.last_read = page.last_read.or(self.last_read.take());
            self.exhausted = page.exhausted;
            self.page = self.page.saturating_mul(2);
        }
    }
}
