//! Reading tables: xlsx, xlsm, xlsb, xls, ods (calamine) and CSV (csv).
//!
//! What is read is bounded whatever the file declares (see [`limits`]):
//! the file's size, a workbook's uncompressed size and number of parts,
//! the sheet grid (`A1:XFD1048576`) and the number of non-empty cells.
//! Cells are kept sparse (only the non-empty ones, by row), so a lone cell
//! far away costs one cell, not the rectangle up to it. A file past a limit
//! is M0605, never an abort.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;

use calamine::{Data, DataRef, Reader};

use super::{Encoding, ImportError};

/// The bounds on what one input may make the importer read and keep.
pub mod limits {
    /// Largest input file, in bytes (512 MiB): the one limit of
    /// [`crate::files::MAX_INPUT_BYTES`].
    pub const MAX_INPUT_BYTES: u64 = crate::files::MAX_INPUT_BYTES;
    /// Largest total uncompressed size of a zipped workbook's parts
    /// (xlsx, xlsm, xlsb, ods), in bytes (512 MiB).
    pub const MAX_UNCOMPRESSED_BYTES: u64 = 512 << 20;
    /// Most parts (files) in a zipped workbook.
    pub const MAX_PARTS: usize = 10_000;
    /// Rows of the sheet grid (a workbook cell's row is at most this).
    pub const MAX_ROWS: usize = 1_048_576;
    /// Columns of the sheet grid, `A` to `XFD` (a cell's column, in a
    /// workbook or a CSV record, is at most this).
    pub const MAX_COLUMNS: usize = 16_384;
    /// Most non-empty cells read from one table (a sheet or a CSV file);
    /// for .ods and .xls, whose reader expands every sheet of the workbook
    /// into rectangles when it opens it, the most cells of those rectangles
    /// over all sheets; for .xlsx, the most shared strings.
    pub const MAX_CELLS: usize = 5_000_000;
}

use limits::*;

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

/// A workbook number as decimal text, in the mapping's `numbers` mode:
/// `excel_digits`, or with `shortest` Rust's shortest round-trip
/// representation (`0.30000000000000004`), exact.
pub fn number_text(f: f64, shortest: bool) -> String {
    if shortest && f.is_finite() {
        format!("{f}")
    } else {
        excel_digits(f)
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

/// The non-empty cells of a row, by 0-based column, in column order: a
/// row costs its cells, not its width.
#[derive(Debug, Clone, Default)]
pub struct Row {
    cells: Vec<(usize, Cell)>,
}

static EMPTY: Cell = Cell::Empty;

impl Row {
    /// The cell in 0-based column `col`; `None` when it is empty.
    pub fn get(&self, col: usize) -> Option<&Cell> {
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .and_then(|i| self.cells.get(i))
            .map(|(_, c)| c)
    }

    /// `(column, cell)` of the non-empty cells, in column order.
    pub fn cells(&self) -> impl Iterator<Item = (usize, &Cell)> {
        self.cells.iter().map(|(c, cell)| (*c, cell))
    }

    /// True when no cell of the row has text.
    pub fn is_empty(&self) -> bool {
        self.cells.iter().all(|(_, c)| c.is_empty())
    }
}

impl std::ops::Index<usize> for Row {
    type Output = Cell;

    /// The cell in column `col` (an empty cell when there is none).
    fn index(&self, col: usize) -> &Cell {
        self.get(col).unwrap_or(&EMPTY)
    }
}

/// A table: a header row and data rows.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it comes from, for messages: `book.xlsx[Sheet 1]` or `a.csv`.
    pub label: String,
    /// Column names, trimmed.
    pub header: Vec<String>,
    /// `(1-based row number, row)` of the rows below the header that have
    /// a non-empty cell; in a CSV file, row N is the record that starts on
    /// line N.
    pub rows: Vec<(usize, Row)>,
}

/// True for files read as workbooks.
pub fn is_workbook(path: &Path) -> bool {
    workbook_kind(path).is_some()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

fn workbook_kind(path: &Path) -> Option<Kind> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" | "xlsm" => Some(Kind::Xlsx),
        "xlsb" => Some(Kind::Xlsb),
        "xls" => Some(Kind::Xls),
        "ods" => Some(Kind::Ods),
        _ => None,
    }
}

/// Why a workbook or CSV file could not be read; `Sheet` when the sheet
/// is missing (M0603) or the text is not in its encoding (M0607), `Read`
/// for everything else (M0605).
enum Fail {
    Read(String),
    Sheet(ImportError),
}

impl From<String> for Fail {
    fn from(s: String) -> Self {
        Fail::Read(s)
    }
}

/// The non-empty cells of a table, collected sparse, within the limits.
#[derive(Default)]
struct Grid {
    /// 0-based row → `(0-based column, cell)`.
    rows: BTreeMap<usize, Vec<(usize, Cell)>>,
    cells: usize,
    /// Workbooks have the sheet grid's rows; CSV files only the cell limit.
    max_rows: Option<usize>,
}

impl Grid {
    fn put(&mut self, row: usize, col: usize, cell: Cell) -> Result<(), String> {
        if cell.is_empty() {
            return Ok(());
        }
        if col >= MAX_COLUMNS || self.max_rows.is_some_and(|m| row >= m) {
            return Err(format!(
                "cell {}{} is outside the sheet grid (A1 to XFD1048576)",
                column_letters(col),
                row.saturating_add(1)
            ));
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(format!("more than {MAX_CELLS} non-empty cells (the limit)"));
        }
        self.rows.entry(row).or_default().push((col, cell));
        Ok(())
    }

    fn into_table(self, label: String, header_row: usize) -> Result<Table, String> {
        let mut header = Vec::new();
        let mut rows = Vec::new();
        for (r, mut cells) in self.rows {
            cells.sort_by_key(|(c, _)| *c);
            if let Some(w) = cells.windows(2).find(|w| matches!(w, [a, b] if a.0 == b.0)) {
                let col = w.first().map_or(0, |c| c.0);
                return Err(format!("cell {}{} is given twice", column_letters(col), r + 1));
            }
            let number = r + 1;
            if number == header_row {
                let width = cells.last().map_or(0, |(c, _)| c + 1);
                header = vec![String::new(); width];
                for (c, cell) in &cells {
                    if let Some(h) = header.get_mut(*c) {
                        *h = cell.text();
                    }
                }
            } else if number > header_row {
                rows.push((number, Row { cells }));
            }
        }
        Ok(Table { label, header, rows })
    }
}

/// Reads `sheet` of a workbook, or a CSV file, with its header at
/// `header_row` (1-based).
pub fn read_table(path: &Path, sheet: Option<&str>, header_row: usize) -> Result<Table, ImportError> {
    read_table_in(path, sheet, header_row, None)
}

/// [`read_table`], a CSV file decoded from `encoding` (`None`: UTF-8 with
/// or without a BOM, the bytes checked as the CSV is read).
pub fn read_table_in(
    path: &Path,
    sheet: Option<&str>,
    header_row: usize,
    encoding: Option<Encoding>,
) -> Result<Table, ImportError> {
    let file = path.display().to_string();
    let read_err = |reason: String| ImportError::Read {
        file: file.clone(),
        reason,
    };
    // A special file or an over-large one is refused before it is opened
    // (M0801, M0802: a FIFO would block the reader, a device never end).
    match crate::files::check(path, MAX_INPUT_BYTES) {
        Ok(()) => {}
        Err(crate::files::FileError::Read { reason, .. }) => return Err(read_err(reason)),
        Err(e) => return Err(e.into()),
    }
    let open = || File::open(path).map(BufReader::new).map_err(|e| e.to_string());
    let result = match workbook_kind(path) {
        Some(kind) => workbook_table(&open, &file, kind, sheet, header_row),
        None => read_csv(path, header_row, encoding),
    };
    result.map_err(|f| match f {
        Fail::Read(reason) => read_err(reason),
        Fail::Sheet(e) => e,
    })
}

/// [`read_table`] of a file's bytes, read as the file `name` would be
/// (its extension says how): what the fuzz targets call.
pub fn read_table_bytes(
    name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    header_row: usize,
) -> Result<Table, ImportError> {
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ImportError::Read {
            file: name.to_string(),
            reason: format!("more than {MAX_INPUT_BYTES} bytes"),
        });
    }
    let open = || Ok::<_, String>(Cursor::new(bytes));
    let result = match workbook_kind(Path::new(name)) {
        Some(kind) => workbook_table(&open, name, kind, sheet, header_row),
        None => csv_table(name, bytes, header_row, None),
    };
    result.map_err(|f| match f {
        Fail::Read(reason) => ImportError::Read {
            file: name.to_string(),
            reason,
        },
        Fail::Sheet(e) => e,
    })
}

fn workbook_table<RS: Read + Seek>(
    open: &dyn Fn() -> Result<RS, String>,
    file: &str,
    kind: Kind,
    sheet: Option<&str>,
    header_row: usize,
) -> Result<Table, Fail> {
    let Some(name) = sheet else {
        let names = sheet_names(open, kind).unwrap_or_default();
        return Err(Fail::Sheet(ImportError::MissingSheet {
            file: file.to_string(),
            sheet: String::new(),
            help: format!("name one with `sheet = …`; sheets: {}", names.join(", ")),
        }));
    };
    // calamine is a dependency whose readers index into the file's
    // records; a panic there is an unreadable file, not a crash.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_workbook(open, file, kind, name, header_row)
    }))
    .unwrap_or_else(|_| Err(Fail::Read("the workbook reader failed on this file".into())))
}

fn sheet_names<RS: Read + Seek>(
    open: &dyn Fn() -> Result<RS, String>,
    kind: Kind,
) -> Result<Vec<String>, String> {
    check_container(open, kind)?;
    let rs = open()?;
    match kind {
        Kind::Xlsx => calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(rs)
            .map(|w| w.sheet_names())
            .map_err(|e| e.to_string()),
        Kind::Xlsb => calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(rs)
            .map(|w| w.sheet_names())
            .map_err(|e| e.to_string()),
        Kind::Xls | Kind::Ods => calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(rs)
            .map(|w| w.sheet_names())
            .map_err(|e| e.to_string()),
    }
}

fn read_workbook<RS: Read + Seek>(
    open: &dyn Fn() -> Result<RS, String>,
    file: &str,
    kind: Kind,
    name: &str,
    header_row: usize,
) -> Result<Table, Fail> {
    check_container(open, kind)?;
    let label = format!("{file}[{name}]");
    let missing = |names: Vec<String>| {
        let help = crate::diag::did_you_mean(name, names.iter().map(String::as_str))
            .unwrap_or_else(|| format!("sheets: {}", names.join(", ")));
        Fail::Sheet(ImportError::MissingSheet {
            file: file.to_string(),
            sheet: name.to_string(),
            help,
        })
    };
    let mut grid = Grid {
        max_rows: Some(MAX_ROWS),
        ..Grid::default()
    };
    match kind {
        Kind::Xlsx => {
            let mut wb: calamine::Xlsx<_> =
                calamine::open_workbook_from_rs(open()?).map_err(|e: calamine::XlsxError| e.to_string())?;
            if !wb.sheet_names().iter().any(|n| n == name) {
                return Err(missing(wb.sheet_names()));
            }
            let mut cells = wb.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
                let (r, col) = c.get_position();
                grid.put(r as usize, col as usize, cell_ref(c.get_value()))?;
            }
        }
        Kind::Xlsb => {
            let mut wb: calamine::Xlsb<_> =
                calamine::open_workbook_from_rs(open()?).map_err(|e: calamine::XlsbError| e.to_string())?;
            if !wb.sheet_names().iter().any(|n| n == name) {
                return Err(missing(wb.sheet_names()));
            }
            let mut cells = wb.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
            while let Some(c) = cells.next_cell().map_err(|e| e.to_string())? {
                let (r, col) = c.get_position();
                grid.put(r as usize, col as usize, cell_ref(c.get_value()))?;
            }
        }
        Kind::Xls | Kind::Ods => {
            let mut wb: calamine::Ods<_> =
                calamine::open_workbook_from_rs(open()?).map_err(|e: calamine::OdsError| e.to_string())?;
            if !wb.sheet_names().iter().any(|n| n == name) {
                return Err(missing(wb.sheet_names()));
            }
            let range = wb.worksheet_range(name).map_err(|e| e.to_string())?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, col, d) in range.used_cells() {
                grid.put(r0 as usize + r, c0 as usize + col, cell(d))?;
            }
        }
    }
    Ok(grid.into_table(label, header_row)?)
}

/// Checks what calamine would be made to allocate, before it opens the
/// file: a zipped workbook's parts (their number and uncompressed size,
/// the shared strings an xlsx declares, the cells an ods expands to), an
/// xls file's declared tables and cell rectangles.
fn check_container<RS: Read + Seek>(open: &dyn Fn() -> Result<RS, String>, kind: Kind) -> Result<(), String> {
    match kind {
        Kind::Xlsx | Kind::Xlsb | Kind::Ods => check_zip(open()?, kind),
        // calamine's .xls reader sizes its tables from what the file
        // declares and follows sector chains without a bound; no check
        // short of a second reader makes that safe, so the format is not read.
        Kind::Xls => {
            Err("the .xls format (Excel 97-2003) is not read; save the workbook as .xlsx or .ods".into())
        }
    }
}

/// Counts what passes through, up to a limit.
struct Counted<R> {
    inner: R,
    n: u64,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let room = usize::try_from(self.limit.saturating_sub(self.n).saturating_add(1)).unwrap_or(usize::MAX);
        let want = buf.len().min(room);
        let got = self.inner.read(buf.get_mut(..want).unwrap_or_default())?;
        self.n += got as u64;
        if self.n > self.limit {
            return Err(std::io::Error::other(format!(
                "the workbook's parts expand to more than {MAX_UNCOMPRESSED_BYTES} bytes (the limit)"
            )));
        }
        Ok(got)
    }
}

fn check_zip<RS: Read + Seek>(rs: RS, kind: Kind) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(rs).map_err(|e| format!("not a workbook: {e}"))?;
    if zip.len() > MAX_PARTS {
        return Err(format!(
            "the workbook has {} parts, more than the limit of {MAX_PARTS}",
            zip.len()
        ));
    }
    let mut used = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| e.to_string())?;
        let lower = part.name().to_lowercase();
        let mut counted = Counted {
            inner: part,
            n: used,
            limit: MAX_UNCOMPRESSED_BYTES,
        };
        if kind == Kind::Xlsx && lower.ends_with("sharedstrings.xml") {
            super::xml::check_shared_strings(&mut counted)?;
        } else if kind == Kind::Ods && lower == "content.xml" {
            super::xml::check_ods_content(&mut counted)?;
        }
        std::io::copy(&mut counted, &mut std::io::sink()).map_err(|e| e.to_string())?;
        used = counted.n;
    }
    Ok(())
}

fn read_csv(path: &Path, header_row: usize, encoding: Option<Encoding>) -> Result<Table, Fail> {
    let file = path.display().to_string();
    let mut bytes = Vec::new();
    File::open(path)
        .map_err(|e| e.to_string())?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Fail::Read(format!(
            "the file has more than {MAX_INPUT_BYTES} bytes (the limit)"
        )));
    }
    csv_table(&file, &bytes, header_row, encoding)
}

/// A CSV file's bytes as a table: decoded from `encoding` first when one
/// is declared (M0607 at the first byte that is not valid in it).
fn csv_table(file: &str, bytes: &[u8], header_row: usize, encoding: Option<Encoding>) -> Result<Table, Fail> {
    let decoded;
    let body = match encoding {
        None => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
        Some(enc) => {
            decoded = decode(bytes, enc).map_err(|(offset, line, reason)| {
                Fail::Sheet(ImportError::Encoding {
                    file: file.to_string(),
                    encoding: enc.name().to_string(),
                    offset,
                    line,
                    reason,
                })
            })?;
            decoded.as_bytes()
        }
    };
    let grid = csv_grid(body, header_row)?;
    Ok(grid.into_table(file.to_string(), header_row)?)
}

/// Bytes in hexadecimal: `F4 41`.
fn hex(bytes: Option<&[u8]>) -> String {
    let hex: Vec<String> = bytes
        .unwrap_or_default()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    hex.join(" ")
}

/// `bytes` decoded from `enc` to UTF-8 by `encoding_rs`; a byte order
/// mark is dropped. An error is `(byte offset, line, reason)` of the
/// first byte sequence not valid in the encoding.
pub fn decode(bytes: &[u8], enc: Encoding) -> Result<String, (usize, usize, String)> {
    use encoding_rs::{DecoderResult, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, WINDOWS_1256};
    let bom = encoding_rs::Encoding::for_bom(bytes);
    let (encoding, skip) = match enc {
        Encoding::Utf8 => (UTF_8, if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 }),
        Encoding::Utf16 => match bom {
            Some((e, n)) if e == UTF_16LE || e == UTF_16BE => (e, n),
            _ => {
                return Err((
                    0,
                    1,
                    "the file does not start with a UTF-16 byte order mark (FF FE or FE FF); \
                     declare `utf-16le` or `utf-16be`"
                        .into(),
                ))
            }
        },
        Encoding::Utf16Le => (
            UTF_16LE,
            if bom.is_some_and(|(e, _)| e == UTF_16LE) {
                2
            } else {
                0
            },
        ),
        Encoding::Utf16Be => (
            UTF_16BE,
            if bom.is_some_and(|(e, _)| e == UTF_16BE) {
                2
            } else {
                0
            },
        ),
        Encoding::Windows1256 => (WINDOWS_1256, 0),
        Encoding::Latin1 => (WINDOWS_1252, 0),
        Encoding::Auto => bom.unwrap_or((UTF_8, 0)),
    };
    let body = bytes.get(skip..).unwrap_or_default();
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(body.len().saturating_add(16));
    let mut done = 0usize;
    loop {
        let rest = body.get(done..).unwrap_or_default();
        if out.capacity() - out.len() < 16 {
            out.reserve(rest.len().saturating_add(16));
        }
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        done += read;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(rest.len().saturating_mul(3).saturating_add(16)),
            DecoderResult::Malformed(bad, after) => {
                let offset = skip + done - usize::from(after) - usize::from(bad);
                let line = out.matches('\n').count() + 1;
                return Err((
                    offset,
                    line,
                    format!(
                        "the byte sequence {}",
                        hex(bytes.get(offset..offset + usize::from(bad)))
                    ),
                ));
            }
        }
    }
}

/// The records of a CSV text, each at the line it starts on, checked: a
/// quote that is never closed, a record with another number of fields
/// than the header, a field that is not UTF-8 are errors with their line.
fn csv_grid(body: &[u8], header_row: usize) -> Result<Grid, String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut grid = Grid::default();
    let mut header: Option<(usize, usize)> = None;
    let mut rec = csv::ByteRecord::new();
    loop {
        let start = rdr.position().clone();
        let more = rdr.read_byte_record(&mut rec).map_err(|e| e.to_string())?;
        if !more {
            break;
        }
        // The reader's position is where it started looking, before the
        // blank lines it skips: the record starts after them.
        let line =
            usize::try_from(rec.position().map_or(start.line(), csv::Position::line)).unwrap_or(usize::MAX);
        let from = usize::try_from(rec.position().map_or(start.byte(), csv::Position::byte)).unwrap_or(0);
        let to = usize::try_from(rdr.position().byte()).unwrap_or(body.len());
        let raw = body.get(from..to).unwrap_or_default();
        let blank = raw.iter().take_while(|&&b| b == b'\n' || b == b'\r').count();
        let line = line + raw.iter().take(blank).filter(|&&b| b == b'\n').count();
        let raw = raw.get(blank..).unwrap_or_default();
        if to >= body.len() {
            if let Some(q) = open_quote(raw) {
                let at = line + raw.iter().take(q).filter(|&&b| b == b'\n').count();
                return Err(format!(
                    "line {at}: a quote opened here is never closed (the rest of the file would be one cell)"
                ));
            }
        }
        if line == header_row {
            header = Some((line, rec.len()));
        } else if let Some((hline, width)) = header.filter(|_| line > header_row) {
            if rec.len() != width {
                let inner = raw.trim_ascii_end();
                let spans = inner.iter().filter(|&&b| b == b'\n').count();
                let hint = if spans > 0 {
                    format!(
                        "; a quoted cell runs from line {line} to line {}: is a quote not closed?",
                        line + spans
                    )
                } else {
                    String::new()
                };
                return Err(format!(
                    "line {line}: {} fields, but the header (line {hline}) has {width}{hint}",
                    rec.len()
                ));
            }
        }
        for (col, field) in rec.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| {
                format!(
                    "line {line}, column {}: the text is not UTF-8",
                    column_letters(col)
                )
            })?;
            let cell = if text.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(text.to_string())
            };
            grid.put(line.saturating_sub(1), col, cell)?;
        }
        if rec.len() > MAX_COLUMNS {
            return Err(format!(
                "line {line}: {} fields, more than the limit of {MAX_COLUMNS}",
                rec.len()
            ));
        }
    }
    Ok(grid)
}

/// The offset of a quote left open at the end of a record's raw bytes
/// (the quoting rules of the csv reader: a quote opens a cell only at its
/// start, `""` inside quotes is a quote).
fn open_quote(raw: &[u8]) -> Option<usize> {
    let mut open = None;
    let mut at_start = true;
    let mut it = raw.iter().enumerate().peekable();
    while let Some((i, &b)) = it.next() {
        match open {
            Some(_) => {
                if b == b'"' {
                    if it.peek().is_some_and(|(_, &n)| n == b'"') {
                        it.next();
                    } else {
                        open = None;
                        at_start = false;
                    }
                }
            }
            None => match b {
                b',' | b'\n' | b'\r' => at_start = true,
                b'"' if at_start => open = Some(i),
                _ => at_start = false,
            },
        }
    }
    open
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

fn cell_ref(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::Error(e) => Cell::Text(e.to_string()),
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

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        reason = "a test fails by panicking"
    )]
    use super::*;

    fn table(csv: &str, header_row: usize) -> Result<Table, String> {
        csv_grid(csv.as_bytes(), header_row)?.into_table("t.csv".into(), header_row)
    }

    #[test]
    fn csv_rows_are_numbered_by_their_first_line_and_kept_sparse() {
        let t = table("a,b,c\n\n1,,3\n\"x\ny\",2,\n", 1).unwrap();
        assert_eq!(t.header, ["a", "b", "c"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].0, 3);
        assert_eq!(t.rows[0].1.cells().count(), 2);
        assert_eq!(t.rows[0].1.get(2), Some(&Cell::Text("3".into())));
        assert_eq!(t.rows[0].1.get(1), None);
        assert_eq!(t.rows[0].1[1], Cell::Empty);
        assert_eq!(t.rows[1].0, 4);
        assert_eq!(t.rows[1].1[0], Cell::Text("x\ny".into()));
    }

    #[test]
    fn csv_unterminated_quote_is_an_error_at_its_line() {
        for (text, line) in [
            ("a,b\n1,\"x\n2,y\n", 2),
            ("a,b\n1,2\n3,\"", 3),
            ("a,b\n1,2\n\"3,4\n5,6", 3),
            ("a,b\n1,\"x\"\"\n", 2),
            ("a,b\n1,\"x\ny\"\n2,\"", 4),
        ] {
            let e = table(text, 1).unwrap_err();
            assert!(
                e.contains(&format!("line {line}: a quote opened here is never closed")),
                "{text:?}: {e}"
            );
        }
        // Quotes inside an unquoted cell, doubled quotes, quoted line
        // breaks: all closed.
        assert!(table("a,b\n1,x\"y\n2,\"p\"\"q\"\n3,\"m\nn\"\n", 1).is_ok());
    }

    #[test]
    fn csv_rows_with_another_number_of_fields_are_errors() {
        let e = table("a,b,c\n1,2\n", 1).unwrap_err();
        assert_eq!(e, "line 2: 2 fields, but the header (line 1) has 3");
        let e = table("a,b\n1,2\n3,4,5\n", 1).unwrap_err();
        assert_eq!(e, "line 3: 3 fields, but the header (line 1) has 2");
        let e = table("a,b,c\n1,\"x,y\n2,3\",4,5\n", 1).unwrap_err();
        assert!(e.starts_with("line 2: 4 fields"), "{e}");
        // Rows above the header (a title block) are not counted.
        assert!(table("Title\n\na,b\n1,2\n", 3).is_ok());
    }

    #[test]
    fn decoding_names_the_first_bad_byte_and_its_line() {
        use super::Encoding as E;
        assert_eq!(decode(b"a\n\xE4\xDA\xE3", E::Windows1256).unwrap(), "a\nنعم");
        assert_eq!(decode(b"\xEF\xBB\xBFx", E::Auto).unwrap(), "x");
        assert_eq!(decode(b"\xFE\xFF\x00x", E::Utf16).unwrap(), "x");
        assert_eq!(decode(b"x\x00", E::Utf16Le).unwrap(), "x");
        let (offset, line, reason) = decode(b"ab\ncd\n\xC3(", E::Utf8).unwrap_err();
        assert_eq!((offset, line), (6, 3));
        assert_eq!(reason, "the byte sequence C3");
        // A lone surrogate in UTF-16.
        let (_, line, _) = decode(b"\xFF\xFEa\x00\n\x00\x00\xD8b\x00", E::Utf16).unwrap_err();
        assert_eq!(line, 2);
        assert!(decode(b"x", E::Utf16).is_err());
    }

    #[test]
    fn csv_not_utf8_is_located() {
        let e = csv_grid(b"a,b\n1,\xff\n", 1).err().unwrap();
        assert_eq!(e, "line 2, column B: the text is not UTF-8");
    }

    #[test]
    fn grid_refuses_cells_outside_the_sheet_and_past_the_cell_limit() {
        let mut g = Grid {
            max_rows: Some(MAX_ROWS),
            ..Grid::default()
        };
        assert!(g.put(MAX_ROWS - 1, MAX_COLUMNS - 1, Cell::Number(1.0)).is_ok());
        let e = g.put(0, MAX_COLUMNS, Cell::Number(1.0)).unwrap_err();
        assert_eq!(e, "cell XFE1 is outside the sheet grid (A1 to XFD1048576)");
        assert!(g.put(MAX_ROWS, 0, Cell::Number(1.0)).is_err());
        g.cells = MAX_CELLS;
        assert!(g.put(1, 1, Cell::Empty).is_ok());
        assert!(g.put(1, 1, Cell::Bool(true)).is_err());
    }
}
