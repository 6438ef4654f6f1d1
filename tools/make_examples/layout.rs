//! The four layouts filings arrive in, as plain sheet models (rows of cells,
//! merges, notes) that `render.rs` writes as xlsx, CSV or HTML. Knowing every
//! cell's place here is what lets the README name the cell of each seeded
//! mistake exactly.

use crate::spec::{At, Entry, Filing, LayoutKind, SheetRole};
use std::collections::BTreeMap;
use yima::model::column_letter;
use yima::standard::Standard;
use yima::standard::elements::{FieldId, Required, SheetDef};

/// A cell as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Blank,
    Text(String),
    Number(f64),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Blank => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format!("{n}"),
        }
    }
}

/// How a sheet looks beyond its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Bold header, frozen, with a filter: the standard workbook.
    Standard,
    /// Title rows, decorated headers, merged cells, notes under the table.
    Titled,
    /// Plain cells, as a department's own spreadsheet.
    Plain,
}

/// One sheet, ready to write.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    /// Rows above the header, each one text merged across the table.
    pub above: Vec<String>,
    /// One header per column; blank for an empty column.
    pub headers: Vec<String>,
    /// The field each column holds (None: an empty or extra column).
    pub fields: Vec<Option<String>>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows under the table (notes, signatures), merged across the table.
    pub below: Vec<String>,
    /// Columns whose runs of equal values are merged vertically.
    pub merge_down: Vec<usize>,
    pub style: Style,
}

impl Sheet {
    /// The row number Excel shows for the header.
    pub fn header_row(&self) -> u32 {
        self.above.len() as u32 + 1
    }

    /// The row number of data row `i` (0-based).
    pub fn data_row(&self, i: usize) -> u32 {
        self.header_row() + 1 + i as u32
    }

    fn column_of(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.as_deref() == Some(field))
    }

    fn cell_name(&self, col: usize, row: u32) -> String {
        format!("{}!{}{}", self.name, column_letter(col as u32), row)
    }
}

/// A filing laid out: its sheets and where each seeded mistake is.
#[derive(Debug, Clone)]
pub struct Planned {
    pub items: Sheet,
    /// None when the filing has no 申请材料 sheet.
    pub materials: Option<Sheet>,
    /// Sheet 收费项目, when an entry has fee items.
    pub fees: Option<Sheet>,
    /// Sheet 常见问题, when an entry has questions.
    pub questions: Option<Sheet>,
    pub seeds: Vec<PlacedSeed>,
}

impl Planned {
    /// The sheets in the order a workbook holds them.
    pub fn sheets(&self) -> impl Iterator<Item = &Sheet> {
        std::iter::once(&self.items)
            .chain(self.materials.as_ref())
            .chain(self.fees.as_ref())
            .chain(self.questions.as_ref())
    }
}

/// A seeded mistake at its place: `事项!H17`, `事项!1` (a row), `申请材料`
/// (a sheet) or `—` (the file).
#[derive(Debug, Clone)]
pub struct PlacedSeed {
    /// Orders the seeds of a file as a reader meets them: the file, then
    /// sheet 事项 and sheet 申请材料 row by row.
    pub order: (u8, u32, usize),
    pub cell: String,
    pub rule: String,
    pub mistake: String,
}

/// Lays a filing out.
pub fn plan(filing: &Filing, standard: &Standard) -> Result<Planned, String> {
    let mut items = items_sheet(filing, standard)?;
    apply_changes(filing, &mut items)?;
    fill_item_rows(filing, &mut items);
    let materials = (!filing.materials_missing).then(|| materials_sheet(filing, standard));
    let fees = filing
        .has_fees()
        .then(|| linked_sheet(&standard.elements.fees, filing, |e| &e.fees));
    let questions = filing
        .has_questions()
        .then(|| linked_sheet(&standard.elements.questions, filing, |e| &e.questions));
    let seeds = place_seeds(filing, &items, materials.as_ref(), fees.as_ref())?;
    Ok(Planned {
        items,
        materials,
        fees,
        questions,
        seeds,
    })
}

/// An optional sheet whose rows refer to an entry by 事项序号 (收费项目,
/// 常见问题), in the standard layout whatever the filing's: its columns are
/// the sheet's elements in schema order, its rows the entries' in order.
fn linked_sheet<F: FieldId + Copy>(
    def: &SheetDef<F>,
    filing: &Filing,
    rows: impl Fn(&Entry) -> &Vec<BTreeMap<String, String>>,
) -> Sheet {
    let columns = def
        .elements
        .iter()
        .map(|e| (Some(e.field.field_id().to_string()), e.header.clone()))
        .collect();
    let mut sheet = Sheet::new(&def.sheet, Style::Standard, columns);
    for e in &filing.entries {
        for r in rows(e) {
            let row = sheet
                .fields
                .iter()
                .map(|f| {
                    let f = f.as_deref().unwrap_or_default();
                    cell(r.get(f).map_or("", String::as_str), f == "item_seq")
                })
                .collect();
            sheet.rows.push(row);
        }
    }
    sheet
}

/// Headers a department decorates in the titled layout: markers, units and
/// line breaks, all of which yima strips when it matches headers.
fn titled_header(field: &str, header: &str, required: Required) -> String {
    match field {
        "name" => "事项名称（必填）".into(),
        "agency_code" => "*实施主体编码\n（统一社会信用代码）".into(),
        "statutory_days" => "法定办结\n时限（工作日）".into(),
        "promised_days" => "*承诺办结\n时限（工作日）".into(),
        "visits" => "*到办事现场\n次数".into(),
        "in_hall" => "*是否进驻\n政务大厅".into(),
        "power_source" => "权力来源\n（权力事项必填）".into(),
        "legal_basis" => "设定依据\n（权力事项必填）".into(),
        "online_url" => "网办地址\n（网上办理的必填）".into(),
        _ if required == Required::Yes => format!("*{header}"),
        _ => header.to_string(),
    }
}

/// The columns of the rearranged layout: a department's own order, headers
/// as it spells them (aliases of the standard), and empty columns.
const REARRANGED_ITEMS: &[(&str, &str)] = &[
    ("", ""),
    ("seq", "序号"),
    ("name", "事项名称"),
    ("sub_name", "子项名称"),
    ("category", "事项类型"),
    ("agency", "实施主体"),
    ("agency_code", "统一社会信用代码"),
    ("agency_nature", "实施主体性质"),
    ("level", "行使层级"),
    ("division", "行政区划代码"),
    ("", ""),
    ("sector", "业务指导部门"),
    ("power_source", "权力来源"),
    ("legal_basis", "实施依据"),
    ("audience", "办理对象"),
    ("conditions", "申请条件"),
    ("process", "办理程序"),
    ("handling_type", "办件类型"),
    ("statutory_days", "法定时限"),
    ("promised_days", "承诺时限"),
    ("visits", "到现场次数"),
    ("channels", "办理方式"),
    ("online_url", "网上办理地址"),
    ("address", "受理地点"),
    ("hours", "受理时间"),
    ("charged", "是否收费"),
    ("fee_standard", "收费标准"),
    ("fee_basis", "收费依据"),
    ("scope", "通办范围"),
    ("in_hall", "是否进驻政务服务大厅"),
    ("contact_phone", "咨询电话"),
    ("complaint_phone", "投诉电话"),
    ("result_name", "审批结果"),
    ("forwarded", "是否转报"),
    ("notes", "备注"),
    ("", ""),
];

const REARRANGED_MATERIALS: &[(&str, &str)] = &[
    ("", ""),
    ("item_seq", "对应事项序号"),
    ("seq", "序号"),
    ("name", "申请材料名称"),
    ("form", "提交形式"),
    ("copies", "材料份数"),
    ("source", "来源渠道"),
    ("e_license", "是否电子证照"),
    ("necessity", "是否必要"),
    ("basis", "依据"),
    ("notes", "填写说明"),
];

/// The notes and signature line a department writes under its table.
const TITLED_NOTES: &[&str] = &[
    "注：1. 带“*”的为必填项；2. 行政许可、行政确认、行政给付、行政征收和其他行政权力事项\
     须填写权力来源、设定依据和法定办结时限；3. 时限均以工作日计。",
    "填表人：刘芳　　审核人：周建国　　联系电话：0738-8312236",
];

/// A column: the field it holds (None: an empty column) and its header.
type ColumnDef = (Option<String>, String);

impl Sheet {
    fn new(name: &str, style: Style, columns: Vec<ColumnDef>) -> Sheet {
        let (fields, headers) = columns.into_iter().unzip();
        Sheet {
            name: name.to_string(),
            above: Vec::new(),
            headers,
            fields,
            rows: Vec::new(),
            below: Vec::new(),
            merge_down: Vec::new(),
            style,
        }
    }

    /// Merges runs of equal values in the columns of these fields.
    fn merge_fields(&mut self, fields: &[&str]) {
        self.merge_down = fields.iter().filter_map(|f| self.column_of(f)).collect();
    }
}

fn listed(columns: &[(&str, &str)]) -> Vec<ColumnDef> {
    columns
        .iter()
        .map(|(f, h)| ((!f.is_empty()).then(|| f.to_string()), h.to_string()))
        .collect()
}

fn items_sheet(filing: &Filing, standard: &Standard) -> Result<Sheet, String> {
    let def = &standard.elements.items;
    let schema = |header: &dyn Fn(&str, &str, Required) -> String| -> Vec<ColumnDef> {
        def.elements
            .iter()
            .filter(|e| filing.full || !e.optional)
            .map(|e| {
                let id = e.field.id();
                (Some(id.to_string()), header(id, &e.header, e.required))
            })
            .collect()
    };
    let sheet = match filing.layout {
        LayoutKind::Standard | LayoutKind::Csv => Sheet::new(
            &def.sheet,
            Style::Standard,
            schema(&|_, h, _| h.to_string()),
        ),
        LayoutKind::Titled => {
            let department = filing.department();
            let title = filing
                .title
                .clone()
                .unwrap_or_else(|| format!("{department}政务服务事项实施清单"));
            let filed = filing.filed.as_deref().unwrap_or("2024年5月20日");
            let mut sheet = Sheet::new(&def.sheet, Style::Titled, schema(&titled_header));
            sheet.above = vec![
                title,
                format!("填报单位：{department}（盖章）　　　　填报日期：{filed}"),
            ];
            sheet.below = TITLED_NOTES.iter().map(|n| n.to_string()).collect();
            sheet.merge_fields(&["sector", "agency"]);
            sheet
        }
        LayoutKind::Rearranged => {
            for e in &def.elements {
                let id = e.field.id();
                if e.required != Required::No && !REARRANGED_ITEMS.iter().any(|(f, _)| *f == id) {
                    return Err(format!("the rearranged layout lacks required field {id}"));
                }
            }
            Sheet::new("实施清单", Style::Plain, listed(REARRANGED_ITEMS))
        }
    };
    Ok(sheet)
}

fn apply_changes(filing: &Filing, sheet: &mut Sheet) -> Result<(), String> {
    for c in &filing.changes {
        if let Some(f) = &c.drop {
            let i = sheet
                .column_of(f)
                .ok_or_else(|| format!("changes: no column {f} to drop"))?;
            sheet.fields.remove(i);
            sheet.headers.remove(i);
        }
        if let Some(after) = &c.insert_after {
            let i = sheet
                .column_of(after)
                .ok_or_else(|| format!("changes: no column {after}"))?;
            let header = c
                .header
                .clone()
                .ok_or("changes: an inserted column needs a header")?;
            // An extra column holds a constant; a copy is recognized by the
            // marker `=field` and filled from that field.
            let source = match (&c.value, &c.copy_of) {
                (Some(v), None) => format!("#{v}"),
                (None, Some(f)) => format!("={f}"),
                _ => return Err("changes: give either value or copy_of".into()),
            };
            sheet.fields.insert(i + 1, Some(source));
            sheet.headers.insert(i + 1, header);
        }
    }
    Ok(())
}

/// Which fields a layout writes as numbers (the rest as text).
fn numeric(layout: LayoutKind, role: SheetRole, field: &str) -> bool {
    match (layout, role) {
        (LayoutKind::Csv, _) => false,
        (LayoutKind::Rearranged, SheetRole::Items) => {
            matches!(field, "statutory_days" | "promised_days" | "visits")
        }
        (LayoutKind::Rearranged, SheetRole::Materials) => field == "copies",
        (_, SheetRole::Items) => {
            matches!(field, "seq" | "statutory_days" | "promised_days" | "visits")
        }
        (_, SheetRole::Materials) => matches!(field, "seq" | "item_seq" | "copies"),
    }
}

fn cell(text: &str, as_number: bool) -> Cell {
    if text.is_empty() {
        return Cell::Blank;
    }
    match text.parse::<f64>() {
        Ok(n) if as_number => Cell::Number(n),
        _ => Cell::Text(text.to_string()),
    }
}

/// Full-width digits, as some input methods type them.
fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn item_cell(filing: &Filing, e: &Entry, source: &str) -> Cell {
    if let Some(constant) = source.strip_prefix('#') {
        return Cell::Text(constant.to_string());
    }
    let field = source.strip_prefix('=').unwrap_or(source);
    let mut text = e.get(field).to_string();
    if filing.layout == LayoutKind::Rearranged && field == "division" {
        text = full_width(&text);
    }
    let as_number = e.as_number.contains(field) || numeric(filing.layout, SheetRole::Items, field);
    cell(&text, as_number)
}

fn fill_item_rows(filing: &Filing, sheet: &mut Sheet) {
    for e in filing.written() {
        let row = sheet
            .fields
            .iter()
            .map(|f| match f {
                Some(source) => item_cell(filing, e, source),
                None => Cell::Blank,
            })
            .collect();
        sheet.rows.push(row);
    }
}

fn materials_sheet(filing: &Filing, standard: &Standard) -> Sheet {
    let def = &standard.elements.materials;
    let schema = |header: &dyn Fn(&str, &str, Required) -> String| -> Vec<ColumnDef> {
        def.elements
            .iter()
            .filter(|e| filing.full || !e.optional)
            .map(|e| {
                let id = e.field.id();
                (Some(id.to_string()), header(id, &e.header, e.required))
            })
            .collect()
    };
    let mut sheet = match filing.layout {
        LayoutKind::Standard | LayoutKind::Csv => Sheet::new(
            &def.sheet,
            Style::Standard,
            schema(&|_, h, _| h.to_string()),
        ),
        LayoutKind::Titled => {
            let header = |id: &str, h: &str, required: Required| match (id, required) {
                ("seq", _) => "序号".to_string(),
                (_, Required::Yes) => format!("{h}（必填）"),
                _ => h.to_string(),
            };
            let mut sheet = Sheet::new(&def.sheet, Style::Titled, schema(&header));
            sheet.above = vec![format!("{}申请材料清单", filing.department())];
            sheet.merge_fields(&["item_seq"]);
            sheet
        }
        LayoutKind::Rearranged => {
            Sheet::new("材料清单", Style::Plain, listed(REARRANGED_MATERIALS))
        }
    };
    if !filing.materials_preamble.is_empty() {
        sheet.above = filing.materials_preamble.clone();
    }
    for e in &filing.entries {
        for m in &e.materials {
            let row = sheet
                .fields
                .iter()
                .map(|f| match f {
                    Some(f) => cell(
                        m.get(f).map_or("", String::as_str),
                        numeric(filing.layout, SheetRole::Materials, f),
                    ),
                    None => Cell::Blank,
                })
                .collect();
            sheet.rows.push(row);
        }
    }
    sheet
}

fn place_seeds(
    filing: &Filing,
    items: &Sheet,
    materials: Option<&Sheet>,
    fees: Option<&Sheet>,
) -> Result<Vec<PlacedSeed>, String> {
    let mut out = Vec::new();
    for s in &filing.seeds {
        let sheet = match s.sheet {
            SheetRole::Items => Some(items),
            SheetRole::Materials => materials,
        };
        let sheet_order = match s.sheet {
            SheetRole::Items => 1,
            SheetRole::Materials => 2,
        };
        let (order, cell) = match (s.at, sheet) {
            (At::File, _) => ((0, 0, 0), "—".to_string()),
            (At::Sheet, Some(sh)) => ((sheet_order, 0, 0), sh.name.clone()),
            (At::HeaderRow, Some(sh)) => (
                (sheet_order, sh.header_row(), 0),
                format!("{}!{}", sh.name, sh.header_row()),
            ),
            (At::Header, Some(sh)) => {
                let h = s.header.as_deref().unwrap_or_default();
                let col = sh
                    .headers
                    .iter()
                    .rposition(|x| x == h)
                    .ok_or_else(|| format!("seeded: no header {h}"))?;
                (
                    (sheet_order, sh.header_row(), col + 1),
                    sh.cell_name(col, sh.header_row()),
                )
            }
            (_, None) => return Err("seeded: the filing has no such sheet".into()),
        };
        out.push(PlacedSeed {
            order,
            cell,
            rule: s.rule.clone(),
            mistake: s.mistake.clone(),
        });
    }
    // Material rows follow the entries in order, deleted entries included.
    let mut material_row: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    if let Some(m) = materials {
        let mut i = 0;
        for (ei, e) in filing.entries.iter().enumerate() {
            for mi in 0..e.materials.len() {
                material_row.insert((ei, mi), m.data_row(i));
                i += 1;
            }
        }
    }
    let mut fee_row: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    if let Some(f) = fees {
        let mut i = 0;
        for (ei, e) in filing.entries.iter().enumerate() {
            for fi in 0..e.fees.len() {
                fee_row.insert((ei, fi), f.data_row(i));
                i += 1;
            }
        }
    }
    let mut item_index = 0;
    for (ei, e) in filing.entries.iter().enumerate() {
        let row = (!e.deleted).then(|| items.data_row(item_index));
        if !e.deleted {
            item_index += 1;
        }
        for s in &e.seeds {
            let (order, cell) = match s.material {
                None if s.fee.is_some() => {
                    let n = s.fee.unwrap_or_default();
                    let f = fees.ok_or("seeded: no 收费项目 sheet")?;
                    let col = f
                        .column_of(&s.field)
                        .ok_or_else(|| format!("seeded: no column {}", s.field))?;
                    let row = fee_row[&(ei, n - 1)];
                    ((3, row, col + 1), f.cell_name(col, row))
                }
                Some(n) => {
                    let m = materials.ok_or("seeded: no 申请材料 sheet")?;
                    let col = m
                        .column_of(&s.field)
                        .ok_or_else(|| format!("seeded: no column {}", s.field))?;
                    let row = material_row[&(ei, n - 1)];
                    ((2, row, col + 1), m.cell_name(col, row))
                }
                None => {
                    let row = row.ok_or("seeded: a deleted entry has no cell")?;
                    let col = items
                        .column_of(&s.field)
                        .ok_or_else(|| format!("seeded: no column {}", s.field))?;
                    ((1, row, col + 1), items.cell_name(col, row))
                }
            };
            out.push(PlacedSeed {
                order,
                cell,
                rule: s.rule.clone(),
                mistake: s.mistake.clone(),
            });
        }
    }
    out.sort_by_key(|s| s.order);
    Ok(out)
}
