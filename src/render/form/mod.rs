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
//!   draft") and `action=submit` ("Submit"). A repeated node shows its
//!   instances (each service, life event, site) as a list of blocks: the
//!   instance's key, its fields, its criteria and its own repeated nodes,
//!   nested, with a "Remove" box per instance (applied on save) and an
//!   "Add …" button per list (`add=LIST`: the server saves the draft and
//!   shows it again with one more, empty, instance at the end of that
//!   list); a list the rubric fixes with `keys LIST` shows exactly the
//!   list's instances, keys read-only, no add or remove. A small inline
//!   script (progressive enhancement, no external resource) posts the
//!   form's own fields with `action=check` to [`FormState::evaluate_url`]
//!   as they change (the server maps them with [`answers_from_form`], the
//!   one mapping) and shows the problems and the score it gets back.
//! - [`answers_from_form`]: the posted fields
//!   (`application/x-www-form-urlencoded` pairs, decoded) back to an answer
//!   set in the JSON that [`crate::answers::read`] reads.
//!
//! Field names (what [`page`] writes and [`answers_from_form`] reads).
//! `PATH` is where an instance is: its repeated node's id and its position
//! in its list, from the outermost instance in (`le/0/` for the first
//! instance of `le`, `le/0/svc/2/` for the third `svc` of that one), the
//! form of the instance's JSON pointer `/instances/le/0/instances/svc/2`;
//! the entity's own fields have an empty `PATH` (ids have no `/` or `:`):
//!
//! | field | holds |
//! |---|---|
//! | `e:name` | the entity's display name (`entity.name`) |
//! | `p:FIELD` | profile field `FIELD` (`entity.profile.FIELD`): an enum value, `true`/`false`, or a number |
//! | `a:ID` | criterion `ID`: an option id (choice, yes/no as `yes`/`no`, N/A as the N/A option's id or `na`), a number, or, repeated, the option ids of a multi-select (`-` alone: none of them, `[]`) |
//! | `c:ID` | a `number` criterion answered with one of its codes, or `na`, instead of a number |
//! | `PATH` + `key` | the instance's `key` (empty: none, the reader numbers it); every instance posts it, so an instance with nothing else given still counts |
//! | `PATH` + `p:FIELD` | the instance's field `FIELD` (`profile.FIELD`); fields a `keys LIST` gives are not posted (the list fills them in) |
//! | `PATH` + `a:ID`, `PATH` + `c:ID` | the instance's answer to its criterion `ID` (`answers.ID`), as `a:ID`/`c:ID` |
//! | `PATH` + `remove` | `1`: drop the instance (its list closes up) |
//! | `add` | `LIST`, a list's `PATH` without its position (`le`, `le/0/svc`): one empty instance at the end of that list (the "Add" buttons) |
//! | `action` | `draft` or `submit` (read by the server, ignored here; `check` from the script) |
//!
//! The instances of a list are those whose `PATH` + `key` (or any field)
//! is posted, in position order. An empty field is no answer (an
//! unanswered criterion, an unset field, no name, no key); fields of other
//! names, and answers to ids that are no criterion of the scope they are
//! posted in, are ignored. A number field that is not a JSON number is
//! kept as text, so that the reader rejects it with its usual problem
//! (M0407) beside the question. A problem's JSON pointer inside an
//! instance (`/instances/le/0/instances/svc/2/answers/svc.oa`, `…/key`,
//! `…/profile/type`, the instance, its list) is shown beside that
//! question, key, field or block, and in the summary with the instance
//! named (`Services S2 › …`).
//!
//! Which questions apply is decided by the library
//! ([`crate::eval::applicable`], the evaluator's own step 1) on the
//! profile of the current answers, once that profile reads without a
//! problem: a question the profile rules out is rendered `hidden`, its
//! inputs disabled (so not posted), with a visible note in its place;
//! changing the profile shows or hides questions on the next save. Inside
//! an instance the same step runs in the repeated node's scope
//! ([`crate::eval::applicable_in`]) on the entity's profile with the
//! instance's fields (and those of the instances around it), once all of
//! them are given (a new instance shows every question): an instance
//! whose fields rule it out (`applies when applicable`) keeps its key and
//! fields, its questions hidden with the note.
//!
//! Every string from the rubric and from the answers is escaped
//! (minijinja, auto-escaping on). The page has no time stamp: the same
//! inputs give the same bytes.

mod words;

use std::collections::{BTreeSet, HashMap, HashSet};

use minijinja::{context, Environment};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::answers::{pointer_token, Origin, ProfileValue, Rejection};
use crate::eval::EntityResult;
use crate::model::{AnswerKind, CodeValue, FieldDef, FieldTy, Model, NodeIx, NodeKind};
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
    /// Where the inline script posts the form's own fields, with
    /// `action=check`, as they change: the server maps them with
    /// [`answers_from_form`] and answers as `POST
    /// /rubrics/{id}/{version}/evaluate` does (the result, or `422` with
    /// the problems); `None`: no script.
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

/// A group, criterion, repeated node or instance, with its children.
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
    /// `group`, `repeated`, `instance`, `choice`, `multi`, `number` or
    /// `yesno`.
    kind: &'static str,
    /// The field name (`PATH` + `a:ID`).
    name: String,
    /// The field name of the codes (`PATH` + `c:ID`).
    cname: String,
    applies: bool,
    choices: Vec<Choice>,
    number: Option<Number>,
    problems: Vec<Problem>,
    children: Vec<Item>,
    /// A repeated node's list.
    list: Option<List>,
    /// An instance's key, fields and remove box.
    inst: Option<Inst>,
}

/// The list of a repeated node's instances.
#[derive(Debug, Serialize)]
struct List {
    /// `add=` value of its button (`le/0/svc`); `None`: `keys LIST`.
    add: Option<String>,
    /// "Add Services".
    add_label: String,
    count: usize,
}

/// An instance block's own inputs.
#[derive(Debug, Serialize)]
struct Inst {
    key: FieldInput,
    fields: Vec<FieldInput>,
    /// The remove box's field name; `None`: a `keys LIST` instance.
    remove: Option<String>,
}

/// A profile field (or instance key) input.
#[derive(Debug, Serialize)]
struct FieldInput {
    name: String,
    anchor: String,
    label: String,
    /// `enum`, `bool`, `number` or `text` (an instance key).
    kind: &'static str,
    value: String,
    choices: Vec<Choice>,
    problems: Vec<Problem>,
    /// Read-only (a key of `keys LIST`): shown and posted.
    readonly: bool,
    /// Given by `keys LIST`: shown, disabled, not posted.
    fixed: bool,
}

/// A score line of the live score.
#[derive(Debug, Serialize)]
struct ScoreLine {
    label: String,
    score: String,
}

/// What the items are rendered with.
struct Ctx<'a> {
    model: &'a Model,
    lang: Lang,
    located: HashMap<String, Vec<Problem>>,
}

/// Where items are rendered: the entity's own scope or one instance.
struct At<'v> {
    /// The field-name prefix (`""`, `le/0/`).
    path: String,
    /// The answer set, or the instance's object.
    current: &'v Value,
    /// Which nodes apply here.
    applies: Vec<bool>,
    /// The entity's fields, with the instance's (and its parents') set.
    profile: Vec<Option<ProfileValue>>,
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
    let (applies, profile) = applicability(rubric, state);
    // Problems by anchor; the rest are shown at the top only.
    let mut located: HashMap<String, Vec<Problem>> = HashMap::new();
    let mut summary = Vec::new();
    for r in &state.problems {
        let (anchor, about) = anchor_of(model, lang, &r.pointer, current);
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
    let mut ctx = Ctx { model, lang, located };
    let at = At {
        path: String::new(),
        current,
        applies,
        profile,
    };
    let items: Vec<Item> = model
        .top_level()
        .iter()
        .filter_map(|&ix| item(&mut ctx, &at, ix))
        .collect();
    let fields = fields(&mut ctx, None, "", current.pointer("/entity/profile"), None);
    let name = current
        .pointer("/entity/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
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
        repeats => model.nodes.iter().any(|n| n.repeat.is_some()),
    })?;
    Ok(out)
}

/// The stable code of a problem (`M0410`).
fn code_of(r: &Rejection) -> String {
    use miette::Diagnostic;
    r.error.code().map(|c| c.to_string()).unwrap_or_default()
}

/// Which nodes apply, from the profile of the current answers (every node
/// until that profile reads without a problem), and that profile.
fn applicability(rubric: &Rubric, state: &FormState) -> (Vec<bool>, Vec<Option<ProfileValue>>) {
    let model = rubric.model();
    let all = vec![true; model.nodes.len()];
    let none = vec![None; model.profile.len()];
    let Some(profile) = state.answers.as_ref().and_then(|v| v.pointer("/entity/profile")) else {
        return if model.profile.values().any(|f| f.owner.is_none()) {
            (all, none)
        } else {
            (crate::eval::applicable(model, &none), none)
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
        Ok(sub) => (crate::eval::applicable(model, &sub.profile), sub.profile),
        Err(_) => (all, none),
    }
}

/// An instance field's value as the reader takes it, for applicability
/// (`None`: not one the field takes; the reader reports it).
fn field_value(f: &FieldDef, v: &Value) -> Option<ProfileValue> {
    match (&f.ty, v) {
        (FieldTy::Enum(values), Value::String(s)) => {
            values.iter().position(|x| x == s).map(ProfileValue::Enum)
        }
        (FieldTy::Bool, Value::Bool(b)) => Some(ProfileValue::Bool(*b)),
        (FieldTy::Number, Value::Number(n)) => n.as_str().parse().ok().map(ProfileValue::Number),
        _ => None,
    }
}

/// A field value as the form shows it.
fn value_text(f: &FieldDef, v: &ProfileValue) -> String {
    match (v, &f.ty) {
        (ProfileValue::Enum(i), FieldTy::Enum(values)) => values.get(*i).cloned().unwrap_or_default(),
        (ProfileValue::Number(d), _) => d.normalize().to_string(),
        (ProfileValue::Bool(b), _) => b.to_string(),
        _ => String::new(),
    }
}

/// The HTML id of a criterion's question (or a repeated node's list).
fn q_anchor(path: &str, id: &str) -> String {
    format!("q-{path}{id}")
}

/// The HTML id of a profile field's input.
fn p_anchor(path: &str, name: &str) -> String {
    format!("p-{path}{name}")
}

/// The HTML id of an instance block (`path`: its `PATH`).
fn i_anchor(path: &str) -> String {
    format!("i-{}", path.trim_end_matches('/'))
}

/// The HTML id of an instance's key.
fn k_anchor(path: &str) -> String {
    format!("k-{}", path.trim_end_matches('/'))
}

/// A node's title in `lang`, else its id.
fn title_of(model: &Model, lang: Lang, ix: NodeIx) -> String {
    model
        .nodes
        .get(ix)
        .map(|n| lang.pick(&n.title).unwrap_or(&n.id).to_string())
        .unwrap_or_default()
}

/// How an instance is named: its key, else its position (from 1).
fn instance_name(inst: &Value, i: usize) -> String {
    match inst.get("key") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => format!("#{}", i + 1),
    }
}

/// The question (field, key, instance, list) a problem's JSON pointer is
/// at, and what to call it in the summary.
fn anchor_of(model: &Model, lang: Lang, pointer: &str, current: &Value) -> (Option<String>, Option<String>) {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let tok = |k: usize| tokens.get(k).map(String::as_str);
    let fallback = (None, (!pointer.is_empty()).then(|| pointer.to_string()));
    let mut k = 0;
    let mut path = String::new();
    let mut about = String::new();
    let mut scope: NodeIx = 0;
    let mut inst = current;
    while tok(k) == Some("instances") {
        let Some(node) = tok(k + 1) else { return fallback };
        let Some(&r) = model.by_id.get(node) else {
            return fallback;
        };
        let title = title_of(model, lang, r);
        let Some(pos) = tok(k + 2) else {
            return (Some(q_anchor(&path, node)), Some(format!("{about}{title}")));
        };
        let Ok(i) = pos.parse::<usize>() else {
            return fallback;
        };
        inst = inst
            .get("instances")
            .and_then(|m| m.get(node))
            .and_then(|l| l.get(i))
            .unwrap_or(&Value::Null);
        about = format!("{about}{title} {} › ", instance_name(inst, i));
        path = format!("{path}{node}/{i}/");
        scope = r;
        k += 3;
    }
    let named = |what: String| Some(format!("{about}{what}"));
    match (tok(k), tok(k + 1)) {
        (Some("answers"), Some(id)) => {
            if let Some(n) = model.by_id.get(id).and_then(|&ix| model.nodes.get(ix)) {
                if n.scope == scope && matches!(n.kind, NodeKind::Criterion(_)) {
                    let title = lang.pick(&n.title).unwrap_or(&n.id).to_string();
                    return (Some(q_anchor(&path, id)), named(title));
                }
            }
        }
        (Some("entity"), Some("profile")) if scope == 0 => {
            let name = tok(k + 2).unwrap_or_default();
            if let Some(f) = model.profile.get(name).filter(|f| f.owner.is_none()) {
                let label = lang.pick(&f.label).unwrap_or(&f.name).to_string();
                return (Some(p_anchor("", name)), Some(label));
            }
        }
        (Some("profile"), Some(name)) if scope != 0 => {
            if let Some(f) = model.profile.get(name).filter(|f| f.owner == Some(scope)) {
                let label = lang.pick(&f.label).unwrap_or(&f.name).to_string();
                return (Some(p_anchor(&path, name)), named(label));
            }
        }
        (Some("key"), None) if scope != 0 => {
            return (Some(k_anchor(&path)), named(lang.t("Key", "المفتاح").to_string()));
        }
        (None, None) if scope != 0 => {
            return (
                Some(i_anchor(&path)),
                Some(about.trim_end_matches(" › ").to_string()),
            );
        }
        _ => {}
    }
    if scope != 0 {
        // Elsewhere in an instance (`…/profile`, `…/answers`): its block.
        return (
            Some(i_anchor(&path)),
            Some(about.trim_end_matches(" › ").to_string()),
        );
    }
    fallback
}

/// The current answer to criterion `id` (of the answer set or instance).
fn answer_of<'v>(current: &'v Value, id: &str) -> Option<&'v Value> {
    current.get("answers")?.get(id).filter(|v| !v.is_null())
}

fn item(ctx: &mut Ctx<'_>, at: &At<'_>, ix: NodeIx) -> Option<Item> {
    let model = ctx.model;
    let lang = ctx.lang;
    let n = model.nodes.get(ix)?;
    let anchor = q_anchor(&at.path, &n.id);
    let mut it = Item {
        id: n.id.clone(),
        problems: ctx.located.remove(&anchor).unwrap_or_default(),
        anchor,
        h: (n.depth + 1).min(6),
        level: super::level_label(model, n, lang),
        title: lang.pick(&n.title).map(str::to_string),
        description: lang.pick(&n.description).map(str::to_string),
        kind: "group",
        name: format!("{}a:{}", at.path, n.id),
        cname: format!("{}c:{}", at.path, n.id),
        applies: at.applies.get(ix).copied().unwrap_or(true),
        choices: Vec::new(),
        number: None,
        children: Vec::new(),
        list: None,
        inst: None,
    };
    if n.repeat.is_some() {
        repeated(ctx, at, ix, &mut it);
        return Some(it);
    }
    let c = match &n.kind {
        NodeKind::Group(_) => {
            it.children = n.children.iter().filter_map(|&c| item(ctx, at, c)).collect();
            return Some(it);
        }
        NodeKind::Criterion(c) => c,
    };
    let answer = answer_of(at.current, &n.id);
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

/// Repeated node `r`'s item: its instances as blocks, and its Add button.
fn repeated(ctx: &mut Ctx<'_>, at: &At<'_>, r: NodeIx, it: &mut Item) {
    let model = ctx.model;
    let lang = ctx.lang;
    let Some(n) = model.nodes.get(r) else { return };
    it.kind = "repeated";
    let list_path = format!("{}{}", at.path, n.id);
    let keys = n.repeat.as_ref().and_then(|rep| rep.keys.as_ref());
    let given: Vec<&Value> = at
        .current
        .get("instances")
        .and_then(|m| m.get(&n.id))
        .and_then(Value::as_array)
        .map(|l| l.iter().collect())
        .unwrap_or_default();
    // The instances given, in order; with `keys LIST`, then the list's
    // ids not given yet.
    let mut blocks: Vec<(Option<&Value>, String)> = given
        .iter()
        .map(|v| {
            let key = match v.get("key") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(x)) => x.to_string(),
                _ => String::new(),
            };
            (Some(*v), key)
        })
        .collect();
    if let Some(keys) = keys {
        let have: HashSet<String> = blocks.iter().map(|(_, k)| k.clone()).collect();
        for id in &keys.ids {
            if !have.contains(id) {
                blocks.push((None, id.clone()));
            }
        }
    }
    let title = title_of(model, lang, r);
    let parent_applies = it.applies;
    let null = Value::Null;
    for (i, (v, key)) in blocks.iter().enumerate() {
        let v = *v;
        let cur = v.unwrap_or(&null);
        let ip = format!("{list_path}/{i}/");
        let listed = keys.and_then(|k| k.ids.iter().position(|id| id == key));
        let from_list: &[(usize, ProfileValue)] = match (keys, listed) {
            (Some(k), Some(pos)) => k.fields.get(pos).map_or(&[], Vec::as_slice),
            _ => &[],
        };
        let mut profile = at.profile.clone();
        let given_profile = cur.get("profile").filter(|p| p.is_object());
        for (fi, (name, f)) in model.profile.iter().enumerate() {
            if f.owner != Some(r) {
                continue;
            }
            let v = given_profile
                .and_then(|p| p.get(name))
                .and_then(|v| field_value(f, v));
            if let Some(slot) = profile.get_mut(fi) {
                *slot = v;
            }
        }
        for (fi, v) in from_list {
            if let Some(slot) = profile.get_mut(*fi) {
                *slot = Some(v.clone());
            }
        }
        // Decided once every field it may read is given (the entity's, this
        // instance's and those of the instances around it): until then
        // (a new instance) every question is shown.
        let complete = model.profile.values().enumerate().all(|(fi, f)| {
            let read = f
                .owner
                .is_none_or(|o| o <= r && model.nodes.get(o).is_some_and(|n| r < n.end));
            !read || profile.get(fi).is_some_and(Option::is_some)
        });
        let applies = if !parent_applies {
            vec![false; model.nodes.len()]
        } else if complete {
            crate::eval::applicable_in(model, r, &profile)
        } else {
            vec![true; model.nodes.len()]
        };
        let own = applies.get(r).copied().unwrap_or(true);
        let inner = At {
            path: ip.clone(),
            current: cur,
            applies,
            profile,
        };
        let key_anchor = k_anchor(&ip);
        let key_input = FieldInput {
            name: format!("{ip}key"),
            problems: ctx.located.remove(&key_anchor).unwrap_or_default(),
            anchor: key_anchor,
            label: lang.t("Key", "المفتاح").into(),
            kind: "text",
            value: key.clone(),
            choices: Vec::new(),
            readonly: listed.is_some(),
            fixed: false,
        };
        let fields = fields(ctx, Some(r), &ip, given_profile, Some(from_list));
        let anchor = i_anchor(&ip);
        let children = n.children.iter().filter_map(|&c| item(ctx, &inner, c)).collect();
        it.children.push(Item {
            id: n.id.clone(),
            problems: ctx.located.remove(&anchor).unwrap_or_default(),
            anchor,
            h: (n.depth + 2).min(6),
            level: None,
            title: Some(format!(
                "{title} {}",
                if key.is_empty() {
                    format!("#{}", i + 1)
                } else {
                    key.clone()
                }
            )),
            description: None,
            kind: "instance",
            name: String::new(),
            cname: String::new(),
            applies: own,
            choices: Vec::new(),
            number: None,
            children,
            list: None,
            inst: Some(Inst {
                key: key_input,
                fields,
                remove: listed.is_none().then(|| format!("{ip}remove")),
            }),
        });
    }
    it.list = Some(List {
        add: keys.is_none().then_some(list_path),
        add_label: format!("{} {title}", lang.t("Add", "إضافة")),
        count: blocks.len(),
    });
}

/// The field inputs of `owner` (`None`: the entity's profile), named
/// `path` + `p:FIELD`, from the `given` profile object; `from_list`: the
/// values a `keys LIST` gives (shown, not posted).
fn fields(
    ctx: &mut Ctx<'_>,
    owner: Option<NodeIx>,
    path: &str,
    given: Option<&Value>,
    from_list: Option<&[(usize, ProfileValue)]>,
) -> Vec<FieldInput> {
    let model = ctx.model;
    let lang = ctx.lang;
    let mut out = Vec::new();
    for (fi, f) in model.profile.values().enumerate() {
        if f.owner != owner {
            continue;
        }
        let listed = from_list
            .and_then(|l| l.iter().find(|(i, _)| *i == fi))
            .map(|(_, v)| v);
        let text = match (
            listed,
            given.and_then(|p| p.get(&f.name)).filter(|v| !v.is_null()),
        ) {
            (Some(v), _) => value_text(f, v),
            (None, Some(Value::String(s))) => s.clone(),
            (None, Some(Value::Number(n))) => n.to_string(),
            (None, Some(Value::Bool(b))) => b.to_string(),
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
        let anchor = p_anchor(path, &f.name);
        out.push(FieldInput {
            name: format!("{path}p:{}", f.name),
            problems: ctx.located.remove(&anchor).unwrap_or_default(),
            anchor,
            label: lang.pick(&f.label).unwrap_or(&f.name).to_string(),
            kind,
            value: text,
            choices,
            readonly: false,
            fixed: listed.is_some(),
        });
    }
    out
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

/// The posted fields, as [`answers_from_form`] reads them.
struct Posted<'f> {
    /// Non-empty values by name, in the order posted.
    values: HashMap<&'f str, Vec<&'f str>>,
    /// Every name posted (empty values too): which instances exist.
    names: Vec<&'f str>,
    /// `add`: the lists to add an empty instance to.
    add: Vec<&'f str>,
}

impl Posted<'_> {
    fn first(&self, k: &str) -> Option<&str> {
        self.values.get(k).and_then(|vs| vs.first().copied())
    }
}

/// The posted form back to an answer set for entity `entity`, in the
/// format [`crate::answers::read`] reads (see the module doc for the
/// field names): `rubric` and `version` of `rubric`, `entity` (`id`,
/// `name` when given, `profile` with the fields given), `answers` in
/// rubric order (only the criteria answered), and, when the rubric has
/// repeated nodes, `instances` (every list, nested: each instance's `key`
/// when given, `profile` when a field is, `answers`, and `instances` when
/// its node has repeated nodes inside), the instances marked `remove`
/// left out and one empty instance added at the end of each list `add`
/// names.
///
/// `fields` are the decoded pairs in the order posted. An empty value is
/// no answer; unknown fields are ignored; of two values for a
/// single-valued field, the first non-empty one counts.
pub fn answers_from_form(rubric: &Rubric, entity: &str, fields: &[(String, String)]) -> Value {
    let model = rubric.model();
    let mut posted = Posted {
        values: HashMap::new(),
        names: Vec::new(),
        add: Vec::new(),
    };
    for (k, v) in fields {
        posted.names.push(k.as_str());
        if k == "add" {
            posted.add.push(v.as_str());
        }
        if !v.is_empty() {
            posted.values.entry(k.as_str()).or_default().push(v.as_str());
        }
    }
    let mut ent = Map::new();
    ent.insert("id".into(), Value::String(entity.to_string()));
    if let Some(name) = posted.first("e:name") {
        ent.insert("name".into(), Value::String(name.to_string()));
    }
    let profile = profile_of(model, None, "", &posted);
    if model.profile.values().any(|f| f.owner.is_none()) || !profile.is_empty() {
        ent.insert("profile".into(), Value::Object(profile));
    }
    let mut doc = Map::new();
    doc.insert("rubric".into(), Value::String(model.id.clone()));
    doc.insert("version".into(), Value::String(model.version.clone()));
    doc.insert("entity".into(), Value::Object(ent));
    doc.insert("answers".into(), Value::Object(answers_of(model, 0, "", &posted)));
    if model.repeated_in(0).next().is_some() {
        doc.insert(
            "instances".into(),
            Value::Object(instances_of(model, 0, "", &posted)),
        );
    }
    Value::Object(doc)
}

/// The fields of `owner` posted under `path`.
fn profile_of(model: &Model, owner: Option<NodeIx>, path: &str, posted: &Posted<'_>) -> Map<String, Value> {
    let mut profile = Map::new();
    for f in model.profile.values().filter(|f| f.owner == owner) {
        let Some(v) = posted.first(&format!("{path}p:{}", f.name)) else {
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
    profile
}

/// The answers to the criteria of scope `scope` posted under `path`.
fn answers_of(model: &Model, scope: NodeIx, path: &str, posted: &Posted<'_>) -> Map<String, Value> {
    let mut answers = Map::new();
    for (ix, n) in model.nodes.iter().enumerate() {
        let NodeKind::Criterion(c) = &n.kind else { continue };
        if n.scope != scope || ix == 0 {
            continue;
        }
        let key = format!("{path}a:{}", n.id);
        let value = match &c.answer {
            AnswerKind::Multi { .. } => {
                let vs = posted.values.get(key.as_str()).cloned().unwrap_or_default();
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
            AnswerKind::Number { .. } => match posted.first(&format!("{path}c:{}", n.id)) {
                Some(code) => Some(Value::String(code.to_string())),
                None => posted.first(&key).map(number),
            },
            AnswerKind::Choice { .. } | AnswerKind::YesNo => {
                posted.first(&key).map(|v| Value::String(v.to_string()))
            }
        };
        if let Some(v) = value {
            answers.insert(n.id.clone(), v);
        }
    }
    answers
}

/// The lists of the repeated nodes directly inside scope `scope`, posted
/// under `path`.
fn instances_of(model: &Model, scope: NodeIx, path: &str, posted: &Posted<'_>) -> Map<String, Value> {
    let mut out = Map::new();
    for r in model.repeated_in(scope) {
        let Some(n) = model.nodes.get(r) else { continue };
        let list = format!("{path}{}", n.id);
        let prefix = format!("{list}/");
        // The positions posted, in order.
        let positions: BTreeSet<usize> = posted
            .names
            .iter()
            .filter_map(|k| k.strip_prefix(prefix.as_str()))
            .filter_map(|rest| rest.split('/').next()?.parse().ok())
            .collect();
        let mut items = Vec::new();
        for i in positions {
            let ip = format!("{prefix}{i}/");
            if posted.first(&format!("{ip}remove")).is_some() {
                continue;
            }
            items.push(instance(model, r, &ip, posted));
        }
        let keyed = n.repeat.as_ref().is_some_and(|rep| rep.keys.is_some());
        if !keyed && posted.add.contains(&list.as_str()) {
            // Nothing is posted under a path no instance has.
            items.push(instance(model, r, &format!("{prefix}new/"), posted));
        }
        out.insert(n.id.clone(), Value::Array(items));
    }
    out
}

/// One instance of repeated node `r`, posted under `ip`.
fn instance(model: &Model, r: NodeIx, ip: &str, posted: &Posted<'_>) -> Value {
    let mut o = Map::new();
    if let Some(key) = posted.first(&format!("{ip}key")) {
        o.insert("key".into(), Value::String(key.to_string()));
    }
    let profile = profile_of(model, Some(r), ip, posted);
    if !profile.is_empty() {
        o.insert("profile".into(), Value::Object(profile));
    }
    o.insert("answers".into(), Value::Object(answers_of(model, r, ip, posted)));
    if model.repeated_in(r).next().is_some() {
        o.insert(
            "instances".into(),
            Value::Object(instances_of(model, r, ip, posted)),
        );
    }
    Value::Object(o)
}

/// The HTML id of the instance an `add` post put at the end of list
/// `list` (`le/0/svc`) in `answers` (what [`answers_from_form`] gave):
/// where the page is scrolled to after the Add button.
pub fn added_anchor(answers: &Value, list: &str) -> Option<String> {
    let mut cur = answers;
    let mut parts = list.split('/');
    let mut path = String::new();
    loop {
        let node = parts.next()?;
        let l = cur.get("instances")?.get(node)?.as_array()?;
        match parts.next() {
            None => {
                let last = l.len().checked_sub(1)?;
                return Some(i_anchor(&format!("{path}{node}/{last}")));
            }
            Some(pos) => {
                cur = l.get(pos.parse::<usize>().ok()?)?;
                path = format!("{path}{node}/{pos}/");
            }
        }
    }
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
