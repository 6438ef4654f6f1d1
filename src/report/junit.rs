//! The JUnit XML report (`--format junit`), for CI systems that show test
//! results (GitLab, Jenkins, Azure Pipelines, test-report actions).
//!
//! One `<testsuite>` per file, named by its path. Its first `<testcase>` is
//! the file itself (name and classname the path): it holds the findings that
//! belong to no entry — the file, its sheets, its header, orphan materials.
//! Then one `<testcase>` per checked entry, in input order, named
//! `序号 3 户口迁移登记` (the same in both languages, so a case keeps its
//! identity in CI history), classname the file.
//!
//! A finding belongs to the entry whose row it is on, or one of whose material
//! rows it is on (same file, sheet and row). Each error is a `<failure>` of its
//! case. Warnings do not fail a case: they are listed, one a line, in the
//! case's `<system-out>`. `tests` counts test cases and `failures` the cases
//! with at least one failure — the JUnit convention — for every suite and for
//! the whole `<testsuites>`.
//!
//! The findings of a CSV pair's 申请材料 file go to the suite of its 事项 file.

use super::located_message;
use crate::diag::{Diagnostic, Lang, Report, Severity};
use crate::filing::{CSV_ITEMS_SUFFIX, CSV_MATERIALS_SUFFIX};
use std::collections::HashMap;
use std::fmt::Write as _;

/// A test case and the findings that belong to it.
struct Case<'a> {
    name: String,
    classname: String,
    failures: Vec<&'a Diagnostic>,
    warnings: Vec<&'a Diagnostic>,
}

impl Case<'_> {
    fn new(name: String, classname: &str) -> Self {
        Case {
            name,
            classname: classname.to_string(),
            failures: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// A file's test suite; `cases[0]` is the file itself.
struct Suite<'a> {
    name: String,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn failures(&self) -> usize {
        self.cases.iter().filter(|c| !c.failures.is_empty()).count()
    }
}

/// The suites of a report, and where each row of each file belongs.
struct Suites<'a> {
    suites: Vec<Suite<'a>>,
    /// (file, sheet, row) of an entry or of one of its materials → (suite, case).
    rows: HashMap<(&'a str, &'a str, u32), (usize, usize)>,
    /// A file that holds materials of a suite's entries → the suite.
    material_files: HashMap<&'a str, usize>,
}

impl<'a> Suites<'a> {
    fn build(report: &'a Report) -> Self {
        let mut s = Suites {
            suites: Vec::new(),
            rows: HashMap::new(),
            material_files: HashMap::new(),
        };
        for f in &report.files {
            s.suite_named(&f.file);
        }
        for e in &report.entries {
            let si = s.suite_named(&e.file);
            let suite = &mut s.suites[si];
            let row_name = super::place(&e.origin).unwrap_or_default();
            let name = match (e.seq, e.name.as_deref()) {
                (Some(seq), Some(n)) => format!("序号 {seq} {n}"),
                (Some(seq), None) => format!("序号 {seq}"),
                (None, Some(n)) => format!("{row_name} {n}"),
                (None, None) => row_name.clone(),
            };
            // Names stay unique within a suite even when 序号 repeats.
            let name = if suite.cases.iter().any(|c| c.name == name) {
                format!("{name} ({row_name})")
            } else {
                name
            };
            let ci = suite.cases.len();
            suite.cases.push(Case::new(name, &e.file));
            for o in std::iter::once(&e.origin).chain(&e.materials) {
                if let Some(row) = o.row {
                    let sheet = o.sheet.as_deref().unwrap_or("");
                    s.rows.entry((&*o.file, sheet, row)).or_insert((si, ci));
                }
            }
            for m in &e.materials {
                s.material_files.entry(&*m.file).or_insert(si);
            }
        }
        for d in &report.diagnostics {
            let o = &d.origin;
            let at = o
                .row
                .and_then(|row| {
                    let sheet = o.sheet.as_deref().unwrap_or("");
                    s.rows.get(&(&*o.file, sheet, row)).copied()
                })
                .unwrap_or_else(|| (s.suite_of_file(&o.file), 0));
            let case = &mut s.suites[at.0].cases[at.1];
            match d.severity {
                Severity::Error => case.failures.push(d),
                Severity::Warning => case.warnings.push(d),
            }
        }
        s
    }

    /// The suite of a file, created (with its file case) if new.
    fn suite_named(&mut self, file: &str) -> usize {
        if let Some(i) = self.suites.iter().position(|s| s.name == file) {
            return i;
        }
        self.suites.push(Suite {
            name: file.to_string(),
            cases: vec![Case::new(file.to_string(), file)],
        });
        self.suites.len() - 1
    }

    /// The suite a finding outside any entry goes to: its file's own, that
    /// of the entries its materials belong to, that of its CSV partner, or a
    /// suite of its own.
    fn suite_of_file(&mut self, file: &str) -> usize {
        if let Some(i) = self.suites.iter().position(|s| s.name == file) {
            return i;
        }
        if let Some(&i) = self.material_files.get(file) {
            return i;
        }
        if let Some(stem) = file.strip_suffix(CSV_MATERIALS_SUFFIX).map(trim_joiner)
            && let Some(i) = self.suites.iter().position(|s| {
                s.name
                    .strip_suffix(CSV_ITEMS_SUFFIX)
                    .is_some_and(|p| trim_joiner(p) == stem)
            })
        {
            return i;
        }
        self.suite_named(file)
    }
}

/// `民政局-` and `民政局` name the same CSV pair (as in `filing::discover`).
fn trim_joiner(s: &str) -> &str {
    s.trim_end_matches(['-', '_', ' ', '·', '—'])
}

/// Renders the report as JUnit XML.
pub fn render(report: &Report, lang: Lang) -> String {
    let suites = Suites::build(report).suites;
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"yima\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for suite in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            attr(&suite.name),
            suite.cases.len(),
            suite.failures()
        );
        for case in &suite.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\"",
                attr(&case.name),
                attr(&case.classname)
            );
            if case.failures.is_empty() && case.warnings.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for d in &case.failures {
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    attr(&located_message(&d.origin, d.message.get(lang))),
                    d.rule,
                    text(&failure_body(d, lang))
                );
            }
            if !case.warnings.is_empty() {
                let lines: Vec<String> = case
                    .warnings
                    .iter()
                    .map(|d| warning_line(d, lang))
                    .collect();
                let _ = writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    text(&lines.join("\n"))
                );
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The text of a failure: where, what, the value, and what to do.
fn failure_body(d: &Diagnostic, lang: Lang) -> String {
    let mut body = format!(
        "{}[{}] {}\n{}",
        d.severity.as_str(),
        d.rule,
        d.origin,
        d.message.get(lang)
    );
    if let Some(v) = &d.value {
        let label = match lang {
            Lang::Zh => "值：",
            Lang::En => "value: ",
        };
        let _ = write!(body, "\n{label}{v}");
    }
    let help = d.help.get(lang);
    if !help.is_empty() {
        let _ = write!(body, "\nhelp: {help}");
    }
    body
}

/// A warning as one line of `<system-out>` (its help indented below).
fn warning_line(d: &Diagnostic, lang: Lang) -> String {
    let mut line = format!(
        "{}[{}] {}",
        d.severity.as_str(),
        d.rule,
        located_message(&d.origin, d.message.get(lang))
    );
    let help = d.help.get(lang);
    if !help.is_empty() {
        let _ = write!(line, "\n  help: {help}");
    }
    line
}

/// A character XML 1.0 cannot hold at all, even escaped.
fn forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Escapes element text; forbidden characters become U+FFFD.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A bare CR would be normalized away by the parser.
            '\r' => out.push_str("&#13;"),
            c if forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value, keeping line breaks and tabs (which a parser
/// would otherwise turn into spaces).
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(text("a<b & c>d\r\u{1}"), "a&lt;b &amp; c&gt;d&#13;\u{FFFD}");
        assert_eq!(attr("\"x\"\n'y'\t"), "&quot;x&quot;&#10;&apos;y&apos;&#9;");
    }

    #[test]
    fn csv_partners() {
        assert_eq!(
            trim_joiner(
                "dir/民政局-申请材料.csv"
                    .strip_suffix(CSV_MATERIALS_SUFFIX)
                    .unwrap()
            ),
            trim_joiner(
                "dir/民政局_事项.csv"
                    .strip_suffix(CSV_ITEMS_SUFFIX)
                    .unwrap()
            )
        );
    }
}
