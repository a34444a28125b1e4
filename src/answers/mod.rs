//! Answer sets: JSON submissions read and validated against a [`Plan`].
//!
//! The format is fixed (other tools produce it):
//!
//! ```json
//! {"rubric": "uae.integration", "version": "2018",
//!  "entity": {"id": "moi", "name": "وزارة الداخلية", "profile": {"role": "data_provider"}},
//!  "answers": {"fednet.1.1": "yes", "gsb.3.1": "na", "kpi.share": 42.5, "q.multi": ["a", "b"]}}
//! ```
//!
//! Reading validates everything that does not depend on the entity's
//! profile: shape, rubric and version, criterion ids, option ids, kinds and
//! bounds. Every problem is reported with the file (and line, for JSONL),
//! the entity and a JSON pointer; all problems of a submission are kept.

mod direct;
mod error;
mod ids;
mod parse;

pub use error::{AnswerError, Origin, Rejection};
pub use ids::{entity_id, is_invisible, printable};
pub use parse::Json;

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::model::{AnswerKind, CodeValue, FieldTy, NodeIx, NodeKind};
use crate::plan::Plan;

/// One answer, resolved against the rubric.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The index of the chosen option.
    Option(usize),
    /// The indices of the chosen options, sorted.
    Set(Vec<usize>),
    /// A number.
    Number(Decimal),
    /// Yes (`true`) or no.
    Bool(bool),
    /// Not applicable.
    Na,
    /// Code `i` of a `number` criterion's `codes` (its id was answered),
    /// with the number it stands for (`None`: N/A or missing).
    Code(usize, Option<Decimal>),
}

/// A profile value, resolved against the rubric's profile fields.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileValue {
    /// Index of the enum value.
    Enum(usize),
    /// A number.
    Number(Decimal),
    /// A boolean.
    Bool(bool),
}

/// A submission that passed reading.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Where it came from.
    pub origin: Origin,
    /// Entity id.
    pub entity: String,
    /// Entity display name.
    pub name: Option<String>,
    /// Profile values by field index (`None`: not given).
    pub profile: Vec<Option<ProfileValue>>,
    /// Answers to the entity's own criteria (those outside repeated nodes).
    pub answers: Answers,
    /// Instances of the repeated nodes directly inside the rubric.
    pub instances: Vec<InstanceSet>,
}

/// Answers of one scope, by node index: dense over the scope's subtree.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    offset: NodeIx,
    slots: Vec<Option<Answer>>,
}

impl Answers {
    /// Room for the answers of nodes `range`.
    pub fn new(range: std::ops::Range<NodeIx>) -> Self {
        Answers {
            offset: range.start,
            slots: vec![None; range.end.saturating_sub(range.start)],
        }
    }

    /// The answer to node `ix`, if any.
    #[inline]
    pub fn get(&self, ix: NodeIx) -> Option<&Answer> {
        self.slots.get(ix.checked_sub(self.offset)?)?.as_ref()
    }

    /// Records the answer to node `ix` (ignored outside the range).
    #[inline]
    pub fn set(&mut self, ix: NodeIx, a: Option<Answer>) {
        if let Some(slot) = ix.checked_sub(self.offset).and_then(|i| self.slots.get_mut(i)) {
            *slot = a;
        }
    }

    /// The slot of node `ix`'s answer (`None` outside the range).
    #[inline]
    pub(crate) fn slot_mut(&mut self, ix: NodeIx) -> Option<&mut Option<Answer>> {
        self.slots.get_mut(ix.checked_sub(self.offset)?)
    }

    /// Every answered node index with its answer.
    pub fn iter(&self) -> impl Iterator<Item = (NodeIx, &Answer)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((i + self.offset, a.as_ref()?)))
    }
}

/// The instances of one repeated node.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceSet {
    /// The repeated node.
    pub node: NodeIx,
    /// Its instances, in input order.
    pub items: Vec<Instance>,
}

/// One instance of a repeated node (a life event, a service, a URL).
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Its key (`key` in the answer set; the position when absent).
    pub key: String,
    /// JSON pointer of the instance in its answer set.
    pub pointer: String,
    /// Values of the repeated node's fields, by field index.
    pub fields: Vec<(usize, ProfileValue)>,
    /// Answers to the criteria of this instance.
    pub answers: Answers,
    /// Instances of repeated nodes directly inside this one.
    pub instances: Vec<InstanceSet>,
}

/// RFC 6901 escaping of one pointer token.
pub fn pointer_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Reads one submission from JSON text.
///
/// `origin` names the file (and line). Returns every problem found. Two
/// readers are tried in turn: the direct reader (`direct.rs`, the fast
/// path: any well-formed answer set without a problem, matched against the
/// plan) and, when it gives up, the exact reader ([`read_exact`], the
/// reference: everything, with every problem reported).
pub fn read(plan: &Plan, origin: Origin, text: &str) -> Result<Submission, Vec<Rejection>> {
    // Each reader skips a byte-order mark that starts a file (once).
    match read_direct(plan, origin, text) {
        Ok(sub) => Ok(sub),
        Err(origin) => read_exact(plan, origin, text),
    }
}

/// Reads one submission from the bytes of one JSONL line, as [`read`];
/// bytes that are not UTF-8 are rejected (M0401).
pub fn read_bytes(plan: &Plan, origin: Origin, bytes: &[u8]) -> Result<Submission, Vec<Rejection>> {
    match std::str::from_utf8(bytes) {
        Ok(text) => read(plan, origin, text),
        Err(e) => Err(vec![not_utf8(origin, &e)]),
    }
}

/// The direct reader alone (see `direct.rs`): the submission, or the
/// origin back when it leaves the text to the exact reader (a problem, or
/// a rubric whose repeated nodes declare `keys`).
pub fn read_direct(plan: &Plan, origin: Origin, text: &str) -> Result<Submission, Origin> {
    match direct::read(plan, without_bom(&origin, text)) {
        Ok(r) => Ok(r.submission(origin)),
        Err(direct::GiveUp) => Err(origin),
    }
}

/// A criterion answered with one option id, answered `id`: the answer,
/// when it is one (else [`resolve`] says what is wrong).
pub(crate) fn choose(plan: &Plan, ix: NodeIx, id: &[u8]) -> Option<Answer> {
    match plan.single_option(ix, id)? {
        (Some((i, false)), _) => Some(Answer::Option(i)),
        (Some((_, true)), true) => Some(Answer::Na),
        _ => None,
    }
}

/// The rejection of a line that is not UTF-8 (M0401, at the first bad byte).
pub fn not_utf8(origin: Origin, e: &std::str::Utf8Error) -> Rejection {
    Rejection {
        origin,
        entity: None,
        pointer: String::new(),
        error: AnswerError::Malformed {
            line: 1,
            column: e.valid_up_to() + 1,
            reason: "not valid UTF-8".into(),
        },
    }
}

/// Reads one submission from JSON text with the exact reader only: a
/// `serde_json::Value` first, then every check with its JSON pointer. This
/// is what [`read`] falls back to, and the reference it is tested against.
pub fn read_exact(plan: &Plan, origin: Origin, text: &str) -> Result<Submission, Vec<Rejection>> {
    match parse_json(&origin, text) {
        Ok(json) => read_parsed(plan, origin, &json.value, &json.duplicates),
        Err(r) => Err(r),
    }
}

/// `text` without the UTF-8 byte-order mark that may start a file: a
/// `.json` file (`origin` without a line) or the first line of a `.jsonl`
/// file. A mark anywhere else is left for the JSON parser to refuse.
fn without_bom<'t>(origin: &Origin, text: &'t str) -> &'t str {
    match text.strip_prefix('\u{feff}') {
        Some(rest) if origin.line.is_none_or(|l| l == 1) => rest,
        _ => text,
    }
}

/// The JSON value of an answer set's text, as the exact reader sees it: a
/// byte-order mark that starts the file is skipped, and the repeated keys
/// are listed (the reader rejects them, M0422). Malformed JSON is M0401.
pub fn parse_json(origin: &Origin, text: &str) -> Result<Json, Vec<Rejection>> {
    let text = without_bom(origin, text);
    parse::parse(text).map_err(|e| {
        let reason = if text.starts_with('\u{feff}') && e.line() == 1 && e.column() == 1 {
            "a byte-order mark (U+FEFF) may start a file, but not a later line of a JSONL file".to_string()
        } else {
            e.to_string().split(" at line").next().unwrap_or("").to_string()
        };
        vec![Rejection {
            origin: origin.clone(),
            entity: None,
            pointer: String::new(),
            error: AnswerError::Malformed {
                line: e.line(),
                column: e.column(),
                reason,
            },
        }]
    })
}

/// Reads one submission from a parsed JSON value.
pub fn read_value(plan: &Plan, origin: Origin, value: &Value) -> Result<Submission, Vec<Rejection>> {
    read_parsed(plan, origin, value, &[])
}

/// Reads one submission from a parsed JSON value with the repeated keys
/// of its text (`(pointer, key)`).
fn read_parsed(
    plan: &Plan,
    origin: Origin,
    value: &Value,
    duplicates: &[(String, String)],
) -> Result<Submission, Vec<Rejection>> {
    let model = plan.model();
    let mut errs: Vec<Rejection> = Vec::new();
    // The id as it is reported: normalised when it is a valid id.
    let entity_id = value
        .pointer("/entity/id")
        .and_then(Value::as_str)
        .map(|s| ids::entity_id(s).map_or_else(|_| s.to_string(), |id| id.into_owned()));
    // Whether the answer set is for these rules (else missing answers are
    // not worth reporting).
    let mut ours = true;
    let mut fail = |pointer: String, error: AnswerError| {
        errs.push(Rejection {
            origin: origin.clone(),
            entity: entity_id.clone(),
            pointer,
            error,
        })
    };
    for (pointer, key) in duplicates {
        fail(pointer.clone(), AnswerError::DuplicateKey { key: key.clone() });
    }
    let Some(obj) = value.as_object() else {
        fail(
            String::new(),
            AnswerError::Shape {
                expected: "an object with `rubric`, `version`, `entity` and `answers`".into(),
                found: kind_of(value).into(),
            },
        );
        return Err(errs);
    };
    // Header.
    match obj.get("rubric") {
        Some(Value::String(r)) if *r == model.id => {}
        Some(Value::String(r)) => {
            ours = false;
            fail(
                "/rubric".into(),
                AnswerError::WrongRubric {
                    found: r.clone(),
                    expected: model.id.clone(),
                },
            )
        }
        other => fail("/rubric".into(), shape("a string", other)),
    }
    let version = match obj.get("version") {
        Some(Value::String(v)) => Some(v.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        other => {
            fail("/version".into(), shape("a string", other));
            None
        }
    };
    if let Some(v) = version {
        if v != model.version {
            ours = false;
            fail(
                "/version".into(),
                AnswerError::WrongVersion {
                    found: v,
                    expected: model.version.clone(),
                },
            );
        }
    }
    // Entity.
    let mut name = None;
    let mut profile = vec![None; model.profile.len()];
    match obj.get("entity") {
        Some(Value::Object(e)) => {
            match e.get("id") {
                Some(Value::String(s)) if !s.is_empty() => {
                    if let Err(err) = ids::entity_id(s) {
                        fail("/entity/id".into(), err);
                    }
                }
                other => fail("/entity/id".into(), shape("a non-empty string", other)),
            }
            match e.get("name") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) => name = Some(s.clone()),
                other => fail("/entity/name".into(), shape("a string", other)),
            }
            match e.get("profile") {
                None | Some(Value::Null) => {}
                Some(v) => read_fields(model, None, v, "/entity/profile", &mut profile, &mut fail),
            }
            for k in e.keys() {
                if !ENTITY_KEYS.contains(&k.as_str()) {
                    fail(
                        format!("/entity/{}", pointer_token(k)),
                        unknown_key(k, ENTITY_KEYS, "an entity has `id`, `name` and `profile` only"),
                    );
                }
            }
        }
        other => fail("/entity".into(), shape("an object with `id`", other)),
    }
    let given = obj.get("entity").and_then(|e| e.get("profile"));
    missing_fields(model, None, given, "/entity/profile", &[], &mut fail);
    let answers_given = matches!(obj.get("answers"), Some(Value::Object(_)));
    let answers = read_answers(plan, 0, obj.get("answers"), "", &mut fail);
    let instances = read_instances(plan, 0, obj.get("instances"), "/instances", &mut fail);
    for (k, _) in obj {
        if !TOP_KEYS.contains(&k.as_str()) {
            fail(
                format!("/{}", pointer_token(k)),
                unknown_key(
                    k,
                    TOP_KEYS,
                    "answer sets have `rubric`, `version`, `entity` and `answers` only (and `instances` for repeated nodes)",
                ),
            );
        }
    }
    let sub = Submission {
        origin,
        entity: entity_id.clone().unwrap_or_default(),
        name,
        profile,
        answers,
        instances,
    };
    if errs.is_empty() {
        return Ok(sub);
    }
    // Rejected: the answers that are missing too, so that one round of
    // fixes is enough (only when the answers were readable and are for
    // these rules).
    if ours && answers_given {
        let reported: std::collections::HashSet<String> = errs.iter().map(|e| e.pointer.clone()).collect();
        for mut m in crate::eval::missing(plan, sub) {
            if !reported.contains(&m.pointer) {
                m.entity.clone_from(&entity_id);
                errs.push(m);
            }
        }
    }
    Err(errs)
}

/// The keys of an answer set.
const TOP_KEYS: &[&str] = &["rubric", "version", "entity", "answers", "instances"];

/// The keys of `entity`.
const ENTITY_KEYS: &[&str] = &["id", "name", "profile"];

/// The keys of an instance of a repeated node.
const INSTANCE_KEYS: &[&str] = &["key", "profile", "answers", "instances"];

/// An unknown key `k` where `allowed` are the keys: the one meant, if one
/// is close, else `otherwise`.
fn unknown_key(k: &str, allowed: &[&str], otherwise: &str) -> AnswerError {
    AnswerError::UnknownKey {
        key: k.to_string(),
        help: crate::diag::did_you_mean(k, allowed.iter().copied()).unwrap_or_else(|| otherwise.to_string()),
    }
}

type Fail<'f> = &'f mut dyn FnMut(String, AnswerError);

/// Reads the fields of `owner` (`None`: the entity) from a JSON object.
fn read_fields(
    model: &crate::model::Model,
    owner: Option<NodeIx>,
    v: &Value,
    prefix: &str,
    out: &mut [Option<ProfileValue>],
    fail: Fail<'_>,
) {
    let Value::Object(p) = v else {
        fail(prefix.to_string(), shape("an object", Some(v)));
        return;
    };
    for (k, v) in p {
        let ptr = format!("{prefix}/{}", pointer_token(k));
        let known = model.profile.get_full(k).filter(|(_, _, d)| d.owner == owner);
        let Some((fi, _, def)) = known else {
            let names = model
                .profile
                .values()
                .filter(|d| d.owner == owner)
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>();
            fail(
                ptr,
                AnswerError::UnknownField {
                    name: crate::diag::visible(k).into_owned(),
                    help: crate::diag::did_you_mean(k, names),
                },
            );
            continue;
        };
        let val = match field_value(def, k, Raw::of(v)) {
            Ok(x) => Some(x),
            Err(e) => {
                fail(ptr, e);
                None
            }
        };
        if let Some(slot) = out.get_mut(fi) {
            *slot = val;
        }
    }
}

/// Resolves the value of profile or instance field `name` (declared as
/// `def`).
pub(crate) fn field_value(
    def: &crate::model::FieldDef,
    name: &str,
    v: Raw<'_>,
) -> Result<ProfileValue, AnswerError> {
    match (&def.ty, v) {
        (FieldTy::Enum(values), Raw::Str(s)) => match values.iter().position(|x| x == s) {
            Some(i) => Ok(ProfileValue::Enum(i)),
            None => Err(AnswerError::UnknownValue {
                field: name.to_string(),
                value: crate::diag::visible(s).into_owned(),
                // A value's label given for the value: name its id.
                allowed: match def.value_labelled(s) {
                    Some(id) => format!(
                        "{}; `{}` is the label of `{id}`: an answer set gives the value's id",
                        values.join(", "),
                        crate::diag::visible(s)
                    ),
                    None => match crate::diag::did_you_mean(s, values.iter().map(|v| v.as_ref())) {
                        Some(h) => format!("{}; {h}", values.join(", ")),
                        None => values.join(", "),
                    },
                },
            }),
        },
        (FieldTy::Number, Raw::Num(Ok(d))) => Ok(ProfileValue::Number(d)),
        (FieldTy::Number, Raw::Num(Err(text))) => Err(inexact(format!("profile field `{name}`"), text)),
        (FieldTy::Bool, Raw::Bool(b)) => Ok(ProfileValue::Bool(b)),
        (ty, v) => {
            let want = match ty {
                FieldTy::Enum(values) => format!("one of {}", values.join(", ")),
                FieldTy::Number => "a number".into(),
                FieldTy::Bool => "true or false".into(),
            };
            Err(raw_shape(&want, v.kind()))
        }
    }
}

/// Reports every field of `owner` that `given` does not mention.
fn missing_fields(
    model: &crate::model::Model,
    owner: Option<NodeIx>,
    given: Option<&Value>,
    prefix: &str,
    filled: &[(usize, ProfileValue)],
    fail: Fail<'_>,
) {
    for (fi, d) in model
        .profile
        .values()
        .enumerate()
        .filter(|(_, d)| d.owner == owner)
    {
        if given.and_then(|p| p.get(&d.name)).is_none() && !filled.iter().any(|(i, _)| *i == fi) {
            fail(
                format!("{prefix}/{}", pointer_token(&d.name)),
                AnswerError::MissingField { name: d.name.clone() },
            );
        }
    }
}

/// Reads the answers of scope `scope` (0: the entity; else a repeated node).
fn read_answers(plan: &Plan, scope: NodeIx, v: Option<&Value>, prefix: &str, fail: Fail<'_>) -> Answers {
    let model = plan.model();
    let end = model.nodes.get(scope).map_or(0, |n| n.end);
    let mut answers = Answers::new(scope..end);
    match v {
        Some(Value::Object(a)) => {
            for (k, v) in a {
                // Built only for a problem: most answers have none.
                let ptr = || format!("{prefix}/answers/{}", pointer_token(k));
                let found = plan.criterion(k);
                let in_scope = found.filter(|&ix| model.nodes.get(ix).is_some_and(|n| n.scope == scope));
                let Some(ix) = in_scope else {
                    let help = match found.and_then(|ix| model.nodes.get(ix)) {
                        Some(n) => Some(format!(
                            "`{k}` is answered in the instances of `{}`",
                            model.nodes.get(n.scope).map_or("?", |r| r.id.as_str())
                        )),
                        None if model.by_id.contains_key(k) => {
                            Some(format!("`{k}` is a group; answer its criteria"))
                        }
                        None => crate::diag::did_you_mean(k, plan.criterion_ids().collect::<Vec<_>>()),
                    };
                    fail(
                        ptr(),
                        AnswerError::UnknownCriterion {
                            id: crate::diag::visible(k).into_owned(),
                            help,
                        },
                    );
                    continue;
                };
                if v.is_null() {
                    continue;
                }
                match answer(plan, ix, v) {
                    Ok(ans) => answers.set(ix, Some(ans)),
                    Err(e) => fail(ptr(), e),
                }
            }
        }
        None if scope != 0 => {}
        other => fail(
            format!("{prefix}/answers"),
            shape("an object mapping criterion ids to answers", other),
        ),
    }
    answers
}

/// Reads `{"REPEATED": [instance, …], …}` for the repeated nodes directly
/// inside scope `scope`.
fn read_instances(
    plan: &Plan,
    scope: NodeIx,
    v: Option<&Value>,
    prefix: &str,
    fail: Fail<'_>,
) -> Vec<InstanceSet> {
    let model = plan.model();
    let empty = serde_json::Map::new();
    let map = match v {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(map)) => map,
        Some(v) => {
            fail(
                prefix.to_string(),
                shape(
                    "an object mapping repeated node ids to lists of instances",
                    Some(v),
                ),
            );
            return Vec::new();
        }
    };
    let nested: Vec<NodeIx> = model.repeated_in(scope).collect();
    let mut sets = Vec::new();
    for (k, v) in map {
        let ptr = format!("{prefix}/{}", pointer_token(k));
        let Some(&r) = model.by_id.get(k).filter(|r| nested.contains(r)) else {
            let names: Vec<&str> = nested
                .iter()
                .filter_map(|&r| model.nodes.get(r).map(|n| n.id.as_str()))
                .collect();
            fail(
                ptr,
                AnswerError::UnknownCriterion {
                    id: k.clone(),
                    help: Some(if names.is_empty() {
                        "no repeated node takes instances here".to_string()
                    } else {
                        format!("repeated nodes here: {}", names.join(", "))
                    }),
                },
            );
            continue;
        };
        let Value::Array(items) = v else {
            fail(ptr, shape("a list of instances", Some(v)));
            continue;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let iptr = format!("{ptr}/{i}");
            let Value::Object(o) = item else {
                fail(
                    iptr,
                    shape("an object with `key`, `profile`, `answers`", Some(item)),
                );
                continue;
            };
            let key = match o.get("key") {
                None | Some(Value::Null) => i.to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                other => {
                    fail(format!("{iptr}/key"), shape("a string", other));
                    String::new()
                }
            };
            let mut profile = vec![None; model.profile.len()];
            if let Some(p) = o.get("profile").filter(|p| !p.is_null()) {
                read_fields(model, Some(r), p, &format!("{iptr}/profile"), &mut profile, fail);
            }
            // `keys LIST`: the list's field values fill in the instance's.
            let filled = list_fields(model, r, &key);
            for (fi, v) in filled {
                match profile.get_mut(*fi) {
                    Some(slot @ None) => *slot = Some(v.clone()),
                    Some(Some(given)) if given != v => {
                        let name = model.profile.get_index(*fi).map_or("", |(n, _)| n.as_str());
                        let keys = model
                            .nodes
                            .get(r)
                            .and_then(|n| n.repeat.as_ref())
                            .and_then(|p| p.keys.as_ref());
                        fail(
                            format!("{iptr}/profile/{}", pointer_token(name)),
                            AnswerError::UnknownInstance {
                                id: model.nodes.get(r).map_or_else(String::new, |n| n.id.clone()),
                                list: keys.map_or_else(String::new, |k| k.list.clone()),
                                key: key.clone(),
                                why: format!(
                                    "field `{name}` is `{}` here and `{}` in `{}`",
                                    field_text(model, *fi, given),
                                    field_text(model, *fi, v),
                                    keys.map_or("", |k| k.list.as_str())
                                ),
                                help: "leave the field out (the rubric's list gives it) or give the list's value".into(),
                            },
                        );
                    }
                    _ => {}
                }
            }
            // An instance whose key is not an id of `keys LIST` is M0429
            // alone: the list would have given its fields.
            let keys = model
                .nodes
                .get(r)
                .and_then(|n| n.repeat.as_ref())
                .and_then(|p| p.keys.as_ref());
            if keys.is_none_or(|k| k.ids.contains(&key)) {
                missing_fields(
                    model,
                    Some(r),
                    o.get("profile"),
                    &format!("{iptr}/profile"),
                    filled,
                    fail,
                );
            }
            let answers = read_answers(plan, r, o.get("answers"), &iptr, fail);
            let instances = read_instances(plan, r, o.get("instances"), &format!("{iptr}/instances"), fail);
            for k in o.keys() {
                if !INSTANCE_KEYS.contains(&k.as_str()) {
                    fail(
                        format!("{iptr}/{}", pointer_token(k)),
                        unknown_key(
                            k,
                            INSTANCE_KEYS,
                            "an instance has `key`, `profile`, `answers` and `instances` only",
                        ),
                    );
                }
            }
            out.push(Instance {
                key,
                pointer: iptr,
                fields: given_fields(profile),
                answers,
                instances,
            });
        }
        sets.push(InstanceSet { node: r, items: out });
    }
    sets.sort_by_key(|s| s.node);
    for &r in &nested {
        let set = sets.iter().find(|s| s.node == r);
        check_keys(model, r, set, prefix, fail);
    }
    sets
}

/// An instance's fields from a profile read for it (by field index): those
/// given, in field order.
fn given_fields(profile: Vec<Option<ProfileValue>>) -> Vec<(usize, ProfileValue)> {
    profile
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i, v?)))
        .collect()
}

/// The `keys` problems (M0428, M0429) of an answer set built by `mizan
/// import`: the check reading makes, so an imported entity is refused as
/// its answer set would be.
pub fn instance_key_problems(plan: &Plan, origin: Origin, value: &Value) -> Vec<Rejection> {
    if !plan.has_keys() {
        return Vec::new();
    }
    match read_value(plan, origin, value) {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .into_iter()
            .filter(|e| {
                matches!(
                    e.error,
                    AnswerError::MissingInstance { .. } | AnswerError::UnknownInstance { .. }
                )
            })
            .collect(),
    }
}

/// The field values the instance list of `r`'s `keys` gives instance `key`.
fn list_fields<'m>(model: &'m crate::model::Model, r: NodeIx, key: &str) -> &'m [(usize, ProfileValue)] {
    let keys = model
        .nodes
        .get(r)
        .and_then(|n| n.repeat.as_ref())
        .and_then(|p| p.keys.as_ref());
    keys.and_then(|k| {
        k.ids
            .iter()
            .position(|id| id == key)
            .and_then(|p| k.fields.get(p))
    })
    .map_or(&[], Vec::as_slice)
}

/// A field value as written.
fn field_text(model: &crate::model::Model, fi: usize, v: &ProfileValue) -> String {
    match v {
        ProfileValue::Enum(i) => match model.profile.get_index(fi).map(|(_, d)| &d.ty) {
            Some(crate::model::FieldTy::Enum(values)) => values.get(*i).cloned().unwrap_or_default(),
            _ => i.to_string(),
        },
        ProfileValue::Number(d) => d.to_string(),
        ProfileValue::Bool(b) => b.to_string(),
    }
}

/// `repeated … keys LIST`: the instances of `r` must be exactly the ids of
/// LIST: each missing id is M0428 (at the node's list of instances), each
/// other key, and each id given again, M0429 (at the instance).
fn check_keys(
    model: &crate::model::Model,
    r: NodeIx,
    set: Option<&InstanceSet>,
    prefix: &str,
    fail: Fail<'_>,
) {
    let Some(node) = model.nodes.get(r) else { return };
    let Some(keys) = node.repeat.as_ref().and_then(|rep| rep.keys.as_ref()) else {
        return;
    };
    let items = set.map_or(&[][..], |s| s.items.as_slice());
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for inst in items {
        let known = keys.ids.contains(&inst.key);
        let twice = !seen.insert(inst.key.as_str());
        if !known || twice {
            let (why, help) = if known {
                ("given twice".to_string(), "give each instance once".to_string())
            } else {
                (
                    format!("not in `{}`", keys.list),
                    crate::diag::did_you_mean(&inst.key, keys.ids.iter().map(String::as_str))
                        .unwrap_or_else(|| format!("instances of `{}`: {}", keys.list, keys.ids.join(", "))),
                )
            };
            fail(
                inst.pointer.clone(),
                AnswerError::UnknownInstance {
                    id: node.id.clone(),
                    list: keys.list.clone(),
                    key: inst.key.clone(),
                    why,
                    help,
                },
            );
        }
    }
    let ptr = format!("{prefix}/{}", pointer_token(&node.id));
    for id in &keys.ids {
        if !items.iter().any(|i| &i.key == id) {
            fail(
                ptr.clone(),
                AnswerError::MissingInstance {
                    id: node.id.clone(),
                    list: keys.list.clone(),
                    key: id.clone(),
                    ids: keys.ids.join(", "),
                },
            );
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(s) if s.is_empty() => "an empty string",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn shape(expected: &str, found: Option<&Value>) -> AnswerError {
    raw_shape(expected, found.map_or("nothing", kind_of))
}

fn raw_shape(expected: &str, found: &str) -> AnswerError {
    AnswerError::Shape {
        expected: expected.to_string(),
        found: found.to_string(),
    }
}

/// A JSON number's text (serde_json keeps the digits) as an exact decimal,
/// if it is one: the value written, not a rounding of it.
fn decimal(s: &str) -> Option<Decimal> {
    Decimal::from_str_exact(s)
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
        .or_else(|| exact(&Digits::of(s)?))
}

/// A JSON number as digits: its value is `digits` × 10^`exp` (`digits`
/// without leading or trailing zeros; empty for zero).
struct Digits {
    negative: bool,
    digits: String,
    exp: i64,
}

impl Digits {
    fn of(s: &str) -> Option<Digits> {
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (s.get(..i)?, exponent(s.get(i + 1..)?)?),
            None => (s, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let all = format!("{int}{frac}");
        let mut exp = exp.checked_sub(i64::try_from(frac.len()).ok()?)?;
        let trimmed = all.trim_start_matches('0');
        let digits = trimmed.trim_end_matches('0');
        exp = exp.checked_add(i64::try_from(trimmed.len() - digits.len()).ok()?)?;
        Some(Digits {
            negative,
            digits: digits.to_string(),
            exp,
        })
    }

    /// Whether the integer part is at least 2^96 (beyond every exact
    /// decimal).
    fn too_large(&self) -> bool {
        match self.magnitude() {
            m if m > 28 => true,
            28 => {
                let int: String = self
                    .digits
                    .chars()
                    .chain(std::iter::repeat('0'))
                    .take(29)
                    .collect();
                int.parse::<u128>()
                    .map_or(true, |v| v > 79_228_162_514_264_337_593_543_950_335)
            }
            _ => false,
        }
    }

    /// The exponent of the leading digit (`1234` × 10^-2: 1).
    fn magnitude(&self) -> i64 {
        i64::try_from(self.digits.len())
            .unwrap_or(i64::MAX)
            .saturating_sub(1)
            .saturating_add(self.exp)
    }
}

/// A JSON exponent (`+12`, `-400`), saturated far beyond any decimal's.
fn exponent(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let e = digits.trim_start_matches('0');
    let e = if e.len() > 12 {
        1_000_000_000_000
    } else {
        e.parse::<i64>().unwrap_or(0)
    };
    Some(if negative { -e } else { e })
}

/// The exact decimal of `d`, when one is: at most 28 decimal places, a
/// mantissa below 2^96.
fn exact(d: &Digits) -> Option<Decimal> {
    if d.digits.is_empty() {
        return Some(Decimal::ZERO);
    }
    if d.digits.len() > 29 || d.magnitude() > 28 {
        return None;
    }
    let mantissa: i128 = d.digits.parse().ok()?;
    let v = if d.exp >= 0 {
        let scale = 10i128.checked_pow(u32::try_from(d.exp).ok()?)?;
        Decimal::try_from_i128_with_scale(mantissa.checked_mul(scale)?, 0).ok()?
    } else {
        Decimal::try_from_i128_with_scale(mantissa, u32::try_from(-d.exp).ok()?).ok()?
    };
    Some(if d.negative { -v } else { v })
}

/// Why the JSON number `text` is no exact decimal.
fn why_inexact(text: &str) -> &'static str {
    let Some(d) = Digits::of(text) else {
        return "it is not a decimal number";
    };
    if d.too_large() {
        "its magnitude is above the largest exact decimal, 79228162514264337593543950335"
    } else if d.magnitude() < -28 {
        "it is below the smallest nonzero exact decimal, 1e-28"
    } else if d.exp < -28 {
        "it has more than 28 digits after the decimal point"
    } else {
        "it has more significant digits than an exact decimal holds (28 or 29)"
    }
}

/// The rejection of `what` (`` `kpi` answer ``) written as `text`, a
/// number that is no exact decimal (M0423).
fn inexact(what: String, text: &str) -> AnswerError {
    AnswerError::InexactNumber {
        what,
        value: text.to_string(),
        reason: why_inexact(text).to_string(),
    }
}

/// An answer value as the reader found it, before it is resolved against
/// its criterion: the exact (`serde_json::Value`) reader and the compiled
/// reader ([`fast`]) both produce one, so that one resolver decides.
pub(crate) enum Raw<'a> {
    /// A string.
    Str(&'a str),
    /// A number, as an exact decimal, or as written when it is none.
    Num(Result<Decimal, &'a str>),
    /// `true` or `false`.
    Bool(bool),
    /// A list: each item a string, or the kind of what it is instead.
    List(Vec<Result<Cow<'a, str>, &'static str>>),
    /// Anything else, by kind (`null`, an object).
    Other(&'static str),
}

impl<'a> Raw<'a> {
    fn of(v: &'a Value) -> Self {
        match v {
            Value::String(s) => Raw::Str(s),
            Value::Number(n) => Raw::Num(decimal(n.as_str()).ok_or(n.as_str())),
            Value::Bool(b) => Raw::Bool(*b),
            Value::Array(items) => Raw::List(
                items
                    .iter()
                    .map(|it| it.as_str().map(Cow::Borrowed).ok_or_else(|| kind_of(it)))
                    .collect(),
            ),
            other => Raw::Other(kind_of(other)),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Raw::Str("") => "an empty string",
            Raw::Str(_) => "a string",
            Raw::Num(_) => "a number",
            Raw::Bool(_) => "a boolean",
            Raw::List(_) => "a list",
            Raw::Other(k) => k,
        }
    }
}

/// Resolves one answer value for criterion `ix`.
fn answer(plan: &Plan, ix: NodeIx, v: &Value) -> Result<Answer, AnswerError> {
    resolve(plan, ix, Raw::of(v))
}

/// Resolves one raw answer for criterion `ix`: option ids to indices, N/A,
/// kinds and bounds.
pub(crate) fn resolve(plan: &Plan, ix: NodeIx, v: Raw<'_>) -> Result<Answer, AnswerError> {
    let model = plan.model();
    let Some(node) = model.nodes.get(ix) else {
        return Err(AnswerError::UnknownCriterion {
            id: String::new(),
            help: None,
        });
    };
    let NodeKind::Criterion(c) = &node.kind else {
        return Err(AnswerError::UnknownCriterion {
            id: node.id.clone(),
            help: None,
        });
    };
    let id = &node.id;
    let wrong = |found: &str| AnswerError::WrongKind {
        id: id.clone(),
        expected: c.answer.describe().to_string(),
        found: found.to_string(),
    };
    let na = || {
        if c.na_allowed {
            Ok(Answer::Na)
        } else {
            Err(AnswerError::NaNotAllowed { id: id.clone() })
        }
    };
    let option = |s: &str| -> Result<(usize, bool), AnswerError> {
        match plan.option(ix, s.as_bytes()) {
            Some(found) => Ok(found),
            None => {
                let ids: Vec<&str> = c.answer.options().iter().map(|o| o.id.as_str()).collect();
                let allowed = ids.join(", ");
                let help = match crate::diag::did_you_mean(s, ids.iter().copied()) {
                    Some(h) => format!("{h} (options of `{id}`: {allowed})"),
                    None => format!("options of `{id}`: {allowed}"),
                };
                Err(AnswerError::UnknownOption {
                    id: id.clone(),
                    option: crate::diag::visible(s).into_owned(),
                    allowed,
                    help,
                })
            }
        }
    };
    match (&c.answer, &v) {
        (AnswerKind::Choice { .. }, Raw::Str(s)) => {
            let (i, is_na) = option(s)?;
            if is_na {
                na()
            } else {
                Ok(Answer::Option(i))
            }
        }
        (AnswerKind::Multi { options, .. }, Raw::Str(s))
            if options.iter().any(|o| o.is_na() && o.id == *s) =>
        {
            na()
        }
        (AnswerKind::Multi { .. }, Raw::List(items)) => {
            let mut set = Vec::new();
            let mut saw_na = false;
            for it in items {
                let s: &str = it.as_deref().map_err(|k| wrong(k))?;
                let (i, is_na) = option(s)?;
                if is_na {
                    saw_na = true;
                } else if set.contains(&i) {
                    return Err(AnswerError::DuplicateOption {
                        id: id.clone(),
                        option: s.to_string(),
                    });
                } else {
                    set.push(i);
                }
            }
            if saw_na {
                if !set.is_empty() {
                    return Err(AnswerError::WrongKind {
                        id: id.clone(),
                        expected: "either N/A alone or a list of options".into(),
                        found: "N/A together with other options".into(),
                    });
                }
                return na();
            }
            set.sort_unstable();
            Ok(Answer::Set(set))
        }
        (AnswerKind::Number { min, max, .. }, Raw::Num(d)) => {
            let d = d.map_err(|text| inexact(format!("`{id}` answer"), text))?;
            if min.is_some_and(|m| d < m) || max.is_some_and(|m| d > m) {
                return Err(AnswerError::OutOfBounds {
                    id: id.clone(),
                    value: d.to_string(),
                    bounds: format!(
                        "{}..{}",
                        min.map(|m| m.to_string()).unwrap_or_default(),
                        max.map(|m| m.to_string()).unwrap_or_default()
                    ),
                });
            }
            Ok(Answer::Number(d))
        }
        (AnswerKind::YesNo, Raw::Bool(b)) => Ok(Answer::Bool(*b)),
        (AnswerKind::YesNo, Raw::Str(s)) if *s == "yes" || *s == "no" => Ok(Answer::Bool(*s == "yes")),
        (AnswerKind::Number { .. } | AnswerKind::YesNo, Raw::Str(s)) if *s == "na" => na(),
        (AnswerKind::Number { codes, .. }, Raw::Str(s)) if !codes.is_empty() => {
            match codes.iter().position(|c| c.id == *s) {
                Some(i) => Ok(Answer::Code(
                    i,
                    codes.get(i).and_then(|c| match c.means {
                        CodeValue::Value(d) => Some(d),
                        _ => None,
                    }),
                )),
                None => {
                    let ids = codes.iter().map(|c| c.id.as_str());
                    Err(AnswerError::UnknownCode {
                        id: id.clone(),
                        code: crate::diag::visible(s).into_owned(),
                        allowed: ids.clone().collect::<Vec<_>>().join(", "),
                        help: crate::diag::did_you_mean(s, ids),
                    })
                }
            }
        }
        _ => Err(wrong(v.kind())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_exact_decimals_or_say_which_limit_they_pass() {
        let ok = |s: &str| decimal(s).map(|d| d.normalize().to_string());
        assert_eq!(ok("1.5").as_deref(), Some("1.5"));
        assert_eq!(ok("0e400").as_deref(), Some("0"));
        assert_eq!(ok("-0.0e-999").as_deref(), Some("0"));
        assert_eq!(ok("1.00000000000000000000000000000000000").as_deref(), Some("1"));
        assert_eq!(
            ok("79228162514264337593543950335").as_deref(),
            Some("79228162514264337593543950335")
        );
        assert_eq!(ok("7.9e28").as_deref(), Some("79000000000000000000000000000"));
        assert_eq!(ok("1e-28").as_deref(), Some("0.0000000000000000000000000001"));
        assert_eq!(ok("-25e-2").as_deref(), Some("-0.25"));
        for (text, why) in [
            ("1e400", "magnitude"),
            ("-1E+400", "magnitude"),
            ("1e99999999999999999999999", "magnitude"),
            ("79228162514264337593543950336", "magnitude"),
            ("12345678901234567890123456789012345", "magnitude"),
            ("1e-400", "smallest"),
            ("1e-99999999999999999999999", "smallest"),
            ("0.12345678901234567890123456789012345", "after the decimal point"),
            ("1.5e-28", "after the decimal point"),
            ("1234567890123456.1234567890123456789", "significant digits"),
        ] {
            assert_eq!(decimal(text), None, "{text}");
            assert!(why_inexact(text).contains(why), "{text}: {}", why_inexact(text));
        }
    }

    #[test]
    fn a_byte_order_mark_starts_a_file_only() {
        let file = |line| Origin {
            file: "a.jsonl".into(),
            line,
        };
        assert_eq!(without_bom(&file(None), "\u{feff}{}"), "{}");
        assert_eq!(without_bom(&file(Some(1)), "\u{feff}{}"), "{}");
        assert_eq!(without_bom(&file(Some(2)), "\u{feff}{}"), "\u{feff}{}");
        let err = parse_json(&file(Some(2)), "\u{feff}{}")
            .err()
            .map(|r| r[0].error.to_string());
        assert!(err.is_some_and(|e| e.contains("byte-order mark")));
    }
}
