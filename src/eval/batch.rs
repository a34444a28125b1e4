//! Batches: many submissions against one plan. One bad submission never
//! hides the others: each gets a result or its errors.

use std::collections::HashMap;

use rayon::prelude::*;
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
    /// Whether the population level could not be computed (a population
    /// formula dividing by zero, an overflow): its error is the last of
    /// `errors`, and `mizan eval` exits with code 1.
    pub population_failed: bool,
    /// Number of submissions rejected.
    pub rejected: usize,
    /// Rank of each result (same order as `results`) when the rubric
    /// declares `rank`; `None` for entities without a score or left out.
    pub ranks: Vec<Option<usize>>,
}

/// Reads and evaluates every `(origin, json text)` input.
pub fn evaluate_batch(plan: &Plan, inputs: Vec<(Origin, String)>) -> Batch {
    evaluate_read(plan, inputs, |origin, text| answers::read(plan, origin, &text))
}

/// Reads and evaluates every input: JSON text, or the rejection of an input
/// that could not be read (M0418) or framed (a JSONL line that is not
/// UTF-8), counted as one rejected submission in its place.
pub fn evaluate_inputs(plan: &Plan, inputs: Vec<(Origin, Result<String, Rejection>)>) -> Batch {
    evaluate_read(plan, inputs, |origin, text| match text {
        Ok(t) => answers::read(plan, origin, &t),
        Err(r) => Err(vec![r]),
    })
}

/// Evaluates answer sets already parsed as JSON values (e.g. imported from
/// a spreadsheet), with the problems found while building them: an entity
/// with a problem is rejected with it.
pub fn evaluate_values(
    plan: &Plan,
    inputs: Vec<(Origin, serde_json::Value)>,
    problems: Vec<Rejection>,
) -> Batch {
    let bad: std::collections::HashSet<String> = problems.iter().filter_map(|p| p.entity.clone()).collect();
    let orphans = problems.iter().filter(|p| p.entity.is_none()).count();
    let kept: Vec<(Origin, serde_json::Value)> = inputs
        .into_iter()
        .filter(|(_, v)| {
            let id = v
                .pointer("/entity/id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            !bad.contains(id)
        })
        .collect();
    let mut batch = evaluate_read(plan, kept, |origin, v| answers::read_value(plan, origin, &v));
    batch.rejected += bad.len() + orphans;
    let mut errors = problems;
    errors.append(&mut batch.errors);
    batch.errors = errors;
    batch
}

/// Reads (with `read`) and scores every input on the current rayon pool,
/// then takes the outcomes in input order: which submission of an entity
/// is first, and so the output, does not depend on the number of threads.
fn evaluate_read<T: Send>(
    plan: &Plan,
    inputs: Vec<(Origin, T)>,
    read: impl Fn(Origin, T) -> Result<answers::Submission, Vec<Rejection>> + Sync,
) -> Batch {
    let score = |(origin, input): (Origin, T)| {
        let outcome = read(origin.clone(), input).and_then(|sub| evaluate(plan, sub));
        (origin, outcome)
    };
    // One input (the server's requests): scored on this thread, without a
    // round trip to the pool and back.
    let scored: Vec<(Origin, Result<EntityResult, Vec<Rejection>>)> = if inputs.len() <= 1 {
        inputs.into_iter().map(score).collect()
    } else {
        inputs.into_par_iter().map(score).collect()
    };
    let mut results: Vec<EntityResult> = Vec::new();
    let mut errors: Vec<Rejection> = Vec::new();
    let mut rejected = 0usize;
    let mut seen: HashMap<String, Origin> = HashMap::new();
    for (origin, scored) in scored {
        // An entity id is taken by the first submission scored, as in a
        // stream: a submission rejected for its own problems takes nothing,
        // and a later one with the same id is M0411 only if it would
        // otherwise be scored (else it is rejected for its own problems).
        let outcome = scored.and_then(|r| {
            let entity = &r.submission.entity;
            if let Some(first) = seen.get(entity) {
                return Err(vec![duplicate(&origin, entity, first.to_string())]);
            }
            seen.insert(entity.clone(), origin.clone());
            Ok(r)
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

/// The rejection of a second answer set for `entity` (the first at `first`).
pub(super) fn duplicate(origin: &Origin, entity: &str, first: String) -> Rejection {
    Rejection {
        origin: origin.clone(),
        entity: Some(entity.to_string()),
        pointer: "/entity/id".into(),
        error: AnswerError::DuplicateEntity {
            entity: entity.to_string(),
            first,
        },
    }
}

/// Sorts, collects warnings and computes the population level.
fn finish(plan: &Plan, mut results: Vec<EntityResult>, mut errors: Vec<Rejection>, rejected: usize) -> Batch {
    results.sort_by(|a, b| a.submission.entity.cmp(&b.submission.entity));
    let scores: Vec<Decimal> = results.iter().filter_map(EntityResult::score).collect();
    let (population, population_failed) = match population(plan.model(), &scores) {
        Ok(p) => (p, false),
        Err(error) => {
            errors.push(population_error(error));
            (
                PopulationResult {
                    score: None,
                    entities: scores.len(),
                },
                true,
            )
        }
    };
    let warnings = results.iter().flat_map(|r| r.warnings.iter().cloned()).collect();
    let ranks = ranks(plan, &results);
    Batch {
        results,
        errors,
        warnings,
        population,
        population_failed,
        rejected,
        ranks,
    }
}

/// The error of a population level that cannot be computed, located at
/// `population`.
pub(super) fn population_error(error: AnswerError) -> Rejection {
    Rejection {
        origin: Origin {
            file: "population".into(),
            line: None,
        },
        entity: None,
        pointer: String::new(),
        error,
    }
}

/// Competition ranking (1, 2, 2, 4) of the ranked entities' scores,
/// highest first. Exact decimals, so ties are true ties.
fn ranks(plan: &Plan, results: &[EntityResult]) -> Vec<Option<usize>> {
    let model = plan.model();
    let Some(cond) = &model.population.rank else {
        return vec![None; results.len()];
    };
    let scores: Vec<Option<Decimal>> = results
        .iter()
        .map(|r| {
            let eligible = cond
                .as_ref()
                .is_none_or(|c| super::holds(model, &r.submission.profile, c));
            r.score().filter(|_| eligible)
        })
        .collect();
    let mut sorted: Vec<Decimal> = scores.iter().flatten().copied().collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    scores
        .iter()
        .map(|s| s.map(|s| 1 + sorted.partition_point(|o| *o > s)))
        .collect()
}
