//! The `mizan` command as users run it: exit codes, output formats,
//! determinism.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;
use support::{mizan, stderr, stdout};

mod support;

const DEMO: &str = "examples/demo/digital-readiness.mizan";
const DEMO_ANSWERS: &str = "examples/demo/answers";
const DEMO_INVALID: &str = "examples/demo/invalid";

#[test]
fn eval_table_and_exit_code_2_on_rejection() {
    let o = mizan(&["eval", DEMO, DEMO_ANSWERS, DEMO_INVALID]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    insta::assert_snapshot!("eval_table", stdout(&o));
    insta::assert_snapshot!("eval_table_stderr", stderr(&o));
}

#[test]
fn eval_exit_0_when_all_evaluated() {
    let o = mizan(&[
        "eval",
        DEMO,
        "examples/demo/answers/moi.json",
        "examples/demo/answers/moh.json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("population: 73.6% Good over 2 entities"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn eval_json_contract_and_determinism() {
    let a = mizan(&["--format", "json", "eval", DEMO, DEMO_ANSWERS, DEMO_INVALID]);
    let b = mizan(&["--format", "json", "eval", DEMO, DEMO_ANSWERS, DEMO_INVALID]);
    assert_eq!(a.stdout, b.stdout, "output must be byte-identical across runs");
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["rubric"]["id"], "demo.readiness");
    assert_eq!(v["rubric"]["version"], "2024");
    assert_eq!(v["rubric"]["sha256"].as_str().unwrap().len(), 64);
    let ids: Vec<&str> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["moe", "mof", "moh", "moi"]);
    assert_eq!(v["aggregate"]["entities"], 4);
    assert_eq!(v["aggregate"]["excluded"], 1);
    assert_eq!(v["entities"][0]["score"].to_string(), "0.75");
    assert!(v["entities"][2]["nodes"]["services.1.1"].is_null());
    assert_eq!(v["errors"][0]["code"], "M0406");
    assert_eq!(v["errors"][0]["pointer"], "/answers/services.1.1");
    assert_eq!(v["errors"][0]["source"], "examples/demo/invalid/mocd.json");
    insta::assert_snapshot!(
        "eval_json",
        stdout(&a).replace(v["rubric"]["sha256"].as_str().unwrap(), "[sha256]")
    );
}

#[test]
fn explain_one_entity() {
    let o = mizan(&["eval", DEMO, DEMO_ANSWERS, "--explain", "moh"]);
    insta::assert_snapshot!("explain_moh", stdout(&o));
}

#[test]
fn jsonl_batch_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let moi = fs::read_to_string("examples/demo/answers/moi.json")
        .unwrap()
        .replace('\n', " ");
    let bad = "[1, 2]";
    let path = dir.path().join("batch.jsonl");
    fs::write(&path, format!("{moi}\n\n{bad}\n")).unwrap();
    let o = mizan(&["--format", "json", "eval", DEMO, path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["entities"].as_array().unwrap().len(), 1);
    assert_eq!(v["errors"][0]["code"], "M0402");
    assert!(v["errors"][0]["source"]
        .as_str()
        .unwrap()
        .ends_with("batch.jsonl:3"));
}

#[test]
fn m0418_unreadable_answer_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("broken.json"), b"{\"rubric\": \"\xff\xfe\"}").unwrap();
    fs::copy("examples/demo/answers/moi.json", dir.path().join("moi.json")).unwrap();
    let o = mizan(&["--format", "json", "eval", DEMO, dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"][0]["code"], "M0418");
    assert_eq!(v["entities"][0]["id"], "moi");
}

#[test]
fn check_clean_rubric_exits_0() {
    let o = mizan(&["check", DEMO]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("0 errors, 0 warnings"));
}

#[test]
fn check_errors_exit_1_with_json_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.mizan");
    fs::write(
        &p,
        "rubric t {\n  version \"1\"\n  criterion c { choice nope }\n}\n",
    )
    .unwrap();
    let o = mizan(&["--format", "json", "check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"], 1);
    assert_eq!(v["diagnostics"][0]["code"], "M0202");
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("warn.mizan");
    fs::write(
        &p,
        "rubric t {\n  version \"1\"\n  scale used { y 1 n 0 }\n  scale spare { y 1 n 0 }\n  criterion c { choice used }\n}\n",
    )
    .unwrap();
    let o = mizan(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("M0307"));
    let o = mizan(&["check", "--deny-warnings", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn eval_with_broken_rules_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.mizan");
    fs::write(&p, "rubric t {").unwrap();
    let o = mizan(&["eval", p.to_str().unwrap(), DEMO_ANSWERS]);
    assert_eq!(o.status.code(), Some(1));
}

/// A missing answers path is a mistake in the command (exit 1), not a
/// rejected submission (issue 17).
#[test]
fn m0418_missing_answers_path_is_cannot_read() {
    let o = mizan(&["eval", DEMO, "examples/demo/answers/nobody.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    insta::assert_snapshot!("missing_answers_path", stderr(&o));
    let o = mizan(&["--lang", "ar", "eval", "--summary", DEMO, "no/such/dir"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    insta::assert_snapshot!("missing_answers_path_ar", stderr(&o));
    // In every mode, next to a good path too: nothing is evaluated.
    for args in [
        vec!["--format", "json", "eval", DEMO, DEMO_ANSWERS, "nobody.json"],
        vec!["--format", "jsonl", "eval", DEMO, DEMO_ANSWERS, "nobody.json"],
        vec!["eval", "--summary", DEMO, DEMO_ANSWERS, "nobody.json"],
        vec!["eval", "--rules", "examples/demo", DEMO_ANSWERS, "nobody.json"],
    ] {
        let o = mizan(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}: {}", stdout(&o));
        assert!(
            stderr(&o).contains("cannot read answers `nobody.json`"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// An answers directory with no answer file warns, and evaluates nothing.
#[test]
fn empty_answers_directory_warns() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), "not answers").unwrap();
    let o = mizan(&["eval", DEMO, dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o).replace(dir.path().to_str().unwrap(), "[dir]");
    insta::assert_snapshot!("empty_answers_directory", err);
}

/// `fmt --check` on a file with Windows line endings says so, instead of a
/// diff whose lines all look unchanged.
#[test]
fn fmt_check_names_crlf_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("r.mizan");
    let text = "rubric demo.t {\n  version \"1\"\n  criterion c1 { yesno }\n}\n";
    fs::write(&f, text.replace('\n', "\r\n")).unwrap();
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).is_empty(),
        "no diff when only line endings differ: {}",
        stdout(&o)
    );
    let err = stderr(&o).replace(f.to_str().unwrap(), "r.mizan");
    insta::assert_snapshot!("fmt_check_crlf", err);
    let o = mizan(&["--lang", "ar", "fmt", "--check", f.to_str().unwrap()]);
    let err = stderr(&o).replace(f.to_str().unwrap(), "r.mizan");
    insta::assert_snapshot!("fmt_check_crlf_ar", err);
    // With another difference too, the diff shows only that one.
    fs::write(&f, text.replace("c1 {", "c1  {").replace('\n', "\r\n")).unwrap();
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    let diff = stdout(&o);
    assert_eq!(
        diff.lines()
            .filter(|l| l.starts_with(['-', '+']) && !l.starts_with("---") && !l.starts_with("+++"))
            .count(),
        2,
        "{diff}"
    );
}
