//! Plain-text news dumps — text saved from news pages — turned into items:
//! an article becomes one item with its paragraphs, each line of a
//! headline list becomes an item of its own.
//!
//! The steps, one module each: [`text`] decodes and cleans the lines,
//! [`headers`] reads the optional `Key: value` lines at the top, [`blocks`]
//! classifies runs of lines as prose or headlines, [`layout`] groups them
//! into stories, and [`items`] makes the items.

mod blocks;
mod headers;
mod items;
mod layout;
mod sentences;
mod text;
mod title;

use chrono::{DateTime, Utc};

use crate::model::{Item, SourceName};

/// Where a dump came from, and the dates to use when it states none.
#[derive(Debug, Clone, Copy)]
pub struct DumpMeta<'a> {
    pub source: &'a SourceName,
    /// File path or URL, named in error messages.
    pub origin: &'a str,
    /// The file's modification time, or the fetch time for a URL.
    pub fallback_date: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// Items made at most, the first on the page: a dump of millions of
    /// one-word lines must not cost millions of items.
    pub max_items: usize,
}

/// Why a dump was refused. Every message names the dump and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("{origin}: no text to import (the file is empty, or holds only whitespace and punctuation); check that it is the dump you meant")]
    Empty { origin: String },
    #[error("{origin}: has header lines but no text after them; add the article or headlines below the headers and a blank line")]
    OnlyHeaders { origin: String },
    #[error("{origin}: not a text file: it {why}; save the page as plain text and import that")]
    Binary { origin: String, why: String },
    #[error("{origin}:{line}: {problem}")]
    BadHeader {
        origin: String,
        line: usize,
        problem: String,
    },
}

/// The items of one dump; deterministic, so the same bytes always give
/// the same ids and the same content.
pub fn dump_items(bytes: &[u8], meta: &DumpMeta) -> Result<Vec<Item>, DumpError> {
    let origin = || meta.origin.to_string();
    let decoded = crate::text::decode::decode_text(bytes).text;
    let lines = text::clean_lines(&decoded).map_err(|e| match e {
        text::NotText::Empty => DumpError::Empty { origin: origin() },
        text::NotText::Binary(why) => DumpError::Binary {
            origin: origin(),
            why,
        },
    })?;
    let (headers, body_start) =
        headers::read_headers(&lines).map_err(|p| DumpError::BadHeader {
            origin: origin(),
            line: p.line,
            problem: p.problem,
        })?;
    let mut blocks = blocks::blocks(lines.get(body_start..).unwrap_or_default());
    let Some(first) = blocks.first_mut() else {
        return Err(DumpError::OnlyHeaders { origin: origin() });
    };
    if headers.declare_article() && first.kind == blocks::BlockKind::Headlines {
        first.kind = blocks::BlockKind::Prose { titled: false };
    }
    let stories = layout::stories(&blocks, meta.max_items);
    Ok(items::items(stories, &headers, meta))
}
