//! The web form (`mizan::render::form`, issue 23): every applicable
//! criterion of the UAE 2018 rubric has an input with its options in both
//! languages, N/A only where the rubric allows it; a profile that rules
//! criteria out hides them; the page's pre-filled fields, posted back
//! through `answers_from_form`, score exactly as the answer set they came
//! from; the problems of a rejected answer set appear beside their
//! questions and in a summary; every string is escaped; the page is
//! deterministic and loads nothing from outside; the demo rubric's form
//! is kept as a snapshot in both languages. Repeated nodes: the instances
//! demo and EGBR 2023 services answer sets survive the form (the same
//! `mizan eval --format json` document), instances are added and removed
//! through the posted fields, their problems appear beside their
//! questions, a `keys LIST` fixes the instances, and the instances demo's
//! form is a snapshot in both languages.
//!
//! With `MIZAN_FORM_DIR=DIR`, `write_pages_for_a_look` writes the UAE and
//! demo forms there (to look at them in a browser).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

mod support;

use std::fs;

use mizan::answers::AnswerError;
use mizan::model::{AnswerKind, NodeKind};
use mizan::render::form::{answers_from_form, message, page, FormState, Notice};
use mizan::render::Lang;
use mizan::Rubric;
use serde_json::Value;
use support::load_clean;

const UAE: &str = "rules/uae/integration/2018.mizan";
const UAE_ANSWERS: &str = "examples/uae-integration-2018";
const DEMO: &str = "examples/demo/digital-readiness.mizan";
const LANGS: [Lang; 2] = [Lang::En, Lang::Ar];

/// Text as minijinja's HTML escaping writes it.
fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2f;"),
            c => out.push(c),
        }
    }
    out
}

fn unesc(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// The attributes of a start tag's text (after its name, before `>`).
fn attrs(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let name = rest[..end].to_string();
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix("=\"") {
            let close = r.find('"').unwrap();
            out.push((name, Some(unesc(&r[..close]))));
            rest = &r[close + 1..];
        } else {
            out.push((name, None));
        }
        rest = rest.trim_start();
    }
    out
}

fn get<'a>(a: &'a [(String, Option<String>)], k: &str) -> Option<&'a str> {
    a.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.as_deref())
}

fn has(a: &[(String, Option<String>)], k: &str) -> bool {
    a.iter().any(|(n, _)| n == k)
}

/// What a browser posts for the form as rendered, without a click: the
/// successful controls (checked radios and checkboxes, selected options,
/// text and number inputs, hidden inputs), outside disabled fieldsets.
fn successful(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut disabled: Vec<bool> = Vec::new();
    let mut select: Option<(String, bool, Option<String>)> = None;
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
        let (name, body) = tag.split_at(name_end);
        let off = disabled.iter().any(|d| *d);
        match name {
            "fieldset" => disabled.push(has(&attrs(body), "disabled")),
            "/fieldset" => {
                disabled.pop();
            }
            "input" if !off => {
                let a = attrs(body);
                let ty = get(&a, "type").unwrap_or("text");
                if let (Some(n), false) = (get(&a, "name"), has(&a, "disabled")) {
                    let v = get(&a, "value").unwrap_or("").to_string();
                    let on = match ty {
                        "radio" | "checkbox" => has(&a, "checked"),
                        "submit" => false,
                        _ => true,
                    };
                    if on {
                        out.push((n.to_string(), v));
                    }
                }
            }
            "select" if !off => {
                let a = attrs(body);
                if !has(&a, "disabled") {
                    select = Some((get(&a, "name").unwrap().to_string(), false, None));
                }
            }
            "option" => {
                if let Some((_, chosen, first)) = &mut select {
                    let a = attrs(body);
                    let v = get(&a, "value").unwrap().to_string();
                    if first.is_none() {
                        *first = Some(v.clone());
                    }
                    if has(&a, "selected") && !*chosen {
                        *chosen = true;
                        *first = Some(v);
                    }
                }
            }
            "/select" => {
                if let Some((n, _, v)) = select.take() {
                    out.push((n, v.unwrap_or_default()));
                }
            }
            _ => {}
        }
    }
    out
}

/// The part of `html` from element `id` to the end of its fieldset or
/// section.
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(" id=\"{}\"", esc(id)))
        .unwrap_or_else(|| panic!("no element {id}"));
    let s = &html[start..];
    let end = [s.find("</fieldset>"), s.find("</section>")]
        .into_iter()
        .flatten()
        .min()
        .unwrap();
    &s[..end]
}

fn read_json(path: &str) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn state_of(answers: Value) -> FormState {
    FormState {
        entity: answers["entity"]["id"].as_str().unwrap().to_string(),
        answers: Some(answers),
        ..FormState::default()
    }
}

/// The answer sets of a folder, the invalid ones left out.
fn answer_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".json") && !p.contains("invalid"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_criterion_has_an_input_with_its_options_and_na_only_where_allowed() {
    let rubric = load_clean(UAE);
    let model = rubric.model();
    for lang in LANGS {
        let html = page(&rubric, lang, &FormState::default()).unwrap();
        let dir = if lang == Lang::Ar { "rtl" } else { "ltr" };
        assert!(html.contains(&format!("<html lang=\"{}\" dir=\"{dir}\">", lang.tag())));
        assert!(html.contains("<form method=\"post\""));
        assert!(html.contains("name=\"action\" value=\"draft\""));
        assert!(html.contains("name=\"action\" value=\"submit\""));
        let mut criteria = 0;
        for n in &model.nodes {
            let NodeKind::Criterion(c) = &n.kind else { continue };
            criteria += 1;
            let q = element(&html, &format!("q-{}", n.id));
            assert!(!q.contains(" hidden"), "{} is hidden with no profile", n.id);
            let title = mizan::render::title(lang, &n.title).unwrap();
            assert!(q.contains(&esc(title)), "{}: title in {lang:?}", n.id);
            let AnswerKind::Choice { options, .. } = &c.answer else {
                panic!("UAE 2018 has choices only")
            };
            for o in options {
                let input = format!("name=\"a:{}\" value=\"{}\"", n.id, o.id);
                let shown = q.contains(&input);
                assert_eq!(shown, !o.is_na() || c.na_allowed, "{} option {}", n.id, o.id);
                if shown {
                    assert!(q.contains(&esc(lang.pick(&o.label).unwrap())));
                }
            }
        }
        assert_eq!(criteria, 66);
        // Level headings in the reader's language.
        assert!(html.contains(lang.t("Initiative", "المبادرة")));
    }
    // fednet.1.2 offers no N/A; fednet.1.1 does.
    let html = page(&rubric, Lang::En, &FormState::default()).unwrap();
    assert!(!element(&html, "q-fednet.1.2").contains("value=\"na\""));
    assert!(element(&html, "q-fednet.1.1").contains("value=\"na\""));
}

#[test]
fn demo_inputs_have_their_kinds_bounds_and_na_rules() {
    let rubric = load_clean(DEMO);
    let html = page(&rubric, Lang::En, &FormState::default()).unwrap();
    // A number with its bounds.
    let share = element(&html, "q-data.share");
    assert!(share.contains("type=\"number\" step=\"any\" name=\"a:data.share\""));
    assert!(share.contains("min=\"0\" max=\"100\""));
    assert!(element(&html, "q-data.rank").contains("min=\"1\" max=\"200\""));
    // Checkboxes for a multi-select, with "none of these".
    let multi = element(&html, "q-services.2.1");
    assert!(multi.contains("type=\"checkbox\" name=\"a:services.2.1\" value=\"web\""));
    assert!(multi.contains("value=\"-\""));
    // Yes/no.
    let yn = element(&html, "q-services.2.2");
    assert!(yn.contains("type=\"radio\" name=\"a:services.2.2\" value=\"yes\""));
    assert!(yn.contains("value=\"no\""));
    // `na forbidden` on a criterion whose scale has N/A.
    assert!(!element(&html, "q-services.1.3").contains("value=\"na\""));
    assert!(element(&html, "q-services.1.1").contains("value=\"na\""));
    // Profile fields first: an enum select and a yes/no field.
    let profile = html.find("id=\"profile\"").unwrap();
    assert!(profile < html.find("id=\"q-services.1.1\"").unwrap());
    assert!(html.contains("<select id=\"p-role-in\" name=\"p:role\""));
    assert!(html.contains("name=\"p:federal\" value=\"true\""));
}

#[test]
fn a_profile_that_rules_criteria_out_hides_them() {
    let rubric = load_clean(UAE);
    let mut moi = read_json(&format!("{UAE_ANSWERS}/moi.json"));
    assert_eq!(moi["entity"]["profile"]["role"], "data_provider");
    for lang in LANGS {
        let html = page(&rubric, lang, &state_of(moi.clone())).unwrap();
        // gsb.3.1 `applies when role != data_provider`.
        assert!(html.contains("data-kind=\"choice\" hidden disabled"));
        assert!(element(&html, "q-gsb.3.1").contains("hidden disabled"));
        assert!(!element(&html, "q-gsb.3.2").contains("hidden"));
        assert!(html.contains(lang.t(
            "does not apply to this entity&#x27;s profile",
            "لا ينطبق على الملف التعريفي"
        )));
        // Nothing of it is posted.
        assert!(!successful(&html).iter().any(|(k, _)| k == "a:gsb.3.1"));
    }
    moi["entity"]["profile"]["role"] = "data_consumer".into();
    let html = page(&rubric, Lang::En, &state_of(moi.clone())).unwrap();
    assert!(!element(&html, "q-gsb.3.1").contains("hidden"));
    assert!(element(&html, "q-gsb.3.2").contains("hidden disabled"));
    // An unset or unknown role decides nothing: every question is shown.
    moi["entity"]["profile"]["role"] = "nobody".into();
    let html = page(&rubric, Lang::En, &state_of(moi)).unwrap();
    assert!(!html.contains("hidden disabled"));
}

/// The page pre-filled from an answer set, posted as it is, scores
/// exactly as the answer set (every node's outcome, the name, the profile).
fn round_trip(rubric: &Rubric, path: &str) {
    let original = fs::read_to_string(path).unwrap();
    let value: Value = serde_json::from_str(&original).unwrap();
    let entity = value["entity"]["id"].as_str().unwrap().to_string();
    let want = rubric.evaluate_json(path, &original).unwrap();
    for lang in LANGS {
        let html = page(rubric, lang, &state_of(value.clone())).unwrap();
        let fields = successful(&html);
        let back = answers_from_form(rubric, &entity, &fields);
        let got = rubric
            .evaluate_json("form", &back.to_string())
            .unwrap_or_else(|e| panic!("{path} ({lang:?}): {e:?}\n{back}"));
        assert_eq!(got.outcomes, want.outcomes, "{path} ({lang:?})");
        assert_eq!(got.score(), want.score());
        assert_eq!(got.submission.name, want.submission.name);
        assert_eq!(got.submission.profile, want.submission.profile);
        assert_eq!(got.submission.answers, want.submission.answers, "{path}");
        assert!(got.warnings.is_empty(), "{path}: {:?}", got.warnings);
    }
}

#[test]
fn uae_answer_sets_survive_the_form_exactly() {
    let rubric = load_clean(UAE);
    let files = answer_files(UAE_ANSWERS);
    assert_eq!(files.len(), 12);
    for f in &files {
        round_trip(&rubric, f);
    }
    // moe's score is the CLI's (EXPECTED.md: 0.5648…; the CLI rounds to
    // 56.48%).
    let moe = format!("{UAE_ANSWERS}/moe.json");
    let value = read_json(&moe);
    let html = page(&rubric, Lang::En, &state_of(value)).unwrap();
    let back = answers_from_form(&rubric, "moe", &successful(&html));
    let got = rubric.evaluate_json("form", &back.to_string()).unwrap();
    let shown = mizan::render::percent(got.score().unwrap(), rubric.model().precision);
    let out = support::mizan(&["eval", UAE, &moe]);
    assert!(support::stdout(&out).contains(&shown), "{shown}");
}

#[test]
fn demo_answer_sets_survive_the_form_exactly() {
    let rubric = load_clean(DEMO);
    for f in answer_files("examples/demo/answers") {
        round_trip(&rubric, &f);
    }
}

#[test]
fn the_form_reads_its_fields_as_documented() {
    let rubric = load_clean(DEMO);
    let f = |pairs: &[(&str, &str)]| {
        let fields: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        answers_from_form(&rubric, "moe", &fields)
    };
    let v = f(&[
        ("action", "draft"),
        ("e:name", ""),
        ("p:role", "both"),
        ("p:federal", "false"),
        ("a:services.1.1", ""),
        ("a:services.1.2", "partial"),
        ("a:services.2.1", "web"),
        ("a:services.2.1", "centre"),
        ("a:services.2.2", "no"),
        ("a:data.share", "12.50"),
        ("a:data.rank", "twelve"),
        ("a:nope", "yes"),
        ("x", "y"),
    ]);
    assert_eq!(
        v.to_string(),
        r#"{"rubric":"demo.readiness","version":"2024","entity":{"id":"moe","profile":{"role":"both","federal":false}},"answers":{"services.1.2":"partial","services.2.1":["web","centre"],"services.2.2":"no","data.share":12.50,"data.rank":"twelve"}}"#
    );
    // "None of these" is the empty set; N/A for a number is a code.
    let v = f(&[
        ("a:services.2.1", "-"),
        ("c:data.share", "na"),
        ("a:data.share", "3"),
    ]);
    assert_eq!(v["answers"]["services.2.1"], serde_json::json!([]));
    assert_eq!(v["answers"]["data.share"], "na");
    // The text that is no number is rejected by the reader, beside its question.
    let errs = rubric
        .evaluate_json("form", &f(&[("a:data.rank", "twelve")]).to_string())
        .unwrap_err();
    assert!(errs
        .iter()
        .any(|e| e.pointer == "/answers/data.rank" && matches!(e.error, AnswerError::WrongKind { .. })));
}

#[test]
fn problems_appear_beside_their_questions_in_the_readers_language() {
    let rubric = load_clean(UAE);
    let path = format!("{UAE_ANSWERS}/zz-invalid.json");
    let text = fs::read_to_string(&path).unwrap();
    let problems = rubric.evaluate_json(&path, &text).unwrap_err();
    assert!(!problems.is_empty());
    for lang in LANGS {
        let state = FormState {
            problems: problems.clone(),
            notice: Some(Notice::Rejected),
            ..state_of(serde_json::from_str(&text).unwrap())
        };
        let html = page(&rubric, lang, &state).unwrap();
        let summary = element(&html, "summary");
        assert!(!summary.contains(" hidden"));
        for p in &problems {
            let id = p.pointer.strip_prefix("/answers/").expect("located at an answer");
            let msg = esc(&message(lang, &p.error));
            assert!(element(&html, &format!("q-{id}")).contains(&msg), "{id}: {msg}");
            assert!(html.contains(&format!("has-problem\" id=\"q-{id}\"")));
            assert!(summary.contains(&format!("href=\"#q-{id}\"")));
            assert!(summary.contains(&msg));
        }
        if lang == Lang::Ar {
            assert!(html.contains("ليس من خيارات هذا المعيار"));
            assert!(html.contains("لا توجد إجابة"));
        }
    }
    // Without problems, the summary is there (for the script) but hidden.
    let html = page(&rubric, Lang::En, &FormState::default()).unwrap();
    assert!(element(&html, "summary").contains(" hidden"));
}

#[test]
fn every_string_is_escaped() {
    let rules = r#"
rubric demo.esc {
  version "1"
  title en "<b>Rubric</b>"
  profile { kind: one of a, b en "<i>Kind</i>" }
  scale yn { yes 1 en "<script>alert(1)</script>"  no 0 en "No & never" }
  aggregate ratio
  criterion c1 { title en "<img src=x onerror=alert(1)>" description en "a < b" choice yn }
  criterion c2 { number 0..10 score value / 10 }
}"#;
    let (rubric, diags) = mizan::load("esc.mizan", rules);
    assert!(diags.errors.is_empty(), "{diags:?}");
    let rubric = rubric.unwrap();
    let answers = serde_json::json!({
        "rubric": "demo.esc", "version": "1",
        "entity": {"id": "x\"><script>alert(2)</script>", "name": "<script>alert(3)</script>",
                   "profile": {"kind": "<script>alert(4)</script>"}},
        "answers": {"c1": "\"><script>alert(5)</script>", "c2": 1},
        "instances": {"evil": "</script><script>alert(6)</script>"}
    });
    let problems = rubric.evaluate_json("x", &answers.to_string()).unwrap_err();
    let state = FormState {
        entity: answers["entity"]["id"].as_str().unwrap().to_string(),
        answers: Some(answers),
        problems,
        evaluate_url: Some("/e?a=1&b=\"<script>".into()),
        action: "\"><script>alert(7)</script>".into(),
        ..FormState::default()
    };
    for lang in LANGS {
        let html = page(&rubric, lang, &state).unwrap();
        // The only script element is the form's own.
        assert_eq!(html.matches("<script").count(), 1, "{html}");
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("<i>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert!(html.contains("&lt;script&gt;alert(3)&lt;&#x2f;script&gt;"));
        // The unknown option's message names it, escaped.
        assert!(html.contains("alert(5)"));
    }
}

#[test]
fn the_page_is_deterministic_and_loads_nothing_from_outside() {
    let rubric = load_clean(UAE);
    let value = read_json(&format!("{UAE_ANSWERS}/mof.json"));
    let result = rubric.evaluate_json("mof", &value.to_string()).unwrap();
    let state = FormState {
        result: Some(result),
        notice: Some(Notice::Saved),
        evaluate_url: Some("/rubrics/uae.integration/2018/evaluate".into()),
        ..state_of(value)
    };
    for lang in LANGS {
        let a = page(&rubric, lang, &state).unwrap();
        let b = page(&rubric, lang, &state).unwrap();
        assert_eq!(a, b);
        assert!(!a.contains("http:") && !a.contains("https:") && !a.contains("//cdn"));
        assert!(!a.contains(" src=") && !a.contains("<link"));
        // The live score after a save, in the rubric's precision.
        assert!(a.contains("id=\"score-value\""));
        assert!(a.contains(lang.t("Draft saved.", "حُفظت المسودة.")));
        assert!(a.contains("data-evaluate=\"&#x2f;rubrics&#x2f;uae.integration&#x2f;2018&#x2f;evaluate\""));
        assert!(a.contains("<script>"));
    }
    // Without an evaluate URL, no script at all.
    let html = page(&rubric, Lang::En, &FormState::default()).unwrap();
    assert!(!html.contains("<script"));
}

const SERVICES: &str = "examples/instances/services.mizan";
const EGBR: &str = "rules/eu/egovernment-benchmark-services/2023.mizan";

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// `mizan eval --format json` of one answer set, and its warnings.
fn eval_json(rubric: &Rubric, text: &str) -> (Value, Value) {
    let origin = mizan::answers::Origin {
        file: "x.json".into(),
        line: None,
    };
    let batch = rubric.evaluate_batch(vec![(origin, text.to_string())]);
    assert_eq!(batch.rejected, 0, "{:?}", batch.errors);
    let mut out: Value =
        serde_json::from_str(&mizan::render::json::to_string(rubric.model(), &batch)).unwrap();
    let warnings = out["warnings"].take();
    (out, warnings)
}

/// An answer set with instances, through the page's own fields and back:
/// the same `mizan eval --format json` document (every node and instance
/// score), without warnings: the answers the original gives to questions
/// an instance's fields rule out (M0412 warnings) are not asked, so not
/// posted.
fn round_trip_instances(rubric: &Rubric, path: &str) -> Value {
    let original = fs::read_to_string(path).unwrap();
    let value: Value = serde_json::from_str(&original).unwrap();
    let entity = value["entity"]["id"].as_str().unwrap().to_string();
    let (want, _) = eval_json(rubric, &original);
    let mut last = Value::Null;
    for lang in LANGS {
        let html = page(rubric, lang, &state_of(value.clone())).unwrap();
        let back = answers_from_form(rubric, &entity, &successful(&html));
        let (got, warnings) = eval_json(rubric, &back.to_string());
        assert_eq!(got, want, "{path} ({lang:?})");
        assert_eq!(warnings, serde_json::json!([]), "{path}");
        last = back;
    }
    last
}

#[test]
fn instance_answer_sets_survive_the_form_exactly() {
    let rubric = load_clean(SERVICES);
    let files = answer_files("examples/instances/answers");
    assert!(!files.is_empty());
    for f in &files {
        let back = round_trip_instances(&rubric, f);
        // Every instance is there, nested, with its key, fields and answers.
        let le = back["instances"]["le"].as_array().unwrap();
        assert_eq!(le.len(), 2);
        assert_eq!(le[0]["key"], "family|2022");
        assert_eq!(le[0]["profile"]["year"], 2022);
        let svc = le[0]["instances"]["svc"].as_array().unwrap();
        assert_eq!(svc.len(), 4);
        assert_eq!(svc[1]["key"], "S2");
        assert_eq!(svc[1]["profile"]["level"], "local");
        assert_eq!(svc[1]["instances"]["url"].as_array().unwrap().len(), 3);
        assert_eq!(svc[1]["instances"]["url"][2]["answers"]["q1"], "no");
    }
    let rubric = load_clean(EGBR);
    for f in [
        "examples/egbr-2023/services-zz-synthetic.json",
        "examples/egbr-2023/services-hu.json",
    ] {
        let back = round_trip_instances(&rubric, f);
        let want = read_json(f);
        assert_eq!(
            back["instances"]["le"].as_array().unwrap().len(),
            want["instances"]["le"].as_array().unwrap().len()
        );
    }
}

#[test]
fn instances_are_edited_with_their_keys_fields_criteria_and_nested_lists() {
    let rubric = load_clean(SERVICES);
    let value = read_json("examples/instances/answers/alpha.json");
    for lang in LANGS {
        let html = page(&rubric, lang, &state_of(value.clone())).unwrap();
        // The old note and the JSON field are gone.
        assert!(!html.contains("j:instances"));
        // Each instance: its key, its fields with their labels, its criteria.
        assert!(
            html.contains("name=\"le&#x2f;0&#x2f;key\" value=\"family|2022\""),
            "{html}"
        );
        let s2 = element(&html, "i-le/0/svc/1");
        assert!(s2.contains("name=\"le&#x2f;0&#x2f;svc&#x2f;1&#x2f;key\" value=\"S2\""));
        // An enum field's choices are its values' labels.
        let local = format!(
            "<option value=\"local\" selected>{}</option>",
            lang.t("Local", "محلية")
        );
        assert!(s2.contains(&local), "{s2}");
        assert!(s2.contains("name=\"le&#x2f;0&#x2f;svc&#x2f;1&#x2f;remove\" value=\"1\""));
        let q1 = element(&html, "q-le/0/svc/1/url/2/q1");
        assert!(
            q1.contains("name=\"le&#x2f;0&#x2f;svc&#x2f;1&#x2f;url&#x2f;2&#x2f;a:q1\" value=\"no\" checked")
        );
        assert!(q1.contains("value=\"nr\""));
        // An Add button per list, at every depth.
        for list in ["le", "le/0/svc", "le/0/svc/1/url", "le/1/svc/0/url"] {
            assert!(
                html.contains(&format!("name=\"add\" value=\"{}\"", esc(list))),
                "{list}"
            );
        }
        assert!(html.contains(lang.t("Add Services", "إضافة الخدمات")));
        assert!(html.contains(lang.t("Remove this instance (on save)", "احذف هذه النسخة (عند الحفظ)")));
        // S4 is not applicable (`applies when applicable`): its questions
        // are hidden and not posted; its key and fields stay.
        let s4 = element(&html, "i-le/0/svc/3");
        assert!(s4.contains("name=\"le&#x2f;0&#x2f;svc&#x2f;3&#x2f;key\" value=\"S4\""));
        assert!(s4.contains(lang.t("rule its questions out", "تستبعد حقول هذه النسخة")));
        assert!(element(&html, "q-le/0/svc/3/url/0/q1").contains("hidden disabled"));
        assert!(!element(&html, "q-le/0/svc/2/url/0/q1").contains("hidden"));
    }
}

#[test]
fn instances_are_added_and_removed_through_the_posted_fields() {
    let rubric = load_clean(SERVICES);
    let value = read_json("examples/instances/answers/alpha.json");
    let html = page(&rubric, Lang::En, &state_of(value.clone())).unwrap();
    let mut fields = successful(&html);
    // Remove S1 and the second life event; add a service to the first.
    fields.push(("le/0/svc/0/remove".into(), "1".into()));
    fields.push(("le/1/remove".into(), "1".into()));
    fields.push(("add".into(), "le/0/svc".into()));
    let back = answers_from_form(&rubric, "alpha", &fields);
    let le = back["instances"]["le"].as_array().unwrap();
    assert_eq!(le.len(), 1);
    let svc = le[0]["instances"]["svc"].as_array().unwrap();
    let keys: Vec<&Value> = svc.iter().map(|s| &s["key"]).collect();
    assert_eq!(
        keys,
        [
            &Value::from("S2"),
            &Value::from("S3"),
            &Value::from("S4"),
            &Value::Null
        ]
    );
    assert_eq!(
        svc[3],
        serde_json::json!({"answers": {}, "instances": {"url": []}})
    );
    assert_eq!(
        mizan::render::form::added_anchor(&back, "le/0/svc").as_deref(),
        Some("i-le/0/svc/3")
    );
    // The new instance is shown, empty, and its missing fields are
    // problems beside it, in both languages.
    let problems = rubric.evaluate_json("form", &back.to_string()).unwrap_err();
    assert!(problems
        .iter()
        .any(|p| p.pointer == "/instances/le/0/instances/svc/3/profile/type"));
    for lang in LANGS {
        let state = FormState {
            problems: problems.clone(),
            ..state_of(back.clone())
        };
        let html = page(&rubric, lang, &state).unwrap();
        let new = element(&html, "i-le/0/svc/3");
        assert!(new.contains("name=\"le&#x2f;0&#x2f;svc&#x2f;3&#x2f;key\" value=\"\""));
        // Its fields not given yet, nothing of it is ruled out.
        assert!(!new.contains("ruled-out"), "{new}");
        assert!(!html.contains(&format!("id=\"{}\" hidden", esc("q-le/0/svc/3/url"))));
        let field = element(&html, "p-le/0/svc/3/type");
        assert!(field.contains(message(lang, &AnswerError::MissingField { name: "type".into() }).as_str()));
        assert!(html.contains("href=\"#p-le&#x2f;0&#x2f;svc&#x2f;3&#x2f;type\""));
        // Filled in and posted again, it is a service like the others.
        let mut fields = successful(&html);
        for (k, v) in [
            ("type", "informational"),
            ("level", "central"),
            ("applicable", "true"),
            ("proactive", "true"),
        ] {
            fields.retain(|(n, _)| n != &format!("le/0/svc/3/p:{k}"));
            fields.push((format!("le/0/svc/3/p:{k}"), v.into()));
        }
        fields.push(("le/0/svc/3/key".into(), "S5".into()));
        let again = answers_from_form(&rubric, "alpha", &fields);
        assert_eq!(again["instances"]["le"][0]["instances"]["svc"][3]["key"], "S5");
        rubric.evaluate_json("form", &again.to_string()).unwrap();
    }
    // Without `add` and `remove`, nothing changes; an empty list stays.
    let none = answers_from_form(&rubric, "alpha", &pairs(&[("action", "draft")]));
    assert_eq!(none["instances"], serde_json::json!({"le": []}));
}

#[test]
fn instance_problems_appear_beside_their_questions_in_the_readers_language() {
    let rubric = load_clean(EGBR);
    let mut value = read_json("examples/egbr-2023/services-zz-synthetic.json");
    value["instances"]["le"][0]["instances"]["svc"][1]["answers"]["svc.oa"] = serde_json::json!(150);
    value["instances"]["le"][0]["instances"]["svc"][1]["key"] = serde_json::json!(true);
    let problems = rubric.evaluate_json("x", &value.to_string()).unwrap_err();
    let oa = "/instances/le/0/instances/svc/1/answers/svc.oa";
    assert!(problems.iter().any(|p| p.pointer == oa), "{problems:?}");
    assert!(problems
        .iter()
        .any(|p| p.pointer == "/instances/le/0/instances/svc/1/key"));
    for lang in LANGS {
        let state = FormState {
            problems: problems.clone(),
            notice: Some(Notice::Rejected),
            ..state_of(value.clone())
        };
        let html = page(&rubric, lang, &state).unwrap();
        let q = element(&html, "q-le/0/svc/1/svc.oa");
        let bounds = problems.iter().find(|p| p.pointer == oa).unwrap();
        assert!(html.contains(&format!("has-problem\" id=\"{}\"", esc("q-le/0/svc/1/svc.oa"))));
        assert!(q.contains(message(lang, &bounds.error).as_str()), "{q}");
        if lang == Lang::Ar {
            assert!(q.contains("خارج الحدود المسموح بها"));
        }
        let key = element(&html, "k-le/0/svc/1");
        assert!(key.contains("M04"), "{key}");
        // The summary links to them, the instance named.
        assert!(html.contains("href=\"#q-le&#x2f;0&#x2f;svc&#x2f;1&#x2f;svc.oa\""));
        let service = lang.t("National service", "خدمة وطنية");
        assert!(html.contains(&format!("{service} #2 › ")), "{lang:?}");
    }
}

#[test]
fn a_keys_list_fixes_the_instances_and_their_listed_fields() {
    let rubric = load_clean("tests/keys/keys.mizan");
    // One instance given, misspelt; the list's other id missing.
    let value = serde_json::json!({
        "rubric": "demo.keys", "version": "1", "entity": {"id": "x"}, "answers": {},
        "instances": {"cat": [{"key": "popp", "answers": {"ind": 5}}]}
    });
    let problems = rubric.evaluate_json("x", &value.to_string()).unwrap_err();
    let html = page(
        &rubric,
        Lang::En,
        &FormState {
            problems: problems.clone(),
            ..state_of(value.clone())
        },
    )
    .unwrap();
    // The misspelt instance can be corrected or removed; the list's ids
    // are shown read-only, their fields given, no Add button.
    assert!(!html.contains("name=\"add\""));
    assert!(html.contains("name=\"cat&#x2f;0&#x2f;key\" value=\"popp\" dir=\"auto\">"));
    assert!(html.contains("name=\"cat&#x2f;0&#x2f;remove\""));
    assert!(html.contains("name=\"cat&#x2f;1&#x2f;key\" value=\"pop\" dir=\"auto\" readonly>"));
    assert!(html.contains("name=\"cat&#x2f;2&#x2f;key\" value=\"gdp\" dir=\"auto\" readonly>"));
    assert!(!html.contains("name=\"cat&#x2f;1&#x2f;remove\""));
    let gdp = element(&html, "p-cat/2/group");
    assert!(gdp.contains("disabled") && gdp.contains("<option value=\"economic\" selected>"));
    // The unknown key beside its instance, the missing ids beside the list.
    assert!(element(&html, "i-cat/0").contains("M0429"), "{problems:?}");
    assert!(element(&html, "q-cat").contains("M0428"), "{problems:?}");
    let ar = page(
        &rubric,
        Lang::Ar,
        &FormState {
            problems: problems.clone(),
            ..state_of(value.clone())
        },
    )
    .unwrap();
    assert!(element(&ar, "i-cat/0").contains("النسخة «popp» من «cat» لا تطابق القائمة «category»"));
    assert!(element(&ar, "q-cat").contains("مفقودة: تتطلبها القائمة «category»"));
    // Posted as shown with the misspelt one removed and answers given: valid.
    let mut fields = successful(&html);
    fields.push(("cat/0/remove".into(), "1".into()));
    fields.push(("cat/1/a:ind".into(), "5".into()));
    fields.push(("cat/2/a:ind".into(), "10".into()));
    fields.push(("add".into(), "cat".into()));
    let back = answers_from_form(&rubric, "x", &fields);
    assert_eq!(
        back["instances"],
        serde_json::json!({"cat": [{"key": "pop", "answers": {"ind": 5}}, {"key": "gdp", "answers": {"ind": 10}}]})
    );
    let r = rubric.evaluate_json("x", &back.to_string()).unwrap();
    assert_eq!(r.score().unwrap().to_string(), "0.75");
}

#[test]
fn instances_form_snapshot() {
    let rubric = load_clean(SERVICES);
    let value = read_json("examples/instances/answers/alpha.json");
    for lang in LANGS {
        let html = page(&rubric, lang, &state_of(value.clone())).unwrap();
        insta::assert_snapshot!(format!("form_instances_{}", lang.tag()), html);
    }
}

#[test]
fn demo_form_snapshot() {
    let rubric = load_clean(DEMO);
    let value = read_json("examples/demo/answers/moe.json");
    let result = rubric.evaluate_json("moe", &value.to_string()).unwrap();
    for lang in LANGS {
        let state = FormState {
            result: Some(result.clone()),
            notice: Some(Notice::Saved),
            ..state_of(value.clone())
        };
        let html = page(&rubric, lang, &state).unwrap();
        insta::assert_snapshot!(format!("form_demo_{}", lang.tag()), html);
    }
}

/// Writes the forms to `MIZAN_FORM_DIR` to look at them (nothing without it).
#[test]
fn write_pages_for_a_look() {
    let Ok(dir) = std::env::var("MIZAN_FORM_DIR") else {
        return;
    };
    let rubric = load_clean(UAE);
    let path = format!("{UAE_ANSWERS}/zz-invalid.json");
    let text = fs::read_to_string(&path).unwrap();
    let problems = rubric.evaluate_json(&path, &text).unwrap_err();
    let moi = read_json(&format!("{UAE_ANSWERS}/moi.json"));
    let result = rubric.evaluate_json("moi", &moi.to_string()).unwrap();
    for lang in LANGS {
        let state = FormState {
            problems: problems.clone(),
            notice: Some(Notice::Rejected),
            evaluate_url: Some("/rubrics/uae.integration/2018/evaluate".into()),
            ..state_of(serde_json::from_str(&text).unwrap())
        };
        let html = page(&rubric, lang, &state).unwrap();
        fs::write(format!("{dir}/uae-invalid-{}.html", lang.tag()), html).unwrap();
        let state = FormState {
            result: Some(result.clone()),
            notice: Some(Notice::Saved),
            ..state_of(moi.clone())
        };
        let html = page(&rubric, lang, &state).unwrap();
        fs::write(format!("{dir}/uae-moi-{}.html", lang.tag()), html).unwrap();
        let demo = load_clean(DEMO);
        let state = FormState {
            evaluate_url: Some("/evaluate".into()),
            ..state_of(read_json("examples/demo/answers/moe.json"))
        };
        let html = page(&demo, lang, &state).unwrap();
        fs::write(format!("{dir}/demo-{}.html", lang.tag()), html).unwrap();
    }
}
