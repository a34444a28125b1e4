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

const ANSWERS: &str =
    r#"{"rubric": "t", "version": "1", "entity": {"id": "e", "profile": {"r": 2}}, "answers": {"c": 5}}"#;

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
        assert!(
            all.contains(code),
            "{what}: expected {code}\n{}",
            all.chars().take(2000).collect::<String>()
        );
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
                assert_eq!(
                    o.status.code(),
                    Some(if what == "diff" { 2 } else { 1 }),
                    "{name}: {what}"
                );
            }
            no_crash(&format!("{name}: fmt --check"), &fmt_check);
            assert_eq!(fmt_check.status.code(), Some(1), "{name}: fmt --check");
            if code.starts_with("M01") {
                // A syntax error: fmt reports it and leaves the file alone.
                has_code(&format!("{name}: fmt --check"), &fmt_check, code);
                let fmt = mizan(&["fmt", r]);
                has_code(&format!("{name}: fmt"), &fmt, code);
                assert_eq!(
                    fs::read_to_string(&path).unwrap(),
                    text,
                    "{name}: fmt changed a file it cannot parse"
                );
            }
        }
        Expect::Score(score) => {
            for (what, o) in [
                ("check", &check),
                ("eval", &eval),
                ("eval table", &table),
                ("diff", &diff),
            ] {
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
            assert_eq!(
                v["entities"][0]["score"].as_f64(),
                Some(score),
                "{name}: eval after fmt"
            );
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
fn m0109_if_else_chains_are_bounded() {
    every_command(
        "elif200",
        &rubric(&criterion(&elif(200, "value / 10"))),
        Expect::Score(0.5),
    );
    for n in [257, 1000, 4000, 20_000] {
        every_command(
            &format!("elif{n}"),
            &rubric(&criterion(&elif(n, "value / 10"))),
            Expect::Code("M0109"),
        );
    }
    // Nested in the condition, and in the `then` branch, and inside brackets.
    let cond = format!(
        "if {}true then value / 10 else 0",
        "if true then ".repeat(300) + &" else false".repeat(0)
    );
    every_command("elif-cond", &rubric(&criterion(&cond)), Expect::Code("M0109"));
    let then = format!(
        "{}value / 10{}",
        "if true then ".repeat(300),
        " else 0".repeat(300)
    );
    every_command("elif-then", &rubric(&criterion(&then)), Expect::Code("M0109"));
    let bracketed = format!(
        "{}value / 10{}",
        "(if true then ".repeat(60),
        " else 0)".repeat(60)
    );
    every_command(
        "elif-brackets",
        &rubric(&criterion(&bracketed)),
        Expect::Score(0.5),
    );
    let call = format!(
        "{}value / 10{}",
        "min(1, if true then ".repeat(60),
        " else 0)".repeat(60)
    );
    every_command("elif-calls", &rubric(&criterion(&call)), Expect::Score(0.5));
    // Many short chains side by side are not one deep one.
    let lets: String = (0..400)
        .map(|i| format!("  let l{i} = if false then 0 else 1\n"))
        .collect();
    every_command(
        "many-ifs",
        &rubric(&format!("{lets}{}", criterion("value / 10 * l399"))),
        Expect::Score(0.5),
    );
}

#[test]
fn unary_and_operator_chains_are_bounded() {
    // A flat chain of up to 256 operators is allowed (M0105 above).
    every_command(
        "neg256",
        &rubric(&criterion(&format!("{}value / 10", "- - ".repeat(127)))),
        Expect::Score(0.5),
    );
    every_command(
        "not256",
        &rubric(&criterion(&format!(
            "if {}true then value / 10 else 0",
            "not not ".repeat(127)
        ))),
        Expect::Score(0.5),
    );
    every_command(
        "neg300",
        &rubric(&criterion(&format!("{}value", "- ".repeat(300)))),
        Expect::Code("M0105"),
    );
    every_command(
        "not300",
        &rubric(&criterion(&format!(
            "if {}true then 1 else 0",
            "not ".repeat(300)
        ))),
        Expect::Code("M0105"),
    );
    // Operator chains nested in brackets add up: 40 levels of 10 operators.
    let nested = format!("{}value{}", "- - - - - - - - - - (".repeat(40), ")".repeat(40));
    every_command("neg-nested", &rubric(&criterion(&nested)), Expect::Code("M0109"));
    let sums = format!(
        "{}value / 10{}",
        "(0 + 0 + 0 + 0 + 0 + 0 + 0 + 0 + 0 + ".repeat(40),
        ")".repeat(40)
    );
    every_command("sum-nested", &rubric(&criterion(&sums)), Expect::Code("M0109"));
    let sums = format!("{}value / 10{}", "(0 + 0 + 0 + ".repeat(20), ")".repeat(20));
    every_command("sum-nested-ok", &rubric(&criterion(&sums)), Expect::Score(0.5));
    // Brackets alone stay M0103.
    every_command(
        "brackets",
        &rubric(&criterion(&format!(
            "{}value{}",
            "-(".repeat(100),
            ")".repeat(100)
        ))),
        Expect::Code("M0103"),
    );
}

#[test]
fn deep_conditions_are_bounded() {
    let applies = |cond: &str| {
        rubric(&format!(
            "  criterion c {{ number 0..10 score value / 10 applies when {cond} }}"
        ))
    };
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
fn m0220_chains_of_formulas_are_bounded() {
    every_command(
        "formulas200",
        &rubric(&format!("{}{}", formulas(200), criterion("f199"))),
        Expect::Score(0.5),
    );
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
    every_command(
        "doubling",
        &rubric(&format!("{doubling}{}", criterion("g39"))),
        Expect::Code("M0221"),
    );
}

#[test]
fn cycles_of_any_length_are_m0209() {
    for n in [2, 1000, 10_000] {
        let f: String = (0..n)
            .map(|i| format!("  formula f{i} = f{} + 0\n", (i + 1) % n))
            .collect();
        every_command(
            &format!("fcycle{n}"),
            &rubric(&format!("{f}{}", criterion("value / 10 + f0"))),
            Expect::Code("M0209"),
        );
        // An unused cycle is still one.
        every_command(
            &format!("fcycle-unused{n}"),
            &rubric(&format!("{f}{}", criterion("value / 10"))),
            Expect::Code("M0209"),
        );
        let l: String = (0..n)
            .map(|i| format!("  let l{i} = l{} + 0\n", (i + 1) % n))
            .collect();
        every_command(
            &format!("lcycle{n}"),
            &rubric(&format!("{l}{}", criterion("value / 10 + l0"))),
            Expect::Code("M0209"),
        );
    }
    let o = mizan::load(
        "c.mizan",
        &rubric(&format!(
            "{}{}",
            (0..10_000)
                .map(|i| format!("  formula f{i} = f{} + 0\n", (i + 1) % 10_000))
                .collect::<String>(),
            criterion("f0")
        )),
    );
    let text =
        o.1.errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n");
    assert_eq!(o.1.codes(), ["M0209"], "{text}");
    assert!(
        text.contains("f0 -> f1 -> f2") && text.contains("more") && text.contains("-> f0"),
        "{text}"
    );
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
    every_command(
        "lets-reversed",
        &rubric(&format!("{l}{}", criterion(&format!("value / 10 * l{}", n - 1)))),
        Expect::Score(0.5),
    );
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

/// Runs `args` in every format; none may crash, and the human rendering
/// must name `line:column`.
fn long_line_formats(what: &str, args: &[&str], want: &str, at: &str) {
    for format in ["human", "plain", "json"] {
        let mut all = vec!["--format", format];
        all.extend_from_slice(args);
        let o = mizan(&all);
        no_crash(&format!("{what} ({format})"), &o);
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(out.contains(want), "{what} ({format}): no {want}");
        if format == "human" && !at.is_empty() {
            assert!(
                out.contains(at),
                "{what}: no {at} in\n{}",
                out.chars().take(3000).collect::<String>()
            );
            // The snippet is an excerpt: no line of the report is huge.
            assert!(
                out.lines().all(|l| l.chars().count() < 400),
                "{what}: a long line was printed whole"
            );
        }
    }
}

#[test]
fn diagnostics_far_right_on_a_long_line_render_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let x = "x".repeat(70_000);
    let answers = dir.path().join("a.json");
    fs::write(
        &answers,
        r#"{"rubric": "t", "version": "1", "entity": {"id": "e"}, "answers": {"c": true}}"#,
    )
    .unwrap();
    let a = answers.to_str().unwrap();
    let cases = [
        // A syntax error past column 65,535 (the file does not parse).
        ("syntax", format!("rubric t {{ version \"1\" title en \"{x}\" @ }}\n"), "M0101", ":1:70036"),
        // A warning that far right on a valid rubric (eval goes on).
        (
            "warning",
            format!("rubric t {{\n version \"1\"\n levels {{ criterion }}\n title en \"{x}\u{202E}\"\n criterion c {{ yesno }}\n}}\n"),
            "M0104",
            ":4:70012",
        ),
        // A check error far right, with its first declaration on another line.
        (
            "duplicate",
            format!("rubric t {{\n version \"1\"\n levels {{ criterion }}\n criterion c {{ yesno }}\n title en \"{x}\" criterion c {{ yesno }}\n}}\n"),
            "M0201",
            ":4:12",
        ),
        // Both labels on the same long line, far apart.
        (
            "same-line",
            format!("rubric t {{\n version \"1\"\n levels {{ criterion }}\n criterion c {{ yesno }} title en \"{x}\" criterion c {{ yesno }}\n}}\n"),
            "M0201",
            ":4:12",
        ),
        // A label 70,000 characters long.
        ("long-label", format!("rubric t {{\n version \"1\"\n levels {{ criterion }}\n criterion c{x} {{ yesno }}\n}}\n"), "M0107", ":4:12"),
        // An unknown name after a long title, in a formula.
        (
            "name",
            format!("rubric t {{\n version \"1\"\n levels {{ criterion }}\n title en \"{x}\" criterion c {{ number score valu }}\n}}\n"),
            "M0203",
            ":4:70041",
        ),
    ];
    for (name, text, code, at) in cases {
        let path = dir.path().join(format!("{name}.mizan"));
        fs::write(&path, &text).unwrap();
        let r = path.to_str().unwrap();
        long_line_formats(&format!("{name}: check"), &["check", r], code, at);
        long_line_formats(&format!("{name}: eval"), &["eval", r, a], code, at);
        long_line_formats(
            &format!("{name}: eval --summary"),
            &["eval", "--summary", r, a],
            code,
            at,
        );
        long_line_formats(&format!("{name}: fmt --check"), &["fmt", "--check", r], "", "");
        if code == "M0104" {
            // The rubric is valid: scored despite the warning.
            let o = mizan(&["--format", "json", "eval", r, a]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        }
        // The library's rendering, as the snapshot tests use it.
        let (_, d) = mizan::load(&format!("{name}.mizan"), &text);
        for diag in d.iter() {
            let out = mizan::render::diagnostics::render_for_tests(diag.as_ref());
            assert!(out.contains(at), "{name}: {out}");
        }
    }
    // A test file with a syntax error far right.
    let rules = dir.path().join("t.mizan");
    fs::write(
        &rules,
        "rubric t {\n version \"1\"\n levels { criterion }\n criterion c { yesno }\n}\n",
    )
    .unwrap();
    let tests = dir.path().join("t.test.mizan");
    fs::write(
        &tests,
        format!("tests t {{\n version \"1\"\n case \"{x}\" {{ answer c = yes @ }}\n}}\n"),
    )
    .unwrap();
    long_line_formats(
        "test file",
        &["test", tests.to_str().unwrap()],
        "M0101",
        ":3:70027",
    );
    // An answer set on one 100 KB line with its error at the end.
    let bad = dir.path().join("bad.json");
    let pad = "y".repeat(100_000);
    fs::write(&bad, format!(r#"{{"rubric": "t", "version": "1", "entity": {{"id": "e", "note": "{pad}"}}, "answers": {{"c": tru}}}}"#)).unwrap();
    let jsonl = dir.path().join("bad.jsonl");
    fs::write(&jsonl, format!(r#"{{"rubric": "t", "version": "1", "entity": {{"id": "e", "note": "{pad}"}}, "answers": {{"c": "maybe"}}}}"#)).unwrap();
    for args in [
        vec![
            "eval",
            rules.to_str().unwrap(),
            bad.to_str().unwrap(),
            jsonl.to_str().unwrap(),
        ],
        vec![
            "eval",
            "--summary",
            rules.to_str().unwrap(),
            jsonl.to_str().unwrap(),
        ],
    ] {
        for format in ["human", "plain", "json", "jsonl"] {
            let mut all = vec!["--format", format];
            all.extend_from_slice(&args);
            let o = mizan(&all);
            no_crash(&format!("answers {args:?} ({format})"), &o);
            assert_eq!(o.status.code(), Some(2), "{args:?} ({format})");
        }
    }
}

#[test]
fn invisible_and_look_alike_characters_are_named() {
    let base = "rubric t {\n  version \"1\"\n  levels { pillar criterion }\n  scale yn { yes 1 no 0 }\n  let lim = 1\n  pillar p {\n    criterion data { choice yn }\n    criterion c { number 0..10 score value / 10 * lim }\n  }\n}\n";
    assert!(mizan::load("ok.mizan", base).0.is_some());
    // (where, character, expected words in the message, the fixed name)
    let cases: [(&str, &str, &str, &str); 12] = [
        (
            "criterion data",
            "criterion da\u{200B}ta",
            "U+200B ZERO WIDTH SPACE",
            "`data`",
        ),
        (
            "criterion data",
            "criterion da\u{200D}ta",
            "U+200D ZERO WIDTH JOINER",
            "`data`",
        ),
        (
            "criterion data",
            "criterion da\u{200C}ta",
            "U+200C ZERO WIDTH NON-JOINER",
            "`data`",
        ),
        (
            "criterion data",
            "criterion da\u{FEFF}ta",
            "U+FEFF ZERO WIDTH NO-BREAK SPACE",
            "`data`",
        ),
        (
            "criterion data",
            "criterion\u{A0}data",
            "U+00A0 NO-BREAK SPACE",
            "ordinary space",
        ),
        (
            "criterion data",
            "criterion d\u{430}ta",
            "Cyrillic 'а' (U+0430) looks like ASCII 'a'",
            "`data`",
        ),
        (
            "criterion data",
            "criterion d\u{3B1}ta",
            "Greek 'α' (U+03B1) looks like ASCII 'a'",
            "`data`",
        ),
        (
            "pillar p",
            "pillar \u{440}",
            "Cyrillic 'р' (U+0440) looks like ASCII 'p'",
            "`p`",
        ),
        ("scale yn", "scale y\u{43F}n", "", ""),
        (
            "yes 1",
            "y\u{435}s 1",
            "Cyrillic 'е' (U+0435) looks like ASCII 'e'",
            "`yes`",
        ),
        (
            "let lim",
            "let l\u{456}m",
            "Cyrillic 'і' (U+0456) looks like ASCII 'i'",
            "`lim`",
        ),
        ("* lim", "* li\u{200B}m", "U+200B ZERO WIDTH SPACE", "`lim`"),
    ];
    for (from, to, words, fixed) in cases {
        let text = base.replacen(from, to, 1);
        let (_, d) = mizan::load("t.mizan", &text);
        if words.is_empty() {
            // Not a look-alike (Cyrillic п): the parser's own error.
            assert_eq!(d.codes(), ["M0101"], "{to}");
            continue;
        }
        assert_eq!(d.codes(), ["M0110"], "{to}");
        let e = &d.errors[0];
        let msg = format!("{e} {}", e.help().unwrap());
        assert!(msg.contains(words), "{to}: {msg}");
        assert!(msg.contains(fixed), "{to}: {msg}");
        // The label is the character itself.
        let label = e.labels().unwrap().next().unwrap();
        let odd = to.chars().find(|c| !c.is_ascii()).unwrap();
        assert_eq!(
            &text[label.offset()..label.offset() + label.len()],
            odd.to_string(),
            "{to}"
        );
        // Every command says the same.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.mizan");
        fs::write(&path, &text).unwrap();
        let p = path.to_str().unwrap();
        for args in [
            vec!["check", p],
            vec!["fmt", "--check", p],
            vec!["eval", "--summary", p, p],
        ] {
            let o = mizan(&args);
            no_crash(&format!("{args:?}"), &o);
            assert!(stderr(&o).contains("M0110"), "{args:?}: {}", stderr(&o));
        }
    }
    // Inside strings and comments they are text, and a BOM between tokens
    // (or at the start) is whitespace.
    let fine = base
        .replace(
            "levels { pillar criterion }",
            "levels { pillar criterion }\n  title en \"da\u{200B}ta\u{A0}д\" # d\u{430}ta\u{200B}",
        )
        .replace("pillar p {", "pillar p\u{FEFF} {");
    let (r, d) = mizan::load("t.mizan", &format!("\u{FEFF}{fine}"));
    assert!(r.is_some() && d.is_empty(), "{d:?}");
}

/// A mistake inside a formula template is reported once, not once per
/// place the template is copied into (found by the `parse_check_format`
/// fuzz target: one unknown name in a template used 2^15 times gave 52,633
/// errors and took 45 s under the sanitizer).
#[test]
fn a_mistake_in_a_template_is_reported_once_however_often_it_is_copied() {
    let mut text = String::from("rubric demo.t {\n  version \"1\"\n  formula g0 = value\n  formula g1 = g0 + g0\n  formula g2 = g1 + g1\n  formula g3 = g2 + g + nope(g1)\n");
    for i in 4..=16 {
        text.push_str(&format!("  formula g{i} = g{} + g{}\n", i - 1, i - 1));
    }
    text.push_str("  criterion c1 {\n    number 0..1\n    score g16\n  }\n  criterion c2 {\n    number 0..1\n    score g15 + g3\n  }\n}\n");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rules.mizan");
    fs::write(&f, text).unwrap();
    for format in ["human", "plain", "json"] {
        let o = mizan(&["--format", format, "check", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(all.matches("unknown name `g`").count(), 1, "{format}: {all}");
        assert_eq!(
            all.matches("unknown function `nope`").count(),
            1,
            "{format}: {all}"
        );
    }
}
