//! Rounding modes (issue 22 §4): `round(x, places, MODE)`, `floor`, `ceil`,
//! `trunc`, `precision N MODE` and `bands SET on round(score, N, MODE)`;
//! and the table of docs/semantics.md §6.1 (Excel, Python, Go, R against
//! Mizan's modes) recomputed from the exact binary doubles.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::cmp::Ordering;
use std::str::FromStr;

use mizan::model::RoundMode;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn load(text: &str) -> mizan::Rubric {
    let (r, diags) = mizan::load("rounding.mizan", text);
    assert!(diags.errors.is_empty(), "{:?}", diags.errors);
    r.unwrap()
}

fn answers(json: &str) -> String {
    format!(r#"{{"rubric": "demo.r", "version": "1", "entity": {{"id": "e"}}, "answers": {json}}}"#)
}

/// The score of node `id`.
fn node(r: &mizan::Rubric, res: &mizan::eval::EntityResult, id: &str) -> Option<Decimal> {
    let ix = r.model().by_id[id];
    match res.outcomes[ix] {
        mizan::eval::Outcome::Score(s) => Some(s),
        mizan::eval::Outcome::Na(_) => None,
    }
}

/// `round(x, places, mode)` as Mizan evaluates it (through a rubric).
fn mizan_round(x: &str, places: u32, mode: &str) -> Decimal {
    let r = load(&format!(
        "rubric demo.r {{ version \"1\"\n criterion c {{ number -100..100  score (round(value, {places}, {mode}) + 100) / 200 }} }}"
    ));
    let res = r
        .evaluate_json("t.json", &answers(&format!(r#"{{"c": {x}}}"#)))
        .unwrap();
    node(&r, &res, "c").unwrap() * Decimal::from(200) - Decimal::from(100)
}

#[test]
fn every_mode_on_ties_and_non_ties_through_the_evaluator() {
    // value, then half_up, half_even, half_down, down, up, floor, ceiling.
    let rows = [
        ("2.5", ["3", "2", "2", "2", "3", "2", "3"]),
        ("3.5", ["4", "4", "3", "3", "4", "3", "4"]),
        ("-2.5", ["-3", "-2", "-2", "-2", "-3", "-3", "-2"]),
        ("2.1", ["2", "2", "2", "2", "3", "2", "3"]),
        ("-2.1", ["-2", "-2", "-2", "-2", "-3", "-3", "-2"]),
        ("2.9", ["3", "3", "3", "2", "3", "2", "3"]),
        ("4", ["4", "4", "4", "4", "4", "4", "4"]),
    ];
    for (x, want) in rows {
        for ((name, _), w) in RoundMode::ALL.iter().zip(want) {
            assert_eq!(mizan_round(x, 0, name), d(w), "round({x}, 0, {name})");
        }
    }
}

#[test]
fn floor_ceil_trunc_and_the_default_mode() {
    let r = load(
        r#"rubric demo.r { version "1"
  criterion c { number -1..1  score (floor(value) + 2) / 4 }
  criterion f { number -1..1  score (floor(value, 1) + 2) / 4 }
  criterion k { number -1..1  score (ceil(value, 1) + 2) / 4 }
  criterion t { number -1..1  score (trunc(value, 1) + 2) / 4 }
  criterion h { number -1..1  score (round(value, 1) + 2) / 4 }
  criterion u { number -1..1  score (round(value, 1, half_up) + 2) / 4 }
}"#,
    );
    let res = r
        .evaluate_json(
            "t.json",
            &answers(r#"{"c": -0.25, "f": -0.25, "k": -0.25, "t": -0.25, "h": -0.25, "u": -0.25}"#),
        )
        .unwrap();
    let back = |id: &str| node(&r, &res, id).unwrap() * Decimal::from(4) - Decimal::from(2);
    assert_eq!(back("c"), d("-1"));
    assert_eq!(back("f"), d("-0.3"));
    assert_eq!(back("k"), d("-0.2"));
    assert_eq!(back("t"), d("-0.2"));
    assert_eq!(back("h"), d("-0.3"));
    assert_eq!(back("u"), back("h"), "half_up is the default");
}

#[test]
fn constant_folding_knows_the_modes() {
    // A constant rounded in a mode is folded; a condition on it that is
    // always true is reported (M0319) with the folded value's truth.
    let (_, diags) = mizan::load(
        "r.mizan",
        r#"rubric demo.r { version "1"
  criterion c { number 0..1  score if round(0.125, 2, half_even) == 0.12 then value else 0 }
  criterion e { number 0..1  score if floor(0.19, 1) == 0.1 and ceil(0.11, 1) == 0.2 and trunc(-0.5) == 0 then value else 0 }
}"#,
    );
    assert!(diags.errors.is_empty(), "{:?}", diags.errors);
    let dead: Vec<_> = diags
        .warnings
        .iter()
        .filter(|w| w.code().map(|c| c.to_string()) == Some("M0319".into()))
        .collect();
    assert_eq!(dead.len(), 2, "{:?}", diags.warnings);
}

#[test]
fn the_display_precision_rounds_in_its_mode() {
    let text = |mode: &str| {
        format!("rubric demo.r {{ version \"1\"  precision 1 {mode}\n criterion c {{ number 0..1  score value }} }}")
    };
    let cases = [
        ("", ["6.3%", "6.4%"]),
        ("half_even", ["6.2%", "6.4%"]),
        ("floor", ["6.2%", "6.3%"]),
        ("ceiling", ["6.3%", "6.4%"]),
    ];
    for (mode, [a, b]) in cases {
        let r = load(&text(mode));
        assert_eq!(
            r.model().precision.mode,
            RoundMode::from_name(mode).unwrap_or_default()
        );
        for (x, want) in [("0.0625", a), ("0.0635", b)] {
            let res = r
                .evaluate_json("t.json", &answers(&format!(r#"{{"c": {x}}}"#)))
                .unwrap();
            let out = mizan::render::explain::render(r.model(), &res);
            assert!(out.contains(want), "precision 1 {mode}: {x} → {want}\n{out}");
        }
    }
    // `mizan fmt` keeps the mode.
    let r = load(&text("half_even"));
    assert_eq!(r.model().precision.to_string(), "1 half_even");
}

#[test]
fn bands_on_the_score_rounded_in_a_mode() {
    let r = load(
        r#"rubric demo.r { version "1"
  bands b { high >= 0.21  low >= 0 }
  bands c { high >= 0.21  low >= 0 }
  bands b on round(score, 2, floor)
  bands c on round(score, 2)
  criterion q { number 0..1  score value }
}"#,
    );
    let m = r.model();
    let band = |set: &str, s: &str| {
        let u = m.root().bands.iter().find(|u| u.set == set).unwrap();
        m.band_in(u, d(s)).map(|b| b.id.clone()).unwrap()
    };
    assert_eq!(band("b", "0.2099"), "low");
    assert_eq!(band("c", "0.2099"), "high");
    assert_eq!(band("b", "0.21"), "high");
    let (_, diags) = mizan::load(
        "r.mizan",
        r#"rubric demo.r { version "1"
  bands b { high >= 0.21  low >= 0 }
  bands b on round(score, 2, flor)
  criterion q { number 0..1  score value }
}"#,
    );
    let codes: Vec<String> = diags
        .errors
        .iter()
        .filter_map(|e| e.code().map(|c| c.to_string()))
        .collect();
    assert_eq!(codes, ["M0337"]);
}

// ------------------------------------------------ other tools (§6.1) --

/// Where the double nearest to decimal `s` lies relative to `s`.
fn binary_side(s: &str) -> Ordering {
    let x: f64 = s.parse().unwrap();
    let neg = x < 0.0;
    let bits = x.abs().to_bits();
    let exp = i32::try_from((bits >> 52) & 0x7ff).unwrap() - 1075;
    let mant = u128::from((bits & ((1u64 << 52) - 1)) | (1u64 << 52));
    let dec = d(s).abs();
    let (digits, scale) = (u128::try_from(dec.mantissa()).unwrap(), dec.scale());
    // double = mant · 2^exp, decimal = digits / 10^scale (exp < 0 here).
    assert!(exp < 0 && exp > -80);
    let lhs = mant * 10u128.pow(scale);
    let rhs = digits << u32::try_from(-exp).unwrap();
    let o = lhs.cmp(&rhs);
    if neg {
        o.reverse()
    } else {
        o
    }
}

/// What a tool that rounds the exact double half to even gives
/// (Python's `round`, Go's `%.Nf`, R ≥ 4.0's `round`).
fn binary_half_even(s: &str, places: u32) -> Decimal {
    let x = d(s);
    match binary_side(s) {
        Ordering::Equal => RoundMode::HalfEven.round(x, places),
        // Below the decimal: if the decimal is a tie, the double is not,
        // and rounds to the lower neighbour; otherwise as the decimal.
        Ordering::Less => RoundMode::HalfDown
            .round(x, places)
            .min(RoundMode::HalfUp.round(x, places)),
        Ordering::Greater => RoundMode::HalfDown
            .round(x, places)
            .max(RoundMode::HalfUp.round(x, places)),
    }
}

#[test]
fn the_semantics_table_is_what_each_rule_gives() {
    let rows = [
        ("2.5", 0),
        ("-2.5", 0),
        ("0.125", 2),
        ("0.375", 2),
        ("6.25", 1),
        ("0.15", 1),
        ("0.45", 1),
        ("1.45", 1),
        ("2.675", 2),
        ("1.005", 2),
        ("8.345", 2),
    ];
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/semantics.md")).unwrap();
    for (s, places) in rows {
        let excel = RoundMode::HalfUp.round(d(s), places);
        let binary = binary_half_even(s, places);
        let half_up = mizan_round(s, places, "half_up");
        let half_even = mizan_round(s, places, "half_even");
        assert_eq!(half_up, excel, "Excel ROUND is half_up on the decimal: {s}");
        if binary_side(s) == Ordering::Equal {
            assert_eq!(
                half_even, binary,
                "on an exact double, half_even is Python/Go/R: {s}"
            );
        }
        let side = match binary_side(s) {
            Ordering::Equal => "(exact)",
            Ordering::Less => "(below)",
            Ordering::Greater => "(above)",
        };
        // Python prints a whole float as `1.0`; the table writes `1`; Go
        // prints every place.
        let short = |x: Decimal| x.normalize().to_string();
        let go = format!("{binary:.*}", places as usize);
        let row_start = format!("| {s} | {places} | ");
        let line = doc
            .lines()
            .find(|l| l.starts_with(&row_start))
            .unwrap_or_else(|| panic!("no row for {s} in docs/semantics.md"));
        let want_tail = format!(
            " {side} | {} | {} | {go} | {} | {} | {} |",
            short(excel),
            short(binary),
            short(binary),
            short(half_up),
            short(half_even)
        );
        assert!(
            line.ends_with(&want_tail),
            "row {s}:\n  doc:  {line}\n  want: …{want_tail}"
        );
    }
}

#[test]
fn python_agrees_where_python_is_installed() {
    // The binary column against Python itself, when python3 runs here.
    let Ok(out) = std::process::Command::new("python3")
        .args([
            "-c",
            "print(round(2.675, 2), round(0.125, 2), round(0.45, 1), round(6.25, 1), '%.2f' % 1.005)",
        ])
        .output()
    else {
        return;
    };
    if !out.status.success() {
        return;
    }
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "2.67 0.12 0.5 6.2 1.00"
    );
    assert_eq!(binary_half_even("2.675", 2), d("2.67"));
    assert_eq!(binary_half_even("0.45", 1), d("0.5"));
    assert_eq!(binary_half_even("1.005", 2), d("1.00"));
}

const MODES: &str = r#"rubric demo.r {
  version "1"
  precision 2 half_even
  bands b { high >= 0.21  low >= 0 }
  bands b on round(score, 2, floor)
  criterion c { number 0..1  score round(value, 2, half_down) + floor(0) + ceil(0, 1) + trunc(0) }
}
"#;

#[test]
fn fmt_keeps_every_mode_and_is_idempotent() {
    let once = mizan::fmt::format("r.mizan", MODES).unwrap();
    assert_eq!(mizan::fmt::format("r.mizan", &once).unwrap(), once);
    for part in [
        "precision 2 half_even",
        "bands b on round(score, 2, floor)",
        "round(value, 2, half_down)",
        "floor(0)",
        "ceil(0, 1)",
        "trunc(0)",
    ] {
        assert!(once.contains(part), "{part} in\n{once}");
    }
    // A mode cannot be taken for the start of the next declaration.
    let (r, diags) = mizan::load(
        "r.mizan",
        "rubric demo.r { version \"1\"  precision 1\n  levels { floor }\n  floor c { yesno } }",
    );
    assert!(diags.errors.is_empty(), "{:?}", diags.errors);
    assert_eq!(r.unwrap().model().precision.mode, RoundMode::HalfUp);
}

#[test]
fn diff_reports_a_change_of_mode() {
    let old = load(MODES);
    let new = load(
        &MODES
            .replace("precision 2 half_even", "precision 2")
            .replace("round(score, 2, floor)", "round(score, 2, ceiling)")
            .replace("half_down", "half_up"),
    );
    let d = mizan::diff::diff(old.model(), new.model());
    let show: Vec<String> = d
        .changes
        .iter()
        .map(|c| format!("{} {} {:?} -> {:?}", c.kind, c.subject, c.before, c.after))
        .collect();
    let all = show.join("\n");
    assert!(
        all.contains(r#"precision demo.r Some("2 half_even") -> Some("2")"#),
        "{all}"
    );
    assert!(
        all.contains("b on round(score, 2, floor)") && all.contains("b on round(score, 2, ceiling)"),
        "{all}"
    );
    assert!(all.contains("half_down") && all.contains("half_up"), "{all}");
}

#[test]
fn every_path_gives_the_same_bytes() {
    use mizan::answers::{self, Origin};
    let r = load(MODES);
    let text = answers(r#"{"c": 0.125}"#);
    let run = |fast: bool| {
        let o = Origin {
            file: "t.json".into(),
            line: None,
        };
        let res = if fast {
            answers::read(r.plan(), o, &text).and_then(|s| mizan::eval::evaluate(r.plan(), s))
        } else {
            answers::read_exact(r.plan(), o, &text).and_then(|s| mizan::eval::evaluate_general(r.plan(), s))
        }
        .unwrap();
        serde_json::to_string(&mizan::render::json::entity(r.model(), &res)).unwrap()
            + &mizan::render::explain::render(r.model(), &res)
    };
    assert_eq!(run(true), run(false));
    assert!(run(true).contains("12.00%"), "{}", run(true));
}

/// `precision N MODE` followed by any declaration that opens a block
/// (`levels {`, `profile {`, `instances L {`, `bands B {`, `scale S {`):
/// the mode is the precision's, not the level of a node.
#[test]
fn a_precision_mode_before_a_block_declaration() {
    for next in [
        "levels { pillar criterion }",
        "profile { kind: one of a, b }",
        "instances cat { x en \"X\" }",
        "bands b { hi >= 0.5 lo >= 0 }",
        "scale s { yes 1 no 0 }",
    ] {
        for mode in ["half_even", "up", "floor"] {
            let text = format!(
                "rubric d.t {{\n  version \"1\"\n  precision 1 {mode}\n  {next}\n  criterion c {{ yesno }}\n}}\n"
            );
            let (r, d) = mizan::load("t.mizan", &text);
            assert!(d.errors.is_empty(), "{mode} / {next}: {:?}", d.errors);
            let r = r.unwrap();
            assert_eq!(r.model().precision.mode.name(), mode, "{next}");
        }
    }
    // A node whose level is a mode's word still parses as a node.
    let (r, d) = mizan::load(
        "t.mizan",
        "rubric d.t {\n  version \"1\"\n  precision 1\n  up u1 { yesno }\n}\n",
    );
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert!(r.unwrap().model().by_id.contains_key("u1"));
}
