//! `--lang en|ar` and `MIZAN_LANG`: the language of output for people on
//! the commands whose output is a line of words (check, fmt); the tables,
//! trees and diffs have their own tests (output_lang, review, testing).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

mod support;

use std::process::Command;

fn run(env: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
    c.args(args).env_remove("MIZAN_LANG");
    if let Some(v) = env {
        c.env("MIZAN_LANG", v);
    }
    c.output().unwrap()
}

#[test]
fn check_says_what_it_checked_in_either_language() {
    let en = run(None, &["check", "rules/uae/integration/2018.mizan"]);
    assert_eq!(support::stderr(&en), "checked 1 file: 0 errors, 0 warnings\n");
    let ar = run(
        None,
        &["--lang", "ar", "check", "rules/uae/integration/2018.mizan"],
    );
    assert_eq!(
        support::stderr(&ar),
        "\u{200f}الملفات المفحوصة: \u{2066}1\u{2069}، الأخطاء: \u{2066}0\u{2069}، التحذيرات: \u{2066}0\u{2069}\n"
    );
    // MIZAN_LANG is the default; the flag wins over it; a region subtag is
    // ignored.
    for v in ["ar", "AR", "ar-AE", "ar_AE.UTF-8"] {
        let o = run(Some(v), &["check", "rules/uae/integration/2018.mizan"]);
        assert_eq!(support::stderr(&o), support::stderr(&ar), "MIZAN_LANG={v}");
    }
    let o = run(
        Some("ar"),
        &["--lang", "en", "check", "rules/uae/integration/2018.mizan"],
    );
    assert_eq!(support::stderr(&o), support::stderr(&en));
    // The exit code and the JSON (a contract: field names stay English)
    // do not depend on the language.
    assert_eq!(ar.status.code(), Some(0));
    let ja = run(None, &["--lang", "ar", "--format", "json", "check", "rules/uae"]);
    let je = run(None, &["--format", "json", "check", "rules/uae"]);
    assert_eq!(ja.stdout, je.stdout);
}

#[test]
fn an_unknown_language_is_a_usage_error_from_the_flag_or_the_environment() {
    for (env, args) in [
        (None, vec!["--lang", "fr", "check", "rules/uae"]),
        (None, vec!["--lang", "", "check", "rules/uae"]),
        (Some("fr"), vec!["check", "rules/uae"]),
        (Some("klingon"), vec!["test", "rules/uae"]),
    ] {
        let o = run(env, &args);
        assert_eq!(o.status.code(), Some(64), "{env:?} {args:?}");
        let e = support::stderr(&o);
        assert!(e.contains("expected `en` or `ar`"), "{e}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn fmt_reports_in_either_language() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.mizan");
    std::fs::write(&f, "rubric demo.t {   version \"1\"\ncriterion c { yesno } }\n").unwrap();
    let p = f.to_str().unwrap();
    let o = run(None, &["--lang", "ar", "fmt", "--check", p]);
    assert_eq!(o.status.code(), Some(1));
    let e = support::stderr(&o);
    assert!(e.ends_with("\u{200f}ملفات يغيّرها التنسيق: \u{2066}1\u{2069} من \u{2066}1\u{2069} (شغّل \u{2066}mizan fmt\u{2069})\n"), "{e}");
    let o = run(None, &["fmt", "--check", p]);
    assert!(support::stderr(&o).ends_with("1 of 1 files would be reformatted (run `mizan fmt`)\n"));
    let o = run(Some("ar"), &["fmt", p]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(support::stderr(&o), format!("\u{200f}نُسِّق \u{2066}{p}\u{2069}\n"));
}
