//! The command-line interface: a thin layer over the library. One file per
//! subcommand.

/// Writes to standard output without panicking: a failure is recorded and
/// becomes the exit code (see `output`).
macro_rules! out {
    ($($t:tt)*) => {
        $crate::cli::output::stdout(format_args!($($t)*))
    };
}

/// `out!` with a newline.
macro_rules! outln {
    () => {
        $crate::cli::output::stdout(format_args!("\n"))
    };
    ($($t:tt)*) => {
        $crate::cli::output::stdout(format_args!("{}\n", format_args!($($t)*)))
    };
}

/// Writes to standard error without panicking (`eprint!` panics when
/// standard error is closed or full).
macro_rules! err {
    ($($t:tt)*) => {
        $crate::cli::output::stderr(format_args!($($t)*))
    };
}

/// `err!` with a newline.
macro_rules! errln {
    () => {
        $crate::cli::output::stderr(format_args!("\n"))
    };
    ($($t:tt)*) => {
        $crate::cli::output::stderr(format_args!("{}\n", format_args!($($t)*)))
    };
}

mod atomic;
mod check;
mod diff;
mod doc;
mod eval;
mod fmt;
mod import;
mod inputs;
mod locks;
mod lsp;
pub mod output;
mod problems;
mod report;
mod schema;
mod serve;
mod stream;
mod template;
mod test;
mod warnings;

use std::process::{ExitCode, Termination};

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes, part of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything checked or evaluated.
    Ok = 0,
    /// The rules have errors (or warnings under `--deny-warnings`), a
    /// file could not be read, or (`eval`) the population level could not
    /// be computed on the batch (a population formula's M0501 or overflow;
    /// this takes precedence over `Rejected`).
    RuleErrors = 1,
    /// Some answer sets were rejected; the others were evaluated.
    Rejected = 2,
    /// `mizan diff` only: the versions differ in wording alone (titles,
    /// descriptions, labels), no change of meaning.
    Wording = 3,
    /// The command line itself is wrong: an unknown flag, a missing
    /// argument, or flags that cannot be combined (`EX_USAGE` of
    /// sysexits.h), so that a CI gate can tell a typo from a bad batch.
    Usage = 64,
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables and graphical diagnostics.
    Human,
    /// No box drawing or colour; screen-reader friendly diagnostics.
    Plain,
    /// One JSON document.
    Json,
    /// Markdown, for review comments (`mizan diff`; elsewhere as `plain`).
    Markdown,
    /// One JSON line per entity, streamed (`mizan eval`; elsewhere as `json`).
    Jsonl,
    /// An Excel workbook (`mizan eval`, `mizan template`; refused elsewhere).
    Xlsx,
}

const EXIT_HELP: &str = "Exit codes:\n  0  clean: everything checked or evaluated\n  1  the rules have errors (or warnings with --deny-warnings), a file cannot be read, or a write failed\n  2  some answer sets were rejected; the others were evaluated and reported\n  64 usage error: an unknown or missing argument, or flags that cannot be combined";

/// Mizan: a rules language and engine for government performance indicators.
#[derive(Debug, Parser)]
#[command(name = "mizan", version, about, after_help = EXIT_HELP)]
pub struct Cli {
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Language of the output for people (tables, explain trees, diffs,
    /// test reports): `en` or `ar`. Default: `MIZAN_LANG`, else `en`.
    #[arg(long, global = true, env = "MIZAN_LANG", default_value = "en", value_parser = clap::builder::ValueParser::new(parse_lang))]
    pub lang: mizan::render::Lang,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check rule files and report every problem.
    #[command(after_help = EXIT_HELP)]
    Check(check::Args),
    /// Evaluate answer sets against a rubric.
    #[command(after_help = EXIT_HELP)]
    Eval(eval::Args),
    /// Turn spreadsheet or CSV answers into answer sets (JSONL).
    #[command(after_help = EXIT_HELP)]
    Import(import::Args),
    /// Run the rule tests (`*.test.mizan`) under the paths (default `rules/`).
    #[command(
        after_help = "Exit codes:\n  0  every case passed (and coverage is at least --min-coverage)\n  1  a case failed, a test file has errors, or coverage is too low"
    )]
    Test(test::Args),
    /// Rewrite rule and test files in the canonical layout (`--check`: diff only).
    #[command(
        after_help = "Exit codes:\n  0  every file is (now) formatted\n  1  with --check, a file would change; or a file has syntax errors (left untouched)"
    )]
    Fmt(fmt::Args),
    /// What changed in meaning between two versions of a rubric, and whose score moves.
    #[command(
        after_help = "Exit codes:\n  0  no change\n  1  changes of meaning: a score, band, rank or answer set's validity may change (a CI gate)\n  2  a version does not check, or an input cannot be read\n  3  wording only: titles, descriptions or labels changed, no score can move\n\nWith --answers, answer sets written for the old version are re-scored under the new one:\nanswers follow `renamed`, answers to removed criteria are dropped (counted once), and\ncriteria the new version added (or answers it refuses, e.g. a removed option) follow\n--new-criteria (default: each criterion's own missing policy, `missing error` counted as worst)."
    )]
    Diff(diff::Args),
    /// Record the sha256 of closed cycles in the rules directory's `mizan.lock`.
    #[command(after_help = EXIT_HELP)]
    Lock(check::LockArgs),
    /// Run the language server (`mizan-lsp`) over stdio, for editors.
    Lsp(lsp::Args),
    /// Run the submissions service (`mizan-server`): `--rules DIR [--db URL] [--listen ADDR] …`
    /// (`mizan serve --help` is the server's own help).
    #[command(disable_help_flag = true)]
    Serve(serve::Args),
    /// Write the questionnaire for entities to fill (`--format xlsx -o FILE`).
    #[command(after_help = EXIT_HELP)]
    Template(template::Args),
    /// Print the JSON Schema (2020-12) of the rubric's answer sets.
    #[command(after_help = EXIT_HELP)]
    Schema(schema::Args),
    /// Write the rubric as a published guide: one self-contained HTML page.
    #[command(after_help = EXIT_HELP)]
    Doc(doc::Args),
    /// Write the HTML report of a batch: a cycle page and one page per entity (`-o DIR`).
    #[command(after_help = EXIT_HELP)]
    Report(report::Args),
}

/// `en`, `ar` (case and a region subtag ignored: `ar-AE`).
fn parse_lang(s: &str) -> Result<mizan::render::Lang, mizan::render::lang::UnknownLang> {
    s.parse()
}

/// Runs the CLI.
pub fn run(cli: Cli) -> Exit {
    // `diff` uses 1 for "changes": its failures (a failed write too) are 2.
    let failure = if matches!(cli.command, Command::Diff(_)) {
        Exit::Rejected
    } else {
        Exit::RuleErrors
    };
    if cli.format == Format::Xlsx && !matches!(cli.command, Command::Eval(_) | Command::Template(_)) {
        errln!("error: --format xlsx is for `mizan eval` and `mizan template`");
        return Exit::Usage;
    }
    let exit = match cli.command {
        Command::Check(a) => check::run(a, cli.format, cli.lang),
        Command::Eval(a) => {
            locks::enforce(a.allow_unlocked);
            eval::run(a, cli.format, cli.lang)
        }
        Command::Import(a) => import::run(a, cli.format, cli.lang),
        Command::Test(a) => {
            locks::enforce(a.allow_unlocked);
            test::run(a, cli.format, cli.lang)
        }
        Command::Fmt(a) => fmt::run(a, cli.format, cli.lang),
        Command::Diff(a) => {
            locks::enforce(a.allow_unlocked);
            diff::run(a, cli.format, cli.lang)
        }
        Command::Lock(a) => check::lock(a, cli.format),
        Command::Lsp(a) => lsp::run(a, cli.lang),
        Command::Serve(a) => serve::run(a, cli.lang),
        Command::Template(a) => template::run(a, cli.format, cli.lang),
        Command::Schema(a) => schema::run(a, cli.format, cli.lang),
        Command::Doc(a) => doc::run(a, cli.format, cli.lang),
        Command::Report(a) => {
            locks::enforce(a.allow_unlocked);
            report::run(a, cli.format, cli.lang)
        }
    };
    output::finish(exit, failure)
}

/// Whether stderr/stdout are terminals, for colour.
fn color() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn style(format: Format) -> mizan::render::diagnostics::Style {
    use mizan::render::diagnostics::Style;
    match format {
        Format::Human => Style::Human { color: color() },
        Format::Plain | Format::Markdown => Style::Plain,
        Format::Json | Format::Jsonl => Style::Json,
        Format::Xlsx => Style::Human { color: color() },
    }
}
