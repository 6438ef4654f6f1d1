//! The rows of the sheets as they stand, for the findings of a report: the
//! HTML report shows each finding with its row and the sheet's header, read
//! back from the filing (only the rows that have findings, a sheet streamed
//! once, so a big filing is not held).

use crate::diag::Report;
use crate::filing::source::{self, Grid, GridRow};
use crate::filing::{Input, display_path, layout, xlsx};
use crate::standard::Standard;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// At most this many rows are read back for one report: past it, findings
/// are shown without their row (a page of that many opens in a second).
pub const MOST_ROWS: usize = 5_000;

/// One sheet's header and the rows read back.
#[derive(Debug, Default, Clone)]
pub struct SheetRows {
    /// The header row: its number and cells.
    pub header: Option<(u32, Vec<String>)>,
    /// Rows by number.
    pub rows: HashMap<u32, Vec<String>>,
}

/// A sheet's header row (its number and cells) and a row's cells.
pub type RowAndHeader<'a> = (Option<&'a (u32, Vec<String>)>, &'a Vec<String>);

/// Rows by (file as the report names it, sheet).
#[derive(Debug, Default, Clone)]
pub struct Rows {
    pub sheets: HashMap<(String, String), SheetRows>,
}

impl Rows {
    /// The header and the row of a finding's place, when read.
    pub fn get(&self, file: &str, sheet: &str, row: u32) -> Option<RowAndHeader<'_>> {
        let s = self.sheets.get(&(file.to_string(), sheet.to_string()))?;
        Some((s.header.as_ref(), s.rows.get(&row)?))
    }
}

fn texts(row: &GridRow) -> Vec<String> {
    let used = row
        .cells
        .iter()
        .rposition(|c| !c.text.is_empty())
        .map_or(0, |i| i + 1);
    row.cells[..used].iter().map(|c| c.text.clone()).collect()
}

/// The header row of a sheet: the row among its first that matches most
/// columns of either sheet of the standard.
fn header_of(head: &Grid, standard: &Standard) -> Option<(u32, Vec<String>)> {
    let items = layout::best_header(head, &standard.elements.items);
    let materials = layout::best_header(head, &standard.elements.materials);
    let best = match (items, materials) {
        (Some(a), Some(b)) => Some(if a.1 >= b.1 { a } else { b }),
        (a, b) => a.or(b),
    }?;
    let row = &head.rows[best.0];
    Some((row.number, texts(row)))
}

/// Reads back the rows of the report's findings from `inputs`.
pub fn gather(report: &Report, inputs: &[Input], standard: &Standard) -> Rows {
    // The rows wanted, by (file, sheet).
    let mut wanted: HashMap<(String, String), BTreeSet<u32>> = HashMap::new();
    let mut budget = MOST_ROWS;
    for d in &report.diagnostics {
        let (Some(sheet), Some(row)) = (&d.origin.sheet, d.origin.row) else {
            continue;
        };
        let set = wanted
            .entry((d.origin.file.to_string(), sheet.to_string()))
            .or_default();
        if set.contains(&row) {
            continue;
        }
        if budget == 0 {
            continue;
        }
        budget -= 1;
        set.insert(row);
    }
    let mut out = Rows::default();
    for input in inputs {
        match input {
            Input::Workbook(p) => {
                let file = display_path(p);
                let sheets: Vec<(&String, &BTreeSet<u32>)> = wanted
                    .iter()
                    .filter(|((f, _), _)| *f == file)
                    .map(|((_, s), rows)| (s, rows))
                    .collect();
                if sheets.is_empty() {
                    continue;
                }
                let display: Arc<str> = Arc::from(file.as_str());
                let Ok(book) = source::Book::open(p, &display) else {
                    continue;
                };
                let Ok(heads) = book.heads(layout::HEADER_SEARCH_ROWS) else {
                    continue;
                };
                for (sheet, rows) in sheets {
                    let Some(i) = book.sheet_names().iter().position(|n| n == sheet) else {
                        continue;
                    };
                    let mut got = SheetRows {
                        header: header_of(&heads[i], standard),
                        rows: HashMap::new(),
                    };
                    let last = rows.iter().next_back().copied().unwrap_or(0);
                    let streamed = book.stream(i, &mut |event| {
                        let xlsx::Scanned::Row(row) = event else {
                            return true;
                        };
                        if rows.contains(&row.number) {
                            got.rows.insert(row.number, texts(row));
                        }
                        row.number < last
                    });
                    if streamed.is_none()
                        && let Ok(grid) = book.sheet(i)
                    {
                        for row in &grid.rows {
                            if rows.contains(&row.number) {
                                got.rows.insert(row.number, texts(row));
                            }
                        }
                    }
                    out.sheets.insert((file.clone(), sheet.clone()), got);
                }
            }
            Input::Csv { items, materials } => {
                for (p, sheet) in [(items, "事项"), (materials, "申请材料")] {
                    let Some(p) = p else { continue };
                    let file = display_path(p);
                    let Some(rows) = wanted.get(&(file.clone(), sheet.to_string())) else {
                        continue;
                    };
                    let display: Arc<str> = Arc::from(file.as_str());
                    let Ok(grid) = source::read_csv(p, &display, sheet) else {
                        continue;
                    };
                    let mut got = SheetRows {
                        header: header_of(&grid, standard),
                        rows: HashMap::new(),
                    };
                    for row in &grid.rows {
                        if rows.contains(&row.number) {
                            got.rows.insert(row.number, texts(row));
                        }
                    }
                    out.sheets.insert((file, sheet.to_string()), got);
                }
            }
        }
    }
    out
}
