//! Group commit: the polls that reach the writer together are written in
//! one transaction. A commit writes every page it touched to the log, and
//! the polls of a first run touch the same index pages over and over, so
//! a transaction per poll wrote most pages many times. Each poll runs in a
//! savepoint of its own: one whose statements fail is rolled back alone,
//! and the others are committed.

use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use rusqlite::Transaction;

use super::busy::begin_immediate;
use super::handle::Job;
use super::Store;

/// The most polls one transaction holds. Every page a transaction
/// dirties stays in memory until its commit, and a first run's polls
/// dirty pages all over the time index: 64 polls of 50 items took a first
/// poll of 10,000 feeds to 159 MB, past its budget of 150 MB.
pub(super) const MOST_WRITES: usize = 16;

/// How long a group waits for more polls after its first: the most a
/// poll's write waits before it is committed, beyond the group's work.
const WINDOW: Duration = Duration::from_millis(20);

/// A write that can share its transaction with others.
pub(super) trait GroupedWrite: Send {
    /// Does the work in the group's transaction; true when its writes are
    /// to stand, false to have them rolled back.
    fn run(&mut self, tx: &Transaction<'_>) -> bool;
    /// Tells whoever asked for the write how it ended, once the group's
    /// fate is known.
    fn deliver(self: Box<Self>, fate: Fate);
}

/// How a group's transaction ended.
#[derive(Debug, Clone)]
pub(super) enum Fate {
    Committed,
    /// The writer has no connection; why.
    Unwritable(String),
    /// The transaction could not be begun or committed; why.
    Lost(String),
}

/// Runs `first` and the grouped writes queued after it, or arriving
/// within `WINDOW`, in one transaction. Returns the job that ended the
/// group when it was not a grouped write, for the writer to run next.
pub(super) fn run(
    store: &Store,
    first: Box<dyn GroupedWrite>,
    queue: &Receiver<Job>,
) -> Option<Job> {
    let tx = match begin_immediate(&store.conn) {
        Ok(tx) => tx,
        Err(e) => {
            first.deliver(Fate::Lost(e.to_string()));
            return None;
        }
    };
    let deadline = Instant::now() + WINDOW;
    let mut group = Vec::with_capacity(MOST_WRITES);
    let mut next = Some(first);
    let mut ended_by = None;
    while let Some(mut write) = next.take() {
        let ran = in_savepoint(&tx, &mut *write);
        group.push(write);
        if let Err(why) = ran {
            // SQLite rolled the whole transaction back (a full disk, an
            // I/O error): the writes before are lost with it.
            deliver_all(group, &Fate::Lost(why));
            return None;
        }
        if group.len() >= MOST_WRITES {
            break;
        }
        match queue.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Job::Grouped(write)) => next = Some(write),
            Ok(other) => ended_by = Some(other),
            Err(_) => {}
        }
    }
    let fate = match tx.commit() {
        Ok(()) => Fate::Committed,
        Err(e) => Fate::Lost(e.to_string()),
    };
    deliver_all(group, &fate);
    ended_by
}

/// Runs `write` in a savepoint, rolled back when the write fails. An
/// error means the group's transaction itself is gone.
fn in_savepoint(tx: &Transaction<'_>, write: &mut dyn GroupedWrite) -> Result<(), String> {
    let step = |sql: &str| tx.execute_batch(sql).map_err(|e| e.to_string());
    step("SAVEPOINT grouped_write")?;
    let stands = write.run(tx);
    if tx.is_autocommit() {
        return Err("the transaction was rolled back".into());
    }
    if stands {
        step("RELEASE grouped_write")
    } else {
        step("ROLLBACK TO grouped_write; RELEASE grouped_write")
    }
}

fn deliver_all(group: Vec<Box<dyn GroupedWrite>>, fate: &Fate) {
    for write in group {
        write.deliver(fate.clone());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Each probe's number, whether its writes stood, and its group's fate.
    type Endings = Arc<Mutex<Vec<(i64, bool, String)>>>;

    /// Inserts its number, then runs `then`; notes how it ended.
    struct Probe {
        number: i64,
        then: &'static str,
        ended: Endings,
        stood: bool,
    }

    impl GroupedWrite for Probe {
        fn run(&mut self, tx: &Transaction<'_>) -> bool {
            self.stood = tx
                .execute("INSERT INTO t VALUES (?1)", [self.number])
                .and_then(|_| tx.execute_batch(self.then))
                .is_ok();
            self.stood
        }

        fn deliver(self: Box<Self>, fate: Fate) {
            let mut ended = self.ended.lock().unwrap();
            ended.push((self.number, self.stood, format!("{fate:?}")));
        }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.db")).unwrap();
        store
            .conn
            .execute_batch("CREATE TABLE t (x INTEGER)")
            .unwrap();
        (dir, store)
    }

    fn probe(number: i64, then: &'static str, ended: &Endings) -> Job {
        Job::Grouped(Box::new(Probe {
            number,
            then,
            ended: Arc::clone(ended),
            stood: false,
        }))
    }

    fn stored(store: &Store) -> Vec<i64> {
        let mut stmt = store.conn.prepare("SELECT x FROM t ORDER BY x").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    }

    #[test]
    fn a_failed_write_is_rolled_back_alone_and_the_rest_commit() {
        let (_dir, store) = store();
        let ended = Arc::default();
        let (jobs, queue) = mpsc::channel();
        for n in 2..=4 {
            let then = if n == 3 {
                "INSERT INTO missing VALUES (1)"
            } else {
                "SELECT 1"
            };
            jobs.send(probe(n, then, &ended)).unwrap();
        }
        let Job::Grouped(first) = probe(1, "SELECT 1", &ended) else {
            unreachable!()
        };
        assert!(run(&store, first, &queue).is_none());
        assert_eq!(
            stored(&store),
            [1, 2, 4],
            "the failed write's own insert is undone"
        );
        let ended = ended.lock().unwrap();
        assert_eq!(ended.len(), 4, "every write is told");
        for (number, stood, fate) in ended.iter() {
            assert_eq!(*stood, *number != 3);
            assert_eq!(fate, "Committed");
        }
    }

    #[test]
    fn a_write_of_its_own_ends_the_group_and_runs_next() {
        let (_dir, store) = store();
        let ended = Arc::default();
        let (jobs, queue) = mpsc::channel();
        jobs.send(probe(2, "SELECT 1", &ended)).unwrap();
        jobs.send(Job::Alone(Box::new(|_| {}))).unwrap();
        jobs.send(probe(3, "SELECT 1", &ended)).unwrap();
        let Job::Grouped(first) = probe(1, "SELECT 1", &ended) else {
            unreachable!()
        };
        let next = run(&store, first, &queue);
        assert!(matches!(next, Some(Job::Alone(_))));
        assert_eq!(stored(&store), [1, 2], "the group stops at the other write");
        assert!(matches!(queue.try_recv(), Ok(Job::Grouped(_))));
    }
}
