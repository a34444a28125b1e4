//! `mizan template RULES --format xlsx`: the questionnaire an entity
//! fills, as an Excel workbook, and the import mapping that reads the
//! filled workbook back (`mizan import`, docs/import.md).
//!
//! Sheets (names and headers in the requested language):
//!
//! - **Entity** (الجهة): one row to fill: the entity's id, name and every
//!   profile field (a drop-down for a field of listed values or a yes/no
//!   field, a number check for a number field).
//! - **Questionnaire** (الاستبيان): one row per criterion outside repeated
//!   nodes, in rubric order: hidden columns with the entity id (a formula
//!   on the Entity sheet) and the criterion id; then the section, the
//!   criterion's title and guidance, when it applies, the answer cell, and
//!   the answers it takes. The answer cell of a choice or yes/no criterion
//!   is a drop-down of the option labels (N/A only where the rubric allows
//!   it); a number's bounds are a validation; a multi-choice takes labels
//!   separated by `;`.
//! - **Options** (الخيارات), hidden: the drop-down lists, one row per
//!   criterion.
//!
//! The mapping reads the Entity sheet (wide layout) and the Questionnaire
//! sheet (long layout) and spells every option label as its option id.

use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Formula, XlsxError};

use super::xlsx::{sheet, workbook, Error};
use super::Lang;
use crate::model::{AnswerKind, FieldTy, Model, NodeDef, NodeKind};

/// The sheet names: entity, questionnaire, options.
pub fn sheet_names(lang: Lang) -> [&'static str; 3] {
    [
        lang.t("Entity", "الجهة"),
        lang.t("Questionnaire", "الاستبيان"),
        lang.t("Options", "الخيارات"),
    ]
}

/// The Questionnaire sheet's headers.
pub fn headers(lang: Lang) -> [&'static str; 8] {
    [
        lang.t("entity", "الجهة"),
        lang.t("id", "المعرف"),
        lang.t("section", "القسم"),
        lang.t("criterion", "المعيار"),
        lang.t("guidance", "الإرشاد"),
        lang.t("applies", "الانطباق"),
        lang.t("answer", "الإجابة"),
        lang.t("answers taken", "الإجابات المقبولة"),
    ]
}

/// The Questionnaire's answer column (0-based).
pub const ANSWER: u16 = 6;

/// The text of N/A in a cell.
fn na(lang: Lang) -> &'static str {
    super::xlsx::na(lang)
}

/// Yes and no as written in a cell.
fn yes_no(lang: Lang) -> (&'static str, &'static str) {
    (lang.t("Yes", "نعم"), lang.t("No", "لا"))
}

/// The criteria the questionnaire asks: outside repeated nodes.
pub fn criteria(model: &Model) -> Vec<(&NodeDef, &crate::model::Criterion)> {
    model
        .nodes
        .iter()
        .filter(|n| n.scope == 0 && n.repeat.is_none())
        .filter_map(|n| match &n.kind {
            NodeKind::Criterion(c) => Some((n, c)),
            NodeKind::Group(_) => None,
        })
        .collect()
}

/// An option's label in `lang`, else its id.
fn label(lang: Lang, o: &crate::model::OptionDef) -> &str {
    lang.pick(&o.label).unwrap_or(&o.id)
}

/// The texts a criterion's drop-down offers (`None`: no drop-down).
fn choices(lang: Lang, c: &crate::model::Criterion) -> Option<Vec<&str>> {
    match &c.answer {
        AnswerKind::Choice { options, .. } => Some(options.iter().map(|o| label(lang, o)).collect()),
        AnswerKind::YesNo => {
            let (y, n) = yes_no(lang);
            let mut v = vec![y, n];
            if c.na_allowed {
                v.push(na(lang));
            }
            Some(v)
        }
        AnswerKind::Multi { .. } | AnswerKind::Number { .. } => None,
    }
}

/// The Questionnaire's note of what a criterion takes.
fn taken(lang: Lang, c: &crate::model::Criterion) -> String {
    let na_note = if c.na_allowed {
        format!("; {}", na(lang))
    } else {
        String::new()
    };
    match &c.answer {
        AnswerKind::Choice { options, .. } => options
            .iter()
            .map(|o| label(lang, o))
            .collect::<Vec<_>>()
            .join(" | "),
        AnswerKind::Multi { options, .. } => format!(
            "{}: {}",
            lang.t("one or more, separated by ;", "واحد أو أكثر، مفصولة بـ ;"),
            options
                .iter()
                .map(|o| label(lang, o))
                .collect::<Vec<_>>()
                .join(" | ")
        ),
        AnswerKind::YesNo => {
            let (y, n) = yes_no(lang);
            format!("{y} | {n}{na_note}")
        }
        AnswerKind::Number {
            min,
            max,
            codes,
            unit,
        } => {
            let mut s = lang.t("a number", "رقم").to_string();
            match (min, max) {
                (Some(a), Some(b)) => s.push_str(&format!(" {a}..{b}")),
                (Some(a), None) => s.push_str(&format!(" ≥ {a}")),
                (None, Some(b)) => s.push_str(&format!(" ≤ {b}")),
                (None, None) => {}
            }
            if let Some(u) = unit {
                s.push_str(&format!(" ({u})"));
            }
            if !codes.is_empty() {
                s.push_str(&format!(
                    "; {}: {}",
                    lang.t("or a code", "أو رمز"),
                    codes
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
            }
            s.push_str(&na_note);
            s
        }
    }
}

/// When a node applies: its own `applies when` and its ancestors', as
/// written in the rule file, joined by `and`; empty when it always does.
fn applies(model: &Model, n: &NodeDef) -> String {
    let mut conds = Vec::new();
    let mut cur = Some(n);
    while let Some(node) = cur {
        if let Some(a) = &node.applies {
            conds.push(a.loc.snippet().to_string());
        }
        cur = node.parent.and_then(|p| model.nodes.get(p));
    }
    conds.reverse();
    conds.join(" and ")
}

/// A sheet name quoted for a formula.
fn quoted(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// The questionnaire workbook of `model` in `lang`.
pub fn questionnaire(model: &Model, lang: Lang) -> Result<Vec<u8>, Error> {
    let mut wb = workbook()?;
    let [entity_name, q_name, options_name] = sheet_names(lang);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();

    // Entity.
    let mut es = sheet(entity_name, lang)?;
    let eh = entity_headers(model, lang);
    for (c, h) in (0u16..).zip(&eh) {
        es.write_string_with_format(0, c, h, &bold)?;
        es.set_column_width(c, 24)?;
    }
    for (f, c) in entity_fields(model).zip(2u16..) {
        let dv = match &f.ty {
            FieldTy::Enum(values) => Some(list(values.iter().map(String::as_str))?),
            FieldTy::Bool => {
                let (y, n) = yes_no(lang);
                Some(list([y, n].into_iter())?)
            }
            FieldTy::Number => Some(
                DataValidation::new().allow_decimal_number(DataValidationRule::Between(f64::MIN, f64::MAX)),
            ),
        };
        if let Some(dv) = dv {
            es.add_data_validation(1, c, 1, c, &dv)?;
        }
    }
    wb.push_worksheet(es);

    // Questionnaire and its lists.
    let mut qs = sheet(q_name, lang)?;
    let mut os = sheet(options_name, lang)?;
    os.set_hidden(true);
    for (c, h) in (0u16..).zip(headers(lang)) {
        qs.write_string_with_format(0, c, h, &bold)?;
    }
    let entity_ref = format!("{}!$A$2", quoted(entity_name));
    for ((n, c), row) in criteria(model).into_iter().zip(1u32..) {
        qs.write_formula(
            row,
            0,
            Formula::new(format!("=IF({entity_ref}=\"\",\"\",{entity_ref})")).set_result(" "),
        )?;
        qs.write_string(row, 1, &n.id)?;
        let section = n
            .parent
            .and_then(|p| model.nodes.get(p))
            .filter(|p| p.parent.is_some())
            .map(|p| super::title(lang, &p.title).unwrap_or(&p.id))
            .unwrap_or_default();
        qs.write_string_with_format(row, 2, section, &wrap)?;
        qs.write_string_with_format(row, 3, super::title(lang, &n.title).unwrap_or(&n.id), &wrap)?;
        if let Some(d) = lang.pick(&n.description) {
            qs.write_string_with_format(row, 4, d, &wrap)?;
        }
        let a = applies(model, n);
        if !a.is_empty() {
            qs.write_string_with_format(row, 5, &a, &wrap)?;
        }
        qs.write_string_with_format(row, 7, taken(lang, c), &wrap)?;
        let dv = match choices(lang, c) {
            Some(items) => {
                for (item, col) in items.iter().zip(0u16..) {
                    os.write_string(row, col, *item)?;
                }
                let last = rust_xlsxwriter::utility::column_number_to_name(
                    u16::try_from(items.len().saturating_sub(1)).unwrap_or(0),
                );
                Some(DataValidation::new().allow_list_formula(Formula::new(format!(
                    "={}!$A${r}:${last}${r}",
                    quoted(options_name),
                    r = row + 1
                ))))
            }
            None => match &c.answer {
                AnswerKind::Number { min, max, codes, .. } if codes.is_empty() => {
                    number_rule(*min, *max, c.na_allowed, row, lang)
                }
                _ => None,
            },
        };
        if let Some(dv) = dv {
            qs.add_data_validation(row, ANSWER, row, ANSWER, &dv)?;
        }
    }
    qs.set_column_hidden(0)?;
    qs.set_column_hidden(1)?;
    qs.set_column_width(2, 28)?;
    qs.set_column_width(3, 48)?;
    qs.set_column_width(4, 48)?;
    qs.set_column_width(5, 24)?;
    qs.set_column_width(6, 24)?;
    qs.set_column_width(7, 40)?;
    qs.set_freeze_panes(1, 0)?;
    wb.push_worksheet(qs);
    wb.push_worksheet(os);
    Ok(wb.save_to_buffer()?)
}

/// A list validation of fixed texts.
fn list<'a>(items: impl Iterator<Item = &'a str>) -> Result<DataValidation, XlsxError> {
    let items: Vec<&str> = items.collect();
    DataValidation::new().allow_list_strings(&items)
}

/// A number's bounds as a validation; with N/A allowed, a formula that
/// also takes the N/A text.
fn number_rule(
    min: Option<rust_decimal::Decimal>,
    max: Option<rust_decimal::Decimal>,
    na_allowed: bool,
    row: u32,
    lang: Lang,
) -> Option<DataValidation> {
    let lo = min.and_then(|d| d.to_f64());
    let hi = max.and_then(|d| d.to_f64());
    if na_allowed {
        let cell = format!("G{}", row + 1);
        let mut conds = vec![format!("ISNUMBER({cell})")];
        if let Some(m) = min {
            conds.push(format!("{cell}>={m}"));
        }
        if let Some(m) = max {
            conds.push(format!("{cell}<={m}"));
        }
        return Some(DataValidation::new().allow_custom(Formula::new(format!(
            "=OR({cell}=\"{}\",AND({}))",
            na(lang),
            conds.join(",")
        ))));
    }
    let rule = match (lo, hi) {
        (Some(a), Some(b)) => DataValidationRule::Between(a, b),
        (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
        (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
        (None, None) => DataValidationRule::Between(f64::MIN, f64::MAX),
    };
    Some(DataValidation::new().allow_decimal_number(rule))
}

/// The entity's own profile fields (not those of repeated nodes'
/// instances), the Entity sheet's columns after id and name.
pub fn entity_fields(model: &Model) -> impl Iterator<Item = &crate::model::FieldDef> {
    model.profile.values().filter(|f| f.owner.is_none())
}

/// The Entity sheet's headers: id, name, then every profile field (its
/// label in the language, else its name).
pub fn entity_headers(model: &Model, lang: Lang) -> Vec<String> {
    let mut h = vec![
        lang.t("entity id", "معرف الجهة").to_string(),
        lang.t("name", "الاسم").to_string(),
    ];
    for f in entity_fields(model) {
        h.push(lang.pick(&f.label).unwrap_or(&f.name).to_string());
    }
    h
}

/// The import mapping (TOML) that reads the filled questionnaire.
pub fn mapping(model: &Model, lang: Lang) -> String {
    use toml::{Table, Value};
    let strs = |v: Vec<String>| Value::Array(v.into_iter().map(Value::String).collect());
    let mut values: indexmap::IndexMap<String, Vec<String>> = indexmap::IndexMap::new();
    let mut spell = |id: &str, text: &str| {
        if text.eq_ignore_ascii_case(id) {
            return;
        }
        let e = values.entry(id.to_string()).or_default();
        if !e.iter().any(|t| t == text) {
            e.push(text.to_string());
        }
    };
    let (y, n) = yes_no(lang);
    for (_, c) in criteria(model) {
        for o in c.answer.options() {
            spell(&o.id, label(lang, o));
        }
        match &c.answer {
            AnswerKind::YesNo => {
                spell("true", y);
                spell("false", n);
                if c.na_allowed {
                    spell("na", na(lang));
                }
            }
            AnswerKind::Number { .. } if c.na_allowed => spell("na", na(lang)),
            _ => {}
        }
    }
    if entity_fields(model).any(|f| f.ty == FieldTy::Bool) {
        spell("true", y);
        spell("false", n);
    }
    let mut top = Table::new();
    top.insert("rubric".into(), Value::String(model.id.clone()));
    top.insert("version".into(), Value::String(model.version.clone()));
    let mut vt = Table::new();
    for (k, v) in values {
        vt.insert(k, strs(v));
    }
    top.insert("values".into(), Value::Table(vt));
    let [entity_name, q_name, _] = sheet_names(lang);
    let eh = entity_headers(model, lang);
    let mut et = Table::new();
    et.insert("sheet".into(), Value::String(entity_name.into()));
    et.insert(
        "entity".into(),
        Value::String(eh.first().cloned().unwrap_or_default()),
    );
    et.insert(
        "name".into(),
        Value::String(eh.get(1).cloned().unwrap_or_default()),
    );
    let mut fields = Table::new();
    for (f, h) in entity_fields(model).zip(eh.iter().skip(2)) {
        fields.insert(f.name.clone(), Value::String(h.clone()));
    }
    et.insert("fields".into(), Value::Table(fields));
    let [h_entity, h_id, _, _, _, _, h_answer, _] = headers(lang);
    let mut qt = Table::new();
    qt.insert("sheet".into(), Value::String(q_name.into()));
    qt.insert("layout".into(), Value::String("long".into()));
    qt.insert("entity".into(), Value::String(h_entity.into()));
    qt.insert("criterion".into(), Value::String(h_id.into()));
    qt.insert("answer".into(), Value::String(h_answer.into()));
    top.insert(
        "table".into(),
        Value::Array(vec![Value::Table(et), Value::Table(qt)]),
    );
    let mut s = format!(
        "# Import mapping of the questionnaire of {} {} ({}), written by `mizan template`.\n",
        model.id,
        model.version,
        lang.tag()
    );
    s.push_str(&toml::to_string(&top).unwrap_or_default());
    s
}
