//! The plain grids of text cells every reader gives — the dedicated xlsx
//! reader, calamine, the CSV reader, the catalog — and the layout and
//! parser read, with merged cells filled down. Nothing here knows a file
//! format or the standard.

use super::limits;
use crate::diag::Text;
use crate::text;
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

/// Puts rows read out of order in order, a row given twice merged into
/// one (its later cells over its earlier ones, as they came): sorted once,
/// however far out of order they were.
pub fn put_in_order(rows: &mut Vec<GridRow>) {
    rows.sort_by_key(|r| r.number);
    rows.dedup_by(|later, kept| {
        if later.number != kept.number {
            return false;
        }
        for (c, cell) in std::mem::take(&mut later.cells).into_iter().enumerate() {
            if !cell.text.is_empty() {
                if kept.cells.len() <= c {
                    kept.cells.resize(c + 1, RawCell::default());
                }
                kept.cells[c] = cell;
            }
        }
        true
    });
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

/// Vertically merged cells give their value to every row they cover that
/// the sheet has (a row with nothing of its own stays blank, however far a
/// merge reaches), rows looked up by number. Merges are walked row by row
/// from the region's first row actually held, so the work is the cells
/// they fill; overlapping merges, which Excel never writes, would fill a
/// cell more than once — past the cells held, the sheet is damaged (said in the
/// error).
pub fn fill_merges(grid: &mut Grid, merges: &[calamine::Dimensions]) -> Result<(), Text> {
    let mut held: u64 = grid.rows.iter().map(|r| r.cells.len() as u64).sum();
    let filled: u64 = grid
        .rows
        .iter()
        .map(|r| r.cells.iter().filter(|c| !c.text.is_empty()).count() as u64)
        .sum();
    let budget = limits::grid_cells(filled);
    let mut work = 0u64;
    for m in merges {
        let (r0, c0) = m.start;
        let (r1, _) = m.end;
        if r1 <= r0 || c0 >= limits::COLUMNS {
            continue;
        }
        let top = r0 + 1;
        let Ok(at) = grid.rows.binary_search_by_key(&top, |r| r.number) else {
            continue;
        };
        let Some(value) = grid.rows[at].cell(c0).cloned() else {
            continue;
        };
        let last = r1.saturating_add(1);
        let c = c0 as usize;
        for row in grid.rows[at + 1..]
            .iter_mut()
            .take_while(|r| r.number <= last)
        {
            work += 1;
            if row.cells.len() <= c {
                held += (c + 1 - row.cells.len()) as u64;
                row.cells.resize(c + 1, RawCell::default());
            }
            if held.max(work) > budget {
                let sheet = &grid.name;
                return Err(text!(
                    "工作表“{sheet}”的合并单元格相互重叠或远超其内容，不像填报表",
                    "sheet `{sheet}` has merged cells that overlap or reach far beyond its content, unlike any filing"
                ));
            }
            if row.cells[c].text.is_empty() {
                row.cells[c] = value.clone();
            }
        }
    }
    Ok(())
}
