//! Checks of a zipped workbook's XML parts before calamine reads them:
//! calamine reserves room for the shared strings an xlsx *declares*, and
//! expands every sheet of an ods into rectangles (repeated rows and cells
//! included) when it opens the file. These scans stream the part and
//! refuse what would go past [`MAX_CELLS`](super::source::limits::MAX_CELLS).

use std::io::{BufRead, BufReader, Read};

use quick_xml::events::{BytesStart, Event};

use super::source::limits::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS};

fn reader<R: BufRead>(r: R) -> quick_xml::Reader<R> {
    let mut x = quick_xml::Reader::from_reader(r);
    x.config_mut().check_end_names = false;
    x.config_mut().check_comments = false;
    x
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

/// `xl/sharedStrings.xml`: the `uniqueCount` it declares (calamine
/// reserves that many strings) is at most `MAX_CELLS`.
pub fn check_shared_strings(part: impl Read) -> Result<(), String> {
    let mut x = reader(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"sst" => {
                let n = attr(&e, b"uniqueCount").and_then(|v| v.trim().parse::<u128>().ok());
                return match n {
                    Some(n) if n > MAX_CELLS as u128 => Err(format!(
                        "the workbook declares {n} shared strings, more than the limit of {MAX_CELLS}"
                    )),
                    _ => Ok(()),
                };
            }
            // Not XML: calamine says so when it reads the part.
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// What one ods table (sheet) makes calamine allocate.
#[derive(Default)]
struct OdsTable {
    /// Rows so far, repeats expanded (calamine caps them at `MAX_ROWS`).
    rows: usize,
    /// Cells calamine stores for the rows as written (each row once).
    stored: usize,
    /// Expanded rows from the first non-empty one to the last one.
    first: Option<usize>,
    last: usize,
    col_min: usize,
    col_max: usize,
}

impl OdsTable {
    /// The cells of the rectangle calamine builds for the table.
    fn dense(&self) -> usize {
        match self.first {
            Some(f) => (self.last.saturating_sub(f))
                .saturating_mul(self.col_max.saturating_sub(self.col_min).saturating_add(1)),
            None => 0,
        }
    }
}

/// `content.xml` of an ods: the cells calamine would store and the
/// rectangles it would build, over all sheets, are at most `MAX_CELLS`.
pub fn check_ods_content(part: impl Read) -> Result<(), String> {
    let mut x = reader(BufReader::new(part));
    let mut buf = Vec::new();
    let mut stored = 0usize;
    let mut dense = 0usize;
    let mut table = OdsTable::default();
    // The row being read: its repeat count, its width so far (cells
    // calamine pushes), and its first and last non-empty columns.
    type OpenRow = (usize, usize, Option<(usize, usize)>);
    let mut row: Option<OpenRow> = None;
    let too_many = |what: &str, n: usize| {
        Err(format!(
            "the workbook's sheets expand to {n} {what}, more than the limit of {MAX_CELLS}"
        ))
    };
    loop {
        let ev = match x.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Err(format!("content.xml: {e}")),
        };
        match ev {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"table:table" => {
                dense = dense.saturating_add(table.dense());
                stored = stored.saturating_add(table.stored);
                table = OdsTable::default();
            }
            Event::Start(e) if e.name().as_ref() == b"table:table-row" => {
                let repeats = attr(&e, b"table:number-rows-repeated")
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1);
                let capped = repeats.min(MAX_ROWS.saturating_sub(table.rows));
                row = Some((capped, 0, None));
            }
            ref ev @ (Event::Start(ref e) | Event::Empty(ref e))
                if matches!(
                    e.name().as_ref(),
                    b"table:table-cell" | b"table:covered-table-cell"
                ) =>
            {
                if let Some((_, width, used)) = row.as_mut() {
                    let repeats = attr(e, b"table:number-columns-repeated")
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(1);
                    let capped = repeats.min(MAX_COLUMNS.saturating_sub(*width));
                    let valued = matches!(ev, Event::Start(_))
                        || e.attributes().flatten().any(|a| {
                            matches!(
                                a.key.as_ref(),
                                b"office:value"
                                    | b"office:string-value"
                                    | b"office:date-value"
                                    | b"office:time-value"
                                    | b"office:boolean-value"
                                    | b"table:formula"
                            )
                        });
                    if valued && capped > 0 {
                        let (lo, hi) = (*width, *width + capped - 1);
                        *used = Some(used.map_or((lo, hi), |(a, _)| (a, hi)));
                    }
                    *width += capped;
                }
            }
            Event::End(e) if e.name().as_ref() == b"table:table-row" => {
                if let Some((repeats, _, used)) = row.take() {
                    if let Some((lo, hi)) = used {
                        // calamine stores the row up to its last value.
                        table.stored = table.stored.saturating_add(hi + 1);
                        if table.first.is_none() {
                            table.first = Some(table.rows);
                            table.col_min = lo;
                        }
                        table.col_min = table.col_min.min(lo);
                        table.col_max = table.col_max.max(hi);
                        table.last = table.rows.saturating_add(repeats);
                    }
                    table.rows = table.rows.saturating_add(repeats);
                }
                if stored.saturating_add(table.stored) > MAX_CELLS {
                    return too_many("stored cells", stored.saturating_add(table.stored));
                }
                if dense.saturating_add(table.dense()) > MAX_CELLS {
                    return too_many("cells in their rectangles", dense.saturating_add(table.dense()));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]
    use super::*;

    fn ods(rows: &str) -> String {
        format!("<office:document-content><office:body><office:spreadsheet><table:table table:name=\"S\">{rows}</table:table></office:spreadsheet></office:body></office:document-content>")
    }

    #[test]
    fn ods_far_cell_is_refused_small_sheets_pass() {
        let small = ods("<table:table-row><table:table-cell office:value=\"1\"/><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row><table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>");
        assert!(check_ods_content(small.as_bytes()).is_ok());
        // A1 and a cell a million rows and 16,000 columns away.
        let far = ods("<table:table-row><table:table-cell office:value=\"1\"/></table:table-row><table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"16000\"/><table:table-cell office:value=\"2\"/></table:table-row>");
        let e = check_ods_content(far.as_bytes()).unwrap_err();
        assert!(e.contains("cells in their rectangles"), "{e}");
        // A row of 16,384 values repeated: refused.
        let wide = ods("<table:table-row table:number-rows-repeated=\"1000\"><table:table-cell office:value=\"1\" table:number-columns-repeated=\"16384\"/></table:table-row>");
        assert!(check_ods_content(wide.as_bytes()).is_err());
    }

    #[test]
    fn declared_shared_strings_are_bounded() {
        let ok = r#"<?xml version="1.0"?><sst xmlns="x" count="2" uniqueCount="2"><si><t>a</t></si></sst>"#;
        assert!(check_shared_strings(ok.as_bytes()).is_ok());
        let huge = r#"<sst xmlns="x" uniqueCount="4000000000"></sst>"#;
        let e = check_shared_strings(huge.as_bytes()).unwrap_err();
        assert!(e.contains("4000000000 shared strings"), "{e}");
    }
}
