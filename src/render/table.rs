//! The default `mizan eval` output: one row per entity, one column per
//! node down to the depth asked for (the top-level groups by default), then
//! the population line, in the reader's language.

use comfy_table::{presets, CellAlignment, Table};
use miette::Diagnostic;
use rust_decimal::Decimal;

use super::{band_label, Lang};
use crate::answers::{printable, Rejection};
use crate::eval::{Batch, EntityResult};
use crate::model::{Aggregate, Builtin, CKind, Model, NaPolicy, NodeIx, NodeKind, Over};

/// The order of the table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By entity id (the default; the order of the JSON document).
    #[default]
    Id,
    /// By score, highest first; entities without a score last; ties by id.
    Score,
    /// By rank, first first; unranked entities last; ties by id.
    Rank,
}

/// How the table is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// No box drawing.
    pub plain: bool,
    /// The reader's language.
    pub lang: Lang,
    /// Row order.
    pub sort: Sort,
    /// Columns for the nodes down to this depth (1: the top-level groups).
    pub depth: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            plain: false,
            lang: Lang::En,
            sort: Sort::Id,
            depth: 1,
        }
    }
}

/// Renders the results table in English, sorted by id, with the top-level
/// groups. `plain` drops box drawing.
pub fn render(model: &Model, batch: &Batch, plain: bool) -> String {
    render_with(
        model,
        batch,
        &Options {
            plain,
            ..Options::default()
        },
    )
}

/// The node whose score the rubric's score is by construction, if any: the
/// root's `score X` where `X` is one of its children, or the root's only
/// child under a built-in that returns a single input unchanged (`mean`,
/// `weighted_mean`, `ratio`, `sum`, `min`, `max` over its children with
/// N/A excluded). Its column would repeat the `score` column, and is left
/// out of the table.
pub fn headline_node(model: &Model) -> Option<NodeIx> {
    let root = model.root();
    if root.requires.is_some() || root.applies.is_some() {
        return None;
    }
    let NodeKind::Group(g) = &root.kind else {
        return None;
    };
    if g.over != Over::Children {
        return None;
    }
    match &g.aggregate {
        Aggregate::Formula(f) => match f.kind {
            CKind::Node(x) if root.children.contains(&x) => Some(x),
            _ => None,
        },
        Aggregate::Builtin(b) => {
            let unchanged = matches!(
                b,
                Builtin::Mean
                    | Builtin::WeightedMean
                    | Builtin::Ratio
                    | Builtin::Sum
                    | Builtin::Min
                    | Builtin::Max
            );
            match root.children.as_slice() {
                [only] if unchanged && g.na == NaPolicy::Exclude => Some(*only),
                _ => None,
            }
        }
    }
}

/// The nodes that get a column at `depth`: every node from depth 1 to
/// `depth`, in rubric order, except the one the rubric's score is
/// ([`headline_node`]).
pub fn columns(model: &Model, depth: usize) -> Vec<NodeIx> {
    let same = headline_node(model);
    // The rubric's headline indicators first (`headline a, b`), then the
    // other nodes down to `depth`.
    let mut out = model.headlines.clone();
    out.extend(
        model
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| {
                n.depth >= 1 && n.depth <= depth && Some(*i) != same && !model.headlines.contains(i)
            })
            .map(|(i, _)| i),
    );
    out
}

/// The rows' order: indices into `batch.results`.
pub fn order(batch: &Batch, sort: Sort) -> Vec<usize> {
    let mut ix: Vec<usize> = (0..batch.results.len()).collect();
    match sort {
        Sort::Id => {}
        Sort::Score => {
            let score = |i: usize| batch.results.get(i).and_then(EntityResult::score);
            // Highest first, N/A last, then by id (results are by id, and
            // the sort is stable).
            ix.sort_by(|&a, &b| match (score(a), score(b)) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        Sort::Rank => {
            let rank = |i: usize| batch.ranks.get(i).copied().flatten();
            ix.sort_by(|&a, &b| match (rank(a), rank(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
    }
    ix
}

/// A score with the labels of its bands under `uses` (`75.0% Good`).
fn scored_cell(
    model: &Model,
    lang: Lang,
    unit: crate::model::Unit,
    uses: &[crate::model::BandUse],
    score: Option<Decimal>,
) -> String {
    let mut cell = super::value_cell_in(lang, unit, score, model.precision);
    if let Some(s) = score {
        for (_, band) in model.bands(uses, s) {
            if let Some(b) = band {
                cell.push(' ');
                cell.push_str(&lang.auto(band_label(lang, b)));
            }
        }
    }
    cell
}

/// The labels of a score's bands under `uses`, headline first, joined by
/// ` · `; empty when there are none.
pub fn band_labels(
    model: &Model,
    lang: Lang,
    uses: &[crate::model::BandUse],
    score: Option<Decimal>,
) -> String {
    let Some(s) = score else { return String::new() };
    model
        .bands(uses, s)
        .into_iter()
        .filter_map(|(_, b)| b.map(|b| lang.auto(band_label(lang, b)).into_owned()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The first line of a table or summary: the rubric id, version and the
/// start of its sha256 (in Arabic, after the rubric's title).
pub fn heading(model: &Model, lang: Lang) -> String {
    let id = format!(
        "{} {} ({})",
        model.id,
        model.version,
        &model.sha256.get(..12).unwrap_or("")
    );
    match (lang, lang.pick(&model.title)) {
        (Lang::Ar, Some(t)) => format!("{} {}", lang.auto(t), lang.ltr(&id)),
        _ => lang.ltr(&id).into_owned(),
    }
}

/// The provenance line: the exact rules and engine behind every score.
pub fn provenance(model: &Model, lang: Lang) -> String {
    format!(
        "{} {} · {} {}",
        lang.t("rules:", "القواعد:"),
        lang.ltr(&format!("{} {} sha256 {}", model.id, model.version, model.sha256)),
        lang.t("mizan", "ميزان"),
        lang.ltr(env!("CARGO_PKG_VERSION"))
    )
}

/// Renders the results table.
pub fn render_with(model: &Model, batch: &Batch, o: &Options) -> String {
    let lang = o.lang;
    let mut t = Table::new();
    t.load_preset(if o.plain {
        presets::NOTHING
    } else {
        presets::UTF8_FULL_CONDENSED
    });
    let ranked = model.population.rank.is_some();
    let root = &model.root().bands;
    // The headline band, then one column per other band set of the root.
    let extra_sets: Vec<&str> = root.iter().skip(1).map(|u| u.set.as_str()).collect();
    let nodes = columns(model, o.depth);
    // A rubric with headlines and no total has no score or band columns.
    let total = !model.no_total;
    let extra_sets = if total { extra_sets } else { Vec::new() };
    let mut header = vec![lang.t("entity", "الجهة").to_string()];
    if total {
        header.push(lang.t("score", "الدرجة").to_string());
        header.push(lang.t("band", "الفئة").to_string());
    }
    header.extend(extra_sets.iter().map(|s| lang.ltr(s).into_owned()));
    if ranked {
        header.push(lang.t("rank", "الترتيب").into());
    }
    header.extend(
        nodes
            .iter()
            .filter_map(|&i| model.nodes.get(i))
            .map(|n| lang.ltr(&n.id).into_owned()),
    );
    t.set_header(header);
    for i in order(batch, o.sort) {
        let (Some(r), rank) = (batch.results.get(i), batch.ranks.get(i).copied().flatten()) else {
            continue;
        };
        let score = r.score();
        let bands = score.map(|s| model.bands(root, s)).unwrap_or_default();
        let label = |b: Option<&crate::model::BandDef>| {
            b.map_or("-".to_string(), |b| lang.auto(band_label(lang, b)).into_owned())
        };
        // Ids are checked when read (no controls), but a terminal never
        // gets a raw control character from an answer set.
        let mut row = vec![lang.ltr(&printable(&r.submission.entity)).into_owned()];
        if total {
            row.push(super::value_cell_in(
                lang,
                super::unit_of(model, 0),
                score,
                model.precision,
            ));
            row.push(label(bands.first().and_then(|(_, b)| *b)));
        }
        for k in 1..=extra_sets.len() {
            row.push(label(bands.get(k).and_then(|(_, b)| *b)));
        }
        if ranked {
            row.push(rank.map_or("-".into(), |k| lang.ltr(&k.to_string()).into_owned()));
        }
        for &g in &nodes {
            let uses = model.nodes.get(g).map(|n| n.bands.as_slice()).unwrap_or_default();
            row.push(scored_cell(
                model,
                lang,
                super::unit_of(model, g),
                uses,
                r.outcomes.get(g).and_then(|o| o.score()),
            ));
        }
        t.add_row(row);
    }
    let bands_from = 2;
    let bands_to = bands_from + extra_sets.len();
    for (i, col) in t.column_iter_mut().enumerate() {
        if i > 0 && !(total && (bands_from..=bands_to).contains(&i)) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = lang.line(&heading(model, lang)).into_owned();
    out.push('\n');
    out.push_str(&lang.lines(&t.to_string()));
    out.push('\n');
    out.push_str(&lang.line(&population_line(model, batch, lang)));
    out.push('\n');
    out.push_str(&lang.line(&provenance(model, lang)));
    out.push('\n');
    out
}

/// The population's value as a report shows it: its score in the
/// rubric's unit; with `headline`, each headline's population value
/// (`readiness 71.3 / 100 · quality 6.9 / 10`) instead of the score when
/// the rubric has no total, after it in parentheses otherwise.
pub fn population_cell(
    model: &Model,
    lang: Lang,
    score: Option<Decimal>,
    heads: &[(NodeIx, Option<Decimal>)],
) -> String {
    let total = super::value_cell_in(lang, super::unit_of(model, 0), score, model.precision);
    let heads: Vec<String> = heads
        .iter()
        .filter_map(|&(h, v)| {
            let n = model.nodes.get(h)?;
            Some(format!(
                "{} {}",
                lang.ltr(&n.id),
                super::value_cell_in(lang, n.unit, v, model.precision)
            ))
        })
        .collect();
    match (model.no_total, heads.is_empty()) {
        (true, _) => heads.join(" · "),
        (false, true) => total,
        (false, false) => format!("{total} ({})", heads.join(" · ")),
    }
}

/// `population: 64.2% Weak over 4 entities; 1 submission rejected and
/// excluded`, in the reader's language.
fn population_line(model: &Model, batch: &Batch, lang: Lang) -> String {
    let pop = &batch.population;
    let bands = band_labels(model, lang, &model.population.bands, pop.score);
    let bands = if bands.is_empty() {
        bands
    } else {
        format!(" {bands}")
    };
    // Headlines: each one's population value (`a 75.0% · b 5.2 / 10`),
    // after the total, or instead of it when there is none.
    let heads: Vec<String> = crate::eval::headline_population(model, &batch.results)
        .into_iter()
        .filter_map(|(h, v)| {
            let n = model.nodes.get(h)?;
            Some(format!(
                "{} {}",
                lang.ltr(&n.id),
                super::value_cell_in(lang, n.unit, v, model.precision)
            ))
        })
        .collect();
    let heads = heads.join(" · ");
    let total_cell = super::value_cell_in(lang, super::unit_of(model, 0), pop.score, model.precision);
    let (total_cell, bands) = match (model.no_total, heads.is_empty()) {
        (true, _) => (heads, String::new()),
        (false, true) => (total_cell, bands),
        (false, false) => (format!("{total_cell}{bands} ({heads})"), String::new()),
    };
    let pop = &crate::eval::PopulationResult {
        entities: if model.no_total {
            batch.results.len()
        } else {
            pop.entities
        },
        ..pop.clone()
    };
    match lang {
        Lang::En => {
            let mut s = format!(
                "population: {}{} over {} entit{}",
                total_cell,
                bands,
                pop.entities,
                if pop.entities == 1 { "y" } else { "ies" }
            );
            if batch.rejected > 0 {
                s.push_str(&format!(
                    "; {} submission{} rejected and excluded",
                    batch.rejected,
                    if batch.rejected == 1 { "" } else { "s" }
                ));
            }
            s
        }
        Lang::Ar => {
            let mut s = format!(
                "الإجمالي: {}{}؛ الجهات: {}",
                total_cell,
                bands,
                lang.ltr(&pop.entities.to_string())
            );
            if batch.rejected > 0 {
                s.push_str(&format!(
                    "؛ إجابات مرفوضة ومستبعدة: {}",
                    lang.ltr(&batch.rejected.to_string())
                ));
            }
            s
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isolates_take_no_width_in_a_table() {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        t.set_header(vec!["الجهة".to_string(), "x".to_string()]);
        t.add_row(vec![
            Lang::Ar.ltr("moe").into_owned(),
            Lang::Ar.ltr("75.0%").into_owned(),
        ]);
        t.add_row(vec!["abcdefgh".to_string(), "1".to_string()]);
        let text = t.to_string();
        let widths: Vec<usize> = text
            .lines()
            .map(|l| {
                l.chars()
                    .filter(|c| !matches!(c, '\u{2066}'..='\u{2069}' | '\u{200f}'))
                    .count()
            })
            .collect();
        assert!(
            widths.windows(2).all(|w| w.first() == w.last()),
            "{text}\n{widths:?}"
        );
    }
}
