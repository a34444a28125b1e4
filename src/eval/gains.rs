//! Where an entity's points were lost, exactly: for each of its own
//! criteria (outside repeated nodes), the entity scored again with that one
//! answer changed to each answer the criterion can take, and the highest
//! score reached. The gain is the difference with the entity's score, so it
//! holds for any aggregation (weighted means, ratios, formulas, caps), not
//! only for weighted means.
//!
//! The candidates of a criterion: each option with a weight (a choice), every
//! option with a positive weight together and each alone (several options),
//! the bounds and codes (a number), yes and no. An answer that the rubric
//! would reject is simply not a candidate (it scores nothing).

use rust_decimal::Decimal;

use super::{evaluate, EntityResult};
use crate::answers::Answer;
use crate::model::{AnswerKind, CodeValue, NodeIx, NodeKind};
use crate::plan::Plan;

/// What one criterion could have added to the entity's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Gain {
    /// The criterion.
    pub node: NodeIx,
    /// The answer that reaches the highest score.
    pub best: Answer,
    /// The entity's score with that answer, less its score (positive).
    pub gain: Decimal,
}

/// The answers criterion `ix` can take that may score: see the module's
/// documentation.
fn candidates(kind: &AnswerKind) -> Vec<Answer> {
    match kind {
        AnswerKind::Choice { options, .. } => options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.weight.is_some() && !o.ignored)
            .map(|(i, _)| Answer::Option(i))
            .collect(),
        AnswerKind::Multi { options, .. } => {
            let positive: Vec<usize> = options
                .iter()
                .enumerate()
                .filter(|(_, o)| o.weight.is_some_and(|w| w > Decimal::ZERO) && !o.ignored)
                .map(|(i, _)| i)
                .collect();
            let mut all = vec![Answer::Set(positive.clone())];
            all.extend(positive.into_iter().map(|i| Answer::Set(vec![i])));
            all
        }
        AnswerKind::Number { min, max, codes, .. } => {
            let mut all: Vec<Answer> = [min, max]
                .into_iter()
                .flatten()
                .map(|d| Answer::Number(*d))
                .collect();
            all.extend(codes.iter().enumerate().filter_map(|(i, c)| match c.means {
                CodeValue::Value(d) => Some(Answer::Code(i, Some(d))),
                CodeValue::Na | CodeValue::Missing => None,
            }));
            all
        }
        AnswerKind::YesNo => vec![Answer::Bool(true), Answer::Bool(false)],
    }
}

/// Every criterion of the entity's own (outside repeated nodes) whose best
/// answer would have raised the entity's score, with that answer and the
/// gain; highest gain first, then in rubric order. Empty when the entity has
/// no score.
pub fn gains(plan: &Plan, result: &EntityResult) -> Vec<Gain> {
    let model = plan.model();
    let Some(score) = result.score() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (ix, n) in model.nodes.iter().enumerate() {
        let NodeKind::Criterion(c) = &n.kind else { continue };
        // Criteria of repeated nodes are answered per instance; criteria
        // that do not apply to the entity have no score to raise.
        if n.scope != 0 || result.outcomes.get(ix).and_then(|o| o.score()).is_none() {
            continue;
        }
        let given = result.submission.answers.get(ix);
        let mut best: Option<(Decimal, Answer)> = None;
        for candidate in candidates(&c.answer) {
            if given == Some(&candidate) {
                continue;
            }
            let mut sub = result.submission.clone();
            sub.answers.set(ix, Some(candidate.clone()));
            let Some(s) = evaluate(plan, sub).ok().and_then(|r| r.score()) else {
                continue;
            };
            if best.as_ref().is_none_or(|(b, _)| s > *b) {
                best = Some((s, candidate));
            }
        }
        if let Some((s, answer)) = best {
            if let Some(gain) = s.checked_sub(score).filter(|g| *g > Decimal::ZERO) {
                out.push(Gain {
                    node: ix,
                    best: answer,
                    gain,
                });
            }
        }
    }
    out.sort_by(|a, b| b.gain.cmp(&a.gain).then(a.node.cmp(&b.node)));
    out
}
