//! How far stored items have changed, overall and per source, so a cache
//! of rendered outputs tells in a load or two whether an output is stale,
//! and a change to one source leaves outputs that do not read it fresh.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use crate::model::SourceName;

#[derive(Debug, Default)]
pub struct Generations {
    /// Bumped by every change, last, so a reader that sees it unchanged
    /// has nothing to look up.
    any: AtomicU64,
    /// Bumped by changes that name no source: every output is stale.
    all: AtomicU64,
    /// Bumped by changes to that source; absent is zero.
    by_source: RwLock<HashMap<SourceName, u64>>,
}

/// What a set of sources had reached: equal stamps of the same sources
/// mean none of them changed in between, as counters only go up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    all: u64,
    sources: u64,
}

impl Generations {
    pub fn any(&self) -> u64 {
        self.any.load(Ordering::Acquire)
    }

    pub fn bump_all(&self) {
        self.all.fetch_add(1, Ordering::AcqRel);
        self.any.fetch_add(1, Ordering::AcqRel);
    }

    pub fn bump(&self, sources: &[SourceName]) {
        {
            let mut by_source = self.by_source.write().unwrap_or_else(|e| e.into_inner());
            for source in sources {
                let n = by_source.entry(source.clone()).or_default();
                *n = n.wrapping_add(1);
            }
        }
        self.any.fetch_add(1, Ordering::AcqRel);
    }

    pub fn stamp(&self, sources: &[SourceName]) -> Stamp {
        let all = self.all.load(Ordering::Acquire);
        let by_source = self.by_source.read().unwrap_or_else(|e| e.into_inner());
        let sources = sources
            .iter()
            .filter_map(|s| by_source.get(s))
            .fold(0u64, |sum, n| sum.wrapping_add(*n));
        Stamp { all, sources }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<SourceName> {
        list.iter().map(|n| SourceName::new(*n).unwrap()).collect()
    }

    #[test]
    fn a_change_to_one_source_moves_only_the_stamps_that_include_it() {
        let g = Generations::default();
        let (a, b) = (names(&["a"]), names(&["b"]));
        let (before_a, before_b, before_any) = (g.stamp(&a), g.stamp(&b), g.any());
        g.bump(&a);
        assert_ne!(g.stamp(&a), before_a);
        assert_eq!(g.stamp(&b), before_b);
        assert!(g.any() > before_any);
        let both = names(&["a", "b"]);
        let before_both = g.stamp(&both);
        g.bump_all();
        assert_ne!(g.stamp(&b), before_b);
        assert_ne!(g.stamp(&both), before_both);
    }
}
