//! A capped problem report: the first N located problems in full, then
//! how many more there are per code (`… and 3,480 more: M0419 × 3,000,
//! M0420 × 480`). A mismatched mapping can reject every cell of a large
//! file; thousands of identical messages hide the one line that says why.

use std::collections::BTreeMap;

use mizan::answers::Rejection;
use mizan::render::{self, Lang};

/// Problems printed in full when `--max-problems` is not given.
pub const DEFAULT_MAX: usize = 20;

/// `12345` as `12,345`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The line after the first `max` problems: how many more, per code.
pub fn more_line<'a>(
    problems: impl Iterator<Item = &'a Rejection>,
    max: usize,
    lang: Lang,
) -> Option<String> {
    use miette::Diagnostic;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut rest = 0;
    for p in problems.skip(max) {
        rest += 1;
        let code = p.code().map(|c| c.to_string()).unwrap_or_default();
        *counts.entry(code).or_default() += 1;
    }
    if rest == 0 {
        return None;
    }
    let per: Vec<String> = counts
        .iter()
        .map(|(c, n)| format!("{c} × {}", grouped(*n)))
        .collect();
    let first = format!(
        "{} {}{}: {}",
        lang.t("… and", "… و"),
        grouped(rest),
        lang.t(" more", " أخرى"),
        per.join(", ")
    );
    let second = format!(
        "  {}",
        lang.t(
            "(--max-problems N prints more; --format json lists them all)",
            "(‎--max-problems N‎ يطبع المزيد؛ ‎--format json‎ يسردها كلها)"
        )
    );
    Some(format!("{}\n{}\n", lang.line(&first), lang.line(&second)))
}

/// Prints the first `max` problems and the count of the rest per code.
pub fn print<'a>(problems: impl Iterator<Item = &'a Rejection> + Clone, max: usize, lang: Lang) {
    for p in problems.clone().take(max) {
        err!("{}", render::table::problem(p));
    }
    if let Some(line) = more_line(problems, max, lang) {
        err!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(480), "480");
        assert_eq!(grouped(3480), "3,480");
        assert_eq!(grouped(1234567), "1,234,567");
    }
}
