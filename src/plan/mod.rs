//! Stage 3: checked model → evaluation plan.
//!
//! The plan is compiled once per rubric and shared by every submission: it
//! fixes the evaluation order, interns criterion ids for answer lookup, and
//! precomputes for each group the inputs it aggregates over, so that
//! evaluating an entity is a walk over dense arrays with no name lookups.

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::model::{Model, NodeIx, NodeKind, Over};

/// An evaluation plan for one rubric.
#[derive(Debug, Clone)]
pub struct Plan {
    model: Arc<Model>,
    /// Criterion ids to indices (FxHash: short keys, looked up for every answer).
    criteria: FxHashMap<String, NodeIx>,
    /// Criteria in source order, with their ids: answer sets usually list
    /// them in this order, so a reader checks the expected next id first.
    in_order: Vec<(NodeIx, Box<[u8]>)>,
    /// For each node index, one past its place in `in_order` (0: not a criterion).
    place: Vec<u32>,
    /// For each node, the nodes its aggregation reads.
    inputs: Vec<Vec<NodeIx>>,
    /// Each node's weight, dense: a node definition spans many cache
    /// lines, and a weighted mean reads only this of its inputs.
    weights: Vec<Decimal>,
    /// For each node that is a scope (the root, and each repeated node):
    /// what evaluating one entity or instance of it walks.
    scopes: Vec<Option<ScopePlan>>,
}

/// What evaluating one scope (the entity, or one instance of a repeated
/// node) walks, fixed once per rubric.
#[derive(Debug, Clone, Default)]
pub struct ScopePlan {
    /// The scope's own nodes (not those of nested repeated nodes), in
    /// evaluation order.
    pub order: Vec<NodeIx>,
    /// The repeated nodes whose instances live directly in the scope.
    pub repeated: Vec<NodeIx>,
    /// The scope's own nodes with an `applies when` condition, in node
    /// (pre-)order.
    pub conditional: Vec<NodeIx>,
}

/// Compiles a checked model into a plan.
pub fn compile(model: Arc<Model>) -> Plan {
    let criteria = model.criteria().map(|(ix, n, _)| (n.id.clone(), ix)).collect();
    let in_order: Vec<(NodeIx, Box<[u8]>)> = model
        .criteria()
        .map(|(ix, n, _)| (ix, n.id.as_bytes().into()))
        .collect();
    let mut place = vec![0u32; model.nodes.len()];
    for (k, (ix, _)) in in_order.iter().enumerate() {
        if let Some(p) = place.get_mut(*ix) {
            *p = u32::try_from(k + 1).unwrap_or(0);
        }
    }
    let inputs = model
        .nodes
        .iter()
        .enumerate()
        .map(|(ix, n)| match &n.kind {
            NodeKind::Group(g) if g.over == Over::Criteria => model.criteria_under(ix),
            NodeKind::Group(_) => n.children.clone(),
            NodeKind::Criterion(_) => Vec::new(),
        })
        .collect();
    let scopes = (0..model.nodes.len())
        .map(|scope| {
            let node = model.nodes.get(scope)?;
            if scope != 0 && node.repeat.is_none() {
                return None;
            }
            let order = model
                .order
                .iter()
                .copied()
                .filter(|&ix| {
                    (scope..node.end).contains(&ix) && model.nodes.get(ix).is_some_and(|n| n.scope == scope)
                })
                .collect();
            let repeated = model.repeated_in(scope).collect();
            let conditional = (scope..node.end)
                .filter(|&ix| {
                    model
                        .nodes
                        .get(ix)
                        .is_some_and(|n| n.scope == scope && n.applies.is_some())
                })
                .collect();
            Some(ScopePlan {
                order,
                repeated,
                conditional,
            })
        })
        .collect();
    let weights = model.nodes.iter().map(|n| n.weight).collect();
    Plan {
        model,
        criteria,
        in_order,
        place,
        inputs,
        weights,
        scopes,
    }
}

impl Plan {
    /// The checked model the plan was compiled from.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// A shared handle on the model.
    pub fn model_arc(&self) -> Arc<Model> {
        Arc::clone(&self.model)
    }

    /// The node index of criterion `id`.
    pub fn criterion(&self, id: &str) -> Option<NodeIx> {
        self.criteria.get(id).copied()
    }

    /// The node index of the criterion whose id is the bytes `id` (as
    /// written in JSON, between the quotes), trying first the criterion
    /// that follows `after` in source order. Ids are identifiers, so text
    /// with an escape never matches.
    pub fn criterion_after(&self, id: &[u8], after: Option<NodeIx>) -> Option<NodeIx> {
        let next = after.map_or(0, |a| self.place.get(a).map_or(0, |&p| p as usize));
        match self.in_order.get(next) {
            Some((ix, expected)) if same_bytes(expected, id) => Some(*ix),
            _ => self.criterion(std::str::from_utf8(id).ok()?),
        }
    }

    /// Every criterion id, in source order.
    pub fn criterion_ids(&self) -> impl Iterator<Item = &str> {
        self.model.criteria().map(|(_, n, _)| n.id.as_str())
    }

    /// The nodes that node `ix` aggregates over.
    pub fn inputs(&self, ix: NodeIx) -> &[NodeIx] {
        self.inputs.get(ix).map_or(&[], Vec::as_slice)
    }

    /// The weight of node `ix` in its parent's weighted mean.
    pub fn weight(&self, ix: NodeIx) -> Decimal {
        self.weights.get(ix).copied().unwrap_or(Decimal::ONE)
    }

    /// What evaluating scope `scope` walks (empty for a node that is not a scope).
    pub fn scope(&self, scope: NodeIx) -> &ScopePlan {
        static EMPTY: ScopePlan = ScopePlan {
            order: Vec::new(),
            repeated: Vec::new(),
            conditional: Vec::new(),
        };
        self.scopes.get(scope).and_then(Option::as_ref).unwrap_or(&EMPTY)
    }

    /// Nodes in evaluation order.
    pub fn order(&self) -> &[NodeIx] {
        &self.model.order
    }
}

/// Byte equality for short ids, eight bytes at a time and inlined: the
/// readers compare every answer's criterion and option id, and a call to
/// `memcmp` per comparison costs more than the comparison.
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |x: &[u8]| <[u8; 8]>::try_from(x).map(u64::from_ne_bytes).unwrap_or(0);
    let (mut a8, mut b8) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in a8.by_ref().zip(b8.by_ref()) {
        if word(x) != word(y) {
            return false;
        }
    }
    a8.remainder().iter().zip(b8.remainder()).all(|(x, y)| x == y)
}
