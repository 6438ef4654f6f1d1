//! The human report: each finding as a good compiler prints it — rule id, the
//! place, the row rendered as a small source with the cell labelled, and
//! what to do — then a summary line per file.

use crate::diag::{Diagnostic, Lang, Report, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceSpan, SpanContents,
};
use std::borrow::Cow;
use std::fmt;

/// Text from a filing made safe for a terminal: control characters (C0 but
/// for newline and tab, DEL, C1) and the marks that reorder or hide text
/// (bidi embeddings, overrides and isolates, zero-width and line separators)
/// are shown as `\u{1b}`, `\u{202e}`… — visible, and inert: a cell can
/// neither retitle the terminal nor hide what follows it. Plain text is
/// returned as it is, without a copy.
pub fn inert(s: &str) -> Cow<'_, str> {
    fn hostile(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(
                c,
                '\u{061c}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{2028}'..='\u{202e}'
                    | '\u{2060}'..='\u{2069}'
                    | '\u{feff}'
            )
    }
    if !s.chars().any(hostile) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Options of the human renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Human {
    /// Colors (on a terminal, unless NO_COLOR).
    pub color: bool,
    /// Terminal width; 100 when unknown.
    pub width: Option<usize>,
}

/// One finding as miette sees it.
struct Shown<'a> {
    d: &'a Diagnostic,
    lang: Lang,
    source: Option<RowSource>,
    span: Option<LabeledSpan>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&inert(self.d.message.get(self.lang)))
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&inert(self.d.message.get(self.lang)))
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let h = inert(self.d.help.get(self.lang));
        (!h.is_empty()).then(|| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.span
            .clone()
            .map(|s| Box::new(std::iter::once(s)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// The synthetic one-line source of a finding, numbered with the row number
/// Excel shows, so the gutter reads like the sheet.
struct RowSource {
    name: String,
    text: String,
    /// 1-based row.
    row: usize,
}

impl miette::SourceCode for RowSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.row.saturating_sub(1),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Longest value shown in a snippet before it is cut with "…".
const SHOWN_CHARS: usize = 34;

fn shorten(s: &str) -> String {
    let one_line = inert(&s.replace(['\n', '\r'], "⏎")).into_owned();
    if one_line.chars().count() <= SHOWN_CHARS {
        one_line
    } else {
        let head: String = one_line.chars().take(SHOWN_CHARS - 1).collect();
        format!("{head}…")
    }
}

/// Builds the synthetic source line — `序号 8 │ 名称 │ … │ 表头 值` — and the
/// span of the value in it.
fn snippet(d: &Diagnostic, lang: Lang) -> Option<(String, LabeledSpan)> {
    d.origin.col?;
    let header = d.header.as_deref().unwrap_or_else(|| d.field.unwrap_or(""));
    let mut line = String::new();
    let mut shown_any = false;
    for (h, v) in &d.context {
        if h == header {
            continue;
        }
        if shown_any {
            line.push_str(" │ ");
        }
        if h == "事项名称" || h == "材料名称" {
            line.push_str(&shorten(v));
        } else {
            line.push_str(&format!("{h} {}", shorten(v)));
        }
        shown_any = true;
    }
    if shown_any {
        line.push_str(" │ … │ ");
    }
    let is_header_cell = d.value.as_deref() == Some(header);
    if !is_header_cell {
        line.push_str(&inert(&header.replace(['\n', '\r'], "")));
        line.push(' ');
    }
    let start = line.len();
    let value = match d.value.as_deref() {
        Some(v) if !v.is_empty() => shorten(v),
        _ => match lang {
            Lang::Zh => "（空）".to_string(),
            Lang::En => "(blank)".to_string(),
        },
    };
    line.push_str(&value);
    let len = line.len() - start;
    let label = d.label.as_ref().map(|l| inert(l.get(lang)).into_owned());
    Some((line, LabeledSpan::new(label, start, len)))
}

impl Human {
    /// Renders every finding, then the per-file and overall summary.
    pub fn render(&self, report: &Report, lang: Lang) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width.unwrap_or(100))
            .with_links(false)
            .without_primary_span_start()
            .with_wrap_lines(false)
            .with_context_lines(1);
        // Each finding renders on its own; on a big run they render in
        // parallel, then are joined in report order.
        let render = |d: &Diagnostic| -> String {
            let (source, span) = match snippet(d, lang) {
                Some((line, span)) => (
                    Some(RowSource {
                        name: inert(&d.origin.to_string()).into_owned(),
                        text: line,
                        row: d.origin.row.unwrap_or(1) as usize,
                    }),
                    Some(span),
                ),
                None => (None, None),
            };
            let shown = Shown {
                d,
                lang,
                source,
                span,
            };
            let mut s = String::new();
            let _ = handler.render_report(&mut s, &shown);
            let mut one = headline(d, lang);
            one.push_str(&body(
                &s,
                &inert(&d.origin.to_string()),
                shown.source.is_some(),
            ));
            one.push('\n');
            one
        };
        let mut out = String::new();
        if report.diagnostics.len() < 64 {
            for d in &report.diagnostics {
                out.push_str(&render(d));
            }
        } else {
            use rayon::prelude::*;
            let parts: Vec<String> = report.diagnostics.par_iter().map(render).collect();
            out.reserve(parts.iter().map(String::len).sum());
            for p in parts {
                out.push_str(&p);
            }
        }
        // A line per file — past a few dozen files (a catalog of one entry
        // per file), only the files with findings.
        let all_files = report.files.len() <= 30;
        for f in report
            .files
            .iter()
            .filter(|f| all_files || f.errors + f.warnings > 0)
        {
            out.push_str(&file_line(
                &inert(&f.file),
                f.errors,
                f.warnings,
                f.entries,
                f.materials,
                lang,
            ));
        }
        if report.files.len() != 1 {
            let s = &report.summary;
            let all = match lang {
                Lang::Zh => format!("合计 {} 个文件", s.files),
                Lang::En => format!("total of {} files", s.files),
            };
            out.push_str(&file_line(
                &all,
                s.errors,
                s.warnings,
                s.entries,
                s.materials,
                lang,
            ));
        }
        out
    }
}

fn file_line(
    name: &str,
    errors: usize,
    warnings: usize,
    entries: usize,
    materials: usize,
    lang: Lang,
) -> String {
    match lang {
        Lang::Zh => format!(
            "{name}: {errors} 个错误, {warnings} 个警告 · {entries} 个事项, {materials} 份材料\n"
        ),
        Lang::En => format!(
            "{name}: {} · {}, {}\n",
            counted(errors, "error", "errors") + ", " + &counted(warnings, "warning", "warnings"),
            counted(entries, "entry", "entries"),
            counted(materials, "material", "materials"),
        ),
    }
}

fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `error[rule-id]: message` — the first line of a finding.
fn headline(d: &Diagnostic, lang: Lang) -> String {
    format!(
        "{}[{}]: {}\n",
        d.severity.as_str(),
        d.rule.id(),
        inert(d.message.get(lang))
    )
}

/// miette's rendering without its own first line (the message, replaced by
/// [`headline`]); a finding without a cell gets the place on a line of its own.
fn body(rendered: &str, place: &str, has_source: bool) -> String {
    let lines: Vec<&str> = rendered.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("╭─[") || l.trim_start().starts_with("help:"))
        .unwrap_or(lines.len());
    let mut out = String::new();
    if !has_source {
        out.push_str(&format!("  ╭─[{place}]\n"));
    }
    for l in &lines[start..] {
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}
