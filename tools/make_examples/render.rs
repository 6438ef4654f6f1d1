//! Writing laid-out filings: xlsx workbooks (rust_xlsxwriter, with fixed
//! document properties so the bytes never change), GBK CSV pairs with CRLF
//! line ends as Excel on a Chinese Windows saves them, and the damaged files
//! of the file-unreadable examples.

use crate::layout::{Cell, Planned, Sheet, Style};
use crate::spec::{Damage, Filing, LayoutKind};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeSet;
use std::path::Path;

/// What went wrong while writing.
#[derive(Debug)]
pub enum RenderError {
    Xlsx(XlsxError),
    Io(std::io::Error),
    /// A character GBK cannot encode.
    Gbk(String),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Xlsx(e) => write!(f, "xlsx: {e}"),
            RenderError::Io(e) => write!(f, "{e}"),
            RenderError::Gbk(file) => write!(f, "{file}: text that GBK cannot encode"),
        }
    }
}

impl std::error::Error for RenderError {}

impl From<XlsxError> for RenderError {
    fn from(e: XlsxError) -> Self {
        RenderError::Xlsx(e)
    }
}

impl From<std::io::Error> for RenderError {
    fn from(e: std::io::Error) -> Self {
        RenderError::Io(e)
    }
}

/// Writes a filing under `out`; returns the paths written, relative to `out`.
pub fn write(filing: &Filing, plan: &Planned, out: &Path) -> Result<Vec<String>, RenderError> {
    let target = out.join(&filing.file);
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if filing.layout == LayoutKind::Csv {
        let mut written = Vec::new();
        for sheet in plan.sheets() {
            let name = format!("{}-{}.csv", filing.file, sheet.name);
            std::fs::write(out.join(&name), csv_bytes(sheet, &name)?)?;
            written.push(name);
        }
        return Ok(written);
    }
    let bytes = match filing.damage {
        Some(Damage::Html) => html(&plan.items, filing.department()).into_bytes(),
        Some(Damage::Truncate) => {
            let mut b = workbook(filing, plan)?;
            // The transfer stopped before the zip's central directory arrived.
            b.truncate(b.len() * 3 / 5);
            b
        }
        None => workbook(filing, plan)?,
    };
    std::fs::write(&target, bytes)?;
    Ok(vec![filing.file.clone()])
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    number: Format,
    note: Format,
}

impl Formats {
    fn new(style: Style) -> Formats {
        let body = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin);
        let header = match style {
            Style::Standard => header.set_background_color(0xDDEBF7),
            Style::Titled => header.set_background_color(0xFFF2CC),
            Style::Plain => Format::new().set_bold(),
        };
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: Format::new().set_align(FormatAlign::Left),
            header,
            text: if style == Style::Plain {
                Format::new().set_text_wrap().set_align(FormatAlign::Top)
            } else {
                body.clone()
            },
            number: if style == Style::Plain {
                Format::new().set_align(FormatAlign::Top)
            } else {
                body.set_align(FormatAlign::Center)
            },
            note: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

fn workbook(filing: &Filing, plan: &Planned) -> Result<Vec<u8>, RenderError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 5, 20)?.and_hms(9, 30, 0)?;
    book.set_properties(
        &DocProperties::new()
            .set_author(filing.department())
            .set_company(filing.department())
            .set_creation_datetime(&created),
    );
    for sheet in plan.sheets() {
        write_sheet(book.add_worksheet(), sheet)?;
    }
    for name in &filing.extra_sheets {
        book.add_worksheet().set_name(name)?;
    }
    Ok(book.save_to_buffer()?)
}

/// Column width by the kind of value the column holds.
fn width(field: Option<&str>) -> f64 {
    match field.map(|f| f.trim_start_matches(['=', '#'])) {
        None => 4.0,
        Some(
            "conditions" | "process" | "legal_basis" | "review_standard" | "answer"
            | "authority_division" | "exercise_content",
        ) => 42.0,
        Some(
            "acceptance_standard"
            | "special_procedure"
            | "statutory_note"
            | "promised_note"
            | "consult_way"
            | "complaint_way"
            | "visit_reason"
            | "question"
            | "standard"
            | "reduction_basis"
            | "blank_form"
            | "sample_form"
            | "result_sample",
        ) => 26.0,
        Some("name" | "sub_name" | "agency" | "address" | "hours" | "result_name") => 24.0,
        Some("fee_standard" | "fee_basis" | "notes" | "basis" | "online_url") => 26.0,
        Some("agency_code" | "basic_code" | "impl_code" | "division") => 21.0,
        Some("audience" | "channels" | "power_source" | "contact_phone" | "complaint_phone") => {
            15.0
        }
        Some("seq" | "item_seq" | "copies" | "visits") => 7.0,
        Some(_) => 11.0,
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), RenderError> {
    let f = Formats::new(sheet.style);
    ws.set_name(&sheet.name)?;
    let last_col = sheet.headers.len().saturating_sub(1) as u16;
    for (c, field) in sheet.fields.iter().enumerate() {
        ws.set_column_width(c as u16, width(field.as_deref()))?;
    }
    for (r, text) in sheet.above.iter().enumerate() {
        let format = if r == 0 && sheet.style == Style::Titled {
            ws.set_row_height(r as u32, 30)?;
            &f.title
        } else {
            &f.subtitle
        };
        if last_col > 0 {
            ws.merge_range(r as u32, 0, r as u32, last_col, text, format)?;
        } else {
            ws.write_string_with_format(r as u32, 0, text, format)?;
        }
    }
    let header_row = sheet.above.len() as u32;
    for (c, h) in sheet.headers.iter().enumerate() {
        if !h.is_empty() {
            ws.write_string_with_format(header_row, c as u16, h, &f.header)?;
        }
    }
    if sheet.style == Style::Titled {
        ws.set_row_height(header_row, 45)?;
    }
    let first_data = header_row + 1;
    let merges = vertical_merges(sheet);
    let covered: BTreeSet<(usize, usize)> = merges
        .iter()
        .flat_map(|&(col, r0, r1)| (r0 + 1..=r1).map(move |r| (r, col)))
        .collect();
    for (r, row) in sheet.rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if covered.contains(&(r, c)) {
                continue;
            }
            let (rr, cc) = (first_data + r as u32, c as u16);
            match cell {
                Cell::Blank if sheet.style == Style::Plain => {}
                Cell::Blank => {
                    ws.write_blank(rr, cc, &f.text)?;
                }
                Cell::Text(t) => {
                    ws.write_string_with_format(rr, cc, t, &f.text)?;
                }
                Cell::Number(n) => {
                    ws.write_number_with_format(rr, cc, *n, &f.number)?;
                }
            }
        }
    }
    for &(col, r0, r1) in &merges {
        let cell = &sheet.rows[r0][col];
        let (a, b, cc) = (first_data + r0 as u32, first_data + r1 as u32, col as u16);
        ws.merge_range(a, cc, b, cc, &cell.text(), &f.text)?;
        // A merged range holds text; a number goes back into its first cell.
        if let Cell::Number(n) = cell {
            ws.write_number_with_format(a, cc, *n, &f.number)?;
        }
    }
    let below_start = first_data + sheet.rows.len() as u32;
    for (i, text) in sheet.below.iter().enumerate() {
        let r = below_start + i as u32;
        ws.set_row_height(r, 30)?;
        ws.merge_range(r, 0, r, last_col.max(1), text, &f.note)?;
    }
    if sheet.style != Style::Plain {
        ws.set_freeze_panes(header_row + 1, 0)?;
    }
    if sheet.style == Style::Standard && !sheet.rows.is_empty() {
        ws.autofilter(
            header_row,
            0,
            header_row + sheet.rows.len() as u32,
            last_col,
        )?;
    }
    Ok(())
}

/// Runs of two or more equal, non-blank cells in the merged columns:
/// (column, first data row, last data row).
fn vertical_merges(sheet: &Sheet) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    for &col in &sheet.merge_down {
        let mut start = 0;
        for r in 1..=sheet.rows.len() {
            let same = r < sheet.rows.len()
                && sheet.rows[r][col] == sheet.rows[start][col]
                && sheet.rows[r][col] != Cell::Blank;
            if !same {
                if r - start >= 2 {
                    out.push((col, start, r - 1));
                }
                start = r;
            }
        }
    }
    out
}

/// A sheet as CSV in GBK: CRLF between records, line breaks kept inside
/// quoted cells.
fn csv_bytes(sheet: &Sheet, name: &str) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let rows = sheet
        .rows
        .iter()
        .map(|r| r.iter().map(Cell::text).collect::<Vec<_>>());
    for r in std::iter::once(sheet.headers.clone()).chain(rows) {
        w.write_record(&r)
            .map_err(|e| RenderError::Io(std::io::Error::other(e)))?;
    }
    let utf8 = w
        .into_inner()
        .map_err(|e| RenderError::Io(std::io::Error::other(e.to_string())))?;
    let text = String::from_utf8(utf8).map_err(|e| RenderError::Io(std::io::Error::other(e)))?;
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    if unmappable {
        return Err(RenderError::Gbk(name.to_string()));
    }
    Ok(bytes.into_owned())
}

/// The page a web system exports as "Excel": an HTML table named `.xls`.
fn html(sheet: &Sheet, department: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('\n', "<br>")
    };
    let mut s = String::from(
        "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\">\n<head><meta charset=\"utf-8\"><title>",
    );
    s.push_str(&esc(department));
    s.push_str("</title></head>\n<body>\n<table border=\"1\">\n<tr>");
    for h in &sheet.headers {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr>\n");
    for row in &sheet.rows {
        s.push_str("<tr>");
        for c in row {
            s.push_str(&format!("<td>{}</td>", esc(&c.text())));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n</body>\n</html>\n");
    s
}
