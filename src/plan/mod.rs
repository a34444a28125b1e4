//! Stage 3: checked model → evaluation plan.
//!
//! The plan is compiled once per rubric and shared by every submission: it
//! fixes the evaluation order, interns criterion ids for answer lookup, and
//! precomputes for each group the inputs it aggregates over, so that
//! evaluating an entity is a walk over dense arrays with no name lookups.

use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::model::{Model, NodeIx, NodeKind, Over};

/// An evaluation plan for one rubric.
#[derive(Debug, Clone)]
pub struct Plan {
    model: Arc<Model>,
    /// Criterion ids to indices (FxHash: short keys, looked up for every answer).
    criteria: FxHashMap<String, NodeIx>,
    /// For each node, the nodes its aggregation reads.
    inputs: Vec<Vec<NodeIx>>,
}

/// Compiles a checked model into a plan.
pub fn compile(model: Arc<Model>) -> Plan {
    let criteria = model.criteria().map(|(ix, n, _)| (n.id.clone(), ix)).collect();
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
    Plan {
        model,
        criteria,
        inputs,
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

    /// Every criterion id, in source order.
    pub fn criterion_ids(&self) -> impl Iterator<Item = &str> {
        self.model.criteria().map(|(_, n, _)| n.id.as_str())
    }

    /// The nodes that node `ix` aggregates over.
    pub fn inputs(&self, ix: NodeIx) -> &[NodeIx] {
        self.inputs.get(ix).map_or(&[], Vec::as_slice)
    }

    /// Nodes in evaluation order.
    pub fn order(&self) -> &[NodeIx] {
        &self.model.order
    }
}
