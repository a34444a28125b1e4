//! SIGHUP loads the rules again: a new version appears, a broken tree
//! leaves the previous one in place, and the server keeps answering.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use std::time::Duration;

fn hup(pid: u32) {
    let st = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

fn wait_for(s: &Server, tok: &str, path: &str, want: u16) -> bool {
    for _ in 0..50 {
        if s.get(tok, path).status().as_u16() == want {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn sighup_reloads_the_rules_and_keeps_them_on_errors() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("uae/integration");
    std::fs::create_dir_all(&d).unwrap();
    let src = std::fs::read_to_string(root().join("rules/uae/integration/2018.mizan")).unwrap();
    std::fs::write(d.join("2018.mizan"), &src).unwrap();
    let s = Server::start_with(t.path().to_path_buf());
    let tok = s.token(&["--role", "admin"]);
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2019").status(), 404);
    std::fs::write(
        d.join("2019.mizan"),
        src.replacen("version \"2018\"", "version \"2019\"", 1),
    )
    .unwrap();
    hup(s.child.id());
    assert!(wait_for(&s, &tok, "/rubrics/uae.integration/2019", 200));
    // A broken file: the previous tree stays.
    std::fs::write(d.join("2020.mizan"), "rubric nonsense").unwrap();
    hup(s.child.id());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2019").status(), 200);
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2018").status(), 200);
    assert_eq!(s.http.get(s.url("/readyz")).send().unwrap().status(), 200);
}
