//! Reading files: rule files, and answer sets from `.json` files, `.jsonl`
//! files and directories, in a deterministic (sorted) order.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use mizan::answers::{Origin, Rejection};

/// A rule file, loaded for a command.
pub enum Loaded {
    /// It checks: the rubric.
    Rubric(Box<mizan::Rubric>),
    /// It cannot be read (reported).
    Unreadable,
    /// It has errors (reported).
    Invalid,
}

/// Reads and checks a rule file, printing its diagnostics (warnings too)
/// and any read error on stderr.
pub fn load_rubric(path: &Path, format: super::Format) -> Loaded {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return Loaded::Unreadable;
        }
    };
    let (rubric, diags) = mizan::load(&path.display().to_string(), &text);
    for d in diags.iter() {
        eprint!(
            "{}",
            mizan::render::diagnostics::render(d.as_ref(), super::style(format))
        );
    }
    rubric.map_or(Loaded::Invalid, |r| Loaded::Rubric(Box::new(r)))
}

/// Reads a file as UTF-8 text.
pub fn read_text(path: &Path) -> io::Result<String> {
    let bytes = fs::read(path)?;
    String::from_utf8(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
        )
    })
}

fn walk(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, exts, out)?;
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Expands directories into their rule files (`.mizan`, not `.test.mizan`).
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    files_with(paths, |p| !mizan::testing::is_test_file(p))
}

/// Expands directories into their `.mizan` files that `keep` accepts;
/// files named directly are kept as given.
pub fn files_with(paths: &[PathBuf], keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &["mizan"], &mut found).map_err(|e| format!("{}: {e}", p.display()))?;
            out.extend(found.into_iter().filter(|f| keep(f)));
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// An answer input: its origin and text, or its rejection (a file that
/// cannot be read, M0418; a JSONL line that is not UTF-8, M0401).
pub type Input = (Origin, Result<String, Rejection>);

/// An answer path after the directory walk: a file to read, or the
/// rejection of a path that cannot be walked.
pub enum Source {
    /// A `.json` or `.jsonl` file.
    File(PathBuf),
    /// A directory that cannot be read.
    Unreadable(Rejection),
}

/// Expands answer paths into answer files, in order (directories sorted).
pub fn answer_files(paths: &[PathBuf]) -> Vec<Source> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files = Vec::new();
            let walked = walk(p, &["json", "jsonl"], &mut files);
            out.extend(files.into_iter().map(Source::File));
            if let Err(e) = walked {
                out.push(Source::Unreadable(unreadable(p, None, e.to_string())));
            }
        } else {
            out.push(Source::File(p.clone()));
        }
    }
    out
}

/// Whether `p` is a JSONL file (one answer set per line).
pub fn is_jsonl(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "jsonl")
}

/// The rejection of an answer file, or of what is left of it from `line`,
/// that cannot be read (M0418).
pub fn unreadable(p: &Path, line: Option<usize>, reason: String) -> Rejection {
    mizan::eval::stream::unreadable(&p.display().to_string(), line, reason)
}

/// Expands answer paths into submissions: one per `.json` file, one per
/// non-blank line of a `.jsonl` file. A path or file that cannot be read,
/// or a line that is not UTF-8, is one rejected input in its place (lines
/// before a read error are kept); nothing else is lost.
pub fn answer_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for source in answer_files(paths) {
        match source {
            Source::File(f) => read_answers(&f, &mut out),
            Source::Unreadable(r) => out.push((r.origin.clone(), Err(r))),
        }
    }
    out
}

/// The submissions of one answer file, framed as the streaming reader
/// frames them ([`mizan::eval::stream::frame`]).
fn read_answers(f: &Path, out: &mut Vec<Input>) {
    if !is_jsonl(f) {
        let text = read_text(f).map_err(|e| unreadable(f, None, e.to_string()));
        out.push((origin(f, None), text));
        return;
    }
    let mut reader = match fs::File::open(f) {
        Ok(h) => io::BufReader::new(h),
        Err(e) => {
            out.push((origin(f, None), Err(unreadable(f, None, e.to_string()))));
            return;
        }
    };
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        match io::BufRead::read_until(&mut reader, b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => number += 1,
            Err(e) => {
                let at = origin(f, Some(number + 1));
                out.push((at, Err(unreadable(f, Some(number + 1), e.to_string()))));
                break;
            }
        }
        let Some(line) = mizan::eval::stream::frame(&buf) else {
            continue;
        };
        let at = origin(f, Some(number));
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
