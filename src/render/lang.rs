//! The reader's language: every word Mizan prints for people exists in
//! English and Arabic.
//!
//! There is no message catalogue to drift out of step with the code: a
//! label is written where it is used, in both languages at once,
//! `lang.t("entity", "الجهة")`, so a word cannot exist in one language
//! only. Titles and labels written in a rubric are picked with
//! [`Lang::pick`] (the requested language, then the other one, then
//! whatever the rubric has).
//!
//! Arabic is laid out right to left where the medium allows: Markdown is
//! wrapped in `<div dir="rtl">`, and in text for a terminal every fragment
//! that is left-to-right (ids, numbers, percentages, arrows between
//! numbers) is isolated with [`Lang::ltr`] (U+2066 LEFT-TO-RIGHT ISOLATE …
//! U+2069 POP DIRECTIONAL ISOLATE), and text of either direction (a title,
//! an entity's name) with [`Lang::auto`] (U+2068 FIRST STRONG ISOLATE), so
//! that a line mixing Arabic words, ids and numbers reads in the right
//! order in a terminal or viewer that implements the Unicode bidirectional
//! algorithm. [`Lang::line`] starts an Arabic line with U+200F RIGHT-TO-LEFT
//! MARK, so that a line whose first word is an id is still a right-to-left
//! paragraph. English output has none of these marks: it is byte for byte
//! what it was before languages existed.
//!
//! Digits stay Western (0–9) in both languages, as the region's
//! government reports print them; the percent sign follows the number.
//! Arabic counts are written as "label: N" so that no plural form has to
//! agree with N.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::model::Labels;

/// The language of output for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Arabic, right to left.
    Ar,
}

/// U+2066 LEFT-TO-RIGHT ISOLATE.
pub const LRI: char = '\u{2066}';
/// U+2068 FIRST STRONG ISOLATE.
pub const FSI: char = '\u{2068}';
/// U+2069 POP DIRECTIONAL ISOLATE.
pub const PDI: char = '\u{2069}';
/// U+200F RIGHT-TO-LEFT MARK.
pub const RLM: char = '\u{200f}';

impl Lang {
    /// Every language with its tag.
    pub const ALL: [(&'static str, Lang); 2] = [("en", Lang::En), ("ar", Lang::Ar)];

    /// The language tag: `en` or `ar`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Ar,
            Lang::Ar => Lang::En,
        }
    }

    /// True for a right-to-left language.
    pub fn is_rtl(self) -> bool {
        self == Lang::Ar
    }

    /// The word in this language: `lang.t("entity", "الجهة")`.
    pub fn t(self, en: &'static str, ar: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Ar => ar,
        }
    }

    /// A rubric's label in this language, else in the other one, else in
    /// any language it has; `None` when it has none.
    pub fn pick(self, labels: &Labels) -> Option<&str> {
        labels
            .get(self.tag())
            .or_else(|| labels.get(self.other().tag()))
            .or_else(|| labels.values().next())
            .map(String::as_str)
    }

    /// A left-to-right fragment (an id, a number, `75.0% → 80.0%`) as it
    /// must be written in a line of this language: isolated in Arabic,
    /// untouched in English.
    pub fn ltr<'a>(self, s: &'a str) -> Cow<'a, str> {
        match self {
            Lang::En => Cow::Borrowed(s),
            Lang::Ar => Cow::Owned(format!("{LRI}{s}{PDI}")),
        }
    }

    /// Text whose direction is its own (a title, a name, a label that may
    /// be in either language): isolated by its first strong character in
    /// Arabic, untouched in English.
    pub fn auto<'a>(self, s: &'a str) -> Cow<'a, str> {
        match self {
            Lang::En => Cow::Borrowed(s),
            Lang::Ar => Cow::Owned(format!("{FSI}{s}{PDI}")),
        }
    }

    /// A line of text for a terminal: in Arabic it starts with a
    /// right-to-left mark, so the line is a right-to-left paragraph
    /// whatever its first word.
    pub fn line<'a>(self, s: &'a str) -> Cow<'a, str> {
        match self {
            Lang::En => Cow::Borrowed(s),
            Lang::Ar if s.is_empty() => Cow::Borrowed(s),
            Lang::Ar => Cow::Owned(format!("{RLM}{s}")),
        }
    }

    /// Every line of `text` through [`Lang::line`].
    pub fn lines(self, text: &str) -> String {
        match self {
            Lang::En => text.to_string(),
            Lang::Ar => {
                let mut out = String::with_capacity(text.len() + text.len() / 16);
                for l in text.split_inclusive('\n') {
                    if l != "\n" {
                        out.push(RLM);
                    }
                    out.push_str(l);
                }
                out
            }
        }
    }

    /// A Markdown document in this language: Arabic is wrapped in a
    /// right-to-left block (GitHub, GitLab and most viewers honour
    /// `dir`), English is untouched.
    pub fn markdown(self, body: &str) -> String {
        match self {
            Lang::En => body.to_string(),
            Lang::Ar => format!("<div dir=\"rtl\">\n\n{}\n</div>\n", body.trim_end()),
        }
    }

    /// The language of `MIZAN_LANG`, when set to a known tag.
    pub fn from_env() -> Option<Lang> {
        std::env::var("MIZAN_LANG").ok()?.parse().ok()
    }
}

/// An unknown language tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLang(pub String);

impl fmt::Display for UnknownLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown language `{}` (expected `en` or `ar`)", self.0)
    }
}

impl std::error::Error for UnknownLang {}

impl FromStr for Lang {
    type Err = UnknownLang;

    /// `en`, `ar`, case-insensitive, with a region or script subtag
    /// ignored (`ar-AE`, `en_GB.UTF-8`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let primary = s
            .split(['-', '_', '.'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Lang::ALL
            .iter()
            .find(|(tag, _)| *tag == primary)
            .map(|(_, l)| *l)
            .ok_or_else(|| UnknownLang(s.to_string()))
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_with_subtags() {
        assert_eq!("ar".parse::<Lang>(), Ok(Lang::Ar));
        assert_eq!("AR-ae".parse::<Lang>(), Ok(Lang::Ar));
        assert_eq!("en_GB.UTF-8".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
        assert!("".parse::<Lang>().is_err());
    }

    #[test]
    fn pick_falls_back_to_the_other_language() {
        let mut l = Labels::new();
        l.insert("en".into(), "Yes".into());
        assert_eq!(Lang::Ar.pick(&l), Some("Yes"));
        l.insert("ar".into(), "نعم".into());
        assert_eq!(Lang::Ar.pick(&l), Some("نعم"));
        assert_eq!(Lang::En.pick(&l), Some("Yes"));
        assert_eq!(Lang::En.pick(&Labels::new()), None);
    }

    #[test]
    fn english_has_no_marks_and_arabic_isolates() {
        assert_eq!(Lang::En.ltr("75.0%"), "75.0%");
        assert_eq!(Lang::En.lines("a\nb\n"), "a\nb\n");
        assert_eq!(Lang::Ar.ltr("75.0%"), "\u{2066}75.0%\u{2069}");
        assert_eq!(Lang::Ar.auto("x"), "\u{2068}x\u{2069}");
        assert_eq!(Lang::Ar.lines("a\n\nb"), "\u{200f}a\n\n\u{200f}b");
        assert!(Lang::Ar.markdown("x\n").starts_with("<div dir=\"rtl\">"));
    }
}
