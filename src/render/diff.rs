//! Rendering of `mizan diff`: text, Markdown (a review comment) and JSON.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::answers::printable;
use crate::diff::{Diff, Impact};

fn pct(d: Option<Decimal>) -> String {
    d.map_or("N/A".into(), |d| {
        format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(2).normalize())
    })
}

fn delta(d: Option<Decimal>) -> String {
    match d {
        None => "—".into(),
        Some(d) => {
            let p = (d * Decimal::ONE_HUNDRED).round_dp(2).normalize();
            if p > Decimal::ZERO {
                format!("+{p} pts")
            } else {
                format!("{p} pts")
            }
        }
    }
}

fn change_line(c: &crate::diff::Change) -> String {
    match (&c.before, &c.after) {
        (None, Some(a)) => format!("{} `{}`: {a}", c.kind, c.subject),
        (Some(b), None) => format!("{} `{}` (was {b})", c.kind, c.subject),
        (Some(b), Some(a)) => format!("{} `{}`: {b} → {a}", c.kind, c.subject),
        (None, None) => format!("{} `{}`", c.kind, c.subject),
    }
}

/// `the old version`, `the new version`, `both versions`.
fn by(rejected_by: &str) -> String {
    match rejected_by {
        "both" => "both versions".into(),
        v => format!("the {v} version"),
    }
}

fn rank(r: Option<usize>) -> String {
    r.map_or("—".into(), |r| r.to_string())
}

/// Plain text.
pub fn text(d: &Diff, impact: Option<&Impact>) -> String {
    let mut s = format!(
        "{} {} ({}) → {} {} ({}): {} change{}\n",
        d.old.id,
        d.old.version,
        d.old.sha256.get(..12).unwrap_or(""),
        d.new.id,
        d.new.version,
        d.new.sha256.get(..12).unwrap_or(""),
        d.changes.len(),
        if d.changes.len() == 1 { "" } else { "s" }
    );
    for c in &d.changes {
        let _ = writeln!(s, "  {}", change_line(c).replace('`', ""));
    }
    if let Some(i) = impact {
        let _ = writeln!(
            s,
            "\nimpact: population {} → {} ({})",
            pct(i.population_before),
            pct(i.population_after),
            delta(i.population_before.zip(i.population_after).map(|(b, a)| a - b))
        );
        for e in &i.entities {
            let mut line = format!(
                "  {:<10} {:>9} → {:<9} {:>11}",
                printable(&e.entity),
                pct(e.before),
                pct(e.after),
                delta(e.delta)
            );
            if e.band_before != e.band_after {
                let _ = write!(
                    line,
                    "  band {} → {}",
                    e.band_before.as_deref().unwrap_or("none"),
                    e.band_after.as_deref().unwrap_or("none")
                );
            }
            if e.rank_before != e.rank_after {
                let _ = write!(line, "  rank {} → {}", rank(e.rank_before), rank(e.rank_after));
            }
            let _ = writeln!(s, "{}", line.trim_end());
        }
        for v in &i.validity {
            let _ = writeln!(
                s,
                "  {}: rejected by {}: {}",
                printable(&v.entity),
                by(v.rejected_by),
                printable(&v.reasons.join("; "))
            );
        }
    }
    s
}

/// Markdown, ready to paste as a review comment.
pub fn markdown(d: &Diff, impact: Option<&Impact>) -> String {
    let mut s = format!(
        "### `{}` {} → {}\n\n{} semantic change{} (rules sha256 `{}` → `{}`).\n\n",
        d.new.id,
        d.old.version,
        d.new.version,
        d.changes.len(),
        if d.changes.len() == 1 { "" } else { "s" },
        d.old.sha256.get(..12).unwrap_or(""),
        d.new.sha256.get(..12).unwrap_or("")
    );
    if !d.changes.is_empty() {
        s.push_str("| change | what | before | after |\n|---|---|---|---|\n");
        for c in &d.changes {
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} |",
                c.kind,
                c.subject,
                c.before
                    .as_deref()
                    .map_or("—".into(), |b| format!("`{}`", b.replace('|', "\\|"))),
                c.after
                    .as_deref()
                    .map_or("—".into(), |a| format!("`{}`", a.replace('|', "\\|")))
            );
        }
    }
    if let Some(i) = impact {
        let _ = write!(
            s,
            "\n#### Score impact\n\nPopulation: **{} → {}** ({}).\n\n| entity | before | after | Δ | band | rank |\n|---|--:|--:|--:|---|---|\n",
            pct(i.population_before),
            pct(i.population_after),
            delta(i.population_before.zip(i.population_after).map(|(b, a)| a - b))
        );
        for e in &i.entities {
            let band = if e.band_before == e.band_after {
                e.band_after.clone().unwrap_or_default()
            } else {
                format!(
                    "**{} → {}**",
                    e.band_before.as_deref().unwrap_or("none"),
                    e.band_after.as_deref().unwrap_or("none")
                )
            };
            let rk = if e.rank_before == e.rank_after {
                rank(e.rank_after)
            } else {
                format!("**{} → {}**", rank(e.rank_before), rank(e.rank_after))
            };
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {band} | {rk} |",
                printable(&e.entity),
                pct(e.before),
                pct(e.after),
                delta(e.delta)
            );
        }
        if !i.validity.is_empty() {
            s.push_str("\n**Answer sets rejected (by either version):**\n\n");
            for v in &i.validity {
                let _ = writeln!(
                    s,
                    "- `{}`: rejected by {}: {}",
                    printable(&v.entity),
                    by(v.rejected_by),
                    printable(&v.reasons.join("; "))
                );
            }
        }
    }
    s
}

/// JSON.
pub fn json(d: &Diff, impact: Option<&Impact>) -> String {
    let v = serde_json::json!({
        "old": d.old,
        "new": d.new,
        "changes": d.changes,
        "impact": impact,
        "mizan": env!("CARGO_PKG_VERSION"),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
