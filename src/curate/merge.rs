//! Sources' items merged newest first through a binary heap: each source
//! is read a page at a time, and taking an item costs a heap step,
//! logarithmic in the number of sources, not a look at every source.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use chrono::{DateTime, Utc};

use crate::model::SourceName;
use crate::store::{ItemKey, ItemPages, StoreError};

/// The sources of one output, merged into the store's order: newest sort
/// time, then newest arrival, then source, then id.
pub struct Merge<'r> {
    reads: &'r dyn ItemPages,
    since: Option<DateTime<Utc>>,
    /// Sorted by source name, so a cursor's index breaks ties as the
    /// source name does.
    cursors: Vec<Cursor>,
    /// Each cursor with anything left, once, at its head.
    heads: BinaryHeap<Head>,
}

/// One source's place in the merge. Its head is the first key read and
/// not yet taken; with none buffered, the last row read stands in for the
/// rows after it, which are all older.
struct Cursor {
    source: SourceName,
    passed: VecDeque<ItemKey>,
    last_read: ItemKey,
    page: usize,
    exhausted: bool,
}

/// Greatest is newest: later sort time, then later arrival, then the
/// source first by name.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Head {
    sort_time: i64,
    first_seen: i64,
    cursor: Reverse<usize>,
}

impl<'r> Merge<'r> {
    /// `first_page` rows are read of each source at first, twice as many
    /// each time after.
    pub fn new(
        reads: &'r dyn ItemPages,
        mut sources: Vec<SourceName>,
        since: Option<DateTime<Utc>>,
        first_page: usize,
    ) -> Self {
        sources.sort();
        let cursors: Vec<Cursor> = sources
            .into_iter()
            .map(|source| Cursor {
                source,
                passed: VecDeque::new(),
                last_read: ItemKey::start(),
                page: first_page.max(1),
                exhausted: false,
            })
            .collect();
        let heads = (0..cursors.len())
            .map(|i| Head {
                sort_time: i64::MAX,
                first_seen: i64::MAX,
                cursor: Reverse(i),
            })
            .collect();
        Merge {
            reads,
            since,
            cursors,
            heads,
        }
    }

    /// The next item's source and key, newest first.
    pub fn next(&mut self) -> Result<Option<(&SourceName, ItemKey)>, StoreError> {
        while let Some(Head {
            cursor: Reverse(i), ..
        }) = self.heads.pop()
        {
            let cursor = &mut self.cursors[i];
            if let Some(key) = cursor.passed.pop_front() {
                self.push(i);
                return Ok(Some((&self.cursors[i].source, key)));
            }
            cursor.read_page(self.reads, self.since)?;
            self.push(i);
        }
        Ok(None)
    }

    fn push(&mut self, i: usize) {
        let cursor = &self.cursors[i];
        let head = match cursor.passed.front() {
            Some(key) => key,
            None if cursor.exhausted => return,
            None => &cursor.last_read,
        };
        self.heads.push(Head {
            sort_time: head.sort_time,
            first_seen: head.first_seen,
            cursor: Reverse(i),
        });
    }
}

impl Cursor {
    fn read_page(
        &mut self,
        reads: &dyn ItemPages,
        since: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let page = reads.page(&self.source, since, &self.last_read, self.page)?;
        self.passed.extend(page.passed);
        if let Some(last) = page.last_read {
            self.last_read = last;
        }
        self.exhausted = page.exhausted;
        self.page = self.page.saturating_mul(2);
        Ok(())
    }
}
