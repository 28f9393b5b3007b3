//! A text source's dump files on disk, and the files `syndic import` is
//! given: the fetch of text that lives in files. Every file is read or
//! refused on its own, so one bad file never stops a batch, and a file
//! whose size and modification time are those the last poll saw is not
//! read again.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use super::file::{read_at_most, BoundedReadError};

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when the
    /// filesystem has none, so such a file is read every time).
    pub modified_ns: i64,
}

/// The stamps of a source's files, by path.
pub type FileStamps = BTreeMap<String, FileStamp>;

/// One dump read whole.
#[derive(Debug)]
pub struct DumpFile {
    /// The path, or "standard input"; named in messages.
    pub origin: String,
    pub bytes: Vec<u8>,
    /// When the file was last written; `None` for standard input.
    pub modified: Option<DateTime<Utc>>,
}

/// What one look at a glob found.
#[derive(Debug, Default)]
pub struct DumpFiles {
    /// Files new or changed since the stamps passed in.
    pub changed: Vec<DumpFile>,
    pub failures: Vec<FileError>,
    /// Files matched, read or not.
    pub matched: usize,
    /// The stamps to remember: every file matched and read now or before.
    /// A file that failed is left out, so the next poll tries it again.
    pub stamps: FileStamps,
}

/// A dump file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{origin}: not a regular file; name the dump files themselves")]
    NotAFile { origin: String },
    #[error("{origin}: cannot read it: {source}; check that it exists and is readable")]
    Read {
        origin: String,
        source: std::io::Error,
    },
    #[error("{origin}: too large for a news dump ({bytes} bytes or more, over the limit of {limit}); split it into smaller files or raise `max_body_kb` under [daemon]")]
    TooLarge {
        origin: String,
        bytes: u64,
        limit: u64,
    },
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
/// one file) in name order, except those whose stamp is in `known`.
/// Hidden files (editor swap files) are skipped.
pub fn read_changed(
    pattern: &Path,
    known: &FileStamps,
    max_bytes: u64,
) -> Result<DumpFiles, DumpGlobError> {
    let mut found = DumpFiles::default();
    for path in matching_files(pattern)? {
        found.matched += 1;
        let read = path.and_then(|path| {
            let key = path.display().to_string();
            let stamp = stamp_of(&path)?;
            if known.get(&key) == Some(&stamp) && stamp.modified_ns != 0 {
                return Ok((key, stamp, None));
            }
            let file = read_file(&path, max_bytes)?;
            Ok((key, stamp, Some(file)))
        });
        match read {
            Ok((key, stamp, file)) => {
                found.stamps.insert(key, stamp);
                found.changed.extend(file);
            }
            Err(e) => found.failures.push(e),
        }
    }
    Ok(found)
}

/// One dump named on a command line: a file, or standard input for `-`.
pub fn read_input(path: &Path, max_bytes: u64) -> Result<DumpFile, FileError> {
    if path != Path::new("-") {
        return read_file(path, max_bytes);
    }
    let origin = "standard input".to_string();
    let bytes = bounded(std::io::stdin().lock(), max_bytes, &origin)?;
    Ok(DumpFile {
        origin,
        bytes,
        modified: None,
    })
}

fn matching_files(pattern: &Path) -> Result<Vec<Result<PathBuf, FileError>>, DumpGlobError> {
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
            Err(e) => Some(Err(FileError::Read {
                origin: e.path().display().to_string(),
                source: std::io::Error::from(e),
            })),
        })
        .collect())
}

fn stamp_of(path: &Path) -> Result<FileStamp, FileError> {
    let metadata = std::fs::metadata(path).map_err(|source| FileError::Read {
        origin: path.display().to_string(),
        source,
    })?;
    let modified_ns = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0);
    Ok(FileStamp {
        size: metadata.len(),
        modified_ns,
    })
}

fn read_file(path: &Path, max_bytes: u64) -> Result<DumpFile, FileError> {
    let origin = path.display().to_string();
    let read_error = |source| FileError::Read {
        origin: origin.clone(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(read_error)?;
    if !metadata.is_file() {
        return Err(FileError::NotAFile { origin });
    }
    // Checked before reading so a stray disk image is never loaded.
    if metadata.len() > max_bytes {
        return Err(FileError::TooLarge {
            origin,
            bytes: metadata.len(),
            limit: max_bytes,
        });
    }
    let bytes = bounded(File::open(path).map_err(read_error)?, max_bytes, &origin)?;
    Ok(DumpFile {
        modified: metadata.modified().ok().and_then(utc),
        origin,
        bytes,
    })
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

fn bounded(reader: impl Read, max_bytes: u64, origin: &str) -> Result<Vec<u8>, FileError> {
    read_at_most(reader, max_bytes).map_err(|e| match e {
        BoundedReadError::Io(source) => FileError::Read {
            origin: origin.to_string(),
            source,
        },
        BoundedReadError::TooLarge { bytes, limit } => FileError::TooLarge {
            origin: origin.to_string(),
            bytes,
            limit,
        },
    })
}
