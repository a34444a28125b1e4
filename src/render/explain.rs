//! `mizan eval --explain ENTITY`: the computation tree of one entity, with
//! each node's formula, inputs, result, bands, and why it is N/A, in the
//! reader's language.

use std::fmt::Write;

use super::{band_label, Lang};
use crate::answers::{printable, Answer};
use crate::eval::inputs::Read;
use crate::eval::{EntityResult, NaReason, Outcome};
use crate::model::*;

fn title(n: &NodeDef, lang: Lang) -> String {
    lang.pick(&n.title)
        .map(|t| format!(" \u{2014} {}", lang.auto(t)))
        .unwrap_or_default()
}

/// A built-in aggregation's name as people read it (the keyword in
/// English).
fn builtin_word(b: Builtin, lang: Lang) -> String {
    match lang {
        Lang::En => b.name().to_string(),
        Lang::Ar => match b {
            Builtin::Ratio => "النسبة",
            Builtin::Mean => "المتوسط",
            Builtin::WeightedMean => "المتوسط المرجح",
            Builtin::Sum => "المجموع",
            Builtin::Min => "الأدنى",
            Builtin::Max => "الأعلى",
            Builtin::Count => "العدد",
        }
        .to_string(),
    }
}

/// Whether a formula reads the context variable `v`.
fn reads(e: &CExpr, v: Var) -> bool {
    match &e.kind {
        CKind::Var(x) => *x == v,
        CKind::Neg(a) | CKind::Not(a) => reads(a, v),
        CKind::Binary(_, a, b) => reads(a, v) || reads(b, v),
        CKind::If(c, a, b) => reads(c, v) || reads(a, v) || reads(b, v),
        CKind::Call(_, args) | CKind::List(args) => args.iter().any(|a| reads(a, v)),
        CKind::Each { cond, .. } => cond.as_deref().is_some_and(|c| reads(c, v)),
        _ => false,
    }
}

/// `achieved X of target Y`, as far as the group's own aggregation uses
/// them: the ratio, means and weighted mean divide one by the other, `sum`
/// is the achieved part alone, `min`, `max` and `count` use neither, and a
/// `score` formula shows what it names.
fn sums_used(
    g: &Group,
    achieved: rust_decimal::Decimal,
    target: rust_decimal::Decimal,
    lang: Lang,
) -> Option<String> {
    let (a, t) = match &g.aggregate {
        Aggregate::Builtin(Builtin::Ratio | Builtin::Mean | Builtin::WeightedMean) => (true, true),
        Aggregate::Builtin(Builtin::Sum) => (true, false),
        Aggregate::Builtin(_) => (false, false),
        Aggregate::Formula(f) => (reads(f, Var::Achieved), reads(f, Var::Target)),
    };
    let a = a.then(|| {
        format!(
            "{} {}",
            lang.t("achieved", "المحقق"),
            lang.ltr(&achieved.normalize().to_string())
        )
    });
    let t = t.then(|| {
        format!(
            "{} {}",
            lang.t("target", "المستهدف"),
            lang.ltr(&target.normalize().to_string())
        )
    });
    match (a, t) {
        (Some(a), Some(t)) => Some(format!("{a} {} {t}", lang.t("of", "من"))),
        (Some(x), None) | (None, Some(x)) => Some(x),
        (None, None) => None,
    }
}

fn how_group(g: &Group, model: &Model, ix: NodeIx, lang: Lang) -> String {
    let what = match &g.aggregate {
        Aggregate::Builtin(b) => {
            let over = if g.over == Over::Criteria {
                lang.t(" over criteria", " على المعايير")
            } else {
                ""
            };
            format!("{}{over}", builtin_word(*b, lang))
        }
        Aggregate::Formula(f) => format!(
            "{} {}",
            lang.t("score", "الصيغة"),
            lang.ltr(&one_line(f.loc.snippet()))
        ),
    };
    let na = match g.na {
        NaPolicy::Exclude => lang.t("exclude", "يُستبعد"),
        NaPolicy::Full => lang.t("full", "درجة كاملة"),
        NaPolicy::Zero => lang.t("zero", "صفر"),
    };
    let w = model
        .nodes
        .get(ix)
        .filter(|n| n.parent.is_some() && n.weight != rust_decimal::Decimal::ONE)
        .map(|n| {
            format!(
                "{} {}",
                lang.t(", weight", "، الوزن"),
                lang.ltr(&n.weight.normalize().to_string())
            )
        })
        .unwrap_or_default();
    match lang {
        Lang::En => format!("{what} (N/A {na}{w})"),
        Lang::Ar => format!("{what} (غير المنطبق: {na}{w})"),
    }
}

/// An option as chosen: `` `yes` “Yes” (1) ``: its id, its label in the
/// language, and its weight (`N/A` for the not-applicable option,
/// `ignored` for an ignored one).
fn option(o: &OptionDef, lang: Lang) -> String {
    let weight = match o.weight {
        Some(w) => lang.ltr(&w.normalize().to_string()).into_owned(),
        None if o.ignored => lang.t("ignored", "مُتجاهَل").to_string(),
        None => lang.t("N/A", "لا ينطبق").to_string(),
    };
    let label = lang
        .pick(&o.label)
        .map(|l| match lang {
            Lang::En => format!(" \u{201c}{l}\u{201d}"),
            Lang::Ar => format!(" «{}»", lang.auto(l)),
        })
        .unwrap_or_default();
    format!("{}{label} ({weight})", lang.ltr(&format!("`{}`", o.id)))
}

fn how_answer(c: &Criterion, a: Option<&Answer>, missing: MissingPolicy, lang: Lang) -> String {
    let opts = c.answer.options();
    let opt = |i: &usize| opts.get(*i).map_or("?".to_string(), |o| option(o, lang));
    let answered = lang.t("answered", "الإجابة");
    let base = match a {
        None => match missing {
            MissingPolicy::Worst if matches!(c.answer, AnswerKind::Multi { .. }) => lang
                .t(
                    "not answered: worst answer (the empty list)",
                    "بلا إجابة: أسوأ إجابة (القائمة الفارغة)",
                )
                .to_string(),
            MissingPolicy::Worst => lang
                .t("not answered: worst option", "بلا إجابة: أسوأ خيار")
                .to_string(),
            _ => lang.t("not answered", "بلا إجابة").to_string(),
        },
        // The not-applicable option, named as the answer set chose it.
        Some(Answer::Na) => match opts.iter().find(|o| o.is_na()) {
            Some(o) => format!("{answered} {}", option(o, lang)),
            None => format!("{answered} {}", lang.t("N/A", "لا ينطبق")),
        },
        Some(Answer::Option(i)) => format!("{answered} {}", opt(i)),
        // A code, by name: answered `pending` “Data pending” (N/A).
        Some(Answer::Code(i, _)) => match c.answer.code(*i) {
            Some(k) => {
                let label = lang.pick(&k.label).map(|l| format!(" “{l}”")).unwrap_or_default();
                let means = match k.means {
                    CodeValue::Value(d) => lang.ltr(&d.normalize().to_string()).into_owned(),
                    CodeValue::Na => lang.t("N/A", "لا ينطبق").to_string(),
                    CodeValue::Missing => lang.t("missing", "بلا إجابة").to_string(),
                };
                format!("{answered} {}{label} ({means})", lang.ltr(&format!("`{}`", k.id)))
            }
            None => format!("{answered} ?"),
        },
        Some(Answer::Set(s)) => {
            let combine = match &c.answer {
                AnswerKind::Multi { combine, .. } => combine.name(),
                _ => "",
            };
            let items: Vec<String> = s.iter().map(opt).collect();
            format!(
                "{answered} [{}]{} {}",
                items.join(lang.t(", ", "، ")),
                lang.t(", combined by", "، تُجمع بـ"),
                lang.ltr(combine)
            )
        }
        Some(Answer::Number(d)) => format!("{answered} {}", lang.ltr(&d.normalize().to_string())),
        Some(Answer::Bool(b)) => format!(
            "{answered} {}",
            if *b {
                lang.t("yes", "نعم")
            } else {
                lang.t("no", "لا")
            }
        ),
    };
    match &c.score {
        Some(f) => format!(
            "{base}{} {}",
            lang.t("; score", "؛ الصيغة"),
            lang.ltr(&one_line(f.loc.snippet()))
        ),
        None => base,
    }
}

/// Why a node is N/A, in the language.
fn why(reason: NaReason, lang: Lang) -> &'static str {
    match lang {
        Lang::En => reason.describe(),
        Lang::Ar => match reason {
            NaReason::Answered => "أُجيب بلا ينطبق",
            NaReason::NotApplicable => "لا ينطبق على ملف هذه الجهة",
            NaReason::Missing => "بلا إجابة (الإجابة الغائبة تُعد غير منطبقة)",
            NaReason::AllInputsNa => "كل المدخلات غير منطبقة",
            NaReason::NoTarget => "لم يُحدد المستهدف بعد",
            NaReason::Formula => "الصيغة تعتمد على قيمة غير منطبقة",
            NaReason::Ignored => "أُجيب بخيار مُتجاهَل",
            NaReason::Gated => "شرط `requires` غير متحقق",
            NaReason::NoInstances => "لم تُعطَ أي نسخة",
        },
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
    lang: Lang,
) -> Option<String> {
    let rep = model.nodes.get(node.scope)?;
    if node.scope == 0 {
        return None;
    }
    let rule = match &rep.repeat.as_ref()?.switch {
        Some((cond, other)) => format!(
            "{} {} {} {} {}",
            lang.ltr(name(rep.repeat.as_ref()?.rule)),
            lang.t("when", "عندما"),
            lang.ltr(&one_line(cond.loc.snippet())),
            lang.t("else", "وإلا"),
            lang.ltr(name(*other))
        ),
        None => lang.ltr(name(rep.repeat.as_ref()?.rule)).into_owned(),
    };
    if ix == node.scope {
        let count = if rep
            .parent
            .is_some_and(|p| model.nodes.get(p).is_some_and(|pn| pn.scope == 0))
        {
            r.instances.iter().find(|s| s.node == ix).map_or(
                lang.t(" (no instance)", " (بلا نسخ)").to_string(),
                |s| match lang {
                    Lang::En => format!(", {} instances", s.items.len()),
                    Lang::Ar => format!("، النسخ: {}", lang.ltr(&s.items.len().to_string())),
                },
            )
        } else {
            String::new()
        };
        // `keys LIST`: the instances are those of the rubric's list.
        let keys = rep
            .repeat
            .as_ref()
            .and_then(|p| p.keys.as_ref())
            .map_or(String::new(), |k| {
                format!(
                    "{} {}",
                    lang.t(", the instances of", "، نسخ القائمة"),
                    lang.ltr(&format!("`{}`", k.list))
                )
            });
        Some(format!(
            "{} {rule}{count}{keys}",
            lang.t("repeated, combined by", "متكرر، يُجمع بـ")
        ))
    } else {
        Some(match lang {
            Lang::En => format!("combined over the instances of `{}` ({rule})", rep.id),
            Lang::Ar => format!("مجمّع على نسخ {} ({rule})", lang.ltr(&format!("`{}`", rep.id))),
        })
    }
}

fn name(rule: crate::model::InstanceRule) -> &'static str {
    crate::model::InstanceRule::ALL
        .iter()
        .find(|(_, r)| *r == rule)
        .map_or("?", |(n, _)| n)
}

/// The bands of a score under `uses`: `[good “Good”]`, or with several
/// band sets `[grades: good “Good”; tiers: silver “Silver”]`; empty
/// without band sets.
pub fn bands(model: &Model, uses: &[BandUse], score: rust_decimal::Decimal, lang: Lang) -> String {
    let all = model.bands(uses, score);
    if all.is_empty() {
        return String::new();
    }
    let several = all.len() > 1;
    let items: Vec<String> = all
        .into_iter()
        .map(|(set, b)| {
            let band = match b {
                Some(b) => {
                    let label = band_label(lang, b);
                    if label == b.id {
                        lang.ltr(&b.id).into_owned()
                    } else {
                        match lang {
                            Lang::En => format!("{} \u{201c}{label}\u{201d}", b.id),
                            Lang::Ar => format!("{} «{}»", lang.ltr(&b.id), lang.auto(label)),
                        }
                    }
                }
                None => "-".to_string(),
            };
            if several {
                format!("{}: {band}", lang.ltr(set))
            } else {
                band
            }
        })
        .collect();
    format!(" [{}]", items.join(lang.t("; ", "؛ ")))
}

/// A value a formula read, as the explain line shows it: scores as
/// percentages, numbers as written, ids in back quotes.
fn read_value(v: &Read, p: crate::model::Precision, lang: Lang) -> String {
    match v {
        Read::Score(s, unit) => lang.ltr(&super::value(*unit, *s, p)).into_owned(),
        Read::Number(d) => lang.ltr(&d.normalize().to_string()).into_owned(),
        Read::Bool(true) => lang.t("yes", "نعم").to_string(),
        Read::Bool(false) => lang.t("no", "لا").to_string(),
        Read::Text(t) => lang.ltr(&format!("`{}`", printable(t))).into_owned(),
        Read::Texts(ts) => {
            let items: Vec<String> = ts.iter().map(|t| format!("`{}`", printable(t))).collect();
            lang.ltr(&format!("[{}]", items.join(", "))).into_owned()
        }
        Read::Na => lang.t("N/A", "لا ينطبق").to_string(),
        Read::Instances(items) if items.is_empty() => lang.t("[no instance]", "[لا نسخ]").to_string(),
        Read::Instances(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|(k, v)| format!("{} = {}", lang.ltr(&printable(k)), read_value(v, p, lang)))
                .collect();
            format!("[{}]", items.join(lang.t(", ", "، ")))
        }
    }
}

/// `reads: social = 84.6%, economic = 0.0%, environmental = N/A`: each name
/// a node's `score` formula read, with its value; `None` for a node
/// without a formula, or inside a repeated node (read per instance).
fn inputs_line(model: &Model, r: &EntityResult, node: &NodeDef, ix: NodeIx, lang: Lang) -> Option<String> {
    if node.scope != 0 {
        return None;
    }
    let f = match &node.kind {
        NodeKind::Group(g) => match &g.aggregate {
            Aggregate::Formula(f) => f,
            Aggregate::Builtin(_) => return None,
        },
        NodeKind::Criterion(c) => c.score.as_ref()?,
    };
    let inputs = crate::eval::inputs::formula_inputs(model, r, ix, f);
    if inputs.is_empty() {
        return None;
    }
    let items: Vec<String> = inputs
        .iter()
        .map(|i| {
            format!(
                "{} = {}",
                lang.ltr(&one_line(&i.name)),
                read_value(&i.value, model.precision, lang)
            )
        })
        .collect();
    Some(format!(
        "{}: {}",
        lang.t("reads", "يقرأ"),
        items.join(lang.t(", ", "، "))
    ))
}

/// Renders the explain tree in English.
pub fn render(model: &Model, r: &EntityResult) -> String {
    render_in(model, r, Lang::En)
}

/// Renders the explain tree in `lang`.
pub fn render_in(model: &Model, r: &EntityResult, lang: Lang) -> String {
    let sub = &r.submission;
    let name = sub
        .name
        .as_ref()
        .map(|n| format!(" ({})", lang.auto(&printable(n))))
        .unwrap_or_default();
    let origin = printable(&sub.origin.to_string()).into_owned();
    let score = super::value_cell_in(lang, super::unit_of(model, 0), r.score(), model.precision);
    let top = match lang {
        Lang::En => format!("entity `{}`{name} from {origin}: {score}", printable(&sub.entity)),
        Lang::Ar => format!(
            "الجهة {}{name} من {}: {score}",
            lang.ltr(&format!("`{}`", printable(&sub.entity))),
            lang.ltr(&origin)
        ),
    };
    let mut out = lang.line(&top).into_owned();
    out.push('\n');
    out.push_str(&render_from_in(model, r, 0, lang));
    out
}

/// The computation tree of node `start` and everything below it, in
/// English.
pub fn render_from(model: &Model, r: &EntityResult, start: NodeIx) -> String {
    render_from_in(model, r, start, Lang::En)
}

/// The computation tree of node `start` and everything below it, in
/// `lang` (Arabic lines start with a right-to-left mark).
pub fn render_from_in(model: &Model, r: &EntityResult, start: NodeIx, lang: Lang) -> String {
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
            .unwrap_or(Outcome::Na(NaReason::NotApplicable));
        let branch = if ix == start {
            ""
        } else if last {
            "\u{2514}\u{2500} "
        } else {
            "\u{251c}\u{2500} "
        };
        let how = match &node.kind {
            // `headline a, b` and no total: say so instead of a mean of nothing.
            NodeKind::Group(_) if ix == 0 && model.no_total => {
                let ids: Vec<&str> = model
                    .headlines
                    .iter()
                    .filter_map(|&h| model.nodes.get(h).map(|n| n.id.as_str()))
                    .collect();
                format!(
                    "{} {} {}",
                    lang.t("headlines", "المؤشرات الرئيسية"),
                    lang.ltr(&ids.join(", ")),
                    lang.t("(no total)", "(دون إجمالي)")
                )
            }
            NodeKind::Group(g) => {
                let mut h = how_group(g, model, ix, lang);
                if let Some((a, t)) = r.sums.get(ix).copied().flatten() {
                    if let Some(used) = sums_used(g, a, t, lang) {
                        h.push_str(": ");
                        h.push_str(&used);
                    }
                }
                h
            }
            NodeKind::Criterion(c) => how_answer(c, sub.answers.get(ix), node.missing, lang),
        };
        let how = match how_instances(model, r, node, ix, lang) {
            Some(inst) if ix == node.scope => format!("{inst}; {how}"),
            Some(inst) => inst,
            None => how,
        };
        let na = lang.t("N/A", "لا ينطبق");
        let result = match outcome {
            Outcome::Score(s) => {
                format!(
                    "{}{}",
                    lang.ltr(&super::value(node.unit, s, p)),
                    bands(model, &node.bands, s, lang)
                )
            }
            // The answer line already says it was answered N/A.
            Outcome::Na(NaReason::Answered) if sub.answers.get(ix).is_some() => na.to_string(),
            Outcome::Na(reason) => {
                let cond = match (&node.applies, reason) {
                    (Some(a), NaReason::NotApplicable) => format!(
                        " ({} {})",
                        lang.t("applies when", "تنطبق عندما"),
                        lang.ltr(a.loc.snippet())
                    ),
                    _ => String::new(),
                };
                format!("{na}: {}{cond}", why(reason, lang))
            }
        };
        let head = format!("{prefix}{branch}{}{}", lang.ltr(&node.id), title(node, lang));
        let body = format!(
            "{prefix}{}   {how} = {result}",
            if ix == start {
                ""
            } else if last {
                "   "
            } else {
                "\u{2502}  "
            }
        );
        let _ = writeln!(out, "{}\n{}", lang.line(&head), lang.line(&body));
        let pad = format!(
            "{prefix}{}",
            if ix == start {
                ""
            } else if last {
                "   "
            } else {
                "\u{2502}  "
            }
        );
        if let Some(line) = inputs_line(model, r, node, ix, lang) {
            let _ = writeln!(out, "{}", lang.line(&format!("{pad}   {line}")));
        }
        for c in model.constraints.iter().filter(|c| c.node == ix) {
            let _ = writeln!(
                out,
                "{}",
                lang.line(&format!("{pad}   {}", constraint_line(c, node, r, lang)))
            );
        }
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

/// `constraint value <= 100 (warning): not met: “Above the population”`.
fn constraint_line(
    c: &crate::model::ConstraintDef,
    node: &crate::model::NodeDef,
    r: &EntityResult,
    lang: Lang,
) -> String {
    use crate::answers::AnswerError;
    let rule = crate::fmt::collapse_source(c.loc.snippet(), true);
    let failed = r.warnings.iter().any(|w| {
        matches!(&w.error, AnswerError::ConstraintWarning { id, rule: x, .. } if *id == node.id && *x == rule)
    });
    let level = if c.error {
        lang.t("error", "خطأ")
    } else {
        lang.t("warning", "تنبيه")
    };
    let verdict = if failed {
        format!(
            "{}: “{}”",
            lang.t("not met", "غير مستوفى"),
            lang.pick(&c.message).unwrap_or_default()
        )
    } else {
        lang.t("met", "مستوفى").to_string()
    };
    format!(
        "{} {} ({level}): {verdict}",
        lang.t("constraint", "قيد"),
        lang.ltr(&rule)
    )
}
