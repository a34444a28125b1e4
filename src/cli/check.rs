//! `mizan check FILE...`

use std::path::PathBuf;

use super::{style, Exit, Format};

/// Arguments of `mizan check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rule files (or directories of `.mizan` files) to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

pub fn run(args: Args, format: Format) -> Exit {
    let files = match super::inputs::rule_files(&args.files) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    let mut errors = 0usize;
    let mut warnings = 0usize;
    let mut json = Vec::new();
    for path in &files {
        let text = match super::inputs::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                errors += 1;
                continue;
            }
        };
        let (_, diags) = mizan::load(&path.display().to_string(), &text);
        errors += diags.errors.len();
        warnings += diags.warnings.len();
        for d in diags.iter() {
            let r = mizan::render::diagnostics::render(d.as_ref(), style(format));
            if format == Format::Json {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&r) {
                    json.push(v);
                }
            } else {
                eprint!("{r}");
                if format == Format::Human {
                    eprintln!();
                }
            }
        }
    }
    if format == Format::Json {
        let doc = serde_json::json!({"files": files.len(), "errors": errors, "warnings": warnings, "diagnostics": json});
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        eprintln!(
            "checked {} file{}: {errors} error{}, {warnings} warning{}",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        Exit::RuleErrors
    } else {
        Exit::Ok
    }
}
