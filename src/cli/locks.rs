//! Locked cycles in the commands that score or compare (`eval`, `diff`,
//! `test`): a rule file whose sha256 differs from its `mizan.lock` entry is
//! refused (exit 1), unless `--allow-unlocked` is given, which scores it
//! with a warning. `check` always reports it as an error (M0219).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};

use super::{style, Format};

const OFF: u8 = 0;
const REFUSE: u8 = 1;
const WARN: u8 = 2;

/// What this run does with a changed locked file (set once, by `cli::run`).
static MODE: AtomicU8 = AtomicU8::new(OFF);

/// Locks are enforced in this run: refused, or with `allow` only warned of.
pub fn enforce(allow: bool) {
    MODE.store(if allow { WARN } else { REFUSE }, Ordering::Relaxed);
}

/// Whether the rubric read from `path` may be used: `false` (reported) when
/// it is locked and changed, or its lock file cannot be read, and this run
/// refuses that.
pub fn guard(model: &mizan::model::Model, path: &Path, format: Format) -> bool {
    let mode = MODE.load(Ordering::Relaxed);
    if mode == OFF {
        return true;
    }
    let refuse = mode == REFUSE;
    match mizan::versions::check_lock(model, path) {
        Ok(None) => true,
        Ok(Some(e)) => {
            err!("{}", mizan::render::diagnostics::render(&e, style(format)));
            if refuse {
                errln!(
                    "error: {} is locked and its rules changed; nothing was scored (restore the file, or pass --allow-unlocked to use it anyway)",
                    path.display()
                );
                false
            } else {
                errln!(
                    "warning: {} is locked and its rules changed; used anyway (--allow-unlocked): its scores are not the published ones",
                    path.display()
                );
                true
            }
        }
        Err(reason) => {
            errln!(
                "{}: the lock file cannot be read: {reason}",
                if refuse { "error" } else { "warning" }
            );
            !refuse
        }
    }
}

/// Reports the rule files that declare a rubric id and version an earlier
/// file of the same rules tree declares (M0230); how many.
pub fn report_duplicates<'m>(
    models: impl IntoIterator<Item = (&'m Path, &'m mizan::model::Model)>,
    format: Format,
) -> usize {
    let dups = mizan::versions::duplicates(models);
    for d in &dups {
        err!("{}", mizan::render::diagnostics::render(d, style(format)));
    }
    dups.len()
}

/// The rule files (not tests) under each directory of `paths`, loaded, and
/// their duplicate versions reported per directory (M0230); how many. A
/// file that cannot be read or does not check is skipped here (the command
/// reports it where it uses it).
pub fn duplicates_under(paths: &[PathBuf], format: Format) -> usize {
    let mut n = 0;
    for dir in paths.iter().filter(|p| p.is_dir()) {
        let Ok(files) = super::inputs::rule_files(std::slice::from_ref(dir)) else {
            continue;
        };
        let loaded: Vec<(PathBuf, mizan::Rubric)> = files
            .into_iter()
            .filter_map(|f| {
                let text = super::inputs::read_text(&f).ok()?;
                let (r, _) = mizan::load(&f.display().to_string(), &text);
                Some((f, r?))
            })
            .collect();
        n += report_duplicates(loaded.iter().map(|(p, r)| (p.as_path(), r.model())), format);
    }
    n
}
