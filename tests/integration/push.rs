//! `POST /ingest/{source}` against the real daemon: a dump pushed with its
//! token is stored and served; without it, or to a source that takes no
//! pushes, the answer is a bare 404; too large is 413.

use crate::support::daemon::{free_port, Daemon};

const TOKEN: &str = "push-token-5f2a9c";
const DUMP: &str = "Harbour Ferry Returns After Winter Break\n\
Council Opens New Riverside Library\n\
Storm Warning Lifted Across the Valley\n";

/// A push-only source `desk`, a folder source `folder` that takes no
/// pushes, and an output of both; pushed bodies up to 1 KiB. Returns the
/// config's path and the port it serves on.
fn configure(dir: &std::path::Path) -> (std::path::PathBuf, u16) {
    std::fs::write(dir.join("push-token"), format!("{TOKEN}\n")).unwrap();
    std::fs::create_dir(dir.join("dumps")).unwrap();
    let port = free_port();
    let config = dir.join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\nmax_body_kb = 1\n\
             [[source]]\nname = \"desk\"\nkind = \"text\"\naccept_push = true\ntoken_file = \"push-token\"\n\
             [[source]]\nname = \"folder\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n\
             [[output]]\nname = \"news\"\nsources = [\"desk\", \"folder\"]\n"
        ),
    )
    .unwrap();
    (config, port)
}

fn start() -> (tempfile::TempDir, Daemon) {
    let dir = tempfile::tempdir().unwrap();
    let (config, port) = configure(dir.path());
    let daemon = Daemon::start(&config, port);
    (dir, daemon)
}

async fn push(daemon: &Daemon, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}{path}", daemon.port))
        .header("content-type", "text/plain; charset=utf-8")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the daemon answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_with_its_token_is_stored_and_answered() {
    let (_dir, daemon) = start();
    daemon.wait_serving().await;
    let (status, body) = push(&daemon, "/ingest/desk", Some(TOKEN), DUMP).await;
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let titles: Vec<&str> = answer["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Harbour Ferry Returns After Winter Break",
            "Council Opens New Riverside Library",
            "Storm Warning Lifted Across the Valley"
        ]
    );
    daemon.wait_for_items("news", 3).await;

    // The same dump again adds nothing; the token may also come in the query.
    let (status, body) = push(&daemon, &format!("/ingest/desk?token={TOKEN}"), None, DUMP).await;
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["created"].as_array().unwrap().len(), 0);
    assert_eq!(answer["unchanged"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_token_or_to_a_source_without_pushes_it_is_404() {
    let (_dir, daemon) = start();
    daemon.wait_serving().await;
    for (path, token) in [
        ("/ingest/desk", None),
        ("/ingest/desk", Some("push-token-5f2a9d")),
        ("/ingest/desk", Some("")),
        ("/ingest/desk?token=wrong", None),
        ("/ingest/folder", Some(TOKEN)),
        ("/ingest/nowhere", Some(TOKEN)),
    ] {
        let (status, body) = push(&daemon, path, token, DUMP).await;
        assert_eq!(
            (status, body.as_str()),
            (404, "not found\n"),
            "{path} {token:?}"
        );
    }
    let (status, _) = push(&daemon, "/ingest/desk", Some(TOKEN), "").await;
    assert_eq!(status, 422);
    assert_eq!(daemon.item_count("news").await, Some(0));
}

#[test]
fn check_says_where_the_token_comes_from_never_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let (config, _) = configure(dir.path());
    let out = crate::support::syndic(&config, &["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("takes pushes at /ingest/desk, token from file `"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_large_is_413_and_html_is_415() {
    let (_dir, daemon) = start();
    daemon.wait_serving().await;
    let large = "A line of prose that goes on for a while. ".repeat(40);
    let (status, body) = push(&daemon, "/ingest/desk", Some(TOKEN), &large).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("max_body_kb"), "{body}");
    // Sent in chunks, with no length told: found while reading.
    let chunks: Vec<Result<String, std::io::Error>> =
        (0..40).map(|_| Ok(large[..42].to_string())).collect();
    let streamed = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}/ingest/desk", daemon.port))
        .bearer_auth(TOKEN)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status().as_u16(), 413);
    let html = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{}/ingest/desk", daemon.port))
        .bearer_auth(TOKEN)
        .header("content-type", "text/html")
        .body("<p>Hello</p>")
        .send()
        .await
        .unwrap();
    assert_eq!(html.status().as_u16(), 415);
    assert_eq!(daemon.item_count("news").await, Some(0));
}
