//! Arbitrary bytes as an import input: the first byte picks how they are
//! read (CSV, xlsx, ods, xlsb), the rest is the file. Whatever is read is
//! then mapped by the demo's long mapping (a CSV) or the same mapping on
//! sheet `S` (workbooks), against the demo rubric. Nothing may panic,
//! abort or run out of memory: an input past the limits is an error.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

struct Setup {
    rubric: mizan::Rubric,
    csv: mizan::import::Mapping,
    book: mizan::import::Mapping,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let p = "examples/demo/digital-readiness.mizan";
        let text = std::fs::read_to_string(p).expect("run from the repository root");
        let rubric = mizan::load(p, &text).0.expect("the demo rubric");
        let m = "examples/demo/import/long.import.toml";
        let mtext = std::fs::read_to_string(m).expect("the demo mapping");
        let csv = mizan::import::parse_mapping(m, &mtext).expect("a valid mapping");
        let book =
            mizan::import::parse_mapping(m, &mtext.replace("[[table]]\n", "[[table]]\nsheet = \"S\"\n"))
                .expect("a valid mapping");
        Setup { rubric, csv, book }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else {
        return;
    };
    let s = setup();
    let (name, sheet, mapping) = match kind % 4 {
        0 => ("fuzz.csv", None, &s.csv),
        1 => ("fuzz.xlsx", Some("S"), &s.book),
        2 => ("fuzz.ods", Some("S"), &s.book),
        _ => ("fuzz.xlsb", Some("S"), &s.book),
    };
    let header_row = 1 + usize::from(kind / 4 % 3);
    if let Ok(table) = mizan::import::read_table_bytes(name, bytes, sheet, header_row) {
        let _ = mizan::import::import_tables(s.rubric.model(), mapping, &[(0, table)]);
    }
});
