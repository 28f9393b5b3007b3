//! Read-only commands: `check`, `items`, `sources`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::store_access::CliStore;
use super::{known_source, print_out, CliError};
use crate::config::{Access, Config, HttpOptions, HumanDuration, Schedule, SourceConfig};
use crate::item_record::ItemRecord;
use crate::model::PollResult;
use crate::store::{FullTextCounts, ItemQuery, SourceStats};

pub fn check(config: &Config) -> Result<(), CliError> {
    let mut out = String::new();
    let feeds = config
        .sources
        .iter()
        .filter(|s| s.kind == crate::model::SourceKind::Feed)
        .count();
    out.push_str(&format!(
        "{}: ok\n  {} sources ({} feeds, {} text), {} outputs\n  database {}\n  serving on {} as {}\n",
        config.file.display(),
        config.sources.len(),
        feeds,
        config.sources.len() - feeds,
        config.outputs.len(),
        match &config.daemon.postgres {
            Some(pg) => pg.url.clone(),
            None => config.daemon.database.display().to_string(),
        },
        config.daemon.listen,
        config.daemon.base_url,
    ));
    if let Schedule::Adaptive { min, max } = config.daemon.schedule {
        out.push_str(&format!(
            "  feeds paced by what they publish, every {} to {}\n",
            HumanDuration(min),
            HumanDuration(max)
        ));
    }
    for s in &config.sources {
        out.push_str(&format!(
            "  source {:<24} {:<4} every {:<4} {}\n",
            s.name,
            s.kind.as_str(),
            HumanDuration(s.interval).to_string(),
            s.location
        ));
        if !s.http.is_default() {
            out.push_str(&format!("    {}\n", http_summary(&s.http)));
        }
        if let Some(token) = &s.push_token {
            out.push_str(&format!(
                "    takes pushes at /ingest/{}, token from {}\n",
                s.name,
                token.from()
            ));
        }
    }
    for o in &config.outputs {
        out.push_str(&format!(
            "  output {:<24} /feeds/{}.{{rss,atom,json}} limit {}\n",
            o.name, o.name, o.limit
        ));
        if let Access::Token(token) = &o.access {
            out.push_str(&format!("    private, token from {}\n", token.from()));
        }
        if let Some(query) = &o.query {
            out.push_str(&format!("    query {query}\n"));
        }
    }
    if let Some(warning) = unreachable_base_url(config) {
        eprintln!("syndic: warning: {warning}");
    }
    print_out(&out)
}

/// Listening on every address without a `base_url` gives self links and
/// autodiscovery to `0.0.0.0` or `[::]`, which no reader can open.
fn unreachable_base_url(config: &Config) -> Option<String> {
    let listen = config.daemon.listen;
    let host_unspecified = match config.daemon.base_url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => ip.is_unspecified(),
        _ => false,
    };
    (listen.ip().is_unspecified() && host_unspecified).then(|| {
        format!(
            "`listen = \"{listen}\"` without `base_url`: feeds would link to {}, which readers cannot open; set `base_url = \"https://feeds.example.org\"` in [daemon]",
            config.daemon.base_url
        )
    })
}

/// A source's HTTP options in a line: header names without their values
/// (which may be keys), and where credentials come from, never what they
/// are.
fn http_summary(http: &HttpOptions) -> String {
    let mut parts = Vec::new();
    if let Some(agent) = &http.user_agent {
        parts.push(format!(
            "user agent {}",
            String::from_utf8_lossy(agent.as_bytes())
        ));
    }
    if !http.headers.is_empty() {
        let names: Vec<&str> = http.headers.iter().map(|(n, _)| n.as_str()).collect();
        parts.push(format!("headers {}", names.join(", ")));
    }
    if let Some(auth) = &http.auth {
        parts.push(auth.to_string());
    }
    if http.http1_only {
        parts.push("HTTP/1.1 only".into());
    }
    parts.join("; ")
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn items(
    config: &Config,
    source: Option<&str>,
    limit: usize,
    json: bool,
) -> Result<(), CliError> {
    let sources = source
        .map(|name| known_source(config, name).map(|s| vec![s.name.clone()]))
        .transpose()?;
    let store = CliStore::reader(config)?;
    let items = store.items(ItemQuery {
        sources,
        limit,
        ..Default::default()
    })?;
    if json {
        let records: Vec<ItemRecord> = items.iter().map(ItemRecord::from).collect();
        let text = serde_json::to_string_pretty(&records).map_err(anyhow::Error::from)?;
        return print_out(&(text + "\n"));
    }
    let mut out = String::new();
    for i in &items {
        out.push_str(&format!(
            "{}  {:<20}  {}\n",
            i.sort_time().format("%Y-%m-%d %H:%M"),
            i.source,
            i.title
        ));
    }
    if items.is_empty() {
        out.push_str("no items stored yet\n");
    }
    print_out(&out)
}

#[derive(Serialize)]
struct SourceRecord<'a> {
    name: &'a str,
    kind: &'a str,
    location: String,
    last_fetch: Option<String>,
    result: Option<PollResult>,
    error: Option<&'a str>,
    next_due: Option<String>,
    /// Why `next_due` was chosen: the interval or learnt pace, and the
    /// hints or skipped hours that moved it.
    due_reason: Option<&'a str>,
    failures: u32,
    disabled: bool,
    items: u64,
    /// Entries of the last read that came under a new id and were known by
    /// link and title; above 0 the feed rotates its ids.
    rotated_ids: u64,
    /// How a `kind = "html"` source finds its items: `selectors` or
    /// `heuristic`; null for other kinds.
    scrape: Option<&'a str>,
    /// For a `full_text` source: pages that gave an article, pages that
    /// did not, and why the latest of those did not.
    full_text: Option<FullTextCounts>,
}

pub fn sources(config: &Config, json: bool) -> Result<(), CliError> {
    let store = CliStore::reader(config)?;
    let stats = store.source_stats()?;
    let mut pages = store.full_text_counts()?;
    let empty = SourceStats::default();
    let records: Vec<SourceRecord> = config
        .sources
        .iter()
        .map(|s| {
            let st = stats
                .iter()
                .find(|(n, _)| n == s.name.as_str())
                .map_or(&empty, |(_, st)| st);
            SourceRecord {
                name: s.name.as_str(),
                kind: s.kind.as_str(),
                location: s.location.to_string(),
                last_fetch: st.state.last_fetch.map(rfc3339),
                result: st.state.last_status,
                error: st.state.last_error.as_deref(),
                next_due: st.state.next_due.map(rfc3339),
                due_reason: st.state.due_reason.as_deref(),
                failures: st.state.failures,
                disabled: st.state.disabled,
                items: st.items,
                rotated_ids: st.rotated_ids,
                scrape: scrape_method(s),
                full_text: s
                    .full_text
                    .as_ref()
                    .map(|_| pages.remove(s.name.as_str()).unwrap_or_default()),
            }
        })
        .collect();
    if json {
        let text = serde_json::to_string_pretty(&records).map_err(anyhow::Error::from)?;
        return print_out(&(text + "\n"));
    }
    print_out(&source_table(&records))
}

fn scrape_method(source: &SourceConfig) -> Option<&'static str> {
    (source.kind == crate::model::SourceKind::Html).then_some(match source.selectors {
        Some(_) => "selectors",
        None => "heuristic",
    })
}

fn source_table(records: &[SourceRecord]) -> String {
    let mut out = format!(
        "{:<24} {:<4} {:<20} {:<8} {:<20} {:>8} {:>7}\n",
        "NAME", "KIND", "LAST FETCH", "RESULT", "NEXT DUE", "FAILURES", "ITEMS"
    );
    for r in records {
        let result = if r.disabled {
            "disabled"
        } else {
            r.result.map_or("-", PollResult::as_str)
        };
        out.push_str(&format!(
            "{:<24} {:<4} {:<20} {:<8} {:<20} {:>8} {:>7}\n",
            r.name,
            r.kind,
            r.last_fetch.as_deref().unwrap_or("never"),
            result,
            r.next_due.as_deref().unwrap_or("now"),
            r.failures,
            r.items
        ));
        if let Some(why) = r.due_reason {
            out.push_str(&format!("    next due: {why}\n"));
        }
        if let Some(how) = r.scrape {
            out.push_str(&format!("    items found by: {how}\n"));
        }
        if let Some(pages) = &r.full_text {
            out.push_str(&format!(
                "    full text: pages with an article {}, without {}{}\n",
                pages.articles,
                pages.failed,
                pages
                    .last_failure
                    .as_ref()
                    .map(|why| format!(" (latest: {why})"))
                    .unwrap_or_default()
            ));
        }
        if let Some(e) = r.error {
            out.push_str(&format!("    last error: {e}\n"));
        }
        if r.rotated_ids > 0 {
            out.push_str(&format!(
                "    rotates ids: {} items of the last poll came back under new ids (known by link and title)\n",
                r.rotated_ids
            ));
        }
    }
    out
}
