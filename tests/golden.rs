//! Old rule files keep their meaning: every rule file of the repository
//! (shipped rules, examples, test fixtures, corpus cases) is checked and
//! every answer set that names it is scored, and the outcome — which files
//! check, their diagnostic codes, every node's exact score or the codes of
//! a rejection — must equal `tests/golden/scores.json`, recorded before
//! the language grew (issue 22: templates, units, rounding modes, codes,
//! constraints).
//!
//! A change that is meant to move a number regenerates the file with
//! `MIZAN_BLESS=1 cargo test --test golden` and shows the move in review.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use miette::Diagnostic;
use mizan::answers::Origin;
use serde_json::{json, Value};

mod support;

const GOLDEN: &str = "tests/golden/scores.json";

/// Every answer set of the repository by (rubric id, version).
fn answer_sets() -> BTreeMap<(String, String), Vec<(Origin, String)>> {
    let mut out: BTreeMap<(String, String), Vec<(Origin, String)>> = BTreeMap::new();
    for (id, version, origin, text) in support::every_answer_set() {
        out.entry((id, version)).or_default().push((origin, text));
    }
    out
}

/// What every rule file means today.
fn outcomes() -> Value {
    let mut files = Vec::new();
    for dir in ["rules", "examples", "tests"] {
        support::files_under(Path::new(dir), &["mizan"], &mut files);
    }
    files.sort();
    let sets = answer_sets();
    let mut out = serde_json::Map::new();
    for f in files.iter().filter(|f| !mizan::testing::is_test_file(f)) {
        let name = f.display().to_string().replace('\\', "/");
        let text = fs::read_to_string(f).unwrap();
        let (rubric, diags) = mizan::load(&name, &text);
        let codes = |it: &mut dyn Iterator<Item = String>| -> Vec<String> {
            let mut v: Vec<String> = it.collect();
            v.sort();
            v
        };
        let errors = codes(
            &mut diags
                .errors
                .iter()
                .filter_map(|e| e.code().map(|c| c.to_string())),
        );
        let warnings = codes(
            &mut diags
                .warnings
                .iter()
                .filter_map(|e| e.code().map(|c| c.to_string())),
        );
        let mut entry = json!({"errors": errors, "warnings": warnings});
        if let Some(r) = rubric {
            let m = r.model();
            let inputs = sets
                .get(&(m.id.clone(), m.version.clone()))
                .cloned()
                .unwrap_or_default();
            let batch = r.evaluate_batch(inputs);
            let mut scored = serde_json::Map::new();
            for res in &batch.results {
                let nodes: serde_json::Map<String, Value> = m
                    .nodes
                    .iter()
                    .zip(&res.outcomes)
                    .map(|(n, o)| {
                        (
                            n.id.clone(),
                            o.score()
                                .map_or(Value::Null, |d| Value::String(d.normalize().to_string())),
                        )
                    })
                    .collect();
                scored.insert(res.submission.entity.clone(), Value::Object(nodes));
            }
            let mut rejected: Vec<String> = batch
                .errors
                .iter()
                .map(|e| {
                    format!(
                        "{} {} {}",
                        e.origin,
                        e.code().map(|c| c.to_string()).unwrap_or_default(),
                        e.pointer
                    )
                })
                .collect();
            rejected.sort();
            entry["scores"] = Value::Object(scored);
            entry["rejected"] = json!(rejected);
            entry["population"] = json!(batch.population.score.map(|d| d.normalize().to_string()));
        }
        out.insert(name, entry);
    }
    Value::Object(out)
}

#[test]
fn every_rule_file_keeps_its_meaning() {
    let now = outcomes();
    if std::env::var_os("MIZAN_BLESS").is_some() {
        fs::create_dir_all("tests/golden").unwrap();
        let mut text = serde_json::to_string_pretty(&now).unwrap();
        text.push('\n');
        fs::write(GOLDEN, text).unwrap();
        return;
    }
    let was: Value = serde_json::from_str(&fs::read_to_string(GOLDEN).unwrap()).unwrap();
    let (was, now) = (was.as_object().unwrap(), now.as_object().unwrap());
    let mut problems = Vec::new();
    for (file, before) in was {
        match now.get(file) {
            None => problems.push(format!("{file}: gone (a recorded rule file must stay)")),
            Some(after) if after != before => {
                problems.push(format!("{file}:\n  was {before}\n  now {after}"))
            }
            Some(_) => {}
        }
    }
    assert!(
        problems.is_empty(),
        "{} rule files changed meaning (MIZAN_BLESS=1 to record an intended change):\n{}",
        problems.len(),
        problems.join("\n")
    );
    // A sanity floor: the recording covers the shipped rubrics and their
    // answer sets, not an empty tree.
    let scored: usize = was
        .values()
        .filter_map(|v| v["scores"].as_object())
        .map(|s| s.len())
        .sum();
    assert!(
        was.len() >= 80 && scored >= 50,
        "{} files, {scored} entities",
        was.len()
    );
}
