//! Arbitrary bytes as a `.jsonl` answer file of the demo rubric or the UAE
//! 2018 rubric (bit 0 of the first byte), through both ways `mizan eval`
//! reads one: the streaming path (`Stream::feed`, on a two-thread pool, as
//! `--summary` and `--format jsonl` run it) and the batch path (the
//! per-line framing of the default mode, then `Rubric::evaluate_inputs`).
//! Other bits of the first byte pick the readers' buffer sizes (lines
//! split across reads) and, rarely, put the lines after 2,046 others, so
//! that they straddle the stream's chunks.
//!
//! Nothing may panic. Every non-blank line (by a framing written here
//! independently: `\n` ends a line, one `\r` before it is dropped, ASCII
//! white space only is blank) gives exactly one outcome, a scored entity
//! or at least one rejection located at that line, in both paths; and the
//! two paths agree byte for byte: the entities' JSON, the summary
//! document (population, errors with their lines and codes, warnings).
#![no_main]

use std::io::BufReader;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mizan::answers::{Origin, Rejection};
use mizan::eval::stream::{self, Item, Stream, Summary};
use mizan::files::{self, Line};
use mizan::render::json;

const FILE: &str = "fuzz.jsonl";

struct Setup {
    rubrics: Vec<mizan::Rubric>,
    pool: rayon::ThreadPool,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let rubrics = [
            "examples/demo/digital-readiness.mizan",
            "rules/uae/integration/2018.mizan",
        ]
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("run from the repository root");
            mizan::load(p, &text).0.expect("a shipped rubric")
        })
        .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .stack_size(mizan::STACK_SIZE)
            .build()
            .expect("a pool");
        Setup { rubrics, pool }
    })
}

/// The numbers of the non-blank lines, framed here without the library.
fn non_blank(text: &[u8]) -> Vec<usize> {
    let mut parts: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    if text.is_empty() || text.ends_with(b"\n") {
        parts.pop();
    }
    parts
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            !l.iter().all(u8::is_ascii_whitespace)
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// The batch path's inputs: `src/cli/inputs.rs::read_answers` on a file.
fn batch_inputs(text: &[u8], capacity: usize) -> Vec<(Origin, Result<String, Rejection>)> {
    let origin = |line| Origin {
        file: FILE.into(),
        line: Some(line),
    };
    let mut reader = BufReader::with_capacity(capacity, text);
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let line = files::read_line(&mut reader, &mut buf, files::MAX_ANSWER_SET_BYTES).expect("bytes read");
        let at = match line {
            Line::Eof => break,
            Line::TooLong => unreachable!("no fuzz input is 16 MiB long"),
            Line::Read => {
                number += 1;
                origin(number)
            }
        };
        let Some(line) = stream::frame(&buf) else { continue };
        let text = match std::str::from_utf8(line) {
            Ok(t) => Ok(t.to_string()),
            Err(e) => Err(mizan::answers::not_utf8(at.clone(), &e)),
        };
        out.push((at, text));
    }
    out
}

/// The line of every problem of one outcome, which must be one line.
fn line_of(errors: &[Rejection]) -> usize {
    assert!(!errors.is_empty(), "a rejection without an error");
    let line = errors[0].origin.line.expect("a located rejection");
    for e in errors {
        assert_eq!(e.origin.file, FILE);
        assert_eq!(e.origin.line, Some(line), "one outcome, problems on two lines");
    }
    line
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let s = setup();
    let rubric = &s.rubrics[usize::from(kind & 1)];
    let model = rubric.model();
    let capacities = [1 << 16, 1, 3, 64];
    let stream_cap = capacities[usize::from(kind >> 5 & 3)];
    let batch_cap = capacities[usize::from(kind >> 3 & 3)];
    let mut text = Vec::new();
    if kind & 0x86 == 0x86 && kind & 0x60 == 0 {
        text = b"0\n".repeat(stream::CHUNK - 2);
    }
    text.extend_from_slice(rest);
    let want = non_blank(&text);

    // Streaming.
    let render =
        |r: &mizan::eval::EntityResult| serde_json::to_string(&json::entity(model, r)).expect("serialises");
    // The stream's renderer writes a line's bytes into the buffer it is given.
    let render_into =
        |r: &mizan::eval::EntityResult, out: &mut Vec<u8>| out.extend_from_slice(render(r).as_bytes());
    let mut st = Stream::new(rubric.plan());
    let mut outcomes: Vec<(usize, Option<(String, String)>)> = Vec::new();
    let fed = s.pool.install(|| {
        st.feed(
            FILE,
            BufReader::with_capacity(stream_cap, &text[..]),
            Some(&render_into),
            |item| {
                outcomes.push(match item {
                    Item::Scored(r) => {
                        let line = r.line.expect("a line");
                        let output = String::from_utf8(r.output.clone().expect("rendered")).expect("UTF-8");
                        (line, Some((r.entity.clone(), output)))
                    }
                    Item::Rejected(e) => (line_of(e), None),
                });
                ControlFlow::Continue(())
            },
            |_| {},
        )
    });
    assert!(matches!(fed, Ok(ControlFlow::Continue(()))), "the stream stopped");
    let streamed: Summary = st.finish();
    let lines: Vec<usize> = outcomes.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        lines, want,
        "streaming: not one outcome per non-blank line, in order"
    );
    assert_eq!(streamed.lines, want.len());
    let mut scored: Vec<(String, String)> = outcomes.into_iter().filter_map(|(_, s)| s).collect();
    scored.sort();

    // Batch.
    let inputs = batch_inputs(&text, batch_cap);
    assert_eq!(
        inputs
            .iter()
            .map(|(o, _)| o.line.expect("a line"))
            .collect::<Vec<_>>(),
        want,
        "batch: not one input per non-blank line"
    );
    let batch = rubric.evaluate_inputs(inputs);
    let mut rejected: Vec<usize> = batch
        .errors
        .iter()
        .filter(|e| e.origin.file == FILE)
        .map(|e| e.origin.line.expect("a line"))
        .collect();
    rejected.dedup();
    assert_eq!(
        rejected.len(),
        batch.rejected,
        "batch: errors of one submission on two lines"
    );
    let mut all: Vec<usize> = batch
        .results
        .iter()
        .map(|r| r.submission.origin.line.expect("a line"))
        .chain(rejected)
        .collect();
    all.sort_unstable();
    assert_eq!(all, want, "batch: not one outcome per non-blank line");
    let batch_scored: Vec<(String, String)> = batch
        .results
        .iter()
        .map(|r| (r.submission.entity.clone(), render(r)))
        .collect();

    // The two agree.
    assert_eq!(
        scored, batch_scored,
        "streaming and batch score different entities"
    );
    let of_batch = Summary::of_batch(&batch);
    assert_eq!(
        (
            streamed.scored,
            streamed.rejected,
            streamed.lines,
            streamed.population_failed
        ),
        (
            of_batch.scored,
            of_batch.rejected,
            of_batch.lines,
            of_batch.population_failed
        )
    );
    assert_eq!(
        serde_json::to_string(&json::summary(model, &streamed)).expect("serialises"),
        serde_json::to_string(&json::summary(model, &of_batch)).expect("serialises"),
        "streaming and batch summaries differ"
    );
});
