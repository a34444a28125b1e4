//! The rubric as a published guide (`mizan doc`): one self-contained HTML
//! page, in English or Arabic, that says everything the checked model
//! says to the people who answer and read the indicator: its levels,
//! every criterion with its options and weights, N/A and missing-answer
//! rules, applicability in plain words, how each level aggregates (in
//! words and in notation), bands, KPIs, the population and the display
//! precision.
//!
//! The page is built from the [`Model`] only (formulas are shown as the
//! rule file writes them, from their locations): a context of plain
//! structures is made here, and the template `guide.html` (minijinja,
//! auto-escaping on: every string from the rule file is escaped) lays it
//! out. Fixed words are picked here with [`Lang::t`], so each exists in
//! both languages. The output has no time stamp: the same rubric gives
//! the same bytes.

mod words;

use indexmap::IndexMap;
use minijinja::{context, Environment};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{
    Aggregate, AnswerKind, BandUse, CodeValue, Criterion, Direction, FieldTy, Group, InstanceRule,
    MissingPolicy, Model, NodeDef, NodeIx, NodeKind, Over, PopAggregate, Unit,
};
use crate::render::Lang;

pub use words::{Seg, Words};

const TEMPLATE: &str = include_str!("guide.html");
const STYLE: &str = include_str!("guide.css");

/// The guide could not be rendered (a template error: a bug).
#[derive(Debug, thiserror::Error)]
#[error("the guide could not be rendered: {0}")]
pub struct Error(#[from] minijinja::Error);

/// A fact about a node: a label, what it says, and the rule as written.
#[derive(Debug, Serialize)]
struct Fact {
    label: &'static str,
    words: Words,
    /// Notation (a formula).
    notation: Option<String>,
    /// The rule as written in the rule file (`aggregate ratio over criteria`).
    written: Option<String>,
}

/// One row of an options (or codes) table.
#[derive(Debug, Serialize)]
struct Row {
    label: String,
    id: String,
    weight: String,
    /// The weight is a number (laid out left to right).
    numeric: bool,
    note: &'static str,
}

/// A group or criterion, in document order.
#[derive(Debug, Serialize)]
struct Item {
    criterion: bool,
    id: String,
    /// Heading level (2 for top-level groups).
    h: usize,
    depth: usize,
    top: bool,
    level: Option<String>,
    title: Option<String>,
    description: Option<String>,
    facts: Vec<Fact>,
    options: Vec<Row>,
    codes: Vec<Row>,
}

/// An entry of the table of contents.
#[derive(Debug, Serialize)]
struct Toc {
    id: String,
    level: Option<String>,
    title: Option<String>,
    children: usize,
}

/// A band set.
#[derive(Debug, Serialize)]
struct BandSet {
    name: String,
    used_by: Vec<Words>,
    bands: Vec<Row>,
}

/// A profile field.
#[derive(Debug, Serialize)]
struct Field {
    name: String,
    label: Option<String>,
    kind: Words,
    owner: Option<String>,
}

/// A named value, a constraint: a name or message and the formula.
#[derive(Debug, Serialize)]
struct Named {
    name: String,
    note: Option<&'static str>,
    notation: String,
}

/// The guide of `model` in `lang`: a complete HTML document.
pub fn guide(model: &Model, lang: Lang) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.add_template("guide.html", TEMPLATE)?;
    env.add_template("guide.css", STYLE)?;
    let tmpl = env.get_template("guide.html")?;
    let items: Vec<Item> = (1..model.nodes.len())
        .filter_map(|ix| item(model, ix, lang))
        .collect();
    let toc: Vec<Toc> = model
        .top_level()
        .iter()
        .filter_map(|&ix| model.nodes.get(ix))
        .map(|n| Toc {
            id: n.id.clone(),
            level: super::level_label(model, n, lang),
            title: lang.pick(&n.title).map(str::to_string),
            children: count_criteria(model, n),
        })
        .collect();
    let out = tmpl.render(context! {
        lang => lang.tag(),
        dir => if lang.is_rtl() { "rtl" } else { "ltr" },
        t => labels(lang),
        title => lang.pick(&model.title).unwrap_or(&model.id),
        id => model.id,
        version => model.version,
        description => lang.pick(&model.description),
        criteria_count => model.criteria().count(),
        toc => toc,
        overall => root_facts(model, lang),
        headlines => model.headlines.iter().filter_map(|&h| model.nodes.get(h)).map(|n| n.id.clone()).collect::<Vec<_>>(),
        precision => precision(model, lang),
        fields => fields(model, lang),
        lets => model.lets.iter().map(|l| Named { name: l.name.clone(), note: None, notation: words::written(&l.expr) }).collect::<Vec<_>>(),
        items => items,
        band_sets => band_sets(model, lang),
        population => population(model, lang),
        constraints => constraints(model, lang),
        sha256 => model.sha256,
        mizan => env!("CARGO_PKG_VERSION"),
    })?;
    Ok(out)
}

fn count_criteria(model: &Model, n: &NodeDef) -> usize {
    model
        .by_id
        .get(&n.id)
        .map_or(0, |&ix| model.criteria_under(ix).len())
}

/// Every fixed word of the page, in `lang`.
fn labels(lang: Lang) -> IndexMap<&'static str, &'static str> {
    let mut t = IndexMap::new();
    let mut add = |k: &'static str, en: &'static str, ar: &'static str| {
        t.insert(k, lang.t(en, ar));
    };
    add("guide", "Published guide", "الدليل المنشور");
    add("rubric", "Rubric", "القاعدة");
    add("version", "Version", "الإصدار");
    add("criteria_count", "Criteria", "عدد المعايير");
    add("contents", "Contents", "المحتويات");
    add(
        "overall",
        "How the overall score is computed",
        "كيف تُحتسب النتيجة الإجمالية",
    );
    add("headlines", "Headline indicators", "المؤشرات الرئيسية");
    add("precision", "Precision and rounding", "الدقة والتقريب");
    add("profile", "Entity profile", "الملف التعريفي للجهة");
    add(
        "profile_intro",
        "Each entity states these fields with its answers; applicability rules read them.",
        "تذكر كل جهة هذه الحقول مع إجاباتها، وتعتمد عليها قواعد الانطباق.",
    );
    add("field", "Field", "الحقل");
    add("label", "Label", "التسمية");
    add("values", "Values", "القيم");
    add("owner", "Carried by", "يخص");
    add("entity", "the entity", "الجهة");
    add("lets", "Named values", "القيم المسماة");
    add("name", "Name", "الاسم");
    add("formula", "Formula", "الصيغة");
    add("levels", "The levels", "المستويات");
    add("option", "Option", "الخيار");
    add("id", "Id", "المعرّف");
    add("weight", "Weight", "الوزن");
    add("code", "Code", "الرمز");
    add("means", "Stands for", "يعني");
    add("bands", "Bands", "الفئات");
    add("band", "Band", "الفئة");
    add("from", "From score", "من النتيجة");
    add("used_by", "Used by", "تستخدمها");
    add(
        "population",
        "Population (all entities)",
        "مستوى المجتمع (كل الجهات)",
    );
    add("constraints", "Checks on answers", "التحققات على الإجابات");
    add("level", "Level", "المستوى");
    add("message", "Message", "الرسالة");
    add("provenance", "Provenance", "المصدر");
    add("sha256", "sha256", "sha256");
    add("generated", "Generated by Mizan", "أُنشئ بواسطة ميزان");
    add("criteria_in", "criteria", "المعايير");
    add("written", "as written", "كما في القاعدة");
    add("notation", "notation", "الترميز");
    add("sep", ", ", "، ");
    t
}

fn fact(label: &'static str, words: Words) -> Fact {
    Fact {
        label,
        words,
        notation: None,
        written: None,
    }
}

/// A group's aggregation: words, notation and the rule as written.
fn aggregation(g: &Group, lang: Lang) -> Fact {
    let label = lang.t("Aggregation", "طريقة التجميع");
    match &g.aggregate {
        Aggregate::Builtin(b) => {
            let (mut w, notation) = words::builtin(*b, Some(g.over), lang);
            if g.normalised {
                w = w.t(lang.t(" Its weights sum to 1.", " أوزانها مجموعها 1."));
            }
            let over = if g.over == Over::Criteria {
                " over criteria"
            } else {
                ""
            };
            let norm = if g.normalised { " normalised" } else { "" };
            Fact {
                label,
                words: w,
                notation: Some(notation),
                written: Some(format!("aggregate {}{norm}{over}", b.name())),
            }
        }
        Aggregate::Formula(e) => Fact {
            label,
            words: Words::new().t(lang.t("A formula written in the rubric:", "صيغة مكتوبة في القاعدة:")),
            notation: Some(words::written(e)),
            written: None,
        },
    }
}

/// The facts of the rubric's own score.
fn root_facts(model: &Model, lang: Lang) -> Vec<Fact> {
    let root = model.root();
    let mut facts = Vec::new();
    if model.no_total {
        facts.push(fact(
            lang.t("Aggregation", "طريقة التجميع"),
            Words::new().t(lang.t(
                "The rubric publishes its headline indicators and no total.",
                "تنشر القاعدة مؤشراتها الرئيسية دون نتيجة إجمالية.",
            )),
        ));
    } else if let NodeKind::Group(g) = &root.kind {
        facts.push(aggregation(g, lang));
        if matches!(g.aggregate, Aggregate::Builtin(_)) {
            facts.push(fact(
                lang.t("N/A inputs", "المدخلات غير المنطبقة"),
                Words::new().t(words::na_policy(g.na, lang)),
            ));
        }
    }
    facts.push(fact(
        lang.t("Unanswered criteria", "المعايير بلا إجابة"),
        missing(root, lang),
    ));
    if root.unit != Unit::Percent {
        facts.push(unit(root.unit, lang));
    }
    if let Some(b) = band_fact(&root.bands, lang) {
        facts.push(b);
    }
    facts
}

fn unit(u: Unit, lang: Lang) -> Fact {
    fact(lang.t("Unit", "الوحدة"), Words::new().c(u.name()))
}

fn band_fact(uses: &[BandUse], lang: Lang) -> Option<Fact> {
    let mut w = Words::new();
    for (i, u) in uses.iter().enumerate() {
        if i > 0 {
            w = w.t(lang.t("; ", "؛ "));
        }
        w = w.t(lang.t("band set ", "مجموعة الفئات ")).c(u.set.clone());
        if let Some((dp, mode)) = u.on {
            w = w
                .t(lang.t(", judged on the score rounded to ", "، بحسب النتيجة مقرّبة إلى "))
                .n(dp.to_string())
                .t(lang.t(" decimal places (", " منازل عشرية ("))
                .t(words::round_mode(mode, lang))
                .t(")");
        }
    }
    (!uses.is_empty()).then(|| fact(lang.t("Bands", "الفئات"), w))
}

fn missing(n: &NodeDef, lang: Lang) -> Words {
    let w = Words::new();
    match n.missing {
        MissingPolicy::Error => w.t(lang.t(
            "An unanswered criterion rejects the whole answer set.",
            "يؤدي ترك معيار بلا إجابة إلى رفض مجموعة الإجابات كاملة.",
        )),
        MissingPolicy::Worst => w.t(lang.t(
            "An unanswered criterion gets the worst answer.",
            "يُعطى المعيار الذي بلا إجابة أسوأ إجابة.",
        )),
        MissingPolicy::Na => w.t(lang.t(
            "An unanswered criterion counts as N/A.",
            "يُعد المعيار الذي بلا إجابة غير منطبق.",
        )),
    }
}

/// The weight of node `n` and, under a weighted mean, its share.
fn weight(model: &Model, n: &NodeDef, lang: Lang) -> Fact {
    let mut w = Words::new().n(words::num(n.weight));
    let parent = n.parent.and_then(|p| model.nodes.get(p));
    if let Some(NodeKind::Group(g)) = parent.map(|p| &p.kind) {
        if matches!(
            g.aggregate,
            Aggregate::Builtin(crate::model::Builtin::WeightedMean)
        ) && g.over == Over::Children
        {
            let total: Decimal = parent
                .map(|p| {
                    p.children
                        .iter()
                        .filter_map(|&c| model.nodes.get(c))
                        .map(|c| c.weight)
                        .sum()
                })
                .unwrap_or_default();
            if let Some(share) = n
                .weight
                .checked_div(total)
                .and_then(|s| s.checked_mul(Decimal::ONE_HUNDRED))
            {
                w = w
                    .t(lang.t(" (", " ("))
                    .n(format!("{}%", share.round_dp(2).normalize()))
                    .t(lang.t(" of its group's weights)", " من أوزان مجموعته)"));
            }
        } else {
            w = w.t(lang.t(
                " (its group does not weigh its inputs)",
                " (لا تعتمد مجموعته على الأوزان)",
            ));
        }
    }
    fact(lang.t("Weight", "الوزن"), w)
}

fn applies_fact(model: &Model, n: &NodeDef, lang: Lang) -> Option<Fact> {
    let a = n.applies.as_ref()?;
    let mut words = words::applies(model, a, lang);
    if matches!(n.kind, NodeKind::Group(_)) {
        words = words.t(lang.t(
            " This holds for everything under it.",
            " ويسري ذلك على كل ما تحته.",
        ));
    }
    Some(Fact {
        label: lang.t("Applicability", "الانطباق"),
        words,
        notation: None,
        written: Some(format!("applies when {}", words::written(a))),
    })
}

fn requires_fact(model: &Model, n: &NodeDef, lang: Lang) -> Option<Fact> {
    let r = n.requires.as_ref()?;
    let mut w = Words::new().t(lang.t(
        "Gets a score only when this condition holds; otherwise it has none (N/A)",
        "لا تُحتسب له نتيجة إلا إذا تحقق هذا الشرط، وإلا فهو غير منطبق",
    ));
    if let Some(c) = words::cond(model, r, lang) {
        w = w.t(lang.t(": ", ": ")).then(c);
    }
    Some(Fact {
        label: lang.t("Condition", "الشرط"),
        words: w.t("."),
        notation: None,
        written: Some(format!("requires {}", words::written(r))),
    })
}

fn repeat_fact(n: &NodeDef, lang: Lang) -> Option<Fact> {
    let r = n.repeat.as_ref()?;
    let rule = |rule: InstanceRule| match rule {
        InstanceRule::Mean => lang.t(
            "each node's value is the mean of its instances' values",
            "قيمة كل عنصر متوسط قيمه في النسخ",
        ),
        InstanceRule::Best => lang.t(
            "the best answer per criterion over the instances is scored once",
            "تُحتسب أفضل إجابة لكل معيار بين النسخ مرة واحدة",
        ),
    };
    let mut w = Words::new()
        .t(lang.t(
            "Answered once per instance; seen from outside, ",
            "يُجاب عنه مرة لكل نسخة؛ ومن خارجه ",
        ))
        .t(rule(r.rule));
    let mut written = Vec::new();
    if let Some((cond, other)) = &r.switch {
        w = w
            .t(lang.t(
                "; when the condition below holds, ",
                "؛ وعندما يتحقق الشرط أدناه ",
            ))
            .t(rule(*other));
        written.push(format!("when {}", words::written(cond)));
    }
    if let Some(k) = &r.keys {
        w = w
            .t(lang.t(
                "; its instances are exactly those of list ",
                "؛ ونسخه هي بالضبط عناصر القائمة ",
            ))
            .c(k.list.clone());
    }
    Some(Fact {
        label: lang.t("Repeated", "متكرر"),
        words: w.t("."),
        notation: None,
        written: (!written.is_empty()).then(|| written.join(" ")),
    })
}

fn item(model: &Model, ix: NodeIx, lang: Lang) -> Option<Item> {
    let n = model.nodes.get(ix)?;
    let mut facts = Vec::new();
    let mut options = Vec::new();
    let mut codes = Vec::new();
    match &n.kind {
        NodeKind::Group(g) => {
            facts.push(aggregation(g, lang));
            if matches!(g.aggregate, Aggregate::Builtin(_)) {
                facts.push(fact(
                    lang.t("N/A inputs", "المدخلات غير المنطبقة"),
                    Words::new().t(words::na_policy(g.na, lang)),
                ));
            }
            facts.push(weight(model, n, lang));
            facts.extend(repeat_fact(n, lang));
            facts.extend(applies_fact(model, n, lang));
            facts.extend(requires_fact(model, n, lang));
            if n.unit != Unit::Percent {
                facts.push(unit(n.unit, lang));
            }
            facts.extend(band_fact(&n.bands, lang));
        }
        NodeKind::Criterion(c) => {
            facts.push(answer(c, lang));
            facts.push(score(c, lang));
            if c.baseline.is_some() || c.target.is_some() || c.direction.is_some() {
                facts.push(kpi(c, lang));
            }
            facts.push(weight(model, n, lang));
            facts.push(na(model, n, c, lang));
            facts.push(fact(
                lang.t("Unanswered", "بلا إجابة"),
                missing_criterion(n, c, lang),
            ));
            facts.extend(applies_fact(model, n, lang));
            facts.extend(requires_fact(model, n, lang));
            facts.extend(band_fact(&n.bands, lang));
            for o in c.answer.options() {
                let (weight, numeric, note) = match o.weight {
                    Some(w) => (words::num(w), true, ""),
                    None if o.ignored => (
                        lang.t("ignored", "مُتجاهَل").to_string(),
                        false,
                        lang.t(
                            "leaves the criterion out, as if it had not been asked",
                            "يُخرج المعيار من الحساب كأنه لم يُسأل",
                        ),
                    ),
                    None => (lang.t("N/A", "لا ينطبق").to_string(), false, ""),
                };
                options.push(Row {
                    label: lang.pick(&o.label).unwrap_or(&o.id).to_string(),
                    id: o.id.clone(),
                    weight,
                    numeric,
                    note,
                });
            }
            if let AnswerKind::Number { codes: cs, .. } = &c.answer {
                for code in cs {
                    let (weight, numeric) = match code.means {
                        CodeValue::Value(d) => (words::num(d), true),
                        CodeValue::Na => (lang.t("N/A", "لا ينطبق").to_string(), false),
                        CodeValue::Missing => (lang.t("unanswered", "بلا إجابة").to_string(), false),
                    };
                    codes.push(Row {
                        label: lang.pick(&code.label).unwrap_or(&code.id).to_string(),
                        id: code.id.clone(),
                        weight,
                        numeric,
                        note: "",
                    });
                }
            }
        }
    }
    let h = (n.depth + 1).min(6);
    Some(Item {
        criterion: matches!(n.kind, NodeKind::Criterion(_)),
        id: n.id.clone(),
        h,
        depth: n.depth,
        top: n.depth == 1,
        level: super::level_label(model, n, lang),
        title: lang.pick(&n.title).map(str::to_string),
        description: lang.pick(&n.description).map(str::to_string),
        facts,
        options,
        codes,
    })
}

fn answer(c: &Criterion, lang: Lang) -> Fact {
    let label = lang.t("Answer", "الإجابة");
    match &c.answer {
        AnswerKind::Choice { scale, .. } => {
            let mut w = Words::new().t(lang.t(
                "One option is chosen from the table below.",
                "يُختار خيار واحد من الجدول أدناه.",
            ));
            if let Some(s) = scale {
                w = w.t(lang.t(" Scale ", " المقياس ")).c(s.clone()).t(".");
            }
            fact(label, w)
        }
        AnswerKind::Multi { combine, .. } => Fact {
            label,
            words: Words::new().t(words::combine(*combine, lang)),
            notation: None,
            written: Some(format!("combine {}", combine.name())),
        },
        AnswerKind::Number { unit, min, max, .. } => {
            let mut w = Words::new().t(lang.t("A number", "رقم"));
            if let Some(u) = unit {
                w = w.t(" (").c(u.clone()).t(")");
            }
            w = match (min, max) {
                (Some(lo), Some(hi)) => w
                    .t(lang.t(" between ", " بين "))
                    .n(words::num(*lo))
                    .t(lang.t(" and ", " و"))
                    .n(words::num(*hi)),
                (Some(lo), None) => w.t(lang.t(", at least ", "، لا يقل عن ")).n(words::num(*lo)),
                (None, Some(hi)) => w.t(lang.t(", at most ", "، لا يزيد على ")).n(words::num(*hi)),
                (None, None) => w,
            };
            fact(label, w.t("."))
        }
        AnswerKind::YesNo => fact(
            label,
            Words::new().t(lang.t("Yes (1) or no (0).", "نعم (1) أو لا (0).")),
        ),
    }
}

fn score(c: &Criterion, lang: Lang) -> Fact {
    let label = lang.t("Score", "النتيجة");
    if let Some(e) = &c.score {
        return Fact {
            label,
            words: Words::new().t(lang.t(
                "A formula written in the rubric (value is the answer):",
                "صيغة مكتوبة في القاعدة (value هي الإجابة):",
            )),
            notation: Some(words::written(e)),
            written: None,
        };
    }
    let w = match &c.answer {
        AnswerKind::Choice { .. } => lang.t("The chosen option's weight.", "وزن الخيار المختار."),
        AnswerKind::Multi { .. } => lang.t(
            "The chosen options' weights, combined as above.",
            "أوزان الخيارات المختارة مجمّعة كما سبق.",
        ),
        AnswerKind::Number { .. } => lang.t("The number answered.", "الرقم المُجاب."),
        AnswerKind::YesNo => lang.t("1 for yes, 0 for no.", "1 لنعم، 0 للا."),
    };
    fact(label, Words::new().t(w))
}

fn kpi(c: &Criterion, lang: Lang) -> Fact {
    let mut w = Words::new();
    if let Some(b) = c.baseline {
        w = w
            .t(lang.t("Baseline ", "خط الأساس "))
            .n(words::num(b))
            .t(lang.t("; ", "؛ "));
    }
    match c.target {
        Some(Some(t)) => w = w.t(lang.t("target ", "المستهدف ")).n(words::num(t)),
        Some(None) => w = w.t(lang.t("target not set yet", "لم يُحدد المستهدف بعد")),
        None => {}
    }
    match c.direction {
        Some(Direction::Higher) => w = w.t(lang.t("; higher is better", "؛ الأعلى أفضل")),
        Some(Direction::Lower) => w = w.t(lang.t("; lower is better", "؛ الأدنى أفضل")),
        None => {}
    }
    fact(lang.t("KPI", "مؤشر الأداء"), w.t("."))
}

fn na(model: &Model, n: &NodeDef, c: &Criterion, lang: Lang) -> Fact {
    let label = lang.t("N/A", "عدم الانطباق");
    if !c.na_allowed {
        return fact(
            label,
            Words::new().t(lang.t("N/A may not be answered.", "لا تُقبل الإجابة «لا ينطبق».")),
        );
    }
    let policy = n
        .parent
        .and_then(|p| model.nodes.get(p))
        .and_then(|p| match &p.kind {
            NodeKind::Group(g) => Some(g.na),
            NodeKind::Criterion(_) => None,
        })
        .unwrap_or(crate::model::NaPolicy::Exclude);
    fact(
        label,
        Words::new()
            .t(lang.t("N/A may be answered; ", "تُقبل الإجابة «لا ينطبق»، "))
            .t(words::na_effect(policy, lang))
            .t("."),
    )
}

fn missing_criterion(n: &NodeDef, c: &Criterion, lang: Lang) -> Words {
    match n.missing {
        MissingPolicy::Worst => Words::new()
            .t(lang.t(
                "Left unanswered, it gets the worst answer: a score of ",
                "إذا تُرك بلا إجابة أُعطي أسوأ إجابة، أي النتيجة ",
            ))
            .n(words::num(c.worst_value()))
            .t("."),
        MissingPolicy::Na => Words::new().t(lang.t(
            "Left unanswered, it counts as N/A.",
            "إذا تُرك بلا إجابة عُدّ غير منطبق.",
        )),
        MissingPolicy::Error => Words::new().t(lang.t(
            "It must be answered: an answer set without it is rejected.",
            "الإجابة عنه إلزامية: تُرفض مجموعة الإجابات التي تخلو منه.",
        )),
    }
}

fn precision(model: &Model, lang: Lang) -> Fact {
    let p = model.precision;
    let w = Words::new()
        .t(lang.t(
            "Scores are computed exactly and shown as percentages; decimal places: ",
            "تُحتسب النتائج بدقة تامة وتُعرض نسباً مئوية؛ المنازل العشرية: ",
        ))
        .n(p.places.to_string())
        .t(lang.t("; rounding: ", "؛ التقريب: "))
        .t(words::round_mode(p.mode, lang))
        .t(".");
    Fact {
        label: lang.t("Display", "العرض"),
        words: w,
        notation: None,
        written: Some(format!("precision {} {}", p.places, p.mode.name())),
    }
}

fn fields(model: &Model, lang: Lang) -> Vec<Field> {
    model
        .profile
        .values()
        .map(|f| {
            let kind = match &f.ty {
                FieldTy::Enum(values) => {
                    let mut w = Words::new().t(lang.t("one of ", "أحد "));
                    for i in 0..values.len() {
                        if i > 0 {
                            w = w.t(lang.t(", ", "، "));
                        }
                        if let Some(v) = words::value_words(f, i, lang) {
                            w = w.then(v);
                        }
                    }
                    w
                }
                FieldTy::Number => Words::new().t(lang.t("a number", "رقم")),
                FieldTy::Bool => Words::new().t(lang.t("yes or no", "نعم أو لا")),
            };
            Field {
                name: f.name.clone(),
                label: lang.pick(&f.label).map(str::to_string),
                kind,
                owner: f.owner.and_then(|o| model.nodes.get(o)).map(|o| o.id.clone()),
            }
        })
        .collect()
}

/// A band threshold as people read it: a percentage for scores in [0, 1].
fn threshold(min: Decimal, unit: Unit) -> String {
    match unit {
        Unit::Percent => match min.checked_mul(Decimal::ONE_HUNDRED) {
            Some(p) => format!("≥ {}%", p.normalize()),
            None => format!("≥ {}", min.normalize()),
        },
        _ => format!("≥ {}", min.normalize()),
    }
}

fn band_sets(model: &Model, lang: Lang) -> Vec<BandSet> {
    model
        .band_sets
        .iter()
        .map(|(name, bands)| {
            let mut used_by = Vec::new();
            let mut unit = None;
            for n in &model.nodes {
                if n.bands.iter().any(|b| &b.set == name) {
                    unit.get_or_insert(n.unit);
                    used_by.push(if n.parent.is_none() {
                        Words::new().t(lang.t("the rubric", "القاعدة"))
                    } else {
                        Words::new().c(n.id.clone())
                    });
                }
            }
            if model.population.bands.iter().any(|b| &b.set == name) {
                used_by.push(Words::new().t(lang.t("the population", "المجتمع")));
            }
            let unit = unit.unwrap_or(model.root().unit);
            BandSet {
                name: name.clone(),
                used_by,
                bands: bands
                    .iter()
                    .map(|b| Row {
                        label: lang.pick(&b.label).unwrap_or(&b.id).to_string(),
                        id: b.id.clone(),
                        weight: threshold(b.min, unit),
                        numeric: true,
                        note: "",
                    })
                    .collect(),
            }
        })
        .collect()
}

fn population(model: &Model, lang: Lang) -> Vec<Fact> {
    let p = &model.population;
    let mut facts = Vec::new();
    let label = lang.t("Aggregation", "طريقة التجميع");
    facts.push(match &p.aggregate {
        PopAggregate::Builtin(b) => {
            let (w, notation) = words::builtin(*b, None, lang);
            Fact {
                label,
                words: w,
                notation: Some(notation),
                written: Some(format!("aggregate {}", b.name())),
            }
        }
        PopAggregate::Formula(e) => Fact {
            label,
            words: Words::new().t(lang.t(
                "A formula over the entity scores (sum, count, mean, min, max):",
                "صيغة على نتائج الجهات (sum وcount وmean وmin وmax):",
            )),
            notation: Some(words::written(e)),
            written: None,
        },
    });
    if let Some(rank) = &p.rank {
        let mut f = fact(
            lang.t("Ranking", "الترتيب"),
            Words::new().t(lang.t(
                "Entities are ranked by score, highest first; ties share a rank (1, 2, 2, 4).",
                "تُرتب الجهات بحسب النتيجة من الأعلى، ويتشارك المتساوون المرتبة (1، 2، 2، 4).",
            )),
        );
        if let Some(c) = rank {
            f.words = f.words.t(lang.t(
                " Only entities that meet the condition are ranked",
                " ولا تُرتب إلا الجهات التي تستوفي الشرط",
            ));
            if let Some(w) = words::cond(model, c, lang) {
                f.words = f.words.t(": ").then(w);
            }
            f.words = f.words.t(".");
            f.written = Some(format!("rank when {}", words::written(c)));
        }
        facts.push(f);
    }
    facts.extend(band_fact(&p.bands, lang));
    facts
}

fn constraints(model: &Model, lang: Lang) -> Vec<Named> {
    model
        .constraints
        .iter()
        .map(|c| Named {
            name: lang.pick(&c.message).unwrap_or_default().to_string(),
            note: Some(if c.error {
                lang.t("rejects the answer set", "تُرفض مجموعة الإجابات")
            } else {
                lang.t("a warning; the entity is scored", "تحذير، وتُحتسب نتيجة الجهة")
            }),
            notation: words::written(&c.expr),
        })
        .collect()
}
