//! Hand-written SVG charts for the HTML report.
//!
//! A histogram is a few `<rect>` and `<text>` elements: written here
//! rather than through `plotters` (its SVG backend measures text with a
//! font library, and its output depends on the fonts installed) or
//! `charming` (renders through ECharts, a JavaScript runtime). Every bar
//! carries its count as text, so the chart reads in print and in
//! greyscale; the chart is mirrored for right-to-left pages by the page's
//! CSS (`[dir=rtl] svg.mirror`), its text kept upright.

use crate::render::escape_markup as esc;

/// A histogram: one bar per bin, its count above it and its label below.
/// `title` is the chart's accessible name.
pub fn histogram(bins: &[(String, usize)], title: &str) -> String {
    let (w, h, top, bottom) = (640u32, 240u32, 24u32, 40u32);
    let n = u32::try_from(bins.len().max(1)).unwrap_or(1);
    let slot = (w - 20) / n;
    let max = bins.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let plot = h - top - bottom;
    let mut s = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    s.push_str(&format!(
        "<line x1=\"10\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" class=\"axis\"/>",
        y = top + plot,
        x2 = w - 10
    ));
    for (i, (label, count)) in (0u32..).zip(bins) {
        let c = u32::try_from(*count).unwrap_or(u32::MAX);
        let bh = u32::try_from(u64::from(plot) * u64::from(c) / max as u64).unwrap_or(plot);
        let x = 10 + i * slot + 4;
        let y = top + plot - bh;
        let bw = slot.saturating_sub(8);
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{bw}\" height=\"{bh}\" class=\"bar\"><title>{}: {count}</title></rect>",
            esc(label)
        ));
        let cx = x + bw / 2;
        s.push_str(&format!(
            "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" class=\"count\">{count}</text>",
            y.saturating_sub(4)
        ));
        s.push_str(&format!(
            "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
            top + plot + 16,
            esc(label)
        ));
    }
    s.push_str("</svg>");
    s
}

/// A small horizontal bar of `ratio` (0 to 1) with a tick at `median`
/// (0 to 1), both optional. Mirrored on right-to-left pages by CSS.
pub fn bar(ratio: Option<f64>, median: Option<f64>) -> String {
    let (w, h) = (160.0_f64, 14.0_f64);
    let mut s = format!(
        "<svg class=\"minibar\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" aria-hidden=\"true\"><rect x=\"0\" y=\"2\" width=\"{w}\" height=\"10\" class=\"track\"/>"
    );
    if let Some(r) = ratio {
        let bw = (r.clamp(0.0, 1.0) * w).round();
        s.push_str(&format!(
            "<rect x=\"0\" y=\"2\" width=\"{bw}\" height=\"10\" class=\"bar\"/>"
        ));
    }
    if let Some(m) = median {
        let x = (m.clamp(0.0, 1.0) * w).round().clamp(1.0, w - 1.0);
        s.push_str(&format!(
            "<line x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{h}\" class=\"median\"/>"
        ));
    }
    s.push_str("</svg>");
    s
}
