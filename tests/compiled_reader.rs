//! The fast paths against the straightforward ones: the direct reader
//! (the usual shape matched against the plan) and the compiled reader
//! (jiter), both straight into the plan's slots, against the exact reader (a `serde_json::Value`, then
//! every check); and the evaluator's compiled program against the general
//! evaluator (node by node). On the shipped answer sets and on generated
//! submissions, clean and damaged, every path gives byte-identical output,
//! neither fast reader accepts what the exact one rejects, and both do
//! take the clean submissions (else this test would compare the exact
//! reader with itself).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test"
)]

mod support;

use mizan::answers::{self, Origin};
use mizan::eval::{evaluate, evaluate_general, EntityResult};
use mizan::model::{AnswerKind, FieldTy};
use mizan::plan::Plan;
use mizan::render::json;
use mizan::Rubric;

type Reader = fn(&Plan, Origin, &str) -> Result<answers::Submission, Vec<answers::Rejection>>;
type Evaluator = fn(&Plan, answers::Submission) -> Result<EntityResult, Vec<answers::Rejection>>;

/// What scoring `text` gives when read by `read` and scored by `score`:
/// the entity's JSON line and its warnings, or its errors.
fn outcome(r: &Rubric, text: &str, read: Reader, score: Evaluator) -> String {
    let origin = Origin {
        file: "generated.jsonl".into(),
        line: Some(7),
    };
    match read(r.plan(), origin, text).and_then(|s| score(r.plan(), s)) {
        Ok(res) => {
            let warnings: Vec<_> = res.warnings.iter().map(json::problem).collect();
            format!(
                "{}\n{}",
                serde_json::to_string(&json::entity(r.model(), &res)).unwrap(),
                serde_json::to_string(&warnings).unwrap()
            )
        }
        Err(errs) => {
            let errs: Vec<_> = errs.iter().map(json::problem).collect();
            format!("rejected {}", serde_json::to_string(&errs).unwrap())
        }
    }
}

/// Which fast readers took a text.
#[derive(Default, Clone, Copy)]
struct Took {
    compiled: usize,
    direct: usize,
}

/// Checks one text through every path.
fn check(r: &Rubric, text: &str) -> Took {
    let exact = outcome(r, text, answers::read_exact, evaluate_general);
    let compiled: Reader =
        |p, o, t| answers::read_compiled(p, o, t).or_else(|o| answers::read_exact(p, o, t));
    let paths: [(&str, Reader, Evaluator); 5] = [
        ("exact reader, program", answers::read_exact, evaluate),
        ("compiled reader, general", compiled, evaluate_general),
        ("compiled reader, program", compiled, evaluate),
        ("direct reader, program", answers::read, evaluate),
        (
            "bytes, program",
            |p, o, t| answers::read_bytes(p, o, t.as_bytes()),
            evaluate,
        ),
    ];
    for (name, read, score) in paths {
        let got = outcome(r, text, read, score);
        assert_eq!(
            got, exact,
            "{name} differs from the exact reader and general evaluator on\n{text}"
        );
    }
    let origin = Origin {
        file: "generated.jsonl".into(),
        line: Some(7),
    };
    let compiled = answers::read_compiled(r.plan(), origin.clone(), text).is_ok();
    let direct = answers::read_direct(r.plan(), origin.clone(), text).is_ok();
    if compiled || direct {
        assert!(
            answers::read_exact(r.plan(), origin, text).is_ok(),
            "a fast reader (compiled: {compiled}, direct: {direct}) accepted what the exact reader rejects:\n{text}"
        );
    }
    Took {
        compiled: usize::from(compiled),
        direct: usize::from(direct),
    }
}

/// Loads a shipped rubric (some warn of KPI targets not set yet).
fn load(path: &str) -> Rubric {
    let (r, d) = mizan::load(path, &std::fs::read_to_string(path).unwrap());
    r.unwrap_or_else(|| panic!("{path}: {d:?}"))
}

/// A small deterministic generator (an LCG: the test must be the same on
/// every run).
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// One JSON value for a criterion of kind `kind`.
fn answer(g: &mut Gen, kind: &AnswerKind, na: bool) -> String {
    if na && g.next(100) < 5 {
        let na_id = kind
            .options()
            .iter()
            .find(|o| o.is_na())
            .map_or("na", |o| o.id.as_str());
        return format!("\"{na_id}\"");
    }
    match kind {
        AnswerKind::Choice { options, .. } => {
            let real: Vec<_> = options.iter().filter(|o| !o.is_na()).collect();
            format!("\"{}\"", real[g.next(real.len())].id)
        }
        AnswerKind::Multi { options, .. } => {
            let real: Vec<_> = options.iter().filter(|o| !o.is_na()).collect();
            let mut picked: Vec<String> = Vec::new();
            for o in real {
                if g.next(2) == 0 {
                    picked.push(format!("\"{}\"", o.id));
                }
            }
            format!("[{}]", picked.join(","))
        }
        AnswerKind::Number { min, max, .. } => {
            let lo = min.map_or(0, |m| m.trunc().try_into().unwrap_or(0i64));
            let hi = max.map_or(1000, |m| m.trunc().try_into().unwrap_or(1000i64));
            let v = lo + g.next(usize::try_from((hi - lo).max(1)).unwrap()) as i64;
            // Exact decimals written three ways.
            match g.next(3) {
                0 => format!("{v}"),
                1 => format!("{v}.50").replace(&format!("{hi}.50"), &format!("{hi}.0")),
                _ => format!("{v}e0"),
            }
        }
        AnswerKind::YesNo => ["true", "false", "\"yes\"", "\"no\""][g.next(4)].to_string(),
    }
}

/// A submission for rubric `r`: every criterion answered, profile values
/// drawn from their types, then, one time in four, one kind of damage or
/// an unusual but valid spelling.
fn submission(r: &Rubric, g: &mut Gen, i: usize) -> String {
    let m = r.model();
    let profile: Vec<String> = m
        .entity_fields()
        .map(|(_, f)| {
            let v = match &f.ty {
                FieldTy::Enum(values) => format!("\"{}\"", values[g.next(values.len())]),
                FieldTy::Number => format!("{}", g.next(1000)),
                FieldTy::Bool => ["true", "false"][g.next(2)].to_string(),
            };
            format!("\"{}\":{v}", f.name)
        })
        .collect();
    let mut answers: Vec<String> = m
        .criteria()
        .filter(|(_, n, _)| n.scope == 0)
        .map(|(_, n, c)| format!("\"{}\":{}", n.id, answer(g, &c.answer, c.na_allowed)))
        .collect();
    let mut entity = format!(r#""id":"e{i:05}""#);
    let mut top = vec![
        format!(r#""rubric":"{}""#, m.id),
        format!(r#""version":"{}""#, m.version),
    ];
    let damage = if g.next(4) == 0 { 1 + g.next(16) } else { 0 };
    let k = g.next(answers.len());
    match damage {
        1 => drop(answers.remove(k)),
        2 => answers[k] = answers[k].replace(":\"", ":\"zz_").replace(":true", ":\"zz\""),
        3 => answers[k] = format!("{}:null", answers[k].split(':').next().unwrap()),
        4 => answers.push(answers[k].clone()),
        5 => answers[k] = answers[k].replacen('.', "\\u002e", 1),
        6 => answers.push(r#""no.such.criterion":"yes""#.into()),
        7 => answers[k] = format!("{}:42", answers[k].split(':').next().unwrap()),
        8 => top.push(r#""extra":1"#.into()),
        9 => top[0] = r#""rubric":"other.rubric""#.into(),
        10 => top[1] = r#""version":"1900""#.into(),
        11 => entity.push_str(r#","name":"\u0648\u0632\u0627\u0631\u0629 \"x\"","note":{"a":[1,2]}"#),
        12 => answers.reverse(),
        13 => top.reverse(),
        14 => entity = r#""id":"""#.into(),
        15 => answers[k] = format!("{} }}", answers[k]),
        _ => {}
    }
    let profile = if profile.is_empty() && g.next(2) == 0 {
        String::new()
    } else {
        format!(r#","profile":{{{}}}"#, profile.join(","))
    };
    let mut parts = top;
    parts.insert(
        usize::from(damage == 13) * 2,
        format!(r#""entity":{{{entity}{profile}}}"#),
    );
    parts.push(format!(r#""answers":{{{}}}"#, answers.join(",")));
    let sep = if damage == 16 { ",\n  " } else { "," };
    format!("{{{}}}", parts.join(sep))
}

/// Generated submissions of `rubric`: returns (taken by the fast readers,
/// clean).
fn generated(rubric: &str, n: usize, seed: u64) -> (Took, usize) {
    let r = load(rubric);
    let mut g = Gen(seed);
    let (mut took, mut clean) = (Took::default(), 0);
    for i in 0..n {
        let text = submission(&r, &mut g, i);
        let ok = answers::read_exact(
            r.plan(),
            Origin {
                file: String::new(),
                line: None,
            },
            &text,
        )
        .is_ok();
        clean += usize::from(ok);
        let t = check(&r, &text);
        took.compiled += t.compiled;
        took.direct += t.direct;
    }
    (took, clean)
}

#[test]
fn ten_thousand_generated_uae_submissions_score_the_same_through_every_path() {
    let (took, clean) = generated("rules/uae/integration/2018.mizan", 10_000, 2018);
    // Most are readable; the fast readers take nearly all of those (they
    // leave `null`s and repeated keys, and the compiled reader escaped
    // keys, to the exact reader).
    assert!(clean > 7_000, "{clean} readable of 10,000");
    let Took { compiled, direct } = took;
    assert!(
        compiled * 100 > clean * 90,
        "compiled reader took {compiled} of {clean}"
    );
    assert!(
        direct * 100 > clean * 90,
        "direct reader took {direct} of {clean}"
    );
}

#[test]
fn other_rubrics_with_numbers_lists_and_yes_no_answers() {
    for (rubric, seed) in [
        ("rules/uae/proactive-readiness/2020.mizan", 2020),
        ("rules/oman/dt-programme/2025.mizan", 2025),
        ("rules/sa/platforms-policy/1.mizan", 1),
    ] {
        let (took, clean) = generated(rubric, 1_000, seed);
        assert!(clean > 600, "{rubric}: {clean} readable of 1,000");
        assert!(
            took.compiled * 100 > clean * 90,
            "{rubric}: compiled reader took {} of {clean}",
            took.compiled
        );
    }
}

#[test]
fn shipped_answer_sets_score_the_same_through_every_path() {
    let mut took = 0;
    for (rubric, dir) in [
        (
            "rules/uae/integration/2018.mizan",
            "examples/uae-integration-2018",
        ),
        (
            "rules/uae/proactive-readiness/2020.mizan",
            "examples/uae-proactive-readiness-2020",
        ),
        (
            "rules/oman/dt-programme/2025.mizan",
            "examples/oman-dt-programme-2025",
        ),
        (
            "rules/sa/platforms-policy/1.mizan",
            "examples/sa-platforms-policy-1",
        ),
        ("rules/eu/egovernment-benchmark/2023.mizan", "examples/egbr-2023"),
        (
            "rules/worldbank/doing-business/2020.mizan",
            "examples/doing-business-2020",
        ),
    ] {
        let r = load(rubric);
        for (_, text) in support::answer_inputs(&[dir]) {
            took += check(&r, &text).compiled;
        }
    }
    // The UAE, Oman and Saudi examples are clean flat answer sets.
    assert!(took >= 15, "compiled reader took {took} shipped answer sets");
}

/// Texts at the edges of JSON: whatever the compiled reader accepts, the
/// exact reader accepts too, with the same result.
#[test]
fn edges_of_json_are_left_to_the_exact_reader_or_read_alike() {
    for (rubric, dir) in [
        (
            "rules/sa/platforms-policy/1.mizan",
            "examples/sa-platforms-policy-1",
        ),
        (
            "rules/worldbank/doing-business/2020.mizan",
            "examples/doing-business-2020",
        ),
    ] {
        let r = load(rubric);
        let base = support::answer_inputs(&[dir])
            .into_iter()
            .map(|(_, t)| t.replace(['\n', '\r'], " "))
            .find(|t| check(&r, t).compiled == 1)
            .unwrap_or_else(|| panic!("the compiled reader takes an answer set of {dir}"));
        edges(&r, &base);
    }
}

fn edges(r: &Rubric, base: &str) {
    let id = r#""id": ""#;
    let edges = [
        base.replacen(id, "\"id\": \"\\ud800", 1),
        base.replacen(id, "\"id\": \"\\udc00\\ud800x", 1),
        base.replacen(id, "\"id\": \"\u{1}", 1),
        base.replacen(id, "\"id\": \"\\x", 1),
        base.replacen(id, "\"id\": \"\u{7f}\u{a0}", 1),
        base.replacen(id, "\"id\" : \"\\u00e9\\uD83D\\uDE00", 1),
        base.replacen('{', "{\u{b}", 1),
        base.replacen('{', "{\u{a0}", 1),
        base.replacen('}', ",}", 1),
        base.replacen("\"answers\"", "\"answers\" ", 1)
            .replacen("}}", "},}", 1),
        format!("{base} "),
        format!("{base}\u{feff}"),
        format!("\u{feff}{base}"),
        format!("{base}{{}}"),
        base.replace(": 1,", ": 01,").replace(": 1}", ": 01}"),
        base.replace(": 1,", ": 1.,").replace(": 1}", ": 1.}"),
        base.replace(": 1,", ": -0,").replace(": 1}", ": -0}"),
        base.replace(": 1,", ": 1e999,").replace(": 1}", ": 1e999}"),
        base.replace(": 1,", ": 0.1000000000000000000000000000001,"),
        base.replace(": true", ": tru").replace(": false", ": fals"),
        base.replace("\"yes\"", "\"y\\u0065s\""),
        base.replace(": true", ": True"),
        base.replace(": \"", ": \t\n\r \""),
    ];
    for text in &edges {
        check(r, text);
    }
}

/// Generated submissions of a rubric given as text, each criterion left
/// unanswered one time in three: (taken by the compiled reader, clean).
fn generated_sparse(rules: &str, n: usize, seed: u64) -> (usize, usize) {
    let (r, d) = mizan::load("rules.mizan", rules);
    let r = r.unwrap_or_else(|| panic!("{d:?}"));
    let m = r.model();
    let mut g = Gen(seed);
    let (mut took, mut clean) = (0, 0);
    for i in 0..n {
        let profile: Vec<String> = m
            .entity_fields()
            .map(|(_, f)| {
                let v = match &f.ty {
                    FieldTy::Enum(values) => format!("\"{}\"", values[g.next(values.len())]),
                    FieldTy::Number => format!("{}", g.next(40)),
                    FieldTy::Bool => ["true", "false"][g.next(2)].to_string(),
                };
                format!("\"{}\":{v}", f.name)
            })
            .collect();
        let mut answers = Vec::new();
        for (_, node, c) in m.criteria() {
            if g.next(3) > 0 {
                answers.push(format!(
                    "\"{}\":{}",
                    node.id,
                    answer(&mut g, &c.answer, c.na_allowed)
                ));
            }
        }
        let text = format!(
            r#"{{"rubric":"{}","version":"{}","entity":{{"id":"e{i}","profile":{{{}}}}},"answers":{{{}}}}}"#,
            m.id,
            m.version,
            profile.join(","),
            answers.join(",")
        );
        let origin = Origin {
            file: String::new(),
            line: None,
        };
        clean += usize::from(answers::read_exact(r.plan(), origin, &text).is_ok());
        took += check(&r, &text).compiled;
    }
    (took, clean)
}

/// The semantics of issue 14 (three-valued `and`/`or`/`not`, `answer(c)`
/// of a criterion that does not apply, `missing worst` on multiple choice,
/// named values in the population formula) agree between the compiled
/// program and the general evaluator, through every reader.
#[test]
fn kleene_logic_answers_out_of_scope_and_worst_combinations_score_the_same_through_every_path() {
    let rules = r#"
rubric sem.cross {
  version "1"
  profile { online: bool  size: number }
  let big = size > 20
  scale lvl { none 0  some 0.5  full 1  na n/a }
  group inputs {
    missing na
    criterion a { yesno }
    criterion b { yesno  applies when online }
    criterion ch { choice lvl  applies when big or online }
  }
  group multis {
    missing worst
    criterion m_capped { multi { web 0.5  app 0.75  kiosk 1 } }
    criterion m_min    { multi { web 0.5  app 1 } combine min }
    criterion m_mean   { multi { web 0.5  app 1  na n/a } combine mean }
    criterion c_worst  { choice { good 1  fair 0.25 } }
  }
  group logic {
    missing worst
    criterion t_and { number 0..1  score if answer(a) and answer(b) then value else 0 }
    criterion t_or  { number 0..1  score if answer(b) or answer(a) then value else 0.5 * value }
    criterion t_not { number 0..1  score if not answer(b) then value else 0 }
    criterion t_ch  { number 0..1  score if answer(ch) == full or answer(a) then value else 0.25 * value }
  }
  population { score mean * (1 - 1 / 4) }
}
"#;
    let (took, clean) = generated_sparse(rules, 2_000, 14);
    assert!(clean > 1_500, "{clean} readable of 2,000");
    assert!(took * 100 > clean * 90, "compiled reader took {took} of {clean}");
}
