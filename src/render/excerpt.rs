//! Diagnostics on very long lines, shown as excerpts.
//!
//! miette's graphical handler pads the underline of a label to its column
//! with a format width, which Rust caps at 65,535: a label further right
//! panics ("Formatting argument out of range"), and a line of 70,000
//! characters would be unreadable anyway. When a label sits on a line longer
//! than [`LONG_LINE`] bytes, the diagnostic is rendered against a copy of the
//! source in which every long line keeps only [`MARGIN`] bytes around each
//! label's ends, the cuts marked `…`. Line numbers do not change (no line is
//! added or removed), and the column in the header is the real one: the
//! excerpt maps its offsets back to the file's.

use std::fmt;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, NamedSource, Severity, SourceCode, SourceSpan,
    SpanContents,
};

/// Lines longer than this (bytes) are cut around the labels.
const LONG_LINE: usize = 400;

/// Bytes kept on each side of a label's start and end.
const MARGIN: usize = 60;

/// The mark of a cut.
const CUT: &str = "…";

/// A kept piece of the real text: `len` bytes at `real` in the file, at
/// `virt` in the excerpt.
#[derive(Debug, Clone, Copy)]
struct Piece {
    real: usize,
    virt: usize,
    len: usize,
}

/// The source with its long lines cut.
struct Excerpt {
    source: NamedSource<String>,
    name: String,
    real: String,
    pieces: Vec<Piece>,
}

impl Excerpt {
    /// The excerpt offset of the file offset `o` (a label's end is always
    /// kept).
    fn to_virt(&self, o: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.real + p.len < o);
        match self.pieces.get(i) {
            Some(p) if p.real <= o => p.virt + (o - p.real),
            Some(p) => p.virt,
            None => self.pieces.last().map_or(0, |p| p.virt + p.len),
        }
    }

    /// The file offset of the excerpt offset `v` (in a cut mark: where the
    /// text resumes).
    fn to_real(&self, v: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.virt + p.len <= v);
        match self.pieces.get(i) {
            Some(p) if p.virt <= v => p.real + (v - p.virt),
            Some(p) => p.real,
            None => self.real.len(),
        }
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self
            .source
            .read_span(span, context_lines_before, context_lines_after)?;
        // The column of the first character shown, in the real line.
        let real = self.to_real(c.span().offset());
        let line_start = self
            .real
            .get(..real)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |n| n + 1);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line(),
            // In characters, as editors count (miette counts bytes).
            self.real
                .get(line_start..real)
                .map_or(real - line_start, |t| t.chars().count()),
            c.line_count(),
        )))
    }
}

/// A diagnostic rendered against an [`Excerpt`], its labels moved there.
pub(super) struct Excerpted<'d> {
    inner: &'d dyn Diagnostic,
    source: Excerpt,
    labels: Vec<LabeledSpan>,
}

impl<'d> Excerpted<'d> {
    /// `d` against an excerpt of its source, when a label of `d` sits on a
    /// long line; `None` when `d` renders as it is.
    pub(super) fn of(d: &'d dyn Diagnostic) -> Option<Self> {
        let source = d.source_code()?;
        let labels: Vec<LabeledSpan> = d.labels()?.collect();
        // The whole text (context lines without limit).
        let all = source
            .read_span(&SourceSpan::from(0..0), usize::MAX, usize::MAX)
            .ok()?;
        let name = all.name().unwrap_or_default().to_string();
        let text = std::str::from_utf8(all.data()).ok()?.to_string();
        let ends: Vec<usize> = labels
            .iter()
            .flat_map(|l| [l.offset(), l.offset() + l.len()])
            .map(|o| o.min(text.len()))
            .collect();
        let line_of = |o: usize| {
            let start = text.get(..o).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
            let end = text
                .get(o..)
                .and_then(|t| t.find('\n'))
                .map_or(text.len(), |n| o + n);
            (start, end)
        };
        if !ends.iter().any(|&o| {
            let (s, e) = line_of(o);
            e - s > LONG_LINE
        }) {
            return None;
        }
        let mut virt = String::with_capacity(text.len().min(1 << 20));
        let mut pieces: Vec<Piece> = Vec::new();
        let mut keep = |virt: &mut String, real: usize, len: usize| {
            if len > 0 {
                pieces.push(Piece {
                    real,
                    virt: virt.len(),
                    len,
                });
                virt.push_str(text.get(real..real + len).unwrap_or_default());
            }
        };
        let mut start = 0;
        while start <= text.len() {
            let end = text
                .get(start..)
                .and_then(|t| t.find('\n'))
                .map_or(text.len(), |n| start + n);
            if end - start <= LONG_LINE {
                keep(&mut virt, start, end - start);
            } else {
                // Ranges around every label end on this line, merged.
                let mut ranges: Vec<(usize, usize)> = ends
                    .iter()
                    .filter(|&&o| o >= start && o <= end)
                    .map(|&o| {
                        (
                            floor(&text, o.saturating_sub(MARGIN).max(start)),
                            ceil(&text, (o + MARGIN).min(end)),
                        )
                    })
                    .collect();
                if ranges.is_empty() {
                    ranges.push((start, ceil(&text, start + 2 * MARGIN)));
                }
                ranges.sort_unstable();
                let mut merged: Vec<(usize, usize)> = Vec::new();
                for (a, b) in ranges {
                    match merged.last_mut() {
                        Some(last) if a <= last.1 => last.1 = last.1.max(b),
                        _ => merged.push((a, b)),
                    }
                }
                let mut at = start;
                for (a, b) in merged {
                    if a > at {
                        virt.push_str(CUT);
                    }
                    keep(&mut virt, a, b - a);
                    at = b;
                }
                if at < end {
                    virt.push_str(CUT);
                }
            }
            if end < text.len() {
                keep(&mut virt, end, 1);
            }
            start = end + 1;
        }
        let source = Excerpt {
            source: NamedSource::new(name.clone(), virt),
            name,
            real: text,
            pieces,
        };
        let labels = labels
            .iter()
            .map(|l| {
                let a = source.to_virt(l.offset());
                let b = source.to_virt(l.offset() + l.len()).max(a);
                let label = l.label().map(str::to_string);
                if l.primary() {
                    LabeledSpan::new_primary_with_span(label, a..b)
                } else {
                    LabeledSpan::new_with_span(label, a..b)
                }
            })
            .collect();
        Some(Excerpted {
            inner: d,
            source,
            labels,
        })
    }
}

/// `o`, or the start of the character it falls in.
fn floor(text: &str, mut o: usize) -> usize {
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

/// `o`, or the end of the character it falls in.
fn ceil(text: &str, mut o: usize) -> usize {
    let o_max = text.len();
    o = o.min(o_max);
    while o < o_max && !text.is_char_boundary(o) {
        o += 1;
    }
    o
}

impl fmt::Debug for Excerpted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Excerpted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for Excerpted<'_> {}

impl Diagnostic for Excerpted<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code()
    }

    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.inner.related()
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}
