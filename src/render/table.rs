//! The default `mizan eval` output: one row per entity, one column per
//! top-level group, then the population line.

use comfy_table::{presets, CellAlignment, Table};
use miette::Diagnostic;

use super::score_cell;
use crate::answers::{printable, Rejection};
use crate::eval::Batch;
use crate::model::Model;

/// Renders the results table. `plain` drops box drawing.
pub fn render(model: &Model, batch: &Batch, plain: bool) -> String {
    let p = model.precision;
    let mut t = Table::new();
    t.load_preset(if plain {
        presets::NOTHING
    } else {
        presets::UTF8_FULL_CONDENSED
    });
    let ranked = model.population.rank.is_some();
    let mut header = vec!["entity".to_string(), "score".to_string(), "band".to_string()];
    if ranked {
        header.push("rank".into());
    }
    header.extend(
        model
            .top_level()
            .iter()
            .filter_map(|&i| model.nodes.get(i))
            .map(|n| n.id.clone()),
    );
    t.set_header(header);
    for (r, rank) in batch.results.iter().zip(&batch.ranks) {
        let score = r.score();
        let band = score
            .and_then(|s| model.band(&model.root().bands, s))
            .map_or("-".to_string(), |b| b.id.clone());
        // Ids are checked when read (no controls), but a terminal never
        // gets a raw control character from an answer set.
        let mut row = vec![
            printable(&r.submission.entity).into_owned(),
            score_cell(score, p),
            band,
        ];
        if ranked {
            row.push(rank.map_or("-".into(), |k| k.to_string()));
        }
        for &g in model.top_level() {
            row.push(score_cell(r.outcomes.get(g).and_then(|o| o.score()), p));
        }
        t.add_row(row);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if i > 0 && i != 2 {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = format!(
        "{} {} ({})\n",
        model.id,
        model.version,
        &model.sha256.get(..12).unwrap_or("")
    );
    out.push_str(&t.to_string());
    out.push('\n');
    let pop = &batch.population;
    let band = pop
        .score
        .and_then(|s| model.band(&model.population.bands, s))
        .map(|b| format!(" {}", b.id))
        .unwrap_or_default();
    out.push_str(&format!(
        "population: {}{} over {} entit{}",
        score_cell(pop.score, p),
        band,
        pop.entities,
        if pop.entities == 1 { "y" } else { "ies" }
    ));
    if batch.rejected > 0 {
        out.push_str(&format!(
            "; {} submission{} rejected and excluded",
            batch.rejected,
            if batch.rejected == 1 { "" } else { "s" }
        ));
    }
    out.push('\n');
    // Provenance: the exact rules and engine behind every score above.
    out.push_str(&format!(
        "rules: {} {} sha256 {} · mizan {}\n",
        model.id,
        model.version,
        model.sha256,
        env!("CARGO_PKG_VERSION")
    ));
    out
}

/// A located answer-set problem as text. Everything that comes from the
/// answer set or its file name (ids, keys, option ids, values) is shown
/// with its control and invisible characters escaped (`\u{1b}`).
pub fn problem(r: &Rejection) -> String {
    let level = match r.severity() {
        Some(miette::Severity::Warning) => "warning",
        _ => "error",
    };
    let code = r.code().map(|c| c.to_string()).unwrap_or_default();
    let mut s = format!(
        "{level}[{code}]: {}\n  --> {}\n",
        printable(&r.error.to_string()),
        printable(&r.location())
    );
    if let Some(h) = r.help() {
        s.push_str(&format!("  help: {}\n", printable(&h.to_string())));
    }
    s
}
