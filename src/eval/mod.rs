//! Stage 4: plan + submissions → results.
//!
//! Evaluation of one entity runs in three steps:
//!
//! 1. **Applicability**, top-down: a node applies when its parent applies and
//!    its `applies when` condition holds on the entity's profile. A node that
//!    does not apply is N/A by rule; an answer given for it is a warning.
//! 2. **Scores**, in the plan's order (every node after what it reads). A
//!    criterion's value is its option weight, combined multi-choice weights,
//!    the number, or 1/0 for yes/no; its `score` formula, if any, maps that
//!    value to the score. A missing answer follows the `missing` policy.
//! 3. **Groups** combine their inputs under their N/A policy: `exclude`
//!    drops N/A inputs from numerator and denominator, `full` counts them as
//!    1, `zero` as 0. Inputs ruled out by the profile are always dropped. A
//!    group with no input left is itself N/A, and its parent's policy
//!    applies to it.
//!
//! Arithmetic is exact ([`Decimal`]); overflow and division by zero are
//! errors for the entity, never silent.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::answers::{Answer, AnswerError, ProfileValue, Rejection, Submission};
use crate::model::*;
use crate::plan::Plan;

mod batch;
pub use batch::{evaluate_batch, Batch};

/// Why a node has no score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaReason {
    /// Answered N/A.
    Answered,
    /// Ruled out by the entity's profile (`applies when`).
    NotApplicable,
    /// Unanswered, under `missing na`.
    Missing,
    /// Every input of the group is N/A.
    AllInputsNa,
    /// A KPI whose target is not set yet.
    NoTarget,
    /// The formula's result depends on an N/A value.
    Formula,
}

impl NaReason {
    /// A phrase for reports.
    pub fn describe(self) -> &'static str {
        match self {
            NaReason::Answered => "answered N/A",
            NaReason::NotApplicable => "does not apply to this entity's profile",
            NaReason::Missing => "not answered (missing answers count as N/A)",
            NaReason::AllInputsNa => "every input is N/A",
            NaReason::NoTarget => "no target set yet",
            NaReason::Formula => "the formula depends on an N/A value",
        }
    }
}

/// A node's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A score (in [0, 1] for criteria).
    Score(Decimal),
    /// No score, and why.
    Na(NaReason),
}

impl Outcome {
    /// The score, if any.
    pub fn score(self) -> Option<Decimal> {
        match self {
            Outcome::Score(s) => Some(s),
            Outcome::Na(_) => None,
        }
    }
}

/// The result of one entity.
#[derive(Debug, Clone)]
pub struct EntityResult {
    /// The submission it was computed from.
    pub submission: Submission,
    /// Outcome of every node, by node index (0 is the entity's score).
    pub outcomes: Vec<Outcome>,
    /// For groups: `(achieved, target)`, the sum of counted input scores
    /// and the number of counted inputs, as used by the aggregation.
    pub sums: Vec<Option<(Decimal, Decimal)>>,
    /// Warnings (e.g. answers for criteria that do not apply).
    pub warnings: Vec<Rejection>,
}

impl EntityResult {
    /// The entity's overall score.
    pub fn score(&self) -> Option<Decimal> {
        self.outcomes.first().and_then(|o| o.score())
    }
}

/// The population level across the entities of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationResult {
    /// The population score (`None` when no entity has a score).
    pub score: Option<Decimal>,
    /// Number of entities with a score.
    pub entities: usize,
}

/// Runtime values of expressions.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Num(Decimal),
    Bool(bool),
    Opt(usize),
    Set(Vec<usize>),
    Enum(usize),
    Str(String),
    List(Vec<Val>),
    Na,
}

/// What a formula can see.
struct Env<'a> {
    sub: Option<&'a Submission>,
    outcomes: &'a [Outcome],
    lets: &'a [Val],
    vars: &'a [(Var, Val)],
    node: &'a str,
}

/// Evaluates one submission.
pub fn evaluate(plan: &Plan, sub: Submission) -> Result<EntityResult, Vec<Rejection>> {
    let model = plan.model();
    let n = model.nodes.len();
    let fail = |error: AnswerError, pointer: String| Rejection {
        origin: sub.origin.clone(),
        entity: Some(sub.entity.clone()),
        pointer,
        error,
    };
    // Named values.
    let mut lets: Vec<Val> = Vec::with_capacity(model.lets.len());
    for l in &model.lets {
        let env = Env {
            sub: Some(&sub),
            outcomes: &[],
            lets: &lets,
            vars: &[],
            node: &l.name,
        };
        let v = eval(&env, &l.expr).map_err(|e| vec![fail(e, String::new())])?;
        lets.push(v);
    }
    // 1. Applicability, top-down (parents have lower indices).
    let mut applies = vec![true; n];
    for (ix, node) in model.nodes.iter().enumerate() {
        let parent_ok = node.parent.and_then(|p| applies.get(p).copied()).unwrap_or(true);
        let own = match &node.applies {
            Some(cond) if parent_ok => {
                let env = Env {
                    sub: Some(&sub),
                    outcomes: &[],
                    lets: &lets,
                    vars: &[],
                    node: &node.id,
                };
                matches!(
                    eval(&env, cond).map_err(|e| vec![fail(e, String::new())])?,
                    Val::Bool(true)
                )
            }
            _ => true,
        };
        if let Some(a) = applies.get_mut(ix) {
            *a = parent_ok && own;
        }
    }
    // 2 and 3. Scores in plan order.
    let mut outcomes = vec![Outcome::Na(NaReason::NotApplicable); n];
    let mut sums = vec![None; n];
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for &ix in plan.order() {
        let Some(node) = model.nodes.get(ix) else { continue };
        let applicable = applies.get(ix).copied().unwrap_or(true);
        let answer = sub.answers.get(ix).and_then(Option::as_ref);
        if !applicable {
            if answer.is_some() {
                warnings.push(fail(
                    AnswerError::NotApplicable { id: node.id.clone() },
                    format!("/answers/{}", crate::answers::pointer_token(&node.id)),
                ));
            }
            continue;
        }
        let out = match &node.kind {
            NodeKind::Criterion(c) => criterion(&sub, &outcomes, &lets, node, c, answer),
            NodeKind::Group(g) => group(plan, &sub, &outcomes, &lets, ix, node, g, &applies).map(|(o, s)| {
                if let Some(slot) = sums.get_mut(ix) {
                    *slot = s;
                }
                o
            }),
        };
        match out {
            Ok(o) => {
                if let Some(slot) = outcomes.get_mut(ix) {
                    *slot = o;
                }
            }
            Err(e) => {
                let ptr = match e {
                    AnswerError::Missing { .. } => {
                        format!("/answers/{}", crate::answers::pointer_token(&node.id))
                    }
                    _ => String::new(),
                };
                errors.push(fail(e, ptr));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(EntityResult {
        submission: sub,
        outcomes,
        sums,
        warnings,
    })
}

fn criterion(
    sub: &Submission,
    outcomes: &[Outcome],
    lets: &[Val],
    node: &NodeDef,
    c: &Criterion,
    answer: Option<&Answer>,
) -> Result<Outcome, AnswerError> {
    if matches!(c.target, Some(None)) {
        return Ok(Outcome::Na(NaReason::NoTarget));
    }
    let value = match answer {
        Some(Answer::Na) => return Ok(Outcome::Na(NaReason::Answered)),
        None => match node.missing {
            MissingPolicy::Error => return Err(AnswerError::Missing { id: node.id.clone() }),
            MissingPolicy::Na => return Ok(Outcome::Na(NaReason::Missing)),
            MissingPolicy::Worst => c
                .answer
                .options()
                .iter()
                .filter_map(|o| o.weight)
                .min()
                .unwrap_or(Decimal::ZERO),
        },
        Some(a) => base_value(c, a),
    };
    let score = match &c.score {
        None => value,
        Some(f) if answer.is_none() => {
            // `missing worst` on a formula criterion: the worst score is 0.
            let _ = f;
            Decimal::ZERO
        }
        Some(f) => {
            let vars = [
                (Var::Value, Val::Num(value)),
                (Var::Baseline, c.baseline.map_or(Val::Na, Val::Num)),
                (Var::Target, c.target.flatten().map_or(Val::Na, Val::Num)),
            ];
            match formula(sub, outcomes, lets, &vars, &node.id, f)? {
                Some(d) => d,
                None => return Ok(Outcome::Na(NaReason::Formula)),
            }
        }
    };
    if score < Decimal::ZERO || score > Decimal::ONE {
        return Err(AnswerError::ScoreOutOfRange {
            id: node.id.clone(),
            value: score.normalize().to_string(),
        });
    }
    Ok(Outcome::Score(score))
}

/// The value of an answer before any `score` formula.
fn base_value(c: &Criterion, a: &Answer) -> Decimal {
    let opts = c.answer.options();
    let w = |i: &usize| opts.get(*i).and_then(|o| o.weight).unwrap_or(Decimal::ZERO);
    match a {
        Answer::Option(i) => w(i),
        Answer::Set(set) => {
            let ws = set.iter().map(w);
            let combine = match &c.answer {
                AnswerKind::Multi { combine, .. } => *combine,
                _ => Combine::Sum,
            };
            match combine {
                Combine::SumCapped => ws.sum::<Decimal>().min(Decimal::ONE),
                Combine::Sum => ws.sum(),
                Combine::Max => ws.max().unwrap_or(Decimal::ZERO),
                Combine::Min => ws.min().unwrap_or(Decimal::ZERO),
                Combine::Mean => {
                    let n = Decimal::from(set.len());
                    if n.is_zero() {
                        Decimal::ZERO
                    } else {
                        ws.sum::<Decimal>() / n
                    }
                }
            }
        }
        Answer::Number(d) => *d,
        Answer::Bool(b) => {
            if *b {
                Decimal::ONE
            } else {
                Decimal::ZERO
            }
        }
        Answer::Na => Decimal::ZERO,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename the arguments"
)]
fn group(
    plan: &Plan,
    sub: &Submission,
    outcomes: &[Outcome],
    lets: &[Val],
    ix: NodeIx,
    node: &NodeDef,
    g: &Group,
    applies: &[bool],
) -> Result<(Outcome, Option<(Decimal, Decimal)>), AnswerError> {
    let model = plan.model();
    // Inputs under the N/A policy: (score, weight).
    let mut kept: Vec<(Decimal, Decimal)> = Vec::new();
    let mut with_value = 0usize;
    for &i in plan.inputs(ix) {
        if !applies.get(i).copied().unwrap_or(true) {
            continue;
        }
        let w = model.nodes.get(i).map_or(Decimal::ONE, |n| n.weight);
        match outcomes.get(i).copied() {
            Some(Outcome::Score(s)) => {
                with_value += 1;
                kept.push((s, w));
            }
            Some(Outcome::Na(NaReason::NotApplicable)) | None => {}
            Some(Outcome::Na(_)) => match g.na {
                NaPolicy::Exclude => {}
                NaPolicy::Full => kept.push((Decimal::ONE, w)),
                NaPolicy::Zero => kept.push((Decimal::ZERO, w)),
            },
        }
    }
    if with_value == 0 {
        return Ok((Outcome::Na(NaReason::AllInputsNa), None));
    }
    let overflow = || AnswerError::Overflow { id: node.id.clone() };
    // A weighted mean's achieved and target are weighted; all others count
    // each input once.
    let weighted = matches!(g.aggregate, Aggregate::Builtin(Builtin::WeightedMean));
    let achieved = if weighted {
        kept.iter().try_fold(Decimal::ZERO, |a, (s, w)| {
            s.checked_mul(*w).and_then(|x| a.checked_add(x))
        })
    } else {
        checked_sum(kept.iter().map(|(s, _)| *s))
    }
    .ok_or_else(overflow)?;
    let target = if weighted {
        checked_sum(kept.iter().map(|(_, w)| *w)).ok_or_else(overflow)?
    } else {
        Decimal::from(kept.len())
    };
    let score = match &g.aggregate {
        Aggregate::Builtin(b) => match b {
            Builtin::Ratio | Builtin::Mean => achieved.checked_div(target).ok_or_else(overflow)?,
            Builtin::WeightedMean => {
                if target.is_zero() {
                    return Err(AnswerError::DivisionByZero {
                        message: format!("weights of the inputs of `{}` sum to zero", node.id),
                    });
                }
                achieved.checked_div(target).ok_or_else(overflow)?
            }
            Builtin::Sum => achieved,
            Builtin::Min => kept.iter().map(|(s, _)| *s).min().unwrap_or(Decimal::ZERO),
            Builtin::Max => kept.iter().map(|(s, _)| *s).max().unwrap_or(Decimal::ZERO),
            Builtin::Count => Decimal::from(with_value),
        },
        Aggregate::Formula(f) => {
            let vars = [
                (Var::Achieved, Val::Num(achieved)),
                (Var::Target, Val::Num(target)),
                (Var::Count, Val::Num(Decimal::from(with_value))),
            ];
            match formula(sub, outcomes, lets, &vars, &node.id, f)? {
                Some(d) => d,
                None => return Ok((Outcome::Na(NaReason::Formula), Some((achieved, target)))),
            }
        }
    };
    Ok((Outcome::Score(score), Some((achieved, target))))
}

/// Evaluates a node formula to a number; `None` when it is N/A.
fn formula(
    sub: &Submission,
    outcomes: &[Outcome],
    lets: &[Val],
    vars: &[(Var, Val)],
    node: &str,
    f: &CExpr,
) -> Result<Option<Decimal>, AnswerError> {
    let env = Env {
        sub: Some(sub),
        outcomes,
        lets,
        vars,
        node,
    };
    Ok(num(&eval(&env, f)?))
}

/// The population score over entity scores.
pub fn population(model: &Model, scores: &[Decimal]) -> Result<PopulationResult, AnswerError> {
    let count = scores.len();
    if count == 0 {
        return Ok(PopulationResult {
            score: None,
            entities: 0,
        });
    }
    let overflow = || AnswerError::Overflow {
        id: "population".into(),
    };
    let sum = checked_sum(scores.iter().copied()).ok_or_else(overflow)?;
    let n = Decimal::from(count);
    let mean = sum.checked_div(n).ok_or_else(overflow)?;
    let min = scores.iter().copied().min().unwrap_or(Decimal::ZERO);
    let max = scores.iter().copied().max().unwrap_or(Decimal::ZERO);
    let score = match &model.population.aggregate {
        PopAggregate::Builtin(Builtin::Sum) => Some(sum),
        PopAggregate::Builtin(Builtin::Min) => Some(min),
        PopAggregate::Builtin(Builtin::Max) => Some(max),
        PopAggregate::Builtin(Builtin::Count) => Some(n),
        PopAggregate::Builtin(_) => Some(mean),
        PopAggregate::Formula(f) => {
            let vars = [
                (Var::Sum, Val::Num(sum)),
                (Var::Count, Val::Num(n)),
                (Var::Mean, Val::Num(mean)),
                (Var::Min, Val::Num(min)),
                (Var::Max, Val::Num(max)),
            ];
            let env = Env {
                sub: None,
                outcomes: &[],
                lets: &[],
                vars: &vars,
                node: "population",
            };
            match eval(&env, f)? {
                Val::Num(d) => Some(d),
                _ => None,
            }
        }
    };
    Ok(PopulationResult {
        score,
        entities: count,
    })
}

/// Σ with overflow detection.
fn checked_sum(mut it: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    it.try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
}

fn num(v: &Val) -> Option<Decimal> {
    match v {
        Val::Num(d) => Some(*d),
        _ => None,
    }
}

fn eval(env: &Env<'_>, e: &CExpr) -> Result<Val, AnswerError> {
    let overflow = || AnswerError::Overflow {
        id: env.node.to_string(),
    };
    Ok(match &e.kind {
        CKind::Num(d) => Val::Num(*d),
        CKind::Bool(b) => Val::Bool(*b),
        CKind::Str(s) => Val::Str(s.clone()),
        CKind::Node(n) => match env.outcomes.get(*n) {
            Some(Outcome::Score(s)) => Val::Num(*s),
            _ => Val::Na,
        },
        CKind::Let(i) => env.lets.get(*i).cloned().unwrap_or(Val::Na),
        CKind::Var(v) => env
            .vars
            .iter()
            .find(|(k, _)| k == v)
            .map_or(Val::Na, |(_, x)| x.clone()),
        CKind::Field(f) => match env.sub.and_then(|s| s.profile.get(*f)).and_then(Option::as_ref) {
            Some(ProfileValue::Enum(i)) => Val::Enum(*i),
            Some(ProfileValue::Number(d)) => Val::Num(*d),
            Some(ProfileValue::Bool(b)) => Val::Bool(*b),
            None => Val::Na,
        },
        CKind::EnumLit(_, v) => Val::Enum(*v),
        CKind::OptionLit(_, o) => Val::Opt(*o),
        CKind::Answer(n) => match env.sub.and_then(|s| s.answers.get(*n)).and_then(Option::as_ref) {
            Some(Answer::Option(o)) => Val::Opt(*o),
            Some(Answer::Set(s)) => Val::Set(s.clone()),
            Some(Answer::Number(d)) => Val::Num(*d),
            Some(Answer::Bool(b)) => Val::Bool(*b),
            Some(Answer::Na) | None => Val::Na,
        },
        CKind::List(items) => Val::List(items.iter().map(|i| eval(env, i)).collect::<Result<_, _>>()?),
        CKind::Neg(a) => match eval(env, a)? {
            Val::Num(d) => Val::Num(-d),
            _ => Val::Na,
        },
        CKind::Not(a) => match eval(env, a)? {
            Val::Bool(b) => Val::Bool(!b),
            _ => Val::Na,
        },
        CKind::If(c, a, b) => match eval(env, c)? {
            Val::Bool(true) => eval(env, a)?,
            Val::Bool(false) => eval(env, b)?,
            _ => Val::Na,
        },
        CKind::Binary(op, a, b) => {
            use BinOp::*;
            let x = eval(env, a)?;
            // Short-circuit where the left side decides.
            match (op, &x) {
                (And, Val::Bool(false)) => return Ok(Val::Bool(false)),
                (Or, Val::Bool(true)) => return Ok(Val::Bool(true)),
                _ => {}
            }
            let y = eval(env, b)?;
            if x == Val::Na || y == Val::Na {
                return Ok(Val::Na);
            }
            match op {
                Add | Sub | Mul | Div | Lt | Le | Gt | Ge => {
                    let (Some(p), Some(q)) = (num(&x), num(&y)) else {
                        return Ok(Val::Na);
                    };
                    match op {
                        Add => Val::Num(p.checked_add(q).ok_or_else(overflow)?),
                        Sub => Val::Num(p.checked_sub(q).ok_or_else(overflow)?),
                        Mul => Val::Num(p.checked_mul(q).ok_or_else(overflow)?),
                        Div => {
                            if q.is_zero() {
                                return Err(AnswerError::DivisionByZero {
                                    message: format!("division by zero in the formula of `{}`", env.node),
                                });
                            }
                            Val::Num(p.checked_div(q).ok_or_else(overflow)?)
                        }
                        Lt => Val::Bool(p < q),
                        Le => Val::Bool(p <= q),
                        Gt => Val::Bool(p > q),
                        _ => Val::Bool(p >= q),
                    }
                }
                Eq => Val::Bool(x == y),
                Ne => Val::Bool(x != y),
                And | Or => match (x, y) {
                    (Val::Bool(p), Val::Bool(q)) => Val::Bool(if *op == And { p && q } else { p || q }),
                    _ => Val::Na,
                },
                In => match (&x, &y) {
                    (Val::Opt(o), Val::Set(s)) => Val::Bool(s.contains(o)),
                    (_, Val::List(items)) => Val::Bool(items.contains(&x)),
                    _ => Val::Na,
                },
            }
        }
        CKind::Call(f, args) => {
            let vals: Vec<Val> = args.iter().map(|a| eval(env, a)).collect::<Result<_, _>>()?;
            let nums: Vec<Decimal> = vals.iter().filter_map(num).collect();
            let arg = |i: usize| vals.get(i).and_then(num);
            match f {
                Func::Min => nums.iter().copied().min().map_or(Val::Na, Val::Num),
                Func::Max => nums.iter().copied().max().map_or(Val::Na, Val::Num),
                Func::Sum | Func::Mean => {
                    if nums.is_empty() {
                        Val::Na
                    } else {
                        let s = checked_sum(nums.iter().copied()).ok_or_else(overflow)?;
                        if *f == Func::Sum {
                            Val::Num(s)
                        } else {
                            Val::Num(s.checked_div(Decimal::from(nums.len())).ok_or_else(overflow)?)
                        }
                    }
                }
                Func::Clamp => match (arg(0), arg(1), arg(2)) {
                    (Some(x), Some(lo), Some(hi)) => Val::Num(x.max(lo).min(hi)),
                    _ => Val::Na,
                },
                Func::Round => match (arg(0), arg(1)) {
                    (Some(x), Some(p)) => {
                        let places = u32::try_from(p.trunc().mantissa()).unwrap_or(0);
                        Val::Num(x.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero))
                    }
                    _ => Val::Na,
                },
                Func::Abs => arg(0).map_or(Val::Na, |x| Val::Num(x.abs())),
                Func::IsNa => Val::Bool(vals.first() == Some(&Val::Na)),
                Func::Default => match vals.first() {
                    Some(Val::Na) | None => vals.get(1).cloned().unwrap_or(Val::Na),
                    Some(v) => v.clone(),
                },
                Func::Answer => Val::Na,
            }
        }
    })
}
