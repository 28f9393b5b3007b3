//! The HTTP clients a fetcher picks from. reqwest fixes the resolver and
//! the HTTP versions per client, not per request, so each combination a
//! source may need is a client of its own: guarded or open, and HTTP/2
//! allowed or HTTP/1.1 only. Four small clients built once cost less than
//! building one per fetch, and keep connections pooled per kind.

use std::sync::Arc;
use std::time::Duration;

use super::resolver::{NetworkOverrides, Resolver};
use super::{user_agent, ClientError, FetchLimits, CONNECT_TIMEOUT};

/// What a fetch needs of its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientKind {
    /// Refuses DNS answers in private networks.
    pub guarded: bool,
    /// Speaks HTTP/1.1 only (`http2 = false`).
    pub http1_only: bool,
}

#[derive(Clone)]
pub struct Clients {
    /// Indexed by [`ClientKind::index`].
    clients: [reqwest::Client; 4],
}

impl ClientKind {
    fn index(self) -> usize {
        usize::from(self.guarded) * 2 + usize::from(self.http1_only)
    }

    const ALL: [ClientKind; 4] = [
        ClientKind {
            guarded: false,
            http1_only: false,
        },
        ClientKind {
            guarded: false,
            http1_only: true,
        },
        ClientKind {
            guarded: true,
            http1_only: false,
        },
        ClientKind {
            guarded: true,
            http1_only: true,
        },
    ];
}

impl Clients {
    pub fn new(
        limits: FetchLimits,
        overrides: &Arc<NetworkOverrides>,
    ) -> Result<Clients, ClientError> {
        let [a, b, c, d] = ClientKind::ALL.map(|kind| {
            debug_assert_eq!(ClientKind::ALL[kind.index()], kind);
            client(limits, kind, overrides)
        });
        Ok(Clients {
            clients: [a?, b?, c?, d?],
        })
    }

    pub fn get(&self, kind: ClientKind) -> &reqwest::Client {
        &self.clients[kind.index()]
    }
}

fn client(
    limits: FetchLimits,
    kind: ClientKind,
    overrides: &Arc<NetworkOverrides>,
) -> Result<reqwest::Client, ClientError> {
    let resolver = Resolver::new(Arc::clone(overrides), kind.guarded);
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent())
        // Redirects are followed by hand to tell permanent from temporary.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT.min(limits.timeout))
        .pool_idle_timeout(Duration::from_secs(30))
        .gzip(true)
        .brotli(true)
        .deflate(true)
        .dns_resolver(Arc::new(resolver));
    if kind.http1_only {
        builder = builder.http1_only();
    }
    for root in &overrides.roots {
        builder = builder.add_root_certificate(root.clone());
    }
    Ok(builder.build()?)
}
