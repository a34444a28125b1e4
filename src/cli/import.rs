//! `mizan import RULES MAPPING INPUT...`: spreadsheets to answer sets.

use std::path::{Path, PathBuf};

use mizan::render;

use super::inputs::Loaded;
use super::{style, Exit, Format};

/// Arguments of `mizan import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule file the answers are for.
    pub rules: PathBuf,
    /// The import mapping (TOML; see docs/import.md).
    pub mapping: PathBuf,
    /// Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods), CSV files, or
    /// directories of them.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write the answer sets (JSONL, one entity per line) to FILE,
    /// atomically, instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print the first N problem cells in full, then a count of the rest
    /// per code (default 20; `--format json` lists every problem).
    #[arg(long, value_name = "N", default_value_t = super::problems::DEFAULT_MAX)]
    pub max_problems: usize,
}

/// Loads a rubric and a mapping, or reports why not.
pub fn load(
    rules: &Path,
    mapping: &Path,
    format: Format,
) -> Result<(mizan::Rubric, mizan::import::Mapping), Exit> {
    let rubric = match super::inputs::load_rubric(rules, format) {
        Loaded::Rubric(r) => *r,
        Loaded::Unreadable => return Err(Exit::RuleErrors),
        Loaded::Invalid => {
            errln!("error: the rules have errors; nothing was imported");
            return Err(Exit::RuleErrors);
        }
    };
    let mtext = match super::inputs::read_toml(mapping) {
        Ok(t) => t,
        Err(e) => {
            super::inputs::report(&e, format);
            return Err(Exit::RuleErrors);
        }
    };
    let m = mizan::import::parse_mapping(&mapping.display().to_string(), &mtext).map_err(|e| {
        err!("{}", render::diagnostics::render(&e, style(format)));
        Exit::RuleErrors
    })?;
    if m.rubric != rubric.model().id || m.version != rubric.model().version {
        errln!(
            "error: the mapping is for {} {}, the rules are {} {}",
            m.rubric,
            m.version,
            rubric.model().id,
            rubric.model().version
        );
        return Err(Exit::RuleErrors);
    }
    Ok((rubric, m))
}

/// The import inputs under `paths`, noting what a directory walk left out;
/// a directory that cannot be read stops the import.
pub fn input_files(paths: &[PathBuf], format: Format) -> Result<Vec<PathBuf>, Exit> {
    let w = mizan::import::walk_inputs(paths);
    if let Some(note) = w.skipped_note(".csv, .xlsx, .xlsm, .xlsb, .xls or .ods", 10) {
        errln!("note[M0804]: {note}");
    }
    if let Some(e) = w.errors.first() {
        super::inputs::report(e, format);
        return Err(Exit::RuleErrors);
    }
    Ok(w.files)
}

pub fn run(args: Args, format: Format, lang: mizan::render::Lang) -> Exit {
    let (rubric, mapping) = match load(&args.rules, &args.mapping, format) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let inputs = match input_files(&args.inputs, format) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let imported = match rubric.import(&mapping, &inputs) {
        Ok(i) => i,
        Err(e) => {
            err!("{}", render::diagnostics::render(&e, style(format)));
            return Exit::RuleErrors;
        }
    };
    match format {
        // Every problem, and the count per code, as one JSON document on
        // standard error (standard output holds the answer sets).
        Format::Json | Format::Jsonl | Format::Xlsx => {
            if !imported.problems.is_empty() {
                let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
                let list: Vec<_> = imported
                    .problems
                    .iter()
                    .map(|p| {
                        let out = render::json::problem(p);
                        *counts.entry(out.code.clone()).or_default() += 1;
                        out
                    })
                    .collect();
                let doc = serde_json::json!({ "problems": list, "counts": counts });
                err!("{}\n", serde_json::to_string(&doc).unwrap_or_default());
            }
        }
        _ => super::problems::print(imported.problems.iter(), args.max_problems, lang),
    }
    // An entity with a cell that could not be mapped is not written: its
    // answer set would be incomplete (its errors are reported above).
    let rejected: std::collections::BTreeSet<&str> = imported.rejected().collect();
    let mut text = String::new();
    let mut written = 0;
    for (id, v) in &imported.sets {
        if rejected.contains(id.as_str()) {
            continue;
        }
        written += 1;
        text.push_str(&serde_json::to_string(v).unwrap_or_default());
        text.push('\n');
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomic(path, text.as_bytes()) {
                return super::output::write_failed(&path.display().to_string(), &e);
            }
        }
        None => out!("{text}"),
    }
    errln!(
        "imported {written} entities from {} rows ({} left out by `where`); {} problem cells, {} entities not written",
        imported.rows,
        imported.filtered,
        imported.problems.len(),
        rejected.len()
    );
    if imported.problems.is_empty() {
        Exit::Ok
    } else {
        Exit::Rejected
    }
}

/// Writes `bytes` to `path` atomically (see `atomic`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    super::atomic::write(path, bytes)
}
