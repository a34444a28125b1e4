//! Reading files: rule files, and answer sets from `.json` files, `.jsonl`
//! files and directories, in a deterministic (sorted) order. Every command
//! expands directories with the one walker of `mizan::files` and reads
//! through its bounded readers.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use mizan::answers::{AnswerError, Origin, Rejection};
use mizan::files::{self, FileError, Line, Walk};
use mizan::render::Lang;

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
    match rubric {
        Some(r) if super::locks::guard(r.model(), path, format) => Loaded::Rubric(Box::new(r)),
        _ => Loaded::Invalid,
    }
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

/// True, after saying so on standard error, when a walk found nothing to
/// work on: a command pointed at the wrong directory must not pass as if
/// everything in it were fine. `what` names what was looked for.
pub fn nothing_found(files: &[PathBuf], paths: &[PathBuf], what: &str) -> bool {
    if !files.is_empty() {
        return false;
    }
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    errln!("error: no {what} under {}: nothing to do", shown.join(", "));
    true
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

/// True, after saying so on standard error, when an answer path given on
/// the command line does not exist or cannot be looked at: that is a
/// mistake in the command (exit 1), not a rejected submission. A file
/// that cannot be read inside a directory stays a rejected input (M0418).
pub fn missing_answer_paths(paths: &[PathBuf], lang: Lang) -> bool {
    let mut missing = false;
    for p in paths {
        if let Err(e) = std::fs::metadata(p) {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => {
                    lang.t("no such file or directory", "لا يوجد ملف أو مجلد بهذا الاسم")
                }
                std::io::ErrorKind::PermissionDenied => lang.t("permission denied", "لا إذن بالقراءة"),
                _ => lang.t("it cannot be opened", "لا يمكن فتحه"),
            };
            let name = p.display().to_string();
            let line = match lang {
                Lang::En => format!(
                    "error[M0418]: cannot read answers `{name}`: {why}; check the path (nothing was evaluated)"
                ),
                Lang::Ar => format!(
                    "خطأ {}: تتعذّر قراءة الإجابات {}: {why}؛ تحقّق من المسار (لم يُقيَّم شيء)",
                    lang.ltr("[M0418]"),
                    lang.ltr(&name)
                ),
            };
            errln!("{}", lang.line(&line));
            missing = true;
        }
    }
    missing
}

/// Says on standard error that the answer paths hold no answer file: the
/// evaluation goes on, over no entity, but a wrong directory must not look
/// like a clean run.
fn warn_if_no_answers(w: &Walk, paths: &[PathBuf], lang: Lang) {
    if !w.files.is_empty() || !w.errors.is_empty() || paths.is_empty() {
        return;
    }
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let shown = shown.join(", ");
    let line = match lang {
        Lang::En => {
            format!("warning: no answer files (`*.json`, `*.jsonl`) under {shown}: nothing to evaluate")
        }
        Lang::Ar => format!(
            "تنبيه: لا ملفات إجابات ({}، {}) في {}: لا شيء للتقييم",
            lang.ltr("*.json"),
            lang.ltr("*.jsonl"),
            lang.ltr(&shown)
        ),
    };
    errln!("{}", lang.line(&line));
}

/// An answer input: its origin and text, or its rejection (a file that
/// cannot be read, M0418, or is special, too large or empty, M0440–M0442;
/// a JSONL line that is not UTF-8, M0401).
pub type Input = (Origin, Result<String, Rejection>);

/// An answer path after the directory walk: a file to read, or the
/// rejection of a path that cannot be walked.
pub enum Source {
    /// A `.json` or `.jsonl` file.
    File(PathBuf),
    /// A directory that cannot be read.
    Unreadable(Rejection),
}

/// Expands answer paths into answer files (`.json`, `.jsonl`, in any
/// case), in order (directories sorted, each file once), noting on
/// standard error what was left out.
pub fn answer_files(paths: &[PathBuf], lang: Lang) -> Vec<Source> {
    let w = files::walk(paths, |p| files::has_extension(p, ANSWER_EXTENSIONS));
    note_skipped(&w);
    warn_if_no_answers(&w, paths, lang);
    let mut out: Vec<Source> = Vec::with_capacity(w.files.len() + w.errors.len());
    out.extend(w.files.into_iter().map(Source::File));
    out.extend(w.errors.iter().map(|e| {
        let file = match e {
            FileError::Read { file, .. } => file.clone(),
            other => other.to_string(),
        };
        Source::Unreadable(rejection(
            Origin { file, line: None },
            AnswerError::Io { reason: e.reason() },
        ))
    }));
    out
}

/// Whether `p` is a JSONL file (one answer set per line), in any case.
pub fn is_jsonl(p: &Path) -> bool {
    files::has_extension(p, &["jsonl"])
}

/// The rejection of an answer file, or of what is left of it from `line`,
/// that cannot be read (M0418).
pub fn unreadable(p: &Path, line: Option<usize>, reason: String) -> Rejection {
    mizan::eval::stream::unreadable(&p.display().to_string(), line, reason)
}

/// An answer file's (or line's) rejection for `error`.
pub fn rejection(origin: Origin, error: AnswerError) -> Rejection {
    Rejection {
        origin,
        entity: None,
        pointer: String::new(),
        error,
    }
}

/// Opens a JSONL answer file (a regular file: FIFOs, sockets and devices
/// are refused unread, M0441).
pub fn open_answers(path: &Path) -> Result<std::fs::File, AnswerError> {
    files::open(path).map_err(AnswerError::from)
}

/// Reads a `.json` answer file: one regular file of at most
/// [`files::MAX_ANSWER_SET_BYTES`], not empty, UTF-8.
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
/// non-blank line of a `.jsonl` file. A path or file that cannot be read,
/// or a line that is not UTF-8 or too long, is one rejected input in its
/// place (lines before a read error are kept); nothing else is lost.
pub fn answer_inputs(paths: &[PathBuf], lang: Lang) -> Vec<Input> {
    let mut out = Vec::new();
    for source in answer_files(paths, lang) {
        match source {
            Source::File(f) => read_answers(&f, &mut out),
            Source::Unreadable(r) => out.push((r.origin.clone(), Err(r))),
        }
    }
    out
}

/// The submissions of one answer file, framed as the streaming reader
/// frames them ([`mizan::eval::stream::frame`]), each line bounded by
/// [`files::MAX_ANSWER_SET_BYTES`].
fn read_answers(f: &Path, out: &mut Vec<Input>) {
    if !is_jsonl(f) {
        let text = read_answer_file(f).map_err(|e| rejection(origin(f, None), e));
        out.push((origin(f, None), text));
        return;
    }
    let mut reader = match open_answers(f) {
        Ok(h) => BufReader::with_capacity(1 << 16, h),
        Err(e) => {
            out.push((origin(f, None), Err(rejection(origin(f, None), e))));
            return;
        }
    };
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let line = match files::read_line(&mut reader, &mut buf, files::MAX_ANSWER_SET_BYTES) {
            Ok(l) => l,
            Err(e) => {
                let at = origin(f, Some(number + 1));
                out.push((at, Err(unreadable(f, Some(number + 1), files::io_reason(&e)))));
                break;
            }
        };
        let at = match line {
            Line::Eof => break,
            Line::TooLong => {
                number += 1;
                let at = origin(f, Some(number));
                let max = files::MAX_ANSWER_SET_BYTES;
                out.push((at.clone(), Err(rejection(at, AnswerError::TooLarge { max }))));
                continue;
            }
            Line::Read => {
                number += 1;
                origin(f, Some(number))
            }
        };
        let Some(line) = mizan::eval::stream::frame(&buf) else {
            continue;
        };
        let text = match std::str::from_utf8(line) {
            Ok(t) => Ok(t.to_string()),
            Err(e) => Err(mizan::answers::not_utf8(at.clone(), &e)),
        };
        out.push((at, text));
    }
}

fn origin(p: &Path, line: Option<usize>) -> Origin {
    Origin {
        file: p.display().to_string(),
        line,
    }
}
