//! A real PostgreSQL server for the suites that need one: one throwaway
//! cluster per test process, started from Debian's server binaries (which
//! `.ci/install-postgres` installs) in a temp dir on an ephemeral loopback
//! port, and a fresh database for each test that asks.
//!
//! The cluster outlives no test process: a watcher started beside the
//! server stops it and deletes its files once the process that started it
//! has gone, since a test binary never runs the destructors of statics.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The role every test connects as; the cluster trusts loopback clients,
/// so a password given in a test is accepted and not checked.
pub const USER: &str = "syndic";

/// The user the server runs as when the tests run as root, which
/// PostgreSQL refuses to be.
const UNPRIVILEGED: &str = "nobody";

pub struct Cluster {
    bindir: PathBuf,
    port: u16,
}

impl Cluster {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A database of its own for one test, as a `postgres://` URL
    /// without a password.
    pub fn fresh_database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let made = Command::new(self.bindir.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER])
            .arg(&name)
            .output()
            .expect("createdb runs");
        assert!(
            made.status.success(),
            "createdb {name}: {}",
            String::from_utf8_lossy(&made.stderr)
        );
        self.url(&name)
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs one SQL statement with `psql` on `url`, for checks that should
    /// not go through syndic's own store code; returns its unaligned output.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let out = Command::new(self.bindir.join("psql"))
            .args([
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                url,
                "-c",
                sql,
            ])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// Whether a missing PostgreSQL fails the test rather than skipping it.
fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

/// The cluster, started on first use; `None` (with a loud line saying why)
/// when PostgreSQL is not installed outside CI. Under CI a missing server
/// fails the test, and so does a server that is installed but will not start.
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER.get_or_init(start).as_ref()
}

fn start() -> Option<Cluster> {
    let Some(bindir) = server_binaries() else {
        assert!(
            !required(),
            "CI needs PostgreSQL for this test: run .ci/install-postgres"
        );
        eprintln!(
            "SKIPPED: PostgreSQL tests did not run: no server binaries \
             (run .ci/install-postgres)"
        );
        return None;
    };
    let data = tempfile::Builder::new()
        .prefix("syndic-pg-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let as_root = running_as_root();
    if as_root {
        run_ok(Command::new("chown").arg(UNPRIVILEGED).arg(&data));
    }
    run_ok(
        server_command(as_root, &bindir.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]),
    );
    let port = free_port();
    spawn_server_with_watcher(as_root, &bindir, &data, port);
    wait_ready(&bindir, port);
    Some(Cluster { bindir, port })
}

/// `SYNDIC_PG_BINDIR`, else the newest of Debian's installed versions.
fn server_binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SYNDIC_PG_BINDIR") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn server_command(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", UNPRIVILEGED, "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run_ok(command: &mut Command) {
    let out = command.output().expect("command runs");
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The server, and a shell beside it that stops it (fast shutdown) and
/// removes its files when this test process is gone. `/proc` is checked
/// rather than `kill -0`, which an unprivileged watcher may not send to a
/// root process.
fn spawn_server_with_watcher(as_root: bool, bindir: &Path, data: &Path, port: u16) {
    const WATCH: &str = r#"
        "$2/postgres" -D "$3" -p "$4" -k "$3" -h 127.0.0.1 \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
            -c max_connections=300 -c shared_buffers=64MB >"$3/server.log" 2>&1 &
        server=$!
        while [ -d "/proc/$1" ] && kill -0 "$server" 2>/dev/null; do sleep 1; done
        kill -INT "$server" 2>/dev/null
        wait "$server"
        rm -rf "$3"
    "#;
    let mut watcher = server_command(as_root, Path::new("sh"))
        .args(["-c", WATCH, "watch"])
        .arg(std::process::id().to_string())
        .arg(bindir)
        .arg(data)
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the PostgreSQL server starts");
    // Reaped if it ends first (the server died); otherwise it outlives us.
    std::thread::spawn(move || watcher.wait());
}

fn wait_ready(bindir: &Path, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = Command::new(bindir.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string(), "-U", USER])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "PostgreSQL did not answer on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
