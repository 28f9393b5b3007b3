//! The SQL functions the full-text index reads item text through
//! (migration 17): titles as they are, HTML fields as their text, JSON
//! lists as their entries, each spaced for Chinese and Japanese
//! (`search::words`). Every connection registers them before it touches
//! the index, since its triggers and content view call them; a tool such
//! as the `sqlite3` shell, which lacks them, can read items but not
//! write them.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;

use super::{Store, StoreError};
use crate::search::words;

/// The same text always gives the same words, and the functions touch
/// nothing else, so SQLite may use them in triggers and views even with
/// `trusted_schema` off.
const FLAGS: FunctionFlags = FunctionFlags::SQLITE_UTF8
    .union(FunctionFlags::SQLITE_DETERMINISTIC)
    .union(FunctionFlags::SQLITE_INNOCUOUS);

pub(super) fn register_functions(conn: &Connection) -> Result<(), StoreError> {
    conn.create_scalar_function("syndic_search_plain", 1, FLAGS, |ctx| {
        text_arg(ctx, |s| words::spaced(s).into_owned())
    })?;
    conn.create_scalar_function("syndic_search_html", 1, FLAGS, |ctx| {
        text_arg(ctx, words::html_text)
    })?;
    conn.create_scalar_function("syndic_search_list", 1, FLAGS, |ctx| {
        text_arg(ctx, words::list_text)
    })?;
    Ok(())
}

/// `make` applied to the argument; NULL stays NULL.
fn text_arg(ctx: &Context<'_>, make: impl Fn(&str) -> String) -> rusqlite::Result<Option<String>> {
    Ok(ctx.get::<Option<String>>(0)?.map(|s| make(&s)))
}

impl Store {
    /// FTS5's own check that the index holds exactly what the items say.
    pub fn check_search_index(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )?;
        Ok(())
    }
}
