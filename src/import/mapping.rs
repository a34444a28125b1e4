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
    /// Keep only rows whose cells (trimmed) equal these values.
    #[serde(default, rename = "where")]
    pub filter: IndexMap<String, String>,
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
    /// Long layout: the column naming the criterion.
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
        for (k, c) in &t.filter {
            columns.push((k.as_str(), here(&["where"])));
            let _ = c;
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
