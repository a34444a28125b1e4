//! Stage 5: results → text. Tables, JSON documents, explain trees and
//! diagnostics. Only this module and `cli` know about output formats;
//! rounding happens here and nowhere else.

pub mod diagnostics;
pub mod diff;
mod excerpt;
pub mod explain;
pub mod json;
pub mod lang;
pub mod table;

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

/// A band as people read it: its label in `lang` (else in the other
/// language, else any), or its id when it has no label.
pub fn band_label(lang: Lang, band: &crate::model::BandDef) -> &str {
    lang.pick(&band.label).unwrap_or(&band.id)
}

/// A node's title in `lang` (else in the other language), if it has one.
pub fn title(lang: Lang, labels: &crate::model::Labels) -> Option<&str> {
    lang.pick(labels)
}
