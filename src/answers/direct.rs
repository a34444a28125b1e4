//! The direct reader: the usual shape of an answer set, matched byte by
//! byte against the plan.
//!
//! Answer sets are written by tools, so nearly all of them have one shape:
//! the four keys `rubric`, `version`, `entity` and `answers`, strings
//! without escapes, and the criteria in the rubric's order, answered with
//! an option id or a boolean. This reader takes exactly that shape and no
//! more: at each answer it expects the criterion that follows the one
//! before (one comparison with the plan's packed ids), reads the option id
//! up to its closing quote, and looks it up among that criterion's
//! options. What it takes is JSON by construction: objects, strings with
//! no backslash and no control character (the text is already UTF-8),
//! `true`, `false`, and JSON whitespace.
//!
//! At the first thing outside that shape (an escape, a number, `null`, a
//! list, an unknown or repeated key, any problem) it gives up, and the
//! compiled reader (`fast.rs`, a full JSON parser) takes the text, then,
//! if need be, the exact reader that reports every problem. All readers
//! resolve answers and fields with the same functions ([`super::resolve`],
//! [`super::field_value`], [`super::choose`]), and `tests/compiled_reader.rs`
//! and the `answer_readers` fuzz target check that they agree.

use super::fast::{same, GiveUp, Read};
use super::{choose, field_value, resolve, Answer, Answers, Raw};
use crate::model::NodeIx;
use crate::plan::Plan;

type Fast<T> = Result<T, GiveUp>;

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
    let mut seen = [false; 4];
    let mut entity = None;
    let mut more = c.open()?;
    while more {
        let k = match c.key()? {
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
            0 => same(c.str()?, &model.id)?,
            1 => same(c.str()?, &model.version)?,
            2 => entity = Some(c.entity(plan, &mut out)?),
            _ => c.answers(plan, &mut out.answers)?,
        }
        more = c.next()?;
    }
    c.ws();
    if seen != [true; 4] || c.at != c.bytes.len() {
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

    /// `{`; whether a key follows (else the object was `{}`).
    fn open(&mut self) -> Fast<bool> {
        self.eat(b'{')?;
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After a member: `,` (another follows) or `}` (the object ends).
    #[inline]
    fn next(&mut self) -> Fast<bool> {
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(true)
            }
            Some(b'}') => {
                self.at += 1;
                Ok(false)
            }
            _ => Err(GiveUp),
        }
    }

    /// A string with no escape and no control character: its content.
    #[inline]
    fn str(&mut self) -> Fast<&'t str> {
        self.eat(b'"')?;
        let start = self.at;
        loop {
            match self.bytes.get(self.at) {
                Some(b'"') => break,
                Some(&b) if b == b'\\' || b < 0x20 => return Err(GiveUp),
                Some(_) => self.at += 1,
                None => return Err(GiveUp),
            }
        }
        // Both ends are next to an ASCII quote: char boundaries.
        let s = self.text.get(start..self.at).ok_or(GiveUp)?;
        self.at += 1;
        Ok(s)
    }

    /// A key and its colon.
    #[inline]
    fn key(&mut self) -> Fast<&'t str> {
        let k = self.str()?;
        self.eat(b':')?;
        Ok(k)
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

    /// A value this reader takes: a string or a boolean.
    fn raw(&mut self) -> Fast<Raw<'t>> {
        let (word, value): (&[u8], bool) = match self.peek() {
            Some(b'"') => return Ok(Raw::Str(self.str()?)),
            Some(b't') => (b"true", true),
            Some(b'f') => (b"false", false),
            _ => return Err(GiveUp),
        };
        if self.bytes.get(self.at..self.at + word.len()) != Some(word) {
            return Err(GiveUp);
        }
        self.at += word.len();
        Ok(Raw::Bool(value))
    }

    /// `"entity": {"id": …, "name": …, "profile": {…}}`; returns the id.
    fn entity(&mut self, plan: &Plan, out: &mut Read) -> Fast<String> {
        let model = plan.model();
        let mut id: Option<String> = None;
        let mut profile_given = false;
        let mut more = self.open()?;
        while more {
            match self.key()? {
                "id" if id.is_none() => {
                    let s = self.str()?;
                    if s.is_empty() {
                        return Err(GiveUp);
                    }
                    id = Some(super::entity_id(s).map_err(|_| GiveUp)?.into_owned());
                }
                "name" if out.name.is_none() => out.name = Some(self.str()?.to_string()),
                "profile" if !profile_given => {
                    profile_given = true;
                    let mut given = 0;
                    let mut field = self.open()?;
                    while field {
                        let (fi, name, def) = model
                            .profile
                            .get_full(self.key()?)
                            .filter(|(_, _, d)| d.owner.is_none())
                            .ok_or(GiveUp)?;
                        let slot = out.profile.get_mut(fi).ok_or(GiveUp)?;
                        if slot.is_some() {
                            return Err(GiveUp);
                        }
                        *slot = Some(field_value(&def.ty, name, self.raw()?).map_err(|_| GiveUp)?);
                        given += 1;
                        field = self.next()?;
                    }
                    if given != model.entity_fields().count() {
                        return Err(GiveUp);
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

    /// `"answers": {"CRITERION": ANSWER, …}` for the entity's own criteria.
    fn answers(&mut self, plan: &Plan, answers: &mut Answers) -> Fast<()> {
        let mut last: Option<NodeIx> = None;
        let mut more = self.open()?;
        while more {
            // The criterion after the last one, in one comparison; else
            // any own criterion, by its id.
            self.ws();
            let expected = plan.expected_key_at(last, self.bytes.get(self.at..).unwrap_or_default());
            let ix = match expected {
                Some((ix, len)) => {
                    self.at += len;
                    ix
                }
                None => plan.own_criterion(self.key()?.as_bytes(), last).ok_or(GiveUp)?,
            };
            last = Some(ix);
            // The answer is written straight into its slot (a value built
            // elsewhere and copied in is read back before its bytes have
            // all landed, which stalls).
            let slot = answers.slot_mut(ix).ok_or(GiveUp)?;
            if slot.is_some() {
                return Err(GiveUp);
            }
            match self.option(plan, ix) {
                Some(Chosen::Option(i)) => *slot = Some(Answer::Option(i)),
                Some(Chosen::Na) => *slot = Some(Answer::Na),
                None => {
                    *slot = Some(match self.raw()? {
                        Raw::Str(s) => match choose(plan, ix, s.as_bytes()) {
                            Some(a) => a,
                            None => resolve(plan, ix, Raw::Str(s)).map_err(|_| GiveUp)?,
                        },
                        raw => resolve(plan, ix, raw).map_err(|_| GiveUp)?,
                    })
                }
            }
            more = self.next()?;
        }
        Ok(())
    }
}
