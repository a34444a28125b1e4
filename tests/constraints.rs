//! Constraints on answer sets (issue 22 §6): `constraint COND error|warning
//! TEXT` on a node or the rubric, judged on every evaluation path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use miette::Diagnostic;
use mizan::answers::{self, AnswerError, Origin};

const RULES: &str = r#"rubric demo.c {
  version "1"
  profile { population: number }
  constraint answer(y10) <= answer(y5) error ar "لا تتجاوز بيانات عشر سنوات بيانات خمس سنوات" en "10-year data cannot exceed 5-year data"
  group data {
    criterion y5 { number 0..100  score value / 100  missing na }
    criterion y10 { number 0..100  score value / 100  missing na }
  }
  criterion served {
    number 0..
    score min(value / 1000, 1)
    constraint value <= population warning ar "العدد أكبر من السكان" en "More served than the population"
  }
}
"#;

fn rubric() -> mizan::Rubric {
    let (r, d) = mizan::load("c.mizan", RULES);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    r.unwrap()
}

fn set(answers: &str) -> String {
    format!(
        r#"{{"rubric": "demo.c", "version": "1", "entity": {{"id": "e", "profile": {{"population": 900}}}}, "answers": {answers}}}"#
    )
}

/// The entity's JSON and warnings, or its errors, through one path.
fn outcome(r: &mizan::Rubric, text: &str, fast: bool) -> String {
    let o = Origin {
        file: "t.jsonl".into(),
        line: Some(3),
    };
    let res = if fast {
        answers::read(r.plan(), o, text).and_then(|s| mizan::eval::evaluate(r.plan(), s))
    } else {
        answers::read_exact(r.plan(), o, text).and_then(|s| mizan::eval::evaluate_general(r.plan(), s))
    };
    match res {
        Ok(res) => {
            let w: Vec<_> = res.warnings.iter().map(mizan::render::json::problem).collect();
            format!(
                "{}\n{}\n{}",
                serde_json::to_string(&mizan::render::json::entity(r.model(), &res)).unwrap(),
                serde_json::to_string(&w).unwrap(),
                mizan::render::explain::render(r.model(), &res)
            )
        }
        Err(e) => {
            let e: Vec<_> = e.iter().map(mizan::render::json::problem).collect();
            format!("rejected {}", serde_json::to_string(&e).unwrap())
        }
    }
}

#[test]
fn an_error_rejects_with_the_pointer_and_both_labels() {
    let r = rubric();
    let errs = r
        .evaluate_json("t.json", &set(r#"{"y5": 40, "y10": 60, "served": 10}"#))
        .unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    let e = &errs[0];
    assert_eq!(e.code().unwrap().to_string(), "M0425");
    assert_eq!(
        e.pointer, "/answers",
        "a rubric-level constraint points at the answers"
    );
    assert_eq!(
        e.error.to_string(),
        "constraint not met: 10-year data cannot exceed 5-year data"
    );
    let AnswerError::Constraint { labels, id, .. } = &e.error else {
        panic!("{e:?}")
    };
    assert_eq!(id, "demo.c");
    assert_eq!(labels[0].0, "ar");
    assert_eq!(
        labels[1],
        ("en".into(), "10-year data cannot exceed 5-year data".into())
    );
}

#[test]
fn a_warning_is_reported_and_the_entity_scored() {
    let r = rubric();
    let res = r
        .evaluate_json("t.json", &set(r#"{"y5": 60, "y10": 40, "served": 1200}"#))
        .unwrap();
    assert_eq!(res.warnings.len(), 1);
    assert_eq!(res.warnings[0].code().unwrap().to_string(), "M0426");
    assert_eq!(res.warnings[0].pointer, "/answers/served");
    let out = mizan::render::explain::render(r.model(), &res);
    assert!(
        out.contains("constraint value <= population (warning): not met: “More served than the population”"),
        "{out}"
    );
    assert!(
        out.contains("constraint answer(y10) <= answer(y5) (error): met"),
        "{out}"
    );
}

#[test]
fn a_constraint_that_is_na_holds() {
    let r = rubric();
    // y10 unanswered (missing na): answer(y10) is N/A, so is the comparison.
    let res = r
        .evaluate_json("t.json", &set(r#"{"y5": 60, "served": 100}"#))
        .unwrap();
    assert!(res.warnings.is_empty(), "{:?}", res.warnings);
}

#[test]
fn every_path_gives_the_same_bytes() {
    let r = rubric();
    for answers in [
        r#"{"y5": 40, "y10": 60, "served": 10}"#,
        r#"{"y5": 60, "y10": 40, "served": 1200}"#,
        r#"{"y5": 60, "served": 100}"#,
        r#"{"y5": 60, "y10": 40, "served": 100}"#,
    ] {
        let text = set(answers);
        assert_eq!(outcome(&r, &text, true), outcome(&r, &text, false), "{answers}");
    }
    // The streaming evaluator and the batch see the same problems.
    let lines = [
        set(r#"{"y5": 40, "y10": 60, "served": 10}"#).replace("\"e\"", "\"a\""),
        set(r#"{"y5": 60, "y10": 40, "served": 1200}"#).replace("\"e\"", "\"b\""),
    ];
    let inputs: Vec<(Origin, String)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                Origin {
                    file: "t.jsonl".into(),
                    line: Some(i + 1),
                },
                l.clone(),
            )
        })
        .collect();
    let batch = r.evaluate_batch(inputs);
    let codes = |v: &[mizan::answers::Rejection]| -> Vec<String> {
        v.iter()
            .map(|e| format!("{} {}", e.code().unwrap(), e.location()))
            .collect()
    };
    assert_eq!(codes(&batch.errors), ["M0425 t.jsonl:1, entity `a`, at /answers"]);
    assert_eq!(
        codes(&batch.warnings),
        ["M0426 t.jsonl:2, entity `b`, at /answers/served"]
    );
    let mut stream = mizan::eval::stream::Stream::new(r.plan());
    let jsonl = lines.join("\n");
    let _ = stream
        .feed(
            "t.jsonl",
            std::io::Cursor::new(jsonl.into_bytes()),
            None,
            |_| std::ops::ControlFlow::Continue(()),
            |_| {},
        )
        .unwrap();
    let summary = stream.finish();
    assert_eq!(codes(&summary.errors), codes(&batch.errors));
    assert_eq!(codes(&summary.warnings), codes(&batch.warnings));
}

#[test]
fn the_checker_types_and_resolves_the_condition() {
    for (body, code) in [
        ("constraint value + 1 error en \"x\"", "M0305"),
        ("constraint valu <= 1 error en \"x\"", "M0203"),
    ] {
        let text =
            format!("rubric demo.c {{ version \"1\"\n criterion c {{ number 0..1  score value  {body} }} }}");
        let (_, d) = mizan::load("c.mizan", &text);
        let codes: Vec<String> = d
            .errors
            .iter()
            .filter_map(|e| e.code().map(|c| c.to_string()))
            .collect();
        assert!(codes.contains(&code.to_string()), "{body}: {codes:?}");
    }
}

#[test]
fn fmt_and_diff() {
    let once = mizan::fmt::format("c.mizan", RULES).unwrap();
    assert_eq!(mizan::fmt::format("c.mizan", &once).unwrap(), once);
    assert!(once.contains("constraint value <= population warning ar \"العدد أكبر من السكان\" en \"More served than the population\""), "{once}");
    let old = rubric();
    let (new, _) = mizan::load(
        "c.mizan",
        &RULES.replace("value <= population warning", "value <= population error"),
    );
    let d = mizan::diff::diff(old.model(), new.unwrap().model());
    let kinds: Vec<(&str, &str)> = d.changes.iter().map(|c| (c.kind, c.subject.as_str())).collect();
    assert_eq!(kinds, [("constraints", "served")]);
}

type Reader = fn(&mizan::plan::Plan, Origin, &str) -> Result<answers::Submission, Vec<answers::Rejection>>;

#[test]
fn every_reader_and_evaluator_gives_the_same_bytes() {
    let r = rubric();
    let direct: Reader = |p, o, t| answers::read_direct(p, o, t).or_else(|o| answers::read_exact(p, o, t));
    let bytes: Reader = |p, o, t| answers::read_bytes(p, o, t.as_bytes());
    let run = |text: &str, read: Reader, program: bool| {
        let o = Origin {
            file: "t.jsonl".into(),
            line: Some(1),
        };
        let res = read(r.plan(), o, text).and_then(|s| {
            if program {
                mizan::eval::evaluate(r.plan(), s)
            } else {
                mizan::eval::evaluate_general(r.plan(), s)
            }
        });
        match res {
            Ok(res) => {
                let w: Vec<_> = res.warnings.iter().map(mizan::render::json::problem).collect();
                format!(
                    "{}{}",
                    serde_json::to_string(&mizan::render::json::entity(r.model(), &res)).unwrap(),
                    serde_json::to_string(&w).unwrap()
                )
            }
            Err(e) => {
                let e: Vec<_> = e.iter().map(mizan::render::json::problem).collect();
                serde_json::to_string(&e).unwrap()
            }
        }
    };
    for a in [
        r#"{"y5": 40, "y10": 60, "served": 10}"#,
        r#"{"y5": 60, "y10": 40, "served": 1200}"#,
        r#"{"y5": 60, "served": 100}"#,
    ] {
        let text = set(a);
        let exact = run(&text, answers::read_exact, false);
        for (read, program) in [
            (answers::read_exact as Reader, true),
            (direct, false),
            (direct, true),
            (answers::read as Reader, true),
            (bytes, true),
        ] {
            assert_eq!(run(&text, read, program), exact, "{a}");
        }
    }
}

#[test]
fn a_constraint_in_a_repeated_node_is_judged_per_instance() {
    let (r, d) = mizan::load(
        "c.mizan",
        r#"rubric demo.c {
  version "1"
  group svc {
    repeated best
    criterion done { number 0..10  score value / 10  constraint value <= 5 error en "at most 5" }
  }
}"#,
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let r = r.unwrap();
    let text = r#"{"rubric": "demo.c", "version": "1", "entity": {"id": "e"}, "answers": {}, "instances": {"svc": [{"key": "a", "answers": {"done": 3}}, {"key": "b", "answers": {"done": 7}}]}}"#;
    match r.evaluate_json("t.json", text) {
        Err(e) => {
            assert_eq!(e.len(), 1, "{e:?}");
            assert_eq!(e[0].code().unwrap().to_string(), "M0425");
            assert!(e[0].pointer.ends_with("/answers/done"), "{}", e[0].pointer);
            assert!(e[0].pointer.starts_with("/instances/svc/1"), "{}", e[0].pointer);
        }
        Ok(_) => panic!("the second instance breaks the constraint"),
    }
}
