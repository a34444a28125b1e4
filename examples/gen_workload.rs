//! Deterministic benchmark workload: N answer sets (JSONL) for a rubric with
//! one enum profile field (`role`, cycled), every applicable choice criterion
//! answered, ~5 % N/A where N/A is offered.
//!
//!     cargo run --release --example gen_workload -- RULES N OUT.jsonl

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a tool"
)]

use std::io::{BufWriter, Write};

use mizan::model::FieldTy;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (rules, n, out) = (&args[1], args[2].parse::<usize>().unwrap(), &args[3]);
    let (r, d) = mizan::load(rules, &std::fs::read_to_string(rules).unwrap());
    let r = r.unwrap_or_else(|| panic!("{d:?}"));
    let m = r.model();
    let (field, roles) = m
        .entity_fields()
        .find_map(|(_, f)| match &f.ty {
            FieldTy::Enum(v) => Some((f.name.clone(), v.clone())),
            _ => None,
        })
        .expect("an enum profile field");
    let crits: Vec<(String, Vec<String>, bool)> = m
        .criteria()
        .map(|(_, n, c)| {
            let real: Vec<String> = c
                .answer
                .options()
                .iter()
                .filter(|o| !o.is_na())
                .map(|o| o.id.clone())
                .collect();
            let na = c.answer.options().iter().any(|o| o.is_na());
            (n.id.clone(), real, na)
        })
        .collect();
    // Which criteria apply to each role: probe with every criterion answered
    // and drop those reported as not applicable (M0412).
    let applies: Vec<Vec<bool>> = roles
        .iter()
        .map(|role| {
            let answers: Vec<String> = crits.iter().map(|(id, o, _)| format!("\"{id}\":\"{}\"", o[0])).collect();
            let probe = format!(
                r#"{{"rubric":"{}","version":"{}","entity":{{"id":"p","profile":{{"{field}":"{role}"}}}},"answers":{{{}}}}}"#,
                m.id,
                m.version,
                answers.join(",")
            );
            let res = r.evaluate_json("probe", &probe).unwrap();
            crits
                .iter()
                .map(|(id, _, _)| !res.warnings.iter().any(|w| w.pointer.ends_with(&format!("/{id}"))))
                .collect()
        })
        .collect();
    let mut seed: u64 = 2018;
    let mut rnd = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    let mut f = BufWriter::new(std::fs::File::create(out).unwrap());
    for i in 0..n {
        let k = i % roles.len();
        let mut answers = Vec::with_capacity(crits.len());
        for (j, (id, opts, na)) in crits.iter().enumerate() {
            if !applies[k][j] {
                continue;
            }
            let pick = if *na && rnd() % 100 < 5 {
                "na"
            } else {
                &opts[rnd() % opts.len()]
            };
            answers.push(format!("\"{id}\":\"{pick}\""));
        }
        writeln!(
            f,
            r#"{{"rubric":"{}","version":"{}","entity":{{"id":"e{i:07}","profile":{{"{field}":"{}"}}}},"answers":{{{}}}}}"#,
            m.id,
            m.version,
            roles[k],
            answers.join(",")
        )
        .unwrap();
    }
}
