//! `mizan diff`: what changed in meaning between two versions of a rubric,
//! and whose score moves.
//!
//! Nodes are matched by id (through the new version's `renamed OLD -> NEW`
//! declarations that the old version does not already declare: see
//! [`renames`]); literals are compared as values and formulas as their
//! source text without comments and with whitespace collapsed, so a change
//! of layout or of comments alone is no change.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::answers::{Origin, Rejection};
use crate::eval::Batch;
use crate::model::*;
use crate::Rubric;

/// One semantic change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What kind of change: `node added`, `option weight`, `formula`, …
    pub kind: &'static str,
    /// What it is about: a node id, `scale NAME`, `bands NAME`, …
    pub subject: String,
    /// Before (absent for additions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// After (absent for removals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// The semantic diff of two rubric versions.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// `id version sha256` of the old version.
    pub old: Provenance,
    /// Same for the new version.
    pub new: Provenance,
    /// Every change, in a stable order (rubric, scales and bands, profile,
    /// then nodes in the new version's order, then removed nodes).
    pub changes: Vec<Change>,
}

/// What identifies the rules a score came from.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// Rubric id.
    pub id: String,
    /// Version.
    pub version: String,
    /// sha256 of the rule source.
    pub sha256: String,
}

impl Provenance {
    /// Of a model.
    pub fn of(m: &Model) -> Self {
        Provenance {
            id: m.id.clone(),
            version: m.version.clone(),
            sha256: m.sha256.clone(),
        }
    }
}

/// The renames that lead from `old` to `new`: the new version's `renamed`
/// declarations, less those the old version declares too. A `renamed` line
/// records how a version differs from the one *before* it, and a copy of a
/// version keeps it: the old version already has the new ids, so applying
/// the rename again would pair a node with a different one (`diff X X`
/// would report changes).
pub fn renames<'m>(old: &Model, new: &'m Model) -> Vec<&'m (String, String)> {
    new.renamed.iter().filter(|r| !old.renamed.contains(r)).collect()
}

/// An expression as the diff shows it: its source text without comments,
/// whitespace runs collapsed to one space (none after `(`/`[` or before
/// `)`/`]`/`,`), strings untouched.
fn collapse(s: &str) -> String {
    crate::fmt::collapse_source(s, true)
}

/// Two expressions are the same when their tokens are: [`collapse`]d, then
/// without the spaces that do not separate two words (`a+b` is `a + b`).
fn same_expr(a: &str, b: &str) -> bool {
    fn key(s: &str) -> String {
        let c = collapse(s);
        let mut out = String::with_capacity(c.len());
        let mut in_string = false;
        let mut escaped = false;
        let chars: Vec<char> = c.chars().collect();
        for (i, &ch) in chars.iter().enumerate() {
            if in_string {
                match ch {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
            } else if ch == '"' {
                in_string = true;
            } else if ch == ' ' {
                let word =
                    |x: Option<&char>| x.is_some_and(|x| x.is_alphanumeric() || matches!(x, '_' | '.'));
                if !(word(i.checked_sub(1).and_then(|j| chars.get(j))) && word(chars.get(i + 1))) {
                    continue;
                }
            }
            out.push(ch);
        }
        out
    }
    a == b || key(a) == key(b)
}

fn labels(l: &Labels) -> String {
    l.iter()
        .map(|(k, v)| format!("{k} \"{v}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

fn weight(o: &OptionDef) -> String {
    match o.weight {
        Some(w) => dec(w),
        None if o.ignored => "ignore".into(),
        None => "n/a".into(),
    }
}

fn aggregation(n: &NodeDef) -> Option<String> {
    match &n.kind {
        NodeKind::Group(g) => Some(match &g.aggregate {
            Aggregate::Builtin(b) => {
                let mut s = format!("aggregate {}", b.name());
                if g.normalised {
                    s.push_str(" normalised");
                }
                if g.over == Over::Criteria {
                    s.push_str(" over criteria");
                }
                s
            }
            Aggregate::Formula(f) => format!("score {}", collapse(f.loc.snippet())),
        }),
        NodeKind::Criterion(c) => c
            .score
            .as_ref()
            .map(|f| format!("score {}", collapse(f.loc.snippet()))),
    }
}

fn answer_kind(c: &Criterion) -> String {
    match &c.answer {
        AnswerKind::Choice { scale, .. } => format!("choice {}", scale.as_deref().unwrap_or("{…}")),
        AnswerKind::Multi { scale, combine, .. } => {
            format!(
                "multi {} combine {}",
                scale.as_deref().unwrap_or("{…}"),
                combine.name()
            )
        }
        AnswerKind::Number { unit, min, max } => format!(
            "number{} {}..{}",
            unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default(),
            min.map(dec).unwrap_or_default(),
            max.map(dec).unwrap_or_default()
        ),
        AnswerKind::YesNo => "yesno".into(),
    }
}

fn field_ty(f: &FieldDef) -> String {
    match &f.ty {
        FieldTy::Enum(v) => format!("one of {}", v.join(", ")),
        FieldTy::Number => "number".into(),
        FieldTy::Bool => "bool".into(),
    }
}

/// Compares two versions.
pub fn diff(old: &Model, new: &Model) -> Diff {
    let mut ch: Vec<Change> = Vec::new();
    let mut push = |kind: &'static str, subject: String, before: Option<String>, after: Option<String>| {
        if before != after || before.is_none() || after.is_none() {
            ch.push(Change {
                kind,
                subject,
                before,
                after,
            });
        }
    };
    // Rubric.
    if old.title != new.title {
        push(
            "rubric title",
            new.id.clone(),
            Some(labels(&old.title)),
            Some(labels(&new.title)),
        );
    }
    // Scales.
    for (name, s) in &new.scales {
        match old.scales.get(name) {
            None => push(
                "scale added",
                format!("scale {name}"),
                None,
                Some(options_text(&s.options)),
            ),
            Some(o) => options_diff(&mut push, &format!("scale {name}"), &o.options, &s.options),
        }
    }
    for name in old.scales.keys().filter(|k| !new.scales.contains_key(*k)) {
        push("scale removed", format!("scale {name}"), Some(name.clone()), None);
    }
    // Bands.
    for (name, bands) in &new.band_sets {
        let olds = old.band_sets.get(name);
        for b in bands {
            let before = olds
                .and_then(|o| o.iter().find(|x| x.id == b.id))
                .map(|x| format!(">= {}", dec(x.min)));
            let after = Some(format!(">= {}", dec(b.min)));
            let kind = if before.is_none() {
                "band added"
            } else {
                "band threshold"
            };
            if before != after {
                push(kind, format!("bands {name}: {}", b.id), before, after);
            }
        }
        for b in olds
            .into_iter()
            .flatten()
            .filter(|x| !bands.iter().any(|y| y.id == x.id))
        {
            push(
                "band removed",
                format!("bands {name}: {}", b.id),
                Some(format!(">= {}", dec(b.min))),
                None,
            );
        }
    }
    for name in old.band_sets.keys().filter(|k| !new.band_sets.contains_key(*k)) {
        push("bands removed", format!("bands {name}"), Some(name.clone()), None);
    }
    // Profile fields (entity and instance).
    for (name, f) in &new.profile {
        match old.profile.get(name) {
            None => push("profile field added", name.clone(), None, Some(field_ty(f))),
            Some(o) => push(
                "profile field type",
                name.clone(),
                Some(field_ty(o)),
                Some(field_ty(f)),
            ),
        }
    }
    for (name, f) in old.profile.iter().filter(|(k, _)| !new.profile.contains_key(*k)) {
        push("profile field removed", name.clone(), Some(field_ty(f)), None);
    }
    // Named values.
    for l in &new.lets {
        let before = old
            .lets
            .iter()
            .find(|x| x.name == l.name)
            .map(|x| collapse(x.expr.loc.snippet()));
        let (before, after) = exprs(before, Some(collapse(l.expr.loc.snippet())));
        push("let", l.name.clone(), before, after);
    }
    // Nodes, matched by id through `renamed`.
    // The old id of a new node: its `renamed` source, or its own id unless
    // that id was renamed away (and is reused by a new node).
    let renamed = renames(old, new);
    let old_id_of = |new_id: &str| -> String {
        match renamed.iter().find(|(_, n)| n == new_id) {
            Some((o, _)) => o.clone(),
            None if renamed.iter().any(|(o, _)| o == new_id) => String::new(),
            None => new_id.to_string(),
        }
    };
    for (o, n) in renamed.iter().copied() {
        if old.by_id.contains_key(o) {
            push("node renamed", n.clone(), Some(o.clone()), Some(n.clone()));
        }
    }
    let parent_id = |m: &Model, n: &NodeDef| n.parent.and_then(|p| m.nodes.get(p)).map(|p| p.id.clone());
    let mapped_parent = |n: &NodeDef| -> Option<String> { parent_id(new, n).map(|p| old_id_of(&p)) };
    for (ix, n) in new.nodes.iter().enumerate() {
        if ix == 0 {
            if let Some(r) = old.nodes.first() {
                node_diff(&mut push, r, n, &new.id);
            }
            continue;
        }
        let oid = old_id_of(&n.id);
        let Some(o) = old.by_id.get(&oid).and_then(|&i| old.nodes.get(i)) else {
            let what = match &n.kind {
                NodeKind::Criterion(c) => answer_kind(c),
                NodeKind::Group(_) => "group".into(),
            };
            push(
                "node added",
                n.id.clone(),
                None,
                Some(format!(
                    "{} {} in {}: {what}",
                    n.level.as_deref().unwrap_or("node"),
                    labels(&n.title),
                    parent_id(new, n).unwrap_or_default()
                )),
            );
            continue;
        };
        if parent_id(old, o) != mapped_parent(n) {
            push("node moved", n.id.clone(), parent_id(old, o), parent_id(new, n));
        }
        node_diff(&mut push, o, n, &n.id);
    }
    let kept: Vec<String> = new.nodes.iter().map(|n| old_id_of(&n.id)).collect();
    for o in old.nodes.iter().skip(1).filter(|o| !kept.contains(&o.id)) {
        push("node removed", o.id.clone(), Some(labels(&o.title)), None);
    }
    // Population.
    let pop = |m: &Model| match &m.population.aggregate {
        PopAggregate::Builtin(b) => format!("aggregate {}", b.name()),
        PopAggregate::Formula(f) => format!("score {}", collapse(f.loc.snippet())),
    };
    let (before, after) = exprs(Some(pop(old)), Some(pop(new)));
    push("population", "population".into(), before, after);
    Diff {
        old: Provenance::of(old),
        new: Provenance::of(new),
        changes: ch,
    }
}

/// Before and after of an expression (or a rule that holds one): the same
/// text twice when they differ only in layout or comments.
fn exprs(before: Option<String>, after: Option<String>) -> (Option<String>, Option<String>) {
    match (&before, &after) {
        (Some(b), Some(a)) if same_expr(b, a) => (after.clone(), after),
        _ => (before, after),
    }
}

type Push<'a> = dyn FnMut(&'static str, String, Option<String>, Option<String>) + 'a;

fn options_text(opts: &[OptionDef]) -> String {
    opts.iter()
        .map(|o| format!("{} {}", o.id, weight(o)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn options_diff(push: &mut Push<'_>, subject: &str, old: &[OptionDef], new: &[OptionDef]) {
    for o in new {
        match old.iter().find(|x| x.id == o.id) {
            None => push(
                "option added",
                format!("{subject}: {}", o.id),
                None,
                Some(weight(o)),
            ),
            Some(x) => push(
                "option weight",
                format!("{subject}: {}", o.id),
                Some(weight(x)),
                Some(weight(o)),
            ),
        }
    }
    for x in old.iter().filter(|x| !new.iter().any(|o| o.id == x.id)) {
        push(
            "option removed",
            format!("{subject}: {}", x.id),
            Some(weight(x)),
            None,
        );
    }
}

fn band_uses(uses: &[BandUse]) -> String {
    if uses.is_empty() {
        return "none".into();
    }
    uses.iter()
        .map(|u| match u.on {
            None => u.set.clone(),
            Some(dp) => format!("{} on round(score, {dp})", u.set),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn node_diff(push: &mut Push<'_>, o: &NodeDef, n: &NodeDef, id: &str) {
    let s = || id.to_string();
    push("title", s(), Some(labels(&o.title)), Some(labels(&n.title)));
    push("weight", s(), Some(dec(o.weight)), Some(dec(n.weight)));
    let na = |d: &NodeDef| match &d.kind {
        NodeKind::Group(g) => format!("{:?}", g.na).to_lowercase(),
        NodeKind::Criterion(c) => if c.na_allowed { "allowed" } else { "forbidden" }.into(),
    };
    push("N/A policy", s(), Some(na(o)), Some(na(n)));
    push(
        "missing policy",
        s(),
        Some(format!("{:?}", o.missing).to_lowercase()),
        Some(format!("{:?}", n.missing).to_lowercase()),
    );
    let cond = |c: &Option<CExpr>| {
        c.as_ref()
            .map(|e| collapse(e.loc.snippet()))
            .unwrap_or_else(|| "always".into())
    };
    let (before, after) = exprs(Some(cond(&o.applies)), Some(cond(&n.applies)));
    push("applicability", s(), before, after);
    if o.requires.is_some() || n.requires.is_some() {
        let (before, after) = exprs(Some(cond(&o.requires)), Some(cond(&n.requires)));
        push("gate", s(), before, after);
    }
    push("bands", s(), Some(band_uses(&o.bands)), Some(band_uses(&n.bands)));
    let (before, after) = exprs(
        aggregation(o).or(Some("none".into())),
        aggregation(n).or(Some("none".into())),
    );
    push("formula", s(), before, after);
    match (&o.kind, &n.kind) {
        (NodeKind::Criterion(a), NodeKind::Criterion(b)) => {
            push("answer kind", s(), Some(answer_kind(a)), Some(answer_kind(b)));
            let inline = |c: &Criterion| {
                matches!(
                    &c.answer,
                    AnswerKind::Choice { scale: None, .. } | AnswerKind::Multi { scale: None, .. }
                )
            };
            if inline(a) || inline(b) {
                options_diff(push, id, a.answer.options(), b.answer.options());
            }
            let opt = |d: Option<Decimal>| d.map_or("none".into(), dec);
            push("baseline", s(), Some(opt(a.baseline)), Some(opt(b.baseline)));
            push(
                "target",
                s(),
                Some(opt(a.target.flatten())),
                Some(opt(b.target.flatten())),
            );
        }
        (NodeKind::Group(_), NodeKind::Group(_)) => {}
        _ => push(
            "node kind",
            s(),
            Some(
                if matches!(o.kind, NodeKind::Group(_)) {
                    "group"
                } else {
                    "criterion"
                }
                .into(),
            ),
            Some(
                if matches!(n.kind, NodeKind::Group(_)) {
                    "group"
                } else {
                    "criterion"
                }
                .into(),
            ),
        ),
    }
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
    /// Band before and after.
    pub band_before: Option<String>,
    /// Band after.
    pub band_after: Option<String>,
    /// Rank (1 = highest score) among the entities of the batch, before.
    pub rank_before: Option<usize>,
    /// Rank after.
    pub rank_after: Option<usize>,
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
    /// Population score before.
    pub population_before: Option<Decimal>,
    /// Population score after.
    pub population_after: Option<Decimal>,
    /// Every entity scored by either version, largest |delta| first.
    pub entities: Vec<EntityImpact>,
    /// Answer sets rejected by one version (or both).
    pub validity: Vec<Validity>,
}

/// Re-scores `inputs` (answer sets written for the old version) under both.
pub fn impact(old: &Rubric, new: &Rubric, inputs: &[(Origin, String)]) -> Impact {
    let (om, nm) = (old.model(), new.model());
    let renamed = renames(om, nm);
    let mut old_in = Vec::new();
    let mut new_in = Vec::new();
    for (origin, text) in inputs {
        old_in.push((origin.clone(), text.clone()));
        // An answer set for the old version moves to the new one: its
        // rubric and version, and its answers through the renames (all at
        // once, so that a swap `a -> b`, `b -> a` swaps). Any other answer
        // set goes to both versions as it is, and both judge it alike.
        // Parsed as the exact reader parses it; an answer set with a
        // repeated key is passed as written (both versions reject it).
        let moved = crate::answers::parse_json(origin, text)
            .ok()
            .filter(|j| j.duplicates.is_empty())
            .map(|j| j.value)
            .and_then(|mut v| {
                let o = v.as_object_mut()?;
                let names = |k: &str, want: &str| o.get(k).and_then(serde_json::Value::as_str) == Some(want);
                if !(names("rubric", &om.id) && names("version", &om.version)) {
                    return None;
                }
                o.insert("rubric".into(), nm.id.clone().into());
                o.insert("version".into(), nm.version.clone().into());
                if let Some(serde_json::Value::Object(a)) = o.get_mut("answers") {
                    let taken: Vec<(String, serde_json::Value)> = renamed
                        .iter()
                        .filter_map(|(from, to)| a.remove(from).map(|x| (to.clone(), x)))
                        .collect();
                    a.extend(taken);
                }
                Some(v.to_string())
            });
        new_in.push((origin.clone(), moved.unwrap_or_else(|| text.clone())));
    }
    let ob = old.evaluate_batch(old_in);
    let nb = new.evaluate_batch(new_in);
    let score = |b: &Batch, id: &str| {
        b.results
            .iter()
            .find(|r| r.submission.entity == id)
            .and_then(|r| r.score())
    };
    let ranks = |b: &Batch| -> Vec<(String, usize)> {
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
    let band =
        |m: &Model, s: Option<Decimal>| s.and_then(|s| m.band(&m.root().bands, s)).map(|b| b.id.clone());
    let mut ids: Vec<String> = ob
        .results
        .iter()
        .chain(&nb.results)
        .map(|r| r.submission.entity.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let mut entities: Vec<EntityImpact> = ids
        .iter()
        .map(|id| {
            let (b, a) = (score(&ob, id), score(&nb, id));
            EntityImpact {
                entity: id.clone(),
                before: b,
                after: a,
                delta: b.zip(a).map(|(b, a)| a - b),
                band_before: band(om, b),
                band_after: band(nm, a),
                rank_before: ro.iter().find(|(e, _)| e == id).map(|(_, r)| *r),
                rank_after: rn.iter().find(|(e, _)| e == id).map(|(_, r)| *r),
            }
        })
        .collect();
    entities.sort_by(|x, y| {
        let m = |e: &EntityImpact| e.delta.map(|d| d.abs());
        m(y).cmp(&m(x)).then_with(|| x.entity.cmp(&y.entity))
    });
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
    let (by_old, by_new) = (rejected(&ob), rejected(&nb));
    let mut validity = Vec::new();
    // Rejected by both versions for the same reasons: one entry (`both`),
    // not a difference between the versions.
    for (k, r) in &by_old {
        let both = by_new.contains(&(k.clone(), r.clone()));
        validity.push(Validity {
            entity: k.clone(),
            rejected_by: if both { "both" } else { "old" },
            reasons: r.clone(),
        });
    }
    for (k, r) in by_new.into_iter().filter(|x| !by_old.contains(x)) {
        validity.push(Validity {
            entity: k,
            rejected_by: "new",
            reasons: r,
        });
    }
    Impact {
        population_before: ob.population.score,
        population_after: nb.population.score,
        entities,
        validity,
    }
}
