//! `constraint COND error|warning TEXT` on a node or the rubric: COND is a
//! condition read like the node's own formula (a criterion's `value`,
//! answers, profile fields, other nodes' scores), typed once every node
//! exists; it adds no dependency to the scoring order, because constraints
//! are judged after every node of the answer set is scored.

use super::{labels, Checker, Scope, Ty};
use crate::model::{ConstraintDef, NodeKind};

impl Checker<'_> {
    /// Types the pending constraints (a condition that is not boolean is a
    /// type error, an unknown name an unknown name, as in any formula).
    pub(super) fn constraints(&mut self) {
        for (ix, c) in std::mem::take(&mut self.pending_constraints) {
            let error = match c.level.node.as_str() {
                "error" => true,
                "warning" => false,
                // The grammar admits only the two words.
                _ => continue,
            };
            let scope = match self.nodes.get(ix).map(|n| &n.kind) {
                Some(NodeKind::Criterion(_)) => Scope::Criterion(ix),
                _ => Scope::Group(ix),
            };
            // Constraints are judged after scoring: whatever they read adds
            // no edge to the order of nodes (and so no cycle).
            let kept = self.deps.get(&ix).map(Vec::len);
            let expr = self.typed(&c.expr, scope, &Ty::Bool);
            match (self.deps.get_mut(&ix), kept) {
                (Some(d), Some(n)) => d.truncate(n),
                (Some(_), None) => {
                    self.deps.remove(&ix);
                }
                _ => {}
            }
            if c.message.entries.is_empty() {
                continue;
            }
            if let Some(expr) = expr {
                self.constraints.push(ConstraintDef {
                    node: ix,
                    expr,
                    error,
                    message: labels(Some(&c.message)),
                    loc: c.expr.loc.clone(),
                });
            }
        }
    }
}
