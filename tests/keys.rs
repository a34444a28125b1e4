//! `repeated … keys LIST` (issue 22 §1): a repeated node requires exactly
//! the instances of an instance list declared in the rubric; the list's
//! field values fill in the instances' fields. Checked once after reading,
//! the same on every path (readers, batch, streaming, import).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use miette::Diagnostic;
use mizan::answers::{self, Origin};
use std::process::Command;

const RULES: &str = include_str!("keys/keys.mizan");

fn rubric(text: &str) -> mizan::Rubric {
    let (r, d) = mizan::load("keys.mizan", text);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    r.unwrap()
}

fn set(entity: &str, instances: &str) -> String {
    format!(
        r#"{{"rubric": "demo.keys", "version": "1", "entity": {{"id": "{entity}"}}, "answers": {{}}, "instances": {{"cat": {instances}}}}}"#
    )
}

fn origin() -> Origin {
    Origin {
        file: "t.jsonl".into(),
        line: Some(1),
    }
}

/// (code, pointer, message) of each rejection, exact reader.
fn rejections(r: &mizan::Rubric, text: &str) -> Vec<(String, String, String)> {
    match answers::read(r.plan(), origin(), text) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .iter()
            .map(|e| {
                (
                    e.error.code().unwrap().to_string(),
                    e.pointer.clone(),
                    e.error.to_string(),
                )
            })
            .collect(),
    }
}

const OK: &str = r#"[{"key": "gdp", "answers": {"ind": 10}}, {"key": "pop", "answers": {"ind": 5}}]"#;

#[test]
fn a_valid_set_is_scored_with_the_list_fields() {
    let r = rubric(RULES);
    let res = r.evaluate_json("t.json", &set("a", OK)).unwrap();
    let json = serde_json::to_value(mizan::render::json::entity(r.model(), &res)).unwrap();
    // pop 0.5 and gdp 1: mean 0.75; `social` is pop alone, from the list's
    // `group: social` (the answer set gives no fields).
    assert_eq!(json["score"], serde_json::json!(0.75));
    assert_eq!(json["nodes"]["social"], serde_json::json!(0.5));
    let explain = mizan::render::explain::render(r.model(), &res);
    assert!(
        explain.contains("repeated, combined by mean, 2 instances, the instances of `category`"),
        "{explain}"
    );
}

#[test]
fn missing_unknown_and_repeated_ids_are_rejected_by_hand() {
    let r = rubric(RULES);
    // Nothing given: both ids missing, at the node's list of instances.
    let e = rejections(&r, &set("a", "[]"));
    let want = |code: &str, ptr: &str, msg: &str| (code.to_string(), ptr.to_string(), msg.to_string());
    assert_eq!(
        e,
        vec![
            want(
                "M0428",
                "/instances/cat",
                "instance `pop` of `cat` is missing (`keys category` requires it)"
            ),
            want(
                "M0428",
                "/instances/cat",
                "instance `gdp` of `cat` is missing (`keys category` requires it)"
            ),
        ]
    );
    // No `instances` at all: the same.
    let text = r#"{"rubric": "demo.keys", "version": "1", "entity": {"id": "a"}, "answers": {}}"#;
    assert_eq!(rejections(&r, text).len(), 2);
    // A misspelt id and an id given twice.
    let text = set(
        "a",
        r#"[{"key": "popp", "answers": {"ind": 5}}, {"key": "gdp", "answers": {"ind": 1}}, {"key": "gdp", "answers": {"ind": 1}}]"#,
    );
    let e = rejections(&r, &text);
    assert_eq!(
        e,
        vec![
            want(
                "M0429",
                "/instances/cat/0",
                "unexpected instance `popp` of `cat`: not in `category`"
            ),
            want(
                "M0429",
                "/instances/cat/2",
                "unexpected instance `gdp` of `cat`: given twice"
            ),
            want(
                "M0428",
                "/instances/cat",
                "instance `pop` of `cat` is missing (`keys category` requires it)"
            ),
        ]
    );
    let Err(e) = answers::read(r.plan(), origin(), &text) else {
        panic!()
    };
    assert_eq!(e[0].error.help().unwrap().to_string(), "did you mean `pop`?");
    // A field that disagrees with the list.
    let text = set(
        "a",
        r#"[{"key": "pop", "profile": {"group": "economic"}, "answers": {"ind": 5}}, {"key": "gdp", "profile": {"group": "economic"}, "answers": {"ind": 1}}]"#,
    );
    assert_eq!(
        rejections(&r, &text),
        vec![want(
            "M0429",
            "/instances/cat/0/profile/group",
            "unexpected instance `pop` of `cat`: field `group` is `economic` here and `social` in `category`"
        )]
    );
}

#[test]
fn unknown_list_and_bad_field_value_are_checker_errors() {
    let (_, d) = mizan::load("k.mizan", &RULES.replace("keys category", "keys categry"));
    assert_eq!(d.errors[0].code().unwrap().to_string(), "M0326");
    assert_eq!(
        d.errors[0].help().unwrap().to_string(),
        "did you mean `category`?"
    );
    let (_, d) = mizan::load("k.mizan", &RULES.replace("group: social", "group: socal"));
    assert_eq!(d.errors[0].code().unwrap().to_string(), "M0327");
    // `keys` is part of `repeated`: a plain node cannot say it.
    let (_, d) = mizan::load(
        "k.mizan",
        &RULES.replace("repeated mean keys category", "keys category"),
    );
    assert!(!d.errors.is_empty());
}

type Reader = fn(&mizan::plan::Plan, Origin, &str) -> Result<answers::Submission, Vec<answers::Rejection>>;

fn outcome(r: &mizan::Rubric, text: &str, read: Reader, program: bool) -> String {
    let res = read(r.plan(), origin(), text).and_then(|s| {
        if program {
            mizan::eval::evaluate(r.plan(), s)
        } else {
            mizan::eval::evaluate_general(r.plan(), s)
        }
    });
    match res {
        Ok(res) => serde_json::to_string(&mizan::render::json::entity(r.model(), &res)).unwrap(),
        Err(e) => {
            let e: Vec<_> = e.iter().map(mizan::render::json::problem).collect();
            format!("rejected {}", serde_json::to_string(&e).unwrap())
        }
    }
}

#[test]
fn every_reading_path_gives_the_same_bytes() {
    let r = rubric(RULES);
    let direct: Reader = |p, o, t| answers::read_direct(p, o, t).or_else(|o| answers::read_exact(p, o, t));
    let bytes: Reader = |p, o, t| answers::read_bytes(p, o, t.as_bytes());
    let none = r#"{"rubric": "demo.keys", "version": "1", "entity": {"id": "a"}, "answers": {}}"#.to_string();
    for text in [
        set("a", OK),
        set("a", "[]"),
        set("a", r#"[{"key": "popp"}]"#),
        none,
    ] {
        let exact = outcome(&r, &text, answers::read_exact, false);
        // The direct reader leaves a rubric with `keys` to the exact one.
        assert!(answers::read_direct(r.plan(), origin(), &text).is_err());
        for (name, read, program) in [
            ("exact, program", answers::read_exact as Reader, true),
            ("direct, general", direct, false),
            ("direct, program", direct, true),
            ("read, program", answers::read as Reader, true),
            ("bytes, program", bytes, true),
        ] {
            assert_eq!(outcome(&r, &text, read, program), exact, "{name}: {text}");
        }
    }
}

fn mizan(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn batch_streaming_summary_and_import_reject_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("all.jsonl");
    let lines = [
        set("alpha", OK),
        set(
            "beta",
            r#"[{"key": "popp", "answers": {"ind": 5}}, {"key": "gdp", "answers": {"ind": 10}}]"#,
        ),
    ];
    std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();
    let j = jsonl.to_str().unwrap();
    let rules = "tests/keys/keys.mizan";
    let batch = mizan(&["eval", "--format", "json", rules, j]);
    let stream = mizan(&["eval", "--format", "jsonl", rules, j]);
    let summary = mizan(&["eval", "--summary", rules, j]);
    let errors = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stderr)
            .lines()
            .filter(|l| l.starts_with("error[") || l.contains("-->"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let want = vec![
        "error[M0429]: unexpected instance `popp` of `cat`: not in `category`".to_string(),
        format!("  --> {j}:2, entity `beta`, at /instances/cat/0"),
        "error[M0428]: instance `pop` of `cat` is missing (`keys category` requires it)".to_string(),
        format!("  --> {j}:2, entity `beta`, at /instances/cat"),
    ];
    assert_eq!(errors(&stream), want);
    assert_eq!(errors(&summary), want);
    // Batch JSON lists the same problems in its document.
    let doc: serde_json::Value = serde_json::from_slice(&batch.stdout).unwrap();
    let codes: Vec<_> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["code"].clone(), e["pointer"].clone()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (serde_json::json!("M0429"), serde_json::json!("/instances/cat/0")),
            (serde_json::json!("M0428"), serde_json::json!("/instances/cat")),
        ]
    );
    assert_eq!(doc["entities"][0]["score"], serde_json::json!(0.75));
    // The streamed result of alpha is the batch's.
    let streamed: serde_json::Value =
        serde_json::from_slice(stream.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(streamed["score"], doc["entities"][0]["score"]);
    assert_eq!(streamed["nodes"], doc["entities"][0]["nodes"]);
    // `mizan import`: beta (rows `popp`, `gdp`) is refused with the same codes and not written.
    let imp = mizan(&[
        "import",
        rules,
        "tests/keys/keys.import.toml",
        "tests/keys/keys.csv",
    ]);
    let err = String::from_utf8_lossy(&imp.stderr);
    assert!(
        err.contains("error[M0429]: unexpected instance `popp` of `cat`: not in `category`"),
        "{err}"
    );
    assert!(
        err.contains("error[M0428]: instance `pop` of `cat` is missing"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&imp.stdout);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains(r#""id":"alpha""#), "{out}");
}

#[test]
fn fmt_prints_keys_and_diff_reports_it() {
    let once = mizan::fmt::format("k.mizan", RULES).unwrap();
    assert!(once.contains("repeated mean keys category\n"), "{once}");
    assert_eq!(mizan::fmt::format("k.mizan", &once).unwrap(), once);
    let plain = RULES.replace("repeated mean keys category", "repeated");
    assert!(mizan::fmt::format("k.mizan", "rubric d.k {\n version \"1\"\n instances l { a }\n group g { repeated keys l\n criterion c { yesno } }\n}\n").unwrap().contains("repeated keys l\n"));
    let d = mizan::diff::diff(rubric(&plain).model(), rubric(RULES).model());
    let c: Vec<_> = d
        .changes
        .iter()
        .map(|c| (c.kind, c.before.clone(), c.after.clone()))
        .collect();
    assert!(
        c.contains(&(
            "instance keys",
            Some("any".into()),
            Some("category (pop, gdp)".into())
        )),
        "{c:?}"
    );
}
