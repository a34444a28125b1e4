//! Executable documentation: every ```` ```mizan-example ```` block in
//! `docs/*.md` is evaluated, and every ```` ```mizan-error CODE ```` block
//! must fail checking with that code.
//!
//! A `mizan-example` block is a rubric, then answer sets and expectations:
//!
//! ```text
//! rubric demo.x { version "1" ... }
//! --- {"profile": {"role": "data_provider"}, "answers": {"c1": "yes"}}
//! --> 0.5                 the entity's score (exact decimal, or N/A)
//! --> c1 = 1              a node's score
//! --> error M0406         the answer set is rejected with this code
//! --> population = 0.5    the population score over the answer sets so far
//! ```
//!
//! `rubric`, `version` and `entity` of each answer set are filled in. An
//! answer set may continue on indented lines after its `---` line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;

use miette::Diagnostic;

struct Block {
    file: String,
    line: usize,
    kind: String,
    body: String,
}

fn blocks() -> Vec<Block> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = fs::read_dir("docs").unwrap().map(|e| e.unwrap().path()).collect();
    paths.push("README.md".into());
    paths.sort();
    for p in paths {
        if p.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let text = fs::read_to_string(&p).unwrap();
        let mut cur: Option<Block> = None;
        for (i, line) in text.lines().enumerate() {
            if let Some(b) = cur.as_mut() {
                if line.trim_start().starts_with("```") {
                    out.push(cur.take().unwrap());
                } else {
                    b.body.push_str(line);
                    b.body.push('\n');
                }
            } else if let Some(info) = line.trim_start().strip_prefix("```mizan-") {
                cur = Some(Block {
                    file: p.display().to_string(),
                    line: i + 1,
                    kind: info.trim().to_string(),
                    body: String::new(),
                });
            }
        }
    }
    out
}

fn dec(s: &str) -> Option<rust_decimal::Decimal> {
    if s == "N/A" {
        None
    } else {
        Some(s.parse().unwrap_or_else(|_| panic!("bad number `{s}`")))
    }
}

fn run_example(b: &Block) -> usize {
    let at = format!("{}:{}", b.file, b.line);
    let rules: String = b
        .body
        .lines()
        .take_while(|l| !l.starts_with("--- ") && !l.starts_with("--> "))
        .map(|l| format!("{l}\n"))
        .collect();
    let (rubric, diags) = mizan::load(&at, &rules);
    let rubric = rubric.unwrap_or_else(|| panic!("{at}: example does not check: {diags:?}"));
    let model = rubric.model();
    let mut last: Option<Result<mizan::eval::EntityResult, Vec<mizan::answers::Rejection>>> = None;
    let mut scores = Vec::new();
    let mut checks = 0;
    // An answer set may continue on the lines after `--- ` (indented).
    let mut lines: Vec<String> = Vec::new();
    for line in b.body.lines() {
        match lines.last_mut() {
            Some(prev) if prev.starts_with("--- ") && line.starts_with(' ') => prev.push_str(line),
            _ => lines.push(line.to_string()),
        }
    }
    for (n, line) in lines.iter().enumerate() {
        if let Some(json) = line.strip_prefix("--- ") {
            let mut v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{at}: {e}"));
            let obj = v.as_object_mut().unwrap();
            obj.insert("rubric".into(), model.id.clone().into());
            obj.insert("version".into(), model.version.clone().into());
            let profile = obj.remove("profile").unwrap_or(serde_json::json!({}));
            obj.insert(
                "entity".into(),
                serde_json::json!({"id": format!("e{n}"), "profile": profile}),
            );
            let r = rubric.evaluate_json(&at, &v.to_string());
            if let Ok(r) = &r {
                scores.extend(r.score());
            }
            last = Some(r);
        } else if let Some(expect) = line.strip_prefix("--> ") {
            let expect = expect.split("  ").next().unwrap().trim();
            checks += 1;
            if let Some(code) = expect.strip_prefix("error ") {
                let errs = match &last {
                    Some(Err(e)) => e,
                    other => panic!("{at}: expected error {code}, got {other:?}"),
                };
                let codes: Vec<String> = errs
                    .iter()
                    .filter_map(|e| e.code().map(|c| c.to_string()))
                    .collect();
                assert!(
                    codes.iter().any(|c| c == code),
                    "{at}: expected {code}, got {codes:?}"
                );
            } else if let Some(rest) = expect.strip_prefix("band ") {
                // `--> band = ID` (the headline band) or `--> band SET = ID`.
                let r = match &last {
                    Some(Ok(r)) => r,
                    other => panic!("{at}: expected a result, got {other:?}"),
                };
                let (set, want) = rest.split_once("= ").unwrap_or_else(|| panic!("{at}: `{line}`"));
                let uses = &model.root().bands;
                let set = set.trim();
                let u = if set.is_empty() {
                    uses.first()
                } else {
                    uses.iter().find(|u| u.set == set)
                }
                .unwrap_or_else(|| panic!("{at}: no band set `{set}` on the rubric"));
                let got = r.score().and_then(|s| model.band_in(u, s)).map(|b| b.id.as_str());
                let want = want.trim();
                assert_eq!(got, (want != "none").then_some(want), "{at}: line `{line}`");
            } else if let Some(v) = expect.strip_prefix("population = ") {
                let pop = mizan::eval::population(model, &scores).unwrap();
                assert_eq!(
                    pop.score.map(|d| d.normalize()),
                    dec(v).map(|d| d.normalize()),
                    "{at}: population"
                );
            } else {
                let r = match &last {
                    Some(Ok(r)) => r,
                    other => panic!("{at}: expected a result, got {other:?}"),
                };
                let (node, v) = match expect.split_once(" = ") {
                    Some((node, v)) => (
                        model
                            .by_id
                            .get(node)
                            .copied()
                            .unwrap_or_else(|| panic!("{at}: no node {node}")),
                        v,
                    ),
                    None => (0, expect),
                };
                let got = r.outcomes[node].score().map(|d| d.normalize());
                assert_eq!(got, dec(v).map(|d| d.normalize()), "{at}: line `{line}`");
            }
        }
    }
    assert!(checks > 0, "{at}: example asserts nothing");
    checks
}

#[test]
fn docs_examples_hold() {
    let all = blocks();
    let mut examples = 0;
    for b in &all {
        if b.kind == "example" {
            run_example(b);
            examples += 1;
        } else if let Some(code) = b.kind.strip_prefix("error ") {
            let at = format!("{}:{}", b.file, b.line);
            let (_, diags) = mizan::load(&at, &b.body);
            assert!(
                diags.codes().iter().any(|c| c == code.trim()),
                "{at}: expected {code}, got {:?}",
                diags.codes()
            );
        }
    }
    assert!(examples >= 10, "only {examples} checked examples in docs/");
}
