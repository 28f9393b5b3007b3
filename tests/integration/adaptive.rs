//! `schedule = "adaptive"` through the binary: feeds with known publishing
//! histories on loopback, polled by `syndic poll --all`, and the next-due
//! times and reasons `syndic sources --json` then shows.

use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use crate::support::{serve, syndic, Conditional};

/// An RSS feed of `n` items `gap_hours` apart, the newest an hour ago,
/// with `extra` channel elements.
fn feed(n: i64, gap_hours: i64, extra: &str) -> String {
    let now = Utc::now();
    let items: String = (0..n)
        .map(|i| {
            let date = (now - TimeDelta::hours(1 + i * gap_hours)).to_rfc2822();
            format!(
                "<item><title>Story {i}</title><guid>s{i}</guid><pubDate>{date}</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<rss version=\"2.0\" xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\">\
         <channel><title>T</title>{extra}{items}</channel></rss>"
    )
}

/// `syndic sources --json`, by source name.
fn sources(config: &std::path::Path) -> Vec<Value> {
    let out = syndic(config, &["sources", "--json"]);
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn source<'a>(all: &'a [Value], name: &str) -> &'a Value {
    all.iter().find(|s| s["name"] == name).unwrap()
}

/// Hours from the last fetch to the next due time.
fn wait_hours(s: &Value) -> f64 {
    let at = |key: &str| s[key].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    (at("next_due") - at("last_fetch")).num_seconds() as f64 / 3600.0
}

async fn poll_all(config: &std::path::Path) {
    let config = config.to_path_buf();
    let out = tokio::task::spawn_blocking(move || syndic(&config, &["poll", "--all"]))
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_feed_is_paced_by_its_own_history() {
    let six_hourly = feed(10, 6, "");
    let monthly = feed(5, 30 * 24, "");
    let undated: String = (0..5)
        .map(|i| format!("<item><title>Undated {i}</title><guid>u{i}</guid></item>"))
        .collect();
    let undated =
        format!("<rss version=\"2.0\"><channel><title>U</title>{undated}</channel></rss>");
    let period = Conditional::new(
        feed(
            10,
            1,
            "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>4</sy:updateFrequency>",
        ),
        "\"v1\"",
        "application/rss+xml",
    );
    let conditional = period.clone();
    let app = Router::new()
        .route("/six", get(move || async move { six_hourly }))
        .route("/monthly", get(move || async move { monthly }))
        .route("/undated", get(move || async move { undated }))
        .route(
            "/period",
            get(move |h: HeaderMap| async move { conditional.respond(&h) }),
        );
    let addr = serve(app).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    let mut text = String::from(
        "[daemon]\ndatabase = \"syndic.db\"\nschedule = \"adaptive\"\n\
         min_interval = \"20m\"\nmax_interval = \"12h\"\ninterval = \"45m\"\n",
    );
    for name in ["six", "monthly", "undated", "period"] {
        text.push_str(&format!(
            "[[source]]\nname = \"{name}\"\nurl = \"http://{addr}/{name}\"\n"
        ));
    }
    std::fs::write(&config, text).unwrap();

    poll_all(&config).await;
    let all = sources(&config);
    // Every 6 hours: three polls per gap.
    let six = source(&all, "six");
    assert!((1.8..=2.2).contains(&wait_hours(six)), "{six}");
    assert_eq!(
        six["due_reason"],
        "adaptive: average gap 6h over 10 items, every 2h"
    );
    // Monthly: the max_interval.
    let monthly = source(&all, "monthly");
    assert!((10.8..=13.2).contains(&wait_hours(monthly)), "{monthly}");
    assert!(
        monthly["due_reason"]
            .as_str()
            .unwrap()
            .ends_with("every 12h (max_interval)"),
        "{monthly}"
    );
    // No dates to learn from: the interval.
    let undated = source(&all, "undated");
    assert!((0.67..=0.83).contains(&wait_hours(undated)), "{undated}");
    assert_eq!(
        undated["due_reason"],
        "adaptive: fewer than 2 dated items yet, interval 45m"
    );
    // Hourly items, but the feed asks to be read four times a day.
    let asked = source(&all, "period");
    assert!((5.4..=6.6).contains(&wait_hours(asked)), "{asked}");
    assert!(
        asked["due_reason"]
            .as_str()
            .unwrap()
            .ends_with("over 10 items, every 20m; stretched to sy:updatePeriod"),
        "{asked}"
    );

    // A 304 has no body to say it again: what the feed said is remembered.
    poll_all(&config).await;
    assert_eq!(period.full_responses(), 1);
    let all = sources(&config);
    let asked = source(&all, "period");
    assert_eq!(asked["result"], "not_modified");
    assert!((5.4..=6.6).contains(&wait_hours(asked)), "{asked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sources_table_says_why() {
    let addr =
        serve(Router::new().route("/f", get(|| async { feed(3, 1, "<ttl>300</ttl>") }))).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!("[daemon]\ndatabase = \"syndic.db\"\n[[source]]\nname = \"f\"\nurl = \"http://{addr}/f\"\n"),
    )
    .unwrap();
    poll_all(&config).await;
    let out = syndic(&config, &["sources"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("    next due: interval 30m; stretched to <ttl>"),
        "{table}"
    );
}

#[test]
fn check_names_the_adaptive_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        "[daemon]\nschedule = \"adaptive\"\n[[source]]\nname = \"f\"\nurl = \"https://example.org/f\"\n",
    )
    .unwrap();
    let out = syndic(&config, &["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("feeds paced by what they publish, every 15m to 1d"),
        "{text}"
    );
}
