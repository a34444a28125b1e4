//! The compiled reader: one pass of a borrowed pull parser (jiter) over an
//! answer set's text, straight into the plan's answer slots.
//!
//! No `serde_json::Value` is built: keys and option ids are looked up while
//! the parser still borrows them, numbers become exact decimals from their
//! digits, and nothing is allocated per answer. The reader only takes the
//! common case, a well-formed submission without instances; at the first
//! thing it does not take (any problem, an unusual shape, a repeated key,
//! a `null`), it gives up and [`super::read`] reads the text again with the
//! exact reader, which reports every problem with its JSON pointer. Both
//! readers resolve answers and fields with the same functions
//! ([`super::resolve`], [`super::field_value`]), so a submission they both
//! accept is the same submission.

use jiter::{Jiter, JiterError, Peek};
use std::borrow::Cow;

use super::{decimal, field_value, resolve, Answers, ProfileValue, Raw};
use crate::plan::Plan;

/// The fast path gave up: read the text again with the exact reader.
pub(super) struct GiveUp;

impl From<JiterError> for GiveUp {
    fn from(_: JiterError) -> Self {
        GiveUp
    }
}

type Fast<T> = Result<T, GiveUp>;

/// What a fast reader (this one, or the direct reader) gets out of one
/// answer set.
pub(super) struct Read {
    pub entity: String,
    pub name: Option<String>,
    pub profile: Vec<Option<ProfileValue>>,
    pub answers: Answers,
}

impl Read {
    /// Nothing read yet: room for the profile and the entity's answers.
    pub fn empty(model: &crate::model::Model) -> Self {
        Read {
            entity: String::new(),
            name: None,
            profile: vec![None; model.profile.len()],
            answers: Answers::new(0..model.nodes.first().map_or(0, |n| n.end)),
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
            instances: Vec::new(),
        }
    }
}

/// The top-level keys of an answer set.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Top {
    Rubric,
    Version,
    Entity,
    Answers,
    Other,
}

fn top(k: &str) -> Top {
    match k {
        "rubric" => Top::Rubric,
        "version" => Top::Version,
        "entity" => Top::Entity,
        "answers" => Top::Answers,
        _ => Top::Other,
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
    let mut j = Jiter::new(text.as_bytes());
    let mut seen = [false; 4];
    let mut entity = None;
    let mut out = Read::empty(model);
    let mut key = j.next_object()?.map(top);
    while let Some(k) = key {
        let first = match k {
            Top::Other => false,
            k => !std::mem::replace(seen.get_mut(k as usize).ok_or(GiveUp)?, true),
        };
        if !first {
            return Err(GiveUp);
        }
        match k {
            Top::Rubric => same(j.next_str()?, &model.id)?,
            Top::Version => same(j.next_str()?, &model.version)?,
            Top::Entity => entity = Some(read_entity(&mut j, text, plan, &mut out)?),
            Top::Answers => read_answers(&mut j, text, plan, &mut out.answers)?,
            Top::Other => return Err(GiveUp),
        }
        key = j.next_key()?.map(top);
    }
    j.finish()?;
    if seen != [true; 4] {
        return Err(GiveUp);
    }
    out.entity = entity.ok_or(GiveUp)?;
    Ok(out)
}

/// `found` is the rubric's `expected` id or version, or the fast path
/// gives up (the exact reader reports the mismatch).
pub(super) fn same(found: &str, expected: &str) -> Fast<()> {
    if found == expected {
        Ok(())
    } else {
        Err(GiveUp)
    }
}

/// `"entity": {"id": …, "name": …, "profile": {…}}`; another key, or an id
/// the exact reader refuses, gives up. Returns the id, normalised.
fn read_entity(j: &mut Jiter<'_>, text: &str, plan: &Plan, out: &mut Read) -> Fast<String> {
    let model = plan.model();
    let mut id: Option<String> = None;
    let mut profile_given = false;
    let mut key = j.next_object()?.map(|k| (k == "id", k == "name", k == "profile"));
    while let Some(k) = key {
        match k {
            (true, _, _) if id.is_none() => {
                let s = j.next_str()?;
                if s.is_empty() {
                    return Err(GiveUp);
                }
                id = Some(super::entity_id(s).map_err(|_| GiveUp)?.into_owned());
            }
            (_, true, _) if out.name.is_none() => out.name = Some(j.next_str()?.to_string()),
            (_, _, true) if !profile_given => {
                profile_given = true;
                let mut given = 0;
                let mut field = j.next_object()?.map(|k| model.profile.get_full(k));
                while let Some(f) = field {
                    let (fi, name, def) = f.filter(|(_, _, d)| d.owner.is_none()).ok_or(GiveUp)?;
                    let slot = out.profile.get_mut(fi).ok_or(GiveUp)?;
                    if slot.is_some() {
                        return Err(GiveUp);
                    }
                    let raw = raw(j, text)?;
                    *slot = Some(field_value(&def.ty, name, raw).map_err(|_| GiveUp)?);
                    given += 1;
                    field = j.next_key()?.map(|k| model.profile.get_full(k));
                }
                let wanted = model.entity_fields().count();
                if given != wanted {
                    return Err(GiveUp);
                }
            }
            _ => return Err(GiveUp),
        }
        key = j.next_key()?.map(|k| (k == "id", k == "name", k == "profile"));
    }
    if !profile_given && model.entity_fields().next().is_some() {
        return Err(GiveUp);
    }
    id.ok_or(GiveUp)
}

/// `"answers": {"CRITERION": ANSWER, …}` for the entity's own criteria.
fn read_answers(j: &mut Jiter<'_>, text: &str, plan: &Plan, answers: &mut Answers) -> Fast<()> {
    let mut last = None;
    let mut own = |k: &[u8]| {
        let ix = plan.own_criterion(k, last);
        last = ix;
        ix
    };
    let mut key = j.next_object_bytes()?.map(&mut own);
    while let Some(ix) = key {
        let ix = ix.ok_or(GiveUp)?;
        if answers.get(ix).is_some() {
            return Err(GiveUp);
        }
        let raw = raw(j, text)?;
        answers.set(ix, Some(resolve(plan, ix, raw).map_err(|_| GiveUp)?));
        key = j.next_key_bytes()?.map(&mut own);
    }
    Ok(())
}

/// The next value as a [`Raw`] answer; `null`, objects and nested lists
/// give up.
fn raw<'j>(j: &'j mut Jiter<'_>, text: &'j str) -> Fast<Raw<'j>> {
    let peek = j.peek()?;
    Ok(match peek {
        // Undecoded: option ids are identifiers, so a string with an
        // escape matches none and the exact reader takes over.
        Peek::String => {
            // The string's place in the text, found from where the parser
            // stopped: a slice of a `&str` between two quotes needs no
            // second UTF-8 check.
            let len = j.known_bytes()?.len();
            let end = j.current_index().checked_sub(1).ok_or(GiveUp)?;
            let start = end.checked_sub(len).ok_or(GiveUp)?;
            Raw::Str(text.get(start..end).ok_or(GiveUp)?)
        }
        Peek::True | Peek::False => Raw::Bool(j.known_bool(peek)?),
        Peek::Array => {
            let mut items = Vec::new();
            let mut next = j.known_array()?;
            while let Some(p) = next {
                if p != Peek::String {
                    return Err(GiveUp);
                }
                items.push(Ok(Cow::Owned(j.known_str()?.to_string())));
                next = j.array_step()?;
            }
            Raw::List(items)
        }
        p if p.is_num() => {
            let text = std::str::from_utf8(j.next_number_bytes()?).map_err(|_| GiveUp)?;
            Raw::Num(Ok(decimal(text).ok_or(GiveUp)?))
        }
        _ => return Err(GiveUp),
    })
}
