//! `mizan eval --summary` and `--format jsonl`: streamed batches.

use std::io::{BufReader, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use mizan::eval::stream::{self, Item, Summary};
use mizan::render;

use mizan::model::Model;
use mizan::render::Lang;
use rust_decimal::Decimal;

use super::inputs::{rejection, Loaded, Source};
use super::{Exit, Format};

/// Where a stream writes.
pub struct Outputs<'a> {
    /// `--summary`: the population and the errors only.
    pub summary_only: bool,
    /// `--output FILE` (else standard output).
    pub output: Option<&'a Path>,
    /// `--warnings FILE`: every warning, as the results are written.
    pub warnings: Option<&'a Path>,
}

pub fn run(rules: &Path, answers: &[PathBuf], outputs: Outputs<'_>, format: Format, lang: Lang) -> Exit {
    let Outputs {
        summary_only,
        output,
        warnings,
    } = outputs;
    let rubric = match super::inputs::load_rubric(rules, format) {
        Loaded::Rubric(r) => *r,
        Loaded::Unreadable => return Exit::RuleErrors,
        Loaded::Invalid => {
            errln!("error: the rules have errors; nothing was evaluated");
            return Exit::RuleErrors;
        }
    };
    let model = rubric.model();
    let files = super::inputs::answer_files(answers, lang);
    // Results go to a temporary file beside --output, renamed at the end.
    let mut tmp = None;
    let mut syncer = None;
    let mut out: Box<dyn Write + Send> = match output {
        Some(p) => match super::atomic::AtomicFile::create(p).and_then(|mut t| {
            let w = t.file().try_clone()?;
            syncer = Syncer::start(t.file());
            tmp = Some(t);
            Ok(w)
        }) {
            Ok(f) => Box::new(BufWriter::with_capacity(1 << 16, f)),
            Err(e) => return super::output::write_failed(&p.display().to_string(), &e),
        },
        // Not `lock()`: the sink runs on a pool thread (`Stdout` is `Send`).
        None => Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout())),
    };
    let mut warnings_file = match warnings.map(super::warnings::WarningsFile::create).transpose() {
        Ok(w) => w,
        Err(e) => return e,
    };
    let bar = progress();
    let mut st = stream::Stream::new(rubric.plan());
    let mut write_failed = None;
    // A rubric that ranks: a line's rank needs every score, so the lines
    // wait in a temporary file (not in memory) until the stream ends, each
    // with its ranked score kept, and get their rank on the way out.
    let mut ranks = match (model.population.rank.is_some(), summary_only) {
        (true, false) => match Deferred::new() {
            Ok(d) => Some(d),
            Err(e) => {
                errln!("error: a temporary file for the ranked lines: {e}");
                return Exit::RuleErrors;
            }
        },
        _ => None,
    };
    let ranked = ranks.is_some();
    let lines = render::jsonl::EntityLines::new(model, lang);
    // Each line ends with its newline: the sink writes it in one go.
    let render_line = |r: &mizan::eval::EntityResult, s: &mut Vec<u8>| {
        if ranked {
            // The rank is written in at the end; the line says (before a
            // tab, taken off again) whether the entity is ranked, and on what.
            if let Some(on) = render::json::ranked_score(model, r) {
                let _ = write!(s, "{on}");
            }
            s.push(b'\t');
        }
        lines.write(s, r, ranked);
        s.push(b'\n');
    };
    let render: Option<&stream::Render<'_>> = if summary_only { None } else { Some(&render_line) };
    for source in &files {
        let mut sink = |item: &Item| {
            if let (Some(w), Item::Scored(res)) = (warnings_file.as_mut(), item) {
                w.write(&res.warnings);
            }
            if let Item::Scored(stream::Scored {
                output: Some(line), ..
            }) = item
            {
                let written = match ranks.as_mut() {
                    Some(d) => d.push(line),
                    None => {
                        if let Some(s) = syncer.as_mut() {
                            s.wrote(line.len());
                        }
                        out.write_all(line)
                    }
                };
                if let Err(e) = written {
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
    if let Some(d) = ranks {
        if let Err(e) = d.finish(&mut out) {
            return written(output, e, exit(&t));
        }
    }
    if summary_only {
        if let Err(e) = out.write_all(summary_text(model, &t, format, lang).as_bytes()) {
            return written(output, e, exit(&t));
        }
    }
    report(model, &t, summary_only, format, lang);
    if let Err(e) = out.flush() {
        return written(output, e, exit(&t));
    }
    drop(out);
    if let Some(s) = syncer {
        s.finish();
    }
    if let Some(w) = warnings_file {
        if let Err(e) = w.finish() {
            return e;
        }
    }
    if let (Some(tmp), Some(p)) = (tmp, output) {
        if let Err(e) = tmp.commit() {
            return super::output::write_failed(&p.display().to_string(), &e);
        }
    }
    exit(&t)
}

/// Bytes written between two requests to [`Syncer`].
const SYNC_EVERY: usize = 64 << 20;

/// Flushes the output file to disk while the stream goes on, on a thread
/// of its own that mostly waits on the disk: the `fsync` before the
/// output is renamed into place then has only the last bytes left to
/// wait for, where it would wait for the whole file (a tenth of the run
/// on a file of results). A flush asked for while one runs is skipped.
struct Syncer {
    ask: std::sync::mpsc::SyncSender<()>,
    thread: std::thread::JoinHandle<()>,
    /// Bytes written since the last request.
    since: usize,
}

impl Syncer {
    /// A syncer of `file`, or none if its handle cannot be cloned or no
    /// thread started (the final `fsync` does it all, as before).
    fn start(file: &std::fs::File) -> Option<Syncer> {
        let file = file.try_clone().ok()?;
        let (ask, asked) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("mizan-sync".into())
            .spawn(move || {
                while asked.recv().is_ok() {
                    // A failure shows again at the final `fsync`.
                    let _ = file.sync_data();
                }
            })
            .ok()?;
        Some(Syncer {
            ask,
            thread,
            since: 0,
        })
    }

    /// `n` more bytes handed to the output.
    fn wrote(&mut self, n: usize) {
        self.since += n;
        if self.since >= SYNC_EVERY {
            self.since = 0;
            let _ = self.ask.try_send(());
        }
    }

    /// Waits for the flush under way, if any.
    fn finish(self) {
        drop(self.ask);
        let _ = self.thread.join();
    }
}

/// Entity lines held back until every score is known (a rubric that
/// ranks): the lines in a temporary file, and the score each entity is
/// ranked on (`None`: not ranked) in line order.
struct Deferred {
    file: BufWriter<std::fs::File>,
    on: Vec<Option<Decimal>>,
}

impl Deferred {
    fn new() -> std::io::Result<Self> {
        Ok(Deferred {
            file: BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            on: Vec::new(),
        })
    }

    /// Keeps a rendered line: `SCORE\tJSON\n` (ranked) or `\tJSON\n`.
    fn push(&mut self, line: &[u8]) -> std::io::Result<()> {
        let (on, json) = match line.iter().position(|&b| b == b'\t') {
            Some(at) => (
                line.get(..at).unwrap_or_default(),
                line.get(at + 1..).unwrap_or_default(),
            ),
            None => (&[][..], line),
        };
        self.on
            .push(std::str::from_utf8(on).ok().and_then(|on| on.parse().ok()));
        self.file.write_all(json)
    }

    /// Writes every line to `out` in input order, each with its rank: the
    /// competition rank (1, 2, 2, 4) among the ranked scores, highest
    /// first, as a batch ranks.
    fn finish(self, out: &mut dyn Write) -> std::io::Result<()> {
        use std::io::{BufRead, Seek};
        let mut sorted: Vec<Decimal> = self.on.iter().flatten().copied().collect();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        let reader = BufReader::with_capacity(1 << 20, file);
        for (line, on) in reader.lines().zip(&self.on) {
            let line = line?;
            let rank = on.map(|s| 1 + sorted.partition_point(|o| *o > s));
            writeln!(out, "{}", with_rank(&line, rank))?;
        }
        Ok(())
    }
}

/// An entity line with its `"rank":null` filled in. The first
/// `"rank":` of a line is the entity's own: it follows only the id, name,
/// score and band (strings, whose quotes JSON escapes, and numbers).
fn with_rank(line: &str, rank: Option<usize>) -> std::borrow::Cow<'_, str> {
    const NULL: &str = "\"rank\":null";
    match (rank, line.find(NULL)) {
        (Some(k), Some(at)) => {
            let (head, tail) = line.split_at(at);
            let tail = tail.get(NULL.len()..).unwrap_or_default();
            std::borrow::Cow::Owned(format!("{head}\"rank\":{k}{tail}"))
        }
        _ => std::borrow::Cow::Borrowed(line),
    }
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
pub fn summary_text(model: &Model, t: &Summary, format: Format, lang: Lang) -> String {
    match format {
        Format::Json | Format::Xlsx => {
            let mut s =
                serde_json::to_string_pretty(&render::json::summary_in(model, t, lang)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Jsonl => {
            let mut s = serde_json::to_string(&render::json::summary_in(model, t, lang)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Human | Format::Plain | Format::Markdown => {
            let first = match lang {
                Lang::En => format!(
                    "{} {}: population {}{} over {} entities; {} submissions rejected and excluded",
                    model.id,
                    model.version,
                    render::table::population_cell(model, lang, t.population.score, &t.headlines),
                    band(model, t, lang),
                    entities(model, t),
                    t.rejected,
                ),
                Lang::Ar => format!(
                    "{}: الإجمالي: {}{}؛ الجهات: {}؛ إجابات مرفوضة ومستبعدة: {}",
                    lang.ltr(&format!("{} {}", model.id, model.version)),
                    render::table::population_cell(model, lang, t.population.score, &t.headlines),
                    band(model, t, lang),
                    lang.ltr(&entities(model, t).to_string()),
                    lang.ltr(&t.rejected.to_string()),
                ),
            };
            format!(
                "{}\n{}\n",
                lang.line(&first),
                lang.line(&render::table::provenance(model, lang))
            )
        }
    }
}

/// ` LABEL` of the population's bands (headline first), or nothing.
/// How many entities the population line counts: those with a score, or,
/// for a rubric of headlines with no total, every entity scored.
fn entities(model: &Model, t: &Summary) -> usize {
    if model.no_total {
        t.scored
    } else {
        t.population.entities
    }
}

fn band(model: &Model, t: &Summary, lang: Lang) -> String {
    let labels = render::table::band_labels(model, lang, &model.population.bands, t.population.score);
    if labels.is_empty() {
        labels
    } else {
        format!(" {labels}")
    }
}

/// Errors shown on stderr by a text summary before it points to the JSON.
const SHOWN: usize = 20;

/// The problems of a streamed batch on stderr: with a text summary, the
/// first errors and warnings (the JSON summary has them all, warnings
/// counted per code); with entity lines, every error, the warnings kept and
/// a closing line.
pub fn report(model: &Model, t: &Summary, summary_only: bool, format: Format, lang: Lang) {
    let json = matches!(format, Format::Json | Format::Jsonl);
    if summary_only && json {
        return;
    }
    let shown = if summary_only { SHOWN } else { usize::MAX };
    for p in t.errors.iter().take(shown) {
        err!("{}", render::table::problem(p));
    }
    if t.errors.len() > shown {
        let more = lang.ltr(&(t.errors.len() - shown).to_string()).into_owned();
        let line = match lang {
            Lang::En => format!("… and {more} more errors (use --format json for all)"),
            Lang::Ar => format!("… وأخطاء أخرى: {more} (كلها في {})", lang.ltr("--format json")),
        };
        errln!("{}", lang.line(&line));
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
        let line = match lang {
            Lang::En => format!("… and {more} more warnings (in all: {})", counts.join(", ")),
            Lang::Ar => format!(
                "… وتحذيرات أخرى: {} (مجموعها: {})",
                lang.ltr(&more.to_string()),
                lang.ltr(&counts.join(", "))
            ),
        };
        errln!("{}", lang.line(&line));
    }
    if !summary_only {
        let line = match lang {
            Lang::En => format!(
                "{} entities scored, {} rejected; population {}{} over {} entities",
                t.scored,
                t.rejected,
                render::table::population_cell(model, lang, t.population.score, &t.headlines),
                band(model, t, lang),
                entities(model, t)
            ),
            Lang::Ar => format!(
                "الجهات المقيّمة: {}، المرفوضة: {}؛ الإجمالي: {}{}؛ الجهات: {}",
                lang.ltr(&t.scored.to_string()),
                lang.ltr(&t.rejected.to_string()),
                render::table::population_cell(model, lang, t.population.score, &t.headlines),
                band(model, t, lang),
                lang.ltr(&entities(model, t).to_string())
            ),
        };
        errln!("{}", lang.line(&line));
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
