//! What an operator alerts on: `/readyz`, and per-source figures and the
//! build for `/metrics`.

use std::fmt::Write;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};

use super::ServerState;
use crate::metrics::{header, label, Metrics};
use crate::model::PollResult;
use crate::store::SourceStats;

/// The scheduler looks at its sources at least every 30 s; three times
/// that without a look means it is stuck or gone.
const SCHEDULER_SILENCE: Duration = Duration::from_secs(90);
/// A readiness check must answer even when the database hangs.
const READY_TIMEOUT: Duration = Duration::from_secs(5);

/// `200` when the database answers a read and the scheduler runs; `503`
/// naming what does not.
pub async fn readyz(State(state): State<ServerState>) -> impl IntoResponse {
    let read = state.store.is_healthy();
    let database = matches!(tokio::time::timeout(READY_TIMEOUT, read).await, Ok(true));
    let scheduler = state.metrics.scheduler_seen().is_some_and(|seen| {
        (Utc::now() - seen)
            .to_std()
            .map_or(true, |silent| silent < SCHEDULER_SILENCE)
    });
    match (database, scheduler) {
        (true, true) => (StatusCode::OK, "ready\n"),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n"),
        (true, false) => (StatusCode::SERVICE_UNAVAILABLE, "scheduler not running\n"),
    }
}

/// Per source: items stored, last success, consecutive failures and
/// whether it is disabled; and the build.
pub fn write_sources(out: &mut String, metrics: &Metrics, sources: &[(String, SourceStats)]) {
    type Figure = fn(&Metrics, &str, &SourceStats) -> Option<i64>;
    let gauges: [(&str, &str, Figure); 4] = [
        ("syndic_items_stored", "Items stored, per source.", |_, _, s| {
            i64::try_from(s.items).ok()
        }),
        (
            "syndic_source_last_success_timestamp_seconds",
            "When the source was last fetched successfully (read or not modified), in Unix seconds.",
            |m, name, s| last_success(m, name, s).map(|at| at.timestamp()),
        ),
        (
            "syndic_source_consecutive_failures",
            "Fetches of the source that failed in a row.",
            |_, _, s| Some(i64::from(s.state.failures)),
        ),
        (
            "syndic_source_disabled",
            "1 when the source is disabled (410 Gone).",
            |_, _, s| Some(i64::from(s.state.disabled)),
        ),
    ];
    for (metric, help, figure) in gauges {
        header(out, metric, "gauge", help);
        for (name, stats) in sources {
            if let Some(value) = figure(metrics, name, stats) {
                let _ = writeln!(out, "{metric}{{source=\"{}\"}} {value}", label(name));
            }
        }
    }
    header(
        out,
        "syndic_build_info",
        "gauge",
        "The running build; always 1.",
    );
    let _ = writeln!(
        out,
        "syndic_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
}

/// The later of the stored last fetch, when it succeeded, and a success
/// seen by this process (a restart during failures forgets the one before).
pub(super) fn last_success(
    metrics: &Metrics,
    name: &str,
    stats: &SourceStats,
) -> Option<DateTime<Utc>> {
    let stored = stats.state.last_fetch.filter(|_| {
        matches!(
            stats.state.last_status,
            Some(PollResult::Ok | PollResult::NotModified)
        )
    });
    stored.max(metrics.last_success(name))
}
