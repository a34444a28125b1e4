//! The corpus: one test binary that runs every case under
//! `tests/corpus/{syntax,check,eval}/` and snapshots its output.
//!
//! Each case starts with a header of `# key = 'value'` comment lines:
//!
//! * `command` — `check` (parse and check a rule file) or `eval` (rules and
//!   answer sets, split by `$$ rules.mizan` / `$$ answers/NAME.json` lines).
//! * `expect` — `ok` (no errors) or `error`.
//! * `code` — a diagnostic code that must be reported (repeatable).
//! * `underline` — the text the first diagnostic's first label must cover.
//!
//! See `tests/README.md` for adding a case.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::path::Path;

use miette::Diagnostic;
use mizan::answers::Origin;
use mizan::render;

struct Header {
    command: String,
    expect: String,
    codes: Vec<String>,
    underline: Option<String>,
}

fn header(text: &str) -> Header {
    let mut h = Header {
        command: "check".into(),
        expect: "ok".into(),
        codes: Vec::new(),
        underline: None,
    };
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("# ") else {
            break;
        };
        let Some((k, v)) = rest.split_once(" = ") else {
            continue;
        };
        let v = v.trim().trim_matches('\'').to_string();
        match k.trim() {
            "command" => h.command = v,
            "expect" => h.expect = v,
            "code" => h.codes.push(v),
            "underline" => h.underline = Some(v),
            _ => {}
        }
    }
    h
}

/// Splits a `$$ name` multi-file case.
fn parts(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("$$ ") {
            out.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
        }
    }
    out
}

fn first_label_text(d: &dyn Diagnostic, src: &str) -> Option<String> {
    let label = d.labels()?.next()?;
    let start = label.offset();
    src.get(start..start + label.len()).map(str::to_string)
}

fn run_check(name: &str, text: &str, h: &Header) -> String {
    let (rubric, diags) = mizan::load(name, text);
    let mut out = String::new();
    for d in diags.iter() {
        out.push_str(&render::diagnostics::render_for_tests(d.as_ref()));
        out.push('\n');
    }
    let codes = diags.codes();
    for c in &h.codes {
        assert!(
            codes.contains(c),
            "{name}: expected code {c}, got {codes:?}\n{out}"
        );
    }
    if let (Some(u), Some(d)) = (&h.underline, diags.iter().next()) {
        assert_eq!(
            first_label_text(d.as_ref(), text).as_deref(),
            Some(u.as_str()),
            "{name}: underline"
        );
    }
    match h.expect.as_str() {
        "ok" => assert!(
            rubric.is_some() && diags.errors.is_empty(),
            "{name}: expected no errors\n{out}"
        ),
        _ => assert!(
            !diags.errors.is_empty() || h.codes.iter().all(|c| codes.contains(c)),
            "{name}: expected errors"
        ),
    }
    if out.is_empty() {
        out.push_str("(no diagnostics)\n");
    }
    out
}

fn run_eval(name: &str, text: &str, h: &Header) -> String {
    let files = parts(text);
    let (rules_name, rules) = files.first().cloned().unwrap_or_default();
    let (rubric, diags) = mizan::load(&rules_name, &rules);
    let mut out = String::new();
    for d in diags.iter() {
        out.push_str(&render::diagnostics::render_for_tests(d.as_ref()));
    }
    let rubric = rubric.unwrap_or_else(|| panic!("{name}: rules do not check\n{out}"));
    let inputs: Vec<(Origin, String)> = files
        .iter()
        .skip(1)
        .flat_map(|(n, body)| {
            if n.ends_with(".jsonl") {
                body.lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(i, l)| {
                        (
                            Origin {
                                file: n.clone(),
                                line: Some(i + 1),
                            },
                            l.to_string(),
                        )
                    })
                    .collect::<Vec<_>>()
            } else {
                vec![(
                    Origin {
                        file: n.clone(),
                        line: None,
                    },
                    body.clone(),
                )]
            }
        })
        .collect();
    let batch = rubric.evaluate_batch(inputs);
    let codes: Vec<String> = batch
        .errors
        .iter()
        .chain(&batch.warnings)
        .filter_map(|e| e.code().map(|c| c.to_string()))
        .collect();
    for c in &h.codes {
        assert!(codes.contains(c), "{name}: expected code {c}, got {codes:?}");
    }
    match h.expect.as_str() {
        "ok" => assert!(
            batch.errors.is_empty(),
            "{name}: expected no errors, got {:?}",
            batch.errors
        ),
        _ => assert!(
            !batch.errors.is_empty() || !h.codes.is_empty(),
            "{name}: expected errors"
        ),
    }
    for p in batch.errors.iter().chain(&batch.warnings) {
        out.push_str(&render::table::problem(p));
    }
    out.push_str(&render::table::render(rubric.model(), &batch, true));
    out.push_str(&render::json::to_string(rubric.model(), &batch));
    out
}

fn run_case(stage: &str, path: &Path) {
    let text = std::fs::read_to_string(path).unwrap().replace("\r\n", "\n");
    let h = header(&text);
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let out = match h.command.as_str() {
        "eval" => run_eval(&name, &text, &h),
        _ => run_check(&name, &text, &h),
    };
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        filters => vec![(r"\b[0-9a-f]{64}\b", "[sha256]"), (r"\([0-9a-f]{12}\)", "([sha256])")],
    }, {
        insta::assert_snapshot!(stage, out);
    });
}

#[test]
fn syntax() {
    insta::glob!("syntax/*.mizan", |p| run_case("syntax", p));
}

#[test]
fn check() {
    insta::glob!("check/*.mizan", |p| run_case("check", p));
}

#[test]
fn eval() {
    insta::glob!("eval/*.mizan", |p| run_case("eval", p));
}
