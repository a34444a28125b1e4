//! One entity's line of `mizan eval --format jsonl`, written straight
//! into a reused buffer: the same bytes as
//! `serde_json::to_string(&json::entity_in(…))` (contract in
//! `docs/output.md`), without building the serde structs, a map or a
//! string per node. Node ids are escaped once per rubric; numbers are
//! written digit by digit from the decimal's mantissa and scale.

use std::sync::atomic::{AtomicUsize, Ordering};

use rust_decimal::Decimal;

use super::{band_label, Lang};
use crate::eval::{EntityResult, InstanceSetResult};
use crate::model::{BandUse, Model};

/// Writes entity lines for one rubric in one language. Shared by the
/// threads of a stream (`Sync`): it only reads the model.
pub struct EntityLines<'a> {
    model: &'a Model,
    lang: Lang,
    /// Per node: its id as a JSON object key, `"id":`, escaped.
    keys: Vec<String>,
    /// The length of a line written lately: the capacity of the next
    /// buffer [`EntityLines::buffer`] hands out.
    hint: AtomicUsize,
}

impl<'a> EntityLines<'a> {
    /// The writer for `model`'s entities, band labels in `lang`.
    pub fn new(model: &'a Model, lang: Lang) -> Self {
        let keys = model
            .nodes
            .iter()
            .map(|n| {
                let mut k = String::with_capacity(n.id.len() + 3);
                write_str(&mut k, &n.id);
                k.push(':');
                k
            })
            .collect();
        EntityLines {
            model,
            lang,
            keys,
            hint: AtomicUsize::new(256),
        }
    }

    /// An empty buffer with room for a line as long as the last one
    /// written (plus a margin): one allocation per line, none on the way.
    pub fn buffer(&self) -> String {
        String::with_capacity(self.hint.load(Ordering::Relaxed))
    }

    /// Appends `r`'s JSON object (no newline) to `out`. With `rank_slot`,
    /// the line has `"rank":null` after the band label, for the stream
    /// to fill in once every score is known.
    pub fn write(&self, out: &mut String, r: &EntityResult, rank_slot: bool) {
        let start = out.len();
        let model = self.model;
        let exact = r.score();
        let root = model.root().bands.as_slice();
        out.push_str("{\"id\":");
        write_str(out, &r.submission.entity);
        if let Some(name) = &r.submission.name {
            out.push_str(",\"name\":");
            write_str(out, name);
        }
        out.push_str(",\"score\":");
        write_score(out, exact);
        let headline = exact.and_then(|s| model.band(root, s));
        out.push_str(",\"band\":");
        write_opt_str(out, headline.map(|b| b.id.as_str()));
        out.push_str(",\"band_label\":");
        write_opt_str(out, headline.map(|b| band_label(self.lang, b)));
        if rank_slot {
            out.push_str(",\"rank\":null");
        }
        out.push_str(",\"bands\":");
        self.band_ids(out, root, exact);
        out.push_str(",\"node_bands\":{");
        let mut first = true;
        for ((n, o), key) in model.nodes.iter().zip(&r.outcomes).zip(&self.keys).skip(1) {
            if n.bands.is_empty() {
                continue;
            }
            let Some(s) = o.score() else { continue };
            comma(out, &mut first);
            out.push_str(key);
            self.band_ids(out, &n.bands, Some(s));
        }
        out.push_str("},\"nodes\":{");
        let mut first = true;
        for (o, key) in r.outcomes.iter().zip(&self.keys).skip(1) {
            comma(out, &mut first);
            out.push_str(key);
            write_score(out, o.score());
        }
        out.push('}');
        if self.any_instances(&r.instances) {
            out.push_str(",\"instances\":");
            self.instances(out, &r.instances);
        }
        out.push('}');
        let len = out.len().saturating_sub(start);
        if len > self.hint.load(Ordering::Relaxed) || len + len / 4 < self.hint.load(Ordering::Relaxed) {
            self.hint.store(len + len / 8 + 16, Ordering::Relaxed);
        }
    }

    /// `r`'s line (no newline) in a new string.
    pub fn line(&self, r: &EntityResult, rank_slot: bool) -> String {
        let mut out = self.buffer();
        self.write(&mut out, r, rank_slot);
        out
    }

    /// Set name → band id of `score` in each of `uses` (the first use of
    /// a set counts, as in [`super::json::band_ids`]).
    fn band_ids(&self, out: &mut String, uses: &[BandUse], score: Option<Decimal>) {
        out.push('{');
        let mut first = true;
        for (i, u) in uses.iter().enumerate() {
            if uses.get(..i).unwrap_or_default().iter().any(|p| p.set == u.set) {
                continue;
            }
            comma(out, &mut first);
            write_str(out, &u.set);
            out.push(':');
            let band = score.and_then(|s| self.model.band_in(u, s));
            write_opt_str(out, band.map(|b| b.id.as_str()));
        }
        out.push('}');
    }

    /// Whether any of `sets` is written (its repeated node is known).
    fn any_instances(&self, sets: &[InstanceSetResult]) -> bool {
        sets.iter().any(|s| self.model.nodes.get(s.node).is_some())
    }

    /// Repeated node id → its instances, as [`super::json::InstanceOut`].
    fn instances(&self, out: &mut String, sets: &[InstanceSetResult]) {
        out.push('{');
        let mut first = true;
        for set in sets {
            let (Some(r), Some(key)) = (self.model.nodes.get(set.node), self.keys.get(set.node)) else {
                continue;
            };
            comma(out, &mut first);
            out.push_str(key);
            out.push('[');
            let mut first_item = true;
            let below = self.model.nodes.get(set.node + 1..r.end).unwrap_or_default();
            let below_keys = self.keys.get(set.node + 1..r.end).unwrap_or_default();
            for it in &set.items {
                comma(out, &mut first_item);
                out.push_str("{\"key\":");
                write_str(out, &it.key);
                out.push_str(",\"score\":");
                write_score(out, it.outcomes.first().and_then(|o| o.score()));
                out.push_str(",\"nodes\":{");
                let mut first_node = true;
                for ((n, key), o) in below.iter().zip(below_keys).zip(it.outcomes.iter().skip(1)) {
                    if n.scope != set.node {
                        continue;
                    }
                    comma(out, &mut first_node);
                    out.push_str(key);
                    write_score(out, o.score());
                }
                out.push('}');
                if self.any_instances(&it.instances) {
                    out.push_str(",\"instances\":");
                    self.instances(out, &it.instances);
                }
                out.push('}');
            }
            out.push(']');
        }
        out.push('}');
    }
}

/// A `,` before every item but the first.
fn comma(out: &mut String, first: &mut bool) {
    if *first {
        *first = false;
    } else {
        out.push(',');
    }
}

/// A score: its normalised decimal, or `null`.
fn write_score(out: &mut String, d: Option<Decimal>) {
    match d {
        Some(d) => write_decimal(out, d),
        None => out.push_str("null"),
    }
}

/// A string or `null`.
fn write_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}

/// `s` as a JSON string, escaped exactly as serde_json escapes it: `"`
/// and `\` and the control characters below U+0020 (`\b \f \n \r \t`
/// short, the others `\u00xx` in lower-case hex); everything else as is.
pub fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0C => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1F => "",
            _ => continue,
        };
        // Every byte escaped is ASCII: a char boundary on both sides.
        out.push_str(s.get(from..i).unwrap_or_default());
        from = i + 1;
        if short.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
            out.push(char::from(HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'0')));
        } else {
            out.push_str(short);
        }
    }
    out.push_str(s.get(from..).unwrap_or_default());
    out.push('"');
}

/// `10^19`: the largest power of ten in a `u64`.
const E19: u128 = 10_000_000_000_000_000_000;

/// `d` as [`Decimal::normalize`] then `to_string` print it (trailing
/// fractional zeros dropped, `-0` as `0`, never an exponent), written
/// from the mantissa's digits without a string in between.
pub fn write_decimal(out: &mut String, d: Decimal) {
    let m = d.mantissa();
    if m == 0 {
        out.push('0');
        return;
    }
    // The mantissa has at most 96 bits (29 digits): a high part of at
    // most 10 digits and a low part of 19.
    let u = m.unsigned_abs();
    let mut buf = [b'0'; 40];
    let mut at = buf.len();
    let (hi, lo) = (u / E19, u % E19);
    let mut lo = u64::try_from(lo).unwrap_or(0);
    let hi = u64::try_from(hi).unwrap_or(0);
    if hi == 0 {
        at = digits(&mut buf, at, lo);
    } else {
        for slot in buf.get_mut(at - 19..at).unwrap_or_default().iter_mut().rev() {
            *slot = b'0' + (lo % 10) as u8;
            lo /= 10;
        }
        at = digits(&mut buf, at - 19, hi);
    }
    let all = buf.get(at..).unwrap_or_default();
    // Normalise: drop the fraction's trailing zeros.
    let scale = d.scale() as usize;
    let zeros = all.iter().rev().take(scale).take_while(|&&b| b == b'0').count();
    let digits = all.get(..all.len() - zeros).unwrap_or_default();
    let scale = scale - zeros;
    if m < 0 {
        out.push('-');
    }
    if scale == 0 {
        push_ascii(out, digits);
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        push_ascii(out, int);
        out.push('.');
        push_ascii(out, frac);
    } else {
        out.push_str("0.");
        for _ in digits.len()..scale {
            out.push('0');
        }
        push_ascii(out, digits);
    }
}

/// Writes `v`'s digits (at least one) into `buf` ending before `at`;
/// returns where they start.
fn digits(buf: &mut [u8; 40], mut at: usize, mut v: u64) -> usize {
    while let Some(slot) = at.checked_sub(1).and_then(|i| buf.get_mut(i)) {
        *slot = b'0' + (v % 10) as u8;
        at -= 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    at
}

/// ASCII digits and signs, as text.
fn push_ascii(out: &mut String, b: &[u8]) {
    out.push_str(std::str::from_utf8(b).unwrap_or_default());
}
