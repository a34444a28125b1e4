//! Reading input files safely (codes M08xx): one directory walker for every
//! command, and bounded reads that refuse special files up front.
//!
//! - [`walk`] expands directories with `walkdir` (rather than recursion by
//!   hand: it detects link loops against the ancestors of each entry, sorts
//!   by name, and lets a directory already seen be skipped), following symbolic links
//!   but walking each directory once (a link loop or a second link to a
//!   directory already walked is skipped and reported) and keeping each
//!   file once (a file reached by two paths is one file, by device and
//!   inode). Extensions are compared without regard to case.
//! - [`open`] refuses anything that is not a regular file (a FIFO, a
//!   socket, a character or block device, a directory), also behind a
//!   symbolic link, from its metadata, before opening it; it opens with
//!   `O_NONBLOCK` and checks again, so a file swapped in between cannot
//!   block the reader either.
//! - [`read`] and [`read_line`] stop at a limit while reading: nothing is
//!   read past the limit, whatever the file claims.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, BufRead, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

/// Largest answer set: one `.json` file, or one line of a `.jsonl` file
/// (16 MiB). Real answer sets are a few kilobytes.
pub const MAX_ANSWER_SET_BYTES: u64 = 16 * 1024 * 1024;

/// Largest import input (a workbook or a CSV file) or other input read
/// whole: 512 MiB.
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Largest import mapping or lock file (TOML): 8 MiB, as a rule file.
pub const MAX_TOML_BYTES: u64 = crate::syntax::MAX_FILE_BYTES as u64;

/// Why a file could not be read.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum FileError {
    /// A FIFO, socket, device or directory where a file was expected.
    #[error("{file}: not a regular file but {kind}; it was not read")]
    #[diagnostic(
        code(M0801),
        url("docs/diagnostics.md#m0801"),
        help(
            "name a regular file; pipes, sockets and devices are refused because they can block or never end"
        )
    )]
    NotRegular {
        /// The path.
        file: String,
        /// What it is: `a FIFO`, `a socket`, ….
        kind: &'static str,
    },
    /// Over its size limit.
    #[error("{file}: {what} is larger than the limit of {max} bytes")]
    #[diagnostic(
        code(M0802),
        url("docs/diagnostics.md#m0802"),
        help("check that this is the file you meant; the limits are in docs/robustness.md")
    )]
    TooLarge {
        /// The path.
        file: String,
        /// `the file`, `line 3`.
        what: String,
        /// The limit.
        max: u64,
    },
    /// A rule or test file over [`crate::syntax::MAX_FILE_BYTES`]: the
    /// syntax stage's M0106, found before the file is read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    RuleFile(#[from] crate::syntax::SyntaxError),
    /// The operating system refused, or the text is not UTF-8.
    #[error("{file}: cannot read: {reason}")]
    #[diagnostic(code(M0803), url("docs/diagnostics.md#m0803"))]
    Read {
        /// The path.
        file: String,
        /// Why.
        reason: String,
    },
}

impl FileError {
    /// The reason without the file name (for messages that give the file
    /// elsewhere, as answer-set problems do).
    pub fn reason(&self) -> String {
        match self {
            FileError::NotRegular { kind, .. } => format!("not a regular file but {kind}; it was not read"),
            FileError::TooLarge { what, max, .. } => {
                format!("{what} is larger than the limit of {max} bytes")
            }
            FileError::RuleFile(e) => e.to_string(),
            FileError::Read { reason, .. } => reason.clone(),
        }
    }

    fn read(path: &Path, e: &io::Error) -> Self {
        FileError::Read {
            file: path.display().to_string(),
            reason: io_reason(e),
        }
    }
}

impl From<FileError> for crate::answers::AnswerError {
    fn from(e: FileError) -> Self {
        match e {
            FileError::NotRegular { kind, .. } => {
                crate::answers::AnswerError::NotRegular { kind: kind.into() }
            }
            FileError::TooLarge { max, .. } => crate::answers::AnswerError::TooLarge { max },
            e => crate::answers::AnswerError::Io { reason: e.reason() },
        }
    }
}

/// An I/O error as a short phrase (`No such file or directory`, without
/// the `(os error 2)`).
pub fn io_reason(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s.get(..i).unwrap_or(&s).to_string(),
        None => s,
    }
}

/// What a file type is, in words; `None` for a regular file.
fn special(t: fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else {
        Some("not a file")
    }
}

/// The metadata of a regular file (following links), or why not.
pub fn regular(path: &Path) -> Result<fs::Metadata, FileError> {
    let m = fs::metadata(path).map_err(|e| FileError::read(path, &e))?;
    match special(m.file_type()) {
        None => Ok(m),
        Some(kind) => Err(FileError::NotRegular {
            file: path.display().to_string(),
            kind,
        }),
    }
}

/// Opens a regular file for reading; anything else is refused before it
/// is opened (see the module documentation).
pub fn open(path: &Path) -> Result<File, FileError> {
    regular(path)?;
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| FileError::read(path, &e))?;
    // The path may have been replaced between the two looks.
    let m = f.metadata().map_err(|e| FileError::read(path, &e))?;
    match special(m.file_type()) {
        None => Ok(f),
        Some(kind) => Err(FileError::NotRegular {
            file: path.display().to_string(),
            kind,
        }),
    }
}

/// Checks that `path` is a regular file of at most `max` bytes, without
/// reading it (for readers that open the file themselves).
pub fn check(path: &Path, max: u64) -> Result<(), FileError> {
    let m = regular(path)?;
    if m.len() > max {
        return Err(FileError::TooLarge {
            file: path.display().to_string(),
            what: "the file".into(),
            max,
        });
    }
    Ok(())
}

/// Reads a regular file of at most `max` bytes; reading stops at the
/// limit, whatever the file's size says.
pub fn read(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    let f = open(path)?;
    let too_large = || FileError::TooLarge {
        file: path.display().to_string(),
        what: "the file".into(),
        max,
    };
    let hint = f.metadata().map(|m| m.len()).unwrap_or(0);
    if hint > max {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    f.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::read(path, &e))?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Reads a regular file of at most `max` bytes as UTF-8 text.
pub fn read_text(path: &Path, max: u64) -> Result<String, FileError> {
    let bytes = read(path, max)?;
    String::from_utf8(bytes).map_err(|e| FileError::Read {
        file: path.display().to_string(),
        reason: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
    })
}

/// Reads a rule or test file: as [`read_text`], with the rule-file size
/// limit (M0106).
pub fn read_rule_text(path: &Path) -> Result<String, FileError> {
    let max = crate::syntax::MAX_FILE_BYTES as u64;
    read_text(path, max).map_err(|e| match e {
        FileError::TooLarge { .. } => FileError::RuleFile(crate::syntax::SyntaxError::TooLarge {
            bytes: fs::metadata(path)
                .ok()
                .and_then(|m| usize::try_from(m.len()).ok())
                .unwrap_or(crate::syntax::MAX_FILE_BYTES + 1),
            max: crate::syntax::MAX_FILE_BYTES,
        }),
        e => e,
    })
}

/// What [`read_line`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// The end of the input: nothing was read.
    Eof,
    /// A line, appended to the buffer with its `\n` (if any).
    Read,
    /// A line longer than the limit: it was read and dropped up to its
    /// `\n`, and nothing was appended.
    TooLong,
}

/// Reads one line (up to and with `\n`) into `buf`, keeping at most `max`
/// bytes of it in memory: a longer line is consumed and dropped, and
/// reported as [`Line::TooLong`].
pub fn read_line(reader: &mut impl BufRead, buf: &mut Vec<u8>, max: u64) -> io::Result<Line> {
    let start = buf.len();
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut any = false;
    let mut too_long = false;
    loop {
        let (done, used) = {
            let chunk = match reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                (true, 0)
            } else {
                any = true;
                let (part, done) = match memchr::memchr(b'\n', chunk) {
                    Some(i) => (chunk.get(..=i).unwrap_or(chunk), true),
                    None => (chunk, false),
                };
                if !too_long {
                    if buf.len() - start + part.len() > max {
                        too_long = true;
                        buf.truncate(start);
                    } else {
                        buf.extend_from_slice(part);
                    }
                }
                (done, part.len())
            }
        };
        reader.consume(used);
        if done {
            break;
        }
    }
    Ok(if too_long {
        Line::TooLong
    } else if any {
        Line::Read
    } else {
        Line::Eof
    })
}

/// Why a walk left a path out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Its extension is not one the command reads.
    Extension,
    /// A file already kept under another path (a link, or named twice).
    SameFile(PathBuf),
    /// A directory already walked (a second link to it).
    SameDirectory(PathBuf),
    /// A link to a directory that contains it.
    Loop(PathBuf),
}

/// The outcome of [`walk`].
#[derive(Debug, Default)]
pub struct Walk {
    /// The files to read, in order: each path as given, directories
    /// expanded in sorted order, each file once.
    pub files: Vec<PathBuf>,
    /// What was left out, in walk order.
    pub skipped: Vec<(PathBuf, Skip)>,
    /// Directories (or entries) that could not be read, with why.
    pub errors: Vec<FileError>,
}

impl Walk {
    /// One line per skipped path (at most `max`, then a count), for a
    /// note; `what` names what the walk looked for (`.json or .jsonl`).
    pub fn skipped_note(&self, what: &str, max: usize) -> Option<String> {
        if self.skipped.is_empty() {
            return None;
        }
        let n = self.skipped.len();
        let mut s = format!(
            "skipped {n} path{} in the directories given:",
            if n == 1 { "" } else { "s" }
        );
        for (p, why) in self.skipped.iter().take(max) {
            let why = match why {
                Skip::Extension => format!(" (not {what})"),
                Skip::SameFile(f) => format!(" (the same file as {})", f.display()),
                Skip::SameDirectory(d) => format!(" (the same directory as {})", d.display()),
                Skip::Loop(d) => format!(" (a link loop back to {})", d.display()),
            };
            s.push_str(&format!("\n  {}{why}", p.display()));
        }
        if n > max {
            s.push_str(&format!("\n  … and {} more", n - max));
        }
        Some(s)
    }
}

/// Whether `path` itself is a symbolic link.
fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// True when `path`'s extension is one of `exts`, in any case (`moi.JSON`).
pub fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Expands `paths`: a directory becomes its files (at any depth, sorted by
/// name, links followed) that `keep` accepts; any other path is kept as
/// given (whether it exists or not: reading it reports why not). Each
/// directory is walked once and each file kept once (by device and inode).
/// A link in a directory that cannot be followed (dangling, or a loop of
/// links) is an error when `keep` accepts its name, else skipped as any
/// other file of another kind.
pub fn walk(paths: &[PathBuf], keep: impl Fn(&Path) -> bool) -> Walk {
    let mut w = Walk::default();
    let mut files: HashSet<(u64, u64)> = HashSet::new();
    let mut first_file: Vec<((u64, u64), PathBuf)> = Vec::new();
    let mut dirs: HashSet<(u64, u64)> = HashSet::new();
    let mut first_dir: Vec<((u64, u64), PathBuf)> = Vec::new();
    let first = |list: &Vec<((u64, u64), PathBuf)>, key| {
        list.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| p.clone())
            .unwrap_or_default()
    };
    let mut add_file = |w: &mut Walk, p: PathBuf, m: Option<fs::Metadata>| {
        if let Some(m) = m {
            let key = (m.dev(), m.ino());
            if !files.insert(key) {
                let f = first(&first_file, key);
                w.skipped.push((p, Skip::SameFile(f)));
                return;
            }
            first_file.push((key, p.clone()));
        }
        w.files.push(p);
    };
    for p in paths {
        let meta = fs::metadata(p).ok();
        if !meta.as_ref().is_some_and(fs::Metadata::is_dir) {
            add_file(&mut w, p.clone(), meta.filter(fs::Metadata::is_file));
            continue;
        }
        let mut it = walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        while let Some(entry) = it.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let at = e.path().unwrap_or(p).to_path_buf();
                    if let Some(a) = e.loop_ancestor() {
                        w.skipped.push((at, Skip::Loop(a.to_path_buf())));
                    } else if e.depth() > 0 && is_link(&at) && !keep(&at) {
                        // A link that cannot be followed (dangling, or a
                        // loop of links) is no directory: by its name, not
                        // a file the command reads either.
                        w.skipped.push((at, Skip::Extension));
                    } else {
                        let reason = e.io_error().map_or_else(|| e.to_string(), io_reason);
                        w.errors.push(FileError::Read {
                            file: at.display().to_string(),
                            reason,
                        });
                    }
                    continue;
                }
            };
            let path = entry.path().to_path_buf();
            if entry.file_type().is_dir() {
                if let Ok(m) = entry.metadata() {
                    let key = (m.dev(), m.ino());
                    if !dirs.insert(key) {
                        let d = first(&first_dir, key);
                        w.skipped.push((path, Skip::SameDirectory(d)));
                        it.skip_current_dir();
                        continue;
                    }
                    first_dir.push((key, path));
                }
                continue;
            }
            if !keep(&path) {
                w.skipped.push((path, Skip::Extension));
                continue;
            }
            let m = entry.metadata().ok().filter(fs::Metadata::is_file);
            add_file(&mut w, path, m);
        }
    }
    w
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn read_line_bounds_every_line() {
        let text = b"ab\nabcdefgh\n\nxyz";
        let mut r = io::BufReader::with_capacity(3, &text[..]);
        let mut buf = Vec::new();
        let mut got = Vec::new();
        loop {
            buf.clear();
            match read_line(&mut r, &mut buf, 4).unwrap() {
                Line::Eof => break,
                l => got.push((l, String::from_utf8(buf.clone()).unwrap())),
            }
        }
        assert_eq!(
            got,
            [
                (Line::Read, "ab\n".to_string()),
                (Line::TooLong, String::new()),
                (Line::Read, "\n".to_string()),
                (Line::Read, "xyz".to_string()),
            ]
        );
    }

    #[test]
    fn extensions_ignore_case() {
        assert!(has_extension(Path::new("a/moi.JSON"), &["json", "jsonl"]));
        assert!(has_extension(Path::new("a/moi.Jsonl"), &["json", "jsonl"]));
        assert!(!has_extension(Path::new("a/moi.json.bak"), &["json"]));
        assert!(!has_extension(Path::new("a/json"), &["json"]));
    }
}
