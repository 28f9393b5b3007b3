//! Routes for operators: `/healthz` and `/metrics`.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::ServerState;

/// A health check must answer even when the database hangs.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// `200 ok` when the database answers a read, `503` otherwise.
pub async fn healthz(State(state): State<ServerState>) -> impl IntoResponse {
    let read = state.store.read(|s| Ok(s.is_healthy()));
    match tokio::time::timeout(HEALTH_TIMEOUT, read).await {
        Ok(Ok(true)) => (StatusCode::OK, "ok\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n"),
    }
}

pub async fn metrics(State(state): State<ServerState>) -> impl IntoResponse {
    let counts = state.store.read(|s| s.item_counts());
    let counts = match tokio::time::timeout(HEALTH_TIMEOUT, counts).await {
        Ok(Ok(c)) => c,
        // Counters are still worth serving when the item counts are not.
        _ => HashMap::new(),
    };
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render_prometheus(&counts),
    )
}
