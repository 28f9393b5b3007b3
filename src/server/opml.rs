//! `/opml`: the outputs as a subscription list a reader can import.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use super::ServerState;
use crate::opml::{self, Subscription};
use crate::render::{self, FeedFormat};

pub async fn opml(State(state): State<ServerState>) -> impl IntoResponse {
    let config = state.config();
    let subs: Vec<Subscription> = config
        .outputs
        .iter()
        .map(|o| Subscription {
            title: o.title.clone(),
            xml_url: render::self_url(o, FeedFormat::Rss, &config.daemon),
            html_url: Some(config.daemon.public_url("/")),
        })
        .collect();
    (
        [(CONTENT_TYPE, "text/x-opml; charset=utf-8")],
        opml::write("syndic outputs", &subs),
    )
}
