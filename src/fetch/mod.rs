//! Fetching a source's bytes, politely: conditional requests, bounded time
//! and size, few redirects, and the server's hints kept for the scheduler.

pub mod address_policy;
mod body_slots;
mod clients;
pub mod discover;
mod dump_files;
mod file;
mod headers;
mod http;
mod limits;
mod resolver;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use url::Url;

use crate::config::{DaemonSettings, HttpOptions, HumanDuration, Location, SourceConfig};
use crate::model::SourceName;
use address_policy::Range;

pub use dump_files::{
    read_changed, read_input, DumpFile, DumpFiles, DumpGlobError, FileError, FileStamp, FileStamps,
};

pub use body_slots::{BodySlot, BodySlots, SMALL_BODY};
pub use headers::charset;
pub use limits::{FetchPermit, FetchSlots};
pub use resolver::NetworkOverrides;

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

/// The source a fetch is for: named in refusals, and deciding how far its
/// redirects and DNS answers may lead.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub source: &'a SourceName,
    /// The address in the config, not where a permanent redirect moved it:
    /// when this is on a private network, so may be what it leads to.
    pub configured: Option<&'a Url>,
    /// `allow_private = true`: the source may reach private networks.
    pub allow_private: bool,
    /// User-Agent, headers, credentials and HTTP versions of its requests.
    pub http: &'a HttpOptions,
}

/// The options of a source that sets none.
pub static NO_HTTP_OPTIONS: HttpOptions = HttpOptions {
    user_agent: None,
    headers: Vec::new(),
    auth: None,
    http1_only: false,
};

impl<'a> From<&'a SourceConfig> for Origin<'a> {
    fn from(source: &'a SourceConfig) -> Self {
        Origin {
            source: &source.name,
            configured: match &source.location {
                Location::Url(url) => Some(url),
                Location::Path(_) | Location::Push => None,
            },
            allow_private: source.allow_private,
            http: &source.http,
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
#[derive(Debug)]
pub struct Fetched {
    pub body: Body,
    /// Validators to send next time (the old ones when the server sent none).
    pub validators: Validators,
    /// `Cache-Control: max-age`: the server asks not to be polled sooner.
    pub max_age: Option<Duration>,
    /// Where every redirect on the way was permanent, the new address.
    pub moved_to: Option<Url>,
    /// The response's `Link` headers, joined with commas as one header
    /// would be: a feed may advertise its WebSub hub there.
    pub link_header: Option<String>,
}

#[derive(Debug)]
pub enum Body {
    /// The document changed (or no validators were known).
    Changed {
        bytes: Bytes,
        /// The `charset` of the Content-Type, a decoding hint.
        charset: Option<String>,
        /// The address the bytes came from, for resolving relative links.
        url: Option<Url>,
        /// Held while a large body is in memory; drop it with the bytes.
        slot: BodySlot,
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
    #[error("redirect to `{0}` refused: only http and https addresses are followed")]
    RedirectScheme(String),
    #[error("{0}")]
    Private(Box<Refusal>),
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

/// A fetch refused because it would reach a private network from a source
/// that may not.
#[derive(Debug)]
pub struct Refusal {
    pub source: SourceName,
    pub url: Url,
    /// Whether a redirect led there (else it was the address polled).
    pub redirected: bool,
    /// Set when the host is a name, which resolved to `address`.
    pub name: Option<String>,
    pub address: IpAddr,
    pub range: Range,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = if self.redirected {
            "the redirect to "
        } else {
            ""
        };
        write!(f, "source `{}`: refused {what}{}: ", self.source, self.url)?;
        match &self.name {
            Some(name) => write!(f, "{name} resolves to {}, ", self.address)?,
            None => write!(f, "{} is ", self.address)?,
        }
        write!(
            f,
            "{}; only a source whose own url is on a private network may reach one. \
             If `{}` is meant to, set `allow_private = true` in its [[source]]",
            self.range, self.source
        )
    }
}

/// Fetches sources; one per daemon, shared by every poll.
#[derive(Clone)]
pub struct Fetcher {
    /// Guarded clients are for sources that may not reach private
    /// networks: their resolver refuses private answers, and their
    /// connection pools hold only connections to checked addresses.
    clients: clients::Clients,
    overrides: Arc<NetworkOverrides>,
    timeout: Duration,
    max_body: u64,
    body_slots: BodySlots,
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
        Fetcher::with_overrides(limits, NetworkOverrides::default())
    }

    /// A fetcher that resolves and judges addresses by `overrides` first.
    pub fn with_overrides(
        limits: FetchLimits,
        overrides: NetworkOverrides,
    ) -> Result<Fetcher, ClientError> {
        let overrides = Arc::new(overrides);
        Ok(Fetcher {
            clients: clients::Clients::new(limits, &overrides)?,
            overrides: Arc::clone(&overrides),
            timeout: limits.timeout,
            max_body: limits.max_body,
            body_slots: BodySlots::for_cores(),
        })
    }

    /// Fetches `target` for `origin`, sending `validators`; the whole fetch,
    /// redirects and body included, is bounded by the configured timeout
    /// (less any time spent waiting for a large-body slot, which is not the
    /// server's).
    pub async fn fetch(
        &self,
        target: &Target,
        validators: &Validators,
        origin: Origin<'_>,
    ) -> Result<Fetched, FetchError> {
        match target {
            Target::Http(url) => http::fetch(self, url, validators, origin).await,
            Target::File(path) => {
                file::fetch(path, validators, self.max_body, &self.body_slots).await
            }
        }
    }

    /// Whether `origin` may reach private networks: it says so, or its
    /// configured address is on one. Names are judged by what they are, not
    /// by what they resolve to, which a hostile DNS server decides.
    fn may_reach_private(&self, origin: Origin<'_>) -> bool {
        origin.allow_private
            || origin.configured.and_then(Url::host).is_some_and(|host| {
                address_policy::is_private_host_by(&host, |ip| self.overrides.private_range(ip))
            })
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
