//! `MIZAN_ADMIN_TOKEN`: a new store's first admin token, as the README's two
//! commands use it; ignored once the store has a token; refused when short.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::process::Child;

use common::{examples, fresh_db, listening, refused, root, server};

fn launch_with(db: &str, token: &str) -> (Child, String) {
    listening(server(&root().join("rules"), db).env("MIZAN_ADMIN_TOKEN", token))
}

fn put_fahr(base: &str, token: &str) -> u16 {
    let body = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
    reqwest::blocking::Client::new()
        .put(format!(
            "{base}/cycles/uae-integration-2018/entities/fahr/submission"
        ))
        .bearer_auth(token)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn the_first_admin_token_comes_from_the_environment_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path());
    let first = "local-try-out-token";

    let (mut child, base) = launch_with(&db, first);
    assert_eq!(put_fahr(&base, first), 201);
    assert_eq!(put_fahr(&base, "some-other-token-of-length"), 401);
    child.kill().unwrap();
    child.wait().unwrap();

    // The store has a token now: another MIZAN_ADMIN_TOKEN gives nothing.
    let second = "a-second-token-that-is-long";
    let (mut child, base) = launch_with(&db, second);
    assert_eq!(put_fahr(&base, second), 401);
    assert_eq!(put_fahr(&base, first), 201);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_short_admin_token_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path());
    let err = refused(server(&root().join("rules"), &db).env("MIZAN_ADMIN_TOKEN", "short"));
    assert!(
        err.contains("MIZAN_ADMIN_TOKEN must be at least 16 printable ASCII characters"),
        "{err}"
    );
}
