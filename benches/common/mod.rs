//! What the polling benchmarks share: feeds served by a child process of
//! the benchmark itself, so the peak memory measured is the poller's alone.
#![allow(dead_code)]

pub mod realistic;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// The highest resident memory of this process so far, in MB.
pub fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// A child process of this benchmark (its own binary, run with `args`)
/// that reports on its first line.
pub struct Child {
    child: std::process::Child,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Child {
    pub fn start(args: &[&str]) -> Child {
        let exe = std::env::current_exe().expect("own path");
        let mut child = Command::new(exe)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("child starts");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Child { child, stdout }
    }

    pub fn first_line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("child reports");
        line.trim().to_string()
    }

    pub fn wait(&mut self) {
        let _ = self.child.wait();
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        self.wait();
    }
}

/// Serves `app` on an ephemeral loopback port until killed, printing the
/// port as its first line.
pub fn serve_on_loopback(app: axum::Router) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        println!("{port}");
        std::io::stdout().flush().expect("report the port");
        axum::serve(listener, app).await.expect("serve");
    });
}

/// CPU time this process has used so far (user + system), in seconds.
pub fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}
