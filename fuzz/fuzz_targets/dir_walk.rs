//! The fuzz input as a small program that builds a directory tree (at most
//! 32 entries, 4 levels deep) in a fresh directory under /dev/shm (or the
//! temporary directory): answer files and others (`.json`, `.JSON`,
//! `.jsonl`, `.txt`, `.mizan`, …) with tiny contents, subdirectories, hard
//! links, symbolic links (to `.`, `..`, `../..`, the root, a sibling
//! directory or file, an absolute path, nothing, themselves), FIFOs and
//! sockets. Then `mizan::files::walk` with the answer-file filter, on the
//! root and up to two more paths of the tree.
//!
//! It must end (the fuzzer's `-timeout` catches a hang). Every regular
//! file it returns is returned once (by device and inode); the regular
//! answer files reachable from the paths (found here by a walk of our own)
//! are exactly those returned; nothing returned is a directory, and what
//! is not a regular file is refused by `files::read` without blocking;
//! what it could not walk is a dangling or looping link; files of one
//! directory come in name order; and a second walk, and a walk of the same
//! tree built elsewhere, give the same lists (relative to the root).
#![no_main]

use std::collections::{BTreeSet, HashSet};
use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use mizan::files::{self, FileError, Skip};

const EXTS: &[&str] = &["json", "jsonl"];
const NAMES: &[&str] = &["a", "b", "c", "moi", "Z", ".h", "a.b"];
const SUFFIXES: &[&str] = &[
    ".json",
    ".JSON",
    ".jsonl",
    ".Jsonl",
    ".txt",
    ".mizan",
    "",
    ".json.bak",
];
const CONTENTS: &[&[u8]] = &[b"", b"{}", b"{\"entity\":{\"id\":\"x\"}}\n", b"\xff\xfe", b"\n\n"];
const MAX_ENTRIES: usize = 32;
const MAX_DEPTH: usize = 4;

/// One step of the program, applied in the same order to every copy.
#[derive(Debug, Clone)]
enum Op {
    Dir {
        parent: usize,
        name: String,
    },
    File {
        parent: usize,
        name: String,
        content: usize,
    },
    HardLink {
        parent: usize,
        name: String,
        to: usize,
    },
    Link {
        parent: usize,
        name: String,
        target: Target,
    },
    Fifo {
        parent: usize,
        name: String,
    },
    Socket {
        parent: usize,
        name: String,
    },
}

#[derive(Debug, Clone)]
enum Target {
    Dot,
    DotDot,
    DotDotDot,
    Root,
    /// A directory made before, by index, as a path relative to the link.
    Dir(usize),
    /// A file made before, by index, relative.
    File(usize),
    /// The same, as an absolute path.
    AbsDir(usize),
    Missing,
    Itself,
}

/// The program: directories are numbered in creation order (0 is the
/// root), as are files.
fn program(data: &[u8]) -> (Vec<Op>, Vec<usize>) {
    let mut ops = Vec::new();
    let mut dirs: Vec<(usize, Option<usize>)> = vec![(0, None)]; // (depth, parent)
    let mut nfiles = 0;
    let mut bytes = data.chunks_exact(3);
    let mut extra = Vec::new();
    for c in bytes.by_ref().take(MAX_ENTRIES) {
        let (op, a, b) = (c[0], usize::from(c[1]), usize::from(c[2]));
        let parent = a % dirs.len();
        let name = format!(
            "{}{}",
            NAMES[b % NAMES.len()],
            SUFFIXES[b / NAMES.len() % SUFFIXES.len()]
        );
        match op % 16 {
            0..=2 => {
                if dirs[parent].0 < MAX_DEPTH {
                    dirs.push((dirs[parent].0 + 1, Some(parent)));
                    ops.push(Op::Dir { parent, name });
                }
            }
            3..=7 => {
                nfiles += 1;
                ops.push(Op::File {
                    parent,
                    name,
                    content: usize::from(op >> 4) % CONTENTS.len(),
                });
            }
            8 if nfiles > 0 => ops.push(Op::HardLink {
                parent,
                name,
                to: usize::from(op >> 4) % nfiles,
            }),
            8..=12 => {
                let target = match (usize::from(op >> 4) + usize::from(op % 16)) % 9 {
                    0 => Target::Dot,
                    1 => Target::DotDot,
                    2 => Target::DotDotDot,
                    3 => Target::Root,
                    4 => Target::Dir(b % dirs.len()),
                    5 if nfiles > 0 => Target::File(b % nfiles),
                    6 => Target::AbsDir(b % dirs.len()),
                    7 => Target::Missing,
                    _ => Target::Itself,
                };
                ops.push(Op::Link { parent, name, target });
            }
            13 | 14 => ops.push(Op::Fifo { parent, name }),
            _ => ops.push(Op::Socket { parent, name }),
        }
    }
    // Up to two more paths to walk: the next bytes, as indices of the
    // entries made (directories first, then files).
    for &b in bytes.remainder().iter().take(2) {
        extra.push(usize::from(b));
    }
    (ops, extra)
}

/// Builds the tree of `ops` under `root`; returns the paths of its
/// directories and files (made or not: a name may be taken), and of every
/// entry.
fn build(jail: &Path, root: &Path, ops: &[Op]) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<PathBuf>) {
    fs::create_dir_all(root).expect("a fresh root");
    let jail = fs::canonicalize(jail).expect("a temporary directory");
    // Whether a link made in `dir` to `target` leads into the jail (by
    // induction, every link does: its leading `..` are resolved here, what
    // follows is entries of the jail).
    let inside = |dir: &Path, target: &Path| -> bool {
        let Ok(mut at) = fs::canonicalize(dir) else {
            return true;
        };
        for c in target.components() {
            match c {
                std::path::Component::ParentDir => {
                    at.pop();
                }
                std::path::Component::RootDir => at = PathBuf::from("/"),
                std::path::Component::Normal(n) => at.push(n),
                _ => {}
            }
        }
        at.starts_with(&jail)
    };
    let mut dirs = vec![root.to_path_buf()];
    let mut made = Vec::new();
    let mut all = Vec::new();
    let rel = |from: &Path, to: &Path| -> PathBuf {
        // `from` is a directory; both are under `root`.
        let f: Vec<_> = from
            .strip_prefix(root)
            .expect("under root")
            .components()
            .collect();
        let t: Vec<_> = to.strip_prefix(root).expect("under root").components().collect();
        let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
        let mut p = PathBuf::new();
        for _ in common..f.len() {
            p.push("..");
        }
        for c in &t[common..] {
            p.push(c);
        }
        if p.as_os_str().is_empty() {
            p.push(".");
        }
        p
    };
    for op in ops {
        match op {
            Op::Dir { parent, name } => {
                let p = dirs[*parent].join(name);
                let _ = fs::create_dir(&p);
                dirs.push(p.clone());
                all.push(p);
            }
            Op::File {
                parent,
                name,
                content,
            } => {
                let p = dirs[*parent].join(name);
                if fs::symlink_metadata(&p).is_err() {
                    let _ = fs::write(&p, CONTENTS[*content]);
                }
                made.push(p.clone());
                all.push(p);
            }
            Op::HardLink { parent, name, to } => {
                let p = dirs[*parent].join(name);
                let _ = fs::hard_link(&made[*to], &p);
                all.push(p);
            }
            Op::Link { parent, name, target } => {
                let dir = &dirs[*parent];
                let p = dir.join(name);
                let t = match target {
                    Target::Dot => PathBuf::from("."),
                    Target::DotDot => PathBuf::from(".."),
                    Target::DotDotDot => PathBuf::from("../.."),
                    Target::Root => rel(dir, root),
                    Target::Dir(i) => rel(dir, &dirs[*i]),
                    Target::File(i) => rel(dir, &made[*i]),
                    Target::AbsDir(i) => dirs[*i].clone(),
                    Target::Missing => PathBuf::from("nothing-here.json"),
                    Target::Itself => PathBuf::from(name),
                };
                if inside(dir, &t) {
                    let _ = std::os::unix::fs::symlink(&t, &p);
                }
                all.push(p);
            }
            Op::Fifo { parent, name } => {
                let p = dirs[*parent].join(name);
                let c = CString::new(p.as_os_str().as_bytes()).expect("no NUL");
                // SAFETY: a valid NUL-terminated path; mkfifo only makes a node.
                unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
                all.push(p);
            }
            Op::Socket { parent, name } => {
                let p = dirs[*parent].join(name);
                // Dropping the listener leaves the socket file.
                let _ = std::os::unix::net::UnixListener::bind(&p);
                all.push(p);
            }
        }
    }
    (dirs, made, all)
}

/// Our own walk: the (device, inode) of every regular file with an answer
/// extension reachable from `paths` (links followed, each directory once,
/// never into a directory above the path walked: a link to one is a loop,
/// skipped whole), and the paths given that are files; and the entries
/// that cannot be followed (dangling or looping links) seen on the way, by
/// directory and name.
fn reachable(paths: &[PathBuf]) -> (BTreeSet<(u64, u64)>, HashSet<Broken>) {
    let mut files = BTreeSet::new();
    let mut broken = HashSet::new();
    let mut seen_dirs = HashSet::new();
    for p in paths {
        let Ok(m) = fs::metadata(p) else { continue };
        if m.is_file() {
            files.insert((m.dev(), m.ino()));
            continue;
        }
        if !m.is_dir() {
            continue;
        }
        let above: HashSet<(u64, u64)> = fs::canonicalize(p)
            .expect("a directory")
            .ancestors()
            .skip(1)
            .filter_map(|a| fs::metadata(a).ok())
            .map(|m| (m.dev(), m.ino()))
            .collect();
        let mut todo = vec![p.clone()];
        while let Some(d) = todo.pop() {
            let Ok(m) = fs::metadata(&d) else { continue };
            let key = (m.dev(), m.ino());
            if above.contains(&key) || !seen_dirs.insert(key) {
                continue;
            }
            let Ok(rd) = fs::read_dir(&d) else { continue };
            for e in rd {
                let e = e.expect("an entry");
                let path = e.path();
                match fs::metadata(&path) {
                    Err(_) => {
                        broken.insert((key, e.file_name()));
                    }
                    Ok(m) if m.is_dir() => todo.push(path),
                    Ok(m) if m.is_file() && files::has_extension(&path, EXTS) => {
                        files.insert((m.dev(), m.ino()));
                    }
                    Ok(_) => {}
                }
            }
        }
    }
    (files, broken)
}

/// A directory (device, inode) and an entry's name.
type Broken = ((u64, u64), std::ffi::OsString);

/// `p` as a [`Broken`] entry.
fn entry_of(p: &Path) -> Option<Broken> {
    let m = fs::metadata(p.parent()?).ok()?;
    Some(((m.dev(), m.ino()), p.file_name()?.to_os_string()))
}

/// A walk's lists with paths relative to `base`, as text.
/// True when a path the walk returned, skipped or could not read really
/// lies outside `jail` (its directory, links resolved).
fn walked_out(w: &files::Walk, jail: &Path) -> bool {
    let Ok(jail) = fs::canonicalize(jail) else {
        return false;
    };
    let errors = w.errors.iter().filter_map(|e| match e {
        FileError::Read { file, .. } => Some(PathBuf::from(file)),
        _ => None,
    });
    let paths: Vec<PathBuf> = w
        .files
        .iter()
        .cloned()
        .chain(w.skipped.iter().map(|(p, _)| p.clone()))
        .chain(errors)
        .collect();
    paths.iter().any(|p| {
        p.parent()
            .and_then(|d| fs::canonicalize(d).ok())
            .is_some_and(|d| !d.starts_with(&jail))
    })
}

fn relative(w: &files::Walk, base: &Path) -> String {
    let r = |p: &Path| p.strip_prefix(base).unwrap_or(p).display().to_string();
    let files: Vec<String> = w.files.iter().map(|p| r(p)).collect();
    let skipped: Vec<String> = w
        .skipped
        .iter()
        .map(|(p, why)| {
            let why = match why {
                Skip::Extension => "extension".to_string(),
                Skip::SameFile(f) => format!("same file {}", r(f)),
                Skip::SameDirectory(d) => format!("same dir {}", r(d)),
                Skip::Loop(d) => format!("loop {}", r(d)),
            };
            format!("{} {why}", r(p))
        })
        .collect();
    let errors: Vec<String> = w
        .errors
        .iter()
        .map(|e| match e {
            FileError::Read { file, reason } => format!("{} {reason}", r(Path::new(file))),
            other => format!("{other}"),
        })
        .collect();
    format!("{files:#?}\n{skipped:#?}\n{errors:#?}")
}

/// The tree under `dir`, one entry a line (for failure messages).
fn listing(dir: &Path) -> String {
    let mut out = String::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            let Ok(m) = fs::symlink_metadata(&p) else { continue };
            let what = if m.file_type().is_symlink() {
                format!(
                    "-> {}",
                    fs::read_link(&p)
                        .map(|t| t.display().to_string())
                        .unwrap_or_default()
                )
            } else if m.is_dir() {
                todo.push(p.clone());
                "dir".to_string()
            } else {
                format!("{:?} inode {}", m.file_type(), m.ino())
            };
            out.push_str(&format!(
                "{} {what}\n",
                p.strip_prefix(dir).unwrap_or(&p).display()
            ));
        }
    }
    out
}

fn base() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fuzz_target!(|data: &[u8]| {
    let (ops, extra) = program(data);
    let tmp = tempfile::Builder::new()
        .prefix("mizan-fuzz-walk")
        .tempdir_in(base())
        .expect("a temporary directory");
    let twin = tempfile::Builder::new()
        .prefix("mizan-fuzz-walk")
        .tempdir_in(base())
        .expect("a temporary directory");
    // Two levels above the root hold nothing else: `..` and `../..` from
    // the root stay in the temporary directory.
    let root = tmp.path().join("o/p/r");
    let (dirs, made, all) = build(tmp.path(), &root, &ops);
    let troot = twin.path().join("o/p/r");
    build(twin.path(), &troot, &ops);

    let pick = |root: &Path, i: usize| -> PathBuf {
        let entries: Vec<&PathBuf> = dirs.iter().chain(&made).chain(&all).collect();
        let p = entries[i % entries.len()];
        root.join(p.strip_prefix(tmp.path().join("o/p/r")).expect("under root"))
    };
    let mut paths = vec![root.clone()];
    let mut tpaths = vec![troot.clone()];
    for &i in &extra {
        paths.push(pick(&root, i));
        tpaths.push(pick(&troot, i));
    }

    let keep = |p: &Path| files::has_extension(p, EXTS);
    let w = files::walk(&paths, keep);
    // A chain of links can climb out of the temporary directory (each link
    // is checked on its own by `inside`): the walk then reaches other trees,
    // `/proc` or the whole file system, which the model of this target does
    // not describe. Such a walk is left out (it ended, within the timeout).
    if walked_out(&w, tmp.path()) {
        return;
    }

    // Each regular file once; nothing returned is a directory; anything
    // else is refused unread, without blocking.
    let mut keys = HashSet::new();
    let mut got = BTreeSet::new();
    for p in &w.files {
        match fs::metadata(p) {
            Ok(m) if m.is_file() => {
                let key = (m.dev(), m.ino());
                assert!(keys.insert(key), "{} returned twice (same inode)", p.display());
                got.insert(key);
                let read = files::read(p, 8);
                assert!(
                    matches!(read, Ok(_) | Err(FileError::TooLarge { .. })),
                    "{}: {read:?}",
                    p.display()
                );
            }
            Ok(m) => {
                assert!(!m.is_dir(), "{} is a directory", p.display());
                let t = m.file_type();
                assert!(t.is_fifo() || t.is_socket(), "{}: {t:?}", p.display());
                let read = files::read(p, 8);
                assert!(
                    matches!(read, Err(FileError::NotRegular { .. })),
                    "{}: {read:?}",
                    p.display()
                );
            }
            Err(_) => {
                // Only a path given that does not exist (or a dangling link
                // named directly) is returned without being a file.
                assert!(paths.contains(p), "{} returned but cannot be read", p.display());
                assert!(files::read(p, 8).is_err());
            }
        }
    }
    let (want, broken) = reachable(&paths);
    assert_eq!(
        got,
        want,
        "the walk and our walk reach different regular answer files\n{}{w:#?}",
        listing(tmp.path())
    );
    for e in &w.errors {
        let FileError::Read { file, .. } = e else {
            panic!("{e:?}")
        };
        let p = PathBuf::from(file);
        assert!(
            entry_of(&p).is_some_and(|e| broken.contains(&e)),
            "{file}: cannot be walked but is neither a dangling nor a looping link"
        );
        assert!(
            keep(&p),
            "{file}: not an answer file, yet reported as one that cannot be read"
        );
    }
    // Files of one directory come in name order.
    let w0 = files::walk(std::slice::from_ref(&root), keep);
    for pair in w0.files.windows(2) {
        if pair[0].parent() == pair[1].parent() {
            assert!(
                pair[0] < pair[1],
                "{} after {}",
                pair[1].display(),
                pair[0].display()
            );
        }
    }

    // Deterministic: again, and elsewhere.
    let again = files::walk(&paths, keep);
    assert_eq!(
        relative(&w, tmp.path()),
        relative(&again, tmp.path()),
        "two walks differ"
    );
    let tw = files::walk(&tpaths, keep);
    // A chain of links (`a.json` -> `../..`, then `..` from where that
    // leads) can climb out of the temporary directory, which `inside` only
    // checks for each link on its own: such a walk sees the other copy (and
    // any other run's trees) in /dev/shm, so the copies cannot agree. Found
    // by the fuzzer itself; the walk stays sound (each file once, loops
    // skipped), only the comparison is moot.
    let escaped = |l: &str| l.contains("mizan-fuzz-walk");
    if escaped(&relative(&w, tmp.path())) || escaped(&relative(&tw, twin.path())) {
        return;
    }
    assert_eq!(
        relative(&w, tmp.path()),
        relative(&tw, twin.path()),
        "two copies walk differently"
    );
});
