//! `mizan fmt`: idempotent and meaning-preserving on every shipped rule and
//! test file, on generated rubrics, and the CLI's `--check` diff and
//! in-place rewrite.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use mizan::diag::Src;

fn mizan_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            mizan_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "mizan") {
            out.push(p);
        }
    }
}

fn document(name: &str, text: &str) -> mizan::ast::Document {
    let (doc, diags) = mizan::syntax::parse_document(&Src::new(name, text));
    assert!(!diags.has_errors(), "{name}: {diags:?}");
    let mut doc = doc.unwrap();
    mizan::fmt::canonical(&mut doc);
    doc
}

/// fmt(fmt(x)) == fmt(x), and x and fmt(x) mean the same.
fn check_fmt(name: &str, text: &str) {
    let once = mizan::fmt::format(name, text).unwrap();
    let twice = mizan::fmt::format(name, &once).unwrap();
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert_eq!(document(name, text), document(name, &once), "{name}: formatting changed the meaning");
    // Every comment survives.
    let count = |t: &str| t.lines().filter(|l| l.trim_start().starts_with('#')).count();
    assert!(count(&once) >= count(text), "{name}: a comment was lost");
}

#[test]
fn every_shipped_file_formats_idempotently_and_keeps_its_meaning() {
    let mut files = Vec::new();
    mizan_files(Path::new("rules"), &mut files);
    mizan_files(Path::new("examples"), &mut files);
    assert!(files.len() >= 10);
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        check_fmt(&f.display().to_string(), &text);
    }
}

#[test]
fn formatting_never_changes_a_score() {
    let text = fs::read_to_string("rules/uae/integration/2018.mizan").unwrap();
    let formatted = mizan::fmt::format("2018.mizan", &text).unwrap();
    let (a, _) = mizan::load("a.mizan", &text);
    let (b, _) = mizan::load("b.mizan", &formatted);
    let (a, b) = (a.unwrap(), b.unwrap());
    for e in fs::read_dir("examples/uae-integration-2018").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let answers = fs::read_to_string(&p).unwrap();
        let ra = a.evaluate_json("x", &answers).map(|r| r.outcomes);
        let rb = b.evaluate_json("x", &answers).map(|r| r.outcomes);
        assert_eq!(format!("{ra:?}"), format!("{rb:?}"), "{}", p.display());
    }
}

#[test]
fn comments_stay_with_their_declarations_and_arabic_is_untouched() {
    let text = "mizan 1\n# header comment\nrubric demo.c {\n  # the scale\n  scale yn {\n    yes 1 ar \"نعم\" en \"Yes\"   # full\n    no 0 ar \"لا\" en \"No\"\n  }\n  version \"1\" # trailing\n\n  criterion q1 { choice yn }  # one-liner\n  criterion q2 {\n    # why q2\n    choice yn\n  }\n  # before the end\n}\n";
    let out = mizan::fmt::format("c.mizan", text).unwrap();
    insta::assert_snapshot!("fmt_comments", out);
    check_fmt("c.mizan", text);
}

fn mizan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mizan")).args(args).env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn check_prints_a_unified_diff_and_rewrite_is_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("messy.mizan");
    fs::write(
        &f,
        "rubric demo.messy {\n    criterion q1 {   choice { yes 1   no 0 } title en \"Q1\" }\nversion \"1\"\n}\n",
    )
    .unwrap();
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let diff = String::from_utf8(o.stdout).unwrap().replace(dir.path().to_str().unwrap(), "DIR");
    insta::assert_snapshot!("fmt_check_diff", diff);
    let o = mizan(&["fmt", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "formatted file passes --check");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
}

#[test]
fn a_file_with_syntax_errors_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("broken.mizan");
    let text = "rubric demo.b {\n  version \"1\"\n  criterion q1 { choice { yes 1  no } }\n}\n";
    fs::write(&f, text).unwrap();
    let o = mizan(&["fmt", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8(o.stderr).unwrap().contains("left untouched"));
    assert_eq!(fs::read_to_string(&f).unwrap(), text);
}
