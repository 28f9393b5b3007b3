//! Plain-text news dumps — text saved from news pages — turned into items:
//! an article becomes one item with its paragraphs, each line of a
//! headline list becomes an item of its own.
//!
//! The steps, one module each: [`text`] decodes and cleans the lines,
//! [`headers`] reads the optional `Key: value` lines at the top, [`blocks`]
//! (or [`markdown`], for Markdown) makes the logical lines, joining
//! wrapped ones ([`wrap`]), [`roles`] says what each is — prose, title,
//! list item, byline ([`byline`]), date ([`dates`]) or page furniture
//! ([`furniture`]) — [`layout`] groups them into stories, and [`items`]
//! makes the items, with ids from [`identity`].

mod blocks;
mod byline;
mod cjk;
mod dates;
mod furniture;
mod headers;
pub(crate) mod identity;
mod items;
mod layout;
mod markdown;
mod roles;
mod sentences;
mod text;
mod title;
mod wrap;

use std::borrow::Cow;

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
    #[error("{origin}: holds no story, only page furniture (menus, share buttons, footers); check that it is the dump you meant")]
    OnlyFurniture { origin: String },
    #[error("{origin}: a saved web page with no article or headlines to read: {why}")]
    NoPageContent { origin: String, why: String },
    #[error("{origin}:{line}: {problem}")]
    BadHeader {
        origin: String,
        line: usize,
        problem: String,
    },
}

/// Logical lines read for each item a dump may give: titles, bylines,
/// paragraphs and furniture, with room to spare.
const UNITS_PER_ITEM: usize = 10;

/// What a dump gave: its items, and what was left out of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Dump {
    pub items: Vec<Item>,
    /// One line each, naming the dump: things the writer meant that could
    /// not be read, such as a date in an unknown form.
    pub warnings: Vec<String>,
}

/// The items of one dump; deterministic, so the same bytes always give
/// the same ids and the same content.
pub fn dump_items(bytes: &[u8], meta: &DumpMeta) -> Result<Dump, DumpError> {
    let origin = || meta.origin.to_string();
    let decoded = decode(bytes);
    let lines = text::clean_lines(&decoded).map_err(|e| match e {
        text::NotText::Empty => DumpError::Empty { origin: origin() },
        text::NotText::Binary(why) => DumpError::Binary {
            origin: origin(),
            why,
        },
    })?;
    let block = headers::read_headers(&lines).map_err(|p| DumpError::BadHeader {
        origin: origin(),
        line: p.line,
        problem: p.problem,
    })?;
    let body = lines.get(block.body_start..).unwrap_or_default();
    let budget = meta.max_items.saturating_mul(UNITS_PER_ITEM);
    // The parser reads all the text it is given: give it no more lines
    // than the units wanted can take.
    let markdown_lines = markdown::is_markdown(body).then(|| {
        body.len()
            .min(budget.saturating_mul(blocks::LINES_PER_UNIT))
    });
    // The units borrow the text, not the lines: a dump of millions of
    // short lines should not hold both lists while it makes items.
    let units = match markdown_lines {
        Some(read) => {
            // Markdown is read from the text again, line by line, so the
            // list of lines, as large as the dump, goes first.
            let start = block.body_start;
            drop(lines);
            markdown::units(text::lines_of(&decoded).skip(start).take(read), budget)
        }
        None => {
            let units = blocks::units(body, budget);
            drop(lines);
            units
        }
    };
    if units.is_empty() {
        return Err(DumpError::OnlyHeaders { origin: origin() });
    }
    let mut roles = roles::roles(&units, meta.fallback_date);
    if block.headers.declare_article() {
        roles::as_article_text(&units, &mut roles);
    }
    let mut items = items::Items::new(&block.headers, meta);
    layout::stories(units, roles, meta.max_items, &mut |story| items.add(story));
    let items = items.finish();
    if items.is_empty() {
        return Err(DumpError::OnlyFurniture { origin: origin() });
    }
    let warnings = block
        .warnings
        .iter()
        .map(|w| format!("{}:{}: {}", meta.origin, w.line, w.problem))
        .collect();
    Ok(Dump { items, warnings })
}

/// The text of `bytes`, borrowed when they are UTF-8 already (as almost
/// every dump is), so a 16 MiB dump is not held twice.
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text.strip_prefix('\u{feff}').unwrap_or(text)),
        Err(_) => Cow::Owned(crate::text::decode::decode_text(bytes).text),
    }
}
