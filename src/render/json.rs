//! The JSON output of `mizan eval --format json` (contract in
//! `docs/output.md`). Numbers keep full precision.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{band_label, Lang};
use crate::answers::Rejection;
use crate::eval::{Batch, EntityResult, InstanceSetResult};
use crate::model::{BandUse, Model, Unit};

/// `rubric` block: what produced the scores.
#[derive(Serialize)]
pub struct RubricInfo<'a> {
    /// Rubric id.
    pub id: &'a str,
    /// Rubric version.
    pub version: &'a str,
    /// sha256 of the rule source bytes.
    pub sha256: &'a str,
    /// Version of Mizan that evaluated it.
    pub mizan: &'static str,
    /// `headline a, b`: the rubric's headline indicators (node ids), in
    /// order; left out when it declares none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headlines: Vec<&'a str>,
    /// Node id → its unit, for every node whose unit is not `percent`
    /// (the root included); left out when every node is a percentage.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub units: IndexMap<&'a str, UnitOut>,
}

impl<'a> RubricInfo<'a> {
    /// The `rubric` block of `model`.
    pub fn new(model: &'a Model) -> Self {
        RubricInfo {
            id: &model.id,
            version: &model.version,
            sha256: &model.sha256,
            mizan: env!("CARGO_PKG_VERSION"),
            headlines: model
                .headlines
                .iter()
                .filter_map(|&h| model.nodes.get(h).map(|n| n.id.as_str()))
                .collect(),
            units: model
                .nodes
                .iter()
                .filter(|n| n.unit != Unit::Percent)
                .map(|n| (n.id.as_str(), UnitOut::new(n.unit)))
                .collect(),
        }
    }
}

/// A node's unit: `{"unit": "points", "of": 100}`, `{"unit": "number"}`,
/// `{"unit": "score", "min": 0, "max": 10}`.
#[derive(Serialize)]
pub struct UnitOut {
    /// `points`, `number` or `score`.
    pub unit: &'static str,
    /// `points of N`: N.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<Num>,
    /// `score MIN..MAX`: MIN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Num>,
    /// `score MIN..MAX`: MAX.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Num>,
}

impl UnitOut {
    fn new(u: Unit) -> Self {
        let (of, min, max) = match u {
            Unit::Points(of) => (of.map(norm), None, None),
            Unit::Scale(lo, hi) => (None, Some(norm(lo)), Some(norm(hi))),
            Unit::Percent | Unit::Number => (None, None, None),
        };
        UnitOut {
            unit: u.word(),
            of,
            min,
            max,
        }
    }
}

/// One entity.
#[derive(Serialize)]
pub struct EntityOut<'a> {
    /// Entity id.
    pub id: &'a str,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Overall score, `null` when N/A.
    pub score: Option<Num>,
    /// Band id of the overall score (its headline band: the first band
    /// set on the rubric).
    pub band: Option<&'a str>,
    /// The headline band's label in the requested language (else in the
    /// other language, else the band id); `null` when no band.
    pub band_label: Option<&'a str>,
    /// Rank among the ranked entities (rubrics that declare `rank`).
    /// Before `bands`: a streamed line gets its rank written in here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<Option<usize>>,
    /// The band of the overall score in every band set on the rubric:
    /// set name → band id (`null` when N/A); `{}` without band sets.
    pub bands: BandIds<'a>,
    /// For every node below the root that declares band sets and has a
    /// score: node id → (set name → band id).
    pub node_bands: IndexMap<&'a str, BandIds<'a>>,
    /// Every node's score, `null` when N/A (nodes inside repeated nodes:
    /// their instances combined).
    pub nodes: NodeScores<'a>,
    /// Each repeated node's instances, by node id.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub instances: IndexMap<&'a str, Vec<InstanceOut<'a>>>,
}

/// One instance of a repeated node.
#[derive(Serialize)]
pub struct InstanceOut<'a> {
    /// Instance key.
    pub key: &'a str,
    /// The repeated node's score in this instance.
    pub score: Option<Num>,
    /// Scores of the nodes below it in this instance.
    pub nodes: IndexMap<&'a str, Option<Num>>,
    /// Instances nested in this one.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub instances: IndexMap<&'a str, Vec<InstanceOut<'a>>>,
}

fn instances<'a>(model: &'a Model, sets: &'a [InstanceSetResult]) -> IndexMap<&'a str, Vec<InstanceOut<'a>>> {
    sets.iter()
        .filter_map(|set| {
            let r = model.nodes.get(set.node)?;
            let items = set
                .items
                .iter()
                .map(|it| InstanceOut {
                    key: &it.key,
                    score: it.outcomes.first().and_then(|o| o.score()).map(norm),
                    nodes: model
                        .nodes
                        .get(set.node + 1..r.end)
                        .unwrap_or_default()
                        .iter()
                        .zip(it.outcomes.iter().skip(1))
                        .filter(|(n, _)| n.scope == set.node)
                        .map(|(n, o)| (n.id.as_str(), o.score().map(norm)))
                        .collect(),
                    instances: instances(model, &it.instances),
                })
                .collect();
            Some((r.id.as_str(), items))
        })
        .collect()
}

/// Set name → band id, in the order the band sets are declared on the
/// node.
pub type BandIds<'a> = IndexMap<&'a str, Option<&'a str>>;

/// The band of `score` in each of `uses` (`null` for every set when the
/// score is N/A).
pub fn band_ids<'a>(
    model: &'a Model,
    uses: &'a [BandUse],
    score: Option<rust_decimal::Decimal>,
) -> BandIds<'a> {
    let mut out = BandIds::new();
    for u in uses {
        let band = score.and_then(|s| model.band_in(u, s)).map(|b| b.id.as_str());
        out.entry(u.set.as_str()).or_insert(band);
    }
    out
}

/// The headline band of `score` under `uses`: its id and its label in
/// `lang` (falling back to the other language, then the id).
pub fn headline<'a>(
    model: &'a Model,
    uses: &[BandUse],
    score: Option<rust_decimal::Decimal>,
    lang: Lang,
) -> (Option<&'a str>, Option<&'a str>) {
    match score.and_then(|s| model.band(uses, s)) {
        Some(b) => (Some(b.id.as_str()), Some(band_label(lang, b))),
        None => (None, None),
    }
}

/// Every node below the root that declares band sets and has a score:
/// node id → its band in each set.
fn node_bands<'a>(model: &'a Model, r: &EntityResult) -> IndexMap<&'a str, BandIds<'a>> {
    model
        .nodes
        .iter()
        .zip(&r.outcomes)
        .skip(1)
        .filter(|(n, _)| !n.bands.is_empty())
        .filter_map(|(n, o)| {
            let s = o.score()?;
            Some((n.id.as_str(), band_ids(model, &n.bands, Some(s))))
        })
        .collect()
}

/// Population level.
#[derive(Serialize)]
pub struct AggregateOut<'a> {
    /// Population score.
    pub score: Option<Num>,
    /// Entities with a score.
    pub entities: usize,
    /// Headline band id (the population's first band set).
    pub band: Option<&'a str>,
    /// Its label in the requested language (else the other, else the id).
    pub band_label: Option<&'a str>,
    /// The band in every band set of the population: set → band id.
    pub bands: BandIds<'a>,
    /// Submissions rejected and so excluded.
    pub excluded: usize,
}

impl<'a> AggregateOut<'a> {
    /// The population level: its score, bands (of the population's band
    /// sets), entities counted and submissions excluded.
    fn new(model: &'a Model, score: Option<Num>, entities: usize, excluded: usize, lang: Lang) -> Self {
        let exact = score.map(|s| s.0);
        let (band, band_label) = headline(model, &model.population.bands, exact, lang);
        AggregateOut {
            score,
            entities,
            band,
            band_label,
            bands: band_ids(model, &model.population.bands, exact),
            excluded,
        }
    }
}

/// One error or warning.
#[derive(Serialize)]
pub struct ProblemOut {
    /// File (and line).
    pub source: String,
    /// Entity id, when known.
    pub entity: Option<String>,
    /// Stable code.
    pub code: String,
    /// Message.
    pub message: String,
    /// JSON pointer.
    pub pointer: String,
}

/// The whole document.
#[derive(Serialize)]
pub struct EvalDocument<'a> {
    /// What produced the scores.
    pub rubric: RubricInfo<'a>,
    /// Entities, sorted by id.
    pub entities: Vec<EntityOut<'a>>,
    /// Population level.
    pub aggregate: AggregateOut<'a>,
    /// Rejected submissions' errors.
    pub errors: Vec<ProblemOut>,
    /// Warnings.
    pub warnings: Vec<ProblemOut>,
    /// `headline a, b`: each headline's population value (the mean over
    /// the entities that have one), by node id; left out without
    /// headlines.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub headlines: IndexMap<&'a str, Option<Num>>,
}

/// An exact decimal written as a JSON number with every digit kept
/// (serde_json's `arbitrary_precision` holds the digits as text).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub Decimal);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A whole non-negative number (most criterion scores are 0 or 1)
        // needs no text: its digits are those of the integer.
        if self.0.scale() == 0 && !self.0.is_sign_negative() {
            if let Ok(u) = u64::try_from(self.0.mantissa()) {
                return serde_json::Number::from(u).serialize(s);
            }
        }
        let n: serde_json::Number = self.0.to_string().parse().map_err(serde::ser::Error::custom)?;
        n.serialize(s)
    }
}

/// Every node's score (`null` when N/A) as a JSON object in node order,
/// written as it is serialised: no map is built per entity.
pub struct NodeScores<'a> {
    nodes: &'a [crate::model::NodeDef],
    outcomes: &'a [crate::eval::Outcome],
}

impl Serialize for NodeScores<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // Node 0 is the entity itself: its score is `score`.
        let len = self.nodes.len().min(self.outcomes.len()).saturating_sub(1);
        let mut m = s.serialize_map(Some(len))?;
        for (n, o) in self.nodes.iter().zip(self.outcomes).skip(1) {
            m.serialize_entry(n.id.as_str(), &o.score().map(norm))?;
        }
        m.end()
    }
}

fn norm(d: Decimal) -> Num {
    Num(d.normalize())
}

/// One entity's output, band labels in English.
pub fn entity<'a>(model: &'a Model, r: &'a EntityResult) -> EntityOut<'a> {
    entity_in(model, r, Lang::En)
}

/// One entity's output, band labels in `lang`. `rank` is left out: the
/// batch knows it ([`document_in`]), a stream learns it at the end.
pub fn entity_in<'a>(model: &'a Model, r: &'a EntityResult, lang: Lang) -> EntityOut<'a> {
    let exact = r.score();
    let nodes = NodeScores {
        nodes: &model.nodes,
        outcomes: &r.outcomes,
    };
    let root = &model.root().bands;
    let (band, band_label) = headline(model, root, exact, lang);
    EntityOut {
        id: &r.submission.entity,
        name: r.submission.name.as_deref(),
        score: exact.map(norm),
        band,
        band_label,
        rank: None,
        bands: band_ids(model, root, exact),
        node_bands: node_bands(model, r),
        nodes,
        instances: instances(model, &r.instances),
    }
}

/// The score an entity is ranked on: its score when the rubric ranks and
/// the entity is eligible (`rank when …` holds on its profile); `None`
/// otherwise. Ranks are competition ranks (1, 2, 2, 4) of these, highest
/// first, as in a batch.
pub fn ranked_score(model: &Model, r: &EntityResult) -> Option<rust_decimal::Decimal> {
    let cond = model.population.rank.as_ref()?;
    let eligible = cond
        .as_ref()
        .is_none_or(|c| crate::eval::holds(model, &r.submission.profile, c));
    r.score().filter(|_| eligible)
}

/// A located problem's output.
pub fn problem(r: &Rejection) -> ProblemOut {
    use miette::Diagnostic;
    ProblemOut {
        source: r.origin.to_string(),
        entity: r.entity.clone(),
        code: r.code().map(|c| c.to_string()).unwrap_or_default(),
        message: r.error.to_string(),
        pointer: r.pointer.clone(),
    }
}

/// The document for a batch, band labels in English.
pub fn document<'a>(model: &'a Model, batch: &'a Batch) -> EvalDocument<'a> {
    document_in(model, batch, Lang::En)
}

/// The document for a batch, band labels in `lang`.
pub fn document_in<'a>(model: &'a Model, batch: &'a Batch, lang: Lang) -> EvalDocument<'a> {
    let pop = batch.population.score.map(norm);
    EvalDocument {
        rubric: RubricInfo::new(model),
        entities: batch
            .results
            .iter()
            .zip(&batch.ranks)
            .map(|(r, rank)| EntityOut {
                rank: model.population.rank.as_ref().map(|_| *rank),
                ..entity_in(model, r, lang)
            })
            .collect(),
        aggregate: AggregateOut::new(model, pop, batch.population.entities, batch.rejected, lang),
        errors: batch.errors.iter().map(problem).collect(),
        warnings: batch.warnings.iter().map(problem).collect(),
        headlines: crate::eval::headline_population(model, &batch.results)
            .into_iter()
            .filter_map(|(h, v)| Some((model.nodes.get(h)?.id.as_str(), v.map(norm))))
            .collect(),
    }
}

/// The `--summary` document: the batch document without the entities,
/// with the first warnings and a count of every warning per code.
#[derive(Serialize)]
pub struct SummaryDocument<'a> {
    /// What produced the scores.
    pub rubric: RubricInfo<'a>,
    /// Population level.
    pub aggregate: AggregateOut<'a>,
    /// Rejected submissions' errors (and the population's).
    pub errors: Vec<ProblemOut>,
    /// The first warnings, in entity-id order.
    pub warnings: Vec<ProblemOut>,
    /// Every warning, counted per code.
    pub warning_counts: &'a std::collections::BTreeMap<String, usize>,
    /// `headline a, b`: each headline's population value, as in the
    /// document; left out without headlines.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub headlines: IndexMap<&'a str, Option<Num>>,
}

/// The summary document of a stream (or batch), band labels in English.
pub fn summary<'a>(model: &'a Model, s: &'a crate::eval::stream::Summary) -> SummaryDocument<'a> {
    summary_in(model, s, Lang::En)
}

/// The summary document of a stream (or batch), band labels in `lang`.
pub fn summary_in<'a>(
    model: &'a Model,
    s: &'a crate::eval::stream::Summary,
    lang: Lang,
) -> SummaryDocument<'a> {
    let pop = s.population.score.map(norm);
    SummaryDocument {
        rubric: RubricInfo::new(model),
        aggregate: AggregateOut::new(model, pop, s.population.entities, s.rejected, lang),
        errors: s.errors.iter().map(problem).collect(),
        warnings: s.warnings.iter().map(problem).collect(),
        warning_counts: &s.warning_counts,
        headlines: s
            .headlines
            .iter()
            .filter_map(|&(h, v)| Some((model.nodes.get(h)?.id.as_str(), v.map(norm))))
            .collect(),
    }
}

/// Pretty JSON text of a batch, with a final newline (band labels in
/// English).
pub fn to_string(model: &Model, batch: &Batch) -> String {
    to_string_in(model, batch, Lang::En)
}

/// Pretty JSON text of a batch, band labels in `lang`, with a final
/// newline.
pub fn to_string_in(model: &Model, batch: &Batch, lang: Lang) -> String {
    let mut s = serde_json::to_string_pretty(&document_in(model, batch, lang)).unwrap_or_default();
    s.push('\n');
    s
}
