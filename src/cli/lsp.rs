//! `mizan lsp`: runs the language server `mizan-lsp`, found beside this
//! executable or on `PATH` (as cargo runs its external subcommands), with
//! stdin and stdout inherited: the editor speaks LSP to it directly.

use std::path::PathBuf;

use mizan::render::Lang;

use super::Exit;

/// Arguments of `mizan lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Arguments passed on to `mizan-lsp`.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

const NAME: &str = if cfg!(windows) {
    "mizan-lsp.exe"
} else {
    "mizan-lsp"
};

/// A companion executable of Mizan (`mizan-lsp`, `mizan-server`): beside
/// the running executable, else on `PATH`, as cargo finds its external
/// subcommands.
pub(super) fn companion(name: &str) -> Option<PathBuf> {
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)))
        .filter(|p| p.is_file());
    beside.or_else(|| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

pub fn run(args: Args, lang: Lang) -> Exit {
    let Some(path) = companion(NAME) else {
        let (msg, help) = match lang {
            Lang::En => (
                "error: the language server `mizan-lsp` is not installed (looked beside this `mizan` and on PATH)",
                "help: install it with `cargo install --path crates/mizan-lsp` from a clone of Mizan",
            ),
            Lang::Ar => (
                "خطأ: خادم اللغة `mizan-lsp` غير مثبت (بُحث عنه بجانب `mizan` وفي PATH)",
                "مساعدة: ثبّته بالأمر `cargo install --path crates/mizan-lsp` من نسخة من مستودع ميزان",
            ),
        };
        errln!("{}", lang.line(msg));
        errln!("{}", lang.line(help));
        return Exit::RuleErrors;
    };
    match std::process::Command::new(&path).args(&args.args).status() {
        Ok(s) if s.success() => Exit::Ok,
        Ok(_) => Exit::RuleErrors,
        Err(e) => {
            errln!("error: cannot run {}: {e}", path.display());
            Exit::RuleErrors
        }
    }
}
