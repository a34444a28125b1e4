//! Units and headline indicators (`unit points of 100`, `unit score 0..10`,
//! `unit number`, `headline a, b`): hand-computed values through the
//! library and the CLI (table, JSON, JSONL, `--summary`, `--explain`,
//! `diff`), and every evaluation path giving the same bytes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use mizan::Rubric;
use rust_decimal::Decimal;
use support::{eval_file, load_clean, mizan, stderr, stdout};

mod support;

const SCORECARD: &str = "examples/units/scorecard.mizan";
const ANSWERS: &str = "examples/units/answers";

fn d(s: &str) -> Option<Decimal> {
    Some(s.parse().unwrap())
}

fn node(r: &Rubric, res: &mizan::eval::EntityResult, id: &str) -> Option<Decimal> {
    res.outcomes[r.model().by_id[id]].score().map(|d| d.normalize())
}

#[test]
fn library_scores_in_each_unit() {
    let r = load_clean(SCORECARD);
    let moe = eval_file(&r, "examples/units/answers/moe.json");
    // 32.5 points + full platform (1 × 60) = 92.5 of 100.
    assert_eq!(node(&r, &moe, "strategy"), d("32.5"));
    assert_eq!(node(&r, &moe, "platform"), d("60"));
    assert_eq!(node(&r, &moe, "readiness"), d("92.5"));
    // (6.4 + 4) / 2 = 5.2 on 0..10; a count of 14.
    assert_eq!(node(&r, &moe, "quality"), d("5.2"));
    assert_eq!(node(&r, &moe, "services"), d("14"));
    // Headlines and no total: the rubric's score is N/A.
    assert_eq!(moe.score(), None);
    let moh = eval_file(&r, "examples/units/answers/moh.json");
    // 20 + 0.5 × 60 = 50; (8 + 9) / 2 = 8.5.
    assert_eq!(node(&r, &moh, "readiness"), d("50"));
    assert_eq!(node(&r, &moh, "quality"), d("8.5"));
    let units: Vec<String> = ["readiness", "quality", "services", "survey"]
        .iter()
        .map(|id| r.model().nodes[r.model().by_id[*id]].unit.name())
        .collect();
    assert_eq!(units, ["points of 100", "score 0..10", "number", "score 0..10"]);
}

#[test]
fn a_score_outside_its_unit_rejects_with_the_unit_range() {
    let text = r#"rubric demo.t {
  version "1"
  criterion audit { unit score 0..10  number 0..10  score value + 2 }
}"#;
    let (r, diags) = mizan::load("t.mizan", text);
    assert!(diags.is_empty(), "{diags:?}");
    let r = r.unwrap();
    let ok = r
        .evaluate_json(
            "a.json",
            r#"{"rubric": "demo.t", "version": "1", "entity": {"id": "a"}, "answers": {"audit": 8}}"#,
        )
        .unwrap();
    assert_eq!(ok.score(), d("10"));
    let errs = r
        .evaluate_json(
            "b.json",
            r#"{"rubric": "demo.t", "version": "1", "entity": {"id": "b"}, "answers": {"audit": 9}}"#,
        )
        .unwrap_err();
    assert_eq!(
        errs[0].error.to_string(),
        "score 11 of `audit` is outside 0..10 (score 0..10)"
    );
}

#[test]
fn numbers_that_fit_their_unit_need_no_score_formula() {
    for (text, fits) in [
        ("unit score 0..10  number 0..10", true),
        ("unit points of 40  number 0..40", true),
        ("unit number  number", true),
        ("number 0..1", true),
        ("unit score 0..10  number 0..100", false),
        ("unit points  number", false),
        ("number percent 0..100", false),
    ] {
        let src = format!("rubric demo.t {{\n  version \"1\"\n  criterion c {{ {text} }}\n}}\n");
        let (_, diags) = mizan::load("t.mizan", &src);
        let m0309 = format!("{diags:?}").contains("has no score formula");
        assert_eq!(!m0309, fits, "{text}: {diags:?}");
    }
}

#[test]
fn checker_reports_units_errors() {
    for (body, code) in [
        ("criterion c { unit percentage  yesno }", "M0330"),
        ("criterion c { unit points of 0  yesno }", "M0330"),
        ("criterion c { unit score  yesno }", "M0330"),
        (
            "group g { criterion a { unit number  number } criterion b { yesno } }",
            "M0331",
        ),
        (
            "bands s { hi >= 2  lo >= 0 }\n criterion c { unit score 0..1.5  number 0..1.5  bands s }",
            "M0332",
        ),
        ("headline c, c\n criterion c { yesno }", "M0333"),
        ("group g { headline c  criterion c { yesno } }", "M0333"),
        ("criterion c { unit score 0..10  yesno  score 11 }", "M0320"),
    ] {
        let src = format!("rubric demo.t {{\n  version \"1\"\n  {body}\n}}\n");
        let o = {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("t.mizan");
            std::fs::write(&p, &src).unwrap();
            mizan(&["check", p.to_str().unwrap()])
        };
        assert!(
            stderr(&o).contains(code) || stdout(&o).contains(code),
            "{body}: {}",
            stderr(&o)
        );
    }
    // A sum of counts is a count; `count` of points is a number; thresholds
    // in the unit pass.
    let ok = "rubric demo.t {\n version \"1\"\n bands s { hi >= 7  lo >= 0 }\n group g { aggregate sum  bands s\n criterion a { unit score 0..10  number 0..10 }\n criterion b { unit score 0..10  number 0..10 } }\n}\n";
    let (r, diags) = mizan::load("t.mizan", ok);
    assert!(diags.is_empty(), "{diags:?}");
    let r = r.unwrap();
    assert_eq!(r.model().nodes[r.model().by_id["g"]].unit.name(), "score 0..20");
}

#[test]
fn table_shows_each_headline_in_its_unit_and_no_total() {
    let o = mizan(&["--format", "plain", "eval", SCORECARD, ANSWERS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let header = out.lines().nth(1).unwrap();
    assert!(
        header.contains("readiness") && !header.contains("score") && !header.contains("band"),
        "{out}"
    );
    assert!(
        out.contains("92.5 / 100") && out.contains("5.2 / 10 Low") && out.contains(" 14"),
        "{out}"
    );
    assert!(out.contains("8.5 / 10 High"), "{out}");
    // (92.5 + 50) / 2 = 71.25 → 71.3; (5.2 + 8.5) / 2 = 6.85 → 6.9; (14 + 6) / 2 = 10.
    assert!(
        out.contains("population: readiness 71.3 / 100 · quality 6.9 / 10 · services 10 over 2 entities"),
        "{out}"
    );
    let ar = stdout(&mizan(&["--lang", "ar", "eval", SCORECARD, ANSWERS]));
    assert!(ar.contains("الإجمالي"), "{ar}");
}

#[test]
fn json_keeps_exact_values_and_lists_units_and_headlines() {
    let o = mizan(&["--format", "json", "eval", SCORECARD, ANSWERS]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["rubric"]["headlines"],
        serde_json::json!(["readiness", "quality", "services"])
    );
    assert_eq!(
        doc["rubric"]["units"]["readiness"],
        serde_json::json!({"unit": "points", "of": 100})
    );
    assert_eq!(
        doc["rubric"]["units"]["quality"],
        serde_json::json!({"unit": "score", "min": 0, "max": 10})
    );
    assert_eq!(
        doc["rubric"]["units"]["services"],
        serde_json::json!({"unit": "number"})
    );
    let moe = &doc["entities"][0];
    assert_eq!(moe["score"], serde_json::Value::Null);
    assert_eq!(moe["nodes"]["readiness"].to_string(), "92.5");
    assert_eq!(moe["node_bands"]["quality"]["stars"], "low");
    assert_eq!(doc["headlines"]["readiness"].to_string(), "71.25");
    assert_eq!(doc["headlines"]["quality"].to_string(), "6.85");
    assert_eq!(doc["headlines"]["services"].to_string(), "10");
    // JSONL lines are entity objects; the summary carries the rubric block.
    let l = stdout(&mizan(&["--format", "jsonl", "eval", SCORECARD, ANSWERS]));
    let first: serde_json::Value = serde_json::from_str(l.lines().next().unwrap()).unwrap();
    assert_eq!(first["nodes"]["quality"].to_string(), "5.2");
    let s: serde_json::Value =
        serde_json::from_slice(&mizan(&["--format", "json", "eval", "--summary", SCORECARD, ANSWERS]).stdout)
            .unwrap();
    assert_eq!(
        s["rubric"]["units"]["services"],
        serde_json::json!({"unit": "number"})
    );
    assert_eq!(s["headlines"]["quality"].to_string(), "6.85");
    // Streamed (JSONL input): the same headline population, in text and JSON.
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("all.jsonl");
    let mut lines = String::new();
    for f in ["moe", "moh"] {
        let t = std::fs::read_to_string(format!("{ANSWERS}/{f}.json")).unwrap();
        lines.push_str(&t.replace('\n', " "));
        lines.push('\n');
    }
    std::fs::write(&jsonl, lines).unwrap();
    let j = jsonl.to_str().unwrap();
    let s: serde_json::Value =
        serde_json::from_slice(&mizan(&["--format", "json", "eval", "--summary", SCORECARD, j]).stdout)
            .unwrap();
    assert_eq!(s["headlines"]["readiness"].to_string(), "71.25");
    let text = stdout(&mizan(&["eval", "--summary", SCORECARD, j]));
    assert!(
        text.contains("population readiness 71.3 / 100 · quality 6.9 / 10 · services 10 over 2 entities"),
        "{text}"
    );
    // A rubric without units has neither key: old output is unchanged.
    let old: serde_json::Value = serde_json::from_slice(
        &mizan(&[
            "--format",
            "json",
            "eval",
            "examples/demo/digital-readiness.mizan",
            "examples/demo/answers",
        ])
        .stdout,
    )
    .unwrap();
    assert!(old["rubric"].get("units").is_none() && old.get("headlines").is_none());
}

#[test]
fn explain_shows_values_in_their_units() {
    let out = stdout(&mizan(&["eval", SCORECARD, ANSWERS, "--explain", "moe"]));
    assert!(
        out.contains("headlines readiness, quality, services (no total)"),
        "{out}"
    );
    assert!(out.contains("achieved 92.5 = 92.5 / 100"), "{out}");
    assert!(out.contains("answered 32.5 = 32.5 / 40"), "{out}");
    assert!(out.contains("answered 14 = 14"), "{out}");
}

#[test]
fn diff_reports_unit_changes_and_deltas_in_points() {
    let o = mizan(&[
        "diff",
        "tests/units/old.mizan",
        "tests/units/new.mizan",
        "--answers",
        "tests/units/answers",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("unit demo.diffunits: points of 100 → points"),
        "{out}"
    );
    // a: 30 + 0.5 × 60 = 60 → 30 + 0.55 × 60 = 63.
    assert!(
        out.contains("60.0 / 100") && out.contains("63.0") && out.contains("+3.0 points"),
        "{out}"
    );
    assert!(
        out.contains("population: 65.0 / 100 → 66.5 (+1.5 points)"),
        "{out}"
    );
}

#[test]
fn every_path_gives_the_same_bytes_on_a_rubric_with_units() {
    let text = std::fs::read_to_string("tests/units/paths.mizan").unwrap();
    let (r, diags) = mizan::load("paths.mizan", &text);
    assert!(!diags.has_errors(), "{diags:?}");
    let r = r.unwrap();
    let sets = [
        r#"{"rubric": "demo.paths", "version": "1", "entity": {"id": "a"}, "answers": {"p": "full", "q": "no", "s": 7.5, "n": 3, "y": "yes"}}"#,
        r#"{"rubric": "demo.paths", "version": "1", "entity": {"id": "b"}, "answers": {"p": "half", "q": "yes", "s": 0, "n": 0, "y": "no"}}"#,
        r#"{"rubric": "demo.paths", "version": "1", "entity": {"id": "c"}, "answers": {"p": "full", "q": "yes", "s": 10, "n": 12, "y": "yes"}}"#,
        r#"{"rubric": "demo.paths", "version": "1", "entity": {"id": "d"}, "answers": {"p": "none", "q": "no", "s": 2.25, "n": 1.5, "y": "no"}}"#,
    ];
    for text in sets {
        let exact = support::same_on_every_path(&r, text);
        assert!(!exact.starts_with("rejected"), "{exact}");
    }
    // a: p 1 × 4 = 4 points, q 0 → mean of choices… checked by hand:
    let a = r.evaluate_json("a.json", sets[0]).unwrap();
    assert_eq!(node(&r, &a, "pts"), d("4"));
    assert_eq!(node(&r, &a, "s"), d("7.5"));
    assert_eq!(node(&r, &a, "n"), d("3"));
}
