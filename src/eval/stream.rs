//! Streaming evaluation of JSONL: lines are read and scored in chunks
//! (in parallel, with the output in input order whatever the number of
//! threads), each result is handed to a sink as soon as its chunk is done,
//! and only what the population needs is kept: the entity scores, the ids
//! seen (to reject duplicates) and the errors.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufRead;
use std::ops::ControlFlow;

use rust_decimal::Decimal;

use rayon::prelude::*;

use std::collections::BTreeMap;

use super::seen::Seen;
use super::{evaluate, population_of, Batch, EntityResult, PopulationResult, PopulationStats};
use crate::answers::{self, Origin, Rejection};
use crate::plan::Plan;

/// Lines scored together; large enough to keep every thread busy.
pub const CHUNK: usize = 2048;

/// Bytes of input read into one chunk at most (a chunk ends at the line
/// that reaches it): large answer sets (a rubric of hundreds of criteria,
/// or of instances) make chunks of fewer lines, so that the chunks in
/// flight, and their results, take about the same memory whatever the
/// size of a line.
pub const CHUNK_BYTES: usize = 4 << 20;

/// What a stream reports per input line. A scored entity's full result is
/// dropped in the thread that computed it, once its output line is
/// rendered: only what the population and the report need travels on.
pub enum Item {
    /// A scored entity.
    Scored(Scored),
    /// A rejected submission's errors.
    Rejected(Vec<Rejection>),
}

/// What is kept of a scored entity.
pub struct Scored {
    /// Its line in the file fed (`None`: a whole `.json` file). (Not its
    /// [`Origin`]: the file name is dropped, as the rest of the result, in
    /// the thread that made it.)
    pub line: Option<usize>,
    /// The entity id.
    pub entity: String,
    /// Its overall score.
    pub score: Option<Decimal>,
    /// Its headline values (`headline a, b`), in order.
    pub headlines: Vec<Option<Decimal>>,
    /// Its warnings.
    pub warnings: Vec<Rejection>,
    /// Its output line (the bytes the renderer wrote), when the stream
    /// renders them: a buffer of the stream's pool, taken back once the
    /// sink has seen it.
    pub output: Option<Vec<u8>>,
    /// A 64-bit hash of the entity id, to find repeats.
    key: u64,
}

/// Writes an entity's output line into a buffer (empty when handed over).
pub type Render<'r> = dyn Fn(&EntityResult, &mut Vec<u8>) + Sync + 'r;

/// Output-line buffers of a stream, reused from chunk to chunk: a buffer is
/// taken by the thread that renders a line and given back once the sink
/// has written it, so rendering allocates nothing once the pool holds the
/// lines in flight, and no thread frees what another allocated (the
/// allocator's arenas would grow with the stream).
#[derive(Default)]
struct Pool(std::sync::Mutex<Vec<Vec<u8>>>);

impl Pool {
    /// An empty buffer.
    fn take(&self) -> Vec<u8> {
        let mut buf = self.lock().pop().unwrap_or_default();
        buf.clear();
        buf
    }

    /// Gives `buf` back for a later line.
    fn give(&self, buf: Vec<u8>) {
        self.lock().push(buf);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Scored {
    fn of(plan: &Plan, res: EntityResult, render: Option<&Render<'_>>, pool: &Pool) -> Self {
        let output = render.map(|f| {
            let mut buf = pool.take();
            f(&res, &mut buf);
            buf
        });
        let score = res.score();
        let headlines = super::headline_values(plan.model(), &res);
        let mut h = DefaultHasher::new();
        res.submission.entity.hash(&mut h);
        Scored {
            line: res.submission.origin.line,
            entity: res.submission.entity,
            score,
            headlines,
            warnings: res.warnings,
            output,
            key: h.finish(),
        }
    }
}

/// Warnings a summary keeps: the first ones in entity-id order, as the
/// batch lists them, whatever the input order. Every warning is counted per
/// code in [`Summary::warning_counts`].
pub const KEPT_WARNINGS: usize = 100;

/// The totals of a stream.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Population over the entities with a score.
    pub population: PopulationResult,
    /// Whether the population level could not be computed (its error is
    /// the last of `errors`).
    pub population_failed: bool,
    /// Entities scored.
    pub scored: usize,
    /// Submissions rejected.
    pub rejected: usize,
    /// Errors of the rejected submissions, in input order (then the
    /// population's, if it failed).
    pub errors: Vec<Rejection>,
    /// The first [`KEPT_WARNINGS`] warnings in entity-id order.
    pub warnings: Vec<Rejection>,
    /// Every warning, counted per code.
    pub warning_counts: BTreeMap<String, usize>,
    /// Lines read (non-empty).
    pub lines: usize,
    /// `headline a, b`: each headline's population value (the mean over
    /// the entities that have one), in order.
    pub headlines: Vec<(crate::model::NodeIx, Option<Decimal>)>,
}

impl Summary {
    /// The summary of a batch evaluated in memory (an import, a group of
    /// `--rules`), as a stream of the same submissions would give it.
    pub fn of_batch(batch: &Batch) -> Summary {
        let mut warnings = Warnings::default();
        for w in &batch.warnings {
            warnings.add(w);
        }
        let warning_counts = warnings.counts();
        Summary {
            population: batch.population.clone(),
            population_failed: batch.population_failed,
            scored: batch.results.len(),
            rejected: batch.rejected,
            errors: batch.errors.clone(),
            warnings: warnings.kept,
            warning_counts,
            lines: batch.results.len() + batch.rejected,
            headlines: Vec::new(),
        }
    }

    /// [`Summary::of_batch`] with the population value of each headline of
    /// `model` (the batch's rubric).
    pub fn of_batch_for(model: &crate::model::Model, batch: &Batch) -> Summary {
        Summary {
            headlines: super::headline_population(model, &batch.results),
            ..Summary::of_batch(batch)
        }
    }

    /// Warnings not kept in `warnings`.
    pub fn more_warnings(&self) -> usize {
        self.warning_counts
            .values()
            .sum::<usize>()
            .saturating_sub(self.warnings.len())
    }
}

/// The first warnings in entity-id order, and a count per code of all of
/// them: memory that does not grow with the stream.
#[derive(Default)]
struct Warnings {
    kept: Vec<Rejection>,
    /// Counts per kind of problem, each with its code, found once (a
    /// code is text made on demand: not once per warning).
    by_kind: rustc_hash::FxHashMap<std::mem::Discriminant<answers::AnswerError>, (String, usize)>,
}

impl Warnings {
    /// Every warning counted per code.
    fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (code, n) in self.by_kind.values() {
            *counts.entry(code.clone()).or_default() += n;
        }
        counts
    }

    fn add(&mut self, w: &Rejection) {
        use miette::Diagnostic;
        let (_, count) = self
            .by_kind
            .entry(std::mem::discriminant(&w.error))
            .or_insert_with(|| (w.code().map(|c| c.to_string()).unwrap_or_default(), 0));
        *count += 1;
        let key = w.entity.as_deref().unwrap_or_default();
        // After the warnings of the same entity (they come together, in
        // order), before those of later ids.
        let at = self
            .kept
            .partition_point(|k| k.entity.as_deref().unwrap_or_default() <= key);
        if at < KEPT_WARNINGS {
            self.kept.insert(at, w.clone());
            self.kept.truncate(KEPT_WARNINGS);
        }
    }
}

/// A streamed batch in progress: what the population and the report need,
/// and nothing per entity beyond its score.
pub struct Stream<'p> {
    plan: &'p Plan,
    stats: PopulationStats,
    /// Entity ids seen, by 64-bit hash, with where they were first used
    /// (index in `files`, line), in bounded memory.
    seen: Seen,
    files: Vec<String>,
    errors: Vec<Rejection>,
    warnings: Warnings,
    scored: usize,
    rejected: usize,
    lines: usize,
    headlines: super::HeadlineTally,
}

impl<'p> Stream<'p> {
    /// A new stream against `plan`.
    pub fn new(plan: &'p Plan) -> Self {
        Stream {
            plan,
            stats: PopulationStats::default(),
            seen: Seen::default(),
            files: Vec::new(),
            errors: Vec::new(),
            warnings: Warnings::default(),
            scored: 0,
            rejected: 0,
            lines: 0,
            headlines: super::HeadlineTally::default(),
        }
    }

    /// Reads JSONL from `reader` (named `file`) and scores every line, on
    /// the current rayon pool. `sink` sees every line's outcome, in input
    /// order, and can stop the stream (`ControlFlow::Break`, e.g. when its
    /// reader went away); `progress` sees the number of lines done so far.
    ///
    /// A read error ends the file: the lines before it are scored, and the
    /// rest of the file is one rejected submission (M0418, at the line that
    /// could not be read). The error returned is the stream's own (its
    /// store of entity ids), never the reader's.
    ///
    /// Three stages overlap: while one chunk is scored (in parallel), the
    /// outcomes of the chunk before it go to the sink and the chunk after
    /// it is read (one after the other, on one thread). At `--jobs 1` the
    /// stages simply take turns.
    pub fn feed(
        &mut self,
        file: &str,
        reader: impl BufRead + Send,
        render: Option<&Render<'_>>,
        mut sink: impl FnMut(&Item) -> ControlFlow<()> + Send,
        mut progress: impl FnMut(usize) + Send,
    ) -> Result<ControlFlow<()>, std::io::Error> {
        let plan = self.plan;
        let file_ix = self.file_ix(file);
        // Line buffers and outcome lists are reused from chunk to chunk:
        // reading allocates nothing once they are full.
        let mut reader = reader;
        let mut number = 0;
        let mut to_score = Chunk::default();
        let mut to_read = Chunk::default();
        let mut scoring: Vec<Item> = Vec::with_capacity(CHUNK);
        let mut scored: Vec<Item> = Vec::with_capacity(CHUNK);
        let mut stopped = false;
        let pool = Pool::default();
        to_score.fill(&mut reader, &mut number, &mut stopped);
        while to_score.len() > 0 || to_score.error.is_some() || !scored.is_empty() {
            let chunk = &to_score;
            let score = |out: &mut Vec<Item>| {
                chunk
                    .lines()
                    .map(|(n, bytes)| {
                        let origin = Origin {
                            file: file.to_string(),
                            line: Some(n),
                        };
                        let Some(bytes) = bytes else {
                            return Item::Rejected(vec![Rejection {
                                origin,
                                entity: None,
                                pointer: String::new(),
                                error: answers::AnswerError::TooLarge {
                                    max: crate::files::MAX_ANSWER_SET_BYTES,
                                },
                            }]);
                        };
                        match answers::read_bytes(plan, origin, bytes).and_then(|sub| evaluate(plan, sub)) {
                            Ok(res) => Item::Scored(Scored::of(plan, res, render, &pool)),
                            Err(e) => Item::Rejected(e),
                        }
                    })
                    .collect_into_vec(out);
                if let Some((n, reason)) = &chunk.error {
                    out.push(Item::Rejected(vec![unreadable(file, Some(*n), reason.clone())]));
                }
            };
            let ((), done) = rayon::join(
                || score(&mut scoring),
                || -> Result<ControlFlow<()>, std::io::Error> {
                    if self.tally(&mut scored, file_ix, &mut sink, &pool)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                    progress(self.lines);
                    to_read.fill(&mut reader, &mut number, &mut stopped);
                    Ok(ControlFlow::Continue(()))
                },
            );
            if done?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
            std::mem::swap(&mut scored, &mut scoring);
            std::mem::swap(&mut to_score, &mut to_read);
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Scores one whole answer file (a `.json` file: one submission, its
    /// origin without a line), as [`Stream::feed`] scores a line.
    pub fn feed_text(
        &mut self,
        file: &str,
        text: &str,
        render: Option<&Render<'_>>,
        mut sink: impl FnMut(&Item) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, std::io::Error> {
        let file_ix = self.file_ix(file);
        let origin = Origin {
            file: file.to_string(),
            line: None,
        };
        let pool = Pool::default();
        let item = match answers::read(self.plan, origin, text).and_then(|sub| evaluate(self.plan, sub)) {
            Ok(res) => Item::Scored(Scored::of(self.plan, res, render, &pool)),
            Err(e) => Item::Rejected(e),
        };
        self.tally(&mut vec![item], file_ix, &mut sink, &pool)
    }

    /// Counts one rejected submission that was never read (an answer file
    /// that cannot be read), handing it to `sink` like any other.
    pub fn reject(
        &mut self,
        errors: Vec<Rejection>,
        mut sink: impl FnMut(&Item) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        self.lines += 1;
        self.rejected += 1;
        self.errors.extend(errors.iter().cloned());
        sink(&Item::Rejected(errors))
    }

    /// The index of `file` in `files` (the last one again when it is the
    /// same file, as for the chunks of one file).
    fn file_ix(&mut self, file: &str) -> u32 {
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_string());
        }
        u32::try_from(self.files.len().saturating_sub(1)).unwrap_or(u32::MAX)
    }

    /// Takes the outcomes of one chunk, in input order: rejects repeated
    /// entity ids, adds scores to the population, keeps the errors and
    /// warnings, and hands each outcome to `sink` (until it says stop),
    /// then its line's buffer back to `pool`.
    fn tally(
        &mut self,
        outcomes: &mut Vec<Item>,
        file_ix: u32,
        sink: &mut impl FnMut(&Item) -> ControlFlow<()>,
        pool: &Pool,
    ) -> Result<ControlFlow<()>, std::io::Error> {
        self.lines += outcomes.len();
        for item in outcomes.drain(..) {
            let item = match item {
                Item::Scored(mut res) => {
                    let at = u32::try_from(res.line.unwrap_or(0)).unwrap_or(u32::MAX);
                    match self.seen.insert(res.key, (file_ix, at))? {
                        Some((f, l)) => {
                            if let Some(buf) = res.output.take() {
                                pool.give(buf);
                            }
                            let origin = Origin {
                                file: self.files.get(file_ix as usize).cloned().unwrap_or_default(),
                                line: res.line,
                            };
                            Item::Rejected(vec![super::batch::duplicate(&origin, &res.entity, {
                                let name = self.files.get(f as usize).map_or("?", String::as_str);
                                // Line 0: a whole `.json` file.
                                if l == 0 {
                                    name.to_string()
                                } else {
                                    format!("{name}:{l}")
                                }
                            })])
                        }
                        None => Item::Scored(res),
                    }
                }
                rejected => rejected,
            };
            match &item {
                Item::Scored(res) => {
                    self.scored += 1;
                    if let Some(s) = res.score {
                        self.stats.add(s);
                    }
                    self.headlines.add(&res.headlines);
                    for w in &res.warnings {
                        self.warnings.add(w);
                    }
                }
                Item::Rejected(e) => {
                    self.rejected += 1;
                    self.errors.extend(e.iter().cloned());
                }
            }
            if sink(&item).is_break() {
                // (Dropping the drain drops the rest of the chunk.)
                return Ok(ControlFlow::Break(()));
            }
            if let Item::Scored(Scored {
                output: Some(buf), ..
            }) = item
            {
                pool.give(buf);
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// The totals, with the population over every entity scored (or its
    /// error, as in a batch).
    pub fn finish(self) -> Summary {
        let mut errors = self.errors;
        let (population, population_failed) = match population_of(self.plan.model(), &self.stats) {
            Ok(p) => (p, false),
            Err(error) => {
                errors.push(super::batch::population_error(error));
                (
                    PopulationResult {
                        score: None,
                        entities: self.scored,
                    },
                    true,
                )
            }
        };
        Summary {
            population,
            population_failed,
            scored: self.scored,
            rejected: self.rejected,
            errors,
            warning_counts: self.warnings.counts(),
            warnings: self.warnings.kept,
            lines: self.lines,
            headlines: self.headlines.finish(self.plan.model()),
        }
    }
}

/// The answer-set bytes of one JSONL line read with its `\n`: without the
/// `\n` or `\r\n`, or `None` when the line is blank (ASCII whitespace
/// only). Every reader of JSONL answers frames lines with this, so that the
/// same file gives the same submissions, numbered alike, in every mode.
pub fn frame(line: &[u8]) -> Option<&[u8]> {
    let line = match line.strip_suffix(b"\n") {
        Some(l) => l.strip_suffix(b"\r").unwrap_or(l),
        None => line,
    };
    (!line.iter().all(u8::is_ascii_whitespace)).then_some(line)
}

/// The rejection of an answer file (or what is left of it, from `line`)
/// that cannot be read (M0418).
pub fn unreadable(file: &str, line: Option<usize>, reason: String) -> Rejection {
    Rejection {
        origin: Origin {
            file: file.to_string(),
            line,
        },
        entity: None,
        pointer: String::new(),
        error: crate::answers::AnswerError::Io { reason },
    }
}

/// Up to [`CHUNK`] non-blank lines with their line numbers, read into
/// one buffer (no allocation or copy per line; the buffer stays allocated
/// from one chunk to the next). Lines stay bytes until a scoring thread
/// checks them as UTF-8, so a line that is not is one rejected submission.
#[derive(Default)]
struct Chunk {
    buf: Vec<u8>,
    /// Line number and byte range in `buf`, without the `\n` or `\r\n`
    /// (`None`: the line is over [`crate::files::MAX_ANSWER_SET_BYTES`]
    /// and was not kept).
    lines: Vec<(usize, Option<std::ops::Range<usize>>)>,
    /// The line that could not be read after these, and why.
    error: Option<(usize, String)>,
}

impl Chunk {
    /// Reads the next lines of `reader`; `number` counts every line read.
    /// A read error is kept with the chunk and stops the reading (`stopped`).
    fn fill(&mut self, reader: &mut impl BufRead, number: &mut usize, stopped: &mut bool) {
        self.buf.clear();
        self.lines.clear();
        self.error = None;
        while self.lines.len() < CHUNK && self.buf.len() < CHUNK_BYTES && !*stopped {
            let start = self.buf.len();
            match crate::files::read_line(reader, &mut self.buf, crate::files::MAX_ANSWER_SET_BYTES) {
                Ok(crate::files::Line::Eof) => break,
                Ok(crate::files::Line::TooLong) => {
                    *number += 1;
                    self.lines.push((*number, None));
                    continue;
                }
                Ok(crate::files::Line::Read) => {}
                Err(e) => {
                    self.buf.truncate(start);
                    self.error = Some((*number + 1, crate::files::io_reason(&e)));
                    *stopped = true;
                    break;
                }
            }
            *number += 1;
            let Some(line) = frame(self.buf.get(start..).unwrap_or_default()) else {
                self.buf.truncate(start);
                continue;
            };
            self.lines.push((*number, Some(start..start + line.len())));
        }
    }

    /// The lines, as (line number, bytes).
    fn lines(&self) -> impl IndexedParallelIterator<Item = (usize, Option<&[u8]>)> + '_ {
        self.lines.par_iter().map(|(n, r)| {
            (
                *n,
                r.as_ref().map(|r| self.buf.get(r.clone()).unwrap_or_default()),
            )
        })
    }

    fn len(&self) -> usize {
        self.lines.len()
    }
}
