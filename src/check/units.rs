//! Units and headline indicators (`unit points of 100`, `headline a, b`).
//!
//! A node's unit says how its value reads and which range a criterion's
//! score must lie in. A declared unit is the node's own; a group without
//! one takes the unit its built-in aggregation gives from its inputs when
//! they all share a unit other than `percent` (`sum` of `points of 10` and
//! `points of 20` is `points of 30`; `mean` of `score 0..10` is
//! `score 0..10`), and is `percent` otherwise (today's meaning). Units do
//! not flow downwards. A built-in aggregation over inputs of different
//! units is M0331 (`count` excepted: it counts). Band thresholds follow the
//! unit of the nodes a band set is used on (M0332).

use std::collections::HashSet;

use miette::{Diagnostic, SourceSpan};
use rust_decimal::Decimal;
use thiserror::Error;

use super::Checker;
use crate::ast::{self, Item};
use crate::diag::Src;
use crate::model::{Aggregate, AnswerKind, Builtin, NodeIx, NodeKind, Over, Unit};

/// A problem with a unit or a headline declaration.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum UnitError {
    /// `unit percentage` or `unit score 10..0`: a unit that does not exist
    /// or whose bounds are wrong.
    #[error("{what}")]
    #[diagnostic(code(M0330), url("docs/diagnostics.md#m0330"))]
    BadUnit {
        /// What is wrong.
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// The declaration.
        #[label("here")]
        span: SourceSpan,
        /// What is allowed.
        #[help]
        help: String,
    },

    /// `group g { aggregate mean  criterion a { unit points … } criterion b { yesno } }`:
    /// a built-in aggregation over inputs of different units.
    #[error("`{id}` aggregates inputs of different units: {units}")]
    #[diagnostic(
        code(M0331),
        url("docs/diagnostics.md#m0331"),
        help("give its inputs the same unit, or combine them with a `score` formula that rescales them (e.g. `score (pts / 100 + share) / 2`) and declare the group's `unit`")
    )]
    MixedUnits {
        /// The group.
        id: String,
        /// The units met, e.g. "`points of 10` (`a`) and `percent` (`b`)".
        units: String,
        /// File.
        #[source_code]
        src: Src,
        /// The group.
        #[label("mixes units")]
        span: SourceSpan,
    },

    /// `bands grades { good >= 0.9 }` used on a node with `unit score 0..10`
    /// whose thresholds lie outside the unit's range… or `good >= 12` there.
    #[error("band threshold `{value}` is outside the range {range} of `{node}` ({unit})")]
    #[diagnostic(
        code(M0332),
        url("docs/diagnostics.md#m0332"),
        help("thresholds are in the unit of the nodes a band set classifies: write them in {range}, or use a separate band set for nodes of another unit")
    )]
    ThresholdOutsideUnit {
        /// The threshold.
        value: String,
        /// A node the set is used on.
        node: String,
        /// Its unit.
        unit: String,
        /// The unit's range.
        range: String,
        /// File.
        #[source_code]
        src: Src,
        /// The threshold.
        #[label("outside {range}")]
        span: SourceSpan,
        /// The use.
        #[label("used here")]
        used: SourceSpan,
    },

    /// `headline overal` (no such node), `headline a, a`, or `headline` on
    /// a node other than the rubric.
    #[error("{what}")]
    #[diagnostic(code(M0333), url("docs/diagnostics.md#m0333"))]
    BadHeadline {
        /// What is wrong.
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// The name.
        #[label("here")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: String,
    },
}

/// The band sets used (`bands SET`) on a node that declares a unit other
/// than `percent`, anywhere in the tree, or, when any node declares a
/// unit, on any node: their thresholds are checked against units once the
/// units are known (`Checker::band_units`), not against [0, 1] when
/// declared.
pub(super) fn sets_on_units(items: &[Item]) -> HashSet<String> {
    fn any_unit(items: &[Item]) -> bool {
        items.iter().any(|i| match i {
            Item::Unit(u) => u.word.node != "percent",
            Item::Node(n) => any_unit(&n.items),
            Item::Population(p, _) => any_unit(p),
            _ => false,
        })
    }
    fn walk(items: &[Item], out: &mut HashSet<String>) {
        for i in items {
            match i {
                Item::UseBands(b, _) => {
                    out.insert(b.node.clone());
                }
                Item::Node(n) => walk(&n.items, out),
                Item::Population(p, _) => walk(p, out),
                _ => {}
            }
        }
    }
    let mut out = HashSet::new();
    if any_unit(items) {
        walk(items, &mut out);
    }
    out
}

fn units_list(units: &[(Unit, String)]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for (u, id) in units {
        let t = format!("`{}` (`{id}`)", u.name());
        if !seen.iter().any(|s| s.starts_with(&format!("`{}`", u.name()))) {
            seen.push(t);
        }
    }
    seen.join(" and ")
}

impl<'a> Checker<'a> {
    /// Interprets `unit …` (M0330 when it is not a unit).
    pub(super) fn unit_decl(&mut self, u: &ast::UnitDecl) -> Option<Unit> {
        let bad = |c: &mut Self, what: String, help: &str| {
            c.diags.push(UnitError::BadUnit {
                what,
                src: c.src.clone(),
                span: u.loc.span,
                help: help.to_string(),
            });
            None
        };
        const WORDS: &str =
            "a unit is `percent`, `points`, `points of N`, `number` or `score MIN..MAX` (e.g. `score 0..10`)";
        match (u.word.node.as_str(), &u.of, &u.range) {
            ("percent", None, None) => Some(Unit::Percent),
            ("number", None, None) => Some(Unit::Number),
            ("points", None, None) => Some(Unit::Points(None)),
            ("points", Some(n), None) if n.node > Decimal::ZERO => Some(Unit::Points(Some(n.node))),
            ("points", Some(n), None) => bad(
                self,
                format!(
                    "`points of {}`: a points total is out of a positive number",
                    n.node
                ),
                "write e.g. `unit points of 100`",
            ),
            ("score", None, Some(r)) => match (&r.min, &r.max) {
                (Some(lo), Some(hi)) if lo.node < hi.node => Some(Unit::Scale(lo.node, hi.node)),
                _ => bad(
                    self,
                    "a `score` unit needs both bounds, the lower below the upper".to_string(),
                    "write e.g. `unit score 0..10`",
                ),
            },
            ("score", None, None) => bad(
                self,
                "a `score` unit needs its bounds".to_string(),
                "write e.g. `unit score 0..10`",
            ),
            (w @ ("percent" | "number" | "points" | "score"), _, _) => {
                bad(self, format!("unit `{w}` does not take these bounds"), WORDS)
            }
            (w, _, _) => {
                let help = match crate::diag::did_you_mean(w, ["percent", "points", "number", "score"]) {
                    Some(d) => format!("{d} ({WORDS})"),
                    None => WORDS.to_string(),
                };
                bad(self, format!("unknown unit `{w}`"), &help)
            }
        }
    }

    /// Whether a `number` criterion's declared bounds fit its unit, so that
    /// it may score its value without a `score` formula.
    pub(super) fn number_fits(&self, ix: NodeIx, answer: &AnswerKind) -> bool {
        let unit = self.nodes.get(ix).map_or(Unit::Percent, |n| n.unit);
        match answer {
            AnswerKind::Number { min, max, .. } => unit.fits(*min, *max),
            _ => false,
        }
    }

    /// `headline a, b` on the rubric: the nodes, in order (M0333).
    pub(super) fn headlines(&mut self, names: &[ast::Name]) -> Vec<NodeIx> {
        let mut out: Vec<NodeIx> = Vec::new();
        for n in names {
            match self.by_id.get(&n.node).copied() {
                None => {
                    let help = crate::diag::did_you_mean(&n.node, self.by_id.keys().map(String::as_str))
                        .unwrap_or_else(|| "name a node of the rubric".to_string());
                    self.diags.push(UnitError::BadHeadline {
                        what: format!("unknown headline node `{}`", n.node),
                        src: self.src.clone(),
                        span: n.loc.span,
                        help,
                    });
                }
                Some(0) => self.diags.push(UnitError::BadHeadline {
                    what: "the rubric cannot be its own headline".to_string(),
                    src: self.src.clone(),
                    span: n.loc.span,
                    help: "name the nodes it publishes, e.g. `headline access, quality`".to_string(),
                }),
                Some(ix) if self.nodes.get(ix).is_some_and(|d| d.scope != 0) => {
                    self.diags.push(UnitError::BadHeadline {
                        what: format!("`{}` is inside a repeated node", n.node),
                        src: self.src.clone(),
                        span: n.loc.span,
                        help: "a headline has one value per entity: name the repeated node itself or a node outside it"
                            .to_string(),
                    })
                }
                Some(ix) if out.contains(&ix) => self.diags.push(UnitError::BadHeadline {
                    what: format!("headline `{}` is named twice", n.node),
                    src: self.src.clone(),
                    span: n.loc.span,
                    help: "name each headline once".to_string(),
                }),
                Some(ix) => out.push(ix),
            }
        }
        out
    }

    /// A headline declared below the rubric (M0333).
    pub(super) fn misplaced_headline(&mut self, loc: &crate::diag::Loc) {
        self.diags.push(UnitError::BadHeadline {
            what: "`headline` is declared on the rubric".to_string(),
            src: self.src.clone(),
            span: loc.span,
            help: "move it directly inside `rubric … { }`".to_string(),
        });
    }

    /// Infers the unit of every group without a declared one, bottom-up,
    /// and reports built-in aggregations over mixed units (M0331).
    pub(super) fn infer_units(&mut self, declared: &HashSet<NodeIx>) {
        for ix in (0..self.nodes.len()).rev() {
            // A rubric with headlines and no total aggregates nothing.
            if ix == 0 && self.no_total {
                continue;
            }
            let Some(node) = self.nodes.get(ix) else { continue };
            let NodeKind::Group(g) = &node.kind else { continue };
            let Aggregate::Builtin(b) = g.aggregate else {
                continue;
            };
            let inputs: Vec<NodeIx> = match g.over {
                Over::Children => node.children.clone(),
                Over::Criteria => self.criteria_below(ix),
            };
            let units: Vec<(Unit, String)> = inputs
                .iter()
                .filter_map(|&i| self.nodes.get(i))
                .map(|n| (n.unit, n.id.clone()))
                .collect();
            let Some(first) = units.first().map(|u| u.0) else {
                continue;
            };
            let same_word = units.iter().all(|(u, _)| u.word() == first.word());
            let same = units.iter().all(|(u, _)| *u == first);
            if b != Builtin::Count && !same_word {
                let (id, span) = (node.id.clone(), node.loc.span);
                self.diags.push(UnitError::MixedUnits {
                    id,
                    units: units_list(&units),
                    src: self.src.clone(),
                    span,
                });
                continue;
            }
            if declared.contains(&ix) || first == Unit::Percent {
                continue;
            }
            let inferred = match b {
                Builtin::Count => Unit::Number,
                Builtin::Sum => match first {
                    Unit::Points(_) => Unit::Points(
                        units
                            .iter()
                            .map(|(u, _)| u.out_of())
                            .try_fold(Decimal::ZERO, |acc, n| n.and_then(|n| acc.checked_add(n))),
                    ),
                    Unit::Scale(..) if same => {
                        let k = Decimal::from(units.len());
                        match first {
                            Unit::Scale(lo, hi) => match (lo.checked_mul(k), hi.checked_mul(k)) {
                                (Some(lo), Some(hi)) => Unit::Scale(lo, hi),
                                _ => Unit::Number,
                            },
                            _ => Unit::Number,
                        }
                    }
                    _ => Unit::Number,
                },
                _ if same => first,
                _ => match first {
                    Unit::Points(_) => Unit::Points(None),
                    _ => Unit::Number,
                },
            };
            if let Some(n) = self.nodes.get_mut(ix) {
                n.unit = inferred;
            }
        }
    }

    fn criteria_below(&self, ix: NodeIx) -> Vec<NodeIx> {
        crate::model::criteria_under(&self.nodes, ix)
            .into_iter()
            .filter(|&c| c != ix)
            .collect()
    }

    /// Checks the thresholds of the band sets in `sets` (those whose check
    /// was left for units) against the unit of every node they are used
    /// on, and of the population (the rubric's unit); a set used on no
    /// node is checked against [0, 1] (M0301), as without units.
    pub(super) fn band_units(
        &mut self,
        rubric: &'a [Item],
        sets: &HashSet<String>,
        pop_bands: &[(String, crate::diag::Loc)],
    ) {
        for item in rubric {
            let Item::Bands(b) = item else { continue };
            if !sets.contains(&b.name.node) {
                continue;
            }
            let mut uses: Vec<(NodeIx, SourceSpan)> = Vec::new();
            for (ix, n) in self.nodes.iter().enumerate() {
                for u in &n.bands {
                    if u.set == b.name.node {
                        uses.push((ix, u.loc.span));
                    }
                }
            }
            for (set, loc) in pop_bands {
                if *set == b.name.node {
                    uses.push((0, loc.span));
                }
            }
            if uses.is_empty() {
                for band in &b.bands {
                    if !Unit::Percent.contains(band.min.node) {
                        self.diags.push(super::CheckError::OutOfRange {
                            what: "band threshold",
                            value: band.min.node.to_string(),
                            src: self.src.clone(),
                            span: band.min.loc.span,
                            help: "scores lie between 0 and 1, so thresholds do too (0.9 is 90%)".into(),
                        });
                    }
                }
                continue;
            }
            'bands: for band in &b.bands {
                for &(ix, used) in &uses {
                    let Some(n) = self.nodes.get(ix) else { continue };
                    let unit = n.unit;
                    let (lo, hi) = unit.range();
                    // A threshold at the unit's bounds or inside them.
                    let inside =
                        lo.is_none_or(|lo| band.min.node >= lo) && hi.is_none_or(|hi| band.min.node <= hi);
                    if !inside {
                        self.diags.push(UnitError::ThresholdOutsideUnit {
                            value: band.min.node.to_string(),
                            node: n.id.clone(),
                            unit: unit.name(),
                            range: unit.range_text(),
                            src: self.src.clone(),
                            span: band.min.loc.span,
                            used,
                        });
                        continue 'bands;
                    }
                }
            }
        }
    }
}
