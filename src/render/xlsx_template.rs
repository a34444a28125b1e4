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
//! - **one sheet per repeated node**, named by its title: a row per
//!   instance (a note, the headers in the language and a hidden row of
//!   ids above the rows to fill): the entity id (hidden, a formula), a key
//!   column per level from the outermost, the node's instance fields, then
//!   a column per criterion of the node (same drop-downs and checks).
//! - **Options** (الخيارات), hidden: the drop-down lists, one row per
//!   criterion.
//!
//! The mapping reads the Entity sheet (wide layout), the Questionnaire
//! sheet (long layout) and each repeated node's sheet (wide layout, with
//! `path` and `keys`), and spells every option label as its option id.

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

/// The criteria the Questionnaire sheet asks: outside repeated nodes
/// (those are on [`instance_sheets`]).
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

/// The texts an enum profile field's drop-down offers: each value's label
/// in `lang`, else its id (the mapping reads either).
fn enum_labels(lang: Lang, f: &crate::model::FieldDef) -> impl Iterator<Item = &str> {
    let n = match &f.ty {
        FieldTy::Enum(values) => values.len(),
        _ => 0,
    };
    (0..n).map(move |i| super::value_label(lang, f, i))
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

    // The hidden sheet of drop-down lists: row r + 1 holds the list of the
    // Questionnaire's row r; the rows after them, those of the profile's
    // listed values and of the instance sheets' questions.
    let mut os = sheet(options_name, lang)?;
    os.set_hidden(true);
    let mut list_row = u32::try_from(criteria(model).len())
        .unwrap_or(u32::MAX)
        .saturating_add(1);

    // Entity.
    let mut es = sheet(entity_name, lang)?;
    let eh = entity_headers(model, lang);
    for (c, h) in (0u16..).zip(&eh) {
        es.write_string_with_format(0, c, h, &bold)?;
        es.set_column_width(c, 24)?;
    }
    for (f, c) in entity_fields(model).zip(2u16..) {
        let dv = field_rule(f, lang, &mut os, options_name, &mut list_row)?;
        es.add_data_validation(1, c, 1, c, &dv)?;
    }
    wb.push_worksheet(es);

    // Questionnaire.
    let mut qs = sheet(q_name, lang)?;
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
            Some(items) => Some(listed(&mut os, options_name, row, items)?),
            None => match &c.answer {
                AnswerKind::Number { min, max, codes, .. } if codes.is_empty() => {
                    number_rule(*min, *max, c.na_allowed, &format!("G{}", row + 1), lang)
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

    // A sheet per repeated node.
    for sh in instance_sheets(model, lang) {
        let ws = instance_sheet(
            model,
            lang,
            &sh,
            &entity_ref,
            &mut os,
            options_name,
            &mut list_row,
        )?;
        wb.push_worksheet(ws);
    }
    wb.push_worksheet(os);
    Ok(wb.save_to_buffer()?)
}

/// A drop-down of `items`, written in row `row` of the hidden Options
/// sheet (a list in the validation itself would be cut at Excel's 255
/// characters, and broken by a comma in a label).
fn listed<'a>(
    os: &mut rust_xlsxwriter::Worksheet,
    options_name: &str,
    row: u32,
    items: impl IntoIterator<Item = &'a str>,
) -> Result<DataValidation, XlsxError> {
    let mut n = 0u16;
    for (item, col) in items.into_iter().zip(0u16..) {
        os.write_string(row, col, item)?;
        n = col;
    }
    let last = rust_xlsxwriter::utility::column_number_to_name(n);
    Ok(DataValidation::new().allow_list_formula(Formula::new(format!(
        "={}!$A${r}:${last}${r}",
        quoted(options_name),
        r = row + 1
    ))))
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
    cell: &str,
    lang: Lang,
) -> Option<DataValidation> {
    let lo = min.and_then(|d| d.to_f64());
    let hi = max.and_then(|d| d.to_f64());
    if na_allowed {
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
    let sheets = instance_sheets(model, lang);
    let asked = criteria(model)
        .into_iter()
        .chain(sheets.iter().flat_map(|sh| sh.criteria.iter().copied()));
    for (_, c) in asked {
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
    if model.profile.values().any(|f| f.ty == FieldTy::Bool) {
        spell("true", y);
        spell("false", n);
    }
    for f in model.profile.values() {
        if let FieldTy::Enum(ids) = &f.ty {
            for (i, id) in ids.iter().enumerate() {
                spell(id, super::value_label(lang, f, i));
            }
        }
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
    let mut tables = vec![Value::Table(et), Value::Table(qt)];
    for sh in &sheets {
        let mut t = Table::new();
        t.insert("sheet".into(), Value::String(sh.name.clone()));
        t.insert("header_row".into(), Value::Integer(i64::from(ID_ROW) + 1));
        t.insert("entity".into(), Value::String(ENTITY_ID.into()));
        t.insert(
            "path".into(),
            strs(sh.path.iter().map(|n| n.id.clone()).collect()),
        );
        let mut keys = Table::new();
        for n in &sh.path {
            keys.insert(n.id.clone(), strs(vec![key_column(&n.id)]));
        }
        t.insert("keys".into(), Value::Table(keys));
        if !sh.fields.is_empty() {
            let mut fields = Table::new();
            for f in &sh.fields {
                fields.insert(f.name.clone(), Value::String(field_column(&f.name)));
            }
            t.insert("fields".into(), Value::Table(fields));
        }
        if !sh.criteria.is_empty() {
            let mut answers = Table::new();
            for (n, _) in &sh.criteria {
                answers.insert(n.id.clone(), Value::String(n.id.clone()));
            }
            t.insert("answers".into(), Value::Table(answers));
        }
        tables.push(Value::Table(t));
    }
    top.insert("table".into(), Value::Array(tables));
    let mut s = format!(
        "# Import mapping of the questionnaire of {} {} ({}), written by `mizan template`.\n",
        model.id,
        model.version,
        lang.tag()
    );
    s.push_str(&toml::to_string(&top).unwrap_or_default());
    s
}

/// The rows prepared for instances on each instance sheet.
pub const INSTANCE_ROWS: u32 = 1000;

/// The instance sheets' row (0-based) of ids the mapping reads, hidden;
/// above it the headers in the language (row 1) and the note (row 0),
/// below it the rows to fill.
pub const ID_ROW: u32 = 2;

/// The id-row text of the entity column of an instance sheet.
pub const ENTITY_ID: &str = "entity id";

/// The id-row text of the key column of repeated node `id`.
pub fn key_column(id: &str) -> String {
    format!("key: {id}")
}

/// The id-row text of the column of instance field `name`.
pub fn field_column(name: &str) -> String {
    format!("field: {name}")
}

/// One sheet of the questionnaire per repeated node: a row per instance.
#[derive(Debug)]
pub struct InstanceSheet<'a> {
    /// The sheet's name (the node's title in the language, else its id).
    pub name: String,
    /// The repeated nodes from the outermost to this sheet's node: one key
    /// column each.
    pub path: Vec<&'a NodeDef>,
    /// The node's instance fields.
    pub fields: Vec<&'a crate::model::FieldDef>,
    /// The criteria answered once per instance of the node (not those of
    /// repeated nodes inside it), in rubric order.
    pub criteria: Vec<(&'a NodeDef, &'a crate::model::Criterion)>,
}

impl InstanceSheet<'_> {
    /// The ids of the columns, as the hidden id row gives them: the
    /// entity, a key per level, the fields, the criteria.
    pub fn ids(&self) -> Vec<String> {
        let mut v = vec![ENTITY_ID.to_string()];
        v.extend(self.path.iter().map(|n| key_column(&n.id)));
        v.extend(self.fields.iter().map(|f| field_column(&f.name)));
        v.extend(self.criteria.iter().map(|(n, _)| n.id.clone()));
        v
    }

    /// The headers people read, in `lang`, column by column as [`Self::ids`].
    pub fn headers(&self, lang: Lang) -> Vec<String> {
        let mut v = vec![lang.t("entity", "الجهة").to_string()];
        v.extend(
            self.path
                .iter()
                .map(|n| super::title(lang, &n.title).unwrap_or(&n.id).to_string()),
        );
        v.extend(
            self.fields
                .iter()
                .map(|f| lang.pick(&f.label).unwrap_or(&f.name).to_string()),
        );
        v.extend(
            self.criteria
                .iter()
                .map(|(n, _)| super::title(lang, &n.title).unwrap_or(&n.id).to_string()),
        );
        v
    }

    /// The repeated node of the sheet.
    pub fn node(&self) -> Option<&NodeDef> {
        self.path.last().copied()
    }
}

/// A text as a sheet name: without the characters Excel forbids, at most
/// 31 characters.
fn sheet_name(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    s.trim().trim_matches('\'').trim().chars().take(31).collect()
}

/// The instance sheets of `model` in `lang`: one per repeated node, in
/// rubric order.
pub fn instance_sheets(model: &Model, lang: Lang) -> Vec<InstanceSheet<'_>> {
    let mut used: Vec<String> = sheet_names(lang).iter().map(|s| s.to_lowercase()).collect();
    let mut out = Vec::new();
    for (ix, n) in model.nodes.iter().enumerate() {
        if n.repeat.is_none() {
            continue;
        }
        let mut path = vec![n];
        let mut up = n.parent.and_then(|p| model.nodes.get(p)).map_or(0, |p| p.scope);
        while up != 0 {
            let Some(r) = model.nodes.get(up) else { break };
            path.push(r);
            up = r.parent.and_then(|p| model.nodes.get(p)).map_or(0, |p| p.scope);
        }
        path.reverse();
        let fields = model.profile.values().filter(|f| f.owner == Some(ix)).collect();
        let criteria = model
            .nodes
            .iter()
            .filter(|c| c.scope == ix)
            .filter_map(|c| match &c.kind {
                NodeKind::Criterion(k) => Some((c, k)),
                NodeKind::Group(_) => None,
            })
            .collect();
        let mut name = sheet_name(super::title(lang, &n.title).unwrap_or(&n.id));
        if name.is_empty() || used.contains(&name.to_lowercase()) {
            name = sheet_name(&n.id);
        }
        let base: String = name.chars().take(26).collect();
        let mut k = 2;
        while name.is_empty() || used.contains(&name.to_lowercase()) {
            name = format!("{base} {k}");
            k += 1;
        }
        used.push(name.to_lowercase());
        out.push(InstanceSheet {
            name,
            path,
            fields,
            criteria,
        });
    }
    out
}

/// The note on top of an instance sheet.
fn instance_note(lang: Lang, title: &str, nested: bool) -> String {
    let mut s = match lang {
        Lang::Ar => format!("صف لكل «{title}»: اكتب في عمود «{title}» اسمًا يميّزه"),
        _ => format!("One row per “{title}”: write a name that tells it apart in the column “{title}”"),
    };
    if nested {
        s.push_str(lang.t(
            ", and in the columns before it the names of the instances it belongs to, written as on their sheets",
            "، وفي الأعمدة التي قبله أسماء ما ينتمي إليه كما كُتبت في أوراقها",
        ));
    }
    s.push_str(&match lang {
        Lang::Ar => format!(
            "؛ ثم بياناته وإجاباته. أُعدّ {INSTANCE_ROWS} صف؛ لإضافة المزيد انسخ الصف الأخير إلى الأسفل. الصفوف الفارغة لا تُقرأ."
        ),
        _ => format!(
            "; then its details and answers. {INSTANCE_ROWS} rows are prepared; to add more, copy the last row down. Empty rows are not read."
        ),
    });
    s
}

/// The note on a criterion's header: its guidance, when it applies, what
/// it takes.
fn criterion_note(model: &Model, lang: Lang, n: &NodeDef, c: &crate::model::Criterion) -> String {
    let mut parts = Vec::new();
    if let Some(d) = lang.pick(&n.description) {
        parts.push(d.to_string());
    }
    let [.., h_applies, _, h_taken] = headers(lang);
    let a = applies(model, n);
    if !a.is_empty() {
        parts.push(format!("{h_applies}: {a}"));
    }
    parts.push(format!("{h_taken}: {}", taken(lang, c)));
    parts.join("\n")
}

/// The validation of a cell of profile field `f` (a field of listed
/// values takes the next row of the Options sheet).
fn field_rule(
    f: &crate::model::FieldDef,
    lang: Lang,
    os: &mut rust_xlsxwriter::Worksheet,
    options_name: &str,
    list_row: &mut u32,
) -> Result<DataValidation, XlsxError> {
    Ok(match &f.ty {
        FieldTy::Enum(_) => {
            let row = *list_row;
            *list_row = row.saturating_add(1);
            listed(os, options_name, row, enum_labels(lang, f))?
        }
        FieldTy::Bool => {
            let (y, n) = yes_no(lang);
            list([y, n].into_iter())?
        }
        FieldTy::Number => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(f64::MIN, f64::MAX))
        }
    })
}

/// The worksheet of one repeated node; its drop-down lists go to `os`
/// from row `list_row` on.
fn instance_sheet(
    model: &Model,
    lang: Lang,
    sh: &InstanceSheet<'_>,
    entity_ref: &str,
    os: &mut rust_xlsxwriter::Worksheet,
    options_name: &str,
    list_row: &mut u32,
) -> Result<rust_xlsxwriter::Worksheet, Error> {
    use rust_xlsxwriter::utility::column_number_to_name;
    let mut ws = sheet(&sh.name, lang)?;
    let bold = Format::new().set_bold().set_text_wrap();
    let ids = sh.ids();
    let width = u16::try_from(ids.len()).unwrap_or(u16::MAX);
    let levels = u16::try_from(sh.path.len()).unwrap_or(0);
    let title = sh
        .node()
        .map(|n| super::title(lang, &n.title).unwrap_or(&n.id))
        .unwrap_or_default();
    let mut note = instance_note(lang, title, sh.path.len() > 1);
    // A top-level node with `keys LIST`: its instances are the list's,
    // written in the key column.
    if let [n] = sh.path.as_slice() {
        if let Some(keys) = n.repeat.as_ref().and_then(|r| r.keys.as_ref()) {
            for (k, r) in keys.ids.iter().zip(ID_ROW + 1..=ID_ROW + INSTANCE_ROWS) {
                ws.write_string(r, 1, k)?;
            }
            note.push(' ');
            note.push_str(lang.t(
                "The rubric lists the instances: their names are written; keep them, add none.",
                "يحدد المعيار هذه العناصر: أسماؤها مكتوبة؛ أبقها ولا تضف غيرها.",
            ));
        }
    }
    ws.write_string(0, 1, note)?;
    for ((c, h), id) in (0u16..).zip(sh.headers(lang)).zip(&ids) {
        ws.write_string_with_format(1, c, &h, &bold)?;
        ws.write_string(ID_ROW, c, id)?;
    }
    let (first, last) = (ID_ROW + 1, ID_ROW + INSTANCE_ROWS);
    let last_col = column_number_to_name(width.saturating_sub(1).max(1));
    for r in first..=last {
        ws.write_formula(
            r,
            0,
            Formula::new(format!(
                "=IF(COUNTA(B{n}:{last_col}{n})=0,\"\",{entity_ref})",
                n = r + 1
            ))
            .set_result(" "),
        )?;
    }
    let fields_at = 1 + levels;
    for (f, c) in sh.fields.iter().zip(fields_at..) {
        let dv = field_rule(f, lang, os, options_name, list_row)?;
        ws.add_data_validation(first, c, last, c, &dv)?;
        ws.set_column_width(c, 18)?;
    }
    let crit_at = fields_at + u16::try_from(sh.fields.len()).unwrap_or(0);
    for ((n, c), col) in sh.criteria.iter().zip(crit_at..) {
        ws.set_column_width(col, 22)?;
        let note = rust_xlsxwriter::Note::new(criterion_note(model, lang, n, c)).set_author("Mizan");
        ws.insert_note(1, col, &note)?;
        let dv = match choices(lang, c) {
            Some(items) => {
                let row = *list_row;
                *list_row = row.saturating_add(1);
                Some(listed(os, options_name, row, items)?)
            }
            None => match &c.answer {
                AnswerKind::Number { min, max, codes, .. } if codes.is_empty() => {
                    let cell = format!("{}{}", column_number_to_name(col), first + 1);
                    number_rule(*min, *max, c.na_allowed, &cell, lang)
                }
                _ => None,
            },
        };
        if let Some(dv) = dv {
            ws.add_data_validation(first, col, last, col, &dv)?;
        }
    }
    for c in 1..fields_at {
        ws.set_column_width(c, 20)?;
    }
    ws.set_column_hidden(0)?;
    ws.set_row_hidden(ID_ROW)?;
    ws.set_freeze_panes(first, fields_at)?;
    Ok(ws)
}
