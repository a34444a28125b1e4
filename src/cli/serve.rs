//! `mizan serve`: runs the submissions service `mizan-server`, found beside
//! this executable or on `PATH` (as `mizan lsp` finds `mizan-lsp`). On Unix
//! the server replaces this process, so that SIGTERM and SIGKILL reach it.

use mizan::render::Lang;

use super::Exit;

/// Arguments of `mizan serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Arguments passed on to `mizan-server`: `--rules DIR [--db URL]
    /// [--listen ADDR] [--body-limit BYTES] [--timeout SECS]
    /// [--max-concurrency N] [--max-queue N] [--header-timeout SECS]
    /// [--reload-debounce MS] [--no-watch]`, or `token create …`
    /// (`mizan serve --help` lists them; docs/server.md).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

const NAME: &str = if cfg!(windows) {
    "mizan-server.exe"
} else {
    "mizan-server"
};

pub fn run(args: Args, lang: Lang) -> Exit {
    let Some(path) = super::lsp::companion(NAME) else {
        let (msg, help) = match lang {
            Lang::En => (
                "error: the server `mizan-server` is not installed (looked beside this `mizan` and on PATH)",
                "help: install it with `cargo install --path crates/mizan-server` from a clone of Mizan",
            ),
            Lang::Ar => (
                "خطأ: الخادم `mizan-server` غير مثبت (بُحث عنه بجانب `mizan` وفي PATH)",
                "مساعدة: ثبّته بالأمر `cargo install --path crates/mizan-server` من نسخة من مستودع ميزان",
            ),
        };
        errln!("{}", lang.line(msg));
        errln!("{}", lang.line(help));
        return Exit::RuleErrors;
    };
    let mut cmd = std::process::Command::new(&path);
    cmd.args(&args.args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Only returns on failure.
        let e = cmd.exec();
        errln!("error: cannot run {}: {e}", path.display());
        Exit::RuleErrors
    }
    #[cfg(not(unix))]
    match cmd.status() {
        Ok(s) if s.success() => Exit::Ok,
        Ok(_) => Exit::RuleErrors,
        Err(e) => {
            errln!("error: cannot run {}: {e}", path.display());
            Exit::RuleErrors
        }
    }
}
