//! Test support for the `yima check` suite: builds filings the way departments
//! lay them out (title rows, merged cells, any column order, numbers stored as
//! text or text as numbers, CSV pairs in UTF-8, UTF-8 with BOM or GBK), runs
//! the binary on them, and reads its JSON report back.
//!
//! A test starts from [`Filing::valid`] — entries and materials that pass
//! every rule of the standard — changes the one cell it is about, lays the
//! sheets out with [`Sheet`]'s options, writes them with [`write_xlsx`] or
//! [`write_csv_pair`], and asserts on the [`Report`] of [`check`].
//! See `tests/README.md`.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use assert_cmd::Command;
use rust_xlsxwriter::{Format, FormatBorder, Formula, Workbook};
use serde::Deserialize;
use std::path::Path;

mod full;
mod headers;

// ---------------------------------------------------------------------------
// Valid values
// ---------------------------------------------------------------------------

#[allow(unused_imports)]
pub use full::FullFiling;
pub use headers::{ITEM_HEADERS, MATERIAL_HEADERS};

/// Columns a department types as numbers; [`Filing`] writes them as numeric
/// cells unless a test says otherwise.
pub const NUMERIC_HEADERS: &[&str] = &[
    "序号",
    "法定办结时限",
    "承诺办结时限",
    "到办事现场次数",
    "事项序号",
    "份数",
];

/// Real item names of the 民政 sector, so entries of one filing differ
/// (item-duplicate) and no name holds an agency, a place or a digit.
const ITEM_NAMES: &[&str] = &[
    "社会团体成立登记",
    "社会团体变更登记",
    "社会团体注销登记",
    "民办非企业单位成立登记",
    "民办非企业单位变更登记",
    "民办非企业单位注销登记",
    "基金会成立登记",
    "基金会变更登记",
    "基金会注销登记",
    "社会团体章程核准",
];

/// An agency that files: its name and a valid USCC registered in Loudi.
#[derive(Debug, Clone)]
pub struct Agency {
    pub name: String,
    pub uscc: String,
}

impl Agency {
    /// 娄底市民政局, the default agency of [`Filing::valid`].
    pub fn civil_affairs() -> Agency {
        Agency {
            name: "娄底市民政局".into(),
            uscc: uscc("11", "431300", "00614043"),
        }
    }

    /// 娄底市公安局.
    pub fn public_security() -> Agency {
        Agency {
            name: "娄底市公安局".into(),
            uscc: uscc("11", "431300", "00614035"),
        }
    }

    /// 娄底市人力资源和社会保障局.
    pub fn human_resources() -> Agency {
        Agency {
            name: "娄底市人力资源和社会保障局".into(),
            uscc: uscc("11", "431300", "00614051"),
        }
    }
}

/// The GB 32100 alphabet of the USCC (SPEC §3).
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid 统一社会信用代码: registration authority and type (`11` = 机构编制,
/// 机关), the six-digit division, and an eight-digit organization-code body;
/// both check characters (GB 11714 and GB 32100) are computed as SPEC §3 says.
pub fn uscc(kind: &str, division: &str, org_body: &str) -> String {
    assert!(
        kind.len() == 2 && division.len() == 6 && org_body.len() == 8,
        "uscc({kind}, {division}, {org_body}): wrong lengths"
    );
    let org_weights = [3, 7, 9, 10, 5, 8, 4, 2];
    let org_sum: u32 = org_body
        .chars()
        .zip(org_weights)
        .map(|(c, w)| c.to_digit(36).expect("alphanumeric body") * w)
        .sum();
    let org_check = match 11 - org_sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).expect("single digit"),
    };
    let body = format!("{kind}{division}{org_body}{org_check}");
    let weights = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = body
        .chars()
        .zip(weights)
        .map(|(c, w)| USCC_ALPHABET.find(c).expect("USCC alphabet") * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    let check = USCC_ALPHABET
        .chars()
        .nth(check)
        .expect("check index below 31");
    format!("{body}{check}")
}

/// One row of a sheet: values by column header, in column order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record(Vec<(String, String)>);

impl Record {
    /// Adds a column at the end (an element of SPEC §2a, say).
    pub fn push(&mut self, header: &str, value: impl Into<String>) -> &mut Record {
        assert!(
            self.0.iter().all(|(h, _)| h != header),
            "column {header} is there already"
        );
        self.0.push((header.to_string(), value.into()));
        self
    }

    fn new(pairs: &[(&str, String)]) -> Record {
        Record(
            pairs
                .iter()
                .map(|(h, v)| (h.to_string(), v.clone()))
                .collect(),
        )
    }

    /// Sets the value of a column; panics on a header the record lacks, so a
    /// typo in a test cannot silently test nothing.
    pub fn set(&mut self, header: &str, value: impl Into<String>) -> &mut Record {
        let slot = self
            .0
            .iter_mut()
            .find(|(h, _)| h == header)
            .unwrap_or_else(|| panic!("no column {header} in this record"));
        slot.1 = value.into();
        self
    }

    pub fn get(&self, header: &str) -> &str {
        self.0
            .iter()
            .find(|(h, _)| h == header)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no column {header} in this record"))
    }

    pub fn headers(&self) -> Vec<String> {
        self.0.iter().map(|(h, _)| h.clone()).collect()
    }

    pub fn values(&self) -> Vec<String> {
        self.0.iter().map(|(_, v)| v.clone()).collect()
    }
}

/// A valid entry of sheet 事项 (an administrative licence of 娄底市民政局, filed
/// at city level) with 序号 `seq`.
pub fn valid_entry(seq: u32) -> Record {
    let name = ITEM_NAMES
        .get(seq as usize - 1)
        .unwrap_or_else(|| panic!("valid_entry: at most {} entries", ITEM_NAMES.len()));
    let agency = Agency::civil_affairs();
    Record::new(&[
        ("序号", seq.to_string()),
        ("事项名称", name.to_string()),
        ("子项名称", String::new()),
        ("事项类型", "行政许可".into()),
        ("业务指导部门", "民政".into()),
        ("基本编码", String::new()),
        ("实施编码", String::new()),
        ("实施主体", agency.name),
        ("实施主体编码", agency.uscc),
        ("实施主体性质", "法定机关".into()),
        ("行使层级", "市级".into()),
        ("行政区划代码", "431300".into()),
        ("权力来源", "法定本级行使".into()),
        ("服务对象", "社会组织法人".into()),
        ("设定依据", "《社会团体登记管理条例》第九条".into()),
        (
            "受理条件",
            "有规范的名称和章程；有固定的住所；有与其业务活动相适应的专职工作人员。".into(),
        ),
        ("办理流程", "申请→受理→审查→决定→送达".into()),
        ("法定办结时限", "20".into()),
        ("承诺办结时限", "5".into()),
        ("办件类型", "承诺件".into()),
        ("到办事现场次数", "1".into()),
        ("是否收费", "否".into()),
        ("收费标准", String::new()),
        ("收费依据", String::new()),
        ("办理形式", "窗口办理、网上办理".into()),
        ("网办地址", "https://zwfw.hunan.gov.cn/".into()),
        ("通办范围", "全市".into()),
        ("是否进驻政务大厅", "是".into()),
        ("办理地点", "娄底市政务服务中心二楼民政窗口".into()),
        (
            "办理时间",
            "工作日上午9:00-12:00，下午13:30-17:00（法定节假日除外）".into(),
        ),
        ("咨询电话", "0738-8312345".into()),
        ("监督投诉电话", "0738-8312346".into()),
        ("结果名称", "《社会团体法人登记证书》".into()),
        ("是否转报", "否".into()),
        ("备注", String::new()),
    ])
}

/// The two valid materials of the entry with 序号 `seq`.
pub fn valid_materials(seq: u32) -> [Record; 2] {
    let name = ITEM_NAMES.get(seq as usize - 1).copied().unwrap_or("登记");
    [
        Record::new(&[
            ("事项序号", seq.to_string()),
            ("材料名称", format!("{name}申请书")),
            ("材料形式", "原件".into()),
            ("份数", "1".into()),
            ("材料来源", "申请人自备".into()),
            ("电子证照", "否".into()),
            ("必要性", "必要".into()),
            ("材料依据", "《社会团体登记管理条例》第十一条".into()),
            ("填报须知", String::new()),
        ]),
        Record::new(&[
            ("事项序号", seq.to_string()),
            ("材料名称", "法定代表人居民身份证".into()),
            ("材料形式", "复印件".into()),
            ("份数", "1".into()),
            ("材料来源", "政府部门核发".into()),
            ("电子证照", "是".into()),
            ("必要性", "必要".into()),
            ("材料依据", String::new()),
            ("填报须知", String::new()),
        ]),
    ]
}

/// A filing as records: entries of sheet 事项 and materials of 申请材料.
#[derive(Debug, Clone)]
pub struct Filing {
    pub entries: Vec<Record>,
    pub materials: Vec<Record>,
}

impl Filing {
    /// `n` valid entries (序号 1…n), two materials each.
    pub fn valid(n: u32) -> Filing {
        Filing {
            entries: (1..=n).map(valid_entry).collect(),
            materials: (1..=n).flat_map(valid_materials).collect(),
        }
    }

    /// The same filing by another agency (so two filings of one run are not
    /// the same entries twice).
    pub fn by(mut self, agency: &Agency) -> Filing {
        for e in &mut self.entries {
            e.set("实施主体", agency.name.as_str())
                .set("实施主体编码", agency.uscc.as_str());
        }
        self
    }

    /// Sheet 事项, numeric columns written as numbers.
    pub fn items_sheet(&self) -> Sheet {
        Sheet::from_records("事项", ITEM_HEADERS, &self.entries)
    }

    /// Sheet 申请材料, numeric columns written as numbers.
    pub fn materials_sheet(&self) -> Sheet {
        Sheet::from_records("申请材料", MATERIAL_HEADERS, &self.materials)
    }

    /// Both sheets with the plain layout, written as a workbook.
    pub fn write_xlsx(&self, path: &Path) {
        write_xlsx(path, &[self.items_sheet(), self.materials_sheet()]);
    }

    /// Both sheets written as a CSV pair `<prefix>事项.csv` / `<prefix>申请材料.csv`.
    pub fn write_csv(&self, dir: &Path, prefix: &str, encoding: Encoding) {
        write_csv_pair(
            dir,
            prefix,
            &self.items_sheet(),
            &self.materials_sheet(),
            encoding,
        );
    }
}

// ---------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------

/// One cell as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// A TRUE/FALSE cell.
    Bool(bool),
    /// A formula with the result Excel saved for it (e.g. 序号 `=ROW()-1`).
    Formula(String, f64),
    Blank,
}

impl Cell {
    /// The text Excel shows for the cell.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            // Display of f64 writes 20.0 as `20`, as Excel shows it.
            Cell::Number(n) | Cell::Formula(_, n) => n.to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Blank => String::new(),
        }
    }
}

/// A row above the header.
#[derive(Debug, Clone)]
enum Above {
    /// A title merged across the width of the table.
    MergedTitle(String),
    /// Cells as given (a title in A only, a subtitle, a blank row).
    Cells(Vec<Cell>),
    /// The upper row of a two-level header: `label` merged over the columns
    /// `members`, every other header merged down over both rows.
    Group { label: String, members: Vec<String> },
}

/// A merged range, by 0-based row and column indexes (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Region {
    r0: usize,
    c0: usize,
    r1: usize,
    c1: usize,
}

impl Region {
    fn covers(&self, r: usize, c: usize) -> bool {
        (self.r0..=self.r1).contains(&r) && (self.c0..=self.c1).contains(&c)
    }
}

/// A sheet laid out as a department lays it out: rows above the header,
/// the header, rows under it (column numbers), data rows, note rows,
/// trailing blank rows, merged cells. Data rows are addressed by their
/// 0-based index among data rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    headers: Vec<String>,
    data: Vec<Vec<Cell>>,
    above: Vec<Above>,
    under: Vec<Vec<Cell>>,
    below: Vec<Vec<Cell>>,
    trailing_blank: u32,
    /// Vertical merges of data cells: (header, first data row, last data row).
    merges_down: Vec<(String, usize, usize)>,
}

impl Sheet {
    /// A sheet of `records` under `headers`; numbers in the numeric columns
    /// become numeric cells, blanks stay blank, everything else is text.
    pub fn from_records(name: &str, headers: &[&str], records: &[Record]) -> Sheet {
        let data = records
            .iter()
            .map(|r| {
                assert_eq!(r.headers(), headers, "record columns differ from the sheet");
                r.values()
                    .into_iter()
                    .zip(headers)
                    .map(|(v, h)| typed_cell(v, NUMERIC_HEADERS.contains(h)))
                    .collect()
            })
            .collect();
        Sheet::new(name, headers, data)
    }

    /// A sheet given cell by cell: the header row and data rows of text.
    pub fn raw(name: &str, headers: &[&str], rows: &[&[&str]]) -> Sheet {
        let data = rows
            .iter()
            .map(|r| r.iter().map(|v| typed_cell(v.to_string(), false)).collect())
            .collect();
        Sheet::new(name, headers, data)
    }

    fn new(name: &str, headers: &[&str], data: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: name.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            data,
            above: Vec::new(),
            under: Vec::new(),
            below: Vec::new(),
            trailing_blank: 0,
            merges_down: Vec::new(),
        }
    }

    pub fn named(mut self, name: &str) -> Sheet {
        self.name = name.into();
        self
    }

    /// Adds a title row above the header, merged across the table.
    pub fn merged_title(mut self, title: &str) -> Sheet {
        self.above.push(Above::MergedTitle(title.into()));
        self
    }

    /// Adds a row above the header with text in its first cells only.
    pub fn row_above(mut self, cells: &[&str]) -> Sheet {
        self.above.push(Above::Cells(text_cells(cells)));
        self
    }

    /// Adds an empty row above the header.
    pub fn blank_above(mut self) -> Sheet {
        self.above.push(Above::Cells(Vec::new()));
        self
    }

    /// Makes the header two rows high: `label` over the adjacent columns
    /// `members`, the other headers merged down over both rows. Call it
    /// last among the rows above the header.
    pub fn group_header(mut self, label: &str, members: &[&str]) -> Sheet {
        let mut cols: Vec<usize> = members.iter().map(|m| self.col(m)).collect();
        cols.sort_unstable();
        assert!(
            cols.windows(2).all(|w| w[1] == w[0] + 1),
            "group members must be adjacent"
        );
        self.above.push(Above::Group {
            label: label.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
        });
        self
    }

    /// Adds a row between the header and the data (e.g. column numbers).
    pub fn row_under_header(mut self, cells: &[&str]) -> Sheet {
        self.under.push(text_cells(cells));
        self
    }

    /// Adds a row below the data (notes, signatures).
    pub fn row_below(mut self, cells: &[&str]) -> Sheet {
        self.below.push(text_cells(cells));
        self
    }

    /// Adds `n` blank rows at the end: formatted but empty cells, and a
    /// space in the first one, as a sheet cleared by hand leaves them.
    pub fn trailing_blank_rows(mut self, n: u32) -> Sheet {
        self.trailing_blank += n;
        self
    }

    /// Spells a header differently (markers, line breaks, an alias).
    pub fn rename(mut self, from: &str, to: &str) -> Sheet {
        let i = self.col(from);
        self.headers[i] = to.into();
        for m in &mut self.merges_down {
            if m.0 == from {
                m.0 = to.into();
            }
        }
        self
    }

    /// Applies `f` to every header (e.g. to add `*` to all of them).
    pub fn map_headers(mut self, f: impl Fn(&str) -> String) -> Sheet {
        let old = self.headers.clone();
        for h in old {
            let new = f(&h);
            self = self.rename(&h, &new);
        }
        self
    }

    /// Leaves a column out.
    pub fn drop(mut self, header: &str) -> Sheet {
        let i = self.col(header);
        self.headers.remove(i);
        for row in &mut self.data {
            if i < row.len() {
                row.remove(i);
            }
        }
        self
    }

    /// Inserts a column at index `at`, with a header (possibly empty) and one
    /// value per data row (missing values are blank).
    pub fn insert_column(mut self, at: usize, header: &str, values: &[&str]) -> Sheet {
        self.headers.insert(at, header.into());
        for (i, row) in self.data.iter_mut().enumerate() {
            let v = values
                .get(i)
                .map_or(Cell::Blank, |v| typed_cell(v.to_string(), false));
            row.insert(at.min(row.len()), v);
        }
        self
    }

    /// Puts the columns in the given order; columns not named follow in
    /// their current order.
    pub fn order(mut self, first: &[&str]) -> Sheet {
        let mut idx: Vec<usize> = first.iter().map(|h| self.col(h)).collect();
        let rest: Vec<usize> = (0..self.headers.len())
            .filter(|i| !idx.contains(i))
            .collect();
        idx.extend(rest);
        self.permute(&idx);
        self
    }

    /// Reverses the order of the columns.
    pub fn reverse_columns(mut self) -> Sheet {
        let idx: Vec<usize> = (0..self.headers.len()).rev().collect();
        self.permute(&idx);
        self
    }

    fn permute(&mut self, idx: &[usize]) {
        self.headers = idx.iter().map(|&i| self.headers[i].clone()).collect();
        for row in &mut self.data {
            *row = idx
                .iter()
                .map(|&i| row.get(i).cloned().unwrap_or(Cell::Blank))
                .collect();
        }
    }

    /// Writes a column's numbers as text cells (numbers stored as text).
    pub fn stored_as_text(mut self, header: &str) -> Sheet {
        let i = self.col(header);
        for row in &mut self.data {
            if let Some(c @ Cell::Number(_)) = row.get_mut(i) {
                *c = Cell::Text(c.text());
            }
        }
        self
    }

    /// Writes a column's numeric-looking text as numbers (text stored as
    /// numbers, e.g. 行政区划代码 431300).
    pub fn stored_as_number(mut self, header: &str) -> Sheet {
        let i = self.col(header);
        for row in &mut self.data {
            if let Some(c) = row.get_mut(i) {
                *c = typed_cell(c.text(), true);
            }
        }
        self
    }

    /// Sets one data cell to an exact cell value (e.g. `Cell::Number(20.0)`).
    pub fn set_cell(mut self, header: &str, row: usize, cell: Cell) -> Sheet {
        let i = self.col(header);
        self.data[row][i] = cell;
        self
    }

    /// Merges a column vertically over data rows `first..=last`, keeping the
    /// value of the first (an agency filled once for many rows).
    pub fn merge_down(mut self, header: &str, first: usize, last: usize) -> Sheet {
        self.col(header);
        self.merges_down.push((header.into(), first, last));
        self
    }

    fn col(&self, header: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == header)
            .unwrap_or_else(|| panic!("no column {header:?} in sheet {}", self.name))
    }

    /// The row number Excel shows for the header (the lower row of a
    /// two-level header).
    pub fn header_row(&self) -> u32 {
        self.above.len() as u32 + 1
    }

    /// The row number Excel shows for data row `i` (0-based).
    pub fn row_of(&self, i: usize) -> u32 {
        self.header_row() + 1 + self.under.len() as u32 + i as u32
    }

    /// The Excel row number of note row `i` below the data.
    pub fn row_below_of(&self, i: usize) -> u32 {
        self.row_of(self.data.len()) + i as u32
    }

    /// The column letter of a header.
    pub fn letter(&self, header: &str) -> String {
        column_letter(self.col(header))
    }

    /// The A1 reference of a column's cell in data row `i`.
    pub fn cell(&self, header: &str, i: usize) -> String {
        format!("{}{}", self.letter(header), self.row_of(i))
    }

    /// The A1 reference of a header cell.
    pub fn header_cell(&self, header: &str) -> String {
        format!("{}{}", self.letter(header), self.header_row())
    }

    fn width(&self) -> usize {
        self.headers.len()
    }

    /// Every row as written (0-based), and the merged ranges.
    fn layout(&self) -> (Vec<Vec<Cell>>, Vec<Region>) {
        let width = self.width();
        let header_r = self.above.len();
        let header: Vec<Cell> = self
            .headers
            .iter()
            .map(|h| typed_cell(h.clone(), false))
            .collect();
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let mut regions: Vec<Region> = Vec::new();
        for (k, a) in self.above.iter().enumerate() {
            match a {
                Above::MergedTitle(t) => {
                    rows.push(vec![Cell::Text(t.clone())]);
                    if width > 1 {
                        regions.push(Region {
                            r0: k,
                            c0: 0,
                            r1: k,
                            c1: width - 1,
                        });
                    }
                }
                Above::Cells(c) => rows.push(c.clone()),
                Above::Group { label, members } => {
                    assert_eq!(k + 1, header_r, "group_header must come last above");
                    let cols: Vec<usize> = members.iter().map(|m| self.col(m)).collect();
                    let lo = *cols.iter().min().expect("a group has members");
                    let hi = *cols.iter().max().expect("a group has members");
                    let mut row = Vec::with_capacity(width);
                    for (c, h) in header.iter().enumerate() {
                        if c == lo {
                            row.push(Cell::Text(label.clone()));
                        } else if cols.contains(&c) {
                            row.push(Cell::Blank);
                        } else {
                            // Excel keeps a merged cell's value in its top cell.
                            row.push(h.clone());
                            regions.push(Region {
                                r0: k,
                                c0: c,
                                r1: header_r,
                                c1: c,
                            });
                        }
                    }
                    if hi > lo {
                        regions.push(Region {
                            r0: k,
                            c0: lo,
                            r1: k,
                            c1: hi,
                        });
                    }
                    rows.push(row);
                }
            }
        }
        rows.push(header);
        rows.extend(self.under.iter().cloned());
        let data_start = rows.len();
        rows.extend(self.data.iter().cloned());
        rows.extend(self.below.iter().cloned());
        for (h, a, b) in &self.merges_down {
            let c = self.col(h);
            regions.push(Region {
                r0: data_start + a,
                c0: c,
                r1: data_start + b,
                c1: c,
            });
        }
        (rows, regions)
    }

    /// The sheet as CSV text (no merges in CSV: every cell keeps its value;
    /// titles and notes sit in their first cells).
    pub fn to_csv(&self) -> String {
        let (rows, _) = self.layout();
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        for cells in rows {
            w.write_record(cells.iter().map(Cell::text))
                .expect("CSV to memory");
        }
        for _ in 0..self.trailing_blank {
            w.write_record(vec![String::new(); self.width()])
                .expect("CSV to memory");
        }
        String::from_utf8(w.into_inner().expect("CSV to memory")).expect("UTF-8 CSV")
    }
}

fn text_cells(cells: &[&str]) -> Vec<Cell> {
    cells
        .iter()
        .map(|c| typed_cell(c.to_string(), false))
        .collect()
}

fn typed_cell(v: String, numeric: bool) -> Cell {
    if v.is_empty() {
        return Cell::Blank;
    }
    match v.parse::<f64>() {
        Ok(n) if numeric => Cell::Number(n),
        _ => Cell::Text(v),
    }
}

/// Excel's column letters for a 0-based index.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Writes sheets as an .xlsx workbook (whatever the extension of `path`).
pub fn write_xlsx(path: &Path, sheets: &[Sheet]) {
    std::fs::write(path, xlsx_bytes(sheets)).expect("write workbook");
}

/// The bytes of an .xlsx workbook holding `sheets`.
pub fn xlsx_bytes(sheets: &[Sheet]) -> Vec<u8> {
    let mut book = Workbook::new();
    let plain = Format::new();
    let border = Format::new().set_border(FormatBorder::Thin);
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name).expect("valid sheet name");
        let (rows, regions) = sheet.layout();
        // Only the top-left cell of a merged range holds a value.
        let hidden = |r: usize, c: usize| {
            regions
                .iter()
                .any(|m| m.covers(r, c) && (r, c) != (m.r0, m.c0))
        };
        for m in &regions {
            let top = rows[m.r0].get(m.c0).cloned().unwrap_or(Cell::Blank);
            ws.merge_range(
                m.r0 as u32,
                m.c0 as u16,
                m.r1 as u32,
                m.c1 as u16,
                &top.text(),
                &plain,
            )
            .expect("merge cells");
        }
        for (r, cells) in rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                if hidden(r, c) {
                    continue;
                }
                let (row, col) = (r as u32, c as u16);
                // Written after the merge, so a merged number stays a number.
                match cell {
                    Cell::Text(s) => ws.write_string(row, col, s),
                    Cell::Number(n) => ws.write_number(row, col, *n),
                    Cell::Bool(b) => ws.write_boolean(row, col, *b),
                    Cell::Formula(f, n) => {
                        ws.write_formula(row, col, Formula::new(f).set_result(n.to_string()))
                    }
                    Cell::Blank => continue,
                }
                .expect("write cell");
            }
        }
        let end = rows.len() as u32;
        for r in end..end + sheet.trailing_blank {
            ws.write_string(r, 0, " ").expect("write blank row");
            for c in 1..sheet.width() as u16 {
                ws.write_blank(r, c, &border).expect("write blank row");
            }
        }
    }
    book.save_to_buffer().expect("workbook to memory")
}

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
}

/// Encodes CSV text.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => {
            let mut b = "\u{feff}".as_bytes().to_vec();
            b.extend_from_slice(text.as_bytes());
            b
        }
        Encoding::Gbk => {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
            assert!(!unmappable, "text not encodable in GBK");
            bytes.into_owned()
        }
    }
}

/// Writes `<prefix>事项.csv` and `<prefix>申请材料.csv` into `dir`.
pub fn write_csv_pair(
    dir: &Path,
    prefix: &str,
    items: &Sheet,
    materials: &Sheet,
    encoding: Encoding,
) {
    for (sheet, suffix) in [(items, "事项.csv"), (materials, "申请材料.csv")] {
        std::fs::write(
            dir.join(format!("{prefix}{suffix}")),
            encode(&sheet.to_csv(), encoding),
        )
        .expect("write CSV");
    }
}

// ---------------------------------------------------------------------------
// Running yima and reading its report
// ---------------------------------------------------------------------------

/// A temporary folder to write filings into.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// `yima` from this build, with a stable environment: no colour, Chinese
/// messages, no workspace above the test folder.
pub fn yima(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("yima").expect("yima binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// What a run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON report of a `--format json` run.
    pub fn report(&self) -> Report {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not a JSON report ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `yima` in `dir` with `args`.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    let out = yima(dir).args(args).output().expect("run yima");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "yima panicked:\n{}",
        run.stderr
    );
    run
}

/// Runs `yima check --format json PATH…` in `dir` and returns its report
/// and exit code.
pub fn check(dir: &Path, paths: &[&str]) -> (Report, i32) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(paths);
    let run = run(dir, &args);
    let report = run.report();
    (report, run.code)
}

/// The JSON report (SPEC §4).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub version: u32,
    pub diagnostics: Vec<Finding>,
    pub summary: Summary,
}

/// One finding of the JSON report.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub rule: String,
    pub severity: String,
    pub file: String,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub row: Option<u32>,
    pub column: Option<String>,
    pub field: Option<String>,
    pub value: Option<String>,
    pub message: String,
    pub help: String,
}

/// The summary of the JSON report.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub files: usize,
    pub entries: usize,
    pub materials: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Report {
    /// The findings of one rule.
    pub fn of(&self, rule: &str) -> Vec<&Finding> {
        self.diagnostics.iter().filter(|d| d.rule == rule).collect()
    }

    /// The one finding of a rule; panics (showing the report) if there is
    /// not exactly one.
    pub fn one(&self, rule: &str) -> &Finding {
        let found = self.of(rule);
        assert_eq!(
            found.len(),
            1,
            "expected exactly one {rule} finding, got {}:\n{self}",
            found.len()
        );
        found[0]
    }

    /// The findings at a cell of a sheet (any file).
    pub fn at(&self, sheet: &str, cell: &str) -> Vec<&Finding> {
        self.diagnostics
            .iter()
            .filter(|d| d.sheet.as_deref() == Some(sheet) && d.cell.as_deref() == Some(cell))
            .collect()
    }

    /// The one finding of `rule` at `sheet!cell`.
    pub fn one_at(&self, rule: &str, sheet: &str, cell: &str) -> &Finding {
        let found: Vec<_> = self
            .at(sheet, cell)
            .into_iter()
            .filter(|d| d.rule == rule)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {rule} at {sheet}!{cell}, got {}:\n{self}",
            found.len()
        );
        found[0]
    }

    /// The findings on a row of a sheet of a file.
    pub fn on_row(&self, file: &str, sheet: &str, row: u32) -> Vec<&Finding> {
        self.diagnostics
            .iter()
            .filter(|d| d.file == file && d.sheet.as_deref() == Some(sheet) && d.row == Some(row))
            .collect()
    }

    /// Asserts that no finding is on a row: a correct row stays quiet.
    #[track_caller]
    pub fn assert_row_clean(&self, file: &str, sheet: &str, row: u32) {
        let found = self.on_row(file, sheet, row);
        assert!(
            found.is_empty(),
            "expected no finding at {file} · {sheet}!{row}:\n{self}"
        );
    }

    /// The findings of one file.
    pub fn in_file(&self, file: &str) -> Vec<&Finding> {
        self.diagnostics.iter().filter(|d| d.file == file).collect()
    }

    /// The rule ids reported, in report order.
    pub fn rules(&self) -> Vec<&str> {
        self.diagnostics.iter().map(|d| d.rule.as_str()).collect()
    }

    /// Asserts the run found nothing at all.
    #[track_caller]
    pub fn assert_clean(&self) {
        assert!(self.diagnostics.is_empty(), "expected no finding:\n{self}");
    }
}

impl std::fmt::Display for Report {
    /// One line per finding, for assertion messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.diagnostics {
            writeln!(
                f,
                "  {} {} {} · {}!{} field={} value={:?} — {}",
                d.severity,
                d.rule,
                d.file,
                d.sheet.as_deref().unwrap_or("-"),
                d.cell
                    .clone()
                    .or_else(|| d.row.map(|r| r.to_string()))
                    .unwrap_or_else(|| "-".into()),
                d.field.as_deref().unwrap_or("-"),
                d.value.as_deref().unwrap_or(""),
                d.message
            )?;
        }
        write!(f, "  summary: {:?}", self.summary)
    }
}
