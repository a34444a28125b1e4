//! `mizan eval --format xlsx`: the workbook read back with calamine and
//! checked cell by cell against `mizan eval --format json` of the same
//! inputs (UAE 2018 examples plus malformed answer sets), Arabic sheets
//! right to left, and two runs byte for byte the same.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test fails by panicking"
)]

use std::io::Read;
use std::path::Path;

use calamine::{open_workbook, Data, Range, Reader, Xlsx};
use serde_json::Value;

mod support;

const RULES: &str = "rules/uae/integration/2018.mizan";
const EXAMPLES: &str = "examples/uae-integration-2018";

/// A `.jsonl` file with one good line and two malformed ones (so that the
/// Errors sheet has lines).
fn bad_jsonl(dir: &Path) -> String {
    let good = std::fs::read_to_string(format!("{EXAMPLES}/mof.json")).unwrap();
    let good: Value = serde_json::from_str(&good).unwrap();
    let mut other = good.clone();
    other["entity"]["id"] = Value::from("extra");
    other["entity"]["name"] = Value::from("<Extra> & co");
    let text = format!(
        "{}\nnot json at all\n{{\"rubric\": \"uae.integration\", \"version\": \"2018\"}}\n",
        serde_json::to_string(&other).unwrap()
    );
    let p = dir.join("more.jsonl");
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn xlsx(args: &[&str], out: &Path) -> Vec<u8> {
    let o = out.display().to_string();
    let mut a = vec!["eval", "--format", "xlsx", "-o", &o];
    a.extend_from_slice(args);
    let r = support::mizan(&a);
    assert_eq!(r.status.code(), Some(2), "{}", support::stderr(&r));
    std::fs::read(out).unwrap()
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn cell(r: &Range<Data>, row: usize, col: usize) -> Data {
    r.get_value((row as u32, col as u32))
        .cloned()
        .unwrap_or(Data::Empty)
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, got {other:?}"),
    }
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// A JSON score against a cell: the same number (to the last few bits of
/// an f64), or N/A as text.
fn same_score(json: &Value, c: &Data, na: &str, what: &str) {
    match json {
        Value::Null => assert_eq!(text(c), na, "{what}"),
        n => {
            let want: f64 = n.to_string().parse().unwrap();
            let got = number(c);
            assert!(
                (want - got).abs() <= 1e-12 * want.abs().max(1.0),
                "{what}: {want} vs {got}"
            );
        }
    }
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn workbook_matches_the_json_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = bad_jsonl(dir.path());
    let inputs = [RULES, EXAMPLES, &jsonl];
    let mut a = vec!["eval", "--format", "json"];
    a.extend_from_slice(&inputs);
    let j = support::mizan(&a);
    assert_eq!(j.status.code(), Some(2));
    let doc: Value = serde_json::from_str(&support::stdout(&j)).unwrap();

    for (lang, na) in [("en", "N/A"), ("ar", "لا ينطبق")] {
        let path = dir.path().join(format!("results-{lang}.xlsx"));
        let mut args = vec!["--lang", lang];
        args.extend_from_slice(&inputs);
        let bytes = xlsx(&args, &path);
        let names = mizan::render::xlsx::sheet_names(lang.parse().unwrap());
        let doc = if lang == "en" {
            doc.clone()
        } else {
            let mut a = vec!["eval", "--format", "json", "--lang", lang];
            a.extend_from_slice(&inputs);
            serde_json::from_str(&support::stdout(&support::mizan(&a))).unwrap()
        };

        // Scores.
        let s = sheet(&path, names[0]);
        let entities = doc["entities"].as_array().unwrap();
        assert_eq!(entities.len(), 13);
        assert_eq!(s.height(), entities.len() + 2);
        let node_ids: Vec<&String> = entities[0]["nodes"].as_object().unwrap().keys().collect();
        for (k, id) in node_ids.iter().enumerate() {
            assert_eq!(&text(&cell(&s, 0, 5 + k)), *id);
        }
        assert_eq!(s.width(), 5 + node_ids.len());
        for (i, e) in entities.iter().enumerate() {
            let row = i + 2;
            let id = e["id"].as_str().unwrap();
            assert_eq!(text(&cell(&s, row, 0)), id);
            assert_eq!(text(&cell(&s, row, 1)), e["name"].as_str().unwrap_or(""));
            same_score(&e["score"], &cell(&s, row, 2), na, id);
            assert_eq!(
                text(&cell(&s, row, 3)),
                e["band_label"].as_str().unwrap_or(""),
                "{id}"
            );
            match e.get("rank").and_then(Value::as_u64) {
                Some(k) => assert_eq!(number(&cell(&s, row, 4)), k as f64, "{id}"),
                None => assert_eq!(cell(&s, row, 4), Data::Empty, "{id}"),
            }
            for (k, n) in node_ids.iter().enumerate() {
                same_score(
                    &e["nodes"][n.as_str()],
                    &cell(&s, row, 5 + k),
                    na,
                    &format!("{id} {n}"),
                );
            }
        }
        // The precision as the number format (UAE 2018: `precision 2`).
        let styles = zip_entry(&bytes, "xl/styles.xml");
        assert!(styles.contains("formatCode=\"0.00%\""), "{styles}");

        // Errors.
        let e = sheet(&path, names[1]);
        let errors = doc["errors"].as_array().unwrap();
        assert!(errors.len() >= 3, "{errors:?}");
        assert_eq!(e.height(), errors.len() + 1);
        for (i, x) in errors.iter().enumerate() {
            let row = i + 1;
            let source = x["source"].as_str().unwrap();
            let file = text(&cell(&e, row, 0));
            let located = match cell(&e, row, 1) {
                Data::Empty => file.clone(),
                l => format!("{file}:{}", number(&l)),
            };
            assert_eq!(located, source);
            assert_eq!(text(&cell(&e, row, 2)), x["entity"].as_str().unwrap_or(""));
            assert_eq!(text(&cell(&e, row, 3)), x["code"].as_str().unwrap());
            assert_eq!(text(&cell(&e, row, 4)), x["pointer"].as_str().unwrap());
            assert_eq!(text(&cell(&e, row, 5)), x["message"].as_str().unwrap());
        }
        assert!(errors
            .iter()
            .any(|x| x["source"].as_str().unwrap().ends_with("more.jsonl:2")));

        // Provenance.
        let p = sheet(&path, names[2]);
        let r = &doc["rubric"];
        assert_eq!(text(&cell(&p, 0, 1)), r["id"].as_str().unwrap());
        assert_eq!(text(&cell(&p, 2, 1)), r["version"].as_str().unwrap());
        assert_eq!(text(&cell(&p, 3, 1)), r["sha256"].as_str().unwrap());
        assert_eq!(text(&cell(&p, 4, 1)), r["mizan"].as_str().unwrap());
        same_score(&doc["aggregate"]["score"], &cell(&p, 5, 1), na, "population");
        assert_eq!(
            number(&cell(&p, 6, 1)),
            doc["aggregate"]["entities"].as_f64().unwrap()
        );
        assert_eq!(
            number(&cell(&p, 7, 1)),
            doc["aggregate"]["excluded"].as_f64().unwrap()
        );

        // Right to left in Arabic only, on every sheet.
        for k in 1..=3 {
            let xml = zip_entry(&bytes, &format!("xl/worksheets/sheet{k}.xml"));
            assert_eq!(
                xml.contains("rightToLeft=\"1\""),
                lang == "ar",
                "sheet{k} ({lang})"
            );
        }

        // Deterministic: a second run is byte for byte the same.
        let again = xlsx(&args, &dir.path().join(format!("again-{lang}.xlsx")));
        assert!(again == bytes, "two runs differ ({lang})");
    }
}

#[test]
fn to_standard_output_when_it_is_not_a_terminal() {
    let o = support::mizan(&["eval", "--format", "xlsx", RULES, &format!("{EXAMPLES}/mof.json")]);
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    assert!(o.stdout.starts_with(b"PK"), "a zip archive");
}

#[test]
fn refused_combinations() {
    let mof = format!("{EXAMPLES}/mof.json");
    for extra in [
        ["--summary"].as_slice(),
        &["--explain", "mof"],
        &["--sort", "score"],
        &["--depth", "2"],
    ] {
        let mut a = vec!["eval", "--format", "xlsx", "-o", "/dev/null", RULES, &mof];
        a.extend_from_slice(extra);
        let o = support::mizan(&a);
        assert_eq!(o.status.code(), Some(64), "{extra:?}");
        assert!(
            support::stderr(&o).contains("--format xlsx and"),
            "{}",
            support::stderr(&o)
        );
    }
    let o = support::mizan(&["check", "--format", "xlsx", RULES]);
    assert_eq!(o.status.code(), Some(64));
    assert!(support::stderr(&o).contains("--format xlsx is for"));
}
