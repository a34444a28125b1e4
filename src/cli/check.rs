//! `mizan check FILE...`

use std::path::PathBuf;

use mizan::render::Lang;

use super::{style, Exit, Format};

/// Arguments of `mizan check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rule files (or directories of `.mizan` files) to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    let files = match super::inputs::rule_files(&args.files) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    if super::inputs::nothing_found(&files, &args.files, "rule files (`*.mizan`)") {
        return Exit::RuleErrors;
    }
    let mut errors = 0usize;
    let mut warnings = 0usize;
    let mut json = Vec::new();
    // The rubrics of each directory given, for duplicate versions (M0230).
    let mut trees: Vec<(PathBuf, Vec<(PathBuf, mizan::Rubric)>)> = args
        .files
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| (p.clone(), Vec::new()))
        .collect();
    for path in &files {
        let text = match super::inputs::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                let r = mizan::render::diagnostics::render(&e, style(format));
                match serde_json::from_str::<serde_json::Value>(&r) {
                    Ok(v) if matches!(format, Format::Json | Format::Jsonl) => json.push(v),
                    _ => err!("{r}"),
                }
                errors += 1;
                continue;
            }
        };
        let (rubric, mut diags) = mizan::load(&path.display().to_string(), &text);
        if let Some(r) = &rubric {
            // The place is judged from the absolute path, so that a relative
            // path from inside the rules directory is checked too.
            let place = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            for e in mizan::versions::check_path(r.model(), &place) {
                diags.push(e);
            }
            match mizan::versions::check_lock(r.model(), path) {
                Ok(Some(e)) => diags.push(e),
                Ok(None) => {}
                Err(e) => {
                    errln!("error: {e}");
                    errors += 1;
                }
            }
        }
        if let Some(r) = rubric {
            if let Some((_, tree)) = trees.iter_mut().find(|(d, _)| path.starts_with(d)) {
                tree.push((path.clone(), r));
            }
        }
        errors += diags.errors.len();
        warnings += diags.warnings.len();
        for d in diags.iter() {
            let r = mizan::render::diagnostics::render(d.as_ref(), style(format));
            if matches!(format, Format::Json | Format::Jsonl) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&r) {
                    json.push(v);
                }
            } else {
                err!("{r}");
                if format == Format::Human {
                    errln!();
                }
            }
        }
    }
    for (_, tree) in &trees {
        for d in mizan::versions::duplicates(tree.iter().map(|(p, r)| (p.as_path(), r.model()))) {
            errors += 1;
            let r = mizan::render::diagnostics::render(&d, style(format));
            if matches!(format, Format::Json | Format::Jsonl) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&r) {
                    json.push(v);
                }
            } else {
                err!("{r}");
            }
        }
    }
    if matches!(format, Format::Json | Format::Jsonl) {
        let doc = serde_json::json!({"files": files.len(), "errors": errors, "warnings": warnings, "diagnostics": json});
        outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        let line = match lang {
            Lang::En => format!(
                "checked {} file{}: {errors} error{}, {warnings} warning{}",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            ),
            Lang::Ar => format!(
                "الملفات المفحوصة: {}، الأخطاء: {}، التحذيرات: {}",
                lang.ltr(&files.len().to_string()),
                lang.ltr(&errors.to_string()),
                lang.ltr(&warnings.to_string())
            ),
        };
        errln!("{}", lang.line(&line));
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        Exit::RuleErrors
    } else {
        Exit::Ok
    }
}

/// Arguments of `mizan lock`.
#[derive(Debug, clap::Args)]
pub struct LockArgs {
    /// Rule files of closed cycles (or directories of them) to lock.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Replace the recorded sha256 of a version that is already locked and
    /// whose rules changed (a deliberate correction of a closed cycle).
    /// Without it, such a file is refused (M0219) and nothing is locked.
    #[arg(long)]
    pub relock: bool,
}

/// Records the sha256 of each rule file in the lock file of its rules directory.
pub fn lock(args: LockArgs, format: Format) -> Exit {
    let files = match super::inputs::rule_files(&args.files) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    if super::inputs::nothing_found(&files, &args.files, "rule files (`*.mizan`)") {
        return Exit::RuleErrors;
    }
    let mut locks: std::collections::BTreeMap<PathBuf, mizan::versions::Lock> = Default::default();
    let mut loaded: Vec<(PathBuf, mizan::Rubric)> = Vec::new();
    let mut done: Vec<String> = Vec::new();
    let mut added: std::collections::HashSet<(PathBuf, String, String)> = Default::default();
    for path in &files {
        let text = match super::inputs::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                super::inputs::report(&e, format);
                return Exit::RuleErrors;
            }
        };
        let (rubric, diags) = mizan::load(&path.display().to_string(), &text);
        let Some(r) = rubric else {
            for d in diags.iter() {
                err!(
                    "{}",
                    mizan::render::diagnostics::render(d.as_ref(), style(format))
                );
            }
            errln!("error: {} has errors; nothing was locked", path.display());
            return Exit::RuleErrors;
        };
        let lp = mizan::versions::lock_path(path).unwrap_or_else(|| {
            path.parent()
                .unwrap_or(std::path::Path::new("."))
                .join(mizan::versions::LOCK_FILE)
        });
        if !locks.contains_key(&lp) {
            match mizan::versions::read_lock(&lp) {
                Ok(l) => {
                    locks.insert(lp.clone(), l);
                }
                Err(e) => {
                    errln!("error: {e}");
                    return Exit::RuleErrors;
                }
            }
        }
        let m = r.model();
        // Against the lock as it was on disk: two files of this run that
        // declare one version are M0230, reported below.
        let fresh = !added.insert((lp.clone(), m.id.clone(), m.version.clone()));
        let was = locks.get(&lp).filter(|_| !fresh).and_then(|l| {
            l.locked
                .iter()
                .find(|x| x.rubric == m.id && x.version == m.version && x.sha256 != m.sha256)
                .map(|x| x.sha256.clone())
        });
        if let Some(was) = was {
            if !args.relock {
                errln!(
                    "error[M0219]: {}: {} {} is locked in {} with sha256 {was}, and its rules changed (sha256 {}); nothing was locked\n  help: a closed cycle's rules do not change: restore the file, or release a new version; `mizan lock --relock` replaces the recorded sha256 on purpose",
                    path.display(),
                    m.id,
                    m.version,
                    lp.display(),
                    m.sha256
                );
                return Exit::RuleErrors;
            }
            done.push(format!(
                "re-locked {} {}: sha256 {} replaces {}",
                m.id,
                m.version,
                m.sha256.get(..12).unwrap_or(""),
                was.get(..12).unwrap_or("")
            ));
        }
        if let Some(l) = locks.get_mut(&lp) {
            l.locked.retain(|x| !(x.rubric == m.id && x.version == m.version));
            l.locked.push(mizan::versions::Locked {
                rubric: m.id.clone(),
                version: m.version.clone(),
                sha256: m.sha256.clone(),
            });
        }
        done.push(format!(
            "locked {} {} ({}) in {}",
            m.id,
            m.version,
            m.sha256.get(..12).unwrap_or(""),
            lp.display()
        ));
        loaded.push((path.clone(), r));
    }
    if super::locks::report_duplicates(loaded.iter().map(|(p, r)| (p.as_path(), r.model())), format) > 0 {
        errln!("error: a rubric version is declared by two files; nothing was locked");
        return Exit::RuleErrors;
    }
    for (lp, l) in &locks {
        if let Err(e) = super::import::write_atomic(lp, mizan::versions::write_lock(l).as_bytes()) {
            return super::output::write_failed(&lp.display().to_string(), &e);
        }
    }
    for line in done {
        errln!("{line}");
    }
    Exit::Ok
}
