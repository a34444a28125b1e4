//! The web form of a rubric (issue 23, `mizan serve`): the cycle's
//! questionnaire for one entity as one server-rendered HTML page, and the
//! way back from the posted form to an answer set.
//!
//! The server calls two functions:
//!
//! - [`page`]: the page, in English or Arabic (`<html lang="ar"
//!   dir="rtl">`), from the [`Rubric`] and a [`FormState`] (the entity,
//!   its current answers, the problems of the last validation, the live
//!   score, where to post). It works without JavaScript: one `<form
//!   method="post">` with the entity's name and profile fields first, then
//!   every criterion in rubric order under its levels' headings (title and
//!   guidance in the reader's language; radio buttons of the option labels,
//!   N/A only where the rubric allows it; number inputs with the rubric's
//!   bounds; checkboxes for multi-select criteria; yes/no), the current
//!   answers pre-filled, the problems beside their questions with a summary
//!   at the top linking to them, and two buttons, `action=draft` ("Save
//!   draft") and `action=submit` ("Submit"). A small inline script
//!   (progressive enhancement, no external resource) posts the answers as
//!   JSON to [`FormState::evaluate_url`] as they change and shows the
//!   problems and the score it gets back.
//! - [`answers_from_form`]: the posted fields
//!   (`application/x-www-form-urlencoded` pairs, decoded) back to an answer
//!   set in the JSON that [`crate::answers::read`] reads.
//!
//! Field names (what [`page`] writes and [`answers_from_form`] reads):
//!
//! | field | holds |
//! |---|---|
//! | `e:name` | the entity's display name (`entity.name`) |
//! | `p:FIELD` | profile field `FIELD` (`entity.profile.FIELD`): an enum value, `true`/`false`, or a number |
//! | `a:ID` | criterion `ID`: an option id (choice, yes/no as `yes`/`no`, N/A as the N/A option's id or `na`), a number, or, repeated, the option ids of a multi-select (`-` alone: none of them, `[]`) |
//! | `c:ID` | a `number` criterion answered with one of its codes, or `na`, instead of a number |
//! | `j:instances` | the answer set's `instances`, as JSON text (kept from the current answers: the form does not edit instances) |
//! | `action` | `draft` or `submit` (read by the server, ignored here) |
//!
//! An empty field is no answer (an unanswered criterion, an unset profile
//! field, no name); fields of other names, and answers to ids that are no
//! criterion of the entity's own scope, are ignored. A number field that
//! is not a JSON number is kept as text, so that the reader rejects it
//! with its usual problem (M0407) beside the question.
//!
//! Which questions apply is decided by the library
//! ([`crate::eval::applicable`], the evaluator's own step 1) on the
//! profile of the current answers, once that profile reads without a
//! problem: a question the profile rules out is rendered `hidden`, its
//! inputs disabled (so not posted), with a visible note in its place;
//! changing the profile shows or hides questions on the next save.
//!
//! Repeated nodes (instances) are not edited by the form: each is shown
//! with a note, and the instances of the current answers are carried
//! through a save unchanged in `j:instances`.
//!
//! Every string from the rubric and from the answers is escaped
//! (minijinja, auto-escaping on). The page has no time stamp: the same
//! inputs give the same bytes.

mod words;

use std::collections::HashMap;

use minijinja::{context, Environment};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::answers::{pointer_token, Origin, Rejection};
use crate::eval::EntityResult;
use crate::model::{AnswerKind, CodeValue, FieldTy, Model, NodeIx, NodeKind};
use crate::render::Lang;
use crate::Rubric;

pub use words::message;

const TEMPLATE: &str = include_str!("form.html");
const STYLE: &str = include_str!("form.css");
const SCRIPT: &str = include_str!("form.js");

/// The page could not be rendered (a template error: a bug).
#[derive(Debug, thiserror::Error)]
#[error("the form could not be rendered: {0}")]
pub struct Error(#[from] minijinja::Error);

/// What the last request did, said at the top of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The answers were saved as a draft.
    Saved,
    /// The answers were submitted (and accepted).
    Submitted,
    /// Submitting was refused: the answers have problems (shown).
    Rejected,
}

/// Everything about one entity's form that does not come from the rubric.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    /// The entity's id (written into the answer set; not editable).
    pub entity: String,
    /// The current answer set (the latest draft or submission), to
    /// pre-fill the form; `None`: an empty form.
    pub answers: Option<Value>,
    /// The problems of the last validation (of `answers`), shown beside
    /// their questions (matched by JSON pointer) and summed up at the top.
    pub problems: Vec<Rejection>,
    /// The live score of `answers` after a save, when the cycle shows it.
    pub result: Option<EntityResult>,
    /// What the last request did.
    pub notice: Option<Notice>,
    /// The URL the form posts to (`action`); empty: the page's own URL.
    pub action: String,
    /// The server's `POST /rubrics/{id}/{version}/evaluate`: with it, the
    /// inline script checks the answers as they change; `None`: no script.
    pub evaluate_url: Option<String>,
}

/// One choice of a question.
#[derive(Debug, Serialize)]
struct Choice {
    value: String,
    label: String,
    checked: bool,
    /// The N/A (or "none of these") choice, set apart.
    na: bool,
}

/// A number input.
#[derive(Debug, Serialize)]
struct Number {
    value: String,
    min: Option<String>,
    max: Option<String>,
    unit: Option<String>,
    /// Codes (and N/A) answered instead of a number: a select `c:ID`.
    codes: Vec<Choice>,
}

/// A problem shown on the page.
#[derive(Debug, Serialize)]
struct Problem {
    code: String,
    message: String,
    /// The question's HTML id, when the problem is located at one.
    anchor: Option<String>,
    /// What the anchor names (a title or an id).
    about: Option<String>,
}

/// A group or criterion, with its children.
#[derive(Debug, Serialize)]
struct Item {
    id: String,
    /// HTML id of the element.
    anchor: String,
    /// Heading level.
    h: usize,
    level: Option<String>,
    title: Option<String>,
    description: Option<String>,
    /// `group`, `repeated`, `choice`, `multi`, `number` or `yesno`.
    kind: &'static str,
    /// The field name (`a:ID`).
    name: String,
    applies: bool,
    choices: Vec<Choice>,
    number: Option<Number>,
    problems: Vec<Problem>,
    children: Vec<Item>,
}

/// A profile field input.
#[derive(Debug, Serialize)]
struct FieldInput {
    name: String,
    anchor: String,
    label: String,
    /// `enum`, `bool` or `number`.
    kind: &'static str,
    value: String,
    choices: Vec<Choice>,
    problems: Vec<Problem>,
}

/// A score line of the live score.
#[derive(Debug, Serialize)]
struct ScoreLine {
    label: String,
    score: String,
}

/// The form of `rubric` for the entity and answers of `state`, in `lang`:
/// a complete HTML document.
pub fn page(rubric: &Rubric, lang: Lang, state: &FormState) -> Result<String, Error> {
    let model = rubric.model();
    let mut env = Environment::new();
    env.set_keep_trailing_newline(true);
    env.add_template("form.html", TEMPLATE)?;
    env.add_template("form.css", STYLE)?;
    env.add_template("form.js", SCRIPT)?;
    let tmpl = env.get_template("form.html")?;
    let empty = Value::Null;
    let current = state.answers.as_ref().unwrap_or(&empty);
    let applies = applicability(rubric, state);
    // Problems by anchor; the rest are shown at the top only.
    let mut located: HashMap<String, Vec<Problem>> = HashMap::new();
    let mut summary = Vec::new();
    for r in &state.problems {
        let (anchor, about) = anchor_of(model, lang, &r.pointer);
        let p = Problem {
            code: code_of(r),
            message: message(lang, &r.error),
            anchor: anchor.clone(),
            about,
        };
        summary.push(Problem {
            code: p.code.clone(),
            message: p.message.clone(),
            anchor: p.anchor.clone(),
            about: p.about.clone(),
        });
        if let Some(a) = anchor {
            located.entry(a).or_default().push(p);
        }
    }
    let items: Vec<Item> = model
        .top_level()
        .iter()
        .filter_map(|&ix| item(model, ix, lang, current, &applies, &mut located))
        .collect();
    let fields = fields(model, lang, current, &mut located);
    let name = current
        .pointer("/entity/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let instances = current
        .get("instances")
        .filter(|v| !v.is_null())
        .map(|v| v.to_string());
    let notice = state.notice.map(|n| match n {
        Notice::Saved => lang.t("Draft saved.", "حُفظت المسودة."),
        Notice::Submitted => lang.t("Submitted.", "أُرسلت الإجابات."),
        Notice::Rejected => lang.t(
            "Not submitted: correct the problems below and submit again.",
            "لم تُرسل الإجابات: صحّح المشكلات أدناه ثم أرسلها مجدداً.",
        ),
    });
    let out = tmpl.render(context! {
        lang => lang.tag(),
        dir => if lang.is_rtl() { "rtl" } else { "ltr" },
        t => words::labels(lang),
        title => lang.pick(&model.title).unwrap_or(&model.id),
        id => model.id,
        version => model.version,
        description => lang.pick(&model.description),
        entity => state.entity,
        name => name,
        action => state.action,
        evaluate_url => state.evaluate_url,
        precision => model.precision.places,
        percent => super::unit_of(model, 0) == crate::model::Unit::Percent,
        notice => notice,
        rejected => state.notice == Some(Notice::Rejected),
        submitted => state.notice == Some(Notice::Submitted),
        summary => summary,
        score => state.result.as_ref().map(|r| score_lines(model, lang, r)),
        fields => fields,
        items => items,
        instances => instances,
    })?;
    Ok(out)
}

/// The stable code of a problem (`M0410`).
fn code_of(r: &Rejection) -> String {
    use miette::Diagnostic;
    r.error.code().map(|c| c.to_string()).unwrap_or_default()
}

/// Which nodes apply, from the profile of the current answers: every node
/// until that profile reads without a problem.
fn applicability(rubric: &Rubric, state: &FormState) -> Vec<bool> {
    let model = rubric.model();
    let all = vec![true; model.nodes.len()];
    let Some(profile) = state.answers.as_ref().and_then(|v| v.pointer("/entity/profile")) else {
        return if model.profile.values().any(|f| f.owner.is_none()) {
            all
        } else {
            crate::eval::applicable(model, &[])
        };
    };
    // The profile alone, read by the library's reader.
    let doc = serde_json::json!({
        "rubric": model.id,
        "version": model.version,
        "entity": {"id": "form", "profile": profile},
        "answers": {},
    });
    let origin = Origin {
        file: "form".into(),
        line: None,
    };
    match crate::answers::read_value(rubric.plan(), origin, &doc) {
        Ok(sub) => crate::eval::applicable(model, &sub.profile),
        Err(_) => all,
    }
}

/// The HTML id of a criterion's question.
fn q_anchor(id: &str) -> String {
    format!("q-{id}")
}

/// The HTML id of a profile field's input.
fn p_anchor(name: &str) -> String {
    format!("p-{name}")
}

/// The question a problem's JSON pointer is at, and its title.
fn anchor_of(model: &Model, lang: Lang, pointer: &str) -> (Option<String>, Option<String>) {
    let token = |rest: &str| -> String {
        let t = rest.split('/').next().unwrap_or_default();
        t.replace("~1", "/").replace("~0", "~")
    };
    if let Some(rest) = pointer.strip_prefix("/answers/") {
        let id = token(rest);
        if let Some(n) = model.by_id.get(&id).and_then(|&ix| model.nodes.get(ix)) {
            if n.scope == 0 {
                let about = lang.pick(&n.title).unwrap_or(&n.id).to_string();
                return (Some(q_anchor(&id)), Some(about));
            }
        }
    } else if let Some(rest) = pointer.strip_prefix("/entity/profile/") {
        let name = token(rest);
        if let Some(f) = model.profile.get(&name).filter(|f| f.owner.is_none()) {
            let about = lang.pick(&f.label).unwrap_or(&f.name).to_string();
            return (Some(p_anchor(&name)), Some(about));
        }
    }
    (None, (!pointer.is_empty()).then(|| pointer.to_string()))
}

fn level_label(model: &Model, name: Option<&String>, lang: Lang) -> Option<String> {
    let name = name?;
    let label = model
        .levels
        .iter()
        .find(|l| &l.name == name)
        .and_then(|l| lang.pick(&l.label));
    Some(label.unwrap_or(name).to_string())
}

/// The current answer to criterion `id`.
fn answer_of<'v>(current: &'v Value, id: &str) -> Option<&'v Value> {
    current.get("answers")?.get(id).filter(|v| !v.is_null())
}

fn item(
    model: &Model,
    ix: NodeIx,
    lang: Lang,
    current: &Value,
    applies: &[bool],
    located: &mut HashMap<String, Vec<Problem>>,
) -> Option<Item> {
    let n = model.nodes.get(ix)?;
    let anchor = q_anchor(&n.id);
    let mut it = Item {
        id: n.id.clone(),
        problems: located.remove(&anchor).unwrap_or_default(),
        anchor,
        h: (n.depth + 1).min(6),
        level: level_label(model, n.level.as_ref(), lang),
        title: lang.pick(&n.title).map(str::to_string),
        description: lang.pick(&n.description).map(str::to_string),
        kind: "group",
        name: format!("a:{}", n.id),
        applies: applies.get(ix).copied().unwrap_or(true),
        choices: Vec::new(),
        number: None,
        children: Vec::new(),
    };
    if n.repeat.is_some() {
        it.kind = "repeated";
        return Some(it);
    }
    let c = match &n.kind {
        NodeKind::Group(_) => {
            it.children = n
                .children
                .iter()
                .filter_map(|&c| item(model, c, lang, current, applies, located))
                .collect();
            return Some(it);
        }
        NodeKind::Criterion(c) => c,
    };
    let answer = answer_of(current, &n.id);
    let as_str = answer.and_then(Value::as_str);
    let na_label = |o: Option<&crate::model::OptionDef>| {
        o.and_then(|o| lang.pick(&o.label))
            .unwrap_or(lang.t("Not applicable", "لا ينطبق"))
            .to_string()
    };
    match &c.answer {
        AnswerKind::Choice { options, .. } => {
            it.kind = "choice";
            for o in options {
                if o.is_na() && !c.na_allowed {
                    continue;
                }
                it.choices.push(Choice {
                    value: o.id.clone(),
                    label: lang.pick(&o.label).unwrap_or(&o.id).to_string(),
                    checked: as_str == Some(o.id.as_str()),
                    na: o.is_na(),
                });
            }
        }
        AnswerKind::Multi { options, .. } => {
            it.kind = "multi";
            let chosen: Vec<&str> = answer
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for o in options.iter().filter(|o| !o.is_na()) {
                it.choices.push(Choice {
                    value: o.id.clone(),
                    label: lang.pick(&o.label).unwrap_or(&o.id).to_string(),
                    checked: chosen.contains(&o.id.as_str()),
                    na: false,
                });
            }
            it.choices.push(Choice {
                value: "-".into(),
                label: lang.t("None of these", "لا شيء مما سبق").into(),
                checked: answer.and_then(Value::as_array).is_some_and(Vec::is_empty),
                na: true,
            });
            if c.na_allowed {
                let na = options.iter().find(|o| o.is_na());
                let value = na.map_or("na", |o| o.id.as_str());
                it.choices.push(Choice {
                    value: value.into(),
                    label: na_label(na),
                    checked: as_str == Some(value) || chosen == [value],
                    na: true,
                });
            }
        }
        AnswerKind::YesNo => {
            it.kind = "yesno";
            let yes = matches!(answer, Some(Value::Bool(true))) || as_str == Some("yes");
            let no = matches!(answer, Some(Value::Bool(false))) || as_str == Some("no");
            it.choices.push(Choice {
                value: "yes".into(),
                label: lang.t("Yes", "نعم").into(),
                checked: yes,
                na: false,
            });
            it.choices.push(Choice {
                value: "no".into(),
                label: lang.t("No", "لا").into(),
                checked: no,
                na: false,
            });
            if c.na_allowed {
                it.choices.push(Choice {
                    value: "na".into(),
                    label: na_label(None),
                    checked: as_str == Some("na"),
                    na: true,
                });
            }
        }
        AnswerKind::Number {
            unit,
            min,
            max,
            codes,
        } => {
            it.kind = "number";
            let mut alts: Vec<Choice> = codes
                .iter()
                .map(|code| Choice {
                    value: code.id.clone(),
                    label: lang.pick(&code.label).unwrap_or(&code.id).to_string(),
                    checked: as_str == Some(code.id.as_str()),
                    na: code.means == CodeValue::Na,
                })
                .collect();
            if c.na_allowed && !codes.iter().any(|code| code.id == "na") {
                alts.push(Choice {
                    value: "na".into(),
                    label: na_label(None),
                    checked: as_str == Some("na"),
                    na: true,
                });
            }
            it.number = Some(Number {
                value: match answer {
                    Some(Value::Number(x)) => x.to_string(),
                    _ => String::new(),
                },
                min: min.map(|m| m.normalize().to_string()),
                max: max.map(|m| m.normalize().to_string()),
                unit: unit.clone(),
                codes: alts,
            });
        }
    }
    Some(it)
}

fn fields(
    model: &Model,
    lang: Lang,
    current: &Value,
    located: &mut HashMap<String, Vec<Problem>>,
) -> Vec<FieldInput> {
    model
        .profile
        .values()
        .filter(|f| f.owner.is_none())
        .map(|f| {
            let given = current
                .pointer("/entity/profile")
                .and_then(|p| p.get(&f.name))
                .filter(|v| !v.is_null());
            let text = match given {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::Bool(b)) => b.to_string(),
                _ => String::new(),
            };
            let (kind, choices) = match &f.ty {
                FieldTy::Enum(values) => (
                    "enum",
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| Choice {
                            value: v.clone(),
                            label: super::value_label(lang, f, i).to_string(),
                            checked: text == *v,
                            na: false,
                        })
                        .collect(),
                ),
                FieldTy::Bool => (
                    "bool",
                    vec![
                        Choice {
                            value: "true".into(),
                            label: lang.t("Yes", "نعم").into(),
                            checked: text == "true",
                            na: false,
                        },
                        Choice {
                            value: "false".into(),
                            label: lang.t("No", "لا").into(),
                            checked: text == "false",
                            na: false,
                        },
                    ],
                ),
                FieldTy::Number => ("number", Vec::new()),
            };
            let anchor = p_anchor(&f.name);
            FieldInput {
                name: format!("p:{}", f.name),
                problems: located.remove(&anchor).unwrap_or_default(),
                anchor,
                label: lang.pick(&f.label).unwrap_or(&f.name).to_string(),
                kind,
                value: text,
                choices,
            }
        })
        .collect()
}

/// The entity's score and its top-level nodes' scores.
fn score_lines(model: &Model, lang: Lang, r: &EntityResult) -> Vec<ScoreLine> {
    let p = model.precision;
    let line = |ix: NodeIx, label: String| ScoreLine {
        label,
        score: super::value_cell_in(
            lang,
            super::unit_of(model, ix),
            r.outcomes.get(ix).and_then(|o| o.score()),
            p,
        ),
    };
    let mut out = vec![line(0, lang.t("Overall score", "النتيجة الإجمالية").into())];
    for &ix in model.top_level() {
        if let Some(n) = model.nodes.get(ix) {
            out.push(line(ix, lang.pick(&n.title).unwrap_or(&n.id).to_string()));
        }
    }
    out
}

/// The posted form back to an answer set for entity `entity`, in the
/// format [`crate::answers::read`] reads (see the module doc for the
/// field names): `rubric` and `version` of `rubric`, `entity` (`id`,
/// `name` when given, `profile` with the fields given), `answers` in
/// rubric order (only the criteria answered), and `instances` when
/// `j:instances` carries them.
///
/// `fields` are the decoded pairs in the order posted. An empty value is
/// no answer; unknown fields are ignored; of two values for a
/// single-valued field, the first non-empty one counts.
pub fn answers_from_form(rubric: &Rubric, entity: &str, fields: &[(String, String)]) -> Value {
    let model = rubric.model();
    let mut posted: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, v) in fields {
        if !v.is_empty() {
            posted.entry(k.as_str()).or_default().push(v.as_str());
        }
    }
    let first = |k: &str| posted.get(k).and_then(|vs| vs.first().copied());
    let mut ent = Map::new();
    ent.insert("id".into(), Value::String(entity.to_string()));
    if let Some(name) = first("e:name") {
        ent.insert("name".into(), Value::String(name.to_string()));
    }
    let mut profile = Map::new();
    for f in model.profile.values().filter(|f| f.owner.is_none()) {
        let Some(v) = first(&format!("p:{}", f.name)) else {
            continue;
        };
        let value = match (&f.ty, v) {
            (FieldTy::Bool, "true") => Value::Bool(true),
            (FieldTy::Bool, "false") => Value::Bool(false),
            (FieldTy::Number, _) => number(v),
            _ => Value::String(v.to_string()),
        };
        profile.insert(f.name.clone(), value);
    }
    if !model.profile.is_empty() || !profile.is_empty() {
        ent.insert("profile".into(), Value::Object(profile));
    }
    let mut answers = Map::new();
    for (ix, n) in model.nodes.iter().enumerate() {
        let NodeKind::Criterion(c) = &n.kind else { continue };
        if n.scope != 0 || ix == 0 {
            continue;
        }
        let key = format!("a:{}", n.id);
        let value = match &c.answer {
            AnswerKind::Multi { .. } => {
                let vs = posted.get(key.as_str()).cloned().unwrap_or_default();
                let na = c
                    .answer
                    .options()
                    .iter()
                    .find(|o| o.is_na())
                    .map_or("na", |o| o.id.as_str());
                if vs.is_empty() {
                    None
                } else if vs == ["-"] {
                    Some(Value::Array(Vec::new()))
                } else if vs == [na] {
                    Some(Value::String(na.to_string()))
                } else {
                    Some(Value::Array(
                        vs.iter()
                            .filter(|v| **v != "-")
                            .map(|v| Value::String((*v).to_string()))
                            .collect(),
                    ))
                }
            }
            AnswerKind::Number { .. } => match first(&format!("c:{}", n.id)) {
                Some(code) => Some(Value::String(code.to_string())),
                None => first(&key).map(number),
            },
            AnswerKind::Choice { .. } | AnswerKind::YesNo => {
                first(&key).map(|v| Value::String(v.to_string()))
            }
        };
        if let Some(v) = value {
            answers.insert(n.id.clone(), v);
        }
    }
    let mut doc = Map::new();
    doc.insert("rubric".into(), Value::String(model.id.clone()));
    doc.insert("version".into(), Value::String(model.version.clone()));
    doc.insert("entity".into(), Value::Object(ent));
    doc.insert("answers".into(), Value::Object(answers));
    if let Some(inst) = first("j:instances").and_then(|t| serde_json::from_str::<Value>(t).ok()) {
        if !inst.is_null() {
            doc.insert("instances".into(), inst);
        }
    }
    Value::Object(doc)
}

/// A number as typed: a JSON number when it is one (exact: the text is
/// kept), else the text, for the reader to reject.
fn number(v: &str) -> Value {
    let t = v.trim();
    match serde_json::from_str::<serde_json::Number>(t) {
        Ok(n) => Value::Number(n),
        Err(_) => Value::String(v.to_string()),
    }
}

/// The JSON pointer of criterion `id`'s answer (`/answers/ID`).
pub fn answer_pointer(id: &str) -> String {
    format!("/answers/{}", pointer_token(id))
}
