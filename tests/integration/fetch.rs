//! Fetching against a real HTTP server on loopback: conditional GET,
//! compression, size and time limits, redirects and the statuses that
//! steer polling.

use std::convert::Infallible;
use std::time::Duration;

use crate::support::{serve, Conditional};
use axum::body::Body as HttpBody;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::LazyLock;
use syndic::fetch::{
    Body, FetchError, FetchLimits, Fetcher, Origin, Target, Validators, NO_HTTP_OPTIONS,
};
use syndic::model::SourceName;

const FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title></channel></rss>";

fn fetcher(timeout_ms: u64, max_body: u64) -> Fetcher {
    Fetcher::new(FetchLimits {
        timeout: Duration::from_millis(timeout_ms),
        max_body,
    })
    .unwrap()
}

static SOURCE: LazyLock<SourceName> = LazyLock::new(|| SourceName::new("test").unwrap());

/// A source allowed onto loopback, where every server here listens.
fn loopback() -> Origin<'static> {
    Origin {
        source: &SOURCE,
        configured: None,
        allow_private: true,
        http: &NO_HTTP_OPTIONS,
    }
}

fn default_fetcher() -> Fetcher {
    fetcher(5_000, 1 << 20)
}

fn at(addr: std::net::SocketAddr, path: &str) -> Target {
    Target::Http(format!("http://{addr}{path}").parse().unwrap())
}

fn bytes_of(body: &Body) -> &[u8] {
    match body {
        Body::Changed { bytes, .. } => bytes,
        Body::NotModified => panic!("expected a body, got 304"),
    }
}

#[tokio::test]
async fn conditional_get_turns_a_repeat_into_304() {
    let doc = Conditional::new(FEED, "\"v1\"", "application/rss+xml; charset=ISO-8859-1");
    let served = doc.clone();
    let addr = serve(Router::new().route(
        "/feed",
        get(move |h: HeaderMap| async move { served.respond(&h) }),
    ))
    .await;
    let f = default_fetcher();
    let first = f
        .fetch(&at(addr, "/feed"), &Validators::default(), loopback())
        .await
        .unwrap();
    assert_eq!(bytes_of(&first.body), FEED.as_bytes());
    assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
    let Body::Changed { charset, .. } = &first.body else {
        unreachable!()
    };
    assert_eq!(charset.as_deref(), Some("ISO-8859-1"));

    let second = f
        .fetch(&at(addr, "/feed"), &first.validators, loopback())
        .await
        .unwrap();
    assert!(matches!(second.body, Body::NotModified));
    assert_eq!(second.validators, first.validators, "validators kept");
    assert_eq!(doc.full_responses(), 1);
}

#[tokio::test]
async fn sends_a_user_agent_naming_syndic_and_reads_max_age() {
    let addr = serve(Router::new().route(
        "/ua",
        get(|h: HeaderMap| async move {
            let ua = h
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            ([(header::CACHE_CONTROL, "public, max-age=7200")], ua)
        }),
    ))
    .await;
    let got = default_fetcher()
        .fetch(&at(addr, "/ua"), &Validators::default(), loopback())
        .await
        .unwrap();
    let ua = String::from_utf8(bytes_of(&got.body).to_vec()).unwrap();
    assert!(
        ua.starts_with(&format!("syndic/{}", env!("CARGO_PKG_VERSION"))),
        "{ua}"
    );
    assert_eq!(got.max_age, Some(Duration::from_secs(7200)));
}

#[tokio::test]
async fn gzip_and_brotli_bodies_are_decoded() {
    let gz = crate::support::gzip(FEED.as_bytes()).await;
    let br = crate::support::brotli(FEED.as_bytes()).await;
    let addr = serve(
        Router::new()
            .route(
                "/gz",
                get(move || async move { ([(header::CONTENT_ENCODING, "gzip")], gz) }),
            )
            .route(
                "/br",
                get(move || async move { ([(header::CONTENT_ENCODING, "br")], br) }),
            ),
    )
    .await;
    let f = default_fetcher();
    for path in ["/gz", "/br"] {
        let got = f
            .fetch(&at(addr, path), &Validators::default(), loopback())
            .await
            .unwrap();
        assert_eq!(bytes_of(&got.body), FEED.as_bytes(), "{path}");
    }
}

#[tokio::test]
async fn oversized_endless_and_bomb_bodies_are_cut_off() {
    let bomb = crate::support::gzip(&vec![0u8; 8 << 20]).await;
    assert!(bomb.len() < 64 << 10, "the bomb is small on the wire");
    let addr = serve(
        Router::new()
            .route("/big", get(|| async { vec![b'x'; 2 << 20] }))
            .route(
                "/endless",
                get(|| async {
                    let chunk = bytes::Bytes::from(vec![b'x'; 64 << 10]);
                    let stream = futures_util::stream::repeat_with(move || {
                        Ok::<_, Infallible>(chunk.clone())
                    });
                    HttpBody::from_stream(stream)
                }),
            )
            .route(
                "/bomb",
                get(move || async move { ([(header::CONTENT_ENCODING, "gzip")], bomb) }),
            ),
    )
    .await;
    let f = fetcher(10_000, 1 << 20);
    for path in ["/big", "/endless", "/bomb"] {
        let err = f
            .fetch(&at(addr, path), &Validators::default(), loopback())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge { limit } if limit == 1 << 20),
            "{path}: {err}"
        );
    }
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let addr = serve(Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            FEED
        }),
    ))
    .await;
    let err = fetcher(300, 1 << 20)
        .fetch(&at(addr, "/slow"), &Validators::default(), loopback())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout(_)), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

fn redirect(status: StatusCode, to: &'static str) -> axum::routing::MethodRouter {
    get(move || async move { (status, [(header::LOCATION, to)]).into_response() })
}

#[tokio::test]
async fn permanent_redirects_report_the_new_address() {
    let addr = serve(
        Router::new()
            .route("/old", redirect(StatusCode::MOVED_PERMANENTLY, "/older"))
            .route("/older", redirect(StatusCode::PERMANENT_REDIRECT, "/new"))
            .route("/temp", redirect(StatusCode::FOUND, "/old"))
            .route("/new", get(|| async { FEED }))
            .route("/loop", redirect(StatusCode::FOUND, "/loop"))
            .route("/nowhere", get(|| async { StatusCode::MOVED_PERMANENTLY })),
    )
    .await;
    let f = default_fetcher();
    let moved = f
        .fetch(&at(addr, "/old"), &Validators::default(), loopback())
        .await
        .unwrap();
    assert_eq!(bytes_of(&moved.body), FEED.as_bytes());
    assert_eq!(
        moved.moved_to.map(|u| u.to_string()),
        Some(format!("http://{addr}/new"))
    );
    let temp = f
        .fetch(&at(addr, "/temp"), &Validators::default(), loopback())
        .await
        .unwrap();
    assert_eq!(
        temp.moved_to, None,
        "a temporary hop on the way: keep the old URL"
    );

    let err = f
        .fetch(&at(addr, "/loop"), &Validators::default(), loopback())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooManyRedirects), "{err}");
    let err = f
        .fetch(&at(addr, "/nowhere"), &Validators::default(), loopback())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::BadRedirect), "{err}");
}

#[tokio::test]
async fn gone_and_retry_after_statuses() {
    let addr = serve(
        Router::new()
            .route("/gone", get(|| async { StatusCode::GONE }))
            .route(
                "/busy",
                get(|| async {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::RETRY_AFTER, "120")],
                    )
                }),
            )
            .route(
                "/down",
                get(|| async {
                    let later = httpdate::fmt_http_date(
                        std::time::SystemTime::now() + Duration::from_secs(600),
                    );
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        [(header::RETRY_AFTER, later)],
                    )
                }),
            )
            .route("/missing", get(|| async { StatusCode::NOT_FOUND })),
    )
    .await;
    let f = default_fetcher();
    let fetch = |p: &'static str| {
        let f = f.clone();
        async move {
            f.fetch(&at(addr, p), &Validators::default(), loopback())
                .await
                .unwrap_err()
        }
    };
    assert!(matches!(fetch("/gone").await, FetchError::Gone));
    let busy = fetch("/busy").await;
    assert!(
        matches!(busy, FetchError::Status { status: 429, .. }),
        "{busy}"
    );
    assert_eq!(busy.retry_after(), Some(Duration::from_secs(120)));
    let down = fetch("/down").await;
    let wait = down.retry_after().unwrap();
    assert!(wait > Duration::from_secs(590) && wait <= Duration::from_secs(600));
    let missing = fetch("/missing").await;
    assert_eq!(missing.to_string(), "HTTP 404");
}

#[tokio::test]
async fn refused_connections_say_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = Target::Http(format!("http://127.0.0.1:{port}/").parse().unwrap());
    let err = default_fetcher()
        .fetch(&target, &Validators::default(), loopback())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Connect(_)), "{err}");
}

#[tokio::test]
async fn local_files_use_their_modification_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, FEED).unwrap();
    let f = default_fetcher();
    let target = Target::File(path.clone());
    let first = f
        .fetch(&target, &Validators::default(), loopback())
        .await
        .unwrap();
    assert_eq!(bytes_of(&first.body), FEED.as_bytes());
    let again = f
        .fetch(&target, &first.validators, loopback())
        .await
        .unwrap();
    assert!(matches!(again.body, Body::NotModified));

    std::fs::write(&path, vec![b'x'; 2 << 20]).unwrap();
    let err = f
        .fetch(&target, &Validators::default(), loopback())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    let missing = Target::File(dir.path().join("missing.xml"));
    let err = f
        .fetch(&missing, &Validators::default(), loopback())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("missing.xml"), "{err}");
}
