//! Deep and long inputs: every rubric either checks and evaluates or gets a
//! clean diagnostic, on every command, never a stack overflow; diagnostics
//! far to the right of a long line; invisible and look-alike characters.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;

mod support;

use support::{mizan, stderr, stdout};

/// A rubric with one number criterion `c` (0..10) and a profile field `r`.
fn rubric(body: &str) -> String {
    format!("rubric t {{\n  version \"1\"\n  levels {{ criterion }}\n  profile {{ r: number }}\n{body}\n}}\n")
}

const ANSWERS: &str = r#"{"rubric": "t", "version": "1", "entity": {"id": "e", "profile": {"r": 2}}, "answers": {"c": 5}}"#;

/// What every command must give for a rubric.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// It checks, and entity `e` scores this (`c` answered 5).
    Score(f64),
    /// It is refused with this code.
    Code(&'static str),
}

fn no_crash(what: &str, o: &std::process::Output) {
    let err = stderr(o);
    assert!(
        o.status.code().is_some_and(|c| c < 100) && !err.contains("overflow") && !err.contains("panicked"),
        "{what}: {:?}\n{}",
        o.status,
        err.chars().take(2000).collect::<String>()
    );
}

/// Runs check, eval (table, JSON), eval --summary, eval --format jsonl,
/// fmt --check, fmt, diff (the file against itself) on `text`.
fn every_command(name: &str, text: &str, expect: Expect) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.mizan"));
    fs::write(&path, text).unwrap();
    let answers = dir.path().join("a.json");
    fs::write(&answers, ANSWERS).unwrap();
    let r = path.to_str().unwrap();
    let a = answers.to_str().unwrap();
    let has_code = |what: &str, o: &std::process::Output, code: &str| {
        no_crash(what, o);
        let all = format!("{}{}", stdout(o), stderr(o));
        assert!(all.contains(code), "{what}: expected {code}\n{}", all.chars().take(2000).collect::<String>());
    };
    let check = mizan(&["check", r]);
    let eval = mizan(&["--format", "json", "eval", r, a]);
    let table = mizan(&["eval", r, a]);
    let summary = mizan(&["--format", "json", "eval", "--summary", r, a]);
    let jsonl = mizan(&["--format", "jsonl", "eval", r, a]);
    let fmt_check = mizan(&["fmt", "--check", r]);
    let diff = mizan(&["diff", r, r]);
    match expect {
        Expect::Code(code) => {
            for (what, o) in [
                ("check", &check),
                ("eval", &eval),
                ("eval table", &table),
                ("eval --summary", &summary),
                ("eval --format jsonl", &jsonl),
                ("diff", &diff),
            ] {
                has_code(&format!("{name}: {what}"), o, code);
                assert_eq!(o.status.code(), Some(if what == "diff" { 2 } else { 1 }), "{name}: {what}");
            }
            no_crash(&format!("{name}: fmt --check"), &fmt_check);
            assert_eq!(fmt_check.status.code(), Some(1), "{name}: fmt --check");
            if code.starts_with("M01") {
                // A syntax error: fmt reports it and leaves the file alone.
                has_code(&format!("{name}: fmt --check"), &fmt_check, code);
                let fmt = mizan(&["fmt", r]);
                has_code(&format!("{name}: fmt"), &fmt, code);
                assert_eq!(fs::read_to_string(&path).unwrap(), text, "{name}: fmt changed a file it cannot parse");
            }
        }
        Expect::Score(score) => {
            for (what, o) in [("check", &check), ("eval", &eval), ("eval table", &table), ("diff", &diff)] {
                no_crash(&format!("{name}: {what}"), o);
                assert_eq!(o.status.code(), Some(0), "{name}: {what}\n{}", stderr(o));
            }
            let v: serde_json::Value = serde_json::from_str(&stdout(&eval)).unwrap();
            assert_eq!(v["entities"][0]["score"].as_f64(), Some(score), "{name}: eval");
            no_crash(&format!("{name}: --summary"), &summary);
            let v: serde_json::Value = serde_json::from_str(&stdout(&summary)).unwrap();
            assert_eq!(v["aggregate"]["score"].as_f64(), Some(score), "{name}: --summary");
            no_crash(&format!("{name}: jsonl"), &jsonl);
            let v: serde_json::Value = serde_json::from_str(stdout(&jsonl).trim()).unwrap();
            assert_eq!(v["score"].as_f64(), Some(score), "{name}: jsonl");
            no_crash(&format!("{name}: fmt --check"), &fmt_check);
            let fmt = mizan(&["fmt", r]);
            no_crash(&format!("{name}: fmt"), &fmt);
            assert_eq!(fmt.status.code(), Some(0), "{name}: fmt");
            let again = mizan(&["fmt", "--check", r]);
            assert_eq!(again.status.code(), Some(0), "{name}: fmt --check after fmt");
            let eval = mizan(&["--format", "json", "eval", r, a]);
            let v: serde_json::Value = serde_json::from_str(&stdout(&eval)).unwrap();
            assert_eq!(v["entities"][0]["score"].as_f64(), Some(score), "{name}: eval after fmt");
        }
    }
}

fn criterion(score: &str) -> String {
    format!("  criterion c {{ number 0..10 score {score} }}")
}

/// `if false then 0 else …` `n` times, around `last`.
fn elif(n: usize, last: &str) -> String {
    format!("{}{last}", "if false then 0 else ".repeat(n))
}

#[test]
fn if_else_chains_are_bounded_by_m0109() {
    every_command("elif200", &rubric(&criterion(&elif(200, "value / 10"))), Expect::Score(0.5));
    for n in [257, 1000, 4000, 20_000] {
        every_command(&format!("elif{n}"), &rubric(&criterion(&elif(n, "value / 10"))), Expect::Code("M0109"));
    }
    // Nested in the condition, and in the `then` branch, and inside brackets.
    let cond = format!("if {}true then value / 10 else 0", "if true then ".repeat(300) + &" else false".repeat(0));
    every_command("elif-cond", &rubric(&criterion(&cond)), Expect::Code("M0109"));
    let then = format!("{}value / 10{}", "if true then ".repeat(300), " else 0".repeat(300));
    every_command("elif-then", &rubric(&criterion(&then)), Expect::Code("M0109"));
    let bracketed = format!("{}value / 10{}", "(if true then ".repeat(60), " else 0)".repeat(60));
    every_command("elif-brackets", &rubric(&criterion(&bracketed)), Expect::Score(0.5));
    let call = format!("{}value / 10{}", "min(1, if true then ".repeat(60), " else 0)".repeat(60));
    every_command("elif-calls", &rubric(&criterion(&call)), Expect::Score(0.5));
    // Many short chains side by side are not one deep one.
    let lets: String = (0..400).map(|i| format!("  let l{i} = if false then 0 else 1\n")).collect();
    every_command("many-ifs", &rubric(&format!("{lets}{}", criterion("value / 10 * l399"))), Expect::Score(0.5));
}

#[test]
fn unary_and_operator_chains_are_bounded() {
    // A flat chain of up to 256 operators is allowed (M0105 above).
    every_command("neg256", &rubric(&criterion(&format!("{}value / 10", "- - ".repeat(127)))), Expect::Score(0.5));
    every_command("not256", &rubric(&criterion(&format!("if {}true then value / 10 else 0", "not not ".repeat(127)))), Expect::Score(0.5));
    every_command("neg300", &rubric(&criterion(&format!("{}value", "- ".repeat(300)))), Expect::Code("M0105"));
    every_command("not300", &rubric(&criterion(&format!("if {}true then 1 else 0", "not ".repeat(300)))), Expect::Code("M0105"));
    // Operator chains nested in brackets add up: 40 levels of 10 operators.
    let nested = format!("{}value{}", "- - - - - - - - - - (".repeat(40), ")".repeat(40));
    every_command("neg-nested", &rubric(&criterion(&nested)), Expect::Code("M0109"));
    let sums = format!("{}value / 10{}", "(0 + 0 + 0 + 0 + 0 + 0 + 0 + 0 + 0 + ".repeat(40), ")".repeat(40));
    every_command("sum-nested", &rubric(&criterion(&sums)), Expect::Code("M0109"));
    let sums = format!("{}value / 10{}", "(0 + 0 + 0 + ".repeat(20), ")".repeat(20));
    every_command("sum-nested-ok", &rubric(&criterion(&sums)), Expect::Score(0.5));
    // Brackets alone stay M0103.
    every_command("brackets", &rubric(&criterion(&format!("{}value{}", "-(".repeat(100), ")".repeat(100)))), Expect::Code("M0103"));
}

#[test]
fn deep_conditions_are_bounded() {
    let applies = |cond: &str| rubric(&format!("  criterion c {{ number 0..10 score value / 10 applies when {cond} }}"));
    let deep = format!("{}r > 1", "if false then false else ".repeat(1000));
    every_command("applies1000", &applies(&deep), Expect::Code("M0109"));
    let ok = format!("{}r > 1", "if false then false else ".repeat(100));
    every_command("applies100", &applies(&ok), Expect::Score(0.5));
    let nots = format!("{}r > 1{}", "not (not (".repeat(40), "))".repeat(40));
    every_command("applies-not", &applies(&nots), Expect::Code("M0103"));
}

/// `formula f0 = value / 10`, then `formula fi = f(i-1) + 0` up to `n - 1`.
fn formulas(n: usize) -> String {
    let mut s = String::from("  formula f0 = value / 10\n");
    for i in 1..n {
        s.push_str(&format!("  formula f{i} = f{} + 0\n", i - 1));
    }
    s
}

#[test]
fn chains_of_formulas_are_bounded_by_m0220() {
    every_command("formulas200", &rubric(&format!("{}{}", formulas(200), criterion("f199"))), Expect::Score(0.5));
    for n in [300, 2000, 10_000] {
        let text = rubric(&format!("{}{}", formulas(n), criterion(&format!("f{}", n - 1))));
        every_command(&format!("formulas{n}"), &text, Expect::Code("M0220"));
    }
    // In a condition too.
    let text = rubric(&format!(
        "{}  criterion c {{ number 0..10 score value / 10 applies when f1999 > 1 }}",
        formulas(2000).replace("value / 10", "r")
    ));
    every_command("formulas-applies", &text, Expect::Code("M0220"));
    // A template that uses another twice doubles: 2^40 parts.
    let mut doubling = String::from("  formula g0 = value / 10\n");
    for i in 1..40 {
        doubling.push_str(&format!("  formula g{i} = (g{0} + g{0}) / 2\n", i - 1));
    }
    every_command("doubling", &rubric(&format!("{doubling}{}", criterion("g39"))), Expect::Code("M0221"));
}

#[test]
fn cycles_of_any_length_are_m0209() {
    for n in [2, 1000, 10_000] {
        let f: String = (0..n).map(|i| format!("  formula f{i} = f{} + 0\n", (i + 1) % n)).collect();
        every_command(&format!("fcycle{n}"), &rubric(&format!("{f}{}", criterion("value / 10 + f0"))), Expect::Code("M0209"));
        // An unused cycle is still one.
        every_command(&format!("fcycle-unused{n}"), &rubric(&format!("{f}{}", criterion("value / 10"))), Expect::Code("M0209"));
        let l: String = (0..n).map(|i| format!("  let l{i} = l{} + 0\n", (i + 1) % n)).collect();
        every_command(&format!("lcycle{n}"), &rubric(&format!("{l}{}", criterion("value / 10 + l0"))), Expect::Code("M0209"));
    }
    let o = mizan::load(
        "c.mizan",
        &rubric(&format!(
            "{}{}",
            (0..10_000).map(|i| format!("  formula f{i} = f{} + 0\n", (i + 1) % 10_000)).collect::<String>(),
            criterion("f0")
        )),
    );
    let text = o.1.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n");
    assert_eq!(o.1.codes(), ["M0209"], "{text}");
    assert!(text.contains("f0 -> f1 -> f2") && text.contains("more") && text.contains("-> f0"), "{text}");
    assert!(text.len() < 300, "{text}");
}

#[test]
fn long_chains_of_lets_evaluate() {
    for n in [10_000, 30_000] {
        let mut l = String::from("  let l0 = 1\n");
        for i in 1..n {
            l.push_str(&format!("  let l{i} = l{} * 1\n", i - 1));
        }
        every_command(
            &format!("lets{n}"),
            &rubric(&format!("{l}{}", criterion(&format!("value / 10 * l{}", n - 1)))),
            Expect::Score(0.5),
        );
    }
    // Declared in reverse order, and through a formula template.
    let n = 10_000;
    let mut l = String::new();
    for i in (1..n).rev() {
        l.push_str(&format!("  let l{i} = g{i}\n  formula g{i} = l{} * 1\n", i - 1));
    }
    l.push_str("  let l0 = 1\n");
    every_command("lets-reversed", &rubric(&format!("{l}{}", criterion(&format!("value / 10 * l{}", n - 1)))), Expect::Score(0.5));
}

/// The deepest expressions the limits allow load and evaluate on an 8 MiB
/// stack (the usual main thread) even in a debug build.
#[test]
fn the_deepest_rubric_allowed_fits_in_eight_mib_of_stack() {
    let shapes = [
        criterion(&elif(254, "value / 10")),
        criterion(&format!("{}value / 10", "- - ".repeat(127))),
        format!("{}{}", formulas(255), criterion("f254")),
    ];
    for body in shapes {
        let text = rubric(&body);
        let out = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let (r, d) = mizan::load("deep.mizan", &text);
                let r = r.unwrap_or_else(|| panic!("{d:?}"));
                r.evaluate_json("a.json", ANSWERS).unwrap().score()
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(out.map(|d| d.normalize().to_string()).as_deref(), Some("0.5"));
    }
}
