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

use crate::model::*;

mod impact;

pub use impact::*;

/// Whether a change can move a score (or a band, a rank, an answer set's
/// validity), or only changes what a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Weights, formulas, policies, options, thresholds, structure: scores
    /// may move.
    Meaning,
    /// Titles, descriptions and labels (of the rubric, nodes, options,
    /// scales, bands, levels, profile fields): no score can move.
    Wording,
}

impl Class {
    /// `meaning` or `wording`.
    pub fn name(self) -> &'static str {
        match self {
            Class::Meaning => "meaning",
            Class::Wording => "wording",
        }
    }
}

/// The kinds of change that are wording: text a person reads and nothing
/// else.
pub const WORDING: [&str; 10] = [
    "rubric title",
    "rubric description",
    "title",
    "description",
    "option label",
    "scale label",
    "band label",
    "level label",
    "profile field label",
    "profile value label",
];

/// A node added or removed, as a reviewer needs to recognise it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeInfo {
    /// `criterion` or `group`.
    pub kind: &'static str,
    /// Its level name (`initiative`, `criterion`, …), when it has one.
    pub level: Option<String>,
    /// The level's labels (empty when the level declares none).
    pub level_label: Labels,
    /// Its titles.
    pub title: Labels,
    /// Its parent's id (in the version it belongs to); `None` under the root.
    pub parent: Option<String>,
}

/// One semantic change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What kind of change: `node added`, `option weight`, `formula`, …
    pub kind: &'static str,
    /// `meaning` (a score may move) or `wording` (titles, labels).
    pub class: Class,
    /// What it is about: a node id, `scale NAME`, `bands NAME`, …
    pub subject: String,
    /// Before (absent for additions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// After (absent for removals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The node added or removed (`node added`, `node removed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeInfo>,
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

impl Diff {
    /// The number of changes of `class`.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }
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
        AnswerKind::Number {
            unit,
            min,
            max,
            codes,
        } => format!(
            "number{} {}..{}{}",
            unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default(),
            min.map(dec).unwrap_or_default(),
            max.map(dec).unwrap_or_default(),
            if codes.is_empty() {
                String::new()
            } else {
                let c: Vec<String> = codes
                    .iter()
                    .map(|c| {
                        let l: Vec<String> = c.label.iter().map(|(k, v)| format!(" {k} {v:?}")).collect();
                        format!("{} {}{}", c.id, c.means.written(), l.join(""))
                    })
                    .collect();
                format!(" codes {{ {} }}", c.join("  "))
            }
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

/// The changes found so far.
struct Changes(Vec<Change>);

impl Changes {
    /// Records a change when `before` and `after` differ (or one is absent).
    fn push(&mut self, kind: &'static str, subject: String, before: Option<String>, after: Option<String>) {
        if before != after || before.is_none() || after.is_none() {
            let class = if WORDING.contains(&kind) {
                Class::Wording
            } else {
                Class::Meaning
            };
            self.0.push(Change {
                kind,
                class,
                subject,
                before,
                after,
                node: None,
            });
        }
    }

    /// Records a label change (wording) when the labels differ.
    fn labels(&mut self, kind: &'static str, subject: String, before: &Labels, after: &Labels) {
        if before != after {
            self.push(kind, subject, Some(labels_text(before)), Some(labels_text(after)));
        }
    }
}

/// A node as a change shows it.
fn node_info(m: &Model, n: &NodeDef) -> NodeInfo {
    NodeInfo {
        kind: match n.kind {
            NodeKind::Criterion(_) => "criterion",
            NodeKind::Group(_) => "group",
        },
        level: n.level.clone(),
        level_label: n
            .level
            .as_ref()
            .and_then(|l| m.levels.iter().find(|x| x.name == *l))
            .map(|l| l.label.clone())
            .unwrap_or_default(),
        title: n.title.clone(),
        parent: n
            .parent
            .filter(|&p| p != 0)
            .and_then(|p| m.nodes.get(p))
            .map(|p| p.id.clone()),
    }
}

/// What a node is, for `node added` / `node removed`: `criterion "Title"
/// in parent: choice scale`.
fn node_text(m: &Model, n: &NodeDef) -> String {
    let what = match &n.kind {
        NodeKind::Criterion(c) => answer_kind(c),
        NodeKind::Group(_) => "group".into(),
    };
    let mut s = n.level.clone().unwrap_or_else(|| "node".into());
    if !n.title.is_empty() {
        s.push(' ');
        s.push_str(&labels_text(&n.title));
    }
    if let Some(p) = n.parent.filter(|&p| p != 0).and_then(|p| m.nodes.get(p)) {
        s.push_str(" in ");
        s.push_str(&p.id);
    }
    s.push_str(": ");
    s.push_str(&what);
    s
}

/// The old id of each node of `new` (its `renamed` source, or its own id
/// unless that id was renamed away and is reused by a new node: then
/// `None`).
pub(crate) fn old_id_of<'a>(renamed: &[&'a (String, String)], new_id: &'a str) -> Option<&'a str> {
    match renamed.iter().find(|(_, n)| n == new_id) {
        Some((o, _)) => Some(o.as_str()),
        None if renamed.iter().any(|(o, _)| o == new_id) => None,
        None => Some(new_id),
    }
}

/// Compares two versions.
pub fn diff(old: &Model, new: &Model) -> Diff {
    let mut ch = Changes(Vec::new());
    // Rubric.
    ch.labels("rubric title", new.id.clone(), &old.title, &new.title);
    ch.labels(
        "rubric description",
        new.id.clone(),
        &old.description,
        &new.description,
    );
    ch.push(
        "precision",
        new.id.clone(),
        Some(old.precision.to_string()),
        Some(new.precision.to_string()),
    );
    let headlines = |m: &Model| {
        let ids: Vec<&str> = m
            .headlines
            .iter()
            .filter_map(|&h| m.nodes.get(h).map(|n| n.id.as_str()))
            .collect();
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(", ")
        }
    };
    ch.push(
        "headlines",
        new.id.clone(),
        Some(headlines(old)),
        Some(headlines(new)),
    );
    // Levels.
    for l in &new.levels {
        match old.levels.iter().find(|x| x.name == l.name) {
            None => ch.push(
                "level added",
                format!("level {}", l.name),
                None,
                Some(l.name.clone()),
            ),
            Some(o) => ch.labels("level label", format!("level {}", l.name), &o.label, &l.label),
        }
    }
    for l in old
        .levels
        .iter()
        .filter(|x| !new.levels.iter().any(|y| y.name == x.name))
    {
        ch.push(
            "level removed",
            format!("level {}", l.name),
            Some(l.name.clone()),
            None,
        );
    }
    // Scales.
    for (name, s) in &new.scales {
        match old.scales.get(name) {
            None => ch.push(
                "scale added",
                format!("scale {name}"),
                None,
                Some(options_text(&s.options)),
            ),
            Some(o) => {
                ch.labels("scale label", format!("scale {name}"), &o.label, &s.label);
                options_diff(&mut ch, &format!("scale {name}"), &o.options, &s.options);
            }
        }
    }
    for name in old.scales.keys().filter(|k| !new.scales.contains_key(*k)) {
        ch.push("scale removed", format!("scale {name}"), Some(name.clone()), None);
    }
    // Bands.
    for (name, bands) in &new.band_sets {
        let olds = old.band_sets.get(name);
        for b in bands {
            let was = olds.and_then(|o| o.iter().find(|x| x.id == b.id));
            let before = was.map(|x| format!(">= {}", dec(x.min)));
            let after = Some(format!(">= {}", dec(b.min)));
            let kind = if before.is_none() {
                "band added"
            } else {
                "band threshold"
            };
            if before != after {
                ch.push(kind, format!("bands {name}: {}", b.id), before, after);
            }
            if let Some(x) = was {
                ch.labels(
                    "band label",
                    format!("bands {name}: {}", b.id),
                    &x.label,
                    &b.label,
                );
            }
        }
        for b in olds
            .into_iter()
            .flatten()
            .filter(|x| !bands.iter().any(|y| y.id == x.id))
        {
            ch.push(
                "band removed",
                format!("bands {name}: {}", b.id),
                Some(format!(">= {}", dec(b.min))),
                None,
            );
        }
    }
    for name in old.band_sets.keys().filter(|k| !new.band_sets.contains_key(*k)) {
        ch.push("bands removed", format!("bands {name}"), Some(name.clone()), None);
    }
    // Profile fields (entity and instance).
    for (name, f) in &new.profile {
        match old.profile.get(name) {
            None => ch.push("profile field added", name.clone(), None, Some(field_ty(f))),
            Some(o) => {
                ch.push(
                    "profile field type",
                    name.clone(),
                    Some(field_ty(o)),
                    Some(field_ty(f)),
                );
                ch.labels("profile field label", name.clone(), &o.label, &f.label);
                // The labels of the values both versions list.
                if let (FieldTy::Enum(ov), FieldTy::Enum(nv)) = (&o.ty, &f.ty) {
                    let none = Labels::new();
                    for (i, v) in nv.iter().enumerate() {
                        if let Some(j) = ov.iter().position(|x| x == v) {
                            ch.labels(
                                "profile value label",
                                format!("{name}: {v}"),
                                o.value_labels.get(j).unwrap_or(&none),
                                f.value_labels.get(i).unwrap_or(&none),
                            );
                        }
                    }
                }
            }
        }
    }
    for (name, f) in old.profile.iter().filter(|(k, _)| !new.profile.contains_key(*k)) {
        ch.push("profile field removed", name.clone(), Some(field_ty(f)), None);
    }
    // Named values.
    for l in &new.lets {
        let before = old
            .lets
            .iter()
            .find(|x| x.name == l.name)
            .map(|x| collapse(x.expr.loc.snippet()));
        let (before, after) = exprs(before, Some(collapse(l.expr.loc.snippet())));
        ch.push("let", l.name.clone(), before, after);
    }
    // Nodes, matched by id through `renamed`.
    let renamed = renames(old, new);
    for (o, n) in renamed.iter().copied() {
        if old.by_id.contains_key(o) {
            ch.push("node renamed", n.clone(), Some(o.clone()), Some(n.clone()));
        }
    }
    let parent_id = |m: &Model, n: &NodeDef| n.parent.and_then(|p| m.nodes.get(p)).map(|p| p.id.clone());
    let mapped_parent = |n: &NodeDef| -> Option<String> {
        parent_id(new, n).map(|p| old_id_of(&renamed, &p).unwrap_or_default().to_string())
    };
    for (ix, n) in new.nodes.iter().enumerate() {
        if ix == 0 {
            if let Some(r) = old.nodes.first() {
                node_diff(&mut ch, (r, None), (n, None), &new.id);
            }
            let (oc, nc) = (constraints_of(old, 0), constraints_of(new, 0));
            if oc != nc {
                ch.push("constraints", new.id.clone(), oc, nc);
            }
            continue;
        }
        let o = old_id_of(&renamed, &n.id)
            .and_then(|oid| old.by_id.get(oid))
            .and_then(|&i| old.nodes.get(i));
        let Some(o) = o else {
            ch.push("node added", n.id.clone(), None, Some(node_text(new, n)));
            if let Some(c) = ch.0.last_mut() {
                c.node = Some(node_info(new, n));
            }
            continue;
        };
        if parent_id(old, o) != mapped_parent(n) {
            ch.push("node moved", n.id.clone(), parent_id(old, o), parent_id(new, n));
        }
        let inst = |m: &Model, d: &NodeDef| m.origins.get(&d.id).map(|x| x.instance.clone());
        node_diff(&mut ch, (o, inst(old, o)), (n, inst(new, n)), &n.id);
        let oi = old_id_of(&renamed, &n.id)
            .and_then(|oid| old.by_id.get(oid))
            .copied();
        let (oc, nc) = (oi.and_then(|oi| constraints_of(old, oi)), constraints_of(new, ix));
        if oc != nc {
            ch.push("constraints", n.id.clone(), oc, nc);
        }
    }
    let kept: Vec<&str> = new
        .nodes
        .iter()
        .filter_map(|n| old_id_of(&renamed, &n.id))
        .collect();
    for o in old
        .nodes
        .iter()
        .skip(1)
        .filter(|o| !kept.contains(&o.id.as_str()))
    {
        ch.push("node removed", o.id.clone(), Some(node_text(old, o)), None);
        if let Some(c) = ch.0.last_mut() {
            c.node = Some(node_info(old, o));
        }
    }
    // Population.
    let pop = |m: &Model| match &m.population.aggregate {
        PopAggregate::Builtin(b) => format!("aggregate {}", b.name()),
        PopAggregate::Formula(f) => format!("score {}", collapse(f.loc.snippet())),
    };
    let (before, after) = exprs(Some(pop(old)), Some(pop(new)));
    ch.push("population", "population".into(), before, after);
    Diff {
        old: Provenance::of(old),
        new: Provenance::of(new),
        changes: ch.0,
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

fn options_text(opts: &[OptionDef]) -> String {
    opts.iter()
        .map(|o| format!("{} {}", o.id, weight(o)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn options_diff(ch: &mut Changes, subject: &str, old: &[OptionDef], new: &[OptionDef]) {
    for o in new {
        match old.iter().find(|x| x.id == o.id) {
            None => ch.push(
                "option added",
                format!("{subject}: {}", o.id),
                None,
                Some(weight(o)),
            ),
            Some(x) => {
                ch.push(
                    "option weight",
                    format!("{subject}: {}", o.id),
                    Some(weight(x)),
                    Some(weight(o)),
                );
                ch.labels("option label", format!("{subject}: {}", o.id), &x.label, &o.label);
            }
        }
    }
    for x in old.iter().filter(|x| !new.iter().any(|o| o.id == x.id)) {
        ch.push(
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
            Some((dp, RoundMode::HalfUp)) => format!("{} on round(score, {dp})", u.set),
            Some((dp, m)) => format!("{} on round(score, {dp}, {})", u.set, m.name()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The constraints declared on node `ix`, as written, one per line.
fn constraints_of(m: &Model, ix: NodeIx) -> Option<String> {
    let all: Vec<String> = m
        .constraints
        .iter()
        .filter(|c| c.node == ix)
        .map(|c| {
            let text: Vec<String> = c.message.iter().map(|(l, t)| format!("{l} {t:?}")).collect();
            format!(
                "constraint {} {} {}",
                crate::fmt::collapse_source(c.loc.snippet(), true),
                c.level(),
                text.join(" ")
            )
        })
        .collect();
    (!all.is_empty()).then(|| all.join("; "))
}

/// A formula's text with `$` read as the instance id, in a node a template
/// made: rewriting nodes as a template does not show as a change.
fn in_instance(text: String, instance: Option<&str>) -> String {
    match instance {
        Some(i) if text.contains('$') => text.replace('$', i),
        _ => text,
    }
}

fn node_diff(
    ch: &mut Changes,
    (o, oi): (&NodeDef, Option<String>),
    (n, ni): (&NodeDef, Option<String>),
    id: &str,
) {
    let (oi, ni) = (oi.as_deref(), ni.as_deref());
    let s = || id.to_string();
    ch.labels("title", s(), &o.title, &n.title);
    ch.labels("description", s(), &o.description, &n.description);
    ch.push("weight", s(), Some(dec(o.weight)), Some(dec(n.weight)));
    ch.push("unit", s(), Some(o.unit.name()), Some(n.unit.name()));
    let na = |d: &NodeDef| match &d.kind {
        NodeKind::Group(g) => format!("{:?}", g.na).to_lowercase(),
        NodeKind::Criterion(c) => if c.na_allowed { "allowed" } else { "forbidden" }.into(),
    };
    ch.push("N/A policy", s(), Some(na(o)), Some(na(n)));
    ch.push(
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
    let (before, after) = exprs(
        Some(in_instance(cond(&o.applies), oi)),
        Some(in_instance(cond(&n.applies), ni)),
    );
    ch.push("applicability", s(), before, after);
    if o.requires.is_some() || n.requires.is_some() {
        let (before, after) = exprs(
            Some(in_instance(cond(&o.requires), oi)),
            Some(in_instance(cond(&n.requires), ni)),
        );
        ch.push("gate", s(), before, after);
    }
    let keys = |d: &NodeDef| {
        d.repeat.as_ref().and_then(|r| r.keys.as_ref()).map_or_else(
            || "any".to_string(),
            |k| format!("{} ({})", k.list, k.ids.join(", ")),
        )
    };
    if o.repeat.as_ref().is_some_and(|r| r.keys.is_some())
        || n.repeat.as_ref().is_some_and(|r| r.keys.is_some())
    {
        ch.push("instance keys", s(), Some(keys(o)), Some(keys(n)));
    }
    ch.push("bands", s(), Some(band_uses(&o.bands)), Some(band_uses(&n.bands)));
    let (before, after) = exprs(
        Some(in_instance(aggregation(o).unwrap_or_else(|| "none".into()), oi)),
        Some(in_instance(aggregation(n).unwrap_or_else(|| "none".into()), ni)),
    );
    ch.push("formula", s(), before, after);
    let kind = |d: &NodeDef| {
        if matches!(d.kind, NodeKind::Group(_)) {
            "group"
        } else {
            "criterion"
        }
    };
    match (&o.kind, &n.kind) {
        (NodeKind::Criterion(a), NodeKind::Criterion(b)) => {
            ch.push("answer kind", s(), Some(answer_kind(a)), Some(answer_kind(b)));
            let inline = |c: &Criterion| {
                matches!(
                    &c.answer,
                    AnswerKind::Choice { scale: None, .. } | AnswerKind::Multi { scale: None, .. }
                )
            };
            if inline(a) || inline(b) {
                options_diff(ch, id, a.answer.options(), b.answer.options());
            }
            let opt = |d: Option<Decimal>| d.map_or("none".into(), dec);
            ch.push("baseline", s(), Some(opt(a.baseline)), Some(opt(b.baseline)));
            ch.push(
                "target",
                s(),
                Some(opt(a.target.flatten())),
                Some(opt(b.target.flatten())),
            );
        }
        (NodeKind::Group(_), NodeKind::Group(_)) => {}
        _ => ch.push("node kind", s(), Some(kind(o).into()), Some(kind(n).into())),
    }
}
