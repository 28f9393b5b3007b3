//! Local files as sources: the modification time plays the part of
//! `Last-Modified`, so an untouched file is not read again.

use std::path::Path;
use std::time::SystemTime;

use tokio::io::AsyncReadExt;

use super::{Body, FetchError, Fetched, Validators};

pub async fn fetch(path: &Path, sent: &Validators, max_body: u64) -> Result<Fetched, FetchError> {
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
    let stamp = meta.modified().ok().map(http_date);
    let validators = Validators {
        etag: None,
        last_modified: stamp.clone(),
    };
    let body = if stamp.is_some() && stamp == sent.last_modified {
        Body::NotModified
    } else {
        Body::Changed {
            bytes: read_bounded(path, max_body)
                .await
                .map_err(|e| fail(e.to_string()))?,
            charset: None,
            url: url::Url::from_file_path(path).ok(),
        }
    };
    Ok(Fetched {
        body,
        validators,
        max_age: None,
        moved_to: None,
    })
}

fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

/// Reads at most `limit` bytes: the file may have grown since its size was
/// checked.
async fn read_bounded(path: &Path, limit: u64) -> std::io::Result<bytes::Bytes> {
    let file = tokio::fs::File::open(path).await?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .await?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "grew past the limit of {limit} bytes while being read"
        )));
    }
    Ok(bytes.into())
}
