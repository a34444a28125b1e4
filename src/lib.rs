//! Mizan (ميزان, "the scale"): a declarative rules language and engine for
//! government performance indicators.
//!
//! A rubric — indicators, criteria, option weights, N/A handling and
//! aggregation formulas — is written in a `.mizan` rule file, then parsed,
//! checked and evaluated against answer sets. The pipeline, one module per
//! stage:
//!
//! source → [`syntax`] (pest) → [`ast`] → [`check`] → [`model`] → [`plan`]
//! → [`eval`] (with [`answers`]) → [`render`].
//!
//! ```
//! let rules = r#"
//! rubric demo.tiny {
//!   version "1"
//!   scale yn { yes 1 en "Yes"  no 0 en "No"  na n/a en "N/A" }
//!   aggregate ratio
//!   criterion c1 { choice yn }
//!   criterion c2 { choice yn }
//!   criterion c3 { choice yn }
//! }"#;
//! let (rubric, diags) = mizan::load("tiny.mizan", rules);
//! assert!(diags.errors.is_empty());
//! let rubric = rubric.unwrap();
//! let result = rubric
//!     .evaluate_json("moi.json", r#"{"rubric": "demo.tiny", "version": "1",
//!         "entity": {"id": "moi"}, "answers": {"c1": "yes", "c2": "no", "c3": "na"}}"#)
//!     .unwrap();
//! // c3 is N/A: excluded from numerator and denominator, so 1 / 2.
//! assert_eq!(result.score().unwrap().normalize().to_string(), "0.5");
//! ```
#![warn(missing_docs)]
// Library code never prints; the CLI writes through the fallible `out!`/`err!`
// macros of `cli::output`, since `print!` and `eprint!` panic on a full or
// closed stream.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod answers;
pub mod ast;
pub mod check;
pub mod diag;
pub mod diff;
pub mod eval;
pub mod files;
pub mod fmt;
pub mod import;
pub mod model;
pub mod plan;
pub mod render;
pub mod syntax;
pub mod testing;
pub mod versions;

use std::sync::Arc;

/// Stack size of every thread the `mizan` command runs Mizan's work on (the
/// command's own work and each scoring thread): 64 MiB.
///
/// Parsing, checking and evaluating recurse as deep as an expression nests,
/// which the limits bound ([`syntax::MAX_EXPR_DEPTH`],
/// [`check::MAX_EXPANDED_DEPTH`]); the deepest rubric those limits allow
/// needs a few MiB of stack in a debug build and less in a release build,
/// so this leaves ample headroom on every thread alike. A program that uses
/// the library on threads of its own should give them this much as well.
pub const STACK_SIZE: usize = 64 * 1024 * 1024;

use crate::answers::{Origin, Rejection};
use crate::diag::{Diagnostics, Src};
use crate::eval::{Batch, EntityResult};
use crate::model::Model;
use crate::plan::Plan;

/// A checked rubric, ready to evaluate answer sets.
#[derive(Debug, Clone)]
pub struct Rubric {
    plan: Plan,
}

/// Parses and checks a rule file.
///
/// Returns the rubric when it has no error, and every diagnostic (errors and
/// warnings) either way.
pub fn load(name: &str, text: &str) -> (Option<Rubric>, Diagnostics) {
    let src = Src::new(name, text);
    let (ast, mut diags) = syntax::parse(&src);
    let Some(ast) = ast else { return (None, diags) };
    let (model, check_diags) = check::check(&ast);
    diags.extend(check_diags);
    match model {
        Some(m) if !diags.has_errors() => (Some(Rubric::from_model(m)), diags),
        _ => (None, diags),
    }
}

impl Rubric {
    /// Wraps a checked model.
    pub fn from_model(model: Model) -> Self {
        Rubric {
            plan: plan::compile(Arc::new(model)),
        }
    }

    /// The checked model.
    pub fn model(&self) -> &Model {
        self.plan.model()
    }

    /// The evaluation plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Reads and evaluates one answer set given as JSON text.
    pub fn evaluate_json(&self, origin: &str, text: &str) -> Result<EntityResult, Vec<Rejection>> {
        let origin = Origin {
            file: origin.to_string(),
            line: None,
        };
        let sub = answers::read(&self.plan, origin, text)?;
        eval::evaluate(&self.plan, sub)
    }

    /// Evaluates a batch of `(origin, JSON text)` answer sets.
    pub fn evaluate_batch(&self, inputs: Vec<(Origin, String)>) -> Batch {
        eval::evaluate_batch(&self.plan, inputs)
    }

    /// Evaluates a batch of inputs: `(origin, JSON text)`, or the rejection
    /// of an input that could not be read, in its place.
    pub fn evaluate_inputs(&self, inputs: Vec<(Origin, Result<String, Rejection>)>) -> Batch {
        eval::evaluate_inputs(&self.plan, inputs)
    }

    /// Builds answer sets from spreadsheets or CSV files with an import
    /// mapping (see [`import`]).
    pub fn import(
        &self,
        mapping: &import::Mapping,
        inputs: &[std::path::PathBuf],
    ) -> Result<import::Imported, import::ImportError> {
        let mut imported = import::import(self.model(), mapping, inputs)?;
        // `repeated … keys LIST`: the instances read checks, checked here too.
        let problems: Vec<_> = imported
            .sets
            .iter()
            .flat_map(|(id, v)| {
                let origin = answers::Origin {
                    file: format!("imported answer set of `{id}`"),
                    line: None,
                };
                answers::instance_key_problems(self.plan(), origin, v)
            })
            .collect();
        imported.problems.extend(problems);
        Ok(imported)
    }

    /// Evaluates imported answer sets; an entity with a cell that could not
    /// be mapped is rejected with it.
    pub fn evaluate_imported(&self, imported: import::Imported, source: &str) -> Batch {
        let inputs = imported
            .sets
            .into_iter()
            .map(|(id, v)| {
                (
                    Origin {
                        file: format!("{source} (entity {id})"),
                        line: None,
                    },
                    v,
                )
            })
            .collect();
        eval::evaluate_values(&self.plan, inputs, imported.problems)
    }
}
