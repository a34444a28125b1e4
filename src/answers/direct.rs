//! The direct reader: the fast path for every answer set, matched byte by
//! byte against the plan.
//!
//! Answer sets are written by tools, so nearly all of them are well formed
//! and most list the criteria in the rubric's order. This reader takes any
//! well-formed answer set without a problem: the keys `rubric`, `version`,
//! `entity`, `answers` and `instances` in any order, criteria in any order,
//! option ids, booleans, numbers, lists of option ids, `null` (no answer),
//! strings with escapes, and the instances of repeated nodes at any depth.
//! At each answer it first expects the criterion that follows the one
//! before (one comparison with the plan's packed ids), else looks the id
//! up; an option id is matched against that criterion's options up to its
//! closing quote. Nothing is allocated per answer, and nothing per string
//! unless it has an escape (decoded by serde_json, as the exact reader
//! decodes it). What it takes is JSON by construction: objects, lists,
//! strings with no control character (the text is already UTF-8) and valid
//! escapes, numbers of the JSON grammar, `true`, `false`, `null`, and JSON
//! whitespace.
//!
//! At the first thing it does not take (any problem: an unknown or
//! repeated key, a wrong kind, an inexact number; or a rubric whose
//! repeated nodes declare `keys`), it gives up, and the exact reader
//! ([`super::read_exact`]) reads the text again and reports every problem
//! with its JSON pointer. Both readers resolve answers and fields with the
//! same functions ([`super::resolve`], [`super::field_value`],
//! [`super::choose`]), and `tests/compiled_reader.rs`, `tests/shapes.rs` and
//! the `answer_readers` fuzz target check that they agree.

use std::borrow::Cow;

use super::{choose, decimal, field_value, pointer_token, resolve, Answer, Answers, Instance, InstanceSet};
use super::{ProfileValue, Raw};
use crate::model::NodeIx;
use crate::plan::Plan;

/// The fast path gave up: read the text again with the exact reader.
pub(super) struct GiveUp;

type Fast<T> = Result<T, GiveUp>;

/// What the direct reader gets out of one answer set.
pub(super) struct Read {
    pub entity: String,
    pub name: Option<String>,
    pub profile: Vec<Option<ProfileValue>>,
    pub answers: Answers,
    pub instances: Vec<InstanceSet>,
}

impl Read {
    /// Nothing read yet: room for the profile and the entity's answers.
    fn empty(model: &crate::model::Model) -> Self {
        Read {
            entity: String::new(),
            name: None,
            profile: vec![None; model.profile.len()],
            answers: Answers::new(0..model.nodes.first().map_or(0, |n| n.end)),
            instances: Vec::new(),
        }
    }

    /// The submission read, from `origin`.
    pub fn submission(self, origin: super::Origin) -> super::Submission {
        super::Submission {
            origin,
            entity: self.entity,
            name: self.name,
            profile: self.profile,
            answers: self.answers,
            instances: self.instances,
        }
    }
}

/// `found` is the rubric's `expected` id or version, or the fast path
/// gives up (the exact reader reports the mismatch).
fn same(found: &str, expected: &str) -> Fast<()> {
    if found == expected {
        Ok(())
    } else {
        Err(GiveUp)
    }
}

/// Reads one answer set, or gives up.
pub(super) fn read(plan: &Plan, text: &str) -> Fast<Read> {
    let model = plan.model();
    // `repeated … keys LIST`: the required instances are checked by the
    // exact reader only.
    if plan.has_keys() {
        return Err(GiveUp);
    }
    let mut c = Cursor {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut out = Read::empty(model);
    let mut seen = [false; 5];
    let mut entity = None;
    let mut more = c.open()?;
    while more {
        let k = match &*c.key()? {
            "rubric" => 0,
            "version" => 1,
            "entity" => 2,
            "answers" => 3,
            "instances" => 4,
            _ => return Err(GiveUp),
        };
        if std::mem::replace(seen.get_mut(k).ok_or(GiveUp)?, true) {
            return Err(GiveUp);
        }
        match k {
            0 => same(&c.str()?, &model.id)?,
            1 => same(&c.str()?, &model.version)?,
            2 => entity = Some(c.entity(plan, &mut out)?),
            3 => c.answers(plan, 0, &mut out.answers)?,
            _ => {
                if !c.null() {
                    out.instances = c.instances(plan, 0, "/instances")?;
                }
            }
        }
        more = c.next()?;
    }
    c.ws();
    if seen.get(..4) != Some(&[true; 4]) || c.at != c.bytes.len() {
        return Err(GiveUp);
    }
    out.entity = entity.ok_or(GiveUp)?;
    Ok(out)
}

/// An option id read: the option's index, or N/A.
enum Chosen {
    Option(usize),
    Na,
}

/// A value other than an object, as read.
enum Value<'t> {
    Str(Cow<'t, str>),
    /// A number as written (JSON's grammar).
    Num(&'t str),
    Bool(bool),
    Null,
    /// A list of strings (another item gives up).
    List(Vec<Cow<'t, str>>),
}

/// A position in the text.
struct Cursor<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Cursor<'t> {
    /// Skips JSON whitespace.
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.at).copied()
    }

    #[inline]
    fn eat(&mut self, b: u8) -> Fast<()> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// The word `word` (`true`, `false`, `null`) at the cursor.
    #[inline]
    fn word(&mut self, word: &[u8]) -> Fast<()> {
        if self.bytes.get(self.at..self.at + word.len()) != Some(word) {
            return Err(GiveUp);
        }
        self.at += word.len();
        Ok(())
    }

    /// `null`, consumed, if it is the next value.
    fn null(&mut self) -> bool {
        self.peek() == Some(b'n') && self.word(b"null").is_ok()
    }

    /// `{`; whether a key follows (else the object was `{}`).
    fn open(&mut self) -> Fast<bool> {
        self.open_with(b'{', b'}')
    }

    /// `open` then whether an item follows (else the list or object was
    /// empty).
    fn open_with(&mut self, open: u8, close: u8) -> Fast<bool> {
        self.eat(open)?;
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After a member: `,` (another follows) or `}` (the object ends).
    #[inline]
    fn next(&mut self) -> Fast<bool> {
        self.next_with(b'}')
    }

    /// After an item: `,` (another follows) or `close`.
    #[inline]
    fn next_with(&mut self, close: u8) -> Fast<bool> {
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(GiveUp),
        }
    }

    /// A string: its content, borrowed from the text unless it has an
    /// escape (then decoded as the exact reader decodes it).
    #[inline]
    fn str(&mut self) -> Fast<Cow<'t, str>> {
        self.eat(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            match self.bytes.get(self.at) {
                Some(b'"') => break,
                Some(b'\\') => {
                    // The escaped character is skipped (an escaped quote
                    // does not end the string); the decoder checks it.
                    escaped = true;
                    self.at += 2;
                }
                Some(&b) if b < 0x20 => return Err(GiveUp),
                Some(_) => self.at += 1,
                None => return Err(GiveUp),
            }
        }
        self.at += 1;
        if escaped {
            // With its quotes: one JSON string.
            let quoted = self.text.get(start - 1..self.at).ok_or(GiveUp)?;
            return serde_json::from_str::<String>(quoted)
                .map(Cow::Owned)
                .map_err(|_| GiveUp);
        }
        // Both ends are next to an ASCII quote: char boundaries.
        self.text.get(start..self.at - 1).map(Cow::Borrowed).ok_or(GiveUp)
    }

    /// A key and its colon.
    #[inline]
    fn key(&mut self) -> Fast<Cow<'t, str>> {
        let k = self.str()?;
        self.eat(b':')?;
        Ok(k)
    }

    /// A number, as written; only JSON's grammar
    /// (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`).
    fn number(&mut self) -> Fast<&'t str> {
        let start = self.at;
        let digits = |c: &mut Self| {
            let from = c.at;
            while c.bytes.get(c.at).is_some_and(u8::is_ascii_digit) {
                c.at += 1;
            }
            c.at - from
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        match self.bytes.get(self.at) {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(GiveUp),
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return Err(GiveUp);
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return Err(GiveUp);
            }
        }
        self.text.get(start..self.at).ok_or(GiveUp)
    }

    /// The next value: a string, number, boolean, `null` or list of
    /// strings (an object gives up).
    fn value(&mut self) -> Fast<Value<'t>> {
        Ok(match self.peek() {
            Some(b'"') => Value::Str(self.str()?),
            Some(b't') => {
                self.word(b"true")?;
                Value::Bool(true)
            }
            Some(b'f') => {
                self.word(b"false")?;
                Value::Bool(false)
            }
            Some(b'n') => {
                self.word(b"null")?;
                Value::Null
            }
            Some(b'[') => {
                let mut items = Vec::new();
                let mut more = self.open_with(b'[', b']')?;
                while more {
                    if self.peek() != Some(b'"') {
                        return Err(GiveUp);
                    }
                    items.push(self.str()?);
                    more = self.next_with(b']')?;
                }
                Value::List(items)
            }
            _ => Value::Num(self.number()?),
        })
    }

    /// A profile field's value (a string, number or boolean), as the
    /// readers resolve it.
    fn field(&mut self, def: &crate::model::FieldDef, name: &str) -> Fast<ProfileValue> {
        let v = self.value()?;
        let raw = match &v {
            Value::Str(s) => Raw::Str(s),
            Value::Num(n) => Raw::Num(Ok(decimal(n).ok_or(GiveUp)?)),
            Value::Bool(b) => Raw::Bool(*b),
            Value::Null | Value::List(_) => return Err(GiveUp),
        };
        field_value(def, name, raw).map_err(|_| GiveUp)
    }

    /// An option id of criterion `ix` as the next value, if it is one (an
    /// N/A option only where N/A is allowed). Else nothing is consumed.
    #[inline]
    fn option(&mut self, plan: &Plan, ix: NodeIx) -> Option<Chosen> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let rest = self.bytes.get(self.at + 1..)?;
        let (chosen, len) = match plan.single_option_at(ix, rest)? {
            ((i, false, len), _) => (Chosen::Option(i), len),
            ((_, true, len), true) => (Chosen::Na, len),
            _ => return None,
        };
        self.at += len + 2;
        Some(chosen)
    }

    /// `"entity": {"id": …, "name": …, "profile": {…}}`; returns the id.
    fn entity(&mut self, plan: &Plan, out: &mut Read) -> Fast<String> {
        let model = plan.model();
        let mut id: Option<String> = None;
        let (mut name_given, mut profile_given) = (false, false);
        let mut more = self.open()?;
        while more {
            match &*self.key()? {
                "id" if id.is_none() => {
                    let s = self.str()?;
                    if s.is_empty() {
                        return Err(GiveUp);
                    }
                    id = Some(super::entity_id(&s).map_err(|_| GiveUp)?.into_owned());
                }
                "name" if !std::mem::replace(&mut name_given, true) => {
                    if !self.null() {
                        out.name = Some(self.str()?.into_owned());
                    }
                }
                "profile" if !std::mem::replace(&mut profile_given, true) => {
                    if self.null() {
                        no_profile_asked(model)?;
                    } else {
                        let given = self.fields(model, None, &mut out.profile)?;
                        if given != model.entity_fields().count() {
                            return Err(GiveUp);
                        }
                    }
                }
                _ => return Err(GiveUp),
            }
            more = self.next()?;
        }
        if !profile_given && model.entity_fields().next().is_some() {
            return Err(GiveUp);
        }
        id.ok_or(GiveUp)
    }

    /// A profile object of fields owned by `owner` (`None`: the entity's),
    /// into `out`; returns how many were given.
    fn fields(
        &mut self,
        model: &crate::model::Model,
        owner: Option<NodeIx>,
        out: &mut [Option<ProfileValue>],
    ) -> Fast<usize> {
        let mut given = 0;
        let mut more = self.open()?;
        while more {
            let k = self.key()?;
            let (fi, name, def) = model
                .profile
                .get_full(&*k)
                .filter(|(_, _, d)| d.owner == owner)
                .ok_or(GiveUp)?;
            let slot = out.get_mut(fi).ok_or(GiveUp)?;
            if slot.is_some() {
                return Err(GiveUp);
            }
            *slot = Some(self.field(def, name)?);
            given += 1;
            more = self.next()?;
        }
        Ok(given)
    }

    /// A key naming a criterion of scope `scope`, and its colon: looked up
    /// in the plan's key table straight from the text (an id has no escape
    /// and no control character, so a key found is that JSON string).
    #[inline]
    fn criterion(&mut self, plan: &Plan, scope: NodeIx) -> Fast<NodeIx> {
        let rest = self.bytes.get(self.at + 1..).unwrap_or_default();
        if self.bytes.get(self.at) == Some(&b'"') {
            if let Some(len) = quote_or_backslash(rest) {
                if rest.get(len) == Some(&b'"') {
                    let ix = plan.criterion_key(scope, rest, len).ok_or(GiveUp)?;
                    self.at += len + 2;
                    self.eat(b':')?;
                    return Ok(ix);
                }
            }
        }
        plan.criterion_in(scope, &self.key()?).ok_or(GiveUp)
    }

    /// `"answers": {"CRITERION": ANSWER, …}` for the criteria of scope
    /// `scope` (0: the entity's own; else a repeated node's).
    fn answers(&mut self, plan: &Plan, scope: NodeIx, answers: &mut Answers) -> Fast<()> {
        let mut last: Option<NodeIx> = None;
        // Criteria answered `null` (no answer): a repeat is still refused.
        let mut nulls: Vec<NodeIx> = Vec::new();
        // Keys in a row that were not the expected one: after two, the
        // answer set is taken to be in another order and the expected key
        // is tried again only once one is found in order.
        let mut misses = 0u8;
        let mut more = self.open()?;
        while more {
            // The criterion after the last one, in one comparison; else
            // any criterion of the scope, by its id.
            self.ws();
            let expected = match misses {
                0 | 1 => plan.expected_key_in(scope, last, self.bytes.get(self.at..).unwrap_or_default()),
                _ => None,
            };
            let ix = match expected {
                Some((ix, len)) => {
                    self.at += len;
                    misses = 0;
                    ix
                }
                None => {
                    let ix = self.criterion(plan, scope)?;
                    let in_order = plan.follows(last, ix);
                    misses = if in_order { 0 } else { misses.saturating_add(1) };
                    ix
                }
            };
            last = Some(ix);
            // The answer is written straight into its slot (a value built
            // elsewhere and copied in is read back before its bytes have
            // all landed, which stalls).
            let slot = answers.slot_mut(ix).ok_or(GiveUp)?;
            if slot.is_some() || (!nulls.is_empty() && nulls.contains(&ix)) {
                return Err(GiveUp);
            }
            match self.option(plan, ix) {
                Some(Chosen::Option(i)) => *slot = Some(Answer::Option(i)),
                Some(Chosen::Na) => *slot = Some(Answer::Na),
                None => {
                    let raw = match self.value()? {
                        Value::Null => {
                            nulls.push(ix);
                            more = self.next()?;
                            continue;
                        }
                        Value::Str(s) => {
                            *slot = Some(match choose(plan, ix, s.as_bytes()) {
                                Some(a) => a,
                                None => resolve(plan, ix, Raw::Str(&s)).map_err(|_| GiveUp)?,
                            });
                            more = self.next()?;
                            continue;
                        }
                        Value::Num(n) => Raw::Num(Ok(decimal(n).ok_or(GiveUp)?)),
                        Value::Bool(b) => Raw::Bool(b),
                        Value::List(items) => Raw::List(items.into_iter().map(Ok).collect()),
                    };
                    *slot = Some(resolve(plan, ix, raw).map_err(|_| GiveUp)?);
                }
            }
            more = self.next()?;
        }
        Ok(())
    }

    /// `"instances": {"REPEATED": [INSTANCE, …], …}` for the repeated nodes
    /// directly inside scope `scope`, at JSON pointer `prefix`.
    fn instances(&mut self, plan: &Plan, scope: NodeIx, prefix: &str) -> Fast<Vec<InstanceSet>> {
        let model = plan.model();
        let mut sets: Vec<InstanceSet> = Vec::new();
        let mut more = self.open()?;
        while more {
            let k = self.key()?;
            let r = model
                .by_id
                .get(&*k)
                .copied()
                .filter(|&r| {
                    model.nodes.get(r).is_some_and(|n| n.repeat.is_some())
                        && model.enclosing_scope(r) == Some(scope)
                })
                .ok_or(GiveUp)?;
            if sets.iter().any(|s| s.node == r) {
                return Err(GiveUp);
            }
            let ptr = format!("{prefix}/{}", pointer_token(&k));
            let mut items = Vec::new();
            let mut item = self.open_with(b'[', b']')?;
            while item {
                let i = items.len();
                items.push(self.instance(plan, r, format!("{ptr}/{i}"), i)?);
                item = self.next_with(b']')?;
            }
            sets.push(InstanceSet { node: r, items });
            more = self.next()?;
        }
        sets.sort_by_key(|s| s.node);
        Ok(sets)
    }

    /// One instance of repeated node `r`, the `i`th of its list, at JSON
    /// pointer `pointer`.
    fn instance(&mut self, plan: &Plan, r: NodeIx, pointer: String, i: usize) -> Fast<Instance> {
        let model = plan.model();
        let end = model.nodes.get(r).map_or(r, |n| n.end);
        let mut key = None;
        let mut profile = vec![None; model.profile.len()];
        let mut given = 0;
        let mut answers = Answers::new(r..end);
        let mut instances = Vec::new();
        let mut seen = [false; 4];
        let mut more = self.open()?;
        while more {
            let k = match &*self.key()? {
                "key" => 0,
                "profile" => 1,
                "answers" => 2,
                "instances" => 3,
                _ => return Err(GiveUp),
            };
            if std::mem::replace(seen.get_mut(k).ok_or(GiveUp)?, true) {
                return Err(GiveUp);
            }
            match k {
                0 => {
                    if !self.null() {
                        key = Some(self.str()?.into_owned());
                    }
                }
                1 => {
                    if !self.null() {
                        given = self.fields(model, Some(r), &mut profile)?;
                    }
                }
                2 => self.answers(plan, r, &mut answers)?,
                _ => {
                    if !self.null() {
                        instances = self.instances(plan, r, &format!("{pointer}/instances"))?;
                    }
                }
            }
            more = self.next()?;
        }
        // Every field of the repeated node is given (else the exact reader
        // reports the missing ones).
        if given != model.profile.values().filter(|d| d.owner == Some(r)).count() {
            return Err(GiveUp);
        }
        Ok(Instance {
            key: key.unwrap_or_else(|| i.to_string()),
            pointer,
            fields: super::given_fields(profile),
            answers,
            instances,
        })
    }
}

/// Where the first `"` or `\\` of `s` is: eight bytes at a time (ids are
/// short, and a call to `memchr` or a byte loop costs more).
#[inline]
fn quote_or_backslash(s: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte of `w` equal to `b`.
    let eq = |w: u64, b: u8| {
        let x = w ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGH
    };
    let mut at = 0;
    while let Some(chunk) = s.get(at..).and_then(|r| r.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        let found = eq(w, b'"') | eq(w, b'\\');
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    s.get(at..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\')
        .map(|p| at + p)
}

/// `"profile": null` is no profile: fine only when the rubric asks none.
fn no_profile_asked(model: &crate::model::Model) -> Fast<()> {
    if model.entity_fields().next().is_some() {
        Err(GiveUp)
    } else {
        Ok(())
    }
}
