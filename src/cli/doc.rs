//! `mizan doc RULES [--lang ar|en] [-o FILE]`: the rubric as a published
//! guide (see `mizan::render::guide`), one self-contained HTML page on
//! standard output or written atomically to FILE.

use std::path::PathBuf;

use mizan::render::Lang;

use super::inputs::Loaded;
use super::{Exit, Format};

/// Arguments of `mizan doc`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule file.
    pub rules: PathBuf,
    /// Write the guide to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    let rubric = match super::inputs::load_rubric(&args.rules, format) {
        Loaded::Rubric(r) => r,
        Loaded::Unreadable => return Exit::RuleErrors,
        Loaded::Invalid => {
            errln!("error: the rules have errors; no guide was written");
            return Exit::RuleErrors;
        }
    };
    let html = match mizan::render::guide::guide(rubric.model(), lang) {
        Ok(h) => h,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = super::atomic::write(path, html.as_bytes()) {
                return super::output::write_failed(&path.display().to_string(), &e);
            }
        }
        None => out!("{html}"),
    }
    Exit::Ok
}
