//! Stage 5: results → text. Tables, JSON documents, explain trees and
//! diagnostics. Only this module and `cli` know about output formats;
//! rounding happens here and nowhere else.

pub mod diagnostics;
pub mod diff;
mod excerpt;
pub mod explain;
pub mod form;
pub mod guide;
pub mod json;
pub mod jsonl;
pub mod lang;
pub mod report;
pub mod schema;
pub mod table;
pub mod xlsx;
pub mod xlsx_template;

use rust_decimal::Decimal;

pub use crate::model::Precision;
pub use lang::Lang;

/// `0.8333…` as `83.3%` with `precision`'s decimal places, rounded in its
/// mode (half away from zero unless the rubric says `precision N MODE`).
pub fn percent(score: Decimal, precision: Precision) -> String {
    match score.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => {
            let p = precision.round(p);
            format!("{:.*}%", precision.width(), p)
        }
        // Too large to show as a percentage: show the score itself.
        None => score.normalize().to_string(),
    }
}

/// A score for reports: a percentage, or `N/A`.
pub fn score_cell(score: Option<Decimal>, precision: Precision) -> String {
    score.map_or_else(|| "N/A".to_string(), |s| percent(s, precision))
}

/// A score for reports in `lang`: a percentage (a left-to-right fragment,
/// isolated in Arabic), or N/A in the language.
pub fn score_cell_in(lang: Lang, score: Option<Decimal>, precision: Precision) -> String {
    match score {
        Some(s) => lang.ltr(&percent(s, precision)).into_owned(),
        None => lang.t("N/A", "لا ينطبق").to_string(),
    }
}

/// A value as its unit reads it, with `precision`'s decimal places in its
/// rounding mode: `percent` 83.3%, `points` 82.5, `points of 100`
/// 82.5 / 100, `number` 14 (trailing zeros dropped), `score 0..10`
/// 5.2 / 10.
pub fn value(unit: crate::model::Unit, v: Decimal, precision: Precision) -> String {
    use crate::model::Unit;
    let fixed = |d: Decimal| format!("{:.*}", precision.width(), precision.round(d));
    match unit {
        Unit::Percent => percent(v, precision),
        Unit::Number => precision.round(v).normalize().to_string(),
        Unit::Points(_) | Unit::Scale(..) => match unit.out_of() {
            Some(n) => format!("{} / {}", fixed(v), n.normalize()),
            None => fixed(v),
        },
    }
}

/// A value for reports in `lang`, as its unit reads it (a left-to-right
/// fragment, isolated in Arabic), or N/A in the language.
pub fn value_cell_in(
    lang: Lang,
    unit: crate::model::Unit,
    v: Option<Decimal>,
    precision: Precision,
) -> String {
    match v {
        Some(s) => lang.ltr(&value(unit, s, precision)).into_owned(),
        None => lang.t("N/A", "لا ينطبق").to_string(),
    }
}

/// The unit of node `ix` (percent when out of range).
pub fn unit_of(model: &crate::model::Model, ix: crate::model::NodeIx) -> crate::model::Unit {
    model.nodes.get(ix).map_or_else(Default::default, |n| n.unit)
}

/// A band as people read it: its label in `lang` (else in the other
/// language, else any), or its id when it has no label.
pub fn band_label(lang: Lang, band: &crate::model::BandDef) -> &str {
    lang.pick(&band.label).unwrap_or(&band.id)
}

/// Escapes text for HTML, SVG or XML content and attribute values (`&`,
/// `<`, `>`, `"`, `'`): for markup written by hand, outside the minijinja
/// templates (which escape their own).
pub fn escape_markup(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Value `i` of an enum profile field as people read it: its label in
/// `lang` (else in the other language, else any), or its id when the rubric
/// gives it no label (`one of a, b`).
pub fn value_label(lang: Lang, field: &crate::model::FieldDef, i: usize) -> &str {
    let id = match &field.ty {
        crate::model::FieldTy::Enum(values) => values.get(i).map_or("", String::as_str),
        _ => "",
    };
    field.value_labels.get(i).and_then(|l| lang.pick(l)).unwrap_or(id)
}

/// The level word of node `n` as people read it: the label its `levels`
/// declaration gives in `lang` (else the other language); the words of a
/// rubric without `levels` (`group`, `criterion`) in `lang`; else the word
/// as written. `None`: a node without a level word.
pub fn level_label(model: &crate::model::Model, n: &crate::model::NodeDef, lang: Lang) -> Option<String> {
    let name = n.level.as_ref()?;
    let label = model
        .levels
        .iter()
        .find(|l| &l.name == name)
        .and_then(|l| lang.pick(&l.label));
    Some(match (label, name.as_str()) {
        (Some(l), _) => l.to_string(),
        (None, "group") => lang.t("group", "مجموعة").to_string(),
        (None, "criterion") => lang.t("criterion", "معيار").to_string(),
        (None, _) => name.clone(),
    })
}

/// A node's title in `lang` (else in the other language), if it has one.
pub fn title(lang: Lang, labels: &crate::model::Labels) -> Option<&str> {
    lang.pick(labels)
}
