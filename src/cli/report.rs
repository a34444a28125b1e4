//! `mizan report RULES ANSWERS... -o DIR`: the HTML report of a batch
//! (see `mizan::render::report`), written into a new directory that
//! replaces DIR in one rename.

use std::path::{Path, PathBuf};

use mizan::render;
use mizan::render::Lang;

use super::{style, Exit, Format};

/// Arguments of `mizan report`.
#[derive(Debug, clap::Args)]
#[command(override_usage = "mizan report RULES ANSWERS... -o DIR [--lang en|ar]")]
pub struct Args {
    /// The rule file, then answer sets: `.json` files, `.jsonl` files or
    /// directories of them (with `--import`: spreadsheets or CSV files).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read the answers from spreadsheets or CSV files with this import
    /// mapping (see docs/import.md).
    #[arg(long, value_name = "MAPPING")]
    pub import: Option<PathBuf>,
    /// The report's directory: created, or replaced when it holds a
    /// previous report (anything else is refused, M0806).
    #[arg(long, short, value_name = "DIR", required = true)]
    pub output: PathBuf,
    /// Text written as the time of generation in the footer (none by
    /// default, so that the same inputs give the same bytes).
    #[arg(long, value_name = "TEXT")]
    pub generated_at: Option<String>,
    /// Threads for scoring, 1 to 256 (default, or 0: all cores). The
    /// report is the same for any number.
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=256))]
    pub jobs: Option<usize>,
    /// Use a locked rule file whose rules changed, with a warning.
    #[arg(long)]
    pub allow_unlocked: bool,
}

/// The file that marks a directory as a report `mizan report` wrote (and
/// may replace).
pub const MARKER: &str = ".mizan-report";

/// The report's directory cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ReportError {
    /// `mizan report rules.mizan answers/ -o src` where `src` holds
    /// other files (or is a file).
    #[error("{dir}: {what}; nothing was written")]
    #[diagnostic(
        code(M0806),
        url("docs/diagnostics.md#m0806"),
        help(
            "give a new directory, an empty one, or one a previous `mizan report` wrote (it holds a `.mizan-report` file)"
        )
    )]
    NotAReport {
        /// The directory given.
        dir: String,
        /// What it is instead.
        what: &'static str,
    },
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    if !matches!(format, Format::Human | Format::Plain) {
        errln!("error: `mizan report` writes HTML pages into -o DIR; --format is not used");
        return Exit::Usage;
    }
    if args.paths.len() < 2 {
        errln!("error: give answer sets after the rule file");
        return Exit::Usage;
    }
    if let Err(e) = usable(&args.output) {
        err!("{}", render::diagnostics::render(&e, style(format)));
        return Exit::RuleErrors;
    }
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .stack_size(mizan::STACK_SIZE)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    pool.install(|| run_in_pool(&args, format, lang))
}

fn run_in_pool(args: &Args, format: Format, lang: Lang) -> Exit {
    let Some((rules, answers)) = args.paths.split_first() else {
        return Exit::Usage;
    };
    if args.import.is_none() && super::inputs::missing_answer_paths(answers, lang) {
        return Exit::RuleErrors;
    }
    // The same loading as `mizan eval`, and the library's batch evaluation.
    let (rubric, batch) = match super::eval::load_and_evaluate(
        rules,
        answers,
        args.import.as_deref(),
        format,
        lang,
        "no report was written",
    ) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let model = rubric.model();
    for p in batch.errors.iter().chain(&batch.warnings) {
        err!("{}", render::table::problem(p));
    }
    let opts = render::report::Options {
        lang,
        generated_at: args.generated_at.clone(),
    };
    // What each entity's best answers would have added, scored again by the
    // library, on the pool (an entity's page lists the ten largest).
    let gains: Vec<Vec<mizan::eval::Gain>> = {
        use rayon::prelude::*;
        batch
            .results
            .par_iter()
            .map(|r| mizan::eval::gains(rubric.plan(), r))
            .collect()
    };
    let pages = match render::report::render(model, &batch, &gains, &opts) {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    match write(&args.output, &pages) {
        Ok(()) => {}
        Err(Failure::Refused(e)) => {
            err!("{}", render::diagnostics::render(&e, style(format)));
            return Exit::RuleErrors;
        }
        Err(Failure::Io(what, e)) => return super::output::write_failed(&what, &e),
    }
    let index = args.output.join("index.html");
    let (entities, rejected) = (pages.len().saturating_sub(1), batch.rejected);
    match lang {
        Lang::En => errln!(
            "wrote {} ({entities} entity page{}, {rejected} submission{} rejected)",
            index.display(),
            if entities == 1 { "" } else { "s" },
            if rejected == 1 { "" } else { "s" },
        ),
        Lang::Ar => errln!(
            "\u{200f}كُتب التقرير في \u{2066}{}\u{2069} (صفحات الجهات: {entities}، الإجابات المرفوضة: {rejected})",
            index.display(),
        ),
    }
    let summary = mizan::eval::stream::Summary::of_batch_for(model, &batch);
    super::stream::exit(&summary)
}

/// Whether `dir` may receive the report: absent, empty, or a previous
/// report.
fn usable(dir: &Path) -> Result<(), ReportError> {
    let refuse = |what| {
        Err(ReportError::NotAReport {
            dir: dir.display().to_string(),
            what,
        })
    };
    match std::fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if m.file_type().is_symlink() => refuse("is a symbolic link"),
        Ok(m) if !m.is_dir() => refuse("exists and is not a directory"),
        Ok(_) => {
            if dir.join(MARKER).is_file() {
                return Ok(());
            }
            match std::fs::read_dir(dir).map(|mut entries| entries.next().is_none()) {
                Ok(true) => Ok(()),
                Ok(false) => refuse("exists, is not empty and holds no previous report"),
                Err(_) => refuse("exists and cannot be read"),
            }
        }
    }
}

enum Failure {
    Refused(ReportError),
    Io(String, std::io::Error),
}

/// Writes the pages into a new directory beside `dir`, then puts it in
/// `dir`'s place: a reader sees the old report or the new one, never half
/// of one; on a failure `dir` is left as it was.
fn write(dir: &Path, pages: &[render::report::Page]) -> Result<(), Failure> {
    usable(dir).map_err(Failure::Refused)?;
    let io = |what: &Path| {
        let what = what.display().to_string();
        move |e| Failure::Io(what, e)
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".mizan-report-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    for p in pages {
        let path = tmp.path().join(&p.path);
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).map_err(io(dir))?;
        }
        std::fs::write(&path, &p.html).map_err(io(&dir.join(&p.path)))?;
    }
    std::fs::write(tmp.path().join(MARKER), "written by mizan report\n").map_err(io(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).map_err(io(dir))?;
    }
    if std::fs::symlink_metadata(dir).is_ok() {
        // The previous report (or an empty directory) moves aside, then
        // is removed once the new one is in place.
        let old = tempfile::Builder::new()
            .prefix(".mizan-report-old-")
            .tempdir_in(&parent)
            .map_err(io(&parent))?;
        let aside = old.path().join("old");
        std::fs::rename(dir, &aside).map_err(io(dir))?;
        if let Err(e) = std::fs::rename(tmp.path(), dir) {
            let _ = std::fs::rename(&aside, dir);
            return Err(Failure::Io(dir.display().to_string(), e));
        }
        drop(old);
    } else {
        std::fs::rename(tmp.path(), dir).map_err(io(dir))?;
    }
    // Its path is now `dir`'s: nothing left to remove.
    let _ = tmp.keep();
    Ok(())
}
