//! Rendering of rule-file diagnostics with miette's report handlers.
//!
//! The graphical style shows a label on a very long line as an excerpt of
//! that line (`excerpt.rs`): miette cannot pad an underline past column
//! 65,535. The plain style writes columns as numbers and the JSON style
//! byte offsets, so they render any line as it is.

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, JSONReportHandler, NarratableReportHandler,
};

/// Output style of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Graphical, with colour when `color`.
    Human {
        /// Use ANSI colours.
        color: bool,
    },
    /// Screen-reader friendly prose.
    Plain,
    /// One JSON object per diagnostic.
    Json,
}

/// Renders one diagnostic.
pub fn render(d: &dyn Diagnostic, style: Style) -> String {
    let mut out = String::new();
    let _ = match style {
        Style::Human { color } => {
            let theme = if color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let handler = GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false);
            match super::excerpt::Excerpted::of(d) {
                Some(x) => handler.render_report(&mut out, &x),
                None => handler.render_report(&mut out, d),
            }
        }
        Style::Plain => NarratableReportHandler::new().render_report(&mut out, d),
        Style::Json => JSONReportHandler::new().render_report(&mut out, d),
    };
    out
}

/// The fixed style used by snapshot tests: no colour, unicode, width 80.
pub fn render_for_tests(d: &dyn Diagnostic) -> String {
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .with_links(false);
    let _ = match super::excerpt::Excerpted::of(d) {
        Some(x) => handler.render_report(&mut out, &x),
        None => handler.render_report(&mut out, d),
    };
    out
}
