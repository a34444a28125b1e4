//! The rules are loaded again on SIGHUP and when a file under `--rules`
//! changes: a new or changed version appears (its lock updated as `mizan
//! lock` does), a broken tree leaves the previous one in place, a version
//! that scored stored submissions keeps its rules, and no request is
//! dropped meanwhile.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use std::path::Path;
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
    write(t.path(), "uae/integration/2018.mizan", &uae_as("2018"));
    // Not watched: SIGHUP alone reloads.
    let s = start_exe(Path::new(BIN), &[], t.path().to_path_buf(), &["--no-watch"]);
    let tok = s.token(&["--role", "admin"]);
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2019").status(), 404);
    std::fs::write(d.join("2019.mizan"), uae_as("2019")).unwrap();
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

/// A rules tree: UAE 2018 as shipped and a 2019 copy, both locked in the
/// tree's `mizan.lock`, and a cycle pinned to 2018.
fn locked_tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "uae/integration/2018.mizan", &uae_as("2018"));
    write(t.path(), "uae/integration/2019.mizan", &uae_as("2019"));
    std::fs::copy(root().join("rules/mizan.lock"), t.path().join("mizan.lock")).unwrap();
    lock(&[t.path().join("uae/integration/2019.mizan").to_str().unwrap()]);
    write(
        t.path(),
        "cycles/uae-integration-2018.toml",
        "rubric = \"uae.integration\"\nversion = \"2018\"\n",
    );
    t
}

fn sha(s: &Server, tok: &str, version: &str) -> String {
    let v: serde_json::Value = s
        .get(tok, &format!("/rubrics/uae.integration/{version}"))
        .json()
        .unwrap();
    v["sha256"].as_str().unwrap().to_string()
}

/// `mizan_rules_reloads_total{result=…}`.
fn reloads(s: &Server, result: &str) -> u64 {
    let text = s.http.get(s.url("/metrics")).send().unwrap().text().unwrap();
    let key = format!("mizan_rules_reloads_total{{result=\"{result}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(key.as_str()))
        .unwrap()
        .parse()
        .unwrap()
}

/// Waits (bounded) for `done`.
fn until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn a_changed_rule_file_is_loaded_without_sighup_and_no_request_is_dropped() {
    let t = locked_tree();
    let d = t.path().join("uae/integration");
    let s = Server::start_with(t.path().to_path_buf());
    let tok = s.token(&["--role", "admin"]);
    let before = sha(&s, &tok, "2019");
    // Requests in a loop all along: every one answered, as expected.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let looping = {
        let (stop, http, tok) = (stop.clone(), s.http.clone(), tok.clone());
        let (eval, list) = (s.url("/rubrics/uae.integration/2018/evaluate"), s.url("/rubrics"));
        let fahr = std::fs::read_to_string(examples().join("fahr.json")).unwrap();
        std::thread::spawn(move || {
            let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let r = http
                    .post(&eval)
                    .bearer_auth(&tok)
                    .header("content-type", "application/json")
                    .body(fahr.clone())
                    .send()
                    .unwrap();
                *statuses.entry(r.status().as_u16()).or_default() += 1;
                let r = http.get(&list).bearer_auth(&tok).send().unwrap();
                *statuses.entry(r.status().as_u16()).or_default() += 1;
            }
            statuses
        })
    };
    // A weight changed, and the lock updated as `mizan lock --relock` does.
    let path = d.join("2019.mizan");
    let src = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, partial_weighs_075(&src)).unwrap();
    lock(&["--relock", path.to_str().unwrap()]);
    assert!(until(|| sha(&s, &tok, "2019") != before));
    let after = sha(&s, &tok, "2019");
    let lockfile = std::fs::read_to_string(t.path().join("mizan.lock")).unwrap();
    assert!(lockfile.contains(&after), "{after} not in\n{lockfile}");
    assert!(!lockfile.contains(&before));
    // 2018 is as it was.
    assert_eq!(
        sha(&s, &tok, "2018"),
        "dfe709f4803aef795beafb80c6ef8937868985c5537ffc972784e91d3a9c96a7"
    );
    // A broken edit: refused, the previous tree stays.
    let failed = reloads(&s, "failed");
    std::fs::write(&path, "rubric nonsense").unwrap();
    assert!(until(|| reloads(&s, "failed") > failed));
    assert_eq!(sha(&s, &tok, "2019"), after);
    // A locked file changed without its lock: refused too.
    let failed = reloads(&s, "failed");
    std::fs::write(&path, src.replacen("precision 2", "precision 3", 1)).unwrap();
    assert!(until(|| reloads(&s, "failed") > failed));
    assert_eq!(sha(&s, &tok, "2019"), after);
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2018").status(), 200);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let statuses = looping.join().unwrap();
    assert_eq!(
        statuses.keys().copied().collect::<Vec<_>>(),
        vec![200],
        "{statuses:?}"
    );
    assert!(statuses[&200] >= 2);
    assert!(reloads(&s, "ok") >= 1);
    assert_eq!(s.http.get(s.url("/readyz")).send().unwrap().status(), 200);
}

#[test]
fn a_version_that_scored_stored_submissions_keeps_its_rules() {
    let t = locked_tree();
    let d = t.path().join("uae/integration");
    let mut s = Server::start_with(t.path().to_path_buf());
    let tok = s.token(&["--role", "admin"]);
    assert_eq!(s.put_example(&tok, "fahr").status(), 201);
    let a = "dfe709f4803aef795beafb80c6ef8937868985c5537ffc972784e91d3a9c96a7";
    let entity = "/cycles/uae-integration-2018/entities/fahr";
    let before: serde_json::Value = s.get(&tok, entity).json().unwrap();
    assert_eq!(before["revisions"][0]["rubric_sha256"], a);
    let results = s
        .get(&tok, "/cycles/uae-integration-2018/results")
        .text()
        .unwrap();
    // 2018 re-released under the same version with another weight, and
    // relocked: the stored submission would be re-scored under other
    // rules, so the new tree is refused and 2018 keeps its rules.
    let path = d.join("2018.mizan");
    let src = std::fs::read_to_string(&path).unwrap();
    let failed = reloads(&s, "failed");
    std::fs::write(&path, partial_weighs_075(&src)).unwrap();
    lock(&["--relock", path.to_str().unwrap()]);
    assert!(until(|| reloads(&s, "failed") > failed));
    // Wait out the debounce: whatever the watcher saw, every load of this
    // tree is refused.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(sha(&s, &tok, "2018"), a);
    let now: serde_json::Value = s.get(&tok, entity).json().unwrap();
    assert_eq!(now, before);
    assert_eq!(
        s.get(&tok, "/cycles/uae-integration-2018/results")
            .text()
            .unwrap(),
        results
    );
    // Nor does the server start on it.
    let _ = s.child.kill();
    let _ = s.child.wait();
    let err = common::refused(&mut common::server(t.path(), &s.db));
    assert!(err.contains(a) && err.contains("never re-scored"), "{err}");
    // Restored (git checkout, and the lock as it was): it starts, and 2018
    // scores as before.
    std::fs::write(&path, &src).unwrap();
    lock(&["--relock", path.to_str().unwrap()]);
    s.restart();
    assert_eq!(sha(&s, &tok, "2018"), a);
    assert_eq!(
        s.get(&tok, "/cycles/uae-integration-2018/results")
            .text()
            .unwrap(),
        results
    );
}

/// `--rules` a symbolic link that a deployment swaps to a new release
/// (`ln -sfn`, a rename over the link): the swap is loaded without SIGHUP,
/// and the new release's own later changes are watched as well.
#[test]
fn a_swapped_rules_link_loads_the_new_release() {
    let t = tempfile::tempdir().unwrap();
    let release = |n: &str, versions: &[&str]| {
        let dir = t.path().join("releases").join(n);
        for v in versions {
            write(&dir, &format!("uae/integration/{v}.mizan"), &uae_as(v));
        }
        dir
    };
    let (r1, r2) = (release("1", &["2018"]), release("2", &["2018", "2019"]));
    let current = t.path().join("current");
    std::os::unix::fs::symlink(&r1, &current).unwrap();
    let s = Server::start_with(current.clone());
    let tok = s.token(&["--role", "admin"]);
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2018").status(), 200);
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2019").status(), 404);
    // An unrelated entry beside the link changes: nothing is reloaded.
    let before = reloads(&s, "ok");
    std::fs::write(t.path().join("notes.txt"), "deploy log").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(reloads(&s, "ok"), before);
    // `ln -sfn releases/2 current`: a new link renamed over the old one.
    let tmp = t.path().join("current.tmp");
    std::os::unix::fs::symlink(&r2, &tmp).unwrap();
    std::fs::rename(&tmp, &current).unwrap();
    assert!(wait_for(&s, &tok, "/rubrics/uae.integration/2019", 200));
    // The new release is watched: a version added to it appears.
    std::fs::write(r2.join("uae/integration/2020.mizan"), uae_as("2020")).unwrap();
    assert!(wait_for(&s, &tok, "/rubrics/uae.integration/2020", 200));
    // And the old one no longer matters.
    std::fs::remove_dir_all(&r1).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(s.get(&tok, "/rubrics/uae.integration/2020").status(), 200);
}
