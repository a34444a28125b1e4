//! Versioned rules: `rules/<authority>/<name>/<version>.mizan`, lock files
//! for closed cycles, and rubric lookup by id and version.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, SourceSpan};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::diag::Src;
use crate::model::Model;

/// The lock file's name, at the root of a rules directory.
pub const LOCK_FILE: &str = "mizan.lock";

/// Problems of a rule file's place in a rules directory.
#[derive(Debug, Error, Diagnostic)]
pub enum VersionError {
    /// `rules/uae/integration/2019.mizan` declares version 2018.
    #[error("{what} `{declared}` does not match the file's place `{path}`")]
    #[diagnostic(code(M0218), url("docs/diagnostics.md#m0218"))]
    PathMismatch {
        /// "rubric id" or "version".
        what: &'static str,
        /// Declared.
        declared: String,
        /// The path.
        path: String,
        /// The file.
        #[source_code]
        src: Src,
        /// The declaration.
        #[label("declared here")]
        span: SourceSpan,
        /// What to do.
        #[help]
        help: String,
    },

    /// A locked (closed) cycle whose rules changed.
    #[error("{id} {version} is locked, but its rules changed")]
    #[diagnostic(code(M0219), url("docs/diagnostics.md#m0219"))]
    LockedChanged {
        /// Rubric id.
        id: String,
        /// Version.
        version: String,
        /// The file.
        #[source_code]
        src: Src,
        /// The rubric.
        #[label("sha256 {actual}, locked as {locked}")]
        span: SourceSpan,
        /// Locked hash (short).
        locked: String,
        /// Actual hash (short).
        actual: String,
        /// What to do.
        #[help]
        help: String,
    },
}

/// `(rubric id, version)` a file's place in a rules directory implies:
/// `…/rules/uae/integration/2018.mizan` → `("uae.integration", "2018")`,
/// with `-` in directory names read as `_`. `None` outside a `rules`
/// directory or at another depth.
pub fn expected_from_path(path: &Path) -> Option<(String, String)> {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    let root = parts.iter().rposition(|p| p == "rules")?;
    let rest = parts.get(root + 1..)?;
    let [authority, name, file] = rest else {
        return None;
    };
    let version = file.strip_suffix(".mizan")?;
    Some((
        format!("{authority}.{name}").replace('-', "_"),
        version.to_string(),
    ))
}

/// Checks a model's declared id and version against its path.
pub fn check_path(model: &Model, path: &Path) -> Vec<VersionError> {
    let Some((id, version)) = expected_from_path(path) else {
        return Vec::new();
    };
    let span = model.root().loc.span;
    let mut out = Vec::new();
    let shown = path.display().to_string();
    if model.id.replace('-', "_") != id {
        out.push(VersionError::PathMismatch {
            what: "rubric id",
            declared: model.id.clone(),
            path: shown.clone(),
            src: model.src.clone(),
            span,
            help: format!(
                "a file at this place declares `rubric {id}`; or move it to rules/<authority>/<name>/"
            ),
        });
    }
    if model.version != version {
        out.push(VersionError::PathMismatch {
            what: "version",
            declared: model.version.clone(),
            path: shown,
            src: model.src.clone(),
            span,
            help: format!(
                "name the file {}.mizan, or declare `version \"{version}\"`",
                model.version
            ),
        });
    }
    out
}

/// A lock file: the closed cycles whose rules must not change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Lock {
    /// Locked versions.
    #[serde(default)]
    pub locked: Vec<Locked>,
}

/// One locked version.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Locked {
    /// Rubric id.
    pub rubric: String,
    /// Version.
    pub version: String,
    /// sha256 of the rule source when it was locked.
    pub sha256: String,
}

/// Where to walk up from: the file's canonical path (symlinks resolved, so
/// a link to a locked file, or a relative path from inside the rules
/// directory, still finds the lock), then the path as given made absolute
/// (so a link inside a rules directory to a file elsewhere is governed by
/// that directory's lock too).
fn anchors(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(c) = path.canonicalize() {
        out.push(c);
    }
    if let Ok(a) = std::path::absolute(path) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    if out.is_empty() {
        out.push(path.to_path_buf());
    }
    out
}

/// The nearest ancestor of `path` with a `mizan.lock`, or the nearest
/// ancestor named `rules` (where a new lock goes).
fn lock_from(path: &Path) -> Option<PathBuf> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let candidate = d.join(LOCK_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.file_name().is_some_and(|n| n == "rules") {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// The lock file that governs `path`, whatever the working directory:
/// `mizan.lock` in the nearest ancestor `rules` directory (or the nearest
/// ancestor that has one) of the file's canonical path (else of the path
/// made absolute).
pub fn lock_path(path: &Path) -> Option<PathBuf> {
    anchors(path).iter().find_map(|a| lock_from(a))
}

/// Every existing lock file that governs `path`: found from its canonical
/// path and from the path as given (made absolute), once each.
pub fn lock_files(path: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for a in anchors(path) {
        if let Some(l) = lock_from(&a).filter(|l| l.is_file()) {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

/// Reads a lock file (an absent file is an empty lock).
pub fn read_lock(path: &Path) -> Result<Lock, String> {
    if std::fs::symlink_metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(Lock::default());
    }
    let t = crate::files::read_text(path, crate::files::MAX_TOML_BYTES).map_err(|e| e.to_string())?;
    toml::from_str(&t).map_err(|e| format!("{}: {e}", path.display()))
}

/// The lock file's text: sorted, with a header comment.
pub fn write_lock(lock: &Lock) -> String {
    let mut l = lock.clone();
    l.locked
        .sort_by(|a, b| (&a.rubric, &a.version).cmp(&(&b.rubric, &b.version)));
    l.locked
        .dedup_by(|a, b| a.rubric == b.rubric && a.version == b.version);
    format!(
        "# Closed cycles: published scores came from exactly these rules.\n# Written by `mizan lock`; `mizan check` fails when a locked file changes.\n\n{}",
        toml::to_string(&l).unwrap_or_default()
    )
}

/// Checks a model against the lock files that govern its path (see
/// [`lock_files`]): the first locked entry of its id and version whose
/// sha256 differs. An unreadable or invalid lock file is an error.
pub fn check_lock(model: &Model, path: &Path) -> Result<Option<VersionError>, String> {
    for lp in lock_files(path) {
        let lock = read_lock(&lp)?;
        let Some(entry) = lock
            .locked
            .iter()
            .find(|l| l.rubric == model.id && l.version == model.version)
        else {
            continue;
        };
        if entry.sha256 == model.sha256 {
            continue;
        }
        return Ok(Some(VersionError::LockedChanged {
            id: model.id.clone(),
            version: model.version.clone(),
            src: model.src.clone(),
            span: model.root().loc.span,
            locked: entry.sha256.get(..12).unwrap_or("").to_string(),
            actual: model.sha256.get(..12).unwrap_or("").to_string(),
            help: format!(
                "{} records the published rules of this cycle (sha256 {}); this file's sha256 is {}. Restore them (git checkout), or release a new version",
                lp.display(),
                entry.sha256,
                model.sha256
            ),
        }));
    }
    Ok(None)
}

/// Whether `text`, the content of the rule file at `path`, is the
/// published rules of a closed cycle: its sha256 is recorded in a
/// `mizan.lock` of its rules tree. Such a file is left byte for byte as it
/// is (`mizan fmt` does not rewrite it), since published scores cite it.
pub fn locked_as_published(path: &Path, text: &str) -> bool {
    use sha2::{Digest, Sha256};
    let sha = format!("{:x}", Sha256::digest(text.as_bytes()));
    lock_files(path)
        .iter()
        .filter_map(|lp| read_lock(lp).ok())
        .any(|lock| lock.locked.iter().any(|l| l.sha256 == sha))
}

/// Two rule files of one rules tree that declare the same rubric id and
/// version: which one scores an answer set would be a matter of walk order.
#[derive(Debug, Error, Diagnostic)]
#[error("{id} {version} is declared by two files: {first} and {second}")]
#[diagnostic(code(M0230), url("docs/diagnostics.md#m0230"))]
pub struct DuplicateVersion {
    /// Rubric id.
    pub id: String,
    /// Version.
    pub version: String,
    /// The file met first (in sorted walk order).
    pub first: String,
    /// The other one.
    pub second: String,
    /// The second file.
    #[source_code]
    pub src: Src,
    /// Its rubric declaration.
    #[label("also declared in {first}")]
    pub span: SourceSpan,
    /// What to do.
    #[help]
    pub help: String,
}

/// Every pair of `(path, model)` that declares an id and version met
/// before (rubric ids compared with `-` read as `_`, as in paths), one
/// error per later file, naming both files.
pub fn duplicates<'m>(models: impl IntoIterator<Item = (&'m Path, &'m Model)>) -> Vec<DuplicateVersion> {
    let mut seen: Vec<(String, String, &Path)> = Vec::new();
    let mut out = Vec::new();
    for (path, m) in models {
        let key = (m.id.replace('-', "_"), m.version.clone());
        match seen.iter().find(|(i, v, _)| (i, v) == (&key.0, &key.1)) {
            Some((_, _, first)) => out.push(DuplicateVersion {
                id: m.id.clone(),
                version: m.version.clone(),
                first: first.display().to_string(),
                second: path.display().to_string(),
                src: m.src.clone(),
                span: m.root().loc.span,
                help: format!(
                    "one file per rubric version: rules/<authority>/<name>/{}.mizan; remove or renumber the other",
                    m.version
                ),
            }),
            None => seen.push((key.0, key.1, path)),
        }
    }
    out
}
