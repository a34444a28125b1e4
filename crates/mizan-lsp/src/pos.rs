//! Positions: the library counts byte offsets (as miette does); LSP counts
//! lines and UTF-16 code units within a line. An Arabic letter or vowel mark
//! (U+064E FATHA) is 2 bytes and 1 unit; an emoji (U+1F600) is 4 bytes and 2
//! units; `\r\n` ends a line as `\n` does.

use serde_json::{json, Value};

/// The start of every line of a text, for converting offsets.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// Byte offset → (line, UTF-16 column). An offset past the end or
    /// inside a character is moved back to the character's start.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let mut col = 0usize;
        for (i, c) in self.text.get(start..).unwrap_or("").char_indices() {
            if start + i >= offset || c == '\n' {
                break;
            }
            if c == '\r' && self.text.get(start + i..) == Some("\r") {
                break;
            }
            col += c.len_utf16();
        }
        (line as u32, col as u32)
    }

    /// (line, UTF-16 column) → byte offset; a column past the end of the
    /// line is the line's end, a line past the end is the text's end.
    pub fn offset(&self, line: u32, col: u32) -> usize {
        let Some(&start) = self.starts.get(line as usize) else {
            return self.text.len();
        };
        let mut units = 0usize;
        for (i, c) in self.text.get(start..).unwrap_or("").char_indices() {
            if units >= col as usize || c == '\n' || c == '\r' {
                return start + i;
            }
            units += c.len_utf16();
        }
        self.text.len()
    }

    /// An LSP `Range` of the byte span `start..end`.
    pub fn range(&self, start: usize, end: usize) -> Value {
        let (sl, sc) = self.position(start);
        let (el, ec) = self.position(end.max(start));
        json!({"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}})
    }

    /// Byte offset of an LSP `Position` given as JSON.
    pub fn offset_of(&self, pos: &Value) -> usize {
        let n = |k: &str| pos.get(k).and_then(Value::as_u64).unwrap_or(0) as u32;
        self.offset(n("line"), n("character"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn ascii() {
        let t = "ab\ncd\n";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(0), (0, 0));
        assert_eq!(ix.position(4), (1, 1));
        assert_eq!(ix.offset(1, 1), 4);
        assert_eq!(ix.position(t.len()), (2, 0));
    }

    #[test]
    fn arabic_vowel_marks_and_emoji() {
        // "مَرحبا": م (2 bytes) + fatha U+064E (2 bytes): 2 units; 😀 is 4
        // bytes and a surrogate pair: 2 units.
        let t = "x\ntitle ar \"مَرحبا 😀\" en \"Hi\"\n";
        let ix = LineIndex::new(t);
        let en = t.find("en").unwrap();
        // `title ar "` is 10 units, مَرحبا is 6, a space, 😀 is 2, `" ` is 2.
        assert_eq!(ix.position(en), (1, 10 + 6 + 1 + 2 + 2));
        assert_eq!(ix.offset(1, 21), en);
        let emoji = t.find('😀').unwrap();
        assert_eq!(ix.position(emoji), (1, 17));
        assert_eq!(ix.position(emoji + 4), (1, 19));
        // A column inside the surrogate pair lands after the emoji's start,
        // never inside a UTF-8 sequence.
        let mid = ix.offset(1, 18);
        assert!(t.is_char_boundary(mid));
        for (i, _) in t.char_indices() {
            let (l, c) = ix.position(i);
            assert_eq!(ix.offset(l, c), i, "round trip at {i}");
        }
    }

    #[test]
    fn crlf_and_overflow() {
        let t = "ab\r\ncd";
        let ix = LineIndex::new(t);
        assert_eq!(ix.position(2), (0, 2));
        assert_eq!(ix.offset(0, 99), 2);
        assert_eq!(ix.offset(1, 1), 5);
        assert_eq!(ix.offset(7, 0), t.len());
    }
}
