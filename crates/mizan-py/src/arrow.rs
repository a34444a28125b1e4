//! Record batches in, record batches out: one answer set a row.
//!
//! Input: a column of answer sets as JSON text (`json_column`), or one
//! column per criterion (named by its id) with `id`, `name` and profile
//! columns (a profile field's name, or `profile.<field>`), from which each
//! row's answer set is built; a null cell is an answer left out. Every row
//! is read and scored by the library, on the pool, rows in parallel.
//!
//! Output: `id`, `name`, `score`, `band`, one column per node (node id;
//! `node.<id>` for a node named like a fixed column), then `error_codes`
//! (the codes of a rejected row, comma-separated), `errors` and `warnings`
//! (JSON lists of `{source, entity, code, message, pointer}`). A rejected
//! row has null scores and its errors: one bad row never fails the batch.

use std::str::FromStr;
use std::sync::Arc;

use arrow_array::builder::{Decimal128Builder, Float64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use mizan::answers::Origin;
use mizan::model::Model;
use mizan::plan::Plan;

/// How scores are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// `decimal128(38, 28)`: exact for every score below 10¹⁰ in magnitude
    /// (a larger one is a row error).
    Decimal,
    /// Exact text, as `mizan eval --format json` writes the number.
    Str,
    /// `float64`, rounded.
    Float,
}

impl FromStr for Numbers {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "decimal" => Ok(Numbers::Decimal),
            "str" => Ok(Numbers::Str),
            "float" => Ok(Numbers::Float),
            _ => Err(format!("numbers={s:?}: use \"decimal\", \"str\" or \"float\"")),
        }
    }
}

/// Precision and scale of the decimal columns.
pub const PRECISION: u8 = 38;
/// Scale: a rust decimal has at most 28 places.
pub const SCALE: i8 = 28;

const FIXED: [&str; 7] = ["id", "name", "score", "band", "error_codes", "errors", "warnings"];

/// The output column of each node.
fn node_columns(model: &Model) -> Vec<String> {
    model
        .nodes
        .iter()
        .skip(1)
        .map(|n| {
            if FIXED.contains(&n.id.as_str()) {
                format!("node.{}", n.id)
            } else {
                n.id.clone()
            }
        })
        .collect()
}

fn number_type(numbers: Numbers) -> DataType {
    match numbers {
        Numbers::Decimal => DataType::Decimal128(PRECISION, SCALE),
        Numbers::Str => DataType::Utf8,
        Numbers::Float => DataType::Float64,
    }
}

/// The output schema.
pub fn schema(model: &Model, numbers: Numbers) -> Schema {
    let text = |n: &str| Field::new(n, DataType::Utf8, true);
    let mut fields = vec![
        text("id"),
        text("name"),
        Field::new("score", number_type(numbers), true),
        text("band"),
    ];
    fields.extend(
        node_columns(model)
            .into_iter()
            .map(|n| Field::new(n, number_type(numbers), true)),
    );
    fields.extend([text("error_codes"), text("errors"), text("warnings")]);
    Schema::new(fields)
}

/// One row's outcome.
#[derive(Default)]
struct Row {
    id: Option<String>,
    name: Option<String>,
    score: Option<Decimal>,
    band: Option<String>,
    nodes: Vec<Option<Decimal>>,
    codes: Option<String>,
    errors: Option<String>,
    warnings: Option<String>,
}

/// Where each row's answer set comes from.
enum Source<'a> {
    Json(&'a dyn Array),
    Columns(Vec<(Role, &'a dyn Array)>),
}

#[derive(Clone)]
enum Role {
    Id,
    Name,
    Rubric,
    Version,
    Profile(String),
    Answer(String),
}

/// Scores every row of `batch`.
pub fn evaluate(
    rubric: &mizan::Rubric,
    plan: &Plan,
    batch: &RecordBatch,
    numbers: Numbers,
    json_column: Option<&str>,
) -> Result<RecordBatch, String> {
    let model = rubric.model();
    let schema = batch.schema();
    let source = match json_column {
        Some(name) => {
            let col = batch
                .column_by_name(name)
                .ok_or_else(|| format!("json_column={name:?}: the batch has no such column"))?;
            if !matches!(
                col.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) {
                return Err(format!(
                    "json_column={name:?} is {}, not a string column",
                    col.data_type()
                ));
            }
            Source::Json(col.as_ref())
        }
        None => {
            let mut cols = Vec::new();
            for (f, col) in schema.fields().iter().zip(batch.columns()) {
                let name = f.name().as_str();
                let role = match name {
                    "id" => Role::Id,
                    "name" => Role::Name,
                    "rubric" => Role::Rubric,
                    "version" => Role::Version,
                    _ => match name.strip_prefix("profile.") {
                        Some(p) => Role::Profile(p.to_string()),
                        None if model.profile.contains_key(name) && !model.by_id.contains_key(name) => {
                            Role::Profile(name.to_string())
                        }
                        None => Role::Answer(name.to_string()),
                    },
                };
                check_type(name, col.data_type())?;
                cols.push((role, col.as_ref()));
            }
            Source::Columns(cols)
        }
    };
    let rows: Vec<Row> = (0..batch.num_rows())
        .into_par_iter()
        .map(|i| row(rubric, plan, &source, i, numbers))
        .collect();
    build(model, rows, numbers)
}

/// Refuses a column of a type no answer is written in (a schema error, for
/// the whole batch).
fn check_type(name: &str, t: &DataType) -> Result<(), String> {
    match t {
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Null => Ok(()),
        DataType::List(f) | DataType::LargeList(f) => check_type(name, f.data_type()),
        other => Err(format!(
            "column {name:?} is {other}: answers are strings, numbers, booleans or lists of them"
        )),
    }
}

/// The JSON value of cell `i` of `a` (`None` when null).
fn cell(a: &dyn Array, i: usize) -> Option<Value> {
    if a.is_null(i) {
        return None;
    }
    let num = |n: Option<serde_json::Number>| Some(n.map_or(Value::Null, Value::Number));
    match a.data_type() {
        DataType::Utf8 => Some(Value::String(a.as_string::<i32>().value(i).to_string())),
        DataType::LargeUtf8 => Some(Value::String(a.as_string::<i64>().value(i).to_string())),
        DataType::Utf8View => Some(Value::String(a.as_string_view().value(i).to_string())),
        DataType::Boolean => Some(Value::Bool(a.as_boolean().value(i))),
        DataType::Int8 => num(Some(a.as_primitive::<Int8Type>().value(i).into())),
        DataType::Int16 => num(Some(a.as_primitive::<Int16Type>().value(i).into())),
        DataType::Int32 => num(Some(a.as_primitive::<Int32Type>().value(i).into())),
        DataType::Int64 => num(Some(a.as_primitive::<Int64Type>().value(i).into())),
        DataType::UInt8 => num(Some(a.as_primitive::<UInt8Type>().value(i).into())),
        DataType::UInt16 => num(Some(a.as_primitive::<UInt16Type>().value(i).into())),
        DataType::UInt32 => num(Some(a.as_primitive::<UInt32Type>().value(i).into())),
        DataType::UInt64 => num(Some(a.as_primitive::<UInt64Type>().value(i).into())),
        DataType::Float32 => num(serde_json::Number::from_f64(f64::from(
            a.as_primitive::<Float32Type>().value(i),
        ))),
        DataType::Float64 => num(serde_json::Number::from_f64(
            a.as_primitive::<Float64Type>().value(i),
        )),
        DataType::Decimal128(_, s) => {
            let v = a.as_primitive::<Decimal128Type>().value(i);
            let text = u32::try_from(*s)
                .ok()
                .and_then(|s| Decimal::try_from_i128_with_scale(v, s).ok())
                .map(|d| d.to_string());
            num(text.and_then(|t| t.parse().ok()))
        }
        DataType::List(_) => {
            let l = a.as_list::<i32>().value(i);
            Some(Value::Array(
                (0..l.len())
                    .map(|j| cell(l.as_ref(), j).unwrap_or(Value::Null))
                    .collect(),
            ))
        }
        DataType::LargeList(_) => {
            let l = a.as_list::<i64>().value(i);
            Some(Value::Array(
                (0..l.len())
                    .map(|j| cell(l.as_ref(), j).unwrap_or(Value::Null))
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// The answer set of row `i` built from its columns.
fn answer_set(model: &Model, cols: &[(Role, &dyn Array)], i: usize) -> Value {
    let mut top = Map::new();
    top.insert("rubric".into(), Value::String(model.id.clone()));
    top.insert("version".into(), Value::String(model.version.clone()));
    let mut entity = Map::new();
    let mut profile = Map::new();
    let mut answers = Map::new();
    for (role, a) in cols {
        let Some(v) = cell(*a, i) else { continue };
        match role {
            Role::Id => {
                entity.insert("id".into(), v);
            }
            Role::Name => {
                entity.insert("name".into(), v);
            }
            Role::Rubric => {
                top.insert("rubric".into(), v);
            }
            Role::Version => {
                top.insert("version".into(), v);
            }
            Role::Profile(p) => {
                profile.insert(p.clone(), v);
            }
            Role::Answer(c) => {
                answers.insert(c.clone(), v);
            }
        }
    }
    if !profile.is_empty() {
        entity.insert("profile".into(), Value::Object(profile));
    }
    top.insert("entity".into(), Value::Object(entity));
    top.insert("answers".into(), Value::Object(answers));
    Value::Object(top)
}

/// Reads and scores row `i`.
fn row(rubric: &mizan::Rubric, plan: &Plan, source: &Source<'_>, i: usize, numbers: Numbers) -> Row {
    let model = rubric.model();
    let origin = Origin {
        file: format!("row {i}"),
        line: None,
    };
    let read = match source {
        Source::Json(a) => {
            let text = match cell(*a, i) {
                Some(Value::String(s)) => s,
                _ => "null".to_string(),
            };
            mizan::answers::read(plan, origin, &text)
        }
        Source::Columns(cols) => mizan::answers::read_value(plan, origin, &answer_set(model, cols, i)),
    };
    let json_list = |ps: &[mizan::answers::Rejection]| {
        Value::Array(ps.iter().map(crate::problem_json).collect()).to_string()
    };
    match read.and_then(|sub| mizan::eval::evaluate(plan, sub)) {
        Ok(r) => {
            let score = r.score();
            let band =
                mizan::render::json::headline(model, &model.root().bands, score, mizan::render::Lang::En)
                    .0
                    .map(str::to_string);
            let nodes: Vec<Option<Decimal>> = r.outcomes.iter().skip(1).map(|o| o.score()).collect();
            let mut out = Row {
                id: Some(r.submission.entity.clone()),
                name: r.submission.name.clone(),
                score,
                band,
                nodes,
                warnings: (!r.warnings.is_empty()).then(|| json_list(&r.warnings)),
                ..Row::default()
            };
            // A decimal column holds scores below 10¹⁰: a larger one is
            // this row's error, not a rounded number.
            if numbers == Numbers::Decimal
                && std::iter::once(score)
                    .chain(out.nodes.iter().copied())
                    .flatten()
                    .any(|d| to_i128(d).is_none())
            {
                out.score = None;
                out.band = None;
                out.nodes = Vec::new();
                out.codes = Some("range".into());
                out.errors = Some(
                    serde_json::json!([{
                        "source": format!("row {i}"),
                        "entity": r.submission.entity,
                        "code": "range",
                        "message": "a score is 10^10 or more in magnitude: it does not fit decimal(38, 28); use numbers=\"str\"",
                        "pointer": "",
                    }])
                    .to_string(),
                );
            }
            out
        }
        Err(problems) => {
            use miette::Diagnostic;
            let codes: Vec<String> = problems
                .iter()
                .filter_map(|p| p.code().map(|c| c.to_string()))
                .collect();
            Row {
                id: problems.iter().find_map(|p| p.entity.clone()),
                codes: Some(codes.join(",")),
                errors: Some(json_list(&problems)),
                ..Row::default()
            }
        }
    }
}

/// `d` as a `decimal128(38, 28)` value; `None` when it does not fit.
fn to_i128(d: Decimal) -> Option<i128> {
    let up = 28u32.checked_sub(d.scale())?;
    let v = d.mantissa().checked_mul(10i128.checked_pow(up)?)?;
    (v.unsigned_abs() < 10u128.pow(38)).then_some(v)
}

/// Numbers of one column.
enum NumBuilder {
    Decimal(Decimal128Builder),
    Str(StringBuilder),
    Float(Float64Builder),
}

impl NumBuilder {
    fn new(numbers: Numbers, rows: usize) -> Self {
        match numbers {
            Numbers::Decimal => NumBuilder::Decimal(Decimal128Builder::with_capacity(rows)),
            Numbers::Str => NumBuilder::Str(StringBuilder::with_capacity(rows, rows * 8)),
            Numbers::Float => NumBuilder::Float(Float64Builder::with_capacity(rows)),
        }
    }

    fn push(&mut self, d: Option<Decimal>) {
        match self {
            NumBuilder::Decimal(b) => b.append_option(d.and_then(to_i128)),
            NumBuilder::Str(b) => b.append_option(d.map(|d| d.normalize().to_string())),
            // The nearest double (Rust's parser rounds correctly, as Python's
            // float() of the same text does).
            NumBuilder::Float(b) => b.append_option(d.and_then(|d| d.to_string().parse::<f64>().ok())),
        }
    }

    fn finish(self) -> Result<ArrayRef, String> {
        Ok(match self {
            NumBuilder::Decimal(mut b) => Arc::new(
                b.finish()
                    .with_precision_and_scale(PRECISION, SCALE)
                    .map_err(|e| e.to_string())?,
            ),
            NumBuilder::Str(mut b) => Arc::new(b.finish()),
            NumBuilder::Float(mut b) => Arc::new(b.finish()),
        })
    }
}

fn strings<'a>(rows: &'a [Row], f: impl Fn(&'a Row) -> Option<&'a str>) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 8);
    for r in rows {
        b.append_option(f(r));
    }
    Arc::new(b.finish())
}

fn build(model: &Model, rows: Vec<Row>, numbers: Numbers) -> Result<RecordBatch, String> {
    let n_nodes = model.nodes.len().saturating_sub(1);
    let mut score = NumBuilder::new(numbers, rows.len());
    let mut nodes: Vec<NumBuilder> = (0..n_nodes)
        .map(|_| NumBuilder::new(numbers, rows.len()))
        .collect();
    for r in &rows {
        score.push(r.score);
        for (j, b) in nodes.iter_mut().enumerate() {
            b.push(r.nodes.get(j).copied().flatten());
        }
    }
    let mut columns: Vec<ArrayRef> = vec![
        strings(&rows, |r| r.id.as_deref()),
        strings(&rows, |r| r.name.as_deref()),
        score.finish()?,
        strings(&rows, |r| r.band.as_deref()),
    ];
    for b in nodes {
        columns.push(b.finish()?);
    }
    columns.push(strings(&rows, |r| r.codes.as_deref()));
    columns.push(strings(&rows, |r| r.errors.as_deref()));
    columns.push(strings(&rows, |r| r.warnings.as_deref()));
    RecordBatch::try_new(Arc::new(schema(model, numbers)), columns).map_err(|e| e.to_string())
}
