//! `mizan test [PATH...]`: run the `*.test.mizan` files under the paths.

use std::path::PathBuf;

use mizan::render::{self, Lang};
use mizan::testing::{self, CaseOutcome, Coverage, Suite};
use serde_json::json;

use super::{style, Exit, Format};

/// Arguments of `mizan test`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Test files or directories to search for `*.test.mizan` (default: `rules/`).
    pub paths: Vec<PathBuf>,
    /// Report, for each rubric, the criteria and options no case exercises.
    #[arg(long)]
    pub coverage: bool,
    /// Fail when a rubric's criterion coverage is below P percent (implies --coverage).
    #[arg(long, value_name = "P", value_parser = percent)]
    pub min_coverage: Option<f64>,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Use a locked rule file whose rules changed (its sha256 differs from
    /// its `mizan.lock` entry) with a warning, instead of refusing it.
    #[arg(long)]
    pub allow_unlocked: bool,
}

/// A percentage from 0 to 100 (NaN, infinities and values out of range
/// are refused: exit 64).
fn percent(s: &str) -> Result<f64, String> {
    let p: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !p.is_finite() || !(0.0..=100.0).contains(&p) {
        return Err(format!("`{s}` is not a percentage from 0 to 100"));
    }
    Ok(p)
}

struct Ran {
    suite: Suite,
    outcomes: Vec<CaseOutcome>,
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("rules")]
    } else {
        args.paths.clone()
    };
    let files = match super::inputs::files_with(&paths, testing::is_test_file) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    if super::inputs::nothing_found(&files, &paths, "rule tests (`*.test.mizan`)") {
        return Exit::RuleErrors;
    }
    let mut ran: Vec<Ran> = Vec::new();
    // A rules tree with two files of one rubric version (M0230) fails.
    let mut broken = super::locks::duplicates_under(&paths, format);
    for f in &files {
        let text = match super::inputs::read_text(f) {
            Ok(t) => t,
            Err(e) => {
                super::inputs::report(&e, format);
                broken += 1;
                continue;
            }
        };
        match testing::load(f, &text) {
            Ok(suite) if !super::locks::guard(suite.rubric.model(), &suite.rubric_path, format) => {
                broken += 1;
            }
            Ok(suite) => {
                let outcomes = testing::run(&suite);
                ran.push(Ran { suite, outcomes });
            }
            Err(diags) => {
                broken += 1;
                for d in diags.iter() {
                    err!("{}", render::diagnostics::render(d.as_ref(), style(format)));
                }
            }
        }
    }
    let passed: usize = ran
        .iter()
        .map(|r| r.outcomes.iter().filter(|o| o.passed()).count())
        .sum();
    let failed: usize = ran
        .iter()
        .map(|r| r.outcomes.iter().filter(|o| !o.passed()).count())
        .sum::<usize>()
        + broken;
    let want_coverage = args.coverage || args.min_coverage.is_some();
    // Coverage per rubric file (several test files may test one rubric).
    let mut coverages: Vec<(String, String, Coverage)> = Vec::new();
    if want_coverage {
        let mut rubrics: Vec<&PathBuf> = ran.iter().map(|r| &r.suite.rubric_path).collect();
        rubrics.sort();
        rubrics.dedup();
        for rp in rubrics {
            let of: Vec<&Ran> = ran.iter().filter(|r| &r.suite.rubric_path == rp).collect();
            let Some(first) = of.first() else { continue };
            let outcomes: Vec<&CaseOutcome> = of.iter().flat_map(|r| r.outcomes.iter()).collect();
            let model = first.suite.rubric.model();
            coverages.push((
                rp.display().to_string(),
                format!("{} {}", model.id, model.version),
                testing::coverage(model, &outcomes),
            ));
        }
    }
    let below: Vec<&(String, String, Coverage)> = match args.min_coverage {
        Some(p) => coverages.iter().filter(|(_, _, c)| c.percent() < p).collect(),
        None => Vec::new(),
    };

    if let Some(path) = &args.junit {
        let written = junit(&ran).and_then(|xml| super::import::write_atomic(path, xml.as_bytes()));
        if let Err(e) = written {
            return super::output::write_failed(&path.display().to_string(), &e);
        }
    }
    match format {
        Format::Json | Format::Jsonl | Format::Xlsx => {
            let cases: Vec<_> = ran
                .iter()
                .flat_map(|r| {
                    r.outcomes.iter().map(move |o| {
                        json!({
                            "file": r.suite.path.display().to_string(),
                            "line": o.line,
                            "case": o.name,
                            "passed": o.passed(),
                            "failure": o.failure.as_ref().map(|f| json!({
                                "line": f.line,
                                "what": f.what,
                                "expected": f.expected,
                                "actual": f.actual,
                            })),
                        })
                    })
                })
                .collect();
            let cov: Vec<_> = coverages
                .iter()
                .map(|(file, rubric, c)| {
                    json!({
                        "rubric_file": file,
                        "rubric": rubric,
                        "criteria": {"covered": c.criteria.0, "total": c.criteria.1},
                        "options": {"covered": c.options.0, "total": c.options.1},
                        "percent": (c.percent() * 10.0).round() / 10.0,
                        "missed_criteria": c.missed_criteria,
                        "missed_options": c.missed_options.iter().map(|(a, b)| format!("{a} {b}")).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let doc = json!({"cases": cases, "coverage": cov, "passed": passed, "failed": failed, "broken_files": broken});
            outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        Format::Human | Format::Plain | Format::Markdown => {
            for r in &ran {
                for o in r.outcomes.iter().filter(|o| !o.passed()) {
                    out!("{}", lang.lines(&failure_text(r, o, lang)));
                }
            }
            let l = |s: String| lang.line(&s).into_owned();
            for (file, rubric, c) in &coverages {
                outln!(
                    "{}",
                    l(format!(
                        "{} {} ({}): {} {} ({}){}{} {}",
                        lang.t("coverage", "التغطية"),
                        lang.ltr(rubric),
                        lang.ltr(file),
                        lang.t("criteria", "المعايير"),
                        lang.ltr(&format!("{}/{}", c.criteria.0, c.criteria.1)),
                        lang.ltr(&format!("{:.1}%", c.percent())),
                        lang.t(", ", "، "),
                        lang.t("options", "الخيارات"),
                        lang.ltr(&format!("{}/{}", c.options.0, c.options.1)),
                    ))
                );
                if !c.missed_criteria.is_empty() {
                    let head = lang.t("criteria no case answers:", "معايير لا تجيب عنها أي حالة:");
                    out!("{}", wrapped(head, &c.missed_criteria, lang));
                }
                if !c.missed_options.is_empty() {
                    let list: Vec<String> =
                        c.missed_options.iter().map(|(a, b)| format!("{a} {b}")).collect();
                    let head = lang.t("options no case chooses:", "خيارات لا تختارها أي حالة:");
                    out!("{}", wrapped(head, &list, lang));
                }
            }
            for (file, _, c) in &below {
                outln!(
                    "{}",
                    l(format!(
                        "{} {} {} {}{}{} {}",
                        lang.t("coverage of", "تغطية"),
                        lang.ltr(file),
                        lang.t("is", "هي"),
                        lang.ltr(&format!("{:.1}%", c.percent())),
                        lang.t(", ", "، "),
                        lang.t("below the required", "أقل من المطلوب"),
                        lang.ltr(&format!("{:.1}%", args.min_coverage.unwrap_or(0.0))),
                    ))
                );
            }
            outln!(
                "{}",
                l(match lang {
                    Lang::En => format!("{passed} passed, {failed} failed"),
                    Lang::Ar => format!(
                        "{} {}، {} {}",
                        lang.t("passed", "نجحت:"),
                        lang.ltr(&passed.to_string()),
                        lang.t("failed", "فشلت:"),
                        lang.ltr(&failed.to_string())
                    ),
                })
            );
        }
    }
    if failed > 0 || !below.is_empty() {
        Exit::RuleErrors
    } else {
        Exit::Ok
    }
}

/// Width at which the lists of a coverage report wrap.
const WRAP: usize = 100;

/// One word of a wrapped list: an item with its comma, or a word of the
/// heading; never split.
#[derive(Debug)]
struct Word {
    text: String,
    width: f64,
}

impl textwrap::core::Fragment for Word {
    fn width(&self) -> f64 {
        self.width
    }
    fn whitespace_width(&self) -> f64 {
        1.0
    }
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// `  HEAD item, item, …` wrapped at [`WRAP`] columns (textwrap's
/// first-fit over whole items), continuation lines indented by four
/// spaces; an item (`fednet.1.1 yes`) is never split across lines, so its
/// isolation marks never span two lines either.
fn wrapped(head: &str, items: &[String], lang: Lang) -> String {
    let sep = lang.t(",", "،");
    let mut words: Vec<Word> = head
        .split(' ')
        .map(|w| Word {
            text: w.to_string(),
            width: textwrap::core::display_width(w) as f64,
        })
        .collect();
    let last = items.len().saturating_sub(1);
    words.extend(items.iter().enumerate().map(|(i, item)| {
        let comma = if i == last { "" } else { sep };
        Word {
            text: format!("{}{comma}", lang.ltr(item)),
            width: (textwrap::core::display_width(item) + comma.chars().count()) as f64,
        }
    }));
    let mut out = String::new();
    let widths = [(WRAP - 2) as f64, (WRAP - 4) as f64];
    for (n, line) in textwrap::wrap_algorithms::wrap_first_fit(&words, &widths)
        .iter()
        .enumerate()
    {
        let text: Vec<&str> = line.iter().map(|w| w.text.as_str()).collect();
        let indent = if n == 0 { "  " } else { "    " };
        out.push_str(&lang.line(&format!("{indent}{}", text.join(" "))));
        out.push('\n');
    }
    out
}

fn failure_text(r: &Ran, o: &CaseOutcome, lang: Lang) -> String {
    let Some(f) = &o.failure else { return String::new() };
    let mut s = format!(
        "{} {} {} \"{}\": {}: {} {}{}{} {}\n",
        lang.t("FAIL", "فشل"),
        lang.ltr(&format!("{}:{}", r.suite.path.display(), f.line)),
        lang.t("case", "الحالة"),
        lang.auto(&o.name),
        lang.ltr(&f.what),
        lang.t("expected", "المتوقع"),
        lang.ltr(&f.expected),
        lang.t(", ", "، "),
        lang.t("got", "الناتج"),
        lang.ltr(&f.actual)
    );

    if let (Some(res), Some(ix)) = (&o.result, f.node) {
        for line in render::explain::render_from_in(r.suite.rubric.model(), res, ix, lang).lines() {
            s.push_str("    ");
            // The whole report goes through `lang.lines`: one mark per line.
            s.push_str(line.trim_start_matches(render::lang::RLM));
            s.push('\n');
        }
    }
    s
}

fn junit(ran: &[Ran]) -> std::io::Result<String> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("mizan test");
    for r in ran {
        let mut suite = TestSuite::new(r.suite.path.display().to_string());
        for o in &r.outcomes {
            let status = match &o.failure {
                None => TestCaseStatus::success(),
                Some(f) => {
                    let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    st.set_message(format!("{}: expected {}, got {}", f.what, f.expected, f.actual));
                    st.set_description(failure_text(r, o, Lang::En));
                    st
                }
            };
            let mut tc = TestCase::new(o.name.clone(), status);
            tc.set_classname(format!("{}:{}", r.suite.path.display(), o.line));
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
    }
    report.to_string().map_err(std::io::Error::other)
}
