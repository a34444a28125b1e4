//! `mizan eval --explain ENTITY`: the computation tree of one entity, with
//! each node's formula, inputs, result, and why it is N/A.

use std::fmt::Write;

use super::{percent, score_cell};
use crate::answers::{printable, Answer};
use crate::eval::{EntityResult, Outcome};
use crate::model::*;

fn title(n: &NodeDef) -> String {
    n.title
        .get("en")
        .or_else(|| n.title.values().next())
        .map(|t| format!(" \u{2014} {t}"))
        .unwrap_or_default()
}

fn how_group(g: &Group, model: &Model, ix: NodeIx) -> String {
    let what = match &g.aggregate {
        Aggregate::Builtin(b) => {
            let over = if g.over == Over::Criteria {
                " over criteria"
            } else {
                ""
            };
            format!("{}{over}", b.name())
        }
        Aggregate::Formula(f) => format!("score {}", one_line(f.loc.snippet())),
    };
    let na = match g.na {
        NaPolicy::Exclude => "exclude",
        NaPolicy::Full => "full",
        NaPolicy::Zero => "zero",
    };
    let w = model
        .nodes
        .get(ix)
        .filter(|n| n.parent.is_some() && n.weight != rust_decimal::Decimal::ONE)
        .map(|n| format!(", weight {}", n.weight.normalize()))
        .unwrap_or_default();
    format!("{what} (N/A {na}{w})")
}

fn how_answer(c: &Criterion, a: Option<&Answer>, missing: MissingPolicy) -> String {
    let opts = c.answer.options();
    let opt = |i: &usize| {
        opts.get(*i).map_or("?".to_string(), |o| {
            format!(
                "`{}` ({})",
                o.id,
                o.weight.map_or("n/a".into(), |w| w.normalize().to_string())
            )
        })
    };
    let base = match a {
        None => match missing {
            MissingPolicy::Worst if matches!(c.answer, AnswerKind::Multi { .. }) => {
                "not answered: worst answer (the empty list)".to_string()
            }
            MissingPolicy::Worst => "not answered: worst option".to_string(),
            _ => "not answered".to_string(),
        },
        Some(Answer::Na) => "answered N/A".to_string(),
        Some(Answer::Option(i)) => format!("answered {}", opt(i)),
        Some(Answer::Set(s)) => {
            let combine = match &c.answer {
                AnswerKind::Multi { combine, .. } => combine.name(),
                _ => "",
            };
            let items: Vec<String> = s.iter().map(opt).collect();
            format!("answered [{}], combined by {combine}", items.join(", "))
        }
        Some(Answer::Number(d)) => format!("answered {}", d.normalize()),
        Some(Answer::Bool(b)) => format!("answered {}", if *b { "yes" } else { "no" }),
    };
    match &c.score {
        Some(f) => format!("{base}; score {}", one_line(f.loc.snippet())),
        None => base,
    }
}

/// A formula as written, its line breaks and indentation collapsed.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a node inside a repeated node got its value at entity level.
fn how_instances(
    model: &Model,
    r: &EntityResult,
    node: &crate::model::NodeDef,
    ix: NodeIx,
) -> Option<String> {
    let rep = model.nodes.get(node.scope)?;
    if node.scope == 0 {
        return None;
    }
    let rule = match &rep.repeat.as_ref()?.switch {
        Some((cond, other)) => format!(
            "{} when {} else {}",
            name(rep.repeat.as_ref()?.rule),
            one_line(cond.loc.snippet()),
            name(*other)
        ),
        None => name(rep.repeat.as_ref()?.rule).to_string(),
    };
    if ix == node.scope {
        let count = if rep
            .parent
            .is_some_and(|p| model.nodes.get(p).is_some_and(|pn| pn.scope == 0))
        {
            r.instances
                .iter()
                .find(|s| s.node == ix)
                .map_or(" (no instance)".to_string(), |s| {
                    format!(", {} instances", s.items.len())
                })
        } else {
            String::new()
        };
        Some(format!("repeated, combined by {rule}{count}"))
    } else {
        Some(format!("combined over the instances of `{}` ({rule})", rep.id))
    }
}

fn name(rule: crate::model::InstanceRule) -> &'static str {
    crate::model::InstanceRule::ALL
        .iter()
        .find(|(_, r)| *r == rule)
        .map_or("?", |(n, _)| n)
}

/// Renders the explain tree.
pub fn render(model: &Model, r: &EntityResult) -> String {
    let sub = &r.submission;
    let mut out = format!(
        "entity `{}`{} from {}: {}\n",
        printable(&sub.entity),
        sub.name
            .as_ref()
            .map(|n| format!(" ({})", printable(n)))
            .unwrap_or_default(),
        printable(&sub.origin.to_string()),
        score_cell(r.score(), model.precision)
    );
    out.push_str(&render_from(model, r, 0));
    out
}

/// The computation tree of node `start` and everything below it.
pub fn render_from(model: &Model, r: &EntityResult, start: NodeIx) -> String {
    let p = model.precision;
    let mut out = String::new();
    let sub = &r.submission;
    let mut stack: Vec<(NodeIx, String, bool)> = vec![(start, String::new(), true)];
    while let Some((ix, prefix, last)) = stack.pop() {
        let Some(node) = model.nodes.get(ix) else { continue };
        let outcome = r
            .outcomes
            .get(ix)
            .copied()
            .unwrap_or(Outcome::Na(crate::eval::NaReason::NotApplicable));
        let branch = if ix == start {
            ""
        } else if last {
            "\u{2514}\u{2500} "
        } else {
            "\u{251c}\u{2500} "
        };
        let how = match &node.kind {
            NodeKind::Group(g) => {
                let mut h = how_group(g, model, ix);
                if let Some((a, t)) = r.sums.get(ix).copied().flatten() {
                    h.push_str(&format!(
                        ": achieved {} of target {}",
                        a.normalize(),
                        t.normalize()
                    ));
                }
                h
            }
            NodeKind::Criterion(c) => how_answer(c, sub.answers.get(ix), node.missing),
        };
        let how = match how_instances(model, r, node, ix) {
            Some(inst) if ix == node.scope => format!("{inst}; {how}"),
            Some(inst) => inst,
            None => how,
        };
        let result = match outcome {
            Outcome::Score(s) => {
                let band = model
                    .band(&node.bands, s)
                    .map(|b| format!(" [{}]", b.id))
                    .unwrap_or_default();
                format!("{}{band}", percent(s, p))
            }
            Outcome::Na(why) => {
                let cond = match (&node.applies, why) {
                    (Some(a), crate::eval::NaReason::NotApplicable) => {
                        format!(" (applies when {})", a.loc.snippet())
                    }
                    _ => String::new(),
                };
                format!("N/A: {}{cond}", why.describe())
            }
        };
        let _ = writeln!(
            out,
            "{prefix}{branch}{}{}\n{prefix}{}   {how} = {result}",
            node.id,
            title(node),
            if ix == start {
                ""
            } else if last {
                "   "
            } else {
                "\u{2502}  "
            }
        );
        let child_prefix = if ix == start {
            String::new()
        } else if last {
            format!("{prefix}   ")
        } else {
            format!("{prefix}\u{2502}  ")
        };
        for (i, &c) in node.children.iter().enumerate().rev() {
            stack.push((c, child_prefix.clone(), i + 1 == node.children.len()));
        }
    }
    out
}
