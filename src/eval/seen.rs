//! The entity ids a stream has seen, in memory that does not grow with
//! the stream (up to about 1.4 million entities; a little beyond).
//!
//! Every id is kept as a 64-bit hash with where it was first used (16
//! bytes). The newest 65,536 are in a hash map; older ones are written to
//! a temporary file in sorted runs, with every 256th hash of each run kept
//! in memory to find the right 4 KiB block. A Bloom filter over all of them
//! (2 MiB, doubled when it would get crowded) answers "certainly new" for
//! nearly every id, so the file is read only for a repeated id or a rare
//! false positive (about 1 in 2,000 ids at a million).
//!
//! Two different ids with the same 64-bit hash would be taken for a
//! repeat: at a million ids the chance is about 3 in 100 million.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use rustc_hash::FxHashMap;

/// Ids kept in memory before they are written out as a sorted run.
const RECENT: usize = 1 << 16;
/// Entries per block of a run (one read to look one up).
const BLOCK: usize = 256;
/// Bytes per entry: hash, file, line.
const ENTRY: usize = 16;
/// Probes per id in the Bloom filter.
const PROBES: u64 = 7;
/// Initial Bloom filter size, in bits (2 MiB).
const BLOOM_BITS: usize = 1 << 24;

/// Where an id was first used: (index of the file, line).
pub type FirstSeen = (u32, u32);

/// The ids seen so far.
pub struct Seen {
    bloom: Vec<u64>,
    count: usize,
    recent: FxHashMap<u64, FirstSeen>,
    store: Store,
    /// Per run: its offset in the store, its length, and its fences (the
    /// first hash of each block).
    runs: Vec<(u64, usize, Vec<u64>)>,
}

/// Where the runs live: a temporary file, or memory when no temporary
/// file can be made.
enum Store {
    File(File, u64),
    Memory(Vec<u8>),
}

impl Store {
    fn len(&self) -> u64 {
        match self {
            Store::File(_, len) => *len,
            Store::Memory(v) => v.len() as u64,
        }
    }

    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Store::File(f, len) => {
                f.seek(SeekFrom::Start(*len))?;
                f.write_all(bytes)?;
                *len += bytes.len() as u64;
            }
            Store::Memory(v) => v.extend_from_slice(bytes),
        }
        Ok(())
    }

    fn read(&mut self, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
        match self {
            Store::File(f, _) => {
                f.seek(SeekFrom::Start(at))?;
                f.read_exact(buf)
            }
            Store::Memory(v) => {
                let src = usize::try_from(at)
                    .ok()
                    .and_then(|a| v.get(a..a + buf.len()))
                    .ok_or(std::io::ErrorKind::UnexpectedEof)?;
                buf.copy_from_slice(src);
                Ok(())
            }
        }
    }
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            bloom: vec![0; BLOOM_BITS / 64],
            count: 0,
            recent: FxHashMap::default(),
            store: tempfile::tempfile().map_or(Store::Memory(Vec::new()), |f| Store::File(f, 0)),
            runs: Vec::new(),
        }
    }
}

/// The Bloom filter bits of `hash` in a filter of `words` 64-bit words (a
/// power of two), by double hashing.
fn probes(words: usize, hash: u64) -> impl Iterator<Item = usize> {
    let mask = (words as u64 * 64).wrapping_sub(1);
    let (h1, h2) = (hash & 0xffff_ffff, (hash >> 32) | 1);
    (0..PROBES).map(move |i| (h1.wrapping_add(i.wrapping_mul(h2)) & mask) as usize)
}

fn decode(e: &[u8]) -> (u64, FirstSeen) {
    let u64_at = |r: std::ops::Range<usize>| {
        e.get(r)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    let u32_at = |r: std::ops::Range<usize>| {
        e.get(r)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    let (hash, file, line) = (u64_at(0..8), u32_at(8..12), u32_at(12..16));
    (hash, (file, line))
}

impl Seen {
    /// Records id hash `hash`, first used at `at`; when it was seen
    /// before, returns where instead (and records nothing).
    pub fn insert(&mut self, hash: u64, at: FirstSeen) -> std::io::Result<Option<FirstSeen>> {
        if self.maybe(hash) {
            if let Some(first) = self.find(hash)? {
                return Ok(Some(first));
            }
        }
        self.mark(hash);
        self.count += 1;
        self.recent.insert(hash, at);
        if self.recent.len() >= RECENT {
            self.spill()?;
        }
        if self.count * 12 > self.bloom.len() * 64 {
            self.grow()?;
        }
        Ok(None)
    }

    fn maybe(&self, hash: u64) -> bool {
        probes(self.bloom.len(), hash)
            .all(|p| self.bloom.get(p / 64).is_some_and(|w| w & (1 << (p % 64)) != 0))
    }

    fn mark(&mut self, hash: u64) {
        for p in probes(self.bloom.len(), hash) {
            if let Some(w) = self.bloom.get_mut(p / 64) {
                *w |= 1 << (p % 64);
            }
        }
    }

    /// Looks `hash` up in the recent map and in every run.
    fn find(&mut self, hash: u64) -> std::io::Result<Option<FirstSeen>> {
        if let Some(&first) = self.recent.get(&hash) {
            return Ok(Some(first));
        }
        let mut buf = vec![0u8; BLOCK * ENTRY];
        for (offset, len, fences) in &self.runs {
            let b = fences.partition_point(|&f| f <= hash);
            let Some(block) = b.checked_sub(1) else { continue };
            let n = (*len - block * BLOCK).min(BLOCK);
            let bytes = buf.get_mut(..n * ENTRY).unwrap_or_default();
            self.store.read(offset + (block * BLOCK * ENTRY) as u64, bytes)?;
            let found = bytes.chunks_exact(ENTRY).map(decode).find(|(h, _)| *h == hash);
            if let Some((_, first)) = found {
                return Ok(Some(first));
            }
        }
        Ok(None)
    }

    /// Writes the recent ids out as one sorted run.
    fn spill(&mut self) -> std::io::Result<()> {
        let mut entries: Vec<(u64, FirstSeen)> = self.recent.drain().collect();
        entries.sort_unstable_by_key(|(h, _)| *h);
        let mut bytes = Vec::with_capacity(entries.len() * ENTRY);
        for (h, (f, l)) in &entries {
            bytes.extend_from_slice(&h.to_le_bytes());
            bytes.extend_from_slice(&f.to_le_bytes());
            bytes.extend_from_slice(&l.to_le_bytes());
        }
        let fences = entries.iter().step_by(BLOCK).map(|(h, _)| *h).collect();
        let offset = self.store.len();
        self.store.append(&bytes)?;
        self.runs.push((offset, entries.len(), fences));
        Ok(())
    }

    /// Doubles the Bloom filter and sets it again from every id kept.
    fn grow(&mut self) -> std::io::Result<()> {
        self.bloom = vec![0; self.bloom.len() * 2];
        let recent: Vec<u64> = self.recent.keys().copied().collect();
        for h in recent {
            self.mark(h);
        }
        for k in 0..self.runs.len() {
            let Some(&(offset, len, _)) = self.runs.get(k) else {
                continue;
            };
            let mut bytes = vec![0u8; len * ENTRY];
            self.store.read(offset, &mut bytes)?;
            for e in bytes.chunks_exact(ENTRY) {
                self.mark(decode(e).0);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test")]

    use super::*;

    /// Deterministic, well-spread 64-bit values.
    fn hash(i: u64) -> u64 {
        let mut x = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }

    #[test]
    fn repeats_are_found_in_memory_and_in_spilled_runs() {
        let mut seen = Seen::default();
        let n = 3 * RECENT as u64 + 123;
        for i in 0..n {
            assert_eq!(
                seen.insert(hash(i), (0, i as u32 + 1)).unwrap(),
                None,
                "id {i} is new"
            );
        }
        assert_eq!(seen.runs.len(), 3, "three runs written out");
        // Every one of them, in a run or still recent, is a repeat, with
        // the line where it was first seen.
        for i in (0..n)
            .step_by(97)
            .chain([0, n - 1, RECENT as u64, RECENT as u64 - 1])
        {
            assert_eq!(
                seen.insert(hash(i), (1, 9)).unwrap(),
                Some((0, i as u32 + 1)),
                "id {i}"
            );
        }
        // New ids are still new.
        for i in n..n + 1000 {
            assert_eq!(seen.insert(hash(i), (1, 1)).unwrap(), None);
        }
    }

    #[test]
    fn the_filter_grows_and_keeps_every_id() {
        // 4,096 bits: grows after 342 ids.
        let mut seen = Seen {
            bloom: vec![0; 64],
            ..Seen::default()
        };
        for i in 0..2000 {
            assert_eq!(seen.insert(hash(i), (0, i as u32)).unwrap(), None);
        }
        assert!(seen.bloom.len() >= 512, "grew to {} words", seen.bloom.len());
        for i in 0..2000 {
            assert_eq!(seen.insert(hash(i), (2, 2)).unwrap(), Some((0, i as u32)));
        }
    }

    #[test]
    fn runs_kept_in_memory_when_no_temporary_file() {
        let mut seen = Seen {
            store: Store::Memory(Vec::new()),
            ..Seen::default()
        };
        for i in 0..RECENT as u64 + 10 {
            seen.insert(hash(i), (0, 1)).unwrap();
        }
        assert_eq!(seen.insert(hash(5), (0, 2)).unwrap(), Some((0, 1)));
    }
}
