//! The fast path of formulas: [`eval`](super::eval) again, on a value that
//! is `Copy` (a number, a boolean, an option, an enum value or N/A), with
//! instance lists (`svc.oa where …`) fed straight into the functions that
//! read them (`min`, `max`, `sum`, `mean`, `count`) instead of collected
//! into a list first. A formula runs for every node of every instance of
//! every entity: the reference evaluator's values need dropping (a list, a
//! set or a string may be inside), its arguments a buffer of them, and an
//! instance list a vector.
//!
//! What this evaluator does not cover (a string, a list, a multi-choice
//! answer, an instance list anywhere but as an argument of those five
//! functions) makes it decline ([`Fast::Decline`]); the caller then runs
//! the reference evaluator on the whole formula. Both evaluate in the
//! same order, so the first of an error and a decline is the same in
//! both: an error reported here is the error the reference would give.

use rust_decimal::Decimal;

use super::{kleene, Env, Val};
use crate::answers::{Answer, AnswerError, ProfileValue};
use crate::model::{BinOp, CExpr, CKind, Func};
use crate::plan::Outcome;

/// A value of the fast path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum V {
    Num(Decimal),
    Bool(bool),
    Opt(usize),
    Enum(usize),
    Na,
}

/// Why the fast path stopped.
#[derive(Debug)]
pub(super) enum Fast {
    /// The reference evaluator's error.
    Error(AnswerError),
    /// Something this evaluator does not cover: run the reference.
    Decline,
}

impl From<AnswerError> for Fast {
    fn from(e: AnswerError) -> Self {
        Fast::Error(e)
    }
}

impl V {
    fn of(v: &Val) -> Result<V, Fast> {
        Ok(match v {
            Val::Num(d) => V::Num(*d),
            Val::Bool(b) => V::Bool(*b),
            Val::Opt(o) => V::Opt(*o),
            Val::Enum(e) => V::Enum(*e),
            Val::Na => V::Na,
            Val::Set(_) | Val::Str(_) | Val::List(_) => return Err(Fast::Decline),
        })
    }

    pub(super) fn val(self) -> Val {
        match self {
            V::Num(d) => Val::Num(d),
            V::Bool(b) => Val::Bool(b),
            V::Opt(o) => Val::Opt(o),
            V::Enum(e) => Val::Enum(e),
            V::Na => Val::Na,
        }
    }

    fn num(self) -> Option<Decimal> {
        match self {
            V::Num(d) => Some(d),
            _ => None,
        }
    }
}

/// `e` evaluated as [`eval`](super::eval) does, or its error; `Decline`
/// where this evaluator does not cover `e`.
pub(super) fn run(env: &Env<'_>, e: &CExpr) -> Result<V, Fast> {
    Ok(match &e.kind {
        CKind::Num(d) => V::Num(*d),
        CKind::Bool(b) => V::Bool(*b),
        CKind::Str(_) | CKind::List(_) | CKind::Each { .. } => return Err(Fast::Decline),
        CKind::Node(n) => match env.outcomes.get(*n) {
            Some(Outcome::Score(s)) => V::Num(*s),
            _ => V::Na,
        },
        CKind::Let(i) => env.lets.get(*i).map_or(Ok(V::Na), V::of)?,
        CKind::Var(v) => env
            .vars
            .iter()
            .find(|(k, _)| k == v)
            .map_or(Ok(V::Na), |(_, x)| V::of(x))?,
        CKind::Field(f) => match env.profile.get(*f).and_then(Option::as_ref) {
            Some(ProfileValue::Enum(i)) => V::Enum(*i),
            Some(ProfileValue::Number(d)) => V::Num(*d),
            Some(ProfileValue::Bool(b)) => V::Bool(*b),
            None => V::Na,
        },
        CKind::EnumLit(_, v) => V::Enum(*v),
        CKind::OptionLit(_, o) => V::Opt(*o),
        CKind::Answer(n) if !env.applies.get(*n).copied().unwrap_or(true) => V::Na,
        CKind::Answer(n) => match env.answers.and_then(|a| a.get(*n)) {
            Some(Answer::Option(o)) => V::Opt(*o),
            Some(Answer::Set(_)) => return Err(Fast::Decline),
            Some(Answer::Number(d)) => V::Num(*d),
            Some(Answer::Bool(b)) => V::Bool(*b),
            Some(Answer::Code(_, Some(d))) => V::Num(*d),
            Some(Answer::Code(_, None)) => V::Na,
            Some(Answer::Na) | None => V::Na,
        },
        CKind::Neg(a) => match run(env, a)? {
            V::Num(d) => V::Num(-d),
            _ => V::Na,
        },
        CKind::Not(a) => match run(env, a)? {
            V::Bool(b) => V::Bool(!b),
            _ => V::Na,
        },
        CKind::If(c, a, b) => match run(env, c)? {
            V::Bool(true) => run(env, a)?,
            V::Bool(false) => run(env, b)?,
            _ => V::Na,
        },
        CKind::Binary(op, a, b) => {
            use BinOp::*;
            let x = run(env, a)?;
            if let And | Or = op {
                // The reference's three-valued logic, on values it shares.
                let mut declined = false;
                let got = kleene(*op == And, x.val(), || match run(env, b) {
                    Ok(y) => Ok(y.val()),
                    Err(Fast::Error(e)) => Err(e),
                    Err(Fast::Decline) => {
                        declined = true;
                        Ok(Val::Na)
                    }
                })?;
                if declined {
                    return Err(Fast::Decline);
                }
                return V::of(&got);
            }
            let y = run(env, b)?;
            if x == V::Na || y == V::Na {
                return Ok(V::Na);
            }
            match op {
                Add | Sub | Mul | Div | Lt | Le | Gt | Ge => {
                    let (Some(p), Some(q)) = (x.num(), y.num()) else {
                        return Ok(V::Na);
                    };
                    match super::arith(*op, p, q, env.node)? {
                        super::Arith::Num(d) => V::Num(d),
                        super::Arith::Bool(b) => V::Bool(b),
                    }
                }
                Eq => V::Bool(x == y),
                Ne => V::Bool(x != y),
                // Neither side is a set or a list here (those decline).
                And | Or | In => V::Na,
            }
        }
        CKind::Call(f, args) => call(env, *f, args)?,
    })
}

/// The numbers of a list function's arguments as the reference spreads
/// them, folded as it folds them.
struct Nums {
    /// What the function needs beyond the count: the sum (`sum`, `mean`)
    /// or the extremes (`min`, `max`); comparing decimals is not free.
    sum_needed: bool,
    extremes: bool,
    count: usize,
    /// `checked_sum` so far (`None` once it overflowed).
    sum: Option<Decimal>,
    /// The first lowest and the last highest, as `Iterator::min` and
    /// `max` pick.
    lowest: Option<Decimal>,
    highest: Option<Decimal>,
}

impl Nums {
    #[inline]
    fn push(&mut self, d: Decimal) {
        self.count += 1;
        if self.sum_needed {
            self.sum = self.sum.and_then(|s| s.checked_add(d));
        }
        if self.extremes {
            if self.lowest.is_none_or(|m| d < m) {
                self.lowest = Some(d);
            }
            if self.highest.is_none_or(|m| d >= m) {
                self.highest = Some(d);
            }
        }
    }
}

fn call(env: &Env<'_>, f: Func, args: &[CExpr]) -> Result<V, Fast> {
    let overflow = || AnswerError::Overflow {
        id: env.node.to_string(),
    };
    match f {
        Func::Min | Func::Max | Func::Sum | Func::Mean | Func::Count => {
            let mut nums = Nums {
                sum_needed: matches!(f, Func::Sum | Func::Mean),
                extremes: matches!(f, Func::Min | Func::Max),
                count: 0,
                sum: Some(Decimal::ZERO),
                lowest: None,
                highest: None,
            };
            for a in args {
                match &a.kind {
                    CKind::Each { repeated, node, cond } => {
                        each(env, *repeated, *node, cond.as_deref(), &mut nums)?
                    }
                    _ => {
                        if let V::Num(d) = run(env, a)? {
                            nums.push(d);
                        }
                    }
                }
            }
            Ok(match f {
                Func::Min => nums.lowest.map_or(V::Na, V::Num),
                Func::Max => nums.highest.map_or(V::Na, V::Num),
                Func::Count => V::Num(Decimal::from(nums.count)),
                _ if nums.count == 0 => V::Na,
                Func::Sum => V::Num(nums.sum.ok_or_else(overflow)?),
                _ => {
                    let s = nums.sum.ok_or_else(overflow)?;
                    V::Num(s.checked_div(Decimal::from(nums.count)).ok_or_else(overflow)?)
                }
            })
        }
        Func::WMean => {
            // Every argument first, as the reference evaluates them.
            let mut vals: smallvec::SmallVec<[V; 8]> = smallvec::SmallVec::with_capacity(args.len());
            for a in args {
                vals.push(run(env, a)?);
            }
            let mut num_sum = Decimal::ZERO;
            let mut w_sum = Decimal::ZERO;
            for pair in vals.chunks(2) {
                if let [x, w] = pair {
                    if let (Some(x), Some(w)) = (x.num(), w.num()) {
                        num_sum = x
                            .checked_mul(w)
                            .and_then(|p| num_sum.checked_add(p))
                            .ok_or_else(overflow)?;
                        w_sum = w_sum.checked_add(w).ok_or_else(overflow)?;
                    }
                }
            }
            Ok(if w_sum.is_zero() {
                V::Na
            } else {
                V::Num(num_sum.checked_div(w_sum).ok_or_else(overflow)?)
            })
        }
        _ => {
            let mut vals: smallvec::SmallVec<[V; 4]> = smallvec::SmallVec::with_capacity(args.len());
            for a in args {
                vals.push(run(env, a)?);
            }
            let arg = |i: usize| vals.get(i).and_then(|v| v.num());
            Ok(match f {
                Func::Clamp => match (arg(0), arg(1), arg(2)) {
                    (Some(x), Some(lo), Some(hi)) => V::Num(x.max(lo).min(hi)),
                    _ => V::Na,
                },
                Func::Round(mode) => match (arg(0), arg(1)) {
                    (Some(x), Some(p)) => {
                        let places = u32::try_from(p.trunc().mantissa()).unwrap_or(0);
                        V::Num(mode.round(x, places))
                    }
                    _ => V::Na,
                },
                Func::Abs => arg(0).map_or(V::Na, |x| V::Num(x.abs())),
                Func::IsNa => V::Bool(vals.first() == Some(&V::Na)),
                Func::Default => match vals.first() {
                    Some(V::Na) | None => vals.get(1).copied().unwrap_or(V::Na),
                    Some(v) => *v,
                },
                _ => V::Na,
            })
        }
    }
}

/// The values of `node` in the instances of `repeated` that satisfy
/// `cond`, into `nums`.
fn each(
    env: &Env<'_>,
    repeated: usize,
    node: usize,
    cond: Option<&CExpr>,
    nums: &mut Nums,
) -> Result<(), Fast> {
    let Some(l) = env.lists.iter().find(|l| l.repeated == repeated) else {
        return Ok(());
    };
    for (profile, outs) in l.each() {
        if let Some(c) = cond {
            let e = Env {
                profile,
                answers: None,
                outcomes: &[],
                vars: &[],
                ..*env
            };
            if run(&e, c)? != V::Bool(true) {
                continue;
            }
        }
        if let Some(Outcome::Score(s)) = outs.get(node - repeated) {
            nums.push(*s);
        }
    }
    Ok(())
}

/// `e` by the fast path, or by the reference where it declines.
pub(super) fn eval(env: &Env<'_>, e: &CExpr) -> Result<Val, AnswerError> {
    match run(env, e) {
        Ok(v) => Ok(v.val()),
        Err(Fast::Error(err)) => Err(err),
        Err(Fast::Decline) => super::eval(env, e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test")]

    use proptest::prelude::*;

    use super::*;
    use crate::answers::Answers;
    use crate::diag::{Loc, Src};
    use crate::eval::{InstanceResult, Listed};
    use crate::model::{RoundMode, Ty, Var};
    use crate::plan::NaReason;

    fn expr(kind: CKind) -> CExpr {
        CExpr {
            kind,
            ty: Ty::Number,
            loc: Loc {
                span: (0, 0).into(),
                src: Src::new("test", ""),
            },
        }
    }

    /// Numbers as formulas see them: small, zeros of several scales, some
    /// near the edge of a decimal (overflow), negatives.
    fn number() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            4 => (-300i64..300, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => (0u32..5).prop_map(|s| Decimal::new(0, s)),
            1 => Just(Decimal::MAX),
            1 => Just(Decimal::MIN),
        ]
    }

    fn leaf() -> impl Strategy<Value = CExpr> {
        prop_oneof![
            number().prop_map(CKind::Num),
            any::<bool>().prop_map(CKind::Bool),
            (0usize..5).prop_map(CKind::Node),
            prop_oneof![Just(Var::Value), Just(Var::Target), Just(Var::Count)].prop_map(CKind::Var),
            (0usize..4).prop_map(CKind::Field),
            (0usize..3).prop_map(|v| CKind::EnumLit(0, v)),
            (0usize..3).prop_map(|o| CKind::OptionLit(0, o)),
            (0usize..6).prop_map(CKind::Answer),
            Just(CKind::Str("x".into())),
        ]
        .prop_map(expr)
    }

    fn tree() -> impl Strategy<Value = CExpr> {
        leaf().prop_recursive(4, 40, 6, |inner| {
            let op = prop_oneof![
                Just(BinOp::Add),
                Just(BinOp::Sub),
                Just(BinOp::Mul),
                Just(BinOp::Div),
                Just(BinOp::Eq),
                Just(BinOp::Ne),
                Just(BinOp::Lt),
                Just(BinOp::Le),
                Just(BinOp::Gt),
                Just(BinOp::Ge),
                Just(BinOp::And),
                Just(BinOp::Or),
                Just(BinOp::In),
            ];
            let func = prop_oneof![
                Just(Func::Min),
                Just(Func::Max),
                Just(Func::Mean),
                Just(Func::Sum),
                Just(Func::Count),
                Just(Func::WMean),
                Just(Func::Clamp),
                Just(Func::Round(RoundMode::HalfUp)),
                Just(Func::Abs),
                Just(Func::IsNa),
                Just(Func::Default),
                Just(Func::Answer),
            ];
            let each = (10usize..13, proptest::option::of(inner.clone())).prop_map(|(node, cond)| {
                expr(CKind::Each {
                    repeated: 10,
                    node,
                    cond: cond.map(Box::new),
                })
            });
            prop_oneof![
                inner.clone().prop_map(|a| expr(CKind::Neg(Box::new(a)))),
                inner.clone().prop_map(|a| expr(CKind::Not(Box::new(a)))),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| expr(CKind::If(
                    Box::new(c),
                    Box::new(a),
                    Box::new(b)
                ))),
                (op, inner.clone(), inner.clone()).prop_map(|(op, a, b)| expr(CKind::Binary(
                    op,
                    Box::new(a),
                    Box::new(b)
                ))),
                (
                    func,
                    proptest::collection::vec(prop_oneof![3 => inner.clone(), 1 => each.clone()], 0..6)
                )
                    .prop_map(|(f, args)| expr(CKind::Call(f, args))),
                proptest::collection::vec(inner.clone(), 0..3).prop_map(|items| expr(CKind::List(items))),
                each,
            ]
        })
    }

    /// Outcomes, profiles and answers of every kind, N/A among them.
    fn check(e: &CExpr) {
        let d = |t: &str| t.parse::<Decimal>().unwrap();
        let outcomes = [
            Outcome::Score(d("0.5")),
            Outcome::Score(d("0.50")),
            Outcome::Na(NaReason::Missing),
            Outcome::Score(d("0")),
            Outcome::Score(d("1")),
        ];
        let profile = [
            Some(ProfileValue::Enum(1)),
            Some(ProfileValue::Number(d("2021"))),
            Some(ProfileValue::Bool(true)),
            None,
        ];
        let mut answers = Answers::new(0..6);
        answers.set(0, Some(Answer::Option(1)));
        answers.set(1, Some(Answer::Set(vec![0, 2])));
        answers.set(2, Some(Answer::Number(d("3.25"))));
        answers.set(3, Some(Answer::Bool(false)));
        answers.set(4, Some(Answer::Na));
        let applies = [true, true, true, true, true, false];
        let vars = [
            (Var::Value, Val::Num(d("0.75"))),
            (Var::Target, Val::Na),
            (Var::Count, Val::Num(d("3"))),
        ];
        let item = |outs: [Outcome; 3]| InstanceResult {
            key: String::new(),
            outcomes: outs.to_vec(),
            instances: Vec::new(),
        };
        let lists = [Listed {
            repeated: 10,
            profiles: vec![
                vec![
                    Some(ProfileValue::Enum(0)),
                    None,
                    Some(ProfileValue::Bool(true)),
                    None,
                ],
                vec![
                    Some(ProfileValue::Enum(1)),
                    None,
                    Some(ProfileValue::Bool(false)),
                    None,
                ],
                vec![None, Some(ProfileValue::Number(d("1"))), None, None],
            ],
            items: vec![
                item([
                    Outcome::Score(d("0.25")),
                    Outcome::Score(d("1")),
                    Outcome::Na(NaReason::Missing),
                ]),
                item([
                    Outcome::Na(NaReason::Answered),
                    Outcome::Score(d("0.250")),
                    Outcome::Score(d("0")),
                ]),
                item([
                    Outcome::Score(d("0.3333")),
                    Outcome::Score(d("1")),
                    Outcome::Score(Decimal::MAX),
                ]),
            ],
        }];
        let env = Env {
            profile: &profile,
            answers: Some(&answers),
            applies: &applies,
            outcomes: &outcomes,
            lets: &[],
            vars: &vars,
            lists: &lists,
            node: "n",
            fast: true,
        };
        let reference = format!("{:?}", super::super::eval(&env, e));
        let fast = format!("{:?}", eval(&env, e));
        assert_eq!(fast, reference, "{e:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn the_fast_path_is_the_reference(e in tree()) {
            check(&e);
        }
    }
}
