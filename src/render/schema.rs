//! A JSON Schema (draft 2020-12) of a rubric's answer sets, built from the
//! checked model: what `answers::read` accepts, as far as a schema can say
//! it, for entity portals and for editors that validate answer files.
//!
//! - `rubric` and `version` are constants; `entity` has `id`, `name` and
//!   the entity's `profile` fields (each required, as the reader requires
//!   them); `answers` maps each criterion of the entity's own scope to its
//!   answer; `instances` maps each repeated node to its list of instances,
//!   recursively. No other key is allowed (the reader rejects them).
//! - A choice is one of its option ids (the N/A option only where N/A is
//!   allowed); a multiple choice a list of distinct option ids (or the N/A
//!   option alone); a number a number within the criterion's bounds, or
//!   one of its codes; yes/no a boolean or `"yes"`/`"no"`; `"na"` where N/A
//!   is allowed.
//! - A criterion is required (and may not be `null`) when a missing answer
//!   rejects the answer set whatever the profile: `missing error`, no
//!   `applies when` or `requires` on it or above it, no `target none`,
//!   and not inside a repeated node whose instances are merged (`best`).
//!
//! What a schema cannot say is left to the reader: numbers that are no
//! exact decimal, repeated keys, constraints, answers that a profile makes
//! not applicable.
//!
//! **Architecture Invariant:** the schema is read from the checked
//! [`Model`] only; no second parser or checker. Keys come out in the
//! model's order, so the output is byte-identical across runs.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use super::Lang;
use crate::model::{AnswerKind, FieldTy, InstanceRule, Labels, MissingPolicy, Model, NodeIx, NodeKind};

/// The JSON Schema dialect written.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The JSON Schema of `model`'s answer sets, with titles in `lang` (and
/// every label language under `x-title-TAG`).
pub fn answer_schema(model: &Model, lang: Lang) -> Value {
    let mut s = Map::new();
    s.insert("$schema".into(), DIALECT.into());
    s.insert(
        "$id".into(),
        format!("urn:mizan:answers:{}:{}", model.id, model.version).into(),
    );
    labelled(&mut s, lang, &model.title, &model.description);
    s.insert("type".into(), "object".into());
    let mut props = Map::new();
    props.insert("rubric".into(), json!({"const": model.id}));
    props.insert("version".into(), version(&model.version));
    props.insert("entity".into(), entity(model, lang));
    props.insert("answers".into(), answers(model, lang, 0));
    let mut required = vec!["rubric", "version", "entity", "answers"];
    if let Some((inst, needed)) = instances(model, lang, 0) {
        props.insert("instances".into(), inst);
        if needed {
            required.push("instances");
        }
    }
    s.insert("properties".into(), Value::Object(props));
    s.insert("required".into(), json!(required));
    s.insert("additionalProperties".into(), false.into());
    Value::Object(s)
}

/// `title` and `description` in `lang`, and each label by language.
fn labelled(s: &mut Map<String, Value>, lang: Lang, title: &Labels, description: &Labels) {
    if let Some(t) = lang.pick(title) {
        s.insert("title".into(), t.into());
    }
    if let Some(d) = lang.pick(description) {
        s.insert("description".into(), d.into());
    }
    for (tag, t) in title {
        s.insert(format!("x-title-{tag}"), t.as_str().into());
    }
    for (tag, d) in description {
        s.insert(format!("x-description-{tag}"), d.as_str().into());
    }
}

/// The version: its string, or the number written the same way (the reader
/// reads a number as its text).
fn version(v: &str) -> Value {
    match v.parse::<serde_json::Number>() {
        Ok(n) if n.to_string() == v => json!({"enum": [v, n]}),
        _ => json!({"const": v}),
    }
}

/// A decimal as a JSON number, exactly as written (normalised).
fn number(d: Decimal) -> Value {
    d.normalize()
        .to_string()
        .parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

/// The schema of the profile fields of `owner` (`None`: the entity), and
/// the names of those required (all but those in `filled`).
fn fields(model: &Model, lang: Lang, owner: Option<NodeIx>, filled: &[String]) -> (Value, Vec<String>) {
    let mut props = Map::new();
    let mut required = Vec::new();
    for d in model.profile.values().filter(|d| d.owner == owner) {
        let mut f = Map::new();
        labelled(&mut f, lang, &d.label, &Labels::new());
        match &d.ty {
            FieldTy::Enum(values) => {
                f.insert("enum".into(), json!(values));
                let titles: Vec<&str> = (0..values.len())
                    .map(|i| super::value_label(lang, d, i))
                    .collect();
                f.insert("x-enum-titles".into(), json!(titles));
            }
            FieldTy::Number => {
                f.insert("type".into(), "number".into());
            }
            FieldTy::Bool => {
                f.insert("type".into(), "boolean".into());
            }
        }
        props.insert(d.name.clone(), Value::Object(f));
        if !filled.contains(&d.name) {
            required.push(d.name.clone());
        }
    }
    let schema = json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    });
    (schema, required)
}

/// The `entity` object.
fn entity(model: &Model, lang: Lang) -> Value {
    let (profile, required) = fields(model, lang, None, &[]);
    let profile = if required.is_empty() {
        json!({"anyOf": [profile, {"type": "null"}]})
    } else {
        profile
    };
    let mut req = vec!["id"];
    if !required.is_empty() {
        req.push("profile");
    }
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "name": {"type": ["string", "null"]},
            "profile": profile,
        },
        "required": req,
        "additionalProperties": false,
    })
}

/// Whether a missing answer to criterion `ix` rejects every answer set.
fn required(model: &Model, ix: NodeIx) -> bool {
    let Some(node) = model.nodes.get(ix) else {
        return false;
    };
    if node.missing != MissingPolicy::Error {
        return false;
    }
    if let NodeKind::Criterion(c) = &node.kind {
        if matches!(c.target, Some(None)) {
            return false;
        }
    }
    let mut at = Some(ix);
    while let Some(i) = at {
        let Some(n) = model.nodes.get(i) else { break };
        if n.applies.is_some() || n.requires.is_some() {
            return false;
        }
        if let Some(rep) = &n.repeat {
            if rep.rule != InstanceRule::Mean || rep.switch.is_some() {
                return false;
            }
        }
        at = n.parent;
    }
    true
}

/// The `answers` object of scope `scope` (0: the entity).
fn answers(model: &Model, lang: Lang, scope: NodeIx) -> Value {
    let mut props = Map::new();
    let mut req = Vec::new();
    for (ix, node) in model.nodes.iter().enumerate() {
        let NodeKind::Criterion(c) = &node.kind else {
            continue;
        };
        if node.scope != scope {
            continue;
        }
        let must = required(model, ix);
        let mut s = Map::new();
        labelled(&mut s, lang, &node.title, &node.description);
        let mut any = answer(&c.answer, c.na_allowed, lang);
        if !must {
            any.push(json!({"type": "null"}));
        }
        match any.len() {
            1 => {
                if let Some(Value::Object(one)) = any.pop() {
                    s.extend(one);
                }
            }
            _ => {
                s.insert("anyOf".into(), Value::Array(any));
            }
        }
        props.insert(node.id.clone(), Value::Object(s));
        if must {
            req.push(node.id.clone());
        }
    }
    json!({
        "type": "object",
        "properties": props,
        "required": req,
        "additionalProperties": false,
    })
}

/// The schemas one of which an answer of `kind` meets.
fn answer(kind: &AnswerKind, na_allowed: bool, lang: Lang) -> Vec<Value> {
    let na = if na_allowed { Some("na") } else { None };
    match kind {
        AnswerKind::Choice { options, .. } => {
            let chosen: Vec<_> = options.iter().filter(|o| !o.is_na() || na_allowed).collect();
            let titles: Vec<&str> = chosen
                .iter()
                .map(|o| lang.pick(&o.label).unwrap_or(&o.id))
                .collect();
            let ids: Vec<&str> = chosen.iter().map(|o| o.id.as_str()).collect();
            vec![json!({"type": "string", "enum": ids, "x-enum-titles": titles})]
        }
        AnswerKind::Multi { options, .. } => {
            let real: Vec<_> = options.iter().filter(|o| !o.is_na()).collect();
            let ids: Vec<&str> = real.iter().map(|o| o.id.as_str()).collect();
            let titles: Vec<&str> = real
                .iter()
                .map(|o| lang.pick(&o.label).unwrap_or(&o.id))
                .collect();
            let mut out = vec![json!({
                "type": "array",
                "items": {"type": "string", "enum": ids, "x-enum-titles": titles},
                "uniqueItems": true,
            })];
            if na_allowed {
                for o in options.iter().filter(|o| o.is_na()) {
                    out.push(json!({"const": o.id}));
                    out.push(json!({"const": [o.id]}));
                }
            }
            out
        }
        AnswerKind::Number { min, max, codes, .. } => {
            let mut n = Map::new();
            n.insert("type".into(), "number".into());
            if let Some(m) = min {
                n.insert("minimum".into(), number(*m));
            }
            if let Some(m) = max {
                n.insert("maximum".into(), number(*m));
            }
            let mut out = vec![Value::Object(n)];
            let mut words: Vec<&str> = na.into_iter().collect();
            let mut titles: Vec<&str> = na
                .map(|_| lang.t("not applicable", "لا ينطبق"))
                .into_iter()
                .collect();
            for c in codes {
                if !words.contains(&c.id.as_str()) {
                    words.push(&c.id);
                    titles.push(lang.pick(&c.label).unwrap_or(&c.id));
                }
            }
            if !words.is_empty() {
                out.push(json!({"type": "string", "enum": words, "x-enum-titles": titles}));
            }
            out
        }
        AnswerKind::YesNo => {
            let mut words = vec!["yes", "no"];
            words.extend(na);
            vec![
                json!({"type": "boolean"}),
                json!({"type": "string", "enum": words}),
            ]
        }
    }
}

/// The `instances` object of scope `scope`, and whether it is required (a
/// repeated node in it declares `keys`); `None` when no repeated node is
/// answered there.
fn instances(model: &Model, lang: Lang, scope: NodeIx) -> Option<(Value, bool)> {
    let nested: Vec<NodeIx> = model.repeated_in(scope).collect();
    if nested.is_empty() {
        return None;
    }
    let mut props = Map::new();
    let mut req = Vec::new();
    for r in nested {
        let Some(node) = model.nodes.get(r) else { continue };
        let keys = node.repeat.as_ref().and_then(|p| p.keys.as_ref());
        // Fields the `keys` list gives every instance need not be given.
        let filled: Vec<String> = match keys {
            Some(k) => model
                .profile
                .iter()
                .enumerate()
                .filter(|(fi, _)| {
                    !k.fields.is_empty() && k.fields.iter().all(|f| f.iter().any(|(i, _)| i == fi))
                })
                .map(|(_, (name, _))| name.clone())
                .collect(),
            None => Vec::new(),
        };
        let (profile, fields_required) = fields(model, lang, Some(r), &filled);
        let key = match keys {
            Some(k) => json!({"enum": k.ids}),
            None => json!({"type": ["string", "number", "null"]}),
        };
        let mut item_props = Map::new();
        item_props.insert("key".into(), key);
        item_props.insert(
            "profile".into(),
            if fields_required.is_empty() {
                json!({"anyOf": [profile, {"type": "null"}]})
            } else {
                profile
            },
        );
        item_props.insert("answers".into(), answers(model, lang, r));
        let mut item_req: Vec<&str> = Vec::new();
        if keys.is_some() {
            item_req.push("key");
        }
        if !fields_required.is_empty() {
            item_req.push("profile");
        }
        if let Some((inner, needed)) = instances(model, lang, r) {
            item_props.insert("instances".into(), inner);
            if needed {
                item_req.push("instances");
            }
        }
        let item = json!({
            "type": "object",
            "properties": item_props,
            "required": item_req,
            "additionalProperties": false,
        });
        let mut list = Map::new();
        labelled(&mut list, lang, &node.title, &node.description);
        list.insert("type".into(), "array".into());
        list.insert("items".into(), item);
        if let Some(k) = keys {
            // Each id of the list exactly once.
            list.insert("minItems".into(), k.ids.len().into());
            list.insert("maxItems".into(), k.ids.len().into());
            let each: Vec<Value> = k
                .ids
                .iter()
                .map(|id| json!({"contains": {"properties": {"key": {"const": id}}, "required": ["key"]}}))
                .collect();
            list.insert("allOf".into(), Value::Array(each));
            req.push(node.id.clone());
        }
        props.insert(node.id.clone(), Value::Object(list));
    }
    let needed = !req.is_empty();
    let mut obj = json!({
        "type": "object",
        "properties": props,
        "required": req,
        "additionalProperties": false,
    });
    if !needed {
        obj = json!({"anyOf": [obj, {"type": "null"}]});
    }
    Some((obj, needed))
}
