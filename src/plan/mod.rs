//! Stage 3: checked model → evaluation plan.
//!
//! The plan is compiled once per rubric and shared by every submission: it
//! fixes the evaluation order, interns criterion ids for answer lookup, and
//! precomputes for each group the inputs it aggregates over, so that
//! evaluating an entity is a walk over dense arrays with no name lookups.

mod conditions;
mod program;

pub use conditions::Table;
pub use program::{NaReason, Op, Outcome, Part, Program};

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::sync::Arc;

use crate::model::{AnswerKind, Model, NodeIx, NodeKind, Over};

/// An evaluation plan for one rubric.
#[derive(Debug, Clone)]
pub struct Plan {
    model: Arc<Model>,
    /// Criterion ids to indices (FxHash: short keys, looked up for every answer).
    criteria: FxHashMap<String, NodeIx>,
    /// Criteria in source order: answer sets usually list them in this
    /// order, so a reader checks the expected next id first.
    in_order: Vec<Expected>,
    /// For each node index, one past its place in `in_order` (0: not a criterion).
    place: Vec<u32>,
    /// Criterion ids as the readers look them up when they are not in the
    /// expected order: an open-addressing table hashed on an id's first
    /// and last eight bytes and its length, so that a look-up neither
    /// hashes every byte nor needs the key as a `str`, and compares those
    /// two words (the whole id, up to 16 bytes) rather than the bytes.
    by_key: Vec<KeySlot>,
    /// For each node index, its options as the readers match them.
    choices: Vec<Choices>,
    option_keys: Vec<OptionKey>,
    /// Criterion and option ids, packed: the readers compare an id for
    /// every answer, and ids in one buffer share cache lines where ids in
    /// their own allocations (or in node definitions) do not.
    id_bytes: Vec<u8>,
    /// For each node, the nodes its aggregation reads.
    inputs: Vec<Vec<NodeIx>>,
    /// Each node's weight, dense: a node definition spans many cache
    /// lines, and a weighted mean reads only this of its inputs.
    weights: Vec<Decimal>,
    /// For each node that is a scope (the root, and each repeated node):
    /// what evaluating one entity or instance of it walks.
    scopes: Vec<Option<ScopePlan>>,
    /// For each node, its `applies when` condition decided for every
    /// profile it can see, where that is a small table
    /// (`conditions.rs`).
    conditions: Vec<Option<Table>>,

    /// A repeated node declares `keys LIST` (answered once per rubric, not
    /// once per answer set: every reader asks).
    keys: bool,
}

/// A slot of the key table (`Plan::by_key`).
#[derive(Debug, Clone, Copy, Default)]
struct KeySlot {
    /// The id's first eight bytes and its last eight (zero-padded when
    /// shorter, see [`key_words`]): with its length, the whole id when it
    /// has at most 16 bytes, so that most look-ups compare two words and
    /// never the bytes.
    words: (u64, u64),
    /// The id's length (0: an empty slot).
    len: u32,
    /// The criterion.
    ix: u32,
    /// Its scope.
    scope: u32,
    /// Its id, in `id_bytes`.
    id: (u32, u32),
}

/// A criterion in source order.
#[derive(Debug, Clone)]
struct Expected {
    ix: NodeIx,
    /// Its scope: 0 for the entity's own criteria, else the repeated node
    /// whose instances answer it.
    scope: NodeIx,
    /// Its id, in `id_bytes`.
    id: (u32, u32),
    /// `"ID":`, as the readers find it before the answer (ids of up to 28
    /// bytes).
    key: Option<Pattern>,
}

/// The options of a node, as the readers match them.
#[derive(Debug, Clone, Copy)]
struct Choices {
    /// A range of `option_keys` (empty for a node without options).
    keys: (u32, u32),
    /// Whether the answer is one option id.
    single: bool,
    /// Whether N/A is allowed.
    na_allowed: bool,
}

/// An option of a criterion, as the readers match it.
#[derive(Debug, Clone)]
struct OptionKey {
    /// Its id, in `id_bytes`.
    id: (u32, u32),
    /// Its id followed by a closing quote, as 32 bytes to compare under a
    /// mask (ids of up to 31 bytes).
    pattern: Option<Pattern>,
    /// Its index among the criterion's options.
    index: usize,
    /// Whether it is the N/A option.
    na: bool,
}

/// Bytes to find at the reader's position (an option id and its closing
/// quote, a quoted key and its colon), zero-padded to 32 bytes, with the
/// mask of the bytes that count: compared against the next 32 bytes of the
/// text in four 128-bit operations, with no branch on where they differ.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    text: [u128; 2],
    mask: [u128; 2],
}

impl Pattern {
    /// `text` then `end`.
    fn of(text: &str, end: &[u8]) -> Option<Pattern> {
        let quoted = [text.as_bytes(), end].concat();
        let mut text = [0u8; 32];
        let mut mask = [0u8; 32];
        text.get_mut(..quoted.len())?.copy_from_slice(&quoted);
        mask.get_mut(..quoted.len())?.fill(0xff);
        Some(Pattern {
            text: halves(&text),
            mask: halves(&mask),
        })
    }

    #[inline(always)]
    fn matches(&self, window: [u128; 2]) -> bool {
        let [a, b] = window;
        ((a ^ self.text[0]) & self.mask[0]) | ((b ^ self.text[1]) & self.mask[1]) == 0
    }
}

/// The first 32 bytes of `rest` (zero-padded), as two `u128`s.
#[inline(always)]
fn window(rest: &[u8]) -> Option<[u128; 2]> {
    Some(match rest.first_chunk::<32>() {
        Some(w) => halves(w),
        None => {
            let mut w = [0u8; 32];
            w.get_mut(..rest.len())?.copy_from_slice(rest);
            halves(&w)
        }
    })
}

/// 32 bytes as two little-endian `u128`s.
#[inline(always)]
fn halves(bytes: &[u8; 32]) -> [u128; 2] {
    let (a, b) = bytes.split_at(16);
    let word = |x: &[u8]| <[u8; 16]>::try_from(x).map(u128::from_le_bytes).unwrap_or(0);
    [word(a), word(b)]
}

/// Appends `id` to `bytes`; its span there.
fn pack(bytes: &mut Vec<u8>, id: &str) -> (u32, u32) {
    let start = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    bytes.extend_from_slice(id.as_bytes());
    (start, u32::try_from(bytes.len()).unwrap_or(u32::MAX))
}

/// What evaluating one scope (the entity, or one instance of a repeated
/// node) walks, fixed once per rubric.
#[derive(Debug, Clone, Default)]
pub struct ScopePlan {
    /// The scope's own nodes (not those of nested repeated nodes), in
    /// evaluation order.
    pub order: Vec<NodeIx>,
    /// The repeated nodes whose instances live directly in the scope.
    pub repeated: Vec<NodeIx>,
    /// The scope's own nodes with an `applies when` condition, in node
    /// (pre-)order.
    pub conditional: Vec<NodeIx>,
    /// The scoring program of the scope's own nodes (`None` for a scope
    /// with repeated nodes directly inside it).
    pub program: Option<Program>,
}

/// Compiles a checked model into a plan.
pub fn compile(model: Arc<Model>) -> Plan {
    let criteria = model.criteria().map(|(ix, n, _)| (n.id.clone(), ix)).collect();
    let mut id_bytes = Vec::new();
    let in_order: Vec<Expected> = model
        .criteria()
        .map(|(ix, n, _)| Expected {
            ix,
            scope: n.scope,
            id: pack(&mut id_bytes, &n.id),
            key: Pattern::of(&format!("\"{}\":", n.id), b""),
        })
        .collect();
    let mut place = vec![0u32; model.nodes.len()];
    for (k, e) in in_order.iter().enumerate() {
        if let Some(p) = place.get_mut(e.ix) {
            *p = u32::try_from(k + 1).unwrap_or(0);
        }
    }
    let by_key = key_table(&in_order, &id_bytes);
    let mut option_keys = Vec::new();
    let choices = model
        .nodes
        .iter()
        .map(|n| {
            let start = u32::try_from(option_keys.len()).unwrap_or(u32::MAX);
            let (mut single, mut na_allowed) = (false, false);
            if let NodeKind::Criterion(c) = &n.kind {
                single = matches!(c.answer, AnswerKind::Choice { .. });
                na_allowed = c.na_allowed;
                for (index, o) in c.answer.options().iter().enumerate() {
                    option_keys.push(OptionKey {
                        id: pack(&mut id_bytes, &o.id),
                        pattern: Pattern::of(&o.id, b"\""),
                        index,
                        na: o.is_na(),
                    });
                }
            }
            Choices {
                keys: (start, u32::try_from(option_keys.len()).unwrap_or(u32::MAX)),
                single,
                na_allowed,
            }
        })
        .collect();
    let inputs: Vec<Vec<NodeIx>> = model
        .nodes
        .iter()
        .enumerate()
        .map(|(ix, n)| match &n.kind {
            // A rubric that publishes headlines and no total aggregates
            // over nothing: its score is N/A.
            NodeKind::Group(_) if ix == 0 && model.no_total => Vec::new(),
            NodeKind::Group(g) if g.over == Over::Criteria => model.criteria_under(ix),
            NodeKind::Group(_) => n.children.clone(),
            NodeKind::Criterion(_) => Vec::new(),
        })
        .collect();
    let scopes: Vec<Option<ScopePlan>> = (0..model.nodes.len())
        .map(|scope| {
            let node = model.nodes.get(scope)?;
            if scope != 0 && node.repeat.is_none() {
                return None;
            }
            let order: Vec<NodeIx> = model
                .order
                .iter()
                .copied()
                .filter(|&ix| {
                    (scope..node.end).contains(&ix) && model.nodes.get(ix).is_some_and(|n| n.scope == scope)
                })
                .collect();
            let repeated = model.repeated_in(scope).collect();
            let conditional = (scope..node.end)
                .filter(|&ix| {
                    model
                        .nodes
                        .get(ix)
                        .is_some_and(|n| n.scope == scope && n.applies.is_some())
                })
                .collect();
            let program = program::compile(&model, scope, &order, &inputs);
            Some(ScopePlan {
                order,
                repeated,
                conditional,
                program,
            })
        })
        .collect();
    let conditions = model
        .nodes
        .iter()
        .map(|n| {
            let cond = n.applies.as_ref()?;
            conditions::table(&model, cond, |profile| crate::eval::decide(&model, profile, cond))
        })
        .collect();
    let weights = model.nodes.iter().map(|n| n.weight).collect();
    let keys = model.has_keys();
    Plan {
        keys,
        model,
        criteria,
        in_order,
        place,
        by_key,
        choices,
        option_keys,
        id_bytes,
        inputs,
        weights,
        scopes,
        conditions,
    }
}

impl Plan {
    /// True when a repeated node declares `keys LIST`: the required
    /// instances are checked by the exact reader only.
    pub fn has_keys(&self) -> bool {
        self.keys
    }

    /// Node `ix`'s `applies when` condition as a table of its values, if
    /// it was decided when the plan was compiled.
    #[inline]
    pub fn condition(&self, ix: NodeIx) -> Option<&Table> {
        self.conditions.get(ix)?.as_ref()
    }

    /// The checked model the plan was compiled from.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// A shared handle on the model.
    pub fn model_arc(&self) -> Arc<Model> {
        Arc::clone(&self.model)
    }

    /// The node index of criterion `id`.
    pub fn criterion(&self, id: &str) -> Option<NodeIx> {
        self.criteria.get(id).copied()
    }

    /// The node index of the criterion answered in scope `scope` whose id
    /// is the first `len` bytes of `rest` (as they are between the quotes
    /// of a key with no escape; `rest` goes on to the end of the text, so
    /// that a short id is read as one word), found in the key table.
    #[inline]
    pub fn criterion_key(&self, scope: NodeIx, rest: &[u8], len: usize) -> Option<NodeIx> {
        let mask = self.by_key.len().checked_sub(1)?;
        let words = key_words(rest, len)?;
        let len32 = u32::try_from(len).ok()?;
        let mut i = key_hash(words, len);
        loop {
            i &= mask;
            let slot = self.by_key.get(i)?;
            if slot.words == words
                && slot.len == len32
                && (len <= 16 || same_bytes(self.id(slot.id), rest.get(..len)?))
            {
                return (slot.scope as usize == scope).then_some(slot.ix as usize);
            }
            if slot.len == 0 {
                return None;
            }
            i += 1;
        }
    }

    /// The node index of the criterion answered in scope `scope` (0: the
    /// entity's own; else a repeated node's instances) whose id is `id`.
    #[inline]
    pub fn criterion_in(&self, scope: NodeIx, id: &str) -> Option<NodeIx> {
        let ix = self.criterion(id)?;
        let p = self.place.get(ix).copied()?;
        let e = self.in_order.get((p as usize).checked_sub(1)?)?;
        (e.scope == scope).then_some(e.ix)
    }

    /// The option of criterion `ix` whose id is `id`: its index, and
    /// whether it is the N/A option.
    pub fn option(&self, ix: NodeIx, id: &[u8]) -> Option<(usize, bool)> {
        let (start, end) = self.choices.get(ix)?.keys;
        self.option_keys
            .get(start as usize..end as usize)?
            .iter()
            .find(|k| same_bytes(self.id(k.id), id))
            .map(|k| (k.index, k.na))
    }

    /// For a criterion answered with one option id: its option `id` as
    /// `(index, is N/A)`, if it has that option, and whether N/A is
    /// allowed. `None` for other criteria.
    pub fn single_option(&self, ix: NodeIx, id: &[u8]) -> Option<(Option<(usize, bool)>, bool)> {
        let c = self.choices.get(ix).filter(|c| c.single)?;
        Some((self.option(ix, id), c.na_allowed))
    }

    /// For a criterion answered with one option id: the option whose id
    /// followed by a closing quote starts `rest` (the text just after an
    /// opening quote), as `(index, is N/A, length of the id)`, and whether
    /// N/A is allowed. Option ids are identifiers (no quote, backslash or
    /// control character), so a match is exactly that JSON string.
    #[inline]
    pub fn single_option_at(&self, ix: NodeIx, rest: &[u8]) -> Option<((usize, bool, usize), bool)> {
        let c = self.choices.get(ix).filter(|c| c.single)?;
        let (start, end) = c.keys;
        let keys = self.option_keys.get(start as usize..end as usize)?;
        // Every option compared against the next 32 bytes, with no branch
        // on which one matches (answers are as varied as entities are):
        // at most one can, as the closing quote ends each.
        let window = window(rest)?;
        let mut found = None;
        for k in keys {
            match k.pattern {
                Some(p) => {
                    if p.matches(window) {
                        found = Some(k);
                    }
                }
                // A long id: compared the plain way.
                None => {
                    let id = self.id(k.id);
                    if rest.get(id.len()) == Some(&b'"')
                        && rest.get(..id.len()).is_some_and(|r| same_bytes(r, id))
                    {
                        found = Some(k);
                    }
                }
            }
        }
        let k = found?;
        Some(((k.index, k.na, (k.id.1 - k.id.0) as usize), c.na_allowed))
    }

    /// Whether criterion `ix` is the one that follows `after` in source
    /// order (the first, after `None`).
    #[inline]
    pub fn follows(&self, after: Option<NodeIx>, ix: NodeIx) -> bool {
        let p = |i: NodeIx| self.place.get(i).map_or(0, |&p| p as usize);
        match after {
            Some(a) => p(ix) == p(a) + 1,
            None => false,
        }
    }

    /// The criterion of scope `scope` (0: the entity's own; else a repeated
    /// node's) that follows `after` in source order (its first, after
    /// `None`), if `rest` starts with its key: `"ID":`. Returns it with the
    /// length of the key. Answer sets usually list criteria in this order.
    #[inline]
    pub fn expected_key_in(
        &self,
        scope: NodeIx,
        after: Option<NodeIx>,
        rest: &[u8],
    ) -> Option<(NodeIx, usize)> {
        let e = self.expected_after(scope, after).filter(|e| e.scope == scope)?;
        let len = (e.id.1 - e.id.0) as usize + 3;
        let found = match &e.key {
            Some(p) => p.matches(window(rest)?),
            None => rest.get(..len).is_some_and(|k| {
                k.first() == Some(&b'"')
                    && k.get(len - 2..) == Some(b"\":")
                    && k.get(1..len - 2).is_some_and(|id| same_bytes(id, self.id(e.id)))
            }),
        };
        found.then_some((e.ix, len))
    }

    /// The criterion that follows `after` in source order (after `None`,
    /// the first criterion of scope `scope`: criteria are in pre-order, so
    /// those of a repeated node follow it).
    fn expected_after(&self, scope: NodeIx, after: Option<NodeIx>) -> Option<&Expected> {
        let next = match after {
            Some(a) => self.place.get(a).map_or(0, |&p| p as usize),
            None if scope == 0 => 0,
            None => self.in_order.partition_point(|e| e.ix <= scope),
        };
        self.in_order.get(next)
    }

    fn id(&self, (start, end): (u32, u32)) -> &[u8] {
        self.id_bytes
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// Every criterion id, in source order.
    pub fn criterion_ids(&self) -> impl Iterator<Item = &str> {
        self.model.criteria().map(|(_, n, _)| n.id.as_str())
    }

    /// The nodes that node `ix` aggregates over.
    pub fn inputs(&self, ix: NodeIx) -> &[NodeIx] {
        self.inputs.get(ix).map_or(&[], Vec::as_slice)
    }

    /// The weight of node `ix` in its parent's weighted mean.
    pub fn weight(&self, ix: NodeIx) -> Decimal {
        self.weights.get(ix).copied().unwrap_or(Decimal::ONE)
    }

    /// What evaluating scope `scope` walks (empty for a node that is not a scope).
    pub fn scope(&self, scope: NodeIx) -> &ScopePlan {
        static EMPTY: ScopePlan = ScopePlan {
            order: Vec::new(),
            repeated: Vec::new(),
            conditional: Vec::new(),
            program: None,
        };
        self.scopes.get(scope).and_then(Option::as_ref).unwrap_or(&EMPTY)
    }

    /// The scoring program of the nodes of scope `scope` (0: the entity's
    /// own; else a repeated node's instances), if it has one.
    pub fn program_of(&self, scope: NodeIx) -> Option<&Program> {
        self.scopes.get(scope)?.as_ref()?.program.as_ref()
    }

    /// Nodes in evaluation order.
    pub fn order(&self) -> &[NodeIx] {
        &self.model.order
    }
}

/// The hash of a criterion id in the key table, from its first and last
/// eight bytes ([`key_words`]) and its length: the slot to look in first.
#[inline]
fn key_hash((a, z): (u64, u64), len: usize) -> usize {
    // The product's high bits depend on every input bit.
    let h = (a ^ z.rotate_left(29) ^ (len as u64).rotate_left(53)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 40) as usize
}

/// The first eight bytes and the last eight of the id made of the first
/// `len` bytes of `rest` (the first ones zero-padded and the last ones 0
/// when it is shorter than eight). A short id is read as one word of
/// `rest` under a mask when `rest` has eight bytes.
#[inline]
fn key_words(rest: &[u8], len: usize) -> Option<(u64, u64)> {
    let key = rest.get(..len)?;
    if let (Some(a), Some(z)) = (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        return Some((u64::from_le_bytes(*a), u64::from_le_bytes(*z)));
    }
    let a = match rest.first_chunk::<8>() {
        Some(w) => {
            let mask = if len == 0 { 0 } else { u64::MAX >> (64 - 8 * len) };
            u64::from_le_bytes(*w) & mask
        }
        None => {
            let mut w = [0u8; 8];
            for (d, s) in w.iter_mut().zip(key) {
                *d = *s;
            }
            u64::from_le_bytes(w)
        }
    };
    Some((a, 0))
}

/// The key table of the criteria `in_order` (see [`Plan::criterion_key`]):
/// at least twice as many slots as criteria, a power of two.
fn key_table(in_order: &[Expected], id_bytes: &[u8]) -> Vec<KeySlot> {
    let size = (in_order.len() * 2).next_power_of_two().max(2);
    let mut table = vec![KeySlot::default(); size];
    let mask = size - 1;
    for e in in_order {
        let id = id_bytes.get(e.id.0 as usize..e.id.1 as usize).unwrap_or_default();
        let Some(words) = key_words(id, id.len()) else {
            continue;
        };
        let mut i = key_hash(words, id.len()) & mask;
        while table.get(i).is_some_and(|s| s.len != 0) {
            i = (i + 1) & mask;
        }
        if let Some(slot) = table.get_mut(i) {
            *slot = KeySlot {
                words,
                len: u32::try_from(id.len()).unwrap_or(u32::MAX),
                ix: u32::try_from(e.ix).unwrap_or(u32::MAX),
                scope: u32::try_from(e.scope).unwrap_or(u32::MAX),
                id: e.id,
            };
        }
    }
    table
}

/// Byte equality for short ids, eight bytes at a time and inlined: the
/// readers compare every answer's criterion and option id, and a call to
/// `memcmp` per comparison costs more than the comparison.
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |x: &[u8]| <[u8; 8]>::try_from(x).map(u64::from_ne_bytes).unwrap_or(0);
    let (mut a8, mut b8) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in a8.by_ref().zip(b8.by_ref()) {
        if word(x) != word(y) {
            return false;
        }
    }
    a8.remainder().iter().zip(b8.remainder()).all(|(x, y)| x == y)
}

#[cfg(test)]
mod unit_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test")]
    use super::key_words;
    use proptest::prelude::*;

    proptest! {
        /// An id's words are the same read from the id alone and from the
        /// text it starts (a short id read as one masked word), and two ids
        /// of up to 16 bytes with the same words and length are the same id.
        #[test]
        fn key_words_read_the_id_and_nothing_after_it(
            a in proptest::collection::vec(any::<u8>(), 0..40),
            b in proptest::collection::vec(any::<u8>(), 0..40),
            tail in proptest::collection::vec(any::<u8>(), 0..12),
        ) {
            let text = [a.as_slice(), tail.as_slice()].concat();
            prop_assert_eq!(key_words(&text, a.len()), key_words(&a, a.len()));
            if a.len() <= 16 && a.len() == b.len() && key_words(&a, a.len()) == key_words(&b, b.len()) {
                prop_assert_eq!(&a, &b);
            }
        }
    }

    #[test]
    fn key_words_of_short_and_long_ids() {
        let text = b"gsb.2\":\"yes\"}";
        assert_eq!(key_words(text, 5), Some((u64::from_le_bytes(*b"gsb.2\0\0\0"), 0)));
        assert_eq!(
            key_words(b"ab", 2),
            Some((u64::from_le_bytes(*b"ab\0\0\0\0\0\0"), 0))
        );
        assert_eq!(
            key_words(b"national_crm.2.5", 16),
            Some((u64::from_le_bytes(*b"national"), u64::from_le_bytes(*b"_crm.2.5")))
        );
        assert_eq!(key_words(b"abc", 4), None);
    }
}
