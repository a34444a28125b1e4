//! Files and output (codes M0801–M0805, M0440–M0442): directory walks with link
//! loops, special files, size limits, extensions in any case, failed
//! writes, and atomic writes that keep modes and links. Every command that
//! walks, reads or writes is run on the binary.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod support;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{stderr, stdout};

const R: &str = "examples/demo/digital-readiness.mizan";
const A: &str = "examples/demo/answers";
const MAP: &str = "examples/demo/import/long.import.toml";
const CSV: &str = "examples/demo/import/answers-long.csv";

/// Runs the binary with a deadline (a hang fails the test instead of
/// hanging it), standard output to `stdout` if given.
fn run_in(args: &[&str], stdout_to: Option<Stdio>, stderr_to: Option<Stdio>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
    c.args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout_to.unwrap_or_else(Stdio::piped))
        .stderr(stderr_to.unwrap_or_else(Stdio::piped));
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    // Drain the pipes on threads so that a chatty child cannot block.
    let out = child.stdout.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut s, &mut v).unwrap();
            v
        })
    });
    let err = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut s, &mut v).unwrap();
            v
        })
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("mizan {args:?} did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.map(|t| t.join().unwrap()).unwrap_or_default(),
        stderr: err.map(|t| t.join().unwrap()).unwrap_or_default(),
    }
}

fn run(args: &[&str]) -> Output {
    run_in(args, None, None)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of the demo answers in `dir/answers`.
fn demo_answers(dir: &Path) -> PathBuf {
    let d = dir.join("answers");
    fs::create_dir(&d).unwrap();
    for e in fs::read_dir(A).unwrap() {
        let p = e.unwrap().path();
        fs::copy(&p, d.join(p.file_name().unwrap())).unwrap();
    }
    d
}

/// The entity ids of a `--format json` eval.
fn entities(o: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

/// Loops and second links to the same directory or file: every command
/// walks each directory once and reads each file once (before: exponential
/// time with two links to `.`, and 40 bogus M0411 duplicates with one).
#[test]
fn link_loops_and_duplicate_links_are_walked_once() {
    let t = tempfile::tempdir().unwrap();
    let d = demo_answers(t.path());
    symlink(".", d.join("s1")).unwrap();
    symlink(".", d.join("s2")).unwrap();
    symlink("..", d.join("up")).unwrap();
    fs::create_dir(d.join("sub")).unwrap();
    symlink("sub", d.join("sub2")).unwrap();
    symlink("../moi.json", d.join("sub/again.json")).unwrap();

    // Default mode, and the same batch named twice on the command line.
    for args in [
        vec!["--format", "json", "eval", R, s(&d)],
        vec!["--format", "json", "eval", R, s(&d), s(&d)],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(entities(&o), ["moe", "mof", "moh", "moi"]);
        assert!(!stderr(&o).contains("M0411"), "{}", stderr(&o));
        assert!(stderr(&o).contains("(a link loop back to"), "{}", stderr(&o));
    }
    // Streaming: summary and JSONL.
    let o = run(&["eval", "--summary", R, s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("over 4 entities; 0 submissions rejected"),
        "{}",
        stdout(&o)
    );
    let o = run(&["--format", "jsonl", "eval", R, s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 4);
    // diff --answers re-scores each entity once.
    let o = run(&["--format", "json", "diff", R, R, "--answers", s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // Rules directories: check, fmt --check, test, lock, eval --rules.
    let rules = t.path().join("rules");
    fs::create_dir_all(rules.join("demo")).unwrap();
    fs::copy(R, rules.join("demo/r.mizan")).unwrap();
    fs::write(
        rules.join("demo/r.test.mizan"),
        "tests demo.readiness {\n  case \"moi\" {\n    answers \"../../answers/moi.json\"\n    expect score = 29/36\n  }\n}\n",
    )
    .unwrap();
    symlink(".", rules.join("demo/loop")).unwrap();
    symlink("demo", rules.join("again")).unwrap();
    let o = run(&["check", s(&rules)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("checked 1 file:"), "{}", stderr(&o));
    let o = run(&["fmt", "--check", s(&rules)]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("loop/"), "{}", stderr(&o));
    let o = run(&["--format", "json", "test", s(&rules)]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["cases"].as_array().unwrap().len(), 1, "{v}");
    let o = run(&["--format", "json", "eval", "--rules", s(&rules), s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // Import inputs: a directory with a loop and a second link to the CSV.
    let inp = t.path().join("inputs");
    fs::create_dir(&inp).unwrap();
    fs::copy(CSV, inp.join("a.csv")).unwrap();
    symlink("a.csv", inp.join("b.csv")).unwrap();
    symlink(".", inp.join("loop")).unwrap();
    let o = run(&["import", R, MAP, s(&inp)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(stderr(&o).contains("(the same file as"), "{}", stderr(&o));
}

/// Links that cannot be followed (dangling, a self link, a loop of two)
/// are skipped by name as any other file (found by the `dir_walk` fuzz
/// target): only one named as an answer or rule file is a rejected input.
/// Before: a dangling `notes.txt` link in an answers directory was a
/// rejected submission (M0418, exit 2), and one in a rules directory failed
/// `check`.
#[test]
fn unfollowable_links_are_judged_by_their_names() {
    let t = tempfile::tempdir().unwrap();
    let d = demo_answers(t.path());
    let rules = t.path().join("rules");
    fs::create_dir_all(rules.join("demo")).unwrap();
    fs::copy(R, rules.join("demo/r.mizan")).unwrap();
    for dir in [&d, &rules.join("demo")] {
        symlink("nowhere", dir.join("notes.txt")).unwrap();
        symlink("nowhere", dir.join("README")).unwrap();
        symlink("self", dir.join("self")).unwrap();
        symlink("loop2.txt", dir.join("loop1.txt")).unwrap();
        symlink("loop1.txt", dir.join("loop2.txt")).unwrap();
        symlink("nowhere", dir.join("gone.MD")).unwrap();
    }

    let o = run(&["--format", "json", "eval", R, s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(entities(&o), ["moe", "mof", "moh", "moi"]);
    assert!(!stderr(&o).contains("M0418"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("notes.txt (not .json or .jsonl)"),
        "{}",
        stderr(&o)
    );
    let o = run(&["eval", "--summary", R, s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("over 4 entities; 0 submissions rejected"),
        "{}",
        stdout(&o)
    );
    let o = run(&["--format", "jsonl", "eval", R, s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 4);
    let o = run(&["--format", "json", "eval", "--rules", s(&rules), s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["check", s(&rules)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["fmt", "--check", s(&rules)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["test", s(&rules)]);
    assert!(!stderr(&o).contains("cannot read"), "{}", stderr(&o));

    // Named as an answer or rule file, the same links are rejected inputs.
    symlink("nowhere", d.join("gone.json")).unwrap();
    symlink("self.JSONL", d.join("self.JSONL")).unwrap();
    for args in [
        vec!["--format", "json", "eval", R, s(&d)],
        vec!["--format", "json", "eval", "--summary", R, s(&d)],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let errors: Vec<String> = v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["code"].as_str().unwrap(),
                    e["source"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                format!("M0418 {}", s(&d.join("gone.json"))),
                format!("M0418 {}", s(&d.join("self.JSONL")))
            ],
            "{v}"
        );
    }
    symlink("nowhere", rules.join("demo/gone.mizan")).unwrap();
    let o = run(&["check", s(&rules)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("gone.mizan"), "{}", stderr(&o));
}

/// Answer files that are FIFOs, sockets or devices are rejected unread
/// (M0441), in a directory, behind a link, or named on the command line;
/// the other submissions are scored. Before: a FIFO hung forever,
/// `/dev/zero` read an endless line.
#[test]
fn m0441_special_answer_files_are_rejected_without_reading() {
    let t = tempfile::tempdir().unwrap();
    let d = demo_answers(t.path());
    let fifo = d.join("x.json");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    symlink("/dev/zero", d.join("z.jsonl")).unwrap();
    let _sock = std::os::unix::net::UnixListener::bind(d.join("s.json")).unwrap();

    let o = run(&["--format", "json", "eval", R, s(&d)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(entities(&o), ["moe", "mof", "moh", "moi"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errs: Vec<(String, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let at = |n: &str| d.join(n).display().to_string();
    assert_eq!(
        errs,
        [
            (at("s.json"), "M0441".to_string()),
            (at("x.json"), "M0441".to_string()),
            (at("z.jsonl"), "M0441".to_string())
        ]
    );
    // Named directly, and the human output says what the file is.
    let o = run(&["eval", R, s(&fifo), &format!("{A}/moi.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a regular file but a FIFO"),
        "{}",
        stderr(&o)
    );
    let o = run(&["eval", R, "/dev/zero", &format!("{A}/moi.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a regular file but a character device"),
        "{}",
        stderr(&o)
    );
    // Streaming ends too, naming the file.
    for mode in ["--summary", "--format=jsonl"] {
        let o = run(&["eval", mode, R, s(&fifo)]);
        assert_ne!(o.status.code(), Some(0));
        assert!(
            stderr(&o).contains("not a regular file but a FIFO"),
            "{}",
            stderr(&o)
        );
    }
    // diff --answers.
    let o = run(&["diff", R, R, "--answers", s(&fifo)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("FIFO"), "{}", stderr(&o));
}

/// Rule files, test files, mappings and import inputs that are FIFOs are
/// refused unread (M0801), exit 1.
#[test]
fn m0801_special_files_are_refused_without_reading() {
    let t = tempfile::tempdir().unwrap();
    let rf = t.path().join("r.mizan");
    assert!(Command::new("mkfifo").arg(&rf).status().unwrap().success());
    for args in [
        vec!["check", s(&rf)],
        vec!["eval", s(&rf), A],
        vec!["fmt", s(&rf)],
        vec!["lock", s(&rf)],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains("M0801"), "{args:?}: {}", stderr(&o));
    }
    let tf = t.path().join("r.test.mizan");
    assert!(Command::new("mkfifo").arg(&tf).status().unwrap().success());
    let o = run(&["test", s(&tf)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("M0801"), "{}", stderr(&o));
    let m = t.path().join("m.toml");
    assert!(Command::new("mkfifo").arg(&m).status().unwrap().success());
    let o = run(&["import", R, s(&m), CSV]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("M0801"), "{}", stderr(&o));
    let c = t.path().join("in.csv");
    assert!(Command::new("mkfifo").arg(&c).status().unwrap().success());
    for args in [
        vec!["import", R, MAP, s(&c)],
        vec!["eval", R, "--import", MAP, s(&c)],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains("M0801"), "{args:?}: {}", stderr(&o));
    }
}

/// A `.json` answer file and a `.jsonl` line have a limit (16 MiB, M0442),
/// enforced while reading: the line after an over-long one is scored, in
/// every mode.
#[test]
fn m0442_answer_sets_over_the_size_limit() {
    let t = tempfile::tempdir().unwrap();
    let moi = fs::read_to_string(format!("{A}/moi.json"))
        .unwrap()
        .replace('\n', " ");
    // A sparse file: 17 MiB of zero bytes, no newline.
    let big = t.path().join("big.json");
    fs::File::create(&big).unwrap().set_len(17 << 20).unwrap();
    let o = run(&["eval", R, s(&big), &format!("{A}/moe.json")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("M0442"), "{}", stderr(&o));
    assert!(stdout(&o).contains("moe"));
    // A JSONL file whose first line is too long, the second an answer set.
    let jl = t.path().join("b.jsonl");
    let mut text = "x".repeat((16 << 20) + 10);
    text.push('\n');
    text.push_str(&moi);
    text.push('\n');
    fs::write(&jl, text).unwrap();
    let o = run(&["--format", "json", "eval", R, s(&jl)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(entities(&o), ["moi"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"][0]["code"], "M0442");
    assert_eq!(v["errors"][0]["source"], format!("{}:1", jl.display()));
    let o = run(&["--format", "json", "eval", "--summary", R, s(&jl)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["aggregate"]["entities"], 1);
    assert_eq!(v["errors"][0]["code"], "M0442");
    let o = run(&["--format", "jsonl", "eval", R, s(&jl)]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(stderr(&o).contains("M0442"), "{}", stderr(&o));
}

/// An empty `.json` answer file is M0440 (not a JSON syntax error), in
/// default and streaming mode.
#[test]
fn m0440_empty_answer_files() {
    let t = tempfile::tempdir().unwrap();
    let e = t.path().join("empty.json");
    fs::write(&e, " \n").unwrap();
    let o = run(&["eval", R, s(&e), &format!("{A}/moe.json")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("M0440") && stderr(&o).contains("the answer file is empty"),
        "{}",
        stderr(&o)
    );
    let o = run(&["--format", "json", "eval", R, s(&e)]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["errors"][0]["code"], "M0440");
    let o = run(&["eval", "--summary", R, s(&e), &format!("{A}/moe.json")]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("the answer file is empty"), "{}", stderr(&o));
}

/// Mappings over 8 MiB and import inputs over 512 MiB are refused before
/// they are read (M0802); a rule file over 8 MiB stays M0106.
#[test]
fn m0802_files_over_their_limit() {
    let t = tempfile::tempdir().unwrap();
    let m = t.path().join("m.toml");
    fs::File::create(&m).unwrap().set_len((8 << 20) + 1).unwrap();
    let o = run(&["import", R, s(&m), CSV]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("M0802") && stderr(&o).contains("larger than the limit of 8388608 bytes"),
        "{}",
        stderr(&o)
    );
    let c = t.path().join("huge.csv");
    fs::File::create(&c).unwrap().set_len((512 << 20) + 1).unwrap();
    for args in [
        vec!["import", R, MAP, s(&c)],
        vec!["eval", R, "--import", MAP, s(&c)],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("M0802") && stderr(&o).contains("536870912 bytes"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let r = t.path().join("huge.mizan");
    fs::File::create(&r).unwrap().set_len((8 << 20) + 1).unwrap();
    for args in [vec!["check", s(&r)], vec!["fmt", s(&r)], vec!["eval", s(&r), A]] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains("M0106"), "{args:?}: {}", stderr(&o));
    }
}

/// A rule file, test file or mapping that is missing or not UTF-8 is
/// M0803 with the file and the reason, exit 1.
#[test]
fn m0803_unreadable_files() {
    let t = tempfile::tempdir().unwrap();
    let latin = t.path().join("latin1.mizan");
    fs::write(&latin, b"rubric demo.x { title en \"caf\xe9\" }").unwrap();
    let none = t.path().join("none.mizan");
    for (args, says) in [
        (
            vec!["check", s(&latin)],
            "latin1.mizan: cannot read: not valid UTF-8 (byte 29)",
        ),
        (
            vec!["check", s(&none)],
            "none.mizan: cannot read: No such file or directory",
        ),
        (
            vec!["eval", s(&none), A],
            "none.mizan: cannot read: No such file or directory",
        ),
        (
            vec!["fmt", s(&latin)],
            "latin1.mizan: cannot read: not valid UTF-8",
        ),
        (
            vec!["import", R, s(&none), CSV],
            "none.mizan: cannot read: No such file",
        ),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&o).contains("M0803") && stderr(&o).contains(says),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    let o = run(&["--format", "json", "check", s(&latin)]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["code"], "M0803");
}

/// Extensions are compared in any case (`moi.JSON` was skipped silently),
/// and what an answers walk leaves out is noted (exit code unchanged).
#[test]
fn m0804_extensions_in_any_case_and_skipped_files_are_noted() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("answers");
    fs::create_dir(&d).unwrap();
    fs::copy(format!("{A}/moi.json"), d.join("moi.JSON")).unwrap();
    fs::copy(format!("{A}/moe.json"), d.join("moe.Json")).unwrap();
    let moh = fs::read_to_string(format!("{A}/moh.json"))
        .unwrap()
        .replace('\n', " ");
    fs::write(d.join("batch.JSONL"), format!("{moh}\n")).unwrap();
    fs::write(d.join("notes.txt"), "x").unwrap();
    fs::write(d.join("mof.json.bak"), "x").unwrap();
    let o = run(&["--format", "json", "eval", R, s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(entities(&o), ["moe", "moh", "moi"]);
    let note = format!(
        "note[M0804]: skipped 2 paths in the directories given:\n  {}/mof.json.bak (not .json or .jsonl)\n  {}/notes.txt (not .json or .jsonl)\n",
        d.display(),
        d.display()
    );
    assert_eq!(stderr(&o), note);
    let o = run(&["eval", "--summary", R, s(&d)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("over 3 entities"), "{}", stdout(&o));
    assert_eq!(stderr(&o), note);
    // Rule files: `.MIZAN` is a rule file, `.TEST.MIZAN` a test file.
    let rules = t.path().join("rules");
    fs::create_dir(&rules).unwrap();
    fs::copy(R, rules.join("r.MIZAN")).unwrap();
    let o = run(&["check", s(&rules)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("checked 1 file:"), "{}", stderr(&o));
    // Import: `.CSV`.
    let inp = t.path().join("in");
    fs::create_dir(&inp).unwrap();
    fs::copy(CSV, inp.join("a.CSV")).unwrap();
    fs::write(inp.join("read-me.md"), "x").unwrap();
    let o = run(&["import", R, MAP, s(&inp)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(stderr(&o).contains("read-me.md (not .csv,"), "{}", stderr(&o));
}

fn dev_full() -> Stdio {
    Stdio::from(fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
}

/// A failed write on standard output is exit 1 (2 for `diff`) with M0805,
/// on every path; standard error failing never panics (was exit 101).
#[test]
fn m0805_failed_writes_to_standard_output_and_error() {
    let t = tempfile::tempdir().unwrap();
    let unformatted = t.path().join("u.mizan");
    fs::write(&unformatted, fs::read_to_string(R).unwrap().replace("  ", "    ")).unwrap();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["eval", R, A], 1),
        (vec!["--format", "json", "eval", R, A], 1),
        (vec!["eval", "--summary", R, A], 1),
        (vec!["--format", "json", "eval", "--summary", R, A], 1),
        (vec!["--format", "jsonl", "eval", R, A], 1),
        (
            vec![
                "--format",
                "json",
                "eval",
                "--rules",
                "rules",
                "examples/uae-integration-2018",
            ],
            1,
        ),
        (vec!["--format", "json", "check", R], 1),
        (vec!["import", R, MAP, CSV], 1),
        (vec!["fmt", "--check", s(&unformatted)], 1),
        (vec!["test", "rules/uae/integration"], 1),
        (vec!["diff", R, R], 2),
        (vec!["--format", "json", "diff", R, R], 2),
    ];
    for (args, code) in &cases {
        let o = run_in(args, Some(dev_full()), None);
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error[M0805]: cannot write standard output: No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    // Standard error full or closed: no panic.
    for args in [vec!["check", "rules"], vec!["eval", R, "examples/demo/invalid"]] {
        let o = run_in(&args, None, Some(dev_full()));
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(!stdout(&o).contains("panicked"));
    }
}

/// A closed pipe (`mizan … | head`) ends quietly with the command's own
/// exit code, on standard output and on standard error.
#[test]
fn a_closed_pipe_ends_quietly() {
    let closed = || {
        let (r, w) = std::io::pipe().unwrap();
        drop(r);
        Stdio::from(w)
    };
    for (args, code) in [
        (vec!["eval", R, A], 0),
        (vec!["--format", "jsonl", "eval", R, A], 0),
        (vec!["eval", R, A, "examples/demo/invalid"], 2),
        (vec!["check", R], 0),
    ] {
        let o = run_in(&args, Some(closed()), None);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("M0805"), "{args:?}: {}", stderr(&o));
        let o = run_in(&args, None, Some(closed()));
        assert_eq!(o.status.code(), Some(code), "{args:?}");
    }
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

/// Atomic writes keep the target's mode (new files: 0666 less the umask,
/// not 0600), write through links, and leave no temporary file.
#[test]
fn atomic_writes_keep_mode_and_links() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    // What a new file gets here (the umask of this process).
    let probe = dir.join("probe");
    fs::write(&probe, "").unwrap();
    let usual = mode(&probe);
    fs::remove_file(&probe).unwrap();

    // eval -o, default and streamed; import -o; test --junit: new files,
    // then existing files with mode 0640.
    let out = |n: &str| dir.join(n);
    let writers: Vec<Vec<String>> = vec![
        vec!["eval".into(), R.into(), A.into(), "-o".into()],
        vec!["eval".into(), "--summary".into(), R.into(), A.into(), "-o".into()],
        vec![
            "--format".into(),
            "jsonl".into(),
            "eval".into(),
            R.into(),
            A.into(),
            "-o".into(),
        ],
        vec!["import".into(), R.into(), MAP.into(), CSV.into(), "-o".into()],
        vec!["test".into(), "rules/uae/integration".into(), "--junit".into()],
    ];
    for (i, w) in writers.iter().enumerate() {
        let target = out(&format!("out{i}"));
        let mut args: Vec<&str> = w.iter().map(String::as_str).collect();
        args.push(s(&target));
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_eq!(mode(&target), usual, "{args:?}");
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_eq!(mode(&target), 0o640, "{args:?}");
        // Through a link: the link stays, its target gets the content.
        let real = out(&format!("real{i}"));
        fs::write(&real, "old").unwrap();
        let link = out(&format!("link{i}"));
        symlink(real.file_name().unwrap(), &link).unwrap();
        *args.last_mut().unwrap() = s(&link);
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), fs::read(&target).unwrap(), "{args:?}");
    }
    // fmt on a linked rule file formats the real file, mode kept.
    fs::create_dir(dir.join("rules")).unwrap();
    let real = dir.join("rules/r.mizan");
    fs::write(
        &real,
        "rubric demo.x {\nversion \"1\"\n  criterion   c { yesno }\n}\n",
    )
    .unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("link.mizan");
    symlink("rules/r.mizan", &link).unwrap();
    let o = run(&["fmt", s(&link)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(
        fs::read_to_string(&real).unwrap(),
        "rubric demo.x {\n  version \"1\"\n  criterion c { yesno }\n}\n"
    );
    assert_eq!(mode(&real), 0o640);
    // lock: the lock file keeps its mode.
    let lock = dir.join("rules/mizan.lock");
    let o = run(&["lock", s(&real)]);
    assert!(o.status.success(), "{}", stderr(&o));
    fs::set_permissions(&lock, fs::Permissions::from_mode(0o604)).unwrap();
    let o = run(&["lock", s(&real)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&lock), 0o604);
    // No temporary file anywhere.
    for d in [dir.to_path_buf(), dir.join("rules")] {
        for e in fs::read_dir(d).unwrap() {
            let n = e.unwrap().file_name();
            assert!(!n.to_string_lossy().starts_with(".mizan-tmp-"), "{n:?} left");
        }
    }
}

/// A temporary file of a process that is gone (killed with SIGKILL) is
/// removed by the next write into its directory; one of a running `mizan`
/// or of another program is left alone.
#[test]
fn stale_temporary_files_are_swept() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    // Pid 4194304 is past Linux's largest pid: no such process.
    let stale = dir.join(".mizan-tmp-4194304-0-out");
    fs::write(&stale, "half").unwrap();
    let other = dir.join(".other-tmp");
    fs::write(&other, "x").unwrap();
    let o = run(&["eval", R, A, "-o", s(&dir.join("out"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stale.exists());
    assert!(other.exists());
}

/// `test --min-coverage` takes a percentage: NaN, infinities, negative
/// numbers and numbers over 100 are usage errors (before: NaN passed).
#[test]
fn min_coverage_must_be_a_percentage() {
    for bad in ["NaN", "nan", "inf", "-inf", "-1", "100.5", "1e9", "x"] {
        let o = run(&["test", "rules/uae/integration", &format!("--min-coverage={bad}")]);
        assert_eq!(o.status.code(), Some(64), "{bad}: {}", stderr(&o));
        assert!(stderr(&o).contains("--min-coverage"), "{bad}: {}", stderr(&o));
    }
    let o = run(&["test", "rules/uae/integration", "--min-coverage", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["test", "rules/uae/integration", "--min-coverage", "100"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// `--explain` of an entity in no answer set is a usage error (64); of a
/// rejected one, its problems and exit 2.
#[test]
fn explain_of_an_unknown_entity_is_a_usage_error() {
    for f in ["human", "plain"] {
        let o = run(&["--format", f, "eval", R, A, "--explain", "nobody"]);
        assert_eq!(o.status.code(), Some(64), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("no answer set of this batch is for entity `nobody`"),
            "{}",
            stderr(&o)
        );
    }
    let o = run(&["eval", R, "examples/demo/invalid", "--explain", "mocd"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("M0406"), "{}", stderr(&o));
}

/// A test's answer-set file that is empty, a device (`/dev/null`), a FIFO
/// or a directory gets a message that says so, not "no answer-set file".
#[test]
fn test_answer_files_that_are_not_answer_files() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    fs::copy(R, dir.join("r.mizan")).unwrap();
    fs::write(dir.join("empty.json"), "").unwrap();
    assert!(Command::new("mkfifo")
        .arg(dir.join("p.json"))
        .status()
        .unwrap()
        .success());
    fs::create_dir(dir.join("d.json")).unwrap();
    for (file, says) in [
        ("/dev/null", "is not a regular file (a character device)"),
        ("empty.json", "is empty"),
        ("p.json", "is not a regular file (a FIFO)"),
        ("d.json", "is not a regular file (a directory)"),
        ("none.json", "no answer-set file"),
    ] {
        let tf = dir.join("r.test.mizan");
        fs::write(
            &tf,
            format!("tests demo.readiness {{\n  case \"c\" {{\n    answers \"{file}\"\n    expect score = 1\n  }}\n}}\n"),
        )
        .unwrap();
        let o = run(&["test", s(&tf)]);
        assert_eq!(o.status.code(), Some(1), "{file}");
        assert!(
            stderr(&o).contains("M0703") && stderr(&o).contains(says),
            "{file}: {}",
            stderr(&o)
        );
    }
}

/// Every diagnostic path writes to standard error without panicking when
/// it is full or closed (was exit 101 for the messages of duplicate rubric
/// versions, M0230, and of changed locked files, M0219): check, eval
/// (batch, `--summary`, `--rules`), lock. And a closed pipe on standard
/// output keeps the command's own exit code in streaming mode too (was 0
/// for `eval --summary … | head -1` with a rejected answer set).
#[test]
fn standard_error_full_or_closed_on_every_diagnostic_path() {
    let t = tempfile::tempdir().unwrap();
    // Two files declaring one rubric version (M0230).
    let dups = t.path().join("dups");
    fs::create_dir(&dups).unwrap();
    fs::copy(R, dups.join("a.mizan")).unwrap();
    fs::copy(R, dups.join("b.mizan")).unwrap();
    // A locked file whose rules changed (M0219).
    let locked = t.path().join("rules");
    fs::create_dir_all(locked.join("uae/integration")).unwrap();
    fs::copy("rules/mizan.lock", locked.join("mizan.lock")).unwrap();
    let edited = locked.join("uae/integration/2018.mizan");
    let text = fs::read_to_string("rules/uae/integration/2018.mizan").unwrap();
    let changed = text.replacen("partial 0.5", "partial 0.6", 1);
    assert_ne!(changed, text);
    fs::write(&edited, changed).unwrap();
    let answers = "examples/uae-integration-2018";
    let closed = || {
        let (r, w) = std::io::pipe().unwrap();
        drop(r);
        Stdio::from(w)
    };
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["check", s(&dups)], 1),
        (vec!["--format", "plain", "check", s(&dups)], 1),
        (vec!["lock", s(&dups)], 1),
        (vec!["eval", "--rules", s(&dups), A], 1),
        (vec!["eval", "--rules", s(&dups), "--summary", A], 1),
        (vec!["eval", s(&edited), answers], 1),
        (vec!["eval", "--summary", s(&edited), answers], 1),
        (vec!["--format", "jsonl", "eval", s(&edited), answers], 1),
        (vec!["eval", "--allow-unlocked", s(&edited), answers], 2),
    ];
    for (args, code) in &cases {
        let o = run_in(args, None, None);
        assert_eq!(o.status.code(), Some(*code), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty(), "{args:?}: says nothing");
        // Standard error full: a failed write, exit 1, no panic.
        let o = run_in(args, None, Some(dev_full()));
        assert_eq!(o.status.code(), Some(1), "{args:?} 2>/dev/full");
        // Standard error closed: the command's own code, no panic.
        let o = run_in(args, None, Some(closed()));
        assert_eq!(o.status.code(), Some(*code), "{args:?} 2>closed");
    }
    // Standard output closed, streaming, with a rejected answer set: 2.
    for args in [
        vec!["eval", "--summary", R, A, "examples/demo/invalid"],
        vec![
            "--format",
            "json",
            "eval",
            "--summary",
            R,
            A,
            "examples/demo/invalid",
        ],
        vec!["--format", "jsonl", "eval", R, A, "examples/demo/invalid"],
        vec![
            "--format",
            "jsonl",
            "eval",
            "--summary",
            R,
            A,
            "examples/demo/invalid",
        ],
    ] {
        let o = run_in(&args, Some(closed()), None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("M0805"), "{args:?}: {}", stderr(&o));
    }
}

/// An output that is a named pipe or a device (`-o /dev/stdout`, a FIFO,
/// directly or through a link) is written into, never replaced by a
/// regular file: renaming over it put a file where the pipe was, and as
/// root `-o /dev/null` replaced `/dev/null` itself. Every writer: eval -o
/// (table, JSON, `--summary`, streamed JSONL), import -o, test --junit.
#[test]
fn outputs_that_are_pipes_or_devices_are_written_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let t = tempfile::tempdir().unwrap();
    let writers: Vec<Vec<&str>> = vec![
        vec!["eval", R, A, "-o"],
        vec!["--format", "json", "eval", R, A, "-o"],
        vec!["eval", "--summary", R, A, "-o"],
        vec!["--format", "jsonl", "eval", R, A, "-o"],
        vec!["import", R, MAP, CSV, "-o"],
        vec!["test", "rules/uae/integration", "--junit"],
    ];
    for (i, w) in writers.iter().enumerate() {
        // What a regular file gets.
        let file = t.path().join(format!("file{i}"));
        let mut args = w.clone();
        args.push(s(&file));
        let o = run(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let want = fs::read(&file).unwrap();
        assert!(!want.is_empty(), "{args:?}");
        for via_link in [false, true] {
            let fifo = t.path().join(format!("fifo{i}{via_link}"));
            assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
            let target = if via_link {
                let link = t.path().join(format!("link{i}"));
                symlink(&fifo, &link).unwrap();
                link
            } else {
                fifo.clone()
            };
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || fs::read(fifo).unwrap())
            };
            let mut args = w.clone();
            args.push(s(&target));
            let o = run(&args);
            let still = fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo();
            // (A replaced pipe leaves the reader waiting: not joined.)
            assert!(still, "{args:?}: the pipe was replaced by a file");
            if !o.status.success() {
                // Unblock the reader before failing.
                let _ = fs::write(&fifo, "");
            }
            assert!(o.status.success(), "{args:?}: {}", stderr(&o));
            assert_eq!(reader.join().unwrap(), want, "{args:?}: what the pipe got");
        }
    }
    for e in fs::read_dir(t.path()).unwrap() {
        let n = e.unwrap().file_name();
        assert!(!n.to_string_lossy().starts_with(".mizan-tmp-"), "{n:?} left");
    }
    // A device: written into, its failure is M0805 (exit 1).
    let full = t.path().join("full");
    symlink("/dev/full", &full).unwrap();
    let o = run(&["eval", R, A, "-o", s(&full)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot write") && stderr(&o).contains("No space left on device"),
        "{}",
        stderr(&o)
    );
    let o = run(&["eval", R, A, "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}
