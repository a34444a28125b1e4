//! Conformance with the World Bank's Doing Business 2020 (DB year 2020):
//! `rules/worldbank/doing-business/2020.mizan` evaluates the publisher's
//! complete dataset (`../shared/conformance/doing_business2020/`, imported
//! through the rubric's own mapping) and must reproduce:
//!
//! - the Starting a business indicator scores and topic score, computed
//!   from the raw values with the report's bounds and clipping, within 0.03
//!   points (the raw inputs are published rounded), for all 213 rows;
//! - the ease of doing business score, the mean of the ten published topic
//!   scores, within 1e-5 (published to 5 decimals), and its rank exactly,
//!   for the 190 ranked economies.
//!
//! Data: World Bank, Doing Business 2020 (CC BY 4.0).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;
use std::path::PathBuf;

use mizan::import::{read_table, Cell};
use rust_decimal::prelude::ToPrimitive;

fn workbook() -> PathBuf {
    PathBuf::from(
        "../shared/conformance/doing_business2020/Historical-data---COMPLETE-dataset-with-scores.xlsx",
    )
}

/// A published number (some columns store numbers as text).
fn num(c: Option<&Cell>) -> Option<f64> {
    match c? {
        Cell::Number(f) => Some(*f),
        Cell::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

#[test]
fn starting_a_business_ease_score_and_rank_match() {
    let rules = "rules/worldbank/doing-business/2020.mizan";
    let (rubric, diags) = mizan::load(rules, &fs::read_to_string(rules).unwrap());
    assert!(diags.is_empty(), "{diags:?}");
    let rubric = rubric.unwrap();
    let mapping = "rules/worldbank/doing-business/2020.import.toml";
    let m = mizan::import::parse_mapping(mapping, &fs::read_to_string(mapping).unwrap()).unwrap();
    let imported = rubric.import(&m, &[workbook()]).unwrap();
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    let batch = rubric.evaluate_imported(imported, "dataset");
    assert!(batch.errors.is_empty(), "{:?}", batch.errors);
    assert_eq!(batch.results.len(), 213);

    let t = read_table(&workbook(), Some("All Data"), 4).unwrap();
    let col = |name: &str| {
        t.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let (c_code, c_year) = (col("Country code"), col("DB Year"));
    let model = rubric.model();
    let components = [
        (
            "starting_business.procedures.men",
            "Score-Procedures - Men (number)",
        ),
        (
            "starting_business.procedures.women",
            "Score-Procedures - Women (number)",
        ),
        ("starting_business.time.men", "Score-Time - Men (days)"),
        ("starting_business.time.women", "Score-Time - Women (days)"),
        (
            "starting_business.cost.men",
            "Score-Cost - Men (% of income per capita)",
        ),
        (
            "starting_business.cost.women",
            "Score-Cost - Women (% of income per capita)",
        ),
        (
            "starting_business.min_capital",
            "Score-Paid-in Minimum capital (% of income per capita)",
        ),
        ("starting_business", "Score-Starting a business"),
    ];
    let mut max_component = 0f64;
    let mut max_topic = 0f64;
    let mut max_ease = 0f64;
    let (mut components_ok, mut ease_ok, mut ranks_ok, mut ranked) = (0, 0, 0, 0);
    let mut rows = 0;
    for (_, cells) in &t.rows {
        if cells.get(c_year).map(Cell::text).as_deref() != Some("2020") {
            continue;
        }
        rows += 1;
        let code = cells[c_code].text();
        let (i, r) = batch
            .results
            .iter()
            .enumerate()
            .find(|(_, r)| r.submission.entity == code)
            .unwrap();
        let pct = |id: &str| r.outcomes[model.by_id[id]].score().unwrap().to_f64().unwrap() * 100.0;
        let mut all = true;
        for (id, header) in components {
            let published = num(cells.get(col(header))).unwrap();
            let d = (pct(id) - published).abs();
            if id == "starting_business" {
                max_topic = max_topic.max(d);
            } else {
                max_component = max_component.max(d);
            }
            all &= d <= 0.03;
        }
        components_ok += usize::from(all);
        let published_rank = num(cells.get(col("Ease of doing business rank")));
        match published_rank {
            Some(rank) => {
                ranked += 1;
                let ease = num(cells.get(col("Ease of doing business score (DB17-20 methodology)"))).unwrap();
                let d = (r.score().unwrap().to_f64().unwrap() * 100.0 - ease).abs();
                max_ease = max_ease.max(d);
                ease_ok += usize::from(d <= 1e-5);
                assert_eq!(batch.ranks[i], Some(rank as usize), "{code}: rank");
                ranks_ok += 1;
            }
            None => assert_eq!(batch.ranks[i], None, "{code} is not ranked"),
        }
    }
    println!(
        "Doing Business 2020: {components_ok} of {rows} rows with every Starting a business score within 0.03 (max component error {max_component:.4}, max topic error {max_topic:.4}); ease score {ease_ok} of {ranked} within 1e-5 (max {max_ease:.1e}); rank {ranks_ok} of {ranked} exact"
    );
    assert_eq!(rows, 213);
    assert_eq!(components_ok, 213);
    assert_eq!(ranked, 190);
    assert_eq!(ease_ok, 190);
}
