//! The batch page (`--format html`, SPEC §7): one self-contained HTML file —
//! no network, works from file:// — with the totals, a sortable table by
//! department (files, entries, errors, warnings), and each finding with the
//! row as it stands in the sheet, the cell marked. The staffing office opens
//! it for forty departments at once; the desk shows the same page.

use super::rows::Rows;
use crate::diag::{Diagnostic, FileSummary, Lang, Report, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// Columns shown on either side of a finding's cell (the first two columns,
/// 序号 and the name as a rule, are always shown).
const AROUND: u32 = 2;

/// Text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A department: the filings of one folder under the batch's folder, or
/// one filing when the filings lie side by side.
struct Department<'r> {
    name: String,
    files: Vec<&'r FileSummary>,
    /// Files the CSV pairs of its filings hold (a pair is two files).
    file_count: usize,
}

/// The department of each filing: when the filings lie in folders of their
/// own under a common folder, the first folder below it; else the filing's
/// name without its extension (and without a CSV pair's 事项 suffix).
fn departments<'r>(report: &'r Report) -> Vec<Department<'r>> {
    let dirs: Vec<Vec<&str>> = report
        .files
        .iter()
        .map(|f| {
            let mut parts: Vec<&str> = f.file.split('/').collect();
            parts.pop();
            parts
        })
        .collect();
    let common = dirs.first().map_or(0, |first| {
        (0..first.len())
            .take_while(|&i| dirs.iter().all(|d| d.get(i) == first.get(i)))
            .count()
    });
    let mut by_name: BTreeMap<String, Department<'r>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (f, dir) in report.files.iter().zip(&dirs) {
        let name = match dir.get(common) {
            Some(folder) => folder.to_string(),
            None => filing_name(&f.file),
        };
        let d = by_name.entry(name.clone()).or_insert_with(|| {
            order.push(name.clone());
            Department {
                name,
                files: Vec::new(),
                file_count: 0,
            }
        });
        d.files.push(f);
        d.file_count += if is_csv_pair_half(&f.file) { 2 } else { 1 };
    }
    order
        .into_iter()
        .filter_map(|n| by_name.remove(&n))
        .collect()
}

fn is_csv_pair_half(file: &str) -> bool {
    file.ends_with(crate::filing::CSV_ITEMS_SUFFIX)
}

/// `公安局.xlsx` → `公安局`; `市场监管局-事项.csv` → `市场监管局`.
fn filing_name(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name
        .strip_suffix(crate::filing::CSV_ITEMS_SUFFIX)
        .or_else(|| name.strip_suffix(crate::filing::CSV_MATERIALS_SUFFIX))
        .map(|s| s.trim_end_matches(['-', '_', ' ', '·', '—']))
        .unwrap_or_else(|| name.rsplit_once('.').map_or(name, |(s, _)| s));
    if stem.is_empty() {
        name.to_string()
    } else {
        stem.to_string()
    }
}

struct Words {
    title: &'static str,
    files: &'static str,
    entries: &'static str,
    materials: &'static str,
    errors: &'static str,
    warnings: &'static str,
    department: &'static str,
    state: &'static str,
    findings: &'static str,
    departments: &'static str,
    error: &'static str,
    warning: &'static str,
    passed: &'static str,
    failed: &'static str,
    warned: &'static str,
    empty: &'static str,
    no_findings: &'static str,
    whole_file: &'static str,
    whole_sheet: &'static str,
    row: &'static str,
}

const ZH: Words = Words {
    title: "填报表检查报告",
    files: "文件",
    entries: "事项",
    materials: "材料",
    errors: "错误",
    warnings: "警告",
    department: "部门",
    state: "结果",
    findings: "问题清单",
    departments: "各部门情况（点击表头排序）",
    error: "错误",
    warning: "警告",
    passed: "通过",
    failed: "未通过",
    warned: "通过（有警告）",
    empty: "未通过（没有事项）",
    no_findings: "没有发现问题。",
    whole_file: "整个文件",
    whole_sheet: "整个工作表",
    row: "行",
};

const EN: Words = Words {
    title: "Filing check report",
    files: "Files",
    entries: "Entries",
    materials: "Materials",
    errors: "Errors",
    warnings: "Warnings",
    department: "Department",
    state: "Result",
    findings: "Findings",
    departments: "By department (click a heading to sort)",
    error: "error",
    warning: "warning",
    passed: "passed",
    failed: "failed",
    warned: "passed (warnings)",
    empty: "failed (no entry)",
    no_findings: "No problem found.",
    whole_file: "whole file",
    whole_sheet: "whole sheet",
    row: "row",
};

/// The page of `report`, with the rows read back in `rows`.
pub fn render(report: &Report, rows: &Rows, lang: Lang) -> String {
    let w = match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let s = &report.summary;
    let depts = departments(report);
    let mut out = String::with_capacity(64 * 1024 + report.diagnostics.len() * 900);
    let html_lang = match lang {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="{html_lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="yima {version}"><title>{title}</title><style>{CSS}</style></head>
<body><header><h1>{title}</h1><p class="meta">yima {version} · {n_depts} {department} · {files} {files_w}</p>
<div class="totals" id="totals">"#,
        version = env!("CARGO_PKG_VERSION"),
        title = w.title,
        n_depts = depts.len(),
        department = w.department,
        files = s.files,
        files_w = w.files,
    );
    for (class, label, n) in [
        ("", w.files, s.files),
        ("", w.entries, s.entries),
        ("", w.materials, s.materials),
        ("err", w.errors, s.errors),
        ("warn", w.warnings, s.warnings),
    ] {
        let _ = write!(
            out,
            r#"<div class="total {class}"><b data-total="{label}">{n}</b>{label}</div>"#
        );
    }
    out.push_str("</div></header><main>");

    // The table by department.
    let _ = write!(
        out,
        r#"<h2>{}</h2><table class="depts" id="depts"><thead><tr><th data-type="text">{}</th><th data-type="num">{}</th><th data-type="num">{}</th><th data-type="num">{}</th><th data-type="num">{}</th><th data-type="num">{}</th><th data-type="text">{}</th></tr></thead><tbody>"#,
        w.departments, w.department, w.files, w.entries, w.materials, w.errors, w.warnings, w.state
    );
    for (i, d) in depts.iter().enumerate() {
        let sum = |f: fn(&FileSummary) -> usize| d.files.iter().map(|x| f(x)).sum::<usize>();
        let (entries, materials, errors, warnings) = (
            sum(|f| f.entries),
            sum(|f| f.materials),
            sum(|f| f.errors),
            sum(|f| f.warnings),
        );
        let empty = d.files.iter().any(|f| f.entries == 0 && f.errors == 0);
        let (state, class, rank) = if errors > 0 {
            (w.failed, "bad", 0)
        } else if empty {
            (w.empty, "bad", 1)
        } else if warnings > 0 {
            (w.warned, "warn", 2)
        } else {
            (w.passed, "good", 3)
        };
        let _ = write!(
            out,
            r##"<tr data-dept="{name}"><td><a href="#d{i}">{name}</a></td><td class="n">{}</td><td class="n">{entries}</td><td class="n">{materials}</td><td class="n">{errors}</td><td class="n">{warnings}</td><td class="state {class}" data-v="{rank}">{state}</td></tr>"##,
            d.file_count,
            name = esc(&d.name),
        );
    }
    out.push_str("</tbody></table>");

    // The findings, by department and file.
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in &report.diagnostics {
        by_file.entry(&d.origin.file).or_default().push(d);
    }
    // A CSV pair's 申请材料 findings are shown with its filing.
    let pair_of = |file: &str| -> Option<String> {
        let prefix = file.strip_suffix(crate::filing::CSV_MATERIALS_SUFFIX)?;
        let prefix = prefix.trim_end_matches(['-', '_', ' ', '·', '—']);
        report
            .files
            .iter()
            .find(|f| {
                f.file
                    .strip_suffix(crate::filing::CSV_ITEMS_SUFFIX)
                    .is_some_and(|p| p.trim_end_matches(['-', '_', ' ', '·', '—']) == prefix)
            })
            .map(|f| f.file.clone())
    };
    let mut shown_files: Vec<&str> = Vec::new();
    let _ = write!(out, r#"<h2>{}</h2>"#, w.findings);
    for (i, d) in depts.iter().enumerate() {
        let (errors, warnings): (usize, usize) = d
            .files
            .iter()
            .fold((0, 0), |(e, x), f| (e + f.errors, x + f.warnings));
        let _ = write!(
            out,
            r#"<details class="dept" id="d{i}"{open}><summary>{name} · {errors} {ew} · {warnings} {ww}</summary>"#,
            open = if errors + warnings > 0 { " open" } else { "" },
            name = esc(&d.name),
            ew = w.errors,
            ww = w.warnings,
        );
        for f in &d.files {
            let mut list: Vec<&Diagnostic> =
                by_file.get(f.file.as_str()).cloned().unwrap_or_default();
            for (file, ds) in &by_file {
                if pair_of(file).as_deref() == Some(f.file.as_str()) {
                    list.extend(ds.iter().copied());
                    shown_files.push(file);
                }
            }
            shown_files.push(&f.file);
            let _ = write!(
                out,
                r#"<h3>{} · {} {} · {} {}</h3>"#,
                esc(&f.file),
                f.entries,
                w.entries,
                f.materials,
                w.materials
            );
            if list.is_empty() {
                let _ = write!(out, r#"<p class="none">{}</p>"#, w.no_findings);
            }
            for d in list {
                finding(&mut out, d, rows, lang, w);
            }
        }
        out.push_str("</details>");
    }
    // Findings of files the run did not count as filings (a catalog's
    // registry): shown at the end.
    let rest: Vec<&Diagnostic> = by_file
        .iter()
        .filter(|(f, _)| !shown_files.contains(f))
        .flat_map(|(_, ds)| ds.iter().copied())
        .collect();
    if !rest.is_empty() {
        out.push_str(r#"<details class="dept" open><summary>…</summary>"#);
        for d in rest {
            finding(&mut out, d, rows, lang, w);
        }
        out.push_str("</details>");
    }
    let _ = writeln!(out, "</main><script>{JS}</script></body></html>");
    out
}

/// One finding: severity, rule, place, message, the row with the cell
/// marked, and what to do.
fn finding(out: &mut String, d: &Diagnostic, rows: &Rows, lang: Lang, w: &Words) {
    let (class, label) = match d.severity {
        Severity::Error => ("error", w.error),
        Severity::Warning => ("warning", w.warning),
    };
    let o = &d.origin;
    let place = match (&o.sheet, o.a1(), o.row) {
        (Some(s), Some(a1), _) => format!("{s}!{a1}"),
        (Some(s), None, Some(r)) => format!("{s}!{} {r}", w.row),
        (Some(s), None, None) => format!("{s}（{}）", w.whole_sheet),
        _ => w.whole_file.to_string(),
    };
    let _ = write!(
        out,
        r#"<article class="f {class}" data-rule="{rule}" data-file="{file}" data-cell="{cell}"><div><span class="sev">{label}</span> <span class="place">{place}</span> <span class="rule">{rule}</span></div><p class="msg">{msg}</p>"#,
        rule = d.rule.id(),
        file = esc(&o.file),
        cell = esc(&o.a1().unwrap_or_default()),
        place = esc(&place),
        msg = esc(d.message.get(lang)),
    );
    if let (Some(sheet), Some(row)) = (&o.sheet, o.row) {
        match rows.get(&o.file, sheet, row) {
            Some((header, cells)) => grid(out, header, row, cells, o.col),
            None => fallback(out, d, row),
        }
    }
    let help = d.help.get(lang);
    if !help.is_empty() {
        let _ = write!(out, r#"<p class="help">{}</p>"#, esc(help));
    }
    out.push_str("</article>");
}

/// The columns shown of a row: the first two, and a few around `hit`.
fn shown_columns(width: u32, hit: Option<u32>) -> Vec<Option<u32>> {
    let mut cols: Vec<u32> = (0..width.min(2)).collect();
    if let Some(h) = hit {
        let lo = h.saturating_sub(AROUND);
        for c in lo..=h + AROUND {
            if c < width.max(h + 1) && !cols.contains(&c) {
                cols.push(c);
            }
        }
    } else {
        cols.extend(2..width.min(6));
    }
    cols.sort_unstable();
    cols.dedup();
    // A gap (None) where columns are skipped.
    let mut out = Vec::new();
    let mut last: Option<u32> = None;
    for c in cols {
        if let Some(l) = last
            && c > l + 1
        {
            out.push(None);
        }
        out.push(Some(c));
        last = Some(c);
    }
    if last.is_some_and(|l| l + 1 < width) {
        out.push(None);
    }
    out
}

/// The row as it stands in the sheet, under its header, the cell marked.
fn grid(
    out: &mut String,
    header: Option<&(u32, Vec<String>)>,
    row: u32,
    cells: &[String],
    hit: Option<u32>,
) {
    let width = cells.len().max(header.map_or(0, |h| h.1.len())) as u32;
    let cols = shown_columns(width, hit);
    let cell = |v: &[String], c: u32| v.get(c as usize).map_or("", |s| s.as_str()).to_string();
    out.push_str(r#"<div class="grid"><table class="row"><tr><th></th>"#);
    for c in &cols {
        match c {
            Some(c) => {
                let _ = write!(out, "<th>{}</th>", crate::model::column_letter(*c));
            }
            None => out.push_str("<th>…</th>"),
        }
    }
    out.push_str("</tr>");
    if let Some((n, h)) = header
        && *n != row
    {
        let _ = write!(out, r#"<tr class="hdr"><th>{n}</th>"#);
        for c in &cols {
            match c {
                Some(c) => {
                    let _ = write!(out, "<td>{}</td>", esc(&one_line(&cell(h, *c))));
                }
                None => out.push_str(r#"<td class="gap">…</td>"#),
            }
        }
        out.push_str("</tr>");
    }
    let _ = write!(out, "<tr><th>{row}</th>");
    for c in &cols {
        match c {
            Some(c) if Some(*c) == hit => {
                let _ = write!(
                    out,
                    r#"<td class="hit">{}</td>"#,
                    esc(&one_line(&cell(cells, *c)))
                );
            }
            Some(c) => {
                let _ = write!(out, "<td>{}</td>", esc(&one_line(&cell(cells, *c))));
            }
            None => out.push_str(r#"<td class="gap">…</td>"#),
        }
    }
    out.push_str("</tr></table></div>");
}

/// Without the row read back: the header and value the finding carries.
fn fallback(out: &mut String, d: &Diagnostic, row: u32) {
    if d.origin.col.is_none() {
        return;
    }
    let header = d.header.as_deref().or(d.field).unwrap_or("");
    let value = d.value.as_deref().unwrap_or("");
    let letter = d.origin.column_letter().unwrap_or_default();
    let _ = write!(out, r#"<div class="grid"><table class="row"><tr><th></th>"#);
    for (h, _) in &d.context {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    let _ = write!(out, "<th>{letter}</th></tr><tr><th>{row}</th>");
    for (_, v) in &d.context {
        let _ = write!(out, "<td>{}</td>", esc(&one_line(v)));
    }
    let _ = write!(
        out,
        r#"<td class="hit" title="{}">{}</td></tr></table></div>"#,
        esc(header),
        esc(&one_line(value))
    );
}

/// A cell's text on one line, cut when long.
fn one_line(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ⏎ ");
    if s.chars().count() > 60 {
        let mut t: String = s.chars().take(59).collect();
        t.push('…');
        t
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_around_the_cell() {
        assert_eq!(
            shown_columns(36, Some(8)),
            vec![
                Some(0),
                Some(1),
                None,
                Some(6),
                Some(7),
                Some(8),
                Some(9),
                Some(10),
                None
            ]
        );
        assert_eq!(
            shown_columns(5, Some(2)),
            vec![Some(0), Some(1), Some(2), Some(3), Some(4)]
        );
        assert_eq!(shown_columns(3, None), vec![Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn names_of_departments() {
        assert_eq!(filing_name("filings/娄底市公安局.xlsx"), "娄底市公安局");
        assert_eq!(filing_name("市场监管局-事项.csv"), "市场监管局");
        assert_eq!(filing_name("a/事项.csv"), "事项.csv");
        assert_eq!(
            esc("<a href=\"x\">'&"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;"
        );
    }
}
