//! The batch paths agree: default mode (`eval`, the table and the JSON
//! document), streaming (`--summary`, `--format jsonl`), `eval --rules DIR`
//! and `diff --answers` read the same submissions from the same files
//! (every JSONL line its own), reject the same ones at the same file:line,
//! and give the same population, to the byte, in any input order and with
//! any number of threads. Every combination of `eval`'s flags either works
//! or is a usage error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::{mizan, stderr, stdout};

mod support;

const DEMO: &str = "examples/demo/digital-readiness.mizan";

/// A valid demo answer set for entity `id` (scores vary with `i`).
fn valid(id: &str, i: usize) -> String {
    let yp = ["yes", "partial", "no"][i % 3];
    format!(
        r#"{{"rubric": "demo.readiness", "version": "2024", "entity": {{"id": "{id}", "profile": {{"role": "data_provider", "federal": true}}}}, "answers": {{"services.1.1": "{yp}", "services.1.2": "yes", "services.2.1": ["web"], "services.2.2": true, "data.share": {}, "data.rank": {}, "data.open": "some"}}}}"#,
        i % 101,
        1 + i % 150
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `(code, source)` of every problem in a JSON document's `errors`.
fn json_errors(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap().to_string(),
                e["source"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `(code, source)` of every error printed on stderr
/// (`error[CODE]: …` then `  --> SOURCE, entity …, at …`).
fn text_errors(err: &str) -> BTreeSet<(String, String)> {
    let lines: Vec<&str> = err.lines().collect();
    lines
        .windows(2)
        .filter_map(|w| {
            let code = w[0].strip_prefix("error[")?.split(']').next()?;
            let loc = w[1].strip_prefix("  --> ")?;
            let source = loc.split(", entity ").next()?.split(", at ").next()?;
            Some((code.to_string(), source.to_string()))
        })
        .collect()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)))
}

/// A directory of answer files with one unreadable input of each kind
/// beside good ones: a Latin-1 `.json` file, a `.jsonl` file with a line
/// that is not UTF-8 (and CRLF, blank and whitespace-only lines), a
/// `.jsonl` file whose reading fails after it is opened, and (when the
/// tests do not run as root) a directory that cannot be read. Returns the
/// answer paths to give (with a missing one) and the expected rejections.
fn unreadable_inputs(dir: &Path) -> (Vec<PathBuf>, BTreeSet<(String, String)>) {
    let answers = dir.join("answers");
    fs::create_dir_all(&answers).unwrap();
    let mut expected = BTreeSet::new();
    fs::write(answers.join("a.json"), valid("a", 1)).unwrap();
    let mut latin1 = valid("b", 2).into_bytes();
    let at = latin1.windows(3).position(|w| w == b"\"b\"").unwrap();
    latin1.splice(at + 1..at + 2, [0xe9]);
    fs::write(answers.join("b.json"), latin1).unwrap();
    expected.insert(("M0418".into(), s(&answers.join("b.json")).to_string()));
    let mut lines = Vec::new();
    lines.extend_from_slice(valid("c1", 3).as_bytes());
    lines.extend_from_slice(b"\r\n\n   \t\r\n");
    lines.extend_from_slice(valid("caf\u{e9}", 4).replace('\u{e9}', "\u{1}").as_bytes());
    let at = lines.iter().rposition(|&b| b == 1).unwrap();
    lines[at] = 0xe9;
    lines.push(b'\n');
    lines.extend_from_slice(valid("c2", 5).as_bytes());
    fs::write(answers.join("c.jsonl"), lines).unwrap();
    expected.insert(("M0401".into(), format!("{}:4", s(&answers.join("c.jsonl")))));
    // Opens, then fails to read (EIO): the first line is unreadable.
    #[cfg(target_os = "linux")]
    {
        std::os::unix::fs::symlink("/proc/self/mem", answers.join("d.jsonl")).unwrap();
        expected.insert(("M0418".into(), format!("{}:1", s(&answers.join("d.jsonl")))));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = answers.join("e");
        fs::create_dir(&locked).unwrap();
        fs::write(locked.join("x.json"), valid("x", 6)).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        if fs::read_dir(&locked).is_err() {
            expected.insert(("M0418".into(), s(&locked).to_string()));
        } else {
            // Root reads it anyway: a readable directory, one more entity.
            fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
            fs::remove_dir_all(&locked).unwrap();
        }
    }
    // A path named on the command line that does not exist is no longer
    // a rejected submission but a mistake in the command (exit 1, issue
    // 17): `tests/cli.rs`, `m0418_missing_answers_path_is_cannot_read`.
    (vec![answers], expected)
}

#[test]
fn an_unreadable_input_is_one_rejected_submission_in_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    let (paths, expected) = unreadable_inputs(dir.path());
    let mut args: Vec<&str> = vec![DEMO];
    args.extend(paths.iter().map(|p| s(p)));
    let out = dir.path().join("out");
    let o_arg = s(&out);
    let with = |format: &str, extra: &[&str], o: bool| -> (Output, String) {
        let _ = fs::remove_file(&out);
        let mut a = vec!["--format", format, "eval"];
        a.extend(&args);
        a.extend(extra);
        if o {
            a.extend(["-o", o_arg]);
        }
        let r = mizan(&a);
        let text = if o {
            assert!(r.stdout.is_empty(), "{format} {extra:?}: results go to -o");
            fs::read_to_string(&out).unwrap_or_else(|e| panic!("{format} {extra:?} -o: nothing written: {e}"))
        } else {
            stdout(&r)
        };
        assert_eq!(
            r.status.code(),
            Some(2),
            "{format} {extra:?} -o {o}: {}",
            stderr(&r)
        );
        (r, text)
    };
    for o in [false, true] {
        // Default mode, JSON.
        let (_, text) = with("json", &[], o);
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json_errors(&doc), expected, "default json");
        let ids: Vec<&str> = doc["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["a", "c1", "c2"]);
        let score = doc["aggregate"]["score"].clone();
        assert_eq!(doc["aggregate"]["excluded"], expected.len());
        // Default mode, table.
        let (r, text) = with("plain", &[], o);
        assert_eq!(text_errors(&stderr(&r)), expected, "default table");
        assert!(text.contains("over 3 entities"), "{text}");
        // --summary, JSON and text.
        let (_, text) = with("json", &["--summary"], o);
        let sum: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json_errors(&sum), expected, "--summary json");
        assert_eq!(sum["aggregate"]["score"], score);
        assert_eq!(sum["aggregate"]["entities"], 3);
        assert_eq!(sum["aggregate"]["excluded"], expected.len());
        let (r, text) = with("human", &["--summary"], o);
        assert_eq!(text_errors(&stderr(&r)), expected, "--summary text");
        assert!(
            text.contains(&format!(
                "over 3 entities; {} submissions rejected",
                expected.len()
            )),
            "{text}"
        );
        // --format jsonl: every good line, every rejection on stderr.
        let (r, text) = with("jsonl", &[], o);
        assert_eq!(text_errors(&stderr(&r)), expected, "jsonl");
        let ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ids, ["a", "c1", "c2"]);
    }
}

/// A JSONL file with a line that is not UTF-8, blank lines, CRLF ends, a
/// line of no-break spaces (not blank: malformed) and a malformed line.
fn mixed_jsonl(path: &Path) -> BTreeSet<(String, String)> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(valid("m1", 1).as_bytes());
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(valid("m2", 2).replace("m2", "m\u{1}").as_bytes());
    let at = bytes.iter().rposition(|&b| b == 1).unwrap();
    bytes[at] = 0xff;
    bytes.extend_from_slice(b"\n\n \t \n");
    bytes.extend_from_slice(valid("m3", 3).as_bytes());
    bytes.extend_from_slice("\n\u{a0}\u{a0}\n".as_bytes());
    bytes.extend_from_slice(&valid("m4", 4).as_bytes()[..40]);
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(valid("m5", 5).as_bytes());
    fs::write(path, bytes).unwrap();
    let p = s(path);
    [
        ("M0401", format!("{p}:2")),
        ("M0401", format!("{p}:6")),
        ("M0401", format!("{p}:7")),
    ]
    .into_iter()
    .map(|(c, s)| (c.to_string(), s))
    .collect()
}

#[test]
fn every_jsonl_line_is_its_own_submission_in_every_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    let expected = mixed_jsonl(&path);
    let p = s(&path);
    let rules = dir.path().join("rules");
    fs::create_dir_all(rules.join("demo")).unwrap();
    fs::copy(DEMO, rules.join("demo/2024.mizan")).unwrap();
    let ids = ["m1", "m3", "m5"];

    let doc = json(&mizan(&["--format", "json", "eval", DEMO, p]));
    assert_eq!(json_errors(&doc), expected, "default");
    let got: Vec<&str> = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, ids, "default mode keeps the file's good lines");
    let score = &doc["aggregate"]["score"];

    let sum = json(&mizan(&["--format", "json", "eval", DEMO, p, "--summary"]));
    assert_eq!(json_errors(&sum), expected, "--summary");
    assert_eq!(&sum["aggregate"]["score"], score);

    let o = mizan(&["--format", "jsonl", "eval", DEMO, p]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(text_errors(&stderr(&o)), expected, "jsonl");
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&serde_json::Value::Array(lines), &doc["entities"], "same scores");

    let o = mizan(&["--format", "json", "eval", "--rules", s(&rules), p]);
    assert_eq!(o.status.code(), Some(2));
    // Lines that cannot be routed to a rubric are the document's own
    // errors; the others are their batch's.
    let all = |v: &serde_json::Value| -> BTreeSet<(String, String)> {
        json_errors(v)
            .union(&json_errors(&v["batches"][0]))
            .cloned()
            .collect()
    };
    let v = json(&o);
    assert_eq!(all(&v), expected, "--rules");
    assert_eq!(&v["batches"][0]["aggregate"]["score"], score);
    let o = mizan(&["--format", "json", "eval", "--rules", s(&rules), p, "--summary"]);
    assert_eq!(all(&json(&o)), expected, "--rules --summary");

    // diff --answers: the bad lines are reported, the good ones re-scored.
    let o = mizan(&["--format", "json", "diff", DEMO, DEMO, "--answers", p]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let unreadable: BTreeSet<_> = text_errors(&stderr(&o))
        .into_iter()
        .filter(|(_, s)| s.ends_with(":2"))
        .collect();
    assert_eq!(unreadable, [("M0401".to_string(), format!("{p}:2"))].into());
}

/// A rules directory beside answer files that are not answer sets.
#[test]
fn rules_dir_reports_json_syntax_and_shape_errors() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir_all(rules.join("demo")).unwrap();
    fs::copy(DEMO, rules.join("demo/2024.mizan")).unwrap();
    let answers = dir.path().join("answers");
    fs::create_dir_all(&answers).unwrap();
    let good = valid("ok", 1);
    let cases = [
        ("truncated.json", good[..good.len() / 2].to_string(), "M0401"),
        ("array.json", "[1, 2, 3]".to_string(), "M0402"),
        ("string.json", "\"demo.readiness\"".to_string(), "M0402"),
        ("number.json", "2024".to_string(), "M0402"),
        ("empty.json", String::new(), "M0440"),
        ("ok.json", good.clone(), ""),
        // A `rubric` or `version` of the wrong kind is the answer set's
        // shape error, as against a rule file, not "no rubric ``" (M0421).
        (
            "rubric-number.json",
            good.replace(r#""rubric": "demo.readiness""#, r#""rubric": 7"#),
            "M0402",
        ),
        (
            "rubric-list.json",
            good.replace(r#""rubric": "demo.readiness""#, r#""rubric": ["demo.readiness"]"#),
            "M0402",
        ),
        (
            "no-rubric.json",
            good.replace(r#""rubric": "demo.readiness", "#, ""),
            "M0402",
        ),
        (
            "version-null.json",
            good.replace(r#""version": "2024""#, r#""version": null"#),
            "M0402",
        ),
    ];
    let mut expected = BTreeSet::new();
    for (name, text, code) in &cases {
        fs::write(answers.join(name), text).unwrap();
        if !code.is_empty() {
            expected.insert((code.to_string(), s(&answers.join(name)).to_string()));
        }
    }
    let lines = format!("{}\n[true]\n{{\"rubric\": \n{}\n", valid("l1", 2), valid("l2", 3));
    fs::write(answers.join("lines.jsonl"), lines).unwrap();
    let lines_path = answers.join("lines.jsonl");
    let l = s(&lines_path);
    expected.insert(("M0402".into(), format!("{l}:2")));
    expected.insert(("M0401".into(), format!("{l}:3")));
    let a = s(&answers);
    let r = s(&rules);
    let o = mizan(&["--format", "json", "eval", "--rules", r, a]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(json_errors(&v), expected, "{v}");
    assert_eq!(v["batches"][0]["aggregate"]["entities"], 3);
    for extra in [&[][..], &["--summary"]] {
        let mut args = vec!["--format", "plain", "eval", "--rules", r, a];
        args.extend(extra);
        let o = mizan(&args);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(text_errors(&stderr(&o)), expected, "{extra:?}");
        assert!(!stderr(&o).contains("M0421"), "{}", stderr(&o));
    }
    // The same files against the rule file give the same codes.
    let o = mizan(&["--format", "json", "eval", DEMO, a]);
    assert_eq!(json_errors(&json(&o)), expected);
}

/// A shuffle of `0..n` from `seed` (a small LCG: deterministic, no crate).
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for i in (1..n).rev() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        v.swap(i, (x >> 33) as usize % (i + 1));
    }
    v
}

/// Runs `mizan ARGS` (exit 0 expected) and returns (stdout, stderr).
fn run_ok(args: &[&str]) -> (String, String) {
    let o = mizan(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    (stdout(&o), stderr(&o))
}

#[test]
fn the_population_is_the_same_bytes_in_any_order_mode_and_threads() {
    // Ten entities score 1 and a few score 5e-28: a sum in input order
    // rounds at every tiny addend after the big ones (10 + 5e-28 needs 30
    // digits), a sum in id order (tiny ones first) does not. The population
    // is the exact sum, rounded once (ties to even).
    let dir = tempfile::tempdir().unwrap();
    for (aggregate, tiny, expected) in [
        ("sum", 4, "10.000000000000000000000000002"),
        ("sum", 3, "10.000000000000000000000000002"),
        ("sum", 1, "10"),
        ("mean", 4, "0.7142857142857142857142857144"),
    ] {
        let rules = dir.path().join(format!("{aggregate}{tiny}.mizan"));
        fs::write(
            &rules,
            format!(
                "rubric t.order {{\n  version \"1\"\n  scale s {{ big 1  tiny 0.0000000000000000000000000005 }}\n  criterion c {{ choice s }}\n  population {{ aggregate {aggregate} }}\n}}\n"
            ),
        )
        .unwrap();
        let r = s(&rules);
        let mut lines: Vec<String> = (0..10)
            .map(|i| format!(r#"{{"rubric": "t.order", "version": "1", "entity": {{"id": "b{i:02}"}}, "answers": {{"c": "big"}}}}"#))
            .collect();
        lines.extend((0..tiny).map(|i| {
            format!(r#"{{"rubric": "t.order", "version": "1", "entity": {{"id": "a{i:02}"}}, "answers": {{"c": "tiny"}}}}"#)
        }));
        let mut seen: [BTreeSet<String>; 3] = Default::default();
        for seed in 0..6u64 {
            let order = match seed {
                0 => (0..lines.len()).collect(),
                1 => (0..lines.len()).rev().collect(),
                _ => shuffled(lines.len(), seed),
            };
            let path = dir.path().join(format!("{aggregate}{tiny}-{seed}.jsonl"));
            let text: Vec<&str> = order.iter().map(|&i| lines[i].as_str()).collect();
            fs::write(&path, text.join("\n")).unwrap();
            let p = s(&path);
            let (doc, _) = run_ok(&["--format", "json", "eval", r, p]);
            let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
            assert_eq!(
                v["aggregate"]["score"].to_string(),
                expected,
                "{aggregate} {tiny}"
            );
            seen[0].insert(doc);
            for jobs in ["1", "2", "4"] {
                let (sum, _) = run_ok(&["--format", "json", "eval", r, p, "--summary", "--jobs", jobs]);
                let v: serde_json::Value = serde_json::from_str(&sum).unwrap();
                assert_eq!(
                    v["aggregate"]["score"].to_string(),
                    expected,
                    "{aggregate} {tiny} --summary"
                );
                seen[1].insert(sum);
                let (_, err) = run_ok(&["--format", "jsonl", "eval", r, p, "--jobs", jobs]);
                seen[2].insert(err.lines().last().unwrap().to_string());
            }
        }
        for (mode, outs) in ["default json", "--summary json", "jsonl summary line"]
            .iter()
            .zip(&seen)
        {
            assert_eq!(
                outs.len(),
                1,
                "{aggregate} {tiny}: {mode} differs with order or threads: {outs:#?}"
            );
        }
    }
}

/// `n` demo answer sets, each with an answer the profile rules out
/// (M0412), ids `w00000`…, in the order given.
fn warned(order: &[usize]) -> String {
    order
        .iter()
        .map(|&i| {
            valid(&format!("w{i:05}"), i).replace("\"data.open\"", "\"services.1.3\": \"yes\", \"data.open\"")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_summary_keeps_the_first_warnings_and_counts_all_of_them() {
    const N: usize = 50_000;
    let dir = tempfile::tempdir().unwrap();
    let fwd = dir.path().join("fwd.jsonl");
    let rev = dir.path().join("rev.jsonl");
    fs::write(&fwd, warned(&(0..N).collect::<Vec<_>>())).unwrap();
    fs::write(&rev, warned(&(0..N).rev().collect::<Vec<_>>())).unwrap();
    let mut docs = BTreeSet::new();
    for (p, jobs) in [(&fwd, "1"), (&rev, "2"), (&rev, "1")] {
        let (out, _) = run_ok(&[
            "--format",
            "json",
            "eval",
            DEMO,
            s(p),
            "--summary",
            "--jobs",
            jobs,
        ]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["aggregate"]["entities"], N);
        assert_eq!(v["warning_counts"], serde_json::json!({"M0412": N}));
        let w = v["warnings"].as_array().unwrap();
        // At most 100 kept, whatever the number of entities: the first in
        // entity-id order, as the default document lists them.
        assert_eq!(w.len(), 100);
        let ids: Vec<&str> = w.iter().map(|x| x["entity"].as_str().unwrap()).collect();
        let first: Vec<String> = (0..100).map(|i| format!("w{i:05}")).collect();
        assert_eq!(ids, first);
        assert!(w.iter().all(|x| x["code"] == "M0412"));
        // Sources differ (file, line); everything else is the same bytes.
        docs.insert(v["aggregate"].to_string());
        // The text summary and the entity lines show the count, not 50,000
        // warnings.
        let (_, err) = run_ok(&["eval", DEMO, s(p), "--summary", "--jobs", jobs]);
        assert_eq!(err.matches("warning[M0412]").count(), 20, "{}", &err[..200]);
        assert!(
            err.contains(&format!("… and {} more warnings (in all: M0412 × {N})", N - 20)),
            "{err:.300}"
        );
    }
    assert_eq!(docs.len(), 1, "{docs:?}");
    let o = mizan(&["--format", "jsonl", "eval", DEMO, s(&rev)]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert_eq!(err.matches("warning[M0412]").count(), 100);
    assert!(
        err.contains(&format!("… and {} more warnings (in all: M0412 × {N})", N - 100)),
        "{err:.300}"
    );
    // The default document, for comparison: every warning, the same first
    // hundred.
    let o = mizan(&["--format", "json", "eval", DEMO, s(&rev)]);
    let v = json(&o);
    assert_eq!(v["warnings"].as_array().unwrap().len(), N);
}

#[test]
fn every_combination_of_eval_flags_works_or_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir_all(rules.join("demo")).unwrap();
    fs::copy(DEMO, rules.join("demo/2024.mizan")).unwrap();
    let out = dir.path().join("out.txt");
    let mut checked = 0;
    for bits in 0..64u32 {
        let [with_rules, import, summary, explain, output, jobs] =
            std::array::from_fn(|i| bits & (1 << i) != 0);
        for format in ["human", "plain", "markdown", "json", "jsonl"] {
            let mut args = vec!["--format", format, "eval"];
            if with_rules {
                args.extend(["--rules", s(&rules)]);
            } else {
                args.push(DEMO);
            }
            if import {
                args.extend([
                    "--import",
                    "examples/demo/import/long.import.toml",
                    "examples/demo/import/answers-long.csv",
                ]);
            } else {
                args.push("examples/demo/answers");
            }
            if summary {
                args.push("--summary");
            }
            if explain {
                args.extend(["--explain", "moi"]);
            }
            if output {
                args.extend(["-o", s(&out)]);
            }
            if jobs {
                args.extend(["--jobs", "2"]);
            }
            let json = matches!(format, "json" | "jsonl");
            let conflict = if with_rules && import {
                Some(("--import", "--rules"))
            } else if with_rules && format == "jsonl" {
                Some(("--format jsonl", "--rules"))
            } else if explain && summary {
                Some(("--explain", "--summary"))
            } else if explain && json {
                Some(("--explain", "--format"))
            } else {
                None
            };
            let _ = fs::remove_file(&out);
            let o = mizan(&args);
            let err = stderr(&o);
            if let Some((a, b)) = conflict {
                assert_eq!(o.status.code(), Some(64), "{args:?}: {err}");
                assert!(
                    err.contains(a) && err.contains(b) && err.contains("cannot be combined"),
                    "{args:?}: {err}"
                );
                assert!(
                    o.stdout.is_empty() && !out.exists(),
                    "{args:?}: a usage error writes nothing"
                );
                continue;
            }
            assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
            let text = if output {
                assert!(o.stdout.is_empty(), "{args:?}: results go to -o");
                fs::read_to_string(&out).unwrap()
            } else {
                stdout(&o)
            };
            let entities = if import { 1 } else { 4 };
            if explain {
                assert!(text.starts_with("entity `moi`"), "{args:?}: {text}");
            } else if summary && json {
                let v: serde_json::Value = if format == "jsonl" {
                    assert_eq!(text.lines().count(), 1, "{args:?}: one line");
                    serde_json::from_str(&text).unwrap()
                } else {
                    serde_json::from_str(&text).unwrap()
                };
                let v = if with_rules { v["batches"][0].clone() } else { v };
                assert_eq!(v["aggregate"]["entities"], entities, "{args:?}: {text}");
                assert!(v.get("entities").is_none(), "{args:?}: a summary has no entities");
            } else if summary {
                assert!(
                    text.contains(&format!("over {entities} entities"))
                        && text.contains("rules: demo.readiness"),
                    "{args:?}: {text}"
                );
            } else if format == "jsonl" {
                let ids: Vec<String> = text
                    .lines()
                    .map(|l| {
                        serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                            .as_str()
                            .unwrap()
                            .to_string()
                    })
                    .collect();
                assert_eq!(ids.len(), entities, "{args:?}: {text}");
                assert!(ids.contains(&"moi".to_string()));
            } else if json {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                let v = if with_rules { v["batches"][0].clone() } else { v };
                assert_eq!(v["entities"].as_array().unwrap().len(), entities, "{args:?}");
            } else {
                assert!(
                    text.contains("moi") && text.contains(&format!("over {entities} entit")),
                    "{args:?}: {text}"
                );
            }
            checked += 1;
        }
    }
    // 320 combinations: these work, the others are usage errors.
    assert_eq!(checked, 148);
}

#[test]
fn eval_without_answer_sets_is_a_usage_error_in_every_mode() {
    for extra in [
        &[][..],
        &["--summary"],
        &["--format", "jsonl"],
        &["--import", "examples/demo/import/long.import.toml"],
    ] {
        let mut args = vec!["eval", DEMO];
        args.extend(extra);
        let o = mizan(&args);
        assert_eq!(o.status.code(), Some(64), "{args:?}");
        assert!(
            stderr(&o).contains("give answer sets"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// `--jobs` is bounded (1 to 256; 0 or none: all cores): `--jobs 99999`
/// started 99,999 threads of 64 MiB of stack each and ran for minutes
/// before scoring anything. Every mode: a usage error, at once.
#[test]
fn jobs_out_of_range_is_a_usage_error_in_every_mode() {
    let modes: [&[&str]; 4] = [
        &["eval"],
        &["eval", "--summary"],
        &["--format", "jsonl", "eval"],
        &["--format", "json", "eval"],
    ];
    for mode in modes {
        for jobs in ["257", "99999", "18446744073709551616", "two"] {
            let mut args = mode.to_vec();
            args.extend(["--jobs", jobs, DEMO, "examples/demo/answers"]);
            let start = std::time::Instant::now();
            let o = mizan(&args);
            assert_eq!(o.status.code(), Some(64), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("--jobs"), "{args:?}: {}", stderr(&o));
            assert!(start.elapsed() < std::time::Duration::from_secs(10), "{args:?}");
        }
        // The bounds themselves work, and give the same bytes.
        let outputs: Vec<String> = ["0", "1", "256"]
            .iter()
            .map(|jobs| {
                let mut args = mode.to_vec();
                args.extend(["--jobs", jobs, DEMO, "examples/demo/answers"]);
                let o = mizan(&args);
                assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
                stdout(&o)
            })
            .collect();
        assert!(outputs.iter().all(|o| o == &outputs[0]), "{mode:?}");
    }
}

#[test]
fn a_failed_population_is_an_error_in_every_mode_and_summaries_report_what_the_batch_does() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir_all(&rules).unwrap();
    let r = rules.join("pop.mizan");
    fs::write(
        &r,
        "rubric t.pop {\n  version \"1\"\n  bands grades { good >= 0.5  low >= 0 }\n  profile { federal: bool }\n  scale yn { yes 1  no 0 }\n  criterion q1 { choice yn }\n  criterion q2 {\n    choice yn\n    applies when federal\n  }\n  population {\n    score mean / min\n    bands grades\n  }\n}\n",
    )
    .unwrap();
    let line = |id: &str, q1: &str, federal: bool| {
        format!(
            r#"{{"rubric": "t.pop", "version": "1", "entity": {{"id": "{id}", "profile": {{"federal": {federal}}}}}, "answers": {{"q1": "{q1}", "q2": "{q1}"}}}}"#
        )
    };
    // Every entity scores above 0: a population, with its band; two M0412
    // warnings (q2 does not apply when not federal).
    let good = dir.path().join("good.jsonl");
    fs::write(
        &good,
        [
            line("a", "yes", false),
            line("b", "yes", true),
            line("c", "yes", false),
        ]
        .join("\n"),
    )
    .unwrap();
    // One entity scores 0: min is 0 and the population formula divides by
    // zero (M0501).
    let zero = dir.path().join("zero.jsonl");
    fs::write(&zero, [line("a", "yes", false), line("z", "no", true)].join("\n")).unwrap();
    let (r, rd) = (s(&r), s(&rules));

    let o = mizan(&["--format", "json", "eval", r, s(&good)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["aggregate"]["band"], "good");
    assert_eq!(doc["warnings"].as_array().unwrap().len(), 2);
    let o = mizan(&["--format", "json", "eval", r, s(&good), "--summary"]);
    assert_eq!(o.status.code(), Some(0));
    let sum = json(&o);
    assert_eq!(
        sum["aggregate"], doc["aggregate"],
        "same score, entities, band, excluded"
    );
    assert_eq!(sum["errors"], doc["errors"]);
    assert_eq!(sum["warnings"], doc["warnings"], "the same warnings");
    assert_eq!(sum["warning_counts"], serde_json::json!({"M0412": 2}));
    let (text, _) = run_ok(&["eval", r, s(&good), "--summary"]);
    assert!(
        text.starts_with("t.pop 1: population 100.0% good over 3 entities"),
        "{text}"
    );
    let (_, err) = run_ok(&["--format", "jsonl", "eval", r, s(&good)]);
    assert_eq!(err.matches("warning[M0412]").count(), 2, "{err}");
    assert!(err.ends_with("population 100.0% good over 3 entities\n"), "{err}");

    // The failed population: exit 1 and the M0501 error in every mode.
    let z = s(&zero);
    let population_error = |v: &serde_json::Value| {
        let errors = v["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{v}");
        assert_eq!(errors[0]["code"], "M0501");
        assert_eq!(errors[0]["source"], "population");
        assert_eq!(v["aggregate"]["score"], serde_json::Value::Null);
        assert_eq!(v["aggregate"]["band"], serde_json::Value::Null);
    };
    for args in [
        vec!["--format", "json", "eval", r, z],
        vec!["--format", "json", "eval", r, z, "--summary"],
        vec!["--format", "json", "eval", "--rules", rd, z],
        vec!["--format", "json", "eval", "--rules", rd, z, "--summary"],
    ] {
        let o = mizan(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let v = json(&o);
        let v = if args.contains(&"--rules") {
            v["batches"][0].clone()
        } else {
            v
        };
        population_error(&v);
        assert_eq!(
            v["warnings"].as_array().unwrap().len(),
            1,
            "{args:?}: the M0412 warning is kept"
        );
    }
    for args in [
        vec!["eval", r, z],
        vec!["eval", r, z, "--summary"],
        vec!["--format", "jsonl", "eval", r, z],
        vec!["eval", "--rules", rd, z],
    ] {
        let o = mizan(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains("error[M0501]") && err.contains("--> population"),
            "{args:?}: {err}"
        );
        assert!(err.contains("warning[M0412]"), "{args:?}: {err}");
    }
}

#[test]
fn a_rule_test_reads_its_jsonl_answers_line_by_line() {
    // `answers "FILE"` in a `*.test.mizan`: a line that is not UTF-8 does
    // not hide the entity on the next line.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules/demo");
    fs::create_dir_all(&rules).unwrap();
    fs::copy(DEMO, rules.join("2024.mizan")).unwrap();
    let path = dir.path().join("mixed.jsonl");
    mixed_jsonl(&path);
    fs::write(
        rules.join("2024.test.mizan"),
        format!(
            "tests demo.readiness {{\n  case \"m3 as filed\" {{\n    answers \"{}\"\n    entity \"m3\"\n    expect score = 0.7541666666666666666666666667\n  }}\n}}\n",
            s(&path)
        ),
    )
    .unwrap();
    let doc = json(&mizan(&["--format", "json", "eval", DEMO, s(&path)]));
    let m3 = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "m3")
        .unwrap();
    assert_eq!(m3["score"].to_string(), "0.7541666666666666666666666667");
    let o = mizan(&["test", s(&rules)]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}
