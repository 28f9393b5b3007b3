//! The HTTP server: outputs as feeds, an index page, OPML, health and
//! metrics. It never serves files from disk: every answer is built from
//! the config and the store.

mod cache;
mod conditional;
mod encoding;
mod feeds;
mod index;
mod opml;
mod ops;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::sync::watch;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::store::StoreHandle;
use cache::FeedCache;

/// What every handler shares: the live config, the database, the metrics
/// and the rendered-feed cache.
#[derive(Clone)]
pub struct ServerState {
    config: watch::Receiver<Arc<Config>>,
    store: StoreHandle,
    metrics: Arc<Metrics>,
    cache: Arc<FeedCache>,
}

impl ServerState {
    /// `config` carries reloads: a new value replaces what the server shows.
    pub fn new(
        config: watch::Receiver<Arc<Config>>,
        store: StoreHandle,
        metrics: Arc<Metrics>,
    ) -> Self {
        ServerState {
            config,
            store,
            metrics,
            cache: Arc::default(),
        }
    }

    fn config(&self) -> Arc<Config> {
        self.config.borrow().clone()
    }
}

/// The routes of the HTTP contract.
pub fn router(state: ServerState) -> Router {
    Router::new()
        .route("/", get(index::index))
        .route("/feeds/{file}", get(feeds::feed))
        .route("/opml", get(opml::opml))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route_layer(middleware::from_fn_with_state(state.clone(), track))
        .fallback(unmatched)
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ServerState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        // Responses are written whole; waiting to coalesce them only adds latency.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
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
