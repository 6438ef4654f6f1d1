//! A new xlsx workbook holding a filing's values, for the filings that
//! cannot be marked in place: a CSV pair (both halves, one workbook), an
//! .xls, .xlsb or .ods workbook (formats yima does not write), and an xlsx
//! whose package could not be edited. Every value lands in the cell it had —
//! so each finding's cell is the same — numbers as numbers, text as text,
//! merged ranges kept where the reader knows them; fonts, colours and widths
//! of the original are not (widths are made to fit the text).

use crate::filing::source::{self, RawCell};
use calamine::{Data, Reader};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::io::Cursor;
use std::path::Path;

/// Why a filing's values could not be copied.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{0}")]
    Read(String),
    #[error("{0}")]
    Write(#[from] XlsxError),
}

/// Widths of columns from the text they hold: CJK characters count two.
#[derive(Default)]
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: usize, text: &str) {
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        let w = text
            .lines()
            .map(unicode_width::UnicodeWidthStr::width)
            .max()
            .unwrap_or(0);
        self.0[col] = self.0[col].max(w);
    }

    fn apply(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (c, w) in self.0.iter().enumerate() {
            let w = (*w as f64 * 1.1 + 2.0).clamp(6.0, 50.0);
            sheet.set_column_width(c as u16, w)?;
        }
        Ok(())
    }
}

fn new_book() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    // A fixed creation time: the same input gives the same bytes.
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_author("yima")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2024, 1, 1)?),
    );
    Ok(book)
}

/// Excel's limits: a cell is at most 32,767 characters.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(32_767) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The sheets of a workbook yima reads but does not write (or could not
/// mark), as a new workbook; `skip` names a sheet to leave out (a 检查结果
/// sheet of an earlier annotation).
pub fn workbook(bytes: &[u8], skip: &str) -> Result<Vec<u8>, ConvertError> {
    let mut sheets = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ConvertError::Read(e.to_string()))?;
    let mut book = new_book()?;
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let names = sheets.sheet_names();
    let mut any = false;
    for name in &names {
        if name == skip {
            continue;
        }
        let range = sheets
            .worksheet_range(name)
            .map_err(|e| ConvertError::Read(e.to_string()))?;
        let merges = match &mut sheets {
            calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
            #[allow(deprecated)] // the Xls reader has no newer name for it
            calamine::Sheets::Xls(x) => x.worksheet_merge_cells(name).unwrap_or_default(),
            _ => Vec::new(),
        };
        let sheet = book.add_worksheet();
        sheet.set_name(name)?;
        any = true;
        let mut widths = Widths::default();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (i, row) in range.rows().enumerate() {
            for (j, d) in row.iter().enumerate() {
                let (r, c) = (r0 + i as u32, (c0 as usize + j) as u16);
                match d {
                    Data::Empty => continue,
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                        sheet.write_string(r, c, clip(s))?;
                    }
                    Data::Float(f) => {
                        sheet.write_number(r, c, *f)?;
                    }
                    Data::Int(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Data::Bool(b) => {
                        sheet.write_boolean(r, c, *b)?;
                    }
                    Data::DateTime(dt) => {
                        sheet.write_number_with_format(r, c, dt.as_f64(), &date)?;
                    }
                    Data::Error(e) => {
                        sheet.write_string(r, c, e.to_string())?;
                    }
                }
                widths.see(c as usize, &source::cell_text(d).text);
            }
        }
        for m in merges {
            let ((r0, c0), (r1, c1)) = (m.start, m.end);
            if (r0, c0) == (r1, c1) {
                continue;
            }
            let top = range.get_value((r0, c0)).cloned().unwrap_or(Data::Empty);
            sheet.merge_range(r0, c0 as u16, r1, c1 as u16, "", &Format::new())?;
            // The merged range's value is its first cell's, as it was.
            match top {
                Data::Float(f) => {
                    sheet.write_number(r0, c0 as u16, f)?;
                }
                Data::Int(n) => {
                    sheet.write_number(r0, c0 as u16, n as f64)?;
                }
                Data::Empty => {}
                other => {
                    sheet.write_string(r0, c0 as u16, clip(&source::cell_text(&other).text))?;
                }
            }
        }
        widths.apply(sheet)?;
    }
    if !any {
        placeholder(&mut book, "")?;
    }
    Ok(book.save_to_buffer()?)
}

/// A CSV filing as one workbook: sheet 事项 and sheet 申请材料 (those it
/// has), every cell text — codes stay codes — under columns formatted as
/// text, so what the department types next stays text too.
pub fn csv(halves: &[(&Path, &str)]) -> Result<Vec<u8>, ConvertError> {
    let mut book = new_book()?;
    let text = Format::new().set_num_format_index(49);
    for (path, sheet_name) in halves {
        let display = std::sync::Arc::from(crate::filing::display_path(path));
        let grid = source::read_csv(path, &display, sheet_name)
            .map_err(|e| ConvertError::Read(e.to_string()))?;
        let sheet = book.add_worksheet();
        sheet.set_name(*sheet_name)?;
        let mut widths = Widths::default();
        for row in &grid.rows {
            for (c, RawCell { text: t, .. }) in row.cells.iter().enumerate() {
                if t.is_empty() {
                    continue;
                }
                sheet.write_string_with_format(row.number - 1, c as u16, clip(t), &text)?;
                widths.see(c, t);
            }
        }
        widths.apply(sheet)?;
        for c in 0..widths.0.len().max(1) {
            sheet.set_column_format(c as u16, &text)?;
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    if halves.is_empty() {
        placeholder(&mut book, "")?;
    }
    Ok(book.save_to_buffer()?)
}

/// A workbook for a filing that could not be read at all: one sheet that
/// says so, beside the 检查结果 sheet the marking adds.
pub fn unreadable(note: &str) -> Result<Vec<u8>, ConvertError> {
    let mut book = new_book()?;
    placeholder(&mut book, note)?;
    Ok(book.save_to_buffer()?)
}

fn placeholder(book: &mut Workbook, note: &str) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name("原文件")?;
    if !note.is_empty() {
        sheet.write_string(0, 0, note)?;
        sheet.set_column_width(0, 80)?;
    }
    Ok(())
}
