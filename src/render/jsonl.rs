//! One entity's line of `mizan eval --format jsonl`, written straight
//! into a reused buffer: the same bytes as
//! `serde_json::to_string(&json::entity_in(…))` (contract in
//! `docs/output.md`), without building the serde structs, a map or a
//! string per node. Node ids are escaped once per rubric; numbers are
//! written digit by digit from the decimal's mantissa and scale.

use rust_decimal::Decimal;

use super::{band_label, Lang};
use crate::eval::{EntityResult, InstanceSetResult};
use crate::model::{BandUse, Model};

/// Writes entity lines for one rubric in one language. Shared by the
/// threads of a stream (`Sync`): it only reads the model.
pub struct EntityLines<'a> {
    model: &'a Model,
    lang: Lang,
    /// Per node: its id as a JSON object key after a comma, `,"id":`,
    /// escaped.
    keys: Vec<Vec<u8>>,
}

impl<'a> EntityLines<'a> {
    /// The writer for `model`'s entities, band labels in `lang`.
    pub fn new(model: &'a Model, lang: Lang) -> Self {
        let keys = model
            .nodes
            .iter()
            .map(|n| {
                let mut k = Vec::with_capacity(n.id.len() + 4);
                k.push(b',');
                write_str(&mut k, &n.id);
                k.push(b':');
                k
            })
            .collect();
        EntityLines { model, lang, keys }
    }

    /// Appends `r`'s JSON object (no newline) to `out`. With `rank_slot`,
    /// the line has `"rank":null` after the band label, for the stream
    /// to fill in once every score is known.
    pub fn write(&self, out: &mut Vec<u8>, r: &EntityResult, rank_slot: bool) {
        let model = self.model;
        let exact = r.score();
        let root = model.root().bands.as_slice();
        out.extend_from_slice(b"{\"id\":");
        write_str(out, &r.submission.entity);
        if let Some(name) = &r.submission.name {
            out.extend_from_slice(b",\"name\":");
            write_str(out, name);
        }
        out.extend_from_slice(b",\"score\":");
        write_score(out, exact);
        let headline = exact.and_then(|s| model.band(root, s));
        out.extend_from_slice(b",\"band\":");
        write_opt_str(out, headline.map(|b| b.id.as_str()));
        out.extend_from_slice(b",\"band_label\":");
        write_opt_str(out, headline.map(|b| band_label(self.lang, b)));
        if rank_slot {
            out.extend_from_slice(b",\"rank\":null");
        }
        out.extend_from_slice(b",\"bands\":");
        self.band_ids(out, root, exact);
        out.extend_from_slice(b",\"node_bands\":{");
        let mut first = true;
        for ((n, o), key) in model.nodes.iter().zip(&r.outcomes).zip(&self.keys).skip(1) {
            if n.bands.is_empty() {
                continue;
            }
            let Some(s) = o.score() else { continue };
            entry(out, key, &mut first);
            self.band_ids(out, &n.bands, Some(s));
        }
        out.extend_from_slice(b"},\"nodes\":{");
        let mut first = true;
        for (o, key) in r.outcomes.iter().zip(&self.keys).skip(1) {
            entry(out, key, &mut first);
            write_score(out, o.score());
        }
        out.push(b'}');
        if self.any_instances(&r.instances) {
            out.extend_from_slice(b",\"instances\":");
            self.instances(out, &r.instances);
        }
        out.push(b'}');
    }

    /// `r`'s line (no newline) in a new string.
    pub fn line(&self, r: &EntityResult, rank_slot: bool) -> String {
        let mut out = Vec::new();
        self.write(&mut out, r, rank_slot);
        text(out)
    }

    /// Set name → band id of `score` in each of `uses` (the first use of
    /// a set counts, as in [`super::json::band_ids`]).
    fn band_ids(&self, out: &mut Vec<u8>, uses: &[BandUse], score: Option<Decimal>) {
        out.push(b'{');
        let mut first = true;
        for (i, u) in uses.iter().enumerate() {
            if uses.get(..i).unwrap_or_default().iter().any(|p| p.set == u.set) {
                continue;
            }
            comma(out, &mut first);
            write_str(out, &u.set);
            out.push(b':');
            let band = score.and_then(|s| self.model.band_in(u, s));
            write_opt_str(out, band.map(|b| b.id.as_str()));
        }
        out.push(b'}');
    }

    /// Whether any of `sets` is written (its repeated node is known).
    fn any_instances(&self, sets: &[InstanceSetResult]) -> bool {
        sets.iter().any(|s| self.model.nodes.get(s.node).is_some())
    }

    /// Repeated node id → its instances, as [`super::json::InstanceOut`].
    fn instances(&self, out: &mut Vec<u8>, sets: &[InstanceSetResult]) {
        out.push(b'{');
        let mut first = true;
        for set in sets {
            let (Some(r), Some(key)) = (self.model.nodes.get(set.node), self.keys.get(set.node)) else {
                continue;
            };
            entry(out, key, &mut first);
            out.push(b'[');
            let mut first_item = true;
            let below = self.model.nodes.get(set.node + 1..r.end).unwrap_or_default();
            let below_keys = self.keys.get(set.node + 1..r.end).unwrap_or_default();
            for it in &set.items {
                comma(out, &mut first_item);
                out.extend_from_slice(b"{\"key\":");
                write_str(out, &it.key);
                out.extend_from_slice(b",\"score\":");
                write_score(out, it.outcomes.first().and_then(|o| o.score()));
                out.extend_from_slice(b",\"nodes\":{");
                let mut first_node = true;
                for ((n, key), o) in below.iter().zip(below_keys).zip(it.outcomes.iter().skip(1)) {
                    if n.scope != set.node {
                        continue;
                    }
                    entry(out, key, &mut first_node);
                    write_score(out, o.score());
                }
                out.push(b'}');
                if self.any_instances(&it.instances) {
                    out.extend_from_slice(b",\"instances\":");
                    self.instances(out, &it.instances);
                }
                out.push(b'}');
            }
            out.push(b']');
        }
        out.push(b'}');
    }
}

/// A line written by [`EntityLines::write`] as text (it is UTF-8: the
/// writer copies only whole strings and ASCII).
pub fn text(line: Vec<u8>) -> String {
    String::from_utf8(line).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A key of [`EntityLines::keys`] (`,"id":`), without its comma when
/// it is the first of its object.
fn entry(out: &mut Vec<u8>, key: &[u8], first: &mut bool) {
    if *first {
        *first = false;
        out.extend_from_slice(key.get(1..).unwrap_or_default());
    } else {
        out.extend_from_slice(key);
    }
}

/// A `,` before every item but the first.
fn comma(out: &mut Vec<u8>, first: &mut bool) {
    if *first {
        *first = false;
    } else {
        out.push(b',');
    }
}

/// A score: its normalised decimal, or `null`.
fn write_score(out: &mut Vec<u8>, d: Option<Decimal>) {
    match d {
        Some(d) => write_decimal(out, d),
        None => out.extend_from_slice(b"null"),
    }
}

/// A string or `null`.
fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// `s` as a JSON string, escaped exactly as serde_json escapes it: `"`
/// and `\` and the control characters below U+0020 (`\b \f \n \r \t`
/// short, the others `\u00xx` in lower-case hex); everything else as is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
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
        out.extend_from_slice(s.as_bytes().get(from..i).unwrap_or_default());
        from = i + 1;
        if short.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'0'));
        } else {
            out.extend_from_slice(short.as_bytes());
        }
    }
    out.extend_from_slice(s.as_bytes().get(from..).unwrap_or_default());
    out.push(b'"');
}

/// `10^8`: the base of the chunks a mantissa is cut into.
const E8: u64 = 100_000_000;

/// The two digits of every number below 100, in order.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `d` as [`Decimal::normalize`] then `to_string` print it (trailing
/// fractional zeros dropped, `-0` as `0`, never an exponent), written
/// from the mantissa's digits without a string in between.
#[inline]
pub fn write_decimal(out: &mut Vec<u8>, d: Decimal) {
    // Most criterion scores are 0 or 1: no digits to work out.
    if d.is_zero() {
        out.push(b'0');
    } else if let (0, m @ 1..=9) = (d.scale(), d.mantissa()) {
        out.push(b'0' + m as u8);
    } else {
        write_digits(out, d);
    }
}

/// [`write_decimal`] of a number with digits to work out.
fn write_digits(out: &mut Vec<u8>, d: Decimal) {
    let m = d.mantissa();
    let mut buf = [b'0'; 40];
    let at = digits(&mut buf, m.unsigned_abs());
    let all = buf.get(at..).unwrap_or_default();
    // Normalise: drop the fraction's trailing zeros.
    let scale = d.scale() as usize;
    let zeros = all.iter().rev().take(scale).take_while(|&&b| b == b'0').count();
    let digits = all.get(..all.len() - zeros).unwrap_or_default();
    let scale = scale - zeros;
    if m < 0 {
        out.push(b'-');
    }
    if scale == 0 {
        out.extend_from_slice(digits);
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (scale - digits.len()), b'0');
        out.extend_from_slice(digits);
    }
}

/// Writes `u`'s digits (no leading zero; none for 0) at the end of
/// `buf`; returns where they start. The digits are cut into chunks of
/// eight, each written as four independent pairs, so that few divisions
/// wait on one another.
fn digits(buf: &mut [u8; 40], u: u128) -> usize {
    // Base 10^8 chunks, lowest first (a `u128` has at most 39 digits).
    let mut chunks = [0u32; 5];
    let mut n = 0;
    let mut rest = u;
    let mut v = loop {
        if let Ok(v) = u64::try_from(rest) {
            break v;
        }
        let (q, r) = div_e8(rest);
        if let Some(c) = chunks.get_mut(n) {
            *c = r;
        }
        n += 1;
        rest = q;
    };
    while v >= E8 {
        if let Some(c) = chunks.get_mut(n) {
            *c = (v % E8) as u32;
        }
        n += 1;
        v /= E8;
    }
    let mut at = buf.len();
    for &c in chunks.get(..n).unwrap_or_default() {
        let (hi, lo) = (c / 10_000, c % 10_000);
        at = pair(buf, at, lo % 100);
        at = pair(buf, at, lo / 100);
        at = pair(buf, at, hi % 100);
        at = pair(buf, at, hi / 100);
    }
    // The highest chunk, below 10^8, without leading zeros.
    let mut top = v as u32;
    while top >= 10 {
        at = pair(buf, at, top % 100);
        top /= 100;
    }
    if top > 0 {
        if let Some(slot) = at.checked_sub(1).and_then(|i| buf.get_mut(i)) {
            *slot = b'0' + top as u8;
            at -= 1;
        }
    }
    at
}

/// `u / 10^8` and `u % 10^8`, by long division of its four 32-bit limbs
/// (four multiplications rather than a 128-bit division).
fn div_e8(u: u128) -> (u128, u32) {
    let (mut q, mut r) = (0u128, 0u64);
    for shift in [96, 64, 32, 0] {
        // `r < 10^8 < 2^27`: `cur` fits in 59 bits.
        let cur = (r << 32) | u64::from((u >> shift) as u32);
        q = (q << 32) | u128::from(cur / E8);
        r = cur % E8;
    }
    (q, r as u32)
}

/// Writes the two digits of `p` (below 100) just before `at`.
fn pair(buf: &mut [u8; 40], at: usize, p: u32) -> usize {
    let i = p as usize * 2;
    if let (Some(two), Some(slot)) = (
        PAIRS.get(i..i + 2),
        at.checked_sub(2).and_then(|s| buf.get_mut(s..at)),
    ) {
        slot.copy_from_slice(two);
    }
    at.saturating_sub(2)
}
