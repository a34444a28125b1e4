//! The tape reader: simd-json's structural pass (SIMD, UTF-8 validated,
//! strings unescaped) over an answer set, then one walk of the tape
//! straight into the plan's answer slots.
//!
//! Text with a backslash escape is left to the compiled reader (simd-json
//! decodes lone surrogates that JSON does not allow).
//!
//! It is the first reader tried for rubrics whose answers and entity fields
//! are all text or booleans ([`Plan::textual`]): the tape keeps numbers
//! only as binary floats, so a number of any kind makes it give up, and the
//! compiled reader (`fast.rs`), which keeps a number's digits, takes the
//! text. Everything else it does not take (any problem, an unusual shape, a
//! repeated key, `null`) gives up the same way, down to the exact reader
//! that reports every problem. It accepts exactly the shape the compiled
//! reader does and resolves answers and fields with the same functions
//! ([`super::resolve`], [`super::field_value`]), so a submission both accept
//! is the same submission (`tests/compiled_reader.rs` checks all three
//! readers against each other).

use std::borrow::Cow;
use std::cell::RefCell;

use simd_json::{Buffers, Node, StaticNode, Tape};

use super::fast::{GiveUp, Read};
use super::{field_value, resolve, Answers, Raw};
use crate::plan::Plan;

type Fast<T> = Result<T, GiveUp>;

/// Per-thread buffers, reused from line to line: simd-json writes unescaped
/// strings into its input, so each line is first copied (the caller's text
/// stays intact for the readers after this one).
struct Scratch {
    copy: Vec<u8>,
    buffers: Buffers,
    tape: Option<Tape<'static>>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch {
        copy: Vec::new(),
        buffers: Buffers::new(4096),
        tape: None,
    });
}

/// Reads one answer set from `bytes` (not yet known to be UTF-8: simd-json
/// validates it), or gives up.
pub(super) fn read(plan: &Plan, bytes: &[u8]) -> Fast<Read> {
    // simd-json decodes a lone surrogate escape (`"\ud800"`) where JSON
    // has none; answer sets rarely escape anything, so text with an escape
    // is left to the compiled reader, which decodes escapes strictly.
    if bytes.contains(&b'\\') {
        return Err(GiveUp);
    }
    SCRATCH.with(|s| {
        let Ok(mut s) = s.try_borrow_mut() else {
            return Err(GiveUp);
        };
        let Scratch {
            copy,
            buffers,
            tape: kept,
        } = &mut *s;
        copy.clear();
        copy.extend_from_slice(bytes);
        let mut tape = kept.take().unwrap_or_else(|| Tape::null().reset()).reset();
        let out = match simd_json::fill_tape(copy, buffers, &mut tape) {
            Ok(()) => Walk {
                nodes: &tape.0,
                at: 0,
            }
            .submission(plan),
            Err(_) => Err(GiveUp),
        };
        *kept = Some(tape.reset());
        out
    })
}

/// A cursor over the tape.
struct Walk<'t, 'i> {
    nodes: &'t [Node<'i>],
    at: usize,
}

impl<'t, 'i> Walk<'t, 'i> {
    fn next(&mut self) -> Fast<Node<'i>> {
        let n = self.nodes.get(self.at).copied().ok_or(GiveUp)?;
        self.at += 1;
        Ok(n)
    }

    /// The next node as an object: its number of keys.
    fn object(&mut self) -> Fast<usize> {
        match self.next()? {
            Node::Object { len, .. } => Ok(len),
            _ => Err(GiveUp),
        }
    }

    fn str(&mut self) -> Fast<&'i str> {
        match self.next()? {
            Node::String(s) => Ok(s),
            _ => Err(GiveUp),
        }
    }

    /// Skips the next value, nested or not.
    fn skip(&mut self) -> Fast<()> {
        match self.next()? {
            Node::Object { count, .. } | Node::Array { count, .. } => {
                self.at = self.at.checked_add(count).ok_or(GiveUp)?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The next value as a [`Raw`] answer or field value. Numbers give up
    /// (the tape has only their binary value), as do `null`, objects and
    /// nested lists.
    fn raw(&mut self) -> Fast<Raw<'i>> {
        Ok(match self.next()? {
            Node::String(s) => Raw::Str(s),
            Node::Static(StaticNode::Bool(b)) => Raw::Bool(b),
            Node::Array { len, .. } => {
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(Ok(Cow::Borrowed(self.str()?)));
                }
                Raw::List(items)
            }
            _ => return Err(GiveUp),
        })
    }

    /// The whole answer set: the four keys the compiled reader takes, each
    /// once, and nothing after them.
    fn submission(mut self, plan: &Plan) -> Fast<Read> {
        let model = plan.model();
        let mut out = Read {
            entity: String::new(),
            name: None,
            profile: vec![None; model.profile.len()],
            answers: Answers::new(0..model.nodes.first().map_or(0, |n| n.end)),
        };
        let mut seen = [false; 4];
        let mut entity = None;
        for _ in 0..self.object()? {
            let k = match self.str()? {
                "rubric" => 0,
                "version" => 1,
                "entity" => 2,
                "answers" => 3,
                _ => return Err(GiveUp),
            };
            if std::mem::replace(seen.get_mut(k).ok_or(GiveUp)?, true) {
                return Err(GiveUp);
            }
            match k {
                0 => same(self.str()?, &model.id)?,
                1 => same(self.str()?, &model.version)?,
                2 => entity = Some(self.entity(plan, &mut out)?),
                _ => self.answers(plan, &mut out.answers)?,
            }
        }
        if seen != [true; 4] || self.at != self.nodes.len() {
            return Err(GiveUp);
        }
        out.entity = entity.ok_or(GiveUp)?;
        Ok(out)
    }

    /// `"entity": {"id": …, "name": …, "profile": {…}}`; other keys are
    /// skipped, as the exact reader ignores them. Returns the id.
    fn entity(&mut self, plan: &Plan, out: &mut Read) -> Fast<String> {
        let model = plan.model();
        let mut id: Option<String> = None;
        let mut profile_given = false;
        for _ in 0..self.object()? {
            match self.str()? {
                "id" if id.is_none() => {
                    let s = self.str()?;
                    if s.is_empty() {
                        return Err(GiveUp);
                    }
                    id = Some(s.to_string());
                }
                "name" if out.name.is_none() => out.name = Some(self.str()?.to_string()),
                "profile" if !profile_given => {
                    profile_given = true;
                    let fields = self.object()?;
                    for _ in 0..fields {
                        let (fi, name, def) = model
                            .profile
                            .get_full(self.str()?)
                            .filter(|(_, _, d)| d.owner.is_none())
                            .ok_or(GiveUp)?;
                        let slot = out.profile.get_mut(fi).ok_or(GiveUp)?;
                        if slot.is_some() {
                            return Err(GiveUp);
                        }
                        *slot = Some(field_value(&def.ty, name, self.raw()?).map_err(|_| GiveUp)?);
                    }
                    if fields != model.entity_fields().count() {
                        return Err(GiveUp);
                    }
                }
                "id" | "name" | "profile" => return Err(GiveUp),
                _ => self.skip()?,
            }
        }
        if !profile_given && model.entity_fields().next().is_some() {
            return Err(GiveUp);
        }
        id.ok_or(GiveUp)
    }

    /// `"answers": {"CRITERION": ANSWER, …}` for the entity's own criteria.
    fn answers(&mut self, plan: &Plan, answers: &mut Answers) -> Fast<()> {
        let mut last = None;
        for _ in 0..self.object()? {
            let ix = plan.own_criterion(self.str()?.as_bytes(), last).ok_or(GiveUp)?;
            last = Some(ix);
            if answers.get(ix).is_some() {
                return Err(GiveUp);
            }
            let raw = self.raw()?;
            answers.set(ix, Some(resolve(plan, ix, raw).map_err(|_| GiveUp)?));
        }
        Ok(())
    }
}

fn same(found: &str, expected: &str) -> Fast<()> {
    if found == expected {
        Ok(())
    } else {
        Err(GiveUp)
    }
}
