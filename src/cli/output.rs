//! Standard output and standard error, written without panicking.
//!
//! `print!`/`err!` panic when the write fails (a full disk, a closed
//! pipe); these functions record the first failure of each stream instead,
//! stop writing to it, and [`finish`] turns a failure into the exit code:
//!
//! - a closed pipe (`EPIPE`, `mizan … | head`) ends the output quietly: no
//!   message, and the exit code is the one the command reached;
//! - any other failure (`> /dev/full`, an I/O error) is exit code 1 (2 for
//!   `mizan diff`, whose 1 means "changes"), with
//!   `error[M0805]: cannot write standard output: …` on standard error
//!   (when standard error itself fails there is nowhere to say it: the exit
//!   code is 1 all the same).

use std::fmt;
use std::io::{self, Write};
use std::sync::Mutex;

use super::Exit;

/// The first failure of each stream.
#[derive(Default)]
struct Failures {
    stdout: Option<io::Error>,
    stderr: Option<io::Error>,
}

static FAILED: Mutex<Failures> = Mutex::new(Failures {
    stdout: None,
    stderr: None,
});

fn with<T>(f: impl FnOnce(&mut Failures) -> T) -> T {
    match FAILED.lock() {
        Ok(mut g) => f(&mut g),
        Err(p) => f(&mut p.into_inner()),
    }
}

/// Writes to standard output (unless a write already failed).
pub fn stdout(args: fmt::Arguments<'_>) {
    if with(|f| f.stdout.is_some()) {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        with(|f| f.stdout = Some(e));
    }
}

/// Writes to standard error (unless a write already failed).
pub fn stderr(args: fmt::Arguments<'_>) {
    if with(|f| f.stderr.is_some()) {
        return;
    }
    let mut err = io::stderr().lock();
    if let Err(e) = err.write_fmt(args) {
        with(|f| f.stderr = Some(e));
    }
}

/// Records a failure to write the command's results to standard output
/// through another handle (the streamed results).
pub fn stdout_failed(e: io::Error) {
    with(|f| {
        if f.stdout.is_none() {
            f.stdout = Some(e);
        }
    });
}

/// Whether writing to standard output failed (then there is no point in
/// producing more of it).
pub fn stdout_closed() -> bool {
    with(|f| f.stdout.is_some())
}

/// Reports a failure to write `what` (a file, standard output): exit 1,
/// unless it is a closed pipe.
pub fn write_failed(what: &str, e: &io::Error) -> Exit {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return Exit::Ok;
    }
    stderr(format_args!(
        "error[M0805]: cannot write {what}: {}\n",
        mizan::files::io_reason(e)
    ));
    Exit::RuleErrors
}

/// Flushes standard output and folds the write failures into `exit`:
/// a failure gives `failure` (1, or 2 for `diff`, where 1 means "changes").
pub fn finish(exit: Exit, failure: Exit) -> Exit {
    if !stdout_closed() {
        if let Err(e) = io::stdout().lock().flush() {
            stdout_failed(e);
        }
    }
    let (out, err) = with(|f| (f.stdout.take(), f.stderr.take()));
    let mut exit = exit;
    if let Some(e) = out {
        if write_failed("standard output", &e) == Exit::RuleErrors {
            exit = failure;
        }
    }
    let _ = io::stderr().lock().flush();
    let err = err.or_else(|| with(|f| f.stderr.take()));
    if err.is_some_and(|e| e.kind() != io::ErrorKind::BrokenPipe) {
        exit = failure;
    }
    exit
}
