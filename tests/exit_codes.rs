//! Exit codes are part of the interface (docs/output.md): a usage error has
//! its own code, apart from rejected answer sets, on every subcommand.

mod support;

use support::mizan;

const DEMO: &str = "examples/demo/digital-readiness.mizan";

#[test]
fn usage_errors_exit_64_on_every_subcommand() {
    for args in [
        &["--bogus"][..],
        &["eval"][..],
        &["eval", DEMO, "examples/demo/answers/", "--bogus"][..],
        &["eval", DEMO, "--jobs", "many", "examples/demo/answers/"][..],
        &["--format", "yaml", "check", DEMO][..],
        &["check", "--nope", DEMO][..],
        &["test", "--min-coverage"][..],
        &["fmt", "--chek"][..],
        &["diff", DEMO][..],
        &["import", DEMO][..],
        &["lock", "--x"][..],
        &["frobnicate"][..],
    ] {
        let o = mizan(args);
        assert_eq!(o.status.code(), Some(64), "{args:?}: {}", support::stderr(&o));
        assert!(
            support::stderr(&o).contains("Usage:") || support::stderr(&o).contains("error:"),
            "{args:?} explains itself"
        );
    }
}

#[test]
fn help_and_version_exit_0() {
    for args in [&["--help"][..], &["--version"][..], &["eval", "--help"][..]] {
        let o = mizan(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(!o.stdout.is_empty());
    }
}

#[test]
fn rejected_answer_sets_still_exit_2() {
    let o = mizan(&["eval", DEMO, "examples/demo/answers/", "examples/demo/invalid/"]);
    assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
}
