//! Diagnostics of test files (M07xx).

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::diag::Src;

/// A problem in a test file, found before any case runs.
#[derive(Debug, Error, Diagnostic)]
pub enum TestError {
    /// `expect fednet.9 = 1` where the rubric has no node `fednet.9`.
    #[error("the rubric has no {what} `{name}`")]
    #[diagnostic(code(M0701), url("docs/diagnostics.md#m0701"))]
    UnknownName {
        /// "node", "criterion", "profile field", "band".
        what: &'static str,
        /// The name.
        name: String,
        /// The test file.
        #[source_code]
        src: Src,
        /// Where.
        #[label("not in the rubric")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// The test file's rubric cannot be found, or is another rubric.
    #[error("{message}")]
    #[diagnostic(code(M0702), url("docs/diagnostics.md#m0702"))]
    WrongRubric {
        /// What is wrong.
        message: String,
        /// The test file.
        #[source_code]
        src: Src,
        /// Where.
        #[label("here")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: String,
    },

    /// `answers "missing.json"`: no such file beside the test file.
    #[error("{message}")]
    #[diagnostic(code(M0703), url("docs/diagnostics.md#m0703"))]
    AnswerFile {
        /// What is wrong.
        message: String,
        /// The test file.
        #[source_code]
        src: Src,
        /// Where.
        #[label("here")]
        span: SourceSpan,
    },

    /// A case that cannot run as written: it expects nothing, a band on a
    /// node without bands, an error and scores at once, or answers to
    /// criteria of repeated instances written inline.
    #[error("{message}")]
    #[diagnostic(code(M0704), url("docs/diagnostics.md#m0704"))]
    BadCase {
        /// What is wrong.
        message: String,
        /// The test file.
        #[source_code]
        src: Src,
        /// Where.
        #[label("here")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: Option<String>,
    },
}
