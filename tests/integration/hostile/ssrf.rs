//! A feed that tries to make syndic fetch a private network for it (issue
//! 12): by redirecting there, by moving there for good, by a DNS answer
//! into a private range, or by redirecting to a local file.
//!
//! Every server here is on loopback, which is itself private. So the
//! "public" feed server listens on 127.0.0.1, which the fetcher is told to
//! judge public, and the "internal" one on 127.0.0.2, which stays private.
//! Names are answered from the fetcher's overrides instead of DNS.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::routing::get;
use axum::Router;
use syndic::config::Config;
use syndic::fetch::{
    FetchError, FetchLimits, FetchSlots, Fetcher, NetworkOverrides, Origin, Target, Validators,
    NO_HTTP_OPTIONS,
};
use syndic::model::SourceName;
use syndic::poll::{PollError, PollOutcome, Poller};
use syndic::store::{FetchState, StoreHandle};

use crate::support::{serve, stored_titles};

const PUBLIC: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
const INTERNAL: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

const SECRET: &str = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>admin</title>\
    <item><title>internal secret</title><guid>secret-1</guid></item></channel></rss>";
const PUBLIC_FEED: &str =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>news</title>\
    <item><title>public story</title><guid>story-1</guid></item></channel></rss>";

/// The internal admin page, on 127.0.0.2, counting who reached it.
struct Internal {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Internal {
    async fn start() -> Internal {
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&hits);
        let app = Router::new().route(
            "/internal-admin",
            get(move || async move {
                counted.fetch_add(1, Ordering::SeqCst);
                ([(header::CONTENT_TYPE, "application/rss+xml")], SECRET)
            }),
        );
        let listener = tokio::net::TcpListener::bind((INTERNAL, 0))
            .await
            .expect("bind 127.0.0.2");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Internal { addr, hits }
    }

    fn url(&self) -> String {
        format!("http://{}/internal-admin", self.addr)
    }

    fn url_named(&self, host: &str) -> String {
        format!("http://{host}:{}/internal-admin", self.addr.port())
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// The hostile feed server on 127.0.0.1: `/feed` answers `status` with
/// `location`; `/story` is an ordinary feed.
async fn redirecting(status: StatusCode, location: String) -> SocketAddr {
    serve(
        Router::new()
            .route(
                "/feed",
                get(move || {
                    let location = location.clone();
                    async move { (status, [(header::LOCATION, location)]) }
                }),
            )
            .route("/story", get(|| async { PUBLIC_FEED })),
    )
    .await
}

fn limits() -> FetchLimits {
    FetchLimits {
        timeout: Duration::from_secs(5),
        max_body: 1 << 20,
    }
}

/// A fetcher that judges 127.0.0.1 public and answers `hosts` itself.
fn fetcher(hosts: &[(&str, &[IpAddr])]) -> Fetcher {
    let overrides = NetworkOverrides {
        hosts: hosts
            .iter()
            .map(|(name, ips)| (name.to_string(), ips.to_vec()))
            .collect::<HashMap<_, _>>(),
        public: HashSet::from([PUBLIC]),
        roots: Vec::new(),
    };
    Fetcher::with_overrides(limits(), overrides).unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    config: Config,
    poller: Poller,
    store: StoreHandle,
}

/// One source `news` (TOML lines `source`) polled through `fetcher`.
fn setup(source: &str, fetcher: Fetcher) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("[daemon]\ndatabase = \"syndic.db\"\n[[source]]\nname = \"news\"\n{source}\n");
    let config = Config::parse(&dir.path().join("feeds.toml"), &text).unwrap();
    let store = StoreHandle::open(&config.daemon.database).unwrap();
    let poller = Poller::with_fetcher(
        &config.daemon,
        fetcher,
        FetchSlots::new(8, 2),
        store.clone(),
    );
    Setup {
        _dir: dir,
        config,
        poller,
        store,
    }
}

impl Setup {
    async fn poll(&self) -> PollOutcome {
        self.poller
            .poll(self.config.source("news").unwrap())
            .await
            .outcome
    }

    async fn titles(&self) -> Vec<String> {
        stored_titles(&self.store).await
    }

    async fn state(&self) -> FetchState {
        let name = SourceName::new("news").unwrap();
        self.store
            .read(move |s| s.fetch_state(&name))
            .await
            .unwrap()
            .expect("state stored")
    }
}

/// The refusal's message, failing unless the poll was refused as private.
fn refusal(outcome: &PollOutcome) -> String {
    match outcome {
        PollOutcome::Failed(PollError::Fetch(e @ FetchError::Private(_))) => e.to_string(),
        other => panic!("expected a private-network refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_302_into_loopback_is_refused_and_nothing_is_stored() {
    let internal = Internal::start().await;
    let feed = redirecting(StatusCode::FOUND, internal.url()).await;
    let s = setup(&format!("url = \"http://{feed}/feed\""), fetcher(&[]));

    let message = refusal(&s.poll().await);
    for needle in [
        "source `news`",
        "redirect to",
        &internal.url(),
        "127.0.0.2 is a loopback address",
        "allow_private = true",
    ] {
        assert!(
            message.contains(needle),
            "`{needle}` missing from: {message}"
        );
    }
    assert_eq!(internal.hits(), 0, "the internal server was never reached");
    assert!(s.titles().await.is_empty());
    assert_eq!(
        s.state().await.last_error.as_deref(),
        Some(message.as_str())
    );
}

#[tokio::test]
async fn a_301_into_a_private_range_does_not_move_the_source() {
    let internal = Internal::start().await;
    let feed = redirecting(StatusCode::MOVED_PERMANENTLY, internal.url()).await;
    let s = setup(&format!("url = \"http://{feed}/feed\""), fetcher(&[]));

    refusal(&s.poll().await);
    assert_eq!(s.state().await.moved_to, None);
    assert_eq!(internal.hits(), 0);
    assert!(s.titles().await.is_empty());
}

#[tokio::test]
async fn a_move_into_a_private_range_stored_earlier_is_forgotten() {
    let internal = Internal::start().await;
    let feed = redirecting(StatusCode::FOUND, String::new()).await;
    let s = setup(&format!("url = \"http://{feed}/story\""), fetcher(&[]));
    let name = SourceName::new("news").unwrap();
    let moved = FetchState {
        location: Some(format!("http://{feed}/story")),
        moved_to: Some(internal.url()),
        ..FetchState::default()
    };
    s.store
        .write(move |st| st.record_poll(&name, &[], &moved, None, None))
        .await
        .unwrap();

    let message = refusal(&s.poll().await);
    assert!(message.contains(&internal.url()), "{message}");
    assert_eq!(internal.hits(), 0);
    assert_eq!(s.state().await.moved_to, None, "back to the configured url");
    assert!(matches!(s.poll().await, PollOutcome::Stored { .. }));
    assert_eq!(s.titles().await, ["public story"]);
}

#[tokio::test]
async fn allow_private_lets_a_source_follow_into_a_private_range() {
    let internal = Internal::start().await;
    let feed = redirecting(StatusCode::MOVED_PERMANENTLY, internal.url()).await;
    let s = setup(
        &format!("url = \"http://{feed}/feed\"\nallow_private = true"),
        fetcher(&[]),
    );

    let outcome = s.poll().await;
    assert!(matches!(outcome, PollOutcome::Stored { .. }), "{outcome:?}");
    assert_eq!(s.titles().await, ["internal secret"]);
    assert_eq!(s.state().await.moved_to, Some(internal.url()));
}

#[tokio::test]
async fn a_source_configured_on_loopback_may_go_where_it_leads() {
    let internal = Internal::start().await;
    // No overrides: 127.0.0.1 is as private as it really is.
    let local = redirecting(StatusCode::FOUND, internal.url()).await;
    let real = Fetcher::new(limits()).unwrap();
    let s = setup(&format!("url = \"http://{local}/feed\""), real);

    let outcome = s.poll().await;
    assert!(matches!(outcome, PollOutcome::Stored { .. }), "{outcome:?}");
    assert_eq!(s.titles().await, ["internal secret"]);

    let named = setup(
        &format!("url = \"{}\"", internal.url_named("localhost")),
        fetcher(&[("localhost", &[INTERNAL])]),
    );
    let outcome = named.poll().await;
    assert!(
        matches!(outcome, PollOutcome::Stored { .. }),
        "a localhost url is private by name: {outcome:?}"
    );
}

#[tokio::test]
async fn a_public_name_answering_a_private_address_is_refused() {
    let internal = Internal::start().await;
    let s = setup(
        &format!("url = \"{}\"", internal.url_named("feeds.example.test")),
        fetcher(&[("feeds.example.test", &[INTERNAL])]),
    );

    let message = refusal(&s.poll().await);
    assert!(
        message.contains("feeds.example.test resolves to 127.0.0.2, a loopback address"),
        "{message}"
    );
    assert!(message.contains("allow_private = true"), "{message}");
    assert_eq!(internal.hits(), 0);
    assert!(s.titles().await.is_empty());
}

#[tokio::test]
async fn one_private_answer_among_public_ones_refuses_the_name() {
    let internal = Internal::start().await;
    let s = setup(
        &format!("url = \"{}\"", internal.url_named("feeds.example.test")),
        fetcher(&[("feeds.example.test", &[PUBLIC, INTERNAL])]),
    );
    refusal(&s.poll().await);
    assert_eq!(internal.hits(), 0);
}

#[tokio::test]
async fn a_redirect_to_a_name_answering_a_private_address_is_refused() {
    let internal = Internal::start().await;
    let feed = redirecting(
        StatusCode::FOUND,
        internal.url_named("intranet.example.test"),
    )
    .await;
    let s = setup(
        &format!("url = \"http://{feed}/feed\""),
        fetcher(&[("intranet.example.test", &[INTERNAL])]),
    );

    let message = refusal(&s.poll().await);
    assert!(message.contains("redirect to"), "{message}");
    assert!(
        message.contains("intranet.example.test resolves to 127.0.0.2"),
        "{message}"
    );
    assert_eq!(internal.hits(), 0);
}

#[tokio::test]
async fn a_public_name_answering_a_public_address_is_fetched() {
    // The control for the refusals above: the overrides do answer names.
    let feed = redirecting(StatusCode::FOUND, String::new()).await;
    let s = setup(
        &format!("url = \"http://feeds.example.test:{}/story\"", feed.port()),
        fetcher(&[("feeds.example.test", &[PUBLIC])]),
    );
    let outcome = s.poll().await;
    assert!(matches!(outcome, PollOutcome::Stored { .. }), "{outcome:?}");
    assert_eq!(s.titles().await, ["public story"]);
}

#[tokio::test]
async fn a_redirect_to_a_file_is_refused_saying_so() {
    let feed = redirecting(StatusCode::FOUND, "file:///etc/passwd".into()).await;
    let name = SourceName::new("news").unwrap();
    // Even a source allowed everywhere on the network reads no local files.
    let origin = Origin {
        source: &name,
        configured: None,
        allow_private: true,
        http: &NO_HTTP_OPTIONS,
    };
    let target = Target::Http(format!("http://{feed}/feed").parse().unwrap());
    let err = fetcher(&[])
        .fetch(&target, &Validators::default(), origin)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::RedirectScheme(_)), "{err}");
    let message = err.to_string();
    assert!(message.contains("file:///etc/passwd"), "{message}");
    assert!(message.contains("only http and https"), "{message}");
}
