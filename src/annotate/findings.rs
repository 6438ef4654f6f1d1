//! The 检查结果 sheet: the first sheet of a returned workbook, listing every
//! finding of the filing — those at a cell with a link to it, those of a
//! whole row, sheet or file too — under a title and a one-line summary.

use super::styles::Own;
use super::xml::{escape, quoted_sheet};
use crate::diag::{Diagnostic, Lang, Severity};

/// The sheet's name.
pub const SHEET: &str = "检查结果";

/// The first row of the table (its header), 1-based.
const HEADER_ROW: u32 = 3;

/// One finding as the sheet lists it.
pub struct Row<'a> {
    pub finding: &'a Diagnostic,
    /// The cell the link goes to, when the finding has a place in a sheet
    /// of the workbook: (sheet, `H17`).
    pub target: Option<(String, String)>,
}

/// What the sheet says above the table.
pub struct Heading {
    /// The filing's file, as the report names it.
    pub file: String,
    pub entries: usize,
    pub materials: usize,
    /// A note on how the workbook was made (a converted .xls, a CSV pair).
    pub note: Option<String>,
}

/// The columns: header, width.
fn columns(lang: Lang) -> [(&'static str, f64); 8] {
    match lang {
        Lang::Zh => [
            ("序号", 6.0),
            ("级别", 7.0),
            ("位置（点击跳转）", 16.0),
            ("列", 14.0),
            ("填写的值", 24.0),
            ("问题", 40.0),
            ("修改建议", 60.0),
            ("规则", 20.0),
        ],
        Lang::En => [
            ("No.", 6.0),
            ("Severity", 9.0),
            ("Place (click to go)", 18.0),
            ("Column", 14.0),
            ("Value", 24.0),
            ("Problem", 40.0),
            ("What to do", 60.0),
            ("Rule", 20.0),
        ],
    }
}

fn cell(out: &mut String, r: u32, c: u32, s: u32, text: &str) {
    let at = super::sheet::a1((r, c));
    if text.is_empty() {
        out.push_str(&format!(r#"<c r="{at}" s="{s}"/>"#));
    } else {
        out.push_str(&format!(
            r#"<c r="{at}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
            escape(text)
        ));
    }
}

fn number(out: &mut String, r: u32, c: u32, s: u32, n: usize) {
    let at = super::sheet::a1((r, c));
    out.push_str(&format!(r#"<c r="{at}" s="{s}"><v>{n}</v></c>"#));
}

/// A value as the list shows it: at most 80 characters (the cell itself
/// holds it whole).
fn shortened(v: &str) -> String {
    if v.chars().count() <= 80 {
        v.to_string()
    } else {
        let mut s: String = v.chars().take(79).collect();
        s.push('…');
        s
    }
}

/// The lines `text` takes in a column `width` characters wide (a CJK
/// character is two).
fn lines_of(text: &str, width: f64) -> usize {
    let per_line = (width - 1.0).max(4.0) as usize;
    text.lines()
        .map(|l| {
            unicode_width::UnicodeWidthStr::width(l)
                .div_ceil(per_line)
                .max(1)
        })
        .sum::<usize>()
        .clamp(1, 30)
}

/// The place of a finding as the sheet shows it.
fn place(d: &Diagnostic, lang: Lang) -> String {
    let o = &d.origin;
    match (&o.sheet, o.a1(), o.row) {
        (Some(s), Some(a1), _) => format!("{s}!{a1}"),
        (Some(s), None, Some(r)) => match lang {
            Lang::Zh => format!("{s}!第 {r} 行"),
            Lang::En => format!("{s}!row {r}"),
        },
        (Some(s), None, None) => match lang {
            Lang::Zh => format!("{s}（整个工作表）"),
            Lang::En => format!("{s} (whole sheet)"),
        },
        _ => match lang {
            Lang::Zh => "整个文件".to_string(),
            Lang::En => "whole file".to_string(),
        },
    }
}

/// The sheet's XML, and the range of its filter (for the workbook's
/// `_xlnm._FilterDatabase`).
pub fn sheet_xml(heading: &Heading, rows: &[Row<'_>], own: Own, lang: Lang) -> (String, String) {
    let cols = columns(lang);
    let errors = rows.iter().filter(|r| r.finding.is_error()).count();
    let warnings = rows.len() - errors;
    let mut data = String::new();
    let title = match lang {
        Lang::Zh => format!("检查结果：{}", heading.file),
        Lang::En => format!("Findings: {}", heading.file),
    };
    data.push_str(r#"<row r="1" ht="24" customHeight="1">"#);
    cell(&mut data, 1, 0, own.title, &title);
    data.push_str("</row>");
    let mut summary = match lang {
        Lang::Zh => format!(
            "{errors} 个错误（红色）、{warnings} 个警告（黄色） · {} 个事项、{} 份材料 · 标出的单元格带有批注，鼠标停在上面即可看到问题和修改建议。",
            heading.entries, heading.materials
        ),
        Lang::En => format!(
            "{errors} errors (red), {warnings} warnings (yellow) · {} entries, {} materials · each marked cell has a comment with the problem and what to do.",
            heading.entries, heading.materials
        ),
    };
    if heading.entries == 0 {
        summary.push_str(match lang {
            Lang::Zh => " 没有读到任何事项，不算通过。",
            Lang::En => " No entry was read: not a pass.",
        });
    }
    if let Some(note) = &heading.note {
        summary.push(' ');
        summary.push_str(note);
    }
    data.push_str(r#"<row r="2">"#);
    cell(&mut data, 2, 0, 0, &summary);
    data.push_str("</row>");
    data.push_str(&format!(
        r#"<row r="{HEADER_ROW}" ht="20" customHeight="1">"#
    ));
    for (c, (name, _)) in cols.iter().enumerate() {
        cell(&mut data, HEADER_ROW, c as u32, own.header, name);
    }
    data.push_str("</row>");
    let mut links = String::new();
    for (i, row) in rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        let d = row.finding;
        // Rows do not grow with wrapped text on their own in every program:
        // each gets the height of its longest text.
        let lines = [
            (3, d.header.as_deref().unwrap_or("")),
            (4, &shortened(d.value.as_deref().unwrap_or(""))),
            (5, d.message.get(lang)),
            (6, d.help.get(lang)),
        ]
        .iter()
        .map(|(c, text)| lines_of(text, cols[*c].1))
        .max()
        .unwrap_or(1);
        let height = lines as f64 * 14.5 + 3.0;
        data.push_str(&format!(r#"<row r="{r}" ht="{height}" customHeight="1">"#));
        number(&mut data, r, 0, own.body, i + 1);
        let (label, style) = match (d.severity, lang) {
            (Severity::Error, Lang::Zh) => ("错误", own.error),
            (Severity::Warning, Lang::Zh) => ("警告", own.warning),
            (Severity::Error, Lang::En) => ("error", own.error),
            (Severity::Warning, Lang::En) => ("warning", own.warning),
        };
        cell(&mut data, r, 1, style, label);
        let shown = place(d, lang);
        match &row.target {
            Some((sheet, at)) => {
                cell(&mut data, r, 2, own.link, &shown);
                links.push_str(&format!(
                    r#"<hyperlink ref="C{r}" location="{}" display="{}"/>"#,
                    escape(&format!("{}!{at}", quoted_sheet(sheet))),
                    escape(&shown)
                ));
            }
            None => cell(&mut data, r, 2, own.body, &shown),
        }
        let column = d
            .header
            .as_deref()
            .map(|h| h.replace(['\n', '\r'], ""))
            .unwrap_or_default();
        cell(&mut data, r, 3, own.body, &column);
        cell(
            &mut data,
            r,
            4,
            own.body,
            &shortened(d.value.as_deref().unwrap_or("")),
        );
        cell(&mut data, r, 5, own.body, d.message.get(lang));
        cell(&mut data, r, 6, own.body, d.help.get(lang));
        cell(&mut data, r, 7, own.body, d.rule.id());
        data.push_str("</row>");
    }
    let last = HEADER_ROW + rows.len().max(1) as u32;
    if rows.is_empty() {
        let r = HEADER_ROW + 1;
        data.push_str(&format!(r#"<row r="{r}">"#));
        let none = match lang {
            Lang::Zh => "没有发现问题。",
            Lang::En => "No problem found.",
        };
        cell(&mut data, r, 0, 0, none);
        data.push_str("</row>");
    }
    let filter = format!("A{HEADER_ROW}:H{last}");
    let mut cols_xml = String::from("<cols>");
    for (i, (_, w)) in cols.iter().enumerate() {
        let n = i + 1;
        cols_xml.push_str(&format!(
            r#"<col min="{n}" max="{n}" width="{w}" customWidth="1"/>"#
        ));
    }
    cols_xml.push_str("</cols>");
    let hyperlinks = if links.is_empty() {
        String::new()
    } else {
        format!("<hyperlinks>{links}</hyperlinks>")
    };
    let first = HEADER_ROW + 1;
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr><tabColor rgb="FFC00000"/><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="A1:H{last}"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="{HEADER_ROW}" topLeftCell="A{first}" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="C{first}" sqref="C{first}"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>{cols_xml}<sheetData>{data}</sheetData><autoFilter ref="{filter}"/>{hyperlinks}<printOptions gridLines="0"/><pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/><pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/><headerFooter><oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter></worksheet>"#
    );
    (xml, filter)
}
