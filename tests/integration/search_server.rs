//! `/search.{rss,atom,json}` on a real loopback port: feeds of a query
//! that readers parse, validators and 304s, bad queries and the rate
//! limit; and through the real daemon, where no item of a source that
//! only private outputs show is ever in a search feed.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use syndic::config::Config;
use syndic::metrics::Metrics;
use syndic::model::{Item, ItemId, SourceName};
use syndic::server::{serve, ServerState};
use syndic::shutdown;
use syndic::store::{Store, StoreHandle};
use tokio::sync::watch;

use crate::support::daemon::{free_port, Daemon};

const CONFIG: &str = r#"
[daemon]
database = "syndic.db"
base_url = "http://feeds.test"

[[source]]
name = "wire"
url = "https://wire.example/feed"

[[source]]
name = "desk"
url = "https://desk.example/feed"

[[output]]
name = "news"
sources = ["wire", "desk"]
"#;

fn item(source: &str, id: &str, title: &str, hours_ago: i64) -> Item {
    let at = Utc::now() - Duration::hours(hours_ago);
    Item {
        link: Some(format!("https://{source}.example/{id}")),
        summary: Some(format!("<p>About {title}.</p>")),
        published: Some(at),
        ..Item::new(SourceName::new(source).unwrap(), ItemId::new(id), title, at)
    }
}

fn stories() -> Vec<Item> {
    vec![
        item("wire", "1", "Ukraine ceasefire holds", 3),
        item("desk", "2", "Ceasefire talks in Ukraine resume", 1),
        item("wire", "3", "Weather: rain", 2),
    ]
}

/// Serves the config's store on an ephemeral port until the test ends.
async fn serve_stories() -> (tempfile::TempDir, SocketAddr, StoreHandle) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feeds.toml");
    std::fs::write(&path, CONFIG).unwrap();
    let config = Arc::new(Config::load(&path).unwrap());
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    store.write(|s| s.upsert_items(&stories())).await.unwrap();
    let (_config_tx, config_rx) = watch::channel(config);
    let state = ServerState::new(config_rx, store.clone(), Arc::new(Metrics::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = shutdown::channel();
    tokio::spawn(async move {
        serve(listener, state, stopped).await;
        drop((_config_tx, stop));
    });
    (dir, addr, store)
}

async fn get(addr: SocketAddr, path: &str) -> reqwest::Response {
    reqwest::get(format!("http://{addr}{path}")).await.unwrap()
}

#[tokio::test]
async fn every_format_is_a_feed_of_the_matches_newest_first() {
    let (_dir, addr, _store) = serve_stories().await;
    for ext in ["rss", "atom", "json"] {
        let response = get(addr, &format!("/search.{ext}?q=ukraine%20ceasefire")).await;
        assert_eq!(response.status(), StatusCode::OK, "{ext}");
        let body = response.bytes().await.unwrap();
        let feed = feed_rs::parser::parse(&body[..]).unwrap();
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.title.as_ref().unwrap().content.clone())
            .collect();
        assert_eq!(
            titles,
            [
                "Ceasefire talks in Ukraine resume",
                "Ukraine ceasefire holds"
            ],
            "{ext}"
        );
        assert!(feed.title.unwrap().content.contains("ukraine ceasefire"));
    }
    let atom = get(addr, "/search.atom?q=rain").await.text().await.unwrap();
    assert!(
        atom.contains("http://feeds.test/search.atom?q=rain"),
        "self link names the search: {atom}"
    );
}

#[tokio::test]
async fn a_search_feed_has_validators_and_follows_the_store() {
    let (_dir, addr, store) = serve_stories().await;
    let first = get(addr, "/search.rss?q=rain").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let client = reqwest::Client::new();
    let again = client
        .get(format!("http://{addr}/search.rss?q=rain"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let wet = item("desk", "4", "More rain tomorrow", 0);
    store.write(move |s| s.upsert_item(&wet)).await.unwrap();
    store.mark_changed();
    let changed = client
        .get(format!("http://{addr}/search.rss?q=rain"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert!(changed.text().await.unwrap().contains("More rain tomorrow"));
}

#[tokio::test]
async fn a_missing_or_empty_query_is_a_bad_request() {
    let (_dir, addr, _store) = serve_stories().await;
    for path in [
        "/search.rss",
        "/search.json?q=",
        "/search.atom?q=-spam",
        "/search.atom?q=%22%22",
    ] {
        assert_eq!(
            get(addr, path).await.status(),
            StatusCode::BAD_REQUEST,
            "{path}"
        );
    }
    assert_eq!(
        get(addr, "/search.xml?q=rain").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_client_asking_too_often_is_told_to_wait() {
    let (_dir, addr, _store) = serve_stories().await;
    let mut statuses = Vec::new();
    for n in 0..12 {
        let response = get(addr, &format!("/search.json?q=rain{n}")).await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=4).contains(&wait), "{wait}");
        }
    }
    assert!(
        statuses[..10].iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);
    // Other routes are not limited.
    assert_eq!(get(addr, "/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_daemon_serves_search_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        CONFIG.replace(
            "[daemon]",
            &format!("[daemon]\nlisten = \"127.0.0.1:{port}\""),
        ),
    )
    .unwrap();
    Store::open(&dir.path().join("syndic.db"))
        .unwrap()
        .upsert_items(&stories())
        .unwrap();
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    let (status, body) = daemon
        .get("/search.json?q=ceasefire%20-talks")
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries[0].title.as_ref().unwrap().content,
        "Ukraine ceasefire holds"
    );
    daemon.stop();
}

/// Three sources with one story each: one a public output shows, one only
/// a private output shows, one no output shows.
const PRIVATE_CONFIG: &str = r#"
[[source]]
name = "wire"
url = "https://wire.example/feed"

[[source]]
name = "secret"
url = "https://secret.example/feed"
tags = ["inner"]

[[source]]
name = "orphan"
url = "https://orphan.example/feed"

[[output]]
name = "news"
sources = ["wire"]

[[output]]
name = "board"
tags = ["inner"]
access = "token"
token_file = "token.txt"

[[output]]
name = "board-search"
query = "ceasefire"
access = "token"
token_file = "token.txt"

[[output]]
name = "public-search"
query = "ceasefire"
"#;

const TOKEN: &str = "a-long-enough-secret-token-for-tests";

#[tokio::test]
async fn search_feeds_never_show_sources_only_private_outputs_show() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("feeds.toml");
    std::fs::write(dir.path().join("token.txt"), format!("{TOKEN}\n")).unwrap();
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"syndic.db\"\nlisten = \"127.0.0.1:{port}\"\n{PRIVATE_CONFIG}"
        ),
    )
    .unwrap();
    Store::open(&dir.path().join("syndic.db"))
        .unwrap()
        .upsert_items(&[
            item("wire", "w", "Ceasefire announced on the wire", 3),
            item("secret", "s", "Ceasefire terms in the board minutes", 2),
            item("orphan", "o", "Ceasefire rumour nobody publishes", 1),
        ])
        .unwrap();
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    let titles = |body: &str| -> Vec<String> {
        let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
        feed.entries
            .into_iter()
            .map(|e| e.title.unwrap().content)
            .collect()
    };
    for path in [
        "/search.rss?q=ceasefire".to_string(),
        "/search.atom?q=ceasefire".to_string(),
        "/search.json?q=ceasefire".to_string(),
        "/search.json?q=board%20OR%20rumour%20OR%20wire".to_string(),
        // A token opens private outputs, never a search.
        format!("/search.json?q=ceasefire&token={TOKEN}"),
        "/feeds/public-search.json".to_string(),
    ] {
        let (status, body) = daemon.get(&path).await.unwrap();
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(titles(&body), ["Ceasefire announced on the wire"], "{path}");
        assert!(
            !body.contains("board minutes") && !body.contains("rumour nobody"),
            "{path}"
        );
    }
    // The private items are there, for whoever holds the token.
    let (status, body) = daemon
        .get(&format!("/feeds/board-search.json?token={TOKEN}"))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(titles(&body).len(), 3, "{body}");
    daemon.stop();
}
