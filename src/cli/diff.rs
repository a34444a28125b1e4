//! `mizan diff OLD NEW [--answers PATH...]`

use std::path::PathBuf;

use mizan::render;

use super::inputs::Loaded;
use super::{Exit, Format};

/// Arguments of `mizan diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The old version's rule file.
    pub old: PathBuf,
    /// The new version's rule file.
    pub new: PathBuf,
    /// Answer sets (written for the old version) to re-score under both.
    #[arg(long, num_args = 1..)]
    pub answers: Vec<PathBuf>,
    /// Use a locked rule file whose rules changed (its sha256 differs from
    /// its `mizan.lock` entry) with a warning, instead of refusing it.
    #[arg(long)]
    pub allow_unlocked: bool,
}

fn load(path: &std::path::Path, format: Format) -> Option<mizan::Rubric> {
    match super::inputs::load_rubric(path, format) {
        Loaded::Rubric(r) => Some(*r),
        Loaded::Unreadable | Loaded::Invalid => None,
    }
}

pub fn run(args: Args, format: Format) -> Exit {
    let (Some(old), Some(new)) = (load(&args.old, format), load(&args.new, format)) else {
        errln!("error: both versions must check clean");
        return Exit::Rejected;
    };
    let d = mizan::diff::diff(old.model(), new.model());
    // An answer file or line that cannot be read is reported and left
    // out; the others are still re-scored, and the exit code is 2.
    let mut unreadable = false;
    let impact = if args.answers.is_empty() {
        None
    } else {
        let mut inputs = Vec::new();
        for (origin, text) in super::inputs::answer_inputs(&args.answers) {
            match text {
                Ok(t) => inputs.push((origin, t)),
                Err(e) => {
                    err!("{}", render::table::problem(&e));
                    unreadable = true;
                }
            }
        }
        Some(mizan::diff::impact(&old, &new, &inputs))
    };
    let out = match format {
        Format::Json | Format::Jsonl => render::diff::json(&d, impact.as_ref()),
        Format::Markdown => render::diff::markdown(&d, impact.as_ref()),
        Format::Human | Format::Plain => render::diff::text(&d, impact.as_ref()),
    };
    out!("{out}");
    if unreadable {
        Exit::Rejected
    } else if d.changes.is_empty() {
        Exit::Ok
    } else {
        Exit::RuleErrors
    }
}
