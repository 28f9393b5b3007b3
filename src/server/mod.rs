//! The HTTP server: outputs as feeds, an index page, OPML, health and
//! metrics. It never serves files from disk: every answer is built from
//! the config and the store.

mod access;
mod cache;
mod conditional;
mod encoding;
mod feeds;
mod health;
mod index;
mod ingest;
mod opml;
mod ops;
mod process;
mod rate_limit;
mod search;
mod search_cache;
mod stylesheet;
mod websub;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::Service;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::store::StoreHandle;
use cache::FeedCache;
use rate_limit::RateLimit;
use search_cache::SearchCache;

/// What every handler shares: the live config, the database, the metrics
/// and the rendered-feed cache. Handlers and the request counter each take
/// a copy per request, so a copy is one shared pointer.
#[derive(Clone)]
pub struct ServerState(Arc<Shared>);

pub struct Shared {
    config: watch::Receiver<Arc<Config>>,
    store: StoreHandle,
    metrics: Arc<Metrics>,
    cache: FeedCache,
    search_cache: SearchCache,
    rate_limit: RateLimit,
}

impl std::ops::Deref for ServerState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl ServerState {
    /// `config` carries reloads: a new value replaces what the server shows.
    pub fn new(
        config: watch::Receiver<Arc<Config>>,
        store: StoreHandle,
        metrics: Arc<Metrics>,
    ) -> Self {
        ServerState(Arc::new(Shared {
            config,
            store,
            metrics,
            cache: FeedCache::default(),
            search_cache: SearchCache::default(),
            rate_limit: RateLimit::default(),
        }))
    }
}

impl Shared {
    fn config(&self) -> Arc<Config> {
        self.config.borrow().clone()
    }
}

/// The routes of the HTTP contract.
pub fn router(state: ServerState) -> Router {
    Router::new()
        .route("/", get(index::index))
        .route("/feeds/{file}", get(feeds::feed))
        // A static segment: matched before `{file}`.
        .route("/feeds/feed.xsl", get(stylesheet::stylesheet))
        .route("/opml", get(opml::opml))
        .route("/search.rss", get(search::feed))
        .route("/search.atom", get(search::feed))
        .route("/search.json", get(search::feed))
        .route("/ingest/{source}", post(ingest::ingest))
        .route("/websub/{id}", get(websub::verify).post(websub::push))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(ops::metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), track))
        .fallback(unmatched)
        .with_state(state)
}

/// A client gets this long to send a request's headers. The timer starts
/// when the server waits for a request, so it also closes keep-alive
/// connections left idle, and a slowloris client is let go.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// At a stop, requests in flight get this long to finish; connections
/// still open after it are closed.
pub const DRAIN_GRACE: Duration = Duration::from_secs(3);

/// The answer to a connection over the cap, written without reading its
/// request: short enough to fit any socket buffer.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
Content-Length: 0\r\nConnection: close\r\n\r\n";

/// Serves until `shutdown` fires, then lets the requests in flight finish
/// for at most `DRAIN_GRACE`. At most `[daemon] max_connections` are held
/// open; one more is answered `503` at once, so idle or slow clients
/// cannot starve the rest of file descriptors.
pub async fn serve(listener: TcpListener, state: ServerState, mut shutdown: Shutdown) {
    let max_connections = state.config().daemon.max_connections;
    let metrics = Arc::clone(&state.metrics);
    let app = router(state);
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait() => break,
        };
        while connections.try_join_next().is_some() {}
        match accepted {
            Ok((tcp, _)) if connections.len() >= max_connections => {
                let refused = metrics.record_refused_connection();
                // A flood would otherwise write a line per connection.
                if refused.is_power_of_two() {
                    tracing::warn!(
                        max_connections,
                        refused,
                        "connections refused: the server is full ([daemon] max_connections)"
                    );
                }
                // Best effort, never waited for: the client is told, not served.
                let _ = tcp.try_write(BUSY);
            }
            Ok((tcp, peer)) => {
                connections.spawn(connection(tcp, peer, app.clone(), shutdown.clone()));
            }
            // Out of file descriptors, most often: back off instead of spinning.
            Err(e) => {
                tracing::warn!(error = %e, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    let drained = tokio::time::timeout(DRAIN_GRACE, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::warn!(
            open = connections.len(),
            "closing connections still open after the grace period"
        );
        connections.abort_all();
    }
}

/// One HTTP/1.1 connection, until the client leaves, its header timeout
/// runs out, or the server stops (then it ends after its current request).
async fn connection(tcp: TcpStream, peer: SocketAddr, app: Router, mut shutdown: Shutdown) {
    // Responses are written whole; waiting to coalesce them only adds latency.
    let _ = tcp.set_nodelay(true);
    // Each request carries the client's address, for the search rate limit.
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().call(request)
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .serve_connection(TokioIo::new(tcp), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = shutdown.wait() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Counts each request under its route pattern.
async fn track(
    State(state): State<ServerState>,
    route: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let response = next.run(request).await;
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    state
        .metrics
        .record_request(route, response.status().as_u16(), started.elapsed());
    response
}

async fn unmatched(State(state): State<ServerState>) -> Response {
    state.metrics.record_request(
        "unmatched",
        StatusCode::NOT_FOUND.as_u16(),
        std::time::Duration::ZERO,
    );
    not_found()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}
