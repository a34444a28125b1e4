//! Templates with instance lists, and functions with parameters: the
//! expansion gives ordinary ids, siblings and instance fields resolve per
//! instance, diagnostics name the instance, `fmt` keeps the template, `diff`
//! sees each instance's nodes, every evaluation path agrees, and the scores
//! are the hand-computed ones (and those of the rubric written out by hand).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

mod support;

use mizan::answers::{self, Origin};
use mizan::eval::{evaluate, EntityResult};
use mizan::plan::Plan;
use mizan::render::json;
use mizan::Rubric;

const MATRIX: &str = r#"mizan 1
rubric demo.matrix {
  version "1"
  levels { pillar category criterion }
  score data

  instances category {
    pop ar "السكان"  en "Population"  { group: social, core: true, scale: 10 }
    edu ar "التعليم" en "Education"   { group: social, core: false, scale: 10 }
    gdp ar "الناتج"  en "GDP"         { group: economic, core: true, scale: 20 }
  }
  formula pts(x, n) = x / n

  pillar data {
    aggregate mean
    template element for category {
      category $ {
        aggregate mean
        criterion $.ind  { number 0..20  score pts(value, scale) }
        criterion $.y5   { number 0..20  score pts(min(value, answer(ind)), scale) }
        criterion $.open { yesno  applies when core }
        criterion $.soc  { yesno  applies when group == social and not core }
      }
    }
  }
  pillar social {
    score mean(category.ind where group == social)
  }
  pillar big {
    score sum(category.ind where scale > 10 or group in [economic])
  }
}
"#;

/// The same rubric written out by hand.
const WRITTEN_OUT: &str = r#"mizan 1
rubric demo.matrix {
  version "1"
  levels { pillar category criterion }
  score data
  pillar data {
    aggregate mean
    category pop {
      title ar "السكان"  en "Population"
      aggregate mean
      criterion pop.ind  { number 0..20  score value / 10 }
      criterion pop.y5   { number 0..20  score min(value, answer(pop.ind)) / 10 }
      criterion pop.open { yesno  applies when true }
      criterion pop.soc  { yesno  applies when true and not true }
    }
    category edu {
      title ar "التعليم" en "Education"
      aggregate mean
      criterion edu.ind  { number 0..20  score value / 10 }
      criterion edu.y5   { number 0..20  score min(value, answer(edu.ind)) / 10 }
      criterion edu.open { yesno  applies when false }
      criterion edu.soc  { yesno  applies when true and not false }
    }
    category gdp {
      title ar "الناتج"  en "GDP"
      aggregate mean
      criterion gdp.ind  { number 0..20  score value / 20 }
      criterion gdp.y5   { number 0..20  score min(value, answer(gdp.ind)) / 20 }
      criterion gdp.open { yesno  applies when true }
      criterion gdp.soc  { yesno  applies when false and not true }
    }
  }
  pillar social {
    score mean(pop.ind, edu.ind)
  }
  pillar big {
    score sum(gdp.ind)
  }
}
"#;

const ANSWERS: &str = r#"{"rubric": "demo.matrix", "version": "1", "entity": {"id": "e1"}, "answers": {"pop.ind": 8, "pop.y5": 9, "pop.open": "yes", "edu.ind": 4, "edu.y5": 2, "edu.soc": "yes", "gdp.ind": 10, "gdp.y5": 15, "gdp.open": "no"}}"#;

fn load(text: &str) -> Rubric {
    let (r, d) = mizan::load("matrix.mizan", text);
    r.unwrap_or_else(|| panic!("{d:?}"))
}

fn nodes(r: &Rubric, text: &str) -> serde_json::Value {
    let res = r.evaluate_json("a.json", text).unwrap();
    serde_json::to_value(json::entity(r.model(), &res)).unwrap()["nodes"].clone()
}

#[test]
fn templates_expand_to_ordinary_ids_with_their_origin() {
    let r = load(MATRIX);
    let m = r.model();
    let ids: Vec<&str> = m.nodes.iter().skip(1).map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "data", "pop", "pop.ind", "pop.y5", "pop.open", "pop.soc", "edu", "edu.ind", "edu.y5",
            "edu.open", "edu.soc", "gdp", "gdp.ind", "gdp.y5", "gdp.open", "gdp.soc", "social", "big"
        ]
    );
    let o = &m.origins["edu.y5"];
    assert_eq!(
        (o.template.as_str(), o.list.as_str(), o.instance.as_str()),
        ("element", "category", "edu")
    );
    assert!(!m.origins.contains_key("social"));
    // The node `$` takes the instance's titles.
    let edu = &m.nodes[m.by_id["edu"]];
    assert!(format!("{:?}", edu.title).contains("Education"));
}

#[test]
fn hand_computed_scores_siblings_and_instance_fields() {
    let r = load(MATRIX);
    let n = nodes(&r, ANSWERS);
    // pop: ind 8/10, y5 min(9, 8)/10 = 0.8 (the sibling is pop.ind), open 1,
    // soc does not apply (core) -> mean 0.8666…
    assert_eq!(n["pop.y5"], serde_json::json!(0.8));
    assert_eq!(n["pop.soc"], serde_json::Value::Null);
    // edu: ind 0.4, y5 min(2, 4)/10 = 0.2, open N/A (not core), soc 1 -> 1.6/3
    assert_eq!(n["edu.open"], serde_json::Value::Null);
    assert_eq!(n["edu.soc"], serde_json::json!(1));
    // gdp: scale 20: ind 10/20 = 0.5, y5 min(15, 10)/20 = 0.5, open 0 -> 1/3
    assert_eq!(n["gdp.ind"], serde_json::json!(0.5));
    assert_eq!(n["gdp.y5"], serde_json::json!(0.5));
    // social = mean(pop.ind, edu.ind) = 0.6; big = sum(gdp.ind) = 0.5
    assert_eq!(n["social"], serde_json::json!(0.6));
    assert_eq!(n["big"], serde_json::json!(0.5));
    let res = r.evaluate_json("a.json", ANSWERS).unwrap();
    let e = serde_json::to_value(json::entity(r.model(), &res)).unwrap();
    // data = (2.6/3 + 1.6/3 + 1/3) / 3 = 5.2 / 9
    let want: rust_decimal::Decimal =
        "5.2".parse::<rust_decimal::Decimal>().unwrap() / rust_decimal::Decimal::from(9);
    assert_eq!(e["nodes"]["data"].to_string(), want.to_string());
}

#[test]
fn a_template_scores_as_the_rubric_written_out_by_hand() {
    let (a, b) = (load(MATRIX), load(WRITTEN_OUT));
    assert_eq!(nodes(&a, ANSWERS), nodes(&b, ANSWERS));
    let ids = |r: &Rubric| r.model().nodes.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
}

type Reader = fn(&Plan, Origin, &str) -> Result<answers::Submission, Vec<answers::Rejection>>;
type Evaluator = fn(&Plan, answers::Submission) -> Result<EntityResult, Vec<answers::Rejection>>;

fn outcome(r: &Rubric, text: &str, read: Reader, score: Evaluator) -> String {
    let origin = Origin {
        file: "generated.jsonl".into(),
        line: Some(1),
    };
    match read(r.plan(), origin, text).and_then(|s| score(r.plan(), s)) {
        Ok(res) => serde_json::to_string(&json::entity(r.model(), &res)).unwrap(),
        Err(errs) => format!(
            "rejected {}",
            serde_json::to_string(&errs.iter().map(json::problem).collect::<Vec<_>>()).unwrap()
        ),
    }
}

#[test]
fn every_evaluation_path_is_byte_identical_on_a_templated_rubric() {
    let r = load(MATRIX);
    let texts = [
        ANSWERS.to_string(),
        ANSWERS.replace("\"gdp.y5\": 15", "\"gdp.y5\": 25"), // out of range: rejected
        ANSWERS.replace(", \"gdp.open\": \"no\"", ""),       // missing: rejected
        ANSWERS.replace("\"pop.open\": \"yes\"", "\"pop.open\": \"no\""),
    ];
    let mut took = 0;
    for t in &texts {
        support::same_on_every_path(&r, t);
        let o = Origin {
            file: "generated.jsonl".into(),
            line: Some(1),
        };
        took += usize::from(answers::read_direct(r.plan(), o, t).is_ok());
    }
    assert!(
        took > 0,
        "the fast readers took no submission: the test compared the exact reader with itself"
    );
    // The same through the batch and the written-out rubric.
    let w = load(WRITTEN_OUT);
    for t in &texts {
        let a = outcome(&r, t, answers::read_exact, evaluate);
        let b = outcome(&w, t, answers::read_exact, evaluate);
        assert_eq!(a, b);
    }
}

fn diagnostics(text: &str) -> Vec<(String, String)> {
    let (r, d) = mizan::load("t.mizan", text);
    assert!(r.is_none() || !d.errors.is_empty() || !d.warnings.is_empty());
    d.iter()
        .map(|x| {
            (
                x.code().map(|c| c.to_string()).unwrap_or_default(),
                x.help().map(|h| h.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn diagnostics_point_at_the_template_and_name_the_instance() {
    let text = MATRIX.replace(
        "score pts(min(value, answer(ind)), scale)",
        "score pts(min(value, nosuch), scale)",
    );
    let (r, d) = mizan::load("t.mizan", &text);
    assert!(r.is_none());
    let e = d.errors.first().expect("an error");
    assert_eq!(e.code().unwrap().to_string(), "M0203");
    assert!(e
        .help()
        .unwrap()
        .to_string()
        .contains("in instance `pop` of template `element`"));
    // The label is on the template's line.
    let span = e.labels().unwrap().next().unwrap();
    let at = &text[span.offset()..span.offset() + span.len()];
    assert_eq!(at, "nosuch");
    // An error that differs per instance names each instance.
    let text = MATRIX.replace(
        "criterion $.soc  { yesno  applies when group == social and not core }",
        "criterion $.soc  { number }",
    );
    let helps: Vec<String> = diagnostics(&text)
        .into_iter()
        .filter(|(c, _)| c == "M0309")
        .map(|(_, h)| h)
        .collect();
    assert_eq!(helps.len(), 3, "{helps:?}");
    assert!(helps[2].contains("in instance `gdp` of template `element`"));
}

#[test]
fn template_and_function_codes() {
    // The first diagnostic (a missing list or node may cause others).
    let codes = |t: &str| {
        diagnostics(t)
            .into_iter()
            .map(|(c, _)| c)
            .take(1)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes(&MATRIX.replace("template element for category", "template element for categry")),
        ["M0232"]
    );
    assert_eq!(
        codes(&MATRIX.replace("criterion $.open", "criterion open")),
        ["M0231"]
    );
    assert_eq!(
        codes(&MATRIX.replace(
            "{ group: economic, core: true, scale: 20 }",
            "{ group: 3, core: true, scale: 20 }"
        )),
        ["M0233"]
    );
    assert_eq!(
        codes(&MATRIX.replace(
            "{ group: economic, core: true, scale: 20 }",
            "{ group: economic, core: true }"
        )),
        ["M0233"]
    );
    assert_eq!(
        codes(&MATRIX.replace("where group == social)", "where group == cultural)")),
        ["M0234"]
    );
    assert_eq!(
        codes(&MATRIX.replace("where group == social)", "where data > 1)")),
        ["M0234"]
    );
    assert_eq!(
        codes(&MATRIX.replace("pts(value, scale)", "pts(value)")),
        ["M0236"]
    );
    assert_eq!(
        codes(&MATRIX.replace("formula pts(x, n) = x / n", "formula pts(x, data) = x / data")),
        ["M0237"]
    );
    assert_eq!(
        codes(&MATRIX.replace("formula pts(x, n) = x / n", "formula pts(x, n) = pts(x, n) / n")),
        ["M0235"]
    );
    assert_eq!(
        codes(&MATRIX.replace("pts(value, scale)", "pts(value, group)")),
        ["M0238"]
    );
    assert_eq!(
        codes(&MATRIX.replace(
            "score mean(category.ind where group == social)",
            "score category.ind"
        )),
        ["M0234"]
    );
    // Mutual recursion names the cycle.
    let text = MATRIX.replace(
        "formula pts(x, n) = x / n",
        "formula pts(x, n) = half(x) / n\n  formula half(x) = twice(x)\n  formula twice(x) = half(x)",
    );
    let (_, d) = mizan::load("t.mizan", &text);
    assert!(
        d.errors
            .iter()
            .any(|e| e.to_string().contains("half -> twice -> half")),
        "{d:?}"
    );
}

#[test]
fn functions_type_check_their_arguments_and_keep_zero_parameter_formulas() {
    let base = r#"rubric demo.f {
  version "1"
  formula share(k, n) = k / n
  formula half = value / 2
  criterion a { number 0..4  score share(value, 4) }
  criterion b { number 0..2  score half }
  criterion c { number 0..4  score share(value > 1, 4) }
}
"#;
    let (_, d) = mizan::load("f.mizan", base);
    assert!(
        d.codes().iter().any(|c| c.starts_with("M03")),
        "a bool argument where a number is used: {d:?}"
    );
    let ok = base.replace("score share(value > 1, 4)", "score share(value, 4)");
    let r = load(&ok);
    let n = nodes(
        &r,
        r#"{"rubric": "demo.f", "version": "1", "entity": {"id": "e"}, "answers": {"a": 3, "b": 1, "c": 2}}"#,
    );
    assert_eq!(n["a"], serde_json::json!(0.75));
    assert_eq!(n["b"], serde_json::json!(0.5));
}

#[test]
fn fmt_keeps_templates_and_instance_lists() {
    let once = mizan::fmt::format("m.mizan", MATRIX).unwrap();
    assert!(once.contains("template element for category {"));
    assert!(once.contains("instances category {"));
    assert!(once.contains("formula pts(x, n) = x / n"));
    assert!(once.contains("criterion $.ind"));
    assert!(!once.contains("pop.ind"));
    assert_eq!(mizan::fmt::format("m.mizan", &once).unwrap(), once);
    // Same meaning after formatting.
    assert_eq!(nodes(&load(&once), ANSWERS), nodes(&load(MATRIX), ANSWERS));
}

#[test]
fn diff_of_a_template_change_lists_each_instance() {
    let old = load(MATRIX);
    let new = load(&MATRIX.replace("score pts(value, scale)", "score pts(value, scale * 2)"));
    let d = mizan::diff::diff(old.model(), new.model());
    let subjects: Vec<&str> = d.changes.iter().map(|c| c.subject.as_str()).collect();
    for id in ["pop.ind", "edu.ind", "gdp.ind"] {
        assert!(subjects.contains(&id), "{subjects:?}");
    }
    assert!(!subjects.contains(&"pop.y5"), "{subjects:?}");
}

#[test]
fn a_broken_formula_gets_a_help_that_shows_the_formula_forms() {
    for (line, want) in [
        ("formula pct(x) x", "`formula NAME(PARAM, …) = EXPR`"),
        ("let pct(x) = x", "`formula NAME(PARAM, …) = EXPR`"),
    ] {
        let text = format!("rubric demo.t {{\n  version \"1\"\n  {line}\n  criterion c {{ yesno }}\n}}\n");
        let (_, d) = mizan::load("t.mizan", &text);
        let help = d
            .errors
            .first()
            .and_then(|e| e.help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(help.contains(want), "{line}: {help}");
    }
    // With parameters, it parses.
    let (r, d) = mizan::load(
        "t.mizan",
        "rubric demo.t {\n  version \"1\"\n  formula pct(x) = x * 100\n  criterion c { number 0..1  score pct(value) / 100 }\n}\n",
    );
    assert!(r.is_some(), "{d:?}");
}

#[test]
fn dollar_inside_an_id_and_in_expressions_with_interpolated_titles() {
    let tpl = r#"rubric demo.avg {
  version "1"
  instances indicator {
    a en "A score"
    b en "B score"
  }
  score avg.a
  criterion a { number 0..1  score value }
  criterion b { number 0..1  score value }
  group avg {
    template averages for indicator {
      indicator avg.$ {
        title en "Average: {title} ({id})"
        score $ / 2
      }
    }
  }
}
"#;
    let hand = r#"rubric demo.avg {
  version "1"
  score avg.a
  criterion a { number 0..1  score value }
  criterion b { number 0..1  score value }
  group avg {
    indicator avg.a {
      title en "Average: A score (a)"
      score a / 2
    }
    indicator avg.b {
      title en "Average: B score (b)"
      score b / 2
    }
  }
}
"#;
    let (t, h) = (load(tpl), load(hand));
    let answers =
        r#"{"rubric": "demo.avg", "version": "1", "entity": {"id": "e"}, "answers": {"a": 0.5, "b": 1}}"#;
    assert_eq!(nodes(&t, answers), nodes(&h, answers));
    assert_eq!(nodes(&t, answers)["avg.b"], serde_json::json!(0.5));
    // No change in meaning or wording between the two.
    let d = mizan::diff::diff(h.model(), t.model());
    assert!(
        d.changes.is_empty(),
        "{:?}",
        d.changes.iter().map(|c| &c.subject).collect::<Vec<_>>()
    );
}
