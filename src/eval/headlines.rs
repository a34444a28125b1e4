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
