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
    /// A criterion whose option answers are in `Program::chosen`, from
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
    },
    /// A node the evaluator scores the general way.
    General(NodeIx),
}

/// What choosing one option of a criterion gives, fixed once per rubric.
#[derive(Debug, Clone, Copy)]
pub enum Chosen {
    /// A score: the option's weight (in [0, 1]; 0 for an option without
    /// weight, as the general evaluator does).
    Score(Decimal),
    /// An `ignore` option: the criterion is left out.
    Ignored,
    /// Scored the general way (a weight outside [0, 1] is an error there).
    General,
}

/// A compiled scoring program for the entity's own nodes.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// The steps, in evaluation order.
    pub ops: Vec<Op>,
    /// Option values of the criteria, packed.
    pub chosen: Vec<Chosen>,
    /// Group inputs, packed.
    pub inputs: Vec<NodeIx>,
}

impl Program {
    /// The inputs of a group step.
    pub fn inputs(&self, (start, end): (u32, u32)) -> &[NodeIx] {
        self.inputs.get(start as usize..end as usize).unwrap_or_default()
    }

    /// What option `i` of a criterion step gives (by reference: the
    /// caller copies the weight straight into its outcome).
    #[inline]
    pub fn chosen(&self, options: u32, count: u32, i: usize) -> Option<&Chosen> {
        if i >= count as usize {
            return None;
        }
        self.chosen.get(options as usize + i)
    }
}

/// Compiles the program of `model` (whose scope-0 evaluation order is
/// `order` and group inputs `inputs`); `None` for a rubric with repeated
/// nodes.
pub(super) fn compile(model: &Model, order: &[NodeIx], inputs: &[Vec<NodeIx>]) -> Option<Program> {
    if model.repeated_in(0).next().is_some() {
        return None;
    }
    let mut p = Program::default();
    for &ix in order {
        let node = model.nodes.get(ix)?;
        let general = node.requires.is_some();
        let op = match &node.kind {
            NodeKind::Criterion(c) if !general && c.score.is_none() && c.target.is_none() => {
                let options = u32::try_from(p.chosen.len()).ok()?;
                let opts = c.answer.options();
                for o in opts {
                    let w = o.weight.unwrap_or(Decimal::ZERO);
                    p.chosen.push(if o.ignored {
                        Chosen::Ignored
                    } else if w >= Decimal::ZERO && w <= Decimal::ONE {
                        Chosen::Score(w)
                    } else {
                        Chosen::General
                    });
                }
                Op::Criterion {
                    ix,
                    options,
                    count: u32::try_from(opts.len()).ok()?,
                }
            }
            NodeKind::Group(g) if !general => match g.aggregate {
                Aggregate::Builtin(aggregate) => {
                    let start = u32::try_from(p.inputs.len()).ok()?;
                    p.inputs.extend(inputs.get(ix)?);
                    Op::Group {
                        ix,
                        inputs: (start, u32::try_from(p.inputs.len()).ok()?),
                        aggregate,
                        na: g.na,
                    }
                }
                Aggregate::Formula(_) => Op::General(ix),
            },
            _ => Op::General(ix),
        };
        p.ops.push(op);
    }
    Some(p)
}
