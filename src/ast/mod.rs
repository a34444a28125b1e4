//! The abstract syntax tree: what a rule file says, with a [`Loc`] on every
//! piece, before any name is resolved or any weight is checked.
//!
//! The AST keeps declarations in source order and keeps duplicates: it is
//! the checker's job to reject them, and the formatter's job to print them
//! back. Two ASTs that differ only in layout compare equal (`Loc` equality
//! ignores positions).

mod display;

use rust_decimal::Decimal;

use crate::diag::Loc;

/// A value with the location it was written at.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub loc: Loc,
}

/// A name or dotted path as written.
pub type Name = Spanned<String>;

/// Bilingual text: `ar "نعم" en "Yes"`, tags in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// `(language tag, text)` pairs.
    pub entries: Vec<(Name, Spanned<String>)>,
    /// The whole text.
    pub loc: Loc,
}

/// A whole rule file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// `mizan 1`: the language version the file is written for.
    pub lang_version: Option<Spanned<Decimal>>,
    /// The rubric.
    pub rubric: Rubric,
}

/// `rubric ID { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rubric {
    /// The rubric id, e.g. `uae.integration`.
    pub id: Name,
    /// Declarations in source order.
    pub items: Vec<Item>,
    /// The whole rubric.
    pub loc: Loc,
}

/// A declaration inside a rubric, a node or a population block.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `version "2018"`.
    Version(Spanned<String>),
    /// `title ar "…" en "…"`.
    Title(Text),
    /// `description ar "…" en "…"`.
    Description(Text),
    /// `precision 2 [MODE]`.
    Precision(Spanned<Decimal>, Option<Name>),
    /// `missing error|worst|na`.
    Missing(Name),
    /// `levels { initiative ar "…" ... }`.
    Levels(Vec<Level>, Loc),
    /// `profile { role: one of a, b }`.
    Profile(Vec<Field>, Loc),
    /// `scale ID { options }`.
    Scale(Scale),
    /// `bands ID { band >= 0.9 ... }`.
    Bands(BandSet),
    /// `let ID = EXPR`.
    Let(Name, Expr),
    /// `formula ID = EXPR`.
    Formula(Name, Expr),
    /// `population { ... }`.
    Population(Vec<Item>, Loc),
    /// `weight 2`.
    Weight(Spanned<Decimal>),
    /// `aggregate mean [normalised] [over criteria]`.
    Aggregate {
        /// The built-in, e.g. `ratio`.
        func: Name,
        /// `normalised`: children's weights are declared to sum to 1.
        normalised: bool,
        /// `over criteria` or `over children`.
        over: Option<Name>,
    },
    /// `score EXPR`.
    Score(Expr),
    /// `na exclude|full|zero|allowed|forbidden`.
    Na(Name),
    /// `applies when EXPR`.
    Applies(Expr),
    /// `bands ID [on EXPR]` (use a declared band set, judged on EXPR of
    /// the node's `score`).
    UseBands(Name, Option<Expr>),
    /// `choice SCALE` or `choice { options }`.
    Choice(Options),
    /// `multi SCALE [combine RULE]`.
    Multi(Options, Option<Name>),
    /// `number [UNIT] [MIN..MAX]`.
    Number(Option<Name>, Option<Range>, Loc),
    /// `yesno`.
    YesNo(Loc),
    /// `baseline 40` or `baseline none`.
    Baseline(Spanned<Option<Decimal>>),
    /// `target 80` or `target none`.
    Target(Spanned<Option<Decimal>>),
    /// `direction higher|lower`.
    Direction(Name),
    /// `repeated [RULE [when COND else RULE]]`: the node has instances.
    Repeated(Repeated, Loc),
    /// `fields { … }`: what each instance of a repeated node carries.
    Fields(Vec<Field>, Loc),
    /// `requires COND`: a gate; no score unless COND holds.
    Requires(Expr),
    /// `constraint COND error|warning TEXT`: a rule on the answer set.
    Constraint(Constraint),
    /// `codes { ID VALUE|n/a|missing [TEXT] … }` on a `number` criterion.
    Codes(Vec<CodeDecl>, Loc),
    /// `rank [when COND]` in `population`.
    Rank(Option<Expr>, Loc),
    /// `renamed OLD -> NEW`.
    Renamed(Name, Name),
    /// `unit percent|points [of N]|number|score MIN..MAX`: how the
    /// node's value reads.
    Unit(UnitDecl),
    /// `headline a, b, c` on the rubric: its headline indicators.
    Headline(Vec<Name>, Loc),
    /// A child node.
    Node(Node),
    /// `formula NAME(P, …) = EXPR`: a function with parameters.
    Function(Function),
    /// `instances NAME { … }`: a list templates are written over.
    Instances(InstanceList),
    /// `template NAME for LIST { nodes }`: nodes copied for each instance.
    Template(Template),
}

/// `formula share(k, n) = k / n`: a function, expanded where it is called.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Its name.
    pub name: Name,
    /// Parameters, in order (at least one).
    pub params: Vec<Name>,
    /// The body.
    pub body: Expr,
}

/// `instances category { pop ar "…" en "…" { group: social } … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceList {
    /// The list's name, used by `template … for NAME`.
    pub name: Name,
    /// Instances in source order.
    pub instances: Vec<Instance>,
    /// The whole declaration.
    pub loc: Loc,
}

/// One instance: `pop ar "السكان" en "Population" { group: social }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// The instance id: replaces `$` in the template's node ids.
    pub id: Name,
    /// Its titles.
    pub label: Option<Text>,
    /// Field values in source order.
    pub fields: Vec<(Name, InstanceValue)>,
    /// The whole instance.
    pub loc: Loc,
}

/// The value of an instance field.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceValue {
    /// `weight: 2`.
    Number(Spanned<Decimal>),
    /// `group: social`, `core: true`.
    Word(Name),
}

/// `template element for category { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// The template's name (named in diagnostics).
    pub name: Name,
    /// The instance list it is written over.
    pub over: Name,
    /// The nodes, with ids built from `$`.
    pub nodes: Vec<Node>,
    /// The whole declaration.
    pub loc: Loc,
}

/// `unit WORD [of N | MIN..MAX]` as written; the checker interprets it.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitDecl {
    /// `percent`, `points`, `number` or `score`.
    pub word: Name,
    /// `points of N`.
    pub of: Option<Spanned<Decimal>>,
    /// `score MIN..MAX`.
    pub range: Option<Range>,
    /// The whole declaration.
    pub loc: Loc,
}

/// How the instances of a repeated node combine when read from outside.
#[derive(Clone, Debug, PartialEq)]
pub struct Repeated {
    /// `mean` (default) or `best`.
    pub rule: Option<Name>,
    /// `when COND else RULE`: COND selects `rule`, otherwise the other one.
    pub switch: Option<(Expr, Name)>,
    /// `keys LIST`: the instances are exactly those of the rubric's
    /// instance list LIST.
    pub keys: Option<Name>,
}

/// `initiative ar "المبادرة" en "Initiative"` in a `levels` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// Level name, used as the node keyword.
    pub name: Name,
    /// Display label.
    pub label: Option<Text>,
}

/// A profile field: `role: one of data_provider, data_consumer`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Field name.
    pub name: Name,
    /// Field type.
    pub ty: FieldType,
    /// Display label.
    pub label: Option<Text>,
    /// The labels of an enum's values (`one of { a ar "…" en "…" }`), one
    /// for each value of [`FieldType::Enum`] in order; empty when no value
    /// has one (`one of a, b`, `one of { a b }`) and for other types.
    pub value_labels: Vec<Option<Text>>,
}

/// The type of a profile field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// `one of a, b, c` or `one of { a TEXT  b TEXT }`.
    Enum(Vec<Name>),
    /// `number`.
    Number,
    /// `bool`.
    Bool,
}

/// `scale ID [TEXT] { options }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    /// Scale name.
    pub name: Name,
    /// Display label.
    pub label: Option<Text>,
    /// Options in order.
    pub options: Vec<OptionDecl>,
    /// Whole declaration.
    pub loc: Loc,
}

/// An answer option: `yes 1 ar "نعم" en "Yes"`, or `na n/a ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionDecl {
    /// Option id, as answers name it.
    pub id: Name,
    /// `Some(weight)`, or `None` for the not-applicable option (`n/a`)
    /// and for an ignored option (`ignore`).
    pub weight: Spanned<Option<Decimal>>,
    /// `ignore`: the answer is left out, as if the criterion were not asked.
    pub ignore: bool,
    /// Display label.
    pub label: Option<Text>,
}

/// Where a choice criterion takes its options from.
#[derive(Clone, Debug, PartialEq)]
pub enum Options {
    /// A declared scale, by name.
    Scale(Name),
    /// Options written on the criterion itself.
    Inline(Vec<OptionDecl>, Loc),
}

/// `bands ID { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct BandSet {
    /// Band set name.
    pub name: Name,
    /// Bands, highest threshold first.
    pub bands: Vec<Band>,
    /// Whole declaration.
    pub loc: Loc,
}

/// `excellent >= 0.9 ar "ممتاز" en "Excellent"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// Band id.
    pub id: Name,
    /// Lowest score in the band.
    pub min: Spanned<Decimal>,
    /// Display label.
    pub label: Option<Text>,
}

/// `MIN..MAX` bounds of a numeric criterion; either side may be open.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// Lower bound.
    pub min: Option<Spanned<Decimal>>,
    /// Upper bound.
    pub max: Option<Spanned<Decimal>>,
    /// Whole range.
    pub loc: Loc,
}

/// `LEVEL ID { items }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The level keyword, e.g. `initiative`.
    pub level: Name,
    /// The node id, e.g. `fednet.1`.
    pub id: Name,
    /// Declarations and children in source order.
    pub items: Vec<Item>,
    /// Whole node.
    pub loc: Loc,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub loc: Loc,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A decimal literal.
    Number(Decimal),
    /// A string literal.
    Str(String),
    /// A name or dotted path: a node, a `let`, a variable, an option id.
    Path(String),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `f(a, b)`.
    Call(Name, Vec<Expr>),
    /// `-x`, `not x`.
    Unary(UnOp, Box<Expr>),
    /// `a + b` and friends.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `PATH where COND`, only as a function argument: the instances of a
    /// repeated node whose fields satisfy COND.
    Where(Box<Expr>, Box<Expr>),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `-`
    Neg,
    /// `not`
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`
    And,
    /// `or`
    Or,
    /// `in`
    In,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::In => "in",
        }
    }
}

/// A parsed source file: a rubric or a test file.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// A rule file.
    Rubric(File),
    /// A test file (`NAME.test.mizan`).
    Tests(TestFile),
}

/// `tests RUBRIC_ID { case "…" { … } … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct TestFile {
    /// `mizan 1`.
    pub lang_version: Option<Spanned<Decimal>>,
    /// The rubric id the cases are for.
    pub rubric: Name,
    /// `version "2018"`: the rubric version (optional).
    pub version: Option<Spanned<String>>,
    /// The cases, in source order.
    pub cases: Vec<Case>,
    /// The whole `tests` block.
    pub loc: Loc,
}

/// `case "NAME" { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The case's name.
    pub name: Spanned<String>,
    /// Its declarations, in source order.
    pub items: Vec<CaseItem>,
    /// The whole case.
    pub loc: Loc,
}

/// A declaration inside a case.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseItem {
    /// `answers "FILE"`: an answer-set file, relative to the test file.
    Answers(Spanned<String>),
    /// `entity "ID"`: which entity of a JSONL file.
    Entity(Spanned<String>),
    /// `profile { FIELD: VALUE … }`.
    Profile(Vec<(Name, TestValue)>, Loc),
    /// `answer CRITERION = VALUE`.
    Answer(Name, TestValue),
    /// `expect …`.
    Expect(Expect),
}

/// A value written in a test: an option id or word, a number, `n/a` or a
/// list of option ids.
#[derive(Clone, Debug, PartialEq)]
pub enum TestValue {
    /// `yes`, `data_provider`, `true`.
    Word(Name),
    /// `42.5`.
    Number(Spanned<Decimal>),
    /// `n/a`.
    Na(Loc),
    /// `[web, app]`.
    List(Vec<Name>, Loc),
}

/// An expectation.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    /// `expect error M0406`: the answer set is rejected with this code.
    Error(Spanned<String>),
    /// `expect band = good` (`node: None`, the entity) or `expect N band = x`.
    Band {
        /// The node, or the entity.
        node: Option<Name>,
        /// `expect band SET = x`: the band set, when the node has several
        /// (`None`: its first, the headline band).
        set: Option<Name>,
        /// The band id.
        band: Name,
        /// The whole expectation.
        loc: Loc,
    },
    /// `expect NODE = VALUE [within TOL]`, `expect NODE = n/a`; `score` is
    /// the entity's score.
    Value {
        /// The node, or `score`.
        node: Name,
        /// `None`: N/A.
        value: Option<Expected>,
        /// The whole expectation.
        loc: Loc,
    },
}

/// An expected number, with an optional tolerance.
#[derive(Clone, Debug, PartialEq)]
pub struct Expected {
    /// The value.
    pub amount: Amount,
    /// `within TOL`.
    pub within: Option<Amount>,
}

/// `0.705`, `70.5%` or `5/6`: `num / den`, exact.
#[derive(Clone, Debug, PartialEq)]
pub struct Amount {
    /// Numerator.
    pub num: Decimal,
    /// Denominator (1, 100 for a percentage, or the fraction's).
    pub den: Decimal,
    /// As written.
    pub text: Spanned<String>,
}

/// `constraint COND error|warning TEXT` on a node or the rubric.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// The condition every answer set must meet.
    pub expr: Expr,
    /// `error` or `warning`.
    pub level: Name,
    /// The message, bilingual.
    pub message: Text,
}

/// `pending n/a ar "…" en "…"` in a `codes` block.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeDecl {
    /// The code's id, answered as a JSON string.
    pub id: Name,
    /// What it means as written: a number, `n/a` or `missing`.
    pub means: Name,
    /// The number, when it maps to one.
    pub number: Option<Spanned<Decimal>>,
    /// Display labels.
    pub label: Option<Text>,
}
