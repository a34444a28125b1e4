//! `eval::gains`, checked by an independent path: every answer of every
//! criterion of every UAE 2018 example entity is changed in the answer
//! set's JSON, the JSON scored again with `evaluate_json`, and the highest
//! score reached must be the entity's score plus the criterion's gain (or
//! no higher than the score when the criterion has no gain). A criterion
//! answered N/A lost nothing and has no gain.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use std::fs;

use mizan::model::{AnswerKind, NodeKind};
use rust_decimal::Decimal;
use serde_json::Value;

#[test]
fn gains_are_the_best_single_answer_rescored_through_json() {
    let rules = "rules/uae/integration/2018.mizan";
    let (rubric, _) = mizan::load(rules, &fs::read_to_string(rules).unwrap());
    let rubric = rubric.unwrap();
    let model = rubric.model();
    let mut checked = 0;
    let mut gained = 0;
    for e in fs::read_dir("examples/uae-integration-2018").unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.starts_with("zz-") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let result = rubric.evaluate_json(&name, &text).unwrap();
        let score = result.score().unwrap();
        let gains = mizan::eval::gains(rubric.plan(), &result);
        let doc: Value = serde_json::from_str(&text).unwrap();
        for (ix, n) in model.nodes.iter().enumerate() {
            let NodeKind::Criterion(c) = &n.kind else { continue };
            let (AnswerKind::Choice { options, .. }, Some(given)) = (&c.answer, doc["answers"].get(&n.id))
            else {
                continue;
            };
            // A criterion answered N/A (or that does not apply) lost nothing.
            if result.outcomes[ix].score().is_none() {
                continue;
            }
            // The highest score any one answer of this criterion reaches.
            let mut best = score;
            for o in options.iter().filter(|o| o.weight.is_some()) {
                if given.as_str() == Some(o.id.as_str()) {
                    continue;
                }
                let mut changed = doc.clone();
                changed["answers"][&n.id] = Value::String(o.id.clone());
                if let Ok(r) = rubric.evaluate_json(&name, &changed.to_string()) {
                    best = best.max(r.score().unwrap());
                }
            }
            checked += 1;
            match gains.iter().find(|g| g.node == ix) {
                Some(g) => {
                    gained += 1;
                    assert_eq!(score + g.gain, best, "{name} {}", n.id);
                }
                None => assert_eq!(best, score, "{name} {}: a gain left out", n.id),
            }
        }
        // Highest first.
        assert!(gains.windows(2).all(|w| w[0].gain >= w[1].gain));
        assert!(gains.iter().all(|g| g.gain > Decimal::ZERO));
    }
    assert!(
        checked > 500 && gained > 100,
        "{checked} criteria checked, {gained} with a gain"
    );
}
