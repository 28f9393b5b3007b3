//! `syndic poll`: one round of polling, reported on standard output.

use chrono::Utc;
use futures_util::future::join_all;

use super::print_out;
use super::{known_source, CliError};
use crate::config::{Config, SourceConfig};
use crate::fetch::FetchSlots;
use crate::model::PollResult;
use crate::poll::{PollOutcome, PollReport, Poller};
use crate::store::StoreHandle;

/// Polls the due sources, or with `all` every source; naming sources
/// polls those now. Exit 1 when any poll failed.
pub fn poll(config: &Config, all: bool, names: &[String]) -> Result<(), CliError> {
    let named = names
        .iter()
        .map(|n| known_source(config, n))
        .collect::<Result<Vec<_>, _>>()?;
    let runtime = tokio::runtime::Runtime::new().map_err(anyhow::Error::from)?;
    let reports = runtime.block_on(poll_sources(config, all, named))?;
    let mut out = String::new();
    for r in &reports {
        out.push_str(&line(r));
    }
    if reports.is_empty() {
        out.push_str("no source is due; `syndic poll --all` polls every source now\n");
    }
    print_out(&out)?;
    let failed = reports
        .iter()
        .filter(|r| matches!(r.outcome, PollOutcome::Failed(_)))
        .count();
    if failed > 0 {
        return Err(CliError::Runtime(anyhow::anyhow!(
            "{failed} of {} sources failed",
            reports.len()
        )));
    }
    Ok(())
}

async fn poll_sources(
    config: &Config,
    all: bool,
    named: Vec<&SourceConfig>,
) -> Result<Vec<PollReport>, CliError> {
    let runtime_err = |e: String| CliError::Runtime(anyhow::anyhow!(e));
    let store = StoreHandle::connect(&config.daemon)
        .await
        .map_err(|e| runtime_err(e.to_string()))?;
    let slots = FetchSlots::new(config.daemon.concurrency, config.daemon.per_host);
    let poller = Poller::new(&config.daemon, slots, store.clone())
        .map_err(|e| runtime_err(e.to_string()))?;
    let chosen: Vec<&SourceConfig> = if named.is_empty() {
        let states = store
            .fetch_states()
            .await
            .map_err(|e| runtime_err(e.to_string()))?;
        let now = Utc::now();
        config
            .sources
            .iter()
            .filter(|s| s.is_polled())
            .filter(|s| {
                all || states
                    .get(s.name.as_str())
                    .and_then(|st| st.next_due)
                    .is_none_or(|due| due <= now)
            })
            .collect()
    } else {
        named
    };
    let reports = join_all(chosen.into_iter().map(|s| poller.poll(s))).await;
    // The process ends without closing its connections, which would have
    // folded the write-ahead log into the database; a read-only reader
    // later (a read-only folder) must find everything in the main file.
    if let Err(e) = store.checkpoint().await {
        tracing::warn!(error = %e, "could not checkpoint the database");
    }
    Ok(reports)
}

fn line(r: &PollReport) -> String {
    let what = match &r.outcome {
        PollOutcome::Stored { summary, warning } => {
            let mut s = format!(
                "{} new, {} updated, {} unchanged",
                summary.inserted, summary.updated, summary.unchanged
            );
            if summary.tombstoned > 0 {
                s.push_str(&format!(
                    "; {} removed by retention before, left out",
                    summary.tombstoned
                ));
            }
            if summary.rotated > 0 {
                s.push_str(&format!("; {} came back under new ids", summary.rotated));
            }
            if let Some(w) = warning {
                s.push_str(&format!("; {w}"));
            }
            s
        }
        PollOutcome::NotModified => PollResult::NotModified.to_string(),
        PollOutcome::Disabled => format!(
            "{} (410 Gone); fix its url to poll it again",
            PollResult::Disabled
        ),
        PollOutcome::Failed(e) => format!("{}: {e}", r.outcome.result()),
    };
    format!(
        "{:<24} {what} ({:.2}s)\n",
        r.source,
        r.elapsed.as_secs_f64()
    )
}
