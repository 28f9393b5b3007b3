//! Writing beside other processes: a `syndic import` or `syndic poll` may
//! hold the write lock while the daemon wants it. Write transactions take
//! the lock up front (`BEGIN IMMEDIATE`), so SQLite's busy timeout can wait
//! for it; a deferred transaction that upgrades from reading would fail at
//! once instead. A transaction still refused after the timeout is run
//! again a few times, with growing pauses, before the error is returned.

use std::time::Duration;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use super::StoreError;

/// How long one attempt waits for another process's write to end.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Attempts after the first; with the pauses below a write gives up only
/// after about half a minute of another process holding the lock.
const RETRIES: u32 = 4;
const FIRST_PAUSE: Duration = Duration::from_millis(50);
const LONGEST_PAUSE: Duration = Duration::from_secs(2);

/// Runs `work` in an immediate transaction and commits it; when the
/// database stays locked, rolls back and runs it again (so `work` must
/// only touch the database).
pub fn write_transaction<T>(
    conn: &mut Connection,
    mut work: impl FnMut(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    retrying(|| attempt_once(conn, &mut work))
}

/// Opens an immediate transaction, waiting out another process's lock as
/// `write_transaction` does; the caller commits it (dropping it rolls it
/// back). For work that cannot be run twice.
pub fn begin_immediate(conn: &Connection) -> Result<Transaction<'_>, StoreError> {
    retrying(|| {
        Ok(Transaction::new_unchecked(
            conn,
            TransactionBehavior::Immediate,
        )?)
    })
}

/// Runs `attempt` until it succeeds, fails otherwise than on another
/// connection's lock, or has been retried `RETRIES` times.
fn retrying<T>(mut attempt: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut pause = FIRST_PAUSE;
    let mut retries = 0;
    loop {
        match attempt() {
            Err(e) if is_busy(&e) && retries < RETRIES => {
                retries += 1;
                tracing::debug!(attempt = retries, error = %e, "database locked by another process; retrying");
                std::thread::sleep(pause);
                pause = (pause * 4).min(LONGEST_PAUSE);
            }
            other => return other,
        }
    }
}

fn attempt_once<T>(
    conn: &mut Connection,
    work: &mut impl FnMut(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    // Dropping an uncommitted transaction rolls it back.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// True for the errors another connection's lock causes.
fn is_busy(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &std::path::Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.busy_timeout(Duration::from_millis(10)).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn
    }

    #[test]
    fn a_write_waits_out_another_connections_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut holder = open(&path);
        holder.execute_batch("CREATE TABLE t (x)").unwrap();
        let mut other = open(&path);

        let held = holder
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        held.execute("INSERT INTO t VALUES (1)", []).unwrap();
        let writer = std::thread::spawn(move || {
            write_transaction(&mut other, |tx| {
                Ok(tx.execute("INSERT INTO t VALUES (2)", [])?)
            })
        });
        // Longer than the busy timeout: only the retries get the write in.
        std::thread::sleep(Duration::from_millis(120));
        held.commit().unwrap();

        assert_eq!(writer.join().unwrap().unwrap(), 1);
        let rows: i64 = holder
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 2);
    }

    #[test]
    fn other_errors_are_not_retried() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("t.db"));
        let mut runs = 0;
        let result = write_transaction(&mut conn, |tx| {
            runs += 1;
            Ok(tx.execute("INSERT INTO missing VALUES (1)", [])?)
        });
        assert!(result.is_err());
        assert_eq!(runs, 1);
    }
}
