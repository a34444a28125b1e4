//! Rules in plain words, in English and Arabic: conditions (`applies
//! when`), aggregations, N/A and missing-answer policies.
//!
//! A sentence is a list of [`Seg`]ments, so the template can set ids and
//! formulas in code, numbers left to right and labels in their own
//! direction, and escape every one of them: no HTML is built here.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Builtin, CExpr, CKind, Combine, FieldTy, Model, NaPolicy, Over, RoundMode};
use crate::render::Lang;

use crate::ast::BinOp;

/// A piece of a sentence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Seg {
    /// `t` text, `c` code (an id, a formula), `n` a number, `q` a label
    /// from the rubric (its own direction).
    pub k: &'static str,
    /// The text.
    pub t: String,
}

/// A sentence made of segments.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(transparent)]
pub struct Words(pub Vec<Seg>);

impl Words {
    /// An empty sentence.
    pub fn new() -> Self {
        Words(Vec::new())
    }

    /// Plain text in the reader's language.
    pub fn t(mut self, s: impl Into<String>) -> Self {
        self.0.push(Seg { k: "t", t: s.into() });
        self
    }

    /// Code: an id or a formula as written.
    pub fn c(mut self, s: impl Into<String>) -> Self {
        self.0.push(Seg { k: "c", t: s.into() });
        self
    }

    /// A number (laid out left to right).
    pub fn n(mut self, s: impl Into<String>) -> Self {
        self.0.push(Seg { k: "n", t: s.into() });
        self
    }

    /// A label written in the rubric.
    pub fn q(mut self, s: impl Into<String>) -> Self {
        self.0.push(Seg { k: "q", t: s.into() });
        self
    }

    /// The segments of `other` after these.
    pub fn then(mut self, other: Words) -> Self {
        self.0.extend(other.0);
        self
    }

    /// True when nothing is said.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The sentence as plain text (for tests and messages).
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|s| match s.k {
                "c" => format!("`{}`", s.t),
                _ => s.t.clone(),
            })
            .collect()
    }
}

/// A decimal as written (trailing zeros dropped).
pub fn num(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A formula as written in the rule file, its line breaks and indentation
/// collapsed.
///
/// A call of a named formula (`score higher_is_better`) is written at its
/// call as the formula's name, while the model holds the formula's body
/// (inlined by the checker): it is shown as `higher_is_better = clamp(value
/// / target, 0, 1)`, the body put together from its parts as written.
pub fn written(e: &CExpr) -> String {
    let s = one_line(e.loc.snippet());
    if is_name(&s) && compound(e) {
        format!("{s} = {}", body(e))
    } else {
        s
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
}

fn compound(e: &CExpr) -> bool {
    matches!(
        e.kind,
        CKind::Call(..) | CKind::Binary(..) | CKind::If(..) | CKind::Neg(_) | CKind::Not(_)
    )
}

/// An inlined formula's body, from the parts it is made of.
fn body(e: &CExpr) -> String {
    let part = |x: &CExpr| {
        let s = one_line(x.loc.snippet());
        if is_name(&s) && compound(x) {
            format!("({})", body(x))
        } else if matches!(x.kind, CKind::Binary(..)) && !s.starts_with('(') {
            format!("({s})")
        } else {
            s
        }
    };
    match &e.kind {
        CKind::Call(f, args) => format!(
            "{}({})",
            f.name(),
            args.iter()
                .map(|a| {
                    let s = one_line(a.loc.snippet());
                    if is_name(&s) && compound(a) {
                        body(a)
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        CKind::Binary(op, a, b) => format!("{} {} {}", part(a), op.symbol(), part(b)),
        CKind::If(c, a, b) => format!("if {} then {} else {}", part(c), part(a), part(b)),
        CKind::Neg(x) => format!("-{}", part(x)),
        CKind::Not(x) => format!("not {}", part(x)),
        _ => one_line(e.loc.snippet()),
    }
}

/// Who a condition is about: the entity, or the instances of a repeated node.
fn subject_is_instance(model: &Model, e: &CExpr) -> bool {
    match &e.kind {
        CKind::Field(f) => model
            .profile
            .get_index(*f)
            .is_some_and(|(_, d)| d.owner.is_some()),
        CKind::Not(x) | CKind::Neg(x) => subject_is_instance(model, x),
        CKind::Binary(_, a, b) => subject_is_instance(model, a) || subject_is_instance(model, b),
        _ => false,
    }
}

/// `applies when COND` as a sentence: "Applies only to entities whose
/// profile field `role` is `data_provider` or `both`." The condition as
/// written is shown beside it, so a condition with no plain reading is
/// still said ("Applies only when this condition holds").
pub fn applies(model: &Model, e: &CExpr, lang: Lang) -> Words {
    match cond(model, e, lang) {
        Some(c) => {
            let start = if subject_is_instance(model, e) {
                lang.t("Applies only to instances whose ", "ينطبق فقط على النسخ التي يكون فيها ")
            } else {
                lang.t("Applies only to entities whose ", "ينطبق فقط على الجهات التي يكون فيها ")
            };
            Words::new().t(start).then(c).t(lang.t(
                ". Elsewhere it is not applicable (N/A) and counts as its group's N/A rule says.",
                "، وفي غير ذلك لا ينطبق ويُعامل كما تنص قاعدة عدم الانطباق في المجموعة التي تضمه.",
            ))
        }
        None => Words::new().t(lang.t(
            "Applies only when the condition below holds; elsewhere it is not applicable (N/A) and counts as its group's N/A rule says.",
            "ينطبق فقط عندما يتحقق الشرط أدناه، وفي غير ذلك لا ينطبق ويُعامل كما تنص قاعدة عدم الانطباق في المجموعة التي تضمه.",
        )),
    }
}

/// A profile field as people read it: "profile field `role` (“Entity role”)".
fn field(model: &Model, f: usize, lang: Lang) -> Option<Words> {
    let (name, def) = model.profile.get_index(f)?;
    let mut w = Words::new()
        .t(lang.t("profile field ", "حقل الملف "))
        .c(name.clone());
    if let Some(label) = lang.pick(&def.label) {
        w = w.t(" (").q(label).t(")");
    }
    Some(w)
}

/// Value `v` of enum field `f`: see [`value_words`].
fn enum_value(model: &Model, f: usize, v: usize, lang: Lang) -> Option<Words> {
    value_words(model.profile.get_index(f)?.1, v, lang)
}

/// Value `v` of the enum field `def`: its label and id (`"Data provider"
/// (data_provider)`), or its id alone when the rubric gives it no label.
pub(super) fn value_words(def: &crate::model::FieldDef, v: usize, lang: Lang) -> Option<Words> {
    let FieldTy::Enum(values) = &def.ty else {
        return None;
    };
    let id = values.get(v)?;
    Some(match def.value_labels.get(v).and_then(|l| lang.pick(l)) {
        Some(label) => Words::new().q(label).t(" (").c(id.clone()).t(")"),
        None => Words::new().c(id.clone()),
    })
}

/// `field == value` (either way round): the field and the value.
fn field_is(e: &CExpr) -> Option<(usize, usize)> {
    match &e.kind {
        CKind::Binary(BinOp::Eq, a, b) => match (&a.kind, &b.kind) {
            (CKind::Field(f), CKind::EnumLit(g, v)) | (CKind::EnumLit(g, v), CKind::Field(f)) if f == g => {
                Some((*f, *v))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The operands of a chain of `op`, flattened.
fn chain<'a>(e: &'a CExpr, op: BinOp, out: &mut Vec<&'a CExpr>) {
    match &e.kind {
        CKind::Binary(o, a, b) if *o == op => {
            chain(a, op, out);
            chain(b, op, out);
        }
        _ => out.push(e),
    }
}

/// A list of values joined by "or".
fn or_values(values: Vec<Words>, lang: Lang) -> Words {
    let mut w = Words::new();
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            w = w.t(lang.t(" or ", " أو "));
        }
        w = w.then(v);
    }
    w
}

/// A condition on profile fields in plain words, or `None` when it has
/// no plain reading (it names nodes, answers or formulas).
pub fn cond(model: &Model, e: &CExpr, lang: Lang) -> Option<Words> {
    match &e.kind {
        CKind::Binary(BinOp::Or, ..) => {
            let mut parts = Vec::new();
            chain(e, BinOp::Or, &mut parts);
            // `role == a or role == b`: "role is a or b".
            let same: Option<Vec<(usize, usize)>> = parts.iter().map(|p| field_is(p)).collect();
            if let Some(same) = same {
                if let Some(&(f, _)) = same.first() {
                    if same.iter().all(|(g, _)| *g == f) {
                        let values: Option<Vec<Words>> = same
                            .iter()
                            .map(|(f, v)| enum_value(model, *f, *v, lang))
                            .collect();
                        return Some(
                            field(model, f, lang)?
                                .t(lang.t(" is ", " يساوي "))
                                .then(or_values(values?, lang)),
                        );
                    }
                }
            }
            let mut w = Words::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    w = w.t(lang.t(", or ", "، أو "));
                }
                w = w.then(cond(model, p, lang)?);
            }
            Some(w)
        }
        CKind::Binary(BinOp::And, ..) => {
            let mut parts = Vec::new();
            chain(e, BinOp::And, &mut parts);
            let mut w = Words::new();
            for (i, p) in parts.iter().enumerate() {
                if matches!(p.kind, CKind::Binary(BinOp::Or, ..)) {
                    return None;
                }
                if i > 0 {
                    w = w.t(lang.t(", and ", "، و"));
                }
                w = w.then(cond(model, p, lang)?);
            }
            Some(w)
        }
        CKind::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b) => {
            let verb = if *op == BinOp::Eq {
                lang.t(" is ", " يساوي ")
            } else {
                lang.t(" is not ", " لا يساوي ")
            };
            match (&a.kind, &b.kind) {
                (CKind::Field(f), CKind::EnumLit(g, v)) | (CKind::EnumLit(g, v), CKind::Field(f))
                    if f == g =>
                {
                    Some(
                        field(model, *f, lang)?
                            .t(verb)
                            .then(enum_value(model, *f, *v, lang)?),
                    )
                }
                (CKind::Field(f), CKind::Bool(x)) | (CKind::Bool(x), CKind::Field(f)) => {
                    Some(field(model, *f, lang)?.t(verb).t(yes_no(*x, lang)))
                }
                (CKind::Field(f), CKind::Num(n)) | (CKind::Num(n), CKind::Field(f)) => {
                    Some(field(model, *f, lang)?.t(verb).n(num(*n)))
                }
                _ => None,
            }
        }
        CKind::Binary(op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge), a, b) => match (&a.kind, &b.kind)
        {
            (CKind::Field(f), CKind::Num(n)) => {
                Some(field(model, *f, lang)?.t(compare(*op, lang)).n(num(*n)))
            }
            (CKind::Num(n), CKind::Field(f)) => {
                Some(field(model, *f, lang)?.t(compare(flip(*op), lang)).n(num(*n)))
            }
            _ => None,
        },
        CKind::Binary(BinOp::In, a, b) => match (&a.kind, &b.kind) {
            (CKind::Field(f), CKind::List(items)) => {
                let values: Option<Vec<Words>> = items
                    .iter()
                    .map(|i| match i.kind {
                        CKind::EnumLit(g, v) => enum_value(model, g, v, lang),
                        CKind::Num(n) => Some(Words::new().c(num(n))),
                        _ => None,
                    })
                    .collect();
                Some(
                    field(model, *f, lang)?
                        .t(lang.t(" is ", " يساوي "))
                        .then(or_values(values?, lang)),
                )
            }
            _ => None,
        },
        CKind::Field(f) if e.ty == crate::model::Ty::Bool => Some(
            field(model, *f, lang)?
                .t(lang.t(" is ", " يساوي "))
                .t(yes_no(true, lang)),
        ),
        CKind::Not(x) => match &x.kind {
            CKind::Field(f) if x.ty == crate::model::Ty::Bool => Some(
                field(model, *f, lang)?
                    .t(lang.t(" is ", " يساوي "))
                    .t(yes_no(false, lang)),
            ),
            _ => None,
        },
        _ => None,
    }
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    if b {
        lang.t("yes", "نعم")
    } else {
        lang.t("no", "لا")
    }
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn compare(op: BinOp, lang: Lang) -> &'static str {
    match op {
        BinOp::Lt => lang.t(" is less than ", " أقل من "),
        BinOp::Le => lang.t(" is at most ", " لا يزيد على "),
        BinOp::Gt => lang.t(" is more than ", " أكبر من "),
        _ => lang.t(" is at least ", " لا يقل عن "),
    }
}

/// What a group aggregates over, as a phrase.
fn inputs(over: Over, lang: Lang) -> &'static str {
    match over {
        Over::Children => lang.t("its direct children", "عناصره المباشرة"),
        Over::Criteria => lang.t(
            "every criterion below it (each counted once)",
            "كل المعايير التي تحته (يُحتسب كل معيار مرة واحدة)",
        ),
    }
}

/// A built-in aggregation in words and in notation, over `over` (or over
/// entities, for the population: `over` is `None`).
pub fn builtin(b: Builtin, over: Option<Over>, lang: Lang) -> (Words, String) {
    let of = match over {
        Some(o) => inputs(o, lang),
        None => lang.t("the entities that have a score", "الجهات التي لها نتيجة"),
    };
    let (en, ar, notation): (&str, &str, &str) = match b {
        Builtin::Ratio => (
            "Achieved over target: the sum of the scores of {} divided by the number of them counted",
            "المحقق إلى المستهدف: مجموع نتائج {} مقسوماً على عدد المحتسب منها",
            "achieved / target",
        ),
        Builtin::Mean => ("The mean of the scores of {}", "متوسط نتائج {}", "Σ sᵢ / n"),
        Builtin::WeightedMean => (
            "The mean of the scores of {} weighted by weight",
            "المتوسط المرجّح لنتائج {} بحسب أوزانها",
            "Σ wᵢ·sᵢ / Σ wᵢ",
        ),
        Builtin::Sum => ("The sum of the scores of {}", "مجموع نتائج {}", "Σ sᵢ"),
        Builtin::Min => ("The lowest score of {}", "أدنى نتيجة بين {}", "min(sᵢ)"),
        Builtin::Max => ("The highest score of {}", "أعلى نتيجة بين {}", "max(sᵢ)"),
        Builtin::Count => (
            "The number of {} that have a score",
            "عدد {} التي لها نتيجة",
            "count(sᵢ)",
        ),
    };
    let text = lang.t(en, ar).replacen("{}", of, 1);
    (Words::new().t(text).t("."), notation.to_string())
}

/// What N/A inputs of a group do.
pub fn na_policy(na: NaPolicy, lang: Lang) -> &'static str {
    match na {
        NaPolicy::Exclude => lang.t(
            "Inputs that are N/A are left out of both achieved and target (excluded from the denominator).",
            "تُستبعد المدخلات غير المنطبقة من المحقق والمستهدف معاً (لا تدخل في المقام).",
        ),
        NaPolicy::Full => lang.t(
            "Inputs that are N/A count as full marks (1).",
            "تُحتسب المدخلات غير المنطبقة بالعلامة الكاملة (1).",
        ),
        NaPolicy::Zero => lang.t(
            "Inputs that are N/A count as zero.",
            "تُحتسب المدخلات غير المنطبقة صفراً.",
        ),
    }
}

/// What an N/A answer does in a group with policy `na`, as a short clause.
pub fn na_effect(na: NaPolicy, lang: Lang) -> &'static str {
    match na {
        NaPolicy::Exclude => lang.t(
            "it is then left out of its group's achieved and target (excluded from the denominator)",
            "ويُستبعد عندها من المحقق والمستهدف في مجموعته (لا يدخل في المقام)",
        ),
        NaPolicy::Full => lang.t(
            "it then counts as full marks (1) in its group",
            "ويُحتسب عندها بالعلامة الكاملة (1) في مجموعته",
        ),
        NaPolicy::Zero => lang.t(
            "it then counts as zero in its group",
            "ويُحتسب عندها صفراً في مجموعته",
        ),
    }
}

/// How the weights of a multiple choice combine.
pub fn combine(c: Combine, lang: Lang) -> &'static str {
    match c {
        Combine::SumCapped => lang.t(
            "Several options may be chosen; the score is the sum of their weights, capped at 1.",
            "يمكن اختيار أكثر من خيار، والنتيجة مجموع أوزانها بحد أقصى 1.",
        ),
        Combine::Sum => lang.t(
            "Several options may be chosen; the score is the sum of their weights.",
            "يمكن اختيار أكثر من خيار، والنتيجة مجموع أوزانها.",
        ),
        Combine::Max => lang.t(
            "Several options may be chosen; the score is the highest of their weights.",
            "يمكن اختيار أكثر من خيار، والنتيجة أعلى أوزانها.",
        ),
        Combine::Min => lang.t(
            "Several options may be chosen; the score is the lowest of their weights.",
            "يمكن اختيار أكثر من خيار، والنتيجة أدنى أوزانها.",
        ),
        Combine::Mean => lang.t(
            "Several options may be chosen; the score is the mean of their weights.",
            "يمكن اختيار أكثر من خيار، والنتيجة متوسط أوزانها.",
        ),
    }
}

/// A rounding mode in words.
pub fn round_mode(m: RoundMode, lang: Lang) -> &'static str {
    match m {
        RoundMode::HalfUp => lang.t("halves away from zero", "النصف بعيداً عن الصفر"),
        RoundMode::HalfEven => lang.t("halves to the even digit", "النصف إلى الرقم الزوجي"),
        RoundMode::HalfDown => lang.t("halves towards zero", "النصف نحو الصفر"),
        RoundMode::Down => lang.t("towards zero (truncated)", "نحو الصفر (بالبتر)"),
        RoundMode::Up => lang.t("away from zero", "بعيداً عن الصفر"),
        RoundMode::Floor => lang.t("downwards", "نحو الأدنى"),
        RoundMode::Ceiling => lang.t("upwards", "نحو الأعلى"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        reason = "a test fails by panicking"
    )]

    use super::*;

    /// The `applies when` of criterion `c` of a small rubric, in words.
    fn said(profile: &str, cond_text: &str, lang: Lang) -> String {
        let src = format!(
            "mizan 1\nrubric x {{ version \"1\" profile {{ {profile} }}\n criterion a {{ yesno }}\n criterion c {{ applies when {cond_text} yesno }} }}\n"
        );
        let (r, d) = crate::load("x.mizan", &src);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let r = r.unwrap();
        let m = r.model();
        let c = &m.nodes[*m.by_id.get("c").unwrap()];
        applies(m, c.applies.as_ref().unwrap(), lang).plain()
    }

    #[test]
    fn conditions_in_plain_words() {
        let p = "kind: one of a, b, c size: number federal: bool";
        let en = |c: &str| said(p, c, Lang::En);
        assert!(en("kind == a or kind == b")
            .starts_with("Applies only to entities whose profile field `kind` is `a` or `b`."));
        assert!(en("kind in [a, c]").contains("profile field `kind` is `a` or `c`."));
        assert!(en("size >= 10 and not federal")
            .contains("profile field `size` is at least 10, and profile field `federal` is no."));
        assert!(en("10 > size").contains("profile field `size` is less than 10"));
        assert!(en("federal").contains("profile field `federal` is yes"));
        // Mixed `and`/`or` and arithmetic have no plain reading.
        assert!(en("(kind == a or federal) and size > 1")
            .starts_with("Applies only when the condition below holds"));
        assert!(en("size * 2 > 10").starts_with("Applies only when the condition below holds"));
        let ar = said(p, "kind != b", Lang::Ar);
        assert!(
            ar.starts_with("ينطبق فقط على الجهات التي يكون فيها حقل الملف `kind` لا يساوي `b`"),
            "{ar}"
        );
    }
}
