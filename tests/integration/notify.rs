//! `[[output]] notify` through the real daemon: each new item goes to a
//! webhook (retried past a `503`) and a command, once per item and
//! target, across restarts; items from before a target was added are not
//! replayed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use crate::support::daemon::{free_port, Daemon};
use crate::support::{serve, wait_for};

const TOKEN: &str = "notify-push-token";

#[derive(Default)]
struct Hooks {
    steady: Vec<serde_json::Value>,
    /// Requests to the flaky hook, and the bodies it accepted.
    flaky_calls: usize,
    flaky: Vec<serde_json::Value>,
}

type Shared = Arc<Mutex<Hooks>>;

async fn steady(State(hooks): State<Shared>, body: String) -> StatusCode {
    let value = serde_json::from_str(&body).expect("a JSON body");
    hooks.lock().unwrap().steady.push(value);
    StatusCode::NO_CONTENT
}

/// Fails every other request with a `503`.
async fn flaky(State(hooks): State<Shared>, body: String) -> StatusCode {
    let mut hooks = hooks.lock().unwrap();
    hooks.flaky_calls += 1;
    if hooks.flaky_calls % 2 == 1 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    hooks
        .flaky
        .push(serde_json::from_str(&body).expect("a JSON body"));
    StatusCode::OK
}

fn write_config(dir: &std::path::Path, port: u16, notify: &str) -> std::path::PathBuf {
    let config = dir.join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\n\
             [[source]]\nname = \"desk\"\nkind = \"text\"\naccept_push = true\ntoken_env = \"SYNDIC_TEST_NOTIFY_TOKEN\"\n\
             [[output]]\nname = \"news\"\nsources = [\"desk\"]\n{notify}\n"
        ),
    )
    .unwrap();
    config
}

fn start(config: &std::path::Path, port: u16) -> Daemon {
    let mut command = std::process::Command::new(crate::support::daemon::BIN);
    command.env("SYNDIC_TEST_NOTIFY_TOKEN", TOKEN);
    Daemon::spawn(command, config, port)
}

async fn push(daemon: &Daemon, lines: &[&str]) {
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}/ingest/desk", daemon.port))
        .bearer_auth(TOKEN)
        .header("content-type", "text/plain")
        .body(lines.join("\n") + "\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

fn titles(bodies: &[serde_json::Value]) -> Vec<String> {
    let mut t: Vec<String> = bodies
        .iter()
        .map(|b| b["item"]["title"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_items_are_sent_once_per_target_across_restarts() {
    let hooks: Shared = Arc::default();
    let app = axum::Router::new()
        .route("/steady", post(steady))
        .route("/flaky", post(flaky))
        .with_state(Arc::clone(&hooks));
    let upstream = serve(app).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let out = dir.path().join("command-out.jsonl");

    // Items stored before the targets exist are not replayed to them.
    let config = write_config(dir.path(), port, "");
    let mut daemon = start(&config, port);
    daemon.wait_serving().await;
    push(&daemon, &["Old Harbour Story Before Notify"]).await;
    assert_eq!(daemon.stop(), Some(0));

    let notify = format!(
        "notify = [{{ url = \"http://{upstream}/steady\" }}, {{ url = \"http://{upstream}/flaky\" }}, \
         {{ command = [\"sh\", \"-c\", \"cat >> '{}'; echo >> '{}'\"] }}]",
        out.display(),
        out.display()
    );
    write_config(dir.path(), port, &notify);
    let mut daemon = start(&config, port);
    daemon.wait_serving().await;
    let first = [
        "Harbour Ferry Returns After Winter Break",
        "Council Opens New Riverside Library",
    ];
    push(&daemon, &first).await;
    let lines = || {
        std::fs::read_to_string(&out)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    wait_for("two webhook posts and two commands", || {
        let h = hooks.lock().unwrap();
        h.steady.len() == 2 && h.flaky.len() == 2 && lines().len() == 2
    })
    .await;
    let mut expected: Vec<String> = first.iter().map(|t| t.to_string()).collect();
    expected.sort();
    {
        let h = hooks.lock().unwrap();
        assert_eq!(titles(&h.steady), expected);
        assert_eq!(titles(&h.flaky), expected, "retried past the 503s");
        assert_eq!(h.steady[0]["output"], "news");
        assert_eq!(h.steady[0]["item"]["source"], "desk");
    }
    assert_eq!(titles(&lines()), expected);

    // The same dump again, and a restart: nothing is sent twice.
    push(&daemon, &first).await;
    assert_eq!(daemon.stop(), Some(0));
    let mut daemon = start(&config, port);
    daemon.wait_serving().await;
    push(&daemon, &["Storm Warning Lifted Across the Valley"]).await;
    wait_for("the third item everywhere", || {
        let h = hooks.lock().unwrap();
        h.steady.len() >= 3 && h.flaky.len() >= 3 && lines().len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    {
        let h = hooks.lock().unwrap();
        assert_eq!(h.steady.len(), 3, "{:?}", titles(&h.steady));
        assert_eq!(h.flaky.len(), 3);
        assert!(!titles(&h.steady).iter().any(|t| t.starts_with("Old")));
    }
    assert_eq!(lines().len(), 3);
    let (_, metrics) = daemon.get("/metrics").await.unwrap();
    assert!(
        metrics.contains(
            "syndic_notifications_total{output=\"news\",kind=\"webhook\",result=\"delivered\"} 2\n"
        ),
        "{metrics}"
    );
    assert_eq!(daemon.stop(), Some(0));
}
