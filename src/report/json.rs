//! The JSON report (`--format json`), version 1, exactly as SPEC §4 shows it.
//! A value cut to `diag::VALUE_CHARS` says so, and how long it was.

use crate::diag::{Lang, Report, Summary};
use serde::Serialize;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    severity: &'static str,
    file: &'a str,
    sheet: Option<&'a str>,
    cell: Option<String>,
    row: Option<u32>,
    column: Option<String>,
    field: Option<&'static str>,
    value: Option<std::borrow::Cow<'a, str>>,
    message: &'a str,
    help: &'a str,
}

/// Renders the report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report, lang: Lang) -> String {
    let doc = JsonReport {
        version: 1,
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                rule: d.rule.id(),
                severity: d.severity.as_str(),
                file: &d.origin.file,
                sheet: d.origin.sheet.as_deref(),
                cell: d.origin.a1(),
                row: d.origin.row,
                column: d.origin.column_letter(),
                field: d.field,
                value: d.shown_value(lang),
                message: d.message.get(lang),
                help: d.help.get(lang),
            })
            .collect(),
        summary: report.summary,
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("report serializes");
    s.push('\n');
    s
}
