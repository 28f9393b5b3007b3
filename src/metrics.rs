//! Counters and durations for `/metrics`, in the Prometheus text format.
//! One `Metrics` is shared (through `Arc`) by the scheduler and the server.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::PollResult;
use crate::render::FeedFormat;

/// Upper bounds of the duration buckets, in seconds: from a cached answer
/// (well under a millisecond) to a slow fetch.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    /// Connections turned away because the server held its maximum.
    connections_refused: AtomicU64,
    /// Unix seconds of the scheduler's last look at its sources; 0 until
    /// one runs.
    scheduler_beat: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    fetches: BTreeMap<(String, &'static str), u64>,
    fetch_seconds: Histogram,
    renders: BTreeMap<(String, FeedFormat), u64>,
    render_seconds: BTreeMap<FeedFormat, Histogram>,
    requests: BTreeMap<(String, u16), u64>,
    tokens_refused: BTreeMap<String, u64>,
    /// By output, target kind and whether it was delivered.
    notifications: BTreeMap<(String, &'static str, &'static str), u64>,
    /// WebSub requests, pushes and pings, by event and result.
    websub: BTreeMap<(&'static str, &'static str), u64>,
    /// When each source's last fetch that succeeded (read or not modified)
    /// ended, in this process.
    last_success: BTreeMap<String, DateTime<Utc>>,
    request_seconds: BTreeMap<String, Histogram>,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Observations at or under each bound of `BUCKETS` (not cumulative).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|&b| secs <= b) {
            self.buckets[i] += 1;
        }
        self.count += 1;
        self.sum += secs;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(self.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = |l: &str| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{{{l}}}")
            }
        };
        let _ = writeln!(out, "{name}_sum{} {}", braces(labels), self.sum);
        let _ = writeln!(out, "{name}_count{} {}", braces(labels), self.count);
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// One fetch of `source` that ended in `result`.
    pub fn record_fetch(&self, source: &str, result: PollResult, elapsed: Duration) {
        let mut inner = self.lock();
        *inner
            .fetches
            .entry((source.to_string(), result.as_str()))
            .or_default() += 1;
        if matches!(result, PollResult::Ok | PollResult::NotModified) {
            inner.last_success.insert(source.to_string(), Utc::now());
        }
        inner.fetch_seconds.observe(elapsed);
    }

    /// One render of `output` as `format`, including its database reads.
    pub fn record_render(&self, output: &str, format: FeedFormat, elapsed: Duration) {
        let mut inner = self.lock();
        *inner
            .renders
            .entry((output.to_string(), format))
            .or_default() += 1;
        inner
            .render_seconds
            .entry(format)
            .or_default()
            .observe(elapsed);
    }

    /// One HTTP request answered; `route` is the route's pattern, not the
    /// request path, so that labels stay few.
    pub fn record_request(&self, route: &str, status: u16, elapsed: Duration) {
        let mut inner = self.lock();
        // Found without making a key: a request must not allocate here.
        // There are a few routes and statuses, so a walk is short.
        let counted = inner
            .requests
            .iter_mut()
            .find(|((r, s), _)| r == route && *s == status);
        match counted {
            Some((_, n)) => *n += 1,
            None => {
                inner.requests.insert((route.to_string(), status), 1);
            }
        }
        match inner.request_seconds.get_mut(route) {
            Some(h) => h.observe(elapsed),
            None => {
                let mut h = Histogram::default();
                h.observe(elapsed);
                inner.request_seconds.insert(route.to_string(), h);
            }
        }
    }

    /// A request for a private output without its token (none, or a
    /// wrong one): answered `404`, counted here for the operator.
    pub fn record_token_refused(&self, output: &str) {
        *self
            .lock()
            .tokens_refused
            .entry(output.to_string())
            .or_default() += 1;
    }

    /// One notification of `output`'s item to a target of `kind`.
    pub fn record_notification(&self, output: &str, kind: &'static str, delivered: bool) {
        let result = if delivered { "delivered" } else { "failed" };
        *self
            .lock()
            .notifications
            .entry((output.to_string(), kind, result))
            .or_default() += 1;
    }

    /// A WebSub `event` (`subscribe`, `unsubscribe`, `push`, `publish`)
    /// that ended in `result`.
    pub fn record_websub(&self, event: &'static str, result: &'static str) {
        *self.lock().websub.entry((event, result)).or_default() += 1;
    }

    /// A connection refused because the server held `max_connections`;
    /// returns how many have been so far.
    pub fn record_refused_connection(&self) -> u64 {
        self.connections_refused.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The scheduler is looking at its sources (it does at least every
    /// 30 s while it runs).
    pub fn scheduler_beat(&self) {
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or_default();
        self.scheduler_beat.store(now, Ordering::Relaxed);
    }

    /// When the scheduler last looked at its sources; `None` before it has.
    pub fn scheduler_seen(&self) -> Option<DateTime<Utc>> {
        let secs = self.scheduler_beat.load(Ordering::Relaxed);
        let secs = i64::try_from(secs).ok().filter(|s| *s > 0)?;
        DateTime::from_timestamp(secs, 0)
    }

    /// When `source` last fetched successfully in this process.
    pub fn last_success(&self, source: &str) -> Option<DateTime<Utc>> {
        self.lock().last_success.get(source).copied()
    }

    /// Renders done so far, over all outputs and formats.
    pub fn renders_total(&self) -> u64 {
        self.lock().renders.values().sum()
    }

    /// Every counter and histogram, as Prometheus text exposition format
    /// 0.0.4 (the server adds what it reads from the store).
    pub fn render_prometheus(&self) -> String {
        let inner = self.lock();
        let mut out = String::new();
        header(
            &mut out,
            "syndic_fetches_total",
            "counter",
            "Source fetches by result.",
        );
        for ((source, result), n) in &inner.fetches {
            let _ = writeln!(
                out,
                "syndic_fetches_total{{source=\"{}\",result=\"{}\"}} {n}",
                label(source),
                label(result)
            );
        }
        header(
            &mut out,
            "syndic_fetch_duration_seconds",
            "histogram",
            "Time taken by source fetches.",
        );
        inner
            .fetch_seconds
            .write(&mut out, "syndic_fetch_duration_seconds", "");

        header(
            &mut out,
            "syndic_renders_total",
            "counter",
            "Outputs rendered (cache misses).",
        );
        for ((output, format), n) in &inner.renders {
            let _ = writeln!(
                out,
                "syndic_renders_total{{output=\"{}\",format=\"{format}\"}} {n}",
                label(output)
            );
        }
        header(
            &mut out,
            "syndic_render_duration_seconds",
            "histogram",
            "Time to select and render an output.",
        );
        for (format, h) in &inner.render_seconds {
            h.write(
                &mut out,
                "syndic_render_duration_seconds",
                &format!("format=\"{format}\""),
            );
        }

        header(
            &mut out,
            "syndic_http_requests_total",
            "counter",
            "HTTP requests answered, by route and status.",
        );
        for ((route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "syndic_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                label(route)
            );
        }
        header(
            &mut out,
            "syndic_http_request_duration_seconds",
            "histogram",
            "Time to answer HTTP requests, by route.",
        );
        for (route, h) in &inner.request_seconds {
            h.write(
                &mut out,
                "syndic_http_request_duration_seconds",
                &format!("route=\"{}\"", label(route)),
            );
        }
        header(
            &mut out,
            "syndic_output_token_refused_total",
            "counter",
            "Requests for a private output without its token, answered 404.",
        );
        for (output, n) in &inner.tokens_refused {
            let _ = writeln!(
                out,
                "syndic_output_token_refused_total{{output=\"{}\"}} {n}",
                label(output)
            );
        }
        header(
            &mut out,
            "syndic_notifications_total",
            "counter",
            "Items sent to notify targets, by output, kind and result.",
        );
        for ((output, kind, result), n) in &inner.notifications {
            let _ = writeln!(
                out,
                "syndic_notifications_total{{output=\"{}\",kind=\"{kind}\",result=\"{result}\"}} {n}",
                label(output)
            );
        }
        header(
            &mut out,
            "syndic_websub_total",
            "counter",
            "WebSub subscription requests, pushes received and publish pings, by result.",
        );
        for ((event, result), n) in &inner.websub {
            let _ = writeln!(
                out,
                "syndic_websub_total{{event=\"{event}\",result=\"{result}\"}} {n}"
            );
        }
        header(
            &mut out,
            "syndic_http_connections_refused_total",
            "counter",
            "Connections refused because the server held max_connections.",
        );
        let refused = self.connections_refused.load(Ordering::Relaxed);
        let _ = writeln!(out, "syndic_http_connections_refused_total {refused}");
        out
    }

    /// A panic while holding the lock leaves plain counters, still valid.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value escaped as the exposition format requires.
pub(crate) fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_histograms_appear() {
        let m = Metrics::new();
        m.record_fetch("wire", PollResult::Ok, Duration::from_millis(30));
        m.record_fetch("wire", PollResult::Ok, Duration::from_millis(300));
        m.record_fetch("wire", PollResult::Error, Duration::from_secs(20));
        m.record_render("world", FeedFormat::Atom, Duration::from_millis(2));
        m.record_request("/feeds/{file}", 200, Duration::from_micros(100));
        m.record_token_refused("mine");
        let text = m.render_prometheus();
        assert!(text.contains("syndic_fetches_total{source=\"wire\",result=\"ok\"} 2\n"));
        assert!(text.contains("syndic_fetches_total{source=\"wire\",result=\"error\"} 1\n"));
        assert!(text.contains("syndic_fetch_duration_seconds_bucket{le=\"0.05\"} 1\n"));
        assert!(text.contains("syndic_fetch_duration_seconds_bucket{le=\"0.5\"} 2\n"));
        assert!(text.contains("syndic_fetch_duration_seconds_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("syndic_fetch_duration_seconds_count 3\n"));
        assert!(text.contains("syndic_renders_total{output=\"world\",format=\"atom\"} 1\n"));
        assert!(text.contains("syndic_render_duration_seconds_count{format=\"atom\"} 1\n"));
        assert!(
            text.contains("syndic_http_requests_total{route=\"/feeds/{file}\",status=\"200\"} 1\n")
        );
        assert!(text.contains("syndic_output_token_refused_total{output=\"mine\"} 1\n"));
        assert_eq!(m.renders_total(), 1);
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::new();
        m.record_fetch("a\"b\\c\nd", PollResult::Ok, Duration::ZERO);
        let text = m.render_prometheus();
        assert!(text.contains(r#"source="a\"b\\c\nd""#), "{text}");
    }
}
