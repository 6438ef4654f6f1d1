//! The sheet scanner: a worksheet's XML read once, each row that has a
//! filled cell handed on in one reused buffer as soon as it is read
//! ([`scan`]), or gathered into a grid ([`sheet`]). Rows are taken as the
//! XML holds them, in any order; what the sheet claims — its `<dimension>`,
//! its row numbers and cell references — never decides how much is held:
//! only its filled cells do (see `limits::grid_cells`). A sheet cut short,
//! not a worksheet at all, or holding a cell whose value is not what its
//! type says, is damaged.

use super::archive::{self, cut_short, not_xml};
use super::cell::{Body, CellTag, RowDigits, RowTag, cell_attrs, cell_ref, merge_ref};
use super::decode::{decode_text, parse_u32, push_t};
use super::document::{Document, attr, attrs_ok, local};
use super::strings::Strings;
use super::value::{CellType, Fault, cell_type, finish_cell, plain_integer};
use super::xml::Tok;
use super::{Error, Index, Part};
use crate::filing::grid::{Grid, GridRow, RawCell, put_in_order};
use crate::filing::limits;
use crate::text;
use std::sync::Arc;

/// What one sheet read gives: its grid and its merged regions.
pub struct SheetRead {
    pub grid: Grid,
    pub merges: Vec<calamine::Dimensions>,
}

/// What a scan hands over.
pub enum Scanned<'r> {
    /// About how many rows the sheet holds, before any row: what its
    /// `<dimension>` declares, no more than its XML could hold. A guide
    /// for making room, never a count to rely on.
    LastRow(u32),
    /// A row with at least one filled cell.
    Row(&'r GridRow),
}

/// Reads sheet `index` of the workbook into a grid, up to row `limit`
/// (1-based). Rows out of order are put in order and a row given twice
/// merged into one; the cells held are bounded by the filled ones.
pub fn sheet(
    bytes: &[u8],
    book: &Index,
    index: usize,
    file: &Arc<str>,
    limit: Option<u32>,
) -> Result<SheetRead, Error> {
    let name: Arc<str> = Arc::from(book.sheets[index].0.as_str());
    let mut rows: Vec<GridRow> = Vec::new();
    let mut in_order = true;
    // Cells held (each row up to its last filled cell) and filled.
    let (mut held, mut filled) = (0u64, 0u64);
    let mut sparse = false;
    let merges = scan(bytes, book, index, limit, &mut |event| {
        let Scanned::Row(row) = event else {
            return true;
        };
        let used = used(row);
        held += used as u64;
        filled += row.cells[..used]
            .iter()
            .filter(|c| !c.text.is_empty())
            .count() as u64;
        if held > limits::grid_cells(filled) {
            sparse = true;
            return false;
        }
        in_order &= rows.last().is_none_or(|last| last.number < row.number);
        rows.push(GridRow {
            number: row.number,
            cells: row.cells[..used].to_vec(),
            lines: Vec::new(),
        });
        true
    })?;
    if sparse {
        return Err(Part::Sheet(name).too_large(text!(
            "的单元格位置远超其内容（如极远的列或行），不像填报表",
            "places its cells far beyond its content (far columns or rows), unlike any filing"
        )));
    }
    if !in_order {
        // Out of order or given twice (rare).
        put_in_order(&mut rows);
    }
    let grid = Grid {
        file: file.clone(),
        name,
        rows,
        yaml: false,
    };
    Ok(SheetRead { grid, merges })
}

/// The cells of a row up to its last filled one.
fn used(row: &GridRow) -> usize {
    row.cells
        .iter()
        .rposition(|c| !c.text.is_empty())
        .map_or(0, |i| i + 1)
}

/// Where a scan is in the sheet's XML: the row being read, and what the
/// error messages name.
struct At<'a> {
    part: &'a Part,
    row: u32,
}

impl At<'_> {
    /// The cell in column `c` of the current row has `fault`.
    fn fault(&self, c: u32, fault: &Fault) -> Error {
        let cell = format!("{}{}", crate::model::column_letter(c), self.row);
        let what = fault.says();
        self.part.damaged(crate::diag::Text::new(
            format!("单元格 {cell} {}", what.zh),
            format!("cell {cell} {}", what.en),
        ))
    }
}

/// Row `number` lies outside the sheet. (Out of line: the check is on
/// every row.)
#[cold]
fn row_outside(part: &Part, number: u32) -> Error {
    let most = limits::ROWS;
    part.damaged(text!(
        "的行号 {number} 超出 1–{most} 的范围",
        "has a row number {number} outside 1–{most}"
    ))
}

/// The sheet's tags are out of their places: a cell outside a row or
/// inside a cell, a row inside a row.
fn scrambled(part: &Part) -> Error {
    part.damaged(text!(
        "的标签错乱（如单元格不在行内，或单元格中又有单元格）",
        "has scrambled tags (a cell outside a row, or inside a cell)"
    ))
}

/// Scans sheet `index`, handing each row that has a filled cell to
/// `on_row` in the order the sheet's XML holds them, up to row `limit`;
/// `on_row` returns false to stop. The row is one buffer, reused: its cells'
/// strings keep their room from row to row, so a big sheet is read without
/// an allocation per cell. Gives the merged regions (all of them only when
/// read to the end). Read to its end, the sheet must be a complete
/// worksheet: one cut short, or not a worksheet at all, is damaged.
pub fn scan(
    bytes: &[u8],
    book: &Index,
    index: usize,
    limit: Option<u32>,
    on_row: &mut dyn FnMut(Scanned<'_>) -> bool,
) -> Result<Vec<calamine::Dimensions>, Error> {
    let mut merges = Vec::new();
    let (name, path) = &book.sheets[index];
    let Some(path) = path else {
        return Ok(merges);
    };
    let part = Part::Sheet(Arc::from(name.as_str()));
    let mut zip = archive::open(bytes)?;
    // (What the archive declares is only a guide: the scanner counts.)
    let declared = zip.by_name(path).map_or(0, |f| f.size());
    let mut sc = archive::part(
        &mut zip,
        path,
        part.clone(),
        limits::SHEET_XML,
        &book.budget,
    )?;
    let strings = &book.strings;
    let last_row = limit.unwrap_or(u32::MAX);

    let mut row = new_row(0);
    // Whether the row buffer holds a filled cell.
    let mut filled = false;
    let mut doc = Document::new(b"worksheet");
    let mut in_data = false;
    let mut data_seen = false;
    let mut in_merges = false;
    let mut in_row = false;
    // Whether the open cell's value was read.
    let mut valued = false;
    let mut next_col: u32 = 0;
    // The open cell: its column and type.
    let mut cell: Option<(u32, CellType)> = None;
    let mut value = String::new();
    let mut piece = String::new();
    #[derive(PartialEq)]
    enum In {
        Nothing,
        V,
        F,
        Is,
        T(bool),
        Phonetic,
    }
    let mut inside = In::Nothing;
    // The row's number as its cells' references end.
    let mut current = RowDigits::new(row.number);
    // The number of the last row element: one without `r` follows it
    // (whatever rows its cells' references named).
    let mut row_tag: u32 = 0;
    // Hands the row over and clears it for the next; false to stop.
    fn flush(
        on_row: &mut dyn FnMut(Scanned<'_>) -> bool,
        row: &mut GridRow,
        filled: &mut bool,
    ) -> bool {
        let go = !*filled || on_row(Scanned::Row(row));
        if *filled {
            for c in &mut row.cells {
                c.text.clear();
                c.numeric = false;
                c.shared = None;
            }
        }
        *filled = false;
        go
    }
    /// What [`next_row`] says.
    enum Next {
        Go,
        Stop,
    }
    // Hands the row over and goes on in row `number`: stops when `on_row`
    // says so. (Where a read up to a row stops is for the cells to say:
    // a cell's reference tells its row, whatever its row element says.)
    #[inline(always)]
    fn next_row(
        on_row: &mut dyn FnMut(Scanned<'_>) -> bool,
        row: &mut GridRow,
        filled: &mut bool,
        number: u32,
        part: &Part,
    ) -> Result<Next, Error> {
        if !(1..=limits::ROWS).contains(&number) {
            return Err(row_outside(part, number));
        }
        if !flush(on_row, row, filled) {
            return Ok(Next::Stop);
        }
        row.number = number;
        Ok(Next::Go)
    }
    let too_long = |part: &Part| {
        let mb = limits::mb(limits::CELL_TEXT as u64);
        part.too_large(text!(
            "中有一个单元格的文字超过 {mb} MB",
            "holds a cell of over {mb} MB of text"
        ))
    };
    loop {
        // Nearly every tag in sheetData is a cell's, written plainly and
        // holding `<v>…</v>`: read at once with its value, else token by
        // token below.
        let mut read = None;
        let mut fast = false;
        if in_data && cell.is_none() {
            if current.number != row.number {
                current = RowDigits::new(row.number);
            }
            if in_row {
                read = sc.plain_cell(&current);
                fast = read.is_some();
            }
            // Then, once a row, its tags (`</row>` does nothing).
            if read.is_none()
                && let Some(tag) = sc.plain_row()
            {
                let number = match tag {
                    RowTag::End if doc.close(b"row") => {
                        in_row = false;
                        continue;
                    }
                    RowTag::End => return Err(not_xml(&part)),
                    _ if in_row => return Err(scrambled(&part)),
                    RowTag::Start(number) => {
                        doc.open_known(b"row");
                        in_row = true;
                        number
                    }
                    RowTag::Empty(number) => number,
                };
                let number = number.unwrap_or(row_tag + 1);
                row_tag = number;
                let next = next_row(on_row, &mut row, &mut filled, number, &part)?;
                if let Next::Stop = next {
                    return Ok(merges);
                }
                next_col = 0;
                continue;
            }
        }
        if read.is_none() {
            let Some(tok) = sc.next()? else { break };
            let part = &part;
            let at = At {
                part,
                row: row.number,
            };
            match tok {
                Tok::Open { name, attrs, empty } => {
                    if !doc.open(name, empty) || !attrs_ok(attrs) {
                        return Err(not_xml(part));
                    }
                    // A value, a formula or a text holds text alone.
                    if matches!(inside, In::V | In::F | In::T(_)) {
                        return Err(scrambled(part));
                    }
                    let name = local(name);
                    match name {
                        b"dimension" if !in_data => {
                            let last = attr(attrs, b"ref")
                                .and_then(|r| r.rsplit(|&b| b == b':').next())
                                .and_then(cell_ref);
                            if let Some((rows, _)) = last {
                                // (A row takes a dozen bytes at the least.)
                                let most = (declared / 12).min(u64::from(limits::ROWS)) as u32;
                                if !on_row(Scanned::LastRow(rows.min(most))) {
                                    return Ok(merges);
                                }
                            }
                        }
                        b"sheetData" if !empty => {
                            in_data = true;
                            data_seen = true;
                        }
                        b"sheetData" => data_seen = true,
                        b"row" if in_data => {
                            if in_row {
                                return Err(scrambled(part));
                            }
                            in_row = !empty;
                            let number = match attr(attrs, b"r") {
                                Some(r) => parse_u32(r).ok_or_else(|| {
                                    let r = String::from_utf8_lossy(r);
                                    let r: String = r.chars().take(24).collect();
                                    part.damaged(text!(
                                        "的行号“{r}”无效",
                                        "has a row number `{r}` that is not one"
                                    ))
                                })?,
                                None => row_tag + 1,
                            };
                            row_tag = number;
                            let next = next_row(on_row, &mut row, &mut filled, number, part)?;
                            if let Next::Stop = next {
                                return Ok(merges);
                            }
                            next_col = 0;
                        }
                        b"c" if in_data => {
                            if cell.is_some() || !in_row {
                                return Err(scrambled(part));
                            }
                            let (r, t) = cell_attrs(attrs);
                            let at_ref = match r {
                                Some(r) => Some(cell_ref(r).ok_or_else(|| {
                                    let r = String::from_utf8_lossy(r);
                                    let r: String = r.chars().take(24).collect();
                                    part.damaged(text!(
                                        "的单元格引用“{r}”无效",
                                        "has a cell reference `{r}` that is not one"
                                    ))
                                })?),
                                None => None,
                            };
                            let ty = cell_type(t).map_err(|f| {
                                let c = at_ref.map_or(next_col, |(_, c)| c);
                                let row = at_ref.map_or(row.number, |(r, _)| r);
                                At { part, row }.fault(c, &f)
                            })?;
                            let tag = CellTag { at: at_ref, ty };
                            // Nearly every cell is `<v>…</v></c>`: read it
                            // at once.
                            let body = match empty {
                                true => Body::Empty,
                                false => sc.simple_value().map_or(Body::Open, Body::Value),
                            };
                            // (`</c>` read with the value closes the cell.)
                            if matches!(body, Body::Value(_)) && !doc.close(b"c") {
                                return Err(not_xml(part));
                            }
                            read = Some((tag, body));
                        }
                        b"v" if cell.is_some_and(|(_, ty)| ty != CellType::Inline)
                            && !empty
                            && inside == In::Nothing =>
                        {
                            // One value a cell.
                            if std::mem::replace(&mut valued, true) {
                                return Err(scrambled(part));
                            }
                            inside = In::V
                        }
                        b"f" if cell.is_some() && !empty => inside = In::F,
                        b"is" if cell.is_some() && !empty => inside = In::Is,
                        b"rPh" if inside == In::Is && !empty => inside = In::Phonetic,
                        b"t" if inside == In::Is && !empty => {
                            inside = In::T(attr(attrs, b"xml:space") == Some(b"preserve"));
                            piece.clear();
                        }
                        b"mergeCells" if !empty => in_merges = true,
                        // (Only within `<mergeCells>`, as calamine reads them.)
                        b"mergeCell" if in_merges => {
                            let r = attr(attrs, b"ref").unwrap_or_default();
                            let Some(d) = merge_ref(r) else {
                                let r = String::from_utf8_lossy(r);
                                let r: String = r.chars().take(24).collect();
                                return Err(part.damaged(text!(
                                    "的合并区域“{r}”无效",
                                    "has a merged region `{r}` that is not one"
                                )));
                            };
                            {
                                if merges.len() >= limits::MERGES {
                                    let most = limits::MERGES;
                                    return Err(part.too_large(text!(
                                        "含有超过 {most} 个合并区域",
                                        "holds more than {most} merged regions"
                                    )));
                                }
                                merges.push(d);
                            }
                        }
                        _ => {}
                    }
                }
                Tok::Close { name } => {
                    if !doc.close(name) {
                        return Err(not_xml(part));
                    }
                    let name = local(name);
                    match name {
                        b"mergeCells" => in_merges = false,
                        b"row" => in_row = false,
                        b"sheetData" => {
                            in_data = false;
                            if !flush(on_row, &mut row, &mut filled) {
                                return Ok(merges);
                            }
                        }
                        b"v" if inside == In::V => inside = In::Nothing,
                        b"f" if inside == In::F => inside = In::Nothing,
                        b"t" => {
                            if let In::T(preserve) = inside {
                                push_t(&mut value, &piece, preserve);
                                inside = In::Is;
                                if value.len() > limits::CELL_TEXT {
                                    return Err(too_long(part));
                                }
                            }
                        }
                        b"rPh" if inside == In::Phonetic => inside = In::Is,
                        b"is" => inside = In::Nothing,
                        b"c" => {
                            inside = In::Nothing;
                            if let Some((c, ty)) = cell.take() {
                                filled |= put_cell(&mut row, c, ty, &value, strings)
                                    .map_err(|f| at.fault(c, &f))?;
                            }
                        }
                        _ => {}
                    }
                }
                Tok::Text { raw, cdata } => {
                    if !doc.text(raw) {
                        return Err(not_xml(part));
                    }
                    let into = match inside {
                        In::V => Some(&mut value),
                        In::T(_) => Some(&mut piece),
                        _ => None,
                    };
                    if let Some(into) = into {
                        decode_text(raw, cdata, into).map_err(|e| part.damaged(e.says()))?;
                        if into.len() > limits::CELL_TEXT {
                            return Err(too_long(part));
                        }
                    }
                }
            }
        }
        let Some((tag, body)) = read else { continue };
        // (A cell without a reference is in its row element's row, after
        // the cell before it.)
        let (r, c) = tag.at.unwrap_or((row_tag, next_col));
        if r != row.number {
            // A cell outside its row element: hand over what the row had
            // and go on in the cell's row.
            let next = next_row(on_row, &mut row, &mut filled, r, &part)?;
            if let Next::Stop = next {
                return Ok(merges);
            }
        }
        if row.number > last_row {
            // The first cell past the rows asked for.
            return Ok(merges);
        }
        next_col = c + 1;
        let ty = tag.ty;
        value.clear();
        cell = None;
        let at = At {
            part: &part,
            row: row.number,
        };
        match body {
            Body::Empty => {}
            Body::Index(i) => {
                filled |=
                    put_shared(&mut row, c, i as usize, strings).map_err(|f| at.fault(c, &f))?
            }
            Body::Value(v) => {
                let raw = &sc.buf[v];
                if ty == CellType::Shared
                    && let Some(i) = parse_u32(raw)
                {
                    // A shared string's index, as digits: nothing to decode.
                    filled |= put_shared(&mut row, c, i as usize, strings)
                        .map_err(|f| at.fault(c, &f))?;
                } else if matches!(ty, CellType::Number | CellType::NumberDeclared)
                    && let Some(digits) = plain_integer(raw)
                {
                    // An integer's digits are its text: nothing to decode, no
                    // float to parse and print.
                    filled |=
                        put_text(&mut row, c, digits, true, None).map_err(|f| at.fault(c, &f))?;
                } else if ty != CellType::Inline {
                    // (An inline string's `<v>` is ignored, as calamine does.)
                    decode_text(raw, false, &mut value).map_err(|e| part.damaged(e.says()))?;
                    filled |=
                        put_cell(&mut row, c, ty, &value, strings).map_err(|f| at.fault(c, &f))?;
                }
            }
            Body::Open => {
                // (Opened by the fast path unless by the tokens.)
                if fast {
                    doc.open_known(b"c");
                }
                valued = false;
                cell = Some((c, ty))
            }
        }
    }
    // Read to its end: the sheet must be whole.
    if in_data {
        let after = row.number;
        return Err(part.damaged(text!(
            "不完整：XML 在第 {after} 行之后中断（文件可能被截断）",
            "is cut short: its XML ends after row {after} (the file may be truncated)"
        )));
    }
    if !data_seen || !doc.complete() {
        return Err(match doc.complete() || doc.inside() {
            true => cut_short(&part),
            false => not_xml(&part),
        });
    }
    flush(on_row, &mut row, &mut filled);
    Ok(merges)
}

/// A cell's place in the row buffer, made when needed; a column past the
/// sheet's last is a fault.
#[inline(always)]
fn slot(row: &mut GridRow, c: u32) -> Result<&mut RawCell, Fault> {
    let i = c as usize;
    if row.cells.len() <= i {
        if c >= limits::COLUMNS {
            return Err(Fault::Column);
        }
        row.cells.resize(i + 1, RawCell::default());
    }
    Ok(&mut row.cells[i])
}

/// Writes a cell's text into the row buffer; true when it is filled.
fn put_cell(
    row: &mut GridRow,
    c: u32,
    ty: CellType,
    value: &str,
    strings: &Strings,
) -> Result<bool, Fault> {
    let out = slot(row, c)?;
    out.text.clear();
    out.shared = None;
    out.numeric = finish_cell(ty, value, strings, &mut out.text)?;
    Ok(!out.text.is_empty())
}

/// Writes shared string `i` into the row buffer; true when it is filled.
/// (Always inlined: it is called for most cells.)
#[inline(always)]
fn put_shared(row: &mut GridRow, c: u32, i: usize, strings: &Strings) -> Result<bool, Fault> {
    let Some(text) = strings.get(i) else {
        return Err(Fault::Missing(i as u64, strings.len()));
    };
    put_text(row, c, text, false, Some(i as u32))
}

/// Writes a cell's finished text into the row buffer; true when it is
/// filled.
#[inline(always)]
fn put_text(
    row: &mut GridRow,
    c: u32,
    text: &str,
    numeric: bool,
    shared: Option<u32>,
) -> Result<bool, Fault> {
    let out = slot(row, c)?;
    out.text.clear();
    out.text.push_str(text);
    out.numeric = numeric;
    out.shared = shared;
    Ok(!text.is_empty())
}

fn new_row(number: u32) -> GridRow {
    GridRow {
        number,
        cells: Vec::new(),
        lines: Vec::new(),
    }
}
