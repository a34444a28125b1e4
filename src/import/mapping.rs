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
