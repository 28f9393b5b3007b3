//! Async access to the store: one writer on a dedicated thread, so writes
//! are serialized and never block the runtime, and readers on the blocking
//! pool so serving never waits behind a slow write. Polls' writes are
//! grouped into shared transactions (see `group_commit.rs`).

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use rusqlite::Transaction;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

use super::backend::PollRecord;
use super::group_commit::{Fate, GroupedWrite, MOST_WRITES};
use super::sources::{record_poll, Recorded};
use super::writer::Writer;
use super::{Store, StoreError};

/// A write in transactions of its own, given the writer's connection or
/// why there is none.
type AloneWrite = Box<dyn FnOnce(Result<&mut Store, String>) + Send>;

/// What the writer thread is asked to do.
pub(super) enum Job {
    Alone(AloneWrite),
    /// A write that shares a transaction with those queued beside it.
    Grouped(Box<dyn GroupedWrite>),
}

/// Grouped writes queued or running at once. Each holds a poll's items in
/// memory (about 100 KB for 50 items of 1.4 KB), so this bounds what
/// polls waiting for the writer hold: two groups' worth, one being written
/// and one gathering.
const QUEUED_WRITES: usize = 2 * MOST_WRITES;

/// Reads in flight at once; more wait their turn.
const MAX_READERS: usize = 8;

/// A cloneable handle to an SQLite database for async code.
#[derive(Clone)]
pub struct SqliteHandle {
    jobs: mpsc::Sender<Job>,
    /// Room in the writer's queue for grouped writes.
    queued: Arc<Semaphore>,
    path: Arc<PathBuf>,
    readers: Arc<Mutex<Vec<Store>>>,
    /// Bounds concurrent reads, and so the blocking threads and SQLite
    /// connections (each with its page cache) that reads can hold.
    read_slots: Arc<Semaphore>,
}

#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the database cannot be written: {0}")]
    Unwritable(String),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("a database reader failed: {0}")]
    Reader(String),
    #[error("the database write was not committed: {0}")]
    NotCommitted(String),
    #[error("this feature needs an SQLite database; this one is PostgreSQL (see the README's PostgreSQL section)")]
    SqliteOnly,
}

impl SqliteHandle {
    /// Opens (and migrates) the database and starts the writer thread. The
    /// thread ends when the last handle is dropped, after finishing its queue.
    pub fn open(path: &Path) -> Result<SqliteHandle, StoreError> {
        let store = Store::open(path)?;
        Self::start(path, Writer::open(store, path.to_path_buf()))
    }

    /// Like `open`, but a database that can be read and not written (a
    /// full disk) still gives a handle: reads work, writes fail with
    /// `HandleError::Unwritable` until the writer manages to open it. The
    /// second value is why writing failed at start. A database that
    /// cannot be read either is an error, as with `open`.
    pub fn open_for_serving(path: &Path) -> Result<(SqliteHandle, Option<StoreError>), StoreError> {
        match Store::open(path) {
            Ok(store) => Ok((
                Self::start(path, Writer::open(store, path.to_path_buf()))?,
                None,
            )),
            Err(write_error) => {
                if Store::open_reader(path).is_err() {
                    return Err(write_error);
                }
                let writer = Writer::failed(path.to_path_buf(), &write_error);
                Ok((Self::start(path, writer)?, Some(write_error)))
            }
        }
    }

    fn start(path: &Path, writer: Writer) -> Result<SqliteHandle, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("syndic-db-writer".into())
            .spawn(move || writer.serve(&queue))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteHandle {
            jobs,
            queued: Arc::new(Semaphore::new(QUEUED_WRITES)),
            path: Arc::new(path.to_path_buf()),
            readers: Arc::default(),
            read_slots: Arc::new(Semaphore::new(MAX_READERS)),
        })
    }

    /// Runs `f` on the writer thread and waits for its result.
    pub async fn write<T, F>(&self, f: F) -> Result<T, HandleError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Job::Alone(Box::new(
                move |store: Result<&mut Store, String>| {
                    let _ = tx.send(
                        store
                            .map_err(HandleError::Unwritable)
                            .and_then(|s| Ok(f(s)?)),
                    );
                },
            )))
            .map_err(|_| HandleError::WriterGone)?;
        rx.await.map_err(|_| HandleError::WriterGone)?
    }

    /// Waits for room in the writer's queue. A poll takes it before it
    /// lets go of its fetch slot, so that fetching goes on while the
    /// writer works, and stops when the writer falls behind.
    pub async fn reserve_write(&self) -> Result<SqliteSlot, HandleError> {
        let permit = Arc::clone(&self.queued)
            .acquire_owned()
            .await
            .map_err(|_| HandleError::WriterGone)?;
        Ok(SqliteSlot {
            handle: self.clone(),
            _permit: permit,
        })
    }

    /// Runs `f` on the writer thread in a transaction shared with other
    /// grouped writes, and waits until that transaction is committed.
    async fn grouped<T, F>(&self, f: F) -> Result<T, HandleError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let write = PendingWrite {
            work: Some(f),
            result: None,
            reply,
        };
        self.jobs
            .send(Job::Grouped(Box::new(write)))
            .map_err(|_| HandleError::WriterGone)?;
        rx.await.map_err(|_| HandleError::WriterGone)?
    }

    /// Runs `f` with a read-only connection on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, HandleError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let _slot = self
            .read_slots
            .acquire()
            .await
            .map_err(|_| HandleError::Reader("the database is closing".into()))?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let reader = this.take_reader()?;
            let result = f(&reader);
            this.give_back(reader);
            Ok(result?)
        })
        .await
        .map_err(|e| HandleError::Reader(e.to_string()))?
    }

    fn take_reader(&self) -> Result<Store, StoreError> {
        let pooled = self.readers.lock().ok().and_then(|mut pool| pool.pop());
        match pooled {
            Some(store) => Ok(store),
            None => Store::open_reader(&self.path),
        }
    }

    fn give_back(&self, reader: Store) {
        if reader.is_immutable() {
            return;
        }
        if let Ok(mut pool) = self.readers.lock() {
            pool.push(reader);
        }
    }
}

/// Room for one write in the writer's queue (see
/// [`SqliteHandle::reserve_write`]).
pub struct SqliteSlot {
    handle: SqliteHandle,
    _permit: OwnedSemaphorePermit,
}

impl SqliteSlot {
    /// [`Store::record_poll`], in the writer's next group transaction.
    pub async fn record_poll(self, record: PollRecord) -> Result<Recorded, HandleError> {
        self.handle
            .grouped(move |tx| {
                let PollRecord {
                    source,
                    items,
                    state,
                    feed,
                    files,
                } = record;
                record_poll(tx, &source, &items, &state, feed.as_ref(), files.as_ref())
            })
            .await
    }
}

/// A grouped write and where its result goes.
struct PendingWrite<T, F> {
    work: Option<F>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, HandleError>>,
}

impl<T, F> GroupedWrite for PendingWrite<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
{
    fn run(&mut self, tx: &Transaction<'_>) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = work(tx);
        let stands = result.is_ok();
        self.result = Some(result);
        stands
    }

    fn deliver(self: Box<Self>, fate: Fate) {
        let outcome = match (fate, self.result) {
            (Fate::Committed, Some(result)) => result.map_err(HandleError::from),
            (Fate::Committed, None) => Err(HandleError::NotCommitted("never run".into())),
            (Fate::Unwritable(why), _) => Err(HandleError::Unwritable(why)),
            (Fate::Lost(why), _) => Err(HandleError::NotCommitted(why)),
        };
        let _ = self.reply.send(outcome);
    }
}
