//! The `mizan` command.

// `print!` and `eprint!` panic when the stream is full or closed: the CLI
// writes through the fallible `out!`/`err!` macros of `cli::output`.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

mod cli;

use clap::Parser;

/// Runs the command on a thread with [`mizan::STACK_SIZE`] of stack, so
/// that the command's own work has the same headroom as its scoring
/// threads (the main thread's stack is whatever the system gives).
fn main() -> cli::Exit {
    let work = std::thread::Builder::new()
        .name("mizan".into())
        .stack_size(mizan::STACK_SIZE)
        .spawn(command);
    match work {
        Ok(handle) => match handle.join() {
            Ok(exit) => exit,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        // No thread could be made (address space exhausted?): run here.
        Err(_) => command(),
    }
}

fn command() -> cli::Exit {
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
