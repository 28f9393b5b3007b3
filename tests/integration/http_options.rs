//! A source's own HTTP options against loopback servers that lock their
//! feed: `auth`, `headers` and `user_agent` open it, redirects elsewhere
//! do not carry the credentials, and the secrets show up nowhere.

use std::collections::HashMap;
use std::path::Path;

use crate::support::serve;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use syndic::config::Config;
use syndic::fetch::{Body, FetchLimits, FetchSlots, Fetcher, NetworkOverrides, Target, Validators};
use syndic::poll::{PollOutcome, Poller};
use syndic::store::StoreHandle;

const FEED: &str = include_str!("../fixtures/daemon/first.rss");
const PASSWORD: &str = "s3cret-basic";
/// `me:s3cret-basic` in base64, as Basic auth sends it.
const BASIC: &str = "Basic bWU6czNjcmV0LWJhc2lj";
const TOKEN: &str = "tok3n-bearer-Zq9";

/// Serves the feed when `opens` accepts the request's headers, else 401.
fn locked(opens: impl Fn(&HeaderMap) -> bool + Clone + Send + Sync + 'static) -> MethodRouter {
    get(move |h: HeaderMap| async move {
        if opens(&h) {
            ([(header::CONTENT_TYPE, "application/rss+xml")], FEED).into_response()
        } else {
            StatusCode::UNAUTHORIZED.into_response()
        }
    })
}

fn has(name: &'static str, value: &'static str) -> impl Fn(&HeaderMap) -> bool + Clone {
    move |h: &HeaderMap| {
        h.get(name)
            .is_some_and(|v| v.as_bytes() == value.as_bytes())
    }
}

async fn locked_server() -> std::net::SocketAddr {
    serve(
        Router::new()
            .route("/basic", locked(has("authorization", BASIC)))
            .route(
                "/bearer",
                locked(move |h: &HeaderMap| {
                    h.get("authorization")
                        .is_some_and(|v| v.as_bytes() == format!("Bearer {TOKEN}").as_bytes())
                }),
            )
            .route("/key", locked(has("x-key", "v1")))
            .route("/ua", locked(has("user-agent", "FeedFriend/2.0"))),
    )
    .await
}

/// Four sources on `addr`, each with `options[i]` (TOML lines) added.
fn sources(addr: std::net::SocketAddr, options: [&str; 4]) -> String {
    ["basic", "bearer", "key", "ua"]
        .iter()
        .zip(options)
        .map(|(name, extra)| {
            format!("[[source]]\nname = \"{name}\"\nurl = \"http://{addr}/{name}\"\n{extra}\n")
        })
        .collect()
}

const OPTIONS: [&str; 4] = [
    "auth = { basic_user = \"me\", password_file = \"secrets/password\" }",
    "auth = { bearer_file = \"secrets/token\" }",
    "headers = { \"X-Key\" = \"v1\" }",
    "user_agent = \"FeedFriend/2.0\"",
];

struct Setup {
    dir: tempfile::TempDir,
    config: Config,
    poller: Poller,
}

/// A config of `sources` in a fresh folder holding the secret files.
fn setup(sources: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("secrets")).unwrap();
    std::fs::write(dir.path().join("secrets/password"), format!("{PASSWORD}\n")).unwrap();
    std::fs::write(dir.path().join("secrets/token"), TOKEN).unwrap();
    let path = dir.path().join("feeds.toml");
    let text = format!("[daemon]\ndatabase = \"syndic.db\"\n{sources}");
    std::fs::write(&path, &text).unwrap();
    let config = Config::load(&path).unwrap();
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    let poller = Poller::new(&config.daemon, FetchSlots::new(8, 2), store).unwrap();
    Setup {
        dir,
        config,
        poller,
    }
}

impl Setup {
    async fn poll_all(&self) -> Vec<(String, PollOutcome)> {
        let mut out = Vec::new();
        for s in &self.config.sources {
            out.push((s.name.to_string(), self.poller.poll(s).await.outcome));
        }
        out
    }

    /// Every byte of the database, its WAL included.
    fn database_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.starts_with("syndic.db") {
                all.extend(std::fs::read(&path).unwrap());
            }
        }
        all
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn each_option_opens_its_locked_feed_and_none_does_without() {
    let addr = locked_server().await;
    let with = setup(&sources(addr, OPTIONS));
    for (name, outcome) in with.poll_all().await {
        assert!(
            matches!(outcome, PollOutcome::Stored { .. }),
            "{name}: {outcome:?}"
        );
    }
    let without = setup(&sources(addr, [""; 4]));
    for (name, outcome) in without.poll_all().await {
        match outcome {
            PollOutcome::Failed(e) => assert_eq!(e.to_string(), "HTTP 401", "{name}"),
            other => panic!("{name} opened without its option: {other:?}"),
        }
    }
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output_errors_and_the_database() {
    let addr = locked_server().await;
    // The right credentials sent to the wrong place fail, and say nothing
    // of what was sent.
    let wrong = format!(
        "[[source]]\nname = \"right\"\nurl = \"http://{addr}/basic\"\n{basic}\n\
         [[source]]\nname = \"basic_to_bearer\"\nurl = \"http://{addr}/bearer\"\n{basic}\n\
         [[source]]\nname = \"bearer_to_basic\"\nurl = \"http://{addr}/basic\"\n{bearer}\n",
        basic = OPTIONS[0],
        bearer = OPTIONS[1],
    );
    let s = setup(&wrong);
    let shown = format!("{:?}", s.config);
    let mut failures = 0;
    for (name, outcome) in s.poll_all().await {
        if let PollOutcome::Failed(e) = &outcome {
            failures += 1;
            let message = e.to_string();
            assert!(
                !message.contains(PASSWORD) && !message.contains(TOKEN),
                "{name}: {message}"
            );
            let debug = format!("{e:?}");
            assert!(
                !debug.contains(PASSWORD) && !debug.contains(TOKEN),
                "{name}: {debug}"
            );
        }
    }
    assert_eq!(
        failures, 2,
        "two sources sent the other kind of credentials"
    );
    assert!(
        !shown.contains(PASSWORD) && !shown.contains(TOKEN),
        "{shown}"
    );
    assert!(shown.contains("redacted"), "{shown}");
    let db = s.database_bytes();
    assert!(!db.is_empty());
    for secret in [PASSWORD, TOKEN, BASIC.trim_start_matches("Basic ")] {
        assert!(!contains(&db, secret), "`{secret}` in the database");
    }
}

/// The binary, with `vars` set, in `dir`.
fn syndic_with(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("--config")
        .arg(dir.join("feeds.toml"))
        .args(args)
        .envs(vars.iter().copied())
        .env("SYNDIC_LOG", "debug")
        .output()
        .expect("binary runs")
}

// Threads of its own for the server: the test blocks on the binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_the_environment_opens_the_feed_and_is_never_printed() {
    let addr = locked_server().await;
    let dir = tempfile::tempdir().unwrap();
    let var = "SYNDIC_TEST_BEARER_FOR_CHECK";
    std::fs::write(
        dir.path().join("feeds.toml"),
        format!("[[source]]\nname = \"locked\"\nurl = \"http://{addr}/bearer\"\nauth = {{ bearer_env = \"{var}\" }}\n"),
    )
    .unwrap();
    let check = syndic_with(dir.path(), &[(var, TOKEN)], &["check"]);
    let poll = syndic_with(dir.path(), &[(var, TOKEN)], &["poll", "--all"]);
    assert!(
        check.status.success() && poll.status.success(),
        "{check:?}\n{poll:?}"
    );
    let check_out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check_out.contains(&format!("bearer token from environment variable `{var}`")),
        "{check_out}"
    );
    for out in [&check, &poll] {
        for stream in [&out.stdout, &out.stderr] {
            assert!(
                !contains(stream, TOKEN),
                "{}",
                String::from_utf8_lossy(stream)
            );
        }
    }
    let unset = syndic_with(dir.path(), &[], &["check"]);
    assert_eq!(unset.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unset.stderr);
    assert!(err.contains("feeds.toml:4:8") && err.contains(var), "{err}");
}

#[tokio::test]
async fn credentials_and_headers_stay_behind_when_a_redirect_leaves_the_origin() {
    // Echoes what arrived, wherever the redirect led.
    let echo = get(|h: HeaderMap| async move {
        let got = |name| {
            h.get(name)
                .map_or("-", |v| v.to_str().unwrap_or("?"))
                .to_string()
        };
        format!(
            "{} {} {}",
            got("authorization"),
            got("x-key"),
            got("user-agent")
        )
    });
    let elsewhere = serve(Router::new().route("/echo", echo.clone())).await;
    let elsewhere_url = format!("http://elsewhere.example:{}/echo", elsewhere.port());
    let origin = serve(
        Router::new()
            .route("/echo", echo)
            .route("/away", redirect(elsewhere_url))
            .route("/here", redirect("/echo".into())),
    )
    .await;
    let s = setup(&format!(
        "[[source]]\nname = \"s\"\nurl = \"http://{origin}/away\"\n{}\nheaders = {{ \"X-Key\" = \"v1\" }}\nuser_agent = \"FeedFriend/2.0\"\n",
        OPTIONS[1]
    ));
    let overrides = NetworkOverrides {
        hosts: HashMap::from([("elsewhere.example".to_string(), vec![elsewhere.ip()])]),
        ..NetworkOverrides::default()
    };
    let fetcher = Fetcher::with_overrides(
        FetchLimits {
            timeout: std::time::Duration::from_secs(5),
            max_body: 1 << 20,
        },
        overrides,
    )
    .unwrap();
    let source = &s.config.sources[0];
    let fetch = |path: &str| {
        let target = Target::Http(format!("http://{origin}{path}").parse().unwrap());
        let fetcher = fetcher.clone();
        async move {
            let got = fetcher
                .fetch(&target, &Validators::default(), source.into())
                .await
                .unwrap();
            match got.body {
                Body::Changed { bytes, .. } => String::from_utf8(bytes.to_vec()).unwrap(),
                Body::NotModified => panic!("no body"),
            }
        }
    };
    assert_eq!(
        fetch("/here").await,
        format!("Bearer {TOKEN} v1 FeedFriend/2.0"),
        "the same origin gets them all"
    );
    assert_eq!(
        fetch("/away").await,
        "- - FeedFriend/2.0",
        "another host gets neither credentials nor headers"
    );
}

fn redirect(to: String) -> MethodRouter {
    get(move || async move {
        Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, to)
            .body(axum::body::Body::empty())
            .unwrap()
    })
}

#[test]
fn a_reload_reads_a_rotated_secret() {
    let s = setup("[[source]]\nname = \"s\"\nurl = \"https://example.org/f\"\nauth = { bearer_file = \"secrets/token\" }\n");
    std::fs::write(s.dir.path().join("secrets/token"), "rotated-token\n").unwrap();
    let again = Config::load(&s.config.file).unwrap();
    let token = |c: &Config| match &c.sources[0].http.auth {
        Some(syndic::config::Auth::Bearer(t)) => t.expose().to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(token(&s.config), TOKEN);
    assert_eq!(token(&again), "rotated-token");
}

/// The test certificates: a CA and, signed by it, one for 127.0.0.1.
fn tls_fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// Serves `app` over TLS on loopback, offering HTTP/2 and HTTP/1.1 as
/// real servers do: plain HTTP never leads reqwest to HTTP/2.
async fn serve_tls(app: Router) -> std::net::SocketAddr {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(tls_fixture("cert.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(tls_fixture("key.pem")).unwrap();
    let mut config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let builder = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                );
                let _ = builder
                    .serve_connection(
                        hyper_util::rt::TokioIo::new(tls),
                        hyper_util::service::TowerToHyperService::new(app),
                    )
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn http2_false_keeps_to_http1_where_the_server_offers_http2() {
    let app = Router::new().route(
        "/version",
        get(|request: axum::extract::Request| async move { format!("{:?}", request.version()) }),
    );
    let addr = serve_tls(app).await;
    let s = setup(&format!(
        "[[source]]\nname = \"h1\"\nurl = \"https://{addr}/version\"\nhttp2 = false\n\
         [[source]]\nname = \"h2\"\nurl = \"https://{addr}/version\"\n"
    ));
    let ca =
        reqwest::Certificate::from_pem(&std::fs::read(tls_fixture("ca.pem")).unwrap()).unwrap();
    let fetcher = Fetcher::with_overrides(
        FetchLimits {
            timeout: std::time::Duration::from_secs(5),
            max_body: 1 << 20,
        },
        NetworkOverrides {
            roots: vec![ca],
            ..NetworkOverrides::default()
        },
    )
    .unwrap();
    let mut versions = Vec::new();
    for source in &s.config.sources {
        let syndic::config::Location::Url(url) = &source.location else {
            unreachable!()
        };
        let got = fetcher
            .fetch(
                &Target::Http(url.clone()),
                &Validators::default(),
                source.into(),
            )
            .await
            .unwrap();
        let Body::Changed { bytes, .. } = got.body else {
            panic!("no body")
        };
        versions.push(String::from_utf8(bytes.to_vec()).unwrap());
    }
    assert_eq!(versions, ["HTTP/1.1", "HTTP/2.0"]);
}
