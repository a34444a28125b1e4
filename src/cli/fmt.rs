//! `mizan fmt [PATH...] [--check]`: canonical layout of rule and test files.

use std::path::PathBuf;

use mizan::render::{self, Lang};

use super::{style, Exit, Format};

/// Arguments of `mizan fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rule and test files, or directories of them (default: `rules/`).
    pub paths: Vec<PathBuf>,
    /// Change nothing: print a unified diff of what would change, exit 1 if anything would.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("rules")]
    } else {
        args.paths.clone()
    };
    let files = match super::inputs::files_with(&paths, |_| true) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    if super::inputs::nothing_found(&files, &paths, "rule or test files (`*.mizan`)") {
        return Exit::RuleErrors;
    }
    let mut failed = false;
    let mut changed = 0usize;
    for f in &files {
        let name = f.display().to_string();
        let text = match super::inputs::read_text(f) {
            Ok(t) => t,
            Err(e) => {
                super::inputs::report(&e, format);
                failed = true;
                continue;
            }
        };
        let formatted = match mizan::fmt::format(&name, &text) {
            Ok(t) => t,
            Err(diags) => {
                for d in diags.iter() {
                    err!("{}", render::diagnostics::render(d.as_ref(), style(format)));
                }
                errln!("error: {name} has syntax errors; left untouched");
                failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        // A closed cycle's rules stay byte for byte as published (their
        // sha256 is in mizan.lock and in every report scored with them),
        // even when the canonical layout has changed since.
        if mizan::versions::locked_as_published(f, &text) {
            errln!("{}", lang.line(&locked_line(&name, lang)));
            continue;
        }
        changed += 1;
        if args.check {
            // A file saved with Windows (CRLF) line endings: a diff of it
            // shows every line removed and added again, looking unchanged.
            // Say so, and diff the rest with the line endings set aside.
            let crlf = text.contains('\r');
            if crlf {
                errln!("{}", lang.line(&crlf_line(&name, lang)));
            }
            let lf = text.replace("\r\n", "\n");
            if crlf && lf == formatted {
                continue;
            }
            let diff = similar::TextDiff::from_lines(&lf, &formatted);
            out!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&name, &format!("{name} (formatted)"))
            );
        } else if let Err(e) = super::import::write_atomic(f, formatted.as_bytes()) {
            super::output::write_failed(&name, &e);
            failed = true;
        } else {
            errln!(
                "{}",
                lang.line(&format!("{} {}", lang.t("formatted", "نُسِّق"), lang.ltr(&name)))
            );
        }
    }
    if args.check && changed > 0 {
        let line = match lang {
            Lang::En => format!(
                "{changed} of {} files would be reformatted (run `mizan fmt`)",
                files.len()
            ),
            Lang::Ar => format!(
                "ملفات يغيّرها التنسيق: {} من {} (شغّل {})",
                lang.ltr(&changed.to_string()),
                lang.ltr(&files.len().to_string()),
                lang.ltr("mizan fmt")
            ),
        };
        errln!("{}", lang.line(&line));
    }
    if failed || (args.check && changed > 0) {
        Exit::RuleErrors
    } else {
        Exit::Ok
    }
}

/// "NAME is locked …": left as published.
fn locked_line(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "note: {name} is locked (mizan.lock: a closed cycle's published rules); left as it is, though its layout is not the canonical one"
        ),
        Lang::Ar => format!(
            "ملاحظة: {} مقفل (mizan.lock: قواعد دورة مغلقة منشورة)؛ تُرك كما هو وإن لم يكن تنسيقه هو التنسيق المعتمد",
            lang.ltr(name)
        ),
    }
}

/// "NAME: the line endings differ": the file's are CRLF, `mizan fmt`
/// writes LF.
fn crlf_line(name: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{name}: the line endings differ: the file has Windows line endings (CRLF), and `mizan fmt` writes LF (set your editor to LF, or run `mizan fmt`)"
        ),
        Lang::Ar => format!(
            "{}: نهايات الأسطر مختلفة: في الملف نهايات أسطر ويندوز ({})، و{} يكتب {} (اضبط المحرر على {} أو شغّل {})",
            lang.ltr(name),
            lang.ltr("CRLF"),
            lang.ltr("mizan fmt"),
            lang.ltr("LF"),
            lang.ltr("LF"),
            lang.ltr("mizan fmt")
        ),
    }
}
