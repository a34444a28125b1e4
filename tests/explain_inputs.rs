//! `explain` lists what each formula read: node scores, named values,
//! profile fields, `value`, `answer(c)`, and for a list over instances the
//! instances behind it, each with its value (docs/output.md#explain).

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test fails by panicking"
)]

use support::{mizan, stderr, stdout};

mod support;

const RULES: &str = r#"rubric demo.inputs {
  version "1"
  precision 1
  profile {
    kind: one of federal, local
    staff: number
  }
  let cap = 0.9
  let big = staff >= 100
  scale yn { yes 1  no 0 }
  score overall
  group social {
    criterion s1 { choice yn }
    criterion s2 { choice yn }
  }
  group economic {
    criterion e1 { number 0..100  score value / 100 }
    criterion e2 { number 0..1000  score clamp(value / staff, 0, 1) }
  }
  group environmental {
    criterion v1 { applies when kind == federal  choice yn }
  }
  group svc {
    repeated
    fields { type: one of transactional, informational }
    criterion q { choice yn }
  }
  group overall {
    score min(mean(social, economic) + mean(svc where type == transactional) / 10, cap)
  }
  group env_or_zero {
    score if big then environmental else if answer(s1) == yes then 1 else 0
  }
}
"#;

const ANSWERS: &str = r#"{"rubric": "demo.inputs", "version": "1",
 "entity": {"id": "moi", "profile": {"kind": "local", "staff": 50}},
 "answers": {"s1": "yes", "s2": "no", "e1": 40, "e2": 20},
 "instances": {"svc": [
   {"key": "S1", "profile": {"type": "transactional"}, "answers": {"q": "yes"}},
   {"key": "S2", "profile": {"type": "informational"}, "answers": {"q": "no"}},
   {"key": "S3", "profile": {"type": "transactional"}, "answers": {"q": "no"}}]}}
"#;

fn explain(lang: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("inputs.mizan");
    std::fs::write(&rules, RULES).unwrap();
    let answers = dir.path().join("moi.json");
    std::fs::write(&answers, ANSWERS).unwrap();
    let o = mizan(&[
        "eval",
        "--lang",
        lang,
        "--explain",
        "moi",
        rules.to_str().unwrap(),
        answers.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tmp = dir.path().display().to_string();
    stdout(&o).replace(&tmp, "TMP")
}

#[test]
fn formulas_list_the_names_they_read_with_their_values() {
    let en = explain("en");
    // Hand-checked: social = mean(1, 0) = 50%; e1 = 40 / 100 = 40%;
    // e2 = 20 / 50 = 40%, economic = 40%; S1 and S3 are transactional
    // (1 and 0: mean 0.5); overall = min(0.45 + 0.05, 0.9) = 50%.
    for want in [
        "reads: social = 50.0%, economic = 40.0%, svc where type == transactional = [S1 = 100.0%, S3 = 0.0%], cap = 0.9",
        "reads: value = 40",
        "reads: value = 20, staff = 50",
        "reads: big = no, environmental = N/A, answer(s1) = `yes`",
        "reads: overall = 50.0%",
    ] {
        assert!(en.contains(want), "{want:?} not in:\n{en}");
    }
    // A formula that reads no achieved/target shows none.
    for l in en
        .lines()
        .filter(|l| l.contains("score min(") || l.contains("score if big"))
    {
        assert!(!l.contains("achieved") && !l.contains("target"), "{l}");
    }
    insta::assert_snapshot!("explain_inputs_en", en);
    insta::assert_snapshot!("explain_inputs_ar", explain("ar"));
}
