//! `mizan eval --format xlsx`: the results as an Excel workbook
//! (`rust_xlsxwriter`), for the people who receive scores in a
//! spreadsheet.
//!
//! Three sheets:
//!
//! - **Scores** (نتائج): one row per evaluated entity, in id order: id,
//!   name, score, band (its label), rank, then every node below the root as
//!   a column. Row 1 holds the node ids, row 2 their titles in the
//!   requested language; both rows are frozen. Scores are numbers: the
//!   exact decimal becomes an `f64` only in the cell, and the cell's number
//!   format shows the rubric's `precision` (`0.0%` for a percentage with
//!   one place, `0.00` for points with two). N/A is the text `N/A`
//!   (`لا ينطبق` in Arabic), which `SUM` and `AVERAGE` skip.
//! - **Errors** (أخطاء): one row per problem of a rejected submission: file,
//!   line, entity, code, JSON pointer, message.
//! - **Provenance** (المصدر): rubric id, version, sha256, Mizan version,
//!   and the population's score, entities and excluded submissions.
//!
//! The workbook is deterministic: no time of generation is written, the
//! document's creation date is fixed (2000-01-01) and the archive's
//! entries carry the zip format's fixed date. Under Arabic every sheet is
//! right to left.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{band_label, Lang};
use crate::eval::Batch;
use crate::model::{Model, Precision, Unit};

/// A workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the workbook: {0}")]
pub struct Error(#[from] XlsxError);

/// The sheet names, in the language.
pub fn sheet_names(lang: Lang) -> [&'static str; 3] {
    [
        lang.t("Scores", "النتائج"),
        lang.t("Errors", "الأخطاء"),
        lang.t("Provenance", "المصدر"),
    ]
}

/// The fixed creation date written in the document's properties.
fn fixed_date() -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(2000, 1, 1)
}

/// A new workbook with deterministic properties.
pub(crate) fn workbook() -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_creation_datetime(&fixed_date()?)
        .set_author("Mizan");
    wb.set_properties(&props);
    Ok(wb)
}

/// A worksheet named `name`, right to left under Arabic.
pub(crate) fn sheet(name: &str, lang: Lang) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_right_to_left(lang.is_rtl());
    Ok(ws)
}

/// The number format of a value of `unit` shown with `precision`:
/// `0.0%`, `0.00`, `0` …
pub fn num_format(unit: Unit, precision: Precision) -> String {
    let places = precision.width();
    let mut f = String::from("0");
    if places > 0 {
        f.push('.');
        f.push_str(&"0".repeat(places));
    }
    if unit == Unit::Percent {
        f.push('%');
    }
    f
}

/// An exact decimal as the cell's `f64` (the nearest one).
pub fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// Writes `v` (a number with `fmt`, or the language's N/A text).
fn write_score(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: Option<Decimal>,
    fmt: &Format,
    lang: Lang,
) -> Result<(), XlsxError> {
    match v {
        Some(d) => ws.write_number_with_format(row, col, to_f64(d), fmt)?,
        None => ws.write_string(row, col, na(lang))?,
    };
    Ok(())
}

/// The text of an N/A cell.
pub fn na(lang: Lang) -> &'static str {
    lang.t("N/A", "لا ينطبق")
}

/// Columns before the nodes on the Scores sheet.
pub const FIXED_COLUMNS: u16 = 5;

/// The workbook of a batch's results, in `lang`.
pub fn results(model: &Model, batch: &Batch, lang: Lang) -> Result<Vec<u8>, Error> {
    let mut wb = workbook()?;
    let [scores_name, errors_name, provenance_name] = sheet_names(lang);
    let bold = Format::new().set_bold();

    // Scores.
    let mut ws = sheet(scores_name, lang)?;
    let headers = [
        lang.t("id", "المعرف"),
        lang.t("name", "الاسم"),
        lang.t("score", "الدرجة"),
        lang.t("band", "الفئة"),
        lang.t("rank", "الترتيب"),
    ];
    for (c, h) in (0u16..).zip(headers) {
        ws.write_string_with_format(0, c, h, &bold)?;
    }
    let root_title = super::title(lang, &model.root().title).unwrap_or(&model.id);
    ws.write_string(1, 2, root_title)?;
    let nodes = model.nodes.get(1..).unwrap_or_default();
    let formats: Vec<Format> = model
        .nodes
        .iter()
        .map(|n| Format::new().set_num_format(num_format(n.unit, model.precision)))
        .collect();
    for (c, n) in (FIXED_COLUMNS..).zip(nodes) {
        ws.write_string_with_format(0, c, &n.id, &bold)?;
        if let Some(t) = super::title(lang, &n.title) {
            ws.write_string(1, c, t)?;
        }
    }
    let ranked = model.population.rank.is_some();
    let default_fmt = Format::new();
    for ((r, rank), row) in batch.results.iter().zip(&batch.ranks).zip(2u32..) {
        ws.write_string(row, 0, &r.submission.entity)?;
        if let Some(name) = &r.submission.name {
            ws.write_string(row, 1, name)?;
        }
        let score = r.score();
        write_score(
            &mut ws,
            row,
            2,
            score,
            formats.first().unwrap_or(&default_fmt),
            lang,
        )?;
        if let Some(b) = score.and_then(|s| model.band(&model.root().bands, s)) {
            ws.write_string(row, 3, band_label(lang, b))?;
        }
        if let (true, Some(k)) = (ranked, rank) {
            ws.write_number(row, 4, *k as f64)?;
        }
        for ((o, f), c) in r.outcomes.iter().zip(&formats).skip(1).zip(FIXED_COLUMNS..) {
            write_score(&mut ws, row, c, o.score(), f, lang)?;
        }
    }
    ws.set_freeze_panes(2, 1)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 28)?;
    wb.push_worksheet(ws);

    // Errors.
    let mut ws = sheet(errors_name, lang)?;
    let headers = [
        lang.t("file", "الملف"),
        lang.t("line", "السطر"),
        lang.t("entity", "الجهة"),
        lang.t("code", "الرمز"),
        lang.t("pointer", "المؤشر"),
        lang.t("message", "الرسالة"),
    ];
    for (c, h) in (0u16..).zip(headers) {
        ws.write_string_with_format(0, c, h, &bold)?;
    }
    for (e, row) in batch.errors.iter().zip(1u32..) {
        let p = super::json::problem(e);
        ws.write_string(row, 0, &e.origin.file)?;
        if let Some(l) = e.origin.line {
            ws.write_number(row, 1, l as f64)?;
        }
        if let Some(ent) = &e.entity {
            ws.write_string(row, 2, ent)?;
        }
        ws.write_string(row, 3, &p.code)?;
        ws.write_string(row, 4, &p.pointer)?;
        ws.write_string(row, 5, &p.message)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_column_width(0, 40)?;
    ws.set_column_width(4, 30)?;
    ws.set_column_width(5, 80)?;
    wb.push_worksheet(ws);

    // Provenance.
    let mut ws = sheet(provenance_name, lang)?;
    let rows: [(&str, &str); 5] = [
        (lang.t("rubric", "المؤشر"), &model.id),
        (lang.t("title", "العنوان"), root_title),
        (lang.t("version", "الإصدار"), &model.version),
        ("sha256", &model.sha256),
        (lang.t("Mizan version", "إصدار ميزان"), env!("CARGO_PKG_VERSION")),
    ];
    let mut row = 0u32;
    for (k, v) in rows {
        ws.write_string_with_format(row, 0, k, &bold)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, lang.t("population score", "الدرجة الإجمالية"), &bold)?;
    write_score(
        &mut ws,
        row,
        1,
        batch.population.score,
        formats.first().unwrap_or(&default_fmt),
        lang,
    )?;
    row += 1;
    ws.write_string_with_format(row, 0, lang.t("entities", "الجهات"), &bold)?;
    ws.write_number(row, 1, batch.population.entities as f64)?;
    row += 1;
    ws.write_string_with_format(row, 0, lang.t("excluded", "إجابات مرفوضة ومستبعدة"), &bold)?;
    ws.write_number(row, 1, batch.rejected as f64)?;
    ws.set_column_width(0, 20)?;
    ws.set_column_width(1, 70)?;
    wb.push_worksheet(ws);

    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RoundMode;

    #[test]
    fn number_formats_follow_precision_and_unit() {
        let p = |places| Precision {
            places,
            mode: RoundMode::HalfUp,
        };
        assert_eq!(num_format(Unit::Percent, p(1)), "0.0%");
        assert_eq!(num_format(Unit::Number, p(2)), "0.00");
        assert_eq!(num_format(Unit::Percent, p(0)), "0%");
    }
}
