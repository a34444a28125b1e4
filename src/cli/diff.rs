//! `mizan diff OLD NEW [--answers PATH...] [--new-criteria POLICY]`

use std::path::PathBuf;

use mizan::diff::NewCriteria;
use mizan::render::{self, Lang};

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
    /// What criteria the new version added (and answers it refuses, such
    /// as an option it removed) count as in the old answer sets: `missing`
    /// (each criterion's own `missing` policy, `missing error` counted as
    /// worst), `na`, `worst` or `best`.
    #[arg(long, value_name = "POLICY", default_value = "missing", value_parser = clap::builder::ValueParser::new(parse_policy))]
    pub new_criteria: NewCriteria,
    /// Use a locked rule file whose rules changed (its sha256 differs from
    /// its `mizan.lock` entry) with a warning, instead of refusing it.
    #[arg(long)]
    pub allow_unlocked: bool,
}

fn parse_policy(s: &str) -> Result<NewCriteria, mizan::diff::UnknownPolicy> {
    s.parse()
}

fn load(path: &std::path::Path, format: Format) -> Option<mizan::Rubric> {
    match super::inputs::load_rubric(path, format) {
        Loaded::Rubric(r) => Some(*r),
        Loaded::Unreadable | Loaded::Invalid => None,
    }
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
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
        for (origin, text) in super::inputs::answer_inputs(&args.answers, lang) {
            match text {
                Ok(t) => inputs.push((origin, t)),
                Err(e) => {
                    err!("{}", render::table::problem(&e));
                    unreadable = true;
                }
            }
        }
        Some(mizan::diff::impact_with(&old, &new, &inputs, args.new_criteria))
    };
    let review = render::diff::Review {
        old: old.model(),
        new: new.model(),
        diff: &d,
        impact: impact.as_ref(),
        lang,
    };
    let out = match format {
        Format::Json | Format::Jsonl | Format::Xlsx => render::diff::json(&review),
        Format::Markdown => render::diff::markdown(&review),
        Format::Human | Format::Plain => render::diff::text(&review),
    };
    out!("{out}");
    if unreadable {
        Exit::Rejected
    } else if d.count(mizan::diff::Class::Meaning) > 0 {
        Exit::RuleErrors
    } else if d.changes.is_empty() {
        Exit::Ok
    } else {
        Exit::Wording
    }
}
