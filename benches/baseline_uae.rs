//! The "tuned hand-written scorer" of issue 16, for the UAE 2018 integration
//! rubric only: what a competent engineer writes without Mizan. Each line is
//! parsed with simd-json (borrowed values, buffers reused); answers are
//! looked up in flat tables (criterion id → index, then the criterion's few
//! options by id); scores are plain f64 in a hand loop. Prints the number of
//! answer sets scored and the population mean.
//!
//! The rubric's structure is hard-coded as its text states it (asserted
//! against the loaded model at start-up, so a changed rubric fails loudly):
//! the entity score is the mean of its initiatives that have a score; an
//! initiative is `ratio over criteria` (the mean of its applicable, non-N/A
//! criteria, each the chosen option's weight); `gsb.3.1` does not apply to a
//! data provider, `gsb.3.2` applies to a data provider or both; a missing
//! (or null) answer is the worst option under `missing worst` (the bench's
//! variant of the rubric for the shapes that leave answers out), and
//! `missing error` rejects the set. The population is the mean of entity
//! scores. The option tables and weights come from the loaded model.
//!
//!     cargo run --release --example baseline_uae -- RULES FILE.jsonl

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a tool"
)]

use std::io::BufRead;

use mizan::model::{Aggregate, Builtin, MissingPolicy, NodeKind, Over};
use rustc_hash::FxHashMap;
use simd_json::prelude::*;
use simd_json::BorrowedValue as Value;

const NA: f64 = -1.0;

struct Crit {
    initiative: usize,
    /// (option id, weight; NA for the N/A option).
    options: Vec<(Box<[u8]>, f64)>,
    worst: f64,
    /// Applies to data_provider, data_consumer, both.
    applies: [bool; 3],
    missing_worst: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let rubric = mizan::load(&args[1], &text).0.expect("the UAE 2018 rubric");
    let m = rubric.model();
    assert_eq!(m.id, "uae.integration");
    let roles = ["data_provider", "data_consumer", "both"];
    let top = m.top_level().to_vec();
    let NodeKind::Group(root) = &m.root().kind else {
        panic!("root")
    };
    assert!(matches!(root.aggregate, Aggregate::Builtin(Builtin::Mean)));
    for &i in &top {
        let NodeKind::Group(g) = &m.nodes[i].kind else {
            panic!("initiative")
        };
        assert!(matches!(g.aggregate, Aggregate::Builtin(Builtin::Ratio)) && g.over == Over::Criteria);
    }
    let mut ids: FxHashMap<Box<[u8]>, usize> = FxHashMap::default();
    let mut crits = Vec::new();
    for (ix, n, c) in m.criteria() {
        let initiative = top
            .iter()
            .position(|&t| m.criteria_under(t).contains(&ix))
            .unwrap();
        let options: Vec<(Box<[u8]>, f64)> = c
            .answer
            .options()
            .iter()
            .map(|o| {
                let w = o.weight.map_or(NA, |w| w.to_string().parse().unwrap());
                (o.id.as_bytes().into(), w)
            })
            .collect();
        let worst = options
            .iter()
            .map(|o| o.1)
            .filter(|&w| w >= 0.0)
            .fold(1.0, f64::min);
        let applies = match n.id.as_str() {
            "gsb.3.1" => [false, true, true],
            "gsb.3.2" => [true, false, true],
            _ => [true; 3],
        };
        assert_eq!(n.applies.is_some(), applies != [true; 3], "{}", n.id);
        assert!(n.weight == rust_decimal::Decimal::ONE && c.score.is_none());
        ids.insert(n.id.as_bytes().into(), crits.len());
        crits.push(Crit {
            initiative,
            options,
            worst,
            applies,
            missing_worst: n.missing == MissingPolicy::Worst,
        });
    }

    let mut f = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&args[2]).unwrap());
    let mut buf = Vec::with_capacity(1 << 16);
    let mut buffers = simd_json::Buffers::new(1 << 16);
    let mut answer = vec![f64::NAN; crits.len()]; // NAN: unanswered
    let mut sum = vec![0.0f64; top.len()];
    let mut count = vec![0u32; top.len()];
    let (mut scored, mut total, mut rejected) = (0usize, 0.0f64, 0usize);
    loop {
        buf.clear();
        if f.read_until(b'\n', &mut buf).unwrap() == 0 {
            break;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v = simd_json::value::borrowed::to_value_with_buffers(&mut buf, &mut buffers).unwrap();
        let role = v
            .get("entity")
            .and_then(|e| e.get("profile"))
            .and_then(|p| p.get("role"))
            .and_then(|r| r.as_str())
            .and_then(|r| roles.iter().position(|x| *x == r))
            .unwrap();
        answer.fill(f64::NAN);
        if let Some(Value::Object(a)) = v.get("answers") {
            for (k, val) in a.iter() {
                let Some(&c) = ids.get(k.as_bytes()) else {
                    panic!("unknown criterion {k}")
                };
                let Some(s) = val.as_str() else {
                    assert!(val.is_null());
                    continue;
                };
                let opts = &crits[c].options;
                answer[c] = opts.iter().find(|o| &*o.0 == s.as_bytes()).map(|o| o.1).unwrap();
            }
        }
        sum.fill(0.0);
        count.fill(0);
        let mut ok = true;
        for (c, crit) in crits.iter().enumerate() {
            if !crit.applies[role] {
                continue;
            }
            let mut w = answer[c];
            if w.is_nan() {
                if !crit.missing_worst {
                    ok = false;
                    break;
                }
                w = crit.worst;
            }
            if w >= 0.0 {
                sum[crit.initiative] += w;
                count[crit.initiative] += 1;
            }
        }
        if !ok {
            rejected += 1;
            continue;
        }
        let (mut s, mut k) = (0.0, 0u32);
        for (a, &n) in sum.iter().zip(&count) {
            if n > 0 {
                s += a / f64::from(n);
                k += 1;
            }
        }
        if k > 0 {
            total += s / f64::from(k);
            scored += 1;
        }
    }
    println!(
        "{scored} scored, {rejected} rejected, population {:.12}",
        if scored > 0 {
            total / scored as f64
        } else {
            f64::NAN
        }
    );
}
