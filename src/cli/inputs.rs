//! Reading files: rule files, and answer sets from `.json` files, `.jsonl`
//! files and directories, in a deterministic (sorted) order. Every command
//! expands directories with the one walker of `mizan::files` and reads
//! through its bounded readers.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use mizan::answers::{AnswerError, Origin};
use mizan::files::{self, FileError, Line, Walk};

/// A rule file, loaded for a command.
pub enum Loaded {
    /// It checks: the rubric.
    Rubric(Box<mizan::Rubric>),
    /// It cannot be read (reported).
    Unreadable,
    /// It has errors (reported).
    Invalid,
}

/// The extensions of answer files, in any case.
pub const ANSWER_EXTENSIONS: &[&str] = &["json", "jsonl"];

/// Reports a file that cannot be read, as a diagnostic with its code.
pub fn report(e: &FileError, format: super::Format) {
    err!("{}", mizan::render::diagnostics::render(e, super::style(format)));
}

/// Reads and checks a rule file, printing its diagnostics (warnings too)
/// and any read error on stderr.
pub fn load_rubric(path: &Path, format: super::Format) -> Loaded {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            report(&e, format);
            return Loaded::Unreadable;
        }
    };
    let (rubric, diags) = mizan::load(&path.display().to_string(), &text);
    for d in diags.iter() {
        err!(
            "{}",
            mizan::render::diagnostics::render(d.as_ref(), super::style(format))
        );
    }
    rubric.map_or(Loaded::Invalid, |r| Loaded::Rubric(Box::new(r)))
}

/// Reads a rule or test file as UTF-8 text (a regular file of at most
/// 8 MiB).
pub fn read_text(path: &Path) -> Result<String, FileError> {
    files::read_rule_text(path)
}

/// Reads a TOML file (an import mapping) as UTF-8 text.
pub fn read_toml(path: &Path) -> Result<String, FileError> {
    files::read_text(path, files::MAX_TOML_BYTES)
}

fn walk_errors(w: &Walk) -> Result<(), String> {
    match w.errors.first() {
        Some(e) => Err(e.to_string()),
        None => Ok(()),
    }
}

/// Expands directories into their rule files (`.mizan`, not `.test.mizan`).
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    files_with(paths, |p| !mizan::testing::is_test_file(p))
}

/// Expands directories into their `.mizan` files that `keep` accepts;
/// files named directly are kept as given. Rules directories also hold
/// locks, notes and fixtures: what is left out is not reported.
pub fn files_with(paths: &[PathBuf], keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    let w = files::walk(paths, |p| files::has_extension(p, &["mizan"]) && keep(p));
    walk_errors(&w)?;
    Ok(w.files)
}

/// Prints what a walk of answer directories left out, as a note.
fn note_skipped(w: &Walk) {
    if let Some(note) = w.skipped_note(".json or .jsonl", 10) {
        errln!("note[M0804]: {note}");
    }
}

/// Expands directories into their answer files (`.json`, `.jsonl`, in any
/// case), sorted, noting on standard error what was left out.
pub fn answer_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let w = files::walk(paths, |p| files::has_extension(p, ANSWER_EXTENSIONS));
    note_skipped(&w);
    walk_errors(&w)?;
    Ok(w.files)
}

/// An answer input: its origin and text, or why it could not be read.
pub type Input = (Origin, Result<String, AnswerError>);

/// Whether an answer file is read as JSONL (one answer set per line).
pub fn is_jsonl(path: &Path) -> bool {
    files::has_extension(path, &["jsonl"])
}

/// Opens a JSONL answer file (a regular file).
pub fn open_answers(path: &Path) -> Result<std::fs::File, AnswerError> {
    files::open(path).map_err(AnswerError::from)
}

/// Reads a `.json` answer file: one answer set of at most
/// [`files::MAX_ANSWER_SET_BYTES`], not empty.
pub fn read_answer_file(path: &Path) -> Result<String, AnswerError> {
    let bytes = files::read(path, files::MAX_ANSWER_SET_BYTES)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AnswerError::Empty);
    }
    String::from_utf8(bytes).map_err(|e| AnswerError::Io {
        reason: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
    })
}

/// Expands answer paths into submissions: one per `.json` file, one per
/// non-empty line of a `.jsonl` file (each line read, checked and
/// rejected on its own).
pub fn answer_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let w = files::walk(paths, |p| files::has_extension(p, ANSWER_EXTENSIONS));
    note_skipped(&w);
    let mut out: Vec<Input> = w
        .errors
        .iter()
        .map(|e| {
            let file = match e {
                FileError::Read { file, .. } => file.clone(),
                other => other.to_string(),
            };
            (
                Origin { file, line: None },
                Err(AnswerError::Io { reason: e.reason() }),
            )
        })
        .collect();
    for f in w.files {
        if is_jsonl(&f) {
            jsonl_inputs(&f, &mut out);
        } else {
            out.push((origin(&f, None), read_answer_file(&f)));
        }
    }
    out
}

/// The lines of a JSONL file, each bounded and checked on its own (an
/// empty JSONL file is a batch of no answer sets).
fn jsonl_inputs(f: &Path, out: &mut Vec<Input>) {
    let file = match open_answers(f) {
        Ok(h) => h,
        Err(e) => {
            out.push((origin(f, None), Err(e)));
            return;
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        let line = match files::read_line(&mut reader, &mut buf, files::MAX_ANSWER_SET_BYTES) {
            Ok(l) => l,
            Err(e) => {
                out.push((
                    origin(f, Some(n + 1)),
                    Err(AnswerError::Io {
                        reason: files::io_reason(&e),
                    }),
                ));
                return;
            }
        };
        n += 1;
        match line {
            Line::Eof => break,
            Line::TooLong => {
                out.push((
                    origin(f, Some(n)),
                    Err(AnswerError::TooLarge {
                        max: files::MAX_ANSWER_SET_BYTES,
                    }),
                ));
            }
            Line::Read => {
                let mut bytes = buf.as_slice();
                if let Some(l) = bytes.strip_suffix(b"\n") {
                    bytes = l.strip_suffix(b"\r").unwrap_or(l);
                }
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let text = std::str::from_utf8(bytes)
                    .map(str::to_string)
                    .map_err(|e| AnswerError::Io {
                        reason: format!("not valid UTF-8 (byte {})", e.valid_up_to()),
                    });
                out.push((origin(f, Some(n)), text));
            }
        }
    }
}

fn origin(p: &Path, line: Option<usize>) -> Origin {
    Origin {
        file: p.display().to_string(),
        line,
    }
}
