//! `mizan schema`: the JSON Schema of a rubric's answer sets, compiled by
//! an independent validator (the `jsonschema` crate) and held against the
//! exact reader on every shipped answer set: an answer set the engine
//! accepts must validate, and one it rejects for a reason a schema can
//! express (an unknown option, key or criterion, a number out of bounds,
//! a wrong type) must not.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

mod support;

use std::fs;
use std::path::Path;

use mizan::answers::AnswerError;
use mizan::render::schema::answer_schema;
use mizan::render::Lang;
use serde_json::{json, Value};
use support::{every_answer_set, files_under, load_clean, mizan, stdout};

/// Every shipped rubric (rules/ and examples/) by path, and every rubric
/// under tests/ that checks.
fn shipped_rubrics() -> Vec<(String, mizan::Rubric)> {
    let mut files = Vec::new();
    for dir in ["rules", "examples", "tests"] {
        files_under(Path::new(dir), &["mizan"], &mut files);
    }
    files.sort();
    files
        .iter()
        .filter(|f| !mizan::testing::is_test_file(f))
        .filter_map(|f| {
            let name = f.display().to_string();
            let text = fs::read_to_string(f).unwrap();
            let (r, d) = mizan::load(&name, &text);
            let shipped = !name.starts_with("tests");
            assert!(!shipped || d.errors.is_empty(), "{name} does not check");
            r.filter(|_| d.errors.is_empty()).map(|r| (name, r))
        })
        .collect()
}

/// Whether a schema can see this problem whatever the profile.
fn expressible(e: &AnswerError) -> bool {
    matches!(
        e,
        AnswerError::Shape { .. }
            | AnswerError::WrongRubric { .. }
            | AnswerError::WrongVersion { .. }
            | AnswerError::UnknownCriterion { .. }
            | AnswerError::UnknownOption { .. }
            | AnswerError::WrongKind { .. }
            | AnswerError::OutOfBounds { .. }
            | AnswerError::NaNotAllowed { .. }
            | AnswerError::UnknownCode { .. }
            | AnswerError::UnknownField { .. }
            | AnswerError::UnknownValue { .. }
            | AnswerError::MissingField { .. }
            | AnswerError::DuplicateOption { .. }
            | AnswerError::UnknownKey { .. }
    )
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::new(schema).unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_shipped_answer_set_validates_as_the_reader_reads_it() {
    let sets = every_answer_set();
    let (mut valid, mut invalid) = (0, 0);
    for (name, rubric) in shipped_rubrics() {
        let m = rubric.model();
        let schema = answer_schema(m, Lang::En);
        let v = validator(&schema);
        // The schema is itself a valid 2020-12 schema.
        assert!(jsonschema::meta::is_valid(&schema), "{name}: not a valid schema");
        for (id, version, origin, text) in &sets {
            if *id != m.id || *version != m.version {
                continue;
            }
            let instance: Value = serde_json::from_str(text).unwrap();
            let at = format!("{name} / {}:{:?}", origin.file, origin.line);
            match rubric.evaluate_json(&origin.file, text) {
                Ok(_) => {
                    let errs = errors(&v, &instance);
                    assert!(
                        errs.is_empty(),
                        "{at} is accepted but fails the schema: {errs:#?}"
                    );
                    valid += 1;
                }
                Err(rej) => {
                    if rej.iter().any(|r| expressible(&r.error)) {
                        assert!(
                            !v.is_valid(&instance),
                            "{at} is rejected ({:?}) but passes the schema",
                            rej.iter().map(|r| r.error.to_string()).collect::<Vec<_>>()
                        );
                        invalid += 1;
                    }
                }
            }
        }
    }
    eprintln!("{valid} accepted and {invalid} rejected answer sets checked");
    assert!(valid >= 30, "only {valid} accepted answer sets checked");
    assert!(invalid >= 2, "only {invalid} malformed answer sets checked");
}

/// Every accepted answer set, each answer changed in turn to values of
/// every kind (or left out): where the reader accepts the change the schema
/// must, and where the reader rejects it for a reason a schema can express
/// the schema must too.
#[test]
fn the_schema_agrees_with_the_reader_on_every_answer_changed() {
    let sets = every_answer_set();
    let values = [
        json!("no_such_option"),
        json!("na"),
        json!("yes"),
        json!("no"),
        json!(true),
        json!(0),
        json!(1),
        json!(0.5),
        json!(-1),
        json!(1_000_000),
        json!([]),
        json!(["no_such_option"]),
        json!({}),
        Value::Null,
    ];
    let (mut agreed, mut refused, mut inside) = (0, 0, 0);
    for (name, rubric) in shipped_rubrics() {
        let m = rubric.model();
        let v = validator(&answer_schema(m, Lang::En));
        // The two smallest accepted answer sets of the rubric (each
        // change is read and scored in full).
        let mut mine: Vec<_> = sets
            .iter()
            .filter(|(id, version, _, _)| *id == m.id && *version == m.version)
            .filter(|(_, _, _, text)| rubric.evaluate_json("x", text).is_ok())
            .collect();
        mine.sort_by_key(|(_, _, origin, text)| (text.len(), origin.file.clone(), origin.line));
        for (_, _, origin, text) in mine.into_iter().take(2) {
            let set: Value = serde_json::from_str(text).unwrap();
            // Each answer given (the entity's and its instances'), left out
            // or changed to each value above or to another answer given (a
            // valid answer elsewhere).
            let mut tries: Vec<(String, String, Option<Value>)> = Vec::new();
            for at in answer_objects(&set, "") {
                let answers = set.pointer(&at).and_then(Value::as_object).unwrap();
                let mut given: Vec<&Value> = Vec::new();
                for x in answers.values() {
                    if !given.contains(&x) {
                        given.push(x);
                    }
                }
                for k in answers.keys() {
                    tries.push((at.clone(), k.clone(), None));
                    for x in values.iter().chain(given.iter().copied()) {
                        tries.push((at.clone(), k.clone(), Some(x.clone())));
                    }
                }
            }
            for (ptr, k, x) in tries {
                if ptr.starts_with("/instances") {
                    inside += 1;
                }
                let mut s = set.clone();
                let a = s.pointer_mut(&ptr).and_then(Value::as_object_mut).unwrap();
                match &x {
                    Some(x) => {
                        a.insert(k.clone(), x.clone());
                    }
                    None => {
                        a.remove(&k);
                    }
                }
                let text = serde_json::to_string(&s).unwrap();
                let at = format!("{name} / {}: {ptr}/{k} = {x:?}", origin.file);
                match rubric.evaluate_json("x", &text) {
                    Ok(_) => assert!(
                        v.is_valid(&s),
                        "{at}: accepted but fails the schema: {:#?}",
                        errors(&v, &s)
                    ),
                    Err(rej) => {
                        if rej.iter().any(|r| expressible(&r.error)) {
                            assert!(!v.is_valid(&s), "{at}: rejected ({rej:?}) but passes the schema");
                            refused += 1;
                        }
                    }
                }
                agreed += 1;
            }
        }
    }
    eprintln!("{agreed} changed answer sets ({inside} in instances), {refused} refused by both");
    assert!(refused >= 100 && inside >= 100);
}

/// The JSON pointers of every `answers` object of an answer set: the
/// entity's and those of its instances, recursively.
fn answer_objects(v: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    if v.get("answers").is_some_and(Value::is_object) {
        out.push(format!("{at}/answers"));
    }
    if let Some(sets) = v.get("instances").and_then(Value::as_object) {
        for (node, items) in sets {
            // The first instance of each repeated node.
            for (i, item) in items.as_array().into_iter().flatten().take(1).enumerate() {
                let token = node.replace('~', "~0").replace('/', "~1");
                out.extend(answer_objects(item, &format!("{at}/instances/{token}/{i}")));
            }
        }
    }
    out
}

/// A valid answer set of the demo rubric, to break one way at a time.
fn demo() -> (Value, jsonschema::Validator) {
    let r = load_clean("examples/demo/digital-readiness.mizan");
    let v = validator(&answer_schema(r.model(), Lang::En));
    let dir = Path::new("examples/demo/answers");
    let mut files: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let first = files
        .iter()
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let text = fs::read_to_string(first).unwrap();
    r.evaluate_json("demo", &text).unwrap();
    let set: Value = serde_json::from_str(&text).unwrap();
    assert!(v.is_valid(&set));
    (set, v)
}

#[test]
fn each_kind_of_problem_a_schema_can_express_fails_it() {
    let (set, v) = demo();
    let r = load_clean("examples/demo/digital-readiness.mizan");
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut s = set.clone();
        f(&mut s);
        s
    };
    let cases = [
        (
            "unknown option",
            broken(&|s| s["answers"]["services.1.1"] = json!("no_such_option")),
        ),
        ("wrong type", broken(&|s| s["answers"]["services.1.1"] = json!(3))),
        (
            "N/A where it is forbidden",
            broken(&|s| s["answers"]["services.1.3"] = json!("na")),
        ),
        (
            "an unknown option in a list",
            broken(&|s| s["answers"]["services.2.1"] = json!(["web", "fax"])),
        ),
        (
            "an option twice",
            broken(&|s| s["answers"]["services.2.1"] = json!(["web", "web"])),
        ),
        (
            "one option for a list",
            broken(&|s| s["answers"]["services.2.1"] = json!("web")),
        ),
        (
            "yes/no as a number",
            broken(&|s| s["answers"]["services.2.2"] = json!(1)),
        ),
        (
            "a number above its bounds",
            broken(&|s| s["answers"]["data.share"] = json!(100.5)),
        ),
        (
            "a number below its bounds",
            broken(&|s| s["answers"]["data.rank"] = json!(0)),
        ),
        (
            "a number as a string",
            broken(&|s| s["answers"]["data.share"] = json!("40")),
        ),
        (
            "a required answer null",
            broken(&|s| s["answers"]["services.1.1"] = Value::Null),
        ),
        (
            "a required answer left out",
            broken(&|s| {
                s["answers"].as_object_mut().unwrap().remove("services.1.1");
            }),
        ),
        (
            "an unknown profile value",
            broken(&|s| s["entity"]["profile"]["role"] = json!("auditor")),
        ),
        (
            "a profile field of the wrong type",
            broken(&|s| s["entity"]["profile"]["federal"] = json!("yes")),
        ),
        (
            "an unknown profile field",
            broken(&|s| s["entity"]["profile"]["size"] = json!(3)),
        ),
        (
            "a profile field left out",
            broken(&|s| {
                s["entity"]["profile"].as_object_mut().unwrap().remove("role");
            }),
        ),
        ("an empty entity id", broken(&|s| s["entity"]["id"] = json!(""))),
        (
            "unknown criterion",
            broken(&|s| s["answers"]["no.such.criterion"] = json!("yes")),
        ),
        ("unknown top-level key", broken(&|s| s["extra"] = json!(1))),
        ("unknown entity key", broken(&|s| s["entity"]["extra"] = json!(1))),
        ("wrong rubric", broken(&|s| s["rubric"] = json!("other"))),
        ("wrong version", broken(&|s| s["version"] = json!("1900"))),
        (
            "no answers",
            broken(&|s| {
                s.as_object_mut().unwrap().remove("answers");
            }),
        ),
    ];
    for (what, s) in cases {
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            r.evaluate_json("demo", &text).is_err(),
            "{what}: the reader accepts it"
        );
        assert!(!v.is_valid(&s), "{what}: the schema accepts it");
    }
    // What the reader accepts, the schema accepts too.
    let fine = [
        (
            "yes/no as a boolean",
            broken(&|s| s["answers"]["services.2.2"] = json!(true)),
        ),
        (
            "an answer missing worst left out",
            broken(&|s| {
                s["answers"].as_object_mut().unwrap().remove("services.2.2");
            }),
        ),
        (
            "an answer missing worst null",
            broken(&|s| s["answers"]["services.2.2"] = Value::Null),
        ),
        (
            "the N/A option",
            broken(&|s| s["answers"]["data.open"] = json!("na")),
        ),
        (
            "no options",
            broken(&|s| s["answers"]["services.2.1"] = json!([])),
        ),
        (
            "no name",
            broken(&|s| {
                s["entity"].as_object_mut().unwrap().remove("name");
            }),
        ),
    ];
    for (what, s) in fine {
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            r.evaluate_json("demo", &text).is_ok(),
            "{what}: the reader rejects it"
        );
        assert!(v.is_valid(&s), "{what}: {:#?}", errors(&v, &s));
    }
}

#[test]
fn numbers_out_of_bounds_and_unknown_codes_fail_the_schema() {
    let path = "examples/open-data-2026/open-data.mizan";
    let r = load_clean(path);
    let v = validator(&answer_schema(r.model(), Lang::En));
    let text = fs::read_to_string("examples/open-data-2026/invalid/mof.json").unwrap();
    let mut set: Value = serde_json::from_str(&text).unwrap();
    // A valid one first: every number in bounds.
    set["answers"]["edu.y10"] = json!(5);
    let ok = serde_json::to_string(&set).unwrap();
    assert!(r.evaluate_json(path, &ok).is_ok());
    assert!(v.is_valid(&set), "{:#?}", errors(&v, &set));
    for (what, value) in [
        ("above the maximum", json!(11)),
        ("below the minimum", json!(-1)),
        ("an unknown code", json!("tbd")),
        ("a list", json!([1])),
    ] {
        let mut s = set.clone();
        s["answers"]["pop.y5"] = value;
        let text = serde_json::to_string(&s).unwrap();
        assert!(
            r.evaluate_json(path, &text).is_err(),
            "{what}: the reader accepts it"
        );
        assert!(!v.is_valid(&s), "{what}: the schema accepts it");
    }
}

#[test]
fn the_schema_of_a_small_rubric() {
    let out = mizan(&["schema", "examples/open-data-2026/open-data.mizan"]);
    assert!(out.status.success());
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn the_output_is_byte_identical_across_runs_and_files() {
    let rules = "rules/uae/integration/2018.mizan";
    let a = mizan(&["schema", rules]);
    let b = mizan(&["schema", rules]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.json");
    let c = mizan(&["schema", rules, "-o", file.to_str().unwrap()]);
    assert!(c.status.success());
    assert!(c.stdout.is_empty());
    assert_eq!(fs::read(&file).unwrap(), a.stdout);
    // The library gives the same document.
    let r = load_clean(rules);
    let lib = serde_json::to_string_pretty(&answer_schema(r.model(), Lang::En)).unwrap() + "\n";
    assert_eq!(lib.as_bytes(), a.stdout.as_slice());
}

#[test]
fn titles_follow_the_language_and_every_label_is_kept() {
    let ar = mizan(&[
        "--lang",
        "ar",
        "schema",
        "examples/open-data-2026/open-data.mizan",
    ]);
    let s: Value = serde_json::from_slice(&ar.stdout).unwrap();
    assert_eq!(s["title"], "جرد البيانات المفتوحة");
    assert_eq!(s["x-title-en"], "Open data inventory");
    assert_eq!(s["x-title-ar"], "جرد البيانات المفتوحة");
}

#[test]
fn a_rule_file_with_errors_gives_no_schema() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.mizan");
    fs::write(&bad, "mizan 1\nrubric x {\n").unwrap();
    let out = mizan(&["schema", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

/// A field of labelled values (`one of { … }`) gives its labels, in the
/// schema's language, as `x-enum-titles` beside `enum` (the ids an answer
/// set gives); a field of bare values, its ids.
#[test]
fn profile_values_carry_their_labels() {
    for (lang, titles) in [
        (
            "en",
            json!(["Data provider", "Data consumer", "Provider and consumer"]),
        ),
        (
            "ar",
            json!([
                "جهة موفرة للبيانات",
                "جهة مستخدمة للبيانات",
                "موفرة ومستخدمة للبيانات"
            ]),
        ),
    ] {
        let out = mizan(&["--lang", lang, "schema", "examples/demo/digital-readiness.mizan"]);
        assert!(out.status.success());
        let s: Value = serde_json::from_str(&stdout(&out)).unwrap();
        let role = &s["properties"]["entity"]["properties"]["profile"]["properties"]["role"];
        assert_eq!(role["enum"], json!(["data_provider", "data_consumer", "both"]));
        assert_eq!(role["x-enum-titles"], titles, "{lang}");
    }
    let out = mizan(&["schema", "rules/uae/integration/2018.mizan"]);
    let s: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let role = &s["properties"]["entity"]["properties"]["profile"]["properties"]["role"];
    assert_eq!(role["x-enum-titles"], role["enum"]);
}
