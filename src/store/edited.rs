//! Dump articles saved again after an edit. A plain-text dump's article
//! has no id of its own, so the normalizer makes one in two halves,
//! `article:<title>-<opening>` (one from the title's words, one from the
//! opening words of the text; see `normalize/dump/identity.rs`). A story
//! re-saved with a word changed, a paragraph appended or a typo in its
//! title fixed keeps one half, and is matched to the article stored for
//! the same source:
//!
//! - the same opening is the same story;
//! - the same title is the same story only when the openings are alike
//!   too, so that a daily column under one title stays one item a day.
//!
//! A stored article keeps its first id through every edit, so the halves
//! of its present title and opening (its summary) count as well as those
//! of its id; so are articles stored before ids had halves recognised. Only the source's most recent articles are compared, which
//! bounds the cost of a first import of thousands.

use std::collections::HashSet;

use rusqlite::params;

use super::items::StoredRow;
use super::StoreError;
use crate::model::Item;
use crate::normalize::dump::identity::article_id;

pub(super) const PREFIX: &str = "article:";

/// The source's newest dump articles, newest first, read off the time
/// index, which stops at the limit.
const RECENT: &str = "SELECT id, content_hash, first_seen, title, summary
     FROM items INDEXED BY items_by_source_time
     WHERE source = ?1 AND id >= ?2 AND id < ?3
     ORDER BY sort_time DESC, first_seen DESC, id LIMIT ?4";

/// How many recent articles an edited one is compared with.
pub(super) const RECENT_ARTICLES: i64 = 200;

/// Share of opening words two articles under one title must share.
const ALIKE_OPENINGS: f64 = 0.5;

/// The stored article `item` is an edit of, when `item`'s own id is new.
/// Ids in `claimed` (the batch's own and those already matched in it) are
/// skipped, so two articles of one dump are never folded into one.
pub(super) fn earlier(
    tx: &rusqlite::Transaction<'_>,
    item: &Item,
    claimed: &HashSet<String>,
) -> Result<Option<StoredRow>, StoreError> {
    let Some(article) = Article::of(item) else {
        return Ok(None);
    };
    let mut stmt = tx.prepare_cached(RECENT)?;
    let mut rows = stmt.query(params![
        item.source.as_str(),
        PREFIX,
        "article;",
        RECENT_ARTICLES
    ])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        if claimed.contains(&id) {
            continue;
        }
        let title: String = row.get(3)?;
        let summary: Option<String> = row.get(4)?;
        if article.is(&id, &title, summary.as_deref()) {
            return Ok(Some(StoredRow {
                id,
                content_hash: row.get(1)?,
                first_seen: row.get(2)?,
            }));
        }
    }
    Ok(None)
}

/// A dump article under a new id, to be told apart from stored ones.
pub(super) struct Article<'a> {
    halves: (&'a str, &'a str),
    opening: HashSet<String>,
}

impl<'a> Article<'a> {
    /// `None` for an item whose id is not a dump article's.
    pub(super) fn of(item: &'a Item) -> Option<Article<'a>> {
        Some(Article {
            halves: halves(item.id.as_str())?,
            opening: opening_words(item.summary.as_deref()),
        })
    }

    /// True when the stored article `id`, with its title and summary, is
    /// this one edited: the same opening, or the same title and a like one.
    pub(super) fn is(&self, id: &str, title: &str, summary: Option<&str>) -> bool {
        let present = article_id(title, &unescape(summary));
        let known = [halves(id), halves(present.as_str())];
        let same_opening = known.iter().flatten().any(|h| h.1 == self.halves.1);
        let same_title = known.iter().flatten().any(|h| h.0 == self.halves.0);
        let alike = || similarity(&self.opening, &opening_words(summary)) >= ALIKE_OPENINGS;
        same_opening || (same_title && alike())
    }
}

fn halves(id: &str) -> Option<(&str, &str)> {
    let (title, opening) = id.strip_prefix(PREFIX)?.split_once('-')?;
    let hex = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit());
    (hex(title) && hex(opening) && title.len() == opening.len()).then_some((title, opening))
}

fn unescape(summary: Option<&str>) -> String {
    html_escape::decode_html_entities(summary.unwrap_or_default()).into_owned()
}

fn opening_words(summary: Option<&str>) -> HashSet<String> {
    unescape(summary)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Shared words over all words (Jaccard).
fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_two_half_article_ids_have_halves() {
        assert_eq!(halves("article:ab12-cd34"), Some(("ab12", "cd34")));
        assert_eq!(halves("article:ab12"), None);
        assert_eq!(halves("headline:ab12-cd34"), None);
        assert_eq!(halves("https://example.org/article:ab-cd"), None);
        assert_eq!(halves("article:ab12-cd3"), None);
    }

    #[test]
    fn openings_are_alike_when_most_words_are_shared() {
        let a = opening_words(Some("The council voted on Monday to close the pool."));
        let b = opening_words(Some("The council voted on Tuesday to close the pool."));
        let c = opening_words(Some("Rain is expected across the region all week."));
        assert!(similarity(&a, &b) >= ALIKE_OPENINGS);
        assert!(similarity(&a, &c) < ALIKE_OPENINGS);
    }
}
