//! The size and modification time of each file a text source read, so the
//! next poll reads only the files that changed.

use rusqlite::params;

use super::{Store, StoreError};
use crate::fetch::{FileStamp, FileStamps};
use crate::model::SourceName;

impl Store {
    pub fn file_stamps(&self, source: &SourceName) -> Result<FileStamps, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, size, modified FROM source_files WHERE source = ?1")?;
        let rows = stmt.query_map([source.as_str()], |r| {
            let size: i64 = r.get(1)?;
            let stamp = FileStamp {
                size: u64::try_from(size).unwrap_or_default(),
                modified_ns: r.get(2)?,
            };
            Ok((r.get::<_, String>(0)?, stamp))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Replaces a source's stamps with `stamps` (files gone from the folder
/// are forgotten; their items stay).
pub(super) fn replace_file_stamps(
    conn: &rusqlite::Connection,
    source: &SourceName,
    stamps: &FileStamps,
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM source_files WHERE source = ?1")?
        .execute([source.as_str()])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO source_files (source, path, size, modified) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (path, stamp) in stamps {
        let size = i64::try_from(stamp.size).unwrap_or(i64::MAX);
        insert.execute(params![source.as_str(), path, size, stamp.modified_ns])?;
    }
    Ok(())
}
