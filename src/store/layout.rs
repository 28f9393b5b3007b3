//! The file's page size. Items are rows of one to two kilobytes; on 4 KB
//! pages two fit with a quarter of the page left over, on 16 KB pages
//! nine or ten fit and little is wasted. Measured at 50,000 items of
//! about 1.35 KB of HTML each (bytes per item, file size over items,
//! with rotation's index still on links): 4 KB pages 2,435, 8 KB 2,426,
//! 16 KB 2,193, 32 KB 2,184. Larger pages
//! gain nothing more, and make each random read and each page written to
//! the write-ahead log dearer.

use rusqlite::Connection;

/// The page size of every database syndic makes.
pub const PAGE_SIZE: u32 = 16_384;

/// Asks for `PAGE_SIZE`; SQLite heeds it only while the file is empty, so
/// this is run before anything else touches a new database.
pub fn ask_for_new(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "page_size", PAGE_SIZE)
}

/// Moves an existing database to `PAGE_SIZE`: that needs the file to
/// leave WAL mode and be rewritten whole by VACUUM, which only works while
/// no other connection has it open. When that fails the database keeps
/// its pages, which work as well, only less densely; the failure is
/// logged and not tried again (it runs once, after the migration that
/// made rows fit in a page).
pub fn adopt_page_size(conn: &Connection) {
    match repage(conn) {
        Ok(true) => tracing::info!(
            page_size = PAGE_SIZE,
            "database rewritten with larger pages"
        ),
        Ok(false) => {}
        Err(e) => tracing::warn!(
            error = %e,
            "could not move the database to larger pages (another process has it open?); it keeps its page size"
        ),
    }
}

fn repage(conn: &Connection) -> rusqlite::Result<bool> {
    let current: u32 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
    if current == PAGE_SIZE {
        return Ok(false);
    }
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    let rewritten = conn
        .pragma_update(None, "page_size", PAGE_SIZE)
        .and_then(|()| conn.execute_batch("VACUUM"));
    // WAL again whatever happened: readers beside the writer rely on it.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    rewritten.map(|()| true)
}
