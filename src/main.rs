//! The `mizan` command.

mod cli;

use clap::Parser;

fn main() -> cli::Exit {
    match cli::Cli::try_parse() {
        Ok(cli) => cli::run(cli),
        Err(e) => {
            // `--help` and `--version` are not errors; everything else clap
            // refuses is a usage error with its own exit code.
            let usage = e.use_stderr();
            let _ = e.print();
            if usage {
                cli::Exit::Usage
            } else {
                cli::Exit::Ok
            }
        }
    }
}
