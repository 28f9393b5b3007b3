//! `/`: the operator's page. Per output: its item count, newest item,
//! sources and feed links (with `<link rel="alternate">` autodiscovery so
//! a reader given this address finds every feed); per source of those
//! outputs: its health. Private outputs, and sources only they read, show
//! only to a request bearing their token.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::access::{feed_url, listed, presented};
use super::health::last_success;
use super::ServerState;
use crate::config::{Config, OutputConfig};
use crate::curate;
use crate::metrics::Metrics;
use crate::model::{Item, SourceName};
use crate::render::FeedFormat;
use crate::store::{HandleError, SourceStats, StoreHandle};

/// What the page shows of one output.
struct OutputFigures {
    items: usize,
    /// The date the newest item is shown with.
    newest: Option<DateTime<Utc>>,
}

pub async fn index(
    State(state): State<ServerState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let shown = presented(&headers, query.as_deref());
    let config = state.config();
    let outputs: Vec<OutputConfig> = listed(&config, shown.as_deref()).cloned().collect();
    let figures = read_figures(&state.store, &config, outputs).await;
    match figures {
        Ok((figures, stats)) => (
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            page(&config, shown.as_deref(), &figures, &stats, &state.metrics),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the index page's figures");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database cannot be read right now\n",
            )
                .into_response()
        }
    }
}

/// Each listed output's figures, and every source's.
async fn read_figures(
    store: &StoreHandle,
    config: &Arc<Config>,
    outputs: Vec<OutputConfig>,
) -> Result<(Vec<OutputFigures>, Vec<(String, SourceStats)>), HandleError> {
    let now = Utc::now();
    let mut figures = Vec::new();
    for output in outputs {
        let items = store.select(Arc::clone(config), output, now).await?;
        figures.push(OutputFigures {
            items: items.len(),
            newest: items.first().map(Item::sort_time),
        });
    }
    Ok((figures, store.source_stats().await?))
}

fn format_label(format: FeedFormat) -> &'static str {
    match format {
        FeedFormat::Rss => "RSS",
        FeedFormat::Atom => "Atom",
        FeedFormat::Json => "JSON Feed",
    }
}

fn when(t: Option<DateTime<Utc>>) -> String {
    match t {
        Some(t) => format!(
            "<time datetime=\"{0}\">{0}</time>",
            t.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
        None => "never".into(),
    }
}

/// The page; every text from the config or the store is escaped.
fn page(
    config: &Config,
    shown: Option<&str>,
    figures: &[OutputFigures],
    stats: &[(String, SourceStats)],
    metrics: &Metrics,
) -> String {
    let mut head = String::new();
    let mut body = String::new();
    let mut shown_sources: Vec<SourceName> = Vec::new();
    for (output, figures) in listed(config, shown).zip(figures) {
        let sources = curate::sources_of(config, output);
        write_output(
            &mut head, &mut body, config, output, figures, &sources, shown,
        );
        for source in sources {
            if !shown_sources.contains(&source) {
                shown_sources.push(source);
            }
        }
    }
    if body.is_empty() {
        body.push_str("<p>No outputs to list.</p>\n");
    }
    let stats: HashMap<&str, &SourceStats> = stats.iter().map(|(n, s)| (n.as_str(), s)).collect();
    let mut rows = String::new();
    for name in config
        .sources
        .iter()
        .map(|s| &s.name)
        .filter(|n| shown_sources.contains(n))
    {
        write_source_row(
            &mut rows,
            config,
            name,
            stats.get(name.as_str()).copied(),
            metrics,
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>syndic feeds</title>\n{head}<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Feeds</h1>\n{body}\
         <h2>Sources</h2>\n<table id=\"sources\">\n<thead><tr><th>Source</th><th>Health</th>\
         <th>Last success</th><th>Failures</th><th>Next due</th><th>Items</th></tr></thead>\n\
         <tbody>\n{rows}</tbody>\n</table>\n\
         <p><a href=\"{opml}\">All feeds as OPML</a></p>\n</body>\n</html>\n",
        opml = attr(&config.daemon.public_url("/opml"))
    )
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem}section.output{border-bottom:1px solid #ddd;padding:.5rem 0}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;\
border-bottom:1px solid #eee}tr.failing td.health{color:#b3261e}\
tr.gone td.health{color:#777}tr.moved td.health{color:#8a5a00}";

fn write_output(
    head: &mut String,
    body: &mut String,
    config: &Config,
    output: &OutputConfig,
    figures: &OutputFigures,
    sources: &[SourceName],
    shown: Option<&str>,
) {
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
    let _ = write!(
        body,
        "<section class=\"output\" id=\"output-{}\">\n<h2>{}</h2>\n",
        attr(output.name.as_str()),
        text(&output.title)
    );
    if let Some(d) = &output.description {
        let _ = writeln!(body, "<p class=\"description\">{}</p>", text(d));
    }
    let names: Vec<String> = sources
        .iter()
        .map(|s| text(s.as_str()).into_owned())
        .collect();
    let _ = write!(
        body,
        "<p class=\"figures\"><span class=\"count\">{}</span> items, newest {}</p>\n\
         <p class=\"links\">{}</p>\n<p class=\"sources\">Sources: {}</p>\n</section>\n",
        figures.items,
        when(figures.newest),
        links.join(" · "),
        names.join(", ")
    );
}

fn write_source_row(
    rows: &mut String,
    config: &Config,
    name: &SourceName,
    stats: Option<&SourceStats>,
    metrics: &Metrics,
) {
    let pushed = config.source(name.as_str()).is_some_and(|s| !s.is_polled());
    let empty = SourceStats::default();
    let stats = stats.unwrap_or(&empty);
    let state = &stats.state;
    let (class, health) = if state.disabled {
        ("gone", "gone (410 Gone): no longer polled".to_string())
    } else if let Some(to) = &state.moved_to {
        ("moved", format!("moved to {to}"))
    } else if state.failures > 0 {
        let error = state.last_error.as_deref().unwrap_or("failed");
        ("failing", format!("failing: {error}"))
    } else if pushed {
        ("ok", "takes pushes".to_string())
    } else if state.last_fetch.is_none() {
        ("new", "not fetched yet".to_string())
    } else {
        ("ok", "ok".to_string())
    };
    let next_due = match state.next_due {
        _ if state.disabled || pushed => "—".to_string(),
        None => "now".to_string(),
        due => when(due),
    };
    let _ = writeln!(
        rows,
        "<tr id=\"source-{}\" class=\"{class}\"><td class=\"name\">{}</td>\
         <td class=\"health\">{}</td><td class=\"last-success\">{}</td>\
         <td class=\"failures\">{}</td><td class=\"next-due\">{next_due}</td>\
         <td class=\"items\">{}</td></tr>",
        attr(name.as_str()),
        text(name.as_str()),
        text(&health),
        when(last_success(metrics, name.as_str(), stats)),
        state.failures,
        stats.items
    );
}
