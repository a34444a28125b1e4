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
mod fast;

pub use error::{AnswerError, Origin, Rejection};

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde_json::Value;

use crate::model::{AnswerKind, FieldTy, NodeIx, NodeKind};
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
/// `origin` names the file (and line). Returns every problem found. Three
/// readers are tried in turn, each leaving to the next what it does not
/// take: the direct reader (`direct.rs`, the usual shape matched against
/// the plan), the compiled reader (`fast.rs`, any well-formed flat answer
/// set) and the exact reader ([`read_exact`], everything, with every
/// problem reported).
pub fn read(plan: &Plan, origin: Origin, text: &str) -> Result<Submission, Vec<Rejection>> {
    if let Ok(r) = direct::read(plan, text) {
        return Ok(r.submission(origin));
    }
    match read_compiled(plan, origin, text) {
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
/// origin back when it leaves the text to the next reader.
pub fn read_direct(plan: &Plan, origin: Origin, text: &str) -> Result<Submission, Origin> {
    match direct::read(plan, text) {
        Ok(r) => Ok(r.submission(origin)),
        Err(fast::GiveUp) => Err(origin),
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

/// The compiled reader alone (see `fast.rs`): the submission, or the
/// origin back when it leaves the text to [`read_exact`] (a problem, or a
/// shape it does not take).
pub fn read_compiled(plan: &Plan, origin: Origin, text: &str) -> Result<Submission, Origin> {
    match fast::read(plan, text) {
        Ok(r) => Ok(r.submission(origin)),
        Err(fast::GiveUp) => Err(origin),
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
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(vec![Rejection {
                origin,
                entity: None,
                pointer: String::new(),
                error: AnswerError::Malformed {
                    line: e.line(),
                    column: e.column(),
                    reason: e.to_string().split(" at line").next().unwrap_or("").to_string(),
                },
            }])
        }
    };
    read_value(plan, origin, &value)
}

/// Reads one submission from a parsed JSON value.
pub fn read_value(plan: &Plan, origin: Origin, value: &Value) -> Result<Submission, Vec<Rejection>> {
    let model = plan.model();
    let mut errs: Vec<Rejection> = Vec::new();
    let entity_id = value
        .pointer("/entity/id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut fail = |pointer: String, error: AnswerError| {
        errs.push(Rejection {
            origin: origin.clone(),
            entity: entity_id.clone(),
            pointer,
            error,
        })
    };
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
        Some(Value::String(r)) => fail(
            "/rubric".into(),
            AnswerError::WrongRubric {
                found: r.clone(),
                expected: model.id.clone(),
            },
        ),
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
                Some(Value::String(s)) if !s.is_empty() => {}
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
        }
        other => fail("/entity".into(), shape("an object with `id`", other)),
    }
    let given = obj.get("entity").and_then(|e| e.get("profile"));
    missing_fields(model, None, given, "/entity/profile", &mut fail);
    let answers = read_answers(plan, 0, obj.get("answers"), "", &mut fail);
    let instances = match obj.get("instances") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => read_instances(plan, 0, v, "/instances", &mut fail),
    };
    for (k, _) in obj {
        if !matches!(
            k.as_str(),
            "rubric" | "version" | "entity" | "answers" | "instances"
        ) {
            fail(
                format!("/{}", pointer_token(k)),
                AnswerError::UnknownKey { key: k.clone() },
            );
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(Submission {
        origin,
        entity: entity_id.unwrap_or_default(),
        name,
        profile,
        answers,
        instances,
    })
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
                    name: k.clone(),
                    help: crate::diag::did_you_mean(k, names),
                },
            );
            continue;
        };
        let val = match field_value(&def.ty, k, Raw::of(v)) {
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

/// Resolves the value of profile or instance field `name` of type `ty`.
pub(crate) fn field_value(ty: &FieldTy, name: &str, v: Raw<'_>) -> Result<ProfileValue, AnswerError> {
    match (ty, v) {
        (FieldTy::Enum(values), Raw::Str(s)) => match values.iter().position(|x| x == s) {
            Some(i) => Ok(ProfileValue::Enum(i)),
            None => Err(AnswerError::UnknownValue {
                field: name.to_string(),
                value: s.to_string(),
                allowed: values.join(", "),
            }),
        },
        (FieldTy::Number, Raw::Num(Some(d))) => Ok(ProfileValue::Number(d)),
        (FieldTy::Number, Raw::Num(None)) => Err(raw_shape(
            "a number with at most 28 significant digits",
            "a number",
        )),
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
    fail: Fail<'_>,
) {
    for d in model.profile.values().filter(|d| d.owner == owner) {
        if given.and_then(|p| p.get(&d.name)).is_none() {
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
                    fail(ptr(), AnswerError::UnknownCriterion { id: k.clone(), help });
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
fn read_instances(plan: &Plan, scope: NodeIx, v: &Value, prefix: &str, fail: Fail<'_>) -> Vec<InstanceSet> {
    let model = plan.model();
    let Value::Object(map) = v else {
        fail(
            prefix.to_string(),
            shape(
                "an object mapping repeated node ids to lists of instances",
                Some(v),
            ),
        );
        return Vec::new();
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
            missing_fields(model, Some(r), o.get("profile"), &format!("{iptr}/profile"), fail);
            let answers = read_answers(plan, r, o.get("answers"), &iptr, fail);
            let instances = match o.get("instances") {
                None | Some(Value::Null) => Vec::new(),
                Some(v) => read_instances(plan, r, v, &format!("{iptr}/instances"), fail),
            };
            for k in o.keys() {
                if !matches!(k.as_str(), "key" | "profile" | "answers" | "instances") {
                    fail(
                        format!("{iptr}/{}", pointer_token(k)),
                        AnswerError::UnknownKey { key: k.clone() },
                    );
                }
            }
            out.push(Instance {
                key,
                pointer: iptr,
                fields: profile
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((i, v?)))
                    .collect(),
                answers,
                instances,
            });
        }
        sets.push(InstanceSet { node: r, items: out });
    }
    sets.sort_by_key(|s| s.node);
    sets
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
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

/// A JSON number's text (serde_json keeps the digits) as an exact decimal.
fn decimal(s: &str) -> Option<Decimal> {
    Decimal::from_str_exact(s)
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
}

/// An answer value as the reader found it, before it is resolved against
/// its criterion: the exact (`serde_json::Value`) reader and the compiled
/// reader ([`fast`]) both produce one, so that one resolver decides.
pub(crate) enum Raw<'a> {
    /// A string.
    Str(&'a str),
    /// A number, as an exact decimal (`None`: too many digits).
    Num(Option<Decimal>),
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
            Value::Number(n) => Raw::Num(decimal(&n.to_string())),
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
                Err(AnswerError::UnknownOption {
                    id: id.clone(),
                    option: s.to_string(),
                    allowed: ids.join(", "),
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
            let d = d.ok_or_else(|| wrong("a number"))?;
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
        _ => Err(wrong(v.kind())),
    }
}
