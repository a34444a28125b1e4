//! Stage 4: plan + submissions → results.
//!
//! Evaluation of one entity runs in three steps:
//!
//! 1. **Applicability**, top-down: a node applies when its parent applies and
//!    its `applies when` condition holds on the entity's profile. A node that
//!    does not apply is N/A by rule; an answer given for it is a warning.
//! 2. **Scores**, in the plan's order (every node after what it reads). A
//!    criterion's value is its option weight, combined multi-choice weights,
//!    the number, or 1/0 for yes/no; its `score` formula, if any, maps that
//!    value to the score. A missing answer follows the `missing` policy.
//! 3. **Groups** combine their inputs under their N/A policy: `exclude`
//!    drops N/A inputs from numerator and denominator, `full` counts them as
//!    1, `zero` as 0. Inputs ruled out by the profile are always dropped. A
//!    group with no input left is itself N/A, and its parent's policy
//!    applies to it.
//!
//! Arithmetic is exact ([`Decimal`]); overflow and division by zero are
//! errors for the entity, never silent.

use rust_decimal::Decimal;
use smallvec::SmallVec;

use crate::answers::{
    Answer, AnswerError, Answers, Instance, InstanceSet, ProfileValue, Rejection, Submission,
};
use crate::model::*;
pub use crate::plan::{NaReason, Outcome};
use crate::plan::{Op, Part, Plan, Program};

mod batch;
mod constraint;
mod exact_sum;
mod fast;
mod gains;
pub use gains::{gains, Gain};
mod headlines;
pub mod inputs;
pub use headlines::{headline_population, headline_values, HeadlineTally};
mod seen;
pub mod stream;
pub use batch::{evaluate_batch, evaluate_inputs, evaluate_values, Batch};

/// The result of one entity.
#[derive(Debug, Clone)]
pub struct EntityResult {
    /// The submission it was computed from.
    pub submission: Submission,
    /// Outcome of every node, by node index (0 is the entity's score).
    pub outcomes: Vec<Outcome>,
    /// For groups: `(achieved, target)`, the sum of counted input scores
    /// and the number of counted inputs, as used by the aggregation.
    pub sums: Vec<Option<(Decimal, Decimal)>>,
    /// Warnings (e.g. answers for criteria that do not apply).
    pub warnings: Vec<Rejection>,
    /// Results of the instances of repeated nodes directly in the rubric.
    pub instances: Vec<InstanceSetResult>,
}

/// The results of the instances of one repeated node.
#[derive(Debug, Clone)]
pub struct InstanceSetResult {
    /// The repeated node.
    pub node: NodeIx,
    /// One result per instance, in input order.
    pub items: Vec<InstanceResult>,
}

/// The result of one instance.
#[derive(Debug, Clone)]
pub struct InstanceResult {
    /// The instance key.
    pub key: String,
    /// Outcomes of the repeated node's subtree, from the node itself
    /// (index `node`) to the end of its subtree.
    pub outcomes: Vec<Outcome>,
    /// Results of the instances nested in this one.
    pub instances: Vec<InstanceSetResult>,
}

impl EntityResult {
    /// The entity's overall score.
    pub fn score(&self) -> Option<Decimal> {
        self.outcomes.first().and_then(|o| o.score())
    }
}

/// The population level across the entities of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationResult {
    /// The population score (`None` when no entity has a score).
    pub score: Option<Decimal>,
    /// Number of entities with a score.
    pub entities: usize,
}

/// Runtime values of expressions.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Num(Decimal),
    Bool(bool),
    Opt(usize),
    Set(Vec<usize>),
    Enum(usize),
    Str(String),
    List(Vec<Val>),
    Na,
}

/// The per-instance values of a repeated node, for `where` lists.
struct Listed {
    repeated: NodeIx,
    /// The profile each instance is scored on.
    profiles: Vec<Vec<Option<ProfileValue>>>,
    /// The instances' results (outcomes of the subtree from `repeated`),
    /// in the same order: the scope's results once it is scored.
    items: Vec<InstanceResult>,
}

impl Listed {
    /// `(profile, outcomes)` per instance.
    fn each(&self) -> impl Iterator<Item = (&[Option<ProfileValue>], &[Outcome])> {
        self.profiles
            .iter()
            .zip(&self.items)
            .map(|(p, i)| (p.as_slice(), i.outcomes.as_slice()))
    }
}

/// What a formula can see.
struct Env<'a> {
    profile: &'a [Option<ProfileValue>],
    answers: Option<&'a Answers>,
    /// Which nodes apply (empty: all): `answer(c)` of a criterion that
    /// does not apply is N/A.
    applies: &'a [bool],
    outcomes: &'a [Outcome],
    lets: &'a [Val],
    vars: &'a [(Var, Val)],
    lists: &'a [Listed],
    node: &'a str,
    /// Formulas by the fast path ([`fast`]), the reference evaluator
    /// where it declines; else by the reference alone.
    fast: bool,
}

impl<'a> Env<'a> {
    /// What a condition on the profile sees (`applies when`, a `repeated …
    /// when`, a named value): the profile and the named values so far,
    /// nothing of the answers or scores.
    fn on_profile(profile: &'a [Option<ProfileValue>], lets: &'a [Val], node: &'a str) -> Self {
        Env {
            profile,
            answers: None,
            applies: &[],
            outcomes: &[],
            lets,
            vars: &[],
            lists: &[],
            node,
            fast: false,
        }
    }
}

/// The data of one scope: the entity, or one instance of a repeated node.
struct ScopeData<'a> {
    scope: NodeIx,
    profile: &'a [Option<ProfileValue>],
    answers: &'a Answers,
    instances: &'a [InstanceSet],
    /// JSON pointer prefix of the scope in its answer set.
    pointer: &'a str,
    /// Whether this scope's constraints are judged (not on the answers
    /// `repeated best` merges from several instances).
    judged: bool,
}

/// What evaluating one scope gives.
struct ScopeOut {
    outcomes: Vec<Outcome>,
    sums: Vec<Option<(Decimal, Decimal)>>,
    instances: Vec<InstanceSetResult>,
}

/// Shared state of one entity's evaluation.
struct Run<'a> {
    plan: &'a Plan,
    sub: &'a Submission,
    lets: Vec<Val>,
    errors: Vec<Rejection>,
    warnings: Vec<Rejection>,
    /// Score node by node, without the compiled program.
    general: bool,
    /// Buffers of scopes already scored (instances), for the next scope:
    /// every instance would otherwise allocate three arrays over every
    /// node of the rubric.
    spare: Spare,
}

/// A group's `(achieved, target)`, when it has them.
type GroupSums = Option<(Decimal, Decimal)>;

/// Buffers [`eval_scope`] gives back for reuse.
#[derive(Default)]
struct Spare {
    applies: Vec<Vec<bool>>,
    /// Outcomes and sums of instances, with the repeated node they were
    /// scored for: a scope writes only inside its subtree, so a buffer of
    /// the same scope needs only that range reset.
    outcomes: Vec<(NodeIx, Vec<Outcome>)>,
    sums: Vec<(NodeIx, Vec<GroupSums>)>,
    /// Profiles of instances.
    profiles: Vec<Vec<Option<ProfileValue>>>,
}

thread_local! {
    /// The buffers of the last entity scored on this thread.
    static SPARE: std::cell::RefCell<Spare> = std::cell::RefCell::new(Spare::default());
}

impl Spare {
    /// The buffers left on this thread, as buffers of no scope (the next
    /// entity may be of another plan: each is refilled whole once).
    fn take() -> Spare {
        let mut spare = SPARE
            .with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)).ok())
            .unwrap_or_default();
        for (scope, _) in &mut spare.outcomes {
            *scope = NodeIx::MAX;
        }
        for (scope, _) in &mut spare.sums {
            *scope = NodeIx::MAX;
        }
        spare
    }

    /// Leaves these buffers on this thread for the next entity.
    fn keep(&mut self) {
        let spare = std::mem::take(self);
        SPARE.with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                *s = spare;
            }
        });
    }
}

/// A buffer of `n` copies of `x`, from `pool`: one that scope `scope` used
/// needs only its subtree `range` reset (the scope writes nothing else),
/// any other is refilled whole.
fn take<T: Clone>(
    pool: &mut Vec<(NodeIx, Vec<T>)>,
    scope: NodeIx,
    range: std::ops::Range<usize>,
    n: usize,
    x: T,
) -> Vec<T> {
    if let Some(at) = pool.iter().rposition(|(s, v)| *s == scope && v.len() == n) {
        let (_, mut v) = pool.swap_remove(at);
        if let Some(slots) = v.get_mut(range) {
            slots.fill(x);
            return v;
        }
        return refill(v, n, x);
    }
    refill(pool.pop().map(|(_, v)| v).unwrap_or_default(), n, x)
}

/// `v` emptied and filled with `n` copies of `x`.
fn refill<T: Clone>(mut v: Vec<T>, n: usize, x: T) -> Vec<T> {
    v.clear();
    v.resize(n, x);
    v
}

impl Run<'_> {
    fn fail(&self, error: AnswerError, pointer: String) -> Rejection {
        Rejection {
            origin: self.sub.origin.clone(),
            entity: Some(self.sub.entity.clone()),
            pointer,
            error,
        }
    }
}

/// Evaluates one submission.
pub fn evaluate(plan: &Plan, sub: Submission) -> Result<EntityResult, Vec<Rejection>> {
    evaluate_with(plan, sub, false)
}

/// Evaluates one submission node by node, without the plan's compiled
/// program: the straightforward evaluator that [`evaluate`] is tested
/// against (it gives the same results, more slowly).
pub fn evaluate_general(plan: &Plan, sub: Submission) -> Result<EntityResult, Vec<Rejection>> {
    evaluate_with(plan, sub, true)
}

/// The missing answers (M0410) of a submission that reading rejected, with
/// what it could read: reported with the other problems, so that one round
/// of fixes is enough. Profile fields that could not be read leave the
/// criteria that depend on them out (never a missing answer too many).
pub(crate) fn missing(plan: &Plan, sub: Submission) -> Vec<Rejection> {
    match evaluate_with(plan, sub, true) {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .into_iter()
            .filter(|e| matches!(e.error, AnswerError::Missing { .. }))
            .collect(),
    }
}

fn evaluate_with(plan: &Plan, sub: Submission, general: bool) -> Result<EntityResult, Vec<Rejection>> {
    let model = plan.model();
    let mut run = Run {
        plan,
        sub: &sub,
        lets: Vec::with_capacity(model.lets.len()),
        errors: Vec::new(),
        warnings: Vec::new(),
        general,
        spare: Spare::take(),
    };
    // Named values, on the entity's profile.
    for l in &model.lets {
        let env = Env::on_profile(&sub.profile, &run.lets, &l.name);
        let v = eval(&env, &l.expr).map_err(|e| vec![run.fail(e, String::new())])?;
        run.lets.push(v);
    }
    let data = ScopeData {
        scope: 0,
        profile: &sub.profile,
        answers: &sub.answers,
        instances: &sub.instances,
        pointer: "",
        judged: true,
    };
    let out = eval_scope(&mut run, &data);
    run.spare.keep();
    let (errors, warnings) = (run.errors, run.warnings);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(EntityResult {
        submission: sub,
        outcomes: out.outcomes,
        sums: out.sums,
        warnings,
        instances: out.instances,
    })
}

/// Evaluates the nodes of one scope (and, first, the instances of the
/// repeated nodes directly inside it).
fn eval_scope(run: &mut Run<'_>, d: &ScopeData<'_>) -> ScopeOut {
    let plan = run.plan;
    let model = plan.model();
    let n = model.nodes.len();
    let walk = plan.scope(d.scope);
    // 1. Applicability, top-down: nodes are in pre-order, so a node whose
    // condition fails takes its whole subtree `ix..end` with it, and a
    // condition under a node that does not apply is not evaluated.
    let mut applies = refill(run.spare.applies.pop().unwrap_or_default(), n, true);
    for &ix in &walk.conditional {
        if !applies.get(ix).copied().unwrap_or(true) {
            continue;
        }
        let Some(node) = model.nodes.get(ix) else { continue };
        let Some(cond) = &node.applies else { continue };
        // Decided once per rubric where it reads only a few enum and
        // yes/no fields (not by the general evaluator, the reference).
        let decided = match plan.condition(ix) {
            Some(t) if !run.general => t.holds(d.profile),
            _ => None,
        };
        let holds = decided.unwrap_or_else(|| {
            let env = Env::on_profile(d.profile, &run.lets, &node.id);
            match eval(&env, cond) {
                Ok(v) => v == Val::Bool(true),
                Err(e) => {
                    let r = run.fail(e, String::new());
                    run.errors.push(r);
                    false
                }
            }
        });
        if !holds {
            applies.get_mut(ix..node.end).unwrap_or_default().fill(false);
        }
    }
    // The scope's subtree: all that this call writes.
    let scope_range = d.scope..model.nodes.get(d.scope).map_or(n, |x| x.end);
    let mut outcomes = take(
        &mut run.spare.outcomes,
        d.scope,
        scope_range.clone(),
        n,
        Outcome::Na(NaReason::NotApplicable),
    );
    let mut sums = take(&mut run.spare.sums, d.scope, scope_range.clone(), n, None);
    // 2. Instances of the repeated nodes directly inside this scope.
    let mut lists: Vec<Listed> = Vec::new();
    for &r in &walk.repeated {
        let Some(rnode) = model.nodes.get(r) else { continue };
        let Some(repeat) = &rnode.repeat else { continue };
        if !rnode.parent.and_then(|p| applies.get(p).copied()).unwrap_or(true) {
            continue;
        }
        let items: &[Instance] = d
            .instances
            .iter()
            .find(|s| s.node == r)
            .map_or(&[], |s| s.items.as_slice());
        let mut listed = Listed {
            repeated: r,
            profiles: Vec::with_capacity(items.len()),
            items: Vec::with_capacity(items.len()),
        };
        for inst in items {
            let mut profile = run.spare.profiles.pop().unwrap_or_default();
            profile.clear();
            profile.extend_from_slice(d.profile);
            for (fi, v) in &inst.fields {
                if let Some(slot) = profile.get_mut(*fi) {
                    *slot = Some(v.clone());
                }
            }
            let sd = ScopeData {
                scope: r,
                profile: &profile,
                answers: &inst.answers,
                instances: &inst.instances,
                pointer: &inst.pointer,
                judged: true,
            };
            let out = eval_scope(run, &sd);
            let slice = out.outcomes.get(r..rnode.end).unwrap_or_default().to_vec();
            run.spare.outcomes.push((r, out.outcomes));
            run.spare.sums.push((r, out.sums));
            listed.items.push(InstanceResult {
                key: inst.key.clone(),
                outcomes: slice,
                instances: out.instances,
            });
            listed.profiles.push(profile);
        }
        // Which rule combines them here.
        let rule = match &repeat.switch {
            None => repeat.rule,
            Some((cond, other)) => {
                let env = Env::on_profile(d.profile, &run.lets, &rnode.id);
                match eval(&env, cond) {
                    Ok(Val::Bool(true)) => repeat.rule,
                    Ok(_) => *other,
                    Err(e) => {
                        let rj = run.fail(e, d.pointer.to_string());
                        run.errors.push(rj);
                        *other
                    }
                }
            }
        };
        let combined: Vec<Outcome> = if items.is_empty() {
            vec![Outcome::Na(NaReason::NoInstances); rnode.end - r]
        } else {
            match rule {
                InstanceRule::Mean => {
                    let slots = outcomes.get_mut(r..rnode.end).unwrap_or_default();
                    combine_mean(&listed, slots);
                    Vec::new()
                }
                InstanceRule::Best => {
                    let merged = merge_best(model, r, items);
                    let mut profile = d.profile.to_vec();
                    if let Some(first) = items.first() {
                        for (fi, v) in &first.fields {
                            if let Some(slot) = profile.get_mut(*fi) {
                                *slot = Some(v.clone());
                            }
                        }
                    }
                    let nested: Vec<InstanceSet> = merge_nested(items);
                    let sd = ScopeData {
                        scope: r,
                        profile: &profile,
                        answers: &merged,
                        instances: &nested,
                        pointer: items.first().map_or("", |i| i.pointer.as_str()),
                        judged: false,
                    };
                    let out = eval_scope(run, &sd);
                    let merged = out.outcomes.get(r..rnode.end).unwrap_or_default().to_vec();
                    run.spare.outcomes.push((r, out.outcomes));
                    run.spare.sums.push((r, out.sums));
                    merged
                }
            }
        };
        for (k, o) in combined.into_iter().enumerate() {
            if let Some(slot) = outcomes.get_mut(r + k) {
                *slot = o;
            }
        }
        lists.push(listed);
    }
    // 3. Scores of this scope's nodes, in plan order: by the compiled
    // program where the rubric has one, else node by node.
    let mut at = At {
        d,
        applies: &applies,
        outcomes: &mut outcomes,
        sums: &mut sums,
        lists: &lists,
    };
    match plan.program_of(d.scope).filter(|_| !run.general) {
        Some(program) => run_program(run, &mut at, program),
        None => {
            for &ix in &walk.order {
                at.node(run, ix);
            }
        }
    }
    // 4. Constraints, on every path, once every node is scored.
    if d.judged {
        at.constraints(run);
    }
    run.spare.applies.push(applies);
    let mut instance_results = Vec::with_capacity(lists.len());
    for l in lists {
        run.spare.profiles.extend(l.profiles);
        instance_results.push(InstanceSetResult {
            node: l.repeated,
            items: l.items,
        });
    }
    ScopeOut {
        outcomes,
        sums,
        instances: instance_results,
    }
}

/// Where step 3 of [`eval_scope`] writes: the scope's data, applicability
/// and the outcomes so far.
struct At<'s, 'a> {
    d: &'s ScopeData<'a>,
    applies: &'s [bool],
    outcomes: &'s mut Vec<Outcome>,
    sums: &'s mut Vec<Option<(Decimal, Decimal)>>,
    lists: &'s [Listed],
}

impl At<'_, '_> {
    fn set(&mut self, ix: NodeIx, o: Outcome) {
        if let Some(slot) = self.outcomes.get_mut(ix) {
            *slot = o;
        }
    }

    /// Whether node `ix` applies; if it does not, an answer given for it is
    /// a warning (and its outcome stays "does not apply").
    fn applies(&self, run: &mut Run<'_>, ix: NodeIx) -> bool {
        if self.applies.get(ix).copied().unwrap_or(true) {
            return true;
        }
        if self.d.answers.get(ix).is_some() {
            let id = run.plan.model().nodes.get(ix).map_or("", |n| n.id.as_str());
            let w = run.fail(
                AnswerError::NotApplicable { id: id.to_string() },
                answer_pointer(self.d.pointer, id),
            );
            run.warnings.push(w);
        }
        false
    }

    /// Scores node `ix` the general way.
    fn node(&mut self, run: &mut Run<'_>, ix: NodeIx) {
        let plan = run.plan;
        let d = self.d;
        let Some(node) = plan.model().nodes.get(ix) else {
            return;
        };
        if !self.applies(run, ix) {
            return;
        }
        let answer = d.answers.get(ix);
        let sc = Env {
            profile: d.profile,
            answers: Some(d.answers),
            applies: self.applies,
            outcomes: self.outcomes,
            lets: &run.lets,
            vars: &[],
            lists: self.lists,
            node: &node.id,
            fast: !run.general,
        };
        if let Some(cond) = &node.requires {
            match eval_env(&sc, cond) {
                Ok(Val::Bool(true)) => {}
                Ok(_) => {
                    self.set(ix, Outcome::Na(NaReason::Gated));
                    return;
                }
                Err(e) => {
                    let r = run.fail(e, String::new());
                    run.errors.push(r);
                    return;
                }
            }
        }
        let out = match &node.kind {
            NodeKind::Criterion(c) => criterion(&sc, node, c, answer).map(|o| (o, None)),
            NodeKind::Group(g) => group(plan, &sc, ix, g, self.applies),
        };
        self.record(run, ix, out);
    }

    /// Records a node's outcome (and a group's sums), or its error.
    fn record(
        &mut self,
        run: &mut Run<'_>,
        ix: NodeIx,
        out: Result<(Outcome, Option<(Decimal, Decimal)>), AnswerError>,
    ) {
        match out {
            Ok((o, sums)) => {
                self.set(ix, o);
                if let Some(slot) = self.sums.get_mut(ix) {
                    *slot = sums;
                }
            }
            Err(e) => {
                let p = match &e {
                    AnswerError::Missing { id } => answer_pointer(self.d.pointer, id),
                    _ => self.d.pointer.to_string(),
                };
                let r = run.fail(e, p);
                run.errors.push(r);
            }
        }
    }
}

/// The JSON pointer of the answer to `id` in the scope at `scope`.
fn answer_pointer(scope: &str, id: &str) -> String {
    format!("{scope}/answers/{}", crate::answers::pointer_token(id))
}

static NA_ANSWERED: Outcome = Outcome::Na(NaReason::Answered);

/// Step 3 of [`eval_scope`] by the compiled program: an option answer is
/// one look-up, a built-in group one pass over its inputs; every other
/// node is scored the general way.
fn run_program(run: &mut Run<'_>, at: &mut At<'_, '_>, program: &Program) {
    let plan = run.plan;
    // The sums of the groups scored so far, for parents that reuse them
    // (a group that does not apply keeps none).
    let mut partials = vec![Partial::EMPTY; program.slots];
    for op in &program.ops {
        match *op {
            Op::Criterion { ix, options, count } => {
                if !at.applies(run, ix) {
                    continue;
                }
                let o = match at.d.answers.get(ix) {
                    // The outcome fixed in the program, copied from it.
                    Some(Answer::Option(i)) => match program.chosen(options, count, *i) {
                        Some(o) => o,
                        None => {
                            at.node(run, ix);
                            continue;
                        }
                    },
                    Some(Answer::Na) => &NA_ANSWERED,
                    // Yes is 1 and no 0; a number in [0, 1] is its score.
                    Some(Answer::Bool(b)) => {
                        at.set(ix, Outcome::Score(Decimal::from(u8::from(*b))));
                        continue;
                    }
                    Some(Answer::Number(d)) if unit(*d) => {
                        at.set(ix, Outcome::Score(*d));
                        continue;
                    }
                    _ => {
                        at.node(run, ix);
                        continue;
                    }
                };
                if let Some(slot) = at.outcomes.get_mut(ix) {
                    *slot = *o;
                }
            }
            Op::Group {
                ix,
                inputs,
                aggregate,
                na,
                parts,
            } => {
                if !at.applies(run, ix) {
                    continue;
                }
                let inputs = program.inputs(inputs);
                let (gathered, part) = match parts {
                    None => gather(plan, inputs, aggregate, na, at.applies, at.outcomes),
                    Some(parts) => {
                        let counted = |i| counted(i, na, at.applies, at.outcomes);
                        let mut part = Partial::EMPTY;
                        for p in program.parts(parts) {
                            match *p {
                                Part::Child(slot) => {
                                    part.then(partials.get(slot as usize).unwrap_or(&Partial::EMPTY));
                                }
                                Part::Inputs(start, end) => {
                                    for &i in program.inputs((start, end)) {
                                        if let Some((s, has_value)) = counted(i) {
                                            part.add(s, has_value);
                                        }
                                    }
                                }
                            }
                        }
                        (part.gathered(|| fold_counted(inputs, counted)), part)
                    }
                };
                if let Some(slot) = program.slot(ix).and_then(|s| partials.get_mut(s)) {
                    *slot = part;
                }
                let out = builtin(plan.model(), ix, aggregate, &gathered);
                at.record(run, ix, out);
            }
            Op::Scaled { ix, by, divide } => {
                if !at.applies(run, ix) {
                    continue;
                }
                // As `criterion` scores it: the value scaled, in [0, 1].
                let value = match at.d.answers.get(ix) {
                    Some(Answer::Number(d)) => *d,
                    Some(Answer::Bool(b)) => Decimal::from(u8::from(*b)),
                    Some(Answer::Na) => {
                        at.set(ix, NA_ANSWERED);
                        continue;
                    }
                    _ => {
                        at.node(run, ix);
                        continue;
                    }
                };
                let score = if divide {
                    value.checked_div(by)
                } else {
                    value.checked_mul(by)
                };
                match score {
                    Some(s) if unit(s) => at.set(ix, Outcome::Score(s)),
                    _ => at.node(run, ix),
                }
            }
            Op::General(ix) => at.node(run, ix),
        }
    }
}

/// `repeated mean`: each node's value is the mean of its instance values
/// that exist; with none, the instances' common reason (or "every input is
/// N/A").
fn combine_mean(listed: &Listed, slots: &mut [Outcome]) {
    for (k, slot) in slots.iter_mut().enumerate() {
        *slot = {
            let mut sum = Decimal::ZERO;
            let mut count = 0u32;
            let mut reason: Option<NaReason> = None;
            let mut mixed = false;
            for item in &listed.items {
                match item.outcomes.get(k) {
                    Some(Outcome::Score(s)) => {
                        sum = sum.checked_add(*s).unwrap_or(sum);
                        count += 1;
                    }
                    Some(Outcome::Na(r)) => match reason {
                        None => reason = Some(*r),
                        Some(x) if x != *r => mixed = true,
                        Some(_) => {}
                    },
                    None => {}
                }
            }
            if count > 0 {
                sum.checked_div(Decimal::from(count))
                    .map_or(Outcome::Na(NaReason::Formula), Outcome::Score)
            } else if mixed {
                Outcome::Na(NaReason::AllInputsNa)
            } else {
                Outcome::Na(reason.unwrap_or(NaReason::NoInstances))
            }
        };
    }
}

/// `repeated best`: per criterion of the repeated node's own scope, the
/// best answer over the instances: the highest value, then an N/A answer,
/// then an ignored option; an unanswered instance under `missing worst`
/// counts as the worst option.
fn merge_best(model: &Model, r: NodeIx, items: &[Instance]) -> Answers {
    let end = model.nodes.get(r).map_or(r, |n| n.end);
    let mut merged = Answers::new(r..end);
    for ix in r..end {
        let Some(node) = model.nodes.get(ix) else { continue };
        let NodeKind::Criterion(c) = &node.kind else {
            continue;
        };
        if node.scope != r {
            continue;
        }
        let rank = |a: &Answer| -> (u8, Decimal) {
            match a {
                Answer::Na => (1, Decimal::ZERO),
                Answer::Option(i) if c.answer.options().get(*i).is_some_and(|o| o.ignored) => {
                    (0, Decimal::ZERO)
                }
                other => (2, base_value(c, other)),
            }
        };
        let worst = || -> Option<Answer> {
            // The worst combination of a multi is the empty set.
            if let AnswerKind::Multi { .. } = c.answer {
                return Some(Answer::Set(Vec::new()));
            }
            let opts = c.answer.options();
            let (i, _) = opts
                .iter()
                .enumerate()
                .filter_map(|(i, o)| Some((i, o.weight?)))
                .min_by_key(|(_, w)| *w)?;
            Some(Answer::Option(i))
        };
        let mut best: Option<(Answer, (u8, Decimal))> = None;
        for inst in items {
            let a = match inst.answers.get(ix) {
                Some(a) => a.clone(),
                None if node.missing == MissingPolicy::Worst => match worst() {
                    Some(w) => w,
                    None => continue,
                },
                None => continue,
            };
            let k = rank(&a);
            if best.as_ref().is_none_or(|(_, bk)| k > *bk) {
                best = Some((a, k));
            }
        }
        merged.set(ix, best.map(|(a, _)| a));
    }
    merged
}

/// The nested instances of merged instances: all of them, per node.
fn merge_nested(items: &[Instance]) -> Vec<InstanceSet> {
    let mut out: Vec<InstanceSet> = Vec::new();
    for inst in items {
        for set in &inst.instances {
            match out.iter_mut().find(|s| s.node == set.node) {
                Some(s) => s.items.extend(set.items.iter().cloned()),
                None => out.push(set.clone()),
            }
        }
    }
    out
}

fn criterion(
    env: &Env<'_>,
    node: &NodeDef,
    c: &Criterion,
    answer: Option<&Answer>,
) -> Result<Outcome, AnswerError> {
    if matches!(c.target, Some(None)) {
        return Ok(Outcome::Na(NaReason::NoTarget));
    }
    // A code answers a number (as that number), N/A, or nothing.
    let answer = match answer {
        Some(Answer::Code(i, _)) => match c.answer.code(*i).map(|k| k.means) {
            Some(CodeValue::Na) => return Ok(Outcome::Na(NaReason::Answered)),
            Some(CodeValue::Missing) | None => None,
            Some(CodeValue::Value(_)) => answer,
        },
        _ => answer,
    };
    let value = match answer {
        Some(Answer::Na) => return Ok(Outcome::Na(NaReason::Answered)),
        Some(Answer::Option(i)) if c.answer.options().get(*i).is_some_and(|o| o.ignored) => {
            return Ok(Outcome::Na(NaReason::Ignored))
        }
        None => match node.missing {
            MissingPolicy::Error => return Err(AnswerError::Missing { id: node.id.clone() }),
            MissingPolicy::Na => return Ok(Outcome::Na(NaReason::Missing)),
            MissingPolicy::Worst => c.worst_value(),
        },
        Some(a) => base_value(c, a),
    };
    let score = match &c.score {
        None => value,
        Some(f) if answer.is_none() => {
            // `missing worst` on a formula criterion: the worst score is 0.
            let _ = f;
            Decimal::ZERO
        }
        Some(f) => {
            let vars = [
                (Var::Value, Val::Num(value)),
                (Var::Baseline, c.baseline.map_or(Val::Na, Val::Num)),
                (Var::Target, c.target.flatten().map_or(Val::Na, Val::Num)),
            ];
            match formula(env, &vars, f)? {
                Some(d) => d,
                None => return Ok(Outcome::Na(NaReason::Formula)),
            }
        }
    };
    let inside = match node.unit {
        crate::model::Unit::Percent => unit(score),
        u => u.contains(score),
    };
    if !inside {
        return Err(AnswerError::ScoreOutOfRange {
            id: node.id.clone(),
            value: score.normalize().to_string(),
            range: match node.unit {
                crate::model::Unit::Percent => "0..1".to_string(),
                u => format!("{} ({})", u.range_text(), u.name()),
            },
        });
    }
    Ok(Outcome::Score(score))
}

/// Whether `d` is in [0, 1], without the rescaling a general decimal
/// comparison does (this runs for every criterion of every entity):
/// `d = m / 10^s` is at most 1 exactly when `m <= 10^s`.
fn unit(d: Decimal) -> bool {
    let m = d.mantissa();
    if m <= 0 {
        return m == 0;
    }
    POW10.get(d.scale() as usize).is_none_or(|&p| m <= p as i128)
}

/// 10^0 ..= 10^28 (a decimal's scale is at most 28).
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time, where out of bounds fails the build"
)]
const POW10: [u128; 29] = {
    let mut t = [1u128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// A running sum of decimals that is exactly (digits and scale) what
/// folding them with `checked_add` from zero gives, without building a
/// decimal at each step: while the sum is non-negative and below 2^96 it
/// is a 128-bit mantissa at the largest scale so far, with the decimal
/// addition's rules for zeros (adding to zero gives the addend; adding
/// zero changes nothing). Anything else (a negative sign, 96 bits or more)
/// goes on as the fold itself. Building a decimal per addition cost more
/// than the addition (a decimal's words are stored one at a time, then
/// read back as one: the store cannot be forwarded).
#[derive(Debug, Clone, Copy)]
enum Sum {
    Int(u128, u32),
    Dec(Option<Decimal>),
}

impl Sum {
    const ZERO: Sum = Sum::Int(0, 0);

    #[inline]
    fn add(&mut self, d: Decimal) {
        if let Sum::Int(m, s) = *self {
            let (dm, ds) = (d.mantissa().unsigned_abs(), d.scale());
            if !d.is_sign_negative() {
                if m == 0 {
                    *self = Sum::Int(dm, ds);
                    return;
                }
                if dm == 0 {
                    return;
                }
                let next = if ds > s {
                    POW10
                        .get((ds - s) as usize)
                        .and_then(|&p| m.checked_mul(p)?.checked_add(dm))
                        .map(|x| (x, ds))
                } else {
                    POW10
                        .get((s - ds) as usize)
                        .and_then(|&p| dm.checked_mul(p)?.checked_add(m))
                        .map(|x| (x, s))
                };
                if let Some((x, scale)) = next.filter(|(x, _)| *x < 1 << 96) {
                    *self = Sum::Int(x, scale);
                    return;
                }
            }
        }
        self.add_decimal(d);
    }

    /// The fold itself, from here on.
    #[cold]
    fn add_decimal(&mut self, d: Decimal) {
        let acc = self.get();
        *self = Sum::Dec(acc.and_then(|a| a.checked_add(d)));
    }

    /// Marks the sum as overflowed.
    fn overflow(&mut self) {
        *self = Sum::Dec(None);
    }

    fn get(self) -> Option<Decimal> {
        match self {
            Sum::Int(m, s) => Decimal::try_from_i128_with_scale(i128::try_from(m).ok()?, s).ok(),
            Sum::Dec(d) => d,
        }
    }
}

/// The value of an answer before any `score` formula.
fn base_value(c: &Criterion, a: &Answer) -> Decimal {
    let opts = c.answer.options();
    let w = |i: &usize| opts.get(*i).and_then(|o| o.weight).unwrap_or(Decimal::ZERO);
    match a {
        Answer::Option(i) => w(i),
        Answer::Code(_, d) => d.unwrap_or(Decimal::ZERO),
        Answer::Set(set) => {
            let ws = set.iter().map(w);
            let combine = match &c.answer {
                AnswerKind::Multi { combine, .. } => *combine,
                _ => Combine::Sum,
            };
            match combine {
                Combine::SumCapped => ws.sum::<Decimal>().min(Decimal::ONE),
                Combine::Sum => ws.sum(),
                Combine::Max => ws.max().unwrap_or(Decimal::ZERO),
                Combine::Min => ws.min().unwrap_or(Decimal::ZERO),
                Combine::Mean => {
                    let n = Decimal::from(set.len());
                    if n.is_zero() {
                        Decimal::ZERO
                    } else {
                        ws.sum::<Decimal>() / n
                    }
                }
            }
        }
        Answer::Number(d) => *d,
        Answer::Bool(b) => {
            if *b {
                Decimal::ONE
            } else {
                Decimal::ZERO
            }
        }
        Answer::Na => Decimal::ZERO,
    }
}

/// A group's inputs under its N/A policy, accumulated in one pass.
struct Gathered {
    /// Sum of the counted scores (weighted for a weighted mean).
    achieved: Sum,
    /// Sum of the counted inputs' weights (weighted mean only).
    weights: Sum,
    weighted: bool,
    /// Inputs counted (with a score, or N/A counted under the policy).
    kept: usize,
    /// Inputs with a score.
    with_value: usize,
    /// The first lowest and the last highest score, as `Iterator::min` and
    /// `max` pick (tracked only for `min` and `max`: comparing decimals is
    /// not free).
    lowest: Option<Decimal>,
    highest: Option<Decimal>,
}

impl Gathered {
    /// `(achieved, target)`: the target is the sum of weights for a
    /// weighted mean, else the number of counted inputs.
    fn totals(&self) -> Option<(Decimal, Decimal)> {
        let target = if self.weighted {
            self.weights.get()?
        } else {
            Decimal::from(self.kept)
        };
        Some((self.achieved.get()?, target))
    }
}

/// The score input `i` counts with under N/A policy `na`, and whether it
/// has one of its own; nothing when it does not count.
#[inline(always)]
fn counted(i: NodeIx, na: NaPolicy, applies: &[bool], outcomes: &[Outcome]) -> Option<(Decimal, bool)> {
    if !applies.get(i).copied().unwrap_or(true) {
        return None;
    }
    match outcomes.get(i).copied() {
        Some(Outcome::Score(s)) => Some((s, true)),
        Some(Outcome::Na(NaReason::NotApplicable | NaReason::Ignored)) | None => None,
        Some(Outcome::Na(_)) => match na {
            NaPolicy::Exclude => None,
            NaPolicy::Full => Some((Decimal::ONE, false)),
            NaPolicy::Zero => Some((Decimal::ZERO, false)),
        },
    }
}

/// The unweighted sums of a run of inputs: what a parent over the same
/// criteria (under the same N/A policy) takes over whole instead of adding
/// the criteria up again.
#[derive(Debug, Clone, Copy)]
struct Partial {
    fixed: Fixed,
    kept: usize,
    with_value: usize,
}

impl Partial {
    const EMPTY: Partial = Partial {
        fixed: Fixed::ZERO,
        kept: 0,
        with_value: 0,
    };

    #[inline(always)]
    fn add(&mut self, s: Decimal, has_value: bool) {
        self.fixed.add(s);
        self.kept += 1;
        self.with_value += usize::from(has_value);
    }

    /// These sums followed by `other`'s.
    fn then(&mut self, other: &Partial) {
        self.fixed.then(&other.fixed);
        self.kept += other.kept;
        self.with_value += other.with_value;
    }

    /// The gathered inputs; `all` adds up every input again, with the
    /// exact fold, when a sum is out of the fixed sum's range.
    fn gathered(self, all: impl FnOnce() -> Sum) -> Gathered {
        Gathered {
            achieved: match self.fixed.get() {
                Some(d) => Sum::Dec(Some(d)),
                None => all(),
            },
            weights: Sum::ZERO,
            weighted: false,
            kept: self.kept,
            with_value: self.with_value,
            lowest: None,
            highest: None,
        }
    }
}

/// Gathers a group's inputs; with the unweighted sums (empty for a
/// weighted mean).
fn gather(
    plan: &Plan,
    inputs: &[NodeIx],
    aggregate: Builtin,
    na: NaPolicy,
    applies: &[bool],
    outcomes: &[Outcome],
) -> (Gathered, Partial) {
    let counted = |i| counted(i, na, applies, outcomes);
    if aggregate == Builtin::WeightedMean {
        let mut g = Gathered {
            achieved: Sum::ZERO,
            weights: Sum::ZERO,
            weighted: true,
            kept: 0,
            with_value: 0,
            lowest: None,
            highest: None,
        };
        for &i in inputs {
            let Some((s, has_value)) = counted(i) else {
                continue;
            };
            g.with_value += usize::from(has_value);
            g.kept += 1;
            let w = plan.weight(i);
            match s.checked_mul(w) {
                Some(sw) => g.achieved.add(sw),
                None => g.achieved.overflow(),
            }
            g.weights.add(w);
        }
        return (g, Partial::EMPTY);
    }
    let extremes = matches!(aggregate, Builtin::Min | Builtin::Max);
    let mut part = Partial::EMPTY;
    let (mut lowest, mut highest): (Option<Decimal>, Option<Decimal>) = (None, None);
    for &i in inputs {
        let Some((s, has_value)) = counted(i) else {
            continue;
        };
        part.add(s, has_value);
        if extremes {
            if lowest.is_none_or(|m| s < m) {
                lowest = Some(s);
            }
            if highest.is_none_or(|m| s >= m) {
                highest = Some(s);
            }
        }
    }
    let mut g = part.gathered(|| fold_counted(inputs, counted));
    g.lowest = lowest;
    g.highest = highest;
    (g, part)
}

/// The exact fold of the counted inputs.
fn fold_counted(inputs: &[NodeIx], counted: impl Fn(NodeIx) -> Option<(Decimal, bool)>) -> Sum {
    inputs
        .iter()
        .filter_map(|&i| counted(i))
        .fold(Sum::ZERO, |mut a, (s, _)| {
            a.add(s);
            a
        })
}

/// A running sum of small non-negative decimals (below 2^40 at scale 18 or
/// less, as scores and option weights are) with no branch per addend: each
/// is added at scale 18, and the scale the decimal fold would give is
/// tracked alongside (the largest scale of a non-zero addend; with none,
/// the scale of the last addend, as adding to zero gives the addend).
/// Criteria are answered at random, so a branch on an addend's scale or on
/// whether it is zero is mispredicted about every other time; those
/// mispredictions cost more than the additions. `get` is `None` when an
/// addend was out of range: the caller then folds with [`Sum`].
#[derive(Debug, Clone, Copy)]
struct Fixed {
    /// The sum at scale [`Fixed::SCALE`].
    at_18: u128,
    /// Largest scale of a non-zero addend.
    top: u32,
    /// Scale of the last addend.
    last: u32,
    nonzero: bool,
    out_of_range: bool,
    /// Addends so far (the sum stays far from 2^128 below 2^27 of them).
    count: u32,
}

impl Fixed {
    const SCALE: u32 = 18;
    const ZERO: Fixed = Fixed {
        at_18: 0,
        top: 0,
        last: 0,
        nonzero: false,
        out_of_range: false,
        count: 0,
    };

    #[inline(always)]
    fn add(&mut self, d: Decimal) {
        let m = d.mantissa();
        let small = (0..1 << 40).contains(&m) && d.scale() <= Self::SCALE && !d.is_sign_negative();
        self.out_of_range |= !small;
        let m = if small { m.unsigned_abs() } else { 0 };
        let s = d.scale().min(Self::SCALE);
        let p = POW10.get((Self::SCALE - s) as usize).copied().unwrap_or(0);
        self.at_18 = self.at_18.wrapping_add(m.wrapping_mul(p));
        let nonzero = m != 0;
        self.top = self.top.max(if nonzero { s } else { 0 });
        self.nonzero |= nonzero;
        self.last = s;
        self.count = self.count.saturating_add(1);
    }

    /// This sum followed by `other`'s addends.
    fn then(&mut self, other: &Fixed) {
        if other.count == 0 {
            return;
        }
        self.at_18 = self.at_18.wrapping_add(other.at_18);
        self.top = self.top.max(other.top);
        self.nonzero |= other.nonzero;
        self.out_of_range |= other.out_of_range;
        self.last = other.last;
        self.count = self.count.saturating_add(other.count);
    }

    fn get(self) -> Option<Decimal> {
        if self.out_of_range || self.count >= 1 << 27 {
            return None;
        }
        if !self.nonzero {
            return Some(Decimal::new(0, self.last));
        }
        let p = POW10.get((Self::SCALE - self.top) as usize)?;
        Decimal::try_from_i128_with_scale(i128::try_from(self.at_18 / p).ok()?, self.top).ok()
    }
}

fn overflow(model: &Model, ix: NodeIx) -> AnswerError {
    AnswerError::Overflow {
        id: model.nodes.get(ix).map_or("", |n| n.id.as_str()).to_string(),
    }
}

/// A built-in aggregation of gathered inputs: the outcome and the sums.
fn builtin(
    model: &Model,
    ix: NodeIx,
    b: Builtin,
    g: &Gathered,
) -> Result<(Outcome, Option<(Decimal, Decimal)>), AnswerError> {
    if g.with_value == 0 {
        return Ok((Outcome::Na(NaReason::AllInputsNa), None));
    }
    let (achieved, target) = g.totals().ok_or_else(|| overflow(model, ix))?;
    let score = match b {
        Builtin::Ratio | Builtin::Mean => quotient(achieved, target).ok_or_else(|| overflow(model, ix))?,
        Builtin::WeightedMean => {
            if target.is_zero() {
                return Err(AnswerError::DivisionByZero {
                    message: format!(
                        "weights of the inputs of `{}` sum to zero",
                        model.nodes.get(ix).map_or("", |n| n.id.as_str())
                    ),
                });
            }
            quotient(achieved, target).ok_or_else(|| overflow(model, ix))?
        }
        Builtin::Sum => achieved,
        Builtin::Min => g.lowest.unwrap_or(Decimal::ZERO),
        Builtin::Max => g.highest.unwrap_or(Decimal::ZERO),
        Builtin::Count => Decimal::from(g.with_value),
    };
    Ok((Outcome::Score(score), Some((achieved, target))))
}

/// `a / b`, remembered per thread for the common case: a non-negative
/// dividend of up to 64 bits over a whole divisor below 2^32 (a group's
/// sum of criterion weights over its count). A group sees few distinct
/// sums, and a decimal division costs more than a look-up. The cache is
/// direct-mapped and fixed in size (4096 entries, 128 KiB a thread): a
/// collision replaces the entry.
fn quotient(a: Decimal, b: Decimal) -> Option<Decimal> {
    const BITS: u32 = 12;
    thread_local! {
        static QUOTIENTS: std::cell::RefCell<Vec<(u128, Decimal)>> =
            std::cell::RefCell::new(vec![(u128::MAX, Decimal::ZERO); 1 << BITS]);
    }
    let key = match (u64::try_from(a.mantissa()), u32::try_from(b.mantissa())) {
        (Ok(m), Ok(t)) if b.scale() == 0 && t > 0 && !a.is_sign_negative() => {
            u128::from(m) | u128::from(a.scale()) << 64 | u128::from(t) << 72
        }
        _ => return a.checked_div(b),
    };
    // Fibonacci hashing of the key's two halves.
    let mixed = (key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let slot = (mixed >> (64 - BITS)) as usize;
    let cached = QUOTIENTS.with(|q| {
        let mut q = q.try_borrow_mut().ok()?;
        let entry = q.get_mut(slot)?;
        if entry.0 != key {
            *entry = (key, a.checked_div(b)?);
        }
        Some(entry.1)
    });
    cached.or_else(|| a.checked_div(b))
}

fn group(
    plan: &Plan,
    env: &Env<'_>,
    ix: NodeIx,
    g: &Group,
    applies: &[bool],
) -> Result<(Outcome, Option<(Decimal, Decimal)>), AnswerError> {
    let f = match &g.aggregate {
        Aggregate::Builtin(b) => {
            let (gathered, _) = gather(plan, plan.inputs(ix), *b, g.na, applies, env.outcomes);
            return builtin(plan.model(), ix, *b, &gathered);
        }
        Aggregate::Formula(f) => f,
    };
    // Inputs counted once each (a formula sees achieved, target and count).
    let (gathered, _) = gather(plan, plan.inputs(ix), Builtin::Ratio, g.na, applies, env.outcomes);
    // A formula node without inputs computes from what it names.
    if gathered.with_value == 0 && !plan.inputs(ix).is_empty() {
        return Ok((Outcome::Na(NaReason::AllInputsNa), None));
    }
    let (achieved, target) = gathered.totals().ok_or_else(|| overflow(plan.model(), ix))?;
    let vars = [
        (Var::Achieved, Val::Num(achieved)),
        (Var::Target, Val::Num(target)),
        (Var::Count, Val::Num(Decimal::from(gathered.with_value))),
    ];
    match formula(env, &vars, f)? {
        Some(d) => Ok((Outcome::Score(d), Some((achieved, target)))),
        None => Ok((Outcome::Na(NaReason::Formula), Some((achieved, target)))),
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn unit_is_the_closed_interval_zero_one() {
        for (text, inside) in [
            ("0", true),
            ("-0", true),
            ("0.0000000000000000000000000001", true),
            ("1", true),
            ("1.0000000000000000000000000000", true),
            ("0.9999999999999999999999999999", true),
            ("1.0000000000000000000000000001", false),
            ("-0.0000000000000000000000000001", false),
            ("2", false),
            ("79228162514264337593543950335", false),
            ("0.5", true),
            ("0.50", true),
        ] {
            let d: Decimal = text.parse().unwrap_or_default();
            assert_eq!(unit(d), inside, "{text}");
            assert_eq!(unit(d), d >= Decimal::ZERO && d <= Decimal::ONE, "{text}");
        }
    }

    /// What folding with `checked_add` from zero gives, as exact bytes
    /// (digits, scale and sign).
    fn fold(ds: &[Decimal]) -> Option<[u8; 16]> {
        ds.iter()
            .try_fold(Decimal::ZERO, |a, d| a.checked_add(*d))
            .map(|d| d.serialize())
    }

    fn sum(ds: &[Decimal]) -> Option<[u8; 16]> {
        let mut s = Sum::ZERO;
        for d in ds {
            s.add(*d);
        }
        s.get().map(|d| d.serialize())
    }

    /// A decimal as scores and sums are: mostly small, with zeros of
    /// every scale, some at the edge of 96 bits, now and then negative.
    fn decimal() -> impl proptest::strategy::Strategy<Value = Decimal> {
        use proptest::prelude::*;
        (
            prop_oneof![
                4 => 0u128..20_000,
                1 => Just(0u128),
                1 => 0u128..(1u128 << 96),
                1 => ((1u128 << 96) - 1_000)..(1u128 << 96),
            ],
            0u32..=28,
            prop::bool::weighted(0.05),
        )
            .prop_map(|(m, scale, negative)| {
                let m = i128::try_from(m).unwrap_or(0);
                Decimal::from_i128_with_scale(if negative { -m } else { m }, scale)
            })
    }

    /// The fixed sum, where it takes the addends.
    fn fixed(ds: &[Decimal]) -> Option<[u8; 16]> {
        let mut f = Fixed::ZERO;
        for d in ds {
            f.add(*d);
        }
        f.get().map(|d| d.serialize())
    }

    /// Scores and option weights: small, zeros of every scale.
    fn small() -> impl proptest::strategy::Strategy<Value = Decimal> {
        use proptest::prelude::*;
        (prop_oneof![3 => 0i64..20_000, 1 => Just(0i64)], 0u32..=18)
            .prop_map(|(m, scale)| Decimal::new(m, scale))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
        #[test]
        fn sum_is_exactly_the_fold(ds in proptest::collection::vec(decimal(), 0..12)) {
            proptest::prop_assert_eq!(sum(&ds), fold(&ds));
        }

        #[test]
        fn fixed_is_exactly_the_fold_or_declines(ds in proptest::collection::vec(decimal(), 0..12)) {
            if let Some(f) = fixed(&ds) {
                proptest::prop_assert_eq!(Some(f), fold(&ds));
            }
        }

        #[test]
        fn fixed_takes_small_decimals_exactly(ds in proptest::collection::vec(small(), 0..40)) {
            proptest::prop_assert_eq!(fixed(&ds), fold(&ds));
        }

        /// A parent reusing its children's sums gets the sum of all.
        #[test]
        fn fixed_sums_join(
            parts in proptest::collection::vec(proptest::collection::vec(small(), 0..6), 0..6)
        ) {
            let mut joined = Fixed::ZERO;
            for part in &parts {
                let mut f = Fixed::ZERO;
                for d in part {
                    f.add(*d);
                }
                joined.then(&f);
            }
            let all: Vec<Decimal> = parts.concat();
            proptest::prop_assert_eq!(joined.get().map(|d| d.serialize()), fold(&all));
        }
    }

    #[test]
    fn sum_keeps_the_folds_scale_and_zeros() {
        let d = |t: &str| t.parse::<Decimal>().unwrap_or_default();
        for case in [
            vec![d("0.0000"), d("0.5")],
            vec![d("0.5"), d("0.0000")],
            vec![d("0.0000"), d("0.00")],
            vec![d("1"), d("0.6667"), d("0.5")],
            vec![d("-0"), d("1")],
            vec![d("0.3333"), d("-0.3333")],
        ] {
            assert_eq!(sum(&case), fold(&case), "{case:?}");
            if !case.iter().any(|d| d.is_sign_negative()) {
                assert_eq!(fixed(&case), fold(&case), "{case:?}");
            }
        }
    }
}

/// Evaluates a node formula to a number; `None` when it is N/A.
fn formula(env: &Env<'_>, vars: &[(Var, Val)], f: &CExpr) -> Result<Option<Decimal>, AnswerError> {
    let env = Env { vars, ..*env };
    if env.fast {
        return match fast::run(&env, f) {
            Ok(v) => Ok(match v {
                fast::V::Num(d) => Some(d),
                _ => None,
            }),
            Err(fast::Fast::Error(e)) => Err(e),
            Err(fast::Fast::Decline) => Ok(num(&eval(&env, f)?)),
        };
    }
    Ok(num(&eval(&env, f)?))
}

/// `e` by the evaluator `env` asks for.
fn eval_env(env: &Env<'_>, e: &CExpr) -> Result<Val, AnswerError> {
    if env.fast {
        fast::eval(env, e)
    } else {
        eval(env, e)
    }
}

/// The population score over entity scores (in any order: the result is
/// the same).
pub fn population(model: &Model, scores: &[Decimal]) -> Result<PopulationResult, AnswerError> {
    let mut stats = PopulationStats::default();
    for s in scores {
        stats.add(*s);
    }
    population_of(model, &stats)
}

/// What the population level needs of the entity scores: their count,
/// exact sum, lowest and highest, accumulated one score at a time (a stream
/// of a million entities keeps four numbers, not a million). Nothing here
/// depends on the order the scores come in.
#[derive(Debug, Clone, Default)]
pub struct PopulationStats {
    count: usize,
    sum: exact_sum::ExactSum,
    min: Option<Decimal>,
    max: Option<Decimal>,
}

impl PopulationStats {
    /// Adds one entity score.
    pub fn add(&mut self, s: Decimal) {
        self.count += 1;
        self.sum.add(s);
        // Equal values of different scales (0.5, 0.50): the larger scale,
        // whatever the order.
        let key = |d: &Decimal| (*d, d.scale());
        self.min = Some(self.min.map_or(s, |m| {
            if (s, u32::MAX - s.scale()) < (m, u32::MAX - m.scale()) {
                s
            } else {
                m
            }
        }));
        self.max = Some(self.max.map_or(s, |m| if key(&s) > key(&m) { s } else { m }));
    }

    /// Statistics accumulated elsewhere, e.g. by a data engine's own
    /// aggregations over per-entity results (`mizan.spark`): the number of
    /// scores, their exact sum given as decimals that add up to it (each
    /// added exactly: a sum with more digits than one decimal holds is
    /// passed in pieces), the lowest and the highest score. The population
    /// level computed from them is the one [`PopulationStats::add`] would
    /// have given for the same scores.
    pub fn from_parts(
        count: usize,
        sum: impl IntoIterator<Item = Decimal>,
        min: Option<Decimal>,
        max: Option<Decimal>,
    ) -> Self {
        let mut total = exact_sum::ExactSum::default();
        for d in sum {
            total.add(d);
        }
        PopulationStats {
            count,
            sum: total,
            min,
            max,
        }
    }
}

/// The population score from accumulated statistics.
pub fn population_of(model: &Model, stats: &PopulationStats) -> Result<PopulationResult, AnswerError> {
    let count = stats.count;
    if count == 0 {
        return Ok(PopulationResult {
            score: None,
            entities: 0,
        });
    }
    let overflow = || AnswerError::Overflow {
        id: "population".into(),
    };
    let sum = stats.sum.get().ok_or_else(overflow)?;
    let n = Decimal::from(count);
    let mean = sum.checked_div(n).ok_or_else(overflow)?;
    let min = stats.min.unwrap_or(Decimal::ZERO);
    let max = stats.max.unwrap_or(Decimal::ZERO);
    let score = match &model.population.aggregate {
        PopAggregate::Builtin(Builtin::Sum) => Some(sum),
        PopAggregate::Builtin(Builtin::Min) => Some(min),
        PopAggregate::Builtin(Builtin::Max) => Some(max),
        PopAggregate::Builtin(Builtin::Count) => Some(n),
        PopAggregate::Builtin(_) => Some(mean),
        PopAggregate::Formula(f) => {
            let vars = [
                (Var::Sum, Val::Num(sum)),
                (Var::Count, Val::Num(n)),
                (Var::Mean, Val::Num(mean)),
                (Var::Min, Val::Num(min)),
                (Var::Max, Val::Num(max)),
            ];
            // The named values the population formula may read are those
            // that do not depend on the profile (the checker refuses the
            // others): the same for every entity, so computed on none.
            let lets = lets_on(model, &[]);
            let env = Env {
                vars: &vars,
                ..Env::on_profile(&[], &lets, "population")
            };
            match eval(&env, f)? {
                Val::Num(d) => Some(d),
                _ => None,
            }
        }
    };
    Ok(PopulationResult {
        score,
        entities: count,
    })
}

/// Whether condition `c` holds on an entity profile (`rank when …`),
/// with the named values computed on that profile.
pub(crate) fn holds(model: &Model, profile: &[Option<ProfileValue>], c: &CExpr) -> bool {
    let lets = lets_on(model, profile);
    matches!(
        eval(&Env::on_profile(profile, &lets, "population"), c),
        Ok(Val::Bool(true))
    )
}

/// Which nodes of the entity's own scope apply to an entity with
/// `profile` (by node index; a profile as [`crate::answers::read`] gives
/// it, every field given): step 1 of evaluation alone, top-down, a node
/// whose `applies when` fails taking its subtree with it. Nodes inside
/// repeated nodes, whose conditions read their instance's profile, are
/// left `true`, as is a node whose condition cannot be evaluated. The web
/// form ([`crate::render::form`]) hides the questions this rules out.
pub fn applicable(model: &Model, profile: &[Option<ProfileValue>]) -> Vec<bool> {
    applicable_in(model, 0, profile)
}

/// [`applicable`] in the scope of repeated node `scope` (0: the entity's
/// own): the nodes of that scope, and `scope` itself, on `profile`, the
/// entity's fields with those of the instance (and of the instances it is
/// in) set. The web form hides the questions of an instance with it.
pub fn applicable_in(model: &Model, scope: NodeIx, profile: &[Option<ProfileValue>]) -> Vec<bool> {
    let mut applies = vec![true; model.nodes.len()];
    for (ix, node) in model.nodes.iter().enumerate() {
        if (node.scope != scope && ix != scope) || !applies.get(ix).copied().unwrap_or(true) {
            continue;
        }
        let Some(cond) = &node.applies else { continue };
        if decide(model, profile, cond) == Some(false) {
            applies.get_mut(ix..node.end).unwrap_or_default().fill(false);
        }
    }
    applies
}

/// Whether condition `c` holds on `profile` as an `applies when` sees it
/// (with the named values computed on it); `None` if evaluating it fails.
/// The plan decides small conditions with it once per rubric.
pub(crate) fn decide(model: &Model, profile: &[Option<ProfileValue>], c: &CExpr) -> Option<bool> {
    let lets = lets_on(model, profile);
    eval(&Env::on_profile(profile, &lets, "applies"), c)
        .ok()
        .map(|v| v == Val::Bool(true))
}

/// The named values on `profile`, in order. A value whose computation
/// fails is N/A here: an entity it fails for was rejected when scored.
fn lets_on(model: &Model, profile: &[Option<ProfileValue>]) -> Vec<Val> {
    let mut lets = Vec::with_capacity(model.lets.len());
    for l in &model.lets {
        let v = eval(&Env::on_profile(profile, &lets, &l.name), &l.expr).unwrap_or(Val::Na);
        lets.push(v);
    }
    lets
}

/// `x and y` (`and` true) or `x or y` in three-valued (Kleene) logic, N/A
/// standing for an unknown condition: either side that decides alone
/// decides (`false` for `and`, `true` for `or`), whichever side it is; else
/// N/A if a side is N/A. `y` is evaluated only when `x` does not decide.
fn kleene(and: bool, x: Val, y: impl FnOnce() -> Result<Val, AnswerError>) -> Result<Val, AnswerError> {
    // The value that decides alone: `false` for `and`, `true` for `or`.
    let decides = !and;
    if x == Val::Bool(decides) {
        return Ok(x);
    }
    let y = y()?;
    Ok(match (x, y) {
        (_, Val::Bool(q)) if q == decides => Val::Bool(decides),
        (Val::Bool(_), Val::Bool(q)) => Val::Bool(q),
        _ => Val::Na,
    })
}

/// Σ with overflow detection.
fn checked_sum(mut it: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    it.try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
}

fn num(v: &Val) -> Option<Decimal> {
    match v {
        Val::Num(d) => Some(*d),
        _ => None,
    }
}

/// What an arithmetic operator or a comparison gives.
enum Arith {
    Num(Decimal),
    Bool(bool),
}

/// `p op q` for an arithmetic operator or a comparison (`+ - * / < <= >
/// >=`), with the errors of the formula of `node`: what both evaluators
/// (`eval` and `fast::run`) compute.
fn arith(op: BinOp, p: Decimal, q: Decimal, node: &str) -> Result<Arith, AnswerError> {
    use BinOp::*;
    let overflow = || AnswerError::Overflow { id: node.to_string() };
    Ok(match op {
        Add => Arith::Num(p.checked_add(q).ok_or_else(overflow)?),
        Sub => Arith::Num(p.checked_sub(q).ok_or_else(overflow)?),
        Mul => Arith::Num(p.checked_mul(q).ok_or_else(overflow)?),
        Div => {
            if q.is_zero() {
                return Err(AnswerError::DivisionByZero {
                    message: format!("division by zero in the formula of `{node}`"),
                });
            }
            Arith::Num(p.checked_div(q).ok_or_else(overflow)?)
        }
        Lt => Arith::Bool(p < q),
        Le => Arith::Bool(p <= q),
        Gt => Arith::Bool(p > q),
        _ => Arith::Bool(p >= q),
    })
}

fn eval(env: &Env<'_>, e: &CExpr) -> Result<Val, AnswerError> {
    let overflow = || AnswerError::Overflow {
        id: env.node.to_string(),
    };
    Ok(match &e.kind {
        CKind::Num(d) => Val::Num(*d),
        CKind::Bool(b) => Val::Bool(*b),
        CKind::Str(s) => Val::Str(s.clone()),
        CKind::Node(n) => match env.outcomes.get(*n) {
            Some(Outcome::Score(s)) => Val::Num(*s),
            _ => Val::Na,
        },
        CKind::Let(i) => env.lets.get(*i).cloned().unwrap_or(Val::Na),
        CKind::Var(v) => env
            .vars
            .iter()
            .find(|(k, _)| k == v)
            .map_or(Val::Na, |(_, x)| x.clone()),
        CKind::Field(f) => match env.profile.get(*f).and_then(Option::as_ref) {
            Some(ProfileValue::Enum(i)) => Val::Enum(*i),
            Some(ProfileValue::Number(d)) => Val::Num(*d),
            Some(ProfileValue::Bool(b)) => Val::Bool(*b),
            None => Val::Na,
        },
        CKind::EnumLit(_, v) => Val::Enum(*v),
        CKind::OptionLit(_, o) => Val::Opt(*o),
        // A criterion that does not apply has no answer, whatever was given.
        CKind::Answer(n) if !env.applies.get(*n).copied().unwrap_or(true) => Val::Na,
        CKind::Answer(n) => match env.answers.and_then(|a| a.get(*n)) {
            Some(Answer::Option(o)) => Val::Opt(*o),
            Some(Answer::Set(s)) => Val::Set(s.clone()),
            Some(Answer::Number(d)) => Val::Num(*d),
            Some(Answer::Bool(b)) => Val::Bool(*b),
            Some(Answer::Code(_, Some(d))) => Val::Num(*d),
            Some(Answer::Code(_, None)) => Val::Na,
            Some(Answer::Na) | None => Val::Na,
        },
        CKind::Each { repeated, node, cond } => {
            let Some(l) = env.lists.iter().find(|l| l.repeated == *repeated) else {
                return Ok(Val::List(Vec::new()));
            };
            let mut out = Vec::with_capacity(l.items.len());
            for (profile, outs) in l.each() {
                if let Some(c) = cond {
                    let e = Env {
                        profile,
                        answers: None,
                        outcomes: &[],
                        vars: &[],
                        ..*env
                    };
                    if eval(&e, c)? != Val::Bool(true) {
                        continue;
                    }
                }
                if let Some(Outcome::Score(s)) = outs.get(node - repeated) {
                    out.push(Val::Num(*s));
                }
            }
            Val::List(out)
        }
        CKind::List(items) => Val::List(items.iter().map(|i| eval(env, i)).collect::<Result<_, _>>()?),
        CKind::Neg(a) => match eval(env, a)? {
            Val::Num(d) => Val::Num(-d),
            _ => Val::Na,
        },
        CKind::Not(a) => match eval(env, a)? {
            Val::Bool(b) => Val::Bool(!b),
            _ => Val::Na,
        },
        CKind::If(c, a, b) => match eval(env, c)? {
            Val::Bool(true) => eval(env, a)?,
            Val::Bool(false) => eval(env, b)?,
            _ => Val::Na,
        },
        CKind::Binary(op, a, b) => {
            use BinOp::*;
            let x = eval(env, a)?;
            if let And | Or = op {
                return kleene(*op == And, x, || eval(env, b));
            }
            let y = eval(env, b)?;
            if x == Val::Na || y == Val::Na {
                return Ok(Val::Na);
            }
            match op {
                Add | Sub | Mul | Div | Lt | Le | Gt | Ge => {
                    let (Some(p), Some(q)) = (num(&x), num(&y)) else {
                        return Ok(Val::Na);
                    };
                    match arith(*op, p, q, env.node)? {
                        Arith::Num(d) => Val::Num(d),
                        Arith::Bool(b) => Val::Bool(b),
                    }
                }
                Eq => Val::Bool(x == y),
                Ne => Val::Bool(x != y),
                And | Or => Val::Na,
                In => match (&x, &y) {
                    (Val::Opt(o), Val::Set(s)) => Val::Bool(s.contains(o)),
                    (_, Val::List(items)) => Val::Bool(items.contains(&x)),
                    _ => Val::Na,
                },
            }
        }
        CKind::Call(f, args) => {
            // On the stack for the usual few arguments: a formula runs for
            // every node of every instance of every entity.
            let mut vals: SmallVec<[Val; 8]> = SmallVec::with_capacity(args.len());
            for a in args {
                vals.push(eval(env, a)?);
            }
            // Instance lists (`svc.oa where …`) spread into the arguments.
            let mut nums: SmallVec<[Decimal; 16]> = SmallVec::new();
            if matches!(f, Func::Min | Func::Max | Func::Sum | Func::Mean | Func::Count) {
                for v in &vals {
                    match v {
                        Val::List(items) => nums.extend(items.iter().filter_map(num)),
                        other => nums.extend(num(other)),
                    }
                }
            }
            let arg = |i: usize| vals.get(i).and_then(num);
            match f {
                Func::Min => nums.iter().copied().min().map_or(Val::Na, Val::Num),
                Func::Max => nums.iter().copied().max().map_or(Val::Na, Val::Num),
                Func::Sum | Func::Mean => {
                    if nums.is_empty() {
                        Val::Na
                    } else {
                        let s = checked_sum(nums.iter().copied()).ok_or_else(overflow)?;
                        if *f == Func::Sum {
                            Val::Num(s)
                        } else {
                            Val::Num(s.checked_div(Decimal::from(nums.len())).ok_or_else(overflow)?)
                        }
                    }
                }
                Func::Clamp => match (arg(0), arg(1), arg(2)) {
                    (Some(x), Some(lo), Some(hi)) => Val::Num(x.max(lo).min(hi)),
                    _ => Val::Na,
                },
                Func::Round(mode) => match (arg(0), arg(1)) {
                    (Some(x), Some(p)) => {
                        let places = u32::try_from(p.trunc().mantissa()).unwrap_or(0);
                        Val::Num(mode.round(x, places))
                    }
                    _ => Val::Na,
                },
                Func::Abs => arg(0).map_or(Val::Na, |x| Val::Num(x.abs())),
                Func::IsNa => Val::Bool(vals.first() == Some(&Val::Na)),
                Func::Default => match vals.first() {
                    Some(Val::Na) | None => vals.get(1).cloned().unwrap_or(Val::Na),
                    Some(v) => v.clone(),
                },
                Func::Answer => Val::Na,
                Func::Count => Val::Num(Decimal::from(nums.len())),
                Func::WMean => {
                    let mut num_sum = Decimal::ZERO;
                    let mut w_sum = Decimal::ZERO;
                    for pair in vals.chunks(2) {
                        if let [x, w] = pair {
                            if let (Some(x), Some(w)) = (num(x), num(w)) {
                                num_sum = x
                                    .checked_mul(w)
                                    .and_then(|p| num_sum.checked_add(p))
                                    .ok_or_else(overflow)?;
                                w_sum = w_sum.checked_add(w).ok_or_else(overflow)?;
                            }
                        }
                    }
                    if w_sum.is_zero() {
                        Val::Na
                    } else {
                        Val::Num(num_sum.checked_div(w_sum).ok_or_else(overflow)?)
                    }
                }
            }
        }
    })
}
