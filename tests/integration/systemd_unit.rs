//! The shipped unit file passes `systemd-analyze verify` where systemd is
//! installed.

use std::process::Command;

#[test]
fn unit_file_verifies() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/systemd/syndic.service"
    ))
    .expect("unit file shipped");
    for key in [
        "Type=notify",
        "ExecReload=",
        "Restart=on-failure",
        "DynamicUser=yes",
        "StateDirectory=syndic",
        "ProtectSystem=strict",
        "WatchdogSec=",
        "EnvironmentFile=",
    ] {
        assert!(unit.contains(key), "unit lacks {key}");
    }
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("systemd-analyze not installed: skipping verify");
        return;
    }
    // verify insists that ExecStart exists, so point it at the test binary.
    let dir = tempfile::tempdir().unwrap();
    let local = unit.replace("/usr/local/bin/syndic", env!("CARGO_BIN_EXE_syndic"));
    let path = dir.path().join("syndic.service");
    std::fs::write(&path, local).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("syndic.service"),
        "{stderr}"
    );
}
