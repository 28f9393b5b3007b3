//! The one-shot commands on a PostgreSQL store, run as processes: a
//! folder of dumps polled in, then read back by `items`, `sources` and
//! `render`, as they are on SQLite.

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
