//! Reading tables: xlsx, xlsm, xlsb, xls, ods (calamine) and CSV (csv).

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};

use super::ImportError;

/// One cell, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Empty.
    Empty,
    /// Text.
    Text(String),
    /// A number (workbooks store binary floating point).
    Number(f64),
    /// A boolean.
    Bool(bool),
}

impl Cell {
    /// The cell as text: numbers in their shortest exact form.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(f) => excel_digits(*f),
            Cell::Bool(b) => b.to_string(),
        }
    }

    /// True for an empty cell (or one with only spaces).
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A workbook number as decimal text, to 15 significant digits: the
/// precision spreadsheets compute and display with, so that binary noise
/// such as `100.00000000000001` reads as `100`.
pub fn excel_digits(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let sci = format!("{f:.14e}");
    rust_decimal::Decimal::from_scientific(&sci)
        .map(|d| d.normalize().to_string())
        .unwrap_or_else(|_| f.to_string())
}

/// A table: a header row and data rows with their 1-based row numbers.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it comes from, for messages: `book.xlsx[Sheet 1]` or `a.csv`.
    pub label: String,
    /// Column names, trimmed.
    pub header: Vec<String>,
    /// `(row number, cells)`.
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// True for files read as workbooks.
pub fn is_workbook(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// Reads `sheet` of a workbook, or a CSV file, with its header at
/// `header_row` (1-based).
pub fn read_table(path: &Path, sheet: Option<&str>, header_row: usize) -> Result<Table, ImportError> {
    let file = path.display().to_string();
    // A special file or an over-large one is refused before it is opened;
    // a missing one is reported by the reader below (M0605).
    match crate::files::check(path, crate::files::MAX_INPUT_BYTES) {
        Err(crate::files::FileError::Read { .. }) | Ok(()) => {}
        Err(e) => return Err(e.into()),
    }
    let (label, grid): (String, Vec<(usize, Vec<Cell>)>) = if is_workbook(path) {
        let mut wb = open_workbook_auto(path).map_err(|e| ImportError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        let names = wb.sheet_names();
        let Some(name) = sheet else {
            return Err(ImportError::MissingSheet {
                file,
                sheet: String::new(),
                help: format!("name one with `sheet = …`; sheets: {}", names.join(", ")),
            });
        };
        if !names.iter().any(|n| n == name) {
            let help = crate::diag::did_you_mean(name, names.iter().map(String::as_str))
                .unwrap_or_else(|| format!("sheets: {}", names.join(", ")));
            return Err(ImportError::MissingSheet {
                file,
                sheet: name.to_string(),
                help,
            });
        }
        let range = wb.worksheet_range(name).map_err(|e| ImportError::Read {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let lead: Vec<Cell> = vec![Cell::Empty; c0 as usize];
        let grid = range
            .rows()
            .enumerate()
            .map(|(i, row)| {
                let mut cells = lead.clone();
                cells.extend(row.iter().map(cell));
                (r0 as usize + i + 1, cells)
            })
            .collect();
        (format!("{file}[{name}]"), grid)
    } else {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(path)
            .map_err(|e| ImportError::Read {
                file: file.clone(),
                reason: e.to_string(),
            })?;
        let mut grid = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| ImportError::Read {
                file: file.clone(),
                reason: e.to_string(),
            })?;
            let cells = rec
                .iter()
                .map(|s| {
                    let s = s.trim_start_matches('\u{feff}');
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect();
            grid.push((i + 1, cells));
        }
        (file.clone(), grid)
    };
    let header = grid
        .iter()
        .find(|(r, _)| *r == header_row)
        .map(|(_, cells)| cells.iter().map(Cell::text).collect())
        .unwrap_or_default();
    let rows = grid.into_iter().filter(|(r, _)| *r > header_row).collect();
    Ok(Table { label, header, rows })
}

fn cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

/// Spreadsheet column letters of a 0-based index: 0 → A, 27 → AB.
pub fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}
