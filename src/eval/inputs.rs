//! What a formula read, for `explain`: each name a `score` formula (of a
//! group or a criterion) reads, with the value it had for one entity —
//! node scores, named values (`let`), profile fields, `value` and the
//! other context variables, `answer(c)`, and for a list over instances
//! (`x where …`) the instances behind it. The values are the evaluator's
//! own: scores from the entity's outcomes, named values computed by the
//! same functions that scored it (no second evaluator).

use rust_decimal::Decimal;

use super::{base_value, eval, lets_on, EntityResult, Env, Outcome, Val};
use crate::answers::{Answer, ProfileValue};
use crate::model::{CExpr, CKind, FieldTy, Model, NodeIx, NodeKind, Var};

/// A value as explain shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// A node's value, shown in the node's unit.
    Score(Decimal, crate::model::Unit),
    /// A number (a named value, a field, `value`, a number answer).
    Number(Decimal),
    /// A boolean.
    Bool(bool),
    /// An option or enum value id, or a string.
    Text(String),
    /// Several option ids (a `multi` answer).
    Texts(Vec<String>),
    /// Not applicable, or not given.
    Na,
    /// The instances behind a list: `(instance key, value)`, those the
    /// list's filter kept.
    Instances(Vec<(String, Read)>),
}

/// One name a formula read, with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// As written: a node id, a `let` name, a field, `value`,
    /// `answer(c)`, or the list expression.
    pub name: String,
    /// What it was for this entity.
    pub value: Read,
}

/// The names formula `f` of node `at` reads, each once in the order
/// written, with their values in result `r`. For a node directly in the
/// rubric (not inside a repeated node: those are read per instance).
pub fn formula_inputs(model: &Model, r: &EntityResult, at: NodeIx, f: &CExpr) -> Vec<Input> {
    let lets = lets_on(model, &r.submission.profile);
    let mut out: Vec<Input> = Vec::new();
    walk(model, r, at, &lets, f, &mut out);
    out
}

fn push(out: &mut Vec<Input>, name: String, value: Read) {
    if !out.iter().any(|i| i.name == name) {
        out.push(Input { name, value });
    }
}

fn of_val(v: &Val) -> Read {
    match v {
        Val::Num(d) => Read::Number(*d),
        Val::Bool(b) => Read::Bool(*b),
        Val::Str(s) => Read::Text(s.clone()),
        Val::Enum(i) | Val::Opt(i) => Read::Text(i.to_string()),
        Val::Set(s) => Read::Texts(s.iter().map(usize::to_string).collect()),
        Val::List(items) => Read::Instances(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| ((i + 1).to_string(), of_val(x)))
                .collect(),
        ),
        Val::Na => Read::Na,
    }
}

fn field(model: &Model, f: usize, v: Option<&ProfileValue>) -> Read {
    match v {
        None => Read::Na,
        Some(ProfileValue::Number(d)) => Read::Number(*d),
        Some(ProfileValue::Bool(b)) => Read::Bool(*b),
        Some(ProfileValue::Enum(i)) => match model.profile.get_index(f).map(|(_, d)| &d.ty) {
            Some(FieldTy::Enum(values)) => values.get(*i).map_or(Read::Na, |s| Read::Text(s.clone())),
            _ => Read::Na,
        },
    }
}

fn outcome(model: &Model, node: NodeIx, o: Option<&Outcome>) -> Read {
    let unit = model.nodes.get(node).map(|n| n.unit).unwrap_or_default();
    match o {
        Some(Outcome::Score(s)) => Read::Score(*s, unit),
        _ => Read::Na,
    }
}

fn walk(model: &Model, r: &EntityResult, at: NodeIx, lets: &[Val], e: &CExpr, out: &mut Vec<Input>) {
    let sub = &r.submission;
    match &e.kind {
        CKind::Node(n) => {
            if let Some(node) = model.nodes.get(*n) {
                push(out, node.id.clone(), outcome(model, *n, r.outcomes.get(*n)));
            }
        }
        CKind::Let(i) => {
            if let Some(l) = model.lets.get(*i) {
                push(out, l.name.clone(), lets.get(*i).map_or(Read::Na, of_val));
            }
        }
        CKind::Field(f) => {
            if let Some((name, _)) = model.profile.get_index(*f) {
                push(
                    out,
                    name.clone(),
                    field(model, *f, sub.profile.get(*f).and_then(Option::as_ref)),
                );
            }
        }
        CKind::Var(v) => {
            let value = match (model.nodes.get(at).map(|n| &n.kind), v) {
                (Some(NodeKind::Criterion(c)), Var::Value) => match sub.answers.get(at) {
                    Some(Answer::Na) | None => Read::Na,
                    Some(a) => Read::Number(base_value(c, a)),
                },
                (Some(NodeKind::Criterion(c)), Var::Baseline) => c.baseline.map_or(Read::Na, Read::Number),
                (Some(NodeKind::Criterion(c)), Var::Target) => {
                    c.target.flatten().map_or(Read::Na, Read::Number)
                }
                (Some(NodeKind::Group(_)), Var::Achieved) => r
                    .sums
                    .get(at)
                    .copied()
                    .flatten()
                    .map_or(Read::Na, |(a, _)| Read::Number(a)),
                (Some(NodeKind::Group(_)), Var::Target) => r
                    .sums
                    .get(at)
                    .copied()
                    .flatten()
                    .map_or(Read::Na, |(_, t)| Read::Number(t)),
                // `count` and the population variables are not kept.
                _ => return,
            };
            push(out, v.name().to_string(), value);
        }
        CKind::Answer(c) => {
            let Some(node) = model.nodes.get(*c) else { return };
            let opts = match &node.kind {
                NodeKind::Criterion(cr) => cr.answer.options(),
                NodeKind::Group(_) => &[],
            };
            let id = |i: &usize| opts.get(*i).map_or_else(|| i.to_string(), |o| o.id.clone());
            let value = match sub.answers.get(*c) {
                None | Some(Answer::Na) => Read::Na,
                Some(Answer::Option(i)) => Read::Text(id(i)),
                Some(Answer::Set(s)) => Read::Texts(s.iter().map(id).collect()),
                Some(Answer::Number(d)) => Read::Number(*d),
                Some(Answer::Bool(b)) => Read::Bool(*b),
                // A code reads as its number (`answer(c)` is what it means).
                Some(Answer::Code(_, Some(d))) => Read::Number(*d),
                Some(Answer::Code(_, None)) => Read::Na,
            };
            push(out, format!("answer({})", node.id), value);
        }
        CKind::Each { repeated, node, cond } => {
            let items = sub
                .instances
                .iter()
                .find(|s| s.node == *repeated)
                .map_or(&[][..], |s| s.items.as_slice());
            let results = r.instances.iter().find(|s| s.node == *repeated);
            let mut list = Vec::new();
            for (k, inst) in items.iter().enumerate() {
                if let Some(c) = cond {
                    let mut profile = sub.profile.clone();
                    for (fi, v) in &inst.fields {
                        if let Some(slot) = profile.get_mut(*fi) {
                            *slot = Some(v.clone());
                        }
                    }
                    let env = Env::on_profile(&profile, lets, "explain");
                    if !matches!(eval(&env, c), Ok(Val::Bool(true))) {
                        continue;
                    }
                }
                let o = results
                    .and_then(|s| s.items.get(k))
                    .and_then(|i| i.outcomes.get(node.saturating_sub(*repeated)));
                list.push((inst.key.clone(), outcome(model, *node, o)));
            }
            let read = model.nodes.get(*node).map_or("?", |n| n.id.as_str());
            let name = match cond {
                Some(c) => format!("{read} where {}", c.loc.snippet()),
                None => read.to_string(),
            };
            push(out, name, Read::Instances(list));
        }
        CKind::List(args) | CKind::Call(_, args) => {
            for a in args {
                walk(model, r, at, lets, a, out);
            }
        }
        CKind::Neg(a) | CKind::Not(a) => walk(model, r, at, lets, a, out),
        CKind::Binary(_, a, b) => {
            walk(model, r, at, lets, a, out);
            walk(model, r, at, lets, b, out);
        }
        CKind::If(c, a, b) => {
            walk(model, r, at, lets, c, out);
            walk(model, r, at, lets, a, out);
            walk(model, r, at, lets, b, out);
        }
        CKind::Num(_) | CKind::Bool(_) | CKind::Str(_) | CKind::EnumLit(..) | CKind::OptionLit(..) => {}
    }
}
