//! Routes for operators: `/healthz` and `/metrics` (`/readyz` is in
//! `health.rs`).

use std::time::Duration;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::{health, process, ServerState};

/// A health check must answer even when the database hangs.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// `200 ok` when the database answers a read, `503` otherwise.
pub async fn healthz(State(state): State<ServerState>) -> impl IntoResponse {
    let read = state.store.is_healthy();
    match tokio::time::timeout(HEALTH_TIMEOUT, read).await {
        Ok(true) => (StatusCode::OK, "ok\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n"),
    }
}

pub async fn metrics(State(state): State<ServerState>) -> impl IntoResponse {
    let sources = state.store.source_stats();
    let sources = match tokio::time::timeout(HEALTH_TIMEOUT, sources).await {
        Ok(Ok(sources)) => sources,
        // Counters are still worth serving when the store's figures are not.
        _ => Vec::new(),
    };
    let mut text = state.metrics.render_prometheus();
    health::write_sources(&mut text, &state.metrics, &sources);
    process::write(&mut text);
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
}
