//! The import mapping: which sheet, which columns, which values. Written in
//! TOML next to the rubric (`2023.import.toml`); see `docs/import.md`.

use indexmap::IndexMap;
use serde::Deserialize;

/// A whole mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Rubric id the answer sets are for.
    pub rubric: String,
    /// Rubric version.
    pub version: String,
    /// Spellings of option ids (and of `true`/`false`), matched
    /// case-insensitively after trimming: `yes = ["Yes", "Y"]`.
    #[serde(default)]
    pub values: IndexMap<String, Vec<String>>,
    /// Cell texts that mean "no answer" (an empty cell always does).
    #[serde(default)]
    pub blank: Vec<String>,
    /// Text encoding of the CSV inputs (tables may override): see
    /// [`Encoding`]. Absent: UTF-8, with or without a BOM.
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Read `3/7` in number cells as the exact fraction (tables and
    /// columns may override).
    #[serde(default)]
    pub fractions: Option<bool>,
    /// How workbook numbers (binary doubles) are read (tables may
    /// override): see [`Numbers`].
    #[serde(default)]
    pub numbers: Option<Numbers>,
    /// The tables, read in order.
    #[serde(rename = "table")]
    pub tables: Vec<TableMap>,
    /// The file's name and text, for messages located in it.
    #[serde(skip)]
    pub source: Option<(String, String)>,
}

/// One sheet (or CSV file) and what its columns mean.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableMap {
    /// Sheet name (workbooks); omitted for CSV.
    #[serde(default)]
    pub sheet: Option<String>,
    /// Only for inputs whose file name contains this text (when several
    /// inputs are given).
    #[serde(default)]
    pub file: Option<String>,
    /// 1-based row holding the column names.
    #[serde(default = "one")]
    pub header_row: usize,
    /// `wide` (a row per entity or instance, a column per criterion) or
    /// `long` (a row per answer).
    #[serde(default)]
    pub layout: Layout,
    /// Column holding the entity id.
    pub entity: String,
    /// Column holding the entity's display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Keep only the rows this filter accepts: a table of cells (trimmed)
    /// equal to values, or an expression (`Year >= 2020 and Region in
    /// ('GCC', 'MENA')`, see [`super::filter`]).
    #[serde(default, rename = "where")]
    pub filter: Filter,
    /// Text encoding of this table's CSV inputs (overrides the mapping's).
    #[serde(default)]
    pub encoding: Option<Encoding>,
    /// Read `3/7` in this table's number cells as the exact fraction
    /// (overrides the mapping's; a column may override it).
    #[serde(default)]
    pub fractions: Option<bool>,
    /// How this table's workbook numbers are read (overrides the mapping's).
    #[serde(default)]
    pub numbers: Option<Numbers>,
    /// Repeated nodes a row belongs to, outermost first.
    #[serde(default)]
    pub path: Vec<String>,
    /// Key columns of each repeated node in `path`; a node without keys
    /// gets a new instance per row.
    #[serde(default)]
    pub keys: IndexMap<String, Vec<String>>,
    /// Cell rewrites before use, per column: `{"Service" = {"typo" = "fixed"}}`.
    #[serde(default)]
    pub rewrite: IndexMap<String, IndexMap<String, String>>,
    /// Profile and instance fields: field name → column.
    #[serde(default)]
    pub fields: IndexMap<String, ColumnMap>,
    /// Wide layout: criterion id → column.
    #[serde(default)]
    pub answers: IndexMap<String, ColumnMap>,
    /// Long layout: the column naming the criterion, or a template over
    /// column names building the id from several cells: `"{Measure}.{Year}"`.
    #[serde(default)]
    pub criterion: Option<String>,
    /// Long layout: the column holding the answer.
    #[serde(default)]
    pub answer: Option<String>,
    /// Long layout: criterion names as written → criterion ids.
    #[serde(default)]
    pub criteria: IndexMap<String, String>,
}

fn one() -> usize {
    1
}

/// A table's `where`: equal cells, or an expression.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Filter {
    /// `where = { Column = "value", … }`: every cell (trimmed) equals its value.
    Equal(IndexMap<String, String>),
    /// `where = "Year >= 2020 and not (Status in ('draft'))"`.
    Expr(String),
}

impl Default for Filter {
    fn default() -> Self {
        Filter::Equal(IndexMap::new())
    }
}

/// Text encodings of CSV inputs (decoded by `encoding_rs`, the WHATWG
/// Encoding Standard's tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without a byte order mark (the default).
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    /// UTF-16 with a byte order mark (little- or big-endian, as it says).
    #[serde(rename = "utf-16", alias = "UTF-16")]
    Utf16,
    /// UTF-16 little-endian (a byte order mark, if any, is skipped).
    #[serde(rename = "utf-16le", alias = "UTF-16LE")]
    Utf16Le,
    /// UTF-16 big-endian (a byte order mark, if any, is skipped).
    #[serde(rename = "utf-16be", alias = "UTF-16BE")]
    Utf16Be,
    /// Windows-1256 (Arabic), what Excel writes on Arabic Windows.
    #[serde(rename = "windows-1256", alias = "cp1256")]
    Windows1256,
    /// Latin-1: ISO-8859-1 read as Windows-1252, its superset (as every
    /// browser does), so `0x80`–`0x9F` are `€`, `"`, … rather than controls.
    #[serde(
        rename = "latin-1",
        alias = "latin1",
        alias = "iso-8859-1",
        alias = "windows-1252",
        alias = "cp1252"
    )]
    Latin1,
    /// A byte order mark says UTF-8 or UTF-16; without one, UTF-8.
    #[serde(rename = "auto")]
    Auto,
}

impl Encoding {
    /// The name written in the mapping.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1256 => "windows-1256",
            Encoding::Latin1 => "latin-1",
            Encoding::Auto => "auto",
        }
    }
}

/// How a workbook number (a binary double) becomes a decimal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Numbers {
    /// To 15 significant digits, as spreadsheets display: `0.1 + 0.2`
    /// reads as `0.3` (the default).
    #[default]
    Excel,
    /// The shortest decimal that reads back as the same double: `0.1 +
    /// 0.2` reads as `0.30000000000000004`, so published doubles round-trip.
    Shortest,
}
/// Table layouts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// A row per entity or instance.
    #[default]
    Wide,
    /// A row per (entity, criterion, answer).
    Long,
}

/// A column, by name, with optional value spellings of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ColumnMap {
    /// Just the column name.
    Name(String),
    /// Column name and spellings.
    Full {
        /// Column name.
        column: String,
        /// Value → spellings, for this column only.
        #[serde(default)]
        values: IndexMap<String, Vec<String>>,
        /// The value of any other non-blank cell: `ranked = { column =
        /// "Rank", values = { false = [""] }, otherwise = "true" }`.
        #[serde(default)]
        otherwise: Option<String>,
        /// Read `3/7` as the exact fraction in this column (overrides the
        /// table's `fractions`).
        #[serde(default)]
        fractions: Option<bool>,
    },
}

impl ColumnMap {
    /// The column name.
    pub fn column(&self) -> &str {
        match self {
            ColumnMap::Name(c) | ColumnMap::Full { column: c, .. } => c,
        }
    }

    /// This column's own spellings.
    pub fn values(&self) -> Option<&IndexMap<String, Vec<String>>> {
        match self {
            ColumnMap::Name(_) => None,
            ColumnMap::Full { values, .. } => Some(values),
        }
    }

    /// This column's own `fractions`, if it says.
    pub fn fractions(&self) -> Option<bool> {
        match self {
            ColumnMap::Name(_) => None,
            ColumnMap::Full { fractions, .. } => *fractions,
        }
    }

    /// The value of any non-blank cell not otherwise spelled.
    pub fn otherwise(&self) -> Option<&str> {
        match self {
            ColumnMap::Name(_) => None,
            ColumnMap::Full { otherwise, .. } => otherwise.as_deref(),
        }
    }
}

/// A problem with a mapping's values, and where it is: a path of keys
/// and array indices into the TOML document.
pub(crate) struct Problem {
    pub reason: String,
    pub help: String,
    pub at: Vec<Key>,
}

/// One step of a path into a TOML document.
#[derive(Debug, Clone)]
pub(crate) enum Key {
    Name(String),
    Index(usize),
}

fn name(s: &str) -> Key {
    Key::Name(s.to_string())
}

/// Checks what the TOML types cannot: `header_row` on the sheet grid,
/// names that are not empty, and each value list of a `values` table
/// (the mapping's or a column's) sharing no spelling with another.
pub(crate) fn validate(m: &Mapping) -> Result<(), Problem> {
    if m.tables.is_empty() {
        return Err(Problem {
            reason: "the mapping has no `[[table]]`".into(),
            help: "add a `[[table]]` for each sheet or CSV file to read".into(),
            at: vec![name("table")],
        });
    }
    spellings(&m.values, vec![name("values")], true)?;
    for (i, t) in m.tables.iter().enumerate() {
        let here = |rest: &[&str]| {
            let mut at = vec![name("table"), Key::Index(i)];
            at.extend(rest.iter().map(|s| name(s)));
            at
        };
        let max = super::source::limits::MAX_ROWS;
        if t.header_row == 0 || t.header_row > max {
            return Err(Problem {
                reason: format!("`header_row = {}` is not a row of a sheet", t.header_row),
                help: format!("rows are numbered from 1 (the first row) to {max}"),
                at: here(&["header_row"]),
            });
        }
        let empty = |what: &str, at: Vec<Key>| Problem {
            reason: format!("{what} is empty"),
            help: "copy the name from the header row (or the sheet tab)".into(),
            at,
        };
        if t.sheet.as_deref().is_some_and(|s| s.is_empty()) {
            return Err(empty("the sheet name", here(&["sheet"])));
        }
        let mut columns: Vec<(&str, Vec<Key>)> = vec![(t.entity.as_str(), here(&["entity"]))];
        for (k, v) in [
            ("name", &t.name),
            ("criterion", &t.criterion),
            ("answer", &t.answer),
        ] {
            if let Some(v) = v {
                columns.push((v.as_str(), here(&[k])));
            }
        }
        match &t.filter {
            Filter::Equal(map) => {
                for k in map.keys() {
                    columns.push((k.as_str(), here(&["where"])));
                }
            }
            Filter::Expr(text) => {
                if let Err(e) = super::filter::parse(text) {
                    return Err(Problem {
                        reason: format!("`where`: {e}"),
                        help: "write comparisons of columns and values joined by `and`, `or`, `not`: \
                               `Year >= 2020 and Region in ('GCC', 'MENA')` (see docs/import.md#where)"
                            .into(),
                        at: here(&["where"]),
                    });
                }
            }
        }
        if let Some(c) = &t.criterion {
            if let Err(e) = template(c) {
                return Err(Problem {
                    reason: format!("`criterion`: {e}"),
                    help: "name columns in braces: `criterion = \"{Measure}.{Year}\"`".into(),
                    at: here(&["criterion"]),
                });
            }
        }
        for (k, cols) in &t.keys {
            for (j, c) in cols.iter().enumerate() {
                let mut at = here(&["keys", k]);
                at.push(Key::Index(j));
                columns.push((c.as_str(), at));
            }
        }
        for (what, map) in [("fields", &t.fields), ("answers", &t.answers)] {
            for (k, cm) in map {
                columns.push((cm.column(), here(&[what, k])));
                if let Some(v) = cm.values() {
                    spellings(v, here(&[what, k, "values"]), false)?;
                }
            }
        }
        if let Some((_, at)) = columns.into_iter().find(|(c, _)| c.trim().is_empty()) {
            return Err(empty("a column name", at));
        }
    }
    Ok(())
}

/// A piece of a `criterion` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text as written.
    Text(String),
    /// The (trimmed) cell of this column.
    Column(String),
}

/// The pieces of a `criterion` value: `"{Measure}.{Year}"` is a template
/// over two columns, a value without braces one column's name. `{{` and
/// `}}` are literal braces.
pub fn template(s: &str) -> Result<Vec<Piece>, String> {
    if !s.contains(['{', '}']) {
        return Ok(vec![Piece::Column(s.to_string())]);
    }
    let mut out = Vec::new();
    let mut text = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '{' if it.peek() == Some(&'{') => {
                it.next();
                text.push('{');
            }
            '}' if it.peek() == Some(&'}') => {
                it.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match it.next() {
                        Some('}') => break,
                        Some('{') | None => return Err("a `{` is not closed by `}`".into()),
                        Some(c) => name.push(c),
                    }
                }
                if name.trim().is_empty() {
                    return Err("`{}` names no column".into());
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Column(name.trim().to_string()));
            }
            '}' => return Err("a `}` has no `{` before it (write `}}` for a brace)".into()),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    if !out.iter().any(|p| matches!(p, Piece::Column(_))) {
        return Err("the template names no column".into());
    }
    Ok(out)
}

/// What a value of a `values` table means when it is read as a yes/no
/// answer: `true` and `yes` are one value, `false` and `no` another.
fn meaning(value: &str) -> &str {
    match value {
        "true" | "yes" => "true",
        "false" | "no" => "false",
        v => v,
    }
}

/// No spelling (trimmed, ignoring case) listed under two values that one
/// cell could be read as: in a column's own `values` (one column, one
/// target), any two values of different meaning; in the mapping's
/// `values` (shared by every target, each taking the values that are its
/// ids), a yes and a no (`only_yes_no`), the rest being checked against
/// the rubric by [`conflict_in`].
fn spellings(values: &IndexMap<String, Vec<String>>, at: Vec<Key>, only_yes_no: bool) -> Result<(), Problem> {
    let related = |a: &str, b: &str| {
        let (a, b) = (meaning(a), meaning(b));
        a != b && (!only_yes_no || matches!((a, b), ("true", "false") | ("false", "true")))
    };
    match conflict_in(values, related) {
        Some((s, first, value, j)) => {
            let mut at = at;
            at.push(name(&value));
            at.push(Key::Index(j));
            Err(Problem {
                reason: format!("`{s}` is listed as a spelling of both `{first}` and `{value}`"),
                help: "a cell text can mean one value only: remove it from one of the lists".into(),
                at,
            })
        }
        None => Ok(()),
    }
}

/// The first spelling listed under two values that `related` says one
/// cell could be read as: `(spelling, first value, second value, index
/// of the spelling in the second value's list)`.
pub(crate) fn conflict_in(
    values: &IndexMap<String, Vec<String>>,
    related: impl Fn(&str, &str) -> bool,
) -> Option<(String, String, String, usize)> {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for (value, list) in values {
        for (j, s) in list.iter().enumerate() {
            let key = s.trim().to_lowercase();
            if let Some((_, first)) = seen.iter().find(|(k, v)| *k == key && related(v, value)) {
                return Some((s.clone(), first.to_string(), value.clone(), j));
            }
            seen.push((key, value));
        }
    }
    None
}

/// Where `path` is in the TOML `text`: the value's span, or the nearest
/// enclosing one that the path reaches.
pub(crate) fn span_of(text: &str, path: &[Key]) -> Option<std::ops::Range<usize>> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut span = None;
    let mut table = Some(doc.get_ref());
    let mut array: Option<&[toml::Spanned<DeValue<'_>>]> = None;
    for k in path {
        let next = match (k, table, array) {
            (Key::Name(n), Some(t), _) => t.iter().find(|(key, _)| key.get_ref() == n).map(|(_, v)| v),
            (Key::Index(i), _, Some(a)) => a.get(*i),
            _ => None,
        };
        let Some(v) = next else { break };
        span = Some(v.span());
        table = None;
        array = None;
        match v.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a.as_ref()),
            _ => {}
        }
    }
    span
}
