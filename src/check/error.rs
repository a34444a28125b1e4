//! Errors and warnings of the checker (codes M02xx: names, M03xx: types and
//! weights). Each variant's doc line shows a minimal snippet that triggers it.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::diag::Src;

/// A problem found while checking a rubric.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum CheckError {
    /// `criterion c1 { … } criterion c1 { … }` — two declarations share a name.
    #[error("duplicate {what} `{name}`")]
    #[diagnostic(
        code(M0201),
        url("docs/diagnostics.md#m0201"),
        help("every {what} must have its own name{}", duplicate_more(what))
    )]
    Duplicate {
        /// "node id", "option", "scale"…
        what: &'static str,
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Second declaration.
        #[label("declared again here")]
        span: SourceSpan,
        /// First declaration.
        #[label("first declared here")]
        first: SourceSpan,
    },

    /// `choice yes_no` where no `scale yes_no` is declared.
    #[error("unknown scale `{name}`")]
    #[diagnostic(code(M0202), url("docs/diagnostics.md#m0202"))]
    UnknownScale {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("no scale of this name")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// `score fednet.9 / 2` where no node `fednet.9` exists.
    #[error("unknown name `{name}`")]
    #[diagnostic(code(M0203), url("docs/diagnostics.md#m0203"))]
    UnknownName {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("not a node, named value, formula or variable here")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// `repeated mean keys categry` where no `instances categry` exists.
    #[error("unknown instance list `{name}` in `keys`")]
    #[diagnostic(code(M0326), url("docs/diagnostics.md#m0326"))]
    UnknownKeys {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("no `instances {name}` is declared in the rubric")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },

    /// `repeated keys category` with `fields { group: one of social }` and
    /// an instance `{ group: socal }` in the list.
    #[error("instance `{instance}` gives field `{field}` the value `{value}`, which `{node}` does not take")]
    #[diagnostic(code(M0327), url("docs/diagnostics.md#m0327"))]
    KeysField {
        /// The field.
        field: String,
        /// The value as written.
        value: String,
        /// The instance id.
        instance: String,
        /// The repeated node.
        node: String,
        /// File.
        #[source_code]
        src: Src,
        /// The value.
        #[label("not a value of the field `{field}` of `{node}`")]
        span: SourceSpan,
        /// Explanation.
        #[help]
        help: String,
    },

    /// `levels { pillar }` then `section s1 { … }`.
    #[error("unknown level `{name}`")]
    #[diagnostic(code(M0204), url("docs/diagnostics.md#m0204"))]
    UnknownLevel {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("not declared in `levels`")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },

    /// `criterion c { axis a { … } }` when `levels` puts `axis` above `criterion`.
    #[error("level `{child}` cannot be inside level `{parent}`")]
    #[diagnostic(
        code(M0205),
        url("docs/diagnostics.md#m0205"),
        help("`levels` lists levels outermost first; a node must be at a deeper level than its parent")
    )]
    LevelOrder {
        /// Child level.
        child: String,
        /// Parent level.
        parent: String,
        /// File.
        #[source_code]
        src: Src,
        /// Child.
        #[label("this level")]
        span: SourceSpan,
    },

    /// `applies when sector == health` where the profile declares no `sector`.
    #[error("unknown profile field `{name}`")]
    #[diagnostic(code(M0206), url("docs/diagnostics.md#m0206"))]
    UnknownField {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("not declared in `profile`")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// `applies when role == provider` where `role` is `one of data_provider, …`.
    #[error("unknown {what} `{name}`")]
    #[diagnostic(code(M0207), url("docs/diagnostics.md#m0207"))]
    UnknownValue {
        /// "value of `role`", "option of `q1`".
        what: String,
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("not one of the declared values")]
        span: SourceSpan,
        /// Suggestion and list.
        #[help]
        help: String,
    },

    /// `bands grade` where only `bands grades { … }` is declared.
    #[error("unknown band set `{name}`")]
    #[diagnostic(code(M0208), url("docs/diagnostics.md#m0208"))]
    UnknownBands {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("no band set of this name")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: Option<String>,
    },

    /// `group a { score b }` and `group b { score a }`.
    #[error("formulas depend on each other in a cycle: {cycle}")]
    #[diagnostic(
        code(M0209),
        url("docs/diagnostics.md#m0209"),
        help("a score cannot depend on itself; break the cycle by removing one of the references")
    )]
    Cycle {
        /// `a -> b -> a`.
        cycle: String,
        /// File.
        #[source_code]
        src: Src,
        /// One member of the cycle.
        #[label("part of the cycle")]
        span: SourceSpan,
    },

    /// An expression nested too deeply once formula templates are expanded
    /// in place: a long chain of formulas that use one another.
    ///
    /// `formula f1 = f0 + 1`, `formula f2 = f1 + 1`, … 300 formulas deep.
    #[error("{what} is nested more than {max} levels deep once formulas are expanded{chain}")]
    #[diagnostic(
        code(M0220),
        url("docs/diagnostics.md#m0220"),
        help("each formula template is copied where it is used, so a chain of templates nests one inside the other: compute intermediate results with `let` values (evaluated once, in order) or let a group aggregate them")
    )]
    ExpandedTooDeep {
        /// "this expression".
        what: &'static str,
        /// The limit.
        max: usize,
        /// ": f3 -> f2 -> f1 -> …", the templates being expanded.
        chain: String,
        /// File.
        #[source_code]
        src: Src,
        /// The expression, where it uses the first template.
        #[label("too deep once expanded")]
        span: SourceSpan,
    },

    /// Formula templates that expand to too many parts: each use copies the
    /// template, so templates using others several times grow exponentially.
    ///
    /// `formula f1 = f0 + f0`, `formula f2 = f1 + f1`, … 30 formulas.
    #[error("formulas expand to more than {max} parts in all{chain}")]
    #[diagnostic(
        code(M0221),
        url("docs/diagnostics.md#m0221"),
        help("each formula template is copied where it is used: a template that uses another twice doubles in size; compute shared parts once with `let` values")
    )]
    ExpandedTooLarge {
        /// The limit.
        max: usize,
        /// ": f3 -> f2 -> …", the templates being expanded.
        chain: String,
        /// File.
        #[source_code]
        src: Src,
        /// The expression whose expansion passes the limit.
        #[label("the limit is passed expanding this")]
        span: SourceSpan,
    },

    /// `score average(a, b)`.
    #[error("unknown function `{name}`")]
    #[diagnostic(code(M0210), url("docs/diagnostics.md#m0210"))]
    UnknownFunction {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Call.
        #[label("not a function")]
        span: SourceSpan,
        /// Suggestion and list.
        #[help]
        help: String,
    },

    /// `missing sometimes` — a keyword setting with a value it does not take.
    #[error("unknown {what} `{name}`")]
    #[diagnostic(code(M0211), url("docs/diagnostics.md#m0211"))]
    UnknownSetting {
        /// "missing-answer policy", "aggregation"…
        what: &'static str,
        /// The value.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Value.
        #[label("not allowed here")]
        span: SourceSpan,
        /// The allowed values.
        #[help]
        help: String,
    },

    /// `criterion c { aggregate mean choice yes_no }` — a declaration where it has no meaning.
    #[error("`{what}` {why}")]
    #[diagnostic(code(M0212), url("docs/diagnostics.md#m0212"))]
    Misplaced {
        /// The declaration keyword.
        what: String,
        /// Why it does not belong.
        why: String,
        /// File.
        #[source_code]
        src: Src,
        /// Declaration.
        #[label("not allowed here")]
        span: SourceSpan,
        /// Where it belongs.
        #[help]
        help: Option<String>,
    },

    /// `weight 1 weight 2` in one node.
    #[error("`{what}` is declared more than once")]
    #[diagnostic(code(M0213), url("docs/diagnostics.md#m0213"), help("keep one declaration"))]
    Repeated {
        /// The declaration keyword.
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// Second declaration.
        #[label("declared again here")]
        span: SourceSpan,
        /// First declaration.
        #[label("first declared here")]
        first: SourceSpan,
    },

    /// `rubric demo { }` with no `version`.
    #[error("rubric `{id}` has no version")]
    #[diagnostic(
        code(M0214),
        url("docs/diagnostics.md#m0214"),
        help("add `version \"2024\"`: answer sets name the rubric and the version they answer")
    )]
    MissingVersion {
        /// Rubric id.
        id: String,
        /// File.
        #[source_code]
        src: Src,
        /// Rubric header.
        #[label("declared here")]
        span: SourceSpan,
    },

    /// `criterion c { }` — neither an answer kind nor children.
    #[error("node `{id}` {why}")]
    #[diagnostic(code(M0215), url("docs/diagnostics.md#m0215"))]
    NodeShape {
        /// Node id.
        id: String,
        /// What is wrong.
        why: &'static str,
        /// File.
        #[source_code]
        src: Src,
        /// Node.
        #[label("this node")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: &'static str,
    },

    /// `score value * 2` in a group, where `value` only exists in criteria.
    #[error("`{name}` is not available {place}")]
    #[diagnostic(code(M0216), url("docs/diagnostics.md#m0216"))]
    NotInScope {
        /// The variable.
        name: String,
        /// "in a group formula"…
        place: &'static str,
        /// File.
        #[source_code]
        src: Src,
        /// Use.
        #[label("not available here")]
        span: SourceSpan,
        /// What is available.
        #[help]
        help: String,
    },

    /// `svc.oa` read where the instances of `svc` are not directly nested.
    #[error("`{name}` is inside repeated node `{repeated}` and cannot be read {place}")]
    #[diagnostic(code(M0217), url("docs/diagnostics.md#m0217"))]
    InstanceScope {
        /// The node read.
        name: String,
        /// The repeated node it belongs to.
        repeated: String,
        /// "from `x`"…
        place: String,
        /// File.
        #[source_code]
        src: Src,
        /// Use.
        #[label("read here")]
        span: SourceSpan,
        /// What is allowed.
        #[help]
        help: String,
    },

    /// `yes 1.5` — an option weight outside [0, 1].
    #[error("{what} `{value}` is out of range")]
    #[diagnostic(code(M0301), url("docs/diagnostics.md#m0301"))]
    OutOfRange {
        /// "option weight"…
        what: &'static str,
        /// The number.
        value: String,
        /// File.
        #[source_code]
        src: Src,
        /// Number.
        #[label("out of range")]
        span: SourceSpan,
        /// The range.
        #[help]
        help: String,
    },

    /// `scale low { some 0.5 none 0 }` — no option earns full marks.
    #[error("scale `{name}` has no full-score option")]
    #[diagnostic(
        code(M0302),
        url("docs/diagnostics.md#m0302"),
        help("give the best option weight 1, so that a perfect answer scores 100%")
    )]
    NoFullScore {
        /// Scale name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Scale.
        #[label("best option is below 1")]
        span: SourceSpan,
    },

    /// `multi { a 0.25 b 0.25 } combine sum` — even all options score below 1.
    #[error("criterion `{id}` can never reach full score")]
    #[diagnostic(code(M0303), url("docs/diagnostics.md#m0303"))]
    Unreachable {
        /// Criterion id.
        id: String,
        /// File.
        #[source_code]
        src: Src,
        /// Answer declaration.
        #[label("best possible answer scores {best}")]
        span: SourceSpan,
        /// Best score.
        best: String,
        /// What to do.
        #[help]
        help: &'static str,
    },

    /// `na forbidden` on a criterion whose inline options include `na n/a`.
    #[error("criterion `{id}` forbids N/A but offers an N/A option")]
    #[diagnostic(
        code(M0304),
        url("docs/diagnostics.md#m0304"),
        help("remove the `n/a` option, or remove `na forbidden`")
    )]
    NaNotAllowed {
        /// Criterion id.
        id: String,
        /// File.
        #[source_code]
        src: Src,
        /// The N/A option.
        #[label("N/A option")]
        span: SourceSpan,
        /// The `na forbidden`.
        #[label("N/A forbidden here")]
        decl: SourceSpan,
    },

    /// `score answer(q1) + 1` where `q1` is a choice.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(M0305), url("docs/diagnostics.md#m0305"))]
    TypeMismatch {
        /// Expected type.
        expected: String,
        /// Found type.
        found: String,
        /// File.
        #[source_code]
        src: Src,
        /// Expression.
        #[label("this is {found}")]
        span: SourceSpan,
        /// Hint.
        #[help]
        help: Option<String>,
    },

    /// `aggregate weighted_mean normalised` with child weights 0.5 and 0.4.
    #[error("weights of `{id}` are declared normalised but sum to {sum}")]
    #[diagnostic(
        code(M0306),
        severity(Warning),
        url("docs/diagnostics.md#m0306"),
        help(
            "make the children's weights sum to 1, or drop `normalised` (weighted means re-normalise anyway)"
        )
    )]
    NotNormalised {
        /// Group id.
        id: String,
        /// The sum.
        sum: String,
        /// File.
        #[source_code]
        src: Src,
        /// Aggregate declaration.
        #[label("declared normalised here")]
        span: SourceSpan,
    },

    /// `scale spare { … }` that no criterion uses.
    #[error("scale `{name}` is never used")]
    #[diagnostic(
        code(M0307),
        severity(Warning),
        url("docs/diagnostics.md#m0307"),
        help("remove it, or use it with `choice {name}`")
    )]
    UnusedScale {
        /// Scale name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Scale.
        #[label("declared here")]
        span: SourceSpan,
    },

    /// `na n/a` and `skip n/a` in one option list.
    #[error("more than one N/A option")]
    #[diagnostic(
        code(M0308),
        url("docs/diagnostics.md#m0308"),
        help("mark exactly one option `n/a`")
    )]
    SeveralNa {
        /// File.
        #[source_code]
        src: Src,
        /// Second N/A option.
        #[label("second N/A option")]
        span: SourceSpan,
        /// First one.
        #[label("first N/A option")]
        first: SourceSpan,
    },

    /// `criterion k { number percent }` with no `score`.
    #[error("numeric criterion `{id}` has no score formula")]
    #[diagnostic(
        code(M0309),
        url("docs/diagnostics.md#m0309"),
        help(
            "add `score EXPR` using `value` (the number answered), e.g. `score clamp(value / target, 0, 1)`"
        )
    )]
    MissingScore {
        /// Criterion id.
        id: String,
        /// File.
        #[source_code]
        src: Src,
        /// Criterion.
        #[label("needs a score formula")]
        span: SourceSpan,
    },

    /// `number percent 100..0`.
    #[error("lower bound {min} is above upper bound {max}")]
    #[diagnostic(
        code(M0310),
        url("docs/diagnostics.md#m0310"),
        help("write bounds as `MIN..MAX`")
    )]
    BadBounds {
        /// Lower.
        min: String,
        /// Upper.
        max: String,
        /// File.
        #[source_code]
        src: Src,
        /// Range.
        #[label("empty range")]
        span: SourceSpan,
    },

    /// `target none` — a KPI without a target yet is N/A for every entity.
    #[error("`{id}` has no target yet and will be N/A")]
    #[diagnostic(
        code(M0311),
        severity(Warning),
        url("docs/diagnostics.md#m0311"),
        help("set `target NUMBER` once the target is published")
    )]
    NoTarget {
        /// KPI id.
        id: String,
        /// File.
        #[source_code]
        src: Src,
        /// `target none`.
        #[label("target not set")]
        span: SourceSpan,
    },

    /// `clamp(x, 0)`.
    #[error("`{name}` takes {expected}, found {found}")]
    #[diagnostic(code(M0312), url("docs/diagnostics.md#m0312"))]
    Arity {
        /// Function.
        name: String,
        /// "3 arguments".
        expected: String,
        /// Count found.
        found: usize,
        /// File.
        #[source_code]
        src: Src,
        /// Call.
        #[label("wrong number of arguments")]
        span: SourceSpan,
        /// Example.
        #[help]
        help: Option<String>,
    },

    /// `bands g { low >= 0 high >= 0.9 }` — bands must go from highest to lowest.
    #[error("band `{id}` is not below the band before it")]
    #[diagnostic(
        code(M0313),
        url("docs/diagnostics.md#m0313"),
        help("list bands from the highest threshold to the lowest; a score gets the first band it reaches")
    )]
    BandOrder {
        /// Band id.
        id: String,
        /// File.
        #[source_code]
        src: Src,
        /// Threshold.
        #[label("threshold not below the previous one")]
        span: SourceSpan,
    },

    /// `na allowed` on a choice whose options have no `n/a` option.
    #[error("criterion `{id}` allows N/A but has no N/A option")]
    #[diagnostic(
        code(M0314),
        url("docs/diagnostics.md#m0314"),
        help("add an option marked `n/a` (e.g. `na n/a en \"Not applicable\"`), or remove `na allowed`")
    )]
    NaWithoutOption {
        /// Criterion id.
        id: String,
        /// File.
        #[source_code]
        src: Src,
        /// `na allowed`.
        #[label("N/A allowed here")]
        span: SourceSpan,
    },

    /// `score value / 0`, or `1 / z` with `let z = 0`: the divisor is always 0.
    #[error("division by zero in {place}: the divisor is always 0")]
    #[diagnostic(code(M0315), url("docs/diagnostics.md#m0315"))]
    ConstantDivision {
        /// "the formula of `k`", "named value `z`"…
        place: String,
        /// File.
        #[source_code]
        src: Src,
        /// The divisor.
        #[label("this is always 0")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: String,
    },

    /// `let big = 10000000000 * 10000000000 * 10000000000`: too large for a decimal.
    #[error("{place} is too large for a decimal (magnitude 2⁹⁶ ≈ 7.9 × 10²⁸ or more)")]
    #[diagnostic(
        code(M0316),
        url("docs/diagnostics.md#m0316"),
        help("every evaluation would fail with M0503: use smaller numbers")
    )]
    ConstantOverflow {
        /// "the formula of `k`"…
        place: String,
        /// File.
        #[source_code]
        src: Src,
        /// The operation.
        #[label("overflows")]
        span: SourceSpan,
    },

    /// `clamp(value, 1, 0)`: the lower bound is above the upper bound.
    #[error("`clamp` bounds are inverted: the lower bound {lo} is above the upper bound {hi}")]
    #[diagnostic(code(M0317), url("docs/diagnostics.md#m0317"))]
    InvertedClamp {
        /// Lower bound.
        lo: String,
        /// Upper bound.
        hi: String,
        /// File.
        #[source_code]
        src: Src,
        /// The call.
        #[label("always {hi}, whatever the value")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: String,
    },

    /// `aggregate weighted_mean` whose inputs all have `weight 0`.
    #[error("the weights of {what} sum to zero")]
    #[diagnostic(code(M0318), url("docs/diagnostics.md#m0318"))]
    ZeroWeights {
        /// "the inputs of `g`", "`wmean`"…
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// The aggregation.
        #[label("{consequence}")]
        span: SourceSpan,
        /// What it gives.
        consequence: &'static str,
        /// What to do.
        #[help]
        help: &'static str,
    },

    /// `if 1 > 2 then value else 0`, `applies when false`: a condition that never changes.
    #[error("this condition is always {value}")]
    #[diagnostic(code(M0319), severity(Warning), url("docs/diagnostics.md#m0319"))]
    ConstantCondition {
        /// `true`, `false` or N/A.
        value: &'static str,
        /// File.
        #[source_code]
        src: Src,
        /// The condition.
        #[label("{effect}")]
        span: SourceSpan,
        /// What it means.
        effect: String,
        /// What to do.
        #[help]
        help: &'static str,
    },

    /// `criterion c { yesno  score 1.5 }`: a criterion score outside [0, 1] on every evaluation.
    #[error("the score of `{id}` is always {value}, outside {range}")]
    #[diagnostic(
        code(M0320),
        url("docs/diagnostics.md#m0320"),
        help("a criterion scores within its unit's range (0 to 1 unless it declares a `unit`); every answer set would be rejected with M0502")
    )]
    ConstantScoreOutOfRange {
        /// Criterion id.
        id: String,
        /// The score.
        value: String,
        /// The range of the criterion's unit: `[0, 1]`, `0..10 (score 0..10)`.
        range: String,
        /// File.
        #[source_code]
        src: Src,
        /// The formula.
        #[label("always {value}")]
        span: SourceSpan,
    },

    /// `score value / target` on a criterion with no `target`: always N/A.
    #[error("the {what} is always N/A")]
    #[diagnostic(code(M0321), severity(Warning), url("docs/diagnostics.md#m0321"))]
    AlwaysNa {
        /// "score formula of `k`", "population formula"…
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// The formula.
        #[label("N/A for every entity")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: &'static str,
    },

    /// `direction lower` with `baseline 20  target 60`: the target is on the worse side.
    #[error("`{id}` is `direction {direction}`, but its target {target} is {side} its baseline {baseline}")]
    #[diagnostic(code(M0322), url("docs/diagnostics.md#m0322"))]
    DirectionAgainstTarget {
        /// KPI id.
        id: String,
        /// `higher` or `lower`.
        direction: &'static str,
        /// Target.
        target: String,
        /// Baseline.
        baseline: String,
        /// "above" or "below".
        side: &'static str,
        /// File.
        #[source_code]
        src: Src,
        /// The direction.
        #[label("declared here")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: String,
    },

    /// `direction lower` with `score clamp(value / target, 0, 1)`: better values score less.
    #[error("`{id}` is `direction {direction}`, but its score formula gives the better value {better} a lower score than {worse}")]
    #[diagnostic(code(M0323), url("docs/diagnostics.md#m0323"))]
    FormulaAgainstDirection {
        /// KPI id.
        id: String,
        /// `higher` or `lower`.
        direction: &'static str,
        /// The better value and its score.
        better: String,
        /// The worse value and its score.
        worse: String,
        /// File.
        #[source_code]
        src: Src,
        /// The formula.
        #[label("the score falls as the value improves")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: &'static str,
    },

    /// `number percent 0..100  target 120`: no answer can reach the target.
    #[error("{what} {value} of `{id}` is outside the answer's bounds {bounds}")]
    #[diagnostic(
        code(M0324),
        severity(Warning),
        url("docs/diagnostics.md#m0324"),
        help("no answer can ever equal it: check the bounds, or the {what}")
    )]
    OutsideBounds {
        /// "target" or "baseline".
        what: &'static str,
        /// The number.
        value: String,
        /// KPI id.
        id: String,
        /// `MIN..MAX`.
        bounds: String,
        /// File.
        #[source_code]
        src: Src,
        /// The declaration.
        #[label("outside {bounds}")]
        span: SourceSpan,
    },

    /// `bands grades on score * 100`: a band set is judged on the node's
    /// score or on the score rounded to a number of decimal places.
    #[error("a band set is judged on `score` or `round(score, N)`, not on `{found}`")]
    #[diagnostic(
        code(M0325),
        url("docs/diagnostics.md#m0325"),
        help("write `bands {set} on round(score, 2)` to band the score rounded to a whole percentage (N is 0 to 28); thresholds stay in the 0..1 scale of scores")
    )]
    BandsOn {
        /// The band set.
        set: String,
        /// What was written.
        found: String,
        /// File.
        #[source_code]
        src: Src,
        /// The expression.
        #[label("not `score` or `round(score, N)`")]
        span: SourceSpan,
    },

    /// `round(x, 1, bankers)` — the third argument of `round` names a
    /// rounding mode.
    #[error("unknown rounding mode `{name}`")]
    #[diagnostic(code(M0337), url("docs/diagnostics.md#m0337"))]
    UnknownRoundMode {
        /// What was written.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// The argument.
        #[label("not a rounding mode")]
        span: SourceSpan,
        /// Suggestion and the list of modes.
        #[help]
        help: String,
    },
}

/// More help for a duplicate node id: a question counted in two groups.
fn duplicate_more(what: &str) -> &'static str {
    if what == "node id" {
        "; a question cannot be placed in two groups. Declare it once, and let the other group read its score in a formula, e.g. `score mean(q1, q7)` (see docs/language.md, \"Formula nodes\"), or pool the criteria of both groups with `aggregate mean over criteria` on the group above them"
    } else {
        ""
    }
}
