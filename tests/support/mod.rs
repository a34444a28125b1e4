//! Helpers shared by the tests: running the `mizan` binary, loading a rule
//! file, reading example answer sets, and comparing exact decimals with
//! fractions.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "each test binary uses part of this module; a test fails by panicking"
)]

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

use mizan::answers::Origin;
use mizan::eval::EntityResult;
use mizan::Rubric;
use rust_decimal::Decimal;

/// Runs the `mizan` binary of this build, without colour.
pub fn mizan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A command's standard output, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A command's standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Loads a rule file that must check with no error and no warning.
pub fn load_clean(path: &str) -> Rubric {
    let text = fs::read_to_string(path).unwrap();
    let (r, d) = mizan::load(path, &text);
    assert!(d.is_empty(), "{path}: {d:?}");
    r.unwrap()
}

/// Every `.json` answer set in `dirs`, sorted by path, as batch inputs.
pub fn answer_inputs(dirs: &[&str]) -> Vec<(Origin, String)> {
    let mut files: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let origin = Origin {
                file: p.display().to_string(),
                line: None,
            };
            (origin, fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// Evaluates one answer-set file that must be accepted.
pub fn eval_file(r: &Rubric, path: &str) -> EntityResult {
    let text = fs::read_to_string(path).unwrap();
    r.evaluate_json(path, &text)
        .unwrap_or_else(|e| panic!("{path} rejected: {e:?}"))
}

/// `d` equals num/den to 20 decimal places (division rounds at the 28th
/// significant digit).
pub fn assert_frac(d: Option<Decimal>, num: i64, den: i64, what: &str) {
    assert_frac_within(d, num, den, 20, what);
}

/// `d × den` is within 10^-`places` of `num`.
pub fn assert_frac_within(d: Option<Decimal>, num: i64, den: i64, places: u32, what: &str) {
    let d = d.unwrap_or_else(|| panic!("{what}: N/A"));
    let diff = (d * Decimal::from(den) - Decimal::from(num)).abs();
    assert!(diff < Decimal::new(1, places), "{what}: {d} is not {num}/{den}");
}

/// The `key` of every object of a JSON list (`"id"` of the entities of a
/// `--format json` document), as a set.
pub fn ids_of(list: &serde_json::Value, key: &str) -> std::collections::BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap().to_string())
        .collect()
}

/// The ids of a list of entities.
pub fn ids(entities: &serde_json::Value) -> std::collections::BTreeSet<String> {
    ids_of(entities, "id")
}

/// Every file under `dir` (recursively) whose extension is one of `exts`.
pub fn files_under(dir: &std::path::Path, exts: &[&str], out: &mut Vec<std::path::PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, exts, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| exts.contains(&x))
        {
            out.push(p);
        }
    }
}

/// Every answer set of the repository (`.json` files, `.jsonl` lines), by
/// the rubric id and version it names.
pub fn every_answer_set() -> Vec<(String, String, Origin, String)> {
    let mut files = Vec::new();
    for dir in ["examples", "tests"] {
        files_under(std::path::Path::new(dir), &["json", "jsonl"], &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = fs::read_to_string(&f) else {
            continue;
        };
        let lines: Vec<(Option<usize>, String)> = if f.extension().is_some_and(|x| x == "jsonl") {
            text.lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| (Some(i + 1), l.to_string()))
                .collect()
        } else {
            vec![(None, text)]
        };
        for (line, t) in lines {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&t) else {
                continue;
            };
            let (Some(id), Some(version)) = (v["rubric"].as_str(), v["version"].as_str()) else {
                continue;
            };
            let origin = Origin {
                file: f.display().to_string(),
                line,
            };
            out.push((id.to_string(), version.to_string(), origin, t));
        }
    }
    out
}

/// How an answer set is read, as the reader functions of `mizan::answers`.
pub type Reader = fn(
    &mizan::plan::Plan,
    Origin,
    &str,
) -> Result<mizan::answers::Submission, Vec<mizan::answers::Rejection>>;
/// How a read answer set is scored: `evaluate` (the compiled program) or
/// `evaluate_general`.
pub type Evaluator = fn(
    &mizan::plan::Plan,
    mizan::answers::Submission,
) -> Result<EntityResult, Vec<mizan::answers::Rejection>>;

/// What one path makes of `text`: the entity's JSON, its warnings and its
/// explain tree, or the located problems of its rejection.
pub fn path_outcome(r: &Rubric, text: &str, read: Reader, score: Evaluator) -> String {
    use mizan::render::json;
    let origin = Origin {
        file: "generated.jsonl".into(),
        line: Some(1),
    };
    match read(r.plan(), origin, text).and_then(|s| score(r.plan(), s)) {
        Ok(res) => format!(
            "{}\n{}\n{}",
            serde_json::to_string(&json::entity(r.model(), &res)).unwrap(),
            serde_json::to_string(&res.warnings.iter().map(json::problem).collect::<Vec<_>>()).unwrap(),
            mizan::render::explain::render(r.model(), &res)
        ),
        Err(e) => format!(
            "rejected {}",
            serde_json::to_string(&e.iter().map(json::problem).collect::<Vec<_>>()).unwrap()
        ),
    }
}

/// Asserts that every reader and evaluator path (the exact reader with the
/// compiled program; the direct reader, falling back to the exact one,
/// with the general evaluator; `answers::read` with the program; the
/// bytes reader) gives `text` the same outcome as the exact reader with
/// the general evaluator, and returns that outcome.
pub fn same_on_every_path(r: &Rubric, text: &str) -> String {
    use mizan::answers;
    use mizan::eval::{evaluate, evaluate_general};
    let exact = path_outcome(r, text, answers::read_exact, evaluate_general);
    let direct: Reader = |p, o, t| answers::read_direct(p, o, t).or_else(|o| answers::read_exact(p, o, t));
    let bytes: Reader = |p, o, t| answers::read_bytes(p, o, t.as_bytes());
    let paths: [(&str, Reader, Evaluator); 4] = [
        ("exact reader, program", answers::read_exact, evaluate),
        ("direct reader, general", direct, evaluate_general),
        ("direct reader, program", answers::read, evaluate),
        ("bytes, program", bytes, evaluate),
    ];
    for (name, read, score) in paths {
        assert_eq!(
            path_outcome(r, text, read, score),
            exact,
            "{name} differs on\n{text}"
        );
    }
    exact
}
