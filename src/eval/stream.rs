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

use super::seen::Seen;
use super::{evaluate, population_of, EntityResult, PopulationResult, PopulationStats};
use crate::answers::{self, Origin, Rejection};
use crate::plan::Plan;

/// Lines scored together; large enough to keep every thread busy.
pub const CHUNK: usize = 2048;

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
    /// Where it came from.
    pub origin: Origin,
    /// The entity id.
    pub entity: String,
    /// Its overall score.
    pub score: Option<Decimal>,
    /// Its warnings.
    pub warnings: Vec<Rejection>,
    /// Its output line, when the stream renders them.
    pub line: Option<String>,
    /// A 64-bit hash of the entity id, to find repeats.
    key: u64,
}

impl Scored {
    fn of(res: EntityResult, render: Option<&(dyn Fn(&EntityResult) -> String + Sync)>) -> Self {
        let line = render.map(|f| f(&res));
        let score = res.score();
        let mut h = DefaultHasher::new();
        res.submission.entity.hash(&mut h);
        Scored {
            origin: res.submission.origin,
            entity: res.submission.entity,
            score,
            warnings: res.warnings,
            line,
            key: h.finish(),
        }
    }
}

/// The totals of a stream.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Population over the entities with a score.
    pub population: PopulationResult,
    /// Entities scored.
    pub scored: usize,
    /// Submissions rejected.
    pub rejected: usize,
    /// Errors of the rejected submissions, in input order.
    pub errors: Vec<Rejection>,
    /// Warnings, in input order.
    pub warnings: Vec<Rejection>,
    /// Lines read (non-empty).
    pub lines: usize,
}

/// A streamed batch in progress: what the population and the report need,
/// and nothing per entity beyond its score.
pub struct Stream<'p> {
    plan: &'p Plan,
    stats: PopulationStats,
    overflow: bool,
    /// Entity ids seen, by 64-bit hash, with where they were first used
    /// (index in `files`, line), in bounded memory.
    seen: Seen,
    files: Vec<String>,
    errors: Vec<Rejection>,
    warnings: Vec<Rejection>,
    scored: usize,
    rejected: usize,
    lines: usize,
}

impl<'p> Stream<'p> {
    /// A new stream against `plan`.
    pub fn new(plan: &'p Plan) -> Self {
        Stream {
            plan,
            stats: PopulationStats::default(),
            overflow: false,
            seen: Seen::default(),
            files: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            scored: 0,
            rejected: 0,
            lines: 0,
        }
    }

    /// Reads JSONL from `reader` (named `file`) and scores every line, on
    /// the current rayon pool. `sink` sees every line's outcome, in input
    /// order, and can stop the stream (`ControlFlow::Break`, e.g. when its
    /// reader went away); `progress` sees the number of lines done so far.
    ///
    /// Three stages overlap: while one chunk is scored (in parallel), the
    /// outcomes of the chunk before it go to the sink and the chunk after
    /// it is read (one after the other, on one thread). At `--jobs 1` the
    /// stages simply take turns.
    pub fn feed(
        &mut self,
        file: &str,
        reader: impl BufRead + Send,
        render: Option<&(dyn Fn(&EntityResult) -> String + Sync)>,
        mut sink: impl FnMut(&Item) -> ControlFlow<()> + Send,
        mut progress: impl FnMut(usize) + Send,
    ) -> Result<ControlFlow<()>, std::io::Error> {
        let plan = self.plan;
        self.files.push(file.to_string());
        let file_ix = u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX);
        // Line buffers and outcome lists are reused from chunk to chunk:
        // reading allocates nothing once they are full.
        let mut reader = reader;
        let mut number = 0;
        let mut to_score = Chunk::default();
        let mut to_read = Chunk::default();
        let mut scoring: Vec<Item> = Vec::with_capacity(CHUNK);
        let mut scored: Vec<Item> = Vec::with_capacity(CHUNK);
        to_score.fill(&mut reader, &mut number)?;
        while to_score.len() > 0 || !scored.is_empty() {
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
                            Ok(res) => Item::Scored(Scored::of(res, render)),
                            Err(e) => Item::Rejected(e),
                        }
                    })
                    .collect_into_vec(out)
            };
            let ((), done) = rayon::join(
                || score(&mut scoring),
                || -> Result<ControlFlow<()>, std::io::Error> {
                    if self.tally(&mut scored, file_ix, &mut sink)?.is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                    progress(self.lines);
                    to_read.fill(&mut reader, &mut number)?;
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

    /// Takes the outcomes of one chunk, in input order: rejects repeated
    /// entity ids, adds scores to the population, keeps the errors and
    /// warnings, and hands each outcome to `sink` (until it says stop).
    fn tally(
        &mut self,
        outcomes: &mut Vec<Item>,
        file_ix: u32,
        sink: &mut impl FnMut(&Item) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, std::io::Error> {
        self.lines += outcomes.len();
        for item in outcomes.drain(..) {
            let item = match item {
                Item::Scored(res) => {
                    let at = u32::try_from(res.origin.line.unwrap_or(0)).unwrap_or(u32::MAX);
                    match self.seen.insert(res.key, (file_ix, at))? {
                        Some((f, l)) => Item::Rejected(vec![super::batch::duplicate(
                            &res.origin,
                            &res.entity,
                            format!("{}:{l}", self.files.get(f as usize).map_or("?", String::as_str)),
                        )]),
                        None => Item::Scored(res),
                    }
                }
                rejected => rejected,
            };
            match &item {
                Item::Scored(res) => {
                    self.scored += 1;
                    if let Some(s) = res.score {
                        self.overflow |= self.stats.add(s).is_err();
                    }
                    self.warnings.extend(res.warnings.iter().cloned());
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
        }
        Ok(ControlFlow::Continue(()))
    }

    /// The totals, with the population over every entity scored.
    pub fn finish(self) -> Summary {
        let population = population_of(self.plan.model(), &self.stats)
            .ok()
            .filter(|_| !self.overflow)
            .unwrap_or(PopulationResult {
                score: None,
                entities: self.scored,
            });
        Summary {
            population,
            scored: self.scored,
            rejected: self.rejected,
            errors: self.errors,
            warnings: self.warnings,
            lines: self.lines,
        }
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
}

impl Chunk {
    /// Reads the next lines of `reader`; `number` counts every line read.
    fn fill(&mut self, reader: &mut impl BufRead, number: &mut usize) -> Result<(), std::io::Error> {
        self.buf.clear();
        self.lines.clear();
        while self.lines.len() < CHUNK {
            let start = self.buf.len();
            match crate::files::read_line(reader, &mut self.buf, crate::files::MAX_ANSWER_SET_BYTES)? {
                crate::files::Line::Eof => break,
                crate::files::Line::TooLong => {
                    *number += 1;
                    self.lines.push((*number, None));
                    continue;
                }
                crate::files::Line::Read => *number += 1,
            }
            let mut line = self.buf.get(start..).unwrap_or_default();
            // As `BufRead::lines`: without the `\n` or `\r\n`.
            if let Some(l) = line.strip_suffix(b"\n") {
                line = l.strip_suffix(b"\r").unwrap_or(l);
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                self.buf.truncate(start);
                continue;
            }
            self.lines.push((*number, Some(start..start + line.len())));
        }
        Ok(())
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
