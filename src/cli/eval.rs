//! `mizan eval RULES ANSWERS...`

use std::path::PathBuf;

use mizan::answers::{AnswerError, Rejection};
use mizan::render;

use super::inputs::Loaded;
use super::{style, Exit, Format};

/// Arguments of `mizan eval`.
#[derive(Debug, clap::Args)]
#[command(override_usage = "mizan eval RULES ANSWERS...\n       mizan eval --rules DIR ANSWERS...")]
pub struct Args {
    /// The rule file, then answer sets: `.json` files (one entity each),
    /// `.jsonl` files (one entity per line) or directories of them. With
    /// `--rules DIR`, every path is answers.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A rules directory (`<authority>/<name>/<version>.mizan`): each answer
    /// set is scored by the rubric and version it names.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,
    /// Read the answers from spreadsheets or CSV files with this import
    /// mapping (see docs/import.md).
    #[arg(long, value_name = "MAPPING")]
    pub import: Option<PathBuf>,
    /// Write the results to FILE (atomically: a temporary file renamed into
    /// place) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Keep only the population and the errors (streams `.jsonl` input).
    #[arg(long)]
    pub summary: bool,
    /// Threads for scoring (default: all cores). Output is the same for any number.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print the computation tree of one entity.
    #[arg(long, value_name = "ENTITY")]
    pub explain: Option<String>,
    /// Use a locked rule file whose rules changed (its sha256 differs from
    /// its `mizan.lock` entry) with a warning, instead of refusing it.
    #[arg(long)]
    pub allow_unlocked: bool,
}

struct Resolved {
    rules: PathBuf,
    answers: Vec<PathBuf>,
    import: Option<PathBuf>,
    explain: Option<String>,
    output: Option<PathBuf>,
}

pub fn run(args: Args, format: Format) -> Exit {
    if let Some(dir) = &args.rules_dir {
        return run_versioned(dir, &args.paths, format, args.output.as_deref());
    }
    let Some((rules, answers)) = args.paths.split_first() else {
        return Exit::RuleErrors;
    };
    if args.summary || format == Format::Jsonl {
        let pool = match rayon::ThreadPoolBuilder::new()
            .num_threads(args.jobs.unwrap_or(0))
            .build()
        {
            Ok(p) => p,
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::RuleErrors;
            }
        };
        return pool
            .install(|| super::stream::run(rules, answers, args.summary, args.output.as_deref(), format));
    }
    if answers.is_empty() {
        eprintln!("error: give answer sets after the rule file (or use --rules DIR)");
        return Exit::RuleErrors;
    }
    let args = Resolved {
        rules: rules.clone(),
        answers: answers.to_vec(),
        import: args.import,
        explain: args.explain,
        output: args.output,
    };
    let batch = match &args.import {
        Some(mapping) => {
            let (rubric, m) = match super::import::load(&args.rules, mapping, format) {
                Ok(x) => x,
                Err(e) => return e,
            };
            let inputs = mizan::import::inputs(&args.answers);
            let imported = match rubric.import(&m, &inputs) {
                Ok(i) => i,
                Err(e) => {
                    eprint!("{}", render::diagnostics::render(&e, style(format)));
                    return Exit::RuleErrors;
                }
            };
            let source = args
                .answers
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let batch = rubric.evaluate_imported(imported, &source);
            (rubric, batch)
        }
        None => {
            let rubric = match super::inputs::load_rubric(&args.rules, format) {
                Loaded::Rubric(r) => *r,
                Loaded::Unreadable => return Exit::RuleErrors,
                Loaded::Invalid => {
                    eprintln!("error: the rules have errors; nothing was evaluated");
                    return Exit::RuleErrors;
                }
            };
            let mut unreadable = Vec::new();
            let mut inputs = Vec::new();
            for (origin, text) in super::inputs::answer_inputs(&args.answers) {
                match text {
                    Ok(t) => inputs.push((origin, t)),
                    Err(reason) => unreadable.push(Rejection {
                        origin,
                        entity: None,
                        pointer: String::new(),
                        error: AnswerError::Io { reason },
                    }),
                }
            }
            let mut batch = rubric.evaluate_batch(inputs);
            batch.rejected += unreadable.len();
            unreadable.append(&mut batch.errors);
            batch.errors = unreadable;
            (rubric, batch)
        }
    };
    let (rubric, batch) = batch;
    let model = rubric.model();

    if let Some(id) = &args.explain {
        match batch.results.iter().find(|r| r.submission.entity == *id) {
            Some(r) => out!("{}", render::explain::render(model, r)),
            None => {
                eprintln!("error: no evaluated entity `{id}`");
                for e in batch.errors.iter().filter(|e| e.entity.as_deref() == Some(id)) {
                    eprint!("{}", render::table::problem(e));
                }
                return Exit::Rejected;
            }
        }
    } else {
        let text = match format {
            Format::Json | Format::Jsonl => render::json::to_string(model, &batch),
            Format::Human | Format::Plain | Format::Markdown => {
                for p in batch.errors.iter().chain(&batch.warnings) {
                    eprint!("{}", render::table::problem(p));
                }
                render::table::render(model, &batch, format != Format::Human)
            }
        };
        match &args.output {
            Some(path) => {
                if let Err(e) = super::import::write_atomic(path, text.as_bytes()) {
                    eprintln!("error: {}: {e}", path.display());
                    return Exit::RuleErrors;
                }
            }
            None => out!("{text}"),
        }
    }
    if batch.rejected > 0 {
        Exit::Rejected
    } else {
        Exit::Ok
    }
}

/// `mizan eval --rules DIR ANSWERS...`: each answer set picks its rubric
/// and version; results are grouped per rubric version.
fn run_versioned(
    dir: &std::path::Path,
    paths: &[PathBuf],
    format: Format,
    output: Option<&std::path::Path>,
) -> Exit {
    let mut text = String::new();
    let files = match super::inputs::rule_files(&[dir.to_path_buf()]) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    let mut rubrics: Vec<mizan::Rubric> = Vec::new();
    for f in &files {
        let text = match super::inputs::read_text(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e}", f.display());
                return Exit::RuleErrors;
            }
        };
        let (r, diags) = mizan::load(&f.display().to_string(), &text);
        match r {
            Some(r) if super::locks::guard(r.model(), f, format) => rubrics.push(r),
            Some(_) => return Exit::RuleErrors,
            None => {
                for d in diags.iter() {
                    eprint!("{}", render::diagnostics::render(d.as_ref(), style(format)));
                }
                eprintln!("error: {} has errors; nothing was evaluated", f.display());
                return Exit::RuleErrors;
            }
        }
    }
    // Two files declaring one id and version: which one would score an
    // answer set is a matter of walk order. Nothing is evaluated.
    if super::locks::report_duplicates(
        files
            .iter()
            .map(|f| f.as_path())
            .zip(rubrics.iter().map(|r| r.model())),
        format,
    ) > 0
    {
        eprintln!(
            "error: {} declares a rubric version twice; nothing was evaluated",
            dir.display()
        );
        return Exit::RuleErrors;
    }
    rubrics.sort_by(|a, b| (&a.model().id, &a.model().version).cmp(&(&b.model().id, &b.model().version)));
    let mut groups: Vec<Vec<(mizan::answers::Origin, String)>> = vec![Vec::new(); rubrics.len()];
    let mut unmatched: Vec<Rejection> = Vec::new();
    for (origin, text) in super::inputs::answer_inputs(paths) {
        let text = match text {
            Ok(t) => t,
            Err(reason) => {
                unmatched.push(Rejection {
                    origin,
                    entity: None,
                    pointer: String::new(),
                    error: AnswerError::Io { reason },
                });
                continue;
            }
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        let field = |k: &str| match v.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let (id, version) = (field("rubric"), field("version"));
        match rubrics
            .iter()
            .position(|r| r.model().id == id && r.model().version == version)
        {
            Some(i) => {
                if let Some(g) = groups.get_mut(i) {
                    g.push((origin, text));
                }
            }
            None => {
                let available: Vec<String> = rubrics
                    .iter()
                    .filter(|r| r.model().id == id || id.is_empty())
                    .map(|r| format!("{} {}", r.model().id, r.model().version))
                    .collect();
                unmatched.push(Rejection {
                    origin,
                    entity: v
                        .pointer("/entity/id")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string),
                    pointer: if rubrics.iter().any(|r| r.model().id == id) {
                        "/version".into()
                    } else {
                        "/rubric".into()
                    },
                    error: AnswerError::UnknownRubric {
                        rubric: id,
                        version,
                        available: if available.is_empty() {
                            rubrics
                                .iter()
                                .map(|r| format!("{} {}", r.model().id, r.model().version))
                                .collect::<Vec<_>>()
                                .join(", ")
                        } else {
                            available.join(", ")
                        },
                    },
                });
            }
        }
    }
    let mut rejected = unmatched.len();
    let mut json_docs: Vec<serde_json::Value> = Vec::new();
    for (r, inputs) in rubrics.iter().zip(groups) {
        if inputs.is_empty() {
            continue;
        }
        let batch = r.evaluate_batch(inputs);
        rejected += batch.rejected;
        match format {
            Format::Json | Format::Jsonl => json_docs
                .push(serde_json::to_value(render::json::document(r.model(), &batch)).unwrap_or_default()),
            _ => {
                for p in batch.errors.iter().chain(&batch.warnings) {
                    eprint!("{}", render::table::problem(p));
                }
                text.push_str(&render::table::render(r.model(), &batch, format != Format::Human));
                text.push('\n');
            }
        }
    }
    if matches!(format, Format::Json | Format::Jsonl) {
        let errors: Vec<_> = unmatched.iter().map(render::json::problem).collect();
        let doc = serde_json::json!({"batches": json_docs, "errors": errors});
        text.push_str(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        text.push('\n');
    } else {
        for p in &unmatched {
            eprint!("{}", render::table::problem(p));
        }
    }
    match output {
        Some(path) => {
            if let Err(e) = super::import::write_atomic(path, text.as_bytes()) {
                eprintln!("error: {}: {e}", path.display());
                return Exit::RuleErrors;
            }
        }
        None => out!("{text}"),
    }
    if rejected > 0 {
        Exit::Rejected
    } else {
        Exit::Ok
    }
}
