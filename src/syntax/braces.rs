//! When pest fails: braces that do not balance and strings that do not
//! end, said in plain words (M0101).
//!
//! pest reports a missing `}` at the end of the file ("unexpected end of
//! file, expected …") and an extra `}` where the file stops making sense,
//! often many lines later. This scan reads the file as the lexer does
//! (strings and comments skipped) and matches the braces. A missing `}`
//! shows as a block whose `}` is indented less than the line that opened it
//! (the `}` of an outer block closed it); an extra `}` as a block spread
//! over several lines that a `}` closes in the middle of a line or deeper
//! than the line that opened it. With no such pair, the block still open at
//! the end of the file, or the `}` with nothing to close, is reported.
//!
//! pest stays the only parser: the scan runs only after it has failed, and
//! only explains its failure when the failure lies at or after the place
//! the scan points to.

use miette::SourceSpan;

use super::SyntaxError;
use crate::diag::Src;

/// A `{` with where it stands on its line.
#[derive(Clone, Copy)]
struct Open {
    at: usize,
    line: usize,
    indent: usize,
    /// Nothing but a comment follows it on its line.
    last_on_line: bool,
}

/// A `}` with where it stands on its line.
#[derive(Clone, Copy)]
struct Close {
    at: usize,
    line: usize,
    indent: usize,
    /// Nothing but blanks precedes it on its line.
    first_on_line: bool,
}

/// What the scan found.
enum Found {
    /// A string whose closing `"` is missing, at its opening `"`.
    Unterminated { at: usize, line: usize },
    /// A `{` never closed; `closed_by` is the `}` of an outer block that
    /// closes it instead, if the indentation tells.
    Unclosed { open: Open, closed_by: Option<Close> },
    /// A `}` that closes `open` too early, or (`open` none) has nothing to
    /// close.
    Extra { close: Close, open: Option<Open> },
}

struct Line {
    start: usize,
    number: usize,
}

/// Explains pest's failure at byte `failed_at` when the braces or strings
/// of `src` account for it.
pub(super) fn explain(src: &Src, failed_at: usize) -> Option<SyntaxError> {
    let text = src.text();
    let found = scan(text)?;
    let (at, message, label, help) = match found {
        Found::Unterminated { at, line } => {
            if failed_at < line_start(text, at) {
                return None;
            }
            (
                SourceSpan::from(at..at + 1),
                format!("unterminated string: the text that starts at line {line} has no closing `\"`"),
                "this string is never closed".to_string(),
                "end the text with `\"` on the same line: a string cannot run over several lines (write `\\n` for a line break inside it)".to_string(),
            )
        }
        Found::Unclosed { open, closed_by } => {
            if failed_at < open.at {
                return None;
            }
            let head = header(text, open.at);
            let help = match closed_by {
                Some(c) => format!(
                    "add a `}}` where this block ends: the `}}` on line {}, indented for an outer block, closes it now, which leaves a block around it open",
                    c.line
                ),
                None => "add a `}` where this block ends: the file ends while it is still open".to_string(),
            };
            (
                SourceSpan::from(open.at..open.at + 1),
                format!("`{head}` at line {} is never closed", open.line),
                "this `{` has no matching `}`".to_string(),
                help,
            )
        }
        Found::Extra { close, open } => {
            if failed_at < close.at {
                return None;
            }
            match open {
                Some(o) => (
                    SourceSpan::from(close.at..close.at + 1),
                    format!(
                        "extra `}}` at line {}: it closes `{}` (line {}) early",
                        close.line,
                        header(text, o.at),
                        o.line
                    ),
                    "one `}` too many?".to_string(),
                    "remove this `}` (or add the `{` it was meant to close): as written, the lines after it are read as outside that block".to_string(),
                ),
                None => (
                    SourceSpan::from(close.at..close.at + 1),
                    format!("extra `}}` at line {}: there is no open block for it to close", close.line),
                    "nothing to close".to_string(),
                    "remove this `}` (or add the `{` it was meant to close)".to_string(),
                ),
            }
        }
    };
    Some(SyntaxError::Unexpected {
        message,
        src: src.clone(),
        span: at,
        label,
        help: Some(help),
    })
}

fn line_start(text: &str, at: usize) -> usize {
    text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1)
}

/// The words that open the block at `at`, from the line start or the
/// previous brace: `criterion services.1 {`.
fn header(text: &str, at: usize) -> String {
    let before = text.get(..at).unwrap_or_default();
    let from = before.rfind(['\n', '{', '}']).map_or(0, |i| i + 1);
    let words: Vec<&str> = before
        .get(from..)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let mut h = words.join(" ");
    if h.chars().count() > 60 {
        h = h.chars().take(57).collect::<String>() + "…";
    }
    if h.is_empty() {
        "{".to_string()
    } else {
        h + " {"
    }
}

fn scan(text: &str) -> Option<Found> {
    let bytes = text.as_bytes();
    let mut line = Line { start: 0, number: 1 };
    let mut stack: Vec<Open> = Vec::new();
    let mut pairs: Vec<(Open, Close)> = Vec::new();
    let mut underflow: Option<Close> = None;
    let indent = |start: usize| {
        bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count()
    };
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                line = Line {
                    start: i + 1,
                    number: line.number + 1,
                };
            }
            b'#' => {
                while bytes.get(i + 1).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'"' => {
                let at = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') | Some(b'\r') => {
                            return Some(Found::Unterminated {
                                at,
                                line: line.number,
                            });
                        }
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
            }
            b'{' => stack.push(Open {
                at: i,
                line: line.number,
                indent: indent(line.start),
                last_on_line: rest_is_blank(bytes, i + 1),
            }),
            b'}' => {
                let close = Close {
                    at: i,
                    line: line.number,
                    indent: indent(line.start),
                    first_on_line: bytes
                        .get(line.start..i)
                        .is_some_and(|s| s.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))),
                };
                match stack.pop() {
                    Some(open) => pairs.push((open, close)),
                    None => {
                        underflow.get_or_insert(close);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    pairs.sort_by_key(|(o, _)| o.at);
    if let Some(extra) = underflow {
        // A multi-line block closed in the middle of a line, or by a `}`
        // indented deeper than the line that opened it.
        let early = pairs.iter().find(|(o, c)| {
            c.at < extra.at && o.last_on_line && c.line != o.line && (!c.first_on_line || c.indent > o.indent)
        });
        return Some(match early {
            Some((o, c)) => Found::Extra {
                close: *c,
                open: Some(*o),
            },
            None => Found::Extra {
                close: extra,
                open: None,
            },
        });
    }
    let innermost = *stack.last()?;
    // A block whose `}` is on a later line indented less than the line
    // that opened it: that `}` belongs to an outer block.
    // Of several, the one closed first: the blocks around it are closed
    // wrongly only because it took their `}`.
    let late = pairs
        .iter()
        .filter(|(o, c)| c.line != o.line && c.indent < o.indent)
        .min_by_key(|(_, c)| c.at);
    Some(match late {
        Some((o, c)) => Found::Unclosed {
            open: *o,
            closed_by: Some(*c),
        },
        None => Found::Unclosed {
            open: innermost,
            closed_by: None,
        },
    })
}

/// Nothing but blanks and a comment from `from` to the end of the line.
fn rest_is_blank(bytes: &[u8], from: usize) -> bool {
    for &b in bytes.get(from..).unwrap_or_default() {
        match b {
            b'\n' | b'#' => return true,
            b' ' | b'\t' | b'\r' => {}
            _ => return false,
        }
    }
    true
}
