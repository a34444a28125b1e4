//! `mizan eval RULES ANSWERS...`

use std::path::{Path, PathBuf};

use mizan::answers::{AnswerError, Rejection};
use mizan::eval::stream::Summary;
use mizan::render;
use mizan::render::table::Sort;
use mizan::render::Lang;

use super::inputs::Loaded;
use super::{style, Exit, Format};

/// Arguments of `mizan eval`.
#[derive(Debug, clap::Args)]
#[command(override_usage = "mizan eval RULES ANSWERS...\n       mizan eval --rules DIR ANSWERS...")]
pub struct Args {
    /// The rule file, then answer sets: `.json` files (one entity each),
    /// `.jsonl` files (one entity per line) or directories of them. With
    /// `--rules DIR`, every path is answers.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A rules directory (`<authority>/<name>/<version>.mizan`): each answer
    /// set is scored by the rubric and version it names.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,
    /// Read the answers from spreadsheets or CSV files with this import
    /// mapping (see docs/import.md).
    #[arg(long, value_name = "MAPPING")]
    pub import: Option<PathBuf>,
    /// Write the results to FILE (atomically: a temporary file renamed into
    /// place) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Keep only the population and the errors (streams `.jsonl` input).
    #[arg(long)]
    pub summary: bool,
    /// Write every warning to FILE, one JSON object a line, as the results
    /// are written (the summary keeps the first 100 and a count per code).
    #[arg(long, value_name = "FILE")]
    pub warnings: Option<PathBuf>,
    /// Threads for scoring, 1 to 256 (default, or 0: all cores). Output is
    /// the same for any number.
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=MAX_JOBS))]
    pub jobs: Option<usize>,
    /// Print the computation tree of one entity.
    #[arg(long, value_name = "ENTITY")]
    pub explain: Option<String>,
    /// Order of the table's rows: `id` (the default), `score` (highest
    /// first) or `rank` (for rubrics that declare `rank`). Tables only.
    #[arg(long, value_enum, value_name = "ORDER")]
    pub sort: Option<SortArg>,
    /// Table columns for every node down to depth N (default 1: the
    /// top-level groups; 0: the score alone). Tables only.
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Use a locked rule file whose rules changed (its sha256 differs from
    /// its `mizan.lock` entry) with a warning, instead of refusing it.
    #[arg(long)]
    pub allow_unlocked: bool,
    /// With `--import`: print the first N problems in full, then a count of
    /// the rest per code (default 20). Human output only.
    #[arg(long, value_name = "N", default_value_t = super::problems::DEFAULT_MAX)]
    pub max_problems: usize,
}

/// `--sort`: the order of the table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortArg {
    /// By entity id.
    Id,
    /// By score, highest first (no score last; ties by id).
    Score,
    /// By rank (unranked last; ties by id).
    Rank,
}

impl From<SortArg> for Sort {
    fn from(s: SortArg) -> Sort {
        match s {
            SortArg::Id => Sort::Id,
            SortArg::Score => Sort::Score,
            SortArg::Rank => Sort::Rank,
        }
    }
}

/// The flag combinations `mizan eval` refuses (exit 64), each with why.
/// Every other combination works.
fn conflicts(args: &Args, format: Format) -> Option<String> {
    if format == Format::Xlsx {
        if let Some(why) = xlsx_conflicts(args) {
            return Some(why);
        }
    }
    let fmt = match format {
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        _ => "",
    };
    for (flag, given) in [("--sort", args.sort.is_some()), ("--depth", args.depth.is_some())] {
        if !given {
            continue;
        }
        if !fmt.is_empty() {
            return Some(format!(
                "{flag} and --format {fmt} cannot be combined: {flag} shapes the table; JSON lists every node, entities in id order (jsonl: in input order)"
            ));
        }
        if args.summary {
            return Some(format!(
                "{flag} and --summary cannot be combined: the summary has no table of entities"
            ));
        }
        if args.explain.is_some() {
            return Some(format!(
                "{flag} and --explain cannot be combined: an explanation is the whole tree of one entity"
            ));
        }
    }
    if args.rules_dir.is_some() && args.import.is_some() {
        return Some(
            "--import and --rules cannot be combined: an import mapping is for one rubric; give its rule file first instead of --rules"
                .into(),
        );
    }
    if args.rules_dir.is_some() && format == Format::Jsonl {
        return Some(
            "--format jsonl and --rules cannot be combined: entity lines do not name the rubric that scored them; use --format json"
                .into(),
        );
    }
    if args.explain.is_some() && args.summary {
        return Some(
            "--explain and --summary cannot be combined: the summary has no entities to explain".into(),
        );
    }
    if args.explain.is_some() && !fmt.is_empty() {
        return Some(format!(
            "--explain and --format {fmt} cannot be combined: an explanation is a text tree; use --format human or plain"
        ));
    }
    if args.rules_dir.is_none() && args.paths.len() < 2 {
        return Some("give answer sets after the rule file (or use --rules DIR)".into());
    }
    None
}

/// The flags `--format xlsx` refuses: one workbook holds every entity and
/// every node of one rubric, and is binary.
fn xlsx_conflicts(args: &Args) -> Option<String> {
    use std::io::IsTerminal;
    let refused = [
        ("--summary", args.summary, "the workbook lists every entity"),
        (
            "--explain",
            args.explain.is_some(),
            "an explanation is a text tree",
        ),
        (
            "--rules",
            args.rules_dir.is_some(),
            "a workbook is for one rubric; give its rule file first",
        ),
        (
            "--sort",
            args.sort.is_some(),
            "the workbook lists entities in id order",
        ),
        ("--depth", args.depth.is_some(), "the workbook lists every node"),
    ];
    if let Some((flag, _, why)) = refused.iter().find(|(_, given, _)| *given) {
        return Some(format!("--format xlsx and {flag} cannot be combined: {why}"));
    }
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Some(
            "--format xlsx writes a binary workbook: give -o FILE (or redirect standard output)".into(),
        );
    }
    None
}

/// What `mizan eval` prints.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The table (human, plain, markdown) or the JSON document.
    Batch,
    /// `--summary`.
    Summary,
    /// `--format jsonl`: one line per entity.
    Lines,
}

/// The most threads `--jobs` may ask for: each gets [`mizan::STACK_SIZE`]
/// of stack, and tens of thousands of them would take minutes to start (a
/// hang, not a speed-up).
const MAX_JOBS: u64 = 256;

/// What shapes the output for people: the language and the table's
/// options.
#[derive(Clone, Copy)]
struct View {
    lang: Lang,
    sort: Sort,
    depth: usize,
}

impl View {
    fn table(self, format: Format) -> render::table::Options {
        render::table::Options {
            plain: format != Format::Human,
            lang: self.lang,
            sort: self.sort,
            depth: self.depth,
        }
    }
}

/// `--sort rank` on rubrics none of which declares `rank`.
fn unranked(models: &[&mizan::model::Model], view: View) -> Option<Exit> {
    if view.sort == Sort::Rank && models.iter().all(|m| m.population.rank.is_none()) {
        errln!(
            "error: --sort rank: the rubric declares no `rank` (in its `population` block); use --sort score"
        );
        return Some(Exit::Usage);
    }
    None
}

pub fn run(args: Args, format: Format, lang: Lang) -> Exit {
    if let Some(why) = conflicts(&args, format) {
        errln!("error: {why}");
        return Exit::Usage;
    }
    // The rubric is loaded and every answer set scored on the pool's
    // threads: they get the stack of the command's own thread.
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .stack_size(mizan::STACK_SIZE)
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    let view = View {
        lang,
        sort: args.sort.map_or(Sort::Id, Sort::from),
        depth: args.depth.unwrap_or(1),
    };
    pool.install(|| run_in_pool(args, format, view))
}

fn run_in_pool(args: Args, format: Format, view: View) -> Exit {
    let mode = if args.summary {
        Mode::Summary
    } else if format == Format::Jsonl {
        Mode::Lines
    } else {
        Mode::Batch
    };
    if let Some(dir) = &args.rules_dir {
        return run_versioned(dir, &args, format, mode, view);
    }
    let Some((rules, answers)) = args.paths.split_first() else {
        return Exit::Usage;
    };
    if args.import.is_none() && super::inputs::missing_answer_paths(answers, view.lang) {
        return Exit::RuleErrors;
    }
    if mode != Mode::Batch && args.import.is_none() {
        return super::stream::run(
            rules,
            answers,
            super::stream::Outputs {
                summary_only: args.summary,
                output: args.output.as_deref(),
                warnings: args.warnings.as_deref(),
            },
            format,
            view.lang,
        );
    }
    let (rubric, batch) = match load_and_evaluate(
        rules,
        answers,
        args.import.as_deref(),
        format,
        view.lang,
        "nothing was evaluated",
    ) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let model = rubric.model();
    if let Some(e) = unranked(&[model], view) {
        return e;
    }
    let summary = Summary::of_batch_for(model, &batch);
    if let Err(e) = super::warnings::write_all(args.warnings.as_deref(), &batch.warnings) {
        return e;
    }
    if let Some(id) = &args.explain {
        if let Err(e) = explain(&[(model, &batch)], id, args.output.as_deref(), view.lang) {
            return e;
        }
        return super::stream::exit(&summary);
    }
    if format == Format::Xlsx {
        let bytes = match render::xlsx::results(model, &batch, view.lang) {
            Ok(b) => b,
            Err(e) => {
                errln!("error: {e}");
                return Exit::RuleErrors;
            }
        };
        for p in batch.errors.iter().chain(&batch.warnings) {
            err!("{}", render::table::problem(p));
        }
        if let Err(e) = emit_bytes(args.output.as_deref(), &bytes) {
            return e;
        }
        return super::stream::exit(&summary);
    }
    let text = match mode {
        Mode::Summary => {
            super::stream::report(model, &summary, true, format, view.lang);
            super::stream::summary_text(model, &summary, format, view.lang)
        }
        Mode::Lines => {
            super::stream::report(model, &summary, false, format, view.lang);
            let mut text = String::new();
            for (r, rank) in batch.results.iter().zip(&batch.ranks) {
                let line = render::json::EntityOut {
                    rank: model.population.rank.as_ref().map(|_| *rank),
                    ..render::json::entity_in(model, r, view.lang)
                };
                text.push_str(&serde_json::to_string(&line).unwrap_or_default());
                text.push('\n');
            }
            text
        }
        Mode::Batch => match format {
            Format::Json | Format::Jsonl => render::json::to_string_in(model, &batch, view.lang),
            Format::Human | Format::Plain | Format::Markdown | Format::Xlsx => {
                if args.import.is_some() {
                    super::problems::print(
                        batch.errors.iter().chain(&batch.warnings),
                        args.max_problems,
                        view.lang,
                    );
                } else {
                    for p in batch.errors.iter().chain(&batch.warnings) {
                        err!("{}", render::table::problem(p));
                    }
                }
                render::table::render_with(model, &batch, &view.table(format))
            }
        },
    };
    if let Err(e) = emit(args.output.as_deref(), &text) {
        return e;
    }
    super::stream::exit(&summary)
}

/// Writes the results to `output` (atomically) or standard output.
fn emit(output: Option<&Path>, text: &str) -> Result<(), Exit> {
    match output {
        Some(path) => {
            if let Err(e) = super::import::write_atomic(path, text.as_bytes()) {
                return Err(super::output::write_failed(&path.display().to_string(), &e));
            }
        }
        None => out!("{text}"),
    }
    Ok(())
}

/// Writes a binary output to `output` (atomically) or standard output.
fn emit_bytes(output: Option<&Path>, bytes: &[u8]) -> Result<(), Exit> {
    use std::io::Write;
    match output {
        Some(path) => {
            if let Err(e) = super::import::write_atomic(path, bytes) {
                return Err(super::output::write_failed(&path.display().to_string(), &e));
            }
        }
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
                super::output::stdout_failed(e);
            }
        }
    }
    Ok(())
}

/// `--explain ID`: the computation tree of the entity, from whichever
/// batch scored it.
fn explain(
    batches: &[(&mizan::model::Model, &mizan::eval::Batch)],
    id: &str,
    output: Option<&Path>,
    lang: Lang,
) -> Result<(), Exit> {
    let found = batches.iter().find_map(|(model, batch)| {
        batch
            .results
            .iter()
            .find(|r| r.submission.entity == id)
            .map(|r| render::explain::render_in(model, r, lang))
    });
    match found {
        Some(text) => emit(output, &text),
        None => {
            // Rejected: its problems (exit 2, as any rejection); in no
            // answer set at all: the argument names nothing (usage, 64).
            let problems: Vec<_> = batches
                .iter()
                .flat_map(|(_, batch)| batch.errors.iter().filter(|e| e.entity.as_deref() == Some(id)))
                .collect();
            if problems.is_empty() {
                let id = mizan::answers::printable(id);
                errln!("error: --explain {id}: no answer set of this batch is for entity `{id}`");
                let ids: Vec<&str> = batches
                    .iter()
                    .flat_map(|(_, batch)| {
                        batch
                            .results
                            .iter()
                            .map(|r| r.submission.entity.as_str())
                            .chain(batch.errors.iter().filter_map(|e| e.entity.as_deref()))
                    })
                    .collect();
                if let Some(help) = nearest_help(&id, &ids) {
                    errln!("  help: {help}");
                }
                return Err(Exit::Usage);
            }
            errln!("error: no evaluated entity `{id}`: its answer set was rejected");
            for e in problems {
                err!("{}", render::table::problem(e));
            }
            Err(Exit::Rejected)
        }
    }
}

/// How many of the nearest entity ids an unknown `--explain` lists.
const NEAREST: usize = 5;

/// "did you mean `moe`? nearest ids: `moe`, `mof`, `moh`": the closest
/// ids to `id` (by normalised Damerau–Levenshtein similarity, ties by id),
/// with the did-you-mean of the diagnostics when one is close enough.
/// `None` when the batch has no entity at all.
fn nearest_help(id: &str, ids: &[&str]) -> Option<String> {
    let mut ids: Vec<&str> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return None;
    }
    let mut scored: Vec<(f64, &str)> = ids
        .iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(id, c), *c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let nearest: Vec<String> = scored
        .iter()
        .take(NEAREST)
        .map(|(_, c)| format!("`{}`", mizan::answers::printable(c)))
        .collect();
    let mean = mizan::diag::did_you_mean(id, ids.iter().copied())
        .map(|m| format!("{} ", mizan::answers::printable(&m)))
        .unwrap_or_default();
    Some(format!(
        "{mean}nearest ids{}: {}",
        if ids.len() > NEAREST {
            format!(" (of {})", ids.len())
        } else {
            String::new()
        },
        nearest.join(", ")
    ))
}

/// `mizan eval --rules DIR ANSWERS...`: each answer set picks its rubric
/// and version; results are grouped per rubric version.
fn run_versioned(dir: &Path, args: &Args, format: Format, mode: Mode, view: View) -> Exit {
    if super::inputs::missing_answer_paths(&args.paths, view.lang) {
        return Exit::RuleErrors;
    }
    let files = match super::inputs::rule_files(&[dir.to_path_buf()]) {
        Ok(f) => f,
        Err(e) => {
            errln!("error: {e}");
            return Exit::RuleErrors;
        }
    };
    let mut rubrics: Vec<mizan::Rubric> = Vec::new();
    for f in &files {
        let text = match super::inputs::read_text(f) {
            Ok(t) => t,
            Err(e) => {
                super::inputs::report(&e, format);
                return Exit::RuleErrors;
            }
        };
        let (r, diags) = mizan::load(&f.display().to_string(), &text);
        match r {
            Some(r) if super::locks::guard(r.model(), f, format) => rubrics.push(r),
            Some(_) => return Exit::RuleErrors,
            None => {
                for d in diags.iter() {
                    err!("{}", render::diagnostics::render(d.as_ref(), style(format)));
                }
                errln!("error: {} has errors; nothing was evaluated", f.display());
                return Exit::RuleErrors;
            }
        }
    }
    // Two files declaring one id and version: which one would score an
    // answer set is a matter of walk order. Nothing is evaluated.
    if super::locks::report_duplicates(
        files
            .iter()
            .map(|f| f.as_path())
            .zip(rubrics.iter().map(|r| r.model())),
        format,
    ) > 0
    {
        errln!(
            "error: {} declares a rubric version twice; nothing was evaluated",
            dir.display()
        );
        return Exit::RuleErrors;
    }
    rubrics.sort_by(|a, b| (&a.model().id, &a.model().version).cmp(&(&b.model().id, &b.model().version)));
    let Some(first) = rubrics.first() else {
        errln!(
            "error: {}: no rule files (`*.mizan`) to evaluate with",
            dir.display()
        );
        return Exit::RuleErrors;
    };
    let mut groups: Vec<Vec<super::inputs::Input>> = vec![Vec::new(); rubrics.len()];
    let mut unmatched: Vec<Rejection> = Vec::new();
    for (origin, text) in super::inputs::answer_inputs(&args.paths, view.lang) {
        let text = match text {
            Ok(t) => t,
            Err(r) => {
                unmatched.push(r);
                continue;
            }
        };
        // Not JSON, or not an object: no rubric to route to, and the same
        // error whichever rubric reads it (M0401, M0402). Parsed as the
        // exact reader parses it (a byte-order mark skipped; of two equal
        // keys the first, the reader rejects the second).
        let (v, duplicates) = match mizan::answers::parse_json(&origin, &text) {
            Ok(j) if j.value.is_object() => (j.value, j.duplicates),
            _ => {
                if let Err(e) = mizan::answers::read_exact(first.plan(), origin, &text) {
                    unmatched.extend(e);
                }
                continue;
            }
        };
        let field = |k: &str| match v.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let (id, version) = (field("rubric"), field("version"));
        match rubrics
            .iter()
            .position(|r| r.model().id == id && r.model().version == version)
        {
            Some(i) => {
                if let Some(g) = groups.get_mut(i) {
                    g.push((origin, Ok(text)));
                }
            }
            None => {
                let entity = v
                    .pointer("/entity/id")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string);
                // Its repeated keys, as the reader of a matching rubric
                // reports them (`"rubric": "x", "rubric": "y"` is routed by
                // the first, and is an error either way).
                for (pointer, key) in duplicates {
                    unmatched.push(Rejection {
                        origin: origin.clone(),
                        entity: entity.clone(),
                        pointer,
                        error: AnswerError::DuplicateKey { key },
                    });
                }
                // A `rubric` that is no string, or a `version` that is
                // neither a string nor a number, is the answer set's own
                // shape error (M0402), as any rubric's reader says, not
                // "no rubric ``" (M0421).
                let shape = |key: &str, number_too: bool| {
                    let found = match v.get(key) {
                        Some(serde_json::Value::String(_)) => return None,
                        Some(serde_json::Value::Number(_)) if number_too => return None,
                        None => "nothing",
                        Some(serde_json::Value::Null) => "null",
                        Some(serde_json::Value::Bool(_)) => "a boolean",
                        Some(serde_json::Value::Number(_)) => "a number",
                        Some(serde_json::Value::Array(_)) => "a list",
                        Some(serde_json::Value::Object(_)) => "an object",
                    };
                    Some(AnswerError::Shape {
                        expected: "a string".into(),
                        found: found.into(),
                    })
                };
                let shapes: Vec<(String, AnswerError)> = [("rubric", false), ("version", true)]
                    .into_iter()
                    .filter_map(|(k, n)| shape(k, n).map(|e| (format!("/{k}"), e)))
                    .collect();
                if !shapes.is_empty() {
                    for (pointer, error) in shapes {
                        unmatched.push(Rejection {
                            origin: origin.clone(),
                            entity: entity.clone(),
                            pointer,
                            error,
                        });
                    }
                    continue;
                }
                let available: Vec<String> = rubrics
                    .iter()
                    .filter(|r| r.model().id == id || id.is_empty())
                    .map(|r| format!("{} {}", r.model().id, r.model().version))
                    .collect();
                unmatched.push(Rejection {
                    origin,
                    entity,
                    pointer: if rubrics.iter().any(|r| r.model().id == id) {
                        "/version".into()
                    } else {
                        "/rubric".into()
                    },
                    error: AnswerError::UnknownRubric {
                        rubric: id,
                        version,
                        available: if available.is_empty() {
                            rubrics
                                .iter()
                                .map(|r| format!("{} {}", r.model().id, r.model().version))
                                .collect::<Vec<_>>()
                                .join(", ")
                        } else {
                            available.join(", ")
                        },
                    },
                });
            }
        }
    }
    if let Some(e) = unranked(&rubrics.iter().map(|r| r.model()).collect::<Vec<_>>(), view) {
        return e;
    }
    let batches: Vec<(&mizan::model::Model, mizan::eval::Batch)> = rubrics
        .iter()
        .zip(groups)
        .filter(|(_, inputs)| !inputs.is_empty())
        .map(|(r, inputs)| (r.model(), r.evaluate_inputs(inputs)))
        .collect();
    let summaries: Vec<Summary> = batches.iter().map(|(m, b)| Summary::of_batch_for(m, b)).collect();
    let rejected = unmatched.len() + summaries.iter().map(|t| t.rejected).sum::<usize>();
    let failed = summaries.iter().any(|t| t.population_failed);
    if let Err(e) = super::warnings::write_all(
        args.warnings.as_deref(),
        batches.iter().flat_map(|(_, b)| &b.warnings),
    ) {
        return e;
    }
    if let Some(id) = &args.explain {
        let refs: Vec<_> = batches.iter().map(|(m, b)| (*m, b)).collect();
        if let Err(e) = explain(&refs, id, args.output.as_deref(), view.lang) {
            return e;
        }
    } else {
        let json = matches!(format, Format::Json | Format::Jsonl);
        let mut text = String::new();
        let mut docs: Vec<serde_json::Value> = Vec::new();
        for ((model, batch), summary) in batches.iter().zip(&summaries) {
            match (mode, json) {
                (Mode::Summary, true) => docs.push(
                    serde_json::to_value(render::json::summary_in(model, summary, view.lang))
                        .unwrap_or_default(),
                ),
                (Mode::Summary, false) => {
                    super::stream::report(model, summary, true, format, view.lang);
                    text.push_str(&super::stream::summary_text(model, summary, format, view.lang));
                }
                (_, true) => docs.push(
                    serde_json::to_value(render::json::document_in(model, batch, view.lang))
                        .unwrap_or_default(),
                ),
                (_, false) => {
                    for p in batch.errors.iter().chain(&batch.warnings) {
                        err!("{}", render::table::problem(p));
                    }
                    text.push_str(&render::table::render_with(model, batch, &view.table(format)));
                    text.push('\n');
                }
            }
        }
        if json {
            let errors: Vec<_> = unmatched.iter().map(render::json::problem).collect();
            let doc = serde_json::json!({"batches": docs, "errors": errors});
            text.push_str(&serde_json::to_string_pretty(&doc).unwrap_or_default());
            text.push('\n');
        } else {
            for p in &unmatched {
                err!("{}", render::table::problem(p));
            }
        }
        if let Err(e) = emit(args.output.as_deref(), &text) {
            return e;
        }
    }
    if failed {
        Exit::RuleErrors
    } else if rejected > 0 {
        Exit::Rejected
    } else {
        Exit::Ok
    }
}

/// Loads the rubric and scores the answers with the library's batch
/// evaluation: JSON files, or spreadsheets and CSV files through an import
/// mapping. The rule file's errors are printed, and `nothing` says what was
/// not done because of them.
pub(super) fn load_and_evaluate(
    rules: &Path,
    answers: &[PathBuf],
    import: Option<&Path>,
    format: Format,
    lang: Lang,
    nothing: &str,
) -> Result<(mizan::Rubric, mizan::eval::Batch), Exit> {
    match import {
        Some(mapping) => {
            let (rubric, m) = super::import::load(rules, mapping, format)?;
            let inputs = super::import::input_files(answers, format)?;
            let imported = rubric.import(&m, &inputs).map_err(|e| {
                err!("{}", render::diagnostics::render(&e, style(format)));
                Exit::RuleErrors
            })?;
            let source = answers
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let batch = rubric.evaluate_imported(imported, &source);
            Ok((rubric, batch))
        }
        None => {
            let rubric = match super::inputs::load_rubric(rules, format) {
                Loaded::Rubric(r) => *r,
                Loaded::Unreadable => return Err(Exit::RuleErrors),
                Loaded::Invalid => {
                    errln!("error: the rules have errors; {nothing}");
                    return Err(Exit::RuleErrors);
                }
            };
            let batch = rubric.evaluate_inputs(super::inputs::answer_inputs(answers, lang));
            Ok((rubric, batch))
        }
    }
}
