//! `mizan eval`'s outputs in the reader's language, band labels and band
//! sets everywhere, ranks in every format, the table's `--sort` and
//! `--depth`, `--explain`'s words, and determinism, on every path: the
//! batch table and JSON, `--summary`, `--format jsonl` streamed and in
//! memory (`--import`), `--explain` and `-o`.
//!
//! The fixture `tests/output/bands.mizan` has two band sets on the rubric
//! (`grades`, labelled in both languages; `tiers`, judged on the score
//! rounded to 1 place, labelled in English only or not at all), node bands
//! on `a`, and `rank when ranked`. Scores are hand-computed: the rubric is
//! the mean of `a` (mean of a.1, a.2) and `b` (= b.1); yes 1, half 0.5,
//! no 0, na N/A.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::{mizan, stderr, stdout};

mod support;

const BANDS: &str = "tests/output/bands.mizan";
const UAE: &str = "rules/uae/integration/2018.mizan";
const UAE_ANSWERS: &str = "examples/uae-integration-2018";
const DEMO: &str = "examples/demo/digital-readiness.mizan";
const DEMO_ANSWERS: &str = "examples/demo/answers";
const PROACTIVE: &str = "rules/uae/proactive-readiness/2020.mizan";
const PROACTIVE_ANSWERS: &str = "examples/uae-proactive-readiness-2020";

const RLM: char = '\u{200f}';

/// One answer set of the fixture.
fn line(id: &str, ranked: bool, a1: &str, a2: &str, b1: &str) -> String {
    format!(
        r#"{{"rubric":"t.bands","version":"1","entity":{{"id":"{id}","profile":{{"ranked":{ranked}}}}},"answers":{{"a.1":"{a1}","a.2":"{a2}","b.1":"{b1}"}}}}"#
    )
}

/// Seven entities, scores worked by hand:
/// x1 (1+1)/2=1, 0 → 0.5; x2 0.5, 1 → 0.75 (not ranked); x3 0.5, 0.5 →
/// 0.5; x4 0; x5 1; x6 0.5, 1 → 0.75; x7 all N/A → N/A.
/// Ranked (x2 left out): x5 1, x6 2, x1 3, x3 3, x4 5.
fn seven(dir: &Path) -> String {
    let rows = [
        line("x1", true, "yes", "yes", "no"),
        line("x2", false, "yes", "no", "yes"),
        line("x3", true, "half", "half", "half"),
        line("x4", true, "no", "no", "no"),
        line("x5", true, "yes", "yes", "yes"),
        line("x6", true, "yes", "no", "yes"),
        line("x7", true, "na", "na", "na"),
    ];
    let p = dir.join("seven.jsonl");
    fs::write(&p, rows.join("\n") + "\n").unwrap();
    p.display().to_string()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn lines(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Text without the bidi marks Arabic output carries.
fn unmarked(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{2066}'..='\u{2069}' | '\u{200f}'))
        .collect()
}

/// The width of a line of a terminal table as the table is laid out (the
/// Unicode width model of `unicode-width`, which `comfy-table` uses): bidi
/// marks and Arabic vowel marks take no column, a lam followed by an alef
/// (the lam-alef ligature, `لا`) takes one, every other character here one.
fn columns(s: &str) -> usize {
    let mut width = 0;
    let mut after_lam = false;
    for c in s.chars() {
        match c {
            '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {}
            '\u{064b}'..='\u{065f}' | '\u{0670}' => {}
            '\u{0622}' | '\u{0623}' | '\u{0625}' | '\u{0627}' if after_lam => after_lam = false,
            _ => {
                width += 1;
                after_lam = c == '\u{0644}';
            }
        }
    }
    width
}

fn has_marks(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{2066}'..='\u{2069}' | '\u{200f}'))
}

fn entity<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

// ---------------------------------------------------------------- bands

#[test]
fn band_label_follows_the_language_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    let ar = json(&mizan(&[
        "--lang", "ar", "--format", "json", "eval", BANDS, &answers,
    ]));
    let en = json(&mizan(&[
        "--lang", "en", "--format", "json", "eval", BANDS, &answers,
    ]));
    // x1: 0.5 → grades weak (>= 0, < 0.7): ضعيف / Weak; tiers on
    // round(0.5, 1) = 0.5 → top.
    for (doc, weak, good) in [(&ar, "ضعيف", "جيد"), (&en, "Weak", "Good")] {
        let x1 = entity(doc, "x1");
        assert_eq!(x1["band"], "weak");
        assert_eq!(x1["band_label"], weak);
        assert_eq!(x1["bands"], serde_json::json!({"grades": "weak", "tiers": "top"}));
        // a = 1 → its own band set tiers: top.
        assert_eq!(x1["node_bands"], serde_json::json!({"a": {"tiers": "top"}}));
        assert_eq!(entity(doc, "x5")["band_label"], good);
        // x4: 0 → weak, tiers low; a = 0 → low.
        assert_eq!(
            entity(doc, "x4")["bands"],
            serde_json::json!({"grades": "weak", "tiers": "low"})
        );
        assert_eq!(entity(doc, "x4")["node_bands"]["a"]["tiers"], "low");
        // x7: no score: no band, every set null, no node band.
        let x7 = entity(doc, "x7");
        assert!(x7["band"].is_null() && x7["band_label"].is_null());
        assert_eq!(x7["bands"], serde_json::json!({"grades": null, "tiers": null}));
        assert_eq!(x7["node_bands"], serde_json::json!({}));
        // Population: mean of 0.5, 0.75, 0.5, 0, 1, 0.75 = 3.5 / 6 =
        // 0.58333… → weak; tiers top.
        let agg = &doc["aggregate"];
        assert_eq!(agg["band"], "weak");
        assert_eq!(agg["band_label"], weak);
        assert_eq!(
            agg["bands"],
            serde_json::json!({"grades": "weak", "tiers": "top"})
        );
    }
    // Field names are a contract: the same keys, in the same order, in
    // both languages; only band_label values differ.
    let strip = |mut v: Value| {
        for e in v["entities"].as_array_mut().unwrap() {
            e["band_label"] = Value::Null;
        }
        v["aggregate"]["band_label"] = Value::Null;
        serde_json::to_string(&v).unwrap()
    };
    assert_eq!(strip(ar), strip(en));
}

#[test]
fn band_labels_in_the_table_fall_back_to_the_other_language_then_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    let en = stdout(&mizan(&["eval", BANDS, &answers]));
    let row = |t: &str, id: &str| -> Vec<String> {
        let l = t
            .lines()
            .find(|l| unmarked(l).contains(&format!(" {id} ")))
            .unwrap();
        unmarked(l)
            .split('┆')
            .map(|c| {
                c.trim_matches(|c: char| c == '│' || c.is_whitespace())
                    .to_string()
            })
            .collect()
    };
    // entity, score, band, tiers, rank, a (with its band), b
    assert_eq!(
        row(&en, "x1"),
        ["x1", "50.0%", "Weak", "Top", "3", "100.0% Top", "0.0%"]
    );
    assert_eq!(
        row(&en, "x4"),
        ["x4", "0.0%", "Weak", "low", "5", "0.0% low", "0.0%"]
    );
    assert_eq!(
        row(&en, "x2"),
        ["x2", "75.0%", "Good", "Top", "-", "50.0% Top", "100.0%"]
    );
    assert!(
        en.contains("population: 58.3% Weak · Top over 6 entities\n"),
        "{en}"
    );
    assert!(!has_marks(&en), "English output carries no bidi marks");
    let ar = stdout(&mizan(&["--lang", "ar", "eval", BANDS, &answers]));
    // `top` has only an English label: Arabic falls back to it; `low`
    // has none: its id.
    assert_eq!(
        row(&ar, "x1"),
        ["x1", "50.0%", "ضعيف", "Top", "3", "100.0% Top", "0.0%"]
    );
    assert_eq!(
        row(&ar, "x4"),
        ["x4", "0.0%", "ضعيف", "low", "5", "0.0% low", "0.0%"]
    );
    assert_eq!(row(&ar, "x7")[1], "لا ينطبق");
    assert!(
        unmarked(&ar).contains("الإجمالي: 58.3% ضعيف · Top؛ الجهات: 6\n"),
        "{ar}"
    );
}

// ---------------------------------------------------------------- Arabic

#[test]
fn arabic_table_headings_lines_and_alignment() {
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    for args in [
        vec!["--lang", "ar", "eval", BANDS, &answers, "--depth", "2"],
        vec!["--lang", "ar", "eval", UAE, UAE_ANSWERS],
        vec!["--lang", "ar", "--format", "plain", "eval", UAE, UAE_ANSWERS],
    ] {
        let o = mizan(&args);
        let t = stdout(&o);
        for h in ["الجهة", "الدرجة", "الفئة"] {
            assert!(t.contains(h), "{h}: {t}");
        }
        // Every line is a right-to-left paragraph.
        assert!(t.lines().all(|l| l.starts_with(RLM)), "{t}");
        // Columns line up: the marks take no width, so every line of the
        // table is as wide as the others.
        let table: Vec<usize> = t
            .lines()
            .skip(1)
            .take_while(|l| !unmarked(l).starts_with("الإجمالي"))
            .map(columns)
            .collect();
        assert!(table.len() > 3, "{t}");
        assert!(table.windows(2).all(|w| w[0] == w[1]), "{t}\n{table:?}");
        // Every cell's left-to-right content is isolated.
        assert!(
            t.contains("\u{2066}fednet\u{2069}") || t.contains("\u{2066}a\u{2069}"),
            "{t}"
        );
        assert!(t.contains("القواعد: \u{2066}"), "{t}");
    }
    // The English table of the same batch has no marks and English words.
    let en = stdout(&mizan(&["eval", UAE, UAE_ANSWERS]));
    assert!(!has_marks(&en) && en.contains("│ entity "), "{en}");
}

#[test]
fn uae_2018_snapshots_in_both_languages() {
    let sha = |s: String| {
        let m = mizan::load(UAE, &fs::read_to_string(UAE).unwrap()).0.unwrap();
        s.replace(&m.model().sha256, "[sha256]")
            .replace(m.model().sha256.get(..12).unwrap(), "[sha12]")
    };
    let ar = mizan(&["--lang", "ar", "eval", UAE, UAE_ANSWERS]);
    assert_eq!(ar.status.code(), Some(2), "one answer set is invalid");
    insta::assert_snapshot!("uae2018_table_ar", sha(stdout(&ar)));
    insta::assert_snapshot!(
        "uae2018_table_en",
        sha(stdout(&mizan(&["eval", UAE, UAE_ANSWERS])))
    );
    let explain = |lang: &str| {
        stdout(&mizan(&[
            "--lang",
            lang,
            "eval",
            UAE,
            UAE_ANSWERS,
            "--explain",
            "fcsa",
        ]))
    };
    insta::assert_snapshot!("uae2018_explain_ar", explain("ar"));
    insta::assert_snapshot!("uae2018_explain_en", explain("en"));
    let j = |lang: &str| {
        stdout(&mizan(&[
            "--lang",
            lang,
            "--format",
            "json",
            "eval",
            UAE,
            UAE_ANSWERS,
        ]))
    };
    let (ja, je) = (j("ar"), j("en"));
    insta::assert_snapshot!("uae2018_json_ar", sha(ja.clone()));
    // The UAE rubric has no bands: no label to translate, and field
    // names never are: the JSON is the same in both languages.
    assert_eq!(ja, je);
    let summary = stdout(&mizan(&["--lang", "ar", "eval", UAE, UAE_ANSWERS, "--summary"]));
    insta::assert_snapshot!("uae2018_summary_ar", sha(summary));
}

#[test]
fn arabic_summary_closing_line_and_explain_words() {
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    let s = mizan(&["--lang", "ar", "eval", BANDS, &answers, "--summary"]);
    let text = unmarked(&stdout(&s));
    assert_eq!(
        text.lines().next().unwrap(),
        "t.bands 1: الإجمالي: 58.3% ضعيف · Top؛ الجهات: 6؛ إجابات مرفوضة ومستبعدة: 0"
    );
    assert!(stdout(&s).lines().all(|l| l.starts_with(RLM)));
    let en = stdout(&mizan(&["eval", BANDS, &answers, "--summary"]));
    assert!(
        en.starts_with("t.bands 1: population 58.3% Weak · Top over 6 entities; 0 submissions rejected"),
        "{en}"
    );
    // The closing line of --format jsonl on stderr.
    let l = mizan(&["--lang", "ar", "--format", "jsonl", "eval", BANDS, &answers]);
    assert_eq!(
        unmarked(&stderr(&l)),
        "الجهات المقيّمة: 7، المرفوضة: 0؛ الإجمالي: 58.3% ضعيف · Top؛ الجهات: 6\n"
    );
    let l = mizan(&["--format", "jsonl", "eval", BANDS, &answers]);
    assert_eq!(
        stderr(&l),
        "7 entities scored, 0 rejected; population 58.3% Weak · Top over 6 entities\n"
    );
    // Explain: Arabic words, labels, several band sets, the option chosen.
    let x = stdout(&mizan(&[
        "--lang",
        "ar",
        "eval",
        BANDS,
        &answers,
        "--explain",
        "x7",
    ]));
    assert!(x.lines().all(|l| l.starts_with(RLM)), "{x}");
    let x = unmarked(&x);
    assert!(x.contains("الإجابة `na` «لا ينطبق» (لا ينطبق) = لا ينطبق\n"), "{x}");
    assert!(x.contains("a — المجموعة أ\n"), "{x}");
    let x1 = unmarked(&stdout(&mizan(&[
        "--lang",
        "ar",
        "eval",
        BANDS,
        &answers,
        "--explain",
        "x1",
    ])));
    assert!(
        x1.contains("= 50.0% [grades: weak «ضعيف»؛ tiers: top «Top»]"),
        "{x1}"
    );
    let x1 = stdout(&mizan(&["eval", BANDS, &answers, "--explain", "x1"]));
    assert!(
        x1.contains("= 50.0% [grades: weak “Weak”; tiers: top “Top”]"),
        "{x1}"
    );
    assert!(x1.contains("answered `no` “No” (0) = 0.0%"), "{x1}");
}

// ---------------------------------------------------------------- explain

#[test]
fn explain_names_the_option_and_never_repeats_na() {
    let o = stdout(&mizan(&["eval", DEMO, DEMO_ANSWERS, "--explain", "moh"]));
    assert!(o.contains("answered `na` “Not applicable” (N/A) = N/A\n"), "{o}");
    assert!(!o.contains("answered N/A = N/A: answered N/A"), "{o}");
    assert!(o.contains("answered `yes` “Yes” (1) = 100.0%"), "{o}");
}

#[test]
fn explain_shows_only_the_inputs_the_formula_uses() {
    // The proactive readiness rubric's score is `score criteria`: neither
    // achieved nor target.
    let o = stdout(&mizan(&[
        "eval",
        PROACTIVE,
        PROACTIVE_ANSWERS,
        "--explain",
        "birth-certificate-documents",
    ]));
    let top = o.lines().nth(2).unwrap();
    assert_eq!(
        top,
        "   score criteria (N/A exclude) = 40% [candidate “Candidate for a proactive service”]"
    );
    // Its `criteria` part is a ratio: achieved 2 of target 5 = 40%.
    assert!(
        o.contains("ratio (N/A exclude): achieved 2 of target 5 = 40%"),
        "{o}"
    );
    // The fixture's `b` is `score b.1`: no sums either.
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    let x = stdout(&mizan(&["eval", BANDS, &answers, "--explain", "x1"]));
    assert!(x.contains("   score b.1 (N/A exclude) = 0.0%\n"), "{x}");
    assert!(
        x.contains("mean (N/A exclude): achieved 1 of target 2 = 50.0%"),
        "{x}"
    );
}

#[test]
fn explain_of_an_unknown_entity_lists_the_nearest_ids() {
    let o = mizan(&["eval", UAE, UAE_ANSWERS, "--explain", "mofa"]);
    assert_eq!(o.status.code(), Some(64));
    let e = stderr(&o);
    assert!(
        e.contains("no answer set of this batch is for entity `mofa`"),
        "{e}"
    );
    // mof (0.75) is closest; then mofaic, moe, moi… (normalised
    // Damerau–Levenshtein, ties by id); the rejected moj counts too.
    assert!(
        e.contains("help: did you mean `mof`? nearest ids (of 13): `mof`, `mofaic`, "),
        "{e}"
    );
    // Nothing close: the nearest are listed all the same.
    let o = mizan(&["eval", UAE, UAE_ANSWERS, "--explain", "zzzzzzzz"]);
    assert_eq!(o.status.code(), Some(64));
    assert!(
        stderr(&o).contains("help: nearest ids (of 13): "),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------- ranks

/// Many entities, with ties, unranked and N/A entities, a rejected line
/// and a repeated id, across several stream chunks (2048 lines each).
fn many(dir: &Path) -> String {
    let opts = ["yes", "half", "no", "na"];
    let mut seed: u64 = 7;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut rows = Vec::new();
    for i in 0..5000 {
        let pick = |k: u64| opts[k as usize];
        let (a, b, c, r) = (next(4), next(4), next(4), next(5) != 0);
        rows.push(line(&format!("e{i:05}"), r, pick(a), pick(b), pick(c)));
        if i == 100 {
            rows.push(line("e00007", true, "yes", "yes", "yes"));
        }
        if i == 3000 {
            rows.push(line("bad", true, "maybe", "yes", "yes"));
        }
    }
    let p = dir.join("many.jsonl");
    fs::write(&p, rows.join("\n") + "\n").unwrap();
    p.display().to_string()
}

#[test]
fn jsonl_rank_equals_json_rank_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let answers = many(dir.path());
    let doc = json(&mizan(&["--format", "json", "eval", BANDS, &answers]));
    let ranks: std::collections::HashMap<String, Value> = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["id"].as_str().unwrap().to_string(), e["rank"].clone()))
        .collect();
    assert_eq!(ranks.len(), 5000);
    // Ties exist, and unranked entities.
    assert!(ranks.values().filter(|r| **r == 1).count() > 1);
    assert!(ranks.values().any(Value::is_null));
    let out = dir.path().join("out.jsonl");
    let out_s = out.display().to_string();
    for args in [
        vec!["--format", "jsonl", "eval", BANDS, &answers, "--jobs", "1"],
        vec!["--format", "jsonl", "eval", BANDS, &answers, "--jobs", "3"],
        vec!["--lang", "ar", "--format", "jsonl", "eval", BANDS, &answers],
    ] {
        let o = mizan(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let ls = lines(&o);
        assert_eq!(ls.len(), 5000);
        // In input order, each line the document's entity (label aside).
        assert_eq!(ls[0]["id"], "e00000");
        for l in &ls {
            let id = l["id"].as_str().unwrap();
            assert_eq!(l["rank"], ranks[id], "{id}");
            let mut d = entity(&doc, id).clone();
            d["band_label"] = l["band_label"].clone();
            assert_eq!(&d, l, "{id}");
        }
    }
    // -o: the same bytes as stdout.
    let o = mizan(&["--format", "jsonl", "eval", BANDS, &answers, "-o", &out_s]);
    assert_eq!(o.status.code(), Some(2));
    let stdout_bytes = mizan(&["--format", "jsonl", "eval", BANDS, &answers]).stdout;
    assert_eq!(fs::read(&out).unwrap(), stdout_bytes);
    // Hand-checked: on the seven, the ranks of the worked example.
    let seven = seven(dir.path());
    let ls = lines(&mizan(&["--format", "jsonl", "eval", BANDS, &seven]));
    let got: Vec<(String, Value)> = ls
        .iter()
        .map(|l| (l["id"].as_str().unwrap().to_string(), l["rank"].clone()))
        .collect();
    let want: Vec<(String, Value)> = [
        ("x1", Value::from(3)),
        ("x2", Value::Null),
        ("x3", Value::from(3)),
        ("x4", Value::from(5)),
        ("x5", Value::from(1)),
        ("x6", Value::from(2)),
        ("x7", Value::Null),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn jsonl_in_memory_import_has_the_same_ranks() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("seven.csv"),
        "id,ranked,a1,a2,b1\nx1,R,yes,yes,no\nx2,U,yes,no,yes\nx3,R,half,half,half\nx4,R,no,no,no\nx5,R,yes,yes,yes\nx6,R,yes,no,yes\nx7,R,na,na,na\n",
    )
    .unwrap();
    let mapping = dir.path().join("seven.import.toml");
    fs::write(
        &mapping,
        "rubric = \"t.bands\"\nversion = \"1\"\n\n[[table]]\nentity = \"id\"\n\n[table.answers]\n\"a.1\" = \"a1\"\n\"a.2\" = \"a2\"\n\"b.1\" = \"b1\"\n\n[table.fields]\nranked = { column = \"ranked\", values = { true = [\"R\"], false = [\"U\"] } }\n",
    )
    .unwrap();
    let csv = dir.path().join("seven.csv").display().to_string();
    let m = mapping.display().to_string();
    let o = mizan(&["--format", "jsonl", "eval", BANDS, "--import", &m, &csv]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let imported = lines(&o);
    let streamed = lines(&mizan(&["--format", "jsonl", "eval", BANDS, &seven(dir.path())]));
    // The import gives entities in id order, as the stream has them here;
    // names and origins aside, the lines are the same.
    assert_eq!(imported, streamed);
    assert_eq!(imported[4]["rank"], 1);
}

// ---------------------------------------------------------------- table shape

fn header(t: &str) -> Vec<String> {
    let l = t.lines().nth(1).unwrap();
    unmarked(l)
        .split_whitespace()
        .filter(|w| !matches!(*w, "┆" | "│"))
        .map(str::to_string)
        .collect()
}

fn first_column(t: &str) -> Vec<String> {
    t.lines()
        .skip(2)
        .take_while(|l| !l.starts_with("population"))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn sort_by_score_rank_and_id() {
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    let t = |sort: &str| {
        stdout(&mizan(&[
            "--format", "plain", "eval", BANDS, &answers, "--sort", sort,
        ]))
    };
    // Highest first, ties by id, N/A last.
    assert_eq!(
        first_column(&t("score")),
        ["x5", "x2", "x6", "x1", "x3", "x4", "x7"]
    );
    // By rank, ties by id, the unranked last by id.
    assert_eq!(
        first_column(&t("rank")),
        ["x5", "x6", "x1", "x3", "x4", "x2", "x7"]
    );
    assert_eq!(first_column(&t("id")), ["x1", "x2", "x3", "x4", "x5", "x6", "x7"]);
    // The default is id.
    let d = stdout(&mizan(&["--format", "plain", "eval", BANDS, &answers]));
    assert_eq!(d, t("id"));
    // --rules: each rubric's table sorted.
    let o = mizan(&[
        "--format",
        "plain",
        "eval",
        "--rules",
        "rules",
        UAE_ANSWERS,
        "--sort",
        "score",
    ]);
    let t = stdout(&o);
    assert_eq!(first_column(&t)[..3], ["ica", "moi", "mohre"], "{t}");
}

#[test]
fn depth_and_the_headline_column() {
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    let h = |depth: &str| {
        header(&stdout(&mizan(&[
            "--format", "plain", "eval", BANDS, &answers, "--depth", depth,
        ])))
    };
    assert_eq!(h("0"), ["entity", "score", "band", "tiers", "rank"]);
    assert_eq!(h("1"), ["entity", "score", "band", "tiers", "rank", "a", "b"]);
    assert_eq!(
        h("2"),
        ["entity", "score", "band", "tiers", "rank", "a", "a.1", "a.2", "b", "b.1"]
    );
    // The rubric's score is `score criteria`: that column would repeat
    // `score`, and is left out; the other top-level part stays.
    let p = stdout(&mizan(&[
        "--format",
        "plain",
        "eval",
        PROACTIVE,
        PROACTIVE_ANSWERS,
    ]));
    assert_eq!(header(&p), ["entity", "score", "band", "classification"]);
    let p2 = stdout(&mizan(&[
        "--format",
        "plain",
        "eval",
        PROACTIVE,
        PROACTIVE_ANSWERS,
        "--depth",
        "2",
    ]));
    assert!(header(&p2).contains(&"criteria.spatial".to_string()), "{p2}");
    assert!(!header(&p2).contains(&"criteria".to_string()), "{p2}");
    // A rubric with one child under `mean` (N/A excluded): the child is
    // the score.
    let one = dir.path().join("one.mizan");
    fs::write(
        &one,
        "mizan 1\nrubric t.one {\n  version \"1\"\n  group g {\n    criterion g.1 { yesno }\n    criterion g.2 { yesno }\n  }\n}\n",
    )
    .unwrap();
    let ans = dir.path().join("one.json");
    fs::write(
        &ans,
        r#"{"rubric":"t.one","version":"1","entity":{"id":"e"},"answers":{"g.1":"yes","g.2":"no"}}"#,
    )
    .unwrap();
    let (one, ans) = (one.display().to_string(), ans.display().to_string());
    let t = stdout(&mizan(&["--format", "plain", "eval", &one, &ans]));
    assert_eq!(header(&t), ["entity", "score", "band"], "{t}");
    assert!(t.contains(" e       50.0%  -"), "{t}");
    let t = stdout(&mizan(&["--format", "plain", "eval", &one, &ans, "--depth", "2"]));
    assert_eq!(header(&t), ["entity", "score", "band", "g.1", "g.2"], "{t}");
    // Not when N/A counts (na zero): the root is no longer the child.
    let zero = dir.path().join("zero.mizan");
    fs::write(
        &zero,
        fs::read_to_string(&one)
            .unwrap()
            .replace("version \"1\"\n", "version \"1\"\n  na zero\n"),
    )
    .unwrap();
    let t = stdout(&mizan(&[
        "--format",
        "plain",
        "eval",
        &zero.display().to_string(),
        &ans,
    ]));
    assert_eq!(header(&t), ["entity", "score", "band", "g"], "{t}");
    // UAE: six initiatives, none of them the score.
    let u = stdout(&mizan(&["--format", "plain", "eval", UAE, UAE_ANSWERS]));
    assert_eq!(header(&u).len(), 3 + 6, "{u}");
}

#[test]
fn meaningless_combinations_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let answers = seven(dir.path());
    for (args, says) in [
        (
            vec!["--format", "json", "eval", BANDS, &answers, "--sort", "score"],
            "--sort and --format json",
        ),
        (
            vec!["--format", "jsonl", "eval", BANDS, &answers, "--depth", "2"],
            "--depth and --format jsonl",
        ),
        (
            vec!["eval", BANDS, &answers, "--summary", "--sort", "id"],
            "--sort and --summary",
        ),
        (
            vec!["eval", BANDS, &answers, "--explain", "x1", "--depth", "2"],
            "--depth and --explain",
        ),
        (
            vec!["eval", UAE, UAE_ANSWERS, "--sort", "rank"],
            "--sort rank: the rubric declares no `rank`",
        ),
        (
            vec!["eval", BANDS, &answers, "--sort", "best"],
            "invalid value 'best'",
        ),
    ] {
        let o = mizan(&args);
        assert_eq!(o.status.code(), Some(64), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
}

// ---------------------------------------------------------------- determinism

#[test]
fn arabic_output_is_byte_identical_across_runs_and_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let answers = many(dir.path());
    let runs: Vec<Vec<&str>> = vec![
        vec!["--lang", "ar", "eval", UAE, UAE_ANSWERS],
        vec!["--lang", "ar", "--format", "json", "eval", UAE, UAE_ANSWERS],
        vec!["--lang", "ar", "eval", UAE, UAE_ANSWERS, "--explain", "mofaic"],
        vec!["--lang", "ar", "eval", UAE, UAE_ANSWERS, "--summary"],
        vec!["--lang", "ar", "--format", "jsonl", "eval", BANDS, &answers],
        vec![
            "--lang", "ar", "eval", BANDS, &answers, "--sort", "rank", "--depth", "2",
        ],
    ];
    for args in runs {
        let base = mizan(&args);
        for jobs in ["1", "2", "4"] {
            let mut a = args.clone();
            a.extend(["--jobs", jobs]);
            let o = mizan(&a);
            assert_eq!(o.stdout, base.stdout, "{a:?}");
            assert_eq!(o.stderr, base.stderr, "{a:?}");
        }
    }
    // MIZAN_LANG gives the same bytes as --lang.
    let env = Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["eval", UAE, UAE_ANSWERS])
        .env("NO_COLOR", "1")
        .env("MIZAN_LANG", "ar")
        .output()
        .unwrap();
    assert_eq!(
        env.stdout,
        mizan(&["--lang", "ar", "eval", UAE, UAE_ANSWERS]).stdout
    );
}
