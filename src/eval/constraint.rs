//! Constraints (`constraint COND error|warning TEXT`), judged on every
//! answer set after the nodes of a scope are scored, whichever path scored
//! them (the compiled program or node by node): a false condition rejects
//! the answer set (M0425) or is reported with it (M0426). A condition that
//! is N/A (it reads an unanswered criterion, say) holds.

use rust_decimal::Decimal;

use super::{answer_pointer, base_value, eval, At, Env, Run, Val};
use crate::answers::{Answer, AnswerError};
use crate::model::{ConstraintDef, NodeKind, Var};

impl At<'_, '_> {
    /// Judges the constraints of the nodes of this scope.
    pub(super) fn constraints(&mut self, run: &mut Run<'_>) {
        let model = run.plan.model();
        for c in &model.constraints {
            let Some(node) = model.nodes.get(c.node) else {
                continue;
            };
            if node.scope != self.d.scope || !self.applies.get(c.node).copied().unwrap_or(true) {
                continue;
            }
            let answer = self.d.answers.get(c.node);
            let vars: Vec<(Var, Val)> = match &node.kind {
                NodeKind::Criterion(k) => {
                    let value = match answer {
                        None | Some(Answer::Na) => Val::Na,
                        Some(Answer::Option(i)) if k.answer.options().get(*i).is_some_and(|o| o.ignored) => {
                            Val::Na
                        }
                        Some(a) => Val::Num(base_value(k, a)),
                    };
                    vec![
                        (Var::Value, value),
                        (Var::Baseline, k.baseline.map_or(Val::Na, Val::Num)),
                        (Var::Target, k.target.flatten().map_or(Val::Na, Val::Num)),
                    ]
                }
                NodeKind::Group(_) => {
                    let sums: Option<(Decimal, Decimal)> = self.sums.get(c.node).copied().flatten();
                    vec![
                        (Var::Achieved, sums.map_or(Val::Na, |(a, _)| Val::Num(a))),
                        (Var::Target, sums.map_or(Val::Na, |(_, t)| Val::Num(t))),
                        (Var::Count, Val::Na),
                    ]
                }
            };
            let env = Env {
                profile: self.d.profile,
                answers: Some(self.d.answers),
                applies: self.applies,
                outcomes: self.outcomes,
                lets: &run.lets,
                vars: &vars,
                lists: self.lists,
                node: &node.id,
                fast: false,
            };
            let pointer = match node.kind {
                NodeKind::Criterion(_) => answer_pointer(self.d.pointer, &node.id),
                NodeKind::Group(_) => format!("{}/answers", self.d.pointer),
            };
            match eval(&env, &c.expr) {
                Ok(Val::Bool(false)) => {
                    let e = violation(c, &node.id);
                    let r = run.fail(e, pointer);
                    if c.error {
                        run.errors.push(r);
                    } else {
                        run.warnings.push(r);
                    }
                }
                // True, or N/A: the constraint holds.
                Ok(_) => {}
                Err(e) => {
                    let r = run.fail(e, pointer);
                    run.errors.push(r);
                }
            }
        }
    }
}

/// The problem a false constraint is.
fn violation(c: &ConstraintDef, id: &str) -> AnswerError {
    let message = c
        .message
        .get("en")
        .or_else(|| c.message.values().next())
        .cloned()
        .unwrap_or_default();
    let labels: Vec<(String, String)> = c.message.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let rule = crate::fmt::collapse_source(c.loc.snippet(), true);
    if c.error {
        AnswerError::Constraint {
            id: id.to_string(),
            rule,
            message,
            labels,
        }
    } else {
        AnswerError::ConstraintWarning {
            id: id.to_string(),
            rule,
            message,
            labels,
        }
    }
}
