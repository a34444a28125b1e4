//! `mizan eval RULES ANSWERS...`

use std::path::PathBuf;

use mizan::answers::{AnswerError, Rejection};
use mizan::render;

use super::{style, Exit, Format};

/// Arguments of `mizan eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule file.
    pub rules: PathBuf,
    /// Answer sets: `.json` files (one entity each), `.jsonl` files (one
    /// entity per line) or directories of them.
    #[arg(required = true)]
    pub answers: Vec<PathBuf>,
    /// Read the answers from spreadsheets or CSV files with this import
    /// mapping (see docs/import.md).
    #[arg(long, value_name = "MAPPING")]
    pub import: Option<PathBuf>,
    /// Print the computation tree of one entity.
    #[arg(long, value_name = "ENTITY")]
    pub explain: Option<String>,
}

pub fn run(args: Args, format: Format) -> Exit {
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
            let text = match super::inputs::read_text(&args.rules) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {}: {e}", args.rules.display());
                    return Exit::RuleErrors;
                }
            };
            let (rubric, diags) = mizan::load(&args.rules.display().to_string(), &text);
            for d in diags.iter() {
                eprint!("{}", render::diagnostics::render(d.as_ref(), style(format)));
            }
            let Some(rubric) = rubric else {
                eprintln!("error: the rules have errors; nothing was evaluated");
                return Exit::RuleErrors;
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
            Some(r) => print!("{}", render::explain::render(model, r)),
            None => {
                eprintln!("error: no evaluated entity `{id}`");
                for e in batch.errors.iter().filter(|e| e.entity.as_deref() == Some(id)) {
                    eprint!("{}", render::table::problem(e));
                }
                return Exit::Rejected;
            }
        }
    } else {
        match format {
            Format::Json => print!("{}", render::json::to_string(model, &batch)),
            Format::Human | Format::Plain | Format::Markdown => {
                for p in batch.errors.iter().chain(&batch.warnings) {
                    eprint!("{}", render::table::problem(p));
                }
                print!(
                    "{}",
                    render::table::render(model, &batch, format != Format::Human)
                );
            }
        }
    }
    if batch.rejected > 0 {
        Exit::Rejected
    } else {
        Exit::Ok
    }
}
