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
                match &entity["profile"][&f.name] {
                    Value::String(s) => ews.write_string(1, c, s).unwrap(),
                    Value::Bool(b) => ews
                        .write_string(
                            1,
                            c,
                            if *b {
                                lang.t("Yes", "نعم")
                            } else {
                                lang.t("No", "لا")
                            },
                        )
                        .unwrap(),
                    Value::Number(n) => ews.write_number(1, c, n.as_f64().unwrap()).unwrap(),
                    Value::Null => ews,
                    other => panic!("{other:?}"),
                };
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
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let p = dir.path().join(name);
        let o = support::mizan(&[
            "template",
            CASES[1].0,
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
