//! One entry per story: the items an output would show, grouped by the
//! matcher, each group shown as its earliest copy (or its copy from the
//! most preferred source) naming the other sources that carried it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::matcher::{same_story, Match, StoryKey};
use super::shingles::fnv1a;
use crate::model::{Item, SourceName};

/// Items sharing a word pair with more than this many others do not make
/// them candidates by it: "of the", or a feed's template ("Story 41:
/// council approves…"), would make every item a candidate for every other.
/// Copies still share their rarer pairs.
const COMMON_SHINGLE: usize = 32;

/// Items grouped into stories as they are offered, newest first.
pub struct Stories<'p> {
    /// Sources whose copy wins, most preferred first.
    prefer: &'p [SourceName],
    groups: Vec<Vec<Item>>,
    members: Vec<Member>,
    /// Where to look for an item's possible copies: members by the hash of
    /// their id, link, headline and each shingle. The matcher confirms
    /// every candidate, so a collision costs a comparison, not a merge.
    by_key: HashMap<u64, Vec<usize>, BuildHasherDefault<Prehashed>>,
}

struct Member {
    key: StoryKey,
    group: usize,
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = bytes
            .iter()
            .fold(self.0, |h, b| h.rotate_left(8) ^ u64::from(*b));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// How an item is looked up, and whether a key shared by many says little.
struct Lookup {
    hash: u64,
    shingle: bool,
}

impl<'p> Stories<'p> {
    pub fn new(prefer: &'p [SourceName]) -> Self {
        Stories {
            prefer,
            groups: Vec::new(),
            members: Vec::new(),
            by_key: HashMap::default(),
        }
    }

    /// How many stories there are so far.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Makes `item` a story of its own, unmatched and never matched.
    pub fn open(&mut self, item: Item) {
        self.groups.push(vec![item]);
    }

    /// Adds `item` to the story it is a copy of; else, when `may_open`,
    /// makes it a story of its own; else it is left out.
    pub fn offer(&mut self, item: Item, may_open: bool) {
        let key = StoryKey::of(&item);
        let lookups = lookups(&key);
        let group = match self.story_of(&key, &lookups) {
            Some(group) => group,
            None if may_open => {
                self.groups.push(Vec::new());
                self.groups.len() - 1
            }
            None => return,
        };
        self.remember(key, &lookups, group);
        self.groups[group].push(item);
    }

    /// The story holding the copy of `key`'s item closest to it in time.
    /// A headline or text never joins a story that has an item of the
    /// same source: two of a source's items are one story only by id or
    /// link.
    fn story_of(&self, key: &StoryKey, lookups: &[Lookup]) -> Option<usize> {
        let mut candidates: Vec<usize> = lookups
            .iter()
            .filter_map(|l| {
                let members = self.by_key.get(&l.hash)?;
                let common = l.shingle && members.len() > COMMON_SHINGLE;
                (!common).then_some(members)
            })
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|m| &self.members[m])
            .filter(|m| match same_story(key, &m.key) {
                Some(Match::Id | Match::Link) => true,
                Some(Match::Title | Match::Text) => {
                    self.groups[m.group].iter().all(|i| i.source != key.source)
                }
                None => false,
            })
            .min_by_key(|m| ((m.key.time - key.time).abs(), m.group))
            .map(|m| m.group)
    }

    fn remember(&mut self, key: StoryKey, lookups: &[Lookup], group: usize) {
        let index = self.members.len();
        for lookup in lookups {
            self.by_key.entry(lookup.hash).or_default().push(index);
        }
        self.members.push(Member { key, group });
    }

    /// Each story as one item, its other sources in `also_in`.
    pub fn into_items(self) -> Vec<Item> {
        let prefer = self.prefer;
        self.groups
            .into_iter()
            .filter_map(|mut copies| {
                copies.sort_by_key(|i| (rank(prefer, &i.source), i.sort_time(), i.first_seen));
                let mut copies = copies.into_iter();
                let mut shown = copies.next()?;
                for copy in copies {
                    if copy.source != shown.source && !shown.also_in.contains(&copy.source) {
                        shown.also_in.push(copy.source);
                    }
                }
                Some(shown)
            })
            .collect()
    }
}

/// Where `source` stands in `prefer`; unlisted sources come after all.
fn rank(prefer: &[SourceName], source: &SourceName) -> usize {
    prefer
        .iter()
        .position(|p| p == source)
        .unwrap_or(prefer.len())
}

fn lookups(key: &StoryKey) -> Vec<Lookup> {
    let whole = |kind: &str, text: &str| Lookup {
        hash: fnv1a(kind, text),
        shingle: false,
    };
    let mut all = vec![whole("id", &key.public_id)];
    all.extend(key.link.as_deref().map(|l| whole("link", l)));
    if !key.title.is_empty() {
        all.push(whole("title", &key.title));
    }
    all.extend(key.text.hashes().iter().map(|&hash| Lookup {
        hash,
        shingle: true,
    }));
    all
}
