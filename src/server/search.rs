//! `/search.{rss,atom,json}?q=…`: an ad-hoc feed of a full-text query,
//! newest match first, so a reader can subscribe to "ukraine ceasefire".
//! Answered like an output (cached, ETag, `304`, compression) over the
//! published sources only (`curate::published_sources`: those a public
//! output names or selects by tag), so no item of a source that only
//! private outputs show is ever in one. Each client is rate-limited
//! (`rate_limit.rs`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::cache::Sources;
use super::feeds::{respond, CACHE_CONTROL_VALUE};
use super::{not_found, ServerState};
use crate::config::{Access, Config, FieldSets, OutputConfig, ServedAs};
use crate::curate::published_sources;
use crate::model::OutputName;
use crate::render::FeedFormat;
use crate::search::SearchQuery;

/// Matches a search feed shows.
pub const SEARCH_FEED_LIMIT: usize = 50;

pub async fn feed(State(state): State<ServerState>, request: Request) -> Response {
    let Some(format) = request
        .uri()
        .path()
        .strip_prefix("/search.")
        .and_then(FeedFormat::from_extension)
    else {
        return not_found();
    };
    // The full-text index is SQLite's alone for now: no search feeds
    // on PostgreSQL.
    if !state.store.is_sqlite() {
        return not_found();
    }
    if let Err(wait) = state.rate_limit.take(client_of(&request), Instant::now()) {
        let secs = wait.as_secs() + 1;
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(RETRY_AFTER, secs.to_string())],
            "too many searches: try again later\n",
        )
            .into_response();
    }
    let query = match query_of(&request) {
        Ok(query) => query,
        Err(why) => return (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response(),
    };
    let config = state.config();
    let Some(output) = search_output(&config, &query) else {
        return not_found();
    };
    let sources = Sources {
        store: &state.store,
        metrics: &state.metrics,
    };
    let cached = state
        .search_cache
        .get(sources, &config, &output, &query, format);
    match cached.await {
        Ok(rendered) => respond(&rendered, format, request.headers(), CACHE_CONTROL_VALUE),
        Err(e) => {
            tracing::error!(query = %query, %format, error = %e, "cannot render a search");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the search cannot be run right now\n",
            )
                .into_response()
        }
    }
}

/// The client's address; one shared bucket when the server did not say
/// (a router called without `serve`).
fn client_of(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// The `q` parameter as a query, or why it is none.
fn query_of(request: &Request) -> Result<SearchQuery, String> {
    let params = request.uri().query().unwrap_or("");
    let q = url::form_urlencoded::parse(params.as_bytes())
        .find(|(name, _)| name == "q")
        .map(|(_, value)| value.into_owned())
        .ok_or("add the query as ?q=…")?;
    SearchQuery::parse(&q).map_err(|e| e.to_string())
}

/// The search as a public output over the published sources.
fn search_output(config: &Config, query: &SearchQuery) -> Option<OutputConfig> {
    Some(OutputConfig {
        name: OutputName::new("search").ok()?,
        title: format!("Search: {query}"),
        description: Some(format!("Stored items matching {query}, newest first")),
        sources: published_sources(config),
        tags: Vec::new(),
        include: FieldSets::default(),
        exclude: FieldSets::default(),
        limit: SEARCH_FEED_LIMIT,
        max_age: None,
        prefer: Vec::new(),
        access: Access::Public,
        notify: Vec::new(),
        query: Some(query.clone()),
        served_as: ServedAs::Search,
    })
}
