//! The fast paths against the straightforward ones: the direct reader
//! (any well-formed answer set matched against the plan, straight into
//! its slots) against the exact reader (a `serde_json::Value`, then
//! every check); and the evaluator's compiled program against the general
//! evaluator (node by node). On the shipped answer sets and on generated
//! submissions, clean and damaged, every path gives byte-identical output,
//! the direct reader accepts nothing the exact one rejects, and it does
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

/// What scoring `text`, line `line` of a JSONL file (`None`: a `.json`
/// file), gives when read by `read` and scored by `score`: the entity's
/// JSON line and its warnings, or its errors.
fn outcome_at(r: &Rubric, line: Option<usize>, text: &str, read: Reader, score: Evaluator) -> String {
    let origin = Origin {
        file: "generated.jsonl".into(),
        line,
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

/// Whether the direct reader took a text.
#[derive(Default, Clone, Copy)]
struct Took {
    direct: usize,
}

/// Checks one text through every path.
fn check(r: &Rubric, text: &str) -> Took {
    check_at(r, Some(7), text)
}

/// [`check`] of line `line` of a JSONL file (`None`: a `.json` file).
fn check_at(r: &Rubric, line: Option<usize>, text: &str) -> Took {
    let outcome =
        |r: &Rubric, text: &str, read: Reader, score: Evaluator| outcome_at(r, line, text, read, score);
    let exact = outcome(r, text, answers::read_exact, evaluate_general);
    let direct: Reader = |p, o, t| answers::read_direct(p, o, t).or_else(|o| answers::read_exact(p, o, t));
    let paths: [(&str, Reader, Evaluator); 4] = [
        ("exact reader, program", answers::read_exact, evaluate),
        ("direct reader, general", direct, evaluate_general),
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
        line,
    };
    let direct = answers::read_direct(r.plan(), origin.clone(), text).is_ok();
    if direct {
        assert!(
            answers::read_exact(r.plan(), origin, text).is_ok(),
            "the direct reader accepted what the exact reader rejects:\n{text}"
        );
    }
    Took {
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
        took.direct += t.direct;
    }
    (took, clean)
}

#[test]
fn ten_thousand_generated_uae_submissions_score_the_same_through_every_path() {
    let (took, clean) = generated("rules/uae/integration/2018.mizan", 10_000, 2018);
    // Most are readable; the direct reader takes every one of those.
    assert!(clean > 7_000, "{clean} readable of 10,000");
    let Took { direct } = took;
    assert_eq!(direct, clean, "direct reader took {direct} of {clean}");
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
            took.direct * 100 > clean * 90,
            "{rubric}: direct reader took {} of {clean}",
            took.direct
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
            took += check(&r, &text).direct;
        }
    }
    // The UAE, Oman and Saudi examples are clean flat answer sets.
    assert!(took >= 15, "direct reader took {took} shipped answer sets");
}

/// Texts at the edges of JSON: whatever the direct reader accepts, the
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
            .find(|t| check(&r, t).direct == 1)
            .unwrap_or_else(|| panic!("the direct reader takes an answer set of {dir}"));
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

/// A rubric with a profile, every kind of answer and a repeated node, for
/// the classes of refused input below.
const CLASSES: &str = r#"rubric demo.classes {
  version "1"
  profile {
    role: one of provider, consumer
    size: number
  }
  criterion c1 { choice { yes 1 partial 0.5 no 0 } }
  criterion c2 { yesno }
  criterion c3 { yesno  applies when role == provider }
  kpi share {
    number percent 0..100
    target 80
    score clamp(value / target, 0, 1)
    missing na
  }
  criterion m { multi { web 0.5 app 0.5 centre 0.25 } combine sum_capped  missing na }
  group svc {
    repeated
    fields { year: number }
    criterion q { yesno }
  }
}"#;

/// The answers to `share` and `m` in [`FLAT`] (both may be left out).
const NUMBER_AND_LIST: &str = r#","share":60,"m":["web"]"#;

/// [`CLASSES`] without its number field, and an answer set of it: what
/// the direct reader takes (strings and booleans) is `text` without these.
fn direct_shape(text: &str) -> Option<String> {
    (text.contains(NUMBER_AND_LIST) && text.contains(r#","size":12"#))
        .then(|| text.replace(NUMBER_AND_LIST, "").replace(r#","size":12"#, ""))
}

fn direct_classes() -> Rubric {
    let (r, d) = mizan::load("classes.mizan", &CLASSES.replace("    size: number\n", ""));
    r.unwrap_or_else(|| panic!("{d:?}"))
}

/// A flat answer set of [`CLASSES`]: the direct reader takes it, and
/// the direct reader takes its [`direct_shape`].
const FLAT: &str = r#"{"rubric":"demo.classes","version":"1","entity":{"id":"moi","name":"Moi","profile":{"role":"provider","size":12}},"answers":{"c1":"yes","c2":true,"c3":true,"share":60,"m":["web"]}}"#;

/// An answer set of [`CLASSES`] with an instance (the exact reader's).
const NESTED: &str = r#"{"rubric":"demo.classes","version":"1","entity":{"id":"moi","name":"Moi","profile":{"role":"provider","size":12}},"answers":{"c1":"yes","c2":true,"c3":true,"share":60,"m":["web"]},"instances":{"svc":[{"key":"a","profile":{"year":2020},"answers":{"q":true}}]}}"#;

/// `base` with `from` replaced by `to` (which must be there).
fn with(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "{from} not in {base}");
    base.replacen(from, to, 1)
}

/// After checking that every reader and evaluator path agrees on `text`
/// (at line `line`), its rejections as `code pointer`.
fn rejections(r: &Rubric, line: Option<usize>, text: &str) -> Vec<String> {
    check_at(r, line, text);
    let origin = Origin {
        file: "classes.jsonl".into(),
        line,
    };
    match answers::read(r.plan(), origin, text).and_then(|s| evaluate(r.plan(), s)) {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .iter()
            .map(|e| format!("{} {}", json::problem(e).code, e.pointer))
            .collect(),
    }
}

fn classes() -> Rubric {
    let (r, d) = mizan::load("classes.mizan", CLASSES);
    r.unwrap_or_else(|| panic!("{d:?}"))
}

/// Every class of input that used to be read silently, or with an unclear
/// message (issue 14, items 18, 21, 24, 25, 28, and missing answers
/// reported alone): each spelling is refused alike by the direct and exact
/// readers, scored by the program and the general evaluator,
/// with the same list of rejections, each with its code and pointer.
#[test]
fn every_class_of_refused_input_is_refused_alike_by_every_reader() {
    let r = classes();
    // The bases are taken by the fast readers (else the comparison would
    // be of the exact reader with itself), and are clean.
    let took = check_at(&r, None, FLAT);
    assert_eq!(took.direct, 1);
    let d = direct_classes();
    let took = check_at(&d, None, &direct_shape(FLAT).unwrap());
    assert_eq!(took.direct, 1);
    assert!(rejections(&r, None, FLAT).is_empty());
    assert!(rejections(&r, None, NESTED).is_empty());
    let dup = |ptr: &str| format!("M0422 {ptr}");
    let cases: Vec<(String, Vec<String>)> = vec![
        // Item 18: a repeated key, at every level, the same or another
        // value, spelt alike or with an escape.
        (
            with(FLAT, r#"{"rubric""#, r#"{"rubric":"demo.classes","rubric""#),
            vec![dup("/rubric")],
        ),
        (
            with(
                FLAT,
                r#"{"rubric":"demo.classes""#,
                r#"{"rubric":"other","rubric":"demo.classes""#,
            ),
            vec![dup("/rubric"), "M0403 /rubric".into()],
        ),
        (
            with(FLAT, r#""version":"1""#, r#""version":"1","version":"1""#),
            vec![dup("/version")],
        ),
        (
            with(FLAT, r#""entity":"#, r#""entity":{"id":"moh"},"entity":"#),
            vec![
                dup("/entity"),
                "M0415 /entity/profile/role".into(),
                "M0415 /entity/profile/size".into(),
            ],
        ),
        (
            with(FLAT, r#"]}}"#, r#"]},"answers":{"c1":"no"}}"#),
            vec![dup("/answers")],
        ),
        (
            with(FLAT, r#""id":"moi""#, r#""id":"moi","id":"moi""#),
            vec![dup("/entity/id")],
        ),
        (
            with(FLAT, r#""id":"moi""#, r#""id":"moi","\u0069d":"moh""#),
            vec![dup("/entity/id")],
        ),
        (
            with(FLAT, r#""name":"Moi""#, r#""name":"Moi","name":"Moh""#),
            vec![dup("/entity/name")],
        ),
        (
            with(
                FLAT,
                r#""size":12}"#,
                r#""size":12},"profile":{"role":"consumer"}"#,
            ),
            vec![dup("/entity/profile")],
        ),
        (
            with(
                FLAT,
                r#""role":"provider""#,
                r#""role":"provider","role":"consumer""#,
            ),
            vec![dup("/entity/profile/role")],
        ),
        (
            with(FLAT, r#""c1":"yes""#, r#""c1":"yes","c1":"yes""#),
            vec![dup("/answers/c1")],
        ),
        (
            with(FLAT, r#""c1":"yes""#, r#""c1":"yes","c\u0031":"no""#),
            vec![dup("/answers/c1")],
        ),
        (
            with(FLAT, r#""c2":true"#, r#""c2":true,"c2":true,"c2":false"#),
            vec![dup("/answers/c2"), dup("/answers/c2")],
        ),
        (
            with(NESTED, r#""instances":{"#, r#""instances":{"svc":[],"#),
            vec![dup("/instances/svc")],
        ),
        (
            with(NESTED, r#"}]}}"#, r#"}]},"instances":{}}"#),
            vec![dup("/instances")],
        ),
        (
            with(NESTED, r#""key":"a""#, r#""key":"a","key":"b""#),
            vec![dup("/instances/svc/0/key")],
        ),
        (
            with(NESTED, r#""year":2020"#, r#""year":2020,"year":2021"#),
            vec![dup("/instances/svc/0/profile/year")],
        ),
        (
            with(NESTED, r#""q":true"#, r#""q":true,"q":false"#),
            vec![dup("/instances/svc/0/answers/q")],
        ),
        // Item 24: numbers beyond the exact decimals, in an answer, a
        // profile field and an instance field.
        (
            with(FLAT, r#""share":60"#, r#""share":1e400"#),
            vec!["M0423 /answers/share".into()],
        ),
        (
            with(FLAT, r#""share":60"#, r#""share":-1E+400"#),
            vec!["M0423 /answers/share".into()],
        ),
        (
            with(FLAT, r#""share":60"#, r#""share":1e-400"#),
            vec!["M0423 /answers/share".into()],
        ),
        (
            with(
                FLAT,
                r#""share":60"#,
                r#""share":12345678901234567890123456789012345"#,
            ),
            vec!["M0423 /answers/share".into()],
        ),
        (
            with(
                FLAT,
                r#""share":60"#,
                r#""share":0.12345678901234567890123456789012345"#,
            ),
            vec!["M0423 /answers/share".into()],
        ),
        (
            with(FLAT, r#""share":60"#, r#""share":79228162514264337593543950336"#),
            vec!["M0423 /answers/share".into()],
        ),
        (
            with(FLAT, r#""share":60"#, r#""share":1e99999999999999999999"#),
            vec!["M0423 /answers/share".into()],
        ),
        (
            with(FLAT, r#""size":12"#, r#""size":1e400"#),
            vec!["M0423 /entity/profile/size".into()],
        ),
        (
            with(NESTED, r#""year":2020"#, r#""year":1e-400"#),
            vec!["M0423 /instances/svc/0/profile/year".into()],
        ),
        // Exact however written: read alike.
        (
            with(
                FLAT,
                r#""share":60"#,
                r#""share":60.000000000000000000000000000000000"#,
            ),
            vec![],
        ),
        (with(FLAT, r#""share":60"#, r#""share":6e1"#), vec![]),
        (with(FLAT, r#""share":60"#, r#""share":0e400"#), vec![]),
        // Item 28: unknown keys in `entity`, at the top level, in an
        // instance.
        (
            with(FLAT, r#""name""#, r#""nmae""#),
            vec!["M0417 /entity/nmae".into()],
        ),
        (
            with(FLAT, r#""profile""#, r#""profil""#),
            vec![
                "M0417 /entity/profil".into(),
                "M0415 /entity/profile/role".into(),
                "M0415 /entity/profile/size".into(),
            ],
        ),
        (
            with(FLAT, r#""id""#, r#""idd""#),
            vec!["M0402 /entity/id".into(), "M0417 /entity/idd".into()],
        ),
        (
            with(FLAT, r#""name":"Moi""#, r#""name":"Moi","note":{"a":[1,2]}"#),
            vec!["M0417 /entity/note".into()],
        ),
        (
            with(FLAT, r#""answers""#, r#""answer""#),
            vec!["M0402 /answers".into(), "M0417 /answer".into()],
        ),
        (
            with(FLAT, r#"]}}"#, r#"]},"score":1}"#),
            vec!["M0417 /score".into()],
        ),
        (
            with(NESTED, r#""answers":{"q""#, r#""answer":{"q""#),
            vec![
                "M0417 /instances/svc/0/answer".into(),
                "M0410 /instances/svc/0/answers/q".into(),
            ],
        ),
        // Missing answers are reported with the other problems.
        (
            with(FLAT, r#""c1":"yes","c2":true,"#, r#""c1":"maybe","#),
            vec!["M0406 /answers/c1".into(), "M0410 /answers/c2".into()],
        ),
        (
            with(FLAT, r#""c1":"yes","c2":true,"c3":true,"#, r#""c1":"maybe","#),
            vec![
                "M0406 /answers/c1".into(),
                "M0410 /answers/c2".into(),
                "M0410 /answers/c3".into(),
            ],
        ),
        (
            with(
                &with(FLAT, r#""role":"provider""#, r#""role":"consumer""#),
                r#""c1":"yes","c2":true,"c3":true,"#,
                r#""c1":"maybe","#,
            ),
            vec!["M0406 /answers/c1".into(), "M0410 /answers/c2".into()],
        ),
        (
            with(
                &with(FLAT, r#""role":"provider""#, r#""role":"boss""#),
                r#""c1":"yes","c2":true,"c3":true,"#,
                r#""c1":"yes","#,
            ),
            vec!["M0414 /entity/profile/role".into(), "M0410 /answers/c2".into()],
        ),
        (
            with(FLAT, r#""share":60"#, r#""share":1e400,"c2":null"#).replacen(r#""c2":true,"#, "", 1),
            vec!["M0423 /answers/share".into(), "M0410 /answers/c2".into()],
        ),
        (
            with(FLAT, r#""c1":"yes","c2":true,"#, r#""c1":"yes","#).replacen(
                r#""rubric":"demo.classes""#,
                r#""rubric":"other""#,
                1,
            ),
            vec!["M0403 /rubric".into()],
        ),
    ];
    let mut bad_ids = Vec::new();
    // Item 21: ids that look like `moi` but are not, raw or escaped.
    for id in [
        "moi\u{200b}",
        "moi\\u200b",
        "moi ",
        " moi",
        "moi\\t",
        "moi\\u00a0",
        "\\u3000moi",
        "mo\\u001b[31mi",
        "mo\\ni",
        "mo\\u0085i",
        "\\u202emoi",
        "\u{2067}moi\u{2069}",
        "moi\\ufeff",
        "mo\\u200di",
        "mo\\u2028i",
        "mo\\u00adi",
        "moi\u{fe0f}",
    ] {
        bad_ids.push((
            with(FLAT, r#""id":"moi""#, &format!(r#""id":"{id}""#)),
            vec!["M0424 /entity/id".to_string()],
        ));
    }
    for (text, want) in cases.iter().chain(&bad_ids) {
        assert_eq!(&rejections(&r, Some(7), text), want, "{text}");
        // A `.json` file reads alike.
        assert_eq!(&rejections(&r, None, text), want, "{text}");
        // And so does the shape the direct reader takes.
        if let Some(text) = direct_shape(text) {
            let want: Vec<_> = want.iter().filter(|w| !w.contains("/size")).cloned().collect();
            assert_eq!(rejections(&d, Some(7), &text), want, "{text}");
        }
    }
}

/// Item 25: a byte-order mark starts a `.json` file or a `.jsonl` file
/// (its first line) in every reader; anywhere else it is M0401, saying so.
#[test]
fn a_byte_order_mark_at_the_start_of_a_file_is_read_alike_by_every_reader() {
    let r = classes();
    for base in [FLAT, NESTED] {
        let text = format!("\u{feff}{base}");
        for line in [None, Some(1)] {
            assert!(rejections(&r, line, &text).is_empty(), "{line:?} {text}");
        }
        if base == FLAT {
            let took = check_at(&direct_classes(), None, &direct_shape(&text).unwrap());
            assert_eq!(took.direct, 1);
        }
        assert_eq!(rejections(&r, Some(2), &text), vec!["M0401 ".to_string()]);
        let origin = Origin {
            file: "a.jsonl".into(),
            line: Some(2),
        };
        let errs = answers::read(r.plan(), origin, &text).unwrap_err();
        assert!(errs[0].error.to_string().contains("byte-order mark"), "{errs:?}");
        // Two marks, or one inside the object, are not a file's start.
        for text in [
            format!("\u{feff}\u{feff}{base}"),
            base.replacen('{', "{\u{feff}", 1),
        ] {
            assert_eq!(rejections(&r, None, &text), vec!["M0401 ".to_string()]);
        }
    }
}

/// Item 21: an id in NFD (a letter and a combining mark) is the same id as
/// its NFC form, in every reader; so a batch with both has one entity
/// (M0411), and reports keep the NFC form.
#[test]
fn entity_ids_are_compared_in_nfc_by_every_reader() {
    let r = classes();
    for (id, nfc) in [
        ("caf\u{65}\u{301}", "caf\u{e9}"),
        ("caf\\u0065\\u0301", "caf\u{e9}"),
        ("\u{627}\u{654}", "\u{623}"),
        ("\u{1e0b}\u{323}", "\u{1e0d}\u{307}"),
        ("caf\u{e9}", "caf\u{e9}"),
    ] {
        let text = with(FLAT, r#""id":"moi""#, &format!(r#""id":"{id}""#));
        assert!(rejections(&r, None, &text).is_empty(), "{text}");
        let origin = Origin {
            file: "a.json".into(),
            line: None,
        };
        let readers: [Reader; 3] = [answers::read, answers::read_exact, |p, o, t| {
            answers::read_direct(p, o, t).or_else(|o| answers::read_exact(p, o, t))
        }];
        for read in readers {
            assert_eq!(read(r.plan(), origin.clone(), &text).unwrap().entity, nfc);
        }
    }
    let nfd = with(FLAT, r#""id":"moi""#, "\"id\":\"caf\u{65}\u{301}\"");
    let nfc = with(FLAT, r#""id":"moi""#, "\"id\":\"caf\u{e9}\"");
    let at = |line| Origin {
        file: "a.jsonl".into(),
        line: Some(line),
    };
    let batch = mizan::eval::evaluate_batch(r.plan(), vec![(at(1), nfc), (at(2), nfd)]);
    assert_eq!(batch.results.len(), 1);
    assert_eq!(batch.rejected, 1);
    assert_eq!(json::problem(&batch.errors[0]).code, "M0411");
}

/// The rejections say what is wrong and how to fix it.
#[test]
fn refused_inputs_say_which_limit_or_key() {
    let r = classes();
    let messages = |text: &str| -> Vec<String> {
        let origin = Origin {
            file: "a.json".into(),
            line: None,
        };
        answers::read(r.plan(), origin, text)
            .unwrap_err()
            .iter()
            .map(mizan::render::table::problem)
            .collect()
    };
    let m = messages(&with(FLAT, r#""name""#, r#""nmae""#));
    assert!(
        m[0].contains("unknown key `nmae`") && m[0].contains("did you mean `name`?"),
        "{m:?}"
    );
    let m = messages(&with(FLAT, r#""id""#, r#""idd""#));
    assert!(m[1].contains("did you mean `id`?"), "{m:?}");
    let m = messages(&with(FLAT, r#""profile""#, r#""profil""#));
    assert!(m[0].contains("did you mean `profile`?"), "{m:?}");
    for (n, why) in [
        ("1e400", "magnitude is above the largest exact decimal"),
        (
            "79228162514264337593543950336",
            "magnitude is above the largest exact decimal",
        ),
        ("1e-400", "below the smallest nonzero exact decimal, 1e-28"),
        (
            "0.12345678901234567890123456789012345",
            "more than 28 digits after the decimal point",
        ),
    ] {
        let m = messages(&with(FLAT, r#""share":60"#, &format!(r#""share":{n}"#)));
        assert!(
            m[0].contains("[M0423]: `share` answer") && m[0].contains(why),
            "{m:?}"
        );
    }
    let m = messages(&with(FLAT, r#""c1":"yes""#, r#""c1":"yes","c1":"no""#));
    assert!(m[0].contains("key `c1` is given more than once"), "{m:?}");
    // Control characters from the answer set never reach a terminal raw.
    let m = messages(&with(FLAT, r#""id":"moi""#, r#""id":"mo\u001b[2Ji\n""#));
    assert!(
        m[0].contains(r"entity id `mo\u{1b}[2Ji\u{a}` contains the control character U+001B"),
        "{m:?}"
    );
    assert!(!m.concat().contains('\u{1b}'), "{m:?}");
    let m = messages(&with(FLAT, r#""c1":"yes""#, "\"c1\":\"y\\u001b[31mes\""));
    assert!(m[0].contains(r"unknown option `y\u{1b}[31mes`"), "{m:?}");
}

/// The `answer_readers` fuzz target's seeds of each refused class, through
/// every path of the rubrics that target reads.
#[test]
fn fuzz_seeds_of_each_class_are_read_alike() {
    let rubrics = [
        "rules/worldbank/doing-business/2020.mizan",
        "rules/sa/platforms-policy/1.mizan",
        "rules/uae/integration/2018.mizan",
    ]
    .map(load);
    let mut seeds: Vec<_> = std::fs::read_dir("fuzz/seeds/answer_readers")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 30);
    for path in seeds {
        let text = std::fs::read_to_string(&path).unwrap();
        for r in &rubrics {
            for line in [None, Some(1), Some(2)] {
                check_at(r, line, &text);
            }
        }
    }
}

/// Generated submissions of a rubric given as text, each criterion left
/// unanswered one time in three: (taken by the direct reader, clean).
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
        took += check(&r, &text).direct;
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
    assert!(took * 100 > clean * 90, "direct reader took {took} of {clean}");
}
