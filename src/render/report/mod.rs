//! `mizan report`: a self-contained static HTML report of one batch: a
//! cycle page (`index.html`) and one page per evaluated entity
//! (`entities/<file>.html`).
//!
//! The numbers are the batch's own and the gains of `eval::gains` (the
//! library's evaluation; nothing is scored here); this module only
//! arranges them. Pages are rendered
//! with `minijinja` templates with auto-escaping on (every string from a
//! rule file or an answer set is escaped); the charts are SVG written
//! here (see `svg.rs`) and passed to the templates as markup. Nothing is
//! loaded from the network: the CSS and the table-sorting script are
//! inline. The output is deterministic: the same batch gives the same
//! bytes (the time of generation is written only when given).

mod svg;

use std::cmp::Ordering;

use minijinja::{context, Environment, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{band_label, value, Lang};
use crate::answers::Answer;
use crate::eval::{Batch, Gain};
use crate::model::{AnswerKind, Model, NodeIx, NodeKind, Unit};

/// A page could not be rendered (a template error: a bug).
#[derive(Debug, thiserror::Error)]
#[error("cannot render the report: {0}")]
pub struct Error(#[from] minijinja::Error);

/// How the report is written.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The language of headings and labels.
    pub lang: Lang,
    /// The time of generation, written in the footer when given.
    pub generated_at: Option<String>,
}

/// One file of the report: its path relative to the report's directory
/// (`/`-separated) and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `index.html`, `entities/moe-1a2b3c4d5e.html`.
    pub path: String,
    /// The HTML.
    pub html: String,
}

/// The entity pages' directory.
pub const ENTITIES: &str = "entities";

/// The file name of an entity's page: its id's ASCII letters, digits,
/// `-` and `_` (lower-cased, at most 40), then 10 hex digits of the id's
/// sha256, so that any id (Arabic, `../x`, `<script>`, ids differing only
/// in case) gets a safe, unique and deterministic name.
pub fn file_name(id: &str) -> String {
    let stem: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .map(|c| c.to_ascii_lowercase())
        .take(40)
        .collect();
    let digest = Sha256::digest(id.as_bytes());
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    if stem.is_empty() {
        format!("e-{hash}.html")
    } else {
        format!("{stem}-{hash}.html")
    }
}

/// A number as the page shows it, and as the table sorts it.
#[derive(Serialize)]
struct Num {
    /// As people read it (`83.3%`, `N/A`).
    text: String,
    /// The exact decimal, for sorting (empty: no score).
    sort: String,
    /// Whether there is a number (else N/A, written as text).
    ok: bool,
}

fn num(model: &Model, unit: Unit, v: Option<Decimal>, lang: Lang) -> Num {
    match v {
        Some(d) => Num {
            text: value(unit, d, model.precision),
            sort: d.normalize().to_string(),
            ok: true,
        },
        None => Num {
            text: lang.t("N/A", "لا ينطبق").to_string(),
            sort: String::new(),
            ok: false,
        },
    }
}

/// A score as a fraction of its unit's full score (percent: itself;
/// points or a scale: over its maximum), for colours and bars.
fn ratio(unit: Unit, v: Decimal) -> Option<f64> {
    let r = match unit {
        Unit::Percent => v,
        Unit::Number => return None,
        Unit::Points(_) | Unit::Scale(..) => v.checked_div(unit.out_of()?)?,
    };
    r.to_f64()
}

/// The median of `v` (the mean of the two middle values for an even count).
fn median(mut v: Vec<Decimal>) -> Option<Decimal> {
    v.sort();
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mid = *v.get(n / 2)?;
    if n % 2 == 1 {
        Some(mid)
    } else {
        let lo = *v.get(n / 2 - 1)?;
        lo.checked_add(mid)?.checked_div(Decimal::TWO)
    }
}

/// Ranks of `scores`: the batch's (`rank` declared) or by score, highest
/// first, ties sharing a rank (1, 2, 2, 4).
fn ranks(model: &Model, batch: &Batch) -> Vec<Option<usize>> {
    if model.population.rank.is_some() {
        return batch.ranks.clone();
    }
    let scores: Vec<Option<Decimal>> = batch.results.iter().map(|r| r.score()).collect();
    scores
        .iter()
        .map(|s| s.map(|s| 1 + scores.iter().flatten().filter(|o| **o > s).count()))
        .collect()
}

/// A row of "where the points were lost".
struct Lost {
    /// The points (in the root's unit) the criterion could have added.
    gain: Decimal,
    ix: NodeIx,
    /// A weighted gap to full score, not a score computed again.
    estimate: bool,
    /// The best answer, as people read it.
    best: String,
}

/// The share of the root's score a node carries: the product, along its
/// path, of its weight over the sum of its siblings' weights (exact for
/// weighted means; an approximation for other aggregations).
fn share(model: &Model, ix: NodeIx) -> Decimal {
    let mut share = Decimal::ONE;
    let mut at = ix;
    while let Some(n) = model.nodes.get(at) {
        let Some(p) = n.parent.and_then(|p| model.nodes.get(p)) else {
            break;
        };
        let total: Decimal = p
            .children
            .iter()
            .filter_map(|c| model.nodes.get(*c))
            .map(|c| c.weight)
            .fold(Decimal::ZERO, |a, w| a.checked_add(w).unwrap_or(a));
        if let Some(s) = n.weight.checked_div(total).and_then(|f| share.checked_mul(f)) {
            share = s;
        }
        at = n.parent.unwrap_or(at);
        if at == 0 {
            break;
        }
    }
    share
}

/// Whether node `ix` lies inside a repeated node (its answers are per
/// instance).
fn repeated(model: &Model, ix: NodeIx) -> bool {
    let mut at = Some(ix);
    while let Some(n) = at.and_then(|i| model.nodes.get(i)) {
        if n.repeat.is_some() {
            return true;
        }
        at = n.parent;
    }
    false
}

fn title_of(model: &Model, ix: NodeIx, lang: Lang) -> String {
    model.nodes.get(ix).map_or_else(String::new, |n| {
        super::title(lang, &n.title).unwrap_or(&n.id).to_string()
    })
}

/// The answer given, as people read it.
fn answer_text(model: &Model, ix: NodeIx, a: Option<&Answer>, lang: Lang) -> String {
    let Some(NodeKind::Criterion(c)) = model.nodes.get(ix).map(|n| &n.kind) else {
        return String::new();
    };
    let opts = c.answer.options();
    let opt = |i: usize| {
        opts.get(i).map_or_else(
            || "?".to_string(),
            |o| lang.pick(&o.label).unwrap_or(&o.id).to_string(),
        )
    };
    match a {
        None => lang.t("not answered", "بلا إجابة").to_string(),
        Some(Answer::Na) => lang.t("N/A", "لا ينطبق").to_string(),
        Some(Answer::Option(i)) => opt(*i),
        Some(Answer::Set(s)) => s
            .iter()
            .map(|i| opt(*i))
            .collect::<Vec<_>>()
            .join(lang.t(", ", "، ")),
        Some(Answer::Number(d)) => d.normalize().to_string(),
        Some(Answer::Bool(b)) => lang
            .t(if *b { "yes" } else { "no" }, if *b { "نعم" } else { "لا" })
            .to_string(),
        Some(Answer::Code(i, _)) => c.answer.code(*i).map_or_else(
            || "?".to_string(),
            |k| lang.pick(&k.label).unwrap_or(&k.id).to_string(),
        ),
    }
}

/// The label of a criterion's best option (highest weight), if it has
/// options.
fn best_option(model: &Model, ix: NodeIx, lang: Lang) -> String {
    let Some(NodeKind::Criterion(c)) = model.nodes.get(ix).map(|n| &n.kind) else {
        return String::new();
    };
    match &c.answer {
        AnswerKind::Choice { options, .. } | AnswerKind::Multi { options, .. } => options
            .iter()
            .filter(|o| o.weight.is_some())
            .max_by(|a, b| a.weight.cmp(&b.weight))
            .map(|o| lang.pick(&o.label).unwrap_or(&o.id).to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The words of the pages, in the language.
fn words(lang: Lang) -> Value {
    let t = |en: &'static str, ar: &'static str| lang.t(en, ar);
    context! {
        cycle_report => t("Cycle report", "تقرير الدورة"),
        population_score => t("Population score", "الدرجة الإجمالية"),
        band => t("Band", "الفئة"),
        entities => t("Entities evaluated", "الجهات المقيّمة"),
        rejected_count => t("Submissions rejected", "الإجابات المرفوضة"),
        ranking => t("Ranking", "الترتيب"),
        sort_hint => t("Click a column heading to sort.", "انقر عنوان عمود للترتيب."),
        rank => t("Rank", "الترتيب"),
        entity => t("Entity", "الجهة"),
        id => t("Id", "المعرف"),
        name => t("Name", "الاسم"),
        score => t("Score", "الدرجة"),
        distribution => t("Distribution of scores", "توزيع الدرجات"),
        heatmap => t("Scores by group", "الدرجات حسب المحور"),
        bands => t("Band counts", "عدد الجهات في كل فئة"),
        from => t("From", "من"),
        count => t("Count", "العدد"),
        no_band => t("No band", "بلا فئة"),
        rejected => t("Rejected submissions", "الإجابات المرفوضة"),
        none_rejected => t("No submission was rejected.", "لم تُرفض أي إجابة."),
        file => t("File", "الملف"),
        pointer => t("JSON pointer", "مؤشر JSON"),
        code => t("Code", "الرمز"),
        message => t("Message", "الرسالة"),
        groups => t("Groups against the population median", "المحاور مقارنة بالوسيط"),
        group => t("Group", "المحور"),
        median => t("Median", "الوسيط"),
        chart => t("Chart", "الرسم"),
        legend => t("Bar: the entity's score; line: the population median.", "الشريط: درجة الجهة؛ الخط: وسيط الجهات."),
        lost => t("Where the points were lost", "أين فُقدت النقاط"),
        lost_note => t("The criteria whose best answer alone would have raised the score the most, by the points it would have added (the entity scored again with that answer). ≈: a criterion of repeated nodes, answered per instance: its gap to full score weighted by its share of the total, an estimate.", "المعايير التي كانت أفضل إجابة عن كلٍّ منها وحدها سترفع الدرجة أكثر من غيرها، مرتبةً بالنقاط التي كانت ستضيفها (أُعيد حساب درجة الجهة بتلك الإجابة). ≈: معيار في عناصر متكررة يُجاب عنه لكل حالة: فجوته عن الدرجة الكاملة مرجّحةً بحصته من المجموع، وهي تقدير."),
        none_lost => t("No points were lost.", "لم تُفقد أي نقاط."),
        criterion => t("Criterion", "المعيار"),
        lost_points => t("Lost", "المفقود"),
        answer => t("Answer given", "الإجابة المقدمة"),
        best => t("Best answer", "أفضل إجابة"),
        back => t("Back to the cycle report", "العودة إلى تقرير الدورة"),
        unranked => t("unranked", "بلا ترتيب"),
        rubric => t("Rubric", "المؤشر"),
        version => t("Version", "الإصدار"),
        mizan => t("Mizan version", "إصدار ميزان"),
        generated => t("Generated", "تاريخ الإنشاء"),
        several => t("several instances", "عدة حالات"),
    }
}

const CSS: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("sort.js");
const INDEX: &str = include_str!("index.html");
const ENTITY: &str = include_str!("entity.html");
const FOOTER: &str = include_str!("footer.html");

/// Renders every page of the report of `batch`.
pub fn render(model: &Model, batch: &Batch, gains: &[Vec<Gain>], opts: &Options) -> Result<Vec<Page>, Error> {
    let lang = opts.lang;
    let mut env = Environment::new();
    env.add_template("index.html", INDEX)?;
    env.add_template("entity.html", ENTITY)?;
    env.add_template("footer.html", FOOTER)?;
    let root = model.root();
    let root_unit = root.unit;
    let title = super::title(lang, &root.title).unwrap_or(&model.id).to_string();
    let groups: Vec<NodeIx> = root.children.clone();
    let group_heads: Vec<Value> = groups
        .iter()
        .map(|g| {
            context! {
                id => model.nodes.get(*g).map(|n| n.id.clone()).unwrap_or_default(),
                title => title_of(model, *g, lang),
            }
        })
        .collect();
    let ranks = ranks(model, batch);
    let band_of = |s: Option<Decimal>| {
        s.and_then(|s| model.band(&root.bands, s))
            .map(|b| band_label(lang, b).to_string())
            .unwrap_or_default()
    };
    let medians: Vec<Option<Decimal>> = groups
        .iter()
        .map(|g| {
            median(
                batch
                    .results
                    .iter()
                    .filter_map(|r| r.outcomes.get(*g)?.score())
                    .collect(),
            )
        })
        .collect();
    let unit_of = |ix: NodeIx| super::unit_of(model, ix);
    let cell = |ix: NodeIx, v: Option<Decimal>| {
        let n = num(model, unit_of(ix), v, lang);
        let shade = v.and_then(|v| ratio(unit_of(ix), v));
        context! {
            text => n.text, sort => n.sort, ok => n.ok,
            // Light to mid blue, dark text throughout: the number is
            // written in every cell, the colour only helps the eye.
            shade => shade.map(|r| format!("{:.0}", 97.0 - 37.0 * r.clamp(0.0, 1.0))),
        }
    };

    let mut rows = Vec::new();
    for (r, rank) in batch.results.iter().zip(&ranks) {
        let score = r.score();
        rows.push(context! {
            id => r.submission.entity.clone(),
            name => r.submission.name.clone().unwrap_or_default(),
            href => format!("{ENTITIES}/{}", file_name(&r.submission.entity)),
            rank => rank.map(|k| k.to_string()).unwrap_or_default(),
            score => num(model, root_unit, score, lang),
            band => band_of(score),
            groups => groups.iter().map(|g| cell(*g, r.outcomes.get(*g).and_then(|o| o.score()))).collect::<Vec<_>>(),
        });
    }

    // Histogram of the root scores: ten bins of the full score, or of the
    // scores' range when the unit has no full score.
    let scores: Vec<Decimal> = batch.results.iter().filter_map(|r| r.score()).collect();
    let fractions: Vec<f64> = scores.iter().filter_map(|s| ratio(root_unit, *s)).collect();
    let mut bins: Vec<(String, usize)> = Vec::new();
    if fractions.len() == scores.len() {
        for i in 0..10u32 {
            let lo = f64::from(i) / 10.0;
            let hi = f64::from(i + 1) / 10.0;
            let c = fractions
                .iter()
                .filter(|f| **f >= lo && (**f < hi || (i == 9 && **f <= 1.0 + 1e-12)))
                .count();
            bins.push((format!("{}–{}%", i * 10, (i + 1) * 10), c));
        }
    } else {
        let (lo, hi) = (
            scores.iter().min().copied().unwrap_or_default(),
            scores.iter().max().copied().unwrap_or_default(),
        );
        let (lo_f, hi_f) = (lo.to_f64().unwrap_or(0.0), hi.to_f64().unwrap_or(0.0));
        let step = ((hi_f - lo_f) / 10.0).max(f64::MIN_POSITIVE);
        for i in 0..10u32 {
            let a = lo_f + step * f64::from(i);
            let b = a + step;
            let c = scores
                .iter()
                .filter_map(|s| s.to_f64())
                .filter(|f| *f >= a && (*f < b || i == 9))
                .count();
            bins.push((format!("{a:.0}–{b:.0}"), c));
        }
    }
    let histogram = svg::histogram(&bins, lang.t("Distribution of scores", "توزيع الدرجات"));

    // Band counts, headline band set, highest band first.
    let mut band_rows = Vec::new();
    if let Some(set) = root.bands.first().and_then(|u| model.band_sets.get(&u.set)) {
        let mut set: Vec<_> = set.iter().collect();
        set.sort_by_key(|b| std::cmp::Reverse(b.min));
        for b in set {
            let count = batch
                .results
                .iter()
                .filter(|r| {
                    r.score()
                        .and_then(|s| model.band(&root.bands, s))
                        .is_some_and(|x| x.id == b.id)
                })
                .count();
            band_rows.push(context! {
                label => band_label(lang, b).to_string(),
                from => value(root_unit, b.min, model.precision),
                count => count,
            });
        }
    }
    let no_band = batch
        .results
        .iter()
        .filter(|r| r.score().and_then(|s| model.band(&root.bands, s)).is_none())
        .count();

    let rejected: Vec<Value> = batch
        .errors
        .iter()
        .map(|e| {
            let p = super::json::problem(e);
            context! {
                file => p.source, entity => p.entity.unwrap_or_default(),
                pointer => p.pointer, code => p.code, message => p.message,
            }
        })
        .collect();

    let footer = context! {
        rubric => model.id.clone(),
        version => model.version.clone(),
        sha256 => model.sha256.clone(),
        mizan => env!("CARGO_PKG_VERSION"),
        generated => opts.generated_at.clone(),
    };
    let pop = batch.population.score;
    let common = context! {
        lang => lang.tag(),
        dir => if lang.is_rtl() { "rtl" } else { "ltr" },
        w => words(lang),
        css => Value::from_safe_string(CSS.to_string()),
        script => Value::from_safe_string(SCRIPT.to_string()),
        title => title.clone(),
        footer => footer,
        ranked => model.population.rank.is_some(),
    };

    let mut pages = Vec::with_capacity(batch.results.len() + 1);
    let index = env.get_template("index.html")?.render(context! {
        ..common.clone(),
        ..context! {
            population => num(model, root_unit, pop, lang),
            population_band => band_of(pop),
            evaluated => batch.results.len(),
            rejected_count => batch.rejected,
            rows => rows,
            groups => group_heads,
            histogram => Value::from_safe_string(histogram),
            band_rows => band_rows,
            no_band => no_band,
            rejected => rejected,
        }
    })?;
    pages.push(Page {
        path: "index.html".into(),
        html: index,
    });

    let entity_tpl = env.get_template("entity.html")?;
    for (at, (r, rank)) in batch.results.iter().zip(&ranks).enumerate() {
        let score = r.score();
        let group_rows: Vec<Value> = groups
            .iter()
            .zip(&medians)
            .map(|(g, m)| {
                let v = r.outcomes.get(*g).and_then(|o| o.score());
                let u = unit_of(*g);
                context! {
                    title => title_of(model, *g, lang),
                    score => num(model, u, v, lang),
                    median => num(model, u, *m, lang),
                    bar => Value::from_safe_string(svg::bar(
                        v.and_then(|v| ratio(u, v)),
                        m.and_then(|m| ratio(u, m)),
                    )),
                }
            })
            .collect();
        // Where the points were lost: the entity's own criteria by the exact
        // gain of their best answer (`eval::gains`, scored again by the
        // library), and criteria of repeated nodes, answered per instance,
        // by their gap to full score weighted by their share of the total
        // (an estimate, marked ≈).
        let mut lost: Vec<Lost> = gains
            .get(at)
            .into_iter()
            .flatten()
            .map(|g| Lost {
                gain: g.gain,
                ix: g.node,
                estimate: false,
                best: answer_text(model, g.node, Some(&g.best), lang),
            })
            .collect();
        for (ix, n) in model.nodes.iter().enumerate() {
            let NodeKind::Criterion(_) = n.kind else { continue };
            if n.unit != Unit::Percent || !repeated(model, ix) {
                continue;
            }
            let Some(s) = r.outcomes.get(ix).and_then(|o| o.score()) else {
                continue;
            };
            let gap = (Decimal::ONE - s)
                .checked_mul(share(model, ix))
                .unwrap_or_default();
            if gap > Decimal::ZERO {
                lost.push(Lost {
                    gain: gap,
                    ix,
                    estimate: true,
                    best: best_option(model, ix, lang),
                });
            }
        }
        lost.sort_by(|a, b| match b.gain.cmp(&a.gain) {
            Ordering::Equal => a.ix.cmp(&b.ix),
            o => o,
        });
        let lost_rows: Vec<Value> = lost
            .iter()
            .take(10)
            .map(|l| {
                let answer = if l.estimate {
                    lang.t("several instances", "عدة حالات").to_string()
                } else {
                    answer_text(model, l.ix, r.submission.answers.get(l.ix), lang)
                };
                let score = r.outcomes.get(l.ix).and_then(|o| o.score());
                context! {
                    id => model.nodes.get(l.ix).map(|n| n.id.clone()).unwrap_or_default(),
                    title => title_of(model, l.ix, lang),
                    score => num(model, Unit::Percent, score, lang),
                    lost => format!(
                        "{}{}",
                        if l.estimate { "≈ " } else { "" },
                        value(root_unit, l.gain, model.precision)
                    ),
                    answer => answer,
                    best => l.best.clone(),
                }
            })
            .collect();
        let html = entity_tpl.render(context! {
            ..common.clone(),
            ..context! {
                id => r.submission.entity.clone(),
                name => r.submission.name.clone().unwrap_or_default(),
                score => num(model, root_unit, score, lang),
                band => band_of(score),
                rank => rank.map(|k| k.to_string()).unwrap_or_default(),
                evaluated => batch.results.len(),
                group_rows => group_rows,
                lost_rows => lost_rows,
            }
        })?;
        pages.push(Page {
            path: format!("{ENTITIES}/{}", file_name(&r.submission.entity)),
            html,
        });
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_unique_and_stable() {
        let ids = [
            "moe",
            "MOE",
            "../x",
            "<script>alert(1)</script>",
            "وزارة",
            "",
            "a b",
        ];
        let names: Vec<String> = ids.iter().map(|i| file_name(i)).collect();
        for n in &names {
            assert!(
                n.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                "{n}"
            );
            assert!(n.ends_with(".html") && !n.starts_with('.'));
        }
        let mut d = names.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), names.len());
        assert_eq!(file_name("moe"), file_name("moe"));
    }

    #[test]
    fn medians() {
        let d = |s: &str| s.parse::<Decimal>().unwrap_or_default();
        assert_eq!(median(vec![d("3"), d("1"), d("2")]), Some(d("2")));
        assert_eq!(median(vec![d("1"), d("2")]), Some(d("1.5")));
        assert_eq!(median(vec![]), None);
    }
}
