//! `mizan eval --explain ENTITY`: the computation tree of one entity, with
//! each node's formula, inputs, result, and why it is N/A.

use std::fmt::Write;

use super::{percent, score_cell};
use crate::answers::Answer;
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
        Aggregate::Formula(f) => format!("score {}", f.loc.snippet()),
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
        Some(f) => format!("{base}; score {}", f.loc.snippet()),
        None => base,
    }
}

/// Renders the explain tree.
pub fn render(model: &Model, r: &EntityResult) -> String {
    let p = model.precision;
    let mut out = String::new();
    let sub = &r.submission;
    let _ = writeln!(
        out,
        "entity `{}`{} from {}: {}",
        sub.entity,
        sub.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default(),
        sub.origin,
        score_cell(r.score(), p)
    );
    let mut stack: Vec<(NodeIx, String, bool)> = vec![(0, String::new(), true)];
    while let Some((ix, prefix, last)) = stack.pop() {
        let Some(node) = model.nodes.get(ix) else { continue };
        let outcome = r
            .outcomes
            .get(ix)
            .copied()
            .unwrap_or(Outcome::Na(crate::eval::NaReason::NotApplicable));
        let branch = if ix == 0 {
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
        let result = match outcome {
            Outcome::Score(s) => {
                let band = model
                    .band(node.bands.as_deref(), s)
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
            if ix == 0 {
                ""
            } else if last {
                "   "
            } else {
                "\u{2502}  "
            }
        );
        let child_prefix = if ix == 0 {
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
