//! `mizan template RULES --format xlsx -o FILE [--mapping-out MAPPING]`:
//! the questionnaire for entities to fill, and the import mapping that
//! reads it back.

use std::path::PathBuf;

use mizan::render;
use mizan::render::Lang;

use super::inputs::Loaded;
use super::{Exit, Format};

/// Arguments of `mizan template`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The rule file.
    #[arg(value_name = "RULES")]
    pub rules: PathBuf,
    /// Write the questionnaire to FILE (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the import mapping that reads the filled questionnaire to
    /// FILE (`mizan import RULES FILE questionnaire.xlsx`).
    #[arg(long, value_name = "FILE")]
    pub mapping_out: Option<PathBuf>,
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    if format != Format::Xlsx {
        errln!("error: `mizan template` writes a workbook: give --format xlsx");
        return Exit::Usage;
    }
    let Some(output) = &args.output else {
        errln!("error: `mizan template` writes a binary workbook: give -o FILE");
        return Exit::Usage;
    };
    let rubric = match super::inputs::load_rubric(&args.rules, format) {
        Loaded::Rubric(r) => *r,
        Loaded::Unreadable => return Exit::RuleErrors,
        Loaded::Invalid => {
            errln!("error: the rules have errors; no questionnaire was written");
            return Exit::RuleErrors;
        }
    };
    let model = rubric.model();
    let bytes = match render::xlsx_template::questionnaire(model, lang) {
        Ok(b) => b,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    if let Err(e) = super::import::write_atomic(output, &bytes) {
        return super::output::write_failed(&output.display().to_string(), &e);
    }
    if let Some(path) = &args.mapping_out {
        let text = render::xlsx_template::mapping(model, lang);
        if let Err(e) = super::import::write_atomic(path, text.as_bytes()) {
            return super::output::write_failed(&path.display().to_string(), &e);
        }
    }
    Exit::Ok
}
