//! An OpenDocument spreadsheet's `content.xml` looked through as calamine
//! will read it. ODS writes a run of equal cells or rows once, with a
//! repeat count (`table:number-columns-repeated`,
//! `table:number-rows-repeated`); calamine writes each repeat out — every
//! cell of a row up to its last filled one, then the whole rectangle from
//! the first filled row to the last — so a few bytes can ask for a billion
//! cells. Here each table's two counts must stay within
//! `limits::grid_cells` of the cells the XML really writes.

use super::super::ReadError;
use super::far_cells;
use crate::filing::limits;
use crate::filing::xlsx::Part;
use crate::filing::xlsx::document::attr;
use crate::filing::xlsx::xml::{Budget, Scanner, Tok};
use std::io::Read;

/// What calamine builds of one table, so far.
#[derive(Default)]
struct Table {
    /// Cells written in the XML with a value.
    valued: u64,
    /// Cells calamine pushes, row by row (each row once, however often it
    /// repeats).
    pushed: u64,
    /// Rows so far, repeats counted (as calamine caps them).
    rows: u64,
    /// The first and last rows with a value, and the columns they span.
    first_row: Option<u64>,
    last_row: u64,
    col_min: u64,
    col_max: u64,
}

impl Table {
    /// Whether what calamine builds stays near what the XML holds.
    fn fits(&self) -> bool {
        let most = limits::grid_cells(self.valued);
        let dense = match self.first_row {
            Some(first) => (self.last_row - first + 1)
                .saturating_mul(self.col_max.saturating_sub(self.col_min) + 1),
            None => 0,
        };
        self.pushed <= most && dense <= most
    }
}

/// One row being read: its repeat count, and its cells so far.
struct Row {
    repeats: u64,
    /// Columns so far, repeats counted (as calamine caps them).
    cols: u64,
    /// The columns up to and including the last with a value.
    used: u64,
    first: Option<u64>,
}

/// Checks `content.xml`, table by table.
pub(super) fn check(content: impl Read) -> Result<(), ReadError> {
    let mut sc = Scanner::new(
        content,
        Part::Path("content.xml".into()),
        limits::SHEET_XML,
        Budget::default(),
    );
    let mut tables = 0usize;
    let mut table = Table::default();
    let mut row: Option<Row> = None;
    // The cell being read: its repeat count, and whether it has a value.
    let mut cell: Option<(u64, bool)> = None;
    let repeat = |attrs: &[u8], key: &[u8]| -> u64 {
        attr(attrs, key)
            .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse().ok())
            .unwrap_or(1)
    };
    while let Some(tok) = sc.next()? {
        match tok {
            Tok::Open { name, attrs, empty } => match name {
                b"table:table" if !empty => {
                    tables += 1;
                    table = Table::default();
                }
                b"table:table-row" => {
                    let r = repeat(attrs, b"table:number-rows-repeated");
                    let r = r.min(u64::from(limits::ROWS).saturating_sub(table.rows));
                    row = Some(Row {
                        repeats: r,
                        cols: 0,
                        used: 0,
                        first: None,
                    });
                    if empty {
                        end_row(&mut table, row.take());
                    }
                }
                b"table:table-cell" | b"table:covered-table-cell" => {
                    let n = repeat(attrs, b"table:number-columns-repeated");
                    let valued = attr(attrs, b"office:value-type").is_some();
                    cell = Some((n, valued));
                    if empty {
                        end_cell(&mut table, row.as_mut(), cell.take());
                    }
                }
                // Anything inside a cell gives it a value (text, a link).
                _ => {
                    if let Some((_, valued)) = &mut cell {
                        *valued = true;
                    }
                }
            },
            Tok::Text { raw, .. } => {
                if let Some((_, valued)) = &mut cell
                    && !raw.iter().all(u8::is_ascii_whitespace)
                {
                    *valued = true;
                }
            }
            Tok::Close { name } => match name {
                b"table:table-cell" | b"table:covered-table-cell" => {
                    end_cell(&mut table, row.as_mut(), cell.take());
                }
                b"table:table-row" => end_row(&mut table, row.take()),
                _ => {}
            },
        }
        if !table.fits() {
            return Err(far_cells(tables));
        }
    }
    Ok(())
}

/// Takes in a cell of the row.
fn end_cell(table: &mut Table, row: Option<&mut Row>, cell: Option<(u64, bool)>) {
    let (Some(row), Some((n, valued))) = (row, cell) else {
        return;
    };
    let n = n.min(u64::from(limits::COLUMNS).saturating_sub(row.cols));
    if valued && n > 0 {
        table.valued += 1;
        row.first.get_or_insert(row.cols);
        row.used = row.cols + n;
    }
    row.cols += n;
}

/// Takes in a row of the table.
fn end_row(table: &mut Table, row: Option<Row>) {
    let Some(row) = row else { return };
    table.pushed = table.pushed.saturating_add(row.used);
    if let Some(first) = row.first {
        let top = *table.first_row.get_or_insert(table.rows);
        if top == table.rows {
            table.col_min = first;
        }
        table.col_min = table.col_min.min(first);
        table.col_max = table.col_max.max(row.used - 1);
        table.last_row = table.rows + row.repeats.max(1) - 1;
    }
    table.rows += row.repeats;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(body: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><office:document-content><office:body><office:spreadsheet><table:table table:name="事项">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
        )
    }

    #[test]
    fn a_real_table_passes() {
        let row = r#"<table:table-row><table:table-cell office:value-type="string"><text:p>序号</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3" office:value-type="string"><text:p>是</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1020"/></table:table-row>"#;
        let tail = r#"<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
        let xml = content(&format!("{}{tail}", row.repeat(20)));
        assert!(check(xml.as_bytes()).is_ok());
    }

    #[test]
    fn repeats_by_the_million_do_not_pass() {
        let wide = r#"<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#;
        assert!(matches!(
            check(content(wide).as_bytes()),
            Err(ReadError::TooLarge(_))
        ));
        // One cell at each far corner of a table.
        let corners = r#"<table:table-row><table:table-cell office:value-type="float" office:value="1"/></table:table-row><table:table-row table:number-rows-repeated="1000000"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16000"/><table:table-cell office:value-type="float" office:value="1"/></table:table-row>"#;
        assert!(matches!(
            check(content(corners).as_bytes()),
            Err(ReadError::TooLarge(_))
        ));
    }
}
