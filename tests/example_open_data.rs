//! The example rubric that uses templates, a function with parameters,
//! units, rounding modes, coded answers and a constraint together
//! (examples/open-data-2026), against the scores computed by hand in its
//! EXPECTED.md, on every evaluation path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

mod support;

use miette::Diagnostic;
use rust_decimal::Decimal;
use support::{answer_inputs, assert_frac, load_clean, mizan, stdout};

const RULES: &str = "examples/open-data-2026/open-data.mizan";

fn frac(n: i64, d: i64) -> Decimal {
    Decimal::from(n) / Decimal::from(d)
}

#[test]
fn hand_computed_scores() {
    let r = load_clean(RULES);
    let m = r.model();
    let b = r.evaluate_batch(answer_inputs(&["examples/open-data-2026/answers"]));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let node = |e: &str, id: &str| {
        let res = b.results.iter().find(|x| x.submission.entity == e).unwrap();
        let ix = if id == "score" { 0 } else { m.by_id[id] };
        res.outcomes[ix].score()
    };
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    // Rounded half to even: 0.525 → 0.52, 0.325 → 0.32; 0.675 → 0.68.
    assert_eq!(node("moh", "pop"), Some(d("0.52")));
    assert_eq!(node("moh", "edu"), Some(d("0.68")));
    assert_eq!(node("moh", "gdp"), Some(d("0.5")));
    assert_eq!(node("moe", "edu"), Some(d("0.32")));
    assert_eq!(node("moe", "gdp"), Some(Decimal::ZERO));
    // The code `pending` is N/A, `not_tracking` is 0.
    assert_eq!(node("moh", "gdp.y5"), None);
    assert_eq!(node("moe", "gdp.y5"), Some(Decimal::ZERO));
    // Points out of 4 and out of 12.
    assert_eq!(node("moh", "openness"), Some(d("6")));
    assert_eq!(node("moe", "openness"), Some(d("5")));
    // The list across instances kept the social ones.
    assert_eq!(node("moh", "social"), Some(d("0.7")));
    assert_eq!(node("moe", "social"), Some(d("0.65")));
    assert_frac(node("moh", "data"), 17, 30, "moh data");
    assert_frac(node("moh", "score"), 8, 15, "moh");
    assert_frac(node("moe", "score"), 257, 600, "moe");
    assert_frac(b.population.score, 577, 1200, "population");
    let band = |s: Decimal| m.band(&m.root().bands, s).unwrap().id.clone();
    assert_eq!(band(frac(8, 15)), "emerging");
    assert_eq!(band(frac(257, 600)), "emerging");
}

#[test]
fn the_invalid_answer_sets_are_rejected_with_their_codes() {
    let r = load_clean(RULES);
    let b = r.evaluate_batch(answer_inputs(&["examples/open-data-2026/invalid"]));
    let got: Vec<(String, String, String)> = b
        .errors
        .iter()
        .map(|e| {
            (
                e.entity.clone().unwrap_or_default(),
                e.code().unwrap().to_string(),
                e.pointer.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("mof".into(), "M0425".into(), "/answers/edu.y10".into()),
            ("moi".into(), "M0427".into(), "/answers/edu.y5".into()),
        ]
    );
}

#[test]
fn every_path_prints_the_same_numbers() {
    let json = |args: &[&str]| -> String {
        let o = mizan(args);
        stdout(&o)
    };
    let doc: serde_json::Value = serde_json::from_str(&json(&[
        "--format",
        "json",
        "eval",
        RULES,
        "examples/open-data-2026/answers",
    ]))
    .unwrap();
    // One JSON line per entity, streamed, gives the same entity objects.
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("all.jsonl");
    let mut lines = String::new();
    for f in ["moe", "moh"] {
        let t = std::fs::read_to_string(format!("examples/open-data-2026/answers/{f}.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        lines.push_str(&v.to_string());
        lines.push('\n');
    }
    std::fs::write(&jsonl, lines).unwrap();
    let streamed = json(&["--format", "jsonl", "eval", RULES, jsonl.to_str().unwrap()]);
    let streamed: Vec<serde_json::Value> = streamed
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        streamed.as_slice(),
        doc["entities"].as_array().unwrap().as_slice()
    );
    let summary: serde_json::Value = serde_json::from_str(&json(&[
        "--format",
        "json",
        "eval",
        "--summary",
        RULES,
        jsonl.to_str().unwrap(),
    ]))
    .unwrap();
    assert_eq!(summary["aggregate"], doc["aggregate"]);
    // The table prints points in their unit and scores at precision 1.
    let table = json(&["eval", RULES, "examples/open-data-2026/answers"]);
    assert!(
        table.contains("│ moe    ┆ 42.8% ┆ Emerging ┆ 44.0% ┆ 5.0 / 12 ┆  65.0% │"),
        "{table}"
    );
    assert!(
        table.contains("population: 48.1% Emerging over 2 entities"),
        "{table}"
    );
}

/// Rule tests answer a number criterion with a code, and coverage counts
/// codes like options (12 codes: 2 per year criterion of 3 categories).
#[test]
fn rule_tests_answer_codes_and_coverage_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(RULES, dir.path().join("open-data.mizan")).unwrap();
    std::fs::write(
        dir.path().join("open-data.test.mizan"),
        r#"tests demo.open_data {
  version "2026"
  case "codes" {
    answer pop.y5 = pending
    answer pop.y10 = 9
    answer pop.licence = 1
    answer edu.y5 = 3
    answer edu.y10 = 5
    answer edu.licence = 3
    answer gdp.y5 = not_tracking
    answer gdp.y10 = 7
    answer gdp.licence = 2
    expect gdp = 0.25
    expect pop = 0.25
  }
}
"#,
    )
    .unwrap();
    let o = mizan(&[
        "--format",
        "json",
        "test",
        dir.path().to_str().unwrap(),
        "--coverage",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["passed"], 1, "{doc}");
    let cov = &doc["coverage"][0];
    assert_eq!(cov["options"]["covered"], 2, "{cov}");
    assert_eq!(cov["options"]["total"], 12, "{cov}");
    let missed: Vec<&str> = cov["missed_options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!missed.contains(&"pop.y5 pending") && !missed.contains(&"gdp.y5 not_tracking"));
    assert!(missed.contains(&"gdp.y5 pending"), "{missed:?}");
}
