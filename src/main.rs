//! The `mizan` command.

mod cli;

use clap::Parser;

fn main() -> cli::Exit {
    cli::run(cli::Cli::parse())
}
