//! `applies when` conditions decided once per rubric (a table of their
//! values for every combination of the enum and yes/no fields they read,
//! `src/plan/conditions.rs`) against the same conditions evaluated as
//! written (the general evaluator): on every profile of a rubric whose
//! conditions read enum fields, yes/no fields, named values over them,
//! numbers (not tabled), and an instance's fields with the entity's, every
//! path gives the same result, and the criteria that apply are the
//! hand-listed ones.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test"
)]

mod support;

const RUBRIC: &str = r#"mizan 1

rubric test.conditions {
  version "1"
  title en "Conditions"
  missing worst

  profile {
    tier: one of federal, local, private
    digital: bool
    size: number
  }

  let reach = tier == federal or digital
  let big = size > 100

  scale yn {
    yes 1
    no 0
  }

  criterion c_fed { choice yn  applies when tier == federal }
  criterion c_in { choice yn  applies when tier in [local, private] }
  criterion c_not { choice yn  applies when tier != private and not digital }
  criterion c_bool { choice yn  applies when digital }
  criterion c_let { choice yn  applies when reach }
  criterion c_num { choice yn  applies when big }
  criterion c_mixed { choice yn  applies when tier == local and big }
  criterion c_all { choice yn }

  group svc {
    repeated
    fields {
      kind: one of online, counter
    }
    criterion s_online { choice yn  applies when kind == online and tier != federal }
    criterion s_any { choice yn }
  }
}
"#;

const TIERS: [&str; 3] = ["federal", "local", "private"];

fn answer_set(tier: &str, digital: bool, size: u32) -> String {
    let ids = [
        "c_fed", "c_in", "c_not", "c_bool", "c_let", "c_num", "c_mixed", "c_all",
    ];
    let answers: Vec<String> = ids.iter().map(|id| format!("\"{id}\":\"yes\"")).collect();
    format!(
        r#"{{"rubric":"test.conditions","version":"1","entity":{{"id":"e","profile":{{"tier":"{tier}","digital":{digital},"size":{size}}}}},"answers":{{{}}},"instances":{{"svc":[{{"profile":{{"kind":"online"}},"answers":{{"s_online":"yes","s_any":"no"}}}},{{"profile":{{"kind":"counter"}},"answers":{{"s_online":"yes","s_any":"yes"}}}}]}}}}"#,
        answers.join(",")
    )
}

/// The criteria of the entity's own that apply, by hand from the rubric.
fn applying(tier: &str, digital: bool, size: u32) -> Vec<&'static str> {
    let big = size > 100;
    let mut out = Vec::new();
    let add = |c: bool, id: &'static str, out: &mut Vec<&'static str>| {
        if c {
            out.push(id);
        }
    };
    add(tier == "federal", "c_fed", &mut out);
    add(tier != "federal", "c_in", &mut out);
    add(tier != "private" && !digital, "c_not", &mut out);
    add(digital, "c_bool", &mut out);
    add(tier == "federal" || digital, "c_let", &mut out);
    add(big, "c_num", &mut out);
    add(tier == "local" && big, "c_mixed", &mut out);
    out.push("c_all");
    out
}

#[test]
fn tabled_conditions_agree_with_the_evaluator_on_every_profile() {
    let (rubric, diags) = mizan::load("conditions.mizan", RUBRIC);
    let rubric = rubric.unwrap_or_else(|| panic!("{diags:?}"));
    // The conditions over enum and yes/no fields, and the named value
    // over them, are tabled; those that read a number are not.
    let model = rubric.model();
    for (id, tabled) in [
        ("c_fed", true),
        ("c_in", true),
        ("c_not", true),
        ("c_bool", true),
        ("c_let", true),
        ("c_num", false),
        ("c_mixed", false),
        ("s_online", true),
    ] {
        let ix = model.by_id[id];
        assert_eq!(rubric.plan().condition(ix).is_some(), tabled, "{id}");
    }
    for tier in TIERS {
        for digital in [false, true] {
            for size in [50, 150] {
                let text = answer_set(tier, digital, size);
                let out = support::same_on_every_path(&rubric, &text);
                let res = rubric.evaluate_json("e.json", &text).unwrap();
                let mut applied: Vec<&str> = Vec::new();
                for (ix, n) in model.nodes.iter().enumerate() {
                    if n.id.starts_with("c_")
                        && !matches!(
                            res.outcomes[ix],
                            mizan::eval::Outcome::Na(mizan::eval::NaReason::NotApplicable)
                        )
                    {
                        applied.push(model.nodes[ix].id.as_str());
                    }
                }
                let expected = applying(tier, digital, size);
                assert_eq!(applied, expected, "{tier} {digital} {size}\n{out}");
                // Every applying criterion is answered yes: the entity's
                // own criteria score 1 each; the instance criterion applies
                // to the online service unless the entity is federal.
                let s_online = model.by_id["s_online"];
                let listed = &res.instances[0].items;
                let online = &listed[0].outcomes[s_online - model.by_id["svc"]];
                assert_eq!(
                    matches!(
                        online,
                        mizan::eval::Outcome::Na(mizan::eval::NaReason::NotApplicable)
                    ),
                    tier == "federal",
                    "{tier}: {online:?}"
                );
            }
        }
    }
}
