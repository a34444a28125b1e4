//! Evaluation semantics that used to give silent wrong answers, with
//! hand-computed values, through every path: the library (the compiled
//! program and the general evaluator), the CLI in default mode (`--format
//! json`) and in streaming mode (`--format jsonl`, `--summary`). And the
//! checker's constant folding: rubrics bound to fail are refused by `check`
//! and by `eval` in every mode.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

mod support;

use std::collections::BTreeMap;
use std::fs;

use mizan::answers::{self, Origin};
use mizan::eval::{evaluate, evaluate_general};
use mizan::render::json;
use serde_json::Value;
use support::{mizan, stderr, stdout};

/// Per entity: its JSON (`score`, `nodes`), as the library and every CLI
/// mode give it (they must agree), and the population score (`--format
/// json`, default and `--summary`, must agree).
struct Scored {
    entities: BTreeMap<String, Value>,
    population: Value,
}

/// A node's value (or the entity's score, `""`) as JSON text: `1`, `0.5`,
/// `null` for N/A.
fn at(s: &Scored, entity: &str, node: &str) -> String {
    let e = &s.entities[entity];
    let v = if node.is_empty() {
        &e["score"]
    } else {
        &e["nodes"][node]
    };
    v.to_string()
}

/// Scores `lines` (answer sets without `rubric`/`version`, which are added)
/// through every path and checks they agree.
fn score_everywhere(rules: &str, lines: &[Value]) -> Scored {
    let (rubric, diags) = mizan::load("rules.mizan", rules);
    let rubric = rubric.unwrap_or_else(|| panic!("{diags:?}"));
    let model = rubric.model();
    let texts: Vec<String> = lines
        .iter()
        .map(|l| {
            let mut l = l.clone();
            l["rubric"] = model.id.clone().into();
            l["version"] = model.version.clone().into();
            l.to_string()
        })
        .collect();
    // The library: the compiled program and the general evaluator.
    let mut lib = BTreeMap::new();
    for t in &texts {
        let origin = Origin {
            file: "a.jsonl".into(),
            line: None,
        };
        let one = |general: bool| {
            let sub = answers::read_exact(rubric.plan(), origin.clone(), t).unwrap();
            let r = if general {
                evaluate_general(rubric.plan(), sub)
            } else {
                evaluate(rubric.plan(), sub)
            };
            let r = r.unwrap_or_else(|e| panic!("rejected: {e:?}\n{t}"));
            serde_json::to_value(json::entity(model, &r)).unwrap()
        };
        let (program, general) = (one(false), one(true));
        assert_eq!(
            program, general,
            "the program and the general evaluator differ on\n{t}"
        );
        let mut v = program;
        v.as_object_mut().unwrap().remove("rank");
        lib.insert(v["id"].as_str().unwrap().to_string(), v);
    }
    // The CLI.
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("rules.mizan");
    let a = dir.path().join("answers.jsonl");
    fs::write(&r, rules).unwrap();
    fs::write(&a, texts.join("\n") + "\n").unwrap();
    let (r, a) = (r.to_str().unwrap(), a.to_str().unwrap());
    let default = mizan(&["--format", "json", "eval", r, a]);
    assert_eq!(default.status.code(), Some(0), "{}", stderr(&default));
    let doc: Value = serde_json::from_slice(&default.stdout).unwrap();
    let mut cli = BTreeMap::new();
    for e in doc["entities"].as_array().unwrap() {
        let mut e = e.clone();
        e.as_object_mut().unwrap().remove("rank");
        cli.insert(e["id"].as_str().unwrap().to_string(), e);
    }
    assert_eq!(cli, lib, "default mode differs from the library");
    let streamed = mizan(&["--format", "jsonl", "eval", r, a]);
    assert_eq!(streamed.status.code(), Some(0), "{}", stderr(&streamed));
    let mut jsonl = BTreeMap::new();
    for line in stdout(&streamed).lines() {
        let mut e: Value = serde_json::from_str(line).unwrap();
        e.as_object_mut().unwrap().remove("rank");
        jsonl.insert(e["id"].as_str().unwrap().to_string(), e);
    }
    assert_eq!(jsonl, lib, "--format jsonl differs from the library");
    let summary = mizan(&["--format", "json", "eval", r, a, "--summary"]);
    assert_eq!(summary.status.code(), Some(0), "{}", stderr(&summary));
    let sum: Value = serde_json::from_slice(&summary.stdout).unwrap();
    assert_eq!(
        sum["aggregate"]["score"], doc["aggregate"]["score"],
        "--summary differs from default mode"
    );
    Scored {
        entities: lib,
        population: doc["aggregate"]["score"].clone(),
    }
}

fn answers(id: &str, profile: Value, answers: Value) -> Value {
    serde_json::json!({"entity": {"id": id, "profile": profile}, "answers": answers})
}

/// `and`, `or` and `not` over every pair of true, false and N/A (an
/// unanswered yes/no under `missing na`), on both sides, in `if`
/// conditions (1: true, 0: false, null: N/A).
#[test]
fn and_or_not_follow_kleene_logic_on_both_sides() {
    let rules = r#"
rubric sem.kleene {
  version "1"
  group inputs {
    missing na
    criterion a { yesno }
    criterion b { yesno }
  }
  criterion t_and  { number 0..1  score if answer(a) and answer(b) then value else 0 }
  criterion t_or   { number 0..1  score if answer(a) or answer(b) then value else 0 }
  criterion t_not  { number 0..1  score if not answer(a) then value else 0 }
  criterion t_band { number 0..1  score if answer(b) and answer(a) then value else 0 }
  criterion t_bor  { number 0..1  score if answer(b) or answer(a) then value else 0 }
}
"#;
    let vals = [("t", Some(true)), ("f", Some(false)), ("n", None)];
    let mut lines = Vec::new();
    for (x, a) in vals {
        for (y, b) in vals {
            let mut ans = serde_json::json!({"t_and": 1, "t_or": 1, "t_not": 1, "t_band": 1, "t_bor": 1});
            if let Some(a) = a {
                ans["a"] = a.into();
            }
            if let Some(b) = b {
                ans["b"] = b.into();
            }
            lines.push(answers(&format!("{x}{y}"), serde_json::json!({}), ans));
        }
    }
    let s = score_everywhere(rules, &lines);
    // (a, b): and, or, not a.
    let table = [
        ("tt", "1", "1", "0"),
        ("tf", "0", "1", "0"),
        ("tn", "null", "1", "0"),
        ("ft", "0", "1", "1"),
        ("ff", "0", "0", "1"),
        ("fn", "0", "null", "1"),
        ("nt", "null", "1", "null"),
        ("nf", "0", "null", "null"),
        ("nn", "null", "null", "null"),
    ];
    for (e, and, or, not) in table {
        assert_eq!(at(&s, e, "t_and"), and, "{e}: a and b");
        assert_eq!(at(&s, e, "t_band"), and, "{e}: b and a");
        assert_eq!(at(&s, e, "t_or"), or, "{e}: a or b");
        assert_eq!(at(&s, e, "t_bor"), or, "{e}: b or a");
        assert_eq!(at(&s, e, "t_not"), not, "{e}: not a");
    }
}

/// `answer(c)` of a criterion ruled out by the profile (its own `applies
/// when`, or its group's) is N/A, though the answer set answers it.
#[test]
fn answer_of_a_criterion_that_does_not_apply_is_na() {
    let rules = r#"
rubric sem.answer_na {
  version "1"
  profile { online: bool }
  scale lvl { none 0  some 0.5  full 1 }
  criterion portal { yesno  applies when online }
  group digital {
    applies when online
    criterion channel { choice lvl }
  }
  criterion follow  { number 0..1  score if is_na(answer(portal)) then 0.5 * value else value }
  criterion level   { number 0..1  score if answer(channel) == full then value else default(0.25 * value, 0) }
  criterion gate    { number 0..1  score if answer(portal) or answer(channel) == full then value else 0.75 * value }
}
"#;
    let lines = [
        answers(
            "offline",
            serde_json::json!({"online": false}),
            serde_json::json!({"portal": "yes", "channel": "full", "follow": 1, "level": 1, "gate": 1}),
        ),
        answers(
            "online",
            serde_json::json!({"online": true}),
            serde_json::json!({"portal": "yes", "channel": "full", "follow": 1, "level": 1, "gate": 1}),
        ),
    ];
    let s = score_everywhere(rules, &lines);
    // Offline: portal and channel do not apply; answer(…) is N/A.
    assert_eq!(at(&s, "offline", "portal"), "null");
    assert_eq!(at(&s, "offline", "follow"), "0.5");
    // `N/A == full` is N/A: the `if` is N/A, so is `level`.
    assert_eq!(at(&s, "offline", "level"), "null");
    // `N/A or N/A` is N/A.
    assert_eq!(at(&s, "offline", "gate"), "null");
    // (0.5) / 1: only `follow` has a score.
    assert_eq!(at(&s, "offline", ""), "0.5");
    // Online: everything applies; (1 + 1 + 1 + 1 + 1) / 5.
    assert_eq!(at(&s, "online", "follow"), "1");
    assert_eq!(at(&s, "online", "level"), "1");
    assert_eq!(at(&s, "online", "gate"), "1");
    assert_eq!(at(&s, "online", ""), "1");
    assert_eq!(s.population.to_string(), "0.75");
}

/// An unanswered multiple-choice criterion under `missing worst` takes the
/// worst combination (the empty list, 0) under every `combine` rule, and
/// so does an unanswered instance merged under `repeated best`.
#[test]
fn missing_worst_multi_is_the_worst_combination() {
    let rules = r#"
rubric sem.worst_multi {
  version "1"
  missing worst
  aggregate sum
  criterion m_capped { multi { web 0.5  app 0.75  kiosk 1 } }
  criterion m_sum    { multi { web 0.5  app 0.5 } combine sum }
  criterion m_max    { multi { web 0.5  app 1 } combine max }
  criterion m_min    { multi { web 0.5  app 1 } combine min }
  criterion m_mean   { multi { web 0.5  app 1 } combine mean }
  criterion c        { choice { good 1  fair 0.25 } }
  criterion y        { yesno }
}
"#;
    let lines = [
        answers("blank", serde_json::json!({}), serde_json::json!({})),
        answers(
            "web",
            serde_json::json!({}),
            serde_json::json!({"m_capped": ["web"], "m_sum": ["web"], "m_max": ["web"], "m_min": ["web"], "m_mean": ["web"], "c": "good", "y": true}),
        ),
        answers(
            "empty",
            serde_json::json!({}),
            serde_json::json!({"m_capped": [], "m_sum": [], "m_max": [], "m_min": [], "m_mean": [], "c": "fair", "y": false}),
        ),
    ];
    let s = score_everywhere(rules, &lines);
    for m in ["m_capped", "m_sum", "m_max", "m_min", "m_mean"] {
        assert_eq!(at(&s, "blank", m), "0", "{m} unanswered");
        assert_eq!(at(&s, "empty", m), "0", "{m} answered []");
    }
    assert_eq!(at(&s, "blank", "c"), "0.25");
    assert_eq!(at(&s, "blank", "y"), "0");
    // blank: 0.25; web: 0.5 + 0.5 + 0.5 + 0.5 + 0.5 + 1 + 1 = 4.25; empty: 0.25.
    assert_eq!(at(&s, "blank", ""), "0.25");
    assert_eq!(at(&s, "web", ""), "4.5");
    assert_eq!(at(&s, "empty", ""), "0.25");
    // Mean of 0.25, 4.5, 0.25.
    assert_eq!(s.population.to_string(), "1.6666666666666666666666666667");
}

#[test]
fn missing_worst_multi_in_repeated_best_is_the_empty_list() {
    let rules = r#"
rubric sem.worst_best {
  version "1"
  missing worst
  group svc {
    repeated best
    criterion m { multi { web 0.5  app 1 } combine min }
  }
}
"#;
    let (r, d) = mizan::load("rules.mizan", rules);
    let r = r.unwrap_or_else(|| panic!("{d:?}"));
    // One instance answers nothing (worst: the empty list, 0), the other
    // `web` (0.5): the best is 0.5. Before, the unanswered instance counted
    // as `web` too; with only unanswered instances, the score is 0, not 0.5.
    for (instances, want) in [
        (
            r#"[{"key": "a", "answers": {}}, {"key": "b", "answers": {"m": ["web"]}}]"#,
            "0.5",
        ),
        (
            r#"[{"key": "a", "answers": {}}, {"key": "b", "answers": {"m": ["app"]}}]"#,
            "1",
        ),
        (
            r#"[{"key": "a", "answers": {}}, {"key": "b", "answers": {}}]"#,
            "0",
        ),
    ] {
        let text = format!(
            r#"{{"rubric": "sem.worst_best", "version": "1", "entity": {{"id": "e"}}, "answers": {{}}, "instances": {{"svc": {instances}}}}}"#
        );
        let sub = answers::read_exact(
            r.plan(),
            Origin {
                file: "a.json".into(),
                line: None,
            },
            &text,
        );
        let sub = sub.unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        let res = evaluate_general(r.plan(), sub.clone()).unwrap();
        let prog = evaluate(r.plan(), sub).unwrap();
        assert_eq!(res.outcomes, prog.outcomes);
        assert_eq!(
            res.score().map(|d| d.normalize().to_string()).as_deref(),
            Some(want),
            "{text}"
        );
    }
}

/// The population formula reads named values that do not depend on the
/// profile (they were N/A before), and `rank when` reads named values
/// computed on each entity's profile.
#[test]
fn population_formula_and_rank_read_named_values() {
    let rules = r#"
rubric sem.pop_let {
  version "1"
  profile { size: number }
  let pct = 40
  let share = pct / 100
  let big = size > 10
  criterion q { choice { yes 1  half 0.5  no 0 } }
  population { score share * mean + min / 10  rank when big }
}
"#;
    let lines = [
        answers(
            "a",
            serde_json::json!({"size": 20}),
            serde_json::json!({"q": "yes"}),
        ),
        answers(
            "b",
            serde_json::json!({"size": 5}),
            serde_json::json!({"q": "half"}),
        ),
        answers(
            "c",
            serde_json::json!({"size": 50}),
            serde_json::json!({"q": "half"}),
        ),
    ];
    let s = score_everywhere(rules, &lines);
    // mean = (1 + 0.5 + 0.5) / 3 = 2/3; 0.4 × 2/3 + 0.5 / 10.
    let mean = rust_decimal::Decimal::TWO / rust_decimal::Decimal::from(3);
    let want = rust_decimal::Decimal::new(4, 1) * mean + rust_decimal::Decimal::new(5, 2);
    assert_eq!(s.population.to_string(), want.to_string());
    // Ranks: only big entities (a: 1, c: 0.5), in default JSON.
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("rules.mizan");
    fs::write(&r, rules).unwrap();
    let mut files = Vec::new();
    for l in &lines {
        let mut l = l.clone();
        l["rubric"] = "sem.pop_let".into();
        l["version"] = "1".into();
        let p = dir
            .path()
            .join(format!("{}.json", l["entity"]["id"].as_str().unwrap()));
        fs::write(&p, l.to_string()).unwrap();
        files.push(p.to_str().unwrap().to_string());
    }
    let mut args = vec!["--format", "json", "eval", r.to_str().unwrap()];
    args.extend(files.iter().map(String::as_str));
    let o = mizan(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ranks: Vec<String> = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}={}", e["id"].as_str().unwrap(), e["rank"]))
        .collect();
    assert_eq!(ranks, ["a=1", "b=null", "c=2"]);
}

/// A profile field, or a named value computed from one, in the population
/// formula is refused (it used to be N/A: a silent population of N/A).
#[test]
fn population_formula_refuses_the_profile() {
    for formula in [
        "mean * per",
        "mean + size",
        "mean * twice",
        "default(per, 1) * mean",
        "if big then mean else 0",
    ] {
        let rules = format!(
            r#"
rubric sem.pop_bad {{
  version "1"
  profile {{ size: number }}
  let per = size / 100
  let twice = per * 2
  let big = size > 10
  formula per_mean = mean * per
  criterion q {{ yesno }}
  population {{ score {formula} }}
}}
"#
        );
        let (r, d) = mizan::load("rules.mizan", &rules);
        assert!(r.is_none(), "{formula}: accepted");
        assert_eq!(d.codes(), ["M0216"], "{formula}");
    }
    // Through a formula template too.
    let (r, d) = mizan::load(
        "rules.mizan",
        "rubric t { version \"1\" profile { size: number } let per = size / 100 formula pm = mean * per criterion q { yesno } population { score pm } }",
    );
    assert!(r.is_none());
    assert_eq!(d.codes(), ["M0216"]);
}

/// Rubrics bound to fail, in several spellings each: `load` refuses them
/// with the code, `check` exits 1, and `eval` exits 1 in default and in
/// streaming modes without scoring anything.
#[test]
fn rubrics_bound_to_fail_are_refused_by_check_and_every_eval_mode() {
    let cases: &[(&str, &str)] = &[
        // Division by a constant zero.
        ("criterion c { number 0..10  score value / 0 }", "M0315"),
        ("let z = 0\n criterion c { number 0..10  score clamp(1 / z, 0, 1) }", "M0315"),
        ("let z = 1 - 1\n let w = z * 3\n criterion c { number 0..10  score clamp(value / w, 0, 1) }", "M0315"),
        ("criterion c { number 0..10  score clamp(value / (2 - 2), 0, 1) }", "M0315"),
        ("let z = 0\n criterion c { number 0..10  score clamp(value / round(z, 0), 0, 1) }", "M0315"),
        (
            "kpi k { number 0..100  baseline 40  target 40  score clamp((value - baseline) / (target - baseline), 0, 1) }",
            "M0315",
        ),
        ("let r = 1 / 0\n criterion c { yesno }", "M0315"),
        ("criterion c { yesno }\n population { score mean / 0 }", "M0315"),
        ("criterion c { yesno }\n group g { score achieved / (1 - 1) criterion d { yesno } }", "M0315"),
        ("profile { n: number }\n criterion c { yesno  applies when 1 / 0 > n }", "M0315"),
        // Overflow.
        ("let big = 10000000000 * 10000000000 * 10000000000\n criterion c { yesno }", "M0316"),
        // Inverted clamp.
        ("criterion c { number 0..1  score clamp(value, 1, 0) }", "M0317"),
        ("let lo = 0.8\n let hi = 0.2\n criterion c { number 0..1  score clamp(value, lo, hi) }", "M0317"),
        // Zero weights.
        (
            "group g { aggregate weighted_mean  criterion a { yesno  weight 0 }  criterion b { yesno  weight 0 } }",
            "M0318",
        ),
        (
            "group g { aggregate weighted_mean over criteria  group h { criterion a { yesno  weight 0 } }  criterion b { yesno  weight 0 } }",
            "M0318",
        ),
        ("let w = 0\n criterion c { number 0..1  score wmean(value, w, value, 0) }", "M0318"),
        // A constant criterion score outside [0, 1].
        ("criterion c { yesno  score 1.5 }", "M0320"),
        ("let k = 2\n criterion c { yesno  score k - 3 }", "M0320"),
        ("criterion c { number 0..1  score if 1 > 0 then 2 else value }", "M0320"),
        // KPI direction.
        (
            "kpi k { number 1..193  baseline 20  target 60  direction lower  score clamp((baseline - value) / (baseline - target), 0, 1) }",
            "M0322",
        ),
        (
            "kpi k { number 0..100  baseline 80  target 40  direction higher  score clamp(value / target, 0, 1) }",
            "M0322",
        ),
        (
            "kpi k { number 1..193  baseline 60  target 20  direction lower  score clamp(value / target, 0, 1) }",
            "M0323",
        ),
        (
            "formula hib = clamp(value / target, 0, 1)\n kpi k { number 1..  target 20  direction lower  score hib }",
            "M0323",
        ),
        (
            "kpi k { number 0..100  baseline 40  target 80  direction higher  score clamp((baseline - value) / baseline, 0, 1) }",
            "M0323",
        ),
        (
            "kpi k { number 0..100  target 80  direction higher  score if value >= target then 0 else 1 }",
            "M0323",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("a.jsonl");
    fs::write(
        &answers,
        "{\"rubric\": \"sem.bad\", \"version\": \"1\", \"entity\": {\"id\": \"e\"}, \"answers\": {}}\n",
    )
    .unwrap();
    let answers = answers.to_str().unwrap();
    for (i, (body, code)) in cases.iter().enumerate() {
        let rules = format!("rubric sem.bad {{\n version \"1\"\n {body}\n}}\n");
        let (r, d) = mizan::load("rules.mizan", &rules);
        assert!(r.is_none(), "accepted:\n{rules}");
        assert!(
            d.codes().iter().any(|c| c == code),
            "{code} not in {:?}:\n{rules}",
            d.codes()
        );
        let path = dir.path().join(format!("r{i}.mizan"));
        fs::write(&path, &rules).unwrap();
        let path = path.to_str().unwrap();
        let o = mizan(&["check", path]);
        assert_eq!(o.status.code(), Some(1), "check:\n{rules}");
        assert!(stderr(&o).contains(code), "check:\n{}", stderr(&o));
        for args in [
            vec!["eval", path, answers],
            vec!["eval", path, answers, "--summary"],
            vec!["--format", "jsonl", "eval", path, answers],
        ] {
            let o = mizan(&args);
            assert_eq!(o.status.code(), Some(1), "{args:?}:\n{rules}\n{}", stderr(&o));
            assert!(stderr(&o).contains(code), "{args:?}: {}", stderr(&o));
            assert!(stdout(&o).trim().is_empty(), "{args:?} scored: {}", stdout(&o));
        }
    }
}

/// Suspicious but evaluable: warnings, so `check` passes and `check
/// --deny-warnings` does not.
#[test]
fn constant_conditions_and_formulas_always_na_are_warnings() {
    let cases: &[(&str, &str)] = &[
        (
            "criterion c { number 0..1  score if 1 > 2 then value else 0 }",
            "M0319",
        ),
        (
            "criterion c { number 0..1  score if true or value > 0.5 then value else 0 }",
            "M0319",
        ),
        ("criterion c { yesno  applies when false }", "M0319"),
        ("criterion c { yesno  applies when 1 == 1 and true }", "M0319"),
        ("group g { requires not true  criterion c { yesno } }", "M0319"),
        (
            "criterion c { number 0..100  score clamp(value / target, 0, 1) }",
            "M0321",
        ),
        (
            "criterion c { number 0..100  target 80  score clamp((value - baseline) / target, 0, 1) }",
            "M0321",
        ),
        (
            "kpi k { number percent 0..100  target 120  score clamp(value / target, 0, 1) }",
            "M0324",
        ),
        (
            "kpi k { number rank 1..193  baseline 0  target 1  score if value <= target then 1 else 0 }",
            "M0324",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (body, code)) in cases.iter().enumerate() {
        let rules =
            format!("rubric sem.warn {{\n version \"1\"\n criterion other {{ yesno }}\n {body}\n}}\n");
        let (r, d) = mizan::load("rules.mizan", &rules);
        assert!(r.is_some(), "refused:\n{rules}\n{d:?}");
        assert_eq!(d.codes(), [*code], "{rules}");
        let path = dir.path().join(format!("r{i}.mizan"));
        fs::write(&path, &rules).unwrap();
        let path = path.to_str().unwrap();
        assert_eq!(mizan(&["check", path]).status.code(), Some(0), "{rules}");
        assert_eq!(
            mizan(&["check", "--deny-warnings", path]).status.code(),
            Some(1),
            "{rules}"
        );
    }
    // What is not reported: a named switch, a guarded division, a dead
    // branch's division, `target none`, correct KPIs of both directions.
    for body in [
        "let strict = true\n criterion c { number 0..1  score if strict then value else 0 }",
        "let z = 0\n criterion c { number 0..1  score if z == 0 then 0 else value / z }",
        "let off = false\n criterion c { number 0..1  score if off then value / 0 else value }",
        "kpi k { number 0..100  target none  score clamp(value / target, 0, 1) }",
        "kpi k { number 1..193  baseline 60  target 20  direction lower  score clamp((baseline - value) / (baseline - target), 0, 1) }",
        "kpi k { number 1..  target 20  direction lower  score if value <= target then 1 else target / value }",
        "kpi k { number 0..100  baseline 40  target 80  direction higher  score clamp((value - baseline) / (target - baseline), 0, 1) }",
        "kpi k { number 0..100  target 80  direction higher  score clamp(value / target, 0, 1) }",
        "group g { aggregate weighted_mean  criterion a { yesno  weight 0 }  criterion b { yesno  weight 1 } }",
    ] {
        let rules = format!("rubric sem.ok {{\n version \"1\"\n {body}\n}}\n");
        let (r, d) = mizan::load("rules.mizan", &rules);
        // `target none` keeps its own warning.
        assert!(
            r.is_some() && d.codes().iter().all(|c| c == "M0311"),
            "{rules}\n{:?}",
            d.codes()
        );
    }
}

/// A correct lower-is-better KPI scores by hand: baseline 60, target 20;
/// rank 30 is (60 − 30) / (60 − 20) = 0.75, rank 12 is 1.2 clamped to 1,
/// rank 70 is −0.25 clamped to 0. The same KPI scored higher-is-better
/// (rank 30 would score 1.5 clamped to 1, rank 70 also 1) is refused.
#[test]
fn lower_is_better_kpi_scores_by_hand_and_the_reverse_formula_is_refused() {
    let reversed = "rubric sem.kpi { version \"1\" kpi rank { number rank 1..193  baseline 60  target 20  direction lower  score clamp(value / target, 0, 1) } }";
    let (r, d) = mizan::load("rules.mizan", reversed);
    assert!(r.is_none());
    assert_eq!(d.codes(), ["M0323"]);
    let text = d.iter().map(|x| x.to_string()).collect::<String>();
    // The two sampled values and their scores: 1 / 20 and 10 / 20.
    assert!(
        text.contains("better value 1 (score 0.05)") && text.contains("10 (score 0.5)"),
        "{text}"
    );
    let rules = r#"
rubric sem.kpi {
  version "1"
  kpi rank { number rank 1..193  baseline 60  target 20  direction lower
             score clamp((baseline - value) / (baseline - target), 0, 1) }
}
"#;
    let lines = [
        answers("r30", serde_json::json!({}), serde_json::json!({"rank": 30})),
        answers("r12", serde_json::json!({}), serde_json::json!({"rank": 12})),
        answers("r70", serde_json::json!({}), serde_json::json!({"rank": 70})),
    ];
    let s = score_everywhere(rules, &lines);
    assert_eq!(at(&s, "r30", ""), "0.75");
    assert_eq!(at(&s, "r12", ""), "1");
    assert_eq!(at(&s, "r70", ""), "0");
    // (0.75 + 1 + 0) / 3.
    assert_eq!(s.population.to_string(), "0.5833333333333333333333333333");
}
