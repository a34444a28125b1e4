//! Arbitrary text as an answer set of the Doing Business 2020, Saudi
//! platforms, UAE 2018 and EGBR 2023 services rubrics (numbers, booleans,
//! choices, a profile, `applies when`, instances at two depths): the direct and exact readers must agree, and
//! so must the evaluator's compiled program and the general evaluator.
//! Whatever a fast reader accepts, the exact reader accepts too, and
//! scoring either gives the same result, byte for byte; what it leaves to
//! the exact reader is read by that one. Nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mizan::answers::{self, Origin};
use mizan::render::json;

fn rubrics() -> &'static [mizan::Rubric] {
    static R: OnceLock<Vec<mizan::Rubric>> = OnceLock::new();
    R.get_or_init(|| {
        [
            "rules/worldbank/doing-business/2020.mizan",
            "rules/sa/platforms-policy/1.mizan",
            "rules/uae/integration/2018.mizan",
            "rules/eu/egovernment-benchmark-services/2023.mizan",
        ]
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("run from the repository root");
            mizan::load(p, &text).0.expect("a shipped rubric")
        })
        .collect()
    })
}

type Read = Result<answers::Submission, Vec<answers::Rejection>>;

fn outcome(r: &mizan::Rubric, sub: Read) -> String {
    scored(r, sub, mizan::eval::evaluate)
}

fn scored(
    r: &mizan::Rubric,
    sub: Read,
    score: fn(
        &mizan::plan::Plan,
        answers::Submission,
    ) -> Result<mizan::eval::EntityResult, Vec<answers::Rejection>>,
) -> String {
    match sub.and_then(|s| score(r.plan(), s)) {
        Ok(res) => serde_json::to_string(&json::entity(r.model(), &res)).expect("serialises"),
        Err(e) => format!(
            "{:?}",
            e.iter().map(json::problem).map(|p| p.message).collect::<Vec<_>>()
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = Origin {
        file: "fuzz.jsonl".into(),
        line: Some(1),
    };
    for r in rubrics() {
        let exact = answers::read_exact(r.plan(), origin.clone(), text);
        let reference = scored(r, exact.clone(), mizan::eval::evaluate_general);
        assert_eq!(
            outcome(r, exact.clone()),
            reference,
            "the program and the general evaluator disagree"
        );
        if let Ok(direct) = answers::read_direct(r.plan(), origin.clone(), text) {
            assert!(
                exact.is_ok(),
                "direct reader accepted what the exact reader rejects"
            );
            assert_eq!(
                outcome(r, Ok(direct)),
                reference,
                "direct and exact readers disagree"
            );
        }
    }
});
