//! `mizan eval --warnings FILE`: every warning of every scored entity, one
//! JSON object a line, written as the results are (never kept in memory),
//! to a temporary file renamed into place at the end.
//!
//! The summary keeps only the first [`mizan::eval::stream::KEPT_WARNINGS`]
//! warnings and a count per code; this file has them all, in the order
//! the results come out (input order when streamed, entity-id order for a
//! batch), each as `{"source", "entity", "code", "message", "pointer"}`
//! (the `errors` items of the JSON output: docs/output.md).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use mizan::answers::Rejection;
use mizan::render;

use super::atomic::AtomicFile;
use super::Exit;

/// The warnings file being written.
pub struct WarningsFile {
    path: PathBuf,
    tmp: AtomicFile,
    out: BufWriter<std::fs::File>,
    /// The first write error, reported at the end.
    failed: Option<std::io::Error>,
}

impl WarningsFile {
    /// Starts `path` (a temporary file beside it until [`Self::finish`]).
    pub fn create(path: &Path) -> Result<Self, Exit> {
        let fail = |e: std::io::Error| super::output::write_failed(&path.display().to_string(), &e);
        let mut tmp = AtomicFile::create(path).map_err(fail)?;
        let file = tmp.file().try_clone().map_err(fail)?;
        Ok(WarningsFile {
            path: path.to_path_buf(),
            tmp,
            out: BufWriter::with_capacity(1 << 16, file),
            failed: None,
        })
    }

    /// Writes every warning of `warnings`.
    pub fn write<'w>(&mut self, warnings: impl IntoIterator<Item = &'w Rejection>) {
        if self.failed.is_some() {
            return;
        }
        for w in warnings {
            let line = serde_json::to_string(&render::json::problem(w)).unwrap_or_default();
            if let Err(e) = writeln!(self.out, "{line}") {
                self.failed = Some(e);
                return;
            }
        }
    }

    /// Flushes and renames the file into place; an error is reported
    /// (M0805) and turned into the exit code.
    pub fn finish(mut self) -> Result<(), Exit> {
        let fail = |e: &std::io::Error| super::output::write_failed(&self.path.display().to_string(), e);
        if let Some(e) = &self.failed {
            return Err(fail(e));
        }
        if let Err(e) = self.out.flush() {
            return Err(fail(&e));
        }
        drop(self.out);
        self.tmp
            .commit()
            .map_err(|e| super::output::write_failed(&self.path.display().to_string(), &e))
    }
}

/// Writes the warnings of a batch evaluated in memory to `path`, when the
/// user asked for them.
pub fn write_all<'w>(
    path: Option<&Path>,
    warnings: impl IntoIterator<Item = &'w Rejection>,
) -> Result<(), Exit> {
    let Some(path) = path else { return Ok(()) };
    let mut f = WarningsFile::create(path)?;
    f.write(warnings);
    f.finish()
}
