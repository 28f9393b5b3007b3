//! What a person sees opening syndic in a browser, checked in headless
//! Chromium against the real daemon: an RSS or Atom output is a readable
//! page (through the XSLT stylesheet the feed names) listing its items
//! with title, date, source and link and the address to give a reader;
//! the index is the operator's page of outputs and source health. Each
//! page is also screenshot. The feeds stay valid for feed parsers.

use std::net::SocketAddr;

use axum::http::StatusCode;
use axum::routing::get;

use crate::support::browser;
use crate::support::daemon::{free_port, Daemon};
use crate::support::serve;

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Wire</title>
<link>https://wire.example/</link>
<item><title>Ferry &amp; tugs return</title><link>https://wire.example/ferry</link>
<guid>w1</guid><pubDate>Tue, 01 Dec 2026 08:00:00 GMT</pubDate></item>
<item><title>Sneaky link</title><link>javascript:alert(1)</link><guid>w2</guid>
<pubDate>Mon, 30 Nov 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"#;

async fn upstream() -> SocketAddr {
    let app = axum::Router::new()
        .route("/wire.rss", get(|| async { RSS }))
        .route(
            "/broken.rss",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        );
    serve(app).await
}

fn start(dir: &std::path::Path, upstream: SocketAddr) -> Daemon {
    let port = free_port();
    let config = dir.join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\n\
             [[source]]\nname = \"wire\"\nurl = \"http://{upstream}/wire.rss\"\n\
             [[source]]\nname = \"broken\"\nurl = \"http://{upstream}/broken.rss\"\n\
             [[output]]\nname = \"harbour\"\ntitle = \"Harbour <news>\"\nsources = [\"wire\", \"broken\"]\n"
        ),
    )
    .unwrap();
    Daemon::start(&config, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_and_the_index_read_well_in_a_browser() {
    let upstream = upstream().await;
    let dir = tempfile::tempdir().unwrap();
    let daemon = start(dir.path(), upstream);
    // SYNDIC_KEEP_SCREENSHOTS=FOLDER keeps the screenshots for a person to look at.
    let shots = std::env::var_os("SYNDIC_KEEP_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());
    daemon.wait_serving().await;
    daemon.wait_for_items("harbour", 2).await;
    let base = format!("http://127.0.0.1:{}", daemon.port);

    // Valid feeds still, with the stylesheet named and served beside them.
    for format in ["rss", "atom"] {
        let (status, body) = daemon
            .get(&format!("/feeds/harbour.{format}"))
            .await
            .unwrap();
        assert_eq!(status, 200);
        assert!(
            body.contains("<?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>"),
            "{body}"
        );
        let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
        assert_eq!(feed.entries.len(), 2, "{format}");
    }
    let xsl = reqwest::get(format!("{base}/feeds/feed.xsl"))
        .await
        .unwrap();
    assert_eq!(xsl.headers()["content-type"], "text/xsl; charset=utf-8");

    if !browser::available() {
        return;
    }
    let profile = tempfile::tempdir().unwrap();
    for format in ["rss", "atom"] {
        let url = format!("{base}/feeds/harbour.{format}");
        let dom = browser::dom(profile.path(), &url).await;
        assert!(
            dom.contains("<h1 id=\"feed-title\">Harbour &lt;news&gt;</h1>"),
            "{format}: {dom}"
        );
        assert!(dom.contains("Copy the feed URL to your reader"), "{dom}");
        assert!(
            dom.contains(&format!(
                "value=\"http://127.0.0.1:{}/feeds/harbour.{format}\"",
                daemon.port
            )),
            "{format}: the feed's own address to copy: {dom}"
        );
        assert!(
            dom.contains("<a href=\"https://wire.example/ferry\">Ferry &amp; tugs return</a>"),
            "{format}: {dom}"
        );
        assert_eq!(dom.matches("<li class=\"item\">").count(), 2, "{dom}");
        assert!(
            dom.contains("<span class=\"source\">Harbour Wire</span>"),
            "{format}: {dom}"
        );
        assert!(
            dom.contains("<time class=\"date\">Tue, 1 Dec 2026")
                || dom.contains("<time class=\"date\">2026-12-01"),
            "{format}: a date: {dom}"
        );
        assert!(!dom.contains("href=\"javascript:"), "{dom}");
        let png =
            browser::screenshot(profile.path(), &url, &shots.join(format!("{format}.png"))).await;
        assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "{format}");
    }

    daemon
        .wait_for_log("the broken source's failure", |log| {
            log.contains("fetch failed")
        })
        .await;
    let dom = browser::dom(profile.path(), &format!("{base}/")).await;
    assert!(
        dom.contains("<span class=\"count\">2</span> items"),
        "{dom}"
    );
    assert!(
        dom.contains("newest <time datetime=\"2026-12-01T08:00:00Z\">"),
        "{dom}"
    );
    assert!(dom.contains("Sources: wire, broken"), "{dom}");
    let row = |name: &str| {
        let start = dom
            .find(&format!("<tr id=\"source-{name}\""))
            .unwrap_or_else(|| panic!("no row for {name}: {dom}"));
        dom[start..start + dom[start..].find("</tr>").unwrap()].to_string()
    };
    let wire = row("wire");
    assert!(wire.contains("class=\"ok\""), "{wire}");
    assert!(wire.contains("<td class=\"failures\">0</td>"), "{wire}");
    assert!(wire.contains("<td class=\"items\">2</td>"), "{wire}");
    assert!(!wire.contains("<td class=\"last-success\">never"), "{wire}");
    let broken = row("broken");
    assert!(broken.contains("class=\"failing\""), "{broken}");
    assert!(broken.contains("<td class=\"failures\">1</td>"), "{broken}");
    assert!(broken.contains("500"), "the error shows: {broken}");
    assert!(
        broken.contains("<td class=\"last-success\">never</td>"),
        "{broken}"
    );
    let png = browser::screenshot(
        profile.path(),
        &format!("{base}/"),
        &shots.join("index.png"),
    )
    .await;
    assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000);
}
