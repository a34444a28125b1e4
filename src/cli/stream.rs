//! `mizan eval --summary` and `--format jsonl`: streamed batches.

use std::io::{BufRead, BufReader, BufWriter, Cursor, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use mizan::eval::stream::{self, Item, Summary};
use mizan::render;

use super::inputs::Loaded;
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
    let files = match super::inputs::answer_files(answers) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
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
    for f in &files {
        let name = f.display().to_string();
        let reader: Box<dyn BufRead + Send> = if super::inputs::is_jsonl(f) {
            match super::inputs::open_answers(f) {
                Ok(h) => Box::new(BufReader::with_capacity(1 << 20, h)),
                Err(e) => {
                    errln!("error: {name}: {e}");
                    return Exit::RuleErrors;
                }
            }
        } else {
            // A `.json` file is one answer set: one line.
            match super::inputs::read_answer_file(f) {
                Ok(t) => Box::new(Cursor::new(t.replace(['\n', '\r'], " "))),
                Err(e) => {
                    errln!("error: {name}: {e}");
                    return Exit::RuleErrors;
                }
            }
        };
        let sink = |item: &Item| {
            if let Item::Scored(stream::Scored { line: Some(line), .. }) = item {
                if let Err(e) = writeln!(out, "{line}") {
                    write_failed = Some(e);
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        };
        let render_line = |r: &mizan::eval::EntityResult| {
            serde_json::to_string(&render::json::entity(model, r)).unwrap_or_default()
        };
        let render: Option<&(dyn Fn(&mizan::eval::EntityResult) -> String + Sync)> =
            if summary_only { None } else { Some(&render_line) };
        let fed = st.feed(&name, reader, render, sink, |n| {
            if let Some(b) = &bar {
                b.set_position(n as u64);
            }
        });
        match fed {
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
        // Whoever reads the output stopped (`… | head`): stop quietly.
        return written(output, e);
    }
    let t: Summary = st.finish();
    let pop = t.population.score.map(|d| d.normalize());
    if summary_only {
        let text = match format {
            Format::Json | Format::Jsonl => {
                let doc = serde_json::json!({
                    "rubric": {"id": model.id, "version": model.version, "sha256": model.sha256, "mizan": env!("CARGO_PKG_VERSION")},
                    "aggregate": {"score": pop.map(render::json::Num), "entities": t.population.entities, "excluded": t.rejected},
                    "errors": t.errors.iter().map(render::json::problem).collect::<Vec<_>>(),
                });
                format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
            }
            _ => format!(
                "{} {}: population {} over {} entities; {} submissions rejected and excluded\nrules: {} {} sha256 {} · mizan {}\n",
                model.id,
                model.version,
                render::score_cell(t.population.score, model.precision),
                t.population.entities,
                t.rejected,
                model.id,
                model.version,
                model.sha256,
                env!("CARGO_PKG_VERSION")
            ),
        };
        if let Err(e) = out.write_all(text.as_bytes()) {
            return written(output, e);
        }
        if !matches!(format, Format::Json | Format::Jsonl) {
            for p in t.errors.iter().take(20) {
                err!("{}", render::table::problem(p));
            }
            if t.errors.len() > 20 {
                errln!(
                    "… and {} more errors (use --format json for all)",
                    t.errors.len() - 20
                );
            }
        }
    } else {
        for p in t.errors.iter().chain(&t.warnings) {
            err!("{}", render::table::problem(p));
        }
        errln!(
            "{} entities scored, {} rejected; population {} over {} entities",
            t.scored,
            t.rejected,
            render::score_cell(t.population.score, model.precision),
            t.population.entities
        );
    }
    if let Err(e) = out.flush() {
        return written(output, e);
    }
    drop(out);
    if let (Some(tmp), Some(p)) = (tmp, output) {
        if let Err(e) = tmp.commit() {
            return super::output::write_failed(&p.display().to_string(), &e);
        }
    }
    if t.rejected > 0 {
        Exit::Rejected
    } else {
        Exit::Ok
    }
}

/// A failed write of the results: to `output`, or to standard output
/// (reported when the command ends).
fn written(output: Option<&Path>, e: std::io::Error) -> Exit {
    match output {
        Some(p) => super::output::write_failed(&p.display().to_string(), &e),
        None => {
            super::output::stdout_failed(e);
            Exit::Ok
        }
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
