//! `/feeds/{output}.{rss,atom,json}`: a cached output with validators,
//! `304` answers and the client's preferred compression.

use axum::body::Body;
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
pub(super) const CACHE_CONTROL_VALUE: &str = "public, max-age=300";
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

/// The answer from what the cache made once: no header is formatted here,
/// and a `304` carries only shared values.
pub(super) fn respond(
    rendered: &Rendered,
    format: FeedFormat,
    request: &HeaderMap,
    cache_control: &'static str,
) -> Response {
    let accept = request.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok());
    let encoding = negotiate(accept);
    let variant = rendered.variant(encoding);
    let not_modified = is_not_modified(request, &rendered.hash, rendered.last_modified);
    let mut response = if not_modified {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::from(variant.body.clone()))
    };
    let headers = response.headers_mut();
    headers.reserve(7);
    headers.insert(ETAG, variant.etag.clone());
    headers.insert(LAST_MODIFIED, rendered.last_modified_value.clone());
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    headers.insert(VARY, HeaderValue::from_static(stylesheet::VARY));
    if !not_modified {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(stylesheet::content_type(format, request)),
        );
        if let Some(coding) = encoding.header_value() {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
    }
    response
}
