//! `/`: an HTML page listing the outputs, with `<link rel="alternate">`
//! autodiscovery so a reader given this address finds every feed.

use std::fmt::Write;

use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::access::{feed_url, listed, presented};
use super::ServerState;
use crate::config::Config;
use crate::render::FeedFormat;

/// Private outputs are listed only for a request showing their token.
pub async fn index(
    State(state): State<ServerState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> impl IntoResponse {
    let shown = presented(&headers, query.as_deref());
    (
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        page(&state.config(), shown.as_deref()),
    )
}

fn format_label(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Rss => "RSS",
        FeedFormat::Atom => "Atom",
        FeedFormat::Json => "JSON Feed",
    }
}

/// The page for `config`; every text from the config is escaped.
fn page(config: &Config, shown: Option<&str>) -> String {
    let mut head = String::new();
    let mut body = String::new();
    for output in listed(config, shown) {
        let mut links = Vec::new();
        for format in FeedFormat::ALL {
            let url = feed_url(config, output, format, shown);
            let title = format!("{} ({})", output.title, format_label(format));
            let _ = writeln!(
                head,
                "<link rel=\"alternate\" type=\"{}\" title=\"{}\" href=\"{}\">",
                format.media_type(),
                attr(&title),
                attr(&url)
            );
            links.push(format!(
                "<a href=\"{}\">{}</a>",
                attr(&url),
                format_label(format)
            ));
        }
        let _ = write!(body, "<li><strong>{}</strong>", text(&output.title));
        if let Some(d) = &output.description {
            let _ = write!(body, " — {}", text(d));
        }
        let _ = writeln!(body, "<br>{}</li>", links.join(" · "));
    }
    if body.is_empty() {
        body.push_str("<li>No outputs to list.</li>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>syndic feeds</title>\n{head}</head>\n<body>\n<h1>Feeds</h1>\n<ul>\n{body}</ul>\n\
         <p><a href=\"{opml}\">All feeds as OPML</a></p>\n</body>\n</html>\n",
        opml = attr(&config.daemon.public_url("/opml"))
    )
}
