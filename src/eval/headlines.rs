//! The population value of each headline indicator (`headline a, b`): the
//! mean of its value over the entities that have one, summed exactly
//! (`ExactSum`) so that any order gives the same bytes.

use rust_decimal::Decimal;

use super::exact_sum::ExactSum;
use super::EntityResult;
use crate::model::{Model, NodeIx};

/// Each headline of `model`, in order, with the mean of its value over
/// `results` (`None`: no entity has one, or the sum does not fit).
pub fn headline_population(model: &Model, results: &[EntityResult]) -> Vec<(NodeIx, Option<Decimal>)> {
    model
        .headlines
        .iter()
        .map(|&h| {
            let mut sum = ExactSum::default();
            let mut n: u64 = 0;
            for r in results {
                if let Some(v) = r.outcomes.get(h).and_then(|o| o.score()) {
                    sum.add(v);
                    n += 1;
                }
            }
            let mean = if n == 0 {
                None
            } else {
                sum.get().and_then(|s| s.checked_div(Decimal::from(n)))
            };
            (h, mean)
        })
        .collect()
}

/// A running tally of the headline values of a stream: per headline, the
/// exact sum of its values and how many entities had one.
#[derive(Debug, Clone, Default)]
pub struct HeadlineTally {
    sums: Vec<(ExactSum, u64)>,
}

impl HeadlineTally {
    /// Adds one entity's headline values (in `model.headlines` order).
    pub fn add(&mut self, values: &[Option<Decimal>]) {
        if self.sums.len() < values.len() {
            self.sums.resize(values.len(), (ExactSum::default(), 0));
        }
        for (v, (sum, n)) in values.iter().zip(self.sums.iter_mut()) {
            if let Some(v) = v {
                sum.add(*v);
                *n += 1;
            }
        }
    }

    /// Each headline of `model` with its mean, as [`headline_population`].
    pub fn finish(&self, model: &Model) -> Vec<(NodeIx, Option<Decimal>)> {
        model
            .headlines
            .iter()
            .enumerate()
            .map(|(k, &h)| {
                let mean = match self.sums.get(k) {
                    Some((sum, n)) if *n > 0 => sum.get().and_then(|s| s.checked_div(Decimal::from(*n))),
                    _ => None,
                };
                (h, mean)
            })
            .collect()
    }
}

/// The headline values of one entity, in `model.headlines` order.
pub fn headline_values(model: &Model, r: &EntityResult) -> Vec<Option<Decimal>> {
    model
        .headlines
        .iter()
        .map(|&h| r.outcomes.get(h).and_then(|o| o.score()))
        .collect()
}
