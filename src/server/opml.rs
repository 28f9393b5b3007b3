//! `/opml`: the outputs as a subscription list a reader can import.

use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::IntoResponse;

use super::access::{feed_url, listed, presented};
use super::ServerState;
use crate::opml::{self, Subscription};
use crate::render::FeedFormat;

/// The public outputs, and the private ones whose token the request shows.
pub async fn opml(
    State(state): State<ServerState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> impl IntoResponse {
    let config = state.config();
    let shown = presented(&headers, query.as_deref());
    let subs: Vec<Subscription> = listed(&config, shown.as_deref())
        .map(|o| Subscription {
            title: o.title.clone(),
            xml_url: feed_url(&config, o, FeedFormat::Rss, shown.as_deref()),
            html_url: Some(config.daemon.public_url("/")),
            tags: Vec::new(),
        })
        .collect();
    (
        [(CONTENT_TYPE, "text/x-opml; charset=utf-8")],
        opml::write("syndic outputs", &subs),
    )
}
