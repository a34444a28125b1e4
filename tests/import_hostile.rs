//! Hostile and malformed import inputs (issue 14, items 4, 14 and 28):
//! workbooks that declare or hold far more than they weigh (a cell at
//! XFD1048576, a huge declared dimension or shared-string count, parts
//! that expand past the limit, many parts, an .ods whose repeats expand to
//! billions of cells, an .xls), CSV files that are not well formed, header
//! rows that name a column twice, and mapping values that make no sense.
//! Every one is a located error, exit 1 (or a located problem, exit 2),
//! from `mizan import` and `mizan eval --import` alike; never an abort.
//! The workbooks are written here, with the `zip` crate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use support::{mizan, stderr, stdout};

mod support;

const RULES: &str = "examples/demo/digital-readiness.mizan";
const CSV: &str = "examples/demo/import/answers-long.csv";

/// The demo's long mapping, reading a sheet `S` of a workbook, or a CSV
/// file when `sheet` is `None`.
fn mapping(dir: &Path, sheet: Option<&str>) -> PathBuf {
    let text = std::fs::read_to_string("examples/demo/import/long.import.toml").unwrap();
    let text = match sheet {
        Some(s) => text.replace("[[table]]\n", &format!("[[table]]\nsheet = \"{s}\"\n")),
        None => text,
    };
    let p = dir.join("map.import.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// The rows of the demo's long CSV file.
fn demo_rows() -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(CSV)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A worksheet part: `dimension` as declared, the rows (inline strings),
/// then `extra` cells as `(reference, text)`.
fn sheet_xml(dimension: &str, rows: &[Vec<String>], extra: &[(&str, &str)]) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"{dimension}\"/><sheetData>"
    );
    for (i, row) in rows.iter().enumerate() {
        x.push_str(&format!("<row r=\"{}\">", i + 1));
        for (j, v) in row.iter().enumerate() {
            x.push_str(&format!(
                "<c r=\"{}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                letters(j),
                i + 1,
                esc(v)
            ));
        }
        x.push_str("</row>");
    }
    for (r, v) in extra {
        let row: String = r.chars().filter(char::is_ascii_digit).collect();
        x.push_str(&format!(
            "<row r=\"{row}\"><c r=\"{r}\" t=\"inlineStr\"><is><t>{}</t></is></c></row>",
            esc(v)
        ));
    }
    x.push_str("</sheetData></worksheet>");
    x
}

type Part<'a> = (&'a str, Box<dyn Read + 'a>);

/// Writes an xlsx with one sheet `S` and the given parts besides.
fn xlsx(path: &Path, sheet: &str, parts: Vec<Part<'_>>) {
    let mut all: Vec<Part<'_>> = vec![
        (
            "[Content_Types].xml",
            Box::new(&br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#[..]),
        ),
        (
            "_rels/.rels",
            Box::new(&br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#[..]),
        ),
        (
            "xl/workbook.xml",
            Box::new(&br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#[..]),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            Box::new(&br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#[..]),
        ),
        ("xl/worksheets/sheet1.xml", Box::new(sheet.as_bytes())),
    ];
    all.extend(parts);
    write_zip(path, all);
}

fn write_zip(path: &Path, parts: Vec<Part<'_>>) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, mut body) in parts {
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(true);
        z.start_file(name, opts).unwrap();
        std::io::copy(&mut body, &mut z).unwrap();
    }
    z.finish().unwrap().flush().unwrap();
}

/// `mizan import` and `mizan eval --import` on one input.
fn both(mapping: &Path, input: &Path) -> [std::process::Output; 2] {
    let (m, i) = (mapping.to_str().unwrap(), input.to_str().unwrap());
    [
        mizan(&["import", RULES, m, i]),
        mizan(&["eval", "--format", "json", RULES, "--import", m, i]),
    ]
}

/// A diagnostic's words, whatever the width it was wrapped to.
fn words(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Both commands fail with exit 1 and `code`, and the message has `want`.
fn refused(mapping: &Path, input: &Path, code: &str, want: &str) {
    for o in both(mapping, input) {
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(code) && words(&err).contains(&words(want)),
            "want {code} and {want:?}: {err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("memory allocation"),
            "{err}"
        );
    }
}

fn moi_score_from_csv() -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), None);
    let o = mizan(&[
        "eval",
        "--format",
        "json",
        RULES,
        "--import",
        m.to_str().unwrap(),
        CSV,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    v["entities"][0]["score"].clone()
}

#[test]
fn xlsx_with_a_huge_declared_dimension_reads_only_its_cells() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), Some("S"));
    let book = dir.path().join("book.xlsx");
    xlsx(&book, &sheet_xml("A1:XFD1048576", &demo_rows(), &[]), vec![]);
    let [imp, eval] = both(&m, &book);
    assert_eq!(imp.status.code(), Some(0), "{}", stderr(&imp));
    assert_eq!(stdout(&imp).lines().count(), 1);
    assert_eq!(eval.status.code(), Some(0), "{}", stderr(&eval));
    let v: serde_json::Value = serde_json::from_str(&stdout(&eval)).unwrap();
    assert_eq!(v["entities"][0]["score"], moi_score_from_csv());
}

#[test]
fn xlsx_with_one_cell_at_xfd1048576_is_a_located_problem_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), Some("S"));
    // The issue's repro: one cell at the last cell of the grid (a 2 KB file).
    let lone = dir.path().join("lone.xlsx");
    xlsx(
        &lone,
        &sheet_xml("XFD1048576", &[], &[("XFD1048576", "x")]),
        vec![],
    );
    assert!(std::fs::metadata(&lone).unwrap().len() < 4096);
    for o in both(&m, &lone) {
        // No header row: the mapping's columns are missing (M0604).
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("M0604"), "{}", stderr(&o));
    }
    // The demo's rows and a stray cell far away: the stray cell is a
    // located problem (a row with data and no entity); moi is still read.
    let far = dir.path().join("far.xlsx");
    xlsx(
        &far,
        &sheet_xml("A1", &demo_rows(), &[("XFD1048576", "stray")]),
        vec![],
    );
    let [imp, eval] = both(&m, &far);
    assert_eq!(imp.status.code(), Some(2), "{}", stderr(&imp));
    assert!(
        stderr(&imp).contains("row 1048576, column A `entity`"),
        "{}",
        stderr(&imp)
    );
    assert_eq!(stdout(&imp).lines().count(), 1, "moi is written");
    assert_eq!(eval.status.code(), Some(2), "{}", stderr(&eval));
    assert!(stdout(&eval).contains("\"moi\""), "{}", stdout(&eval));
}

#[test]
fn xlsx_cells_outside_the_grid_and_hostile_parts_are_m0605() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), Some("S"));
    let rows = demo_rows();

    let outside = dir.path().join("outside.xlsx");
    xlsx(&outside, &sheet_xml("A1", &rows, &[("XFE1", "x")]), vec![]);
    refused(&m, &outside, "M0605", "cell XFE1 is outside the sheet grid");

    // A shared-string table that declares four billion strings.
    let sst = dir.path().join("sst.xlsx");
    xlsx(
        &sst,
        &sheet_xml("A1", &rows, &[]),
        vec![(
            "xl/sharedStrings.xml",
            Box::new(&br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>"#[..]),
        )],
    );
    refused(&m, &sst, "M0605", "declares 4000000000 shared strings");

    // A part that expands past the limit (a zip bomb: a few hundred KB).
    let bomb = dir.path().join("bomb.xlsx");
    let big = mizan::import::limits::MAX_UNCOMPRESSED_BYTES + 1;
    xlsx(
        &bomb,
        &sheet_xml("A1", &rows, &[]),
        vec![("xl/media/padding.bin", Box::new(std::io::repeat(b' ').take(big)))],
    );
    assert!(std::fs::metadata(&bomb).unwrap().len() < 4 << 20);
    refused(&m, &bomb, "M0605", "expand to more than");

    // More parts than the limit.
    let many = dir.path().join("many.xlsx");
    let names: Vec<String> = (0..=mizan::import::limits::MAX_PARTS)
        .map(|i| format!("xl/x/{i}.xml"))
        .collect();
    xlsx(
        &many,
        &sheet_xml("A1", &rows, &[]),
        names
            .iter()
            .map(|n| -> Part<'_> { (n.as_str(), Box::new(&b""[..])) })
            .collect(),
    );
    refused(&m, &many, "M0605", "parts, more than the limit");

    // Not a zip at all, and a truncated one.
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, b"PK\x03\x04 not really").unwrap();
    refused(&m, &junk, "M0605", "not a workbook");
    let good = dir.path().join("good.xlsx");
    xlsx(&good, &sheet_xml("A1", &rows, &[]), vec![]);
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    refused(&m, &cut, "M0605", "cut.xlsx: cannot read");
}

/// An ods with `content` as its content.xml.
fn ods(path: &Path, content: &str) {
    write_zip(
        path,
        vec![
            ("mimetype", Box::new(&b"application/vnd.oasis.opendocument.spreadsheet"[..])),
            (
                "META-INF/manifest.xml",
                Box::new(&br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#[..]),
            ),
            ("content.xml", Box::new(content.as_bytes())),
        ],
    );
}

fn ods_content(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

fn ods_rows(rows: &[Vec<String>]) -> String {
    rows.iter()
        .map(|r| {
            let cells: String = r
                .iter()
                .map(|v| {
                    format!(
                        "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                        esc(v)
                    )
                })
                .collect();
            format!("<table:table-row>{cells}</table:table-row>")
        })
        .collect()
}

#[test]
fn ods_reads_and_its_repeats_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), Some("S"));
    let rows = demo_rows();
    let good = dir.path().join("good.ods");
    // Trailing empty repeats, as LibreOffice writes them, cost nothing.
    ods(
        &good,
        &ods_content(&format!(
            "{}<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>",
            ods_rows(&rows)
        )),
    );
    let [imp, eval] = both(&m, &good);
    assert_eq!(imp.status.code(), Some(0), "{}", stderr(&imp));
    assert_eq!(eval.status.code(), Some(0), "{}", stderr(&eval));
    let v: serde_json::Value = serde_json::from_str(&stdout(&eval)).unwrap();
    assert_eq!(v["entities"][0]["score"], moi_score_from_csv());

    // A value a million rows and 16,000 columns from A1 (a rectangle of
    // 16 billion cells).
    let far = dir.path().join("far.ods");
    ods(
        &far,
        &ods_content(&format!(
            "{}<table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"16000\"/><table:table-cell office:value-type=\"float\" office:value=\"1\"/></table:table-row>",
            ods_rows(&rows)
        )),
    );
    refused(&m, &far, "M0605", "more than the limit of 5000000");
    // A row of 16,384 values repeated a thousand times.
    let wide = dir.path().join("wide.ods");
    ods(
        &wide,
        &ods_content(&format!(
            "{}<table:table-row table:number-rows-repeated=\"1000\"><table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"16384\"/></table:table-row>",
            ods_rows(&rows)
        )),
    );
    refused(&m, &wide, "M0605", "more than the limit of 5000000");
}

#[test]
fn xls_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), Some("S"));
    let xls = dir.path().join("old.XLS");
    std::fs::write(&xls, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 whatever").unwrap();
    refused(&m, &xls, "M0605", "the .xls format (Excel 97-2003) is not read");
}

fn csv_case(text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), None);
    let f = dir.path().join("answers.csv");
    std::fs::write(&f, text).unwrap();
    (dir, m, f)
}

#[test]
fn csv_unclosed_quote_is_an_error_at_the_line_it_opened() {
    let good = std::fs::read_to_string(CSV).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    // A quote opened on line 3 and never closed, in a row's last field, at
    // the start of a row, and on the last line: the rest of the file is
    // one cell.
    let rest = lines[3..lines.len() - 1].join("\n");
    for (text, line) in [
        (
            format!(
                "{}\n{}\nmoi,x,data provider,yes,1.2,\"Partial\n{rest}\n",
                lines[0], lines[1]
            ),
            3,
        ),
        (format!("{}\n{}\n\"moi,x\n{rest}\n", lines[0], lines[1]), 3),
        (format!("{}\nmoi,x,data provider,yes,1.1,\"Yes", lines[0]), 2),
    ] {
        let (_d, m, f) = csv_case(&text);
        refused(
            &m,
            &f,
            "M0605",
            &format!("line {line}: a quote opened here is never closed"),
        );
    }
    // Closed by a quote further down (the last line's `"web, app"`): the
    // rows between are one cell, and the row has too many fields.
    let text = format!(
        "{}\n{}\nmoi,x,data provider,yes,1.2,\"Partial\n{}\n",
        lines[0],
        lines[1],
        lines[3..].join("\n")
    );
    let (_d, m, f) = csv_case(&text);
    refused(
        &m,
        &f,
        "M0605",
        "line 3: 7 fields, but the header (line 1) has 6; a quoted cell runs from line 3 to line 8",
    );
}

#[test]
fn csv_rows_with_another_number_of_fields_than_the_header_are_errors() {
    let good = std::fs::read_to_string(CSV).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let short = format!("{}\n{}\nmoi,x,data provider,yes,1.2\n", lines[0], lines[1]);
    let (_d, m, f) = csv_case(&short);
    refused(&m, &f, "M0605", "line 3: 5 fields, but the header (line 1) has 6");
    let long = format!(
        "{}\n{}\nmoi,x,data provider,yes,1.2,Partial,extra\n",
        lines[0], lines[1]
    );
    let (_d, m, f) = csv_case(&long);
    refused(&m, &f, "M0605", "line 3: 7 fields, but the header (line 1) has 6");
    // A quote closed on a later line makes a long cell: the message says so.
    let late = format!(
        "{}\nmoi,\"x,data provider,yes,1.1,Yes\nmoi,x\",data provider,yes,1.2,Partial,more\n",
        lines[0]
    );
    let (_d, m, f) = csv_case(&late);
    refused(&m, &f, "M0605", "a quoted cell runs from line 2 to line 3");
    // Not UTF-8 (Latin-1): located.
    let mut latin = format!("{}\nmoi,", lines[0]).into_bytes();
    latin.extend(b"Minist\xe8re,data provider,yes,1.1,Yes\n");
    let (_d, m, f) = csv_case("");
    std::fs::write(&f, latin).unwrap();
    refused(&m, &f, "M0605", "line 2, column B: the text is not UTF-8");
}

#[test]
fn m0606_a_column_the_mapping_names_is_in_the_header_twice() {
    let good = std::fs::read_to_string(CSV).unwrap();
    // The same name, other case, other spacing.
    for header in [
        "entity,name,role,federal,question,answer,answer",
        "entity,name,role,federal,question,answer, Answer ",
        "entity,name,Entity,federal,question,answer",
    ] {
        let rows: Vec<String> = good
            .lines()
            .skip(1)
            .map(|l| format!("{l},x").replacen(",x", "", usize::from(header.split(',').count() == 6)))
            .collect();
        let text = format!("{header}\n{}\n", rows.join("\n"));
        let (_d, m, f) = csv_case(&text);
        refused(&m, &f, "M0606", "more than once");
    }
    let (_d, m, f) = csv_case(&format!(
        "{}\n{}\n",
        "entity,name,role,federal,question,answer,answer",
        good.lines()
            .skip(1)
            .map(|l| format!("{l},x"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    let o = mizan(&["import", RULES, m.to_str().unwrap(), f.to_str().unwrap()]);
    assert!(
        words(&stderr(&o))
            .contains("column `answer` is in header row 1 more than once: F `answer`, G `answer`"),
        "{}",
        stderr(&o)
    );
    // A repeated column the mapping does not name is no error.
    let (_d, m, f) = csv_case(&format!(
        "{}\n{}\n",
        "entity,name,role,federal,question,answer,note,note",
        good.lines()
            .skip(1)
            .map(|l| format!("{l},a,b"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    let o = mizan(&["import", RULES, m.to_str().unwrap(), f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn m0606_in_a_workbook_too() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), Some("S"));
    let mut rows = demo_rows();
    rows[0][1] = "ENTITY".into();
    let book = dir.path().join("dup.xlsx");
    xlsx(&book, &sheet_xml("A1", &rows, &[]), vec![]);
    refused(&m, &book, "M0606", "A `entity`, B `ENTITY`");
}

/// A mapping with `edit` applied, refused with M0601 at the text `at`.
fn bad_mapping(edit: impl Fn(&str) -> String, reason: &str, at: &str) {
    let dir = tempfile::tempdir().unwrap();
    let text = edit(&std::fs::read_to_string("examples/demo/import/long.import.toml").unwrap());
    let m = dir.path().join("bad.import.toml");
    std::fs::write(&m, &text).unwrap();
    for o in both(&m, Path::new(CSV)) {
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("M0601") && words(&err).contains(&words(reason)),
            "want {reason:?}: {err}"
        );
        // The label points at the offending value.
        if err.starts_with('{') {
            let d: serde_json::Value = serde_json::from_str(err.lines().next().unwrap()).unwrap();
            let at_offset = d["labels"][0]["span"]["offset"].as_u64().unwrap() as usize;
            assert!(text[at_offset..].starts_with(at), "label at {at:?}: {err}");
            continue;
        }
        let lines: Vec<&str> = err.lines().collect();
        let here = lines
            .iter()
            .position(|l| l.contains("╰── here"))
            .unwrap_or_else(|| panic!("a label: {err}"));
        let (source, under) = (lines[here - 2], lines[here - 1]);
        let col = source
            .find(at)
            .unwrap_or_else(|| panic!("{at:?} labelled: {err}"));
        let mark = under.find(['─', '┬']).unwrap();
        assert_eq!(
            source[..col].chars().count(),
            under[..mark].chars().count(),
            "label under {at:?}: {err}"
        );
    }
}

#[test]
fn m0601_mapping_values_are_checked_where_they_are_written() {
    // header_row 0 and past the sheet (item 28: was M0604).
    for n in ["0", "1048577"] {
        bad_mapping(
            |t| {
                t.replace(
                    "layout = \"long\"",
                    &format!("layout = \"long\"\nheader_row = {n}"),
                )
            },
            &format!("`header_row = {n}` is not a row of a sheet"),
            n,
        );
    }
    // A spelling of both true and false, in the mapping's values and in a
    // column's own values; other case and spaces are the same spelling.
    bad_mapping(
        |t| t.replace("true = [\"yes\"]", "true = [\"yes\", \"no\"]"),
        "`no` is listed as a spelling of both `true` and `false`",
        "\"no\"",
    );
    // Options of one question (`partial` and `no` of `yes_partial_no`);
    // checked against the rubric, so `eval --import` and `import` only.
    bad_mapping(
        |t| {
            t.replace(
                "false = [\"no\"]",
                "false = [\"no\"]\npartial = [\"some\"]\nno = [\"Some\"]",
            )
        },
        "`Some` is listed as a spelling of both `partial` and `no`, options of one question",
        "\"Some\"",
    );
    bad_mapping(
        |t| t.replace("false = [\"no\"]", "false = [\"no\", \" YES \"]"),
        "` YES ` is listed as a spelling of both `true` and `false`",
        "\" YES \"",
    );
    bad_mapping(
        |t| {
            t.replace(
                "data_consumer = [\"data consumer\"]",
                "data_consumer = [\"Data Provider\"]",
            )
        },
        "`Data Provider` is listed as a spelling of both `data_provider` and `data_consumer`",
        "\"Data Provider\"",
    );
    // Empty names.
    bad_mapping(
        |t| t.replace("entity = \"entity\"", "entity = \" \""),
        "a column name is empty",
        "\" \"",
    );
    bad_mapping(
        |t| t.replace("[[table]]\n", "[[table]]\nsheet = \"\"\n"),
        "the sheet name is empty",
        "\"\"",
    );
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let m = mapping(dir.path(), None);
    let fifo = dir.path().join("pipe.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    refused(&m, &fifo, "M0801", "pipe.csv: not a regular file but a FIFO");
    let zero = dir.path().join("zero.csv");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    refused(
        &m,
        &zero,
        "M0801",
        "zero.csv: not a regular file but a character device",
    );
}

/// `numbers = "shortest"`: a workbook double is read as its shortest
/// round-trip decimal (`0.1 + 0.2` = `0.30000000000000004`); by default,
/// to 15 significant digits (`0.3`), as spreadsheets display it.
#[test]
fn workbook_numbers_are_read_to_15_digits_or_shortest_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("n.xlsx");
    let sum = 0.1_f64 + 0.2_f64;
    assert_eq!(sum.to_string(), "0.30000000000000004");
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\
         <row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>entity</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>share</t></is></c></row>\
         <row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>moi</t></is></c><c r=\"B2\"><v>{sum}</v></c></row>\
         </sheetData></worksheet>"
    );
    xlsx(&book, &sheet, vec![]);
    for (mode, want) in [
        ("", "0.3"),
        ("numbers = \"excel\"\n", "0.3"),
        ("numbers = \"shortest\"\n", "0.30000000000000004"),
    ] {
        let map = dir.path().join("n.import.toml");
        std::fs::write(
            &map,
            format!(
                "rubric = \"demo.readiness\"\nversion = \"2024\"\n{mode}[[table]]\nsheet = \"S\"\nentity = \"entity\"\nanswers = {{ \"data.share\" = \"share\" }}\n"
            ),
        )
        .unwrap();
        let o = mizan(&["import", RULES, map.to_str().unwrap(), book.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
        assert_eq!(v["answers"]["data.share"].to_string(), want, "{mode}");
    }
}
