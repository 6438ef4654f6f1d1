//! Printing a [`Report`]: one model, one renderer per `--format` — human
//! (miette, the row as a small source with the cell labelled), JSON (SPEC §4).

mod human;
mod json;

use crate::diag::{Lang, Report};

pub use human::Human;

/// The report formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Compiler-style messages with the row and the cell marked.
    #[default]
    Human,
    /// The versioned JSON report of SPEC §4.
    Json,
}

/// Renders a report in the given format and language.
pub fn render(report: &Report, format: Format, lang: Lang, human: &Human) -> String {
    match format {
        Format::Human => human.render(report, lang),
        Format::Json => json::render(report, lang),
    }
}
