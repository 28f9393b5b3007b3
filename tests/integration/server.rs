//! The feed server on a real loopback port: content types, validators and
//! 304s, compression, HEAD, the index, OPML, health, metrics, and a cache
//! that follows the store and the config.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use syndic::config::Config;
use syndic::metrics::Metrics;
use syndic::model::{Item, ItemId, SourceName};
use syndic::server::{serve, ServerState};
use syndic::shutdown::{self, ShutdownTrigger};
use syndic::store::StoreHandle;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

const CONFIG: &str = r#"
[daemon]
database = "syndic.db"
base_url = "http://feeds.test"

[[source]]
name = "wire"
url = "https://wire.example/feed"
tags = ["world"]

[[output]]
name = "world"
title = "World <digest> & \"more\""
tags = ["world"]

[[output]]
name = "recent"
sources = ["wire"]
max_age = "7d"
"#;

struct Harness {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    store: StoreHandle,
    metrics: Arc<Metrics>,
    config: watch::Sender<Arc<Config>>,
    stop: ShutdownTrigger,
    server: tokio::task::JoinHandle<()>,
}

impl Harness {
    async fn start() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feeds.toml");
        std::fs::write(&path, CONFIG).unwrap();
        let config = Arc::new(Config::load(&path).unwrap());
        let store = StoreHandle::open(&config.daemon.database).unwrap();
        let (config_tx, config_rx) = watch::channel(config);
        let metrics = Arc::new(Metrics::new());
        let state = ServerState::new(config_rx, store.clone(), metrics.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = shutdown::channel();
        let server = tokio::spawn(serve(listener, state, stopped));
        Harness {
            dir,
            addr,
            store,
            metrics,
            config: config_tx,
            stop,
            server,
        }
    }

    async fn add(&self, items: Vec<Item>) {
        self.store
            .write(move |s| s.upsert_items(&items))
            .await
            .unwrap();
        self.store.mark_changed();
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.append(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        client()
            .get(self.url(path))
            .headers(map)
            .send()
            .await
            .unwrap()
    }

    /// Sends `path` byte for byte, so that no client normalizes it first;
    /// returns the status code.
    async fn raw_status(&self, path: &str) -> u16 {
        let mut tcp = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: feeds.test\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        tcp.read_to_end(&mut response).await.unwrap();
        let head = String::from_utf8_lossy(&response);
        head.split(' ').nth(1).unwrap().parse().unwrap()
    }

    async fn stop(self) {
        self.stop.trigger();
        self.server.await.unwrap();
    }
}

/// A client that shows the bytes as sent: no transparent decompression.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_deflate()
        .build()
        .unwrap()
}

fn item(id: &str, title: &str, hours_ago: i64) -> Item {
    let at = Utc::now() - Duration::hours(hours_ago);
    Item {
        link: Some(format!("https://wire.example/{id}")),
        summary: Some(format!("<p>About {title}.</p>")),
        content: Some(format!("<p>{}</p>", "All about it. ".repeat(40))),
        authors: vec!["Reporter".into()],
        categories: vec!["news".into()],
        published: Some(at),
        ..Item::new(SourceName::new("wire").unwrap(), ItemId::new(id), title, at)
    }
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

async fn decompress(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    use async_compression::tokio::bufread::{BrotliDecoder, GzipDecoder};
    let mut out = Vec::new();
    match encoding {
        "gzip" => GzipDecoder::new(bytes).read_to_end(&mut out).await.unwrap(),
        "br" => BrotliDecoder::new(bytes)
            .read_to_end(&mut out)
            .await
            .unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    out
}

#[tokio::test]
async fn feeds_have_their_content_types_and_caching_headers() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    for (ext, content_type) in [
        ("rss", "application/rss+xml; charset=utf-8"),
        ("atom", "application/atom+xml; charset=utf-8"),
        ("json", "application/feed+json; charset=utf-8"),
    ] {
        let r = h.get(&format!("/feeds/world.{ext}"), &[]).await;
        assert_eq!(r.status(), StatusCode::OK, "{ext}");
        assert_eq!(header(&r, "content-type"), content_type);
        assert_eq!(header(&r, "cache-control"), "public, max-age=300");
        assert_eq!(header(&r, "vary"), "Accept-Encoding, Accept");
        assert!(r.headers().get("content-encoding").is_none());
        let etag = header(&r, "etag").to_string();
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
            "{etag}"
        );
        let last_modified = httpdate::parse_http_date(header(&r, "last-modified")).unwrap();
        let newest: std::time::SystemTime = (Utc::now() - Duration::hours(2)).into();
        let drift = newest
            .duration_since(last_modified)
            .unwrap_or_else(|e| e.duration());
        assert!(
            drift.as_secs() <= 1,
            "Last-Modified is the newest item's time"
        );
        let body = r.bytes().await.unwrap();
        let feed = feed_rs::parser::parse(&body[..]).unwrap();
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(feed.title.unwrap().content, "World <digest> & \"more\"");
    }
    h.stop().await;
}

#[tokio::test]
async fn an_item_dated_in_the_future_does_not_date_the_feed_in_the_future() {
    let h = Harness::start().await;
    h.add(vec![item("ahead", "Scheduled for tomorrow", -30)])
        .await;
    let r = h.get("/feeds/world.rss", &[]).await;
    let last_modified = httpdate::parse_http_date(header(&r, "last-modified")).unwrap();
    let date = httpdate::parse_http_date(header(&r, "date")).unwrap();
    assert!(
        last_modified <= date,
        "Last-Modified may not be later than Date"
    );
    h.stop().await;
}

#[tokio::test]
async fn if_none_match_gives_304() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    let first = h.get("/feeds/world.atom", &[]).await;
    let etag = header(&first, "etag").to_string();
    let weak = format!("W/{etag}");
    let listed = format!("\"nope\", {etag}");
    for value in [etag.as_str(), weak.as_str(), listed.as_str(), "*"] {
        let r = h
            .get("/feeds/world.atom", &[("if-none-match", value)])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{value}");
        assert_eq!(header(&r, "etag"), etag);
        assert_eq!(header(&r, "cache-control"), "public, max-age=300");
        assert!(r.bytes().await.unwrap().is_empty());
    }
    let other = h
        .get("/feeds/world.atom", &[("if-none-match", "\"other\"")])
        .await;
    assert_eq!(other.status(), StatusCode::OK);
    // Each format has its own body, so its own validator.
    let rss = h.get("/feeds/world.rss", &[("if-none-match", &etag)]).await;
    assert_eq!(rss.status(), StatusCode::OK);
    h.stop().await;
}

#[tokio::test]
async fn if_modified_since_gives_304_unless_if_none_match_disagrees() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    let first = h.get("/feeds/world.json", &[]).await;
    let last_modified = header(&first, "last-modified").to_string();
    let at = httpdate::parse_http_date(&last_modified).unwrap();
    let earlier = httpdate::fmt_http_date(at - std::time::Duration::from_secs(60));
    let later = httpdate::fmt_http_date(at + std::time::Duration::from_secs(60));

    let same = h
        .get(
            "/feeds/world.json",
            &[("if-modified-since", &last_modified)],
        )
        .await;
    assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
    let after = h
        .get("/feeds/world.json", &[("if-modified-since", &later)])
        .await;
    assert_eq!(after.status(), StatusCode::NOT_MODIFIED);
    let before = h
        .get("/feeds/world.json", &[("if-modified-since", &earlier)])
        .await;
    assert_eq!(before.status(), StatusCode::OK);
    let garbled = h
        .get(
            "/feeds/world.json",
            &[("if-modified-since", "last tuesday")],
        )
        .await;
    assert_eq!(garbled.status(), StatusCode::OK);
    let overruled = h
        .get(
            "/feeds/world.json",
            &[
                ("if-none-match", "\"stale\""),
                ("if-modified-since", &later),
            ],
        )
        .await;
    assert_eq!(overruled.status(), StatusCode::OK);
    h.stop().await;
}

#[tokio::test]
async fn gzip_and_brotli_decompress_to_the_plain_body() {
    let h = Harness::start().await;
    h.add(
        (0..20)
            .map(|i| item(&format!("i{i}"), &format!("Story {i}"), i))
            .collect(),
    )
    .await;
    let plain = h.get("/feeds/world.rss", &[]).await;
    let plain_etag = header(&plain, "etag").to_string();
    let plain = plain.bytes().await.unwrap();
    let mut etags = vec![plain_etag];
    for (accept, expected) in [
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip;q=0.9", "gzip"),
        ("br;q=0, *", "gzip"),
    ] {
        let r = h
            .get("/feeds/world.rss", &[("accept-encoding", accept)])
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, "content-encoding"), expected, "{accept}");
        assert_eq!(header(&r, "vary"), "Accept-Encoding, Accept");
        etags.push(header(&r, "etag").to_string());
        let body = r.bytes().await.unwrap();
        assert!(body.len() < plain.len(), "{accept}: compressed is smaller");
        assert_eq!(decompress(expected, &body).await, plain, "{accept}");
    }
    // A representation per coding, each with its own strong validator.
    assert_ne!(etags[0], etags[1]);
    assert_ne!(etags[1], etags[2]);
    for accept in ["identity", "gzip;q=0, br;q=0", "compress"] {
        let r = h
            .get("/feeds/world.rss", &[("accept-encoding", accept)])
            .await;
        assert!(r.headers().get("content-encoding").is_none(), "{accept}");
        assert_eq!(r.bytes().await.unwrap(), plain);
    }
    // A client holding the gzip copy is current.
    let r = h
        .get(
            "/feeds/world.rss",
            &[("accept-encoding", "gzip"), ("if-none-match", &etags[1])],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    h.stop().await;
}

#[tokio::test]
async fn head_has_the_headers_and_no_body() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    let get = h.get("/feeds/world.atom", &[]).await;
    let get_etag = header(&get, "etag").to_string();
    let get_len = get.bytes().await.unwrap().len();
    let head = client()
        .head(h.url("/feeds/world.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        header(&head, "content-type"),
        "application/atom+xml; charset=utf-8"
    );
    assert_eq!(header(&head, "etag"), get_etag);
    assert!(head.headers().get("last-modified").is_some());
    assert_eq!(header(&head, "content-length"), get_len.to_string());
    assert!(head.bytes().await.unwrap().is_empty());
    h.stop().await;
}

#[tokio::test]
async fn unknown_outputs_and_odd_paths_are_404() {
    let h = Harness::start().await;
    // A file beside the database that a careless server might hand out.
    std::fs::write(h.dir.path().join("world.rss"), "secret").unwrap();
    for path in [
        "/feeds/sports.rss",
        "/feeds/world.xml",
        "/feeds/world.exe",
        "/feeds/world",
        "/feeds/.rss",
        "/feeds/world.rss/",
        "/feeds/world.rss/extra",
        "/feeds/../feeds.toml",
        "/feeds/..%2Ffeeds.toml",
        "/feeds/%2e%2e%2Fsyndic.db",
        "/feeds/..%2F..%2FCargo.toml.rss",
        "/feeds/world%2Erss%2F..%2F..%2Fworld.rss",
        "/feeds/%00.rss",
        "/feeds/%ff.rss",
        "/syndic.db",
        "/feeds.toml",
        "/world.rss",
    ] {
        assert_eq!(h.raw_status(path).await, 404, "{path}");
    }
    // Only the served spelling works.
    assert_eq!(h.raw_status("/feeds/world.rss").await, 200);
    h.stop().await;
}

#[tokio::test]
async fn index_page_has_autodiscovery_links_for_every_output() {
    let h = Harness::start().await;
    let r = h.get("/", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    let page = r.text().await.unwrap();
    for (output, title) in [
        ("world", "World &lt;digest&gt; &amp; &quot;more&quot;"),
        ("recent", "recent"),
    ] {
        for (ext, media, label) in [
            ("rss", "application/rss+xml", "RSS"),
            ("atom", "application/atom+xml", "Atom"),
            ("json", "application/feed+json", "JSON Feed"),
        ] {
            let link = format!(
                "<link rel=\"alternate\" type=\"{media}\" title=\"{title} ({label})\" href=\"http://feeds.test/feeds/{output}.{ext}\">"
            );
            assert!(page.contains(&link), "missing {link}\n{page}");
        }
    }
    assert!(
        page.contains("<h2>World &lt;digest&gt; &amp; \"more\"</h2>"),
        "{page}"
    );
    assert!(!page.contains("<digest>"));
    h.stop().await;
}

#[tokio::test]
async fn opml_lists_the_outputs() {
    let h = Harness::start().await;
    let r = h.get("/opml", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header(&r, "content-type").starts_with("text/x-opml"));
    let subs = syndic::opml::read(&r.text().await.unwrap()).unwrap();
    let listed: Vec<(&str, &str)> = subs
        .iter()
        .map(|s| (s.title.as_str(), s.xml_url.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "World <digest> & \"more\"",
                "http://feeds.test/feeds/world.rss"
            ),
            ("recent", "http://feeds.test/feeds/recent.rss")
        ]
    );
    h.stop().await;
}

#[tokio::test]
async fn healthz_and_metrics() {
    let h = Harness::start().await;
    h.add(vec![item("a", "One", 1), item("b", "Two", 2)]).await;
    h.metrics.record_fetch(
        "wire",
        syndic::model::PollResult::Ok,
        std::time::Duration::from_millis(40),
    );
    let health = h.get("/healthz", &[]).await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok\n");
    assert_eq!(
        h.get("/feeds/world.rss", &[]).await.status(),
        StatusCode::OK
    );
    assert_eq!(h.raw_status("/nowhere").await, 404);

    let r = h.get("/metrics", &[]).await;
    assert_eq!(
        header(&r, "content-type"),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = r.text().await.unwrap();
    for expected in [
        "syndic_fetches_total{source=\"wire\",result=\"ok\"} 1\n",
        "syndic_items_stored{source=\"wire\"} 2\n",
        "syndic_renders_total{output=\"world\",format=\"rss\"} 1\n",
        "syndic_render_duration_seconds_count{format=\"rss\"} 1\n",
        "syndic_http_requests_total{route=\"/feeds/{file}\",status=\"200\"} 1\n",
        "syndic_http_requests_total{route=\"/healthz\",status=\"200\"} 1\n",
        "syndic_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n",
        "syndic_http_request_duration_seconds_count{route=\"/feeds/{file}\"} 1\n",
        "# TYPE syndic_fetch_duration_seconds histogram\n",
    ] {
        assert!(text.contains(expected), "missing {expected}\n{text}");
    }
    h.stop().await;
}

#[tokio::test]
async fn readyz_wants_the_scheduler_running() {
    let h = Harness::start().await;
    // No scheduler in this harness: live, not ready.
    assert_eq!(h.get("/healthz", &[]).await.status(), StatusCode::OK);
    let r = h.get("/readyz", &[]).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.text().await.unwrap(), "scheduler not running\n");
    h.metrics.scheduler_beat();
    assert_eq!(h.get("/readyz", &[]).await.status(), StatusCode::OK);
    h.stop().await;
}

#[tokio::test]
async fn healthz_is_503_when_the_database_cannot_be_read() {
    let h = Harness::start().await;
    let db = h.dir.path().join("syndic.db");
    std::fs::remove_file(&db).unwrap();
    std::fs::create_dir(&db).unwrap();
    let r = h.get("/healthz", &[]).await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    h.stop().await;
}

#[tokio::test]
async fn a_cache_hit_does_not_touch_the_database_and_a_change_does() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    let first = h.get("/feeds/world.rss", &[]).await;
    let first_etag = header(&first, "etag").to_string();
    assert_eq!(h.metrics.renders_total(), 1);

    for _ in 0..5 {
        let again = h
            .get("/feeds/world.rss", &[("accept-encoding", "br")])
            .await;
        assert_eq!(again.status(), StatusCode::OK);
    }
    assert_eq!(h.metrics.renders_total(), 1, "hits render nothing");

    // A write without mark_changed is invisible: the cache is trusted.
    let unseen = vec![item("b", "Unannounced", 1)];
    h.store
        .write(move |s| s.upsert_items(&unseen))
        .await
        .unwrap();
    let cached = h.get("/feeds/world.rss", &[]).await;
    assert_eq!(header(&cached, "etag"), first_etag);

    h.add(vec![item("c", "Bridge opens", 0)]).await;
    let fresh = h
        .get("/feeds/world.rss", &[("if-none-match", &first_etag)])
        .await;
    assert_eq!(
        fresh.status(),
        StatusCode::OK,
        "a change invalidates old validators"
    );
    assert_ne!(header(&fresh, "etag"), first_etag);
    let body = fresh.text().await.unwrap();
    assert!(
        body.contains("Bridge opens") && body.contains("Unannounced"),
        "{body}"
    );
    assert_eq!(h.metrics.renders_total(), 2);
    h.stop().await;
}

#[tokio::test]
async fn concurrent_misses_render_once() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    let url = h.url("/feeds/world.json");
    let requests = (0..16).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { client().get(url).send().await.unwrap().status() })
    });
    for r in requests.collect::<Vec<_>>() {
        assert_eq!(r.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(h.metrics.renders_total(), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_config_reload_changes_what_is_served() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    let before = h.get("/feeds/world.rss", &[]).await.text().await.unwrap();
    assert!(before.contains("World &lt;digest&gt;"));

    let path = h.dir.path().join("feeds.toml");
    let edited = CONFIG
        .replace("World <digest> & \\\"more\\\"", "Renamed digest")
        .replace("name = \"recent\"", "name = \"latest\"");
    let reloaded = Config::parse(Path::new(&path), &edited).unwrap();
    h.config.send(Arc::new(reloaded)).unwrap();

    let after = h.get("/feeds/world.rss", &[]).await.text().await.unwrap();
    assert!(after.contains("<title>Renamed digest</title>"), "{after}");
    assert_eq!(
        h.get("/feeds/recent.rss", &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/feeds/latest.rss", &[]).await.status(),
        StatusCode::OK
    );
    h.stop().await;
}

#[tokio::test]
async fn a_304_carries_the_validator_and_vary_of_the_coding_asked_for() {
    let h = Harness::start().await;
    h.add(vec![item("a", "Harbour reopens", 2)]).await;
    for (accept, suffix) in [("gzip", "-gz\""), ("br", "-br\""), ("identity", "")] {
        let full = h
            .get("/feeds/world.rss", &[("accept-encoding", accept)])
            .await;
        let etag = header(&full, "etag").to_string();
        assert!(
            etag.ends_with(suffix) || suffix.is_empty(),
            "{accept}: {etag}"
        );
        let r = h
            .get(
                "/feeds/world.rss",
                &[("accept-encoding", accept), ("if-none-match", &etag)],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{accept}");
        assert_eq!(header(&r, "etag"), etag, "{accept}");
        assert_eq!(header(&r, "vary"), "Accept-Encoding, Accept", "{accept}");
        assert_eq!(
            header(&r, "last-modified"),
            header(&full, "last-modified"),
            "{accept}"
        );
        assert!(r.headers().get("content-encoding").is_none(), "{accept}");
        assert!(r.bytes().await.unwrap().is_empty(), "{accept}");
    }
    h.stop().await;
}
