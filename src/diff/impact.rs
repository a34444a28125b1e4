//! The score impact of a change: answer sets written for the old version,
//! re-scored under both.
//!
//! An answer set for the old version (its rubric id and version) is moved
//! to the new version as a reviewer means it, by rewriting its JSON before
//! the new version reads it (the new version's own reader and evaluator
//! score it; nothing is re-implemented here):
//!
//! - its `rubric` and `version` become the new version's;
//! - answers follow the renames (`renamed a -> b`), all at once, so that a
//!   swap swaps; so do the instance lists of renamed repeated nodes;
//! - answers to criteria the new version removed are dropped (counted per
//!   criterion, reported once);
//! - criteria the new version added get an answer by the [`NewCriteria`]
//!   policy (or are left unanswered, so that the criterion's own `missing`
//!   policy applies);
//! - an answer the old version accepts and the new one refuses (an option
//!   the new version removed, a kind or bounds that changed, N/A no longer
//!   allowed) is dropped and treated as a missing answer to a new
//!   criterion (same policy), counted per criterion and reason.
//!
//! So only an answer that both versions refuse rejects an answer set under
//! both; an answer set that only one version rejects is listed as such.

use std::collections::{BTreeMap, HashMap, HashSet};

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{old_id_of, renames, Provenance};
use crate::answers::{pointer_token, Origin, Rejection};
use crate::eval::{Batch, EntityResult};
use crate::model::*;
use crate::Rubric;

/// What criteria the new version added get in answer sets that could not
/// answer them (`--new-criteria`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NewCriteria {
    /// Each criterion's own `missing` policy (`worst`, `na`), as `mizan
    /// eval` applies it; `missing error`, which would reject every answer
    /// set written before the criterion existed, counts as `worst`.
    #[default]
    Missing,
    /// Not applicable.
    Na,
    /// The worst answer.
    Worst,
    /// The best answer.
    Best,
}

impl NewCriteria {
    /// Every policy with its name.
    pub const ALL: [(&'static str, NewCriteria); 4] = [
        ("missing", NewCriteria::Missing),
        ("na", NewCriteria::Na),
        ("worst", NewCriteria::Worst),
        ("best", NewCriteria::Best),
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            NewCriteria::Missing => "missing",
            NewCriteria::Na => "na",
            NewCriteria::Worst => "worst",
            NewCriteria::Best => "best",
        }
    }
}

/// An unknown `--new-criteria` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPolicy(pub String);

impl std::fmt::Display for UnknownPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown policy `{}` (expected missing, na, worst or best)",
            self.0
        )
    }
}

impl std::error::Error for UnknownPolicy {}

impl std::str::FromStr for NewCriteria {
    type Err = UnknownPolicy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NewCriteria::ALL
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, p)| *p)
            .ok_or_else(|| UnknownPolicy(s.to_string()))
    }
}

/// One node's score in both versions, for one entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeMove {
    /// Node id (in the new version).
    pub node: String,
    /// Score under the old version (`None`: N/A).
    pub before: Option<Decimal>,
    /// Score under the new version.
    pub after: Option<Decimal>,
    /// after − before, when both exist.
    pub delta: Option<Decimal>,
}

/// One entity's scores under both versions.
#[derive(Debug, Clone, Serialize)]
pub struct EntityImpact {
    /// Entity id.
    pub entity: String,
    /// Score under the old version (`None`: N/A).
    pub before: Option<Decimal>,
    /// Score under the new version.
    pub after: Option<Decimal>,
    /// after − before, when both exist.
    pub delta: Option<Decimal>,
    /// Band (id) before: the old version's headline band of the score.
    pub band_before: Option<String>,
    /// Band after.
    pub band_after: Option<String>,
    /// The labels of the band before (empty: none).
    #[serde(skip)]
    pub band_before_label: Labels,
    /// The labels of the band after.
    #[serde(skip)]
    pub band_after_label: Labels,
    /// Rank (1 = highest score) among the entities of the batch, before.
    pub rank_before: Option<usize>,
    /// Rank after.
    pub rank_after: Option<usize>,
    /// Every node (below the root, matched through the renames) whose
    /// score moved, in the new version's order.
    pub nodes: Vec<NodeMove>,
}

/// An entity and how much a score moved for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extreme {
    /// Entity id.
    pub entity: String,
    /// after − before.
    pub delta: Decimal,
}

/// One node's impact over the batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeImpact {
    /// Node id (in the new version).
    pub node: String,
    /// Its id in the old version, when renamed.
    pub renamed_from: Option<String>,
    /// Entities for which its score moved (N/A to a score or back counts).
    pub moved: usize,
    /// The largest rise, if any score rose.
    pub largest_rise: Option<Extreme>,
    /// The largest fall, if any score fell.
    pub largest_fall: Option<Extreme>,
}

/// The impact in a few numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Entities scored or rejected by either version.
    pub entities: usize,
    /// Entities whose score moved (N/A to a score or back counts).
    pub moved: usize,
    /// Entities whose band changed.
    pub band_changed: usize,
    /// Entities whose rank changed.
    pub rank_changed: usize,
    /// The largest rise of a score.
    pub largest_rise: Option<Extreme>,
    /// The largest fall of a score.
    pub largest_fall: Option<Extreme>,
}

/// Answers carried from one id to another by a rename.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Carried {
    /// Old id.
    pub from: String,
    /// New id.
    pub to: String,
    /// Answers (or instance lists, for a repeated node) carried.
    pub answers: usize,
}

/// Answers dropped because the new version has no such criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropped {
    /// The old version's criterion (or repeated node) id.
    pub criterion: String,
    /// Answers dropped (instance lists, for a repeated node).
    pub answers: usize,
}

/// A criterion the old answer sets could not answer as the new version
/// wants: how it was answered for the what-if.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supplied {
    /// The new version's criterion id.
    pub criterion: String,
    /// Why old answers lack it: `added` (a new criterion), or the new
    /// version's reason for refusing the old answer (`unknown option
    /// \`partial\` for \`q1\``).
    pub reason: String,
    /// The policy applied: `worst`, `best`, `na` (an answer written), or
    /// `missing` (left unanswered: the criterion's `missing` policy).
    pub policy: &'static str,
    /// The criterion's own `missing` policy: `error`, `worst` or `na`.
    pub missing: &'static str,
    /// The answer written, as JSON (`null`: left unanswered).
    pub answer: Option<Value>,
    /// Answer sets (or instances) concerned.
    pub answers: usize,
}

/// How the old answer sets were moved to the new version.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Moves {
    /// Answer sets written for the old version (moved).
    pub answer_sets: usize,
    /// Renames applied.
    pub renamed: Vec<Carried>,
    /// Answers to removed criteria, dropped.
    pub removed: Vec<Dropped>,
    /// Answers supplied for added criteria and refused answers.
    pub supplied: Vec<Supplied>,
}

/// An answer set valid under one version only, or under neither.
#[derive(Debug, Clone, Serialize)]
pub struct Validity {
    /// Entity id, or the source when unknown.
    pub entity: String,
    /// `old` or `new`: the version that rejects it; `both` when both
    /// versions reject it for the same reasons.
    pub rejected_by: &'static str,
    /// Codes and messages.
    pub reasons: Vec<String>,
}

/// Score impact of a change over a set of answer sets.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    /// The old version.
    pub old: Provenance,
    /// The new version.
    pub new: Provenance,
    /// The policy for criteria old answer sets could not answer.
    pub new_criteria: NewCriteria,
    /// How the answers moved.
    pub moves: Moves,
    /// Population score before.
    pub population_before: Option<Decimal>,
    /// Population score after.
    pub population_after: Option<Decimal>,
    /// The impact in a few numbers.
    pub summary: Summary,
    /// Every node whose score moved for some entity, in the new version's
    /// order.
    pub nodes: Vec<NodeImpact>,
    /// Every entity scored by either version, largest |delta| first.
    pub entities: Vec<EntityImpact>,
    /// Answer sets rejected by one version (or both).
    pub validity: Vec<Validity>,
}

/// The answer a policy gives a criterion, when it can be written.
fn answer_for(c: &Criterion, policy: NewCriteria) -> Option<Value> {
    let opts = c.answer.options();
    let weighted = || opts.iter().filter_map(|o| Some((o, o.weight?)));
    let num = |d: Decimal| {
        d.normalize()
            .to_string()
            .parse::<serde_json::Number>()
            .ok()
            .map(Value::Number)
    };
    let in_bounds = |d: Decimal, min: &Option<Decimal>, max: &Option<Decimal>| {
        min.is_none_or(|m| d >= m) && max.is_none_or(|m| d <= m)
    };
    match policy {
        NewCriteria::Missing => None,
        NewCriteria::Na => {
            if !c.na_allowed {
                return None;
            }
            match &c.answer {
                AnswerKind::Choice { .. } | AnswerKind::Multi { .. } => opts
                    .iter()
                    .find(|o| o.is_na())
                    .map(|o| Value::String(o.id.clone())),
                AnswerKind::Number { .. } | AnswerKind::YesNo => Some(Value::String("na".into())),
            }
        }
        NewCriteria::Worst | NewCriteria::Best => {
            let best = policy == NewCriteria::Best;
            match &c.answer {
                AnswerKind::Choice { .. } => {
                    // The first option of the lowest (highest) weight.
                    let mut pick: Option<(&OptionDef, Decimal)> = None;
                    for (o, w) in weighted() {
                        if pick.is_none_or(|(_, p)| if best { w > p } else { w < p }) {
                            pick = Some((o, w));
                        }
                    }
                    pick.map(|(o, _)| Value::String(o.id.clone()))
                }
                AnswerKind::Multi { combine, .. } => {
                    if !best {
                        return Some(Value::Array(Vec::new()));
                    }
                    let ids: Vec<Value> = match combine {
                        Combine::Sum | Combine::SumCapped => weighted()
                            .filter(|(_, w)| *w > Decimal::ZERO)
                            .map(|(o, _)| Value::String(o.id.clone()))
                            .collect(),
                        Combine::Max | Combine::Min | Combine::Mean => {
                            let mut pick: Option<(&OptionDef, Decimal)> = None;
                            for (o, w) in weighted() {
                                if pick.is_none_or(|(_, p)| w > p) {
                                    pick = Some((o, w));
                                }
                            }
                            pick.map(|(o, _)| Value::String(o.id.clone()))
                                .into_iter()
                                .collect()
                        }
                    };
                    (!ids.is_empty()).then_some(Value::Array(ids))
                }
                AnswerKind::YesNo => Some(Value::String(if best { "yes" } else { "no" }.into())),
                AnswerKind::Number { min, max, .. } => {
                    let d = if c.score.is_none() {
                        // The number is the score: 0 or 1, within the bounds.
                        if best {
                            max.map_or(Decimal::ONE, |m| m.min(Decimal::ONE))
                        } else {
                            min.map_or(Decimal::ZERO, |m| m.max(Decimal::ZERO))
                        }
                    } else {
                        // A formula scores it: the bound its direction
                        // makes worst (best).
                        let lower = c.direction == Some(Direction::Lower);
                        let low_end = best == lower;
                        if low_end {
                            (*min)?
                        } else {
                            (*max)?
                        }
                    };
                    if in_bounds(d, min, max) {
                        num(d)
                    } else {
                        None
                    }
                }
            }
        }
    }
}

fn missing_name(m: MissingPolicy) -> &'static str {
    match m {
        MissingPolicy::Error => "error",
        MissingPolicy::Worst => "worst",
        MissingPolicy::Na => "na",
    }
}

/// What a criterion old answers cannot answer gets: the policy applied and
/// the answer to write (`None`: leave it unanswered).
fn fill(node: &NodeDef, c: &Criterion, policy: NewCriteria) -> (&'static str, Option<Value>) {
    let own = node.missing;
    let want = match (policy, own) {
        (NewCriteria::Missing, MissingPolicy::Na) => NewCriteria::Na,
        (NewCriteria::Missing, _) => NewCriteria::Worst,
        (p, _) => p,
    };
    // The criterion's own policy says the same: leave the answer out and
    // let the evaluator apply it (exact, formulas included).
    match (want, own) {
        (NewCriteria::Worst, MissingPolicy::Worst) => return ("worst", None),
        (NewCriteria::Na, MissingPolicy::Na) => return ("na", None),
        _ => {}
    }
    if let Some(v) = answer_for(c, want) {
        return (want.name(), Some(v));
    }
    // The policy cannot be written as an answer (N/A forbidden, a number
    // without bounds): the criterion's own policy, unless it rejects.
    match own {
        MissingPolicy::Worst => ("worst", None),
        MissingPolicy::Na => ("na", None),
        MissingPolicy::Error => match answer_for(c, NewCriteria::Worst) {
            Some(v) => ("worst", Some(v)),
            None => ("missing", None),
        },
    }
}

/// Moves answer sets from the old version to the new one.
struct Mover<'a> {
    om: &'a Model,
    nm: &'a Model,
    renamed: Vec<&'a (String, String)>,
    policy: NewCriteria,
    /// New criteria with no old counterpart, by scope (new node index).
    added: HashMap<NodeIx, Vec<NodeIx>>,
    moves: Moves,
    /// Counts by key, in first-seen order.
    carried: BTreeMap<(String, String), usize>,
    removed: BTreeMap<String, usize>,
    supplied: BTreeMap<(NodeIx, String), (&'static str, Option<Value>, usize)>,
}

impl<'a> Mover<'a> {
    fn new(om: &'a Model, nm: &'a Model, policy: NewCriteria) -> Self {
        let renamed = renames(om, nm);
        let mut added: HashMap<NodeIx, Vec<NodeIx>> = HashMap::new();
        for (ix, n) in nm.nodes.iter().enumerate() {
            if !matches!(n.kind, NodeKind::Criterion(_)) {
                continue;
            }
            let known = old_id_of(&renamed, &n.id)
                .and_then(|o| om.by_id.get(o))
                .and_then(|&i| om.nodes.get(i))
                .is_some_and(|o| matches!(o.kind, NodeKind::Criterion(_)));
            if !known {
                added.entry(n.scope).or_default().push(ix);
            }
        }
        Mover {
            om,
            nm,
            renamed,
            policy,
            added,
            moves: Moves::default(),
            carried: BTreeMap::new(),
            removed: BTreeMap::new(),
            supplied: BTreeMap::new(),
        }
    }

    /// Renames the keys of `obj` all at once.
    fn rename_keys(&mut self, obj: &mut Map<String, Value>) {
        let taken: Vec<(String, String, Value)> = self
            .renamed
            .iter()
            .filter_map(|(from, to)| obj.remove(from).map(|x| (from.clone(), to.clone(), x)))
            .collect();
        for (from, to, x) in taken {
            *self.carried.entry((from, to.clone())).or_default() += 1;
            obj.insert(to, x);
        }
    }

    /// Whether `id` (a key of the new version's answers) was a criterion
    /// (or a repeated node, `repeated`) of the old version.
    fn old_has(&self, new_key: &str, repeated: bool) -> Option<String> {
        let oid = self
            .renamed
            .iter()
            .find(|(_, n)| n == new_key)
            .map_or(new_key, |(o, _)| o.as_str());
        let n = self.om.by_id.get(oid).and_then(|&i| self.om.nodes.get(i))?;
        let ok = if repeated {
            n.repeat.is_some()
        } else {
            matches!(n.kind, NodeKind::Criterion(_))
        };
        ok.then(|| oid.to_string())
    }

    /// Writes the policy's answer to criterion `ix` into `answers`.
    fn supply(&mut self, answers: &mut Map<String, Value>, ix: NodeIx, reason: String) {
        let Some(n) = self.nm.nodes.get(ix) else { return };
        let NodeKind::Criterion(c) = &n.kind else { return };
        let (policy, answer) = fill(n, c, self.policy);
        if let Some(v) = &answer {
            answers.insert(n.id.clone(), v.clone());
        }
        self.supplied.entry((ix, reason)).or_insert((policy, answer, 0)).2 += 1;
    }

    /// Moves one scope: the entity (`scope` 0) or an instance of a
    /// repeated node.
    fn scope(&mut self, obj: &mut Map<String, Value>, scope: NodeIx) {
        if !obj.contains_key("answers") && self.added.contains_key(&scope) {
            obj.insert("answers".into(), Value::Object(Map::new()));
        }
        if let Some(Value::Object(a)) = obj.get_mut("answers") {
            self.rename_keys(a);
            let gone: Vec<String> = a
                .keys()
                .filter(|k| {
                    let here = self
                        .nm
                        .by_id
                        .get(k.as_str())
                        .and_then(|&i| self.nm.nodes.get(i))
                        .is_some_and(|n| matches!(n.kind, NodeKind::Criterion(_)) && n.scope == scope);
                    !here
                })
                .cloned()
                .collect();
            for k in gone {
                if let Some(oid) = self.old_has(&k, false) {
                    a.remove(&k);
                    *self.removed.entry(oid).or_default() += 1;
                }
            }
            for ix in self.added.get(&scope).cloned().unwrap_or_default() {
                let present = self.nm.nodes.get(ix).is_some_and(|n| a.contains_key(&n.id));
                if !present {
                    self.supply(a, ix, "added".into());
                }
            }
        }
        if let Some(Value::Object(sets)) = obj.get_mut("instances") {
            self.rename_keys(sets);
            let keys: Vec<String> = sets.keys().cloned().collect();
            for k in keys {
                let r = self
                    .nm
                    .by_id
                    .get(&k)
                    .copied()
                    .filter(|&i| self.nm.nodes.get(i).is_some_and(|n| n.repeat.is_some()));
                match r {
                    Some(r) => {
                        if let Some(Value::Array(items)) = sets.get_mut(&k) {
                            for it in items.iter_mut() {
                                if let Value::Object(o) = it {
                                    self.scope(o, r);
                                }
                            }
                        }
                    }
                    None => {
                        if let Some(oid) = self.old_has(&k, true) {
                            sets.remove(&k);
                            *self.removed.entry(oid).or_default() += 1;
                        }
                    }
                }
            }
        }
    }

    /// The old version's JSON pointer of a pointer into the moved answer
    /// set (ids after `answers` and `instances` renamed back).
    fn old_pointer(&self, pointer: &str) -> String {
        let mut out = String::new();
        let mut prev = "";
        for tok in pointer.split('/').skip(1) {
            let mapped = if prev == "answers" || prev == "instances" {
                self.renamed
                    .iter()
                    .find(|(_, n)| pointer_token(n) == tok)
                    .map_or(tok.to_string(), |(o, _)| pointer_token(o))
            } else {
                tok.to_string()
            };
            out.push('/');
            out.push_str(&mapped);
            prev = tok;
        }
        out
    }

    /// Drops the answers the new version refuses and the old one accepts
    /// (`old_errors`: the pointers the old version refuses), and supplies
    /// the policy's answer instead. `true` when something changed.
    fn refused(&mut self, v: &mut Value, new_errors: &[Rejection], old_errors: &HashSet<String>) -> bool {
        use miette::Diagnostic;
        // (pointer of the answers object, criterion key, item index, reason)
        let mut drops: Vec<(String, String, Option<usize>, String)> = Vec::new();
        for e in new_errors {
            let code = e.code().map(|c| c.to_string()).unwrap_or_default();
            if !matches!(code.as_str(), "M0406" | "M0407" | "M0408" | "M0409" | "M0416") {
                continue;
            }
            let Some(at) = e.pointer.rfind("/answers/") else {
                continue;
            };
            let (base, rest) = e.pointer.split_at(at);
            let rest = rest.get("/answers/".len()..).unwrap_or_default();
            let (key, item) = match rest.split_once('/') {
                Some((k, i)) => (k, i.parse::<usize>().ok()),
                None => (rest, None),
            };
            let answer_ptr = format!("{base}/answers/{key}");
            let old = self.old_pointer(&answer_ptr);
            let old_refuses = old_errors
                .iter()
                .any(|p| *p == old || p.strip_prefix(&old).is_some_and(|r| r.starts_with('/')));
            if old_refuses {
                continue;
            }
            let key = key.replace("~1", "/").replace("~0", "~");
            drops.push((
                format!("{base}/answers"),
                key,
                item,
                format!("{code}: {}", e.error),
            ));
        }
        if drops.is_empty() {
            return false;
        }
        // Items of a list first, from the last, then whole answers.
        drops.sort_by(|a, b| (&a.0, &a.1, b.2).cmp(&(&b.0, &b.1, a.2)));
        drops.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
        let mut changed = false;
        for (obj_ptr, key, item, reason) in drops {
            let Some(ix) = self.nm.by_id.get(&key).copied() else {
                continue;
            };
            let Some(Value::Object(a)) = v.pointer_mut(&obj_ptr) else {
                continue;
            };
            let whole = match (item, a.get_mut(&key)) {
                (Some(i), Some(Value::Array(items))) if i < items.len() => {
                    items.remove(i);
                    items.is_empty()
                }
                (_, Some(_)) => true,
                (_, None) => false,
            };
            if whole {
                a.remove(&key);
                self.supply(a, ix, reason);
                changed = true;
            }
        }
        changed
    }

    /// The moved answer set (`None`: not written for the old version, or
    /// not JSON this reader can move).
    fn answer_set(
        &mut self,
        new: &Rubric,
        origin: &Origin,
        text: &str,
        old_errors: &HashSet<String>,
    ) -> Option<String> {
        let json = crate::answers::parse_json(origin, text).ok()?;
        if !json.duplicates.is_empty() {
            return None;
        }
        let mut v = json.value;
        {
            let o = v.as_object_mut()?;
            let names = |k: &str, want: &str| o.get(k).and_then(Value::as_str) == Some(want);
            if !(names("rubric", &self.om.id) && names("version", &self.om.version)) {
                return None;
            }
            o.insert("rubric".into(), self.nm.id.clone().into());
            o.insert("version".into(), self.nm.version.clone().into());
            self.scope(o, 0);
        }
        self.moves.answer_sets += 1;
        // The new version's reader says which answers it refuses.
        for _ in 0..2 {
            let text = v.to_string();
            let Err(errs) = crate::answers::read(new.plan(), origin.clone(), &text) else {
                break;
            };
            if !self.refused(&mut v, &errs, old_errors) {
                break;
            }
        }
        Some(v.to_string())
    }

    fn finish(self) -> Moves {
        let mut m = self.moves;
        let nm = self.nm;
        m.renamed = self
            .carried
            .into_iter()
            .map(|((from, to), answers)| Carried { from, to, answers })
            .collect();
        m.removed = self
            .removed
            .into_iter()
            .map(|(criterion, answers)| Dropped { criterion, answers })
            .collect();
        m.supplied = self
            .supplied
            .into_iter()
            .filter_map(|((ix, reason), (policy, answer, answers))| {
                let n = nm.nodes.get(ix)?;
                Some(Supplied {
                    criterion: n.id.clone(),
                    reason,
                    policy,
                    missing: missing_name(n.missing),
                    answer,
                    answers,
                })
            })
            .collect();
        m
    }
}

/// Re-scores `inputs` (answer sets written for the old version) under both,
/// criteria the new version added following their own `missing` policy.
pub fn impact(old: &Rubric, new: &Rubric, inputs: &[(Origin, String)]) -> Impact {
    impact_with(old, new, inputs, NewCriteria::Missing)
}

/// [`impact`] with a policy for the criteria old answer sets cannot answer.
pub fn impact_with(old: &Rubric, new: &Rubric, inputs: &[(Origin, String)], policy: NewCriteria) -> Impact {
    let (om, nm) = (old.model(), new.model());
    let mut mover = Mover::new(om, nm, policy);
    let mut old_in = Vec::new();
    let mut new_in = Vec::new();
    for (origin, text) in inputs {
        old_in.push((origin.clone(), text.clone()));
        // What the old version refuses in it (pointers).
        let old_errors: HashSet<String> = match crate::answers::read(old.plan(), origin.clone(), text) {
            Ok(_) => HashSet::new(),
            Err(errs) => errs.into_iter().map(|e| e.pointer).collect(),
        };
        let moved = mover.answer_set(new, origin, text, &old_errors);
        new_in.push((origin.clone(), moved.unwrap_or_else(|| text.clone())));
    }
    let moves = mover.finish();
    let ob = old.evaluate_batch(old_in);
    let nb = new.evaluate_batch(new_in);
    fn by_id(b: &Batch) -> HashMap<String, &EntityResult> {
        b.results
            .iter()
            .map(|r| (r.submission.entity.clone(), r))
            .collect()
    }
    let (ro_by, rn_by) = (by_id(&ob), by_id(&nb));
    let ranks = |b: &Batch| -> HashMap<String, usize> {
        let mut s: Vec<Decimal> = b.results.iter().filter_map(|r| r.score()).collect();
        s.sort_unstable_by(|a, b| b.cmp(a));
        b.results
            .iter()
            .filter_map(|r| {
                r.score()
                    .map(|x| (r.submission.entity.clone(), 1 + s.partition_point(|o| *o > x)))
            })
            .collect()
    };
    let (ro, rn) = (ranks(&ob), ranks(&nb));
    let band = |m: &'_ Model, s: Option<Decimal>| s.and_then(|s| m.band(&m.root().bands, s)).cloned();
    // Nodes matched through the renames: (new index, old index).
    let renamed = renames(om, nm);
    let pairs: Vec<(NodeIx, NodeIx)> = nm
        .nodes
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(ix, n)| {
            let oid = old_id_of(&renamed, &n.id)?;
            Some((ix, *om.by_id.get(oid)?))
        })
        .collect();
    let mut ids: Vec<String> = ob
        .results
        .iter()
        .chain(&nb.results)
        .map(|r| r.submission.entity.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let score_of =
        |r: Option<&&EntityResult>, ix: NodeIx| r.and_then(|r| r.outcomes.get(ix)).and_then(|o| o.score());
    let mut entities: Vec<EntityImpact> = ids
        .iter()
        .map(|id| {
            let (ro_r, rn_r) = (ro_by.get(id), rn_by.get(id));
            let (b, a) = (ro_r.and_then(|r| r.score()), rn_r.and_then(|r| r.score()));
            let nodes = match (ro_r, rn_r) {
                (Some(_), Some(_)) => pairs
                    .iter()
                    .filter_map(|&(nix, oix)| {
                        let (before, after) = (score_of(ro_r, oix), score_of(rn_r, nix));
                        (before != after).then(|| NodeMove {
                            node: nm.nodes.get(nix).map(|n| n.id.clone()).unwrap_or_default(),
                            before,
                            after,
                            delta: before.zip(after).map(|(b, a)| a - b),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let (bb, ba) = (band(om, b), band(nm, a));
            EntityImpact {
                entity: id.clone(),
                before: b,
                after: a,
                delta: b.zip(a).map(|(b, a)| a - b),
                band_before: bb.as_ref().map(|x| x.id.clone()),
                band_after: ba.as_ref().map(|x| x.id.clone()),
                band_before_label: bb.map(|x| x.label).unwrap_or_default(),
                band_after_label: ba.map(|x| x.label).unwrap_or_default(),
                rank_before: ro.get(id).copied(),
                rank_after: rn.get(id).copied(),
                nodes,
            }
        })
        .collect();
    entities.sort_by(|x, y| {
        let m = |e: &EntityImpact| e.delta.map(|d| d.abs());
        m(y).cmp(&m(x)).then_with(|| x.entity.cmp(&y.entity))
    });
    let nodes = node_impacts(nm, &renamed, &pairs, &entities);
    let summary = summarise(&entities);
    let validity = validity(&ob, &nb);
    Impact {
        old: Provenance::of(om),
        new: Provenance::of(nm),
        new_criteria: policy,
        moves,
        population_before: ob.population.score,
        population_after: nb.population.score,
        summary,
        nodes,
        entities,
        validity,
    }
}

/// Keeps the larger rise (`rise`) or fall of two.
fn extreme(cur: &mut Option<Extreme>, entity: &str, d: Decimal, rise: bool) {
    let wins = if rise {
        d > Decimal::ZERO && cur.as_ref().is_none_or(|c| d > c.delta)
    } else {
        d < Decimal::ZERO && cur.as_ref().is_none_or(|c| d < c.delta)
    };
    if wins {
        *cur = Some(Extreme {
            entity: entity.to_string(),
            delta: d,
        });
    }
}

fn node_impacts(
    nm: &Model,
    renamed: &[&(String, String)],
    pairs: &[(NodeIx, NodeIx)],
    entities: &[EntityImpact],
) -> Vec<NodeImpact> {
    // Entities are visited by id, so that ties go to the first id.
    let mut by_id: Vec<&EntityImpact> = entities.iter().collect();
    by_id.sort_by(|a, b| a.entity.cmp(&b.entity));
    pairs
        .iter()
        .filter_map(|&(nix, _)| {
            let n = nm.nodes.get(nix)?;
            let mut ni = NodeImpact {
                node: n.id.clone(),
                renamed_from: renamed
                    .iter()
                    .find(|(_, to)| *to == n.id)
                    .map(|(from, _)| from.clone()),
                moved: 0,
                largest_rise: None,
                largest_fall: None,
            };
            for e in &by_id {
                if let Some(m) = e.nodes.iter().find(|m| m.node == n.id) {
                    ni.moved += 1;
                    if let Some(d) = m.delta {
                        extreme(&mut ni.largest_rise, &e.entity, d, true);
                        extreme(&mut ni.largest_fall, &e.entity, d, false);
                    }
                }
            }
            (ni.moved > 0).then_some(ni)
        })
        .collect()
}

fn summarise(entities: &[EntityImpact]) -> Summary {
    let mut by_id: Vec<&EntityImpact> = entities.iter().collect();
    by_id.sort_by(|a, b| a.entity.cmp(&b.entity));
    let mut s = Summary {
        entities: entities.len(),
        moved: 0,
        band_changed: 0,
        rank_changed: 0,
        largest_rise: None,
        largest_fall: None,
    };
    for e in by_id {
        s.moved += usize::from(e.before != e.after);
        s.band_changed += usize::from(e.band_before != e.band_after);
        s.rank_changed += usize::from(e.rank_before != e.rank_after);
        if let Some(d) = e.delta {
            extreme(&mut s.largest_rise, &e.entity, d, true);
            extreme(&mut s.largest_fall, &e.entity, d, false);
        }
    }
    s
}

fn validity(ob: &Batch, nb: &Batch) -> Vec<Validity> {
    let reasons = |errs: &[&Rejection]| -> Vec<String> {
        use miette::Diagnostic;
        errs.iter()
            .map(|e| {
                format!(
                    "{}: {} (at {})",
                    e.code().map(|c| c.to_string()).unwrap_or_default(),
                    e.error,
                    e.pointer
                )
            })
            .collect()
    };
    let rejected = |batch: &Batch| -> Vec<(String, Vec<String>)> {
        let mut keys: Vec<String> = batch
            .errors
            .iter()
            .map(|e| e.entity.clone().unwrap_or_else(|| e.origin.to_string()))
            .collect();
        keys.dedup();
        keys.into_iter()
            .map(|k| {
                let errs: Vec<&Rejection> = batch
                    .errors
                    .iter()
                    .filter(|e| e.entity.clone().unwrap_or_else(|| e.origin.to_string()) == k)
                    .collect();
                (k, reasons(&errs))
            })
            .collect()
    };
    let (by_old, by_new) = (rejected(ob), rejected(nb));
    let mut out = Vec::new();
    // Rejected by both versions for the same reasons: one entry (`both`),
    // not a difference between the versions.
    for (k, r) in &by_old {
        let both = by_new.contains(&(k.clone(), r.clone()));
        out.push(Validity {
            entity: k.clone(),
            rejected_by: if both { "both" } else { "old" },
            reasons: r.clone(),
        });
    }
    for (k, r) in by_new.into_iter().filter(|x| !by_old.contains(x)) {
        out.push(Validity {
            entity: k,
            rejected_by: "new",
            reasons: r,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(text: &str) -> Rubric {
        let (r, d) = crate::load("t.mizan", text);
        r.unwrap_or_else(|| panic!("{d:?}"))
    }

    #[test]
    fn policies_parse_by_name() {
        assert_eq!("worst".parse::<NewCriteria>(), Ok(NewCriteria::Worst));
        assert!("wurst".parse::<NewCriteria>().is_err());
        assert_eq!(NewCriteria::default(), NewCriteria::Missing);
    }

    /// Removed, added and renamed criteria, a removed option, each policy.
    #[test]
    fn answers_move_as_a_reviewer_means_it() {
        let old = rubric(
            "rubric t {\n  version \"1\"\n  criterion a { choice { y 1  p 0.5  n 0 } }\n  criterion b { choice { y 1  n 0 } }\n  criterion c { choice { y 1  n 0 } }\n}\n",
        );
        let new = rubric(
            "rubric t {\n  version \"2\"\n  renamed b -> b2\n  criterion a { choice { y 1  n 0 } }\n  criterion b2 { choice { y 1  n 0 } }\n  criterion d { choice { y 1  h 0.5  n 0  na n/a } }\n}\n",
        );
        let set = r#"{"rubric": "t", "version": "1", "entity": {"id": "e"}, "answers": {"a": "p", "b": "y", "c": "y"}}"#;
        let origin = Origin {
            file: "e.json".into(),
            line: None,
        };
        let run = |p| impact_with(&old, &new, &[(origin.clone(), set.to_string())], p);
        // Before: (0.5 + 1 + 1) / 3.
        // missing (rubric: error) = worst: a refused (p removed) -> n 0,
        // b2 = 1, d added -> n 0: 1/3.
        let i = run(NewCriteria::Missing);
        assert!(i.validity.is_empty(), "{:?}", i.validity);
        let e = &i.entities[0];
        assert_eq!(e.before, Some(Decimal::new(25, 1) / Decimal::from(3)));
        assert_eq!(e.after, Some(Decimal::ONE / Decimal::from(3)));
        assert_eq!(i.moves.answer_sets, 1);
        assert_eq!(
            i.moves.removed,
            [Dropped {
                criterion: "c".into(),
                answers: 1
            }]
        );
        assert_eq!(i.moves.renamed.len(), 1);
        let sup: Vec<(&str, &str, &str)> = i
            .moves
            .supplied
            .iter()
            .map(|s| (s.criterion.as_str(), s.reason.as_str(), s.policy))
            .collect();
        assert_eq!(
            sup,
            [
                ("a", "M0406: unknown option `p` for `a`", "worst"),
                ("d", "added", "worst")
            ]
        );
        // best: a -> y, d -> y: 3/3.
        assert_eq!(run(NewCriteria::Best).entities[0].after, Some(Decimal::ONE));
        // na: a cannot be N/A (no N/A option): its own policy, error, so
        // worst; d is N/A: (0 + 1) / 2.
        let na = run(NewCriteria::Na);
        assert_eq!(na.entities[0].after, Some(Decimal::new(5, 1)));
        assert_eq!(na.moves.supplied[0].policy, "worst");
        assert_eq!(na.moves.supplied[1].policy, "na");
    }
}
