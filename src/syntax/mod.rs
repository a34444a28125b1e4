//! Stage 1: source text → AST.
//!
//! [`parse`] runs the pest grammar (`grammar/mizan.pest`) and lowers the
//! parse tree into [`crate::ast`] types (`lower.rs`, the only module that
//! touches pest spans). A syntax error is reported in plain words: pest's
//! set of expected rules is translated by `names.rs`, so users never see a
//! raw rule name such as `EOI`.
//!
//! Before pest runs, a cheap scan bounds the nesting depth of braces,
//! brackets and parentheses, so a hostile file cannot overflow the stack.
//! After pest fails, `braces.rs` matches the braces and strings as written,
//! so that a missing `}`, an extra `}` or an unterminated string is named
//! where it is, not where pest gave up.

mod braces;
mod lookalike;
mod lower;
pub(crate) mod names;
#[cfg(test)]
mod tests;

use miette::{Diagnostic, SourceSpan};
use pest::Parser;
use thiserror::Error;

use crate::ast;
use crate::diag::{Diagnostics, Src};

mod grammar {
    /// The pest parser generated from `grammar/mizan.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/mizan.pest"]
    pub(crate) struct MizanParser;
}
pub(crate) use grammar::{MizanParser, Rule};

/// Deepest nesting of `{`, `(` and `[` a rule file may use.
pub const MAX_DEPTH: usize = 64;

/// Most operators one formula may use.
pub const MAX_OPERATORS: usize = 256;

/// Deepest nesting of one expression as written: each operator, `if … then
/// … else`, bracket, call and list adds a level (M0109). Every stage that
/// walks an expression (lowering, checking, evaluation, formatting, review)
/// recurses at most this deep; with formula templates expanded, the checked
/// expression is bounded by [`crate::check::MAX_EXPANDED_DEPTH`].
pub const MAX_EXPR_DEPTH: usize = 256;

/// Largest rule or test file read, in bytes (the largest shipped rubric is
/// about 60 KB).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Longest identifier or node id, in characters.
pub const MAX_IDENT: usize = 128;

/// Most nodes in one rubric.
pub const MAX_NODES: usize = 50_000;

/// Errors of the syntax stage.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum SyntaxError {
    /// The text does not follow the grammar.
    ///
    /// `rubric demo { weight }` — `weight` needs a number.
    #[error("{message}")]
    #[diagnostic(code(M0101), url("docs/diagnostics.md#m0101"))]
    Unexpected {
        /// "unexpected `x`, expected …".
        message: String,
        /// The file.
        #[source_code]
        src: Src,
        /// Where parsing stopped.
        #[label("{label}")]
        span: SourceSpan,
        /// Short label.
        label: String,
        /// Longer explanation.
        #[help]
        help: Option<String>,
    },

    /// A number literal that exact decimal arithmetic cannot hold.
    ///
    /// `weight 123456789012345678901234567890` — more than 28 significant digits.
    #[error("number `{text}` is too large or too precise")]
    #[diagnostic(
        code(M0102),
        url("docs/diagnostics.md#m0102"),
        help("numbers are exact decimals with at most 28 significant digits")
    )]
    InvalidNumber {
        /// The literal.
        text: String,
        /// The file.
        #[source_code]
        src: Src,
        /// The literal's span.
        #[label("cannot be represented exactly")]
        span: SourceSpan,
    },

    /// Braces, brackets or parentheses nested too deeply.
    ///
    /// A formula such as `((((((…))))))` with more than 64 levels.
    #[error("nesting is deeper than {max} levels")]
    #[diagnostic(
        code(M0103),
        url("docs/diagnostics.md#m0103"),
        help("split the hierarchy or the formula; Mizan refuses deeper nesting to stay safe on any input")
    )]
    TooDeep {
        /// The limit.
        max: usize,
        /// The file.
        #[source_code]
        src: Src,
        /// The first bracket past the limit.
        #[label("too deep here")]
        span: SourceSpan,
    },

    /// A file larger than [`MAX_FILE_BYTES`].
    #[error("the file is {bytes} bytes, more than the {max} a rule file may have")]
    #[diagnostic(
        code(M0106),
        url("docs/diagnostics.md#m0106"),
        help("split the rubric, or check that this is the file you meant")
    )]
    TooLarge {
        /// Size.
        bytes: usize,
        /// The limit.
        max: usize,
    },

    /// An identifier longer than [`MAX_IDENT`] characters.
    #[error("name of {len} characters, more than {max}")]
    #[diagnostic(
        code(M0107),
        url("docs/diagnostics.md#m0107"),
        help("use a short id and put the wording in a `title`")
    )]
    NameTooLong {
        /// Length.
        len: usize,
        /// The limit.
        max: usize,
        /// The file.
        #[source_code]
        src: Src,
        /// The name.
        #[label("this name")]
        span: SourceSpan,
    },

    /// More than [`MAX_NODES`] nodes.
    #[error("more than {max} nodes")]
    #[diagnostic(
        code(M0108),
        url("docs/diagnostics.md#m0108"),
        help("split the rubric; Mizan refuses larger ones to stay fast and safe on any input")
    )]
    TooManyNodes {
        /// The limit.
        max: usize,
        /// The file.
        #[source_code]
        src: Src,
        /// The first node past the limit.
        #[label("node {max} + 1")]
        span: SourceSpan,
    },

    /// A formula with more operators than evaluation may safely nest.
    ///
    /// `score 1 + 1 + 1 + …` with more than 256 operators.
    #[error("formula has {count} operators, more than {max}")]
    #[diagnostic(
        code(M0105),
        url("docs/diagnostics.md#m0105"),
        help("split it with `let` values or `formula` templates")
    )]
    FormulaTooLong {
        /// Operators found.
        count: usize,
        /// The limit.
        max: usize,
        /// The file.
        #[source_code]
        src: Src,
        /// The formula.
        #[label("this formula")]
        span: SourceSpan,
    },

    /// An expression nested too deeply: a long chain of `if … else if …`,
    /// operators or brackets inside one another.
    ///
    /// `score if a then 1 else if b then 2 else …` with more than 256 levels.
    #[error("expression is nested more than {max} levels deep")]
    #[diagnostic(code(M0109), url("docs/diagnostics.md#m0109"), help("{help}"))]
    ExprTooDeep {
        /// The limit.
        max: usize,
        /// The file.
        #[source_code]
        src: Src,
        /// Where the limit is passed.
        #[label("{label}")]
        span: SourceSpan,
        /// Short label.
        label: String,
        /// How to fix it.
        help: String,
    },

    /// An invisible, space-like or look-alike character outside a string:
    /// names are ASCII, so the name looks right but does not parse or does
    /// not match.
    ///
    /// `criterion c\u{200B}1 { yesno }`, or a Cyrillic `а` in `dаta`.
    #[error("{message}")]
    #[diagnostic(code(M0110), url("docs/diagnostics.md#m0110"), help("{help}"))]
    Confusable {
        /// What the character is and where.
        message: String,
        /// The file.
        #[source_code]
        src: Src,
        /// The character.
        #[label("{label}")]
        span: SourceSpan,
        /// Short label.
        label: String,
        /// The fix.
        help: String,
    },

    /// An invisible bidirectional control character, which can make a rule
    /// read differently from what it means.
    ///
    /// A label containing U+202E (RIGHT-TO-LEFT OVERRIDE).
    #[error("invisible bidirectional control character U+{code:04X}")]
    #[diagnostic(
        code(M0104),
        severity(Warning),
        url("docs/diagnostics.md#m0104"),
        help("remove it: Arabic and English mix correctly without control characters, and these can hide what a rule says")
    )]
    BidiControl {
        /// The code point.
        code: u32,
        /// The file.
        #[source_code]
        src: Src,
        /// Where it is.
        #[label("here")]
        span: SourceSpan,
    },
}

/// The Unicode name of an invisible or space-like character (`RIGHT-TO-LEFT
/// MARK`), where the syntax stage knows it.
pub(crate) fn char_name(c: char) -> Option<&'static str> {
    lookalike::name(c)
}

/// The keywords that start a declaration (`version`, `scale`, `applies`,
/// `rank`, …), as the parser's messages suggest them.
pub fn declaration_keywords() -> &'static [&'static str] {
    names::DECLARATIONS
}

/// Parses a rule file.
///
/// Returns the AST when the text follows the grammar, and every diagnostic
/// found. A syntax error yields `None`: pest stops at the first one.
pub fn parse(src: &Src) -> (Option<ast::File>, Diagnostics) {
    let (doc, mut diags) = parse_document(src);
    match doc {
        Some(ast::Document::Rubric(f)) => (Some(f), diags),
        Some(ast::Document::Tests(t)) => {
            diags.push(SyntaxError::Unexpected {
                message: "this is a test file, not a rule file".into(),
                src: src.clone(),
                span: t.rubric.loc.span,
                label: "tests for this rubric".into(),
                help: Some("run it with `mizan test`".into()),
            });
            (None, diags)
        }
        None => (None, diags),
    }
}

/// Parses a rule file or a test file.
pub fn parse_document(src: &Src) -> (Option<ast::Document>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let text = src.text();
    if text.len() > MAX_FILE_BYTES {
        diags.push(SyntaxError::TooLarge {
            bytes: text.len(),
            max: MAX_FILE_BYTES,
        });
        return (None, diags);
    }
    scan_bidi(src, &mut diags);
    if lookalike::scan(src, &mut diags) {
        return (None, diags);
    }
    if let Some(pos) = too_deep_at(text) {
        diags.push(SyntaxError::TooDeep {
            max: MAX_DEPTH,
            src: src.clone(),
            span: SourceSpan::from(pos..pos + 1),
        });
        return (None, diags);
    }
    if let Some(pos) = if_too_deep_at(text) {
        diags.push(SyntaxError::ExprTooDeep {
            max: MAX_EXPR_DEPTH,
            src: src.clone(),
            span: SourceSpan::from(pos..pos + 2),
            label: "too deep here".into(),
            help: "a long `if … else if …` chain: look the value up with a `choice` scale or a group instead, or split the expression with `let` values or `formula` templates".into(),
        });
        return (None, diags);
    }
    match MizanParser::parse(Rule::file, text) {
        Ok(pairs) => {
            let file = lower::lower_file(src, pairs, &mut diags);
            (file, diags)
        }
        Err(e) => {
            diags.push(lower::syntax_error(src, e));
            (None, diags)
        }
    }
}

/// Reports every bidirectional embedding, override and isolate (M0104),
/// anywhere in the file: they can make a rule display differently from
/// what it means. The marks (U+200E, U+200F, U+061C) are left alone in
/// strings and comments, where Arabic typography uses them and they can
/// only set the direction of the punctuation next to them; in a name they
/// are invisible characters (M0110).
fn scan_bidi(src: &Src, diags: &mut Diagnostics) {
    for (i, c) in src.text().char_indices() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            diags.push(SyntaxError::BidiControl {
                code: c as u32,
                src: src.clone(),
                span: SourceSpan::from(i..i + c.len_utf8()),
            });
        }
    }
}

/// Byte offset of the first opening bracket nested deeper than
/// [`MAX_DEPTH`], skipping strings and comments.
fn too_deep_at(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_comment {
            in_comment = b != b'\n';
            continue;
        }
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'#' => in_comment = true,
            b'"' => in_string = true,
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Byte offset of the first `if` that nests one expression deeper than
/// [`MAX_EXPR_DEPTH`], counting the `if`s and the brackets inside the
/// expression, skipping strings and comments.
///
/// The parser recurses once per `if … then … else` nested in another (an
/// `else if` chain nests), so this bound is checked before it runs. The
/// count is conservative: it restarts only where an expression certainly
/// ends (a word or literal right after an operand, `,`, `{` or `}`), so it
/// never undercounts what the parser will nest.
fn if_too_deep_at(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    // `if`s open at each bracket level of the current expression.
    let mut levels: Vec<usize> = vec![0];
    let mut total = 0usize;
    let mut after_operand = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'"' | b'\n' => break,
                        _ => {}
                    }
                }
                operand(&mut levels, &mut total, &mut after_operand);
                continue;
            }
            b'{' | b'}' => {
                levels.clear();
                levels.push(0);
                total = 0;
                after_operand = false;
            }
            b'(' | b'[' => {
                levels.push(0);
                total += 1;
                after_operand = false;
            }
            b')' | b']' => {
                if levels.len() > 1 {
                    let n = levels.pop().unwrap_or(0);
                    total = total.saturating_sub(n + 1);
                }
                after_operand = true;
            }
            b',' => {
                restart(&mut levels, &mut total);
                after_operand = false;
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'0'..=b'9' => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
                {
                    i += 1;
                }
                match bytes.get(start..i).unwrap_or_default() {
                    b"if" => {
                        if let Some(n) = levels.last_mut() {
                            *n += 1;
                        }
                        total += 1;
                        if total > MAX_EXPR_DEPTH {
                            return Some(start);
                        }
                        after_operand = false;
                    }
                    b"and" | b"or" | b"in" | b"not" | b"then" | b"else" | b"where" => after_operand = false,
                    _ => operand(&mut levels, &mut total, &mut after_operand),
                }
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => after_operand = false,
        }
        i += 1;
    }
    None
}

/// A word or literal: right after another operand, the expression before
/// it has ended.
fn operand(levels: &mut [usize], total: &mut usize, after_operand: &mut bool) {
    if *after_operand {
        restart(levels, total);
    }
    *after_operand = true;
}

/// A new expression starts at the current bracket level.
fn restart(levels: &mut [usize], total: &mut usize) {
    if let Some(n) = levels.last_mut() {
        *total = total.saturating_sub(*n);
        *n = 0;
    }
}
