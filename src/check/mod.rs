//! Stage 2: AST → checked [`Model`].
//!
//! The checker walks the AST once to collect declarations (scales, bands,
//! profile fields, named values, formulas, nodes), then resolves every name,
//! types every expression and validates every weight. It never stops at the
//! first problem: each one becomes a diagnostic and checking goes on, so a
//! file with ten mistakes gets ten diagnostics.
//!
//! Formulas are typed bottom-up. A name in an expression is looked up, in
//! order, among the context variables of the place it is written (`value`,
//! `target`, `achieved`…), named values (`let`), formula templates
//! (`formula`, expanded in place), profile fields and node ids. On the other
//! side of `==`, `!=` or `in` from a choice or an enum, a bare name is an
//! option id or an enum value.
//!
//! Finally the dependency graph between nodes (children, formula
//! references) is sorted topologically; a cycle is an error, and the order
//! becomes [`Model::order`], which evaluation follows.

mod constraint;
mod error;
mod fold;
mod round;
pub mod templates;
mod units;

pub use error::CheckError;
pub use fold::{constant_lets, Constant};

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use miette::SourceSpan;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::ast::{self, ExprKind, Item, Spanned};
use crate::diag::{did_you_mean, Diagnostics, Loc, Src};
use crate::model::*;

/// Deepest nesting of a checked expression, with formula templates expanded
/// in place (M0220). Evaluation recurses this deep at most.
pub const MAX_EXPANDED_DEPTH: usize = 2 * crate::syntax::MAX_EXPR_DEPTH;

/// Most parts (operators, operands, calls) of all the checked expressions of
/// one rubric, with formula templates expanded in place (M0221).
pub const MAX_EXPANDED_NODES: usize = 1_000_000;

/// Checks a parsed rule file.
///
/// Returns the model when there is no error, and every diagnostic found.
pub fn check(file: &ast::File) -> (Option<Model>, Diagnostics) {
    let src = file.rubric.loc.src.clone();
    // The instance lists (`repeated … keys LIST`), before expansion drops them.
    let mut instance_lists: IndexMap<String, &ast::InstanceList> = IndexMap::new();
    for item in &file.rubric.items {
        if let Item::Instances(l) = item {
            instance_lists.entry(l.name.node.clone()).or_insert(l);
        }
    }
    // Templates and functions with parameters, rewritten into ordinary
    // declarations first (see `templates`).
    let mut pre = Diagnostics::default();
    let expanded = templates::expand(file, &mut pre);
    let (file, origins) = match &expanded {
        Some((f, o)) => (f, o.clone()),
        None => (file, IndexMap::new()),
    };
    let mut c = Checker {
        src: src.clone(),
        diags: pre,
        origins,
        nodes: Vec::new(),
        by_id: IndexMap::new(),
        levels: Vec::new(),
        fields: IndexMap::new(),
        scales: IndexMap::new(),
        scale_used: HashMap::new(),
        band_sets: IndexMap::new(),
        let_names: IndexMap::new(),
        formulas: IndexMap::new(),
        let_types: HashMap::new(),
        let_profile: Vec::new(),
        pending_scores: Vec::new(),
        pending_requires: Vec::new(),
        pending_constraints: Vec::new(),
        constraints: Vec::new(),
        expanding: Vec::new(),
        cyclic: std::collections::HashSet::new(),
        depth: 0,
        too_deep: false,
        top: SourceSpan::from(0..0),
        expanded: 0,
        unknown_at: HashSet::new(),
        deps: HashMap::new(),
        declared_units: HashSet::new(),
        unit_band_sets: HashSet::new(),
        headlines: Vec::new(),
        no_total: false,
        instance_lists,
    };
    let model = c.run(file);
    if let Some(m) = &model {
        fold::constants(m, &mut c.diags);
    }
    let diags = c.diags;
    if diags.has_errors() {
        (None, diags)
    } else {
        (model, diags)
    }
}

/// Where an expression is written; decides which names are in scope.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scope {
    /// `let NAME = …`: constants, other lets, profile fields.
    Let,
    /// `applies when …` of a node, a `repeated … when` condition (in the
    /// enclosing node) or a `where` filter (in the repeated node): profile
    /// fields visible at that node, and lets.
    Applies(NodeIx),
    /// A criterion's `score`.
    Criterion(NodeIx),
    /// A group's `score`.
    Group(NodeIx),
    /// The population's `score`.
    Population,
}

impl Scope {
    fn place(self) -> &'static str {
        match self {
            Scope::Let => "in a `let`",
            Scope::Applies(_) => "in a condition on profile fields",
            Scope::Criterion(_) => "in a criterion formula",
            Scope::Group(_) => "in a group formula",
            Scope::Population => "in the population formula",
        }
    }

    fn vars(self) -> &'static [Var] {
        match self {
            Scope::Let | Scope::Applies(_) => &[],
            Scope::Criterion(_) => &[Var::Value, Var::Baseline, Var::Target],
            Scope::Group(_) => &[Var::Achieved, Var::Target, Var::Count],
            Scope::Population => &[Var::Sum, Var::Count, Var::Mean, Var::Min, Var::Max],
        }
    }
}

/// A node's attributes as collected from its items, before interpretation.
#[derive(Default)]
struct Attrs<'a> {
    title: Option<&'a ast::Text>,
    description: Option<&'a ast::Text>,
    weight: Option<&'a Spanned<Decimal>>,
    aggregate: Option<(&'a ast::Name, bool, Option<&'a ast::Name>)>,
    score: Option<&'a ast::Expr>,
    na: Option<&'a ast::Name>,
    applies: Option<&'a ast::Expr>,
    missing: Option<&'a ast::Name>,
    bands: Vec<(&'a ast::Name, Option<&'a ast::Expr>)>,
    answer: Option<(&'a Item, Loc)>,
    baseline: Option<&'a Spanned<Option<Decimal>>>,
    target: Option<&'a Spanned<Option<Decimal>>>,
    direction: Option<&'a ast::Name>,
    repeated: Option<(&'a ast::Repeated, &'a Loc)>,
    fields: Option<(&'a [ast::Field], &'a Loc)>,
    requires: Option<&'a ast::Expr>,
    constraints: Vec<&'a ast::Constraint>,
    codes: Option<(&'a [ast::CodeDecl], &'a Loc)>,
    unit: Option<&'a ast::UnitDecl>,
    headline: Option<(&'a [ast::Name], &'a Loc)>,
    children: Vec<&'a ast::Node>,
}

struct Checker<'a> {
    /// The rubric's instance lists (`repeated … keys LIST` reads them).
    instance_lists: IndexMap<String, &'a ast::InstanceList>,
    src: Src,
    diags: Diagnostics,
    nodes: Vec<NodeDef>,
    by_id: IndexMap<String, NodeIx>,
    levels: Vec<LevelDef>,
    fields: IndexMap<String, FieldDef>,
    scales: IndexMap<String, ScaleDef>,
    scale_used: HashMap<String, bool>,
    band_sets: IndexMap<String, (Vec<BandDef>, Loc)>,
    /// Named values: name → (declaration, checked expression once done).
    let_names: IndexMap<String, (&'a ast::Expr, Loc)>,
    formulas: IndexMap<String, (&'a ast::Expr, Loc)>,
    /// Types of checked named values.
    let_types: HashMap<String, (usize, Ty)>,
    /// By let index: whether the value depends on the entity's profile.
    let_profile: Vec<bool>,
    /// `score` formulas, typed once every node's kind is known.
    pending_scores: Vec<(NodeIx, &'a ast::Expr)>,
    /// `requires` conditions, likewise.
    pending_requires: Vec<(NodeIx, &'a ast::Expr)>,
    /// `constraint` declarations, typed once every node exists.
    pending_constraints: Vec<(NodeIx, &'a ast::Constraint)>,
    /// The checked constraints.
    constraints: Vec<ConstraintDef>,
    /// Formula templates being expanded (cycle detection).
    expanding: Vec<String>,
    /// Formula templates on a cycle, reported once (M0209).
    cyclic: std::collections::HashSet<String>,
    /// Nesting of the expression being checked, formulas expanded.
    depth: usize,
    /// M0220 reported for the current top-level expression.
    too_deep: bool,
    /// The top-level expression being checked (where M0220 and M0221
    /// point: the use, not the template that passes the limit).
    top: SourceSpan,
    /// Expression parts checked so far, formulas expanded (M0221).
    expanded: usize,
    /// Places already reported as an unknown name: a formula template is
    /// checked again at every use, and one unknown name in it is looked up
    /// (with its "did you mean") once, not once per copy.
    unknown_at: HashSet<(usize, usize)>,
    /// Node → nodes its score depends on, with the referencing location.
    deps: HashMap<NodeIx, Vec<(NodeIx, Loc)>>,
    /// Node id → the template and instance that made it.
    origins: IndexMap<String, Origin>,
    /// Nodes that declare their `unit`.
    declared_units: HashSet<NodeIx>,
    /// Band sets whose thresholds are checked against units
    /// (`units::sets_on_units`), not against [0, 1] when declared.
    unit_band_sets: HashSet<String>,
    /// `headline a, b`: the rubric's headline indicators.
    headlines: Vec<NodeIx>,
    /// The rubric declares `headline` and no `score` or `aggregate`.
    no_total: bool,
}

fn labels(t: Option<&ast::Text>) -> Labels {
    t.map(|t| {
        t.entries
            .iter()
            .map(|(l, s)| (l.node.clone(), s.node.clone()))
            .collect()
    })
    .unwrap_or_default()
}

fn one_of(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("expected {} or {last}", rest.join(", ")),
        Some((last, _)) => format!("expected {last}"),
        None => String::new(),
    }
}

fn item_keyword(item: &Item) -> &'static str {
    match item {
        Item::Version(_) => "version",
        Item::Title(_) => "title",
        Item::Description(_) => "description",
        Item::Precision(..) => "precision",
        Item::Missing(_) => "missing",
        Item::Levels(..) => "levels",
        Item::Profile(..) => "profile",
        Item::Scale(_) => "scale",
        Item::Bands(_) => "bands",
        Item::Let(..) => "let",
        Item::Formula(..) => "formula",
        Item::Population(..) => "population",
        Item::Weight(_) => "weight",
        Item::Aggregate { .. } => "aggregate",
        Item::Score(_) => "score",
        Item::Na(_) => "na",
        Item::Applies(_) => "applies",
        Item::UseBands(..) => "bands",
        Item::Choice(_) => "choice",
        Item::Multi(..) => "multi",
        Item::Number(..) => "number",
        Item::YesNo(_) => "yesno",
        Item::Baseline(_) => "baseline",
        Item::Target(_) => "target",
        Item::Direction(_) => "direction",
        Item::Repeated(..) => "repeated",
        Item::Fields(..) => "fields",
        Item::Requires(_) => "requires",
        Item::Constraint(_) => "constraint",
        Item::Codes(..) => "codes",
        Item::Rank(..) => "rank",
        Item::Renamed(..) => "renamed",
        Item::Unit(_) => "unit",
        Item::Headline(..) => "headline",
        Item::Node(_) => "node",
        Item::Function(_) => "formula",
        Item::Instances(_) => "instances",
        Item::Template(_) => "template",
    }
}

fn item_loc(item: &Item) -> Loc {
    match item {
        Item::Version(s) => s.loc.clone(),
        Item::Title(t) | Item::Description(t) => t.loc.clone(),
        Item::Precision(n, _) | Item::Weight(n) => n.loc.clone(),
        Item::Missing(n) | Item::Na(n) | Item::UseBands(n, _) | Item::Direction(n) | Item::Renamed(n, _) => {
            n.loc.clone()
        }
        Item::Levels(_, l)
        | Item::Codes(_, l)
        | Item::Profile(_, l)
        | Item::Population(_, l)
        | Item::YesNo(l)
        | Item::Repeated(_, l)
        | Item::Fields(_, l)
        | Item::Rank(_, l)
        | Item::Headline(_, l) => l.clone(),
        Item::Number(_, _, l) => l.clone(),
        Item::Unit(u) => u.loc.clone(),
        Item::Scale(s) => s.name.loc.clone(),
        Item::Bands(b) => b.name.loc.clone(),
        Item::Let(n, _) | Item::Formula(n, _) => n.loc.clone(),
        Item::Aggregate { func, .. } => func.loc.clone(),
        Item::Score(e) | Item::Applies(e) | Item::Requires(e) => e.loc.clone(),
        Item::Constraint(c) => c.expr.loc.clone(),
        Item::Choice(o) | Item::Multi(o, _) => match o {
            ast::Options::Scale(n) => n.loc.clone(),
            ast::Options::Inline(_, l) => l.clone(),
        },
        Item::Baseline(s) | Item::Target(s) => s.loc.clone(),
        Item::Node(n) => n.id.loc.clone(),
        Item::Function(f) => f.name.loc.clone(),
        Item::Instances(l) => l.name.loc.clone(),
        Item::Template(t) => t.name.loc.clone(),
    }
}

impl Ty {
    /// A phrase for messages: "a number", "an option of `q1`".
    fn describe(&self, c: &Checker<'_>) -> String {
        match self {
            Ty::Number => "a number".into(),
            Ty::Bool => "a condition (true or false)".into(),
            Ty::Choice(n) => format!("the option chosen for `{}`", c.node_id(*n)),
            Ty::Set(n) => format!("the set of options chosen for `{}`", c.node_id(*n)),
            Ty::Enum(f) => format!(
                "a value of profile field `{}`",
                c.fields.get_index(*f).map_or("?", |(k, _)| k.as_str())
            ),
            Ty::Str => "a string".into(),
            Ty::List(t) => format!("a list of {}", t.describe(c)),
        }
    }
}

impl<'a> Checker<'a> {
    fn node_id(&self, ix: NodeIx) -> &str {
        self.nodes.get(ix).map_or("?", |n| n.id.as_str())
    }

    fn misplaced(&mut self, item: &Item, why: &str, help: Option<&str>) {
        self.diags.push(CheckError::Misplaced {
            what: item_keyword(item).to_string(),
            why: why.to_string(),
            src: self.src.clone(),
            span: item_loc(item).span,
            help: help.map(str::to_string),
        });
    }

    fn repeated(&mut self, what: &str, first: &Loc, again: &Loc) {
        self.diags.push(CheckError::Repeated {
            what: what.to_string(),
            src: self.src.clone(),
            span: again.span,
            first: first.span,
        });
    }

    fn setting<T: Copy>(&mut self, what: &'static str, name: &ast::Name, table: &[(&str, T)]) -> Option<T> {
        if let Some((_, v)) = table.iter().find(|(n, _)| *n == name.node) {
            return Some(*v);
        }
        let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
        let mut help = one_of(&names);
        if let Some(d) = did_you_mean(&name.node, names.iter().copied()) {
            help = format!("{d} ({help})");
        }
        self.diags.push(CheckError::UnknownSetting {
            what,
            name: name.node.clone(),
            src: self.src.clone(),
            span: name.loc.span,
            help,
        });
        None
    }

    fn run(&mut self, file: &'a ast::File) -> Option<Model> {
        let rubric = &file.rubric;
        let mut version: Option<&Spanned<String>> = None;
        let mut precision: Option<&Spanned<Decimal>> = None;
        let mut precision_mode = RoundMode::HalfUp;
        let mut population: Option<(&'a [Item], &'a Loc)> = None;
        let mut renamed: Vec<(&'a ast::Name, &'a ast::Name)> = Vec::new();
        let mut node_items: Vec<&'a Item> = Vec::new();
        let mut seen: HashMap<&'static str, Loc> = HashMap::new();

        self.unit_band_sets = units::sets_on_units(&rubric.items);
        // Pass 1: header declarations.
        for item in &rubric.items {
            let once = match item {
                Item::Version(_)
                | Item::Precision(..)
                | Item::Levels(..)
                | Item::Profile(..)
                | Item::Population(..) => Some(item_keyword(item)),
                _ => None,
            };
            if let Some(kw) = once {
                let loc = item_loc(item);
                if let Some(first) = seen.get(kw).cloned() {
                    self.repeated(kw, &first, &loc);
                    continue;
                }
                seen.insert(kw, loc);
            }
            match item {
                Item::Version(v) => version = Some(v),
                Item::Precision(p, m) => {
                    precision = Some(p);
                    precision_mode = m
                        .as_ref()
                        .and_then(|m| RoundMode::from_name(&m.node))
                        .unwrap_or_default();
                }
                Item::Levels(levels, _) => self.levels(levels),
                Item::Profile(fields, _) => self.profile(fields, None),
                Item::Scale(s) => self.scale(s),
                Item::Bands(b) => self.bands(b),
                Item::Let(name, e) => self.named(name, e, true),
                Item::Formula(name, e) => self.named(name, e, false),
                Item::Population(items, loc) => population = Some((items, loc)),
                Item::Renamed(old, new) => renamed.push((old, new)),
                _ => node_items.push(item),
            }
        }
        if version.is_none() {
            self.diags.push(CheckError::MissingVersion {
                id: rubric.id.node.clone(),
                src: self.src.clone(),
                span: rubric.id.loc.span,
            });
        }
        let precision_v = match precision {
            Some(p) if p.node.is_integer() && p.node >= Decimal::ZERO && p.node <= Decimal::from(10) => {
                u32::try_from(p.node.mantissa()).unwrap_or(1)
            }
            Some(p) => {
                self.diags.push(CheckError::OutOfRange {
                    what: "precision",
                    value: p.node.to_string(),
                    src: self.src.clone(),
                    span: p.loc.span,
                    help: "precision is a whole number of decimal places from 0 to 10".into(),
                });
                1
            }
            None => 1,
        };

        // Cycles of formula templates, before any is expanded.
        self.formula_cycles();
        // Named values, in dependency order.
        let lets = self.check_lets();

        // Pass 2: the node tree. The root is node 0.
        let root_loc = rubric.id.loc.clone();
        self.nodes
            .push(NodeDef::new(rubric.id.node.clone(), None, None, 0, root_loc));
        // Create every node in source order (pre-order, so a parent always
        // has a lower index than its children) before resolving formulas.
        let mut pending: Vec<(NodeIx, Vec<&'a Item>)> = Vec::new();
        self.create_tree(0, node_items, &mut pending);
        // Subtree ends: nodes are in pre-order.
        for ix in (0..self.nodes.len()).rev() {
            let end = self
                .nodes
                .get(ix)
                .and_then(|n| n.children.last())
                .and_then(|&c| self.nodes.get(c))
                .map_or(ix + 1, |c| c.end);
            if let Some(n) = self.nodes.get_mut(ix) {
                n.end = end;
            }
        }
        // Missing policies are inherited, so interpret parents first.
        for (ix, items) in &pending {
            let mark = templates::mark(&self.diags);
            self.interpret_node(*ix, items);
            self.note_origin(mark, *ix);
        }
        // Formulas last: they may name any criterion's options.
        for (ix, e) in std::mem::take(&mut self.pending_scores) {
            let mark = templates::mark(&self.diags);
            self.score_formula(ix, e);
            self.note_origin(mark, ix);
        }
        for (ix, e) in std::mem::take(&mut self.pending_requires) {
            let mark = templates::mark(&self.diags);
            let c = self.typed(e, Scope::Group(ix), &Ty::Bool);
            self.note_origin(mark, ix);
            if let Some(n) = self.nodes.get_mut(ix) {
                n.requires = c;
            }
        }
        self.check_normalised();
        self.constraints();

        let population = self.population(population);
        let declared = std::mem::take(&mut self.declared_units);
        self.infer_units(&declared);
        let sets = std::mem::take(&mut self.unit_band_sets);
        let pop_bands: Vec<(String, Loc)> = population
            .bands
            .iter()
            .map(|b| (b.set.clone(), b.loc.clone()))
            .collect();
        self.band_units(&rubric.items, &sets, &pop_bands);

        // In declaration order, so that output is deterministic.
        for (name, s) in &self.scales {
            if self.scale_used.get(name) == Some(&false) {
                {
                    self.diags.push(CheckError::UnusedScale {
                        name: name.clone(),
                        src: self.src.clone(),
                        span: s.loc.span,
                    });
                }
            }
        }
        let order = self.order();
        let renamed = self.renamed(&renamed);

        let sha256 = format!("{:x}", Sha256::digest(self.src.text().as_bytes()));
        Some(Model {
            src: self.src.clone(),
            sha256,
            id: rubric.id.node.clone(),
            version: version.map(|v| v.node.clone()).unwrap_or_default(),
            lang_version: file.lang_version.as_ref().map(|v| v.node),
            title: labels(rubric.items.iter().find_map(|i| match i {
                Item::Title(t) => Some(t),
                _ => None,
            })),
            description: labels(rubric.items.iter().find_map(|i| match i {
                Item::Description(t) => Some(t),
                _ => None,
            })),
            precision: Precision {
                places: precision_v,
                mode: precision_mode,
            },
            constraints: std::mem::take(&mut self.constraints),
            levels: self.levels.clone(),
            profile: self.fields.clone(),
            scales: self.scales.clone(),
            band_sets: self
                .band_sets
                .iter()
                .map(|(k, (v, _))| (k.clone(), v.clone()))
                .collect(),
            lets,
            nodes: std::mem::take(&mut self.nodes),
            by_id: std::mem::take(&mut self.by_id),
            order,
            population,
            renamed,
            origins: std::mem::take(&mut self.origins),
            loc: rubric.loc.clone(),
            headlines: std::mem::take(&mut self.headlines),
            no_total: self.no_total,
        })
    }

    /// Names the template instance of node `ix` in the diagnostics filed
    /// since `mark`.
    fn note_origin(&mut self, mark: (usize, usize), ix: NodeIx) {
        let origin = self.nodes.get(ix).and_then(|n| self.origins.get(&n.id));
        templates::note_since(&mut self.diags, mark, origin);
    }

    /// `renamed OLD -> NEW`: NEW must be a node of this rubric and each id
    /// is renamed once (OLD may be reused by a new node).
    fn renamed(&mut self, list: &[(&ast::Name, &ast::Name)]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (old, new) in list {
            if !self.by_id.contains_key(&new.node) {
                let help = did_you_mean(&new.node, self.by_id.keys().map(String::as_str));
                self.diags.push(CheckError::UnknownName {
                    name: new.node.clone(),
                    src: self.src.clone(),
                    span: new.loc.span,
                    help,
                });
                continue;
            }
            if out.iter().any(|(o, n)| *o == old.node || *n == new.node) {
                self.repeated("renamed", &old.loc, &old.loc);
                continue;
            }
            out.push((old.node.clone(), new.node.clone()));
        }
        out
    }

    // ----------------------------------------------------------- header --

    fn levels(&mut self, levels: &[ast::Level]) {
        for l in levels {
            if let Some(first) = levels.iter().find(|x| x.name.node == l.name.node) {
                if first.name.loc.span == l.name.loc.span {
                    self.levels.push(LevelDef {
                        name: l.name.node.clone(),
                        label: labels(l.label.as_ref()),
                    });
                    continue;
                }
                self.diags.push(CheckError::Duplicate {
                    what: "level",
                    name: l.name.node.clone(),
                    src: self.src.clone(),
                    span: l.name.loc.span,
                    first: first.name.loc.span,
                });
                continue;
            }
        }
    }

    fn profile(&mut self, fields: &[ast::Field], owner: Option<NodeIx>) {
        for f in fields {
            if let Some(first) = self.fields.get(&f.name.node) {
                self.diags.push(CheckError::Duplicate {
                    what: "profile field",
                    name: f.name.node.clone(),
                    src: self.src.clone(),
                    span: f.name.loc.span,
                    first: first.loc.span,
                });
                continue;
            }
            let mut value_labels = Vec::new();
            let ty = match &f.ty {
                ast::FieldType::Enum(values) => {
                    let mut out: Vec<String> = Vec::new();
                    let mut locs: Vec<&Loc> = Vec::new();
                    for (k, v) in values.iter().enumerate() {
                        if let Some(p) = out.iter().position(|o| *o == v.node) {
                            self.diags.push(CheckError::Duplicate {
                                what: "profile value",
                                name: v.node.clone(),
                                src: self.src.clone(),
                                span: v.loc.span,
                                first: locs.get(p).map_or(v.loc.span, |l| l.span),
                            });
                        } else {
                            out.push(v.node.clone());
                            locs.push(&v.loc);
                            value_labels.push(labels(f.value_labels.get(k).and_then(Option::as_ref)));
                        }
                    }
                    FieldTy::Enum(out)
                }
                ast::FieldType::Number => FieldTy::Number,
                ast::FieldType::Bool => FieldTy::Bool,
            };
            self.fields.insert(
                f.name.node.clone(),
                FieldDef {
                    name: f.name.node.clone(),
                    ty,
                    label: labels(f.label.as_ref()),
                    value_labels,
                    owner,
                    loc: f.name.loc.clone(),
                },
            );
        }
    }

    /// Validates an option list; returns the checked options.
    fn options(&mut self, opts: &[ast::OptionDecl]) -> Vec<OptionDef> {
        let mut out: Vec<OptionDef> = Vec::new();
        let mut ids: HashMap<&str, &Loc> = HashMap::new();
        let mut na: Option<&Loc> = None;
        for o in opts {
            if let Some(first) = ids.get(o.id.node.as_str()) {
                self.diags.push(CheckError::Duplicate {
                    what: "option",
                    name: o.id.node.clone(),
                    src: self.src.clone(),
                    span: o.id.loc.span,
                    first: first.span,
                });
                continue;
            }
            ids.insert(&o.id.node, &o.id.loc);
            match o.weight.node {
                None if o.ignore => {}
                None => {
                    if let Some(first) = na {
                        self.diags.push(CheckError::SeveralNa {
                            src: self.src.clone(),
                            span: o.weight.loc.span,
                            first: first.span,
                        });
                    }
                    na = Some(&o.weight.loc);
                }
                Some(w) if w < Decimal::ZERO || w > Decimal::ONE => {
                    self.diags.push(CheckError::OutOfRange {
                        what: "option weight",
                        value: w.to_string(),
                        src: self.src.clone(),
                        span: o.weight.loc.span,
                        help: "option weights lie between 0 (no credit) and 1 (full credit)".into(),
                    });
                }
                Some(_) => {}
            }
            out.push(OptionDef {
                id: o.id.node.clone(),
                ignored: o.ignore,
                weight: o.weight.node,
                label: labels(o.label.as_ref()),
            });
        }
        out
    }

    fn best_weight(options: &[OptionDef]) -> Decimal {
        options
            .iter()
            .filter_map(|o| o.weight)
            .max()
            .unwrap_or(Decimal::ZERO)
    }

    fn scale(&mut self, s: &ast::Scale) {
        if let Some(first) = self.scales.get(&s.name.node) {
            self.diags.push(CheckError::Duplicate {
                what: "scale",
                name: s.name.node.clone(),
                src: self.src.clone(),
                span: s.name.loc.span,
                first: first.loc.span,
            });
            return;
        }
        let options = self.options(&s.options);
        if Self::best_weight(&options) < Decimal::ONE {
            self.diags.push(CheckError::NoFullScore {
                name: s.name.node.clone(),
                src: self.src.clone(),
                span: s.name.loc.span,
            });
        }
        self.scale_used.insert(s.name.node.clone(), false);
        self.scales.insert(
            s.name.node.clone(),
            ScaleDef {
                name: s.name.node.clone(),
                label: labels(s.label.as_ref()),
                options,
                loc: s.name.loc.clone(),
            },
        );
    }

    fn bands(&mut self, b: &ast::BandSet) {
        if let Some((_, first)) = self.band_sets.get(&b.name.node) {
            self.diags.push(CheckError::Duplicate {
                what: "band set",
                name: b.name.node.clone(),
                src: self.src.clone(),
                span: b.name.loc.span,
                first: first.span,
            });
            return;
        }
        let mut out: Vec<BandDef> = Vec::new();
        for band in &b.bands {
            if out.iter().any(|o| o.id == band.id.node) {
                let first = b
                    .bands
                    .iter()
                    .find(|x| x.id.node == band.id.node)
                    .map_or(band.id.loc.span, |x| x.id.loc.span);
                self.diags.push(CheckError::Duplicate {
                    what: "band",
                    name: band.id.node.clone(),
                    src: self.src.clone(),
                    span: band.id.loc.span,
                    first,
                });
                continue;
            }
            if !self.unit_band_sets.contains(&b.name.node)
                && (band.min.node < Decimal::ZERO || band.min.node > Decimal::ONE)
            {
                self.diags.push(CheckError::OutOfRange {
                    what: "band threshold",
                    value: band.min.node.to_string(),
                    src: self.src.clone(),
                    span: band.min.loc.span,
                    help: "scores lie between 0 and 1, so thresholds do too (0.9 is 90%)".into(),
                });
            } else if out.last().is_some_and(|prev| band.min.node >= prev.min) {
                self.diags.push(CheckError::BandOrder {
                    id: band.id.node.clone(),
                    src: self.src.clone(),
                    span: band.min.loc.span,
                });
            }
            out.push(BandDef {
                id: band.id.node.clone(),
                min: band.min.node,
                label: labels(band.label.as_ref()),
            });
        }
        self.band_sets
            .insert(b.name.node.clone(), (out, b.name.loc.clone()));
    }

    fn named(&mut self, name: &'a ast::Name, e: &'a ast::Expr, is_let: bool) {
        let prior = self
            .let_names
            .get(&name.node)
            .or_else(|| self.formulas.get(&name.node))
            .map(|(_, l)| l.span);
        if let Some(first) = prior {
            self.diags.push(CheckError::Duplicate {
                what: "named value or formula",
                name: name.node.clone(),
                src: self.src.clone(),
                span: name.loc.span,
                first,
            });
            return;
        }
        let map = if is_let {
            &mut self.let_names
        } else {
            &mut self.formulas
        };
        map.insert(name.node.clone(), (e, name.loc.clone()));
    }

    /// A node's or the population's `bands` declarations, in order: each
    /// set once.
    fn band_uses(&mut self, decls: &[(&ast::Name, Option<&ast::Expr>)]) -> Vec<BandUse> {
        let mut out: Vec<BandUse> = Vec::new();
        for (i, (name, on)) in decls.iter().enumerate() {
            if let Some((first, _)) = decls.iter().take(i).find(|(n, _)| n.node == name.node) {
                self.repeated(&format!("bands {}", name.node), &first.loc, &name.loc);
                continue;
            }
            if let Some(u) = self.use_bands(name, *on) {
                out.push(u);
            }
        }
        out
    }

    /// `on score` or `on round(score, N[, MODE])`: the decimal places and
    /// the mode, if rounded.
    fn band_on(&mut self, set: &str, on: &ast::Expr) -> Option<Option<(u32, RoundMode)>> {
        use ast::ExprKind as K;
        let is_score = |e: &ast::Expr| matches!(&e.kind, K::Path(p) if p == "score");
        let dp = |n: &ast::Expr| match &n.kind {
            K::Number(d) if d.fract().is_zero() && *d >= Decimal::ZERO && *d <= Decimal::from(28) => {
                u32::try_from(d.mantissa() / 10i128.pow(d.scale())).ok()
            }
            _ => None,
        };
        let places = match &on.kind {
            _ if is_score(on) => Some(None),
            K::Call(f, args) if f.node == "round" => match args.as_slice() {
                [s, n] if is_score(s) => dp(n).map(|d| Some((d, RoundMode::HalfUp))),
                [s, n, m] if is_score(s) => match dp(n) {
                    Some(d) => return self.round_mode(m).map(|m| Some((d, m))),
                    None => None,
                },
                _ => None,
            },
            _ => None,
        };
        if places.is_none() {
            self.diags.push(CheckError::BandsOn {
                set: set.to_string(),
                found: crate::fmt::collapse_source(on.loc.snippet(), true),
                src: self.src.clone(),
                span: on.loc.span,
            });
        }
        places
    }

    fn use_bands(&mut self, name: &ast::Name, on: Option<&ast::Expr>) -> Option<BandUse> {
        if self.band_sets.contains_key(&name.node) {
            let on = match on {
                None => None,
                Some(e) => self.band_on(&name.node, e)?,
            };
            return Some(BandUse {
                set: name.node.clone(),
                on,
                loc: name.loc.clone(),
            });
        }
        let help = did_you_mean(&name.node, self.band_sets.keys().map(String::as_str));
        self.diags.push(CheckError::UnknownBands {
            name: name.node.clone(),
            src: self.src.clone(),
            span: name.loc.span,
            help,
        });
        None
    }

    fn check_normalised(&mut self) {
        for node in &self.nodes {
            let NodeKind::Group(g) = &node.kind else { continue };
            if !g.normalised {
                continue;
            }
            let sum: Decimal = node
                .children
                .iter()
                .filter_map(|c| self.nodes.get(*c))
                .map(|c| c.weight)
                .sum();
            if sum != Decimal::ONE {
                self.diags.push(CheckError::NotNormalised {
                    id: node.id.clone(),
                    sum: sum.normalize().to_string(),
                    src: self.src.clone(),
                    span: node.loc.span,
                });
            }
        }
    }

    fn score_formula(&mut self, ix: NodeIx, e: &'a ast::Expr) {
        let is_group = matches!(self.nodes.get(ix).map(|n| &n.kind), Some(NodeKind::Group(_)));
        let scope = if is_group {
            Scope::Group(ix)
        } else {
            Scope::Criterion(ix)
        };
        let Some(c) = self.typed(e, scope, &Ty::Number) else {
            return;
        };
        match self.nodes.get_mut(ix).map(|n| &mut n.kind) {
            Some(NodeKind::Group(g)) => g.aggregate = Aggregate::Formula(c),
            Some(NodeKind::Criterion(cr)) => cr.score = Some(c),
            None => {}
        }
    }

    // ------------------------------------------------------------ nodes --

    fn create_tree(&mut self, ix: NodeIx, items: Vec<&'a Item>, pending: &mut Vec<(NodeIx, Vec<&'a Item>)>) {
        let children: Vec<&'a ast::Node> = items
            .iter()
            .filter_map(|i| match i {
                Item::Node(n) => Some(n),
                _ => None,
            })
            .collect();
        pending.push((ix, items));
        for n in children {
            if let Some(child) = self.create_node(n, ix) {
                self.create_tree(child, n.items.iter().collect(), pending);
            }
        }
    }

    fn create_node(&mut self, n: &ast::Node, parent: NodeIx) -> Option<NodeIx> {
        if let Some(&first) = self.by_id.get(&n.id.node) {
            let first = self.nodes.get(first).map_or(n.id.loc.span, |f| f.loc.span);
            self.diags.push(CheckError::Duplicate {
                what: "node id",
                name: n.id.node.clone(),
                src: self.src.clone(),
                span: n.id.loc.span,
                first,
            });
            return None;
        }
        let parent_def = self.nodes.get(parent)?;
        let depth = parent_def.depth + 1;
        let parent_level = parent_def.level.clone();
        if !self.levels.is_empty() {
            match self.levels.iter().position(|l| l.name == n.level.node) {
                None => {
                    let names: Vec<&str> = self.levels.iter().map(|l| l.name.as_str()).collect();
                    let mut help = format!("declared levels: {}", names.join(", "));
                    if let Some(d) = did_you_mean(&n.level.node, names.iter().copied()) {
                        help = format!("{d} ({help})");
                    }
                    self.diags.push(CheckError::UnknownLevel {
                        name: n.level.node.clone(),
                        src: self.src.clone(),
                        span: n.level.loc.span,
                        help,
                    });
                }
                Some(pos) => {
                    let ppos = parent_level
                        .as_ref()
                        .and_then(|pl| self.levels.iter().position(|l| &l.name == pl));
                    if let (Some(pp), Some(pl)) = (ppos, parent_level.as_ref()) {
                        if pos <= pp {
                            self.diags.push(CheckError::LevelOrder {
                                child: n.level.node.clone(),
                                parent: pl.clone(),
                                src: self.src.clone(),
                                span: n.level.loc.span,
                            });
                        }
                    }
                }
            }
        }
        let ix = self.nodes.len();
        let parent_scope = self.nodes.get(parent).map_or(0, |p| p.scope);
        let mut def = NodeDef::new(
            n.id.node.clone(),
            Some(n.level.node.clone()),
            Some(parent),
            depth,
            n.id.loc.clone(),
        );
        let repeated = n.items.iter().any(|i| matches!(i, Item::Repeated(..)));
        def.scope = if repeated { ix } else { parent_scope };
        self.nodes.push(def);
        self.by_id.insert(n.id.node.clone(), ix);
        if let Some(p) = self.nodes.get_mut(parent) {
            p.children.push(ix);
        }
        Some(ix)
    }

    fn collect_attrs(&mut self, items: &[&'a Item]) -> Attrs<'a> {
        let mut a = Attrs::default();
        let mut seen: HashMap<&'static str, Loc> = HashMap::new();
        for &item in items {
            let kw = match item {
                Item::Choice(_) | Item::Multi(..) | Item::Number(..) | Item::YesNo(_) => "answer kind",
                Item::Aggregate { .. } | Item::Score(_) => "aggregation or score",
                Item::Node(_) => "",
                other => item_keyword(other),
            };
            let loc = item_loc(item);
            // Several band sets may classify one node; the same one twice is
            // a repeated declaration (checked in `band_uses`).
            if !kw.is_empty() && !matches!(item, Item::UseBands(..) | Item::Constraint(_)) {
                if let Some(first) = seen.get(kw).cloned() {
                    let what = if kw.contains(' ') { item_keyword(item) } else { kw };
                    self.repeated(what, &first, &loc);
                    continue;
                }
                seen.insert(kw, loc.clone());
            }
            match item {
                Item::Title(t) => a.title = Some(t),
                Item::Description(t) => a.description = Some(t),
                Item::Weight(w) => a.weight = Some(w),
                Item::Aggregate {
                    func,
                    normalised,
                    over,
                } => a.aggregate = Some((func, *normalised, over.as_ref())),
                Item::Score(e) => a.score = Some(e),
                Item::Na(n) => a.na = Some(n),
                Item::Applies(e) => a.applies = Some(e),
                Item::Missing(m) => a.missing = Some(m),
                Item::UseBands(b, on) => a.bands.push((b, on.as_ref())),
                Item::Choice(_) | Item::Multi(..) | Item::Number(..) | Item::YesNo(_) => {
                    a.answer = Some((item, loc))
                }
                Item::Baseline(b) => a.baseline = Some(b),
                Item::Target(t) => a.target = Some(t),
                Item::Direction(d) => a.direction = Some(d),
                Item::Repeated(r, l) => a.repeated = Some((r, l)),
                Item::Fields(f, l) => a.fields = Some((f, l)),
                Item::Requires(e) => a.requires = Some(e),
                Item::Constraint(c) => a.constraints.push(c),
                Item::Codes(c, l) => a.codes = Some((c, l)),
                Item::Unit(u) => a.unit = Some(u),
                Item::Headline(h, l) => a.headline = Some((h, l)),
                Item::Node(n) => a.children.push(n),
                other => self.misplaced(
                    other,
                    "can only be declared at the top of the rubric",
                    Some("move it directly inside `rubric … { }`"),
                ),
            }
        }
        a
    }

    fn interpret_node(&mut self, ix: NodeIx, items: &[&'a Item]) {
        let a = self.collect_attrs(items);
        if let Some(u) = a.unit.and_then(|u| self.unit_decl(u)) {
            self.declared_units.insert(ix);
            if let Some(n) = self.nodes.get_mut(ix) {
                n.unit = u;
            }
        }
        match a.headline {
            Some((names, _)) if ix == 0 => {
                self.headlines = self.headlines(names);
                self.no_total = a.aggregate.is_none() && a.score.is_none();
            }
            Some((_, loc)) => self.misplaced_headline(loc),
            None => {}
        }
        let Some(node) = self.nodes.get(ix) else { return };
        let id = node.id.clone();
        let node_loc = node.loc.clone();
        let is_root = ix == 0;
        let parent_missing = node
            .parent
            .and_then(|p| self.nodes.get(p))
            .map_or(MissingPolicy::Error, |p| p.missing);

        let missing = match a.missing {
            Some(m) => self
                .setting(
                    "missing-answer policy",
                    m,
                    &[
                        ("error", MissingPolicy::Error),
                        ("worst", MissingPolicy::Worst),
                        ("na", MissingPolicy::Na),
                    ],
                )
                .unwrap_or(parent_missing),
            None => parent_missing,
        };
        let weight = match a.weight {
            Some(w) if is_root => {
                self.diags.push(CheckError::Misplaced {
                    what: "weight".into(),
                    why: "has no meaning on the rubric itself".into(),
                    src: self.src.clone(),
                    span: w.loc.span,
                    help: Some("weights belong to nodes, inside their parent's weighted mean".into()),
                });
                Decimal::ONE
            }
            Some(w) if w.node < Decimal::ZERO => {
                self.diags.push(CheckError::OutOfRange {
                    what: "node weight",
                    value: w.node.to_string(),
                    src: self.src.clone(),
                    span: w.loc.span,
                    help: "node weights are zero or positive".into(),
                });
                Decimal::ONE
            }
            Some(w) => w.node,
            None => Decimal::ONE,
        };
        let bands = self.band_uses(&a.bands);
        let repeat = self.repeat(ix, &a);
        if let Some(e) = a.requires {
            self.pending_requires.push((ix, e));
        }
        self.pending_constraints
            .extend(a.constraints.iter().map(|&c| (ix, c)));
        let applies = match a.applies {
            Some(e) if is_root => {
                self.diags.push(CheckError::Misplaced {
                    what: "applies".into(),
                    why: "has no meaning on the rubric itself".into(),
                    src: self.src.clone(),
                    span: e.loc.span,
                    help: Some("put `applies when` on the nodes it limits".into()),
                });
                None
            }
            Some(e) => self.typed(e, Scope::Applies(ix), &Ty::Bool),
            None => None,
        };

        let kind = match (&a.answer, a.children.is_empty()) {
            (Some(_), false) => {
                self.diags.push(CheckError::NodeShape {
                    id: id.clone(),
                    why: "has both an answer kind and child nodes",
                    src: self.src.clone(),
                    span: node_loc.span,
                    help: "a criterion takes an answer; a group has children: split it in two",
                });
                None
            }
            (None, true) if !is_root && a.score.is_none() => {
                self.diags.push(CheckError::NodeShape {
                    id: id.clone(),
                    why: "has neither an answer kind nor child nodes",
                    src: self.src.clone(),
                    span: node_loc.span,
                    help: "give a criterion `choice SCALE`, `multi SCALE`, `number` or `yesno`, give a group child nodes, or compute it with `score`",
                });
                None
            }
            (Some((item, loc)), true) if !is_root => {
                if !matches!(item, Item::Number(..)) {
                    self.codes_misplaced(&a);
                }
                self.criterion(ix, &id, item, loc, &a).map(NodeKind::Criterion)
            }
            (Some((item, _)), _) => {
                self.misplaced(
                    item,
                    "has no meaning on the rubric itself",
                    Some("answers belong to criteria"),
                );
                None
            }
            (None, _) => {
                self.codes_misplaced(&a);
                Some(NodeKind::Group(self.group(ix, &id, &a)))
            }
        };
        if let Some(n) = self.nodes.get_mut(ix) {
            n.title = labels(a.title);
            n.description = labels(a.description);
            n.missing = missing;
            n.weight = weight;
            n.bands = bands;
            n.applies = applies;
            n.repeat = repeat;
            if let Some(k) = kind {
                n.kind = k;
            }
        }
    }

    /// `repeated` and `fields` of node `ix`.
    fn repeat(&mut self, ix: NodeIx, a: &Attrs<'a>) -> Option<Repeat> {
        let parent = self.nodes.get(ix).and_then(|n| n.parent);
        if let Some((fields, loc)) = a.fields {
            if a.repeated.is_none() {
                self.diags.push(CheckError::Misplaced {
                    what: "fields".into(),
                    why: "only applies to a repeated node".into(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: Some("add `repeated` to the node, or declare entity fields in `profile`".into()),
                });
            } else {
                self.profile(fields, Some(ix));
            }
        }
        let (r, loc) = a.repeated?;
        let Some(parent) = parent else {
            self.diags.push(CheckError::Misplaced {
                what: "repeated".into(),
                why: "has no meaning on the rubric itself".into(),
                src: self.src.clone(),
                span: loc.span,
                help: Some("each answer set is one entity; repeat a node inside it".into()),
            });
            return None;
        };
        let rule = match &r.rule {
            Some(n) => self.setting("instance rule", n, &InstanceRule::ALL)?,
            None => InstanceRule::Mean,
        };
        let switch = match &r.switch {
            Some((cond, other)) => {
                let c = self.typed(cond, Scope::Applies(parent), &Ty::Bool);
                let o = self.setting("instance rule", other, &InstanceRule::ALL);
                Some((c?, o?))
            }
            None => None,
        };
        let keys = match &r.keys {
            Some(k) => Some(self.keys(ix, k)?),
            None => None,
        };
        Some(Repeat { rule, switch, keys })
    }

    /// `repeated … keys LIST`: LIST must be an instance list of the rubric
    /// (M0326).
    fn keys(&mut self, ix: NodeIx, k: &ast::Name) -> Option<crate::model::Keys> {
        let Some(&l) = self.instance_lists.get(&k.node) else {
            let names: Vec<&str> = self.instance_lists.keys().map(String::as_str).collect();
            let help = match crate::diag::did_you_mean(&k.node, names.iter().copied()) {
                Some(d) => d,
                None if names.is_empty() => {
                    "declare the list in the rubric: `instances NAME { ID en \"Title\" … }`".into()
                }
                None => format!("instance lists: {}", names.join(", ")),
            };
            self.diags.push(CheckError::UnknownKeys {
                name: k.node.clone(),
                src: self.src.clone(),
                span: k.loc.span,
                help,
            });
            return None;
        };
        let mut fields = Vec::with_capacity(l.instances.len());
        let mut ok = true;
        for inst in &l.instances {
            let mut vals = Vec::new();
            for (name, v) in &inst.fields {
                // A list field the node does not declare serves templates only.
                let Some((fi, _, def)) = self
                    .fields
                    .get_full(&name.node)
                    .filter(|(_, _, d)| d.owner == Some(ix))
                else {
                    continue;
                };
                let val = match (&def.ty, v) {
                    (FieldTy::Number, ast::InstanceValue::Number(d)) => {
                        Some(crate::answers::ProfileValue::Number(d.node))
                    }
                    (FieldTy::Bool, ast::InstanceValue::Word(w)) if w.node == "true" || w.node == "false" => {
                        Some(crate::answers::ProfileValue::Bool(w.node == "true"))
                    }
                    (FieldTy::Enum(values), ast::InstanceValue::Word(w)) => values
                        .iter()
                        .position(|x| *x == w.node)
                        .map(crate::answers::ProfileValue::Enum),
                    _ => None,
                };
                match val {
                    Some(val) => vals.push((fi, val)),
                    None => {
                        ok = false;
                        let (text, loc) = match v {
                            ast::InstanceValue::Number(d) => (d.node.to_string(), &d.loc),
                            ast::InstanceValue::Word(w) => (w.node.clone(), &w.loc),
                        };
                        let expected = match &def.ty {
                            FieldTy::Number => "a number".to_string(),
                            FieldTy::Bool => "`true` or `false`".to_string(),
                            FieldTy::Enum(values) => format!("one of {}", values.join(", ")),
                        };
                        self.diags.push(CheckError::KeysField {
                            field: name.node.clone(),
                            value: text,
                            instance: inst.id.node.clone(),
                            node: self.node_id(ix).to_string(),
                            src: self.src.clone(),
                            span: loc.span,
                            help: format!(
                                "`{}` of `{}` is {expected}: the list's value fills in each instance's field",
                                name.node,
                                self.node_id(ix)
                            ),
                        });
                    }
                }
            }
            fields.push(vals);
        }
        ok.then(|| crate::model::Keys {
            list: k.node.clone(),
            ids: l.instances.iter().map(|i| i.id.node.clone()).collect(),
            fields,
        })
    }

    fn group(&mut self, ix: NodeIx, id: &str, a: &Attrs<'a>) -> Group {
        for (what, loc) in [
            ("baseline", a.baseline.map(|b| &b.loc)),
            ("target", a.target.map(|b| &b.loc)),
            ("direction", a.direction.map(|b| &b.loc)),
        ] {
            if let Some(loc) = loc {
                self.diags.push(CheckError::Misplaced {
                    what: what.into(),
                    why: "only applies to a numeric criterion".into(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: Some(format!("`{id}` is a group")),
                });
            }
        }
        let na = match a.na {
            Some(n) => self
                .setting(
                    "N/A policy for a group",
                    n,
                    &[
                        ("exclude", NaPolicy::Exclude),
                        ("full", NaPolicy::Full),
                        ("zero", NaPolicy::Zero),
                    ],
                )
                .unwrap_or(NaPolicy::Exclude),
            None => NaPolicy::Exclude,
        };
        let mut over = Over::Children;
        let mut normalised = false;
        let aggregate = if let Some(e) = a.score {
            self.pending_scores.push((ix, e));
            Aggregate::Builtin(Builtin::Mean)
        } else if let Some((func, norm, ov)) = a.aggregate {
            normalised = norm;
            if let Some(ov) = ov {
                over = self
                    .setting(
                        "`over` target",
                        ov,
                        &[("children", Over::Children), ("criteria", Over::Criteria)],
                    )
                    .unwrap_or(Over::Children);
            }
            let b = self
                .setting("aggregation", func, &Builtin::ALL)
                .unwrap_or(Builtin::Mean);
            if normalised && b != Builtin::WeightedMean {
                self.diags.push(CheckError::Misplaced {
                    what: "normalised".into(),
                    why: "only applies to `weighted_mean`".into(),
                    src: self.src.clone(),
                    span: func.loc.span,
                    help: None,
                });
            }
            Aggregate::Builtin(b)
        } else {
            Aggregate::Builtin(Builtin::Mean)
        };
        Group {
            aggregate,
            na,
            over,
            normalised,
        }
    }

    fn criterion(
        &mut self,
        ix: NodeIx,
        id: &str,
        item: &'a Item,
        answer_loc: &Loc,
        a: &Attrs<'a>,
    ) -> Option<Criterion> {
        if let Some((func, _, _)) = a.aggregate {
            self.diags.push(CheckError::Misplaced {
                what: "aggregate".into(),
                why: "only applies to a group".into(),
                src: self.src.clone(),
                span: func.loc.span,
                help: Some(format!(
                    "`{id}` is a criterion; use `score EXPR` to compute its score"
                )),
            });
        }
        let answer = match item {
            Item::Choice(o) => {
                let (options, scale) = self.option_source(o)?;
                AnswerKind::Choice { options, scale }
            }
            Item::Multi(o, combine) => {
                let (options, scale) = self.option_source(o)?;
                let combine = match combine {
                    Some(c) => self
                        .setting("combine rule", c, &Combine::ALL)
                        .unwrap_or(Combine::SumCapped),
                    None => Combine::SumCapped,
                };
                AnswerKind::Multi {
                    options,
                    scale,
                    combine,
                }
            }
            Item::Number(unit, range, _) => {
                let min = range.as_ref().and_then(|r| r.min.as_ref().map(|m| m.node));
                let max = range.as_ref().and_then(|r| r.max.as_ref().map(|m| m.node));
                if let (Some(lo), Some(hi), Some(r)) = (min, max, range) {
                    if lo > hi {
                        self.diags.push(CheckError::BadBounds {
                            min: lo.to_string(),
                            max: hi.to_string(),
                            src: self.src.clone(),
                            span: r.loc.span,
                        });
                    }
                }
                AnswerKind::Number {
                    unit: unit.as_ref().map(|u| u.node.clone()),
                    min,
                    max,
                    codes: self.codes(a.codes.map(|(c, _)| c)),
                }
            }
            _ => AnswerKind::YesNo,
        };
        // Full score must be reachable.
        let best = match &answer {
            AnswerKind::Choice { options, scale: None } => {
                Some((Self::best_weight(options), "give the best option weight 1"))
            }
            AnswerKind::Multi { options, combine, .. } => {
                let ws = options.iter().filter_map(|o| o.weight);
                let best = match combine {
                    Combine::Sum | Combine::SumCapped => ws.sum(),
                    _ => ws.max().unwrap_or(Decimal::ZERO),
                };
                Some((best, "raise the option weights so that the best answer scores 1"))
            }
            _ => None,
        };
        if let Some((best, help)) = best {
            if best < Decimal::ONE {
                self.diags.push(CheckError::Unreachable {
                    id: id.to_string(),
                    src: self.src.clone(),
                    span: answer_loc.span,
                    best: best.normalize().to_string(),
                    help,
                });
            }
        }
        // N/A handling.
        let has_na_option = answer.options().iter().any(OptionDef::is_na);
        let na_allowed = match a.na {
            None => has_na_option,
            Some(n) => match self.setting(
                "N/A setting for a criterion",
                n,
                &[("allowed", true), ("forbidden", false)],
            ) {
                Some(false) => {
                    if let Item::Choice(ast::Options::Inline(opts, _))
                    | Item::Multi(ast::Options::Inline(opts, _), _) = item
                    {
                        if let Some(o) = opts.iter().find(|o| o.weight.node.is_none()) {
                            self.diags.push(CheckError::NaNotAllowed {
                                id: id.to_string(),
                                src: self.src.clone(),
                                span: o.id.loc.span,
                                decl: n.loc.span,
                            });
                        }
                    }
                    false
                }
                Some(true) => {
                    if matches!(answer, AnswerKind::Choice { .. } | AnswerKind::Multi { .. })
                        && !has_na_option
                    {
                        self.diags.push(CheckError::NaWithoutOption {
                            id: id.to_string(),
                            src: self.src.clone(),
                            span: n.loc.span,
                        });
                    }
                    true
                }
                None => has_na_option,
            },
        };
        let is_number = matches!(answer, AnswerKind::Number { .. });
        for (what, loc) in [
            ("baseline", a.baseline.map(|b| &b.loc)),
            ("target", a.target.map(|b| &b.loc)),
            ("direction", a.direction.map(|b| &b.loc)),
        ] {
            if let (Some(loc), false) = (loc, is_number) {
                self.diags.push(CheckError::Misplaced {
                    what: what.into(),
                    why: "only applies to a numeric criterion".into(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: Some(format!("`{id}` does not take a number")),
                });
            }
        }
        let direction = a.direction.and_then(|d| {
            self.setting(
                "direction",
                d,
                &[("higher", Direction::Higher), ("lower", Direction::Lower)],
            )
        });
        if let (Some(dir), Some(b), Some(t), Some(d)) = (
            direction,
            a.baseline.and_then(|b| b.node),
            a.target.and_then(|t| t.node),
            a.direction,
        ) {
            let (name, wrong, help) = match dir {
                Direction::Higher => (
                    "higher",
                    t < b,
                    "a higher-is-better KPI has its target above its baseline: if lower values are better (a rank, a time), declare `direction lower`; else check that baseline and target are not swapped",
                ),
                Direction::Lower => (
                    "lower",
                    t > b,
                    "a lower-is-better KPI (a rank, a time) has its target below its baseline: if higher values are better, declare `direction higher`; else check that baseline and target are not swapped",
                ),
            };
            if wrong {
                self.diags.push(CheckError::DirectionAgainstTarget {
                    id: id.to_string(),
                    direction: name,
                    target: t.normalize().to_string(),
                    baseline: b.normalize().to_string(),
                    side: if t > b { "above" } else { "below" },
                    src: self.src.clone(),
                    span: d.loc.span,
                    help: help.to_string(),
                });
            }
        }
        if let AnswerKind::Number { min, max, .. } = &answer {
            for (what, decl) in [("baseline", a.baseline), ("target", a.target)] {
                let Some((v, loc)) = decl.and_then(|d| Some((d.node?, &d.loc))) else {
                    continue;
                };
                if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                    let show = |b: &Option<Decimal>| b.map(|b| b.normalize().to_string()).unwrap_or_default();
                    self.diags.push(CheckError::OutsideBounds {
                        what,
                        value: v.normalize().to_string(),
                        id: id.to_string(),
                        bounds: format!("{}..{}", show(min), show(max)),
                        src: self.src.clone(),
                        span: loc.span,
                    });
                }
            }
        }
        if let Some(t) = a.target {
            if t.node.is_none() {
                self.diags.push(CheckError::NoTarget {
                    id: id.to_string(),
                    src: self.src.clone(),
                    span: t.loc.span,
                });
            }
        }
        let score = match a.score {
            Some(e) => {
                self.pending_scores.push((ix, e));
                None
            }
            None if is_number && !self.number_fits(ix, &answer) => {
                self.diags.push(CheckError::MissingScore {
                    id: id.to_string(),
                    src: self.src.clone(),
                    span: answer_loc.span,
                });
                None
            }
            None => None,
        };
        Some(Criterion {
            answer,
            na_allowed,
            score,
            baseline: a.baseline.and_then(|b| b.node),
            target: a.target.map(|t| t.node),
            direction,
        })
    }

    fn option_source(&mut self, o: &ast::Options) -> Option<(Vec<OptionDef>, Option<String>)> {
        match o {
            ast::Options::Inline(opts, _) => Some((self.options(opts), None)),
            ast::Options::Scale(name) => match self.scales.get(&name.node) {
                Some(s) => {
                    let opts = s.options.clone();
                    self.scale_used.insert(name.node.clone(), true);
                    Some((opts, Some(name.node.clone())))
                }
                None => {
                    let help = did_you_mean(&name.node, self.scales.keys().map(String::as_str));
                    self.diags.push(CheckError::UnknownScale {
                        name: name.node.clone(),
                        src: self.src.clone(),
                        span: name.loc.span,
                        help,
                    });
                    None
                }
            },
        }
    }

    fn population(&mut self, pop: Option<(&'a [Item], &'a Loc)>) -> Population {
        let mut out = Population {
            aggregate: PopAggregate::Builtin(Builtin::Mean),
            bands: Vec::new(),
            rank: None,
        };
        let Some((items, _)) = pop else { return out };
        let mut seen: HashMap<&'static str, Loc> = HashMap::new();
        let mut pop_bands = Vec::new();
        for item in items {
            let kw = match item {
                Item::Aggregate { .. } | Item::Score(_) => "aggregation or score",
                other => item_keyword(other),
            };
            let loc = item_loc(item);
            if let Item::UseBands(b, on) = item {
                pop_bands.push((b, on.as_ref()));
                continue;
            }
            if let Some(first) = seen.get(kw).cloned() {
                self.repeated(item_keyword(item), &first, &loc);
                continue;
            }
            seen.insert(kw, loc);
            match item {
                Item::Aggregate { func, .. } => {
                    if let Some(b) = self.setting(
                        "population aggregation",
                        func,
                        &[
                            ("mean", Builtin::Mean),
                            ("sum", Builtin::Sum),
                            ("min", Builtin::Min),
                            ("max", Builtin::Max),
                            ("count", Builtin::Count),
                        ],
                    ) {
                        out.aggregate = PopAggregate::Builtin(b);
                    }
                }
                Item::Score(e) => {
                    if let Some(c) = self.typed(e, Scope::Population, &Ty::Number) {
                        out.aggregate = PopAggregate::Formula(c);
                    }
                }
                Item::Rank(cond, _) => {
                    out.rank = Some(match cond {
                        Some(e) => self.typed(e, Scope::Let, &Ty::Bool),
                        None => None,
                    });
                }
                Item::Title(_) | Item::Description(_) => {}
                other => self.misplaced(
                    other,
                    "has no meaning in `population`",
                    Some("`population` takes `aggregate`, `score`, `bands` and `rank`"),
                ),
            }
        }
        out.bands = self.band_uses(&pop_bands);
        out
    }

    // ------------------------------------------------------ named values --

    fn check_lets(&mut self) -> Vec<LetDef> {
        // Order lets so that each only uses earlier ones; a cycle is M0209.
        // Depth-first with an explicit stack: a chain of any length is fine.
        let names: Vec<String> = self.let_names.keys().cloned().collect();
        let mut state: HashMap<String, u8> = HashMap::new(); // 1 visiting, 2 done
        let mut order: Vec<String> = Vec::new();
        for n in &names {
            if state.contains_key(n) {
                continue;
            }
            state.insert(n.clone(), 1);
            let mut stack: Vec<(String, Vec<String>, usize)> = vec![(n.clone(), self.let_refs(n), 0)];
            while let Some((_, refs, next)) = stack.last_mut() {
                let Some(r) = refs.get(*next).cloned() else {
                    if let Some((name, _, _)) = stack.pop() {
                        state.insert(name.clone(), 2);
                        order.push(name);
                    }
                    continue;
                };
                *next += 1;
                match state.get(&r) {
                    Some(2) => {}
                    Some(1) => {
                        let start = stack.iter().position(|(s, _, _)| *s == r).unwrap_or(0);
                        let mut cyc: Vec<&str> = stack
                            .get(start..)
                            .unwrap_or_default()
                            .iter()
                            .map(|(s, _, _)| s.as_str())
                            .collect();
                        cyc.push(&r);
                        if let Some((_, loc)) = self.let_names.get(&r) {
                            self.diags.push(CheckError::Cycle {
                                cycle: cycle_text(&cyc),
                                src: self.src.clone(),
                                span: loc.span,
                            });
                        }
                    }
                    _ => {
                        state.insert(r.clone(), 1);
                        let refs = self.let_refs(&r);
                        stack.push((r, refs, 0));
                    }
                }
            }
        }
        let mut out: Vec<LetDef> = Vec::new();
        for name in order {
            let Some((e, loc)) = self.let_names.get(&name).cloned() else {
                continue;
            };
            if let Some(expr) = self.expr(e, Scope::Let, None) {
                self.let_types.insert(name.clone(), (out.len(), expr.ty.clone()));
                self.let_profile.push(reads_profile(&expr, &self.let_profile));
                out.push(LetDef { name, expr, loc });
            }
        }
        out
    }

    /// The lets the let `name` uses, directly or through the formula
    /// templates it expands.
    fn let_refs(&self, name: &str) -> Vec<String> {
        let mut refs = Vec::new();
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut todo: Vec<&ast::Expr> = self.let_names.get(name).map(|(e, _)| *e).into_iter().collect();
        while let Some(e) = todo.pop() {
            let mut paths = Vec::new();
            collect_paths(e, &mut paths);
            for p in paths {
                if !seen.insert(p.clone()) {
                    continue;
                }
                if self.let_names.contains_key(&p) {
                    refs.push(p);
                } else if let Some((f, _)) = self.formulas.get(&p) {
                    todo.push(f);
                }
            }
        }
        refs
    }

    /// Reports every cycle of formula templates (M0209) and remembers their
    /// members, so that expanding one stops at once. Depth-first with an
    /// explicit stack: a cycle of any length is reported, never a stack
    /// overflow.
    fn formula_cycles(&mut self) {
        // A name that is a context variable somewhere (`value`, `count`…)
        // may mean the variable where it is used, and a let takes
        // precedence over a formula: such references are left to the
        // check at expansion time.
        let is_var = |p: &str| {
            [Scope::Criterion(0), Scope::Group(0), Scope::Population]
                .iter()
                .any(|s| s.vars().iter().any(|v| v.name() == p))
        };
        let refs = |c: &Self, f: &str| -> Vec<String> {
            let mut paths = Vec::new();
            if let Some((e, _)) = c.formulas.get(f) {
                collect_paths(e, &mut paths);
            }
            paths.retain(|p| c.formulas.contains_key(p) && !c.let_names.contains_key(p) && !is_var(p));
            paths.dedup();
            paths
        };
        let names: Vec<String> = self.formulas.keys().cloned().collect();
        let mut state: HashMap<String, u8> = HashMap::new();
        for n in &names {
            if state.contains_key(n) {
                continue;
            }
            state.insert(n.clone(), 1);
            let mut stack: Vec<(String, Vec<String>, usize)> = vec![(n.clone(), refs(self, n), 0)];
            while let Some((_, list, next)) = stack.last_mut() {
                let Some(r) = list.get(*next).cloned() else {
                    if let Some((name, _, _)) = stack.pop() {
                        state.insert(name, 2);
                    }
                    continue;
                };
                *next += 1;
                match state.get(&r) {
                    Some(2) => {}
                    Some(1) => {
                        let start = stack.iter().position(|(s, _, _)| *s == r).unwrap_or(0);
                        let members: Vec<String> = stack
                            .get(start..)
                            .unwrap_or_default()
                            .iter()
                            .map(|(s, _, _)| s.clone())
                            .collect();
                        let mut cyc: Vec<&str> = members.iter().map(String::as_str).collect();
                        cyc.push(&r);
                        if let Some((_, loc)) = self.formulas.get(&r) {
                            self.diags.push(CheckError::Cycle {
                                cycle: cycle_text(&cyc),
                                src: self.src.clone(),
                                span: loc.span,
                            });
                        }
                        self.cyclic.extend(members);
                    }
                    _ => {
                        state.insert(r.clone(), 1);
                        let list = refs(self, &r);
                        stack.push((r, list, 0));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------- expressions --

    /// Checks `e` and requires type `want`.
    fn typed(&mut self, e: &ast::Expr, scope: Scope, want: &Ty) -> Option<CExpr> {
        let c = self.expr(e, scope, None)?;
        self.expect(&c, want)?;
        Some(c)
    }

    fn expect(&mut self, c: &CExpr, want: &Ty) -> Option<()> {
        if &c.ty == want {
            return Some(());
        }
        let help = match (&c.ty, want) {
            (Ty::Bool, Ty::Number) => {
                Some("use `if CONDITION then A else B` to turn a condition into a number".to_string())
            }
            (Ty::Choice(_), Ty::Number) | (Ty::Set(_), Ty::Number) => Some(
                "a criterion's name alone gives its score; `answer(…)` gives the options chosen".to_string(),
            ),
            _ => None,
        };
        self.diags.push(CheckError::TypeMismatch {
            expected: want.describe(self),
            found: c.ty.describe(self),
            src: self.src.clone(),
            span: c.loc.span,
            help,
        });
        None
    }

    fn mk(kind: CKind, ty: Ty, loc: &Loc) -> CExpr {
        CExpr {
            kind,
            ty,
            loc: loc.clone(),
        }
    }

    /// Checks an expression. `lit` is the type whose literal names (option
    /// ids, enum values) are in scope, when on the other side of `==`/`in`.
    ///
    /// Formula templates are expanded in place, so the checked expression
    /// is bounded here, in depth (M0220) and in parts (M0221): evaluation
    /// recurses as deep as the checked expression.
    fn expr(&mut self, e: &ast::Expr, scope: Scope, lit: Option<&Ty>) -> Option<CExpr> {
        if self.expanded > MAX_EXPANDED_NODES {
            return None;
        }
        if self.depth == 0 {
            self.too_deep = false;
            self.top = e.loc.span;
        }
        self.expanded += 1;
        if self.expanded > MAX_EXPANDED_NODES {
            self.diags.push(CheckError::ExpandedTooLarge {
                max: MAX_EXPANDED_NODES,
                chain: self.expansion_chain(),
                src: self.src.clone(),
                span: self.top,
            });
            return None;
        }
        if self.depth >= MAX_EXPANDED_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                self.diags.push(CheckError::ExpandedTooDeep {
                    what: "this expression",
                    max: MAX_EXPANDED_DEPTH,
                    chain: self.expansion_chain(),
                    src: self.src.clone(),
                    span: self.top,
                });
            }
            return None;
        }
        self.depth += 1;
        let out = self.expr_at(e, scope, lit);
        self.depth -= 1;
        out
    }

    /// ": f3 -> f2 -> …": the formula templates being expanded.
    fn expansion_chain(&self) -> String {
        if self.expanding.is_empty() {
            return String::new();
        }
        let names: Vec<&str> = self.expanding.iter().map(String::as_str).collect();
        format!(" (expanding {})", chain_text(&names))
    }

    fn expr_at(&mut self, e: &ast::Expr, scope: Scope, lit: Option<&Ty>) -> Option<CExpr> {
        let loc = &e.loc;
        match &e.kind {
            ExprKind::Number(n) => Some(Self::mk(CKind::Num(*n), Ty::Number, loc)),
            ExprKind::Str(s) => match lit.and_then(|t| self.literal(t, s, loc, true)) {
                Some(c) => Some(c),
                None if lit.is_some() => None,
                None => Some(Self::mk(CKind::Str(s.clone()), Ty::Str, loc)),
            },
            ExprKind::Path(p) => {
                if let Some(t) = lit {
                    return self.literal(t, p, loc, false);
                }
                self.path(p, loc, scope)
            }
            ExprKind::List(items) => {
                let mut out = Vec::new();
                let mut ty: Option<Ty> = None;
                for i in items {
                    let c = self.expr(i, scope, lit)?;
                    match &ty {
                        None => ty = Some(c.ty.clone()),
                        Some(t) => self.expect(&c, t)?,
                    }
                    out.push(c);
                }
                let ty = ty.or_else(|| lit.cloned()).unwrap_or(Ty::Number);
                Some(Self::mk(CKind::List(out), Ty::List(Box::new(ty)), loc))
            }
            ExprKind::Unary(op, inner) => {
                let c = self.expr(inner, scope, None)?;
                match op {
                    ast::UnOp::Neg => {
                        self.expect(&c, &Ty::Number)?;
                        Some(Self::mk(CKind::Neg(Box::new(c)), Ty::Number, loc))
                    }
                    ast::UnOp::Not => {
                        self.expect(&c, &Ty::Bool)?;
                        Some(Self::mk(CKind::Not(Box::new(c)), Ty::Bool, loc))
                    }
                }
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, scope, loc),
            ExprKind::If(cnd, a, b) => {
                let c = self.typed(cnd, scope, &Ty::Bool);
                let a = self.expr(a, scope, None);
                let b = self.expr(b, scope, None);
                let (c, a, b) = (c?, a?, b?);
                self.expect(&b, &a.ty)?;
                let ty = a.ty.clone();
                Some(Self::mk(
                    CKind::If(Box::new(c), Box::new(a), Box::new(b)),
                    ty,
                    loc,
                ))
            }
            ExprKind::Call(name, args) => self.call(name, args, scope, loc),
            ExprKind::Where(..) => {
                self.diags.push(CheckError::Misplaced {
                    what: "where".into(),
                    why: "only filters the instances read by `min`, `max`, `mean`, `sum` or `count`".into(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: Some("for example `mean(svc.oa where type == transactional)`".into()),
                });
                None
            }
        }
    }

    fn binary(
        &mut self,
        op: ast::BinOp,
        l: &ast::Expr,
        r: &ast::Expr,
        scope: Scope,
        loc: &Loc,
    ) -> Option<CExpr> {
        use ast::BinOp::*;
        let bare = |e: &ast::Expr| match &e.kind {
            ExprKind::Path(_) | ExprKind::Str(_) => true,
            ExprKind::List(items) => items
                .iter()
                .all(|i| matches!(i.kind, ExprKind::Path(_) | ExprKind::Str(_))),
            _ => false,
        };
        let literal_side = |t: &Ty| matches!(t, Ty::Choice(_) | Ty::Set(_) | Ty::Enum(_));
        match op {
            Add | Sub | Mul | Div | Lt | Le | Gt | Ge => {
                let a = self.typed(l, scope, &Ty::Number);
                let b = self.typed(r, scope, &Ty::Number);
                let ty = if matches!(op, Add | Sub | Mul | Div) {
                    Ty::Number
                } else {
                    Ty::Bool
                };
                Some(Self::mk(CKind::Binary(op, Box::new(a?), Box::new(b?)), ty, loc))
            }
            And | Or => {
                let a = self.typed(l, scope, &Ty::Bool);
                let b = self.typed(r, scope, &Ty::Bool);
                Some(Self::mk(
                    CKind::Binary(op, Box::new(a?), Box::new(b?)),
                    Ty::Bool,
                    loc,
                ))
            }
            Eq | Ne | In => {
                // Resolve the side that is not a bare name first, so the bare
                // side can be read as an option id or enum value.
                let right_first = bare(l) && !bare(r);
                let (first, second) = if right_first { (r, l) } else { (l, r) };
                let a = self.expr(first, scope, None);
                let a = a?;
                let lit_ty = if literal_side(&a.ty) {
                    Some(match &a.ty {
                        Ty::Set(n) => Ty::Choice(*n),
                        t => t.clone(),
                    })
                } else {
                    None
                };
                let b = self.expr(second, scope, lit_ty.as_ref())?;
                let (lhs, rhs) = if right_first { (b, a) } else { (a, b) };
                let ok = match op {
                    In => match (&lhs.ty, &rhs.ty) {
                        (t, Ty::List(inner)) => t == inner.as_ref(),
                        (Ty::Choice(x), Ty::Set(y)) => x == y,
                        _ => false,
                    },
                    _ => lhs.ty == rhs.ty && !matches!(lhs.ty, Ty::Set(_) | Ty::List(_)),
                };
                if !ok {
                    let want = match (op, &lhs.ty) {
                        (In, t) => Ty::List(Box::new(t.clone())),
                        (_, t) => t.clone(),
                    };
                    self.diags.push(CheckError::TypeMismatch {
                        expected: want.describe(self),
                        found: rhs.ty.describe(self),
                        src: self.src.clone(),
                        span: rhs.loc.span,
                        help: Some(format!("`{}` compares values of the same kind", op.symbol())),
                    });
                    return None;
                }
                Some(Self::mk(
                    CKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    Ty::Bool,
                    loc,
                ))
            }
        }
    }

    /// A bare name on the literal side of a comparison.
    fn literal(&mut self, t: &Ty, name: &str, loc: &Loc, quoted: bool) -> Option<CExpr> {
        let _ = quoted;
        match t {
            Ty::Enum(f) => {
                let (fname, def) = self.fields.get_index(*f)?;
                let FieldTy::Enum(values) = &def.ty else {
                    return None;
                };
                if let Some(v) = values.iter().position(|v| v == name) {
                    return Some(Self::mk(CKind::EnumLit(*f, v), t.clone(), loc));
                }
                let help = Self::values_help(name, values.iter().map(String::as_str));
                self.diags.push(CheckError::UnknownValue {
                    what: format!("value of `{fname}`"),
                    name: name.to_string(),
                    src: self.src.clone(),
                    span: loc.span,
                    help,
                });
                None
            }
            Ty::Choice(n) | Ty::Set(n) => {
                let node = self.nodes.get(*n)?;
                let NodeKind::Criterion(c) = &node.kind else {
                    return None;
                };
                let options = c.answer.options();
                if let Some(o) = options.iter().position(|o| o.id == name) {
                    return Some(Self::mk(CKind::OptionLit(*n, o), Ty::Choice(*n), loc));
                }
                let help = Self::values_help(name, options.iter().map(|o| o.id.as_str()));
                let what = format!("option of `{}`", node.id);
                self.diags.push(CheckError::UnknownValue {
                    what,
                    name: name.to_string(),
                    src: self.src.clone(),
                    span: loc.span,
                    help,
                });
                None
            }
            _ => None,
        }
    }

    fn values_help<'v>(name: &str, values: impl Iterator<Item = &'v str> + Clone) -> String {
        let list: Vec<&str> = values.clone().collect();
        let mut help = format!("declared: {}", list.join(", "));
        if let Some(d) = did_you_mean(name, values) {
            help = format!("{d} ({help})");
        }
        help
    }

    fn path(&mut self, p: &str, loc: &Loc, scope: Scope) -> Option<CExpr> {
        if p == "true" || p == "false" {
            return Some(Self::mk(CKind::Bool(p == "true"), Ty::Bool, loc));
        }
        if let Some(v) = scope.vars().iter().find(|v| v.name() == p) {
            return Some(Self::mk(CKind::Var(*v), Ty::Number, loc));
        }
        if self.let_names.contains_key(p) {
            // Lets are checked first, in dependency order; one without a
            // type was already reported (cycle or error).
            let (i, ty) = self.let_types.get(p)?.clone();
            if scope == Scope::Population && self.let_profile.get(i).copied().unwrap_or(false) {
                self.diags.push(CheckError::NotInScope {
                    name: p.to_string(),
                    place: scope.place(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: format!(
                        "`{p}` depends on profile fields, and the population formula sees no entity's profile: only named values computed from numbers and other such values"
                    ),
                });
                return None;
            }
            return Some(Self::mk(CKind::Let(i), ty, loc));
        }
        if let Some((e, _)) = self.formulas.get(p).cloned() {
            if self.cyclic.contains(p) {
                // Reported once, at the template (M0209).
                return None;
            }
            if self.expanding.iter().any(|x| x == p) {
                let mut cyc = self.expanding.clone();
                cyc.push(p.to_string());
                self.diags.push(CheckError::Cycle {
                    cycle: cyc.join(" -> "),
                    src: self.src.clone(),
                    span: loc.span,
                });
                return None;
            }
            self.expanding.push(p.to_string());
            let c = self.expr(e, scope, None);
            self.expanding.pop();
            let mut c = c?;
            c.loc = loc.clone();
            return Some(c);
        }
        if let Some(f) = self.fields.get_index_of(p) {
            if scope == Scope::Population {
                self.diags.push(CheckError::NotInScope {
                    name: p.to_string(),
                    place: scope.place(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: "the population formula sees no entity's profile: use `sum`, `count`, `mean`, `min`, `max`, numbers and named values that do not depend on the profile".into(),
                });
                return None;
            }
            let owner = self.fields.get_index(f).and_then(|(_, d)| d.owner);
            if let Some(r) = owner {
                if !self.field_visible(r, scope) {
                    self.diags.push(CheckError::NotInScope {
                        name: p.to_string(),
                        place: scope.place(),
                        src: self.src.clone(),
                        span: loc.span,
                        help: format!(
                            "`{p}` is a field of the instances of `{}`: it is known inside that node, or in a `where` filter on it",
                            self.node_id(r)
                        ),
                    });
                    return None;
                }
            }
            let ty = match self.fields.get_index(f).map(|(_, d)| &d.ty) {
                Some(FieldTy::Enum(_)) => Ty::Enum(f),
                Some(FieldTy::Bool) => Ty::Bool,
                _ => Ty::Number,
            };
            return Some(Self::mk(CKind::Field(f), ty, loc));
        }
        if let Some(&n) = self.by_id.get(p) {
            if matches!(scope, Scope::Let | Scope::Applies(_)) {
                self.diags.push(CheckError::NotInScope {
                    name: p.to_string(),
                    place: scope.place(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: "scores are not known here: use profile fields and named values".into(),
                });
                return None;
            }
            if let Scope::Criterion(me) | Scope::Group(me) = scope {
                if let Err(r) = self.readable(me, n) {
                    self.instance_scope(p, r, me, loc);
                    return None;
                }
                self.deps.entry(me).or_default().push((n, loc.clone()));
            }
            return Some(Self::mk(CKind::Node(n), Ty::Number, loc));
        }
        // Unknown: is it a variable of another place?
        let all_vars = [
            Var::Value,
            Var::Baseline,
            Var::Target,
            Var::Achieved,
            Var::Count,
            Var::Sum,
            Var::Mean,
            Var::Min,
            Var::Max,
        ];
        if all_vars.iter().any(|v| v.name() == p) && scope != Scope::Population {
            let here: Vec<&str> = scope.vars().iter().map(|v| v.name()).collect();
            self.diags.push(CheckError::NotInScope {
                name: p.to_string(),
                place: scope.place(),
                src: self.src.clone(),
                span: loc.span,
                help: if here.is_empty() {
                    "no variables are available here".into()
                } else {
                    format!("available here: {}", here.join(", "))
                },
            });
            return None;
        }
        if matches!(scope, Scope::Applies(_)) {
            let help = did_you_mean(p, self.fields.keys().map(String::as_str));
            self.diags.push(CheckError::UnknownField {
                name: p.to_string(),
                src: self.src.clone(),
                span: loc.span,
                help,
            });
            return None;
        }
        if !self.unknown_at.insert((loc.span.offset(), loc.span.len())) {
            return None;
        }
        let mut cands: Vec<&str> = scope.vars().iter().map(|v| v.name()).collect();
        cands.extend(self.let_names.keys().map(String::as_str));
        cands.extend(self.formulas.keys().map(String::as_str));
        cands.extend(self.fields.keys().map(String::as_str));
        if scope != Scope::Let {
            cands.extend(self.by_id.keys().map(String::as_str));
        }
        let help = did_you_mean(p, cands);
        self.diags.push(CheckError::UnknownName {
            name: p.to_string(),
            src: self.src.clone(),
            span: loc.span,
            help,
        });
        None
    }

    /// True when a field of the instances of `r` is known in `scope`.
    fn field_visible(&self, r: NodeIx, scope: Scope) -> bool {
        match scope {
            Scope::Criterion(x) | Scope::Group(x) | Scope::Applies(x) => {
                self.nodes.get(r).is_some_and(|rn| r <= x && x < rn.end)
            }
            Scope::Let | Scope::Population => false,
        }
    }

    /// Whether node `me` may read node `n`: in the same scope, or inside
    /// a repeated node directly nested in `me`'s scope (its instances
    /// combined). `Err(r)`: `n` belongs to repeated node `r`, out of reach.
    fn readable(&self, me: NodeIx, n: NodeIx) -> Result<(), NodeIx> {
        let scope_of = |i: NodeIx| self.nodes.get(i).map_or(0, |d| d.scope);
        let (sx, sy) = (scope_of(me), scope_of(n));
        if sx == sy || self.nested_in(sy) == Some(sx) {
            Ok(())
        } else {
            Err(sy)
        }
    }

    /// The scope enclosing repeated node `r` (`None` for the root).
    fn nested_in(&self, r: NodeIx) -> Option<NodeIx> {
        crate::model::enclosing_scope(&self.nodes, r)
    }

    fn instance_scope(&mut self, name: &str, r: NodeIx, me: NodeIx, loc: &Loc) {
        self.diags.push(CheckError::InstanceScope {
            name: name.to_string(),
            repeated: self.node_id(r).to_string(),
            place: format!("from `{}`", self.node_id(me)),
            src: self.src.clone(),
            span: loc.span,
            help: "a formula reads nodes of its own instance, and the combined or listed values of a repeated node nested directly inside it".into(),
        });
    }

    /// A list argument: the values of node `p` in the instances of the
    /// repeated node directly nested in `me`'s scope that contains it.
    fn each(&mut self, p: &ast::Expr, cond: Option<&ast::Expr>, scope: Scope) -> Option<CExpr> {
        let (ExprKind::Path(path), Scope::Criterion(me) | Scope::Group(me)) = (&p.kind, scope) else {
            return None;
        };
        let &n = self.by_id.get(path)?;
        let r = self.nodes.get(n).map_or(0, |d| d.scope);
        let sx = self.nodes.get(me).map_or(0, |d| d.scope);
        if r == sx || self.nested_in(r) != Some(sx) {
            if cond.is_some() {
                if r == sx {
                    self.diags.push(CheckError::Misplaced {
                        what: "where".into(),
                        why: "filters the instances of a repeated node, and this node is not repeated here"
                            .into(),
                        src: self.src.clone(),
                        span: p.loc.span,
                        help: Some("read a node inside a `repeated` node nested in this one".into()),
                    });
                } else {
                    self.instance_scope(path, r, me, &p.loc);
                }
            }
            return None;
        }
        let cond = match cond {
            Some(c) => Some(Box::new(self.typed(c, Scope::Applies(r), &Ty::Bool)?)),
            None => None,
        };
        self.deps.entry(me).or_default().push((n, p.loc.clone()));
        Some(Self::mk(
            CKind::Each {
                repeated: r,
                node: n,
                cond,
            },
            Ty::List(Box::new(Ty::Number)),
            &p.loc,
        ))
    }

    fn call(&mut self, name: &ast::Name, args: &[ast::Expr], scope: Scope, loc: &Loc) -> Option<CExpr> {
        let Some(&(_, func, arity)) = Func::ALL.iter().find(|(n, _, _)| *n == name.node) else {
            let names: Vec<&str> = Func::ALL.iter().map(|(n, _, _)| *n).collect();
            let help =
                Self::values_help(&name.node, names.iter().copied()).replace("declared:", "functions:");
            self.diags.push(CheckError::UnknownFunction {
                name: name.node.clone(),
                src: self.src.clone(),
                span: name.loc.span,
                help,
            });
            return None;
        };
        // `round(x, places[, MODE])`; `floor`/`ceil`/`trunc(x[, places])`.
        let is_round = name.node == "round";
        let ok = match arity {
            Some(n) => args.len() == n,
            None if is_round => (2..=3).contains(&args.len()),
            None if matches!(func, Func::Round(_)) => (1..=2).contains(&args.len()),
            None if func == Func::WMean => !args.is_empty() && args.len() % 2 == 0,
            None => !args.is_empty(),
        };
        if !ok {
            let example = match func {
                Func::Clamp => Some("clamp(value / target, 0, 1)"),
                Func::Round(_) if is_round => Some("round(achieved / target, 2, half_even)"),
                Func::Round(_) => Some("floor(achieved / target, 2)"),
                Func::Default => Some("default(fednet, 0)"),
                Func::WMean => Some("wmean(online, 0.8, informational, 0.2)"),
                _ => None,
            };
            self.diags.push(CheckError::Arity {
                name: name.node.clone(),
                expected: match arity {
                    Some(1) => "1 argument".into(),
                    Some(n) => format!("{n} arguments"),
                    None if func == Func::WMean => "pairs of value and weight".into(),
                    None if is_round => "2 or 3 arguments".into(),
                    None if matches!(func, Func::Round(_)) => "1 or 2 arguments".into(),
                    None => "at least 1 argument".into(),
                },
                found: args.len(),
                src: self.src.clone(),
                span: loc.span,
                help: example.map(|e| format!("for example `{e}`")),
            });
            return None;
        }
        if func == Func::Answer {
            let arg = args.first()?;
            let ExprKind::Path(p) = &arg.kind else {
                return self.expect_criterion_name(arg);
            };
            let Some(&n) = self.by_id.get(p) else {
                return self.path(p, &arg.loc, scope).and(None);
            };
            let ty = match self.nodes.get(n).map(|d| &d.kind) {
                Some(NodeKind::Criterion(c)) => match c.answer {
                    AnswerKind::Choice { .. } => Ty::Choice(n),
                    AnswerKind::Multi { .. } => Ty::Set(n),
                    AnswerKind::Number { .. } => Ty::Number,
                    AnswerKind::YesNo => Ty::Bool,
                },
                _ => {
                    // The node may be interpreted later: decide from the AST shape is
                    // not possible here, so groups are rejected.
                    return self.expect_criterion_name(arg);
                }
            };
            if matches!(scope, Scope::Let | Scope::Applies(_) | Scope::Population) {
                self.diags.push(CheckError::NotInScope {
                    name: format!("answer({p})"),
                    place: scope.place(),
                    src: self.src.clone(),
                    span: loc.span,
                    help: "answers are only known in node formulas".into(),
                });
                return None;
            }
            return Some(Self::mk(CKind::Answer(n), ty, loc));
        }
        let (func, args) = match (func, args) {
            (Func::Round(_), [_, _, mode]) => {
                (Func::Round(self.round_mode(mode)?), args.get(..2).unwrap_or(args))
            }
            _ => (func, args),
        };
        let mut out = Vec::new();
        let mut failed = false;
        for (i, a) in args.iter().enumerate() {
            if func.takes_lists() {
                let (p, cond) = match &a.kind {
                    ExprKind::Where(p, c) => (p.as_ref(), Some(c.as_ref())),
                    _ => (a, None),
                };
                let before = self.diags.error_count();
                if let Some(c) = self.each(p, cond, scope) {
                    out.push(c);
                    continue;
                }
                if self.diags.error_count() > before {
                    failed = true;
                    continue;
                }
                if cond.is_some() {
                    // `where` on something that is not a node path.
                    let c = self.expr(a, scope, None);
                    failed |= c.is_none();
                    continue;
                }
            }
            let want = match func {
                Func::IsNa => None,
                Func::Default if i == 1 => out.first().map(|c: &CExpr| c.ty.clone()),
                Func::Default => None,
                _ => Some(Ty::Number),
            };
            let c = match &want {
                Some(t) => self.typed(a, scope, t),
                None => self.expr(a, scope, None),
            };
            match c {
                Some(c) => out.push(c),
                None => failed = true,
            }
        }
        if failed {
            return None;
        }
        if matches!(func, Func::Round(_)) && out.len() == 1 {
            // `floor(x)`: no places written, 0 places.
            out.push(Self::mk(CKind::Num(Decimal::ZERO), Ty::Number, loc));
        }
        if matches!(func, Func::Round(_)) {
            if let Some(CExpr {
                kind: CKind::Num(d),
                loc: l,
                ..
            }) = out.get(1)
            {
                if !d.is_integer() || *d < Decimal::ZERO || *d > Decimal::from(20) {
                    self.diags.push(CheckError::OutOfRange {
                        what: "number of decimal places",
                        value: d.to_string(),
                        src: self.src.clone(),
                        span: l.span,
                        help: "`round(x, places)` takes a whole number of places from 0 to 20".into(),
                    });
                    return None;
                }
            } else if let Some(c) = out.get(1) {
                self.diags.push(CheckError::TypeMismatch {
                    expected: "a whole number written in the rule".into(),
                    found: "a computed value".into(),
                    src: self.src.clone(),
                    span: c.loc.span,
                    help: Some("rounding places must be fixed, e.g. `round(x, 2)`".into()),
                });
                return None;
            }
        }
        let ty = match func {
            Func::IsNa => Ty::Bool,
            Func::Default => out.first().map_or(Ty::Number, |c| c.ty.clone()),
            _ => Ty::Number,
        };
        Some(Self::mk(CKind::Call(func, out), ty, loc))
    }

    fn expect_criterion_name(&mut self, arg: &ast::Expr) -> Option<CExpr> {
        self.diags.push(CheckError::TypeMismatch {
            expected: "a criterion id".into(),
            found: "something else".into(),
            src: self.src.clone(),
            span: arg.loc.span,
            help: Some("`answer(ID)` takes the id of a criterion, e.g. `answer(fednet.1.1)`".into()),
        });
        None
    }

    // --------------------------------------------------------- ordering --

    /// Topological order of nodes: dependencies (children, formula
    /// references) first. Reports cycles.
    fn order(&mut self) -> Vec<NodeIx> {
        let n = self.nodes.len();
        let mut deps: Vec<Vec<(NodeIx, Option<Loc>)>> = vec![Vec::new(); n];
        for (ix, node) in self.nodes.iter().enumerate() {
            let Some(d) = deps.get_mut(ix) else { continue };
            if let NodeKind::Group(g) = &node.kind {
                match g.over {
                    Over::Children => d.extend(node.children.iter().map(|&c| (c, None))),
                    Over::Criteria => {}
                }
            }
            if let Some(refs) = self.deps.get(&ix) {
                d.extend(refs.iter().map(|(t, l)| (*t, Some(l.clone()))));
            }
        }
        // Criteria-over groups depend on every criterion below them.
        for ix in 0..n {
            let over_criteria = matches!(
                self.nodes.get(ix).map(|n| &n.kind),
                Some(NodeKind::Group(Group {
                    over: Over::Criteria,
                    ..
                }))
            );
            if over_criteria {
                let leaves = self.criteria_under(ix);
                if let Some(d) = deps.get_mut(ix) {
                    d.extend(leaves.into_iter().map(|c| (c, None)));
                }
            }
        }
        let mut state = vec![0u8; n];
        let mut order = Vec::with_capacity(n);
        let mut reported = false;
        for start in 0..n {
            if state.get(start) != Some(&0) {
                continue;
            }
            // Iterative DFS.
            let mut stack: Vec<(NodeIx, usize)> = vec![(start, 0)];
            if let Some(s) = state.get_mut(start) {
                *s = 1;
            }
            while let Some((v, i)) = stack.last().cloned() {
                let next = deps.get(v).and_then(|d| d.get(i)).cloned();
                match next {
                    Some((w, loc)) => {
                        if let Some(top) = stack.last_mut() {
                            top.1 += 1;
                        }
                        match state.get(w) {
                            Some(0) => {
                                if let Some(s) = state.get_mut(w) {
                                    *s = 1;
                                }
                                stack.push((w, 0));
                            }
                            Some(1) if !reported => {
                                reported = true;
                                let from = stack.iter().position(|(x, _)| *x == w).unwrap_or(0);
                                let mut names: Vec<String> = stack
                                    .get(from..)
                                    .unwrap_or_default()
                                    .iter()
                                    .map(|(x, _)| self.node_id(*x).to_string())
                                    .collect();
                                names.push(self.node_id(w).to_string());
                                let span = loc.map_or_else(
                                    || self.nodes.get(v).map_or(SourceSpan::from(0..0), |d| d.loc.span),
                                    |l| l.span,
                                );
                                self.diags.push(CheckError::Cycle {
                                    cycle: names.join(" -> "),
                                    src: self.src.clone(),
                                    span,
                                });
                            }
                            _ => {}
                        }
                    }
                    None => {
                        stack.pop();
                        if let Some(s) = state.get_mut(v) {
                            *s = 2;
                        }
                        order.push(v);
                    }
                }
            }
        }
        order
    }

    fn criteria_under(&self, ix: NodeIx) -> Vec<NodeIx> {
        crate::model::criteria_under(&self.nodes, ix)
    }
}

/// Whether a checked expression reads a profile field, directly or through
/// a named value (`lets[i]`: whether let `i` does).
fn reads_profile(e: &CExpr, lets: &[bool]) -> bool {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            CKind::Field(_) => return true,
            CKind::Let(i) if lets.get(*i).copied().unwrap_or(false) => return true,
            CKind::List(items) | CKind::Call(_, items) => stack.extend(items),
            CKind::Neg(a) | CKind::Not(a) => stack.push(a),
            CKind::Binary(_, a, b) => stack.extend([a.as_ref(), b.as_ref()]),
            CKind::If(c, a, b) => stack.extend([c.as_ref(), a.as_ref(), b.as_ref()]),
            CKind::Each { cond: Some(c), .. } => stack.push(c),
            _ => {}
        }
    }
    false
}

/// `a -> b -> … -> a`, at most a dozen names: a long chain keeps its ends.
fn chain_text(names: &[&str]) -> String {
    const KEEP: usize = 5;
    if names.len() <= 2 * KEEP + 1 {
        return names.join(" -> ");
    }
    let head = names.get(..KEEP).unwrap_or_default().join(" -> ");
    let tail = names.get(names.len() - KEEP..).unwrap_or_default().join(" -> ");
    format!("{head} -> … ({} more) … -> {tail}", names.len() - 2 * KEEP)
}

/// A cycle for M0209: `a -> b -> a`, shortened when long.
fn cycle_text(names: &[&str]) -> String {
    chain_text(names)
}

/// Every bare name used in an expression.
fn collect_paths(e: &ast::Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Path(p) => out.push(p.clone()),
        ExprKind::Number(_) | ExprKind::Str(_) => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().for_each(|i| collect_paths(i, out)),
        ExprKind::Unary(_, a) => collect_paths(a, out),
        ExprKind::Binary(_, a, b) | ExprKind::Where(a, b) => {
            collect_paths(a, out);
            collect_paths(b, out);
        }
        ExprKind::If(a, b, c) => {
            collect_paths(a, out);
            collect_paths(b, out);
            collect_paths(c, out);
        }
    }
}
