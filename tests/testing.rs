//! `mizan test`: reports of failing cases, coverage, JSON and JUnit output,
//! and one test per test-file diagnostic code.

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
use support::mizan;

mod support;

const RUBRIC: &str = r#"rubric demo.t {
  version "1"
  profile { role: one of provider, consumer }
  scale ypn {
    yes     1   en "Yes"
    partial 0.5 en "Partial"
    no      0   en "No"
    na      n/a en "N/A"
  }
  bands grades {
    good >= 0.7
    weak >= 0
  }
  bands grades
  group g1 {
    aggregate ratio
    criterion q1 { choice ypn }
    criterion q2 { choice ypn }
  }
  group g2 {
    criterion q3 {
      applies when role == provider
      choice ypn
    }
  }
}
"#;

/// Writes `rules.mizan` and `rules.test.mizan` into a new directory.
fn suite(tests: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("rules.mizan"), RUBRIC).unwrap();
    fs::write(dir.path().join("rules.test.mizan"), tests).unwrap();
    dir
}

fn run(dir: &Path, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["test", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = mizan(&args);
    let clean = |b: Vec<u8>| {
        String::from_utf8(b)
            .unwrap()
            .replace(dir.to_str().unwrap(), "DIR")
    };
    (o.status.code(), clean(o.stdout), clean(o.stderr))
}

const CASES: &str = r#"tests demo.t {
  case "a provider answering everything" {
    profile { role: provider }
    answer q1 = yes
    answer q2 = partial
    answer q3 = no
    expect g1 = 3/4
    expect g2 = 0
    expect score = 37.5%
    expect band = weak
  }

  case "a consumer: q3 does not apply" {
    profile { role: consumer }
    answer q1 = yes
    answer q2 = na
    expect g1 = 1
    expect g2 = n/a
    expect score = 1
  }

  case "a wrong expectation" {
    profile { role: provider }
    answer q1 = yes
    answer q2 = yes
    answer q3 = partial
    expect g1 = 1
    expect score = 80% within 1%
  }

  case "an unknown option is rejected" {
    profile { role: provider }
    answer q1 = maybe
    answer q2 = yes
    answer q3 = yes
    expect error M0406
  }
}
"#;

#[test]
fn a_failing_case_is_reported_with_its_explain_tree() {
    let dir = suite(CASES);
    let (code, out, _) = run(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(out.ends_with("3 passed, 1 failed\n"), "{out}");
    insta::assert_snapshot!("test_failure_report", out);
}

#[test]
fn coverage_report_and_minimum() {
    let dir = suite(CASES);
    let (_, out, _) = run(dir.path(), &["--coverage"]);
    insta::assert_snapshot!("test_coverage_report", out);
    // Every criterion is answered by some case: 100 % criterion coverage.
    assert!(out.contains("criteria 3/3 (100.0%)"), "{out}");

    let partial = suite(
        "tests demo.t {\n  case \"only q1\" {\n    profile { role: consumer }\n    answer q1 = yes\n    answer q2 = no\n    expect g1 = 1/2\n  }\n}\n",
    );
    let (code, out, _) = run(partial.path(), &["--min-coverage", "100"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("criteria 2/3 (66.7%)"), "{out}");
    assert!(out.contains("criteria no case answers: q3"), "{out}");
    assert!(out.contains("below the required 100.0%"), "{out}");
    let (code, _, _) = run(partial.path(), &["--min-coverage", "60"]);
    assert_eq!(code, Some(0));
}

#[test]
fn json_and_junit_reports() {
    let dir = suite(CASES);
    let junit = dir.path().join("junit.xml");
    let (code, out, _) = run(
        dir.path(),
        &["--format", "json", "--junit", junit.to_str().unwrap()],
    );
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], 3);
    assert_eq!(v["failed"], 1);
    let failed: Vec<&serde_json::Value> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["case"], "a wrong expectation");
    assert_eq!(failed[0]["failure"]["what"], "score");
    assert_eq!(failed[0]["failure"]["actual"], "75%"); // mean(g1 = 1, g2 = 0.5)
    let xml = fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(r#"tests="4""#) && xml.contains(r#"failures="1""#),
        "{xml}"
    );
    assert!(xml.contains("a wrong expectation"), "{xml}");
}

#[test]
fn m0701_unknown_node_in_a_test_file() {
    let dir = suite("tests demo.t {\n  case \"typo\" {\n    answer q1 = yes\n    expect g3 = 1\n  }\n}\n");
    let (code, out, err) = run(dir.path(), &[]);
    assert_eq!(code, Some(1));
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
    insta::assert_snapshot!("test_m0701", err);
}

#[test]
fn m0702_tests_for_another_rubric() {
    let dir = suite("tests demo.other {\n  case \"x\" {\n    expect score = 1\n  }\n}\n");
    let (code, _, err) = run(dir.path(), &[]);
    assert_eq!(code, Some(1));
    insta::assert_snapshot!("test_m0702", err);
}

#[test]
fn m0703_missing_answer_file() {
    let dir =
        suite("tests demo.t {\n  case \"x\" {\n    answers \"nowhere.json\"\n    expect score = 1\n  }\n}\n");
    let (code, _, err) = run(dir.path(), &[]);
    assert_eq!(code, Some(1));
    insta::assert_snapshot!("test_m0703", err);
}

#[test]
fn m0704_a_case_that_expects_nothing() {
    let dir = suite("tests demo.t {\n  case \"empty\" {\n    answer q1 = yes\n  }\n}\n");
    let (code, _, err) = run(dir.path(), &[]);
    assert_eq!(code, Some(1));
    insta::assert_snapshot!("test_m0704", err);
}

#[test]
fn shipped_rubrics_pass_their_tests() {
    let o = mizan(&["test", "rules", "--min-coverage", "100"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

/// A coverage report wraps its lists at 100 columns instead of printing
/// one line of thousands of characters; no item is split, none is lost.
#[test]
fn coverage_lists_wrap_without_losing_an_item() {
    // The UAE 2018 rubric with one case: almost every option is uncovered.
    let dir = tempfile::tempdir().unwrap();
    fs::copy("rules/uae/integration/2018.mizan", dir.path().join("2018.mizan")).unwrap();
    fs::write(
        dir.path().join("2018.test.mizan"),
        "tests uae.integration {\n  version \"2018\"\n  case \"one\" {\n    answers \"one.json\"\n    expect error M0415\n  }\n}\n",
    )
    .unwrap();
    fs::write(dir.path().join("one.json"), "{}").unwrap();
    for lang in ["en", "ar"] {
        let o = mizan(&["--lang", lang, "test", dir.path().to_str().unwrap(), "--coverage"]);
        let out = support::stdout(&o);
        let long = out
            .lines()
            .filter(|l| l.trim_start_matches('\u{200f}').starts_with("  "))
            .map(|l| {
                l.chars()
                    .filter(|c| !('\u{2066}'..='\u{2069}').contains(c) && *c != '\u{200f}')
                    .count()
            })
            .max()
            .unwrap();
        assert!(long <= 100, "{lang}: a line of {long} characters:\n{out}");
        // Every uncovered option is listed once, whole.
        let text: String = out.replace(['\u{2066}', '\u{2069}', '\u{200f}'], "");
        let listed = text.matches("fednet.1.1 ").count();
        assert!(listed >= 1, "{lang}:\n{text}");
        let json = mizan(&[
            "test",
            dir.path().to_str().unwrap(),
            "--coverage",
            "--format",
            "json",
        ]);
        let doc: serde_json::Value = serde_json::from_str(&support::stdout(&json)).unwrap();
        let missed = doc["coverage"][0]["missed_options"].as_array().unwrap();
        assert!(missed.len() > 100, "{}", missed.len());
        let list: Vec<&str> = text.lines().filter(|l| l.starts_with("  ")).collect();
        let flat = list.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
        let pieces: Vec<&str> = flat.split([',', '،']).map(str::trim).collect();
        for m in missed {
            let m = m.as_str().unwrap();
            let suffix = format!(": {m}");
            assert!(
                pieces.iter().any(|p| *p == m || p.ends_with(&suffix)),
                "{lang}: {m} missing"
            );
        }
    }
}

/// `mizan test --lang ar`: the report's words in Arabic, left-to-right
/// fragments isolated, every line a right-to-left paragraph.
#[test]
fn the_test_report_in_arabic() {
    let dir = suite(CASES);
    let o = mizan(&["--lang", "ar", "test", dir.path().to_str().unwrap(), "--coverage"]);
    assert_eq!(o.status.code(), Some(1));
    let out = support::stdout(&o).replace(dir.path().to_str().unwrap(), "[DIR]");
    assert!(out.contains("فشل"), "{out}");
    assert!(
        out.contains("نجحت: \u{2066}3\u{2069}، فشلت: \u{2066}1\u{2069}"),
        "{out}"
    );
    assert!(
        out.lines()
            .filter(|l| !l.is_empty())
            .all(|l| l.starts_with('\u{200f}')),
        "{out}"
    );
    insta::assert_snapshot!("test_report_ar", out);
    // MIZAN_LANG is the default of --lang.
    let env = std::process::Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["test", dir.path().to_str().unwrap(), "--coverage"])
        .env("MIZAN_LANG", "ar")
        .output()
        .unwrap();
    assert_eq!(
        support::stdout(&env).replace(dir.path().to_str().unwrap(), "[DIR]"),
        out
    );
}
