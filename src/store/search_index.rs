//! The full-text index's writes and the SQL functions it reads item text
//! through (migration 17): titles as they are, HTML fields as their text,
//! JSON lists as their entries, each spaced for Chinese and Japanese
//! (`search::words`). Every connection registers the functions before it
//! touches the index, since its content view and delete trigger call
//! them; a tool such as the `sqlite3` shell, which lacks them, can read
//! items but not delete them. Upserts index what they write
//! (`index_row`, after `unindex_row` for an update), each one statement
//! of a single row, which opens no savepoint (see migration 17).

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

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

/// The indexed fields of a row, as stored (HTML, JSON lists).
pub(super) struct IndexedText<'a> {
    pub title: &'a str,
    pub summary: Option<&'a str>,
    pub content: Option<&'a str>,
    pub authors: &'a str,
    pub categories: &'a str,
}

/// Adds `text` to the index under `rowid`.
pub(super) fn index_row(
    tx: &Transaction<'_>,
    rowid: i64,
    text: &IndexedText<'_>,
) -> Result<(), StoreError> {
    write(tx, INDEX, rowid, text)
}

/// Takes the row of `source` under `id`, if any, out of the index, with
/// the text it was indexed with (an external-content index needs it);
/// returns its rowid.
pub(super) fn unindex_row(
    tx: &Transaction<'_>,
    source: &str,
    id: &str,
) -> Result<Option<i64>, StoreError> {
    let stored = tx
        .prepare_cached(
            "SELECT rowid, title, summary, content, authors, categories
             FROM items WHERE source = ?1 AND id = ?2",
        )?
        .query_row(params![source, id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .optional()?;
    let Some((rowid, title, summary, content, authors, categories)) = stored else {
        return Ok(None);
    };
    let text = IndexedText {
        title: &title,
        summary: summary.as_deref(),
        content: content.as_deref(),
        authors: &authors,
        categories: &categories,
    };
    write(tx, UNINDEX, rowid, &text)?;
    Ok(Some(rowid))
}

/// A row's words into the index, through the functions the content view
/// reads with, so both see the same words.
const INDEX: &str = "INSERT INTO items_fts (rowid, title, summary, content, authors, categories)
     VALUES (?1, syndic_search_plain(?2), syndic_search_html(?3), syndic_search_html(?4),
             syndic_search_list(?5), syndic_search_list(?6))";

/// A row's words out of the index: FTS5's `delete` command, given the
/// text the row was indexed with.
const UNINDEX: &str =
    "INSERT INTO items_fts (items_fts, rowid, title, summary, content, authors, categories)
     VALUES ('delete', ?1, syndic_search_plain(?2), syndic_search_html(?3),
             syndic_search_html(?4), syndic_search_list(?5), syndic_search_list(?6))";

fn write(
    tx: &Transaction<'_>,
    sql: &str,
    rowid: i64,
    text: &IndexedText<'_>,
) -> Result<(), StoreError> {
    tx.prepare_cached(sql)?.execute(params![
        rowid,
        text.title,
        text.summary,
        text.content,
        text.authors,
        text.categories
    ])?;
    Ok(())
}

/// Indexes every stored item afresh, for writes that bypass the upserts
/// (a whole store copied in by `migrate`).
pub(super) fn rebuild(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')", [])?;
    Ok(())
}

impl Store {
    /// FTS5's own check that the index holds exactly what the items say;
    /// an FTS5 command, so it needs a connection that may write.
    pub fn check_search_index(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)",
            [],
        )?;
        Ok(())
    }
}
