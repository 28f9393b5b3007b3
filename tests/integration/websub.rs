//! WebSub through the real daemon against the test hub (`websub_hub.rs`):
//! a feed that advertises a hub is subscribed and verified, a signed push
//! is stored and served at once without a poll, a push with a wrong or
//! missing signature is refused with nothing stored, leases are renewed
//! and polling comes back when one lapses, a source taken out of the
//! config or whose feed stops naming the hub is unsubscribed; as a publisher, public outputs advertise
//! `websub_hub` and the hub is pinged when their items change, private
//! outputs never.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use axum::response::IntoResponse;

use crate::support::daemon::{free_port, Daemon};
use crate::support::wait_for;
use crate::websub_hub::{challenge, Hub, Signing};

/// An Atom feed naming `hub` and `topic` in its body, or in `Link`
/// headers, with one entry per title.
struct Upstream {
    topic: String,
    fetches: Arc<AtomicUsize>,
    /// Cleared: the feed names no hub any more.
    advertises: Arc<AtomicBool>,
}

fn atom(hub: Option<&str>, topic: &str, titles: &[&str]) -> String {
    let links = hub.map_or_else(String::new, |hub| {
        format!("<link rel=\"hub\" href=\"{hub}\"/><link rel=\"self\" href=\"{topic}\"/>")
    });
    let entries: String = titles
        .iter()
        .enumerate()
        .map(|(i, title)| {
            format!(
                "<entry><title>{title}</title><id>urn:wire:{title}</id>\
                 <link href=\"http://example.org/{i}\"/><updated>2026-11-0{}T08:00:00Z</updated>\
                 <summary>{title}.</summary></entry>",
                i + 1
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Wire</title><id>urn:wire</id>\
         <updated>2026-11-01T08:00:00Z</updated>{links}{entries}</feed>"
    )
}

/// Serves the feed at `/wire.atom`, counting fetches.
async fn upstream(hub: &Hub, in_header: bool) -> Upstream {
    let fetches = Arc::new(AtomicUsize::new(0));
    // Bound before the route is made: the feed names its own address.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let topic = format!("http://{}/wire.atom", listener.local_addr().unwrap());
    let advertises = Arc::new(AtomicBool::new(true));
    let (counted, named) = (Arc::clone(&fetches), Arc::clone(&advertises));
    let (hub_url, self_url) = (hub.url(), topic.clone());
    let route = axum::routing::get(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        let named = named.load(Ordering::SeqCst);
        let body_hub = (named && !in_header).then_some(hub_url.as_str());
        let body = atom(body_hub, &self_url, &["Harbour Ferry Returns"]);
        let mut response = body.into_response();
        if named && in_header {
            let link = format!("<{hub_url}>; rel=\"hub\", <{self_url}>; rel=\"self\"");
            response
                .headers_mut()
                .insert(header::LINK, link.parse().unwrap());
        }
        async move { response }
    });
    let app = axum::Router::new().route("/wire.atom", route);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Upstream {
        topic,
        fetches,
        advertises,
    }
}

fn write_config(
    dir: &std::path::Path,
    port: u16,
    daemon_extra: &str,
    rest: &str,
) -> std::path::PathBuf {
    let config = dir.join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\n{daemon_extra}\n{rest}"
        ),
    )
    .unwrap();
    config
}

fn subscribed_config(dir: &std::path::Path, port: u16, topic: &str) -> std::path::PathBuf {
    write_config(
        dir,
        port,
        &format!("base_url = \"http://127.0.0.1:{port}\""),
        &format!(
            "[[source]]\nname = \"wire\"\nurl = \"{topic}\"\n\
             [[output]]\nname = \"news\"\nsources = [\"wire\"]\n"
        ),
    )
}

async fn titles(daemon: &Daemon, output: &str) -> Vec<String> {
    let (status, body) = daemon.get(&format!("/feeds/{output}.atom")).await.unwrap();
    assert_eq!(status, 200);
    let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
    let mut titles: Vec<String> = feed
        .entries
        .into_iter()
        .map(|e| e.title.unwrap().content)
        .collect();
    titles.sort();
    titles
}

async fn metric(daemon: &Daemon, line: &str) -> bool {
    let (_, metrics) = daemon.get("/metrics").await.unwrap();
    metrics.lines().any(|l| l == line)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advertised_hub_is_subscribed_and_its_signed_pushes_are_stored_at_once() {
    let hub = Hub::start(3_600).await;
    let upstream = upstream(&hub, false).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = subscribed_config(dir.path(), port, &upstream.topic);
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    daemon.wait_for_items("news", 1).await;

    wait_for("the subscription verified", || {
        !hub.verified("subscribe").is_empty()
    })
    .await;
    let request = hub.record().requests[0].clone();
    assert_eq!(request.topic, upstream.topic);
    let callback_prefix = format!("http://127.0.0.1:{port}/websub/");
    assert!(
        request.callback.starts_with(&callback_prefix),
        "{}",
        request.callback
    );
    let secret = request.secret.clone().expect("a hub.secret");
    assert!(secret.len() >= 32);
    assert!(!daemon.log().contains(&secret), "the secret was logged");

    // Only the request pending, for its topic and mode, is confirmed.
    let (status, _) = challenge(&request.callback, "subscribe", "http://other.test/", "c1").await;
    assert_eq!(status, 404);
    let (status, _) = challenge(&request.callback, "unsubscribe", &upstream.topic, "c2").await;
    assert_eq!(status, 404);
    let stranger = format!("{callback_prefix}0123456789abcdef");
    let (status, _) = challenge(&stranger, "subscribe", &upstream.topic, "c3").await;
    assert_eq!(status, 404);

    // A signed push is served at once, without a poll.
    let fetched = upstream.fetches.load(Ordering::SeqCst);
    let pushed = atom(
        None,
        &upstream.topic,
        &["Harbour Ferry Returns", "Library Opens Early"],
    );
    assert_eq!(
        hub.push(&upstream.topic, &pushed, Signing::Right).await,
        200
    );
    assert_eq!(
        titles(&daemon, "news").await,
        ["Harbour Ferry Returns", "Library Opens Early"]
    );
    assert_eq!(upstream.fetches.load(Ordering::SeqCst), fetched);

    // Wrong or missing signatures are refused and store nothing.
    let forged = atom(None, &upstream.topic, &["Forged Headline"]);
    assert_eq!(
        hub.push(&upstream.topic, &forged, Signing::WrongSecret)
            .await,
        403
    );
    assert_eq!(
        hub.push(&upstream.topic, &forged, Signing::Unsigned).await,
        403
    );
    assert_eq!(
        titles(&daemon, "news").await,
        ["Harbour Ferry Returns", "Library Opens Early"]
    );
    assert!(
        metric(
            &daemon,
            "syndic_websub_total{event=\"push\",result=\"refused\"} 2"
        )
        .await
    );
    assert!(
        metric(
            &daemon,
            "syndic_websub_total{event=\"push\",result=\"stored\"} 1"
        )
        .await
    );

    // The subscription survives a restart: pushes are still taken.
    assert_eq!(daemon.stop(), Some(0));
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    let later = atom(
        None,
        &upstream.topic,
        &["Harbour Ferry Returns", "Bridge Reopens"],
    );
    assert_eq!(hub.push(&upstream.topic, &later, Signing::Right).await, 200);
    daemon.wait_for_items("news", 3).await;

    // A source taken out of the config is unsubscribed.
    write_config(
        dir.path(),
        port,
        &format!("base_url = \"http://127.0.0.1:{port}\""),
        "[[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n\
         [[output]]\nname = \"news\"\nsources = [\"desk\"]\n",
    );
    daemon.signal("HUP");
    wait_for("the unsubscription verified", || {
        !hub.verified("unsubscribe").is_empty()
    })
    .await;
    assert!(hub.record().subscribers.is_empty());
    assert_eq!(daemon.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leases_are_renewed_and_polling_resumes_when_one_lapses() {
    // Advertised in Link headers this time; a lease of a few seconds.
    let hub = Hub::start(6).await;
    let upstream = upstream(&hub, true).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = subscribed_config(dir.path(), port, &upstream.topic);
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;

    wait_for("a renewal verified", || {
        hub.verified("subscribe").len() >= 2
    })
    .await;
    let verified = hub.verified("subscribe");
    assert_eq!(
        verified[0].callback, verified[1].callback,
        "renewed, not replaced"
    );
    let fetched = upstream.fetches.load(Ordering::SeqCst);
    assert_eq!(fetched, 1, "polled once: the interval is 30 minutes");

    // The hub stops confirming: the lease lapses and the feed is polled
    // again at once. It names no hub any more (the same body without the
    // Link header): the daemon unsubscribes.
    upstream.advertises.store(false, Ordering::SeqCst);
    hub.record().verifies = false;
    wait_for("a poll after the lease lapsed", || {
        upstream.fetches.load(Ordering::SeqCst) > fetched
    })
    .await;
    daemon
        .wait_for_log("the lapse logged", |log| log.contains("WebSub lease ended"))
        .await;
    wait_for("an unsubscription requested", || {
        hub.record()
            .requests
            .iter()
            .any(|r| r.mode == "unsubscribe")
    })
    .await;
    assert_eq!(daemon.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_base_url_nothing_is_subscribed_and_the_log_says_why() {
    let hub = Hub::start(3_600).await;
    let upstream = upstream(&hub, false).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(
        dir.path(),
        port,
        "",
        &format!(
            "[[source]]\nname = \"wire\"\nurl = \"{}\"\n[[output]]\nname = \"news\"\nsources = [\"wire\"]\n",
            upstream.topic
        ),
    );
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    daemon.wait_for_items("news", 1).await;
    daemon
        .wait_for_log("why nothing was subscribed", |log| {
            log.contains("no [daemon] base_url is set")
        })
        .await;
    assert!(hub.record().requests.is_empty());
    assert_eq!(daemon.stop(), Some(0));
}

const READER_TOKEN: &str = "websub-reader-token";
const PUSH_TOKEN: &str = "websub-push-token";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_outputs_advertise_the_hub_and_it_is_pinged_when_they_change() {
    let hub = Hub::start(3_600).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("reader-token"), READER_TOKEN).unwrap();
    std::fs::write(dir.path().join("push-token"), PUSH_TOKEN).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = write_config(
        dir.path(),
        port,
        &format!("base_url = \"{base}\"\nwebsub_hub = \"{}\"", hub.url()),
        "[[source]]\nname = \"desk\"\nkind = \"text\"\naccept_push = true\ntoken_file = \"push-token\"\n\
         [[output]]\nname = \"news\"\nsources = [\"desk\"]\n\
         [[output]]\nname = \"inner\"\nsources = [\"desk\"]\naccess = \"token\"\ntoken_file = \"reader-token\"\n",
    );
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;

    // The hub and self links, read by an independent parser.
    for format in ["rss", "atom"] {
        let (_, body) = daemon.get(&format!("/feeds/news.{format}")).await.unwrap();
        let feed = feed_rs::parser::parse(body.as_bytes()).unwrap();
        let link = |rel: &str| {
            feed.links
                .iter()
                .find(|l| l.rel.as_deref() == Some(rel))
                .map(|l| l.href.clone())
        };
        assert_eq!(link("hub").as_deref(), Some(hub.url().as_str()), "{format}");
        assert_eq!(
            link("self"),
            Some(format!("{base}/feeds/news.{format}")),
            "{format}"
        );
    }
    let (_, json) = daemon.get("/feeds/news.json").await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["hubs"][0]["type"], "WebSub");
    assert_eq!(json["hubs"][0]["url"], hub.url().as_str());
    feed_rs::parser::parse(serde_json::to_string(&json).unwrap().as_bytes()).unwrap();
    // A private output names no hub, even to its reader.
    for format in ["rss", "atom", "json"] {
        let path = format!("/feeds/inner.{format}?token={READER_TOKEN}");
        let (status, body) = daemon.get(&path).await.unwrap();
        assert_eq!(status, 200);
        assert!(!body.contains(&hub.url()), "{format}: {body}");
    }

    // Empty outputs at start are not announced; new items are, once per
    // format of the public output.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(hub.record().published.is_empty());
    let response = reqwest::Client::new()
        .post(format!("{base}/ingest/desk"))
        .bearer_auth(PUSH_TOKEN)
        .header("content-type", "text/plain")
        .body("Harbour Ferry Returns After Winter Break\nCouncil Opens New Riverside Library\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    wait_for("three publish pings", || hub.record().published.len() >= 3).await;
    // Time for pings of the private output, were there any.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut published = hub.record().published.clone();
    published.sort();
    assert_eq!(
        published,
        [
            format!("{base}/feeds/news.atom"),
            format!("{base}/feeds/news.json"),
            format!("{base}/feeds/news.rss"),
        ]
    );
    assert!(
        metric(
            &daemon,
            "syndic_websub_total{event=\"publish\",result=\"sent\"} 3"
        )
        .await
    );
    assert_eq!(daemon.stop(), Some(0));
}
