//! Several processes on one database: a second daemon is refused at once,
//! `import` and `poll` beside a polling daemon never fail on the write
//! lock, read-only commands read a database they cannot write, and a
//! daemon that cannot write serves what it has until it can.

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use syndic::store::Store;

use crate::support::daemon::{free_port, Daemon, BIN};
use crate::support::{serve, syndic};

/// RSS for feed `n`: `items` entries, all new at every request, so every
/// poll of it writes.
fn changing_feed(n: usize, request: usize, items: usize) -> String {
    let entries: String = (0..items)
        .map(|k| {
            format!(
                "<item><title>Feed {n} round {request} story {k}</title>\
                 <guid>f{n}-r{request}-s{k}</guid><link>http://example.com/{n}/{request}/{k}</link>\
                 <description>Story {k} of round {request}, long enough to make the row real.</description></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {n}</title>{entries}</channel></rss>")
}

/// Serves `/feed/{n}.rss` for any `n`, each request with new items.
async fn feed_server(items: usize) -> SocketAddr {
    let requests = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/feed/{name}",
        axum::routing::get(
            move |axum::extract::Path(name): axum::extract::Path<String>| {
                let request = requests.fetch_add(1, Ordering::SeqCst);
                let n: usize = name.trim_end_matches(".rss").parse().unwrap_or(0);
                async move {
                    (
                        [("content-type", "application/rss+xml")],
                        changing_feed(n, request, items),
                    )
                }
            },
        ),
    );
    serve(app).await
}

/// A config with `feeds` feed sources on `server`, an output over them,
/// and a text source `notes` reading `dumps/*.txt`.
fn config(port: u16, server: SocketAddr, feeds: usize) -> String {
    let mut text = format!(
        "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"state/syndic.db\"\n\n\
         [[source]]\nname = \"notes\"\nkind = \"text\"\npath = \"dumps/*.txt\"\ntags = [\"all\"]\n\n"
    );
    for n in 0..feeds {
        text.push_str(&format!(
            "[[source]]\nname = \"feed{n}\"\nurl = \"http://{server}/feed/{n}.rss\"\ntags = [\"all\"]\n\n"
        ));
    }
    text.push_str("[[output]]\nname = \"all\"\ntags = [\"all\"]\nlimit = 1000\n");
    text
}

fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir.join("dumps")).unwrap();
    std::fs::write(
        dir.join("dumps/first.txt"),
        "Title: The first note\n\nA note kept in the folder, read by the daemon.\n",
    )
    .unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Closes the database as a clean exit leaves it: the last connection to
/// close folds the write-ahead log in and removes the -wal and -shm files.
fn close_cleanly(database: &Path) {
    drop(Store::open(database).unwrap());
}

fn assert_intact(database: &Path) {
    let store = Store::open_reader(database).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_daemon_on_one_database_is_refused_at_once_naming_the_first() {
    let server = feed_server(2).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let first = write_config(dir.path(), "feeds.toml", &config(port, server, 1));
    let mut daemon = Daemon::start(&first, port);
    daemon.wait_serving().await;

    // Another config, another port, the same database file.
    let other_port = free_port();
    let second = write_config(dir.path(), "other.toml", &config(other_port, server, 1));
    let started = Instant::now();
    let refused = Command::new(BIN)
        .arg("--config")
        .arg(&second)
        .arg("run")
        .env("SYNDIC_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused at once"
    );
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains(&dir.path().join("state/syndic.db").display().to_string())
            && stderr.contains("another syndic daemon")
            && stderr.contains(&format!("pid {}", daemon.child.id())),
        "{stderr}"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", other_port)).is_err(),
        "the second daemon never listened"
    );

    assert_eq!(daemon.get("/healthz").await.map(|r| r.0), Some(200));
    assert_eq!(daemon.stop(), Some(0));
    // The lock went with the first daemon: the second one starts now.
    let mut again = Daemon::start(&second, other_port);
    again.wait_serving().await;
    assert_eq!(again.stop(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_and_polls_beside_a_polling_daemon_never_fail() {
    const FEEDS: usize = 24;
    const IMPORTS: usize = 12;
    const POLLS: usize = 3;
    let server = feed_server(40).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_config(dir.path(), "feeds.toml", &config(port, server, FEEDS));
    for i in 0..IMPORTS {
        let body: String = (0..30)
            .map(|k| format!("Headline {k} of import {i} about the harbour works\n"))
            .collect();
        std::fs::write(dir.path().join(format!("import-{i}.txt")), body).unwrap();
    }

    // The daemon polls every source at start while imports and polls run
    // beside it, each writing from its own process.
    let mut daemon = Daemon::start(&config, port);
    let importer = {
        let (config, dir) = (config.clone(), dir.path().to_path_buf());
        std::thread::spawn(move || {
            (0..IMPORTS)
                .map(|i| {
                    let file = dir.join(format!("import-{i}.txt"));
                    let file = file.to_str().unwrap();
                    syndic(&config, &["import", "--source", "notes", file])
                })
                .collect::<Vec<_>>()
        })
    };
    // The polls name half the feeds: the other half is the daemon's alone,
    // so it has work however slowly it starts on a loaded machine.
    let poller = {
        let config = config.clone();
        std::thread::spawn(move || {
            let evens: Vec<String> = (0..FEEDS).step_by(2).map(|n| format!("feed{n}")).collect();
            let mut args = vec!["poll"];
            args.extend(evens.iter().map(String::as_str));
            (0..POLLS)
                .map(|_| syndic(&config, &args))
                .collect::<Vec<_>>()
        })
    };
    for (what, runs) in [
        ("import", importer.join().unwrap()),
        ("poll", poller.join().unwrap()),
    ] {
        for run in runs {
            assert!(
                run.status.success(),
                "{what} failed: {}{}",
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            );
        }
    }

    // The daemon polled beside them, and no poll of any of the three kinds
    // failed.
    daemon
        .wait_for_log("the daemon's polls", |log| log.contains("fetched"))
        .await;
    assert_eq!(daemon.stop(), Some(0));
    let log = daemon.log();
    assert!(!log.contains("fetch failed"), "log:\n{log}");
    assert!(!log.contains("locked"), "log:\n{log}");
    let sources = syndic(&config, &["sources", "--json"]);
    let sources: serde_json::Value = serde_json::from_slice(&sources.stdout).unwrap();
    let sources = sources.as_array().unwrap();
    assert_eq!(sources.len(), FEEDS + 1);
    for source in sources {
        assert_eq!(source["failures"], 0, "{source}");
    }
    assert_intact(&dir.path().join("state/syndic.db"));
}

/// Runs the binary as someone a read-only file really stops: the caller
/// if it is unprivileged, else the `nobody` user (root writes regardless
/// of permissions).
fn as_unprivileged(config: &Path, probe_dir: &Path, args: &[&str]) -> std::process::Output {
    let mut command = Command::new(BIN);
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .env("SYNDIC_LOG", "warn");
    let probe = probe_dir.join("probe");
    if std::fs::write(&probe, "").is_ok() {
        std::fs::remove_file(&probe).unwrap();
        command.uid(65534).gid(65534);
    }
    command.output().expect("binary runs")
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_read_a_database_in_a_read_only_folder() {
    let server = feed_server(3).await;
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let config = write_config(dir.path(), "feeds.toml", &config(free_port(), server, 2));
    let polled = syndic(&config, &["poll", "--all"]);
    assert!(polled.status.success(), "{polled:?}");
    let state = dir.path().join("state");
    let database = state.join("syndic.db");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    chmod(&out, 0o777);

    // As `poll` left it (with or without -wal and -shm files), then as a
    // clean exit leaves it (the database alone).
    read_only_commands_work(&config, &state, &out);
    chmod(&state, 0o755);
    close_cleanly(&database);
    assert_eq!(names(&files(&state)), ["syndic.db"]);
    read_only_commands_work(&config, &state, &out);
    chmod(&state, 0o755);
}

fn names(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    files.iter().map(|(name, _)| name.as_str()).collect()
}

/// Each file in `dir` with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// Makes `state` and its files read-only, runs every read-only command as
/// someone that really stops, and checks nothing in `state` changed.
fn read_only_commands_work(config: &Path, state: &Path, out: &Path) {
    let before = files(state);
    for (name, _) in &before {
        chmod(&state.join(name), 0o444);
    }
    chmod(state, 0o555);
    let out_arg = out.to_str().unwrap();
    let commands: [&[&str]; 6] = [
        &["items", "--limit", "100"],
        &["items", "--json"],
        &["sources"],
        &["render", "all", "--format", "atom"],
        &["export", out_arg],
        &["opml", "export"],
    ];
    for args in commands {
        let run = as_unprivileged(config, state, args);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        if args[0] == "items" || args[0] == "render" {
            assert!(stdout.contains("Feed 1 round"), "{args:?}: {stdout}");
        }
    }
    assert!(out.join("all.json").exists());
    // Nothing was made beside the database, and not a byte changed.
    let after = files(state);
    assert_eq!(names(&after), names(&before), "no file made or removed");
    assert!(after == before, "a file in {} changed", state.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_that_cannot_write_serves_what_it_has_and_writes_once_it_can() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux prlimit is not installed");
        return;
    }
    let server = feed_server(3).await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let one = write_config(dir.path(), "feeds.toml", &config(port, server, 1));
    let polled = syndic(&one, &["poll", "--all"]);
    assert!(polled.status.success(), "{polled:?}");
    close_cleanly(&dir.path().join("state/syndic.db"));
    // A second feed, never polled: the daemon polls it at once.
    let two = write_config(dir.path(), "feeds.toml", &config(port, server, 2));

    // Files written by the daemon may not grow past 16 KiB: SQLite cannot
    // size its 32 KiB -shm file, as on a full disk. Ignoring SIGXFSZ (kept
    // across exec) makes such writes fail with EFBIG instead of killing it.
    let mut wrapper = Command::new("sh");
    wrapper.args([
        "-c",
        "trap '' XFSZ; exec prlimit --fsize=16384:unlimited -- \"$@\"",
        "sh",
        BIN,
    ]);
    let mut daemon = Daemon::spawn(wrapper, &two, port);
    daemon.wait_serving().await;
    let (status, feed) = daemon.get("/feeds/all.json").await.unwrap();
    assert_eq!(status, 200);
    assert!(
        feed.contains("Feed 0 round 0"),
        "serves what it has: {feed}"
    );
    daemon
        .wait_for_log("the new feed's failed write", |log| {
            log.contains("fetch failed") && log.contains("feed1")
        })
        .await;
    let log = daemon.log();
    assert!(log.contains("cannot write the database"), "{log}");
    assert!(log.contains("cannot be written"), "{log}");

    // The disk has room again.
    let raised = Command::new("prlimit")
        .arg("--pid")
        .arg(daemon.child.id().to_string())
        .arg("--fsize=unlimited:unlimited")
        .status()
        .unwrap();
    assert!(raised.success());
    daemon
        .wait_for_log("writes resumed", |log| {
            log.contains("the database can be written again")
        })
        .await;
    assert_eq!(daemon.stop(), Some(0), "log:\n{}", daemon.log());
    assert!(
        !daemon.log().contains("could not checkpoint"),
        "{}",
        daemon.log()
    );
    assert_intact(&dir.path().join("state/syndic.db"));
}
