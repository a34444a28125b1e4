//! `applies when` conditions decided once per rubric.
//!
//! Most conditions read only enum and yes/no profile fields (`tier ==
//! federal`, `role in [provider, both]`, a `let` over such fields). Such a
//! condition has few possible inputs: every combination of its fields'
//! values (each also possibly absent) is evaluated once, when the plan is
//! compiled, by the evaluator itself, and the answers kept as the bits of
//! a `u64`. Scoring an entity then decides the condition with one bit test
//! instead of a walk over its expression. A condition that reads anything
//! else (a number field, a score), that has more than 64 combinations, or
//! that fails on one of them is evaluated as written, every time.

use smallvec::SmallVec;

use crate::answers::ProfileValue;
use crate::model::{CExpr, CKind, FieldTy, Model};

/// A condition's value for every combination of the profile fields it
/// reads.
#[derive(Debug, Clone)]
pub struct Table {
    /// The fields read: (field index, how many values it can take,
    /// counting "absent", the weight of its digit in a combination's
    /// number).
    fields: SmallVec<[Field; 2]>,
    /// Bit `k`: whether the condition holds on combination `k`.
    bits: u64,
}

#[derive(Debug, Clone, Copy)]
struct Field {
    index: usize,
    radix: usize,
    stride: usize,
}

impl Table {
    /// Whether the condition holds on `profile`; `None` for a value the
    /// table was not built for (the caller evaluates the condition).
    #[inline]
    pub fn holds(&self, profile: &[Option<ProfileValue>]) -> Option<bool> {
        let mut k = 0;
        for f in &self.fields {
            let digit = match profile.get(f.index)? {
                None => 0,
                Some(ProfileValue::Enum(i)) => i.checked_add(1)?,
                Some(ProfileValue::Bool(b)) => 1 + usize::from(*b),
                Some(ProfileValue::Number(_)) => return None,
            };
            if digit >= f.radix {
                return None;
            }
            k += digit * f.stride;
        }
        Some(self.bits >> k & 1 == 1)
    }
}

/// The table of condition `cond`, if it reads only enum and yes/no fields
/// (directly, or through named values that read only the entity's own
/// fields) in at most 64 combinations. `decide` is the evaluator: whether
/// the condition holds on a profile, `None` if evaluating it fails.
pub(super) fn table(
    model: &Model,
    cond: &CExpr,
    decide: impl Fn(&[Option<ProfileValue>]) -> Option<bool>,
) -> Option<Table> {
    let mut read = Vec::new();
    let mut seen_lets = Vec::new();
    reads(model, cond, false, &mut read, &mut seen_lets)?;
    read.sort_unstable();
    read.dedup();
    let mut fields: SmallVec<[Field; 2]> = SmallVec::new();
    let mut combinations: usize = 1;
    for &index in &read {
        let radix = match &model.profile.get_index(index)?.1.ty {
            FieldTy::Enum(values) => values.len().checked_add(1)?,
            FieldTy::Bool => 3,
            FieldTy::Number => return None,
        };
        fields.push(Field {
            index,
            radix,
            stride: combinations,
        });
        combinations = combinations.checked_mul(radix).filter(|&c| c <= 64)?;
    }
    let mut bits = 0u64;
    let mut profile: Vec<Option<ProfileValue>> = vec![None; model.profile.len()];
    for k in 0..combinations {
        for f in &fields {
            let digit = k / f.stride % f.radix;
            let value = match model.profile.get_index(f.index)?.1.ty {
                _ if digit == 0 => None,
                FieldTy::Bool => Some(ProfileValue::Bool(digit == 2)),
                _ => Some(ProfileValue::Enum(digit - 1)),
            };
            *profile.get_mut(f.index)? = value;
        }
        if decide(&profile)? {
            bits |= 1 << k;
        }
    }
    Some(Table { fields, bits })
}

/// Adds the profile fields `e` reads to `out`; `None` if it reads
/// anything but profile fields, named values and constants. Inside a named
/// value (`in_let`), only the entity's own fields: named values are
/// computed on the entity's profile, not on an instance's.
fn reads(
    model: &Model,
    e: &CExpr,
    in_let: bool,
    out: &mut Vec<usize>,
    seen_lets: &mut Vec<usize>,
) -> Option<()> {
    match &e.kind {
        CKind::Num(_) | CKind::Bool(_) | CKind::Str(_) | CKind::EnumLit(..) => Some(()),
        CKind::Field(f) => {
            if in_let && model.profile.get_index(*f)?.1.owner.is_some() {
                return None;
            }
            out.push(*f);
            Some(())
        }
        CKind::Let(i) => {
            if !seen_lets.contains(i) {
                seen_lets.push(*i);
                reads(model, &model.lets.get(*i)?.expr, true, out, seen_lets)?;
            }
            Some(())
        }
        CKind::List(items) => items
            .iter()
            .try_for_each(|x| reads(model, x, in_let, out, seen_lets)),
        CKind::Neg(a) | CKind::Not(a) => reads(model, a, in_let, out, seen_lets),
        CKind::Binary(_, a, b) => {
            reads(model, a, in_let, out, seen_lets)?;
            reads(model, b, in_let, out, seen_lets)
        }
        CKind::If(c, a, b) => {
            reads(model, c, in_let, out, seen_lets)?;
            reads(model, a, in_let, out, seen_lets)?;
            reads(model, b, in_let, out, seen_lets)
        }
        CKind::Call(_, args) => args
            .iter()
            .try_for_each(|x| reads(model, x, in_let, out, seen_lets)),
        CKind::Node(_) | CKind::Var(_) | CKind::OptionLit(..) | CKind::Answer(_) | CKind::Each { .. } => None,
    }
}
