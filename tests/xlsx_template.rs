//! `mizan template RULES --format xlsx`: the questionnaire is filled
//! programmatically (read back with calamine, every cell copied into a new
//! workbook with the answers of an example answer set written as the
//! drop-down labels), imported with the mapping of `--mapping-out`, and the
//! answer set that comes out is exactly the one filled.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use std::io::Read;
use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use mizan::model::{AnswerKind, NodeKind};
use mizan::render::xlsx_template;
use mizan::render::Lang;
use serde_json::Value;

mod support;

const CASES: [(&str, &str); 2] = [
    (
        "rules/uae/integration/2018.mizan",
        "examples/uae-integration-2018/mofaic.json",
    ),
    (
        "examples/demo/digital-readiness.mizan",
        "examples/demo/answers/moi.json",
    ),
];

fn range(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn text(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        None | Some(Data::Empty) => String::new(),
        Some(other) => panic!("expected text at {row},{col}: {other:?}"),
    }
}

/// The cell text a person picks for `answer` to criterion `id`.
fn cell_for(model: &mizan::model::Model, id: &str, answer: &Value, lang: Lang) -> Value {
    let node = model.nodes.iter().find(|n| n.id == id).unwrap();
    let NodeKind::Criterion(c) = &node.kind else {
        panic!("{id}")
    };
    let label = |o: &str| {
        let opt = c.answer.options().iter().find(|x| x.id == o).unwrap();
        lang.pick(&opt.label).unwrap_or(&opt.id).to_string()
    };
    let na = lang.t("N/A", "لا ينطبق");
    match (&c.answer, answer) {
        (AnswerKind::Choice { .. }, Value::String(o)) => Value::from(label(o)),
        (AnswerKind::Multi { .. }, Value::Array(os)) => Value::from(
            os.iter()
                .map(|o| label(o.as_str().unwrap()))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (AnswerKind::YesNo, Value::Bool(b)) => Value::from(if *b {
            lang.t("Yes", "نعم")
        } else {
            lang.t("No", "لا")
        }),
        (_, Value::String(s)) if s == "na" => Value::from(na),
        (AnswerKind::Number { .. }, Value::Number(n)) => Value::Number(n.clone()),
        other => panic!("{id}: {other:?}"),
    }
}

fn zip_entry(path: &Path, name: &str) -> String {
    let f = std::fs::File::open(path).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn filled_questionnaire_imports_as_the_answers_filled() {
    let dir = tempfile::tempdir().unwrap();
    for (rules, example) in CASES {
        let rubric = support::load_clean(rules);
        let model = rubric.model();
        let want: Value = serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
        for lang in [Lang::En, Lang::Ar] {
            let tag = lang.tag();
            let q = dir.path().join(format!("q-{tag}.xlsx"));
            let m = dir.path().join(format!("q-{tag}.import.toml"));
            let (qs, ms) = (q.display().to_string(), m.display().to_string());
            let o = support::mizan(&[
                "template",
                rules,
                "--format",
                "xlsx",
                "--lang",
                tag,
                "-o",
                &qs,
                "--mapping-out",
                &ms,
            ]);
            assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));

            let [entity_sheet, q_sheet, options_sheet] = xlsx_template::sheet_names(lang);
            let es = range(&q, entity_sheet);
            let qr = range(&q, q_sheet);
            let os = range(&q, options_sheet);

            // A field of listed values: its drop-down is a row of the
            // Options sheet with each value's label (the demo labels its
            // roles; UAE 2018 lists bare ids).
            for f in xlsx_template::entity_fields(model) {
                let FieldTy::Enum(values) = &f.ty else { continue };
                let want: Vec<String> = (0..values.len())
                    .map(|i| mizan::render::value_label(lang, f, i).to_string())
                    .collect();
                let rows: Vec<Vec<String>> = (0..os.end().map_or(0, |e| e.0 + 1))
                    .map(|r| (0..want.len() as u32).map(|c| text(&os, r, c)).collect())
                    .collect();
                assert!(rows.contains(&want), "{want:?} not in the Options sheet");
                let first = if rules.contains("digital-readiness") {
                    lang.t("Data provider", "جهة موفرة للبيانات")
                } else {
                    "data_provider"
                };
                assert_eq!(want[0], first);
            }

            // The template: hidden id columns, a drop-down per choice,
            // right to left in Arabic.
            let xml = zip_entry(&q, "xl/worksheets/sheet2.xml");
            assert!(xml.contains("hidden=\"1\""), "{xml}");
            assert!(xml.contains("<dataValidation type=\"list\""));
            assert_eq!(xml.contains("rightToLeft=\"1\""), lang == Lang::Ar);
            assert!(zip_entry(&q, "xl/workbook.xml").contains("state=\"hidden\""));

            // Fill a copy.
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ews = wb.add_worksheet();
            ews.set_name(entity_sheet).unwrap();
            let eh: Vec<String> = (0..es.width() as u32).map(|c| text(&es, 0, c)).collect();
            assert_eq!(eh, xlsx_template::entity_headers(model, lang));
            for (c, h) in eh.iter().enumerate() {
                ews.write_string(0, c as u16, h).unwrap();
            }
            let entity = &want["entity"];
            let id = entity["id"].as_str().unwrap();
            ews.write_string(1, 0, id).unwrap();
            ews.write_string(1, 1, entity["name"].as_str().unwrap()).unwrap();
            for (f, c) in xlsx_template::entity_fields(model).zip(2u16..) {
                field_cell(ews, 1, c, f, &entity["profile"][&f.name], lang);
            }
            let qws = wb.add_worksheet();
            qws.set_name(q_sheet).unwrap();
            for c in 0..qr.width() as u16 {
                qws.write_string(0, c, text(&qr, 0, c as u32)).unwrap();
            }
            let mut asked = 0;
            for row in 1..qr.height() as u32 {
                asked += 1;
                let crit = text(&qr, row, 1);
                qws.write_string(row, 0, id).unwrap();
                for c in 1..xlsx_template::ANSWER {
                    qws.write_string(row, c, text(&qr, row, c as u32)).unwrap();
                }
                let Some(answer) = want["answers"].get(&crit) else {
                    continue;
                };
                match cell_for(model, &crit, answer, lang) {
                    Value::String(s) => {
                        // A drop-down's text is one of its items.
                        let items: Vec<String> = (0..os.width() as u32).map(|c| text(&os, row, c)).collect();
                        if !items.iter().all(String::is_empty) {
                            assert!(items.contains(&s), "{crit}: {s} not in {items:?}");
                        }
                        qws.write_string(row, xlsx_template::ANSWER, s).unwrap();
                    }
                    Value::Number(n) => {
                        qws.write_number(row, xlsx_template::ANSWER, n.as_f64().unwrap())
                            .unwrap();
                    }
                    other => panic!("{other:?}"),
                };
            }
            assert_eq!(asked, xlsx_template::criteria(model).len());
            let filled = dir.path().join(format!("filled-{tag}.xlsx"));
            wb.save(&filled).unwrap();

            // Import it: the answer set filled.
            let o = support::mizan(&["import", rules, &ms, &filled.display().to_string()]);
            assert_eq!(o.status.code(), Some(0), "{tag} {rules}: {}", support::stderr(&o));
            let got: Value = serde_json::from_str(support::stdout(&o).trim()).unwrap();
            assert_eq!(got["rubric"], want["rubric"]);
            assert_eq!(got["entity"]["id"], want["entity"]["id"]);
            assert_eq!(got["entity"]["name"], want["entity"]["name"]);
            assert_eq!(
                got["entity"]["profile"], want["entity"]["profile"],
                "{tag} {rules}"
            );
            assert_eq!(got["answers"], want["answers"], "{tag} {rules}");
        }
    }
}

#[test]
fn template_needs_xlsx_and_output() {
    let r = CASES[0].0;
    let o = support::mizan(&["template", r, "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(64));
    let o = support::mizan(&["template", r, "--format", "xlsx"]);
    assert_eq!(o.status.code(), Some(64));
}

#[test]
fn template_is_deterministic() {
    for rules in [CASES[1].0, "rules/eu/egovernment-benchmark/2023.mizan"] {
        deterministic(rules);
    }
}

fn deterministic(rules: &str) {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let p = dir.path().join(name);
        let o = support::mizan(&[
            "template",
            rules,
            "--format",
            "xlsx",
            "-o",
            &p.display().to_string(),
        ]);
        assert_eq!(o.status.code(), Some(0));
        std::fs::read(p).unwrap()
    };
    assert!(run("a.xlsx") == run("b.xlsx"));
}

// ---------------------------------------------------------------------------
// Every shipped rubric, repeated nodes included: a synthetic answer set
// (every kind of cell, N/A where allowed, blanks, several instances per
// repeated level) is written into the template as a person would, and
// `mizan import` gives it back exactly.

use mizan::model::{Criterion, FieldDef, FieldTy, Model, NodeDef};
use serde_json::Map;

/// The shipped rubrics: every `.mizan` under rules/ and examples/ but the
/// test files and the invalid examples.
fn shipped() -> Vec<String> {
    let mut files = Vec::new();
    support::files_under(Path::new("rules"), &["mizan"], &mut files);
    support::files_under(Path::new("examples"), &["mizan"], &mut files);
    let mut out: Vec<String> = files
        .iter()
        .map(|p| p.display().to_string())
        .filter(|p| !p.ends_with(".test.mizan") && !p.contains("invalid"))
        .collect();
    out.sort();
    out
}

/// Loads a shipped rubric (warnings allowed: a KPI with no target yet).
fn load(path: &str) -> mizan::Rubric {
    let text = std::fs::read_to_string(path).unwrap();
    let (r, d) = mizan::load(path, &text);
    assert!(d.errors.is_empty(), "{path}: {d:?}");
    r.unwrap()
}

/// Makes up answers, turn by turn, so that every option, N/A and blank
/// cells all occur.
struct Synth {
    turn: usize,
}

impl Synth {
    fn next(&mut self) -> usize {
        self.turn += 1;
        self.turn
    }

    fn answer(&mut self, c: &Criterion) -> Option<Value> {
        let i = self.next();
        if i % 7 == 6 {
            return None;
        }
        Some(match &c.answer {
            AnswerKind::Choice { options, .. } => {
                let ok: Vec<_> = options.iter().filter(|o| c.na_allowed || !o.is_na()).collect();
                Value::from(ok[i % ok.len()].id.clone())
            }
            AnswerKind::Multi { options, .. } => {
                let ok: Vec<_> = options.iter().filter(|o| !o.is_na()).collect();
                let mut picked = vec![i % ok.len()];
                if ok.len() > 1 && i % 2 == 0 {
                    picked.push((i + 1) % ok.len());
                }
                picked.sort_unstable();
                Value::Array(
                    picked
                        .into_iter()
                        .map(|k| Value::from(ok[k].id.clone()))
                        .collect(),
                )
            }
            _ if c.na_allowed && i % 5 == 4 => Value::from("na"),
            AnswerKind::YesNo => Value::Bool(i % 2 == 0),
            AnswerKind::Number { min, max, .. } => {
                let lo = min.unwrap_or_default();
                let hi = max.unwrap_or(lo + rust_decimal::Decimal::from(100));
                let d = match i % 3 {
                    0 => lo,
                    1 => hi,
                    _ => ((lo + hi) / rust_decimal::Decimal::from(2)).round_dp(2),
                };
                serde_json::from_str(&d.normalize().to_string()).unwrap()
            }
        })
    }

    fn field(&mut self, f: &FieldDef) -> Value {
        let i = self.next();
        match &f.ty {
            FieldTy::Enum(values) => Value::from(values[i % values.len()].clone()),
            FieldTy::Bool => Value::Bool(i % 2 == 1),
            FieldTy::Number => Value::from(2020 + i % 3),
        }
    }

    /// The answers and nested instances of scope `scope` (0: the entity).
    fn scope(&mut self, model: &Model, scope: usize, out: &mut Map<String, Value>) {
        let mut answers = Map::new();
        for n in model.nodes.iter().filter(|n| n.scope == scope) {
            if let NodeKind::Criterion(c) = &n.kind {
                if let Some(v) = self.answer(c) {
                    answers.insert(n.id.clone(), v);
                }
            }
        }
        out.insert("answers".into(), Value::Object(answers));
        let mut instances = Map::new();
        for (ix, n) in model.nodes.iter().enumerate() {
            let inside = n
                .parent
                .and_then(|p| model.nodes.get(p))
                .is_some_and(|p| p.scope == scope);
            if n.repeat.is_none() || !inside {
                continue;
            }
            let mut list = Vec::new();
            let listed = n.repeat.as_ref().and_then(|r| r.keys.as_ref());
            let keys: Vec<String> = match listed {
                Some(k) => k.ids.clone(),
                None => (1..=(2 + ix % 2)).map(|k| format!("{} {k}", n.id)).collect(),
            };
            for key in keys {
                let mut inst = Map::new();
                inst.insert("key".into(), Value::from(key));
                // The list gives its instances' fields.
                let fields: Vec<&FieldDef> = model
                    .profile
                    .values()
                    .filter(|f| f.owner == Some(ix) && listed.is_none())
                    .collect();
                if !fields.is_empty() {
                    let profile = fields.iter().map(|f| (f.name.clone(), self.field(f))).collect();
                    inst.insert("profile".into(), Value::Object(profile));
                }
                self.scope(model, ix, &mut inst);
                list.push(Value::Object(inst));
            }
            instances.insert(n.id.clone(), Value::Array(list));
        }
        if !instances.is_empty() {
            out.insert("instances".into(), Value::Object(instances));
        }
    }
}

/// A made-up answer set of `model`.
fn synthetic(model: &Model) -> Value {
    let mut s = Synth { turn: 0 };
    let profile: Map<String, Value> = xlsx_template::entity_fields(model)
        .map(|f| (f.name.clone(), s.field(f)))
        .collect();
    let mut set = Map::new();
    set.insert("rubric".into(), Value::from(model.id.clone()));
    set.insert(
        "entity".into(),
        serde_json::json!({"id": "E-1", "name": "Entity one", "profile": profile}),
    );
    s.scope(model, 0, &mut set);
    Value::Object(set)
}

/// The cell text of value `v` of profile field `f`: what its drop-down
/// offers (a listed value's label in `lang`, else its id).
fn field_cell(ws: &mut rust_xlsxwriter::Worksheet, row: u32, col: u16, f: &FieldDef, v: &Value, lang: Lang) {
    match v {
        Value::String(s) => {
            let FieldTy::Enum(values) = &f.ty else {
                panic!("{} is not a field of listed values", f.name)
            };
            let i = values.iter().position(|x| x == s).unwrap();
            ws.write_string(row, col, mizan::render::value_label(lang, f, i))
                .unwrap()
        }
        Value::Bool(b) => ws
            .write_string(
                row,
                col,
                if *b {
                    lang.t("Yes", "نعم")
                } else {
                    lang.t("No", "لا")
                },
            )
            .unwrap(),
        Value::Number(n) => ws.write_number(row, col, n.as_f64().unwrap()).unwrap(),
        Value::Null => ws,
        other => panic!("{other:?}"),
    };
}

/// Writes the answer cell of criterion `id`.
fn answer_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    model: &Model,
    id: &str,
    v: &Value,
    lang: Lang,
) {
    match cell_for(model, id, v, lang) {
        Value::String(s) => ws.write_string(row, col, s).unwrap(),
        Value::Number(n) => ws.write_number(row, col, n.as_f64().unwrap()).unwrap(),
        other => panic!("{other:?}"),
    };
}

/// The instances along `path` under `v`, with the keys leading to each.
fn walk<'v>(v: &'v Value, path: &[&NodeDef], keys: Vec<String>, out: &mut Vec<(Vec<String>, &'v Value)>) {
    let Some((first, rest)) = path.split_first() else {
        out.push((keys, v));
        return;
    };
    for inst in v["instances"][&first.id].as_array().into_iter().flatten() {
        let mut k = keys.clone();
        k.push(inst["key"].as_str().unwrap().to_string());
        walk(inst, rest, k, out);
    }
}

/// `template` filled with `want`, saved as `filled`.
fn fill(model: &Model, template: &Path, want: &Value, lang: Lang, filled: &Path) {
    let [entity_sheet, q_sheet, _] = xlsx_template::sheet_names(lang);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let id = want["entity"]["id"].as_str().unwrap();

    let es = range(template, entity_sheet);
    let ews = wb.add_worksheet();
    ews.set_name(entity_sheet).unwrap();
    for c in 0..es.width() as u16 {
        ews.write_string(0, c, text(&es, 0, c as u32)).unwrap();
    }
    ews.write_string(1, 0, id).unwrap();
    ews.write_string(1, 1, want["entity"]["name"].as_str().unwrap())
        .unwrap();
    for (f, c) in xlsx_template::entity_fields(model).zip(2u16..) {
        field_cell(ews, 1, c, f, &want["entity"]["profile"][&f.name], lang);
    }

    let qr = range(template, q_sheet);
    let qws = wb.add_worksheet();
    qws.set_name(q_sheet).unwrap();
    for c in 0..qr.width() as u16 {
        qws.write_string(0, c, text(&qr, 0, c as u32)).unwrap();
    }
    for row in 1..qr.height() as u32 {
        let crit = text(&qr, row, 1);
        qws.write_string(row, 0, id).unwrap();
        qws.write_string(row, 1, &crit).unwrap();
        if let Some(v) = want["answers"].get(&crit) {
            answer_cell(qws, row, xlsx_template::ANSWER, model, &crit, v, lang);
        }
    }

    for sh in xlsx_template::instance_sheets(model, lang) {
        let r = range(template, &sh.name);
        let ids: Vec<String> = (0..r.width() as u32)
            .map(|c| text(&r, xlsx_template::ID_ROW, c))
            .collect();
        assert_eq!(ids, sh.ids(), "{}", sh.name);
        let heads: Vec<String> = (0..r.width() as u32).map(|c| text(&r, 1, c)).collect();
        assert_eq!(heads, sh.headers(lang), "{}", sh.name);
        assert!(!text(&r, 0, 1).is_empty(), "the note");
        let ws = wb.add_worksheet();
        ws.set_name(&sh.name).unwrap();
        for row in 0..=xlsx_template::ID_ROW {
            for c in 0..r.width() as u16 {
                ws.write_string(row, c, text(&r, row, c as u32)).unwrap();
            }
        }
        let mut rows = Vec::new();
        walk(want, &sh.path, Vec::new(), &mut rows);
        assert!(rows.len() >= 2, "{}: several instances", sh.name);
        for ((keys, inst), row) in rows.into_iter().zip(xlsx_template::ID_ROW + 1..) {
            ws.write_string(row, 0, id).unwrap();
            for (k, c) in keys.iter().zip(1u16..) {
                ws.write_string(row, c, k).unwrap();
            }
            let mut c = 1 + sh.path.len() as u16;
            for f in &sh.fields {
                field_cell(ws, row, c, f, &inst["profile"][&f.name], lang);
                c += 1;
            }
            for (n, _) in &sh.criteria {
                if let Some(v) = inst["answers"].get(&n.id) {
                    answer_cell(ws, row, c, model, &n.id, v, lang);
                }
                c += 1;
            }
        }
    }
    wb.save(filled).unwrap();
}

fn template(rules: &str, lang: Lang, dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let tag = lang.tag();
    let stem = rules.replace('/', "_");
    let q = dir.join(format!("{stem}-{tag}.xlsx"));
    let m = dir.join(format!("{stem}-{tag}.import.toml"));
    let o = support::mizan(&[
        "template",
        rules,
        "--format",
        "xlsx",
        "--lang",
        tag,
        "-o",
        &q.display().to_string(),
        "--mapping-out",
        &m.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{rules}: {}", support::stderr(&o));
    (q, m)
}

#[test]
fn every_shipped_rubric_round_trips_with_its_instances() {
    let dir = tempfile::tempdir().unwrap();
    let all = shipped();
    for must in [
        "rules/eu/egovernment-benchmark/2023.mizan",
        "examples/instances/services.mizan",
        "examples/open-data-2026/open-data.mizan",
    ] {
        assert!(all.iter().any(|r| r == must), "{must} in {all:?}");
    }
    let mut seen = std::collections::BTreeMap::new();
    for rules in all.iter().chain(&["tests/keys/keys.mizan".to_string()]) {
        let rubric = load(rules);
        let model = rubric.model();
        let want = synthetic(model);
        for lang in [Lang::En, Lang::Ar] {
            let tag = lang.tag();
            let (q, m) = template(rules, lang, dir.path());
            let filled = dir
                .path()
                .join(format!("{}-{tag}-filled.xlsx", rules.replace('/', "_")));
            fill(model, &q, &want, lang, &filled);
            let o = support::mizan(&[
                "import",
                rules,
                &m.display().to_string(),
                &filled.display().to_string(),
            ]);
            assert_eq!(o.status.code(), Some(0), "{tag} {rules}: {}", support::stderr(&o));
            let got: Value = serde_json::from_str(support::stdout(&o).trim()).unwrap();
            assert_eq!(got["entity"]["id"], want["entity"]["id"]);
            assert_eq!(got["entity"]["name"], want["entity"]["name"]);
            assert_eq!(
                got["entity"]["profile"], want["entity"]["profile"],
                "{tag} {rules}"
            );
            assert_eq!(got["answers"], want["answers"], "{tag} {rules}");
            assert_eq!(got.get("instances"), want.get("instances"), "{tag} {rules}");
        }
        let text = want.to_string();
        if model.nodes.iter().any(|n| n.repeat.is_some()) {
            assert!(want["instances"].is_object(), "{rules}");
        }
        for (kind, needle) in [("na", "\"na\""), ("number", ":1"), ("yes/no", ":true")] {
            if text.contains(needle) {
                *seen.entry(kind).or_insert(0) += 1;
            }
        }
        eprintln!("{rules}: {text:.300}");
    }
    eprintln!("{seen:?}");
}

#[test]
fn repeated_nodes_have_their_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let rules = "rules/eu/egovernment-benchmark/2023.mizan";
    let rubric = support::load_clean(rules);
    let model = rubric.model();
    for lang in [Lang::En, Lang::Ar] {
        let sheets = xlsx_template::instance_sheets(model, lang);
        let ids: Vec<&str> = sheets.iter().map(|s| s.node().unwrap().id.as_str()).collect();
        assert_eq!(ids, ["le", "svc", "url", "cb", "cburl", "portal", "cbportal"]);
        let n: usize = sheets.iter().map(|s| s.criteria.len()).sum();
        let all = model
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Criterion(_)))
            .count();
        assert_eq!(
            n + xlsx_template::criteria(model).len(),
            all,
            "every criterion is asked once"
        );
        let (q, m) = template(rules, lang, dir.path());
        // The url sheet: keys of le, svc and url, a drop-down per
        // question, the id row hidden, right to left in Arabic.
        let xml = zip_entry(&q, "xl/worksheets/sheet5.xml");
        assert!(xml.contains("<dataValidation type=\"list\""), "{xml:.2000}");
        assert!(xml.contains("hidden=\"1\""));
        assert_eq!(xml.contains("rightToLeft=\"1\""), lang == Lang::Ar);
        let url = &sheets[2];
        assert_eq!(url.ids()[..4], ["entity id", "key: le", "key: svc", "key: url"]);
        let mapping = std::fs::read_to_string(&m).unwrap();
        assert!(mapping.contains("path = [\"le\", \"svc\", \"url\"]"), "{mapping}");
    }
}

#[test]
fn an_unfilled_template_imports_no_entity() {
    let dir = tempfile::tempdir().unwrap();
    for rules in shipped() {
        let rubric = load(&rules);
        let asked = xlsx_template::criteria(rubric.model()).len();
        for lang in [Lang::En, Lang::Ar] {
            let (q, m) = template(&rules, lang, dir.path());
            let o = support::mizan(&[
                "import",
                &rules,
                &m.display().to_string(),
                &q.display().to_string(),
            ]);
            let err = support::stderr(&o);
            assert_eq!(support::stdout(&o), "", "{rules}");
            // The instance sheets' prepared rows are empty, so not read;
            // the Questionnaire's rows lack the entity id (M0419 each).
            let summary = format!("imported 0 entities from {asked} rows (0 left out by `where`); {asked} problem cells, 0 entities not written");
            assert!(err.contains(&summary), "{rules}: {err}");
            assert_eq!(
                o.status.code(),
                Some(if asked == 0 { 0 } else { 2 }),
                "{rules}: {err}"
            );
        }
    }
}

#[test]
fn na_of_yes_no_and_number_questions_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("na.mizan");
    std::fs::write(
        &rules,
        "mizan 1\nrubric t.na {\n  version \"1\"\n  criterion a { yesno na allowed }\n  criterion b { number 0..100 na allowed score value / 100 }\n  group site {\n    repeated\n    criterion c { yesno na allowed }\n    criterion d { number 0..10 na allowed score value / 10 }\n  }\n}\n",
    )
    .unwrap();
    let rules = rules.display().to_string();
    let rubric = load(&rules);
    let model = rubric.model();
    let want = serde_json::json!({
        "rubric": "t.na",
        "entity": {"id": "E", "name": "E", "profile": {}},
        "answers": {"a": "na", "b": "na"},
        "instances": {"site": [
            {"key": "one", "answers": {"c": "na", "d": 4}},
            {"key": "two", "answers": {"c": true, "d": "na"}},
            {"key": "three", "answers": {"c": false, "d": 10}}
        ]}
    });
    for lang in [Lang::En, Lang::Ar] {
        let (q, m) = template(&rules, lang, dir.path());
        let filled = dir.path().join(format!("filled-{}.xlsx", lang.tag()));
        fill(model, &q, &want, lang, &filled);
        let o = support::mizan(&[
            "import",
            &rules,
            &m.display().to_string(),
            &filled.display().to_string(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
        let got: Value = serde_json::from_str(support::stdout(&o).trim()).unwrap();
        assert_eq!(got["answers"], want["answers"]);
        assert_eq!(got["instances"], want["instances"]);
        // And the answer set scores.
        let ans = dir.path().join("got.json");
        std::fs::write(&ans, support::stdout(&o)).unwrap();
        let o = support::mizan(&["eval", &rules, &ans.display().to_string()]);
        assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    }
}

#[test]
fn listed_instances_are_written_in() {
    let dir = tempfile::tempdir().unwrap();
    let rules = "tests/keys/keys.mizan";
    let rubric = load(rules);
    for lang in [Lang::En, Lang::Ar] {
        let (q, _) = template(rules, lang, dir.path());
        let sheets = xlsx_template::instance_sheets(rubric.model(), lang);
        let r = range(&q, &sheets[0].name);
        let first = xlsx_template::ID_ROW + 1;
        assert_eq!(
            [text(&r, first, 1), text(&r, first + 1, 1), text(&r, first + 2, 1)],
            ["pop", "gdp", ""]
        );
    }
}
