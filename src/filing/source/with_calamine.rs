//! Workbooks calamine reads — xls, xlsb, ods — made into grids, once they
//! have passed the checks of [`super::guard`]: a sheet built by calamine
//! as a range, or streamed cell by cell (xlsb, and xlsx to compare the two
//! readers) into rows held no bigger than their filled cells allow.

use super::ReadError;
use crate::filing::grid::{Grid, GridRow, RawCell, fill_merges, float_text, put_in_order};
use crate::filing::limits;
use crate::text;
use calamine::{Data, Sheets};
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

/// Rows of cells as a calamine reader gives them, one at a time and in any
/// order, gathered into a sheet's rows: in order, a row given twice merged,
/// the cells held bounded by the filled ones ([`limits::grid_cells`]).
#[derive(Default)]
struct Rows {
    rows: Vec<GridRow>,
    in_order: bool,
    held: u64,
    filled: u64,
}

impl Rows {
    fn new() -> Rows {
        Rows {
            in_order: true,
            ..Rows::default()
        }
    }

    /// Adds cell (`r`, `c`) (0-based) of sheet `sheet`.
    fn add(&mut self, sheet: &str, r: u32, c: u32, raw: RawCell) -> Result<(), ReadError> {
        if raw.text.is_empty() {
            return Ok(());
        }
        if r >= limits::ROWS || c >= limits::COLUMNS {
            return Err(far_cell(sheet));
        }
        let number = r + 1;
        if self.rows.last().is_none_or(|last| last.number != number) {
            self.in_order &= self.rows.last().is_none_or(|last| last.number < number);
            self.rows.push(GridRow {
                number,
                cells: Vec::new(),
                lines: Vec::new(),
            });
        }
        let row = self.rows.last_mut().expect("just pushed");
        let c = c as usize;
        if row.cells.len() <= c {
            self.held += (c + 1 - row.cells.len()) as u64;
            row.cells.resize(c + 1, RawCell::default());
        }
        self.filled += 1;
        if self.held > limits::grid_cells(self.filled) {
            return Err(far_cell(sheet));
        }
        row.cells[c] = raw;
        Ok(())
    }

    /// The rows, in order.
    fn finish(mut self) -> Vec<GridRow> {
        if !self.in_order {
            put_in_order(&mut self.rows);
        }
        self.rows
    }
}

/// A sheet whose cells lie far beyond its content.
pub(super) fn far_cell(sheet: &str) -> ReadError {
    ReadError::TooLarge(text!(
        "工作表“{sheet}”的单元格位置远超其内容（如极远的列或行），不像填报表",
        "sheet `{sheet}` places its cells far beyond its content (far columns or rows), unlike any filing"
    ))
}

/// Reads an xlsx sheet with calamine's streaming cell reader, up to row
/// `limit`.
pub(super) fn stream_sheet(
    x: &mut calamine::Xlsx<Cursor<&[u8]>>,
    display: &Arc<str>,
    name: &str,
    limit: Option<u32>,
    merges: bool,
) -> Result<Grid, ReadError> {
    let err = |e: calamine::XlsxError| ReadError::Sheet {
        sheet: name.to_string(),
        detail: e.to_string(),
    };
    let mut rows = Rows::new();
    {
        let mut reader = x.worksheet_cells_reader(name).map_err(err)?;
        while let Some(cell) = reader.next_cell().map_err(err)? {
            let (r, c) = cell.get_position();
            if limit.is_some_and(|l| r + 1 > l) {
                break;
            }
            rows.add(name, r, c, cell_ref_text(cell.get_value()))?;
        }
    }
    let mut grid = Grid {
        file: display.clone(),
        name: Arc::from(name),
        rows: rows.finish(),
        yaml: false,
    };
    if merges {
        let regions = x.merge_cells_by_sheet_name(name).unwrap_or_default();
        fill_merges(&mut grid, &regions).map_err(ReadError::Damaged)?;
    }
    Ok(grid)
}

/// Reads an xlsb sheet with calamine's streaming cell reader: a range
/// would be as big as the cells' far corner claims.
pub(super) fn xlsb_sheet(
    x: &mut calamine::Xlsb<Cursor<&[u8]>>,
    display: &Arc<str>,
    name: &str,
) -> Result<Grid, ReadError> {
    let err = |e: calamine::XlsbError| ReadError::Sheet {
        sheet: name.to_string(),
        detail: e.to_string(),
    };
    let mut rows = Rows::new();
    {
        let mut reader = x.worksheet_cells_reader(name).map_err(err)?;
        while let Some(cell) = reader.next_cell().map_err(err)? {
            let (r, c) = cell.get_position();
            rows.add(name, r, c, cell_ref_text(cell.get_value()))?;
        }
    }
    Ok(Grid {
        file: display.clone(),
        name: Arc::from(name),
        rows: rows.finish(),
        yaml: false,
    })
}

/// The text of a streamed cell, as [`cell_text`] gives it.
fn cell_ref_text(d: &calamine::DataRef<'_>) -> RawCell {
    use calamine::DataRef;
    match d {
        DataRef::SharedString(s) => RawCell::text((*s).to_string()),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            RawCell::text(s.clone())
        }
        DataRef::Int(i) => RawCell::number(i.to_string()),
        DataRef::Float(f) => RawCell::number(float_text(*f)),
        DataRef::Bool(b) => RawCell::text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        DataRef::DateTime(dt) => RawCell::number(float_text(dt.as_f64())),
        DataRef::Error(e) => RawCell::text(e.to_string()),
        DataRef::Empty => RawCell::default(),
    }
}

pub(super) fn open<'b>(
    bytes: &'b [u8],
    path: &Path,
) -> Result<Sheets<Cursor<&'b [u8]>>, ReadError> {
    use calamine::{Ods, Xls, Xlsb, Xlsx, open_workbook_from_rs};
    // A zip archive is taken for what it holds, whatever its name: an
    // xlsx package reaches calamine only to compare the two readers (the
    // dedicated reader reads every one it can index), and a package that
    // is none of the three is no workbook.
    // (A zip archive that cannot be opened is left to calamine below, to
    // say so as it does.)
    if bytes.starts_with(b"PK\x03\x04")
        && let Ok(zip) = zip::ZipArchive::new(Cursor::new(bytes))
    {
        let has = |name: &str| zip.index_for_name(name).is_some();
        let err = |e: calamine::Error| classify(e, bytes);
        return if has("content.xml") {
            open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes))
                .map(Sheets::Ods)
                .map_err(|e| err(calamine::Error::Ods(e)))
        } else if has("xl/workbook.bin") {
            open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes))
                .map(Sheets::Xlsb)
                .map_err(|e| err(calamine::Error::Xlsb(e)))
        } else if has("xl/workbook.xml") {
            open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))
                .map(Sheets::Xlsx)
                .map_err(|e| err(calamine::Error::Xlsx(e)))
        } else {
            Err(ReadError::not_workbook(
                bytes,
                "a zip archive holding no xlsx, xlsb or ods workbook",
            ))
        };
    }
    let by_ext = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xls") => open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xls)
            .map_err(|e| classify(calamine::Error::Xls(e), bytes)),
        Some("xlsx" | "xlsm") => open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xlsx)
            .map_err(|e| classify(calamine::Error::Xlsx(e), bytes)),
        Some("xlsb") => open_workbook_from_rs::<Xlsb<_>, _>(Cursor::new(bytes))
            .map(Sheets::Xlsb)
            .map_err(|e| classify(calamine::Error::Xlsb(e), bytes)),
        Some("ods") => open_workbook_from_rs::<Ods<_>, _>(Cursor::new(bytes))
            .map(Sheets::Ods)
            .map_err(|e| classify(calamine::Error::Ods(e), bytes)),
        _ => Err(ReadError::not_workbook(bytes, "unknown extension")),
    };
    match by_ext {
        Ok(book) => Ok(book),
        Err(ReadError::Password) => Err(ReadError::Password),
        Err(first) => calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
            match classify(e, bytes) {
                ReadError::Password => ReadError::Password,
                _ => first,
            }
        }),
    }
}

/// A reader's error as what to tell the user: a password, or what the
/// file really is.
fn classify(e: calamine::Error, bytes: &[u8]) -> ReadError {
    let password = matches!(
        &e,
        calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Xls(calamine::XlsError::Password)
    );
    if password || e.to_string().to_lowercase().contains("password") {
        ReadError::Password
    } else {
        ReadError::not_workbook(bytes, e.to_string())
    }
}

pub(super) fn merged_regions(
    book: &mut Sheets<Cursor<&[u8]>>,
    name: &str,
) -> Vec<calamine::Dimensions> {
    match book {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        #[allow(deprecated)] // the Xls reader has no newer name for it
        Sheets::Xls(x) => x.worksheet_merge_cells(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Turns a calamine range into a grid with absolute row numbers and column
/// indexes. Vertically merged cells (an agency merged over many rows) give
/// their value to every row they cover; horizontal merges (titles, notes) stay
/// in their first cell.
pub(super) fn grid_from_range(
    file: Arc<str>,
    name: Arc<str>,
    range: &calamine::Range<Data>,
    merges: &[calamine::Dimensions],
) -> Result<Grid, ReadError> {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let rows: Vec<GridRow> = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut out = vec![RawCell::default(); col0 as usize];
            out.extend(cells.iter().map(cell_text));
            while out.last().is_some_and(|c| c.text.is_empty()) {
                out.pop();
            }
            GridRow {
                number: row0 + i as u32 + 1,
                cells: out,
                lines: Vec::new(),
            }
        })
        .collect();
    let mut grid = Grid {
        file,
        name,
        rows,
        yaml: false,
    };
    fill_merges(&mut grid, merges).map_err(ReadError::Damaged)?;
    Ok(grid)
}

/// The text of a cell. Integral floats lose their fraction; a float too large
/// to be exact (an 18-digit code typed into a numeric cell) is written out in
/// full so the check can say that digits were lost.
pub fn cell_text(d: &Data) -> RawCell {
    match d {
        Data::Empty => RawCell::default(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::text(s.clone()),
        Data::Int(i) => RawCell::number(i.to_string()),
        Data::Float(f) => RawCell::number(float_text(*f)),
        Data::Bool(b) => RawCell::text(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Data::DateTime(dt) => RawCell::number(float_text(dt.as_f64())),
        Data::Error(e) => RawCell::text(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_typed_them() {
        assert_eq!(cell_text(&Data::Float(20.0)).text, "20");
        assert_eq!(cell_text(&Data::Float(2.5)).text, "2.5");
        assert_eq!(cell_text(&Data::Int(7)).text, "7");
        // An 18-digit code in a numeric cell keeps all the digits the float has.
        let lost = cell_text(&Data::Float(114507210081153718.0));
        assert!(lost.numeric);
        assert_eq!(lost.text.len(), 18);
        assert_ne!(lost.text, "114507210081153718");
    }
}
