//! Token rules in isolation, and the promise that users never see a raw
//! grammar rule name.

use pest::Parser;

use super::{MizanParser, Rule};
use crate::diag::Src;

/// Asserts that `rule` consumes the whole of `input`.
fn whole(rule: Rule, input: &str) -> bool {
    match MizanParser::parse(rule, input) {
        Ok(mut pairs) => pairs.next().is_some_and(|p| p.as_str() == input),
        Err(_) => false,
    }
}

#[test]
fn identifiers() {
    for ok in ["role", "_x", "data_provider", "k01", "Yes"] {
        assert!(whole(Rule::ident, ok), "{ok}");
    }
    for bad in ["1x", "and", "in", "نعم", "a-b", "a.b"] {
        assert!(!whole(Rule::ident, bad), "{bad}");
    }
}

#[test]
fn dotted_paths() {
    for ok in ["fednet", "fednet.1", "fednet.1.1", "one_portal.2.1", "gsb.3.x_1"] {
        assert!(whole(Rule::path, ok), "{ok}");
    }
    for bad in ["1.1", "fednet.", ".1", "or"] {
        assert!(!whole(Rule::path, bad), "{bad}");
    }
}

#[test]
fn numbers() {
    for ok in ["0", "1", "0.5", "0.6667", "-3", "100"] {
        assert!(whole(Rule::number, ok), "{ok}");
    }
    for bad in ["1.", ".5", "1e3", "--1"] {
        assert!(!whole(Rule::number, bad), "{bad}");
    }
}

#[test]
fn strings_and_text() {
    for ok in [r#""Yes""#, r#""نعم (جزئي)""#, r#""a \"quoted\" word""#, r#""""#] {
        assert!(whole(Rule::string, ok), "{ok}");
    }
    assert!(!whole(Rule::string, "\"line\nbreak\""));
    assert!(whole(Rule::text, r#"ar "نعم" en "Yes""#));
    assert!(whole(Rule::text, r#"fr "Oui""#));
    assert!(whole(Rule::lang, "en-GB"));
    assert!(!whole(Rule::lang, "english"));
}

#[test]
fn option_and_band_declarations() {
    assert!(whole(Rule::option_decl, r#"partial 0.5 ar "جزئي" en "Partial""#));
    assert!(whole(Rule::option_decl, "na n/a"));
    assert!(whole(Rule::band_decl, r#"excellent >= 0.9 ar "ممتاز""#));
    assert!(whole(Rule::range, "0..100"));
    assert!(whole(Rule::range, "..100"));
}

#[test]
fn expressions_fold_with_precedence() {
    let cases = [
        ("a + b * 2", "(+ a (* b 2))"),
        ("(a + b) * 2", "(* (+ a b) 2)"),
        ("a - b - c", "(- (- a b) c)"),
        ("not role == x and y", "(and (not (== role x)) y)"),
        ("a or b and c", "(or a (and b c))"),
        ("-value / target", "(/ (- value) target)"),
        (
            "if x > 1 then 1 else clamp(x, 0, 1)",
            "(if (> x 1) 1 (clamp x 0 1))",
        ),
        ("role in [a, b]", "(in role [a b])"),
    ];
    for (src, want) in cases {
        let text = format!("rubric t {{ let v = {src} }}");
        let (file, diags) = super::parse(&Src::new("t", text));
        assert!(diags.errors.is_empty(), "{src}: {diags:?}");
        let Some(crate::ast::Item::Let(_, e)) = file.unwrap().rubric.items.into_iter().next() else {
            panic!("{src}: no let")
        };
        assert_eq!(e.to_string(), want, "{src}");
    }
}

/// Truncating a real rubric at every point gives syntax errors in plain
/// words: no `EOI`, no `kw_…`, no `…_decl`.
#[test]
fn no_raw_rule_names_in_messages() {
    let demo = include_str!("../../examples/demo/digital-readiness.mizan");
    let mut seen = 0;
    for (i, _) in demo.char_indices().step_by(3) {
        let cut = demo.get(..i).unwrap_or("");
        for text in [cut.to_string(), format!("{cut} @ }}")] {
            let (_, diags) = super::parse(&Src::new("t", text));
            for d in diags.errors.iter() {
                let msg = format!("{d} {}", d.help().map(|h| h.to_string()).unwrap_or_default());
                for raw in [
                    "EOI",
                    "kw_",
                    "_decl",
                    "op_",
                    "string_inner",
                    "rubric_item",
                    "node_item",
                    "level_item",
                ] {
                    assert!(!msg.contains(raw), "raw rule name `{raw}` in: {msg}");
                }
                seen += 1;
            }
        }
    }
    assert!(seen > 500, "only {seen} errors seen");
}

#[test]
fn arabic_labels_keep_byte_spans() {
    // The bad weight comes right after a multi-byte Arabic label.
    let text = "rubric t {\n  scale s ar \"نعم جزئي\" { yes x }\n}";
    let (_, diags) = super::parse(&Src::new("t", text));
    let d = diags.errors.first().unwrap();
    let label = d.labels().unwrap().next().unwrap();
    assert_eq!(text.get(label.offset()..label.offset() + label.len()), Some("x"));
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let text = format!(
        "rubric t {{ let v = {}1{} }}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let (file, diags) = super::parse(&Src::new("t", text));
    assert!(file.is_none());
    assert_eq!(diags.codes(), ["M0103"]);
}

#[test]
fn long_formulas_and_prefix_runs_are_refused() {
    for body in [
        vec!["1"; 5000].join(" + "),
        format!("{}1", "- ".repeat(5000)),
        format!("{}x", "not ".repeat(5000)),
    ] {
        let text = format!("rubric t {{ let v = {body} }}");
        let (_, diags) = super::parse(&Src::new("t", text));
        assert_eq!(diags.codes(), ["M0105"]);
    }
}
