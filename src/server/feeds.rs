//! `/feeds/{output}.{rss,atom,json}`: a cached output with validators,
//! `304` answers and the client's preferred compression.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, LAST_MODIFIED, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::access::{may_read, presented};
use super::cache::{Rendered, Sources};
use super::conditional::is_not_modified;
use super::encoding::negotiate;
use super::{not_found, stylesheet, ServerState};
use crate::render::FeedFormat;

/// Feed readers poll often; five minutes bounds staleness while sparing
/// this server most repeat requests from shared caches.
const CACHE_CONTROL_VALUE: &str = "public, max-age=300";
/// A private output's copy is the reader's own: no shared cache keeps it.
const PRIVATE_CACHE_CONTROL: &str = "private, max-age=300";

pub async fn feed(
    State(state): State<ServerState>,
    file: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    // A segment that does not decode (bad UTF-8) names no output either.
    let Ok(Path(file)) = file else {
        return not_found();
    };
    // The route cannot match `{name}.rss` itself, so the segment is split
    // here; a name the config does not define is a 404, whatever it holds.
    let Some((name, format)) = file
        .rsplit_once('.')
        .and_then(|(name, ext)| Some((name, FeedFormat::from_extension(ext)?)))
    else {
        return not_found();
    };
    let config = state.config();
    let Some(output) = config.output(name) else {
        return not_found();
    };
    // Checked before the cache is asked, so a wrong token costs no render;
    // answered as an unknown output, so it does not reveal one exists.
    if !may_read(output, presented(&headers, query.as_deref()).as_deref()) {
        state.metrics.record_token_refused(name);
        return not_found();
    }
    let cache_control = if output.access.is_private() {
        PRIVATE_CACHE_CONTROL
    } else {
        CACHE_CONTROL_VALUE
    };
    let sources = Sources {
        store: &state.store,
        metrics: &state.metrics,
    };
    match state.cache.get(sources, &config, output, format).await {
        Ok(rendered) => respond(&rendered, format, &headers, cache_control),
        Err(e) => {
            tracing::error!(output = name, %format, error = %e, "cannot render output");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the feed cannot be read right now\n",
            )
                .into_response()
        }
    }
}

fn respond(
    rendered: &Rendered,
    format: FeedFormat,
    request: &HeaderMap,
    cache_control: &'static str,
) -> Response {
    let accept = request.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let encoding = negotiate(accept);
    let mut headers = HeaderMap::new();
    let etag = rendered.etag(encoding);
    // The hash is hex and the suffix fixed, so these are valid header values.
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(rendered.last_modified)) {
        headers.insert(LAST_MODIFIED, v);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    headers.insert(VARY, HeaderValue::from_static(stylesheet::VARY));
    if is_not_modified(request, &rendered.hash, rendered.last_modified) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(stylesheet::content_type(format, request)),
    );
    if let Some(coding) = encoding.header_value() {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    (headers, rendered.body(encoding)).into_response()
}
