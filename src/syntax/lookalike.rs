//! Invisible, space-like and look-alike characters outside strings (M0110).
//!
//! Names are ASCII, so a zero-width space, a no-break space or a Cyrillic
//! `а` in `dаta` would only give pest's "unexpected …" somewhere near it.
//! This scan runs before the parser and names the exact character, says
//! what it looks like, and shows the name as it should be written.

use miette::SourceSpan;

use super::SyntaxError;
use crate::diag::{Diagnostics, Src};

/// Most M0110 diagnostics reported for one file.
const MAX_REPORTS: usize = 20;

/// What kind of trap a character is.
enum Kind {
    /// Renders as nothing.
    Invisible(&'static str),
    /// Renders as a space but is not one the grammar takes.
    Space(&'static str),
    /// Renders like an ASCII letter, digit or sign.
    LookAlike { script: &'static str, ascii: char },
}

fn invisible(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{034F}' => "COMBINING GRAPHEME JOINER",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => "HANGUL FILLER",
        '\u{17B4}' | '\u{17B5}' => "KHMER INHERENT VOWEL",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{FE00}'..='\u{FE0F}' => "VARIATION SELECTOR",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        _ => return None,
    })
}

fn space(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{00A0}' => "NO-BREAK SPACE",
        '\u{1680}' => "OGHAM SPACE MARK",
        '\u{2000}' => "EN QUAD",
        '\u{2001}' => "EM QUAD",
        '\u{2002}' => "EN SPACE",
        '\u{2003}' => "EM SPACE",
        '\u{2004}' => "THREE-PER-EM SPACE",
        '\u{2005}' => "FOUR-PER-EM SPACE",
        '\u{2006}' => "SIX-PER-EM SPACE",
        '\u{2007}' => "FIGURE SPACE",
        '\u{2008}' => "PUNCTUATION SPACE",
        '\u{2009}' => "THIN SPACE",
        '\u{200A}' => "HAIR SPACE",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202F}' => "NARROW NO-BREAK SPACE",
        '\u{205F}' => "MEDIUM MATHEMATICAL SPACE",
        '\u{3000}' => "IDEOGRAPHIC SPACE",
        _ => return None,
    })
}

/// The ASCII character `c` is easily mistaken for, with its script.
fn look_alike(c: char) -> Option<(&'static str, char)> {
    let cyrillic = match c {
        'а' => 'a',
        'в' => 'B',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'ѕ' => 's',
        'і' => 'i',
        'ј' => 'j',
        'һ' => 'h',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ӏ' => 'l',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'У' => 'Y',
        'Х' => 'X',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ј' => 'J',
        'Ԛ' => 'Q',
        'Ԝ' => 'W',
        _ => '\0',
    };
    if cyrillic != '\0' {
        return Some(("Cyrillic", cyrillic));
    }
    let greek = match c {
        'α' => 'a',
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'ρ' => 'p',
        'υ' => 'u',
        'χ' => 'x',
        'γ' => 'y',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        _ => '\0',
    };
    if greek != '\0' {
        return Some(("Greek", greek));
    }
    // Fullwidth forms of ASCII: `ａ` (U+FF41) for `a`.
    if ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        return char::from_u32(c as u32 - 0xFEE0).map(|a| ("fullwidth", a));
    }
    None
}

/// The name of an invisible or space-like character.
pub(super) fn name(c: char) -> Option<&'static str> {
    invisible(c).or_else(|| space(c))
}

fn kind(c: char) -> Option<Kind> {
    if let Some(n) = invisible(c) {
        return Some(Kind::Invisible(n));
    }
    if let Some(n) = space(c) {
        return Some(Kind::Space(n));
    }
    look_alike(c).map(|(script, ascii)| Kind::LookAlike { script, ascii })
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Part of a written name: ASCII name characters and the traps inside it.
fn in_word(c: char) -> bool {
    is_name_char(c) || matches!(kind(c), Some(Kind::Invisible(_) | Kind::LookAlike { .. }))
}

/// `text` with every non-ASCII character written out by its code, `<U+200F>`.
fn escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        }
    }
    out
}

/// `word` as it should be written: look-alikes replaced by their ASCII
/// letter, invisible characters dropped.
fn fixed(word: &str) -> String {
    word.chars()
        .filter_map(|c| match kind(c) {
            Some(Kind::Invisible(_)) => None,
            Some(Kind::LookAlike { ascii, .. }) => Some(ascii),
            _ => Some(c),
        })
        .collect()
}

/// The name around byte `at` (at most 64 characters either side).
fn word_at(text: &str, at: usize, len: usize) -> &str {
    let before = text.get(..at).unwrap_or_default();
    let mut start = at;
    for (i, c) in before.char_indices().rev().take(64) {
        if !in_word(c) {
            break;
        }
        start = i;
    }
    let after = text.get(at + len..).unwrap_or_default();
    let mut end = at + len;
    for (i, c) in after.char_indices().take(64) {
        if !in_word(c) {
            break;
        }
        end = at + len + i + c.len_utf8();
    }
    text.get(start..end).unwrap_or_default()
}

/// Reports every trap character outside strings and comments (at most
/// [`MAX_REPORTS`]); true when there was one.
pub(super) fn scan(src: &Src, diags: &mut Diagnostics) -> bool {
    let text = src.text();
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped_char = false;
    let mut found = 0usize;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let last = prev.replace(c);
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped_char => escaped_char = false,
                '\\' => escaped_char = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            _ if c.is_ascii() => {}
            // A byte order mark is whitespace to the grammar: at the start
            // of the file, or between two tokens, it changes nothing. Only
            // inside a name does it split it.
            '\u{FEFF}'
                if !(last.is_some_and(is_name_char)
                    && chars.peek().is_some_and(|(_, n)| is_name_char(*n))) => {}
            _ => {
                let Some(k) = kind(c) else { continue };
                found += 1;
                if found > MAX_REPORTS {
                    continue;
                }
                let len = c.len_utf8();
                let word = word_at(text, i, len);
                let code = c as u32;
                let (message, label, help) = match k {
                    Kind::Invisible(name) => (
                        format!("invisible character U+{code:04X} {name} in `{}`", escaped(word)),
                        format!("U+{code:04X} {name}, invisible, here"),
                        match fixed(word).as_str() {
                            "" => "remove the invisible character: names are ASCII letters, digits, `_` and `.`, and an invisible character makes a name that looks right fail to parse or match".to_string(),
                            w => format!("remove the invisible character, so that the name reads `{w}`: names are ASCII letters, digits, `_` and `.`, and an invisible character makes a name that looks right fail to parse or match"),
                        },
                    ),
                    Kind::Space(name) => (
                        format!("U+{code:04X} {name} where a plain space is expected"),
                        format!("U+{code:04X} {name} here"),
                        "replace it with an ordinary space (U+0020): only spaces, tabs and line breaks separate words in a rule file".to_string(),
                    ),
                    Kind::LookAlike { script, ascii } => (
                        format!(
                            "{script} '{c}' (U+{code:04X}) looks like ASCII '{ascii}' in `{}`",
                            escaped(word)
                        ),
                        format!("{script} '{c}' U+{code:04X}, not '{ascii}'"),
                        format!(
                            "retype it as the ASCII '{ascii}', so that the name reads `{}`: names are ASCII letters, digits, `_` and `.` (text in other scripts belongs in a `title`)",
                            fixed(word)
                        ),
                    ),
                };
                diags.push(SyntaxError::Confusable {
                    message,
                    src: src.clone(),
                    span: SourceSpan::from(i..i + len),
                    label,
                    help,
                });
            }
        }
    }
    found > 0
}
