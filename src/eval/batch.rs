//! Batches: many submissions against one plan. One bad submission never
//! hides the others: each gets a result or its errors.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{evaluate, population, EntityResult, PopulationResult};
use crate::answers::{self, AnswerError, Origin, Rejection};
use crate::plan::Plan;

/// The outcome of a batch.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Results, sorted by entity id.
    pub results: Vec<EntityResult>,
    /// Rejected submissions' errors, in input order.
    pub errors: Vec<Rejection>,
    /// Warnings of evaluated submissions.
    pub warnings: Vec<Rejection>,
    /// The population level over entities with a score.
    pub population: PopulationResult,
    /// Number of submissions rejected.
    pub rejected: usize,
}

/// Reads and evaluates every `(origin, json text)` input.
pub fn evaluate_batch(plan: &Plan, inputs: Vec<(Origin, String)>) -> Batch {
    let mut results: Vec<EntityResult> = Vec::new();
    let mut errors: Vec<Rejection> = Vec::new();
    let mut rejected = 0usize;
    let mut seen: HashMap<String, Origin> = HashMap::new();
    for (origin, text) in inputs {
        let outcome = answers::read(plan, origin.clone(), &text).and_then(|sub| {
            if let Some(first) = seen.get(&sub.entity) {
                return Err(vec![Rejection {
                    origin: origin.clone(),
                    entity: Some(sub.entity.clone()),
                    pointer: "/entity/id".into(),
                    error: AnswerError::DuplicateEntity {
                        entity: sub.entity.clone(),
                        first: first.to_string(),
                    },
                }]);
            }
            seen.insert(sub.entity.clone(), origin.clone());
            evaluate(plan, sub)
        });
        match outcome {
            Ok(r) => results.push(r),
            Err(e) => {
                rejected += 1;
                errors.extend(e);
            }
        }
    }
    finish(plan, results, errors, rejected)
}

/// Sorts, collects warnings and computes the population level.
fn finish(plan: &Plan, mut results: Vec<EntityResult>, mut errors: Vec<Rejection>, rejected: usize) -> Batch {
    results.sort_by(|a, b| a.submission.entity.cmp(&b.submission.entity));
    let scores: Vec<Decimal> = results.iter().filter_map(EntityResult::score).collect();
    let population = match population(plan.model(), &scores) {
        Ok(p) => p,
        Err(error) => {
            errors.push(Rejection {
                origin: Origin {
                    file: "population".into(),
                    line: None,
                },
                entity: None,
                pointer: String::new(),
                error,
            });
            PopulationResult {
                score: None,
                entities: scores.len(),
            }
        }
    };
    let warnings = results.iter().flat_map(|r| r.warnings.iter().cloned()).collect();
    Batch {
        results,
        errors,
        warnings,
        population,
        rejected,
    }
}
