//! `mizan._mizan`: the extension module under the Python package `mizan`
//! (`python/mizan/__init__.py` wraps it; the user-facing API, its
//! exceptions and its docs live there).
//!
//! Everything is the library's: rule files are loaded with [`mizan::load`],
//! answer sets read and scored with [`mizan::Rubric::evaluate_json`] and
//! [`mizan::Rubric::evaluate_inputs`], and results written with
//! [`mizan::render::json`], so a score here is the CLI's to the digit.
//! Values cross into Python as JSON text (numbers keep every digit: the
//! package reads them as `decimal.Decimal`) or as Arrow record batches.
//! Batches run with the GIL released, on a rayon pool whose threads get the
//! library's [`mizan::STACK_SIZE`].

mod arrow;

use std::str::FromStr;
use std::sync::OnceLock;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use mizan::answers::{Origin, Rejection};
use mizan::eval::PopulationStats;
use mizan::render::json::{band_ids, headline, Num};
use mizan::render::Lang;

/// The pool every batch runs on: all cores, each thread with the stack the
/// library asks for. `None` when it cannot be built (the caller's thread
/// is used then).
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(mizan::STACK_SIZE)
            .thread_name(|i| format!("mizan-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Runs `f` on the pool (with the GIL released by the caller).
fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// A rule file's diagnostics as JSON: code, severity, message, line and
/// column (1-based, of the first label), help.
fn diagnostics_json(text: &str, diags: &mizan::diag::Diagnostics) -> String {
    let one = |d: &mizan::diag::Diag, severity: &str| {
        let offset = d.labels().and_then(|mut ls| ls.next()).map(|l| l.offset());
        let (line, column) = match offset.and_then(|o| text.get(..o)) {
            Some(before) => {
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
                (Some(line), Some(col))
            }
            None => (None, None),
        };
        json!({
            "code": d.code().map(|c| c.to_string()),
            "severity": severity,
            "message": d.to_string(),
            "line": line,
            "column": column,
            "help": d.help().map(|h| h.to_string()),
        })
    };
    let all: Vec<Value> = diags
        .errors
        .iter()
        .map(|d| one(d, "error"))
        .chain(diags.warnings.iter().map(|d| one(d, "warning")))
        .collect();
    Value::Array(all).to_string()
}

/// A located problem (rejection or warning) as JSON.
pub(crate) fn problem_json(p: &Rejection) -> Value {
    serde_json::to_value(mizan::render::json::problem(p)).unwrap_or(Value::Null)
}

/// A checked rubric (`mizan.Rubric` wraps it).
#[pyclass(frozen, module = "mizan._mizan", name = "Rubric")]
struct PyRubric {
    inner: mizan::Rubric,
}

/// Loads a rule file: `(rubric or None, diagnostics as JSON)`.
#[pyfunction]
fn load(py: Python<'_>, name: &str, text: &str) -> (Option<PyRubric>, String) {
    let (rubric, diags) = py.detach(|| on_pool(|| mizan::load(name, text)));
    let report = diagnostics_json(text, &diags);
    (rubric.map(|inner| PyRubric { inner }), report)
}

impl PyRubric {
    fn model(&self) -> &mizan::model::Model {
        self.inner.model()
    }
}

#[pymethods]
impl PyRubric {
    /// Rubric id.
    #[getter]
    fn id(&self) -> String {
        self.model().id.clone()
    }

    /// Rubric version.
    #[getter]
    fn version(&self) -> String {
        self.model().version.clone()
    }

    /// sha256 of the rule text.
    #[getter]
    fn sha256(&self) -> String {
        self.model().sha256.clone()
    }

    /// Every node id below the root, in rubric order.
    #[getter]
    fn nodes(&self) -> Vec<String> {
        self.model().nodes.iter().skip(1).map(|n| n.id.clone()).collect()
    }

    /// The criteria (the nodes answered), in rubric order.
    #[getter]
    fn criteria(&self) -> Vec<String> {
        self.model()
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, mizan::model::NodeKind::Criterion(_)))
            .map(|n| n.id.clone())
            .collect()
    }

    /// The profile fields.
    #[getter]
    fn profile(&self) -> Vec<String> {
        self.model().profile.keys().cloned().collect()
    }

    /// Scores one answer set (JSON text): `(true, entity JSON)` as a line
    /// of `mizan eval --format jsonl` (without rank), or `(false, problems
    /// JSON)`.
    #[pyo3(signature = (text, origin, lang = "en"))]
    fn evaluate_text(
        &self,
        py: Python<'_>,
        text: &str,
        origin: &str,
        lang: &str,
    ) -> PyResult<(bool, String)> {
        let lang = parse_lang(lang)?;
        // On the calling thread: one answer set is not worth a hand-off to
        // the pool (its thread's stack is ample for any rubric in a release
        // build).
        let out = py.detach(|| self.inner.evaluate_json(origin, text));
        match out {
            Ok(r) => {
                let e = mizan::render::json::entity_in(self.model(), &r, lang);
                let mut v = serde_json::to_value(&e).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    let w: Vec<Value> = r.warnings.iter().map(problem_json).collect();
                    m.insert("warnings".into(), Value::Array(w));
                }
                Ok((true, v.to_string()))
            }
            Err(problems) => Ok((
                false,
                Value::Array(problems.iter().map(problem_json).collect()).to_string(),
            )),
        }
    }

    /// Scores `(origin, JSON text)` answer sets as one batch: the document
    /// of `mizan eval --format json` (entities by id, ranks, population,
    /// errors, warnings, headlines), as JSON text.
    #[pyo3(signature = (items, lang = "en"))]
    fn evaluate_many(&self, py: Python<'_>, items: Vec<(String, String)>, lang: &str) -> PyResult<String> {
        let lang = parse_lang(lang)?;
        Ok(py.detach(|| {
            on_pool(|| {
                let inputs = items
                    .into_iter()
                    .map(|(file, text)| (Origin { file, line: None }, Ok(text)))
                    .collect();
                let batch = self.inner.evaluate_inputs(inputs);
                // Compact: the same document as the CLI's pretty one, less
                // for Python to read.
                serde_json::to_string(&mizan::render::json::document_in(self.model(), &batch, lang))
                    .unwrap_or_default()
            })
        }))
    }

    /// Scores a record batch, one answer set a row (see `arrow.rs`).
    #[pyo3(signature = (batch, numbers = "decimal", json_column = None))]
    fn evaluate_arrow(
        &self,
        py: Python<'_>,
        batch: arrow_pyarrow::PyArrowType<arrow_array::RecordBatch>,
        numbers: &str,
        json_column: Option<String>,
    ) -> PyResult<arrow_pyarrow::PyArrowType<arrow_array::RecordBatch>> {
        let numbers = arrow::Numbers::from_str(numbers).map_err(PyValueError::new_err)?;
        let plan = self.inner.plan();
        let out = py.detach(|| {
            on_pool(|| arrow::evaluate(&self.inner, plan, &batch.0, numbers, json_column.as_deref()))
        });
        out.map(arrow_pyarrow::PyArrowType).map_err(PyValueError::new_err)
    }

    /// The schema of [`Self::evaluate_arrow`]'s output.
    #[pyo3(signature = (numbers = "decimal"))]
    fn arrow_schema(&self, numbers: &str) -> PyResult<arrow_pyarrow::PyArrowType<arrow_schema::Schema>> {
        let numbers = arrow::Numbers::from_str(numbers).map_err(PyValueError::new_err)?;
        Ok(arrow_pyarrow::PyArrowType(arrow::schema(self.model(), numbers)))
    }

    /// The population level from statistics aggregated elsewhere: the
    /// number of entity scores, their exact sum, lowest and highest (plain
    /// decimal text), and the submissions excluded. The `aggregate` object
    /// of `mizan eval --format json`, as JSON text.
    #[pyo3(signature = (count, sum, min, max, excluded = 0, lang = "en"))]
    fn population(
        &self,
        count: usize,
        sum: Option<&str>,
        min: Option<&str>,
        max: Option<&str>,
        excluded: usize,
        lang: &str,
    ) -> PyResult<String> {
        let lang = parse_lang(lang)?;
        let bad = |what: &str, s: &str| PyValueError::new_err(format!("{what}: `{s}` is not a decimal"));
        let dec = |what: &str, s: Option<&str>| -> PyResult<Option<Decimal>> {
            s.map(|s| parse_exact(s).ok_or_else(|| bad(what, s))).transpose()
        };
        let pieces =
            match sum {
                Some(s) => sum_pieces(s).ok_or_else(|| bad("sum", s))?,
                // Spark's sum is null when it overflows its decimal type:
                // never a population over a sum taken as zero.
                None if count > 0 => return Err(PyValueError::new_err(
                    "population: no sum for a non-empty population (did the engine's decimal sum overflow?)",
                )),
                None => Vec::new(),
            };
        let stats = PopulationStats::from_parts(count, pieces, dec("min", min)?, dec("max", max)?);
        let model = self.model();
        let pop = mizan::eval::population_of(model, &stats)
            .map_err(|e| PyRuntimeError::new_err(format!("population: {e}")))?;
        let (band, band_label) = headline(model, &model.population.bands, pop.score, lang);
        let doc = json!({
            "score": pop.score.map(|s| Num(s.normalize())),
            "entities": pop.entities,
            "band": band,
            "band_label": band_label,
            "bands": band_ids(model, &model.population.bands, pop.score),
            "excluded": excluded,
        });
        Ok(doc.to_string())
    }
}

/// `en` or `ar`: the language of band labels (JSON keys stay English).
fn parse_lang(s: &str) -> PyResult<Lang> {
    Lang::from_str(s).map_err(|_| PyValueError::new_err(format!("lang={s:?}: use \"en\" or \"ar\"")))
}

/// Digits of plain decimal text (`-12.340`): sign, integer digits and
/// fraction digits without trailing zeros. `None` for anything else.
fn digits(s: &str) -> Option<(bool, String, usize)> {
    let s = s.trim();
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = frac.trim_end_matches('0');
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || frac.len() > 28
    {
        return None;
    }
    let all = format!("{int}{frac}");
    let all = all.trim_start_matches('0');
    Some((negative, all.to_string(), frac.len()))
}

/// An exact decimal from plain text, trailing zeros of the fraction
/// dropped (Spark writes `decimal(38,28)` with all 28 places); `None` when
/// it does not fit a decimal exactly.
fn parse_exact(s: &str) -> Option<Decimal> {
    let (negative, all, scale) = digits(s)?;
    let m = if all.is_empty() {
        0
    } else {
        i128::from_str(&all).ok()?
    };
    let d =
        Decimal::try_from_i128_with_scale(if negative { -m } else { m }, u32::try_from(scale).ok()?).ok()?;
    Some(d)
}

/// An exact sum of up to 38 digits (Spark's `decimal(38,28)`) as decimals
/// that add up to it, each exact: the low 28 digits and the rest.
fn sum_pieces(s: &str) -> Option<Vec<Decimal>> {
    let (negative, all, scale) = digits(s)?;
    let split = all.len().saturating_sub(28);
    let (hi, lo) = (all.get(..split)?, all.get(split..)?);
    let sign = |m: i128| if negative { -m } else { m };
    let mut out = Vec::new();
    if !lo.is_empty() {
        let m = i128::from_str(lo).ok()?;
        out.push(Decimal::try_from_i128_with_scale(sign(m), u32::try_from(scale).ok()?).ok()?);
    }
    if !hi.is_empty() {
        // hi × 10^(28 − scale), a whole number; too large for a decimal
        // only when the sum itself is.
        let m = i128::from_str(hi).ok()?;
        let m = m.checked_mul(10i128.checked_pow(u32::try_from(28usize.checked_sub(scale)?).ok()?)?)?;
        out.push(Decimal::try_from_i128_with_scale(sign(m), 0).ok()?);
    }
    Some(out)
}

#[pymodule]
fn _mizan(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_class::<PyRubric>()?;
    m.add("MIZAN_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sums_split_exactly() {
        let s = "1234567890.1234567890123456789012345678";
        let pieces = sum_pieces(s).unwrap();
        assert_eq!(pieces.len(), 2);
        let total: Decimal = pieces.iter().sum();
        // The decimal rounds; the pieces are exact.
        assert_eq!(pieces[0].to_string(), "0.1234567890123456789012345678");
        assert_eq!(pieces[1].to_string(), "1234567890");
        assert!(total > Decimal::from(1_234_567_890));
        assert_eq!(
            parse_exact("1.0000000000000000000000000000").unwrap(),
            Decimal::ONE
        );
        assert_eq!(parse_exact("-0.50").unwrap().to_string(), "-0.5");
        assert!(parse_exact("1e5").is_none());
    }
}
