//! `syndic run` as a child process, for the suites that drive the daemon
//! through signals and HTTP.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_syndic");

/// How long a wait for the daemon may take before the test fails; long,
/// so a machine busy with other builds does not fail the test.
const PATIENCE: Duration = Duration::from_secs(30);

pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
    pub port: u16,
}

impl Daemon {
    /// Runs the daemon on `config`, serving on `port`.
    pub fn start(config: &Path, port: u16) -> Daemon {
        Self::spawn(Command::new(BIN), config, port)
    }

    /// Runs `command` (the binary, or a wrapper that runs it) with the
    /// daemon's arguments, its log in a file beside the config.
    pub fn spawn(mut command: Command, config: &Path, port: u16) -> Daemon {
        let log = config.with_file_name(format!("daemon-{port}.log"));
        let child = command
            .arg("--config")
            .arg(config)
            .arg("run")
            .env("SYNDIC_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("daemon starts");
        Daemon { child, log, port }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn get(&self, path: &str) -> Option<(u16, String)> {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let response = reqwest::get(url).await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.text().await.ok()?))
    }

    /// Waits until `done` holds of the log.
    pub async fn wait_for_log(&self, what: &str, done: impl Fn(&str) -> bool) {
        self.wait_until(what, || async { done(&self.log()) }).await;
    }

    pub async fn wait_serving(&self) {
        let healthy = || async { self.get("/healthz").await.map(|r| r.0) == Some(200) };
        self.wait_until("the daemon serving", healthy).await;
    }

    /// Waits until `output`'s JSON Feed has `n` items.
    pub async fn wait_for_items(&self, output: &str, n: usize) {
        let what = format!("output {output} with {n} items");
        let counted = || async { self.item_count(output).await == Some(n) };
        self.wait_until(&what, counted).await;
    }

    /// Number of items in an output's JSON Feed, once it answers.
    pub async fn item_count(&self, output: &str) -> Option<usize> {
        let (status, body) = self.get(&format!("/feeds/{output}.json")).await?;
        if status != 200 {
            return None;
        }
        let feed: serde_json::Value = serde_json::from_str(&body).ok()?;
        feed["items"].as_array().map(Vec::len)
    }

    async fn wait_until<F: std::future::Future<Output = bool>>(
        &self,
        what: &str,
        mut done: impl FnMut() -> F,
    ) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if done().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never saw {what}; log:\n{}", self.log());
    }

    /// SIGTERM, and the exit code once it has stopped.
    pub fn stop(&mut self) -> Option<i32> {
        self.signal("TERM");
        self.wait_exit(Duration::from_secs(15))
    }

    pub fn wait_exit(&mut self, within: Duration) -> Option<i32> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("daemon did not exit in {within:?}; log:\n{}", self.log());
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port free at the moment of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
