//! `mizan-lsp`: the Mizan language server, over stdio.
//!
//! Built on `lsp-server` + `lsp-types` (rust-analyzer's own stack):
//! synchronous, small, no async runtime. The main loop answers requests
//! from the documents as they are now; diagnostics are computed on a
//! worker thread after a short quiet period (debounce), for the latest
//! version of each changed document only, so typing never waits for a
//! check. Every answer reuses the library: `syntax::parse_document`,
//! `check::check`, `testing::load`, `fmt::format`.

mod analysis;
mod features;
mod index;
mod pos;

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use serde_json::{json, Value};

use analysis::Analysis;

/// How long a document must stay unchanged before it is checked.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// An open document.
pub struct Doc {
    /// Its text now.
    pub text: String,
    /// The editor's version.
    pub version: i64,
}

/// Documents and their latest analysis, shared by the loop and the worker.
#[derive(Default)]
pub struct State {
    docs: HashMap<String, Doc>,
    cache: HashMap<String, (i64, Arc<Analysis>)>,
    /// The workspace's root folder (for answer sets' rules directory).
    pub root: Option<std::path::PathBuf>,
}

type Shared = Arc<Mutex<State>>;

/// The analysis of `uri` as it is now (computed once per version).
pub fn analysis(state: &Shared, uri: &str) -> Option<Arc<Analysis>> {
    let (text, version, root) = {
        let s = state.lock().ok()?;
        let d = s.docs.get(uri)?;
        if let Some((v, a)) = s.cache.get(uri) {
            if *v == d.version {
                return Some(a.clone());
            }
        }
        (d.text.clone(), d.version, s.root.clone())
    };
    let mut a = Analysis::new(uri, text, root.as_deref());
    a.version = Some(version);
    if a.model.is_none() {
        // While the file does not check (mid-edit), completion and hover
        // use the rubric of the last version that did.
        a.model = state
            .lock()
            .ok()
            .and_then(|s| s.cache.get(uri).and_then(|(_, p)| p.model.clone()));
        a.stale = a.model.is_some();
    }
    let a = Arc::new(a);
    if let Ok(mut s) = state.lock() {
        if s.docs.get(uri).is_some_and(|d| d.version == version) {
            s.cache.insert(uri.to_string(), (version, a.clone()));
        }
    }
    Some(a)
}

fn main() -> ExitCode {
    // The library recurses as deep as an expression nests: give the
    // server's threads the stack the `mizan` command gives its own.
    let run = std::thread::Builder::new()
        .name("mizan-lsp".into())
        .stack_size(mizan::STACK_SIZE)
        .spawn(serve);
    match run.map(|h| h.join()) {
        Ok(Ok(Ok(()))) => ExitCode::SUCCESS,
        Ok(Ok(Err(e))) => {
            eprintln!("mizan-lsp: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::FAILURE,
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What the server answers (typed by `lsp-types`, so that a misspelt
/// capability does not compile).
fn capabilities() -> Value {
    use lsp_types::{
        CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions, OneOf,
        PositionEncodingKind, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
        TextDocumentSyncOptions,
    };
    let caps = ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            ..Default::default()
        })),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".into(), "(".into(), ".".into()]),
            ..Default::default()
        }),
        ..Default::default()
    };
    serde_json::to_value(caps).unwrap_or(Value::Null)
}

fn serve() -> Result<(), Error> {
    let (conn, io) = Connection::stdio();
    let params = conn.initialize(capabilities())?;
    let state: Shared = Arc::default();
    if let Ok(mut s) = state.lock() {
        s.root = params
            .get("rootUri")
            .and_then(Value::as_str)
            .and_then(analysis::uri_path);
    }
    let (tx, rx) = unbounded::<String>();
    let worker = {
        let state = state.clone();
        let out = conn.sender.clone();
        std::thread::Builder::new()
            .name("mizan-lsp-check".into())
            .stack_size(mizan::STACK_SIZE)
            .spawn(move || check_worker(&state, &rx, &out))?
    };
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req)? {
                    break;
                }
                let resp = request(&state, req);
                conn.sender.send(Message::Response(resp))?;
            }
            Message::Notification(n) => notification(&state, &tx, n),
            Message::Response(_) => {}
        }
    }
    drop(tx);
    let _ = worker.join();
    // The writer thread ends when the last sender of the connection is gone.
    drop(conn);
    io.join()?;
    Ok(())
}

/// Checks the documents that changed, each once the edits to it pause.
fn check_worker(state: &Shared, rx: &Receiver<String>, out: &crossbeam_channel::Sender<Message>) {
    while let Ok(first) = rx.recv() {
        let mut dirty: Vec<String> = vec![first];
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(u) => {
                    if !dirty.contains(&u) {
                        dirty.push(u);
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        for uri in dirty {
            let (diags, version) = match analysis(state, &uri) {
                Some(a) => (a.diagnostics.clone(), a.version),
                None => (Vec::new(), None),
            };
            let mut params = json!({"uri": uri, "diagnostics": diags});
            if let (Some(v), Some(o)) = (version, params.as_object_mut()) {
                o.insert("version".into(), json!(v));
            }
            let n = Notification::new(
                <notification::PublishDiagnostics as notification::Notification>::METHOD.into(),
                params,
            );
            if out.send(Message::Notification(n)).is_err() {
                return;
            }
        }
    }
}

fn notification(state: &Shared, tx: &crossbeam_channel::Sender<String>, n: Notification) {
    let p = &n.params;
    let uri = p
        .pointer("/textDocument/uri")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let version = p
        .pointer("/textDocument/version")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let Ok(mut s) = state.lock() else { return };
    match n.method.as_str() {
        notification::DidOpenTextDocument::METHOD => {
            let text = p
                .pointer("/textDocument/text")
                .and_then(Value::as_str)
                .unwrap_or("");
            s.docs.insert(
                uri.clone(),
                Doc {
                    text: text.to_string(),
                    version,
                },
            );
        }
        notification::DidChangeTextDocument::METHOD => {
            let Some(d) = s.docs.get_mut(&uri) else { return };
            for c in p
                .get("contentChanges")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                apply_change(&mut d.text, c);
            }
            d.version = version;
        }
        notification::DidCloseTextDocument::METHOD => {
            s.docs.remove(&uri);
            s.cache.remove(&uri);
        }
        _ => return,
    }
    drop(s);
    let _ = tx.send(uri);
}

/// Applies one `TextDocumentContentChangeEvent`: a range and its new text,
/// or (without a range) the whole new text.
pub fn apply_change(text: &mut String, change: &Value) {
    let new = change.get("text").and_then(Value::as_str).unwrap_or("");
    match change.get("range") {
        Some(r) if !r.is_null() => {
            let ix = pos::LineIndex::new(text);
            let start = ix.offset_of(r.get("start").unwrap_or(&Value::Null));
            let end = ix.offset_of(r.get("end").unwrap_or(&Value::Null)).max(start);
            text.replace_range(start..end, new);
        }
        _ => *text = new.to_string(),
    }
}

fn request(state: &Shared, req: Request) -> Response {
    let p = &req.params;
    let uri = p
        .pointer("/textDocument/uri")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(a) = analysis(state, &uri) else {
        return Response::new_ok(req.id, Value::Null);
    };
    let pos = p.get("position").map(|v| a.line_index().offset_of(v));
    let result = match req.method.as_str() {
        request::HoverRequest::METHOD => features::hover(&a, pos.unwrap_or(0)),
        request::GotoDefinition::METHOD => features::definition(&a, pos.unwrap_or(0)),
        request::References::METHOD => {
            let decl = p
                .pointer("/context/includeDeclaration")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            features::references(&a, pos.unwrap_or(0), decl)
        }
        request::Rename::METHOD => {
            let new = p.get("newName").and_then(Value::as_str).unwrap_or("");
            match features::rename(&a, pos.unwrap_or(0), new) {
                Ok(v) => v,
                Err(m) => {
                    return Response::new_err(req.id, lsp_server::ErrorCode::InvalidParams as i32, m);
                }
            }
        }
        request::DocumentSymbolRequest::METHOD => features::symbols(&a),
        request::Formatting::METHOD => features::formatting(&a),
        request::CodeActionRequest::METHOD => features::code_actions(&a, p),
        request::Completion::METHOD => features::completion(&a, pos.unwrap_or(0)),
        _ => {
            return Response::new_err(
                req.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("unsupported request {}", req.method),
            )
        }
    };
    Response::new_ok(req.id, result)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn partial_edits_use_utf16_columns() {
        let mut t = String::from("title ar \"مَرحبا 😀\" en \"Hi\"\n");
        // Replace `Hi` (after 2 + 2 + ... units) with `Hello`.
        let col = t
            .find("Hi")
            .map(|b| pos::LineIndex::new(&t).position(b).1)
            .unwrap();
        apply_change(
            &mut t,
            &json!({"range": {"start": {"line": 0, "character": col}, "end": {"line": 0, "character": col + 2}}, "text": "Hello"}),
        );
        assert_eq!(t, "title ar \"مَرحبا 😀\" en \"Hello\"\n");
        apply_change(&mut t, &json!({"text": "x"}));
        assert_eq!(t, "x");
    }
}
