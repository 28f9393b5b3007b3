//! Watched dump folders, through the daemon: with an interval of an hour,
//! only the folder's watch can bring a new file in; it does, a changed
//! file is read again, a file written in two spells is read once, and a
//! deleted file takes nothing stored with it.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::support::daemon::{free_port, Daemon};

fn start(dir: &Path) -> Daemon {
    std::fs::create_dir(dir.join("dumps")).unwrap();
    let port = free_port();
    let config = dir.join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\n\
             [[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\ninterval = \"1h\"\n\
             [[output]]\nname = \"news\"\nsources = [\"desk\"]\n"
        ),
    )
    .unwrap();
    Daemon::start(&config, port)
}

/// Waits for the start-up poll, which finds the folder empty, so what
/// comes in after is the watch's doing.
async fn started(dir: &Path) -> Daemon {
    let daemon = start(dir);
    daemon.wait_serving().await;
    daemon
        .wait_for_log("the first poll of desk", |log| {
            plain(log)
                .lines()
                .any(|l| l.contains("source=\"desk\"") && l.contains("fetched"))
        })
        .await;
    daemon
}

/// The log without its colours.
fn plain(log: &str) -> String {
    let mut out = String::with_capacity(log.len());
    let mut rest = log;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        rest = after.find('m').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// The stored items' titles, newest first.
async fn titles(daemon: &Daemon) -> Vec<String> {
    let (_, body) = daemon.get("/feeds/news.json").await.unwrap();
    let feed: serde_json::Value = serde_json::from_str(&body).unwrap();
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

const FIRST: &str = "Harbour Ferry Returns After Winter Break\n\
Council Opens New Riverside Library\n\
Storm Warning Lifted Across the Valley\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_written_into_the_folder_is_read_without_waiting_for_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = started(dir.path()).await;
    std::fs::write(dir.path().join("dumps/monday.txt"), FIRST).unwrap();
    daemon.wait_for_items("news", 3).await;

    // Changed in place: read again.
    let more = format!("{FIRST}Bakery Wins Regional Bread Award\n");
    std::fs::write(dir.path().join("dumps/monday.txt"), more).unwrap();
    daemon.wait_for_items("news", 4).await;

    // Deleted: what it brought stays. A second file shows the folder was
    // looked at again since.
    std::fs::remove_file(dir.path().join("dumps/monday.txt")).unwrap();
    std::fs::write(
        dir.path().join("dumps/tuesday.txt"),
        "Night Trains Return to the Coast Line\n",
    )
    .unwrap();
    daemon.wait_for_items("news", 5).await;
    let titles = titles(&daemon).await;
    assert!(titles.contains(&"Bakery Wins Regional Bread Award".to_string()));
    assert!(titles.contains(&"Harbour Ferry Returns After Winter Break".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_written_in_two_spells_is_read_once_whole() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = started(dir.path()).await;
    let path = dir.path().join("dumps/slow.txt");
    {
        let mut file = std::fs::File::create(&path).unwrap();
        let (head, tail) = FIRST.split_at(FIRST.find("Storm").unwrap());
        file.write_all(head.as_bytes()).unwrap();
        file.flush().unwrap();
        // A writer pausing mid-file, the file still open.
        tokio::time::sleep(Duration::from_millis(300)).await;
        file.write_all(tail.as_bytes()).unwrap();
    }
    daemon.wait_for_items("news", 3).await;
    let reads: Vec<String> = plain(&daemon.log())
        .lines()
        .filter(|l| l.contains("source=\"desk\"") && l.contains("new="))
        .map(str::to_string)
        .collect();
    assert_eq!(reads.len(), 1, "{reads:#?}");
    assert!(reads[0].contains("new=3"), "{reads:#?}");
}
