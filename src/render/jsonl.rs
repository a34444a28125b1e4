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
    /// Per node: its key in a block of [`BLOCK`] bytes (padded), when it
    /// fits, for [`Slots::block`].
    blocks: Vec<Option<[u8; BLOCK]>>,
}

impl<'a> EntityLines<'a> {
    /// The writer for `model`'s entities, band labels in `lang`.
    pub fn new(model: &'a Model, lang: Lang) -> Self {
        let keys: Vec<Vec<u8>> = model
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
        let blocks = keys.iter().map(|k| block_of(k)).collect();
        EntityLines {
            model,
            lang,
            keys,
            blocks,
        }
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
        out.extend_from_slice(b"},\"nodes\":");
        let nodes = r.outcomes.iter().enumerate().skip(1).map(|(i, o)| (i, o.score()));
        self.scores(out, nodes);
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

    /// `{"id":score,…}` of `entries` (node, score), each key and number
    /// copied as a block of fixed size (no copy of a length known only at
    /// run time) into room made beforehand (see [`Slots`]).
    fn scores(&self, out: &mut Vec<u8>, entries: impl Iterator<Item = (usize, Option<Decimal>)> + Clone) {
        let at = out.len();
        let mut slots = Slots {
            pos: at,
            out,
            ok: true,
        };
        TEXTS.with_borrow_mut(|texts| {
            for (node, score) in entries.clone() {
                let key = self.keys.get(node).map_or(&[][..], Vec::as_slice);
                slots.room(key.len() + NUM_MAX + BLOCK + 2);
                match self.blocks.get(node) {
                    Some(Some(b)) => slots.block(b, key.len()),
                    _ => slots.bytes(key),
                }
                slots.score(score, texts);
            }
        });
        // The first key's comma becomes the `{` (or the `{` is written).
        slots.room(2);
        if slots.pos == at {
            slots.byte(b'{');
        } else if let Some(b) = slots.out.get_mut(at) {
            *b = b'{';
        }
        slots.byte(b'}');
        let (ok, end) = (slots.ok, slots.pos);
        if ok {
            out.truncate(end);
        } else {
            // (Never: each write has room made for it.) Entry by entry.
            out.truncate(at);
            out.push(b'{');
            let mut first = true;
            for (node, score) in entries {
                entry(
                    out,
                    self.keys.get(node).map_or(&[][..], Vec::as_slice),
                    &mut first,
                );
                write_score(out, score);
            }
            out.push(b'}');
        }
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
            for it in &set.items {
                comma(out, &mut first_item);
                out.extend_from_slice(b"{\"key\":");
                write_str(out, &it.key);
                out.extend_from_slice(b",\"score\":");
                write_score(out, it.outcomes.first().and_then(|o| o.score()));
                out.extend_from_slice(b",\"nodes\":");
                let nodes = below
                    .iter()
                    .zip(it.outcomes.iter().skip(1))
                    .enumerate()
                    .filter(|(_, (n, _))| n.scope == set.node)
                    .map(|(i, (_, o))| (set.node + 1 + i, o.score()));
                self.scores(out, nodes);
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

/// A block copy's size: a key or a number at most this long is copied
/// as a whole block (the cursor then moves on by its length only).
const BLOCK: usize = 32;

/// The longest number [`write_decimal`] writes: a sign, 28 fractional
/// digits, `0.` (or 29 digits and a `.`).
const NUM_MAX: usize = 31;

/// `key` padded to a block, if it fits.
fn block_of(key: &[u8]) -> Option<[u8; BLOCK]> {
    let mut b = [0; BLOCK];
    b.get_mut(..key.len())?.copy_from_slice(key);
    Some(b)
}

/// Bytes made beyond the room asked for (see [`Slots::room`]), so that
/// the room is made a few times per line, not once per entry.
const SLACK: usize = 512;

/// A cursor in `out` past its written bytes: room is made (zeros) before
/// the writes, which then copy blocks of fixed size into it; the bytes
/// past the cursor are cut off at the end. A write past the room writes
/// nothing and clears `ok`.
struct Slots<'b> {
    out: &'b mut Vec<u8>,
    pos: usize,
    ok: bool,
}

impl Slots<'_> {
    /// At least `n` bytes of room past the cursor.
    #[inline(always)]
    fn room(&mut self, n: usize) {
        if self.out.len() < self.pos + n {
            // Exact: a buffer reused line after line keeps its size.
            self.out.reserve_exact(self.pos + n + SLACK - self.out.len());
            self.out.resize(self.pos + n + SLACK, 0);
        }
    }

    /// The first `len` bytes of `block`: the whole block is copied.
    #[inline(always)]
    fn block(&mut self, block: &[u8; BLOCK], len: usize) {
        match self
            .out
            .get_mut(self.pos..)
            .and_then(|t| t.first_chunk_mut::<BLOCK>())
        {
            Some(dst) => {
                *dst = *block;
                self.pos += len;
            }
            None => self.ok = false,
        }
    }

    #[inline(always)]
    fn bytes(&mut self, b: &[u8]) {
        match self.out.get_mut(self.pos..self.pos + b.len()) {
            Some(dst) => {
                dst.copy_from_slice(b);
                self.pos += b.len();
            }
            None => self.ok = false,
        }
    }

    #[inline(always)]
    fn byte(&mut self, b: u8) {
        match self.out.get_mut(self.pos) {
            Some(dst) => {
                *dst = b;
                self.pos += 1;
            }
            None => self.ok = false,
        }
    }

    /// A score as [`write_score`] writes it; the text of a number with
    /// digits to work out is looked up in (or added to) `texts`.
    #[inline(always)]
    fn score(&mut self, d: Option<Decimal>, texts: &mut [Cached]) {
        match d {
            None => match self
                .out
                .get_mut(self.pos..)
                .and_then(|t| t.first_chunk_mut::<4>())
            {
                Some(dst) => {
                    *dst = *b"null";
                    self.pos += 4;
                }
                None => self.ok = false,
            },
            Some(d) if d.is_zero() => self.byte(b'0'),
            Some(d) => match (d.scale(), d.mantissa()) {
                (0, m @ 1..=9) => self.byte(b'0' + m as u8),
                _ => {
                    let key = u128::from_le_bytes(d.serialize());
                    let slot = ((key as u64 ^ (key >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32)
                        as usize
                        % CACHED;
                    match texts.get_mut(slot) {
                        Some(c) if c.key == key => self.block(&c.text, usize::from(c.len)),
                        c => {
                            let t = Text::of(d);
                            match t.block() {
                                Some(b) => {
                                    if let Some(c) = c {
                                        *c = Cached {
                                            key,
                                            len: t.len() as u8,
                                            text: *b,
                                        };
                                    }
                                    self.block(b, t.len());
                                }
                                None => self.bytes(t.as_bytes()),
                            }
                        }
                    }
                }
            },
        }
    }
}

/// Numbers' texts kept per thread: the scores of a batch repeat (a few
/// hundred values make nearly all of them), and a text looked up is
/// copied as a block, where one worked out waits on its digits.
const CACHED: usize = 2048;

/// A number's text in [`TEXTS`]: the decimal's bits ([`Decimal::serialize`]),
/// and its text in a block.
#[derive(Clone, Copy)]
struct Cached {
    key: u128,
    len: u8,
    text: [u8; BLOCK],
}

thread_local! {
    /// Per thread: [`CACHED`] texts, each at a slot found from its bits
    /// (a new one takes the slot). The empty slots' key is no decimal's
    /// (the unused low bits of its flags are set).
    static TEXTS: std::cell::RefCell<Vec<Cached>> = std::cell::RefCell::new(vec![
        Cached {
            key: u128::MAX,
            len: 0,
            text: [0; BLOCK],
        };
        CACHED
    ]);
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
    out.extend_from_slice(Text::of(d).as_bytes());
}

/// Where [`digits`] ends a number's digits in a [`Text`]'s buffer: room
/// before for a sign, `0.` and leading fractional zeros, after for a
/// block copy from the start.
const END: usize = 48;

/// A decimal's text as [`write_decimal`] writes it, in a buffer on the
/// stack, with a block after its start (for [`Slots::block`]).
struct Text {
    buf: [u8; END + BLOCK],
    start: usize,
    end: usize,
}

impl Text {
    #[inline(never)]
    fn of(d: Decimal) -> Text {
        let m = d.mantissa();
        // Zeros before the digits: `0.000ddd` needs them.
        let mut buf = [b'0'; END + BLOCK];
        let at = digits(&mut buf, m.unsigned_abs());
        if at == END {
            return Text {
                buf,
                start: END - 1,
                end: END,
            };
        }
        // Normalise: drop the fraction's trailing zeros.
        let scale = d.scale() as usize;
        let zeros = buf
            .get(at..END)
            .unwrap_or_default()
            .iter()
            .rev()
            .take(scale)
            .take_while(|&&b| b == b'0')
            .count();
        let end = END - zeros;
        let scale = scale - zeros;
        let n = end - at;
        let mut start = if scale == 0 {
            at
        } else if n > scale {
            // `int.frac`: the integer digits move one to the left.
            let dot = end - scale;
            buf.copy_within(at..dot, at - 1);
            if let Some(b) = buf.get_mut(dot - 1) {
                *b = b'.';
            }
            at - 1
        } else {
            // `0.` and zeros (already there) before the digits.
            let dot = end - scale - 1;
            if let Some(b) = buf.get_mut(dot) {
                *b = b'.';
            }
            dot - 1
        };
        if m < 0 {
            start -= 1;
            if let Some(b) = buf.get_mut(start) {
                *b = b'-';
            }
        }
        Text { buf, start, end }
    }

    fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.end - self.start
    }

    /// The block from the start, when the text fits one.
    fn block(&self) -> Option<&[u8; BLOCK]> {
        if self.len() > BLOCK {
            return None;
        }
        self.buf.get(self.start..)?.first_chunk::<BLOCK>()
    }
}

/// Writes `u`'s digits (no leading zero; none for 0) at the end of
/// `buf`; returns where they start. The digits are cut into chunks of
/// eight, each written as four independent pairs, so that few divisions
/// wait on one another.
fn digits(buf: &mut [u8; END + BLOCK], u: u128) -> usize {
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
    let mut at = END;
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
fn pair(buf: &mut [u8; END + BLOCK], at: usize, p: u32) -> usize {
    let i = p as usize * 2;
    if let (Some(two), Some(slot)) = (
        PAIRS.get(i..i + 2),
        at.checked_sub(2).and_then(|s| buf.get_mut(s..at)),
    ) {
        slot.copy_from_slice(two);
    }
    at.saturating_sub(2)
}
