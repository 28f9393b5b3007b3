//! `/websub/{callback id}`: the callback of a WebSub subscription.
//!
//! `GET` is the hub verifying a request: its challenge is echoed only when
//! that very request (mode and topic) is pending for this callback, so no
//! one can subscribe syndic to anything it did not ask for. `POST` is a
//! push: its `X-Hub-Signature` must match the body under the
//! subscription's secret, else it is refused (`403`) and nothing is read;
//! a signed push is read and stored at once, as a poll's body would be.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use url::Url;

use super::ingest::read_body;
use super::{not_found, ServerState};
use crate::model::SourceKind;
use crate::store::{Subscription, SubscriptionMode};
use crate::websub::signature;

/// Leases longer than this are held to it: a hub granting years would
/// otherwise never be asked again.
const LONGEST_LEASE_SECS: i64 = 366 * 24 * 60 * 60;

pub async fn verify(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let fields: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let field = |name: &str| fields.get(name).map(String::as_str);
    let (Some(mode), Some(topic)) = (field("hub.mode"), field("hub.topic")) else {
        return (
            StatusCode::BAD_REQUEST,
            "hub.mode and hub.topic are required\n",
        )
            .into_response();
    };
    if mode == "denied" {
        return denied(&state, id, topic, field("hub.reason")).await;
    }
    let (Some(mode), Some(challenge)) = (SubscriptionMode::parse(mode), field("hub.challenge"))
    else {
        return (
            StatusCode::BAD_REQUEST,
            "unknown hub.mode or no hub.challenge\n",
        )
            .into_response();
    };
    let lease = match (mode, field("hub.lease_seconds").map(str::parse::<i64>)) {
        (_, Some(Ok(secs))) if secs > 0 => secs.min(LONGEST_LEASE_SECS),
        (SubscriptionMode::Unsubscribe, _) => 0,
        _ => return (StatusCode::BAD_REQUEST, "hub.lease_seconds is required\n").into_response(),
    };
    let lease_until = Utc::now() + chrono::Duration::seconds(lease);
    let owned_topic = topic.to_string();
    let verified = state
        .store
        .write(move |s| s.verify_websub(&id, mode, &owned_topic, lease_until))
        .await;
    match verified {
        Ok(true) => {
            state.metrics.record_websub(mode.as_str(), "verified");
            tracing::info!(
                topic,
                mode = mode.as_str(),
                lease_seconds = lease,
                "WebSub request verified"
            );
            (
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                challenge.to_string(),
            )
                .into_response()
        }
        Ok(false) => not_found(),
        Err(e) => unavailable(&e),
    }
}

async fn denied(state: &ServerState, id: String, topic: &str, reason: Option<&str>) -> Response {
    let owned_topic = topic.to_string();
    match state
        .store
        .write(move |s| s.deny_websub(&id, &owned_topic))
        .await
    {
        Ok(true) => {
            state.metrics.record_websub("subscribe", "denied");
            tracing::warn!(topic, reason, "the WebSub hub denied the subscription");
            (StatusCode::OK, "ok\n").into_response()
        }
        Ok(false) => not_found(),
        Err(e) => unavailable(&e),
    }
}

pub async fn push(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let sub = match state.store.read(move |s| s.websub_by_callback(&id)).await {
        Ok(Some(sub)) => sub,
        Ok(None) => return not_found(),
        Err(e) => return unavailable(&e),
    };
    let config = state.config();
    let Some(source) = config.source(sub.source.as_str()) else {
        // Gone from the config: the hub may stop sending.
        return (StatusCode::GONE, "no such subscription\n").into_response();
    };
    let headers = request.headers().clone();
    let limit = usize::try_from(config.daemon.max_body_bytes).unwrap_or(usize::MAX);
    let body = match read_body(request, limit).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let signed = headers.get("x-hub-signature").and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(&sub.secret, signed, &body) {
        state.metrics.record_websub("push", "refused");
        tracing::warn!(source = %sub.source, error = %e, "WebSub push refused");
        return (StatusCode::FORBIDDEN, "the signature does not match\n").into_response();
    }
    if source.kind != SourceKind::Feed {
        return (StatusCode::GONE, "no such subscription\n").into_response();
    }
    let charset = crate::fetch::charset(&headers);
    store(&state, sub, charset, body, config.daemon.max_items).await
}

/// Reads the pushed document as a poll would, and stores its items.
async fn store(
    state: &ServerState,
    sub: Subscription,
    charset: Option<String>,
    body: bytes::Bytes,
    max_items: usize,
) -> Response {
    let name = sub.source.clone();
    let topic = Url::parse(&sub.topic).ok();
    let read = tokio::task::spawn_blocking(move || {
        crate::poll::pushed_feed_items(
            &body,
            charset.as_deref(),
            &name,
            topic.as_ref(),
            Utc::now(),
            max_items,
        )
    })
    .await;
    let items = match read {
        Ok(Ok(items)) => items,
        Ok(Err(e)) => {
            state.metrics.record_websub("push", "unreadable");
            tracing::warn!(source = %sub.source, error = %e, "a WebSub push could not be read");
            return (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")).into_response();
        }
        Err(e) => {
            tracing::error!(source = %sub.source, error = %e, "reading a WebSub push failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response();
        }
    };
    let written = state.store.write(move |s| s.upsert_items(&items)).await;
    match written {
        Ok(summary) => {
            state.metrics.record_websub("push", "stored");
            if summary.changed() {
                state.store.bump_sources(std::slice::from_ref(&sub.source));
            }
            tracing::info!(source = %sub.source, new = summary.inserted, updated = summary.updated, "WebSub push stored");
            (StatusCode::OK, "stored\n").into_response()
        }
        Err(e) => unavailable(&e),
    }
}

fn unavailable(e: &crate::store::HandleError) -> Response {
    tracing::error!(error = %e, "the database failed a WebSub callback");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is unavailable\n",
    )
        .into_response()
}
