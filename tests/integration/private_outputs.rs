//! `access = "token"` against the real daemon: a private output answers
//! only with its token (query or bearer), is absent from `/` and `/opml`
//! without it, counts refusals in `/metrics`, never logs the token, and
//! takes a new token on SIGHUP.

use crate::support::daemon::{free_port, Daemon};

const TOKEN: &str = "reader+token/7c1e";
const ROTATED: &str = "rotated-token-99d0";
/// `TOKEN` as it goes in a query string.
const TOKEN_QUERY: &str = "reader%2Btoken%2F7c1e";
const DUMP: &str = "Harbour Ferry Returns After Winter Break\n\
Council Opens New Riverside Library\n\
Storm Warning Lifted Across the Valley\n";

fn start() -> (tempfile::TempDir, Daemon) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("reader-token"), format!("{TOKEN}\n")).unwrap();
    std::fs::create_dir(dir.path().join("dumps")).unwrap();
    std::fs::write(dir.path().join("dumps/page.txt"), DUMP).unwrap();
    let port = free_port();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\n\
             [[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n\
             [[output]]\nname = \"open\"\nsources = [\"desk\"]\n\
             [[output]]\nname = \"hidden\"\ntitle = \"Hidden desk\"\nsources = [\"desk\"]\n\
             access = \"token\"\ntoken_file = \"reader-token\"\n"
        ),
    )
    .unwrap();
    let daemon = Daemon::start(&config, port);
    (dir, daemon)
}

async fn get(daemon: &Daemon, path: &str, bearer: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("http://127.0.0.1:{}{path}", daemon.port));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("the daemon answers")
}

async fn status(daemon: &Daemon, path: &str, bearer: Option<&str>) -> u16 {
    get(daemon, path, bearer).await.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_output_needs_its_token_and_hides_without_it() {
    let (dir, mut daemon) = start();
    daemon.wait_serving().await;
    daemon.wait_for_items("open", 3).await;

    for path in [
        "/feeds/hidden.rss",
        "/feeds/hidden.atom?token=wrong",
        "/feeds/hidden.json?token=",
    ] {
        assert_eq!(status(&daemon, path, None).await, 404, "{path}");
    }
    assert_eq!(
        status(&daemon, "/feeds/hidden.rss", Some("wrong")).await,
        404
    );
    // A missing output and a refused one look the same.
    let refused = get(&daemon, "/feeds/hidden.rss", None)
        .await
        .text()
        .await
        .unwrap();
    let missing = get(&daemon, "/feeds/nothing.rss", None)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(refused, missing);

    let response = get(
        &daemon,
        &format!("/feeds/hidden.rss?token={TOKEN_QUERY}"),
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "private, max-age=300",
        "no shared cache may keep a private output"
    );
    let feed = feed_rs::parser::parse(&response.bytes().await.unwrap()[..]).unwrap();
    assert_eq!(feed.entries.len(), 3);
    let by_header = get(&daemon, "/feeds/hidden.atom", Some(TOKEN)).await;
    assert_eq!(by_header.status().as_u16(), 200);
    let open = get(&daemon, "/feeds/open.rss", None).await;
    assert_eq!(open.headers()["cache-control"], "public, max-age=300");

    let (_, index) = daemon.get("/").await.unwrap();
    assert!(index.contains("/feeds/open.rss"), "{index}");
    assert!(
        !index.contains("hidden") && !index.contains("Hidden"),
        "{index}"
    );
    let (_, opml) = daemon.get("/opml").await.unwrap();
    assert!(!opml.contains("hidden"), "{opml}");
    let (_, index) = daemon.get(&format!("/?token={TOKEN_QUERY}")).await.unwrap();
    assert!(
        index.contains(&format!("/feeds/hidden.rss?token={TOKEN_QUERY}")),
        "the page opened with the token links the feed with it: {index}"
    );
    let opml = get(&daemon, "/opml", Some(TOKEN))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        opml.contains(&format!("/feeds/hidden.rss?token={TOKEN_QUERY}")),
        "{opml}"
    );

    let (_, metrics) = daemon.get("/metrics").await.unwrap();
    assert!(
        metrics.contains("syndic_output_token_refused_total{output=\"hidden\"} 5\n"),
        "{metrics}"
    );

    // Rotation: the file changes, SIGHUP, the old token stops working.
    std::fs::write(dir.path().join("reader-token"), ROTATED).unwrap();
    daemon.signal("HUP");
    daemon
        .wait_for_log("the config reloaded", |log| log.contains("config reloaded"))
        .await;
    assert_eq!(
        status(&daemon, &format!("/feeds/hidden.rss?token={ROTATED}"), None).await,
        200
    );
    assert_eq!(
        status(
            &daemon,
            &format!("/feeds/hidden.rss?token={TOKEN_QUERY}"),
            None
        )
        .await,
        404
    );

    assert_eq!(daemon.stop(), Some(0));
    let log = daemon.log();
    for secret in [TOKEN, TOKEN_QUERY, ROTATED] {
        assert!(!log.contains(secret), "the log shows a token: {log}");
    }
}
