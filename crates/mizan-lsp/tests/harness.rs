//! Drives the built `mizan-lsp` as an editor does: JSON-RPC over stdio
//! (initialize, didOpen, didChange with partial edits, hover, completion,
//! definition, references, rename, formatting, documentSymbol, codeAction,
//! shutdown, exit), on the shipped rubrics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next: i64,
    stash: Vec<Value>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mizan-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || loop {
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if out.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    len = n.parse().unwrap();
                }
            }
            let mut buf = vec![0; len];
            out.read_exact(&mut buf).unwrap();
            if tx.send(serde_json::from_slice(&buf).unwrap()).is_err() {
                return;
            }
        });
        let mut c = Client {
            child,
            stdin,
            rx,
            next: 1,
            stash: Vec::new(),
        };
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(&root()), "capabilities": {}}),
        );
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        assert!(init["capabilities"]["hoverProvider"].as_bool().unwrap());
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, v: Value) {
        let s = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{s}", s.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(Duration::from_secs(20))
            .expect("no message from the server in 20 s")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.recv();
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.stash.push(m);
        }
    }

    fn request_err(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.recv();
            if m["id"] == json!(id) {
                return m;
            }
            self.stash.push(m);
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "mizan", "version": 1, "text": text}}),
        );
    }

    /// The diagnostics published for `uri` at `version` (earlier ones are
    /// skipped: the server publishes the latest version after a pause).
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let found = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"].as_i64().unwrap_or(0) >= version
        };
        if let Some(i) = self.stash.iter().rposition(found) {
            let m = self.stash.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.recv();
            if found(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character},
                   "context": {"includeDeclaration": true}}),
        )
    }

    /// The markdown of a hover at a position.
    fn hover(&mut self, uri: &str, line: u32, character: u32) -> String {
        let h = self.at("textDocument/hover", uri, line, character);
        h["contents"]["value"].as_str().unwrap().to_string()
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success());
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not exit after `exit`");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave its server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (line, UTF-16 column) of the first `needle` after `after` in `text`.
fn find(text: &str, after: &str, needle: &str) -> (u32, u32) {
    let from = text.find(after).unwrap();
    let at = from + text[from..].find(needle).unwrap();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..at].matches('\n').count() as u32;
    (line, text[line_start..at].encode_utf16().count() as u32)
}

fn uae() -> (PathBuf, String) {
    let p = root().join("rules/uae/integration/2018.mizan");
    let t = std::fs::read_to_string(&p).unwrap();
    (p, t)
}

fn shipped(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            shipped(&p, out);
        } else if p.extension().is_some_and(|x| x == "mizan") {
            out.push(p);
        }
    }
}

#[test]
fn every_shipped_rubric_and_test_file_opens_without_errors() {
    let mut files = Vec::new();
    shipped(&root().join("rules"), &mut files);
    files.sort();
    assert!(files.len() >= 14, "{files:?}");
    let mut c = Client::start();
    for f in &files {
        let u = uri(f);
        c.open(&u, &std::fs::read_to_string(f).unwrap());
        let d = c.diagnostics(&u, 1);
        let errors: Vec<_> = d.iter().filter(|d| d["severity"] == 1).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
        // The outline of every rubric is its tree.
        let syms = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": u}}));
        if !f.to_string_lossy().ends_with(".test.mizan") {
            assert!(!syms.as_array().unwrap().is_empty(), "{}", f.display());
        }
    }
    c.stop();
}

const DEMO: &str = "rubric demo.t {\n  version \"1\"\n  profile { kind: one of small, large }\n  scale yes_no { yes 1 en \"Yes\"  no 0 en \"No\" }\n  let half = 0.5\n  aggregate mean\n  criterion c1 {\n    title ar \"مَرحبا 😀\" en \"Hi\" choice yes_no\n  }\n  criterion c2 { choice yes_no }\n}\n";

#[test]
fn a_typo_gets_its_code_a_utf16_range_help_a_link_and_a_quick_fix() {
    let mut c = Client::start();
    let u = "file:///nonexistent/demo.mizan";
    c.open(u, DEMO);
    assert!(c.diagnostics(u, 1).is_empty());
    // A partial edit on the line with Arabic vowel marks and an emoji:
    // `choice yes_no` -> `choice yes_nx` (the range counts UTF-16 units).
    let (line, col) = find(DEMO, "مَرحبا", "choice yes_no");
    let col = col + "choice yes_n".len() as u32;
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 1}}, "text": "x"}
        ]}),
    );
    let d = c.diagnostics(u, 2);
    assert_eq!(d.len(), 1, "{d:#?}");
    let d0 = &d[0];
    assert_eq!(d0["severity"], 1);
    let code = d0["code"].as_str().unwrap();
    assert!(code.starts_with('M'), "{d0}");
    assert!(d0["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with(&format!("diagnostics.md#{}", code.to_lowercase())));
    assert!(
        d0["message"].as_str().unwrap().contains("did you mean `yes_no`?"),
        "{d0}"
    );
    // `    title ar "` is 14 units, مَرحبا 6, space, 😀 2, `" en "Hi" choice ` 17.
    assert_eq!(
        d0["range"]["start"],
        json!({"line": line, "character": 14 + 6 + 1 + 2 + 17})
    );
    assert_eq!(
        d0["range"]["end"],
        json!({"line": line, "character": 14 + 6 + 1 + 2 + 17 + 6})
    );
    assert_eq!(col, 14 + 6 + 1 + 2 + 17 + 5);
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": d0["range"], "context": {"diagnostics": d}}),
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["edit"]["changes"][u][0]["newText"], "yes_no");
    // Two edits in one change, then a full replacement: the last text wins.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 1}}, "text": "o"},
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# hello\n"}
        ]}),
    );
    assert!(c.diagnostics(u, 3).is_empty());
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 4}, "contentChanges": [{"text": "rubric demo.t {\n  weight\n}\n"}]}),
    );
    let d = c.diagnostics(u, 4);
    assert_eq!(d[0]["code"], "M0101", "{d:#?}");
    c.stop();
}

#[test]
fn quick_edits_are_checked_once_at_their_latest_version() {
    let mut c = Client::start();
    let u = "file:///nonexistent/demo.mizan";
    c.open(u, DEMO);
    assert!(c.diagnostics(u, 1).is_empty());
    for v in 2..=6 {
        let text = DEMO.replace("yes_no", &format!("yes_no{v}"));
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": v}, "contentChanges": [{"text": text}]}),
        );
    }
    // The first diagnostics after the burst are of version 6.
    let m = loop {
        let m = c.recv();
        if m["method"] == "textDocument/publishDiagnostics" {
            break m;
        }
    };
    assert_eq!(m["params"]["version"], 6, "{m}");
    assert!(m["params"]["diagnostics"].as_array().unwrap().is_empty());
    c.stop();
}

#[test]
fn hover_on_the_shipped_uae_rubric() {
    let (p, t) = uae();
    let u = uri(&p);
    let mut c = Client::start();
    c.open(&u, &t);
    let (l, ch) = find(&t, "criterion gsb.1.1", "gsb.1.1");
    let v = c.hover(&u, l, ch + 2);
    assert!(v.contains("حضور ورش العمل التقنية"), "{v}");
    assert!(v.contains("Attendance at the technical workshops"), "{v}");
    assert!(v.contains("weight 1"), "{v}");
    assert!(v.contains("criterion"), "{v}");
    assert!(v.contains("best 1, worst 0"), "{v}");
    assert!(v.contains("`all_specialists` weight 1"), "{v}");
    // A group: its aggregation and N/A policy.
    let (l, ch) = find(&t, "initiative gsb {", "gsb");
    let v = c.hover(&u, l, ch);
    assert!(v.contains("aggregate ratio"), "{v}");
    assert!(v.contains("n/a exclude"), "{v}");
    // A scale: its options and users.
    let (l, ch) = find(&t, "criterion gsb.1.3", "data_accuracy");
    let v = c.hover(&u, l, ch);
    assert!(v.contains("used by 2 criteria: gsb.1.3, gsb.3.3"), "{v}");
    // An option: weight and labels.
    let (l, ch) = find(&t, "scale data_accuracy", "part_accurate");
    let v = c.hover(&u, l, ch);
    assert!(v.contains("weight 0.5"), "{v}");
    assert!(v.contains("توفير جزء من البيانات بدقة"), "{v}");
    c.stop();
}

#[test]
fn hover_on_a_constant_let_and_an_applicability_condition() {
    let mut c = Client::start();
    let u = "file:///nonexistent/demo.mizan";
    let text = DEMO.replace(
        "criterion c2 {",
        "criterion c2 {\n    applies when kind == large\n    score if answer(c1) == yes then 1 else 0\n   ",
    );
    c.open(u, &text);
    assert!(c.diagnostics(u, 1).is_empty());
    let (l, ch) = find(&text, "let half", "half");
    let v = c.hover(u, l, ch);
    assert!(v.contains("value 0.5"), "{v}");
    c.stop();
    // A named value computed from others: its folded value.
    let mut c = Client::start();
    let text = text.replace("let half = 0.5", "let half = 0.5\n  let third = half * 2 / 3");
    c.open(u, &text);
    let (l, ch) = find(&text, "let third", "third");
    let v = c.hover(u, l, ch);
    assert!(
        v.contains("= `half * 2 / 3`") && v.contains("value 0.3333333333"),
        "{v}"
    );
    let (l, ch) = find(&text, "criterion c2", "c2");
    let v = c.hover(u, l, ch);
    assert!(v.contains("applies when `kind == large`"), "{v}");
    let (l, ch) = find(&text, "answer(c1) == ", "yes");
    let v = c.hover(u, l, ch);
    assert!(
        v.contains("option** of `c1`") && v.contains("`yes` weight 1"),
        "{v}"
    );
    let (l, ch) = find(&text, "applies when", "kind");
    let v = c.hover(u, l, ch);
    assert!(v.contains("one of small, large"), "{v}");
    c.stop();
}

#[test]
fn definition_references_rename_and_symbols() {
    let (p, t) = uae();
    let u = uri(&p);
    let mut c = Client::start();
    c.open(&u, &t);
    let (l, ch) = find(&t, "criterion gsb.1.3", "data_accuracy");
    let d = c.at("textDocument/definition", &u, l, ch + 3);
    let (dl, dc) = find(&t, "scale data_accuracy", "data_accuracy");
    assert_eq!(d["uri"], u);
    assert_eq!(d["range"]["start"], json!({"line": dl, "character": dc}));
    let refs = c.at("textDocument/references", &u, l, ch);
    assert_eq!(refs.as_array().unwrap().len(), 3, "{refs:#}");
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": l, "character": ch}, "newName": "accuracy"}),
    );
    let edits = r["changes"][&u].as_array().unwrap();
    assert_eq!(edits.len(), 3);
    assert!(edits.iter().all(|e| e["newText"] == "accuracy"));
    // An invalid new name is refused.
    let e = c.request_err(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": l, "character": ch}, "newName": "a b"}),
    );
    assert!(e.get("error").is_some(), "{e}");
    // A node: every use, and (confirmed by the user) `renamed OLD -> NEW`
    // for answer sets of the version before.
    let (l, ch) = find(&t, "criterion gsb.1.3", "gsb.1.3");
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": l, "character": ch}, "newName": "gsb.1.9"}),
    );
    let edits = r["documentChanges"][0]["edits"].as_array().unwrap();
    let entry = edits.iter().find(|e| e["annotationId"] == "renamed").unwrap();
    assert_eq!(entry["newText"], "\n  renamed gsb.1.3 -> gsb.1.9");
    assert_eq!(r["changeAnnotations"]["renamed"]["needsConfirmation"], true);
    assert!(edits.iter().filter(|e| e["newText"] == "gsb.1.9").count() >= 1);
    // The test file's cases name the node too: references and rename
    // reach them.
    let (l, ch) = find(&t, "initiative gsb {", "gsb");
    let tu = uri(&root().join("rules/uae/integration/2018.test.mizan"));
    let refs = c.at("textDocument/references", &u, l, ch);
    let in_tests = refs.as_array().unwrap().iter().filter(|r| r["uri"] == tu).count();
    assert!(in_tests >= 5, "{refs:#}");
    // The outline: initiatives, their axes, their criteria.
    let syms = c.request("textDocument/documentSymbol", json!({"textDocument": {"uri": u}}));
    let gsb = syms
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "gsb")
        .unwrap();
    assert!(gsb["detail"].as_str().unwrap().contains("initiative"));
    assert_eq!(gsb["children"][0]["name"], "gsb.1");
    assert_eq!(gsb["children"][0]["children"][0]["name"], "gsb.1.1");
    assert!(syms
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["name"] == "data_accuracy"));
    c.stop();
}

#[test]
fn a_test_file_case_goes_to_the_node_in_the_rule_file() {
    let p = root().join("rules/uae/integration/2018.test.mizan");
    let t = std::fs::read_to_string(&p).unwrap();
    let u = uri(&p);
    let mut c = Client::start();
    c.open(&u, &t);
    assert!(c.diagnostics(&u, 1).iter().all(|d| d["severity"] != 1));
    let (l, ch) = find(&t, "expect gsb =", "gsb");
    let d = c.at("textDocument/definition", &u, l, ch);
    let (_, rt) = uae();
    let (dl, dc) = find(&rt, "initiative gsb {", "gsb");
    assert_eq!(d["uri"], uri(&root().join("rules/uae/integration/2018.mizan")));
    assert_eq!(d["range"]["start"], json!({"line": dl, "character": dc}));
    let v = c.hover(&u, l, ch);
    assert!(v.contains("Government Service Bus"), "{v}");
    c.stop();
}

#[test]
fn a_test_file_names_an_unknown_node_and_a_closed_cycle_is_edited() {
    let p = root().join("rules/uae/integration/2018.test.mizan");
    let t = std::fs::read_to_string(&p)
        .unwrap()
        .replacen("expect gsb =", "expect gbs =", 1);
    let u = uri(&p);
    let mut c = Client::start();
    c.open(&u, &t);
    let d = c.diagnostics(&u, 1);
    let e: Vec<_> = d.iter().filter(|d| d["severity"] == 1).collect();
    assert_eq!(e.len(), 1, "{d:#?}");
    let (l, ch) = find(&t, "expect gbs", "gbs");
    assert_eq!(
        e[0]["range"]["start"],
        json!({"line": l, "character": ch}),
        "{e:#?}"
    );
    assert!(e[0]["message"].as_str().unwrap().contains("`gsb`"), "{e:#?}");
    // A locked rule file (a closed cycle) whose text changes: as `mizan check`.
    let (rp, rt) = uae();
    let locked = rt.replacen("precision 2", "precision 3", 1);
    c.open(&uri(&rp), &locked);
    let d = c.diagnostics(&uri(&rp), 1);
    let lock = std::fs::read_to_string(root().join("rules/mizan.lock")).unwrap();
    if lock.contains("uae.integration") {
        assert!(d.iter().any(|d| d["severity"] == 1), "{d:#?}");
    }
    c.stop();
}

#[test]
fn completion_of_bands_in_a_test_file() {
    let p = root().join("rules/uae/proactive-readiness/2020.test.mizan");
    let t = std::fs::read_to_string(&p).unwrap();
    let u = uri(&p);
    let mut c = Client::start();
    c.open(&u, &t);
    c.diagnostics(&u, 1);
    let (l, ch) = find(&t, "expect band = ", "candidate");
    let got = c.at("textDocument/completion", &u, l, ch);
    let got: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(got.contains(&"candidate"), "{got:?}");
    c.stop();
}

#[test]
fn completion_by_context() {
    let mut c = Client::start();
    let u = "file:///nonexistent/demo.mizan";
    c.open(u, DEMO);
    assert!(c.diagnostics(u, 1).is_empty());
    let labels = |v: &Value| -> Vec<String> {
        let items = v
            .as_array()
            .cloned()
            .or_else(|| v["items"].as_array().cloned())
            .unwrap();
        items
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    // Mid-edit (the file does not parse): the last good rubric is used.
    let mut text = DEMO.replace(
        "criterion c2 { choice yes_no }",
        "criterion c2 { choice yes_no\n    score if answer(c1) == ",
    );
    let (l, ch) = find(&text, "answer(c1) ==", "== ");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let got = labels(&c.at("textDocument/completion", u, l, ch + 3));
    assert_eq!(got, ["yes", "no"]);
    text = DEMO.replace(
        "criterion c2 { choice yes_no }",
        "criterion c2 {\n    applies when kind == ",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    let (l, ch) = find(&text, "applies when", "kind");
    let got = labels(&c.at("textDocument/completion", u, l, ch));
    assert!(got.contains(&"kind".to_string()), "{got:?}");
    let got = labels(&c.at("textDocument/completion", u, l, ch + 8));
    assert_eq!(got, ["small", "large"]);
    text = DEMO.replace("criterion c2 { choice yes_no }", "criterion c2 { choice ");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 4}, "contentChanges": [{"text": text}]}),
    );
    let (l, ch) = find(&text, "criterion c2", "choice ");
    assert_eq!(labels(&c.at("textDocument/completion", u, l, ch + 7)), ["yes_no"]);
    // At the start of a line: keywords.
    let (l, _) = find(&text, "aggregate mean", "aggregate");
    let got = labels(&c.at("textDocument/completion", u, l, 2));
    for k in ["aggregate", "scale", "applies when", "criterion", "rank"] {
        assert!(got.contains(&k.to_string()), "{k}: {got:?}");
    }
    // Only the language's keywords (the parser's list): `applies` comes
    // with its `when`, and there is no `function` declaration.
    for k in ["applies", "function"] {
        assert!(!got.contains(&k.to_string()), "{k}: {got:?}");
    }
    c.stop();
}

#[test]
fn formatting_is_mizan_fmt() {
    let mut c = Client::start();
    let u = "file:///nonexistent/demo.mizan";
    let messy = DEMO.replace("  aggregate mean", "aggregate    mean");
    c.open(u, &messy);
    let e = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let new = e[0]["newText"].as_str().unwrap();
    assert!(new.contains("\n  aggregate mean\n"), "{new}");
    // A locked rubric (a closed cycle's published rules) is left as it is,
    // as `mizan fmt` leaves it: no edit.
    let (p, t) = uae();
    c.open(&uri(&p), &t);
    let e = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&p)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(e, json!([]));
    c.stop();
}

#[test]
fn answer_sets_are_checked_against_the_rubric_they_name() {
    let p = root().join("examples/uae-integration-2018/fahr.json");
    let t = std::fs::read_to_string(&p).unwrap();
    let u = uri(&p);
    let mut c = Client::start();
    c.open(&u, &t);
    assert_eq!(c.diagnostics(&u, 1), Vec::<Value>::new());
    let (l, ch) = find(&t, "\"answers\"", "\"fednet.1.2\"");
    let v = c.hover(&u, l, ch + 3);
    assert!(v.contains("fednet.1.2") && v.contains("weight"), "{v}");
    let bad = t.replacen("\"fednet.1.2\": \"no\"", "\"fednet.1.2\": \"nope\"", 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": bad}]}),
    );
    let d = c.diagnostics(&u, 2);
    assert_eq!(d.len(), 1, "{d:#?}");
    let (l, ch) = find(&bad, "\"answers\"", "\"fednet.1.2\"");
    assert_eq!(
        d[0]["range"]["start"],
        json!({"line": l, "character": ch}),
        "{d:#?}"
    );
    c.stop();
}

/// A field of labelled values (`one of { … }`): hover lists each value
/// with its labels, and completion after `field ==` shows them.
#[test]
fn labelled_profile_values_in_hover_and_completion() {
    let mut c = Client::start();
    let u = "file:///nonexistent/demo.mizan";
    let text = DEMO.replace(
        "profile { kind: one of small, large }",
        "profile {\n    kind: one of {\n      small ar \"صغيرة\" en \"Small entity\"\n      large en \"Large entity\"\n    } en \"Size\"\n  }",
    );
    c.open(u, &text);
    assert!(c.diagnostics(u, 1).is_empty());
    let (l, ch) = find(&text, "kind: one of", "kind");
    let v = c.hover(u, l, ch);
    assert!(
        v.contains("one of small, large")
            && v.contains("`small` ar \"صغيرة\" en \"Small entity\"")
            && v.contains("`large` en \"Large entity\""),
        "{v}"
    );
    // A value in a condition: its field and labels.
    let cond = text.replace(
        "criterion c2 { choice yes_no }",
        "criterion c2 { choice yes_no  applies when kind == small }",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": cond}]}),
    );
    assert!(c.diagnostics(u, 2).is_empty());
    let (l, ch) = find(&cond, "kind == small", "small");
    let v = c.hover(u, l, ch);
    assert_eq!(
        v,
        "**value** `small` of profile field `kind` ar \"صغيرة\" en \"Small entity\""
    );
    let edited = text.replace(
        "criterion c2 { choice yes_no }",
        "criterion c2 {\n    applies when kind == ",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [{"text": edited}]}),
    );
    let (l, ch) = find(&edited, "applies when", "kind");
    let got = c.at("textDocument/completion", u, l, ch + 8);
    let items = got
        .as_array()
        .cloned()
        .or_else(|| got["items"].as_array().cloned())
        .unwrap();
    let details: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap().into(),
                i["detail"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        details,
        [
            (
                "small".to_string(),
                "value of `kind` ar \"صغيرة\" en \"Small entity\"".to_string()
            ),
            (
                "large".to_string(),
                "value of `kind` en \"Large entity\"".to_string()
            ),
        ]
    );
    c.stop();
}
