//! Diagnostics shared by every stage: source locations, the collected
//! diagnostics of a run, and the registry of stable codes.
//!
//! Each stage owns its own error enum (`SyntaxError`, `CheckError`,
//! `AnswerError`, `EvalError`); this module only provides what they share:
//!
//! * [`Src`] — a named source text, cheap to clone (an `Arc`).
//! * [`Loc`] — a byte span inside a [`Src`]. Spans are byte offsets, as miette
//!   counts them; `syntax::lower` is the only place that turns pest spans into
//!   `Loc`s.
//! * [`Diagnostics`] — errors and warnings kept in separate lists, so that
//!   `--deny-warnings` is a simple policy and checking never stops at the
//!   first problem.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, MietteError, MietteSpanContents, NamedSource, Severity, SourceCode, SourceSpan, SpanContents,
};

/// A named source text (a rule file), shared by every location that points
/// into it.
#[derive(Clone)]
pub struct Src(Arc<NamedSource<Arc<str>>>);

impl Src {
    /// Wraps `text`, read from `name`.
    pub fn new(name: impl AsRef<str>, text: impl Into<Arc<str>>) -> Self {
        Src(Arc::new(NamedSource::new(name, text.into())))
    }

    /// The name the source was loaded under (usually a path).
    pub fn name(&self) -> &str {
        self.0.name()
    }

    /// The full text.
    pub fn text(&self) -> &str {
        self.0.inner()
    }
}

impl fmt::Debug for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Src({:?})", self.name())
    }
}

impl PartialEq for Src {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .0
            .read_span(span, context_lines_before, context_lines_after)?;
        if context_lines_before != 0 {
            return Ok(inner);
        }
        // miette counts the column of a span's start in bytes; people and
        // editors count characters (`9:64`, not `9:79`, after Arabic text).
        let text = self.text();
        let start = span.offset().min(text.len());
        let line_start = text.get(..start).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
        let column = text
            .get(line_start..start)
            .map_or(inner.column(), |t| t.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// A location in a rule file: a byte span plus the file it belongs to.
///
/// Every AST node carries one, and the checked model keeps the `Loc` of each
/// declaration so that evaluation and review can point back to the rules.
#[derive(Clone, Debug)]
pub struct Loc {
    /// Byte span, as miette counts.
    pub span: SourceSpan,
    /// The file the span points into.
    pub src: Src,
}

impl Loc {
    /// A location covering `start..end` (bytes) of `src`.
    pub fn new(src: &Src, start: usize, end: usize) -> Self {
        Loc {
            span: SourceSpan::from(start..end),
            src: src.clone(),
        }
    }

    /// The source text under the span.
    pub fn snippet(&self) -> &str {
        let start = self.span.offset();
        let end = start + self.span.len();
        self.src.text().get(start..end).unwrap_or("")
    }

    /// A location from the start of `self` to the end of `other`.
    pub fn to(&self, other: &Loc) -> Loc {
        let start = self.span.offset();
        let end = other.span.offset() + other.span.len();
        Loc::new(&self.src, start, end.max(start))
    }
}

/// Locations compare equal regardless of where they are: two ASTs that differ
/// only in layout are equal (the formatter relies on this).
impl PartialEq for Loc {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One diagnostic of any stage, boxed.
pub type Diag = Box<dyn Diagnostic + Send + Sync + 'static>;

/// What identifies a filed diagnostic: file, code, labelled spans, message.
type Filed = (String, String, Vec<(usize, usize)>, String);

/// All diagnostics of a run, errors and warnings apart.
#[derive(Default)]
pub struct Diagnostics {
    /// Problems that stop the rubric from being used.
    pub errors: Vec<Diag>,
    /// Problems worth fixing that do not stop evaluation.
    pub warnings: Vec<Diag>,
    /// What was filed already: (file, code, labelled spans, message). A formula
    /// template is checked again everywhere it is copied in, so one mistake
    /// in it would otherwise be reported once per copy (52,633 times for
    /// one unknown name in a template used 2^15 times, found by fuzzing).
    seen: std::collections::HashSet<Filed>,
}

impl fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diagnostics")
            .field(
                "errors",
                &self.errors.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            )
            .field(
                "warnings",
                &self.warnings.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Diagnostics {
    /// Files a diagnostic in the list its severity says.
    /// The same diagnostic (same code, places and message) is filed once.
    pub fn push<D: Diagnostic + Send + Sync + 'static>(&mut self, d: D) {
        let file = d
            .source_code()
            .and_then(|s| s.read_span(&(0..0).into(), 0, 0).ok())
            .and_then(|c| c.name().map(str::to_string))
            .unwrap_or_default();
        let key = (
            file,
            d.code().map(|c| c.to_string()).unwrap_or_default(),
            d.labels()
                .map(|ls| ls.map(|l| (l.offset(), l.len())).collect())
                .unwrap_or_default(),
            d.to_string(),
        );
        if !self.seen.insert(key) {
            return;
        }
        match d.severity() {
            Some(Severity::Warning) | Some(Severity::Advice) => self.warnings.push(Box::new(d)),
            _ => self.errors.push(Box::new(d)),
        }
    }

    /// Moves every diagnostic of `other` into `self`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
        self.seen.extend(other.seen);
    }

    /// True when there is at least one error.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Number of errors so far.
    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    /// True when there is nothing at all.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.warnings.is_empty()
    }

    /// Stable codes of every diagnostic, errors first.
    pub fn codes(&self) -> Vec<String> {
        self.errors
            .iter()
            .chain(&self.warnings)
            .map(|d| d.code().map(|c| c.to_string()).unwrap_or_default())
            .collect()
    }

    /// All diagnostics, errors first, then warnings.
    pub fn iter(&self) -> impl Iterator<Item = &Diag> {
        self.errors.iter().chain(self.warnings.iter())
    }
}

/// The base of every diagnostic's documentation link.
pub const DOCS_URL: &str = "https://github.com/mizan-lang/mizan/blob/main/docs/diagnostics.md";

/// True for a character that cannot be seen, or looks like a plain space
/// but is not one: controls, formatting characters (zero-width,
/// bidirectional marks, U+FEFF) and the other spaces (U+00A0 …).
pub fn is_hidden(c: char) -> bool {
    crate::answers::is_invisible(c) || (c != ' ' && c.is_whitespace()) || c == '\u{00A0}'
}

/// The Unicode name of a hidden character, where Mizan knows it.
pub fn hidden_name(c: char) -> Option<&'static str> {
    crate::syntax::char_name(c)
}

/// `s` with every hidden character ([`is_hidden`]) written out by its code,
/// `yes<U+200F>`, so that a message shows what the eye cannot. Control
/// characters (ESC, newline) are left to the renderers, which write them
/// `\u{1b}` on a terminal ([`crate::answers::printable`]).
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let shown = |c: char| is_hidden(c) && !c.is_control();
    if !s.chars().any(shown) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if shown(c) {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// "remove the invisible character U+200F (RIGHT-TO-LEFT MARK)" when `s`
/// has hidden characters, naming the first.
pub fn hidden_help(s: &str) -> Option<String> {
    let c = s.chars().find(|&c| is_hidden(c))?;
    let name = hidden_name(c).map(|n| format!(" ({n})")).unwrap_or_default();
    let kind = if c.is_whitespace() || c == '\u{00A0}' {
        "the space-like character"
    } else {
        "the invisible character"
    };
    let clean: String = s.chars().filter(|&c| !is_hidden(c)).collect();
    Some(format!(
        "remove {kind} U+{:04X}{name}: `{}` reads `{}` without it (text copied from a document or a web page often carries such characters)",
        u32::from(c),
        visible(s),
        visible(clean.trim())
    ))
}

/// "did you mean `x`?" for the closest of `candidates` to `name`, by
/// normalised Damerau–Levenshtein similarity (ties: the smallest name).
///
/// A name that differs from a candidate only by hidden characters gets
/// "remove the invisible character …"; one that differs only in case
/// gets "… are case-sensitive: did you mean `x`?".
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if name.chars().any(is_hidden) {
        let clean: String = name.chars().filter(|&c| !is_hidden(c)).collect();
        if candidates.contains(&clean.trim()) {
            return hidden_help(name);
        }
    }
    if let Some(c) = candidates
        .iter()
        .find(|c| c.to_lowercase() == name.to_lowercase())
    {
        return Some(format!(
            "ids are case-sensitive (`{}` is not `{c}`): did you mean `{c}`?",
            visible(name)
        ));
    }
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let s = strsim::normalized_damerau_levenshtein(name, c);
        if s >= 0.6 && best.is_none_or(|(b, bc)| s > b || (s == b && c < bc)) {
            best = Some((s, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}
