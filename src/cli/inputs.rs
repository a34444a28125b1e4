//! Reading files: rule files, and answer sets from `.json` files, `.jsonl`
//! files and directories, in a deterministic (sorted) order.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use mizan::answers::Origin;

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
    match rubric {
        Some(r) if super::locks::guard(r.model(), path, format) => Loaded::Rubric(Box::new(r)),
        _ => Loaded::Invalid,
    }
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

/// Expands directories into their files with one of `exts`, sorted.
pub fn files_of(paths: &[PathBuf], exts: &[&str]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, exts, &mut out).map_err(|e| format!("{}: {e}", p.display()))?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// An answer input: its origin and text, or why it could not be read.
pub type Input = (Origin, Result<String, String>);

/// Expands answer paths into submissions: one per `.json` file, one per
/// non-empty line of a `.jsonl` file.
pub fn answer_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut files = Vec::new();
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            if let Err(e) = walk(p, &["json", "jsonl"], &mut files) {
                out.push((origin(p, None), Err(e.to_string())));
            }
        } else {
            files.push(p.clone());
        }
    }
    for f in files {
        let text = match read_text(&f) {
            Ok(t) => t,
            Err(e) => {
                out.push((origin(&f, None), Err(e.to_string())));
                continue;
            }
        };
        if f.extension().and_then(|e| e.to_str()) == Some("jsonl") {
            for (i, line) in text.lines().enumerate() {
                if !line.trim().is_empty() {
                    out.push((origin(&f, Some(i + 1)), Ok(line.to_string())));
                }
            }
        } else {
            out.push((origin(&f, None), Ok(text)));
        }
    }
    out
}

fn origin(p: &Path, line: Option<usize>) -> Origin {
    Origin {
        file: p.display().to_string(),
        line,
    }
}
