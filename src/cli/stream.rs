//! `mizan eval --summary` and `--format jsonl`: streamed batches.

use std::io::{BufReader, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use mizan::eval::stream::{self, Item, Summary};
use mizan::render;

use mizan::model::Model;

use super::inputs::{rejection, Loaded, Source};
use super::{Exit, Format};

pub fn run(
    rules: &Path,
    answers: &[PathBuf],
    summary_only: bool,
    output: Option<&Path>,
    format: Format,
) -> Exit {
    let rubric = match super::inputs::load_rubric(rules, format) {
        Loaded::Rubric(r) => *r,
        Loaded::Unreadable => return Exit::RuleErrors,
        Loaded::Invalid => {
            errln!("error: the rules have errors; nothing was evaluated");
            return Exit::RuleErrors;
        }
    };
    let model = rubric.model();
    let files = super::inputs::answer_files(answers);
    // Results go to a temporary file beside --output, renamed at the end.
    let mut tmp = None;
    let mut out: Box<dyn Write + Send> = match output {
        Some(p) => match super::atomic::AtomicFile::create(p).and_then(|mut t| {
            let w = t.file().try_clone()?;
            tmp = Some(t);
            Ok(w)
        }) {
            Ok(f) => Box::new(BufWriter::with_capacity(1 << 16, f)),
            Err(e) => return super::output::write_failed(&p.display().to_string(), &e),
        },
        // Not `lock()`: the sink runs on a pool thread (`Stdout` is `Send`).
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout())),
    };
    let bar = progress();
    let mut st = stream::Stream::new(rubric.plan());
    let mut write_failed = None;
    let render_line = |r: &mizan::eval::EntityResult| {
        serde_json::to_string(&render::json::entity(model, r)).unwrap_or_default()
    };
    let render: Option<&(dyn Fn(&mizan::eval::EntityResult) -> String + Sync)> =
        if summary_only { None } else { Some(&render_line) };
    for source in &files {
        let mut sink = |item: &Item| {
            if let Item::Scored(stream::Scored { line: Some(line), .. }) = item {
                if let Err(e) = writeln!(out, "{line}") {
                    write_failed = Some(e);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        };
        // An answer file that cannot be read is one rejected submission,
        // as in a batch: the others are still scored.
        let f = match source {
            Source::File(f) => f,
            Source::Unreadable(r) => {
                if st.reject(vec![r.clone()], &mut sink).is_break() {
                    break;
                }
                continue;
            }
        };
        let name = f.display().to_string();
        let fed = if super::inputs::is_jsonl(f) {
            match super::inputs::open_answers(f) {
                Ok(h) => st.feed(&name, BufReader::with_capacity(1 << 20, h), render, sink, |n| {
                    if let Some(b) = &bar {
                        b.set_position(n as u64);
                    }
                }),
                Err(e) => Ok(st.reject(vec![rejection(origin(f), e)], sink)),
            }
        } else {
            // A `.json` file is one answer set.
            match super::inputs::read_answer_file(f) {
                Ok(t) => st.feed_text(&name, &t, render, sink),
                Err(e) => Ok(st.reject(vec![rejection(origin(f), e)], sink)),
            }
        };
        match fed {
            // The stream's own store of entity ids failed: not an input's
            // fault, and the batch cannot go on.
            Err(e) => {
                errln!("error: {name}: {e}");
                return Exit::RuleErrors;
            }
            Ok(ControlFlow::Break(())) => break,
            Ok(ControlFlow::Continue(())) => {}
        }
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = write_failed {
        // Whoever reads the output stopped (`… | head`): stop quietly,
        // with the exit code of what was read so far.
        let t: Summary = st.finish();
        return written(output, e, exit(&t));
    }
    let t: Summary = st.finish();
    if summary_only {
        if let Err(e) = out.write_all(summary_text(model, &t, format).as_bytes()) {
            return written(output, e, exit(&t));
        }
    }
    report(model, &t, summary_only, format);
    if let Err(e) = out.flush() {
        return written(output, e, exit(&t));
    }
    drop(out);
    if let (Some(tmp), Some(p)) = (tmp, output) {
        if let Err(e) = tmp.commit() {
            return super::output::write_failed(&p.display().to_string(), &e);
        }
    }
    exit(&t)
}

/// Where a whole answer file's problem is located.
fn origin(f: &Path) -> mizan::answers::Origin {
    mizan::answers::Origin {
        file: f.display().to_string(),
        line: None,
    }
}

/// A failed write of the results: to `output`, or to standard output
/// (reported when the command ends, where a closed pipe keeps the
/// command's own exit code `own` and any other failure is exit 1).
fn written(output: Option<&Path>, e: std::io::Error, own: Exit) -> Exit {
    match output {
        Some(p) => super::output::write_failed(&p.display().to_string(), &e),
        None => {
            super::output::stdout_failed(e);
            own
        }
    }
}

/// The exit code of a batch: 1 when the population level could not be
/// computed (the rules fail on this batch), else 2 when a submission was
/// rejected, else 0.
pub fn exit(t: &Summary) -> Exit {
    if t.population_failed {
        Exit::RuleErrors
    } else if t.rejected > 0 {
        Exit::Rejected
    } else {
        Exit::Ok
    }
}

/// The `--summary` output: a JSON document (on one line with `--format
/// jsonl`), or two lines of text.
pub fn summary_text(model: &Model, t: &Summary, format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&render::json::summary(model, t)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Jsonl => {
            let mut s = serde_json::to_string(&render::json::summary(model, t)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Human | Format::Plain | Format::Markdown => format!(
            "{} {}: population {}{} over {} entities; {} submissions rejected and excluded\nrules: {} {} sha256 {} · mizan {}\n",
            model.id,
            model.version,
            render::score_cell(t.population.score, model.precision),
            band(model, t),
            t.population.entities,
            t.rejected,
            model.id,
            model.version,
            model.sha256,
            env!("CARGO_PKG_VERSION")
        ),
    }
}

/// ` BAND` of the population, or nothing.
fn band(model: &Model, t: &Summary) -> String {
    t.population
        .score
        .and_then(|s| model.band(&model.population.bands, s))
        .map(|b| format!(" {}", b.id))
        .unwrap_or_default()
}

/// Errors shown on stderr by a text summary before it points to the JSON.
const SHOWN: usize = 20;

/// The problems of a streamed batch on stderr: with a text summary, the
/// first errors and warnings (the JSON summary has them all, warnings
/// counted per code); with entity lines, every error, the warnings kept and
/// a closing line.
pub fn report(model: &Model, t: &Summary, summary_only: bool, format: Format) {
    let json = matches!(format, Format::Json | Format::Jsonl);
    if summary_only && json {
        return;
    }
    let shown = if summary_only { SHOWN } else { usize::MAX };
    for p in t.errors.iter().take(shown) {
        err!("{}", render::table::problem(p));
    }
    if t.errors.len() > shown {
        errln!(
            "… and {} more errors (use --format json for all)",
            t.errors.len() - shown
        );
    }
    for p in t.warnings.iter().take(shown) {
        err!("{}", render::table::problem(p));
    }
    let more = t
        .warning_counts
        .values()
        .sum::<usize>()
        .saturating_sub(t.warnings.len().min(shown));
    if more > 0 {
        let counts: Vec<String> = t
            .warning_counts
            .iter()
            .map(|(c, n)| format!("{c} × {n}"))
            .collect();
        errln!("… and {more} more warnings (in all: {})", counts.join(", "));
    }
    if !summary_only {
        errln!(
            "{} entities scored, {} rejected; population {}{} over {} entities",
            t.scored,
            t.rejected,
            render::score_cell(t.population.score, model.precision),
            band(model, t),
            t.population.entities
        );
    }
}

/// A progress bar on stderr when it is a terminal; `None` otherwise.
fn progress() -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {pos} answer sets scored ({per_sec}) {elapsed}")
    {
        b.set_style(style);
    }
    Some(b)
}
