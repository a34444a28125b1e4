//! Import problems. Fatal ones (the mapping, a missing sheet or column, an
//! unreadable file) stop the import; a cell that cannot be mapped is
//! reported against its entity, whose answer set is then rejected.

use miette::{Diagnostic, SourceSpan};

use crate::diag::Src;
use thiserror::Error;

/// A problem that stops the import.
#[derive(Debug, Error, Diagnostic)]
pub enum ImportError {
    /// The mapping file is not valid TOML or has the wrong shape.
    #[error("invalid import mapping: {reason}")]
    #[diagnostic(code(M0601), url("docs/diagnostics.md#m0601"))]
    Mapping {
        /// What is wrong.
        reason: String,
        /// The mapping file.
        #[source_code]
        src: Src,
        /// Where.
        #[label("here")]
        span: Option<SourceSpan>,
        /// What to do.
        #[help]
        help: Option<String>,
    },

    /// The mapping names a criterion, field or repeated node the rubric
    /// does not have, or puts it at the wrong level.
    #[error("import mapping, table {table}: {message}")]
    #[diagnostic(code(M0602), url("docs/diagnostics.md#m0602"))]
    MappingName {
        /// 1-based table number.
        table: usize,
        /// What is wrong.
        message: String,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// A sheet or column named by the mapping is not in the input.
    #[error("{file}: no sheet `{sheet}`")]
    #[diagnostic(code(M0603), url("docs/diagnostics.md#m0603"))]
    MissingSheet {
        /// The input file.
        file: String,
        /// The sheet.
        sheet: String,
        /// Sheets there are.
        #[help]
        help: String,
    },

    /// A column named by the mapping is not in the header row.
    #[error("{table}: no column `{column}` in header row {row}")]
    #[diagnostic(code(M0604), url("docs/diagnostics.md#m0604"))]
    MissingColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The header row.
        row: usize,
        /// Similar columns.
        #[help]
        help: Option<String>,
    },

    /// An input that is not a regular file or is over its size limit
    /// (M08xx).
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] crate::files::FileError),

    /// A column named by the mapping is in the header row more than once
    /// (the same text, trimmed, ignoring case).
    #[error("{table}: column `{column}` is in header row {row} more than once: {columns}")]
    #[diagnostic(
        code(M0606),
        url("docs/diagnostics.md#m0606"),
        help("rename one of the columns, or set `header_row` to the row that holds unique names")
    )]
    DuplicateColumn {
        /// The table.
        table: String,
        /// The column, as the mapping names it.
        column: String,
        /// The header row.
        row: usize,
        /// The columns with that name: `B `Year`, E `year``.
        columns: String,
    },

    /// An input file cannot be read.
    #[error("{file}: cannot read: {reason}")]
    #[diagnostic(code(M0605), url("docs/diagnostics.md#m0605"))]
    Read {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },

    /// A CSV input is not valid text in the encoding its table declares
    /// (`encoding = "utf-8"` and a Latin-1 byte such as `0xE9`).
    #[error("{file}: byte {offset} (line {line}) is not valid {encoding}: {reason}")]
    #[diagnostic(
        code(M0607),
        url("docs/diagnostics.md#m0607"),
        help("declare the encoding the file was saved in (`encoding = \"windows-1256\"`, or latin-1, utf-16, auto), or save it as CSV UTF-8")
    )]
    Encoding {
        /// The file.
        file: String,
        /// The declared encoding.
        encoding: String,
        /// 0-based byte offset of the first invalid byte in the file.
        offset: usize,
        /// 1-based line it is on.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}
