//! Name lookups that can refuse private answers. reqwest connects only to
//! the addresses this resolver returns, so checking them here checks what
//! is actually connected to: a DNS answer that changes between a check
//! and the connection (rebinding) cannot slip past.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::address_policy::{self, Range};

/// Name answers and address verdicts that replace the system's, so tests
/// can stand a "public" server on loopback; empty in the daemon.
#[derive(Debug, Clone, Default)]
pub struct NetworkOverrides {
    /// Answers for these names (lower case) instead of the system's.
    pub hosts: HashMap<String, Vec<IpAddr>>,
    /// Addresses judged public whatever their range.
    pub public: HashSet<IpAddr>,
    /// Certificate authorities trusted besides the usual ones, so a test
    /// server can speak TLS (and offer HTTP/2, which needs it).
    pub roots: Vec<reqwest::Certificate>,
}

impl NetworkOverrides {
    /// The non-public range of `ip`, unless it is overridden as public.
    pub fn private_range(&self, ip: IpAddr) -> Option<Range> {
        if self.public.contains(&ip) {
            None
        } else {
            address_policy::private_range(ip)
        }
    }
}

/// A name whose answers include a private address.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {address}, {range}")]
pub struct PrivateAnswer {
    pub host: String,
    pub address: IpAddr,
    pub range: Range,
}

/// The resolver of one HTTP client: one refuses private answers, the other
/// (for sources allowed to reach private networks) does not.
pub struct Resolver {
    overrides: Arc<NetworkOverrides>,
    refuse_private: bool,
}

impl Resolver {
    pub fn new(overrides: Arc<NetworkOverrides>, refuse_private: bool) -> Resolver {
        Resolver {
            overrides,
            refuse_private,
        }
    }
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let overrides = Arc::clone(&self.overrides);
        let refuse_private = self.refuse_private;
        Box::pin(async move {
            let host = name.as_str().to_ascii_lowercase();
            let answers: Vec<SocketAddr> = match overrides.hosts.get(&host) {
                Some(ips) => ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect(),
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            // A name with any private answer is refused, not filtered: a feed
            // host has no reason to mix them, and a rebinding attack does.
            if refuse_private {
                let private = answers
                    .iter()
                    .find_map(|a| overrides.private_range(a.ip()).map(|r| (a.ip(), r)));
                if let Some((address, range)) = private {
                    return Err(Box::new(PrivateAnswer {
                        host,
                        address,
                        range,
                    })
                        as Box<dyn std::error::Error + Send + Sync>);
                }
            }
            Ok(Box::new(answers.into_iter()) as Addrs)
        })
    }
}
