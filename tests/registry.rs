//! Every diagnostic code is unique, documented in `docs/diagnostics.md`, and
//! has a corpus fixture `tests/corpus/*/MXXXX-*.mizan` (or, for codes that
//! need the file system, a CLI test named after the code in `tests/cli.rs`,
//! `tests/import.rs`, `tests/testing.rs`, `tests/review.rs`,
//! `tests/robustness.rs`, `tests/deep.rs`, `tests/files.rs` or `tests/report.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<String>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(fs::read_to_string(&p).unwrap());
        }
    }
}

fn codes() -> Vec<String> {
    let mut texts = Vec::new();
    sources(Path::new("src"), &mut texts);
    let mut out = Vec::new();
    for t in texts {
        let mut rest = t.as_str();
        while let Some(i) = rest.find("code(M") {
            let code = &rest[i + 5..i + 10];
            out.push(code.to_string());
            rest = &rest[i + 10..];
        }
    }
    out
}

#[test]
fn codes_are_unique() {
    let mut c = codes();
    assert!(c.len() >= 40, "found only {} codes", c.len());
    let n = c.len();
    c.sort();
    c.dedup();
    assert_eq!(c.len(), n, "a code is used by two variants");
}

#[test]
fn codes_are_documented() {
    let docs = fs::read_to_string("docs/diagnostics.md").unwrap();
    for c in codes() {
        assert!(
            docs.contains(&format!("## {c}")),
            "{c} has no section in docs/diagnostics.md"
        );
    }
}

#[test]
fn codes_have_fixtures() {
    let mut fixtures = Vec::new();
    for stage in ["syntax", "check", "eval"] {
        for e in fs::read_dir(Path::new("tests/corpus").join(stage)).unwrap() {
            fixtures.push(e.unwrap().file_name().to_string_lossy().to_string());
        }
    }
    let cli = [
        "tests/cli.rs",
        "tests/import.rs",
        "tests/testing.rs",
        "tests/review.rs",
        "tests/robustness.rs",
        "tests/deep.rs",
        "tests/files.rs",
        "tests/report.rs",
    ]
    .iter()
    .map(|f| fs::read_to_string(f).unwrap())
    .collect::<String>();
    for c in codes() {
        let has_fixture = fixtures
            .iter()
            .any(|f| f.starts_with(&format!("{c}-")) && f.ends_with(".mizan"));
        let has_cli_test = cli.contains(&format!("fn {}_", c.to_lowercase()));
        assert!(
            has_fixture || has_cli_test,
            "{c} has no corpus fixture and no CLI test"
        );
        if has_fixture {
            let snap = fs::read_dir("tests/snapshots").unwrap().any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(&format!("@{c}-"))
            });
            assert!(snap, "{c} fixture has no snapshot");
        }
    }
}
