//! Local files as sources: the modification time plays the part of
//! `Last-Modified`, so an untouched file is not read again.

use std::io::Read;
use std::path::Path;

use super::{Body, BodySlots, FetchError, Fetched, Validators};

pub async fn fetch(
    path: &Path,
    sent: &Validators,
    max_body: u64,
    slots: &BodySlots,
) -> Result<Fetched, FetchError> {
    let fail = |message: String| FetchError::File {
        path: path.to_path_buf(),
        message,
    };
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fail("is not a regular file".into()));
    }
    if meta.len() > max_body {
        return Err(FetchError::TooLarge { limit: max_body });
    }
    let stamp = meta.modified().ok().map(httpdate::fmt_http_date);
    let validators = Validators {
        etag: None,
        last_modified: stamp.clone(),
    };
    let body = if stamp.is_some() && stamp == sent.last_modified {
        Body::NotModified
    } else {
        let slot = slots.for_len(meta.len()).await;
        Body::Changed {
            bytes: read_file(path, max_body).await.map_err(fail)?,
            slot,
            charset: None,
            url: url::Url::from_file_path(path).ok(),
        }
    };
    Ok(Fetched {
        body,
        validators,
        max_age: None,
        moved_to: None,
        link_header: None,
    })
}

/// Why a bounded read returned nothing.
#[derive(Debug, thiserror::Error)]
pub enum BoundedReadError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("at least {bytes} bytes, over the limit of {limit}")]
    TooLarge { bytes: u64, limit: u64 },
}

/// All of `reader` when it holds at most `limit` bytes. It reads one byte
/// past the limit, no more, to tell: a file may have grown since its size
/// was checked, and a pipe has no size.
pub fn read_at_most(reader: impl Read, limit: u64) -> Result<Vec<u8>, BoundedReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(BoundedReadError::TooLarge { bytes: read, limit });
    }
    Ok(bytes)
}

/// Reads the file on the blocking pool, at most `limit` bytes.
async fn read_file(path: &Path, limit: u64) -> Result<bytes::Bytes, String> {
    let owned = path.to_path_buf();
    let read =
        tokio::task::spawn_blocking(move || read_at_most(std::fs::File::open(&owned)?, limit))
            .await
            .map_err(|e| e.to_string())?;
    match read {
        Ok(bytes) => Ok(bytes.into()),
        Err(BoundedReadError::Io(e)) => Err(e.to_string()),
        Err(BoundedReadError::TooLarge { limit, .. }) => Err(format!(
            "grew past the limit of {limit} bytes while being read"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        assert_eq!(read_at_most(&b"12345"[..], 5).unwrap(), b"12345");
        let over = read_at_most(&b"123456789"[..], 5).unwrap_err();
        assert!(matches!(
            over,
            BoundedReadError::TooLarge { bytes: 6, limit: 5 }
        ));
    }
}
