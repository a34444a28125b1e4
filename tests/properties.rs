//! Evaluator properties on generated rubrics and answer sets (proptest):
//! scores stay in [0, 1] when option weights do; N/A criteria left out do
//! not move a score when the others agree; the order of entities in a batch
//! and of keys in an answer set changes nothing; evaluation is
//! deterministic; formatting a rubric never changes a score.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use mizan::answers::Origin;
use mizan::eval::Outcome;
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A generated rubric: source text and its criterion ids.
#[derive(Debug, Clone)]
struct Gen {
    text: String,
    criteria: Vec<String>,
    options: Vec<String>,
}

fn weights() -> impl Strategy<Value = Vec<u8>> {
    // Option weights in hundredths, 0..=100; the first is full marks.
    proptest::collection::vec(0u8..=100, 1..4).prop_map(|mut w| {
        w.insert(0, 100);
        w
    })
}

fn node(id: String, depth: u32, out: &mut Vec<String>) -> BoxedStrategy<String> {
    let _ = out;
    let leaf = (
        prop_oneof![Just(""), Just("missing worst"), Just("missing na")],
        1u8..4,
    )
        .prop_map({
            let id = id.clone();
            move |(m, w)| format!("criterion {id} {{ weight {w}  {m}  choice s }}\n")
        });
    if depth == 0 {
        return leaf.boxed();
    }
    let id2 = id.clone();
    let group = (
        proptest::collection::vec(any::<bool>(), 1..4),
        prop_oneof![
            Just("mean"),
            Just("ratio"),
            Just("weighted_mean"),
            Just("min"),
            Just("max")
        ],
        prop_oneof![Just("exclude"), Just("full"), Just("zero")],
        1u8..4,
    )
        .prop_flat_map(move |(kids, agg, na, w)| {
            let parts: Vec<BoxedStrategy<String>> = kids
                .iter()
                .enumerate()
                .map(|(k, deep)| {
                    let cid = format!("{id2}_{k}");
                    if *deep {
                        node(cid, depth - 1, &mut Vec::new())
                    } else {
                        node(cid, 0, &mut Vec::new())
                    }
                })
                .collect();
            let head = format!("group {id2} {{ weight {w}  aggregate {agg}  na {na}\n");
            parts.prop_map(move |p| format!("{head}{}}}\n", p.concat()))
        });
    prop_oneof![leaf, group].boxed()
}

fn rubric() -> impl Strategy<Value = Gen> {
    (weights(), proptest::collection::vec(0u32..3, 1..4)).prop_flat_map(|(w, tops)| {
        let parts: Vec<BoxedStrategy<String>> =
            tops.iter().enumerate().map(|(k, d)| node(format!("n{k}"), *d, &mut Vec::new())).collect();
        (Just(w), parts).prop_map(|(w, parts)| {
            let opts: Vec<String> = w.iter().enumerate().map(|(i, x)| format!("o{i} {}", Decimal::new(i64::from(*x), 2))).collect();
            let body = parts.concat();
            let text = format!("rubric demo.prop {{\n  version \"1\"\n  missing worst\n  scale s {{ {}  na n/a }}\n{body}}}\n", opts.join("  "));
            let criteria = body
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix("criterion "))
                .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
                .collect();
            let options = (0..w.len()).map(|i| format!("o{i}")).chain(["na".to_string()]).collect();
            Gen { text, criteria, options }
        })
    })
}

/// Answer sets for `g`: per entity, per criterion, an option index, N/A
/// (= options.len() - 1) or no answer (`None`).
fn answers(g: &Gen, picks: &[Vec<Option<usize>>]) -> Vec<String> {
    picks
        .iter()
        .enumerate()
        .map(|(e, row)| {
            let pairs: Vec<String> = g
                .criteria
                .iter()
                .zip(row.iter().cycle())
                .filter_map(|(c, p)| p.map(|i| format!("\"{c}\": \"{}\"", g.options[i % g.options.len()])))
                .collect();
            format!(
                r#"{{"rubric": "demo.prop", "version": "1", "entity": {{"id": "e{e}"}}, "answers": {{{}}}}}"#,
                pairs.join(", ")
            )
        })
        .collect()
}

fn batch(r: &mizan::Rubric, sets: &[String]) -> mizan::eval::Batch {
    r.evaluate_batch(
        sets.iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    Origin {
                        file: "p.json".into(),
                        line: Some(i + 1),
                    },
                    t.clone(),
                )
            })
            .collect(),
    )
}

fn picks() -> impl Strategy<Value = Vec<Vec<Option<usize>>>> {
    proptest::collection::vec(
        proptest::collection::vec(proptest::option::weighted(0.9, 0usize..5), 1..12),
        1..6,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn scores_lie_in_0_1_and_evaluation_is_deterministic_and_order_free(g in rubric(), p in picks(), seed in any::<u64>()) {
        let (r, d) = mizan::load("p.mizan", &g.text);
        prop_assert!(r.is_some(), "{d:?}\n{}", g.text);
        let r = r.unwrap();
        let sets = answers(&g, &p);
        let b = batch(&r, &sets);
        for res in &b.results {
            for o in &res.outcomes {
                if let Outcome::Score(s) = o {
                    prop_assert!(*s >= Decimal::ZERO && *s <= Decimal::ONE, "score {s} out of [0, 1]\n{}", g.text);
                }
            }
        }
        let json = mizan::render::json::to_string(r.model(), &b);
        prop_assert_eq!(&json, &mizan::render::json::to_string(r.model(), &batch(&r, &sets)), "deterministic");
        // Entities in another order, and each answer set's keys reversed.
        let mut shuffled: Vec<String> = sets
            .iter()
            .map(|s| {
                let v: serde_json::Value = serde_json::from_str(s).unwrap();
                let mut a: Vec<(String, serde_json::Value)> =
                    v["answers"].as_object().unwrap().iter().map(|(k, x)| (k.clone(), x.clone())).collect();
                a.reverse();
                let answers: serde_json::Map<String, serde_json::Value> = a.into_iter().collect();
                serde_json::json!({"answers": answers, "entity": v["entity"], "version": "1", "rubric": "demo.prop"}).to_string()
            })
            .collect();
        let k = (seed as usize) % shuffled.len();
        shuffled.rotate_left(k);
        shuffled.reverse();
        let json2 = mizan::render::json::to_string(r.model(), &batch(&r, &shuffled));
        // Results and the population are identical; errors name their input
        // positions, so compare them as a set of (entity, code, pointer).
        let split = |j: &str| {
            let mut v: serde_json::Value = serde_json::from_str(j).unwrap();
            let errs = v.as_object_mut().unwrap().remove("errors").unwrap();
            let mut set: Vec<String> = errs
                .as_array()
                .unwrap()
                .iter()
                .map(|e| format!("{} {} {}", e["entity"], e["code"], e["pointer"]))
                .collect();
            set.sort();
            (v, set)
        };
        prop_assert_eq!(split(&json), split(&json2), "order of entities and keys changed a result");
    }

    #[test]
    fn formatting_never_changes_a_score(g in rubric(), p in picks()) {
        let (r, _) = mizan::load("p.mizan", &g.text);
        let formatted = mizan::fmt::format("p.mizan", &g.text).unwrap();
        let (f, _) = mizan::load("f.mizan", &formatted);
        let (r, f) = (r.unwrap(), f.unwrap());
        let sets = answers(&g, &p);
        let (a, b) = (batch(&r, &sets), batch(&f, &sets));
        let outs = |x: &mizan::eval::Batch| x.results.iter().map(|r| r.outcomes.clone()).collect::<Vec<_>>();
        prop_assert_eq!(outs(&a), outs(&b));
        prop_assert_eq!(a.rejected, b.rejected);
    }

    /// A mean over criteria: those answered all get the same weight w; the
    /// others are N/A. Excluding the N/A ones gives w, as answering them
    /// with w would.
    #[test]
    fn excluding_na_criteria_agrees_with_answering_them_like_the_others(n in 2usize..9, answered in 1usize..9, w in 0u8..=100) {
        let answered = answered.min(n);
        let crit: String = (0..n).map(|i| format!("  criterion c{i} {{ choice s }}\n")).collect();
        let text = format!("rubric demo.na {{\n  version \"1\"\n  scale s {{ full 1  w {}  na n/a }}\n{crit}}}\n", Decimal::new(i64::from(w), 2));
        let r = mizan::load("na.mizan", &text).0.unwrap();
        let with_na: Vec<String> = (0..n).map(|i| format!("\"c{i}\": \"{}\"", if i < answered { "w" } else { "na" })).collect();
        let all_w: Vec<String> = (0..n).map(|i| format!("\"c{i}\": \"w\"")).collect();
        let score = |pairs: &[String]| {
            r.evaluate_json("x", &format!(r#"{{"rubric": "demo.na", "version": "1", "entity": {{"id": "e"}}, "answers": {{{}}}}}"#, pairs.join(", ")))
                .unwrap()
                .score()
        };
        prop_assert_eq!(score(&with_na), score(&all_w));
        prop_assert_eq!(score(&all_w), Some(Decimal::new(i64::from(w), 2)));
    }
}
