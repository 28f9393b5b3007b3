//! One daemon per database: `syndic run` holds an exclusive advisory lock
//! on `<database>.lock` for as long as it runs, so a second daemon on the
//! same file stops at once with a clear message instead of both polling
//! every source and fighting over the write lock. `poll` and `import` take
//! no such lock: they are short writers the database's own locking serves.
//!
//! The lock dies with the process (even on `kill -9`), so a stale file
//! never blocks a start; the file itself is left in place, since removing
//! it could let two daemons lock two different files of the same name.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "the database {database} is in use by another syndic daemon{pid}; \
         stop it first, or give this one its own [daemon] database (lock file {lock})",
        database = .database.display(),
        lock = .lock.display(),
        pid = .pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Held {
        database: PathBuf,
        lock: PathBuf,
        pid: Option<u32>,
    },
    #[error("cannot lock the database {database} through {lock}: {source}",
        database = .database.display(), lock = .lock.display())]
    Io {
        database: PathBuf,
        lock: PathBuf,
        source: std::io::Error,
    },
}

/// Held for the life of the daemon; closing the file releases the lock.
#[derive(Debug)]
pub struct DaemonLock {
    _file: File,
}

/// The lock file of `database`: the same name with `.lock` added.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the daemon lock of `database`, or says who holds it.
pub fn acquire(database: &Path) -> Result<DaemonLock, LockError> {
    let lock = lock_path(database);
    let io = |source| LockError::Io {
        database: database.to_path_buf(),
        lock: lock.clone(),
        source,
    };
    if let Some(parent) = database.parent() {
        // The database may not exist yet; its folder is made here first.
        let _ = std::fs::create_dir_all(parent);
    }
    let mut file = open(&lock).map_err(io)?;
    match rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(rustix::io::Errno::WOULDBLOCK) => {
            return Err(LockError::Held {
                database: database.to_path_buf(),
                pid: holder(&mut file),
                lock,
            })
        }
        Err(e) => return Err(io(e.into())),
    }
    // The pid is only for the message above; a full disk must not stop
    // the daemon, so failing to record it is not an error.
    let recorded = file
        .set_len(0)
        .and_then(|_| file.rewind())
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    if let Err(e) = recorded {
        tracing::debug!(lock = %lock.display(), error = %e, "cannot record the daemon's pid");
    }
    Ok(DaemonLock { _file: file })
}

/// Opens the lock file for writing, creating it; an existing one that
/// cannot be written (a read-only folder) still serves for locking.
fn open(lock: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock)
        .or_else(|e| File::open(lock).map_err(|_| e))
}

/// The pid the holder recorded, if it did.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_database_is_refused_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("state/syndic.db");
        let first = acquire(&database).unwrap();

        let refused = acquire(&database).unwrap_err();
        let message = refused.to_string();
        assert!(
            matches!(&refused, LockError::Held { pid: Some(p), .. } if *p == std::process::id()),
            "{refused:?}"
        );
        assert!(
            message.contains(&database.display().to_string()),
            "{message}"
        );
        assert!(message.contains("another syndic daemon"), "{message}");

        drop(first);
        assert!(acquire(&database).is_ok(), "released with its holder");
    }

    #[test]
    fn other_databases_are_not_affected() {
        let dir = tempfile::tempdir().unwrap();
        let _one = acquire(&dir.path().join("one.db")).unwrap();
        assert!(acquire(&dir.path().join("two.db")).is_ok());
    }
}
