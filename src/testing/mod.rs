//! Rule tests: `NAME.test.mizan` files beside `NAME.mizan`, run by
//! `mizan test` (see `docs/testing.md`).
//!
//! A case builds one answer set (from a file, inline answers, or both),
//! evaluates it with the rubric, and checks its expectations in order:
//! scores (exact, or within a tolerance), N/A, bands, or the error code of
//! a rejected answer set. The first expectation that does not hold fails
//! the case.

mod error;

use std::path::{Path, PathBuf};

pub use error::TestError;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::answers::{Answer, Rejection};
use crate::ast::{self, CaseItem, Expect, TestValue};
use crate::diag::{did_you_mean, Diagnostics, Src};
use crate::eval::{EntityResult, Outcome};
use crate::model::{Model, NodeIx, NodeKind};
use crate::Rubric;

/// A loaded test file with its rubric.
pub struct Suite {
    /// The test file.
    pub path: PathBuf,
    /// Its source.
    pub src: Src,
    /// Its cases.
    pub file: ast::TestFile,
    /// The rubric it tests.
    pub rubric: Rubric,
    /// The rubric file.
    pub rubric_path: PathBuf,
}

/// The rule file a test file tests: `2018.test.mizan` → `2018.mizan`.
pub fn rubric_path(test: &Path) -> Option<PathBuf> {
    let name = test.file_name()?.to_str()?;
    let stem = name.strip_suffix(".test.mizan")?;
    Some(test.with_file_name(format!("{stem}.mizan")))
}

/// True for `*.test.mizan` files.
pub fn is_test_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.mizan"))
}

/// Loads and statically checks a test file.
pub fn load(path: &Path, text: &str) -> Result<Suite, Diagnostics> {
    let src = Src::new(path.display().to_string(), text);
    let (doc, mut diags) = crate::syntax::parse_document(&src);
    let file = match doc {
        Some(ast::Document::Tests(t)) => t,
        Some(ast::Document::Rubric(r)) => {
            diags.push(TestError::WrongRubric {
                message: "this is a rule file, not a test file".into(),
                src: src.clone(),
                span: r.rubric.id.loc.span,
                help: "test files start with `tests RUBRIC_ID {` and are named NAME.test.mizan".into(),
            });
            return Err(diags);
        }
        None => return Err(diags),
    };
    if diags.has_errors() {
        return Err(diags);
    }
    let wrong = |message: String, span, help: String| TestError::WrongRubric {
        message,
        src: src.clone(),
        span,
        help,
    };
    let Some(rubric_path) = rubric_path(path) else {
        diags.push(wrong(
            "a test file is named NAME.test.mizan".into(),
            file.rubric.loc.span,
            "name it after the rule file it tests: 2018.mizan → 2018.test.mizan".into(),
        ));
        return Err(diags);
    };
    let rtext = match crate::files::read_rule_text(&rubric_path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(wrong(
                format!("cannot read the rubric {}: {}", rubric_path.display(), e.reason()),
                file.rubric.loc.span,
                "a test file sits beside the rule file it tests".into(),
            ));
            return Err(diags);
        }
    };
    let (rubric, rdiags) = crate::load(&rubric_path.display().to_string(), &rtext);
    let Some(rubric) = rubric else {
        diags.extend(rdiags);
        return Err(diags);
    };
    let model = rubric.model();
    if file.rubric.node != model.id {
        diags.push(wrong(
            format!(
                "these tests are for `{}`, but {} is `{}`",
                file.rubric.node,
                rubric_path.display(),
                model.id
            ),
            file.rubric.loc.span,
            format!("write `tests {} {{`", model.id),
        ));
    }
    if let Some(v) = &file.version {
        if v.node != model.version {
            diags.push(wrong(
                format!(
                    "these tests are for version {}, but the rubric is version {}",
                    v.node, model.version
                ),
                v.loc.span,
                format!("write `version \"{}\"`, or remove it", model.version),
            ));
        }
    }
    for case in &file.cases {
        check_case(&src, model, path, case, &mut diags);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Suite {
        path: path.to_path_buf(),
        src,
        file,
        rubric,
        rubric_path,
    })
}

/// What is wrong with a case's answer-set file, if anything: it must be
/// a regular file (not a directory, FIFO or device such as `/dev/null`),
/// not empty, within [`crate::files::MAX_INPUT_BYTES`].
fn answer_file_problem(p: &Path) -> Option<String> {
    use crate::files::FileError;
    let shown = p.display();
    match crate::files::regular(p) {
        Ok(m) if m.len() == 0 => Some(format!("the answer-set file {shown} is empty")),
        Ok(m) if m.len() > crate::files::MAX_INPUT_BYTES => Some(format!(
            "the answer-set file {shown} is larger than the limit of {} bytes",
            crate::files::MAX_INPUT_BYTES
        )),
        Ok(_) => None,
        Err(FileError::NotRegular { kind, .. }) => Some(format!(
            "the answer-set file {shown} is not a regular file ({kind})"
        )),
        Err(_) if std::fs::symlink_metadata(p).is_err() => Some(format!("no answer-set file {shown}")),
        Err(e) => Some(format!("cannot read the answer-set file {shown}: {}", e.reason())),
    }
}

fn check_case(src: &Src, model: &Model, path: &Path, case: &ast::Case, diags: &mut Diagnostics) {
    let unknown = |what: &'static str, n: &ast::Name, cands: Vec<&str>| TestError::UnknownName {
        what,
        name: n.node.clone(),
        src: src.clone(),
        span: n.loc.span,
        help: did_you_mean(&n.node, cands),
    };
    let node_ids = || model.by_id.keys().map(String::as_str).collect::<Vec<_>>();
    let mut error_expected = None;
    let mut values_expected = None;
    for item in &case.items {
        match item {
            CaseItem::Answers(f) => {
                let p = path.with_file_name(&f.node);
                if let Some(message) = answer_file_problem(&p) {
                    diags.push(TestError::AnswerFile {
                        message,
                        src: src.clone(),
                        span: f.loc.span,
                    });
                }
            }
            CaseItem::Entity(_) => {}
            CaseItem::Profile(fields, _) => {
                for (n, _) in fields {
                    if model.profile.get(&n.node).is_none_or(|f| f.owner.is_some()) {
                        diags.push(unknown(
                            "profile field",
                            n,
                            model.entity_fields().map(|(_, f)| f.name.as_str()).collect(),
                        ));
                    }
                }
            }
            CaseItem::Answer(n, _) => {
                let ok = model.by_id.get(&n.node).and_then(|&ix| model.nodes.get(ix));
                match ok {
                    Some(d) if matches!(d.kind, NodeKind::Criterion(_)) && d.scope == 0 => {}
                    Some(d) if d.scope != 0 => diags.push(TestError::BadCase {
                        message: format!(
                            "`{}` is answered in instances; give them in an answer-set file",
                            n.node
                        ),
                        src: src.clone(),
                        span: n.loc.span,
                        help: Some("use `answers \"FILE.json\"` for rubrics with repeated nodes".into()),
                    }),
                    _ => diags.push(unknown(
                        "criterion",
                        n,
                        model.criteria().map(|(_, d, _)| d.id.as_str()).collect(),
                    )),
                }
            }
            CaseItem::Expect(Expect::Error(c)) => error_expected = Some(c.loc.clone()),
            CaseItem::Expect(Expect::Value { node, loc, .. }) => {
                values_expected = Some(loc.clone());
                if node.node != "score" && !model.by_id.contains_key(&node.node) {
                    let mut c = node_ids();
                    c.push("score");
                    diags.push(unknown("node", node, c));
                }
            }
            CaseItem::Expect(Expect::Band {
                node,
                set: which,
                band,
                loc,
            }) => {
                values_expected = Some(loc.clone());
                let set = match node {
                    None => model.root().bands.clone(),
                    Some(n) => match model.by_id.get(&n.node).and_then(|&i| model.nodes.get(i)) {
                        Some(d) => d.bands.clone(),
                        None => {
                            diags.push(unknown("node", n, node_ids()));
                            continue;
                        }
                    },
                };
                let chosen = match which {
                    None => set.first(),
                    Some(w) => match set.iter().find(|u| u.set == w.node) {
                        Some(u) => Some(u),
                        None => {
                            diags.push(unknown(
                                "band set",
                                w,
                                set.iter().map(|u| u.set.as_str()).collect(),
                            ));
                            continue;
                        }
                    },
                };
                match chosen.and_then(|u| model.band_sets.get(&u.set)) {
                    None => diags.push(TestError::BadCase {
                        message: "this node has no bands".into(),
                        src: src.clone(),
                        span: loc.span,
                        help: Some("expect its score instead".into()),
                    }),
                    Some(bands) if !bands.iter().any(|b| b.id == band.node) => diags.push(unknown(
                        "band",
                        band,
                        bands.iter().map(|b| b.id.as_str()).collect(),
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    if let (Some(_), Some(v)) = (&error_expected, &values_expected) {
        diags.push(TestError::BadCase {
            message: "a case expects an error and scores at once".into(),
            src: src.clone(),
            span: v.span,
            help: Some("a rejected answer set has no scores: split the case in two".into()),
        });
    }
    if case.items.iter().all(|i| !matches!(i, CaseItem::Expect(_))) {
        diags.push(TestError::BadCase {
            message: format!("case \"{}\" expects nothing", case.name.node),
            src: src.clone(),
            span: case.name.loc.span,
            help: Some("add `expect score = …`, `expect NODE = …` or `expect error MXXXX`".into()),
        });
    }
}

/// Why a case failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What was checked: `score`, a node id, `band`, `error`.
    pub what: String,
    /// The expectation as written.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// The node to explain, when there is a result.
    pub node: Option<NodeIx>,
    /// Line of the expectation in the test file.
    pub line: usize,
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// 1-based line of `case` in the test file.
    pub line: usize,
    /// `None`: passed.
    pub failure: Option<Failure>,
    /// The evaluation, when the answer set was accepted.
    pub result: Option<EntityResult>,
}

impl CaseOutcome {
    /// True when every expectation held.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

fn line_of(src: &Src, offset: usize) -> usize {
    src.text()
        .get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

fn value_json(v: &TestValue) -> Value {
    match v {
        TestValue::Word(w) => match w.node.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            s => Value::String(s.to_string()),
        },
        TestValue::Number(n) => serde_json::from_str(&n.node.to_string()).unwrap_or(Value::Null),
        TestValue::Na(_) => Value::String("na".into()),
        TestValue::List(items, _) => {
            Value::Array(items.iter().map(|i| Value::String(i.node.clone())).collect())
        }
    }
}

/// The answer set a case describes, as JSON.
fn answer_set(suite: &Suite, case: &ast::Case) -> Result<Value, String> {
    let model = suite.rubric.model();
    let mut base = Map::new();
    let entity = case.items.iter().find_map(|i| match i {
        CaseItem::Entity(e) => Some(e.node.clone()),
        _ => None,
    });
    for item in &case.items {
        if let CaseItem::Answers(f) = item {
            let p = suite.path.with_file_name(&f.node);
            let bytes = crate::files::read(&p, crate::files::MAX_INPUT_BYTES).map_err(|e| e.to_string())?;
            // Read as the exact reader reads answer sets: a byte-order
            // mark that starts the file is skipped, a repeated key refused.
            let id_of = |j: &crate::answers::Json| {
                j.value
                    .pointer("/entity/id")
                    .and_then(Value::as_str)
                    .map(|s| crate::answers::entity_id(s).map_or_else(|_| s.to_string(), |s| s.into_owned()))
            };
            let parse = |t: &[u8], line: Option<usize>| {
                let origin = crate::answers::Origin {
                    file: p.display().to_string(),
                    line,
                };
                std::str::from_utf8(t)
                    .ok()
                    .and_then(|t| crate::answers::parse_json(&origin, t).ok())
            };
            let whole = parse(&bytes, None);
            // As every reader of JSONL answers: each line on its own (one
            // that is not UTF-8 or not JSON does not hide the others).
            let lines = || {
                bytes
                    .split_inclusive(|&b| b == b'\n')
                    .enumerate()
                    .filter_map(|(i, l)| crate::eval::stream::frame(l).map(|l| (i, l)))
                    .filter_map(move |(i, l)| parse(l, Some(i + 1)))
            };
            let j = match &entity {
                Some(e) => {
                    let e = crate::answers::entity_id(e).map_or_else(|_| e.clone(), |s| s.into_owned());
                    whole
                        .filter(|v| id_of(v).as_ref() == Some(&e))
                        .or_else(|| lines().find(|v| id_of(v).as_ref() == Some(&e)))
                        .ok_or_else(|| format!("{}: no entity `{e}`", p.display()))?
                }
                None => whole
                    .or_else(|| lines().next())
                    .ok_or_else(|| format!("{}: not an answer set", p.display()))?,
            };
            if let Some((pointer, key)) = j.duplicates.first() {
                return Err(format!(
                    "{}: key `{key}` is given more than once (at {pointer})",
                    p.display()
                ));
            }
            if let Value::Object(o) = j.value {
                base = o;
            }
        }
    }
    base.insert("rubric".into(), Value::String(model.id.clone()));
    base.insert("version".into(), Value::String(model.version.clone()));
    let ent = base
        .entry("entity")
        .or_insert_with(|| serde_json::json!({"id": case.name.node.clone()}));
    if let Value::Object(e) = ent {
        let profile = e.entry("profile").or_insert_with(|| Value::Object(Map::new()));
        for item in &case.items {
            if let (CaseItem::Profile(fields, _), Value::Object(p)) = (item, &mut *profile) {
                for (n, v) in fields {
                    p.insert(n.node.clone(), value_json(v));
                }
            }
        }
    }
    let answers = base.entry("answers").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(a) = answers {
        for item in &case.items {
            if let CaseItem::Answer(n, v) = item {
                a.insert(n.node.clone(), value_json(v));
            }
        }
    }
    Ok(Value::Object(base))
}

/// Runs every case of a suite.
pub fn run(suite: &Suite) -> Vec<CaseOutcome> {
    suite.file.cases.iter().map(|c| run_case(suite, c)).collect()
}

fn run_case(suite: &Suite, case: &ast::Case) -> CaseOutcome {
    let model = suite.rubric.model();
    let line = line_of(&suite.src, case.loc.span.offset());
    let fail =
        |what: &str, expected: String, actual: String, node: Option<NodeIx>, at: &crate::diag::Loc| Failure {
            what: what.to_string(),
            expected,
            actual,
            node,
            line: line_of(&suite.src, at.span.offset()),
        };
    let outcome = |failure, result| CaseOutcome {
        name: case.name.node.clone(),
        line,
        failure,
        result,
    };
    let json = match answer_set(suite, case) {
        Ok(j) => j,
        Err(e) => {
            return outcome(
                Some(fail(
                    "answers",
                    "a readable answer set".into(),
                    e,
                    None,
                    &case.name.loc,
                )),
                None,
            );
        }
    };
    let origin = format!("{}:{line}", suite.path.display());
    let evaluated = suite.rubric.evaluate_json(&origin, &json.to_string());
    let codes = |errs: &[Rejection]| -> Vec<String> {
        use miette::Diagnostic;
        errs.iter()
            .filter_map(|e| e.code().map(|c| c.to_string()))
            .collect()
    };
    // `M0415, M0410 × 65`: each code once, in order of first appearance,
    // with how many times it was reported.
    let listed = |got: &[String]| -> String {
        let mut seen: Vec<(&str, usize)> = Vec::new();
        for c in got {
            match seen.iter_mut().find(|(s, _)| s == c) {
                Some((_, n)) => *n += 1,
                None => seen.push((c, 1)),
            }
        }
        seen.iter()
            .map(|(c, n)| {
                if *n == 1 {
                    c.to_string()
                } else {
                    format!("{c} × {n}")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let result = match evaluated {
        Err(errs) => {
            let got = codes(&errs);
            for item in &case.items {
                if let CaseItem::Expect(Expect::Error(c)) = item {
                    if !got.contains(&c.node) {
                        let f = fail(
                            "error",
                            c.node.clone(),
                            format!("rejected with {}", listed(&got)),
                            None,
                            &c.loc,
                        );
                        return outcome(Some(f), None);
                    }
                }
            }
            if case
                .items
                .iter()
                .any(|i| matches!(i, CaseItem::Expect(Expect::Error(_))))
            {
                return outcome(None, None);
            }
            let first = errs
                .first()
                .map(|e| format!("{} ({})", e.error, e.location()))
                .unwrap_or_default();
            let f = fail(
                "answers",
                "an accepted answer set".into(),
                format!("rejected with {}: {first}", listed(&got)),
                None,
                &case.name.loc,
            );
            return outcome(Some(f), None);
        }
        Ok(r) => r,
    };
    for item in &case.items {
        let CaseItem::Expect(e) = item else { continue };
        let failure = match e {
            Expect::Error(c) => Some(fail(
                "error",
                c.node.clone(),
                "accepted and scored".into(),
                Some(0),
                &c.loc,
            )),
            Expect::Value { node, value, loc } => {
                let ix = if node.node == "score" {
                    Some(0)
                } else {
                    model.by_id.get(&node.node).copied()
                };
                let Some(ix) = ix else { continue };
                let got = result.outcomes.get(ix).copied();
                check_value(got, value.as_ref()).map(|(exp, act)| fail(&node.node, exp, act, Some(ix), loc))
            }
            Expect::Band {
                node,
                set: which,
                band,
                loc,
            } => {
                let ix = match node {
                    None => Some(0),
                    Some(n) => model.by_id.get(&n.node).copied(),
                };
                let Some(ix) = ix else { continue };
                let uses = model
                    .nodes
                    .get(ix)
                    .map(|n| n.bands.as_slice())
                    .unwrap_or_default();
                let chosen = match which {
                    None => uses.first(),
                    Some(w) => uses.iter().find(|u| u.set == w.node),
                };
                let got = result
                    .outcomes
                    .get(ix)
                    .and_then(|o| o.score())
                    .zip(chosen)
                    .and_then(|(s, u)| model.band_in(u, s))
                    .map(|b| b.id.clone());
                let set = which.as_ref().map(|w| format!(" {}", w.node)).unwrap_or_default();
                let what = node
                    .as_ref()
                    .map_or(format!("band{set}"), |n| format!("{} band{set}", n.node));
                (got.as_deref() != Some(band.node.as_str())).then(|| {
                    fail(
                        &what,
                        band.node.clone(),
                        got.unwrap_or_else(|| "no band".into()),
                        Some(ix),
                        loc,
                    )
                })
            }
        };
        if let Some(f) = failure {
            return outcome(Some(f), Some(result));
        }
    }
    outcome(None, Some(result))
}

/// `None` when `got` meets the expectation; else (expected, actual) texts.
fn check_value(got: Option<Outcome>, want: Option<&ast::Expected>) -> Option<(String, String)> {
    let shown = |d: Decimal, pct: bool| {
        if pct {
            format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(10).normalize())
        } else {
            d.round_dp(20).normalize().to_string()
        }
    };
    match (got, want) {
        (Some(Outcome::Na(_)), None) => None,
        (Some(Outcome::Score(s)), None) => Some(("N/A".into(), shown(s, false))),
        (Some(Outcome::Na(why)), Some(w)) => {
            Some((w.amount.text.node.clone(), format!("N/A ({})", why.describe())))
        }
        (None, _) => Some(("a value".into(), "no such node".into())),
        (Some(Outcome::Score(s)), Some(w)) => {
            let pct = w.amount.text.node.ends_with('%');
            let a = &w.amount;
            let ok = match &w.within {
                Some(t) => {
                    let tol = t.num / t.den;
                    let target = a.num / a.den;
                    (s - target).abs() <= tol
                }
                // A fraction is exact to the 28 digits a decimal holds: the
                // engine's value agrees with num/den to 20 places.
                None if a.den != Decimal::ONE && a.den != Decimal::ONE_HUNDRED => a
                    .num
                    .checked_div(a.den)
                    .is_some_and(|q| (s - q).abs() < Decimal::new(1, 20)),
                None => s * a.den == a.num,
            };
            let exp = match &w.within {
                Some(t) => format!("{} within {}", a.text.node, t.text.node),
                None => a.text.node.clone(),
            };
            (!ok).then(|| (exp, shown(s, pct)))
        }
    }
}

/// Criteria and options no evaluated case answered.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Criteria answered / all criteria.
    pub criteria: (usize, usize),
    /// Options chosen / all options (N/A and ignored options included).
    pub options: (usize, usize),
    /// Criteria never answered.
    pub missed_criteria: Vec<String>,
    /// `criterion option` pairs never chosen.
    pub missed_options: Vec<(String, String)>,
}

impl Coverage {
    /// Criterion coverage in percent.
    pub fn percent(&self) -> f64 {
        if self.criteria.1 == 0 {
            100.0
        } else {
            self.criteria.0 as f64 * 100.0 / self.criteria.1 as f64
        }
    }
}

/// What the evaluated cases of `outcomes` exercise of `model`.
pub fn coverage(model: &Model, outcomes: &[&CaseOutcome]) -> Coverage {
    let n = model.nodes.len();
    let mut answered = vec![false; n];
    let mut chosen: Vec<Vec<bool>> = model
        .nodes
        .iter()
        .map(|d| {
            vec![
                false;
                match &d.kind {
                    NodeKind::Criterion(c) => c.answer.options().len() + codes_of(c).len(),
                    NodeKind::Group(_) => 0,
                }
            ]
        })
        .collect();
    let mut mark = |ix: NodeIx, a: &Answer, answered: &mut Vec<bool>| {
        if let Some(x) = answered.get_mut(ix) {
            *x = true;
        }
        let opts: Vec<usize> = match a {
            Answer::Option(i) => vec![*i],
            // A number's codes count like options (a number has none).
            Answer::Code(i, _) => vec![*i],
            Answer::Set(s) => s.clone(),
            Answer::Na => model
                .nodes
                .get(ix)
                .map(|d| match &d.kind {
                    NodeKind::Criterion(c) => c
                        .answer
                        .options()
                        .iter()
                        .position(|o| o.is_na())
                        .into_iter()
                        .collect(),
                    NodeKind::Group(_) => Vec::new(),
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for o in opts {
            if let Some(x) = chosen.get_mut(ix).and_then(|c| c.get_mut(o)) {
                *x = true;
            }
        }
    };
    fn walk(sets: &[crate::answers::InstanceSet], f: &mut dyn FnMut(NodeIx, &Answer)) {
        for s in sets {
            for i in &s.items {
                for (ix, a) in i.answers.iter() {
                    f(ix, a);
                }
                walk(&i.instances, f);
            }
        }
    }
    for o in outcomes {
        let Some(r) = &o.result else { continue };
        for (ix, a) in r.submission.answers.iter() {
            mark(ix, a, &mut answered);
        }
        let mut f = |ix: NodeIx, a: &Answer| mark(ix, a, &mut answered);
        walk(&r.submission.instances, &mut f);
    }
    let mut cov = Coverage::default();
    for (ix, d, c) in model.criteria() {
        cov.criteria.1 += 1;
        if answered.get(ix).copied().unwrap_or(false) {
            cov.criteria.0 += 1;
        } else {
            cov.missed_criteria.push(d.id.clone());
        }
        for (k, o) in c.answer.options().iter().enumerate() {
            cov.options.1 += 1;
            if chosen.get(ix).and_then(|v| v.get(k)).copied().unwrap_or(false) {
                cov.options.0 += 1;
            } else {
                cov.missed_options.push((d.id.clone(), o.id.clone()));
            }
        }
        for (k, code) in codes_of(c).iter().enumerate() {
            cov.options.1 += 1;
            if chosen.get(ix).and_then(|v| v.get(k)).copied().unwrap_or(false) {
                cov.options.0 += 1;
            } else {
                cov.missed_options.push((d.id.clone(), code.id.clone()));
            }
        }
    }
    cov
}

/// The codes of a `number` criterion (none for other kinds).
fn codes_of(c: &crate::model::Criterion) -> &[crate::model::CodeDef] {
    match &c.answer {
        crate::model::AnswerKind::Number { codes, .. } => codes,
        _ => &[],
    }
}
