//! `syndic run` as a real process: it polls a loopback server on its own
//! schedule, serves what it stored, reloads on SIGHUP (keeping the old
//! config when the new one is broken), and stops cleanly on SIGTERM.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::routing::get;
use syndic::store::{ItemQuery, Store};

use crate::support::daemon::{free_port, Daemon};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/daemon");

/// Serves the fixture feeds on an ephemeral loopback port.
async fn fixture_server() -> SocketAddr {
    let file = |name: &'static str| {
        get(move || async move {
            let body = std::fs::read(Path::new(FIXTURES).join(name)).unwrap_or_default();
            ([("content-type", "application/xml")], body)
        })
    };
    let app = axum::Router::new()
        .route("/first.rss", file("first.rss"))
        .route("/second.atom", file("second.atom"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Writes `text` as the config in `dir` and starts the daemon on it.
fn start(dir: &Path, text: &str, port: u16) -> (Daemon, PathBuf) {
    let config = dir.join("feeds.toml");
    std::fs::write(&config, text).unwrap();
    (Daemon::start(&config, port), config)
}

fn config(port: u16, fixtures: SocketAddr, with_second: bool) -> String {
    let mut text = format!(
        "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"state/syndic.db\"\n\n\
         [[source]]\nname = \"harbour\"\nurl = \"http://{fixtures}/first.rss\"\ninterval = \"1m\"\ntags = [\"local\"]\n\n"
    );
    if with_second {
        text.push_str(&format!(
            "[[source]]\nname = \"valley\"\nurl = \"http://{fixtures}/second.atom\"\ntags = [\"local\"]\n\n"
        ));
    }
    text.push_str("[[output]]\nname = \"local\"\ntags = [\"local\"]\n");
    text
}

fn stored_items(dir: &Path) -> usize {
    let store = Store::open(&dir.join("state/syndic.db")).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    store
        .items(&ItemQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_serves_reloads_and_stops_cleanly() {
    let fixtures = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut daemon, config_file) = start(dir.path(), &config(port, fixtures, false), port);

    daemon.wait_for_items("local", 2).await;
    assert_eq!(daemon.get("/healthz").await.map(|r| r.0), Some(200));

    // A valid new config: the new source is polled without a restart.
    std::fs::write(&config_file, config(port, fixtures, true)).unwrap();
    daemon.signal("HUP");
    daemon.wait_for_items("local", 3).await;

    // A broken config is logged with its line; the old one keeps running.
    std::fs::write(&config_file, "[daemon]\nlisten = 8080\n").unwrap();
    daemon.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !daemon.log().contains("feeds.toml:2:") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        daemon.log().contains("feeds.toml:2:"),
        "log:\n{}",
        daemon.log()
    );
    assert_eq!(daemon.item_count("local").await, Some(3), "still serving");

    daemon.signal("TERM");
    assert_eq!(daemon.wait_exit(Duration::from_secs(15)), Some(0));
    assert_eq!(stored_items(dir.path()), 3);
    let log = daemon.log();
    assert!(
        log.contains("harbour") && log.contains("valley"),
        "one line per fetch:\n{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_nothing_committed_and_the_next_start_recovers() {
    let fixtures = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut daemon, _) = start(dir.path(), &config(port, fixtures, true), port);
    daemon.wait_for_items("local", 3).await;

    daemon.signal("KILL");
    assert_eq!(
        daemon.wait_exit(Duration::from_secs(5)),
        None,
        "killed by a signal"
    );
    assert_eq!(
        stored_items(dir.path()),
        3,
        "committed items survive kill -9"
    );

    let port = free_port();
    let (mut restarted, _) = start(dir.path(), &config(port, fixtures, true), port);
    restarted.wait_for_items("local", 3).await;
    restarted.signal("TERM");
    assert_eq!(restarted.wait_exit(Duration::from_secs(15)), Some(0));
    assert_eq!(stored_items(dir.path()), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_daemon_while_a_client_holds_half_a_request() {
    use tokio::io::AsyncWriteExt;
    let fixtures = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut daemon, _) = start(dir.path(), &config(port, fixtures, false), port);
    daemon.wait_for_items("local", 2).await;

    // A request line and one header, then silence: the connection stays
    // open with a request the server is still reading.
    let mut half = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    half.write_all(b"GET /feeds/local.rss HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // And an idle keep-alive connection after a whole request.
    let mut idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    daemon.signal("TERM");
    // Scheduler and server each bound their drain (5 s and 3 s, run side by
    // side); before, the server waited for the half request for ever.
    assert_eq!(daemon.wait_exit(Duration::from_secs(8)), Some(0));
    let log = daemon.log();
    assert!(log.contains("stopped"), "the checkpoint ran:\n{log}");
    drop((half, idle));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_are_refused_at_once_and_counted() {
    use tokio::io::AsyncReadExt;
    let fixtures = fixture_server().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let text =
        config(port, fixtures, false).replace("[daemon]\n", "[daemon]\nmax_connections = 3\n");
    assert!(text.contains("max_connections = 3"), "{text}");
    let (daemon, _) = start(dir.path(), &text, port);
    daemon.wait_for_items("local", 2).await;

    // Six idle clients against a cap of three: at least three are told
    // 503 at once (more if a connection of the client above lingers).
    let mut clients = Vec::new();
    for _ in 0..6 {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port));
        clients.push(tcp.await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut refused = 0;
    for client in &mut clients {
        let mut answer = String::new();
        let read = client.read_to_string(&mut answer);
        if tokio::time::timeout(Duration::from_millis(300), read)
            .await
            .is_ok()
        {
            assert!(answer.starts_with("HTTP/1.1 503"), "{answer:?}");
            refused += 1;
        }
    }
    assert!(refused >= 3, "{refused} refused; log:\n{}", daemon.log());
    let idle = clients;
    drop(idle);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, metrics) = daemon.get("/metrics").await.unwrap();
    assert_eq!(status, 200);
    let counted = metrics
        .lines()
        .find_map(|l| l.strip_prefix("syndic_http_connections_refused_total "))
        .and_then(|n| n.parse::<usize>().ok());
    // Every refusal seen above is counted (a slow read may have missed one).
    assert!(counted.is_some_and(|n| n >= refused), "{metrics}");
}
