//! The plain grids of text cells every reader gives — the dedicated xlsx
//! reader, calamine, the CSV reader, the catalog — and the layout and
//! parser read. Nothing here knows a file format or the standard.

use std::sync::Arc;

/// One cell as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCell {
    /// The text, with integral numbers written without a fraction (`20.0` → `20`).
    pub text: String,
    /// The cell held a number, not text.
    pub numeric: bool,
    /// The index of the workbook's shared string the text is, when it is
    /// one: cells of a sheet with the same index hold the same text, so what
    /// is worked out from one holds for all (see `cells::Memo`).
    pub shared: Option<u32>,
}

impl RawCell {
    /// A cell of text.
    pub fn text(text: String) -> RawCell {
        RawCell {
            text,
            ..RawCell::default()
        }
    }

    /// A cell that held a number, written as text.
    pub fn number(text: String) -> RawCell {
        RawCell {
            text,
            numeric: true,
            shared: None,
        }
    }
}

/// One row of a sheet.
#[derive(Debug, Clone, Default)]
pub struct GridRow {
    /// The row number Excel shows (1-based).
    pub number: u32,
    /// Cells by 0-based column index.
    pub cells: Vec<RawCell>,
    /// For a catalog file read as a row: the YAML line of each cell.
    pub lines: Vec<u32>,
}

impl GridRow {
    pub fn cell(&self, col: u32) -> Option<&RawCell> {
        self.cells.get(col as usize)
    }

    pub fn text(&self, col: u32) -> &str {
        self.cell(col).map_or("", |c| c.text.as_str())
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text.trim().is_empty())
    }
}

/// A sheet: its file (a CSV pair has two), its name and its rows.
#[derive(Debug, Clone)]
pub struct Grid {
    pub file: Arc<str>,
    pub name: Arc<str>,
    pub rows: Vec<GridRow>,
    /// The grid was made from a catalog YAML file: places are file:line.
    pub yaml: bool,
}

/// A number as a cell's text: integers exactly representable as i64
/// without a fraction; larger integers (an 18-digit code typed as a
/// number) with all the digits the float has, so the check can say that
/// digits were lost; others as Rust prints them.
pub fn float_text(f: f64) -> String {
    let mut s = String::new();
    push_float(&mut s, f);
    s
}

/// Appends a number as [`float_text`] writes it.
pub fn push_float(out: &mut String, f: f64) {
    use std::fmt::Write;
    let _ = if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        write!(out, "{}", f as i64)
    } else if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        write!(out, "{f:.0}")
    } else {
        write!(out, "{f}")
    };
}
