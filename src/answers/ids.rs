//! Entity ids and text for a terminal.
//!
//! Entity ids name the entities of a batch: two answer sets for one id are
//! a duplicate (M0411), results are sorted by id, `--explain` looks one up.
//! So an id must mean one thing however it was typed: it is normalised to
//! Unicode NFC (a letter with a combining mark typed as one code point or
//! as two is one id), and characters that cannot be seen or that control a
//! terminal (C0 and C1 controls, zero-width and bidirectional formatting
//! characters, the byte-order mark, line and paragraph separators, other
//! default-ignorable code points) and white space at either end are
//! refused (M0424), because `moi`, `moi\u{200b}` and `moi ` would look the
//! same in a report and count as three entities.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use super::AnswerError;

/// Whether `c` cannot be seen or controls a terminal: general categories
/// Cc (controls), Cf (formatting) and Zl/Zp (line and paragraph
/// separators), and the other default-ignorable code points (variation
/// selectors, the combining grapheme joiner, Hangul fillers).
pub fn is_invisible(c: char) -> bool {
    // Printable ASCII first: every id of most answer sets is made of it.
    if matches!(c, ' '..='~') {
        return false;
    }
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// `s` as it may be printed to a terminal: every character of
/// [`is_invisible`] (ESC, newline, carriage return, bidirectional
/// controls, zero-width characters…) written as `\u{…}`, the rest as is.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_invisible) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The entity id `id` as it is compared and reported: NFC, or why it is
/// refused (M0424). An empty id is left to the caller (M0402).
pub fn entity_id(id: &str) -> Result<Cow<'_, str>, AnswerError> {
    let refuse = |reason: String| AnswerError::BadEntityId {
        id: format!("`{}`", printable(id)),
        reason,
    };
    if let Some(c) = id.chars().find(|&c| is_invisible(c)) {
        let what = match c {
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => "the control character",
            '\u{2028}' | '\u{2029}' => "the line or paragraph separator",
            _ => "the invisible formatting character",
        };
        return Err(refuse(format!("contains {what} U+{:04X}", u32::from(c))));
    }
    if id.starts_with(char::is_whitespace) {
        return Err(refuse("begins with white space".into()));
    }
    if id.ends_with(char::is_whitespace) {
        return Err(refuse("ends with white space".into()));
    }
    if id.is_ascii() || is_nfc_quick(id.chars()) == IsNormalized::Yes {
        return Ok(Cow::Borrowed(id));
    }
    Ok(Cow::Owned(id.nfc().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_are_one_id_or_refused() {
        assert_eq!(entity_id("moi").ok().as_deref(), Some("moi"));
        // NFD (e + combining acute) and NFC are the same id.
        assert_eq!(
            entity_id("caf\u{65}\u{301}").ok().as_deref(),
            entity_id("caf\u{e9}").ok().as_deref()
        );
        // Arabic: alef + hamza above (NFD) composes to U+0623.
        assert_eq!(entity_id("\u{627}\u{654}").ok().as_deref(), Some("\u{623}"));
        for bad in [
            "moi\u{200b}",
            "moi ",
            " moi",
            "moi\u{a0}",
            "\u{3000}moi",
            "mo\u{1b}[31mi",
            "mo\ni",
            "mo\u{202e}i",
            "\u{feff}moi",
            "mo\u{200d}i",
            "mo\u{200c}i",
            "mo\u{2028}i",
            "mo\u{85}i",
            "mo\u{e0041}i",
        ] {
            assert!(
                matches!(entity_id(bad), Err(AnswerError::BadEntityId { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(printable("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\u{a}c");
        assert_eq!(printable("وزارة"), "وزارة");
    }
}
