//! Constant folding of a checked model: what is constant (literals, named
//! values computed from literals, a KPI's `baseline` and `target`, and every
//! sub-expression whose operands are constants) is computed once, and what
//! is bound to fail or never to change is diagnosed before any answer set
//! is read:
//!
//! * errors, where every evaluation that reaches the place fails or a
//!   score can never be right: a division by a constant zero (M0315), a
//!   constant too large for a decimal (M0316), `clamp` bounds inverted
//!   (M0317), weights that sum to zero in a weighted mean or `wmean`
//!   (M0318), a criterion formula that is always outside [0, 1] (M0320), a
//!   KPI whose formula scores better values lower than its `direction`
//!   says (M0323);
//! * warnings, where the rule is suspicious: a condition written with
//!   literals only that is always true or false (M0319: a dead branch, a
//!   node that never or always applies), a formula that is N/A for every
//!   entity (M0321).
//!
//! The walk follows evaluation: a branch that a constant condition rules
//! out is not evaluated, so it is not diagnosed; both branches of an `if`
//! on an unknown condition are. Folding is a check, never a rewrite: the
//! model is evaluated as written. Expressions nested deeper than
//! [`MAX_DEPTH`] are not folded below that depth.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::CheckError;
use crate::diag::{Diagnostics, Loc, Src};
use crate::model::*;

/// How deep the fold descends into an expression.
const MAX_DEPTH: usize = 200;

/// What is known of a value before any answer set is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum K {
    Num(Decimal),
    Bool(bool),
    Na,
    /// Depends on the answers, the profile, scores or instances.
    Unknown,
}

/// A folded value, and whether it comes from literals alone (no named
/// value, no variable): a condition written with literals only that never
/// changes is a mistake, a named switch (`let strict = true`) is not.
#[derive(Debug, Clone, Copy)]
struct C {
    k: K,
    lit: bool,
}

impl C {
    const UNKNOWN: C = C {
        k: K::Unknown,
        lit: false,
    };

    fn of(k: K, lit: bool) -> C {
        C { k, lit }
    }
}

struct Fold<'m> {
    model: &'m Model,
    src: Src,
    diags: &'m mut Diagnostics,
    /// Diagnostics already reported, by code and span (a formula template
    /// is checked at every use).
    seen: HashSet<(&'static str, usize, usize)>,
    /// Folded named values, by index.
    lets: Vec<K>,
    /// The variables of the formula being folded.
    vars: Vec<(Var, K)>,
    /// Where the expression is, for messages.
    place: String,
    /// Sampling a formula: compute only, report nothing.
    quiet: bool,
    depth: usize,
}

/// The value of a named value known before any answer set is read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Constant {
    /// A number.
    Num(Decimal),
    /// `true` or `false`.
    Bool(bool),
    /// N/A.
    Na,
}

/// Each named value of `model`, in order, with its value where it is
/// constant (computed from literals and other constant named values), as
/// the checker folds it: what an editor shows on hover.
pub fn constant_lets(model: &Model) -> Vec<Option<Constant>> {
    let mut diags = Diagnostics::default();
    let mut f = Fold {
        model,
        src: model.src.clone(),
        diags: &mut diags,
        seen: HashSet::new(),
        lets: Vec::with_capacity(model.lets.len()),
        vars: Vec::new(),
        place: String::new(),
        quiet: true,
        depth: 0,
    };
    for l in &model.lets {
        let k = f.expr(&l.expr).k;
        f.lets.push(k);
    }
    f.lets
        .iter()
        .map(|k| match *k {
            K::Num(d) => Some(Constant::Num(d)),
            K::Bool(b) => Some(Constant::Bool(b)),
            K::Na => Some(Constant::Na),
            K::Unknown => None,
        })
        .collect()
}

/// Folds every expression of `model` and reports what is bound to fail.
pub(super) fn constants(model: &Model, diags: &mut Diagnostics) {
    let mut f = Fold {
        model,
        src: model.src.clone(),
        diags,
        seen: HashSet::new(),
        lets: Vec::with_capacity(model.lets.len()),
        vars: Vec::new(),
        place: String::new(),
        quiet: false,
        depth: 0,
    };
    for l in &model.lets {
        f.place = format!("named value `{}`", l.name);
        let k = f.expr(&l.expr).k;
        f.lets.push(k);
    }
    for (ix, node) in model.nodes.iter().enumerate() {
        f.vars.clear();
        // In a node a template made, instance fields are constants by
        // design (`applies when group == social` is decided per instance).
        let templated = model.origins.contains_key(&node.id);
        if let Some(c) = node.applies.as_ref().filter(|_| !templated) {
            f.place = format!("the `applies when` of `{}`", node.id);
            f.condition(c, "the node never applies", "the condition has no effect");
        }
        if let Some(r) = node.repeat.as_ref().filter(|_| !templated) {
            if let Some((c, _)) = &r.switch {
                f.place = format!("the instance rule of `{}`", node.id);
                f.condition(
                    c,
                    "the `else` rule is always used",
                    "the `else` rule is never used",
                );
            }
        }
        if let Some(c) = node.requires.as_ref().filter(|_| !templated) {
            f.place = format!("the `requires` of `{}`", node.id);
            f.condition(c, "the node never has a score", "the condition has no effect");
        }
        match &node.kind {
            NodeKind::Criterion(c) => f.criterion(node, c),
            NodeKind::Group(g) => f.group(ix, node, g),
        }
    }
    f.vars.clear();
    if let PopAggregate::Formula(e) = &model.population.aggregate {
        f.place = "the population formula".into();
        f.vars = [Var::Sum, Var::Count, Var::Mean, Var::Min, Var::Max]
            .into_iter()
            .map(|v| (v, K::Unknown))
            .collect();
        let c = f.expr(e);
        f.always_na(c, "population formula", &e.loc);
    }
    if let Some(Some(c)) = &model.population.rank {
        f.vars.clear();
        f.place = "the `rank when` condition".into();
        f.condition(c, "no entity is ranked", "the condition has no effect");
    }
}

fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

impl Fold<'_> {
    /// Reports `d` once per code and span, unless sampling.
    fn report(&mut self, code: &'static str, loc: &Loc, d: CheckError) {
        if self.quiet {
            return;
        }
        if self.seen.insert((code, loc.span.offset(), loc.span.len())) {
            self.diags.push(d);
        }
    }

    /// A condition deciding whether something is evaluated (`applies
    /// when`, `requires`, `rank when`): folded, and if it is written with
    /// literals only and never changes, a warning.
    fn condition(&mut self, c: &CExpr, when_false: &str, when_true: &str) {
        let v = self.expr(c);
        self.constant_condition(v, &c.loc, when_false, when_true);
    }

    fn constant_condition(&mut self, v: C, loc: &Loc, when_false: &str, when_true: &str) {
        if !v.lit {
            return;
        }
        let (value, effect) = match v.k {
            K::Bool(true) => ("true", when_true),
            K::Bool(false) => ("false", when_false),
            K::Na => ("N/A", when_false),
            _ => return,
        };
        let d = CheckError::ConstantCondition {
            value,
            src: self.src.clone(),
            span: loc.span,
            effect: effect.to_string(),
            help: "a condition written with numbers and `true`/`false` alone never changes: write the condition it stands for, or remove it and keep what it selects",
        };
        self.report("M0319", loc, d);
    }

    fn always_na(&mut self, c: C, what: &str, loc: &Loc) {
        if c.k == K::Na {
            let d = CheckError::AlwaysNa {
                what: what.to_string(),
                src: self.src.clone(),
                span: loc.span,
                help: "it reads something that is N/A for every entity (a `baseline` or `target` that is not declared, a constant N/A): declare it, or guard it with `default(…)`",
            };
            self.report("M0321", loc, d);
        }
    }

    fn criterion(&mut self, node: &NodeDef, c: &Criterion) {
        let Some(f) = &c.score else { return };
        // `target none`: the formula is never evaluated.
        let Some(target) = c.target.map_or(Some(K::Na), |t| t.map(K::Num)) else {
            return;
        };
        let baseline = c.baseline.map_or(K::Na, K::Num);
        self.vars = vec![
            (Var::Value, K::Unknown),
            (Var::Baseline, baseline),
            (Var::Target, target),
        ];
        self.place = format!("the score formula of `{}`", node.id);
        let v = self.expr(f);
        match v.k {
            K::Num(d) if !node.unit.contains(d) => {
                let d = CheckError::ConstantScoreOutOfRange {
                    id: node.id.clone(),
                    value: num(d),
                    range: match node.unit {
                        crate::model::Unit::Percent => "[0, 1]".to_string(),
                        u => format!("{} ({})", u.range_text(), u.name()),
                    },
                    src: self.src.clone(),
                    span: f.loc.span,
                };
                self.report("M0320", &f.loc, d);
            }
            _ => self.always_na(v, &format!("score formula of `{}`", node.id), &f.loc),
        }
        if let Some(direction) = c.direction {
            // A target on the wrong side of the baseline is reported by
            // the checker (M0322); the formula is then judged against it.
            let against = match (c.baseline, c.target.flatten()) {
                (Some(b), Some(t)) => match direction {
                    Direction::Higher => t < b,
                    Direction::Lower => t > b,
                },
                _ => false,
            };
            if !against {
                self.direction(node, c, f, direction);
            }
        }
    }

    /// A KPI's formula against its `direction`: sampled at the values that
    /// matter (bounds, baseline, target and around them), a better value
    /// must never score less than a worse one.
    fn direction(&mut self, node: &NodeDef, c: &Criterion, f: &CExpr, direction: Direction) {
        let (min, max) = match c.answer {
            AnswerKind::Number { min, max, .. } => (min, max),
            _ => return,
        };
        let two = Decimal::TWO;
        let mut points: Vec<Decimal> = vec![Decimal::ZERO, Decimal::ONE];
        points.extend(min);
        points.extend(max);
        for x in [c.baseline, c.target.flatten()].into_iter().flatten() {
            points.push(x);
            points.extend(
                [
                    x.checked_mul(two),
                    x.checked_div(two),
                    x.checked_add(Decimal::ONE),
                    x.checked_sub(Decimal::ONE),
                ]
                .into_iter()
                .flatten(),
            );
        }
        if let (Some(b), Some(t)) = (c.baseline, c.target.flatten()) {
            points.extend(b.checked_add(t).and_then(|s| s.checked_div(two)));
        }
        points.retain(|p| min.is_none_or(|m| *p >= m) && max.is_none_or(|m| *p <= m));
        points.sort();
        points.dedup();
        let quiet = std::mem::replace(&mut self.quiet, true);
        let mut scored: Vec<(Decimal, Decimal)> = Vec::new();
        for p in points {
            if let Some(v) = self.vars.iter_mut().find(|(v, _)| *v == Var::Value) {
                v.1 = K::Num(p);
            }
            if let K::Num(s) = self.expr(f).k {
                scored.push((p, s));
            }
        }
        self.quiet = quiet;
        // Ascending values: higher is better when the scores never fall.
        let pair = scored.windows(2).find_map(|w| match (w.first(), w.get(1)) {
            (Some(&(a, sa)), Some(&(b, sb))) => match direction {
                Direction::Higher if sb < sa => Some(((b, sb), (a, sa))),
                Direction::Lower if sa < sb => Some(((a, sa), (b, sb))),
                _ => None,
            },
            _ => None,
        });
        let Some(((better, sbetter), (worse, sworse))) = pair else {
            return;
        };
        let (name, help) = match direction {
            Direction::Higher => (
                "higher",
                "a higher-is-better KPI scores more as the value rises, e.g. `clamp(value / target, 0, 1)`; if lower values are better, declare `direction lower`",
            ),
            Direction::Lower => (
                "lower",
                "a lower-is-better KPI (a rank, a time) scores more as the value falls, e.g. `clamp((baseline - value) / (baseline - target), 0, 1)`; if higher values are better, declare `direction higher`",
            ),
        };
        let d = CheckError::FormulaAgainstDirection {
            id: node.id.clone(),
            direction: name,
            better: format!("{} (score {})", num(better), num(sbetter)),
            worse: format!("{} (score {})", num(worse), num(sworse)),
            src: self.src.clone(),
            span: f.loc.span,
            help,
        };
        self.report("M0323", &f.loc, d);
    }

    fn group(&mut self, ix: NodeIx, node: &NodeDef, g: &Group) {
        match &g.aggregate {
            Aggregate::Builtin(Builtin::WeightedMean) => {
                let inputs = match g.over {
                    Over::Children => node.children.clone(),
                    Over::Criteria => criteria_under(&self.model.nodes, ix),
                };
                let all_zero = !inputs.is_empty()
                    && inputs
                        .iter()
                        .all(|&i| self.model.nodes.get(i).is_some_and(|n| n.weight.is_zero()));
                if all_zero {
                    let d = CheckError::ZeroWeights {
                        what: format!("the inputs of `{}`", node.id),
                        src: self.src.clone(),
                        span: node.loc.span,
                        consequence: "every input has weight 0: division by zero (M0501) for every entity",
                        help: "give the inputs weights that are not all 0, or use `aggregate mean`",
                    };
                    self.report("M0318", &node.loc, d);
                }
            }
            Aggregate::Builtin(_) => {}
            Aggregate::Formula(f) => {
                self.vars = [Var::Achieved, Var::Target, Var::Count]
                    .into_iter()
                    .map(|v| (v, K::Unknown))
                    .collect();
                self.place = format!("the score formula of `{}`", node.id);
                let v = self.expr(f);
                self.always_na(v, &format!("score formula of `{}`", node.id), &f.loc);
            }
        }
    }

    fn expr(&mut self, e: &CExpr) -> C {
        if self.depth >= MAX_DEPTH {
            return C::UNKNOWN;
        }
        self.depth += 1;
        let c = self.fold(e);
        self.depth -= 1;
        c
    }

    fn fold(&mut self, e: &CExpr) -> C {
        match &e.kind {
            CKind::Num(d) => C::of(K::Num(*d), true),
            CKind::Bool(b) => C::of(K::Bool(*b), true),
            CKind::Let(i) => C::of(self.lets.get(*i).copied().unwrap_or(K::Unknown), false),
            CKind::Var(v) => C::of(
                self.vars
                    .iter()
                    .find(|(k, _)| k == v)
                    .map_or(K::Unknown, |(_, x)| *x),
                false,
            ),
            CKind::Str(_)
            | CKind::Node(_)
            | CKind::Field(_)
            | CKind::EnumLit(..)
            | CKind::OptionLit(..)
            | CKind::Answer(_) => C::UNKNOWN,
            CKind::Each { cond, .. } => {
                // The filter is evaluated on each instance's fields.
                if let Some(c) = cond {
                    let v = self.expr(c);
                    self.constant_condition(
                        v,
                        &c.loc,
                        "no instance is kept",
                        "the filter keeps every instance",
                    );
                }
                C::UNKNOWN
            }
            CKind::List(items) => {
                for i in items {
                    self.expr(i);
                }
                C::UNKNOWN
            }
            CKind::Neg(a) => {
                let x = self.expr(a);
                match x.k {
                    K::Num(d) => C::of(K::Num(-d), x.lit),
                    K::Na => x,
                    _ => C::UNKNOWN,
                }
            }
            CKind::Not(a) => {
                let x = self.expr(a);
                match x.k {
                    K::Bool(b) => C::of(K::Bool(!b), x.lit),
                    K::Na => x,
                    _ => C::UNKNOWN,
                }
            }
            CKind::If(c, a, b) => {
                let cv = self.expr(c);
                self.constant_condition(
                    cv,
                    &c.loc,
                    "the `then` branch is never used",
                    "the `else` branch is never used",
                );
                match cv.k {
                    K::Bool(true) => {
                        let x = self.expr(a);
                        C::of(x.k, x.lit && cv.lit)
                    }
                    K::Bool(false) => {
                        let y = self.expr(b);
                        C::of(y.k, y.lit && cv.lit)
                    }
                    K::Na => cv,
                    _ => {
                        let x = self.expr(a);
                        let y = self.expr(b);
                        if x.k == y.k && x.k != K::Unknown {
                            C::of(x.k, false)
                        } else {
                            C::UNKNOWN
                        }
                    }
                }
            }
            CKind::Binary(op, a, b) => self.binary(*op, a, b),
            CKind::Call(f, args) => self.call(*f, args, e),
        }
    }

    fn binary(&mut self, op: BinOp, a: &CExpr, b: &CExpr) -> C {
        use BinOp::*;
        let x = self.expr(a);
        if let And | Or = op {
            // Kleene logic, as evaluation: a side that decides alone decides.
            let decides = op == Or;
            if x.k == K::Bool(decides) {
                return x;
            }
            let y = self.expr(b);
            return match (x.k, y.k) {
                (_, K::Bool(q)) if q == decides => y,
                (K::Bool(_), K::Bool(_)) | (K::Na, K::Na) => C::of(y.k, x.lit && y.lit),
                (K::Bool(_), K::Na) | (K::Na, K::Bool(_)) => C::of(K::Na, x.lit && y.lit),
                _ => C::UNKNOWN,
            };
        }
        let y = self.expr(b);
        let lit = x.lit && y.lit;
        if x.k == K::Na || y.k == K::Na {
            return C::of(K::Na, lit);
        }
        if op == Div && y.k == K::Num(Decimal::ZERO) {
            let d = CheckError::ConstantDivision {
                place: self.place.clone(),
                src: self.src.clone(),
                span: b.loc.span,
                help: "every evaluation that reaches this division fails (M0501): fix the divisor, or guard it with `if DIVISOR == 0 then … else …`".into(),
            };
            self.report("M0315", &b.loc, d);
            return C::UNKNOWN;
        }
        let (K::Num(p), K::Num(q)) = (x.k, y.k) else {
            return match (op, x.k, y.k) {
                (Eq, K::Bool(p), K::Bool(q)) => C::of(K::Bool(p == q), lit),
                (Ne, K::Bool(p), K::Bool(q)) => C::of(K::Bool(p != q), lit),
                _ => C::UNKNOWN,
            };
        };
        let k = match op {
            Add => p.checked_add(q),
            Sub => p.checked_sub(q),
            Mul => p.checked_mul(q),
            Div => p.checked_div(q),
            Lt => return C::of(K::Bool(p < q), lit),
            Le => return C::of(K::Bool(p <= q), lit),
            Gt => return C::of(K::Bool(p > q), lit),
            Ge => return C::of(K::Bool(p >= q), lit),
            Eq => return C::of(K::Bool(p == q), lit),
            Ne => return C::of(K::Bool(p != q), lit),
            And | Or | In => return C::UNKNOWN,
        };
        match k {
            Some(d) => C::of(K::Num(d), lit),
            None => {
                let loc = a.loc.to(&b.loc);
                let d = CheckError::ConstantOverflow {
                    place: self.place.clone(),
                    src: self.src.clone(),
                    span: loc.span,
                };
                self.report("M0316", &loc, d);
                C::UNKNOWN
            }
        }
    }

    fn call(&mut self, f: Func, args: &[CExpr], e: &CExpr) -> C {
        // Every argument is evaluated before the function applies.
        let vals: Vec<C> = args.iter().map(|a| self.expr(a)).collect();
        let lit = vals.iter().all(|v| v.lit);
        let known = vals.iter().all(|v| v.k != K::Unknown);
        let n = |i: usize| vals.get(i).map_or(K::Unknown, |v| v.k);
        let nums = || -> Vec<Decimal> {
            vals.iter()
                .filter_map(|v| match v.k {
                    K::Num(d) => Some(d),
                    _ => None,
                })
                .collect()
        };
        let k = match f {
            Func::Clamp => {
                if let (K::Num(lo), K::Num(hi)) = (n(1), n(2)) {
                    if lo > hi {
                        let d = CheckError::InvertedClamp {
                            lo: num(lo),
                            hi: num(hi),
                            src: self.src.clone(),
                            span: e.loc.span,
                            help: format!(
                                "write `clamp(x, {}, {})`: the lower bound comes first",
                                num(hi),
                                num(lo)
                            ),
                        };
                        self.report("M0317", &e.loc, d);
                        return C::UNKNOWN;
                    }
                }
                match (n(0), n(1), n(2)) {
                    (K::Num(x), K::Num(lo), K::Num(hi)) => K::Num(x.max(lo).min(hi)),
                    (K::Na, _, _) | (_, K::Na, _) | (_, _, K::Na) => K::Na,
                    _ => K::Unknown,
                }
            }
            Func::WMean => {
                let weights: Vec<K> = vals.iter().skip(1).step_by(2).map(|v| v.k).collect();
                if !weights.is_empty() && weights.iter().all(|w| *w == K::Num(Decimal::ZERO)) {
                    let d = CheckError::ZeroWeights {
                        what: "`wmean`".into(),
                        src: self.src.clone(),
                        span: e.loc.span,
                        consequence: "every weight is 0: N/A for every entity",
                        help: "give the values weights that are not all 0",
                    };
                    self.report("M0318", &e.loc, d);
                }
                K::Unknown
            }
            _ if !known => match f {
                Func::Default => match n(0) {
                    K::Na => n(1),
                    K::Unknown => K::Unknown,
                    x => x,
                },
                _ => K::Unknown,
            },
            Func::Min | Func::Max | Func::Sum | Func::Mean => {
                let xs = nums();
                if xs.is_empty() {
                    K::Na
                } else {
                    match f {
                        Func::Min => xs.iter().copied().min().map_or(K::Unknown, K::Num),
                        Func::Max => xs.iter().copied().max().map_or(K::Unknown, K::Num),
                        _ => {
                            let s = xs.iter().try_fold(Decimal::ZERO, |a, b| a.checked_add(*b));
                            let s = if f == Func::Mean {
                                s.and_then(|s| s.checked_div(Decimal::from(xs.len())))
                            } else {
                                s
                            };
                            s.map_or(K::Unknown, K::Num)
                        }
                    }
                }
            }
            Func::Round(mode) => match (n(0), n(1)) {
                (K::Num(x), K::Num(p)) => {
                    let places = u32::try_from(p.trunc().mantissa()).unwrap_or(0);
                    K::Num(mode.round(x, places))
                }
                _ => K::Na,
            },
            Func::Abs => match n(0) {
                K::Num(x) => K::Num(x.abs()),
                _ => K::Na,
            },
            Func::IsNa => K::Bool(n(0) == K::Na),
            Func::Default => match n(0) {
                K::Na => n(1),
                x => x,
            },
            Func::Count => K::Num(Decimal::from(nums().len())),
            Func::Answer => K::Unknown,
        };
        C::of(k, lit)
    }
}
