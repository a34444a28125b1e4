//! The scoring program: a rubric's own nodes compiled to a flat list of
//! operations over dense arrays, for the evaluator's hot loop.
//!
//! A criterion answered with an option needs only that option's value,
//! fixed here once per rubric (its weight, or "ignored"); a group with a
//! built-in aggregation needs only its inputs, its N/A policy and its
//! inputs' weights. Neither touches the node definitions, builds a formula
//! environment or looks up a name. Everything else (formulas, `requires`,
//! KPI targets, numbers and sets, out-of-range weights) is an operation
//! the evaluator runs the general way, so the program changes how fast a
//! rubric is scored, never what it scores. Rubrics with repeated nodes
//! have no program.

use rust_decimal::Decimal;

use crate::model::{Aggregate, Builtin, Model, NaPolicy, NodeIx, NodeKind};

/// One step of the program, in evaluation order.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    /// A criterion whose options' outcomes are in `Program::chosen`, from
    /// `options`.
    Criterion {
        /// The node.
        ix: NodeIx,
        /// Where its options start in `Program::chosen`.
        options: u32,
        /// How many options it has.
        count: u32,
    },
    /// A group with a built-in aggregation over `Program::inputs[inputs]`.
    Group {
        /// The node.
        ix: NodeIx,
        /// Its inputs' range in `Program::inputs`.
        inputs: (u32, u32),
        /// The aggregation.
        aggregate: Builtin,
        /// What N/A inputs do.
        na: NaPolicy,
        /// For a group over the criteria of its subtree: the same inputs
        /// as parts (a range of `Program::parts`), where some are whole
        /// child groups whose sums are reused, not added up again.
        parts: Option<(u32, u32)>,
    },
    /// A criterion answered with a number or yes/no whose score is the
    /// answer's value times or divided by a constant (`score value / 100`):
    /// the value (a number as given; yes 1, no 0) scaled here, the rest
    /// (no answer, a code, an out-of-range score, an overflow) the general
    /// way.
    Scaled {
        /// The node.
        ix: NodeIx,
        /// The constant.
        by: Decimal,
        /// Whether the value is divided by it (else multiplied).
        divide: bool,
    },
    /// A node the evaluator scores the general way.
    General(NodeIx),
}

/// A run of a group's inputs.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// Criteria, a range of `Program::inputs`.
    Inputs(u32, u32),
    /// All the criteria of a child group, as that group summed them (same
    /// inputs, same N/A policy): the slot its sums are kept in.
    Child(u32),
}

/// Why a node has no score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaReason {
    /// Answered N/A.
    Answered,
    /// Ruled out by the entity's profile (`applies when`).
    NotApplicable,
    /// Unanswered, under `missing na`.
    Missing,
    /// Every input of the group is N/A.
    AllInputsNa,
    /// A KPI whose target is not set yet.
    NoTarget,
    /// The formula's result depends on an N/A value.
    Formula,
    /// Answered with an ignored option (e.g. "not relevant").
    Ignored,
    /// Its `requires` condition does not hold.
    Gated,
    /// A repeated node with no instance in the answer set.
    NoInstances,
}

impl NaReason {
    /// A phrase for reports.
    pub fn describe(self) -> &'static str {
        match self {
            NaReason::Answered => "answered N/A",
            NaReason::NotApplicable => "does not apply to this entity's profile",
            NaReason::Missing => "not answered (missing answers count as N/A)",
            NaReason::AllInputsNa => "every input is N/A",
            NaReason::NoTarget => "no target set yet",
            NaReason::Formula => "the formula depends on an N/A value",
            NaReason::Ignored => "answered with an ignored option",
            NaReason::Gated => "its `requires` condition does not hold",
            NaReason::NoInstances => "no instance was given",
        }
    }
}

/// A node's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A score (in [0, 1] for criteria).
    Score(Decimal),
    /// No score, and why.
    Na(NaReason),
}

impl Outcome {
    /// The score, if any.
    pub fn score(self) -> Option<Decimal> {
        match self {
            Outcome::Score(s) => Some(s),
            Outcome::Na(_) => None,
        }
    }
}

/// A compiled scoring program for the entity's own nodes.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// The steps, in evaluation order.
    pub ops: Vec<Op>,
    /// What choosing each option of a criterion gives, packed: the
    /// criterion's outcome, fixed once per rubric (the option's weight, or
    /// "ignored"); `None` where it is scored the general way (a weight
    /// outside [0, 1] is an error there).
    pub chosen: Vec<Option<Outcome>>,
    /// Group inputs, packed.
    pub inputs: Vec<NodeIx>,
    /// Group parts, packed.
    pub parts: Vec<Part>,
    /// For each node, the slot its sums are kept in for a parent group
    /// (`u32::MAX`: none).
    pub slot_of: Vec<u32>,
    /// Number of slots.
    pub slots: usize,
}

impl Program {
    /// The inputs of a group step.
    pub fn inputs(&self, (start, end): (u32, u32)) -> &[NodeIx] {
        self.inputs.get(start as usize..end as usize).unwrap_or_default()
    }

    /// The slot node `ix` keeps its sums in, if a parent reuses them.
    pub fn slot(&self, ix: NodeIx) -> Option<usize> {
        self.slot_of
            .get(ix)
            .filter(|&&s| s != u32::MAX)
            .map(|&s| s as usize)
    }

    /// The parts of a group step.
    pub fn parts(&self, (start, end): (u32, u32)) -> &[Part] {
        self.parts.get(start as usize..end as usize).unwrap_or_default()
    }

    /// What option `i` of a criterion step gives (by reference: the
    /// caller copies the weight straight into its outcome).
    #[inline]
    pub fn chosen(&self, options: u32, count: u32, i: usize) -> Option<&Outcome> {
        if i >= count as usize {
            return None;
        }
        self.chosen.get(options as usize + i)?.as_ref()
    }
}

/// Compiles the program of `model` (whose scope-0 evaluation order is
/// `order` and group inputs `inputs`); `None` for a rubric with repeated
/// nodes.
pub(super) fn compile(
    model: &Model,
    scope: NodeIx,
    order: &[NodeIx],
    inputs: &[Vec<NodeIx>],
) -> Option<Program> {
    if model.repeated_in(scope).next().is_some() {
        return None;
    }
    let mut p = Program {
        slot_of: vec![u32::MAX; model.nodes.len()],
        ..Program::default()
    };
    // Nodes compiled so far: a parent reuses only sums already made.
    let mut done = vec![false; model.nodes.len()];
    for &ix in order {
        if done.get(ix).copied().unwrap_or(true) {
            continue;
        }
        // A group over the criteria of its subtree comes after those
        // criteria in the plan's order, but not necessarily after its child
        // groups: those that sum their own criteria the same way are
        // scored first (they need only their criteria, already scored), so
        // that it can reuse their sums.
        for c in reusable_children(model, ix, inputs) {
            if !done.get(c).copied().unwrap_or(true) {
                step(model, &mut p, c, inputs, &mut done)?;
            }
        }
        step(model, &mut p, ix, inputs, &mut done)?;
    }
    Some(p)
}

/// Compiles node `ix` as the next step.
fn step(model: &Model, p: &mut Program, ix: NodeIx, inputs: &[Vec<NodeIx>], done: &mut [bool]) -> Option<()> {
    let node = model.nodes.get(ix)?;
    let general = node.requires.is_some();
    let op = match &node.kind {
        // A criterion with a unit other than `percent` is scored the
        // general way, which checks its score against the unit's range.
        NodeKind::Criterion(c)
            if !general
                && c.score.is_none()
                && c.target.is_none()
                && node.unit == crate::model::Unit::Percent =>
        {
            let options = u32::try_from(p.chosen.len()).ok()?;
            let opts = c.answer.options();
            for o in opts {
                let w = o.weight.unwrap_or(Decimal::ZERO);
                // As the general evaluator: an ignored option leaves the
                // criterion out; an option without weight scores 0.
                p.chosen.push(if o.ignored {
                    Some(Outcome::Na(NaReason::Ignored))
                } else if w >= Decimal::ZERO && w <= Decimal::ONE {
                    Some(Outcome::Score(w))
                } else {
                    None
                });
            }
            Op::Criterion {
                ix,
                options,
                count: u32::try_from(opts.len()).ok()?,
            }
        }
        NodeKind::Criterion(c)
            if !general
                && c.target.is_none()
                && c.baseline.is_none()
                && node.unit == crate::model::Unit::Percent
                && matches!(
                    c.answer,
                    crate::model::AnswerKind::Number { .. } | crate::model::AnswerKind::YesNo
                ) =>
        {
            match c.score.as_ref().map(scaled) {
                Some(Some((by, divide))) => Op::Scaled { ix, by, divide },
                _ => Op::General(ix),
            }
        }
        NodeKind::Group(g) if !general => match g.aggregate {
            Aggregate::Builtin(aggregate) => {
                let start = u32::try_from(p.inputs.len()).ok()?;
                p.inputs.extend(inputs.get(ix)?);
                let end = u32::try_from(p.inputs.len()).ok()?;
                let parts = parts(model, p, ix, (start, end), inputs, done);
                Op::Group {
                    ix,
                    inputs: (start, end),
                    aggregate,
                    na: g.na,
                    parts,
                }
            }
            Aggregate::Formula(_) => Op::General(ix),
        },
        _ => Op::General(ix),
    };
    p.ops.push(op);
    *done.get_mut(ix)? = true;
    Some(())
}

/// `value / K` or `value * K` (K a non-zero constant): `(K, divides)`.
fn scaled(f: &crate::model::CExpr) -> Option<(Decimal, bool)> {
    use crate::model::{BinOp, CKind, Var};
    let CKind::Binary(op @ (BinOp::Div | BinOp::Mul), a, b) = &f.kind else {
        return None;
    };
    match (&a.kind, &b.kind) {
        (CKind::Var(Var::Value), CKind::Num(k)) if !k.is_zero() => Some((*k, *op == BinOp::Div)),
        _ => None,
    }
}

/// The child groups of group `ix` whose sums it can reuse: it sums the
/// criteria of its subtree, unweighted (not `min` or `max`, which pick
/// among all inputs), and so do they, under the same N/A policy.
fn reusable_children(model: &Model, ix: NodeIx, inputs: &[Vec<NodeIx>]) -> Vec<NodeIx> {
    let Some(node) = model.nodes.get(ix) else {
        return Vec::new();
    };
    let NodeKind::Group(g) = &node.kind else {
        return Vec::new();
    };
    let summing = matches!(
        g.aggregate,
        Aggregate::Builtin(Builtin::Ratio | Builtin::Mean | Builtin::Sum | Builtin::Count)
    );
    if !summing || !sums_its_criteria(model, ix, g.na, inputs) {
        return Vec::new();
    }
    node.children
        .iter()
        .copied()
        .filter(|&c| {
            model
                .nodes
                .get(c)
                .is_some_and(|n| matches!(n.kind, NodeKind::Group(_)))
                && sums_its_criteria(model, c, g.na, inputs)
        })
        .collect()
}

/// Whether group `ix` sums exactly the criteria of its subtree, one by one
/// and unweighted, under `na`, as a step of the program: then its sums
/// are those of its part of a parent over the same criteria.
fn sums_its_criteria(model: &Model, ix: NodeIx, na: NaPolicy, inputs: &[Vec<NodeIx>]) -> bool {
    let Some(node) = model.nodes.get(ix) else {
        return false;
    };
    let NodeKind::Group(g) = &node.kind else {
        return false;
    };
    node.requires.is_none()
        && g.na == na
        && matches!(g.aggregate, Aggregate::Builtin(b) if b != Builtin::WeightedMean)
        && inputs.get(ix).is_some_and(|i| *i == model.criteria_under(ix))
}

/// The parts of group `ix` (inputs `range` of the program), when some of
/// its [`reusable_children`] are already compiled; else `None`.
fn parts(
    model: &Model,
    p: &mut Program,
    ix: NodeIx,
    range: (u32, u32),
    inputs: &[Vec<NodeIx>],
    done: &[bool],
) -> Option<(u32, u32)> {
    let reusable = reusable_children(model, ix, inputs);
    if reusable.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut at = range.0;
    let mut reused = false;
    for &c in &model.nodes.get(ix)?.children {
        let len = u32::try_from(model.criteria_under(c).len()).ok()?;
        if done.get(c).copied().unwrap_or(false) && reusable.contains(&c) {
            let slot = p.slot_of.get_mut(c)?;
            if *slot == u32::MAX {
                *slot = u32::try_from(p.slots).ok()?;
                p.slots += 1;
            }
            parts.push(Part::Child(*slot));
            reused = true;
        } else {
            match parts.last_mut() {
                Some(Part::Inputs(_, end)) if *end == at => *end += len,
                _ => parts.push(Part::Inputs(at, at + len)),
            }
        }
        at += len;
    }
    if !reused || at != range.1 {
        return None;
    }
    let start = u32::try_from(p.parts.len()).ok()?;
    p.parts.extend(parts);
    Some((start, u32::try_from(p.parts.len()).ok()?))
}
