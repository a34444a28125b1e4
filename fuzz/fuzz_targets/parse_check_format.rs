//! Arbitrary bytes through parse → check → evaluate → format: nothing may
//! panic, hang or overflow the stack; formatting a file that parses must
//! give a file that parses to the same meaning and formats to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rubric, _) = mizan::load("fuzz.mizan", text);
    if let Some(r) = &rubric {
        // An empty answer set and a few answers: reading and scoring.
        let _ = r.evaluate_json(
            "fuzz.json",
            r#"{"rubric": "x", "version": "1", "entity": {"id": "e"}, "answers": {}}"#,
        );
        let id = &r.model().id;
        let v = &r.model().version;
        let _ = r.evaluate_json(
            "fuzz.json",
            &format!(r#"{{"rubric": "{id}", "version": "{v}", "entity": {{"id": "e"}}, "answers": {{}}}}"#),
        );
    }
    if let Ok(formatted) = mizan::fmt::format("fuzz.mizan", text) {
        let again = mizan::fmt::format("fuzz.mizan", &formatted).expect("formatted output parses");
        assert_eq!(formatted, again, "formatting is idempotent");
        let (r2, _) = mizan::load("fuzz.mizan", &formatted);
        assert_eq!(
            rubric.is_some(),
            r2.is_some(),
            "formatting keeps a rubric valid (or invalid)"
        );
    }
});
