//! An item as JSON for programs: what `syndic items --json` prints and
//! what notifications send. Its keys are a public contract.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::model::Item;

#[derive(Debug, Serialize)]
pub struct ItemRecord<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub title: &'a str,
    pub link: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub content: Option<&'a str>,
    pub authors: &'a [String],
    pub categories: &'a [String],
    pub published: String,
    pub updated: Option<String>,
}

impl<'a> From<&'a Item> for ItemRecord<'a> {
    fn from(i: &'a Item) -> Self {
        ItemRecord {
            id: i.id.as_str(),
            source: i.source.as_str(),
            title: &i.title,
            link: i.link.as_deref(),
            summary: i.summary.as_deref(),
            content: i.content.as_deref(),
            authors: &i.authors,
            categories: &i.categories,
            // The date outputs show it with: an item without a date of
            // its own (a dump's headline) is shown at its first sighting.
            published: rfc3339(i.sort_time()),
            updated: i.updated.map(rfc3339),
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}
