//! Watched dump folders, end to end: `syndic run` as a child process with
//! a text source polled hourly, and the time from a dump file's write
//! completing to its headline appearing in the output's JSON Feed.
//!
//! `cargo bench --bench watch` writes 20 files, one at a time; pass a
//! count to choose (`cargo bench --bench watch -- 50`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(30);

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("dumps")).expect("dumps folder");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let config = dir.path().join("feeds.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\nlisten = \"127.0.0.1:{port}\"\ndatabase = \"syndic.db\"\n\
             [[source]]\nname = \"desk\"\nkind = \"text\"\npath = \"dumps/*.txt\"\ninterval = \"1h\"\n\
             [[output]]\nname = \"news\"\nsources = [\"desk\"]\nlimit = 1000\n"
        ),
    )
    .expect("config written");
    let mut daemon = Daemon(
        Command::new(env!("CARGO_BIN_EXE_syndic"))
            .arg("--config")
            .arg(&config)
            .arg("run")
            .env("SYNDIC_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the daemon starts"),
    );
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let url = format!("http://127.0.0.1:{port}/feeds/news.json");
    let mut delays = runtime.block_on(async {
        wait_for(&url, 0).await;
        let mut delays = Vec::new();
        for i in 0..n {
            let path = dir.path().join(format!("dumps/{i:03}.txt"));
            std::fs::write(
                &path,
                format!("Harbour Ferry Returns For Trip Number {i}\n"),
            )
            .expect("dump written");
            let written = Instant::now();
            wait_for(&url, i + 1).await;
            delays.push(written.elapsed());
        }
        delays
    });
    daemon.stop();
    delays.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "watch latency over {n} files (write done → in /feeds/news.json): median {:.0} ms, max {:.0} ms",
        ms(delays[delays.len() / 2]),
        ms(delays[delays.len() - 1])
    );
}

/// Waits until the output holds `items` items, asking every 5 ms.
async fn wait_for(url: &str, items: usize) {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if count(url).await == Some(items) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the output never held {items} items");
}

async fn count(url: &str) -> Option<usize> {
    let body = reqwest::get(url).await.ok()?.text().await.ok()?;
    let feed: serde_json::Value = serde_json::from_str(&body).ok()?;
    feed["items"].as_array().map(Vec::len)
}

/// Killed when the bench ends, however it ends.
struct Daemon(Child);

impl Daemon {
    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}
