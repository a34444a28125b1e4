//! Spreadsheet answers: tables (xlsx, ods, CSV) turned into answer sets by
//! a declared [`Mapping`].
//!
//! Each table maps its rows to one entity, and optionally to instances of
//! repeated nodes (`path`, with key columns per level). Values are mapped
//! by the rubric's types: option ids through the mapping's spellings
//! (case-insensitive), numbers, booleans and enum values. Every cell that
//! cannot be mapped is reported with its table, row and column, against
//! its entity; nothing is dropped silently.

mod error;
pub mod filter;
mod mapping;
mod source;
mod xml;

use std::path::{Path, PathBuf};

pub use error::ImportError;
pub use mapping::{template, ColumnMap, Encoding, Filter, Layout, Mapping, Numbers, Piece, TableMap};
pub use source::{
    column_letters, decode, is_workbook, limits, number_text, read_table, read_table_bytes, read_table_in,
    Cell, Row, Table,
};

use indexmap::IndexMap;
use miette::SourceSpan;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::answers::{AnswerError, Origin, Rejection};
use crate::model::{AnswerKind, FieldTy, Model, NodeIx, NodeKind};

/// Parses a mapping file and checks its values (M0601, located in the
/// mapping): a `header_row` on the sheet grid, no empty column or sheet
/// name, no spelling listed for two values.
pub fn parse_mapping(name: &str, text: &str) -> Result<Mapping, ImportError> {
    let m: Mapping = toml::from_str(text).map_err(|e| ImportError::Mapping {
        reason: e.message().to_string(),
        span: e.span().map(SourceSpan::from),
        src: crate::diag::Src::new(name, text),
        help: Some("see docs/import.md for the mapping format".into()),
    })?;
    mapping::validate(&m).map_err(|p| ImportError::Mapping {
        reason: p.reason,
        span: mapping::span_of(text, &p.at).map(SourceSpan::from),
        src: crate::diag::Src::new(name, text),
        help: Some(p.help),
    })?;
    Ok(Mapping {
        source: Some((name.to_string(), text.to_string())),
        ..m
    })
}

/// The mapping's `values` against the rubric: no spelling listed under two
/// options of one criterion or two values of one enum field (M0601, at the
/// second listing).
fn check_values(model: &Model, mapping: &Mapping) -> Result<(), ImportError> {
    let mut targets: Vec<Vec<&str>> = model
        .criteria()
        .map(|(_, _, c)| c.answer.options().iter().map(|o| o.id.as_str()).collect())
        .collect();
    targets.extend(model.profile.values().filter_map(|d| match &d.ty {
        FieldTy::Enum(v) => Some(v.iter().map(String::as_str).collect()),
        _ => None,
    }));
    for ids in targets {
        let related = |a: &str, b: &str| a != b && ids.contains(&a) && ids.contains(&b);
        if let Some((s, first, value, j)) = mapping::conflict_in(&mapping.values, related) {
            let (name, text) = mapping.source.clone().unwrap_or_default();
            let at = [
                mapping::Key::Name("values".into()),
                mapping::Key::Name(value.clone()),
                mapping::Key::Index(j),
            ];
            return Err(ImportError::Mapping {
                reason: format!(
                    "`{s}` is listed as a spelling of both `{first}` and `{value}`, options of one question"
                ),
                span: mapping::span_of(&text, &at).map(SourceSpan::from),
                src: crate::diag::Src::new(&name, text.as_str()),
                help: Some("a cell text can mean one value only: remove it from one of the lists".into()),
            });
        }
    }
    Ok(())
}

/// Answer sets built from tables.
#[derive(Debug, Default)]
pub struct Imported {
    /// `(entity id, answer set)`, sorted by entity id.
    pub sets: Vec<(String, Value)>,
    /// Cells that could not be mapped, by entity (`None`: no entity).
    pub problems: Vec<Rejection>,
    /// Rows read and rows skipped by `where`, over all tables.
    pub rows: usize,
    /// Rows left out by the tables' `where` filters.
    pub filtered: usize,
}

impl Imported {
    /// The entities with a problem.
    pub fn rejected(&self) -> impl Iterator<Item = &str> {
        self.problems.iter().filter_map(|p| p.entity.as_deref())
    }
}

#[derive(Default)]
struct Inst {
    profile: Map<String, Value>,
    answers: Map<String, Value>,
    /// Where each answer and field came from, to report conflicts.
    from: IndexMap<String, String>,
    children: IndexMap<String, IndexMap<String, Inst>>,
}

struct EntityBuild {
    name: Option<String>,
    root: Inst,
}

/// A column resolved to its index.
struct Col<'m> {
    ix: usize,
    name: &'m str,
    values: Option<&'m IndexMap<String, Vec<String>>>,
    otherwise: Option<&'m str>,
    reading: Reading,
}

/// How a number cell is read: fractions or not, workbook doubles to 15
/// digits or shortest round-trip.
#[derive(Debug, Clone, Copy, Default)]
struct Reading {
    fractions: bool,
    shortest: bool,
}

/// Imports `inputs` (each table of the mapping reads every input whose
/// name contains its `file`, or every input when `file` is absent).
pub fn import(model: &Model, mapping: &Mapping, inputs: &[PathBuf]) -> Result<Imported, ImportError> {
    check_values(model, mapping)?;
    let mut out = Imported::default();
    let mut entities: IndexMap<String, EntityBuild> = IndexMap::new();
    // Every input is a regular file within the size limit, checked before
    // any is opened (a FIFO would block the reader, a device never end).
    for p in inputs {
        match crate::files::check(p, crate::files::MAX_INPUT_BYTES) {
            Ok(()) => {}
            Err(crate::files::FileError::Read { .. }) => {
                return Err(ImportError::Read {
                    file: p.display().to_string(),
                    reason: "no such file".into(),
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut used = vec![false; inputs.len()];
    for (ti, t) in mapping.tables.iter().enumerate() {
        let plan = TablePlan::new(model, t, ti + 1)?;
        for (input, used) in inputs.iter().zip(used.iter_mut()) {
            let fname = input.display().to_string();
            if t.file.as_ref().is_some_and(|f| !fname.contains(f.as_str())) {
                continue;
            }
            if t.sheet.is_some() != is_workbook(input) {
                continue;
            }
            *used = true;
            let table = read_table_in(
                input,
                t.sheet.as_deref(),
                t.header_row,
                t.encoding.or(mapping.encoding),
            )?;
            plan.rows(model, mapping, &table, &mut entities, &mut out)?;
        }
    }
    if let Some((unread, _)) = inputs.iter().zip(&used).find(|(_, u)| !**u) {
        return Err(ImportError::Read {
            file: unread.display().to_string(),
            reason: "no table of the mapping reads this file (see each table's `file` and `sheet`)".into(),
        });
    }
    Ok(finish(mapping, entities, out))
}

/// Imports tables already read, each `(i, table)` by the mapping's table
/// `i` (0-based; others are skipped): [`import`] without the files, what
/// the fuzz targets call.
pub fn import_tables(
    model: &Model,
    mapping: &Mapping,
    tables: &[(usize, Table)],
) -> Result<Imported, ImportError> {
    check_values(model, mapping)?;
    let mut out = Imported::default();
    let mut entities: IndexMap<String, EntityBuild> = IndexMap::new();
    for (i, table) in tables {
        let Some(t) = mapping.tables.get(*i) else { continue };
        let plan = TablePlan::new(model, t, i + 1)?;
        plan.rows(model, mapping, table, &mut entities, &mut out)?;
    }
    Ok(finish(mapping, entities, out))
}

fn finish(mapping: &Mapping, entities: IndexMap<String, EntityBuild>, mut out: Imported) -> Imported {
    let mut sets: Vec<(String, Value)> = entities
        .into_iter()
        .map(|(id, e)| {
            let mut obj = Map::new();
            obj.insert("rubric".into(), Value::String(mapping.rubric.clone()));
            obj.insert("version".into(), Value::String(mapping.version.clone()));
            let mut ent = Map::new();
            ent.insert("id".into(), Value::String(id.clone()));
            if let Some(n) = e.name {
                ent.insert("name".into(), Value::String(n));
            }
            ent.insert("profile".into(), Value::Object(e.root.profile.clone()));
            obj.insert("entity".into(), Value::Object(ent));
            obj.insert("answers".into(), Value::Object(e.root.answers.clone()));
            if !e.root.children.is_empty() {
                obj.insert("instances".into(), children(&e.root.children));
            }
            (id, Value::Object(obj))
        })
        .collect();
    sets.sort_by(|a, b| a.0.cmp(&b.0));
    out.sets = sets;
    out
}

fn children(c: &IndexMap<String, IndexMap<String, Inst>>) -> Value {
    let mut m = Map::new();
    for (node, items) in c {
        let list = items
            .iter()
            .map(|(key, inst)| {
                let mut o = Map::new();
                o.insert("key".into(), Value::String(key.clone()));
                if !inst.profile.is_empty() {
                    o.insert("profile".into(), Value::Object(inst.profile.clone()));
                }
                o.insert("answers".into(), Value::Object(inst.answers.clone()));
                if !inst.children.is_empty() {
                    o.insert("instances".into(), children(&inst.children));
                }
                Value::Object(o)
            })
            .collect();
        m.insert(node.clone(), Value::Array(list));
    }
    Value::Object(m)
}

/// A table's mapping, resolved against the rubric.
struct TablePlan<'m> {
    t: &'m TableMap,
    /// Repeated node indices of `path`.
    path: Vec<NodeIx>,
    /// Field name → (level in path: 0 = entity, k = path[k-1]), column.
    fields: Vec<(&'m str, usize, &'m ColumnMap)>,
    /// Criterion id → (level, column) — wide layout.
    answers: Vec<(&'m str, usize, &'m ColumnMap)>,
    /// 1-based table number, for messages.
    table: usize,
}

impl<'m> TablePlan<'m> {
    fn new(model: &Model, t: &'m TableMap, table: usize) -> Result<Self, ImportError> {
        let name_err =
            |message: String, help: Option<String>| ImportError::MappingName { table, message, help };
        let mut path = Vec::new();
        let mut scope = 0;
        for p in &t.path {
            let ok = model
                .by_id
                .get(p)
                .copied()
                .filter(|&r| model.repeated_in(scope).any(|x| x == r));
            let Some(r) = ok else {
                let here: Vec<&str> = model
                    .repeated_in(scope)
                    .filter_map(|r| model.nodes.get(r).map(|n| n.id.as_str()))
                    .collect();
                return Err(name_err(
                    format!("`{p}` in `path` is not a repeated node at this level"),
                    Some(format!("repeated nodes here: {}", here.join(", "))),
                ));
            };
            path.push(r);
            scope = r;
        }
        for k in t.keys.keys() {
            if !t.path.contains(k) {
                return Err(name_err(
                    format!("`keys` names `{k}`, which is not in `path`"),
                    None,
                ));
            }
        }
        let level_of = |scope: NodeIx| level_in(&path, scope);
        let mut fields = Vec::new();
        for (f, col) in &t.fields {
            let Some(def) = model.profile.get(f) else {
                return Err(name_err(
                    format!("unknown field `{f}`"),
                    crate::diag::did_you_mean(f, model.profile.keys().map(String::as_str)),
                ));
            };
            let Some(level) = level_of(def.owner.unwrap_or(0)) else {
                return Err(name_err(
                    format!("field `{f}` belongs to the instances of a node not in `path`"),
                    None,
                ));
            };
            fields.push((f.as_str(), level, col));
        }
        let mut answers = Vec::new();
        for (c, col) in &t.answers {
            let Some(&ix) = model
                .by_id
                .get(c)
                .filter(|&&ix| matches!(model.nodes.get(ix).map(|n| &n.kind), Some(NodeKind::Criterion(_))))
            else {
                let ids: Vec<&str> = model.criteria().map(|(_, n, _)| n.id.as_str()).collect();
                return Err(name_err(
                    format!("unknown criterion `{c}`"),
                    crate::diag::did_you_mean(c, ids),
                ));
            };
            let scope = model.nodes.get(ix).map_or(0, |n| n.scope);
            let Some(level) = level_of(scope) else {
                return Err(name_err(
                    format!("criterion `{c}` is answered in the instances of a node not in `path`"),
                    None,
                ));
            };
            answers.push((c.as_str(), level, col));
        }
        if t.layout == Layout::Long && (t.criterion.is_none() || t.answer.is_none()) {
            return Err(name_err(
                "a long table needs `criterion` and `answer` columns".into(),
                None,
            ));
        }
        Ok(TablePlan {
            t,
            path,
            fields,
            answers,
            table,
        })
    }

    /// The instance at `level` of `chain` in entity `e` (0: the entity).
    fn instance<'e>(
        &self,
        model: &Model,
        e: &'e mut EntityBuild,
        chain: &[String],
        level: usize,
    ) -> &'e mut Inst {
        let mut inst = &mut e.root;
        for (k, key) in chain.iter().take(level).enumerate() {
            let node = self
                .path
                .get(k)
                .and_then(|&r| model.nodes.get(r))
                .map_or("", |n| n.id.as_str());
            inst = inst
                .children
                .entry(node.to_string())
                .or_default()
                .entry(key.clone())
                .or_default();
        }
        inst
    }

    /// The column whose header is `name` (trimmed, ignoring case): an
    /// error when there is none (M0604) or more than one (M0606).
    fn col(&self, table: &Table, name: &str) -> Result<usize, ImportError> {
        let want = name.trim().to_lowercase();
        let found: Vec<usize> = table
            .header
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty() && h.to_lowercase() == want)
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(ImportError::MissingColumn {
                table: table.label.clone(),
                column: name.to_string(),
                row: self.t.header_row,
                help: crate::diag::did_you_mean(name, table.header.iter().map(String::as_str)),
            }),
            many => Err(ImportError::DuplicateColumn {
                table: table.label.clone(),
                column: name.to_string(),
                row: self.t.header_row,
                columns: many
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} `{}`",
                            column_letters(i),
                            table.header.get(i).map_or("", String::as_str)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    fn rows(
        &self,
        model: &Model,
        mapping: &Mapping,
        table: &Table,
        entities: &mut IndexMap<String, EntityBuild>,
        out: &mut Imported,
    ) -> Result<(), ImportError> {
        let t = self.t;
        let entity_col = self.col(table, &t.entity)?;
        let name_col = t.name.as_deref().map(|n| self.col(table, n)).transpose()?;
        let filters: Vec<(usize, &str)> = match &t.filter {
            Filter::Equal(map) => map
                .iter()
                .map(|(c, v)| Ok((self.col(table, c)?, v.as_str())))
                .collect::<Result<_, ImportError>>()?,
            Filter::Expr(_) => Vec::new(),
        };
        // Checked by `parse_mapping`; a mapping built in code is parsed here.
        let expr = match &t.filter {
            Filter::Expr(text) => Some(filter::parse(text).map_err(|e| ImportError::MappingName {
                table: self.table,
                message: format!("`where`: {e}"),
                help: None,
            })?),
            Filter::Equal(_) => None,
        };
        let expr_cols: Vec<(&str, usize)> = match &expr {
            Some(e) => e
                .columns()
                .into_iter()
                .map(|c| Ok((c, self.col(table, c)?)))
                .collect::<Result<_, ImportError>>()?,
            None => Vec::new(),
        };
        let mut keys: Vec<Vec<usize>> = Vec::new();
        for p in &t.path {
            let cols = t.keys.get(p).map_or(&[][..], Vec::as_slice);
            keys.push(
                cols.iter()
                    .map(|c| self.col(table, c))
                    .collect::<Result<_, _>>()?,
            );
        }
        let reading = Reading {
            fractions: t.fractions.or(mapping.fractions).unwrap_or(false),
            shortest: t.numbers.or(mapping.numbers).unwrap_or_default() == Numbers::Shortest,
        };
        let resolve = |list: &[(&'m str, usize, &'m ColumnMap)]| -> Result<Vec<(&'m str, usize, Col<'m>)>, ImportError> {
            list.iter()
                .map(|(n, level, cm)| {
                    Ok((
                        *n,
                        *level,
                        Col {
                            ix: self.col(table, cm.column())?,
                            name: cm.column(),
                            values: cm.values(),
                            otherwise: cm.otherwise(),
                            reading: Reading {
                                fractions: cm.fractions().unwrap_or(reading.fractions),
                                ..reading
                            },
                        },
                    ))
                })
                .collect()
        };
        let fields = resolve(&self.fields)?;
        let answers = resolve(&self.answers)?;
        // The criterion column, or the template's pieces with their columns.
        let long = match (t.layout, &t.criterion, &t.answer) {
            (Layout::Long, Some(c), Some(a)) => {
                let pieces = template(c).map_err(|e| ImportError::MappingName {
                    table: self.table,
                    message: format!("`criterion`: {e}"),
                    help: None,
                })?;
                let pieces: Vec<(Piece, Option<usize>)> = pieces
                    .into_iter()
                    .map(|p| match &p {
                        Piece::Column(name) => {
                            let ix = self.col(table, name)?;
                            Ok((p, Some(ix)))
                        }
                        Piece::Text(_) => Ok((p, None)),
                    })
                    .collect::<Result<_, ImportError>>()?;
                let first = pieces.iter().find_map(|(_, ix)| *ix).unwrap_or(0);
                Some((pieces, first, self.col(table, a)?))
            }
            _ => None,
        };
        let rewrite: Vec<(usize, &IndexMap<String, String>)> = t
            .rewrite
            .iter()
            .map(|(c, m)| Ok((self.col(table, c)?, m)))
            .collect::<Result<_, ImportError>>()?;
        let get = |cells: &Row, ix: usize| -> Cell {
            let c = cells[ix].clone();
            match rewrite.iter().find(|(i, _)| *i == ix) {
                Some((_, m)) => match m.get(&c.text()) {
                    Some(new) => Cell::Text(new.clone()),
                    None => c,
                },
                None => c,
            }
        };
        for (row, cells) in &table.rows {
            if cells.is_empty() {
                continue;
            }
            out.rows += 1;
            let kept = filters.iter().all(|(c, v)| get(cells, *c).text() == *v)
                && expr.as_ref().is_none_or(|e| {
                    e.holds(&|name: &str| {
                        expr_cols
                            .iter()
                            .find(|(c, _)| *c == name)
                            .map_or_else(String::new, |&(_, ix)| match get(cells, ix) {
                                Cell::Number(f) => number_text(f, reading.shortest),
                                c => c.text(),
                            })
                    })
                });
            if !kept {
                out.filtered += 1;
                continue;
            }
            let where_ = |col: usize, col_name: &str| Origin {
                file: format!(
                    "{} row {row}, column {} `{col_name}`",
                    table.label,
                    column_letters(col)
                ),
                line: None,
            };
            let entity = get(cells, entity_col).text();
            if entity.is_empty() {
                out.problems.push(Rejection {
                    origin: where_(entity_col, &t.entity),
                    entity: None,
                    pointer: String::new(),
                    error: AnswerError::Cell {
                        value: String::new(),
                        expected: "an entity id (the row has data)".into(),
                    },
                });
                continue;
            }
            let e = entities.entry(entity.clone()).or_insert_with(|| EntityBuild {
                name: None,
                root: Inst::default(),
            });
            if let Some(nc) = name_col {
                let n = get(cells, nc).text();
                if !n.is_empty() {
                    e.name = Some(n);
                }
            }
            // Walk (and create) the instance path of this row.
            let chain: Vec<String> = keys
                .iter()
                .map(|cols| {
                    if cols.is_empty() {
                        format!("{} row {row}", table.label)
                    } else {
                        cols.iter()
                            .map(|&c| get(cells, c).text())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    }
                })
                .collect();
            let mut problems = Vec::new();
            // Make sure the row's own instance exists even with no answers
            // (e.g. a URL row whose cells are all blank).
            self.instance(model, e, &chain, chain.len());
            let mut values: Vec<(usize, bool, String, Value, usize, String)> = Vec::new();
            for (f, level, col) in &fields {
                let cell = get(cells, col.ix);
                match field_value(model, mapping, f, &cell, col) {
                    Ok(Some(v)) => {
                        values.push((*level, true, f.to_string(), v, col.ix, col.name.to_string()))
                    }
                    Ok(None) => {}
                    Err(expected) => problems.push(bad(&where_(col.ix, col.name), &entity, &cell, expected)),
                }
            }
            let mut cells_to_map: Vec<(String, usize, Col<'_>, Cell)> = answers
                .iter()
                .map(|(c, level, col)| {
                    (
                        c.to_string(),
                        *level,
                        Col {
                            ix: col.ix,
                            name: col.name,
                            values: col.values,
                            otherwise: col.otherwise,
                            reading: col.reading,
                        },
                        get(cells, col.ix),
                    )
                })
                .collect();
            if let Some((pieces, cc, ac)) = &long {
                let (cc, ac) = (*cc, *ac);
                let written: String = pieces
                    .iter()
                    .map(|(p, ix)| match (p, ix) {
                        (Piece::Text(s), _) => s.clone(),
                        (Piece::Column(_), Some(ix)) => get(cells, *ix).text(),
                        (Piece::Column(_), None) => String::new(),
                    })
                    .collect();
                let id = t.criteria.get(&written).cloned().unwrap_or(written.clone());
                let level = model
                    .by_id
                    .get(&id)
                    .and_then(|&ix| model.nodes.get(ix))
                    .filter(|n| matches!(n.kind, NodeKind::Criterion(_)))
                    .and_then(|n| level_in(&self.path, n.scope));
                match level {
                    Some(level) => cells_to_map.push((
                        id,
                        level,
                        Col {
                            ix: ac,
                            name: t.answer.as_deref().unwrap_or(""),
                            values: None,
                            otherwise: None,
                            reading,
                        },
                        get(cells, ac),
                    )),
                    None => problems.push(bad(
                        &where_(cc, t.criterion.as_deref().unwrap_or("")),
                        &entity,
                        &Cell::Text(written),
                        "a criterion id of the rubric at this table's level".into(),
                    )),
                }
            }
            for (c, level, col, cell) in &cells_to_map {
                match answer_value(model, mapping, c, cell, col) {
                    Ok(Some(v)) => values.push((*level, false, c.clone(), v, col.ix, col.name.to_string())),
                    Ok(None) => {}
                    Err(expected) => problems.push(bad(&where_(col.ix, col.name), &entity, cell, expected)),
                }
            }
            let here = format!("{} row {row}", table.label);
            for (level, is_field, id, v, cix, cname) in values {
                let inst = self.instance(model, e, &chain, level);
                let slot = if is_field {
                    &mut inst.profile
                } else {
                    &mut inst.answers
                };
                match slot.get(&id) {
                    Some(old) if *old != v => problems.push(Rejection {
                        origin: where_(cix, &cname),
                        entity: Some(entity.clone()),
                        pointer: String::new(),
                        error: AnswerError::Conflict {
                            first: old.to_string(),
                            first_at: inst.from.get(&id).cloned().unwrap_or_default(),
                            second: v.to_string(),
                            id,
                        },
                    }),
                    Some(_) => {}
                    None => {
                        slot.insert(id.clone(), v);
                        inst.from.insert(id, here.clone());
                    }
                }
            }
            out.problems.extend(problems);
        }
        Ok(())
    }
}

/// The level of `path` whose instances hold scope `scope`: 0 for the
/// entity, k for `path[k - 1]`; `None` when the scope is not on the path.
fn level_in(path: &[NodeIx], scope: NodeIx) -> Option<usize> {
    if scope == 0 {
        Some(0)
    } else {
        path.iter().position(|&r| r == scope).map(|i| i + 1)
    }
}

fn bad(origin: &Origin, entity: &str, cell: &Cell, expected: String) -> Rejection {
    Rejection {
        origin: origin.clone(),
        entity: Some(entity.to_string()),
        pointer: String::new(),
        error: AnswerError::Cell {
            value: cell.text(),
            expected,
        },
    }
}

/// Looks `text` up in per-column, then global spellings, then the ids.
fn spelled<'a>(
    mapping: &'a Mapping,
    col: &'a Col<'_>,
    text: &str,
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Option<String> {
    let t = text.trim().to_lowercase();
    let find = |m: &IndexMap<String, Vec<String>>| {
        m.iter()
            .find(|(_, sp)| sp.iter().any(|s| s.trim().to_lowercase() == t))
            .map(|(k, _)| k.clone())
    };
    let global = || {
        mapping
            .values
            .iter()
            .filter(|(k, _)| ids.clone().any(|i| i == k.as_str()))
            .find(|(_, sp)| sp.iter().any(|s| s.trim().to_lowercase() == t))
            .map(|(k, _)| k.clone())
    };
    col.values
        .and_then(find)
        .or_else(global)
        .or_else(|| ids.clone().find(|i| i.to_lowercase() == t).map(str::to_string))
        .or_else(|| col.otherwise.map(str::to_string))
}

/// True when the cell means "no answer": empty, or one of the mapping's
/// `blank` texts, unless the column's own `values` spell it (a column may
/// give an empty cell a meaning: `false = ["no", ""]`) or the mapping's
/// `values` spell it as one of `ids`, the values the target can take.
fn is_blank<'a>(mapping: &Mapping, col: &Col<'_>, cell: &Cell, ids: impl Iterator<Item = &'a str>) -> bool {
    let t = cell.text().to_lowercase();
    let spells = |sp: &Vec<String>| sp.iter().any(|s| s.trim().to_lowercase() == t);
    let mut ids = ids;
    let own = col.values.is_some_and(|m| m.values().any(spells))
        || ids.any(|i| mapping.values.get(i).is_some_and(spells));
    !own && (cell.is_empty() || { mapping.blank.iter().any(|b| b.trim().to_lowercase() == t) })
}

/// True when a text cell reads as `na`: the column's own `values` spell it
/// so (a column spelling it as another value wins), or the mapping's
/// `values` do, or it is `na` itself.
fn spells_na(mapping: &Mapping, col: &Col<'_>, cell: &Cell) -> bool {
    let Cell::Text(_) = cell else { return false };
    let t = cell.text().to_lowercase();
    let spells = |sp: &Vec<String>| sp.iter().any(|s| s.trim().to_lowercase() == t);
    if let Some((k, _)) = col.values.and_then(|m| m.iter().find(|(_, sp)| spells(sp))) {
        return k == "na";
    }
    t == "na" || mapping.values.get("na").is_some_and(spells)
}

/// A decimal written in a cell: `12`, `.5`, `-.5`, `1.5e3`.
fn decimal(t: &str) -> Option<Decimal> {
    let t = t.trim();
    let s = if t.starts_with('.') {
        format!("0{t}")
    } else if t.starts_with("-.") {
        format!("-0{}", t.trim_start_matches('-'))
    } else {
        t.to_string()
    };
    Decimal::from_str_exact(&s)
        .ok()
        .or_else(|| Decimal::from_scientific(&s).ok())
}

/// A number cell's value; `Err(None)` when it is not a number, `Err(Some(what))`
/// for a fraction that cannot be read (`3/0`, `a/b`).
fn number(cell: &Cell, reading: Reading) -> Result<Value, Option<String>> {
    let d = match cell {
        Cell::Number(f) if f.is_finite() => {
            let s = number_text(*f, reading.shortest);
            Decimal::from_str_exact(&s)
                .ok()
                .or_else(|| s.parse::<Decimal>().ok())
                .ok_or(None)?
        }
        Cell::Text(t) if reading.fractions && t.contains('/') => {
            let (n, d) = t.split_once('/').unwrap_or_default();
            let (Some(n), Some(d)) = (decimal(n), decimal(d)) else {
                return Err(Some("a fraction of two numbers, such as 3/7".into()));
            };
            if d.is_zero() {
                return Err(Some("a fraction whose denominator is not 0".into()));
            }
            n.checked_div(d)
                .ok_or_else(|| Some("a fraction within the range of exact decimals".into()))?
        }
        Cell::Text(t) => decimal(t).ok_or(None)?,
        _ => return Err(None),
    };
    serde_json::from_str(&d.normalize().to_string()).map_err(|_| None)
}

fn boolean(mapping: &Mapping, col: &Col<'_>, cell: &Cell) -> Option<bool> {
    if let Cell::Bool(b) = cell {
        return Some(*b);
    }
    match spelled(
        mapping,
        col,
        &cell.text(),
        ["true", "false", "yes", "no"].into_iter(),
    )
    .as_deref()
    {
        Some("true" | "yes") => Some(true),
        Some(_) => Some(false),
        None => match cell.text().as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
    }
}

/// A profile value for field `f`; `Ok(None)` for a blank cell.
fn field_value(
    model: &Model,
    mapping: &Mapping,
    f: &str,
    cell: &Cell,
    col: &Col<'_>,
) -> Result<Option<Value>, String> {
    let Some(def) = model.profile.get(f) else {
        return Err("a known field".into());
    };
    let ids: Vec<&str> = match &def.ty {
        FieldTy::Enum(values) => values.iter().map(String::as_str).collect(),
        FieldTy::Bool => vec!["true", "false"],
        FieldTy::Number => Vec::new(),
    };
    if is_blank(mapping, col, cell, ids.into_iter()) {
        return Ok(None);
    }
    match &def.ty {
        FieldTy::Enum(values) => spelled(mapping, col, &cell.text(), values.iter().map(String::as_str))
            .map(|v| Some(Value::String(v)))
            .ok_or_else(|| {
                let text = cell.text();
                match def.value_labelled(&text) {
                    Some(id) => format!(
                        "one of {} (field `{f}`; `{}` is the label of `{id}`: spell it in the mapping's `values`)",
                        values.join(", "),
                        text.trim()
                    ),
                    None => format!("one of {} (field `{f}`)", values.join(", ")),
                }
            }),
        FieldTy::Number => number(cell, col.reading)
            .map(Some)
            .map_err(|e| e.unwrap_or_else(|| format!("a number (field `{f}`)"))),
        FieldTy::Bool => boolean(mapping, col, cell)
            .map(|b| Some(Value::Bool(b)))
            .ok_or_else(|| format!("yes or no (field `{f}`)")),
    }
}

/// An answer for criterion `c`; `Ok(None)` for a blank cell.
fn answer_value(
    model: &Model,
    mapping: &Mapping,
    c: &str,
    cell: &Cell,
    col: &Col<'_>,
) -> Result<Option<Value>, String> {
    let Some(NodeKind::Criterion(cr)) = model
        .by_id
        .get(c)
        .and_then(|&ix| model.nodes.get(ix))
        .map(|n| &n.kind)
    else {
        return Err("a criterion".into());
    };
    let ids = cr.answer.options().iter().map(|o| o.id.as_str());
    // A yes/no or number question that allows N/A takes `na` (the id, or
    // a spelling of it), as an answer file does.
    let takes_na = cr.na_allowed && matches!(cr.answer, AnswerKind::YesNo | AnswerKind::Number { .. });
    let mut ids: Vec<&str> = match cr.answer {
        AnswerKind::YesNo => vec!["true", "false"],
        _ => ids.collect(),
    };
    if takes_na {
        ids.push("na");
    }
    if is_blank(mapping, col, cell, ids.into_iter()) {
        return Ok(None);
    }
    if takes_na && spells_na(mapping, col, cell) {
        return Ok(Some(Value::String("na".into())));
    }
    match &cr.answer {
        AnswerKind::Multi { options, .. } if !options.iter().any(|o| o.is_na() && o.id == cell.text()) => {
            // Several options in one cell: `web, app` or `web; app`.
            let mut ids = Vec::new();
            for part in cell
                .text()
                .split([',', ';'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                match spelled(mapping, col, part, options.iter().map(|o| o.id.as_str())) {
                    Some(id) => ids.push(Value::String(id)),
                    None => {
                        let all: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
                        return Err(format!(
                            "options of `{c}` ({}) separated by commas",
                            all.join(", ")
                        ));
                    }
                }
            }
            Ok(Some(Value::Array(ids)))
        }
        AnswerKind::Choice { options, .. } | AnswerKind::Multi { options, .. } => {
            spelled(mapping, col, &cell.text(), options.iter().map(|o| o.id.as_str()))
                .map(|v| Some(Value::String(v)))
                .ok_or_else(|| {
                    let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
                    format!(
                        "an option of `{c}` ({}) or a spelling of one in the mapping",
                        ids.join(", ")
                    )
                })
        }
        AnswerKind::Number { codes, .. } => {
            // A code by its id or one of its labels (`pending`, "Data pending").
            let text = cell.text();
            let t = text.trim();
            if let Some(k) = codes
                .iter()
                .find(|k| k.id == t || k.label.values().any(|l| l.trim() == t))
            {
                return Ok(Some(Value::String(k.id.clone())));
            }
            number(cell, col.reading).map(Some).map_err(|e| {
                e.unwrap_or_else(|| {
                    if codes.is_empty() {
                        format!("a number for `{c}`")
                    } else {
                        let ids: Vec<&str> = codes.iter().map(|k| k.id.as_str()).collect();
                        format!("a number or a code of `{c}` ({})", ids.join(", "))
                    }
                })
            })
        }
        AnswerKind::YesNo => boolean(mapping, col, cell)
            .map(|b| Some(Value::Bool(b)))
            .ok_or_else(|| format!("yes or no for `{c}`")),
    }
}

/// The input files under `paths` (directories: their spreadsheets and
/// CSV files, at any depth, sorted, each once; see [`crate::files::walk`]).
/// Use [`walk_inputs`] to also learn what was left out.
pub fn inputs(paths: &[PathBuf]) -> Vec<PathBuf> {
    walk_inputs(paths).files
}

/// The walk of [`inputs`], with what it left out and the directories it
/// could not read.
pub fn walk_inputs(paths: &[PathBuf]) -> crate::files::Walk {
    crate::files::walk(paths, is_table)
}

/// True when `path` looks like an import input rather than JSON answers.
pub fn is_table(path: &Path) -> bool {
    is_workbook(path) || path.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv"))
}
