//! syndic on a PostgreSQL store, run as processes: the one-shot commands
//! (a folder of dumps polled in, read back by `items`, `sources` and
//! `render`), and the daemon polling a loopback feed and serving it,
//! noticing what another process stored.

use std::path::Path;

use axum::routing::get;

use crate::support::daemon::{free_port, Daemon};
use crate::support::{postgres, syndic};

const DUMP: &str = "Title: Harbour reopens after storm\n\n\
    The harbour reopened on Monday after a week of repairs to the sea wall, officials said.\n\
    Fishing boats were the first to return, followed by the ferry to the islands.\n";

#[test]
fn poll_items_sources_and_render_work_on_postgres() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dumps")).unwrap();
    std::fs::write(dir.path().join("dumps/monday.txt"), DUMP).unwrap();
    let url = cluster.fresh_database();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"{url}\"\n\
             [[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\n\
             [[output]]\nname = \"front\"\nsources = [\"desk\"]\n"
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = syndic(&config, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&["check"]).contains(&url));
    run(&["poll", "--all"]);
    assert_eq!(cluster.psql(&url, "SELECT count(*) FROM items"), "1");
    run(&["poll", "--all"]);
    assert_eq!(
        cluster.psql(&url, "SELECT count(*) FROM items"),
        "1",
        "idempotent"
    );

    let items: serde_json::Value = serde_json::from_str(&run(&["items", "--json"])).unwrap();
    assert_eq!(items[0]["title"], "Harbour reopens after storm");
    assert!(run(&["sources"]).contains("desk"));
    let atom = run(&["render", "front", "--format", "atom"]);
    let feed = feed_rs::parser::parse(atom.as_bytes()).unwrap();
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(
        feed.entries[0].title.as_ref().unwrap().content,
        "Harbour reopens after storm"
    );
}

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/daemon");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_polls_into_postgres_and_serves_what_others_store() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let feed = get(|| async {
        let body = std::fs::read(Path::new(FIXTURES).join("first.rss")).unwrap_or_default();
        ([("content-type", "application/xml")], body)
    });
    let fixtures = crate::support::serve(axum::Router::new().route("/first.rss", feed)).await;
    let dir = tempfile::tempdir().unwrap();
    let url = cluster.fresh_database();
    let port = free_port();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"{url}\"\n\
             [[source]]\nname = \"harbour\"\nurl = \"http://{fixtures}/first.rss\"\ntags = [\"local\"]\n\
             [[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\ntags = [\"local\"]\n\
             [[output]]\nname = \"local\"\ntags = [\"local\"]\n"
        ),
    )
    .unwrap();
    let mut daemon = Daemon::start(&config, port);
    daemon.wait_serving().await;
    daemon.wait_for_items("local", 2).await;

    let dump = dir.path().join("monday.txt");
    std::fs::write(&dump, DUMP).unwrap();
    let imported = syndic(
        &config,
        &["import", "--source", "desk", dump.to_str().unwrap()],
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    daemon.wait_for_items("local", 3).await;
    assert_eq!(daemon.stop(), Some(0), "{}", daemon.log());
}
