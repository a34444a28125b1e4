//! `mizan report`: the HTML report of a batch. Numbers checked against
//! `mizan eval --format json` and against the hand-computed values of
//! examples/uae-integration-2018/EXPECTED.md; escaping of every string
//! from answer sets; safe, unique entity file names; rejected submissions
//! listed; no external URL; the refused directory (M0806); byte-identical
//! output across runs and `--jobs`; a snapshot of one small page.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use mizan::render::report::file_name;
use rust_decimal::Decimal;
use serde_json::Value;

mod support;

const RULES: &str = "rules/uae/integration/2018.mizan";
const EXAMPLES: &str = "examples/uae-integration-2018";

/// Runs `mizan report` into `out`, expecting `code`.
fn report(args: &[&str], out: &Path, code: i32) -> std::process::Output {
    let o = out.display().to_string();
    let mut a = vec!["report"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["-o", &o]);
    let r = support::mizan(&a);
    assert_eq!(r.status.code(), Some(code), "{}", support::stderr(&r));
    r
}

/// Every file of a report directory, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            out.insert(rel, fs::read(e.path()).unwrap());
        }
    }
    out
}

/// Text as minijinja's HTML escaping writes it (`/` too).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap()
}

/// A JSON score as the pages show it, with the rubric's precision.
fn percent_in(rules: &str, v: &Value) -> String {
    let (r, _) = mizan::load(rules, &read(Path::new(rules)));
    let d: Decimal = v.to_string().parse().unwrap();
    mizan::render::percent(d, r.unwrap().model().precision)
}

fn percent(v: &Value) -> String {
    percent_in(RULES, v)
}

#[test]
fn uae_numbers_are_those_of_eval_json_and_of_the_hand_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    report(&[RULES, EXAMPLES], &dir, 2);
    let json = support::mizan(&["eval", "--format", "json", RULES, EXAMPLES]);
    let doc: Value = serde_json::from_str(&support::stdout(&json)).unwrap();
    let index = read(&dir.join("index.html"));

    // Hand-checked (EXPECTED.md): fahr 0.607754, ica 0.869584 (first),
    // gpssa 0.500357 (last), population 0.704187; fahr's FedNet 1/2 and
    // SmartPass 0.614588.
    assert!(index.contains("<bdi dir=\"ltr\">70.42%</bdi>"), "population");
    let row = |id: &str| {
        let at = index.find(&format!("<bdi>{id}</bdi></a>")).unwrap();
        let start = index[..at].rfind("<tr>").unwrap();
        let end = index[start..].find("</tr>").unwrap();
        index[start..start + end].to_string()
    };
    assert!(row("fahr").contains("60.78%"));
    assert!(row("ica").contains("86.96%"));
    assert!(row("gpssa").contains("50.04%"));
    let fahr = read(&dir.join("entities").join(file_name("fahr")));
    assert!(fahr.contains("<bdi dir=\"ltr\">10 / 12</bdi>"), "fahr's rank");
    assert!(fahr.contains("<bdi dir=\"ltr\">50.00%</bdi>"), "fednet");
    assert!(fahr.contains("<bdi dir=\"ltr\">61.46%</bdi>"), "smartpass");
    let ica = read(&dir.join("entities").join(file_name("ica")));
    assert!(ica.contains("<bdi dir=\"ltr\">1 / 12</bdi>"));

    // Where fahr's points were lost, first: FedNet 1.2 answered "no". With
    // "yes" FedNet's ratio gains 1/4 (four criteria), the score 1/4 of 1/6
    // (six initiatives): 4.17%, the entity scored again by the library.
    let lost = &fahr[fahr.find("id=\"lost-table\"").unwrap()..];
    let body = &lost[lost.find("<tbody>").unwrap()..];
    let first = &body[..body.find("</tr>").unwrap()];
    assert!(first.contains("fednet.1.2"), "{first}");
    assert!(first.contains("<bdi dir=\"ltr\">4.17%</bdi>"), "{first}");
    assert!(first.contains("<bdi>No</bdi></td><td><bdi>Yes</bdi>"), "{first}");

    // Every entity of the JSON has a page with its score, and a row in
    // the ranking; the ranks are by score (the rubric declares no `rank`).
    let entities = doc["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 12);
    let mut scores: Vec<Decimal> = entities
        .iter()
        .map(|e| e["score"].to_string().parse().unwrap())
        .collect();
    scores.sort_by(|a, b| b.cmp(a));
    for e in entities {
        let id = e["id"].as_str().unwrap();
        let page = read(&dir.join("entities").join(file_name(id)));
        let score = percent(&e["score"]);
        assert!(
            page.contains(&format!("<bdi dir=\"ltr\">{score}</bdi>")),
            "{id}: {score}"
        );
        assert!(row(id).contains(&score), "{id}");
        let s: Decimal = e["score"].to_string().parse().unwrap();
        let rank = 1 + scores.iter().filter(|o| **o > s).count();
        assert!(
            row(id).contains(&format!("data-sort=\"{rank}\"")),
            "{id} rank {rank}"
        );
        // Each group's score, as the JSON has it.
        for g in [
            "fednet",
            "smartpass",
            "gsb",
            "one_portal",
            "national_crm",
            "smart_data",
        ] {
            let text = if e["nodes"][g].is_null() {
                esc("N/A")
            } else {
                percent(&e["nodes"][g])
            };
            assert!(
                page.contains(&format!("<bdi dir=\"ltr\">{text}</bdi>")),
                "{id} {g} {text}"
            );
        }
    }
    assert_eq!(files(&dir).len(), 12 + 2, "index, 12 entities, the marker");
}

#[test]
fn rejected_submissions_are_listed_with_their_located_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    report(&[RULES, EXAMPLES], &dir, 2);
    let index = read(&dir.join("index.html"));
    let table = &index[index.find("id=\"rejected-table\"").unwrap()..];
    for needle in [
        esc("examples/uae-integration-2018/zz-invalid.json"),
        "<bdi>moj</bdi>".into(),
        format!("<code>{}</code>", esc("/answers/fednet.1.2")),
        "M0406".into(),
        "M0410".into(),
        "unknown option `na` for `fednet.1.2`".into(),
    ] {
        assert!(table.contains(&needle), "{needle}");
    }
    assert!(!dir.join("entities").join(file_name("moj")).exists());
}

#[test]
fn strings_from_answer_sets_are_escaped_and_ids_become_safe_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = tmp.path().join("answers");
    fs::create_dir(&answers).unwrap();
    let evil = "<script>alert(1)</script>";
    let ids = [evil, "../../etc/passwd", "MOF", "mof", "وزارة"];
    for (i, id) in ids.iter().enumerate() {
        let mut v: Value = serde_json::from_str(&read(&Path::new(EXAMPLES).join("mof.json"))).unwrap();
        v["entity"]["id"] = Value::from(*id);
        v["entity"]["name"] = Value::from(format!("{evil} & \"co\" {i}"));
        fs::write(
            answers.join(format!("{i}.json")),
            serde_json::to_string(&v).unwrap(),
        )
        .unwrap();
    }
    for lang in ["en", "ar"] {
        let dir = tmp.path().join(lang);
        report(&["--lang", lang, RULES, answers.to_str().unwrap()], &dir, 0);
        let all = files(&dir);
        assert_eq!(all.len(), ids.len() + 2);
        for id in ids {
            let name = file_name(id);
            assert!(name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
            assert!(all.contains_key(&format!("entities/{name}")), "{id}");
        }
        for (path, bytes) in &all {
            let text = String::from_utf8(bytes.clone()).unwrap();
            assert!(!text.contains(evil), "{path} has the script unescaped");
            assert!(!text.contains("<script>alert"), "{path}");
            // The only script is the report's own (the sorter, on the index).
            assert!(text.matches("<script").count() <= 1, "{path}");
            if path.ends_with(".html") {
                assert!(
                    text.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
                    "{path} shows the name as text"
                );
            }
        }
    }
}

#[test]
fn no_external_urls() {
    let tmp = tempfile::tempdir().unwrap();
    for lang in ["en", "ar"] {
        let dir = tmp.path().join(lang);
        report(&["--lang", lang, RULES, EXAMPLES], &dir, 2);
        for (path, bytes) in files(&dir) {
            let text = String::from_utf8(bytes).unwrap();
            for attr in ["src=", "href=", "url(", "@import", "xmlns"] {
                for (i, _) in text.match_indices(attr) {
                    let rest = &text[i + attr.len()..];
                    let rest = rest.trim_start_matches(['"', '\'']);
                    assert!(
                        !rest.starts_with("http") && !rest.starts_with("//"),
                        "{path}: {}",
                        &text[i..(i + 60).min(text.len())]
                    );
                }
            }
            assert!(!text.contains("<link"), "{path}: no linked stylesheet");
        }
    }
}

#[test]
fn arabic_pages_are_right_to_left_with_arabic_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    report(&["--lang", "ar", RULES, EXAMPLES], &dir, 2);
    let index = read(&dir.join("index.html"));
    assert!(index.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(index.contains("الدرجة الإجمالية"));
    assert!(index.contains("الإجابات المرفوضة"));
    // The rubric's Arabic title.
    assert!(index.contains(&format!(
        "<h1><bdi>{}</bdi></h1>",
        esc("نسبة تكامل الخدمات الإلكترونية/الذكية")
    )));
    let fahr = read(&dir.join("entities").join(file_name("fahr")));
    assert!(fahr.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(fahr.contains("أين فُقدت النقاط"));
    assert!(fahr.contains("href=\"../index.html\""));
    let en = tmp.path().join("en");
    report(&[RULES, EXAMPLES], &en, 2);
    assert!(read(&en.join("index.html")).contains("<html lang=\"en\" dir=\"ltr\">"));
}

#[test]
fn output_is_deterministic_across_runs_and_jobs() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    report(&["--jobs", "1", RULES, EXAMPLES], &a, 2);
    report(&["--jobs", "4", RULES, EXAMPLES], &b, 2);
    assert_eq!(files(&a), files(&b));
    // Rewriting a previous report in place gives the same bytes.
    report(&[RULES, EXAMPLES], &a, 2);
    assert_eq!(files(&a), files(&b));
    // The time of generation only when given.
    let c = tmp.path().join("c");
    report(&["--generated-at", "2026-01-31 10:00", RULES, EXAMPLES], &c, 2);
    let index = read(&c.join("index.html"));
    assert!(index.contains("2026-01-31 10:00"));
    assert!(!read(&a.join("index.html")).contains("2026-01-31"));
}

#[test]
fn m0806_a_directory_that_is_not_a_report_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("src");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("main.rs"), "fn main() {}").unwrap();
    let r = report(&[RULES, EXAMPLES], &dir, 1);
    let err = support::stderr(&r);
    assert!(err.contains("M0806"), "{err}");
    assert!(err.contains("holds no previous report"), "{err}");
    // Untouched.
    assert_eq!(files(&dir).len(), 1);
    // A file.
    let file = tmp.path().join("file.html");
    fs::write(&file, "x").unwrap();
    let r = report(&[RULES, EXAMPLES], &file, 1);
    assert!(support::stderr(&r).contains("M0806"));
    assert_eq!(read(&file), "x");
    // An empty directory is fine, and so is a previous report.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    report(&[RULES, EXAMPLES], &empty, 2);
    report(&[RULES, EXAMPLES], &empty, 2);
    assert!(empty.join("index.html").is_file());
    // Nothing left beside it.
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".mizan"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn egbr_scores_are_those_of_eval_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    let json = support::mizan(&[
        "eval",
        "--format",
        "json",
        "rules/eu/egovernment-benchmark/2023.mizan",
        "examples/egbr-2023/raw-hu.json",
    ]);
    let doc: Value = serde_json::from_str(&support::stdout(&json)).unwrap();
    report(
        &[
            "rules/eu/egovernment-benchmark/2023.mizan",
            "examples/egbr-2023/raw-hu.json",
        ],
        &dir,
        0,
    );
    let page = read(&dir.join("entities").join(file_name("HU")));
    let score = percent_in(
        "rules/eu/egovernment-benchmark/2023.mizan",
        &doc["entities"][0]["score"],
    );
    assert!(
        page.contains(&format!("<bdi dir=\"ltr\">{score}</bdi>")),
        "{score}"
    );
}

#[test]
fn demo_entity_page_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    report(
        &["examples/demo/digital-readiness.mizan", "examples/demo/answers"],
        &dir,
        0,
    );
    let page = read(&dir.join("entities").join(file_name("moe")));
    // The stylesheet is the same on every page: left out of the snapshot.
    let start = page.find("<style>").unwrap();
    let end = page.find("</style>").unwrap();
    let page = format!("{}<style>…</style>{}", &page[..start], &page[end + 8..]);
    let page = page.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("report_demo_entity_moe", page);
}

#[test]
fn import_inputs_are_read_as_eval_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("r");
    let rules = "examples/demo/digital-readiness.mizan";
    let args = [
        rules,
        "--import",
        "examples/demo/import/long.import.toml",
        "examples/demo/import/answers-long.csv",
    ];
    report(&args, &dir, 0);
    let mut eval = vec!["eval", "--format", "json"];
    eval.extend_from_slice(&args);
    let doc: Value = serde_json::from_str(&support::stdout(&support::mizan(&eval))).unwrap();
    let e = &doc["entities"][0];
    let page = read(&dir.join("entities").join(file_name(e["id"].as_str().unwrap())));
    let score = percent_in(rules, &e["score"]);
    assert!(
        page.contains(&format!("<bdi dir=\"ltr\">{score}</bdi>")),
        "{score}"
    );
}
