//! The rules tree, loaded once: every rubric version under `--rules DIR`
//! (the layout `mizan eval --rules DIR` reads), each checked against its
//! lock, and the cycles declared in `DIR/cycles/*.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mizan::Rubric;

/// One loaded rubric version.
pub struct Loaded {
    /// The checked rubric.
    pub rubric: Rubric,
    /// Its source text.
    pub source: String,
    /// Its file.
    pub path: PathBuf,
}

/// Every rubric version, by `(id, version)`.
#[derive(Default)]
pub struct Rules {
    /// `(id, version)` → the rubric.
    pub rubrics: BTreeMap<(String, String), Arc<Loaded>>,
    /// Cycles declared in files: id → `(rubric id, version)`.
    pub cycles: BTreeMap<String, (String, String)>,
    /// Cycles whose file says `live_score = true`: the web form shows the
    /// score of a draft after each save.
    pub live_score: std::collections::BTreeSet<String>,
}

/// A cycle file, `cycles/<cycle>.toml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CycleFile {
    rubric: String,
    version: String,
    /// The web form shows the score of a draft after each save.
    #[serde(default)]
    live_score: bool,
}

impl Rules {
    /// The rubric `id` at `version`.
    pub fn get(&self, id: &str, version: &str) -> Option<&Arc<Loaded>> {
        self.rubrics.get(&(id.to_string(), version.to_string()))
    }
}

/// Loads `dir`: every problem found is returned (the server refuses to
/// start), a locked file whose rules changed among them.
pub fn load(dir: &Path) -> Result<Rules, Vec<String>> {
    let walk = mizan::files::walk(&[dir.to_path_buf()], |p| {
        mizan::files::has_extension(p, &["mizan"]) && !mizan::testing::is_test_file(p)
    });
    let mut errors: Vec<String> = walk.errors.iter().map(|e| e.to_string()).collect();
    let mut rules = Rules::default();
    let mut models = Vec::new();
    for f in &walk.files {
        let text = match mizan::files::read_rule_text(f) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let (r, diags) = mizan::load(&f.display().to_string(), &text);
        let Some(r) = r else {
            for d in diags.iter() {
                errors.push(mizan::render::diagnostics::render(
                    d.as_ref(),
                    mizan::render::diagnostics::Style::Plain,
                ));
            }
            errors.push(format!("{} has errors", f.display()));
            continue;
        };
        match mizan::versions::check_lock(r.model(), f) {
            Ok(None) => {}
            Ok(Some(e)) => {
                errors.push(mizan::render::diagnostics::render(
                    &e,
                    mizan::render::diagnostics::Style::Plain,
                ));
                errors.push(format!(
                    "{} is locked and its rules changed: relock it (`mizan lock --relock`) or restore it",
                    f.display()
                ));
                continue;
            }
            Err(reason) => {
                errors.push(format!(
                    "the lock file of {} cannot be read: {reason}",
                    f.display()
                ));
                continue;
            }
        }
        models.push((f.clone(), r, text));
    }
    let dups = mizan::versions::duplicates(models.iter().map(|(p, r, _)| (p.as_path(), r.model())));
    for d in &dups {
        errors.push(d.to_string());
    }
    for (path, rubric, source) in models {
        let key = (rubric.model().id.clone(), rubric.model().version.clone());
        rules
            .rubrics
            .insert(key, Arc::new(Loaded { rubric, source, path }));
    }
    let cycles_dir = dir.join("cycles");
    if cycles_dir.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(&cycles_dir) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                errors.push(format!("{}: {e}", cycles_dir.display()));
                Vec::new()
            }
        };
        entries.sort();
        for p in entries {
            if !mizan::files::has_extension(&p, &["toml"]) {
                continue;
            }
            let Some(id) = p.file_stem().and_then(|s| s.to_str()).map(str::to_string) else {
                continue;
            };
            let parsed = std::fs::read_to_string(&p)
                .map_err(|e| e.to_string())
                .and_then(|t| toml::from_str::<CycleFile>(&t).map_err(|e| e.to_string()));
            match parsed {
                Ok(c) if rules.get(&c.rubric, &c.version).is_some() => {
                    if c.live_score {
                        rules.live_score.insert(id.clone());
                    }
                    rules.cycles.insert(id, (c.rubric, c.version));
                }
                Ok(c) => errors.push(format!(
                    "{}: no rubric {} version {} under {}",
                    p.display(),
                    c.rubric,
                    c.version,
                    dir.display()
                )),
                Err(e) => errors.push(format!("{}: {e}", p.display())),
            }
        }
    }
    if rules.rubrics.is_empty() && errors.is_empty() {
        errors.push(format!("{}: no rule files (`*.mizan`)", dir.display()));
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}
