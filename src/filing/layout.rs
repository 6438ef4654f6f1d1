//! Finding the layout of a filing: which sheet is 事项 and which 申请材料, the
//! header row among the first ten, and which column holds which element.
//! Title rows, notes, extra columns and any column order are normal.

use super::source::Grid;
use crate::diag::{Diagnostic, Rule, Sink};
use crate::model::Origin;
use crate::standard::elements::SheetDef;
use crate::text;

/// The header is looked for in the first this many rows (SPEC §2).
pub const HEADER_SEARCH_ROWS: u32 = 10;
/// A row is a header only if at least this many of its cells name elements.
const MIN_HEADER_MATCHES: usize = 3;

/// A mapped column.
#[derive(Debug, Clone)]
pub struct Column<F> {
    pub col: u32,
    pub field: F,
    /// Its element's index in the sheet definition.
    pub element: usize,
    /// The header as the sheet spells it.
    pub header: String,
}

/// A sheet whose header row and columns are known.
#[derive(Debug, Clone)]
pub struct Table<'g, F> {
    pub grid: &'g Grid,
    /// Index into `grid.rows` of the header row.
    pub header_index: usize,
    pub columns: Vec<Column<F>>,
    /// For each field (by [`FieldId::index`]), its column's index in
    /// `columns`: every cell of every row looks its column up.
    by_field: Vec<Option<u16>>,
}

impl<'g, F: Copy + PartialEq + FieldId> Table<'g, F> {
    pub fn new(grid: &'g Grid, header_index: usize, columns: Vec<Column<F>>) -> Self {
        let mut by_field = Vec::new();
        for (i, c) in columns.iter().enumerate() {
            let f = c.field.index();
            if by_field.len() <= f {
                by_field.resize(f + 1, None);
            }
            by_field[f] = by_field[f].or(u16::try_from(i).ok());
        }
        Table {
            grid,
            header_index,
            columns,
            by_field,
        }
    }

    pub fn column(&self, field: F) -> Option<&Column<F>> {
        let i = (*self.by_field.get(field.index())?)?;
        self.columns.get(usize::from(i))
    }

    pub fn header_row(&self) -> u32 {
        self.grid.rows[self.header_index].number
    }
}

/// The best header row of a grid for a sheet definition: (index, matches).
pub fn best_header<F: Copy + PartialEq>(grid: &Grid, def: &SheetDef<F>) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, row) in grid.rows.iter().enumerate() {
        if row.number > HEADER_SEARCH_ROWS {
            break;
        }
        let mut seen: Vec<F> = Vec::new();
        for c in &row.cells {
            if let Some(e) = def.match_header(&c.text)
                && !seen.contains(&e.field)
            {
                seen.push(e.field);
            }
        }
        if seen.len() > best.map_or(0, |b| b.1) {
            best = Some((i, seen.len()));
        }
    }
    best
}

/// Picks the grid that holds a sheet: one named for it, else the one whose
/// header matches most of its elements (at least [`MIN_HEADER_MATCHES`] and more
/// than it matches the other sheet's). `taken` excludes grids already used.
pub fn pick_sheet<F: Copy + PartialEq, G: Copy + PartialEq>(
    grids: &[Grid],
    def: &SheetDef<F>,
    other: &SheetDef<G>,
    taken: &[Option<usize>],
) -> Option<usize> {
    let candidates = || (0..grids.len()).filter(|i| !taken.contains(&Some(*i)));
    if let Some(i) = candidates().find(|&i| def.names_sheet(&grids[i].name)) {
        return Some(i);
    }
    let score = |i: usize, d: &dyn Fn(&Grid) -> usize| d(&grids[i]);
    let own = |g: &Grid| best_header(g, def).map_or(0, |b| b.1);
    let theirs = |g: &Grid| best_header(g, other).map_or(0, |b| b.1);
    candidates()
        .filter(|&i| score(i, &own) >= MIN_HEADER_MATCHES && score(i, &own) > score(i, &theirs))
        .max_by_key(|&i| (score(i, &own), std::cmp::Reverse(i)))
}

/// Finds the header row and maps the columns, reporting header-missing,
/// column-unknown, column-duplicate and column-missing.
pub fn map_columns<'g, F: Copy + PartialEq + FieldId>(
    grid: &'g Grid,
    def: &SheetDef<F>,
    sink: &mut Sink,
) -> Option<Table<'g, F>> {
    let sheet_origin = Origin::sheet(grid.file.clone(), grid.name.clone());
    let header_index = match best_header(grid, def) {
        Some((i, n)) if n >= MIN_HEADER_MATCHES.min(def.elements.len()) => i,
        _ => {
            let sheet = &grid.name;
            let std_sheet = &def.sheet;
            let first = def
                .elements
                .iter()
                .take(3)
                .map(|e| e.header.as_str())
                .collect::<Vec<_>>()
                .join("、");
            sink.push(
                Diagnostic::new(
                    Rule::HeaderMissing,
                    sheet_origin,
                    text!(
                        "工作表“{sheet}”的前 10 行中找不到表头行",
                        "no header row in the first 10 rows of sheet `{sheet}`"
                    ),
                )
                .help(text!(
                    "请使用标准填报表（yima template 生成），表头行应包含“{first}”等{std_sheet}表的列名。",
                    "use the standard workbook (`yima template`); the header row names the columns of sheet {std_sheet}, such as {first}."
                )),
            );
            return None;
        }
    };
    let header = &grid.rows[header_index];
    let mut columns: Vec<Column<F>> = Vec::new();
    for (col, cell) in header.cells.iter().enumerate() {
        let col = col as u32;
        let raw = cell.text.trim();
        if raw.is_empty() {
            continue;
        }
        let at = Origin::cell(grid.file.clone(), grid.name.clone(), header.number, col);
        match def.match_header(raw) {
            Some(e) => {
                if let Some(first) = columns.iter().find(|c| c.field == e.field) {
                    let first_at = at.with_col(first.col).column_letter().unwrap_or_default();
                    let name = &e.header;
                    sink.push(
                        Diagnostic::new(
                            Rule::ColumnDuplicate,
                            at,
                            text!(
                                "列“{raw}”与 {first_at} 列都对应要素“{name}”",
                                "column `{raw}` and column {first_at} both map to element `{name}`"
                            ),
                        )
                        .field(field_id(e))
                        .value(raw)
                        .header(raw)
                        .help(text!(
                            "删除重复的列，只保留 {first_at} 列；本列的内容不会被读取。",
                            "delete the duplicate column and keep column {first_at}; this column is not read."
                        )),
                    );
                } else {
                    columns.push(Column {
                        col,
                        field: e.field,
                        element: def
                            .elements
                            .iter()
                            .position(|x| x.field == e.field)
                            .unwrap_or(0),
                        header: raw.to_string(),
                    });
                }
            }
            None => {
                let help = match def.suggest(raw) {
                    Some(s) => {
                        let h = &s.header;
                        text!(
                            "是否应为“{h}”？标准列名见 yima template 生成的填报表；多余的列可以删除。",
                            "did you mean `{h}`? The standard columns are in the workbook from `yima template`; extra columns may be deleted."
                        )
                    }
                    None => text!(
                        "该列不是标准要素，内容不会被读取；如属必要信息，请写入“备注”。",
                        "this column is no element of the standard and is not read; put needed information in 备注."
                    ),
                };
                sink.push(
                    Diagnostic::new(
                        Rule::ColumnUnknown,
                        at,
                        text!(
                            "列“{raw}”不对应任何标准要素",
                            "column `{raw}` maps to no element of the standard"
                        ),
                    )
                    .value(raw)
                    .header(raw)
                    .help(help),
                );
            }
        }
    }
    for e in def.elements.iter().filter(|e| def.column_required(e)) {
        if columns.iter().any(|c| c.field == e.field) {
            continue;
        }
        let name = &e.header;
        let sheet = &grid.name;
        let mut at = sheet_origin.clone();
        at.row = Some(header.number);
        sink.push(
            Diagnostic::new(
                Rule::ColumnMissing,
                at,
                text!("工作表“{sheet}”缺少必填列“{name}”", "sheet `{sheet}` lacks the required column `{name}`"),
            )
            .field(field_id(e))
            .help(text!(
                "在表头行增加“{name}”列并逐行填写；列的顺序不限。",
                "add a column `{name}` to the header row and fill it in; column order does not matter."
            )),
        );
    }
    Some(Table::new(grid, header_index, columns))
}

fn field_id<F>(e: &crate::standard::elements::Element<F>) -> &'static str
where
    F: Copy,
    F: FieldId,
{
    e.field.field_id()
}

pub use crate::standard::elements::FieldId;
