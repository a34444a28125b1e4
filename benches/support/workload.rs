//! Deterministic benchmark workloads (issue 16): N answer sets (JSONL) for
//! any rubric, in a chosen answer shape, and a generated large rubric.
//!
//! Included by path (`#[path = "../benches/support/workload.rs"] mod
//! workload;`) by examples/gen_workload.rs and by tests; no dependency
//! beyond the crate's own. The model is walked as checked (`rubric.model()`):
//! every scope (the entity and each repeated node) gets its profile fields
//! and its criteria; repeated nodes get instances (2–3 at the top, 2–8
//! nested). Which criteria apply to a profile is probed once per profile
//! signature (the profiles of an instance and of every scope above it):
//! every criterion is answered and those the reader warns about (M0412,
//! "does not apply") are marked. Applicability depends on profiles only
//! (M0216: `applies when` cannot read answers), so the cache is exact.
//!
//! Knobs ([`Shape`]): key order, stray answers (to criteria that do not
//! apply: each one draws an M0412 warning), missing answers (left out of
//! applicable criteria whose `missing` policy is not `error`, so no answer
//! set is rejected), N/A, `null` answers (read as unanswered: written only
//! where a missing answer is allowed), JSON escapes as Python's
//! `json.dumps(ensure_ascii=True)` writes them, and spaces after `:` and
//! `,`. Every line is accepted by `mizan eval`.

#![allow(dead_code, reason = "each includer uses part of the API")]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::rc::Rc;

use mizan::answers::{AnswerError, ProfileValue};
use mizan::model::{AnswerKind, FieldTy, MissingPolicy, Model, NodeIx};
use rust_decimal::Decimal;

/// The shape of the generated answer sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Answers in random key order (else rubric order).
    pub shuffle: bool,
    /// Share of the non-applicable criteria answered anyway (M0412).
    pub stray: f64,
    /// Share of the applicable criteria left out (where `missing` is not
    /// `error`).
    pub missing: f64,
    /// Share of N/A answers where the criterion allows N/A.
    pub na: f64,
    /// Share of answers written as `null` (where `missing` is not `error`).
    pub nulls: f64,
    /// Strings as `json.dumps(ensure_ascii=True)`: non-ASCII as `\uXXXX`,
    /// occasional `\"`, `\\`, `\/`; Arabic entity names.
    pub escapes: bool,
    /// Spaces after `:` and `,` (still one line).
    pub pretty: bool,
    /// The generator's seed.
    pub seed: u64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            shuffle: false,
            stray: 0.0,
            missing: 0.0,
            na: 0.05,
            nulls: 0.0,
            escapes: false,
            pretty: false,
            seed: 2018,
        }
    }
}

impl Shape {
    /// Whether the shape leaves answers out (the bench scores those rubrics
    /// under `missing worst` instead of `missing error`).
    pub fn omits(&self) -> bool {
        self.missing > 0.0 || self.nulls > 0.0
    }
}

/// The named shapes the bench and the tests run.
pub fn shapes() -> Vec<(&'static str, Shape)> {
    let d = Shape::default;
    vec![
        ("ordered", d()),
        ("shuffled", Shape { shuffle: true, ..d() }),
        ("stray30", Shape { stray: 0.3, ..d() }),
        ("missing5", Shape { missing: 0.05, ..d() }),
        (
            "realistic",
            Shape {
                shuffle: true,
                stray: 0.3,
                missing: 0.02,
                ..d()
            },
        ),
        ("escapes", Shape { escapes: true, ..d() }),
        ("pretty", Shape { pretty: true, ..d() }),
        ("nulls", Shape { nulls: 0.05, ..d() }),
        (
            "everything",
            Shape {
                shuffle: true,
                stray: 0.3,
                missing: 0.02,
                na: 0.05,
                nulls: 0.02,
                escapes: true,
                pretty: true,
                seed: 2018,
            },
        ),
    ]
}

/// The rubric text with its header's `missing error` (a line `  missing
/// error`, the first one) changed to `missing worst`, so that shapes that
/// leave answers out ([`Shape::omits`]) are scored instead of rejected; `None`
/// if there is no such line. scripts/bench.sh does the same with sed.
pub fn worst_variant(text: &str) -> Option<String> {
    let at = text.find("\n  missing error\n")?;
    let mut out = String::with_capacity(text.len());
    out.push_str(text.get(..at)?);
    out.push_str("\n  missing worst\n");
    out.push_str(text.get(at + "\n  missing error\n".len()..)?);
    Some(out)
}

/// The named shape `name`.
pub fn shape(name: &str) -> Option<Shape> {
    shapes().into_iter().find(|(n, _)| *n == name).map(|(_, s)| s)
}

/// A 64-bit LCG (Knuth's MMIX constants); the high bits are used.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// Uniform in 0..n (n > 0; 0 gives 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && (self.next() as f64 / (1u64 << 31) as f64) < p
    }
}

/// How a criterion's answers are generated.
enum Gen {
    Choice { opts: Vec<String> },
    Multi { opts: Vec<String> },
    YesNo,
    Number { min: Decimal, max: Decimal },
}

struct Crit {
    id: String,
    /// The JSON pointer token of the id.
    token: String,
    gen: Gen,
    /// What an N/A answer is written as (JSON text), if N/A is allowed.
    na: Option<String>,
    /// `missing` is not `error`: may be left out or `null`.
    may_omit: bool,
}

enum FieldGen {
    Enum(Vec<String>),
    Bool,
    Number,
    /// Fixed by `keys`: per key, the JSON text.
    Fixed,
}

struct Field {
    name: String,
    gen: FieldGen,
}

/// Profile fields fixed by `keys`: (field, JSON text).
type Fixed = Vec<(String, String)>;

struct Scope {
    crits: Vec<Crit>,
    fields: Vec<Field>,
    /// Repeated nodes directly inside: (node, id).
    repeated: Vec<(NodeIx, String)>,
    /// `keys`: (instance id, fixed field values as (name, JSON text)).
    keys: Option<Vec<(String, Fixed)>>,
    /// Nesting depth (0: the entity).
    depth: usize,
}

/// One entity or instance of a generated answer set.
struct Inst {
    scope: NodeIx,
    key: Option<String>,
    /// (field, JSON text).
    profile: Vec<(String, String)>,
    /// Applicability cache key: the profiles of this scope and those above.
    sig: String,
    /// One answer (JSON text) per criterion of the scope.
    values: Vec<String>,
    children: Vec<(String, Vec<Inst>)>,
}

const NUMBERS: [&str; 6] = ["1", "10", "100", "1000", "2021", "2022"];

const NAMES: [&str; 8] = [
    "وزارة الخارجية والتعاون الدولي",
    "هيئة الصحة",
    "دائرة التنمية الاقتصادية",
    "الهيئة الاتحادية للجمارك",
    "Ministry of \"Interior\"",
    "Back\\slash Authority",
    "Roads/Transport",
    "Café société",
];

fn scopes(m: &Model) -> HashMap<NodeIx, Scope> {
    let mut out = HashMap::new();
    let mut stack = vec![(0usize, 0usize)];
    while let Some((s, depth)) = stack.pop() {
        let crits = m
            .criteria()
            .filter(|(_, n, _)| n.scope == s)
            .map(|(_, n, c)| {
                let real = |o: &[mizan::model::OptionDef]| -> Vec<String> {
                    o.iter().filter(|o| !o.is_na()).map(|o| o.id.clone()).collect()
                };
                let na_opt = c
                    .answer
                    .options()
                    .iter()
                    .find(|o| o.is_na())
                    .map(|o| o.id.clone());
                let (gen, na) = match &c.answer {
                    AnswerKind::Choice { options, .. } => (
                        Gen::Choice { opts: real(options) },
                        na_opt.map(|o| json_str(&o, false)),
                    ),
                    AnswerKind::Multi { options, .. } => (
                        Gen::Multi { opts: real(options) },
                        na_opt.map(|o| json_str(&o, false)),
                    ),
                    AnswerKind::YesNo => (Gen::YesNo, Some("\"na\"".to_string())),
                    AnswerKind::Number { min, max, .. } => {
                        let hundred = Decimal::from(100);
                        let (lo, hi) = match (min, max) {
                            (Some(a), Some(b)) => (*a, *b),
                            (Some(a), None) => (*a, a.checked_add(hundred).unwrap_or(*a)),
                            (None, Some(b)) => (b.checked_sub(hundred).unwrap_or(*b), *b),
                            (None, None) => (Decimal::ZERO, hundred),
                        };
                        // `clamp` below needs min <= max.
                        (
                            Gen::Number {
                                min: lo,
                                max: hi.max(lo),
                            },
                            Some("\"na\"".to_string()),
                        )
                    }
                };
                Crit {
                    id: n.id.clone(),
                    token: n.id.replace('~', "~0").replace('/', "~1"),
                    gen,
                    na: na.filter(|_| c.na_allowed),
                    may_omit: n.missing != MissingPolicy::Error,
                }
            })
            .collect();
        let keys = m
            .nodes
            .get(s)
            .and_then(|n| n.repeat.as_ref())
            .and_then(|r| r.keys.as_ref())
            .map(|k| {
                k.ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let fixed: Vec<(String, String)> = k
                            .fields
                            .get(i)
                            .map(|fs| {
                                fs.iter()
                                    .filter_map(|(f, v)| {
                                        let def = m.profile.get_index(*f)?.1;
                                        let text = match (v, &def.ty) {
                                            (ProfileValue::Enum(e), FieldTy::Enum(vals)) => {
                                                json_str(vals.get(*e)?, false)
                                            }
                                            (ProfileValue::Number(d), _) => d.to_string(),
                                            (ProfileValue::Bool(b), _) => b.to_string(),
                                            _ => return None,
                                        };
                                        Some((def.name.clone(), text))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        (id.clone(), fixed)
                    })
                    .collect::<Vec<_>>()
            });
        let fixed: Vec<String> = keys
            .iter()
            .flatten()
            .flat_map(|(_, fs)| fs.iter().map(|(f, _)| f.clone()))
            .collect();
        let field_defs: Vec<&mizan::model::FieldDef> = if s == 0 {
            m.entity_fields().map(|(_, f)| f).collect()
        } else {
            m.instance_fields(s).map(|(_, f)| f).collect()
        };
        let fields = field_defs
            .into_iter()
            .map(|f| Field {
                name: f.name.clone(),
                gen: if fixed.contains(&f.name) {
                    FieldGen::Fixed
                } else {
                    match &f.ty {
                        FieldTy::Enum(v) => FieldGen::Enum(v.clone()),
                        FieldTy::Bool => FieldGen::Bool,
                        FieldTy::Number => FieldGen::Number,
                    }
                },
            })
            .collect();
        let repeated: Vec<(NodeIx, String)> = m
            .repeated_in(s)
            .filter_map(|r| Some((r, m.nodes.get(r)?.id.clone())))
            .collect();
        for (r, _) in &repeated {
            stack.push((*r, depth + 1));
        }
        out.insert(
            s,
            Scope {
                crits,
                fields,
                repeated,
                keys,
                depth,
            },
        );
    }
    out
}

/// A JSON string literal; with `ascii`, as Python's `json.dumps` writes it
/// (non-ASCII as `\uXXXX`, surrogate pairs above the BMP) plus `\/`.
fn json_str(s: &str, ascii: bool) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '/' if ascii => o.push_str("\\/"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c if ascii && !c.is_ascii() => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    let _ = write!(o, "\\u{u:04x}");
                }
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn value(c: &Crit, rng: &mut Rng) -> String {
    match &c.gen {
        Gen::Choice { opts } => match opts.get(rng.below(opts.len())) {
            Some(o) => json_str(o, false),
            None => c.na.clone().unwrap_or_else(|| "null".into()),
        },
        Gen::Multi { opts } => {
            let k = 1 + rng.below(opts.len().clamp(1, 3));
            let mut picked: Vec<&String> = Vec::new();
            for _ in 0..k {
                if let Some(o) = opts.get(rng.below(opts.len())) {
                    if !picked.contains(&o) {
                        picked.push(o);
                    }
                }
            }
            let items: Vec<String> = picked.iter().map(|o| json_str(o, false)).collect();
            format!("[{}]", items.join(","))
        }
        Gen::YesNo => if rng.below(2) == 0 { "true" } else { "false" }.to_string(),
        Gen::Number { min, max } => {
            let (steps, dp) = if rng.below(3) == 0 {
                (10_000u32, 4)
            } else {
                (100, 0)
            };
            let k = Decimal::from(rng.below(steps as usize + 1) as u64);
            // Checked: no overflow panic whatever the bounds (min if any).
            let v = max
                .checked_sub(*min)
                .and_then(|r| r.checked_mul(k))
                .and_then(|r| r.checked_div(Decimal::from(steps)))
                .and_then(|r| r.checked_add(*min))
                .unwrap_or(*min);
            v.round_dp(dp).clamp(*min, *max).normalize().to_string()
        }
    }
}

struct Gener<'a> {
    model: &'a Model,
    rubric: &'a mizan::Rubric,
    scopes: Rc<HashMap<NodeIx, Scope>>,
    /// Applicability per profile signature: one flag per criterion of the scope.
    applies: HashMap<String, Vec<bool>>,
    rng: Rng,
}

impl Gener<'_> {
    fn build(
        &mut self,
        scope: NodeIx,
        parent_sig: &str,
        i: usize,
        key: Option<String>,
        fixed: &[(String, String)],
    ) -> Inst {
        let scopes = Rc::clone(&self.scopes);
        let Some(sc) = scopes.get(&scope) else {
            return Inst {
                scope,
                key,
                profile: Vec::new(),
                sig: String::new(),
                values: Vec::new(),
                children: Vec::new(),
            };
        };
        let mut profile = Vec::new();
        for (f, field) in sc.fields.iter().enumerate() {
            let text = match &field.gen {
                // The entity's profile cycles with the line (roles in turn).
                FieldGen::Enum(v) if scope == 0 => {
                    json_str(v.get((i + f) % v.len().max(1)).map_or("", |s| s), false)
                }
                FieldGen::Bool if scope == 0 => ((i / 3 + f) % 2 == 0).to_string(),
                FieldGen::Number if scope == 0 => {
                    NUMBERS.get((i + f) % NUMBERS.len()).map_or("1", |s| s).into()
                }
                FieldGen::Enum(v) => json_str(v.get(self.rng.below(v.len())).map_or("", |s| s), false),
                FieldGen::Bool => (self.rng.below(8) != 0).to_string(),
                FieldGen::Number => NUMBERS.get(4 + self.rng.below(2)).map_or("1", |s| s).into(),
                FieldGen::Fixed => match fixed.iter().find(|(n, _)| *n == field.name) {
                    Some((_, t)) => t.clone(),
                    None => continue,
                },
            };
            profile.push((field.name.clone(), text));
        }
        let mut sig = format!("{parent_sig}|{scope}:");
        for (n, t) in &profile {
            let _ = write!(sig, "{n}={t},");
        }
        let values = sc.crits.iter().map(|c| value(c, &mut self.rng)).collect();
        let depth = sc.depth;
        let mut children = Vec::new();
        for (r, id) in &sc.repeated {
            let (r, id) = (*r, id.clone());
            let insts: Vec<Inst> = match scopes.get(&r).and_then(|s| s.keys.as_ref()) {
                Some(keys) => keys
                    .iter()
                    .map(|(k, fixed)| self.build(r, &sig, i, Some(k.clone()), fixed))
                    .collect(),
                None => {
                    let n = if depth == 0 {
                        2 + self.rng.below(2)
                    } else {
                        2 + self.rng.below(7)
                    };
                    (0..n)
                        .map(|j| {
                            let k = format!("{id} {}", j + 1);
                            self.build(r, &sig, i, Some(k), &[])
                        })
                        .collect()
                }
            };
            children.push((id, insts));
        }
        Inst {
            scope,
            key,
            profile,
            sig,
            values,
            children,
        }
    }

    fn known(&self, inst: &Inst) -> bool {
        self.applies.contains_key(&inst.sig)
            && inst.children.iter().all(|(_, v)| v.iter().all(|c| self.known(c)))
    }

    /// Answers every criterion of `entity`, evaluates, and records which
    /// answers draw M0412 ("does not apply").
    fn probe(&mut self, entity: &Inst) -> io::Result<()> {
        let mut text = String::new();
        let all = Shape {
            na: 0.0,
            ..Shape::default()
        };
        let mut rng = Rng(0);
        self.render(entity, &all, &mut rng, &mut text, None);
        let res = self
            .rubric
            .evaluate_json("probe", &text)
            .map_err(|e| io::Error::other(format!("probe rejected: {:?}\n{text}", e.first())))?;
        let off: Vec<&str> = res
            .warnings
            .iter()
            .filter(|w| matches!(w.error, AnswerError::NotApplicable { .. }))
            .map(|w| w.pointer.as_str())
            .collect();
        let mut record = Vec::new();
        collect(entity, String::new(), &self.scopes, &off, &mut record);
        for (sig, flags) in record {
            self.applies.entry(sig).or_insert(flags);
        }
        Ok(())
    }

    /// Writes `inst` (the entity when `entity` is given: id and name) as JSON.
    fn render(
        &self,
        inst: &Inst,
        shape: &Shape,
        rng: &mut Rng,
        out: &mut String,
        entity: Option<(usize, &str)>,
    ) {
        let (colon, comma) = if shape.pretty { (": ", ", ") } else { (":", ",") };
        out.push('{');
        if inst.scope == 0 {
            let m = self.model;
            let id = entity.map_or("probe".to_string(), |(i, _)| format!("e{i:07}"));
            let _ = write!(
                out,
                "\"rubric\"{colon}{}{comma}\"version\"{colon}{}{comma}\"entity\"{colon}{{\"id\"{colon}\"{id}\"{comma}",
                json_str(&m.id, false),
                json_str(&m.version, false)
            );
            if let Some((_, name)) = entity.filter(|_| shape.escapes) {
                let _ = write!(out, "\"name\"{colon}{}{comma}", json_str(name, true));
            }
            out.push_str("\"profile\"");
            out.push_str(colon);
            profile(out, &inst.profile, colon, comma);
            out.push('}');
            out.push_str(comma);
        } else {
            if let Some(k) = &inst.key {
                let _ = write!(out, "\"key\"{colon}{}{comma}", json_str(k, shape.escapes));
            }
            out.push_str("\"profile\"");
            out.push_str(colon);
            profile(out, &inst.profile, colon, comma);
            out.push_str(comma);
        }
        out.push_str("\"answers\"");
        out.push_str(colon);
        out.push('{');
        let flags = self.applies.get(&inst.sig);
        let crits = self
            .scopes
            .get(&inst.scope)
            .map_or(&[] as &[Crit], |s| s.crits.as_slice());
        let mut pairs: Vec<(&str, String)> = Vec::with_capacity(crits.len());
        for (j, (c, v)) in crits.iter().zip(&inst.values).enumerate() {
            let applies = flags.is_none_or(|f| f.get(j).copied().unwrap_or(true));
            if entity.is_none() {
                pairs.push((&c.id, v.clone()));
                continue;
            }
            let v = if applies {
                if c.may_omit && rng.chance(shape.missing) {
                    continue;
                }
                if c.may_omit && rng.chance(shape.nulls) {
                    "null".to_string()
                } else {
                    match &c.na {
                        Some(na) if rng.chance(shape.na) => na.clone(),
                        _ => v.clone(),
                    }
                }
            } else if rng.chance(shape.stray) {
                v.clone()
            } else {
                continue;
            };
            pairs.push((&c.id, v));
        }
        if shape.shuffle {
            for k in (1..pairs.len()).rev() {
                pairs.swap(k, rng.below(k + 1));
            }
        }
        for (k, (id, v)) in pairs.iter().enumerate() {
            if k > 0 {
                out.push_str(comma);
            }
            let _ = write!(out, "{}{colon}{v}", json_str(id, false));
        }
        out.push('}');
        if !inst.children.is_empty() {
            let _ = write!(out, "{comma}\"instances\"{colon}{{");
            for (k, (id, insts)) in inst.children.iter().enumerate() {
                if k > 0 {
                    out.push_str(comma);
                }
                let _ = write!(out, "{}{colon}[", json_str(id, false));
                for (j, c) in insts.iter().enumerate() {
                    if j > 0 {
                        out.push_str(comma);
                    }
                    self.render(c, shape, rng, out, entity);
                }
                out.push(']');
            }
            out.push('}');
        }
        out.push('}');
    }
}

fn profile(out: &mut String, fields: &[(String, String)], colon: &str, comma: &str) {
    out.push('{');
    for (k, (n, t)) in fields.iter().enumerate() {
        if k > 0 {
            out.push_str(comma);
        }
        let _ = write!(out, "{}{colon}{t}", json_str(n, false));
    }
    out.push('}');
}

/// The applicability flags of `inst` and its instances, from the pointers
/// of the probe's M0412 warnings.
fn collect(
    inst: &Inst,
    prefix: String,
    scopes: &HashMap<NodeIx, Scope>,
    off: &[&str],
    out: &mut Vec<(String, Vec<bool>)>,
) {
    let crits = scopes
        .get(&inst.scope)
        .map_or(&[] as &[Crit], |s| s.crits.as_slice());
    let flags = crits
        .iter()
        .map(|c| {
            let p = format!("{prefix}/answers/{}", c.token);
            !off.contains(&p.as_str())
        })
        .collect();
    out.push((inst.sig.clone(), flags));
    for (id, insts) in &inst.children {
        let tok = id.replace('~', "~0").replace('/', "~1");
        for (j, c) in insts.iter().enumerate() {
            collect(c, format!("{prefix}/instances/{tok}/{j}"), scopes, off, out);
        }
    }
}

/// Writes `n` answer sets of `shape` for `rubric`, one a line.
pub fn write(rubric: &mizan::Rubric, shape: &Shape, n: usize, out: &mut impl Write) -> io::Result<()> {
    let model = rubric.model();
    let mut g = Gener {
        model,
        rubric,
        scopes: Rc::new(scopes(model)),
        applies: HashMap::new(),
        rng: Rng(shape.seed),
    };
    // A separate stream for the shape's choices, so that the answer values
    // are the same whatever the shape.
    let mut rng = Rng(shape.seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut line = String::new();
    for i in 0..n {
        let entity = g.build(0, "", i, None, &[]);
        if !g.known(&entity) {
            g.probe(&entity)?;
        }
        line.clear();
        let name = NAMES.get(i % NAMES.len()).copied().unwrap_or("");
        g.render(&entity, shape, &mut rng, &mut line, Some((i, name)));
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// A generated rubric of about `criteria` criteria in groups of ~50: choice
/// criteria (3–5 weighted options), yes/no, multi-choice and bounded
/// numbers; N/A on some, `missing worst` on some, `applies when` on a
/// profile enum on ~20 %; weighted mean and mean; population mean.
pub fn large_rubric(criteria: usize) -> String {
    let mut s = String::new();
    let groups = criteria.div_ceil(50).max(1);
    let _ = writeln!(
        s,
        "mizan 1\n\n# Generated by benches/support/workload.rs (large_rubric({criteria})): a\n# benchmark rubric, not a real one.\nrubric bench.large {{\n  version \"1\"\n  title en \"Generated benchmark rubric ({criteria} criteria)\"\n  precision 2\n  missing error\n"
    );
    s.push_str("  profile {\n    tier: one of federal, local, private en \"Tier\"\n  }\n\n");
    s.push_str("  scale ypn {\n    yes 1 en \"Yes\"\n    partial 0.5 en \"Partial\"\n    no 0 en \"No\"\n    na n/a en \"Not applicable\"\n  }\n");
    s.push_str("  scale level5 {\n    l4 1 en \"Optimised\"\n    l3 0.75 en \"Managed\"\n    l2 0.5 en \"Defined\"\n    l1 0.25 en \"Initial\"\n    l0 0 en \"None\"\n  }\n");
    s.push_str(
        "  scale freq {\n    daily 1\n    weekly 0.6\n    monthly 0.2\n    never 0\n    na n/a\n  }\n",
    );
    s.push_str("  scale channels {\n    web 1\n    app 0.6\n    kiosk 0.3\n    phone 0.1\n  }\n\n");
    s.push_str("  aggregate weighted_mean\n\n");
    let mut k = 0usize;
    for g in 0..groups {
        let weight = 1 + g % 3;
        let agg = if g % 2 == 0 { "weighted_mean" } else { "mean" };
        let _ = writeln!(
            s,
            "  group g{g:02} {{\n    title en \"Group {g}\"\n    weight {weight}\n    aggregate {agg}"
        );
        if g % 4 == 3 {
            s.push_str("    missing worst\n");
        }
        let here = (criteria - k).min(50);
        for c in 0..here {
            let id = format!("g{g:02}.c{c:02}");
            let mut body = String::new();
            let w = 1 + (k * 7) % 3;
            match k % 10 {
                0 | 3 | 6 => body.push_str("choice ypn"),
                1 | 7 => body.push_str("choice level5"),
                2 => body.push_str("choice freq"),
                4 => body.push_str("yesno"),
                5 => body.push_str("multi channels"),
                8 => body.push_str("number percent 0..100\n      score value / 100"),
                _ => body.push_str(
                    "choice {\n        full 1\n        most 0.7\n        some 0.3\n        none 0\n      }",
                ),
            }
            if k % 20 == 4 || k % 20 == 8 {
                body.push_str("\n      na allowed");
            }
            if k % 5 == 2 {
                let cond = match k % 3 {
                    0 => "tier == federal",
                    1 => "tier != private",
                    _ => "tier in [local, private]",
                };
                let _ = write!(body, "\n      applies when {cond}");
            }
            if k % 13 == 5 && g % 4 != 3 {
                body.push_str("\n      missing worst");
            }
            let _ = writeln!(s, "    criterion {id} {{\n      weight {w}\n      {body}\n    }}");
            k += 1;
        }
        s.push_str("  }\n");
    }
    s.push_str("  population {\n    aggregate mean\n  }\n}\n");
    s
}
