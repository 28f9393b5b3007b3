//! Headless Chromium (Debian's `chromium`, which `.ci/install-chromium`
//! installs) for the suites that check what a browser makes of a page.

use std::path::Path;
use std::time::Duration;

/// Whether a missing browser fails the test rather than skipping it.
pub fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

pub fn present() -> bool {
    std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// True when the browser is there; otherwise says why the test is
/// skipped, or fails it under CI.
pub fn available() -> bool {
    if present() {
        return true;
    }
    assert!(
        !required(),
        "CI needs chromium for this test: run .ci/install-chromium"
    );
    println!("skipped: no chromium on PATH (run .ci/install-chromium)");
    false
}

/// Headless Chromium with its own profile in `profile`, quiet and without
/// traffic of its own, with `args` (what to do) and `url` last.
pub async fn run(profile: &Path, args: &[&str], url: &str) -> std::process::Output {
    let run = tokio::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .args(args)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("chromium finishes within two minutes")
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The page at `url` as the browser's DOM once it is idle.
pub async fn dom(profile: &Path, url: &str) -> String {
    let out = run(profile, &["--virtual-time-budget=5000", "--dump-dom"], url).await;
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A PNG screenshot of `url` written to `png`; returns its bytes.
pub async fn screenshot(profile: &Path, url: &str, png: &Path) -> Vec<u8> {
    let target = format!("--screenshot={}", png.display());
    run(
        profile,
        &[
            "--virtual-time-budget=5000",
            "--window-size=1200,900",
            &target,
        ],
        url,
    )
    .await;
    std::fs::read(png).expect("chromium wrote the screenshot")
}
