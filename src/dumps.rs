//! Reading a text source's dump files: the "fetch" of text sources on
//! disk, and of `syndic import` from files or standard input. Every file
//! is refused or read on its own, so one bad file never stops a batch.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use crate::fetch::{self, BoundedReadError};
use crate::model::{Item, SourceName};
use crate::normalize::dump::{dump_items, DumpError, DumpMeta};

/// What reading a glob of dumps produced.
#[derive(Debug)]
pub struct DumpBatch {
    pub items: Vec<Item>,
    /// Files matched, read or not.
    pub files: usize,
    pub failures: Vec<DumpFailure>,
}

/// A file that was refused; its message names the file.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct DumpFailure {
    pub path: PathBuf,
    pub error: DumpError,
}

/// A pattern that cannot be searched (no match is not an error).
#[derive(Debug, thiserror::Error)]
pub enum DumpGlobError {
    #[error("dump path {} is not valid UTF-8: rename the folder or use a plain ASCII pattern", .0.display())]
    NotUtf8(PathBuf),
    #[error(
        "dump path `{pattern}` is not a valid glob pattern ({source}); write it like `dumps/*.txt`"
    )]
    Pattern {
        pattern: String,
        source: glob::PatternError,
    },
}

/// Reads every regular file matching `pattern` (a glob, or the path of
/// one file), in name order. Hidden files (editor swap files) are skipped.
pub fn read_dump_files(
    pattern: &Path,
    source: &SourceName,
    max_bytes: u64,
    now: DateTime<Utc>,
) -> Result<DumpBatch, DumpGlobError> {
    let mut batch = DumpBatch {
        items: Vec::new(),
        files: 0,
        failures: Vec::new(),
    };
    for found in matching_files(pattern)? {
        batch.files += 1;
        let read = found.and_then(|path| {
            read_dump_file(&path, source, max_bytes, now)
                .map_err(|error| DumpFailure { path, error })
        });
        match read {
            Ok(items) => batch.items.extend(items),
            Err(failure) => batch.failures.push(failure),
        }
    }
    Ok(batch)
}

/// The items of one dump named on a command line: a file, or standard
/// input for `-` (dated `now`, since a pipe has no modification time).
pub fn read_dump_input(
    path: &Path,
    source: &SourceName,
    max_bytes: u64,
    now: DateTime<Utc>,
) -> Result<Vec<Item>, DumpError> {
    if path != Path::new("-") {
        return read_dump_file(path, source, max_bytes, now);
    }
    let origin = "standard input";
    let bytes = read_at_most(std::io::stdin().lock(), max_bytes, origin)?;
    dump_items(
        &bytes,
        &DumpMeta {
            source,
            origin,
            fallback_date: now,
            now,
        },
    )
}

fn matching_files(pattern: &Path) -> Result<Vec<Result<PathBuf, DumpFailure>>, DumpGlobError> {
    // A plain file is taken as it is, even when its name holds `[` or `*`.
    if pattern.is_file() {
        return Ok(vec![Ok(pattern.to_path_buf())]);
    }
    let text = pattern
        .to_str()
        .ok_or_else(|| DumpGlobError::NotUtf8(pattern.to_path_buf()))?;
    let options = glob::MatchOptions {
        require_literal_leading_dot: true,
        ..glob::MatchOptions::new()
    };
    let paths = glob::glob_with(text, options).map_err(|source| DumpGlobError::Pattern {
        pattern: text.to_string(),
        source,
    })?;
    Ok(paths
        .filter_map(|found| match found {
            Ok(path) => path.is_file().then_some(Ok(path)),
            Err(e) => {
                let path = e.path().to_path_buf();
                let error = DumpError::Read {
                    origin: path.display().to_string(),
                    source: std::io::Error::from(e),
                };
                Some(Err(DumpFailure { path, error }))
            }
        })
        .collect())
}

fn read_dump_file(
    path: &Path,
    source: &SourceName,
    max_bytes: u64,
    now: DateTime<Utc>,
) -> Result<Vec<Item>, DumpError> {
    let origin = path.display().to_string();
    let read_error = |e| DumpError::Read {
        origin: origin.clone(),
        source: e,
    };
    let metadata = std::fs::metadata(path).map_err(read_error)?;
    if !metadata.is_file() {
        return Err(DumpError::NotAFile { origin });
    }
    // Checked before reading so a stray disk image is never loaded.
    if metadata.len() > max_bytes {
        return Err(DumpError::TooLarge {
            origin,
            bytes: metadata.len(),
            limit: max_bytes,
        });
    }
    let file = File::open(path).map_err(read_error)?;
    let bytes = read_at_most(file, max_bytes, &origin)?;
    let fallback_date = metadata.modified().ok().and_then(utc).unwrap_or(now);
    dump_items(
        &bytes,
        &DumpMeta {
            source,
            origin: &origin,
            fallback_date,
            now,
        },
    )
}

/// A file time as UTC; `None` for times chrono cannot hold (a file can
/// claim any date).
fn utc(t: SystemTime) -> Option<DateTime<Utc>> {
    match t.duration_since(UNIX_EPOCH) {
        Ok(after) => DateTime::from_timestamp(i64::try_from(after.as_secs()).ok()?, 0),
        Err(before) => {
            DateTime::from_timestamp(-i64::try_from(before.duration().as_secs()).ok()?, 0)
        }
    }
}

/// Reads up to `max_bytes`, refusing input that is longer (a file that
/// grew since it was measured, or a pipe).
fn read_at_most(reader: impl Read, max_bytes: u64, origin: &str) -> Result<Vec<u8>, DumpError> {
    fetch::read_at_most(reader, max_bytes).map_err(|e| match e {
        BoundedReadError::Io(source) => DumpError::Read {
            origin: origin.to_string(),
            source,
        },
        BoundedReadError::TooLarge { bytes, limit } => DumpError::TooLarge {
            origin: origin.to_string(),
            bytes,
            limit,
        },
    })
}
