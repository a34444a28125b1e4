//! Arbitrary text as an import mapping (TOML): parsed, its values checked
//! (M0601 with a location inside the text), then applied to the demo's
//! long CSV file against the demo rubric. Nothing may panic, and every
//! M0601 it gives is located within the text.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

struct Setup {
    rubric: mizan::Rubric,
    table: mizan::import::Table,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let p = "examples/demo/digital-readiness.mizan";
        let text = std::fs::read_to_string(p).expect("run from the repository root");
        let rubric = mizan::load(p, &text).0.expect("the demo rubric");
        let csv = "examples/demo/import/answers-long.csv";
        let table = mizan::import::read_table(std::path::Path::new(csv), None, 1).expect("the demo CSV");
        Setup { rubric, table }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let s = setup();
    match mizan::import::parse_mapping("fuzz.import.toml", text) {
        Err(mizan::import::ImportError::Mapping { span: Some(span), .. }) => {
            assert!(
                span.offset() + span.len() <= text.len(),
                "the label is inside the text"
            );
        }
        Err(_) => {}
        Ok(m) => {
            let tables: Vec<(usize, mizan::import::Table)> =
                (0..m.tables.len().min(4)).map(|i| (i, s.table.clone())).collect();
            let _ = mizan::import::import_tables(s.rubric.model(), &m, &tables);
        }
    }
});
