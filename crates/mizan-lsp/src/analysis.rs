//! One document, parsed and checked by the library, with its diagnostics
//! in LSP form.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::Severity;
use mizan::ast::Document;
use mizan::diag::{Diag, Diagnostics, Src, DOCS_URL};
use mizan::model::Model;
use serde_json::{json, Value};

use crate::index::Index;
use crate::pos::LineIndex;

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A `.mizan` rule file.
    Rules,
    /// A `.test.mizan` file.
    Tests,
    /// An answer set (`*.json` naming a `rubric`).
    Answers,
}

/// The rule file a test file (or answer set) is read against.
pub struct Rubric {
    /// Its `file://` URI.
    pub uri: String,
    /// Its text.
    pub text: String,
    /// Its names.
    pub index: Index,
}

/// A document, analysed.
pub struct Analysis {
    /// The document's URI.
    pub uri: String,
    /// Its path, for a `file://` URI.
    pub path: Option<PathBuf>,
    /// Its text.
    pub text: String,
    /// What it is.
    pub kind: Kind,
    /// Its AST, when it parses.
    pub doc: Option<Document>,
    /// Its names.
    pub index: Index,
    /// The checked rubric: this file's, or (for a test file or answer set)
    /// the rubric it is for.
    pub model: Option<Arc<Model>>,
    /// True when `model` is of an earlier version of this document.
    pub stale: bool,
    /// For a test file: the rule file it tests.
    pub rubric: Option<Rubric>,
    /// For a rule file: its test file (`NAME.test.mizan` beside it), whose
    /// cases name its nodes.
    pub tests: Option<Rubric>,
    /// LSP diagnostics.
    pub diagnostics: Vec<Value>,
    /// The editor's version (unused in the analysis itself).
    pub version: Option<i64>,
}

/// The path of a `file://` URI (percent-decoded).
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(h) = hex {
                out.push(h);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// The `file://` URI of a path.
pub fn path_uri(p: &Path) -> String {
    let mut s = String::from("file://");
    for b in p.display().to_string().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

impl Analysis {
    /// Parses and checks `text`, the content of `uri`.
    pub fn new(uri: &str, text: String, root: Option<&Path>) -> Self {
        let path = uri_path(uri);
        let name = path
            .as_ref()
            .map_or_else(|| uri.to_string(), |p| p.display().to_string());
        let kind = if name.ends_with(".test.mizan") {
            Kind::Tests
        } else if name.ends_with(".json") {
            Kind::Answers
        } else {
            Kind::Rules
        };
        let mut a = Analysis {
            uri: uri.to_string(),
            path,
            text,
            kind,
            doc: None,
            index: Index::default(),
            model: None,
            stale: false,
            rubric: None,
            tests: None,
            diagnostics: Vec::new(),
            version: None,
        };
        if kind == Kind::Answers {
            crate::features::answers(&mut a, root);
            return a;
        }
        let src = Src::new(&name, a.text.as_str());
        let (doc, mut diags) = mizan::syntax::parse_document(&src);
        if let Some(d) = &doc {
            a.index = Index::new(d);
        }
        match (&doc, kind) {
            (Some(Document::Rubric(f)), _) if !diags.has_errors() => {
                let (model, more) = mizan::check::check(f);
                diags.extend(more);
                // As `mizan check`: the file's place in the rules
                // directory, and the lock of closed cycles.
                if let (Some(m), Some(p)) = (&model, &a.path) {
                    for e in mizan::versions::check_path(m, p) {
                        diags.push(e);
                    }
                    if let Ok(Some(e)) = mizan::versions::check_lock(m, p) {
                        diags.push(e);
                    }
                }
                a.model = model.map(Arc::new);
                a.tests = a.path.as_deref().and_then(sibling_tests);
            }
            (Some(Document::Tests(_)), Kind::Tests) if !diags.has_errors() => {
                let p = a.path.clone().unwrap_or_else(|| PathBuf::from(&name));
                diags = match mizan::testing::load(&p, &a.text) {
                    Ok(suite) => {
                        a.model = Some(Arc::new(suite.rubric.model().clone()));
                        Diagnostics::default()
                    }
                    Err(d) => d,
                };
                a.rubric = mizan::testing::rubric_path(&p).and_then(|rp| {
                    let text = std::fs::read_to_string(&rp).ok()?;
                    if a.model.is_none() {
                        a.model = mizan::load(&rp.display().to_string(), &text)
                            .0
                            .map(|r| Arc::new(r.model().clone()));
                    }
                    let (d, _) =
                        mizan::syntax::parse_document(&Src::new(rp.display().to_string(), text.as_str()));
                    Some(Rubric {
                        uri: path_uri(&rp),
                        index: d.as_ref().map(Index::new).unwrap_or_default(),
                        text,
                    })
                });
            }
            _ => {}
        }
        a.doc = doc;
        let ix = LineIndex::new(&a.text);
        a.diagnostics = diags.iter().map(|d| to_lsp(d, &name, uri, &ix)).collect();
        a
    }

    /// The positions of this document's text.
    pub fn line_index(&self) -> LineIndex<'_> {
        LineIndex::new(&self.text)
    }
}

/// The test file beside a rule file, read and indexed.
fn sibling_tests(rules: &Path) -> Option<Rubric> {
    let stem = rules.file_name()?.to_str()?.strip_suffix(".mizan")?;
    let p = rules.with_file_name(format!("{stem}.test.mizan"));
    let text = std::fs::read_to_string(&p).ok()?;
    let (d, _) = mizan::syntax::parse_document(&Src::new(p.display().to_string(), text.as_str()));
    Some(Rubric {
        uri: path_uri(&p),
        index: d.as_ref().map(Index::new).unwrap_or_default(),
        text,
    })
}

/// The name of the file a diagnostic points into.
fn file_of(d: &Diag) -> Option<String> {
    d.source_code()
        .and_then(|s| s.read_span(&(0..0).into(), 0, 0).ok())
        .and_then(|c| c.name().map(str::to_string))
}

/// "did you mean `x`?" in a help text: `x`.
pub fn suggestion(help: &str) -> Option<String> {
    let rest = help.split("did you mean `").nth(1)?;
    let s = rest.split('`').next()?;
    (!s.is_empty()).then(|| s.to_string())
}

/// One library diagnostic as an LSP `Diagnostic`: code, message with its
/// help, range of its first label, severity, link to its documentation,
/// the other labels as related information, and the "did you mean"
/// replacement in `data` (for the quick fix).
pub fn to_lsp(d: &Diag, name: &str, uri: &str, ix: &LineIndex) -> Value {
    let code = d.code().map(|c| c.to_string()).unwrap_or_default();
    let here = file_of(d).is_none_or(|f| f == name);
    let labels: Vec<_> = d.labels().map(|l| l.collect()).unwrap_or_default();
    let (start, end) = labels
        .first()
        .filter(|_| here)
        .map_or((0, 0), |l| (l.offset(), l.offset() + l.len()));
    let mut message = d.to_string();
    if !here {
        if let Some(f) = file_of(d) {
            message = format!("{f}: {message}");
        }
    }
    let help = d.help().map(|h| h.to_string());
    if let Some(h) = &help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let severity = match d.severity() {
        Some(Severity::Warning) => 2,
        Some(Severity::Advice) => 3,
        _ => 1,
    };
    let mut v = json!({
        "range": ix.range(start, end),
        "severity": severity,
        "source": "mizan",
        "message": message,
    });
    if let Some(o) = v.as_object_mut() {
        if !code.is_empty() {
            o.insert("code".into(), json!(code));
            o.insert(
                "codeDescription".into(),
                json!({"href": format!("{DOCS_URL}#{}", code.to_lowercase())}),
            );
        }
        if here && labels.len() > 1 {
            let related: Vec<Value> = labels
                .iter()
                .skip(1)
                .map(|l| {
                    json!({"location": {"uri": uri, "range": ix.range(l.offset(), l.offset() + l.len())},
                           "message": l.label().unwrap_or("here")})
                })
                .collect();
            o.insert("relatedInformation".into(), json!(related));
        }
        if let Some(s) = help.as_deref().and_then(suggestion).filter(|_| here) {
            o.insert("data".into(), json!({"replace": s}));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn uris() {
        let p = uri_path("file:///tmp/a%20b/%D9%85.mizan").unwrap();
        assert_eq!(p, PathBuf::from("/tmp/a b/م.mizan"));
        assert_eq!(uri_path(&path_uri(&p)).unwrap(), p);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggestion("did you mean `yes`?").as_deref(), Some("yes"));
        assert_eq!(suggestion("write 0.6"), None);
    }
}
