//! Arbitrary text as an answer set of the Doing Business 2020 and Saudi
//! platforms rubrics (numbers, booleans, choices, a profile): the compiled
//! reader and the exact reader must agree. Whatever the compiled reader
//! accepts, the exact reader accepts too, and scoring either gives the
//! same result, byte for byte; what it leaves to the exact reader is read
//! by that one. Nothing may panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mizan::answers::{self, Origin};
use mizan::render::json;

fn rubrics() -> &'static [mizan::Rubric] {
    static R: OnceLock<Vec<mizan::Rubric>> = OnceLock::new();
    R.get_or_init(|| {
        ["rules/worldbank/doing-business/2020.mizan", "rules/sa/platforms-policy/1.mizan"]
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("run from the repository root");
                mizan::load(p, &text).0.expect("a shipped rubric")
            })
            .collect()
    })
}

fn outcome(r: &mizan::Rubric, sub: Result<answers::Submission, Vec<answers::Rejection>>) -> String {
    match sub.and_then(|s| mizan::eval::evaluate(r.plan(), s)) {
        Ok(res) => serde_json::to_string(&json::entity(r.model(), &res)).expect("serialises"),
        Err(e) => format!("{:?}", e.iter().map(json::problem).map(|p| p.message).collect::<Vec<_>>()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let origin = Origin {
        file: "fuzz.jsonl".into(),
        line: Some(1),
    };
    for r in rubrics() {
        let exact = answers::read_exact(r.plan(), origin.clone(), text);
        if let Ok(fast) = answers::read_compiled(r.plan(), origin.clone(), text) {
            assert!(exact.is_ok(), "compiled reader accepted what the exact reader rejects");
            assert_eq!(outcome(r, Ok(fast)), outcome(r, exact), "readers disagree");
        }
    }
});
