//! `mizan serve` runs `mizan-server` from beside the executable or from
//! PATH (in its place, on Unix), and says how to install it when it is
//! neither.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::process::Command;
use std::sync::Mutex;

/// The tests of this file copy `mizan` and run the copy: one at a time, or
/// one test's fork can hold the other's copy open for writing when it is
/// run ("Text file busy", ETXTBSY).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn a_missing_server_is_an_error_with_the_install_command() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("mizan");
    std::fs::copy(env!("CARGO_BIN_EXE_mizan"), &exe).unwrap();
    let out = Command::new(&exe).arg("serve").env("PATH", "").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("`mizan-server` is not installed"), "{err}");
    assert!(err.contains("cargo install --path crates/mizan-server"), "{err}");
    let out = Command::new(&exe)
        .args(["--lang", "ar", "serve"])
        .env("PATH", "")
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stderr).unwrap().contains("غير مثبت"));
}

#[cfg(unix)]
#[test]
fn the_server_beside_the_executable_runs_with_the_arguments_and_its_exit_code() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("mizan");
    std::fs::copy(env!("CARGO_BIN_EXE_mizan"), &exe).unwrap();
    let fake = dir.path().join("mizan-server");
    std::fs::write(&fake, "#!/bin/sh\necho \"server $*\"\nexit 3\n").unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(&exe)
        .args(["serve", "--rules", "rules", "--db", "sqlite:x.db"])
        .env("PATH", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "server --rules rules --db sqlite:x.db\n"
    );
}
