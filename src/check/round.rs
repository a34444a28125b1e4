//! Rounding modes in rule files: the third argument of `round`, the mode
//! of `precision N MODE` and of `bands SET on round(score, N, MODE)`.

use super::{CheckError, Checker};
use crate::ast::{self, ExprKind};
use crate::model::RoundMode;

impl Checker<'_> {
    /// The mode an argument names (`half_even`), or M0337.
    pub(super) fn round_mode(&mut self, e: &ast::Expr) -> Option<RoundMode> {
        if let ExprKind::Path(p) = &e.kind {
            if let Some(m) = RoundMode::from_name(p) {
                return Some(m);
            }
        }
        let name = crate::fmt::collapse_source(e.loc.snippet(), true);
        self.diags.push(CheckError::UnknownRoundMode {
            help: Self::values_help(&name, RoundMode::ALL.iter().map(|(n, _)| *n))
                .replace("declared:", "modes:"),
            name,
            src: self.src.clone(),
            span: e.loc.span,
        });
        None
    }
}
