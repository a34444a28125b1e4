//! Robustness: a large batch with bad submissions of every kind, atomic
//! output files, and limits and encodings of rule files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeMap;
use std::fs;
use support::mizan;

mod support;

const DEMO: &str = "examples/demo/digital-readiness.mizan";

/// A valid answer set for entity `i` (scores vary with `i`).
fn valid(i: usize) -> String {
    let yp = ["yes", "partial", "no"][i % 3];
    format!(
        r#"{{"rubric": "demo.readiness", "version": "2024", "entity": {{"id": "e{i:04}", "profile": {{"role": "data_provider", "federal": true}}}}, "answers": {{"services.1.1": "{yp}", "services.1.2": "yes", "services.2.1": ["web"], "services.2.2": true, "data.share": {}, "data.rank": {}, "data.open": "some"}}}}"#,
        i % 101,
        1 + i % 150
    )
}

/// A temporary directory with `cycle.jsonl`: `n` valid answer sets.
fn cycle(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cycle.jsonl");
    let lines: Vec<String> = (0..n).map(valid).collect();
    fs::write(&path, lines.join("\n")).unwrap();
    (dir, path)
}

/// Bad answer sets, one per kind, with the code each must be rejected with.
fn bad(i: usize) -> (String, &'static str) {
    let v = valid(5000 + i);
    let kinds: [(String, &str); 17] = [
        (v[..v.len() / 2].to_string(), "M0401"),              // malformed JSON
        ("[1, 2, 3]".to_string(), "M0402"),                   // not an object
        (v.replace("demo.readiness", "demo.other"), "M0403"), // unknown rubric
        (v.replace("\"2024\"", "\"2023\""), "M0404"),         // unknown version
        (v.replace("\"data.open\"", "\"data.opne\""), "M0405"), // unknown criterion
        (
            v.replace("\"services.1.2\": \"yes\"", "\"services.1.2\": \"maybe\""),
            "M0406",
        ), // unknown option
        (
            v.replace("\"services.1.2\": \"yes\"", "\"services.1.2\": 3"),
            "M0407",
        ), // number for a choice
        (
            v.replace(
                &format!("\"data.share\": {}", (5000 + i) % 101),
                "\"data.share\": \"high\"",
            ),
            "M0407",
        ), // choice for a number
        (
            v.replace(
                &format!("\"data.share\": {}", (5000 + i) % 101),
                "\"data.share\": 140",
            ),
            "M0408",
        ), // out of bounds
        (
            v.replace("\"role\": \"data_provider\"", "\"role\": \"both\"")
                .replace(
                    "\"services.2.2\": true",
                    "\"services.2.2\": true, \"services.1.3\": \"na\"",
                ),
            "M0409",
        ), // N/A not allowed
        (v.replace("\"services.1.2\": \"yes\", ", ""), "M0410"), // missing answer
        (valid(0), "M0411"),                                  // duplicate entity id
        (
            v.replace("\"federal\": true", "\"federal\": true, \"size\": 3"),
            "M0413",
        ), // unknown profile field
        (v.replace("\"data_provider\"", "\"data_owner\""), "M0414"), // unknown profile value
        (v.replace(", \"federal\": true", ""), "M0415"),      // missing profile field
        (v.replace("[\"web\"]", "[\"web\", \"web\"]"), "M0416"), // duplicate option
        (
            v.replace("\"answers\"", "\"comment\": \"x\", \"answers\""),
            "M0417",
        ), // unknown key
    ];
    let (t, c) = &kinds[i % kinds.len()];
    (t.clone(), c)
}

#[test]
fn a_thousand_submissions_fifty_bad_ones_of_every_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cycle.jsonl");
    let mut lines = Vec::new();
    let mut expected: BTreeMap<usize, &str> = BTreeMap::new();
    let mut valid_lines = Vec::new();
    for i in 0..1000 {
        if i % 20 == 7 {
            let (t, code) = bad(i / 20);
            expected.insert(i + 1, code);
            lines.push(t);
        } else {
            let v = valid(i);
            valid_lines.push(v.clone());
            lines.push(v);
        }
    }
    assert_eq!(expected.len(), 50);
    fs::write(&path, lines.join("\n")).unwrap();
    let out = dir.path().join("results.json");
    let o = mizan(&[
        "--format",
        "json",
        "eval",
        DEMO,
        path.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "some submissions are rejected");
    assert!(o.stdout.is_empty(), "results go to --output");
    let doc: serde_json::Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["entities"].as_array().unwrap().len(), 950);
    assert_eq!(doc["aggregate"]["excluded"], 50);
    assert_eq!(doc["aggregate"]["entities"], 950);
    // Every bad line has its own errors, naming the file and line, and the
    // expected code; every error has a JSON pointer (the whole document,
    // `""`, for malformed JSON and a line that is not an object).
    let mut by_line: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    for e in doc["errors"].as_array().unwrap() {
        let source = e["source"].as_str().unwrap();
        assert!(source.starts_with(path.to_str().unwrap()), "{source}");
        let line: usize = source.rsplit(':').next().unwrap().parse().unwrap();
        by_line.entry(line).or_default().push((
            e["code"].as_str().unwrap().to_string(),
            e["pointer"].as_str().unwrap().to_string(),
        ));
    }
    assert_eq!(
        by_line.keys().copied().collect::<Vec<_>>(),
        expected.keys().copied().collect::<Vec<_>>()
    );
    for (line, code) in &expected {
        let errs = &by_line[line];
        assert!(
            errs.iter().any(|(c, _)| c == code),
            "line {line}: expected {code}, got {errs:?}"
        );
        for (c, p) in errs {
            if c == "M0401" || c == "M0402" {
                assert_eq!(p, "", "line {line}: {c} points at the whole document");
            } else {
                assert!(p.starts_with('/'), "line {line}: {c} has no JSON pointer");
            }
        }
    }
    // The population is computed over the valid submissions only.
    let (rubric, _) = mizan::load(DEMO, &fs::read_to_string(DEMO).unwrap());
    let only_valid = rubric.unwrap().evaluate_batch(
        valid_lines
            .iter()
            .enumerate()
            .map(|(k, t)| {
                (
                    mizan::answers::Origin {
                        file: "v".into(),
                        line: Some(k + 1),
                    },
                    t.clone(),
                )
            })
            .collect(),
    );
    let pop = only_valid.population.score.unwrap().normalize().to_string();
    assert_eq!(doc["aggregate"]["score"].to_string(), pop);
    // The table says how many were excluded.
    let o = mizan(&["eval", DEMO, path.to_str().unwrap()]);
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("over 950 entities; 50 submissions rejected and excluded"),
        "{table}"
    );
}

#[test]
fn output_file_is_written_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.txt");
    fs::write(&out, "previous results\n").unwrap();
    // The rules have errors: nothing is evaluated and the file is untouched.
    let bad = dir.path().join("bad.mizan");
    fs::write(&bad, "rubric demo.b {\n  criterion c { choice { yes 2 } }\n}\n").unwrap();
    let o = mizan(&[
        "eval",
        bad.to_str().unwrap(),
        "examples/demo/answers",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(fs::read_to_string(&out).unwrap(), "previous results\n");
    // A good run replaces it whole; no temporary file is left behind.
    let o = mizan(&[
        "eval",
        DEMO,
        "examples/demo/answers",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(fs::read_to_string(&out)
        .unwrap()
        .contains("population: 64.2% Weak over 4 entities"));
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn m0106_a_file_too_large_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("huge.mizan");
    let mut text = String::from("rubric demo.huge {\n  version \"1\"\n");
    let line = "  # padding padding padding padding padding padding padding padding padding padding\n";
    while text.len() <= mizan::syntax::MAX_FILE_BYTES {
        text.push_str(line);
    }
    text.push_str("  criterion c { yesno }\n}\n");
    fs::write(&f, &text).unwrap();
    let o = mizan(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("M0106"), "{err}");
}

#[test]
fn m0108_too_many_nodes() {
    let mut text = String::from("rubric demo.many {\n  version \"1\"\n");
    for i in 0..=mizan::syntax::MAX_NODES {
        text.push_str(&format!("  criterion c{i} {{ yesno }}\n"));
    }
    text.push_str("}\n");
    let (r, d) = mizan::load("many.mizan", &text);
    assert!(r.is_none());
    assert_eq!(d.codes(), ["M0108"]);
}

#[test]
fn encodings_bom_crlf_tabs_and_direction_marks() {
    let base = "rubric demo.enc {\n  version \"1\"\n  criterion c {\n    title ar \"\u{200F}المعيار الأول\" en \"First (\u{200E}RTL mark inside)\"\n    yesno\n  }\n}\n";
    let answers = r#"{"rubric": "demo.enc", "version": "1", "entity": {"id": "e"}, "answers": {"c": "yes"}}"#;
    for (what, text) in [
        ("BOM", format!("\u{FEFF}{base}")),
        ("CRLF", base.replace('\n', "\r\n")),
        ("tabs", base.replace("  ", "\t")),
        ("plain", base.to_string()),
    ] {
        let (r, d) = mizan::load("enc.mizan", &text);
        assert!(d.is_empty(), "{what}: {d:?}");
        let score = r
            .unwrap()
            .evaluate_json("a.json", answers)
            .unwrap()
            .score()
            .unwrap();
        assert_eq!(score.to_string(), "1", "{what}");
        // Formatting keeps every character of the labels.
        let f = mizan::fmt::format("enc.mizan", &text).unwrap();
        assert!(f.contains("\"\u{200F}المعيار الأول\""), "{what}: {f}");
    }
    // Invisible direction overrides are flagged (M0104), not silently kept.
    let (_, d) = mizan::load("o.mizan", &base.replace("الأول", "\u{202E}الأول"));
    assert_eq!(d.codes(), ["M0104"]);
    // Invalid UTF-8 is reported, not a panic.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("latin1.mizan");
    let mut bytes = base.as_bytes().to_vec();
    bytes.extend_from_slice(b"# caf\xe9\n");
    fs::write(&f, bytes).unwrap();
    let o = mizan(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not valid UTF-8"));
}

#[test]
fn streamed_results_equal_the_batch_whatever_the_threads() {
    let (dir, path) = cycle(3000);
    let p = path.to_str().unwrap();
    let batch: serde_json::Value =
        serde_json::from_slice(&mizan(&["--format", "json", "eval", DEMO, p]).stdout).unwrap();
    let mut outs = Vec::new();
    for jobs in ["1", "2", "3"] {
        let out = dir.path().join(format!("r{jobs}.jsonl"));
        let o = mizan(&[
            "--format",
            "jsonl",
            "eval",
            DEMO,
            p,
            "--jobs",
            jobs,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0));
        outs.push(fs::read_to_string(&out).unwrap());
    }
    assert_eq!(outs[0], outs[1], "1 and 2 threads");
    assert_eq!(outs[0], outs[2], "1 and 3 threads");
    let streamed: Vec<serde_json::Value> = outs[0]
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        &serde_json::Value::Array(streamed),
        &batch["entities"],
        "same entities, same scores"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&mizan(&["--format", "json", "eval", DEMO, p, "--summary"]).stdout).unwrap();
    assert_eq!(summary["aggregate"]["score"], batch["aggregate"]["score"]);
    assert_eq!(summary["aggregate"]["entities"], 3000);
}

#[test]
fn a_stream_line_that_is_not_utf8_is_one_rejected_submission() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    let mut bytes = Vec::new();
    for i in 0..5 {
        if i == 2 {
            // Latin-1 "é" in the entity id, CRLF line end; then a blank line.
            bytes.extend_from_slice(valid(i).replace("e0002", "caf\u{e9}").as_bytes());
            let at = bytes.iter().rposition(|&b| b == 0xc3).unwrap();
            bytes.splice(at..at + 2, [0xe9]);
            bytes.extend_from_slice(b"\r\n  \n");
        } else {
            bytes.extend_from_slice(valid(i).as_bytes());
            bytes.push(b'\n');
        }
    }
    fs::write(&path, bytes).unwrap();
    let o = mizan(&[
        "--format",
        "json",
        "eval",
        DEMO,
        path.to_str().unwrap(),
        "--summary",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["aggregate"]["entities"], 4, "{v}");
    assert_eq!(v["aggregate"]["excluded"], 1, "{v}");
    let err = &v["errors"][0];
    assert_eq!(err["code"], "M0401", "{err}");
    assert!(
        err["source"].as_str().unwrap().ends_with("mixed.jsonl:3"),
        "{err}"
    );
    assert!(
        err["message"].as_str().unwrap().contains("not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn a_stream_stops_quietly_when_its_reader_goes_away() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let (_dir, path) = cycle(20_000);
    // As `mizan … | head -1`: read one line, then close the pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["--format", "jsonl", "eval", DEMO, path.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with(r#"{"id":"e0000""#), "{first}");
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    assert_eq!(support::stderr(&o), "", "no error for a closed pipe");
}
