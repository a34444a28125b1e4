//! The answers to the editor's requests, from an [`Analysis`].

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use mizan::model::{
    labels_text, Aggregate, AnswerKind, FieldTy, Model, NaPolicy, NodeDef, NodeKind, OptionDef,
};
use serde_json::{json, Value};

use crate::analysis::{Analysis, Kind};
use crate::index::{DefKind, Index, Ns, Occ};

/// `ar "…"`, `en "…"` lines of a label set.
fn labels(out: &mut String, l: &mizan::model::Labels) {
    for (lang, text) in l {
        let _ = writeln!(out, "- {lang}: {text}");
    }
}

/// The labels of value `i` of field `f` after a space (nothing when it has
/// none): ` ar "…" en "…"`.
fn value_labels(f: &mizan::model::FieldDef, i: usize) -> String {
    match f.value_labels.get(i).filter(|l| !l.is_empty()) {
        Some(l) => format!(" {}", labels_text(l)),
        None => String::new(),
    }
}

fn option_line(o: &OptionDef) -> String {
    let w = if o.ignored {
        "ignore".to_string()
    } else {
        o.weight
            .map_or_else(|| "n/a".to_string(), |w| w.normalize().to_string())
    };
    format!("`{}` weight {w} {}", o.id, labels_text(&o.label))
}

/// Best and worst score a node can reach, for criteria answered from
/// options (their highest and lowest weights).
fn best_worst(n: &NodeDef) -> Option<(String, String)> {
    let NodeKind::Criterion(c) = &n.kind else {
        return None;
    };
    let ws: Vec<_> = c.answer.options().iter().filter_map(|o| o.weight).collect();
    let best = ws.iter().max()?;
    Some((
        best.normalize().to_string(),
        c.worst_value().normalize().to_string(),
    ))
}

fn node_hover(m: &Model, n: &NodeDef) -> String {
    let mut s = String::new();
    let what = match &n.kind {
        NodeKind::Group(_) => "group",
        NodeKind::Criterion(_) => "criterion",
    };
    let _ = writeln!(
        s,
        "**{}** `{}` — {what}\n",
        n.level.as_deref().unwrap_or("rubric"),
        n.id
    );
    labels(&mut s, &n.title);
    let _ = writeln!(s, "\nweight {}", n.weight.normalize());
    match &n.kind {
        NodeKind::Group(g) => {
            let agg = match &g.aggregate {
                Aggregate::Builtin(b) => b.name().to_string(),
                Aggregate::Formula(e) => format!("`{}`", e.loc.snippet()),
            };
            let _ = writeln!(s, "\naggregate {agg}");
            let _ = writeln!(s, "\nn/a {}", na(g.na));
        }
        NodeKind::Criterion(c) => {
            let scale = match &c.answer {
                AnswerKind::Choice { scale: Some(sc), .. } | AnswerKind::Multi { scale: Some(sc), .. } => {
                    format!(" (scale `{sc}`)")
                }
                _ => String::new(),
            };
            let _ = writeln!(s, "\nanswer: {}{scale}", c.answer.describe());
            if let Some(p) = n.parent.and_then(|p| m.nodes.get(p)) {
                if let NodeKind::Group(g) = &p.kind {
                    let _ = writeln!(s, "\nn/a {} (of `{}`)", na(g.na), p.id);
                }
            }
            for o in c.answer.options() {
                let _ = writeln!(s, "- {}", option_line(o));
            }
        }
    }
    if let Some((b, w)) = best_worst(n) {
        let _ = writeln!(s, "\nbest {b}, worst {w}");
    }
    if let Some(e) = &n.applies {
        let _ = writeln!(s, "\napplies when `{}`", e.loc.snippet());
    }
    s
}

fn na(p: NaPolicy) -> &'static str {
    match p {
        NaPolicy::Exclude => "exclude",
        NaPolicy::Full => "full",
        NaPolicy::Zero => "zero",
    }
}

/// The options a node answers from (by id).
fn node_options<'a>(m: &'a Model, id: &str) -> &'a [OptionDef] {
    m.by_id
        .get(id)
        .and_then(|&i| m.nodes.get(i))
        .map_or(&[], |n| match &n.kind {
            NodeKind::Criterion(c) => c.answer.options(),
            NodeKind::Group(_) => &[],
        })
}

fn hover_text(a: &Analysis, occ: &Occ) -> Option<String> {
    let m = a.model.as_deref()?;
    let name = occ.name.as_str();
    match occ.ns {
        Ns::Value => {
            let base = if m.by_id.contains_key(name) {
                name
            } else {
                name.split_once('.').map_or(name, |(b, _)| b)
            };
            if let Some(n) = m.by_id.get(name).and_then(|&i| m.nodes.get(i)) {
                return Some(node_hover(m, n));
            }
            if let Some((i, l)) = m.lets.iter().enumerate().find(|(_, l)| l.name == base) {
                let mut s = format!("**let** `{}` = `{}`", l.name, l.expr.loc.snippet());
                // Its value where the checker folds it to a constant.
                match mizan::check::constant_lets(m).get(i).copied().flatten() {
                    Some(mizan::check::Constant::Num(d)) => {
                        let _ = write!(s, "\n\nvalue {}", d.normalize());
                    }
                    Some(mizan::check::Constant::Bool(b)) => {
                        let _ = write!(s, "\n\nvalue {b}");
                    }
                    Some(mizan::check::Constant::Na) => s.push_str("\n\nvalue N/A"),
                    None => {}
                }
                return Some(s);
            }
            if let Some(f) = m.profile.get(base) {
                let mut s = format!("**profile field** `{}`", f.name);
                let _ = match &f.ty {
                    FieldTy::Enum(vs) => write!(s, ": one of {}\n\n", vs.join(", ")),
                    FieldTy::Number => write!(s, ": number\n\n"),
                    FieldTy::Bool => write!(s, ": bool\n\n"),
                };
                labels(&mut s, &f.label);
                // Each value with its labels, when the rubric gives them.
                if let FieldTy::Enum(vs) = &f.ty {
                    for (v, l) in vs.iter().zip(&f.value_labels).filter(|(_, l)| !l.is_empty()) {
                        let _ = write!(s, "\n`{v}` {}", labels_text(l));
                    }
                }
                return Some(s);
            }
            // An option compared with an answer: `answer(c) == yes`.
            let before = a.text.get(..occ.start)?.trim_end();
            if let Some(lhs) = before.strip_suffix("==").or_else(|| before.strip_suffix("!=")) {
                if let Some(id) = lhs
                    .trim_end()
                    .strip_suffix(')')
                    .and_then(|l| l.rsplit("answer(").next())
                {
                    if let Some(o) = node_options(m, id.trim()).iter().find(|o| o.id == name) {
                        return Some(format!("**option** of `{}`\n\n{}", id.trim(), option_line(o)));
                    }
                }
            }
            // A value of a profile field (`role == data_provider`): the
            // field, and the value's labels.
            let values: Vec<String> = m
                .profile
                .values()
                .filter_map(|f| match &f.ty {
                    FieldTy::Enum(vs) => vs.iter().position(|v| v == name).map(|i| (f, i)),
                    _ => None,
                })
                .map(|(f, i)| {
                    format!(
                        "**value** `{name}` of profile field `{}`{}",
                        f.name,
                        value_labels(f, i)
                    )
                })
                .collect();
            if !values.is_empty() {
                return Some(values.join("\n\n"));
            }
            // A formula or function: as declared.
            let def = a.index.def(name, Ns::Value)?;
            let line = a.text.get(def.start..)?.lines().next()?;
            Some(format!("`{}`", line.trim()))
        }
        Ns::Scale => {
            let sc = m.scales.get(name)?;
            let mut s = format!("**scale** `{name}`\n\n");
            labels(&mut s, &sc.label);
            for o in &sc.options {
                let _ = writeln!(s, "- {}", option_line(o));
            }
            let users: Vec<&str> = m
                .criteria()
                .filter(|(_, _, c)| {
                    matches!(&c.answer, AnswerKind::Choice { scale: Some(x), .. } | AnswerKind::Multi { scale: Some(x), .. } if x == name)
                })
                .map(|(_, n, _)| n.id.as_str())
                .collect();
            let _ = write!(s, "\nused by {} criteria: {}", users.len(), users.join(", "));
            Some(s)
        }
        Ns::Band => {
            let bands = m.band_sets.get(name)?;
            let mut s = format!("**bands** `{name}`\n\n");
            for b in bands {
                let _ = writeln!(
                    s,
                    "- `{}` from {} {}",
                    b.id,
                    b.min.normalize(),
                    labels_text(&b.label)
                );
            }
            Some(s)
        }
        Ns::Level => {
            let l = m.levels.iter().find(|l| l.name == name)?;
            let mut s = format!("**level** `{name}`\n\n");
            labels(&mut s, &l.label);
            Some(s)
        }
        Ns::Option => {
            let owner = match &occ.def {
                Some(DefKind::Option(o)) => o.clone(),
                // In a test file: `answer NODE OPTION`, the node just before.
                _ => a
                    .index
                    .occs
                    .iter()
                    .rev()
                    .find(|o| o.end <= occ.start && o.ns == Ns::Value)?
                    .name
                    .clone(),
            };
            let opts = m
                .scales
                .get(&owner)
                .map_or_else(|| node_options(m, &owner), |s| s.options.as_slice());
            let o = opts.iter().find(|o| o.id == name)?;
            Some(format!("**option** of `{owner}`\n\n{}", option_line(o)))
        }
    }
}

/// The JSON string around byte `at` of an answer set: (start, end, text)
/// with the quotes.
fn json_string(text: &str, at: usize) -> Option<(usize, usize, &str)> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let open = line_start + text.get(line_start..at)?.rfind('"')?;
    let close = at + text.get(at..)?.find(['"', '\n'])?;
    let s = text.get(open + 1..close)?;
    Some((open, close + 1, s))
}

/// `textDocument/hover`.
pub fn hover(a: &Analysis, at: usize) -> Value {
    if a.kind == Kind::Answers {
        // An answer set's key: the criterion (or group) it answers.
        let found = json_string(&a.text, at).and_then(|(s, e, id)| {
            let m = a.model.as_deref()?;
            let n = m.by_id.get(id).and_then(|&i| m.nodes.get(i))?;
            Some((s, e, node_hover(m, n)))
        });
        return found.map_or(Value::Null, |(s, e, text)| {
            json!({"contents": {"kind": "markdown", "value": text}, "range": a.line_index().range(s, e)})
        });
    }
    let Some(occ) = a.index.at(at) else {
        return Value::Null;
    };
    let Some(mut text) = hover_text(a, occ) else {
        return Value::Null;
    };
    if a.stale {
        text.push_str("\n\n*(from the last version of this file that checked)*");
    }
    json!({
        "contents": {"kind": "markdown", "value": text},
        "range": a.line_index().range(occ.start, occ.end),
    })
}

/// The declaration of the name under the cursor: (uri, text, occurrence).
fn resolve(a: &Analysis, at: usize) -> Option<(&str, &str, &Occ)> {
    let occ = a.index.at(at)?;
    if occ.def.is_some() {
        return Some((&a.uri, &a.text, occ));
    }
    if let Some(d) = a.index.def(&occ.name, occ.ns) {
        return Some((&a.uri, &a.text, d));
    }
    let r = a.rubric.as_ref()?;
    let ns = occ.ns;
    let d = r.index.def(&occ.name, ns)?;
    Some((&r.uri, &r.text, d))
}

fn location(uri: &str, text: &str, o: &Occ) -> Value {
    json!({"uri": uri, "range": crate::pos::LineIndex::new(text).range(o.start, o.end)})
}

/// `textDocument/definition`.
pub fn definition(a: &Analysis, at: usize) -> Value {
    resolve(a, at).map_or(Value::Null, |(u, t, o)| location(u, t, o))
}

/// The occurrences in `ix` of the declaration `d`.
fn same<'a>(ix: &'a Index, d: &'a Occ) -> impl Iterator<Item = &'a Occ> + 'a {
    ix.occs.iter().filter(move |o| {
        o.ns == d.ns
            && (o.name == d.name
                || (d.ns == Ns::Value
                    && o.name
                        .strip_prefix(d.name.as_str())
                        .is_some_and(|r| r.starts_with('.'))
                    && ix.def(&o.name, Ns::Value).is_some_and(|x| x.name == d.name)))
            && match (&o.def, &d.def) {
                // Options of different scales share ids: only the same owner.
                (Some(DefKind::Option(x)), Some(DefKind::Option(y))) => x == y,
                _ => true,
            }
    })
}

/// Every place (uri, text, start, end) of the name under the cursor, in
/// this document and, for a test file, in the rule file it tests.
fn places(a: &Analysis, at: usize) -> Vec<(String, usize, usize, bool)> {
    let Some((uri, _, d)) = resolve(a, at) else {
        return Vec::new();
    };
    let mut out: Vec<(String, usize, usize, bool)> = same(&a.index, d)
        .map(|o| {
            (
                a.uri.clone(),
                o.start,
                o.end.min(o.start + d.name.len()),
                o.def.is_some(),
            )
        })
        .collect();
    // From a test file to its rule file; from a rule file to its tests.
    let other = a.rubric.as_ref().filter(|r| r.uri == uri);
    let tests = a.tests.as_ref().filter(|_| uri == a.uri && d.ns == Ns::Value);
    for r in other.into_iter().chain(tests) {
        out.extend(same(&r.index, d).map(|o| {
            (
                r.uri.clone(),
                o.start,
                o.end.min(o.start + d.name.len()),
                o.def.is_some(),
            )
        }));
    }
    out
}

fn text_of<'a>(a: &'a Analysis, uri: &str) -> &'a str {
    if uri == a.uri {
        &a.text
    } else {
        a.rubric
            .iter()
            .chain(&a.tests)
            .find(|r| r.uri == uri)
            .map_or("", |r| r.text.as_str())
    }
}

/// `textDocument/references`.
pub fn references(a: &Analysis, at: usize, decl: bool) -> Value {
    let v: Vec<Value> = places(a, at)
        .into_iter()
        .filter(|p| decl || !p.3)
        .map(
            |(u, s, e, _)| json!({"uri": u, "range": crate::pos::LineIndex::new(text_of(a, &u)).range(s, e)}),
        )
        .collect();
    json!(v)
}

fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// `textDocument/rename`: every occurrence of the name, in this document
/// (and the rule file a test file tests).
pub fn rename(a: &Analysis, at: usize, new: &str) -> Result<Value, String> {
    if !is_ident(new) {
        return Err(format!(
            "`{new}` is not a valid name (letters, digits, `_` and `.`)"
        ));
    }
    let ps = places(a, at);
    if ps.is_empty() {
        return Err("there is no name to rename here".into());
    }
    let mut changes = serde_json::Map::new();
    for (u, s, e, _) in ps {
        let range = crate::pos::LineIndex::new(text_of(a, &u)).range(s, e);
        if let Some(arr) = changes.entry(u).or_insert_with(|| json!([])).as_array_mut() {
            arr.push(json!({"range": range, "newText": new}));
        }
    }
    let Some(entry) = renamed_entry(a, at, new) else {
        return Ok(json!({"changes": changes}));
    };
    // A node's id is what answer sets of earlier versions answer: offer
    // `renamed OLD -> NEW` (the editor asks before applying it).
    let mut edits: Vec<Value> = changes
        .remove(&a.uri)
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    edits.push(entry);
    let mut document_changes: Vec<Value> =
        vec![json!({"textDocument": {"uri": a.uri, "version": null}, "edits": edits})];
    for (u, e) in changes {
        document_changes.push(json!({"textDocument": {"uri": u, "version": null}, "edits": e}));
    }
    Ok(json!({
        "documentChanges": document_changes,
        "changeAnnotations": {"renamed": {
            "label": "record the old id",
            "description": "answer sets written for an earlier version still use the old id",
            "needsConfirmation": true,
        }},
    }))
}

/// For a node of a rule file renamed to `new`: the annotated edit that
/// writes `renamed OLD -> NEW` after the rubric's `version` line, unless
/// the file records a rename to the old id already (that entry is renamed).
fn renamed_entry(a: &Analysis, at: usize, new: &str) -> Option<Value> {
    let (uri, _, d) = resolve(a, at)?;
    if uri != a.uri || a.kind != Kind::Rules || !matches!(d.def, Some(DefKind::Node(_))) {
        return None;
    }
    let Some(mizan::ast::Document::Rubric(f)) = &a.doc else {
        return None;
    };
    if f.rubric
        .items
        .iter()
        .any(|i| matches!(i, mizan::ast::Item::Renamed(_, n) if n.node == d.name))
    {
        return None;
    }
    let v = f.rubric.items.iter().find_map(|i| match i {
        mizan::ast::Item::Version(v) => Some(v.loc.span.offset() + v.loc.span.len()),
        _ => None,
    })?;
    let eol = a
        .text
        .get(v..)
        .and_then(|t| t.find('\n'))
        .map_or(a.text.len(), |i| v + i);
    let r = a.line_index().range(eol, eol);
    Some(
        json!({"range": r, "newText": format!("\n  renamed {} -> {new}", d.name), "annotationId": "renamed"}),
    )
}

/// `textDocument/documentSymbol`: the rubric tree as an outline, with
/// scales, band sets, lets and formulas at the top.
pub fn symbols(a: &Analysis) -> Value {
    let ix = a.line_index();
    let mut out: Vec<Value> = Vec::new();
    // Nodes by index of their occurrence, children collected bottom-up.
    let mut kids: std::collections::HashMap<Option<usize>, Vec<usize>> = Default::default();
    for (i, o) in a.index.occs.iter().enumerate() {
        match (&o.def, o.body) {
            (Some(DefKind::Node(_)), Some((_, _, parent))) => kids.entry(parent).or_default().push(i),
            (Some(k), _) => {
                let kind = match k {
                    DefKind::Scale | DefKind::Band => 10,  // Enum
                    DefKind::Let | DefKind::Formula => 14, // Constant
                    DefKind::Function => 12,
                    DefKind::Field => 8,
                    _ => continue,
                };
                let r = ix.range(o.start, o.end);
                out.push(json!({"name": o.name, "kind": kind, "range": r, "selectionRange": r}));
            }
            _ => {}
        }
    }
    fn tree(
        a: &Analysis,
        ix: &crate::pos::LineIndex,
        kids: &std::collections::HashMap<Option<usize>, Vec<usize>>,
        parent: Option<usize>,
    ) -> Vec<Value> {
        kids.get(&parent)
            .into_iter()
            .flatten()
            .filter_map(|&i| {
                let o = a.index.occs.get(i)?;
                let (s, e, _) = o.body?;
                let level = match &o.def {
                    Some(DefKind::Node(l)) => l.clone(),
                    _ => String::new(),
                };
                let title = a
                    .model
                    .as_deref()
                    .and_then(|m| m.by_id.get(&o.name).and_then(|&n| m.nodes.get(n)))
                    .and_then(|n| n.title.get("en").or_else(|| n.title.values().next()).cloned())
                    .unwrap_or_default();
                let children = tree(a, ix, kids, Some(i));
                let kind = if children.is_empty() { 7 } else { 2 }; // Property / Module
                Some(json!({
                    "name": o.name,
                    "detail": format!("{level} {title}").trim().to_string(),
                    "kind": kind,
                    "range": ix.range(s, e),
                    "selectionRange": ix.range(o.start, o.end),
                    "children": children,
                }))
            })
            .collect()
    }
    out.extend(tree(a, &ix, &kids, None));
    json!(out)
}

/// `textDocument/formatting`: `mizan fmt`, as one edit of the whole text
/// (none when the file does not parse or is formatted already).
pub fn formatting(a: &Analysis) -> Value {
    if a.kind == Kind::Answers {
        return json!([]);
    }
    let name = a
        .path
        .as_ref()
        .map_or_else(|| a.uri.clone(), |p| p.display().to_string());
    // A closed cycle's rules (their sha256 in mizan.lock) are left byte for
    // byte as published, as `mizan fmt` leaves them.
    if a.path
        .as_ref()
        .is_some_and(|p| mizan::versions::locked_as_published(p, &a.text))
    {
        return json!([]);
    }
    match mizan::fmt::format(&name, &a.text) {
        Ok(new) if new != a.text => {
            json!([{"range": a.line_index().range(0, a.text.len()), "newText": new}])
        }
        _ => json!([]),
    }
}

/// `textDocument/codeAction`: for each diagnostic with a "did you mean",
/// a quick fix that writes the suggestion in place.
pub fn code_actions(a: &Analysis, p: &Value) -> Value {
    let diags = p.pointer("/context/diagnostics").and_then(Value::as_array);
    let v: Vec<Value> = diags
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let new = d.pointer("/data/replace")?.as_str()?;
            Some(json!({
                "title": format!("replace with `{new}`"),
                "kind": "quickfix",
                "diagnostics": [d],
                "isPreferred": true,
                "edit": {"changes": {a.uri.clone(): [{"range": d.get("range")?, "newText": new}]}},
            }))
        })
        .collect();
    json!(v)
}

const TEST_KEYWORDS: &[&str] = &[
    "case", "answers", "entity", "profile", "answer", "expect", "version",
];

fn item(label: &str, kind: u32, detail: &str) -> Value {
    json!({"label": label, "kind": kind, "detail": detail})
}

/// `textDocument/completion`, from the text before the cursor on its line.
pub fn completion(a: &Analysis, at: usize) -> Value {
    let line_start = a.text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let prefix = a.text.get(line_start..at).unwrap_or("");
    let word_start = prefix
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| i + 1);
    let before = prefix.get(..word_start).unwrap_or("").trim_end();
    let mut out: Vec<Value> = Vec::new();
    let Some(m) = a.model.as_deref() else {
        if before.is_empty() {
            keywords(a, None, &mut out);
        }
        return json!(out);
    };
    let last_word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let test_band = a.kind == Kind::Tests && before.trim_start().starts_with("expect ");
    if test_band && before.ends_with('=') && before.contains(" band") {
        // `expect [NODE] band [SET] = BAND`: the bands of the set named,
        // else of every set.
        let set = before
            .split_whitespace()
            .skip_while(|w| *w != "band")
            .nth(1)
            .filter(|w| *w != "=");
        for (name, bands) in &m.band_sets {
            if set.is_none_or(|s| s == name) {
                for b in bands {
                    out.push(item(
                        &b.id,
                        20,
                        &format!("band of `{name}` from {}", b.min.normalize()),
                    ));
                }
            }
        }
    } else if before.ends_with("==") || before.ends_with("!=") {
        let lhs = before.trim_end_matches(['=', '!']).trim_end();
        if let Some(id) = lhs.strip_suffix(')').and_then(|l| l.rsplit("answer(").next()) {
            for o in node_options(m, id.trim()) {
                out.push(item(&o.id, 20, &option_line(o)));
            }
        } else {
            let field = lhs
                .rsplit(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("");
            if let Some(f) = m.profile.get(field) {
                if let FieldTy::Enum(vs) = &f.ty {
                    for (i, v) in vs.iter().enumerate() {
                        out.push(item(v, 20, &format!("value of `{field}`{}", value_labels(f, i))));
                    }
                }
            }
        }
    } else if matches!(last_word, "choice" | "multi") {
        for (n, s) in &m.scales {
            out.push(item(n, 13, &format!("scale, {} options", s.options.len())));
        }
    } else if last_word == "bands" {
        for n in m.band_sets.keys() {
            out.push(item(n, 13, "bands"));
        }
    } else if a.kind == Kind::Tests
        && before.trim_start().starts_with("answer ")
        && before.split_whitespace().count() == 2
    {
        let id = before.split_whitespace().nth(1).unwrap_or("");
        for o in node_options(m, id) {
            out.push(item(&o.id, 20, &option_line(o)));
        }
    } else if before.is_empty() {
        keywords(a, Some(m), &mut out);
    } else {
        if before.contains("applies when") || before.contains("requires") {
            for f in m.profile.values() {
                out.push(item(&f.name, 5, "profile field"));
            }
        }
        for n in m.nodes.iter().skip(1) {
            let t = n
                .title
                .get("en")
                .or_else(|| n.title.values().next())
                .cloned()
                .unwrap_or_default();
            out.push(item(&n.id, 6, &t));
        }
        for l in &m.lets {
            out.push(item(&l.name, 21, "let"));
        }
        if !before.contains("applies when") {
            for f in m.profile.values() {
                out.push(item(&f.name, 5, "profile field"));
            }
        }
    }
    json!(out)
}

fn keywords(a: &Analysis, m: Option<&Model>, out: &mut Vec<Value>) {
    if a.kind == Kind::Tests {
        for k in TEST_KEYWORDS {
            out.push(item(k, 14, "keyword"));
        }
    } else {
        // The parser's own list of declaration keywords; `applies` is
        // always followed by `when`.
        for &k in mizan::syntax::declaration_keywords() {
            out.push(item(
                if k == "applies" { "applies when" } else { k },
                14,
                "keyword",
            ));
        }
    }
    if a.kind == Kind::Rules {
        let levels = m.map(|m| m.levels.as_slice()).unwrap_or(&[]);
        for l in levels {
            out.push(item(&l.name, 14, "level"));
        }
        if levels.is_empty() {
            // Levels are free: the usual words.
            for w in ["group", "criterion"] {
                out.push(item(w, 14, "level"));
            }
        }
    }
}

/// Diagnostics of an answer set (`*.json` naming a `rubric`): read
/// against the rubric of that id and version found in the rules directory
/// (`rules/` of the workspace, or of a folder above the file).
pub fn answers(a: &mut Analysis, root: Option<&Path>) {
    let Ok(v) = serde_json::from_str::<Value>(&a.text) else {
        return;
    };
    let Some(id) = v.get("rubric").and_then(Value::as_str) else {
        return;
    };
    let version = v.get("version").and_then(Value::as_str);
    let mut dirs: Vec<std::path::PathBuf> = Vec::new();
    if let Some(p) = &a.path {
        dirs.extend(p.ancestors().skip(1).map(|d| d.join("rules")));
    }
    if let Some(r) = root {
        dirs.push(r.join("rules"));
    }
    let Some(rubric) = dirs
        .iter()
        .filter(|d| d.is_dir())
        .find_map(|d| find_rubric(d, id, version))
    else {
        let ix = a.line_index();
        let at = a.text.find(&format!("\"{id}\"")).unwrap_or(0);
        a.diagnostics.push(json!({
            "range": ix.range(at, at + id.len() + 2),
            "severity": 2, "source": "mizan",
            "message": format!("no rule file of rubric `{id}`{} in the rules directory", version.map(|v| format!(" version {v}")).unwrap_or_default()),
        }));
        return;
    };
    a.model = Some(Arc::new(rubric.model().clone()));
    let name = a
        .path
        .as_ref()
        .map_or_else(|| a.uri.clone(), |p| p.display().to_string());
    if let Err(rs) = rubric.evaluate_json(&name, &a.text) {
        let ix = crate::pos::LineIndex::new(&a.text);
        let mut found = Vec::new();
        for r in rs {
            let (s, e) = pointer_span(&a.text, &r.pointer);
            let d: mizan::diag::Diag = Box::new(r);
            let mut lsp = crate::analysis::to_lsp(&d, "", &a.uri, &ix);
            if let Some(o) = lsp.as_object_mut() {
                o.insert("range".into(), ix.range(s, e));
            }
            found.push(lsp);
        }
        a.diagnostics.extend(found);
    }
}

fn find_rubric(dir: &Path, id: &str, version: Option<&str>) -> Option<mizan::Rubric> {
    let mut stack = vec![dir.to_path_buf()];
    let head = format!("rubric {id} ");
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.to_string_lossy();
            if !name.ends_with(".mizan") || name.ends_with(".test.mizan") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            if !text.contains(&head) || version.is_some_and(|v| !text.contains(&format!("version \"{v}\""))) {
                continue;
            }
            if let (Some(r), _) = mizan::load(&p.display().to_string(), &text) {
                return Some(r);
            }
        }
    }
    None
}

/// The span of the value a JSON pointer names, found in the text: each
/// segment's key (or array element) searched after the previous one.
pub fn pointer_span(text: &str, pointer: &str) -> (usize, usize) {
    let mut at = 0usize;
    let mut span = (0, 0);
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let key = format!("\"{seg}\"");
        match text.get(at..).and_then(|t| t.find(&key)) {
            Some(i) => {
                at += i;
                span = (at, at + key.len());
                at += key.len();
            }
            None => break,
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers() {
        let t = r#"{"answers": {"a": "x", "b": "yse"}}"#;
        let (s, e) = pointer_span(t, "/answers/b");
        assert_eq!(t.get(s..e), Some("\"b\""));
    }
}
