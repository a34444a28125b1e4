//! The checked model: a rubric whose names are resolved, whose types and
//! weights are validated, and whose formulas are typed.
//!
//! Only `check` builds a [`Model`]; every later stage (plan, eval, render,
//! diff) trusts it. Nodes live in an arena ([`Model::nodes`]) indexed by
//! [`NodeIx`]; node 0 is the root (the rubric itself, scoring one entity).

use indexmap::IndexMap;
use rust_decimal::Decimal;

use crate::diag::{Loc, Src};

mod round;
pub use round::{Precision, RoundMode};
mod units;
pub use units::Unit;

/// Index of a node in [`Model::nodes`].
pub type NodeIx = usize;

/// Labels by language tag, in source order: `{"ar": "نعم", "en": "Yes"}`.
pub type Labels = IndexMap<String, String>;

/// Labels as a reviewer reads them beside an id: `ar "نعم" en "Yes"`
/// (empty when there is none).
pub fn labels_text(l: &Labels) -> String {
    l.iter()
        .map(|(k, v)| format!("{k} \"{v}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A checked rubric.
#[derive(Debug, Clone)]
pub struct Model {
    /// The rule source.
    pub src: Src,
    /// Hex sha256 of the rule source bytes.
    pub sha256: String,
    /// Rubric id, e.g. `uae.integration`.
    pub id: String,
    /// Rubric version (the cycle), e.g. `2018`.
    pub version: String,
    /// `mizan 1`: the language version the file declares.
    pub lang_version: Option<Decimal>,
    /// Titles by language.
    pub title: Labels,
    /// Descriptions by language.
    pub description: Labels,
    /// Decimal places of percentages when rendered, and their rounding
    /// mode (`precision 1 half_even`).
    pub precision: Precision,
    /// `constraint` declarations of the rubric and its nodes, in source
    /// order (judged on every answer set after scoring).
    pub constraints: Vec<ConstraintDef>,
    /// Declared levels, outermost first (empty: levels are free).
    pub levels: Vec<LevelDef>,
    /// Profile fields by name: the entity's (`owner` is `None`), then the
    /// fields of each repeated node's instances.
    pub profile: IndexMap<String, FieldDef>,
    /// Declared scales by name.
    pub scales: IndexMap<String, ScaleDef>,
    /// Declared band sets by name.
    pub band_sets: IndexMap<String, Vec<BandDef>>,
    /// Named values, in evaluation order (each only uses earlier ones).
    pub lets: Vec<LetDef>,
    /// Every node; index 0 is the root.
    pub nodes: Vec<NodeDef>,
    /// Node ids to indices.
    pub by_id: IndexMap<String, NodeIx>,
    /// Nodes in evaluation order: every node after what it depends on.
    pub order: Vec<NodeIx>,
    /// The population level.
    pub population: Population,
    /// `renamed OLD -> NEW`: ids of the version before, and their new ids.
    pub renamed: Vec<(String, String)>,
    /// For each node a template made: the template and the instance.
    pub origins: IndexMap<String, Origin>,
    /// The rubric declaration.
    pub loc: Loc,
    /// `headline a, b, c`: the rubric's headline indicators, in order
    /// (empty: the rubric's own score is its headline).
    pub headlines: Vec<NodeIx>,
    /// `headline …` without a `score` or `aggregate` on the rubric: the
    /// rubric publishes its headlines and no total (its own score is N/A:
    /// it aggregates over no input).
    pub no_total: bool,
}

/// A declared level.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelDef {
    /// Level name.
    pub name: String,
    /// Display labels.
    pub label: Labels,
}

/// A profile field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// Field name.
    pub name: String,
    /// Type.
    pub ty: FieldTy,
    /// Display labels.
    pub label: Labels,
    /// The labels of each value of [`FieldTy::Enum`], in its order (empty
    /// maps where a value has none; empty for other types).
    pub value_labels: Vec<Labels>,
    /// The repeated node whose instances carry it; `None`: the entity.
    pub owner: Option<NodeIx>,
    /// Declaration.
    pub loc: Loc,
}

impl FieldDef {
    /// The value of this `one of` field that `text` is a label of (in any
    /// language), when `text` is no value itself: what a person who wrote
    /// the label meant.
    pub fn value_labelled(&self, text: &str) -> Option<&str> {
        let FieldTy::Enum(values) = &self.ty else {
            return None;
        };
        let i = self
            .value_labels
            .iter()
            .position(|l| l.values().any(|t| t.trim() == text.trim()))?;
        values.get(i).map(String::as_str)
    }
}

/// Profile field types.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldTy {
    /// One of the listed values.
    Enum(Vec<String>),
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
}

/// A declared scale.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleDef {
    /// Scale name.
    pub name: String,
    /// Display labels.
    pub label: Labels,
    /// Options in order.
    pub options: Vec<OptionDef>,
    /// Declaration.
    pub loc: Loc,
}

/// An answer option.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionDef {
    /// Option id.
    pub id: String,
    /// Weight; `None` for the not-applicable and ignored options.
    pub weight: Option<Decimal>,
    /// `ignore`: choosing it leaves the criterion out, whatever the N/A
    /// policy (e.g. "not relevant"), as if it had not been asked.
    pub ignored: bool,
    /// Display labels.
    pub label: Labels,
}

impl OptionDef {
    /// True for the not-applicable option.
    pub fn is_na(&self) -> bool {
        self.weight.is_none() && !self.ignored
    }
}

/// A rating band: scores `>= min` (and below the band before) get it.
#[derive(Debug, Clone, PartialEq)]
pub struct BandDef {
    /// Band id.
    pub id: String,
    /// Lowest score in the band.
    pub min: Decimal,
    /// Display labels.
    pub label: Labels,
}

/// `bands SET [on round(score, N)]` on a node or the population: which
/// band set classifies its score, and on what value.
#[derive(Debug, Clone, PartialEq)]
pub struct BandUse {
    /// The band set's name (a key of [`Model::band_sets`]).
    pub set: String,
    /// `on round(score, N[, MODE])`: the band is judged on the score
    /// rounded to N decimal places (of the score in [0, 1]: `2` is a whole
    /// percentage) in MODE (half away from zero by default); `None`: on
    /// the exact score. Ranking and every other use of the score stay on
    /// the exact value.
    pub on: Option<(u32, RoundMode)>,
    /// The declaration.
    pub loc: Loc,
}

impl BandUse {
    /// The value the band is judged on.
    pub fn judged(&self, score: Decimal) -> Decimal {
        match self.on {
            None => score,
            Some((dp, mode)) => mode.round(score, dp),
        }
    }
}

/// `constraint COND error|warning TEXT` on node `node` (0: the rubric).
#[derive(Debug, Clone)]
pub struct ConstraintDef {
    /// The node it is declared on.
    pub node: NodeIx,
    /// The condition (boolean), read in the node's scope.
    pub expr: CExpr,
    /// `error`: a false condition rejects the answer set (M0425);
    /// `warning`: it is reported (M0426) and the entity is scored.
    pub error: bool,
    /// The message by language.
    pub message: Labels,
    /// The condition as written.
    pub loc: Loc,
}

impl ConstraintDef {
    /// `error` or `warning`.
    pub fn level(&self) -> &'static str {
        if self.error {
            "error"
        } else {
            "warning"
        }
    }
}

/// A code of a `number` criterion: `not_tracking 0`, `pending n/a`,
/// `not_provided missing`.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeDef {
    /// The id answered (a JSON string).
    pub id: String,
    /// What it stands for.
    pub means: CodeValue,
    /// Display labels.
    pub label: Labels,
}

/// What a code stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CodeValue {
    /// This number, as if it had been answered.
    Value(Decimal),
    /// The criterion is N/A (answered N/A).
    Na,
    /// The criterion is unanswered (the missing-answer policy applies).
    Missing,
}

impl CodeValue {
    /// As written: `0`, `n/a`, `missing`.
    pub fn written(self) -> String {
        match self {
            CodeValue::Value(d) => d.normalize().to_string(),
            CodeValue::Na => "n/a".into(),
            CodeValue::Missing => "missing".into(),
        }
    }
}

impl AnswerKind {
    /// Code `i` of a `number` criterion.
    pub fn code(&self, i: usize) -> Option<&CodeDef> {
        match self {
            AnswerKind::Number { codes, .. } => codes.get(i),
            _ => None,
        }
    }
}

/// `let NAME = EXPR`.
#[derive(Debug, Clone)]
pub struct LetDef {
    /// Name.
    pub name: String,
    /// Checked expression.
    pub expr: CExpr,
    /// Declaration.
    pub loc: Loc,
}

/// A node of the hierarchy.
#[derive(Debug, Clone)]
pub struct NodeDef {
    /// Node id (the rubric id for the root).
    pub id: String,
    /// Level name (`None` for the root).
    pub level: Option<String>,
    /// Titles.
    pub title: Labels,
    /// Descriptions.
    pub description: Labels,
    /// Parent (`None` for the root).
    pub parent: Option<NodeIx>,
    /// Children in source order.
    pub children: Vec<NodeIx>,
    /// Depth: 0 for the root.
    pub depth: usize,
    /// Weight in the parent's weighted mean.
    pub weight: Decimal,
    /// Group or criterion.
    pub kind: NodeKind,
    /// `applies when`: the node is not applicable when this is false.
    pub applies: Option<CExpr>,
    /// What a missing answer means (inherited downwards).
    pub missing: MissingPolicy,
    /// Band sets applied to this node's score, in source order; the
    /// first is the headline band (`band` in every output).
    pub bands: Vec<BandUse>,
    /// `repeated`: the node is evaluated once per instance.
    pub repeat: Option<Repeat>,
    /// `requires COND`: a gate; no score unless COND holds.
    pub requires: Option<CExpr>,
    /// The innermost repeated node at or above this one (0: the entity).
    pub scope: NodeIx,
    /// One past the last node of this node's subtree (nodes are in
    /// pre-order, so a subtree is the range `ix..end`).
    pub end: NodeIx,
    /// Declaration.
    pub loc: Loc,
    /// `unit …`: how the node's value reads (declared, or inferred from
    /// its inputs; default percent).
    pub unit: Unit,
}

/// Where a node a template made comes from: `template element for
/// category` copied for the instance `pop`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The template's name.
    pub template: String,
    /// The instance list it is written over.
    pub list: String,
    /// The instance id.
    pub instance: String,
}

/// How the instances of a repeated node combine when read from outside.
#[derive(Debug, Clone)]
pub struct Repeat {
    /// The rule.
    pub rule: InstanceRule,
    /// `when COND else RULE`, evaluated in the enclosing scope.
    pub switch: Option<(CExpr, InstanceRule)>,
    /// `keys LIST`: the instance ids every answer set gives, exactly.
    pub keys: Option<Keys>,
}

/// `repeated … keys LIST`: the instances an answer set must give.
#[derive(Debug, Clone, PartialEq)]
pub struct Keys {
    /// The rubric's instance list.
    pub list: String,
    /// Its instance ids, in source order.
    pub ids: Vec<String>,
    /// For each id, the values the list gives to the node's `fields`
    /// (by field index): they fill in an instance's profile, and a value
    /// the answer set gives must equal them.
    pub fields: Vec<Vec<(usize, crate::answers::ProfileValue)>>,
}

/// How instances combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceRule {
    /// Every node's value is the mean of its instance values that exist.
    Mean,
    /// Answers are merged, the best per criterion (highest weight; an
    /// N/A answer beats an ignored one, which beats no answer), and the
    /// subtree is evaluated once on the merged answers.
    Best,
}

impl InstanceRule {
    /// Every rule with its name.
    pub const ALL: [(&'static str, InstanceRule); 2] =
        [("mean", InstanceRule::Mean), ("best", InstanceRule::Best)];
}

impl NodeDef {
    /// A node with default settings (a mean group, N/A excluded, weight 1,
    /// missing answers an error), before its declarations are interpreted.
    pub fn new(id: String, level: Option<String>, parent: Option<NodeIx>, depth: usize, loc: Loc) -> Self {
        NodeDef {
            id,
            level,
            title: Labels::new(),
            description: Labels::new(),
            parent,
            children: Vec::new(),
            depth,
            weight: Decimal::ONE,
            kind: NodeKind::Group(Group {
                aggregate: Aggregate::Builtin(Builtin::Mean),
                na: NaPolicy::Exclude,
                over: Over::Children,
                normalised: false,
            }),
            applies: None,
            missing: MissingPolicy::Error,
            bands: Vec::new(),
            repeat: None,
            requires: None,
            scope: 0,
            end: 0,
            loc,
            unit: Unit::Percent,
        }
    }
}

/// Every criterion index at or below `ix` in `nodes`, in source order.
pub fn criteria_under(nodes: &[NodeDef], ix: NodeIx) -> Vec<NodeIx> {
    let mut out = Vec::new();
    let mut stack = vec![ix];
    while let Some(i) = stack.pop() {
        if let Some(n) = nodes.get(i) {
            match n.kind {
                NodeKind::Criterion(_) => out.push(i),
                NodeKind::Group(_) => stack.extend(n.children.iter().rev()),
            }
        }
    }
    out
}

/// The scope enclosing node `r`: the innermost repeated node strictly above
/// it (0 for the entity); `None` for the root. For a repeated node, this is
/// the scope its instances are combined into.
pub fn enclosing_scope(nodes: &[NodeDef], r: NodeIx) -> Option<NodeIx> {
    let parent = nodes.get(r)?.parent?;
    Some(nodes.get(parent).map_or(0, |d| d.scope))
}

/// What a node is.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A group of children.
    Group(Group),
    /// A criterion answered by entities.
    Criterion(Criterion),
}

/// How a group scores.
#[derive(Debug, Clone)]
pub struct Group {
    /// The aggregation.
    pub aggregate: Aggregate,
    /// What N/A children do.
    pub na: NaPolicy,
    /// Which nodes the built-in aggregates over.
    pub over: Over,
    /// `normalised`: weights declared to sum to 1.
    pub normalised: bool,
}

/// A group's aggregation.
#[derive(Debug, Clone)]
pub enum Aggregate {
    /// A built-in.
    Builtin(Builtin),
    /// `score EXPR`.
    Formula(CExpr),
}

/// Built-in aggregations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// achieved / target: sum of scores over the number of counted inputs.
    Ratio,
    /// Arithmetic mean.
    Mean,
    /// Σ wᵢ·sᵢ / Σ wᵢ over counted inputs.
    WeightedMean,
    /// Sum.
    Sum,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Number of inputs with a value.
    Count,
}

impl Builtin {
    /// Every built-in with its name.
    pub const ALL: [(&'static str, Builtin); 7] = [
        ("ratio", Builtin::Ratio),
        ("mean", Builtin::Mean),
        ("weighted_mean", Builtin::WeightedMean),
        ("sum", Builtin::Sum),
        ("min", Builtin::Min),
        ("max", Builtin::Max),
        ("count", Builtin::Count),
    ];

    /// The name as written in rules.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, b)| *b == self).map_or("?", |(n, _)| n)
    }
}

/// Which nodes a group aggregates over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// Its direct children (default).
    Children,
    /// Every criterion below it, each counting once.
    Criteria,
}

/// What N/A inputs of a group do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaPolicy {
    /// Left out of numerator and denominator (default).
    Exclude,
    /// Counted as full marks (1).
    Full,
    /// Counted as zero.
    Zero,
}

/// What a missing answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPolicy {
    /// The answer set is rejected (default).
    Error,
    /// The worst option (lowest weight), or a score of 0.
    Worst,
    /// Not applicable.
    Na,
}

/// A criterion.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// What kind of answer it takes.
    pub answer: AnswerKind,
    /// Whether N/A may be answered.
    pub na_allowed: bool,
    /// `score EXPR`; `value` is the answer's weight or number.
    pub score: Option<CExpr>,
    /// KPI baseline.
    pub baseline: Option<Decimal>,
    /// KPI target; `Some(None)` is `target none` (not yet set).
    pub target: Option<Option<Decimal>>,
    /// KPI direction.
    pub direction: Option<Direction>,
}

impl Criterion {
    /// The value of the worst answer, what `missing worst` gives an
    /// unanswered criterion: for a choice, its lowest option weight; for a
    /// multi, the worst combination its `combine` rule can give, the empty
    /// set (0 under every rule; option weights lie in [0, 1], so no
    /// combination gives less); for a number or yes/no, 0.
    pub fn worst_value(&self) -> Decimal {
        match &self.answer {
            AnswerKind::Choice { options, .. } => options
                .iter()
                .filter_map(|o| o.weight)
                .min()
                .unwrap_or(Decimal::ZERO),
            AnswerKind::Multi { .. } | AnswerKind::Number { .. } | AnswerKind::YesNo => Decimal::ZERO,
        }
    }
}

/// KPI direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Higher is better.
    Higher,
    /// Lower is better (e.g. ranks).
    Lower,
}

/// The answer a criterion takes.
#[derive(Debug, Clone)]
pub enum AnswerKind {
    /// One option id.
    Choice {
        /// The options.
        options: Vec<OptionDef>,
        /// Scale name, when shared.
        scale: Option<String>,
    },
    /// A set of option ids.
    Multi {
        /// The options.
        options: Vec<OptionDef>,
        /// Scale name, when shared.
        scale: Option<String>,
        /// How chosen weights combine.
        combine: Combine,
    },
    /// A number.
    Number {
        /// Unit such as `percent`.
        unit: Option<String>,
        /// Lower bound.
        min: Option<Decimal>,
        /// Upper bound.
        max: Option<Decimal>,
        /// `codes { … }`: answers given as a code's id instead of a number.
        codes: Vec<CodeDef>,
    },
    /// `true`/`false` or `"yes"`/`"no"`: 1 or 0.
    YesNo,
}

impl AnswerKind {
    /// The options of a choice criterion.
    pub fn options(&self) -> &[OptionDef] {
        match self {
            AnswerKind::Choice { options, .. } | AnswerKind::Multi { options, .. } => options,
            _ => &[],
        }
    }

    /// A noun for messages.
    pub fn describe(&self) -> &'static str {
        match self {
            AnswerKind::Choice { .. } => "one option id",
            AnswerKind::Multi { .. } => "a list of option ids",
            AnswerKind::Number { .. } => "a number",
            AnswerKind::YesNo => "`yes`, `no`, `true` or `false`",
        }
    }
}

/// How the weights of a multiple-choice answer combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Sum, capped at 1.
    SumCapped,
    /// Sum.
    Sum,
    /// Highest weight.
    Max,
    /// Lowest weight.
    Min,
    /// Mean of the weights.
    Mean,
}

impl Combine {
    /// Every rule with its name.
    pub const ALL: [(&'static str, Combine); 5] = [
        ("sum_capped", Combine::SumCapped),
        ("sum", Combine::Sum),
        ("max", Combine::Max),
        ("min", Combine::Min),
        ("mean", Combine::Mean),
    ];

    /// The name as written in rules.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(_, c)| *c == self).map_or("?", |(n, _)| n)
    }
}

/// The population level: all evaluated entities.
#[derive(Debug, Clone)]
pub struct Population {
    /// How entity scores combine.
    pub aggregate: PopAggregate,
    /// Band sets of the population score (the first is the headline).
    pub bands: Vec<BandUse>,
    /// `rank [when COND]`: entities are ranked by score, highest first,
    /// ties sharing a rank (1, 2, 2, 4); with COND, only entities whose
    /// profile meets it.
    pub rank: Option<Option<CExpr>>,
}

/// How entity scores combine.
#[derive(Debug, Clone)]
pub enum PopAggregate {
    /// A built-in over entities with a score.
    Builtin(Builtin),
    /// A formula over `sum`, `count`, `mean`, `min`, `max`.
    Formula(CExpr),
}

/// The type of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// A decimal number.
    Number,
    /// `true`/`false`.
    Bool,
    /// The option chosen for a criterion.
    Choice(NodeIx),
    /// The set of options chosen for a criterion.
    Set(NodeIx),
    /// A value of an enum profile field.
    Enum(usize),
    /// A string.
    Str,
    /// A list of values of one type.
    List(Box<Ty>),
}

/// Context variables of a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// Criterion: the chosen weight or the number answered.
    Value,
    /// Criterion: KPI baseline.
    Baseline,
    /// Criterion: KPI target. Group: number (or weight) of counted inputs.
    Target,
    /// Group: sum of counted input scores.
    Achieved,
    /// Group: number of inputs with a value. Population: entities with a score.
    Count,
    /// Population: sum of entity scores.
    Sum,
    /// Population: mean of entity scores.
    Mean,
    /// Population: lowest entity score.
    Min,
    /// Population: highest entity score.
    Max,
}

impl Var {
    /// The name as written.
    pub fn name(self) -> &'static str {
        match self {
            Var::Value => "value",
            Var::Baseline => "baseline",
            Var::Target => "target",
            Var::Achieved => "achieved",
            Var::Count => "count",
            Var::Sum => "sum",
            Var::Mean => "mean",
            Var::Min => "min",
            Var::Max => "max",
        }
    }
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    /// `min(a, b, …)`, N/A arguments ignored.
    Min,
    /// `max(a, b, …)`, N/A arguments ignored.
    Max,
    /// `mean(a, b, …)`, N/A arguments ignored.
    Mean,
    /// `sum(a, b, …)`, N/A arguments ignored.
    Sum,
    /// `clamp(x, lo, hi)`.
    Clamp,
    /// `round(x, places[, MODE])` (half away from zero by default);
    /// also `floor(x[, places])` (`Floor`), `ceil` (`Ceiling`) and `trunc`
    /// (`Down`), with places 0 when not given.
    Round(RoundMode),
    /// `abs(x)`.
    Abs,
    /// `is_na(x)`.
    IsNa,
    /// `default(x, d)`: `d` when `x` is N/A.
    Default,
    /// `answer(criterion)`: the answer itself.
    Answer,
    /// `count(a, b, …)`: how many arguments have a value.
    Count,
    /// `wmean(x1, w1, x2, w2, …)`: Σ wᵢxᵢ / Σ wᵢ over the xᵢ that have a
    /// value (weights re-normalised over what exists).
    WMean,
}

impl Func {
    /// Every function with its name and arity (`None`: one or more).
    pub const ALL: [(&'static str, Func, Option<usize>); 15] = [
        ("min", Func::Min, None),
        ("max", Func::Max, None),
        ("mean", Func::Mean, None),
        ("sum", Func::Sum, None),
        ("clamp", Func::Clamp, Some(3)),
        ("round", Func::Round(RoundMode::HalfUp), None),
        ("floor", Func::Round(RoundMode::Floor), None),
        ("ceil", Func::Round(RoundMode::Ceiling), None),
        ("trunc", Func::Round(RoundMode::Down), None),
        ("abs", Func::Abs, Some(1)),
        ("is_na", Func::IsNa, Some(1)),
        ("default", Func::Default, Some(2)),
        ("answer", Func::Answer, Some(1)),
        ("count", Func::Count, None),
        ("wmean", Func::WMean, None),
    ];

    /// Functions that take lists of instance values (`svc.oa where …`).
    pub fn takes_lists(self) -> bool {
        matches!(self, Func::Min | Func::Max | Func::Mean | Func::Sum | Func::Count)
    }

    /// The name as written.
    pub fn name(self) -> &'static str {
        if let Func::Round(_) = self {
            return "round";
        }
        Self::ALL
            .iter()
            .find(|(_, f, _)| *f == self)
            .map_or("?", |(n, _, _)| n)
    }
}

/// Comparison and arithmetic operators, as in the AST.
pub use crate::ast::BinOp;

/// A checked expression: every name resolved to an index.
#[derive(Debug, Clone)]
pub struct CExpr {
    /// The form.
    pub kind: CKind,
    /// Its type.
    pub ty: Ty,
    /// Where it was written.
    pub loc: Loc,
}

/// Checked expression forms.
#[derive(Debug, Clone)]
pub enum CKind {
    /// A number.
    Num(Decimal),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
    /// The score of a node.
    Node(NodeIx),
    /// A named value.
    Let(usize),
    /// A context variable.
    Var(Var),
    /// A profile field's value.
    Field(usize),
    /// An enum value of a profile field: (field, value index).
    EnumLit(usize, usize),
    /// An option of a criterion: (criterion, option index).
    OptionLit(NodeIx, usize),
    /// The answer of a criterion.
    Answer(NodeIx),
    /// `[a, b]`.
    List(Vec<CExpr>),
    /// `-x`.
    Neg(Box<CExpr>),
    /// `not x`.
    Not(Box<CExpr>),
    /// `a op b`.
    Binary(BinOp, Box<CExpr>, Box<CExpr>),
    /// `if c then a else b`.
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    /// `f(args)`.
    Call(Func, Vec<CExpr>),
    /// The values of `node` in each instance of the repeated node
    /// `repeated` (directly nested in the current scope) whose fields
    /// satisfy `cond`.
    Each {
        /// The repeated node.
        repeated: NodeIx,
        /// The node read in each instance.
        node: NodeIx,
        /// The filter.
        cond: Option<Box<CExpr>>,
    },
}

impl Model {
    /// The root node (the rubric's own score for one entity).
    #[expect(
        clippy::indexing_slicing,
        reason = "the checker always creates the root first"
    )]
    pub fn root(&self) -> &NodeDef {
        &self.nodes[0]
    }

    /// Criteria (leaves) in source order.
    pub fn criteria(&self) -> impl Iterator<Item = (NodeIx, &NodeDef, &Criterion)> {
        self.nodes.iter().enumerate().filter_map(|(i, n)| match &n.kind {
            NodeKind::Criterion(c) => Some((i, n, c)),
            NodeKind::Group(_) => None,
        })
    }

    /// Top-level groups (children of the root).
    pub fn top_level(&self) -> &[NodeIx] {
        &self.root().children
    }

    /// The band of `score` (as it is judged: [`BandUse::judged`]) in one
    /// band set.
    pub fn band_in(&self, band: &BandUse, score: Decimal) -> Option<&BandDef> {
        let judged = band.judged(score);
        self.band_sets.get(&band.set)?.iter().find(|b| judged >= b.min)
    }

    /// The headline band of `score` under `uses` (a node's or the
    /// population's band sets): its band in the first set.
    pub fn band(&self, uses: &[BandUse], score: Decimal) -> Option<&BandDef> {
        self.band_in(uses.first()?, score)
    }

    /// The band of `score` in each of `uses`, in order: `(set, band)`.
    pub fn bands<'a>(&'a self, uses: &'a [BandUse], score: Decimal) -> Vec<(&'a str, Option<&'a BandDef>)> {
        uses.iter()
            .map(|u| (u.set.as_str(), self.band_in(u, score)))
            .collect()
    }

    /// A band set's band by id (for its labels).
    pub fn band_def(&self, set: &str, id: &str) -> Option<&BandDef> {
        self.band_sets.get(set)?.iter().find(|b| b.id == id)
    }

    /// Every criterion index below `ix` (or `ix` itself when a criterion).
    pub fn criteria_under(&self, ix: NodeIx) -> Vec<NodeIx> {
        criteria_under(&self.nodes, ix)
    }

    /// The entity's own profile fields (not those of instances).
    pub fn entity_fields(&self) -> impl Iterator<Item = (usize, &FieldDef)> {
        self.profile
            .values()
            .enumerate()
            .filter(|(_, f)| f.owner.is_none())
    }

    /// The fields each instance of repeated node `r` carries.
    pub fn instance_fields(&self, r: NodeIx) -> impl Iterator<Item = (usize, &FieldDef)> {
        self.profile
            .values()
            .enumerate()
            .filter(move |(_, f)| f.owner == Some(r))
    }

    /// The scope enclosing node `r` (see [`enclosing_scope`]).
    pub fn enclosing_scope(&self, r: NodeIx) -> Option<NodeIx> {
        enclosing_scope(&self.nodes, r)
    }

    /// The repeated nodes whose instances live directly in `scope` (0: the
    /// entity), in node order.
    pub fn repeated_in(&self, scope: NodeIx) -> impl Iterator<Item = NodeIx> + '_ {
        (0..self.nodes.len()).filter(move |&r| {
            self.nodes.get(r).is_some_and(|n| n.repeat.is_some()) && self.enclosing_scope(r) == Some(scope)
        })
    }

    /// True when a repeated node declares `keys LIST`: an answer set must
    /// then give its instances (the fast readers leave it to the exact one).
    pub fn has_keys(&self) -> bool {
        self.nodes
            .iter()
            .any(|n| n.repeat.as_ref().is_some_and(|r| r.keys.is_some()))
    }

    /// True when the model has repeated nodes.
    pub fn has_instances(&self) -> bool {
        self.nodes.iter().any(|n| n.repeat.is_some())
    }
}
