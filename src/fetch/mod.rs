//! Fetching a source's bytes, politely: conditional requests, bounded time
//! and size, few redirects, and the server's hints kept for the scheduler.

pub mod address_policy;
mod dump_files;
mod file;
mod headers;
mod http;
mod limits;

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use url::Url;

use crate::config::{DaemonSettings, HumanDuration};

pub use dump_files::{
    read_changed, read_input, DumpFile, DumpFiles, DumpGlobError, FileError, FileStamp, FileStamps,
};

pub use limits::{FetchPermit, FetchSlots};

/// Redirects followed before a fetch is given up.
pub const MAX_REDIRECTS: usize = 5;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Http(Url),
    File(PathBuf),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Http(u) => write!(f, "{u}"),
            Target::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The validators of a previous response, sent back so an unchanged
/// document costs the server nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful fetch.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub body: Body,
    /// Validators to send next time (the old ones when the server sent none).
    pub validators: Validators,
    /// `Cache-Control: max-age`: the server asks not to be polled sooner.
    pub max_age: Option<Duration>,
    /// Where every redirect on the way was permanent, the new address.
    pub moved_to: Option<Url>,
}

#[derive(Debug, Clone)]
pub enum Body {
    /// The document changed (or no validators were known).
    Changed {
        bytes: Bytes,
        /// The `charset` of the Content-Type, a decoding hint.
        charset: Option<String>,
        /// The address the bytes came from, for resolving relative links.
        url: Option<Url>,
    },
    /// `304 Not Modified`, or a file whose modification time is unchanged.
    NotModified,
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("timed out after {0}: the server is too slow; raise [daemon] timeout if it is always this slow")]
    Timeout(HumanDuration),
    #[error("cannot connect: {}", root_cause(.0))]
    Connect(#[source] reqwest::Error),
    #[error("HTTP {status}{}", retry_after.map(|d| format!(" (retry after {})", HumanDuration(d))).unwrap_or_default())]
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("410 Gone: the server says this feed was removed for good; the source is disabled until its url changes in the config")]
    Gone,
    #[error("the body is larger than the limit of {limit} bytes ([daemon] max_body_kb)")]
    TooLarge { limit: u64 },
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("redirect without a usable Location header")]
    BadRedirect,
    #[error("transfer failed: {}", root_cause(.0))]
    Transfer(#[source] reqwest::Error),
    #[error("{path}: {message}", path = path.display())]
    File { path: PathBuf, message: String },
}

impl FetchError {
    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Fetches sources; one per daemon, shared by every poll.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    timeout: Duration,
    max_body: u64,
}

/// Fetch limits, from `[daemon]`.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    pub timeout: Duration,
    pub max_body: u64,
}

impl From<&DaemonSettings> for FetchLimits {
    fn from(d: &DaemonSettings) -> Self {
        FetchLimits {
            timeout: d.timeout,
            max_body: d.max_body_bytes,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct ClientError(#[from] reqwest::Error);

impl Fetcher {
    pub fn new(limits: FetchLimits) -> Result<Fetcher, ClientError> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent())
            // Redirects are followed by hand to tell permanent from temporary.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT.min(limits.timeout))
            .timeout(limits.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()?;
        Ok(Fetcher {
            client,
            timeout: limits.timeout,
            max_body: limits.max_body,
        })
    }

    /// Fetches `target`, sending `validators`; the whole fetch, redirects
    /// and body included, is bounded by the configured timeout.
    pub async fn fetch(
        &self,
        target: &Target,
        validators: &Validators,
    ) -> Result<Fetched, FetchError> {
        match target {
            Target::Http(url) => {
                tokio::time::timeout(self.timeout, http::fetch(self, url, validators))
                    .await
                    .unwrap_or(Err(FetchError::Timeout(HumanDuration(self.timeout))))
            }
            Target::File(path) => file::fetch(path, validators, self.max_body).await,
        }
    }
}

/// reqwest's own message only says "error sending request"; the cause at
/// the bottom of the chain is the one a user can act on.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

pub fn user_agent() -> String {
    format!(
        "syndic/{} (feed daemon; polite polling with conditional GET)",
        env!("CARGO_PKG_VERSION")
    )
}
