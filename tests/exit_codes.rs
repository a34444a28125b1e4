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

/// A command pointed at a directory with nothing for it (a wrong path in a
/// CI gate) fails instead of passing on nothing: check, test, fmt, lock.
#[test]
fn a_directory_with_nothing_to_do_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "not a rule file").unwrap();
    let d = empty.path().to_str().unwrap();
    for args in [
        &["check", d][..],
        &["test", d][..],
        &["fmt", "--check", d][..],
        &["fmt", d][..],
        &["lock", d][..],
        &["--format", "json", "check", d][..],
    ] {
        let o = mizan(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            support::stderr(&o).contains("nothing to do"),
            "{args:?}: {}",
            support::stderr(&o)
        );
    }
    // A directory of rule files without tests: `test` has nothing to run.
    let rules = tempfile::tempdir().unwrap();
    std::fs::copy(DEMO, rules.path().join("r.mizan")).unwrap();
    let o = mizan(&["test", rules.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", support::stderr(&o));
    assert_eq!(
        mizan(&["check", rules.path().to_str().unwrap()]).status.code(),
        Some(0)
    );
}
