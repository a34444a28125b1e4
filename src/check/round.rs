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

impl Checker<'_> {
    /// `codes` anywhere but on a `number` criterion (M0212).
    pub(super) fn codes_misplaced(&mut self, a: &super::Attrs<'_>) {
        if let Some((_, loc)) = a.codes {
            self.diags.push(CheckError::Misplaced {
                what: "codes".into(),
                why: "only applies to a `number` criterion".into(),
                src: self.src.clone(),
                span: loc.span,
                help: Some("declare `codes { … }` beside `number` in a criterion".into()),
            });
        }
    }

    /// `codes { … }` of a `number` criterion (a repeated id is M0201).
    pub(super) fn codes(&mut self, codes: Option<&[ast::CodeDecl]>) -> Vec<crate::model::CodeDef> {
        use crate::model::{CodeDef, CodeValue};
        let mut out: Vec<CodeDef> = Vec::new();
        let codes = codes.unwrap_or_default();
        for (k, c) in codes.iter().enumerate() {
            if let Some(first) = codes.iter().take(k).find(|o| o.id.node == c.id.node) {
                self.diags.push(CheckError::Duplicate {
                    what: "code",
                    name: c.id.node.clone(),
                    src: self.src.clone(),
                    span: c.id.loc.span,
                    first: first.id.loc.span,
                });
                continue;
            }
            let means = match (&c.number, c.means.node.as_str()) {
                (Some(n), _) => CodeValue::Value(n.node),
                (None, "n/a") => CodeValue::Na,
                _ => CodeValue::Missing,
            };
            out.push(CodeDef {
                id: c.id.node.clone(),
                means,
                label: super::labels(c.label.as_ref()),
            });
        }
        out
    }
}
