//! `mizan schema RULES [-o FILE]`: the JSON Schema (draft 2020-12) of the
//! rubric's answer sets (see `mizan::render::schema`), pretty JSON on
//! standard output or written atomically to FILE.

use std::path::PathBuf;

use mizan::render::Lang;

use super::inputs::Loaded;
use super::{Exit, Format};

/// Arguments of `mizan schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule file.
    pub rules: PathBuf,
    /// Write the schema to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    let rubric = match super::inputs::load_rubric(&args.rules, format) {
        Loaded::Rubric(r) => r,
        Loaded::Unreadable | Loaded::Invalid => return Exit::RuleErrors,
    };
    let schema = mizan::render::schema::answer_schema(rubric.model(), lang);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    match &args.output {
        Some(path) => {
            if let Err(e) = super::atomic::write(path, text.as_bytes()) {
                return super::output::write_failed(&path.display().to_string(), &e);
            }
        }
        None => out!("{text}"),
    }
    Exit::Ok
}
