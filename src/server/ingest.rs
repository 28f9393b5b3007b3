//! `POST /ingest/{source}`: a plain-text dump sent over HTTP (a shell's
//! `curl --data-binary @page.txt`, a bookmarklet, another program) stored
//! through the same dump normalizer as a file, for a text source that sets
//! `accept_push = true`. Answers with the items created and updated.
//!
//! Every refusal before the token is checked looks the same (`404`), so a
//! sender without the token cannot tell which sources exist or take pushes.

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;

use super::access::{presented, same_token};
use super::{not_found, ServerState};
use crate::config::SourceConfig;
use crate::model::Item;
use crate::normalize::dump::{dump_items, Dump, DumpMeta};
use crate::store::UpsertOutcome;

/// The answer to a push: what each item became.
#[derive(Serialize, Default)]
struct Ingested {
    source: String,
    created: Vec<ItemRef>,
    updated: Vec<ItemRef>,
    unchanged: usize,
    /// Removed by retention before: not stored again.
    left_out: usize,
    /// What the normalizer could not read and worked around (a date it
    /// could not read, the file dated by its arrival instead).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct ItemRef {
    id: String,
    title: String,
    link: Option<String>,
}

pub async fn ingest(
    State(state): State<ServerState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let config = state.config();
    let Some(source) = config.source(&name) else {
        return not_found();
    };
    let shown = presented(request.headers(), request.uri().query());
    let Some(expected) = &source.push_token else {
        return not_found();
    };
    if !shown.is_some_and(|token| same_token(&token, expected)) {
        return not_found();
    }
    if let Some(refused) = refused_type(request.headers()) {
        return refused;
    }
    let limit = usize::try_from(config.daemon.max_body_bytes).unwrap_or(usize::MAX);
    let bytes = match read_body(request, limit).await {
        Ok(bytes) => bytes,
        Err(refused) => return refused,
    };
    store(&state, source, bytes).await
}

/// Dumps are text; a saved HTML page is not read as one yet.
fn refused_type(headers: &HeaderMap) -> Option<Response> {
    let kind = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = kind.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("text/plain")
        || essence.eq_ignore_ascii_case("application/octet-stream")
        || essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
    {
        return None;
    }
    Some(
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("a push is a plain-text dump (text/plain), not {essence}\n"),
        )
            .into_response(),
    )
}

/// The body, or `413` past `limit` bytes (told by `Content-Length` before
/// reading, else found while reading).
pub(super) async fn read_body(request: Request, limit: usize) -> Result<bytes::Bytes, Response> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is larger than {} KiB ([daemon] max_body_kb)\n",
                limit / 1024
            ),
        )
            .into_response()
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|e| {
            if is_length_limit(&e) {
                too_large()
            } else {
                (StatusCode::BAD_REQUEST, "the body could not be read\n").into_response()
            }
        })
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// Normalizes and stores the dump, and answers with what became of it.
async fn store(state: &ServerState, source: &SourceConfig, bytes: bytes::Bytes) -> Response {
    let max_items = state.config().daemon.max_items;
    let Dump { items, warnings } = match normalize(source, bytes, max_items).await {
        Ok(dump) => dump,
        Err(refused) => return refused,
    };
    let rename = source.rename();
    let written = state
        .store
        .ingest(rename, items.clone())
        .await
        .map(|outcomes| (items, outcomes));
    let (items, outcomes) = match written {
        Ok(written) => written,
        Err(e) => {
            tracing::error!(source = %source.name, error = %e, "storing a pushed dump failed");
            let busy = (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable\n",
            );
            return busy.into_response();
        }
    };
    let answer = Ingested {
        warnings,
        ..answer(source, &items, &outcomes)
    };
    if !answer.created.is_empty() || !answer.updated.is_empty() {
        state.store.bump_sources(std::slice::from_ref(&source.name));
    }
    tracing::info!(
        source = %source.name,
        new = answer.created.len(),
        updated = answer.updated.len(),
        "pushed dump stored"
    );
    json(&answer)
}

/// The dump's items, read off the async threads as a polled dump is;
/// `422` with the normalizer's reason when it holds no text.
async fn normalize(
    source: &SourceConfig,
    bytes: bytes::Bytes,
    max_items: usize,
) -> Result<Dump, Response> {
    let name = source.name.clone();
    let read = tokio::task::spawn_blocking(move || {
        let now = Utc::now();
        let origin = format!("/ingest/{name}");
        let meta = DumpMeta {
            source: &name,
            origin: &origin,
            fallback_date: now,
            now,
            max_items,
        };
        dump_items(&bytes, &meta)
    })
    .await;
    match read {
        Ok(Ok(dump)) => Ok(dump),
        Ok(Err(e)) => Err((StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")).into_response()),
        Err(e) => {
            tracing::error!(source = %source.name, error = %e, "reading a pushed dump failed");
            Err((StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response())
        }
    }
}

fn answer(source: &SourceConfig, items: &[Item], outcomes: &[UpsertOutcome]) -> Ingested {
    let mut answer = Ingested {
        source: source.name.to_string(),
        ..Ingested::default()
    };
    for (item, outcome) in items.iter().zip(outcomes) {
        let shown = || ItemRef {
            id: item.id.as_str().to_string(),
            title: item.title.clone(),
            link: item.link.clone(),
        };
        match outcome {
            UpsertOutcome::Inserted => answer.created.push(shown()),
            UpsertOutcome::Updated => answer.updated.push(shown()),
            UpsertOutcome::Unchanged => answer.unchanged += 1,
            UpsertOutcome::Tombstoned => answer.left_out += 1,
        }
    }
    answer
}

fn json(answer: &Ingested) -> Response {
    match serde_json::to_string_pretty(answer) {
        Ok(text) => ([(header::CONTENT_TYPE, "application/json")], text + "\n").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot write the push answer");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}
