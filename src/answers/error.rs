//! Errors in answer sets (codes M04xx). They point at a file, an entity and
//! a JSON pointer rather than at a rule file.

use std::fmt;

use miette::Diagnostic;
use thiserror::Error;

/// Where a submission came from: a file, and a line for JSONL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// File path as given.
    pub file: String,
    /// 1-based line, for `.jsonl` files.
    pub line: Option<usize>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// What is wrong with an answer set.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
#[non_exhaustive]
pub enum AnswerError {
    /// `{"rubric": "demo",` — not valid JSON.
    #[error("malformed JSON at line {line}, column {column}: {reason}")]
    #[diagnostic(
        code(M0401),
        url("docs/diagnostics.md#m0401"),
        help("answer sets are JSON objects; check quotes, commas and brackets")
    )]
    Malformed {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
        /// What the JSON parser said.
        reason: String,
    },

    /// `[1, 2]` at the top level, or `"entity": "moi"`.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(
        code(M0402),
        url("docs/diagnostics.md#m0402"),
        help("see docs/output.md for the answer-set format")
    )]
    Shape {
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },

    /// `"rubric": "uae.other"` evaluated with `uae.integration` rules.
    #[error("answers are for rubric `{found}`, but the rules are `{expected}`")]
    #[diagnostic(
        code(M0403),
        url("docs/diagnostics.md#m0403"),
        help("evaluate this file with the rules it was written for")
    )]
    WrongRubric {
        /// In the answers.
        found: String,
        /// In the rules.
        expected: String,
    },

    /// `"version": "2017"` evaluated with version 2018 rules.
    #[error("answers are for version `{found}`, but the rules are version `{expected}`")]
    #[diagnostic(
        code(M0404),
        url("docs/diagnostics.md#m0404"),
        help("evaluate this file with the rules of its cycle")
    )]
    WrongVersion {
        /// In the answers.
        found: String,
        /// In the rules.
        expected: String,
    },

    /// `"fednet.1.9": "yes"` where the rubric has no such criterion.
    #[error("unknown criterion `{id}`")]
    #[diagnostic(code(M0405), url("docs/diagnostics.md#m0405"))]
    UnknownCriterion {
        /// The key.
        id: String,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// `"fednet.1.1": "maybe"`.
    #[error("unknown option `{option}` for `{id}`")]
    #[diagnostic(code(M0406), url("docs/diagnostics.md#m0406"), help("{help}"))]
    UnknownOption {
        /// Criterion.
        id: String,
        /// The answer, hidden characters written out (`yes<U+200F>`).
        option: String,
        /// Allowed ids.
        allowed: String,
        /// The nearest option, an invisible character to remove or a
        /// difference in case, then the options.
        help: String,
    },

    /// `"fednet.1.1": 1` for a choice, or `"kpi.share": "high"` for a number.
    #[error("`{id}` takes {expected}, found {found}")]
    #[diagnostic(code(M0407), url("docs/diagnostics.md#m0407"))]
    WrongKind {
        /// Criterion.
        id: String,
        /// Expected kind.
        expected: String,
        /// Found kind.
        found: String,
    },

    /// `"kpi.share": 140` where the rule says `number percent 0..100`.
    #[error("`{id}` answer {value} is outside {bounds}")]
    #[diagnostic(
        code(M0408),
        url("docs/diagnostics.md#m0408"),
        help("the rubric declares the bounds of this number")
    )]
    OutOfBounds {
        /// Criterion.
        id: String,
        /// The number.
        value: String,
        /// `min..max`.
        bounds: String,
    },

    /// `"fednet.1.2": "na"` where the criterion does not allow N/A.
    #[error("`{id}` cannot be answered N/A")]
    #[diagnostic(
        code(M0409),
        url("docs/diagnostics.md#m0409"),
        help("the rubric does not allow N/A for this criterion; choose one of its options")
    )]
    NaNotAllowed {
        /// Criterion.
        id: String,
    },

    /// No answer for an applicable criterion under `missing error`.
    #[error("no answer for `{id}`")]
    #[diagnostic(
        code(M0410),
        url("docs/diagnostics.md#m0410"),
        help("the rubric requires every applicable criterion to be answered (`missing error`)")
    )]
    Missing {
        /// Criterion.
        id: String,
    },

    /// Two submissions in one batch for entity `moi`.
    #[error("entity `{entity}` is already evaluated from {first}")]
    #[diagnostic(
        code(M0411),
        url("docs/diagnostics.md#m0411"),
        help("an entity may be submitted once per batch")
    )]
    DuplicateEntity {
        /// Entity id.
        entity: String,
        /// Where it was first seen.
        first: String,
    },

    /// `"share": "pendng"` where `share` is a number with codes.
    #[error("unknown code `{code}` for `{id}` (codes: {allowed})")]
    #[diagnostic(code(M0427), url("docs/diagnostics.md#m0427"))]
    UnknownCode {
        /// Criterion.
        id: String,
        /// The answer.
        code: String,
        /// The declared codes.
        allowed: String,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// `repeated mean keys category` and no instance `pop` is given.
    #[error("instance `{key}` of `{id}` is missing (`keys {list}` requires it)")]
    #[diagnostic(
        code(M0428),
        url("docs/diagnostics.md#m0428"),
        help("give an instance with `\"key\": \"{key}\"`: `{id}` takes exactly the instances of `{list}` ({ids})")
    )]
    MissingInstance {
        /// The repeated node.
        id: String,
        /// The instance list.
        list: String,
        /// The missing instance id.
        key: String,
        /// Every id of the list, comma-separated.
        ids: String,
    },

    /// `repeated mean keys category` and an instance `"key": "popp"`.
    #[error("unexpected instance `{key}` of `{id}`: {why}")]
    #[diagnostic(code(M0429), url("docs/diagnostics.md#m0429"))]
    UnknownInstance {
        /// The repeated node.
        id: String,
        /// The instance list.
        list: String,
        /// The instance's key as given.
        key: String,
        /// `not in LIST`, or `given twice`.
        why: String,
        /// Suggestion.
        #[help]
        help: String,
    },

    /// `constraint answer(y10) <= answer(y5) error en "…"` is false for
    /// this answer set. `message` is the English label (else the first);
    /// `labels` carries every language's.
    #[error("constraint not met: {message}")]
    #[diagnostic(
        code(M0425),
        url("docs/diagnostics.md#m0425"),
        help("the rubric requires `{rule}` on `{id}`; correct the answers")
    )]
    Constraint {
        /// The node the constraint is declared on.
        id: String,
        /// The condition as written.
        rule: String,
        /// The message in English (else in the first language given).
        message: String,
        /// The message by language, in source order.
        labels: Vec<(String, String)>,
    },

    /// `constraint … warning en "…"` is false: reported, and scored.
    #[error("constraint not met: {message}")]
    #[diagnostic(
        code(M0426),
        severity(Warning),
        url("docs/diagnostics.md#m0426"),
        help("the rubric expects `{rule}` on `{id}`; the entity is scored as answered")
    )]
    ConstraintWarning {
        /// The node the constraint is declared on.
        id: String,
        /// The condition as written.
        rule: String,
        /// The message in English (else in the first language given).
        message: String,
        /// The message by language, in source order.
        labels: Vec<(String, String)>,
    },

    /// An answer for a criterion that the entity's profile rules out.
    #[error("`{id}` does not apply to this entity; its answer is ignored")]
    #[diagnostic(
        code(M0412),
        severity(Warning),
        url("docs/diagnostics.md#m0412"),
        help("the criterion's `applies when` condition is false for this profile")
    )]
    NotApplicable {
        /// Criterion.
        id: String,
    },

    /// `"profile": {"sector": "health"}` where no `sector` is declared.
    #[error("unknown profile field `{name}`")]
    #[diagnostic(code(M0413), url("docs/diagnostics.md#m0413"))]
    UnknownField {
        /// Field.
        name: String,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// `"role": "provider"` where `role` is `one of data_provider, …`.
    #[error("unknown value `{value}` for profile field `{field}`")]
    #[diagnostic(code(M0414), url("docs/diagnostics.md#m0414"), help("allowed: {allowed}"))]
    UnknownValue {
        /// Field.
        field: String,
        /// Value.
        value: String,
        /// Allowed values.
        allowed: String,
    },

    /// A profile without `role` where the rubric declares `role`.
    #[error("profile field `{name}` is missing")]
    #[diagnostic(
        code(M0415),
        url("docs/diagnostics.md#m0415"),
        help("every profile field the rubric declares must be given")
    )]
    MissingField {
        /// Field.
        name: String,
    },

    /// `"q.multi": ["web", "web"]`.
    #[error("option `{option}` is chosen twice for `{id}`")]
    #[diagnostic(code(M0416), url("docs/diagnostics.md#m0416"), help("list each option once"))]
    DuplicateOption {
        /// Criterion.
        id: String,
        /// Option.
        option: String,
    },

    /// `{"rubric": …, "score": 1}` or `"entity": {"nmae": …}` — a key that
    /// is not part of the format (at the top level, in `entity` or in an
    /// instance).
    #[error("unknown key `{key}`")]
    #[diagnostic(code(M0417), url("docs/diagnostics.md#m0417"))]
    UnknownKey {
        /// Key.
        key: String,
        /// The keys allowed there, or the one meant.
        #[help]
        help: String,
    },

    /// `{"entity": {"id": "moi", "id": "moh"}}` — a key given twice in one
    /// object (JSON readers disagree on which one counts).
    #[error("key `{key}` is given more than once")]
    #[diagnostic(
        code(M0422),
        url("docs/diagnostics.md#m0422"),
        help("give each key once: JSON readers disagree on which of two equal keys counts")
    )]
    DuplicateKey {
        /// Key.
        key: String,
    },

    /// `"kpi.share": 1e400` — a number that is no exact decimal.
    #[error("{what} {value} is beyond the exact decimals: {reason}")]
    #[diagnostic(
        code(M0423),
        url("docs/diagnostics.md#m0423"),
        help("answers are exact decimals: at most 28 significant digits, at most 28 digits after the point, magnitude below 79228162514264337593543950336 (about 7.9e28)")
    )]
    InexactNumber {
        /// `` `kpi.share` answer `` or `` profile field `size` ``.
        what: String,
        /// The number as written.
        value: String,
        /// Which limit it is past.
        reason: String,
    },

    /// `"id": "moi\u200b"`, `"id": " moi"` — an entity id with a control,
    /// invisible or formatting character, or with spaces around it.
    #[error("entity id {id} {reason}")]
    #[diagnostic(
        code(M0424),
        url("docs/diagnostics.md#m0424"),
        help("entity ids are compared in Unicode NFC; remove control and invisible characters (zero-width, bidirectional, U+FEFF) and white space around the id")
    )]
    BadEntityId {
        /// The id as written, escaped.
        id: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An answer set that names a rubric or version the rules directory
    /// does not have.
    #[error("no rubric `{rubric}` version `{version}` in the rules directory")]
    #[diagnostic(
        code(M0421),
        url("docs/diagnostics.md#m0421"),
        help("versions there: {available}")
    )]
    UnknownRubric {
        /// Named rubric.
        rubric: String,
        /// Named version.
        version: String,
        /// What exists.
        available: String,
    },

    /// A spreadsheet cell that the import mapping cannot turn into an
    /// answer or a field value.
    #[error("cannot map `{value}`: expected {expected}")]
    #[diagnostic(
        code(M0419),
        url("docs/diagnostics.md#m0419"),
        help("fix the cell, or add its spelling to the mapping's `values`")
    )]
    Cell {
        /// The cell text.
        value: String,
        /// What was expected.
        expected: String,
    },

    /// Two rows give different values for the same answer of one instance.
    #[error("`{id}` is given twice: {first} ({first_at}) and {second}")]
    #[diagnostic(
        code(M0420),
        url("docs/diagnostics.md#m0420"),
        help("each answer comes from one row; check the key columns of the mapping")
    )]
    Conflict {
        /// Criterion or field.
        id: String,
        /// First value.
        first: String,
        /// Where the first came from.
        first_at: String,
        /// Second value.
        second: String,
    },

    /// A file that cannot be read.
    #[error("cannot read: {reason}")]
    #[diagnostic(code(M0418), url("docs/diagnostics.md#m0418"))]
    Io {
        /// The OS error.
        reason: String,
    },

    /// An answer file that is a FIFO, socket or device (refused unread).
    #[error("not a regular file but {kind}; it was not read")]
    #[diagnostic(
        code(M0441),
        url("docs/diagnostics.md#m0441"),
        help(
            "name a regular file; pipes, sockets and devices are refused because they can block or never end"
        )
    )]
    NotRegular {
        /// What it is: `a FIFO`, `a socket`, ….
        kind: String,
    },

    /// An answer set (a `.json` file or one line of a `.jsonl` file) over
    /// [`crate::files::MAX_ANSWER_SET_BYTES`]; it was not kept in memory.
    #[error("the answer set is larger than the limit of {max} bytes")]
    #[diagnostic(
        code(M0442),
        url("docs/diagnostics.md#m0442"),
        help("one answer set is a few kilobytes; check that this is the file you meant, and that its lines end with a newline")
    )]
    TooLarge {
        /// The limit.
        max: u64,
    },

    /// An answer file with nothing in it (an empty file, `/dev/null`).
    #[error("the answer file is empty")]
    #[diagnostic(
        code(M0440),
        url("docs/diagnostics.md#m0440"),
        help("an answer file holds one answer set (`.json`) or one per line (`.jsonl`)")
    )]
    Empty,

    /// `1/0` reached while scoring this entity.
    #[error("{message}")]
    #[diagnostic(
        code(M0501),
        url("docs/diagnostics.md#m0501"),
        help("guard the divisor, e.g. `if target > 0 then achieved / target else 0`")
    )]
    DivisionByZero {
        /// Which formula.
        message: String,
    },

    /// A criterion formula produced a score outside [0, 1] (outside its
    /// unit's range, for a criterion that declares a `unit`).
    #[error("score {value} of `{id}` is outside {range}")]
    #[diagnostic(
        code(M0502),
        url("docs/diagnostics.md#m0502"),
        help("bound the formula, e.g. `clamp(value / target, 0, 1)`")
    )]
    ScoreOutOfRange {
        /// Criterion.
        id: String,
        /// Score.
        value: String,
        /// The range: `0..1`, or the unit's (`0..10 (score 0..10)`).
        range: String,
    },

    /// Arithmetic beyond the range of exact decimals.
    #[error("arithmetic overflow in the formula of `{id}`")]
    #[diagnostic(
        code(M0503),
        url("docs/diagnostics.md#m0503"),
        help("numbers are exact decimals up to about 7.9e28")
    )]
    Overflow {
        /// Node.
        id: String,
    },
}

/// A problem with one submission, located.
#[derive(Debug, Clone, Error, PartialEq)]
#[error("{error}")]
pub struct Rejection {
    /// File (and line).
    pub origin: Origin,
    /// Entity id, when it could be read.
    pub entity: Option<String>,
    /// JSON pointer to the offending value (empty: the whole document).
    pub pointer: String,
    /// What is wrong.
    pub error: AnswerError,
}

impl Rejection {
    /// "file:line, entity `moi`, at /answers/x".
    pub fn location(&self) -> String {
        let mut s = self.origin.to_string();
        if let Some(e) = &self.entity {
            s.push_str(&format!(", entity `{e}`"));
        }
        if !self.pointer.is_empty() {
            s.push_str(&format!(", at {}", self.pointer));
        }
        s
    }
}

impl Diagnostic for Rejection {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.error.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.url()
    }
}
