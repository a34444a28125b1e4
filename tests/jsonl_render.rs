//! `render::jsonl` writes each entity line itself (no serde structs, no
//! string per number): its bytes must be those of the serde rendering
//! `serde_json::to_string(&render::json::entity_in(…))` on every shipped
//! rubric and answer set, in both languages, with and without the rank
//! slot, on ids and names that need escapes, and on any decimal.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use mizan::answers::Origin;
use mizan::eval::{EntityResult, InstanceSetResult, Outcome};
use mizan::model::Model;
use mizan::render::json::{entity_in, Num};
use mizan::render::jsonl::{write_decimal, write_str, EntityLines};
use mizan::render::Lang;
use proptest::prelude::*;
use rust_decimal::Decimal;

mod support;

/// The line as the serde structs render it.
fn serde_line(model: &Model, r: &EntityResult, lang: Lang, rank_slot: bool) -> String {
    let mut e = entity_in(model, r, lang);
    if rank_slot {
        e.rank = Some(None);
    }
    serde_json::to_string(&e).unwrap()
}

/// Both renderings of `r` agree, in both languages, with and without the
/// rank slot (one buffer reused across all four, as a stream would).
fn same(model: &Model, r: &EntityResult, what: &str) -> usize {
    let mut bytes = Vec::new();
    for lang in [Lang::En, Lang::Ar] {
        let lines = EntityLines::new(model, lang);
        for slot in [false, true] {
            bytes.clear();
            lines.write(&mut bytes, r, slot);
            let buf = std::str::from_utf8(&bytes).unwrap();
            assert_eq!(
                buf,
                serde_line(model, r, lang, slot),
                "{what} ({lang:?}, rank slot {slot})"
            );
            assert_eq!(lines.line(r, slot), buf, "{what}: line() and write()");
        }
    }
    1
}

/// Every rubric of the repository with the answer sets that name it,
/// scored as a batch.
fn every_scored_rubric() -> Vec<(String, mizan::Rubric, mizan::eval::Batch)> {
    let mut sets: BTreeMap<(String, String), Vec<(Origin, String)>> = BTreeMap::new();
    for (id, version, origin, text) in support::every_answer_set() {
        sets.entry((id, version)).or_default().push((origin, text));
    }
    let mut files = Vec::new();
    for dir in ["rules", "examples", "tests"] {
        support::files_under(Path::new(dir), &["mizan"], &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for f in files.iter().filter(|f| !mizan::testing::is_test_file(f)) {
        let name = f.display().to_string();
        let text = fs::read_to_string(f).unwrap();
        let (Some(rubric), _) = mizan::load(&name, &text) else {
            continue;
        };
        let m = rubric.model();
        let Some(inputs) = sets.get(&(m.id.clone(), m.version.clone())) else {
            continue;
        };
        let batch = rubric.evaluate_batch(inputs.clone());
        out.push((name, rubric, batch));
    }
    out
}

#[test]
fn every_shipped_answer_set_renders_as_serde_does() {
    let mut lines = 0;
    let mut with_instances = 0;
    let mut with_bands = 0;
    for (name, rubric, batch) in every_scored_rubric() {
        let m = rubric.model();
        for r in &batch.results {
            lines += same(m, r, &format!("{name}: {}", r.submission.entity));
            with_instances += usize::from(!r.instances.is_empty());
            with_bands += usize::from(!m.root().bands.is_empty() && r.score().is_some());
        }
    }
    // The walk really covers the shapes it claims to.
    assert!(lines > 50, "{lines} lines");
    assert!(with_instances > 0, "no result with instances");
    assert!(with_bands > 0, "no result with a band");
}

/// Ids, names and instance keys that JSON escapes, Arabic text, and
/// every control character.
const AWKWARD: &[&str] = &[
    "",
    "plain",
    "وزارة \"الداخلية\"",
    "back\\slash/and/slash",
    "tab\there\nnewline\r\u{8}\u{c}",
    "\u{0}\u{1}\u{1f}\u{7f}\u{80}\u{2028}\u{2029}",
    "emoji 🙂 and \u{feff}bom",
    "\"",
];

/// Every decimal shape a score can take: scale 0, trailing zeros,
/// negative, 28 and 29 digits, tiny, `-0`.
fn awkward_decimals() -> Vec<Decimal> {
    let mut v = vec![
        Decimal::ZERO,
        Decimal::ONE,
        Decimal::NEGATIVE_ONE,
        Decimal::MAX,
        Decimal::MIN,
        Decimal::from_i128_with_scale(-0, 5),
        Decimal::new(-0, 28),
        Decimal::new(5, 1),
        Decimal::new(50000, 5),
        Decimal::new(-12_500, 4),
        Decimal::new(1, 28),
        Decimal::new(-1, 28),
        Decimal::new(100, 0),
        Decimal::new(1_000_000, 3),
        Decimal::from_i128_with_scale(4_450_762_626_262_626_262_626_262_626, 28),
        Decimal::from_i128_with_scale(79_228_162_514_264_337_593_543_950_335, 28),
        Decimal::from_i128_with_scale(-79_228_162_514_264_337_593_543_950_335, 0),
        Decimal::from_i128_with_scale(10_000_000_000_000_000_000, 19),
        Decimal::from_i128_with_scale(18_446_744_073_709_551_616, 3),
        Decimal::from_i128_with_scale(18_446_744_073_709_551_615, 0),
    ];
    v.push(-Decimal::ZERO);
    v
}

/// `r` with awkward ids, names, keys and scores put in.
fn awkward(r: &EntityResult, k: usize) -> EntityResult {
    fn sets(all: &mut [InstanceSetResult], k: usize) {
        for (i, set) in all.iter_mut().enumerate() {
            for (j, it) in set.items.iter_mut().enumerate() {
                it.key = AWKWARD[(k + i + j) % AWKWARD.len()].to_string();
                scores(&mut it.outcomes, k + j);
                sets(&mut it.instances, k + j + 1);
            }
        }
    }
    fn scores(outcomes: &mut [Outcome], k: usize) {
        let ds = awkward_decimals();
        for (i, o) in outcomes.iter_mut().enumerate() {
            if let Outcome::Score(s) = o {
                *s = ds[(k + i) % ds.len()];
            }
        }
    }
    let mut r = r.clone();
    r.submission.entity = AWKWARD[k % AWKWARD.len()].to_string();
    r.submission.name = (k % 3 != 0).then(|| AWKWARD[(k + 1) % AWKWARD.len()].to_string());
    scores(&mut r.outcomes, k);
    sets(&mut r.instances, k);
    r
}

#[test]
fn escapes_names_and_every_decimal_shape_render_as_serde_does() {
    let mut n = 0;
    for (name, rubric, batch) in every_scored_rubric() {
        let m = rubric.model();
        for (k, r) in batch.results.iter().enumerate().take(8) {
            for shift in 0..AWKWARD.len() {
                n += same(m, &awkward(r, k + shift), &format!("{name}: awkward {k}+{shift}"));
            }
        }
    }
    assert!(n > 100, "{n} lines");
}

#[test]
fn strings_escape_as_serde_json_does() {
    let mut all: Vec<String> = AWKWARD.iter().map(|s| s.to_string()).collect();
    all.push((0u8..0x80).map(char::from).collect());
    for s in &all {
        let mut out = b"x".to_vec();
        write_str(&mut out, s);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("x{}", serde_json::to_string(s).unwrap()),
            "{s:?}"
        );
    }
}

#[test]
fn awkward_decimals_print_as_normalize_does() {
    for d in awkward_decimals() {
        let mut out = Vec::new();
        write_decimal(&mut out, d);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, d.normalize().to_string(), "{d:?}");
        assert_eq!(out, serde_json::to_string(&Num(d.normalize())).unwrap(), "{d:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Any mantissa (96 bits), scale (0..=28) and sign.
    #[test]
    fn digits_equal_normalize_to_string(
        lo in any::<u64>(),
        hi in any::<u32>(),
        small in any::<bool>(),
        scale in 0u32..=28,
        negative in any::<bool>(),
    ) {
        let m = if small { i128::from(lo % 100_000) } else { (i128::from(hi) << 64) | i128::from(lo) };
        let mut d = Decimal::from_i128_with_scale(m, scale);
        d.set_sign_negative(negative);
        let mut out = b"[".to_vec();
        write_decimal(&mut out, d);
        let out = String::from_utf8(out).unwrap();
        prop_assert_eq!(out.strip_prefix('[').unwrap(), d.normalize().to_string());
        prop_assert_eq!(out.strip_prefix('[').unwrap(), serde_json::to_string(&Num(d.normalize())).unwrap());
    }
}
