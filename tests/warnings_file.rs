//! `mizan eval --warnings FILE`: every warning of every scored entity, on
//! every path (streamed `--summary` and `--format jsonl` at any number of
//! threads, the batch in memory, `--rules DIR`), the same warnings, and as
//! many per code as the summary counts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use support::mizan;

mod support;

const UAE: &str = "rules/uae/integration/2018.mizan";

/// `n` UAE answer sets, one a line: the answers of an entity with the role
/// `both` (every criterion answered), given to entities of every role, so
/// that a provider's and a consumer's answers to the criteria that do not
/// apply to them are warnings (M0412); ids in id order.
fn cycle(n: usize) -> String {
    let text = fs::read_to_string("examples/uae-integration-2018/mofaic.json").unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let roles = ["both", "data_provider", "data_consumer"];
    let mut out = String::new();
    for i in 0..n {
        let mut e = v.clone();
        e["entity"]["id"] = format!("e{i:05}").into();
        e["entity"]["profile"]["role"] = roles[i % 3].into();
        out.push_str(&serde_json::to_string(&e).unwrap());
        out.push('\n');
    }
    out
}

/// The lines of a warnings file, each parsed.
fn lines(p: &Path) -> Vec<serde_json::Value> {
    fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn counts(ws: &[serde_json::Value]) -> BTreeMap<String, usize> {
    let mut c = BTreeMap::new();
    for w in ws {
        *c.entry(w["code"].as_str().unwrap().to_string()).or_default() += 1;
    }
    c
}

#[test]
fn every_warning_is_written_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cycle.jsonl");
    // More than one chunk of the stream (2,048 lines).
    fs::write(&input, cycle(5000)).unwrap();
    let input = input.to_str().unwrap();
    let path = |name: &str| dir.path().join(name);
    let run = |args: &[&str]| {
        let o = mizan(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let w = |name: &str| path(name).to_str().unwrap().to_string();
    let summary = run(&[
        "--format",
        "json",
        "eval",
        UAE,
        input,
        "--summary",
        "--jobs",
        "1",
        "--warnings",
        &w("s1.jsonl"),
    ]);
    run(&[
        "eval",
        UAE,
        input,
        "--summary",
        "--jobs",
        "2",
        "--warnings",
        &w("s2.jsonl"),
    ]);
    run(&[
        "--format",
        "jsonl",
        "eval",
        UAE,
        input,
        "--jobs",
        "2",
        "-o",
        &w("out.jsonl"),
        "--warnings",
        &w("l2.jsonl"),
    ]);
    let batch = run(&[
        "--format",
        "json",
        "eval",
        UAE,
        input,
        "--warnings",
        &w("b.jsonl"),
    ]);

    let streamed = lines(&path("s1.jsonl"));
    // Two of every three entities answer criteria that do not apply.
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    let counted: BTreeMap<String, usize> = serde_json::from_value(summary["warning_counts"].clone()).unwrap();
    assert_eq!(counts(&streamed), counted);
    assert!(counted["M0412"] > 3000, "{counted:?}");
    // The summary keeps the first 100; the file has them all, and here
    // (ids in input order) begins with those.
    let kept = summary["warnings"].as_array().unwrap();
    assert_eq!(kept.len(), 100);
    assert_eq!(&streamed[..100], kept.as_slice());
    // Every path writes the same file, byte for byte.
    let bytes = fs::read(path("s1.jsonl")).unwrap();
    for other in ["s2.jsonl", "l2.jsonl", "b.jsonl"] {
        assert!(
            fs::read(path(other)).unwrap() == bytes,
            "{other} differs from the streamed summary's warnings"
        );
    }
    // The batch document lists the same warnings.
    let batch: serde_json::Value = serde_json::from_str(&batch).unwrap();
    assert_eq!(batch["warnings"].as_array().unwrap(), &streamed);
    // Each names its file and line, entity and answer.
    assert_eq!(streamed[0]["entity"], "e00001");
    assert_eq!(streamed[0]["source"], format!("{input}:2"));
    assert!(streamed[0]["pointer"].as_str().unwrap().starts_with("/answers/"));
}

#[test]
fn the_warnings_of_a_rules_directory_batch() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules/uae/integration");
    fs::create_dir_all(&rules).unwrap();
    fs::copy(UAE, rules.join("2018.mizan")).unwrap();
    let input = dir.path().join("cycle.jsonl");
    fs::write(&input, cycle(30)).unwrap();
    let w = dir.path().join("w.jsonl");
    let o = mizan(&[
        "eval",
        "--rules",
        dir.path().join("rules").to_str().unwrap(),
        input.to_str().unwrap(),
        "--warnings",
        w.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ws = lines(&w);
    // 20 of 30 entities answer what does not apply to them.
    let entities: std::collections::BTreeSet<&str> =
        ws.iter().map(|w| w["entity"].as_str().unwrap()).collect();
    assert_eq!(entities.len(), 20);
    assert!(ws.iter().all(|w| w["code"] == "M0412"));
}

#[test]
fn an_unwritable_warnings_file_is_m0805() {
    let o = mizan(&[
        "eval",
        UAE,
        "examples/uae-integration-2018/mofaic.json",
        "--warnings",
        "/nonexistent/dir/w.jsonl",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("M0805"));
}
