//! GitHub Actions workflow commands (`--format github`): one `::error` or
//! `::warning` line per finding, which the runner turns into an annotation
//! on the file, then a plain summary line for the log.
//!
//! `line` is the row Excel shows and `col` the column index + 1; a finding
//! about a whole file or sheet has neither. The message leads with the cell
//! (`事项!H17: …`), since a workbook has no lines to show it on, and carries
//! the help on a second line. Values are escaped as GitHub documents: `%`, CR
//! and LF everywhere, and `:` and `,` as well inside properties. (GitHub shows
//! a limited number of annotations per step; the log keeps every line.)

use super::{located_message, summary_line};
use crate::diag::{Lang, Report, Severity};
use std::fmt::Write as _;

/// Renders one workflow command per finding and the summary line.
pub fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = d.origin.file.replace('\\', "/");
        let file = file.strip_prefix("./").unwrap_or(&file);
        let mut props = format!("file={}", escape_property(file));
        if let Some(row) = d.origin.row.filter(|r| *r > 0) {
            let _ = write!(props, ",line={row}");
            if let Some(col) = d.origin.col {
                let _ = write!(props, ",col={}", col + 1);
            }
        }
        let _ = write!(props, ",title={}", escape_property(d.rule.id()));
        let mut message = located_message(&d.origin, d.message.get(lang));
        let help = d.help.get(lang);
        if !help.is_empty() {
            message.push('\n');
            message.push_str(help);
        }
        let _ = writeln!(out, "::{command} {props}::{}", escape_data(&message));
    }
    out.push_str(&summary_line(report, lang));
    out.push('\n');
    out
}

/// Escapes a command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
