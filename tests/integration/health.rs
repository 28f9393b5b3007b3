//! Health through the real daemon: `/readyz`, per-source and process
//! figures in `/metrics`, and the opt-in `_health` output reporting a
//! failing and a gone source once, across a restart.

use axum::http::StatusCode;
use axum::routing::get;

use crate::support::daemon::{free_port, Daemon};
use crate::support::serve;

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Fine</title>
<item><title>All well</title><link>https://fine.example/1</link><guid>fine-1</guid></item>
</channel></rss>"#;

async fn upstream() -> std::net::SocketAddr {
    let app = axum::Router::new()
        .route("/fine", get(|| async { RSS }))
        .route(
            "/broken",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route("/gone", get(|| async { StatusCode::GONE }));
    serve(app).await
}

fn configure(
    dir: &std::path::Path,
    upstream: std::net::SocketAddr,
    port: u16,
) -> std::path::PathBuf {
    let config = dir.join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\n\
             health_output = true\nhealth_after = 1\n\
             [[source]]\nname = \"fine\"\nurl = \"http://{upstream}/fine\"\n\
             [[source]]\nname = \"broken\"\nurl = \"http://{upstream}/broken\"\n\
             [[source]]\nname = \"gone\"\nurl = \"http://{upstream}/gone\"\n\
             [[output]]\nname = \"all\"\nsources = [\"fine\", \"broken\", \"gone\"]\n"
        ),
    )
    .unwrap();
    config
}

async fn health_titles(daemon: &Daemon) -> Vec<String> {
    let (status, body) = daemon.get("/feeds/_health.json").await.unwrap();
    assert_eq!(status, 200, "{body}");
    let feed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut titles: Vec<String> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_metrics_and_the_health_output() {
    let upstream = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = configure(dir.path(), upstream, port);
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    daemon.wait_for_items("all", 1).await;
    let (status, body) = daemon.get("/readyz").await.unwrap();
    assert_eq!((status, body.as_str()), (200, "ready\n"));

    daemon.wait_for_items("_health", 2).await;
    let titles = health_titles(&daemon).await;
    assert_eq!(
        titles,
        [
            "broken is failing: 1 failed poll in a row",
            "gone is gone (410): no longer polled"
        ]
    );
    // The feed is a valid one, for any reader.
    let (_, rss) = daemon.get("/feeds/_health.rss").await.unwrap();
    let parsed = feed_rs::parser::parse(rss.as_bytes()).unwrap();
    assert_eq!(parsed.entries.len(), 2);

    let (_, metrics) = daemon.get("/metrics").await.unwrap();
    for expected in [
        "syndic_source_consecutive_failures{source=\"broken\"} 1\n",
        "syndic_source_consecutive_failures{source=\"fine\"} 0\n",
        "syndic_source_disabled{source=\"gone\"} 1\n",
        "syndic_source_disabled{source=\"fine\"} 0\n",
        "syndic_items_stored{source=\"fine\"} 1\n",
        "syndic_source_last_success_timestamp_seconds{source=\"fine\"} ",
        "syndic_build_info{version=\"",
        "process_resident_memory_bytes ",
        "process_cpu_seconds_total ",
        "process_open_fds ",
    ] {
        assert!(metrics.contains(expected), "missing {expected}\n{metrics}");
    }
    assert!(
        !metrics.contains("syndic_source_last_success_timestamp_seconds{source=\"broken\"}"),
        "{metrics}"
    );
    assert_eq!(daemon.stop(), Some(0));

    // After a restart nothing is said twice: the feed is read back.
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    // Two health checks' time (they run every 5 s).
    tokio::time::sleep(std::time::Duration::from_secs(12)).await;
    assert_eq!(health_titles(&daemon).await, titles);
    assert_eq!(daemon.stop(), Some(0));
}
