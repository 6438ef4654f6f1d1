//! The standard filing workbook (填报表) that `yima template` writes: the two
//! sheets with the standard headers, a note on every header, dropdowns from the
//! code tables, text-formatted code columns and an instructions sheet — all
//! derived from the [`Standard`], so a workspace that overrides the schemas
//! gets its own workbook. Rows may be pre-filled ([`Prefill`]) so a department
//! revises its current entries instead of retyping them.
//!
//! ```no_run
//! use yima::filing::template::{Prefill, write};
//! let standard = yima::standard::Standard::embedded();
//! write(&standard, &Prefill::default(), "填报表.xlsx".as_ref()).unwrap();
//! ```

use super::layout::FieldId;
use crate::diag::Text;
use crate::standard::Standard;
use crate::standard::elements::{
    Element, FeeField, Field, Full, Kind, MaterialField, QuestionField, Required, SheetDef,
};
use crate::standard::lexicon::Phrase;
use crate::standard::tables::{Table, TableEntry};
use crate::text;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Note, Workbook, Worksheet,
    XlsxError, worksheet_range_absolute,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The sheet that explains how to fill the workbook (the first sheet).
pub const INSTRUCTIONS_SHEET: &str = "填表说明";
/// The hidden sheet holding the code tables that long dropdowns refer to.
pub const CODES_SHEET: &str = "代码表";
/// The separator the workbook asks for in multi-valued cells.
pub const MULTI_SEPARATOR: &str = "、";

/// Lists longer than this go to [`CODES_SHEET`]; shorter ones are written into
/// the validation itself, which survives a sheet being copied to another workbook.
const INLINE_LIST_MAX: usize = 10;
/// Excel's limits for a validation's inline list, input message and title
/// (UTF-16 units).
const INLINE_LIST_LIMIT: usize = 255;
const MESSAGE_LIMIT: usize = 255;
const TITLE_LIMIT: usize = 32;
/// Validations and column formats cover every row a sheet can have, so rows a
/// department adds get them too.
const LAST_ROW: u32 = 1_048_575;
/// The autofilter covers at least this many rows below the header.
const FILTER_ROWS: u32 = 500;

/// One pre-filled row: cell text by element; elements not in it stay blank.
pub type Row<F> = BTreeMap<F, String>;

/// Rows to write below the headers, as cell text keyed by element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefill {
    /// Rows of sheet 事项.
    pub items: Vec<Row<Field>>,
    /// Rows of sheet 申请材料.
    pub materials: Vec<Row<MaterialField>>,
    /// Rows of sheet 收费项目.
    pub fees: Vec<Row<FeeField>>,
    /// Rows of sheet 常见问题.
    pub questions: Vec<Row<QuestionField>>,
}

/// Why the workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The workbook could not be built: a value breaks a limit of the xlsx
    /// format (a cell over 32767 characters, a sheet name Excel refuses).
    #[error("cannot build the workbook: {0}")]
    Build(#[from] XlsxError),
    /// The output path has no file name (it ends in `/` or `..`).
    #[error("{0}: not a file name")]
    NotAFile(PathBuf),
    /// Writing the temporary file or renaming it over the output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl TemplateError {
    /// What to tell the user, in both languages.
    pub fn describe(&self) -> Text {
        match self {
            TemplateError::Build(e) => {
                text!("无法生成工作簿：{e}", "cannot build the workbook: {e}")
            }
            TemplateError::NotAFile(p) => {
                let p = p.display();
                text!("{p} 不是文件名", "{p} is not a file name")
            }
            TemplateError::Write { path, source } => {
                let p = path.display();
                text!("无法写入 {p}：{source}", "cannot write {p}: {source}")
            }
        }
    }
}

/// Writes the filing workbook for `standard` to `path`, with `rows` below the
/// headers. The file is written to a temporary file beside `path` and renamed
/// over it, so `path` is either the old file or the whole new one. The same
/// inputs give the same bytes.
pub fn write(standard: &Standard, rows: &Prefill, path: &Path) -> Result<(), TemplateError> {
    if path.file_name().is_none() {
        return Err(TemplateError::NotAFile(path.to_path_buf()));
    }
    let bytes = build(standard, rows)?;
    crate::fsx::write_atomic(path, &bytes).map_err(|source| TemplateError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The workbook's bytes.
pub fn build(standard: &Standard, rows: &Prefill) -> Result<Vec<u8>, TemplateError> {
    let mut book = Workbook::new();
    // A fixed creation time: the same standard and rows give the same bytes.
    let created = ExcelDateTime::from_ymd(2024, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title("政务服务事项填报表")
            .set_subject("政务服务事项实施清单及申请材料")
            .set_author("yima")
            .set_creation_datetime(&created),
    );
    let styles = Styles::new();
    let lists = CodeLists::new(standard);

    let sheet = book.add_worksheet();
    sheet.set_name(INSTRUCTIONS_SHEET)?;
    write_instructions(sheet, standard, &styles)?;
    // The instructions open first: someone filling the workbook for the first
    // time reads them before the columns.
    sheet.set_active(true);

    let items = &standard.elements.items;
    let sheet = book.add_worksheet();
    let ctx = SheetContext {
        standard,
        lists: &lists,
        styles: &styles,
    };
    write_sheet(sheet, items, &rows.items, &ctx, frozen_columns(items))?;
    let sheet = book.add_worksheet();
    write_sheet(
        sheet,
        &standard.elements.materials,
        &rows.materials,
        &ctx,
        0,
    )?;
    // The optional sheets of SPEC §2a.
    let sheet = book.add_worksheet();
    write_sheet(sheet, &standard.elements.fees, &rows.fees, &ctx, 0)?;
    let sheet = book.add_worksheet();
    write_sheet(
        sheet,
        &standard.elements.questions,
        &rows.questions,
        &ctx,
        0,
    )?;

    let sheet = book.add_worksheet();
    lists.write_sheet(sheet, &styles)?;
    sheet.set_hidden(true);

    Ok(book.save_to_buffer()?)
}

/// Freezes the columns up to 事项名称 when it is among the first three, so the
/// name stays in view while scrolling through the other columns.
fn frozen_columns(def: &SheetDef<Field>) -> u16 {
    match def.elements.iter().position(|e| e.field == Field::Name) {
        Some(i) if i < 3 => i as u16 + 1,
        _ => 0,
    }
}

/// The formats the workbook uses.
struct Styles {
    required: Format,
    conditional: Format,
    optional: Format,
    /// The elements of SPEC §2a a filing may leave out: lighter still.
    extra: Format,
    title: Format,
    heading: Format,
    body: Format,
    table_header: Format,
}

impl Styles {
    fn new() -> Styles {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_border_color(Color::RGB(0xA6A6A6));
        Styles {
            required: header
                .clone()
                .set_font_color(Color::RGB(0x9C0006))
                .set_background_color(Color::RGB(0xFCE4D6)),
            conditional: header.clone().set_background_color(Color::RGB(0xFFF2CC)),
            optional: header.clone().set_background_color(Color::RGB(0xEDEDED)),
            extra: header
                .clone()
                .set_font_color(Color::RGB(0x595959))
                .set_background_color(Color::RGB(0xF7F7F7)),
            title: Format::new().set_bold().set_font_size(16),
            heading: Format::new().set_bold().set_font_size(12),
            body: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            table_header: header,
        }
    }

    fn header<F: Copy + PartialEq>(&self, def: &SheetDef<F>, e: &Element<F>) -> &Format {
        if def.always_required(e) {
            &self.required
        } else if e.required != Required::No || def.conditions(e).next().is_some() {
            &self.conditional
        } else if e.optional {
            &self.extra
        } else {
            &self.optional
        }
    }
}

/// Where the dropdown of each code table comes from.
struct CodeLists<'s> {
    /// Tables used by some element, in order of first use, with the headers
    /// of the elements that use them.
    tables: Vec<(&'s str, &'s Table, Vec<&'s str>)>,
}

impl<'s> CodeLists<'s> {
    fn new(standard: &'s Standard) -> CodeLists<'s> {
        let mut tables: Vec<(&str, &Table, Vec<&str>)> = Vec::new();
        fn pairs<F>(def: &SheetDef<F>) -> impl Iterator<Item = (Option<&str>, &str)> {
            def.elements
                .iter()
                .map(|e| (e.table.as_deref(), e.header.as_str()))
        }
        let els = &standard.elements;
        let used = pairs(&els.items)
            .chain(pairs(&els.materials))
            .chain(pairs(&els.fees))
            .chain(pairs(&els.questions));
        for (name, header) in used {
            let Some(name) = name else { continue };
            let Some(table) = standard.tables.get(name) else {
                continue;
            };
            match tables.iter_mut().find(|(n, _, _)| *n == name) {
                Some((_, _, headers)) => headers.push(header),
                None => tables.push((name, table, vec![header])),
            }
        }
        CodeLists { tables }
    }

    /// The list validation for a table: inline when short, else a range of
    /// the code sheet.
    fn validation(&self, name: &str) -> Result<Option<DataValidation>, XlsxError> {
        let Some(col) = self.tables.iter().position(|(n, _, _)| *n == name) else {
            return Ok(None);
        };
        let names: Vec<&str> = self.tables[col]
            .1
            .entries
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        if names.is_empty() {
            return Ok(None);
        }
        let inline = names.len() <= INLINE_LIST_MAX
            && utf16_len(&names.join(",")) <= INLINE_LIST_LIMIT
            && names.iter().all(|n| !n.contains(','));
        Ok(Some(if inline {
            DataValidation::new().allow_list_strings(&names)?
        } else {
            let range = worksheet_range_absolute(
                CODES_SHEET,
                1,
                col as u16,
                names.len() as u32,
                col as u16,
            );
            DataValidation::new().allow_list_formula(Formula::new(format!("={range}")))
        }))
    }

    /// One column per table: the headers that use it, then its names.
    fn write_sheet(&self, sheet: &mut Worksheet, styles: &Styles) -> Result<(), XlsxError> {
        sheet.set_name(CODES_SHEET)?;
        for (col, (_, table, headers)) in self.tables.iter().enumerate() {
            let col = col as u16;
            let title = headers.join("/");
            sheet.write_string_with_format(0, col, &title, &styles.table_header)?;
            let widest = table
                .entries
                .iter()
                .map(|e| display_width(&e.name))
                .chain([display_width(&title)])
                .max()
                .unwrap_or(8);
            sheet.set_column_width(col, widest.clamp(8, 40) as f64 + 2.0)?;
            for (row, entry) in table.entries.iter().enumerate() {
                sheet.write_string(row as u32 + 1, col, entry.name.as_str())?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    }
}

/// What every sheet writer needs.
struct SheetContext<'a> {
    standard: &'a Standard,
    lists: &'a CodeLists<'a>,
    styles: &'a Styles,
}

/// Writes one filing sheet: headers with notes, column widths and formats,
/// validations, pre-filled rows, frozen header and autofilter.
fn write_sheet<F: Copy + Ord + FieldId>(
    sheet: &mut Worksheet,
    def: &SheetDef<F>,
    rows: &[Row<F>],
    ctx: &SheetContext<'_>,
    frozen_cols: u16,
) -> Result<(), XlsxError> {
    sheet.set_name(&def.sheet)?;
    let last_col = def.elements.len().saturating_sub(1) as u16;
    for (col, element) in def.elements.iter().enumerate() {
        let col = col as u16;
        let layout = ColumnLayout::of(element, ctx.standard);
        let header = if def.always_required(element) {
            format!("*{}", element.header)
        } else {
            element.header.clone()
        };
        sheet.write_string_with_format(0, col, &header, ctx.styles.header(def, element))?;
        let note = Note::new(header_note(def, element, ctx.standard))
            .add_author_prefix(false)
            .set_width(300)
            .set_height(160);
        sheet.insert_note(0, col, &note)?;
        sheet.set_column_width(col, layout.width)?;
        sheet.set_column_format(col, &layout.format)?;
        if let Some(v) = validation(element, ctx)? {
            sheet.add_data_validation(1, col, LAST_ROW, col, &v)?;
        }
        for (i, row) in rows.iter().enumerate() {
            let Some(value) = row.get(&element.field) else {
                continue;
            };
            let r = i as u32 + 1;
            match layout.number(value) {
                Some(n) => sheet.write_number_with_format(r, col, n, &layout.format)?,
                None => sheet.write_string_with_format(r, col, value, &layout.format)?,
            };
        }
    }
    // Two lines of header: long headers wrap instead of widening narrow columns.
    sheet.set_row_height(0, 36)?;
    sheet.set_freeze_panes(1, frozen_cols.min(last_col))?;
    let last_row = (rows.len() as u32).max(FILTER_ROWS);
    sheet.autofilter(0, 0, last_row, last_col)?;
    Ok(())
}

/// How a column looks: its width, its cell format, and whether integers are
/// written as numbers.
struct ColumnLayout {
    width: f64,
    format: Format,
    numeric: bool,
}

impl ColumnLayout {
    fn of<F: Copy + FieldId>(e: &Element<F>, standard: &Standard) -> ColumnLayout {
        let base = Format::new().set_align(FormatAlign::VerticalCenter);
        let prose = Format::new().set_text_wrap().set_align(FormatAlign::Top);
        // Text format keeps codes and phone numbers as typed: no scientific
        // notation for an 18-digit USCC, no lost leading 0 of 0738. (Built-in
        // format 49 is `@`.)
        let text = base.clone().set_num_format_index(49);
        let (content, format) = match e.kind {
            Kind::Code => (code_width(e), text),
            Kind::Phone => (16, text),
            Kind::Integer | Kind::Days => (6, base.set_align(FormatAlign::Center)),
            Kind::Url => (30, base),
            Kind::Enum => {
                let widest = e
                    .table
                    .as_deref()
                    .and_then(|t| standard.tables.get(t))
                    .and_then(|t| t.entries.iter().map(|x| display_width(&x.name)).max())
                    .unwrap_or(8);
                // Room for the dropdown arrow.
                (widest + 3, base)
            }
            Kind::Multi | Kind::List => (26, prose),
            Kind::Lines => (44, prose),
            Kind::Date => (12, text),
            Kind::Form => (24, base),
            Kind::Text => match e.max_len {
                Some(n) if n > 200 => (44, prose),
                Some(n) if n > 100 => (30, prose),
                _ => (24, prose),
            },
        };
        // Headers wrap onto two lines, so a long header asks for half its width.
        let header = display_width(&e.header).div_ceil(2) + 2;
        ColumnLayout {
            width: content.max(header).max(6) as f64,
            format,
            numeric: matches!(e.kind, Kind::Integer | Kind::Days),
        }
    }

    /// The number to write for a pre-filled integer, so Excel does not flag a
    /// number stored as text.
    fn number(&self, value: &str) -> Option<f64> {
        if !self.numeric {
            return None;
        }
        let v = value.trim();
        let canonical = v == "0" || !v.starts_with('0');
        match v.parse::<u32>() {
            Ok(n) if canonical => Some(f64::from(n)),
            _ => None,
        }
    }
}

/// The width a code column needs for its longest code (SPEC §3).
fn code_width<F: Copy + FieldId>(e: &Element<F>) -> usize {
    let chars = match e.field.field_id() {
        "impl_code" => 31,
        "basic_code" | "division" => 12,
        // 统一社会信用代码, and any code a workspace adds.
        _ => 18,
    };
    chars + 3
}

/// The validation of a column: a dropdown for a coded column, an input
/// message for multi-valued and day columns, whole numbers for integers.
fn validation<F>(
    e: &Element<F>,
    ctx: &SheetContext<'_>,
) -> Result<Option<DataValidation>, XlsxError> {
    let title = clip(&e.header, TITLE_LIMIT);
    let v = match e.kind {
        Kind::Enum => {
            let Some(v) = e.table.as_deref().map(|t| ctx.lists.validation(t)) else {
                return Ok(None);
            };
            let Some(v) = v? else { return Ok(None) };
            v.set_error_title(clip("请从下拉列表中选择", TITLE_LIMIT))?
                .set_error_message(clip(
                    &format!("“{}”只能填写下拉列表中的值。", e.header),
                    MESSAGE_LIMIT,
                ))?
        }
        Kind::Multi => {
            let names = e
                .table
                .as_deref()
                .and_then(|t| ctx.standard.tables.get(t))
                .map(Table::names)
                .unwrap_or_default();
            let message = format!(
                "可多选：{names}。多个值用顿号“{MULTI_SEPARATOR}”分隔，如“{}”。",
                example_multi(e, ctx.standard)
            );
            DataValidation::new()
                .allow_any_value()
                .set_input_title(clip(&format!("{title}（可多选）"), TITLE_LIMIT))?
                .set_input_message(clip(&message, MESSAGE_LIMIT))?
        }
        Kind::Days => DataValidation::new()
            .allow_any_value()
            .set_input_title(title)?
            .set_input_message(clip(&e.help, MESSAGE_LIMIT))?,
        Kind::Integer => {
            let min = e.min.unwrap_or(0).min(i32::MAX as u32) as i32;
            let (rule, range) = match e.max {
                Some(max) => {
                    let max = max.min(i32::MAX as u32) as i32;
                    (
                        DataValidationRule::Between(min, max),
                        format!(" {min} 到 {max} 的整数"),
                    )
                }
                None => (
                    DataValidationRule::GreaterThanOrEqualTo(min),
                    format!("不小于 {min} 的整数"),
                ),
            };
            DataValidation::new()
                .allow_whole_number(rule)
                .set_error_title(clip("请填写整数", TITLE_LIMIT))?
                .set_error_message(clip(&format!("“{}”应为{range}。", e.header), MESSAGE_LIMIT))?
        }
        _ => return Ok(None),
    };
    Ok(Some(v.set_error_style(DataValidationErrorStyle::Stop)))
}

/// Two values of a multi-valued column joined as the workbook asks.
fn example_multi<F>(e: &Element<F>, standard: &Standard) -> String {
    e.table
        .as_deref()
        .and_then(|t| standard.tables.get(t))
        .map(|t| {
            t.entries
                .iter()
                .take(2)
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join(MULTI_SEPARATOR)
        })
        .unwrap_or_default()
}

/// The note on a header cell: whether (and when) it is required, and what to write.
fn header_note<F: Copy + PartialEq + FieldId>(
    def: &SheetDef<F>,
    e: &Element<F>,
    standard: &Standard,
) -> String {
    let mut note = format!(
        "{}（{}）\n{}",
        e.header,
        requirement_of(def, e, standard),
        e.help
    );
    if e.kind == Kind::Multi && !e.help.contains("顿号") {
        note.push_str(&format!("\n多个值用“{MULTI_SEPARATOR}”分隔。"));
    }
    if let Some(n) = e.max_len {
        note.push_str(&format!("\n不超过 {n} 字。"));
    }
    note
}

/// Whether an element is required, in words; conditions are spelled out from
/// the code tables' flags, so they follow a workspace's own tables.
pub fn requirement(required: Required, standard: &Standard) -> String {
    let items = &standard.elements.items;
    let names_where = |table: &str, pick: fn(&TableEntry) -> bool, joiner: &str| -> String {
        standard
            .tables
            .get(table)
            .map(|t| {
                t.entries
                    .iter()
                    .filter(|e| pick(e))
                    .map(|e| e.name.as_str())
                    .collect::<Vec<_>>()
                    .join(joiner)
            })
            .unwrap_or_default()
    };
    let category = &items.element(Field::Category).header;
    let channels = &items.element(Field::Channels).header;
    match required {
        Required::Yes => "必填".into(),
        Required::No => "选填".into(),
        Required::WhenPower => format!(
            "{category}为{}时必填",
            names_where("category", |e| e.power, "、")
        ),
        Required::WhenResult => format!(
            "{category}为{}时必填",
            names_where("category", |e| e.needs_result, "、")
        ),
        Required::WhenCharged => format!(
            "{}为“{}”时必填",
            items.element(Field::Charged).header,
            names_where("yes_no", |e| e.truth == Some(true), "")
        ),
        Required::WhenOnline => format!(
            "{channels}含{}时必填",
            names_where("channel", |e| e.online, "或")
        ),
        Required::WhenWindow => format!(
            "{channels}含{}时必填",
            names_where("channel", |e| e.window, "或")
        ),
    }
}

/// Whether an element is required, in words, with the conditions of its
/// `when` and `full` (SPEC §2a).
pub fn requirement_of<F: Copy + PartialEq + FieldId>(
    def: &SheetDef<F>,
    e: &Element<F>,
    standard: &Standard,
) -> String {
    let condition = |c: &crate::standard::elements::Condition| {
        let other = def.by_id(&c.field).map_or(c.field.as_str(), |o| &o.header);
        match c.min {
            Some(min) => format!("{other}不少于 {min} 时必填"),
            None => format!("{other}为{}时必填", quoted(&c.any_of)),
        }
    };
    let mut out = match &e.when {
        Some(c) if e.required == Required::No => condition(c),
        _ => requirement(e.required, standard),
    };
    match &e.full {
        Some(Full::Always(true)) if !def.always_required(e) || !def.full => {
            out.push_str("；全要素（profile: full）时必填");
        }
        Some(Full::When(c)) => {
            out.push_str(&format!("；全要素（profile: full）时{}", condition(c)));
        }
        _ => {}
    }
    out
}

/// “a”或“b”.
fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("“{v}”"))
        .collect::<Vec<_>>()
        .join("或")
}

/// The instructions sheet: how to fill the workbook, then every column with
/// its requirement and help, for printing.
fn write_instructions(
    sheet: &mut Worksheet,
    standard: &Standard,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let items = &standard.elements.items;
    let materials = &standard.elements.materials;
    let (s_items, s_materials) = (&items.sheet, &materials.sheet);
    let seq = &items.element(Field::Seq).header;
    let item_seq = &materials.element(MaterialField::ItemSeq).header;
    let basic = &items.element(Field::BasicCode).header;
    let impl_code = &items.element(Field::ImplCode).header;
    let multi: Vec<&str> = items
        .elements
        .iter()
        .filter(|e| e.kind == Kind::Multi)
        .map(|e| e.header.as_str())
        .collect();
    let multi = multi.join("、");
    let coded: Vec<&str> = items
        .elements
        .iter()
        .filter(|e| matches!(e.kind, Kind::Code | Kind::Phone))
        .map(|e| e.header.as_str())
        .collect();
    let coded = coded.join("、");
    let quote = |list: &[Phrase]| {
        examples(list)
            .iter()
            .map(|p| format!("“{p}”"))
            .collect::<String>()
    };
    let catch_all = quote(&standard.lexicon.catch_all);
    let vague = quote(&standard.lexicon.vague);

    let steps = [
        format!(
            "本工作簿有“{s_items}”和“{s_materials}”两个工作表。请在这两个工作表中填写，不要改工作表名称和表头文字，不要删除列；列的顺序可以调整。"
        ),
        format!(
            "“{s_items}”表每行填写一个实施清单事项：一个实施主体在一个行政区划实施的一个事项（或子项）。“{seq}”填本表内不重复的正整数。"
        ),
        format!(
            "“{s_materials}”表每行填写一份申请材料，“{item_seq}”填它所属事项在“{s_items}”表中的“{seq}”；一个事项有几份材料就写几行。"
        ),
        format!(
            "“{}”和“{}”两个工作表可以不填：有收费项目或常见问题的事项，每行填写一项，用“{item_seq}”对应事项；有收费项目的事项，可不再在“{s_items}”表中填写收费标准和收费依据。",
            standard.elements.fees.sheet, standard.elements.questions.sheet
        ),
        "表头带 * 且为红色底的列必须填写；黄色底的列在一定条件下必须填写（条件见表头批注）；灰色底的列可不填；浅灰色底、灰色字的列是全要素的其他要素，可不填（工作区设为全要素 profile: full 时，其中一部分必须填写）。把鼠标停在表头单元格上，可以看到该列的填写要求。".to_string(),
        "带下拉箭头的列请从下拉列表中选择，不要自行输入近似的说法。".to_string(),
        format!(
            "{multi}可以填写多个值，多个值之间用顿号“{MULTI_SEPARATOR}”分隔，如“{}”。",
            example_multi(items.element(Field::Audience), standard)
        ),
        format!(
            "新事项的“{basic}”和“{impl_code}”留空，由 yima 统一赋码；已有编码的事项请照原样保留编码，不要修改或另编。"
        ),
        format!(
            "{coded}等列已设为文本格式。从其他表格复制时请用“选择性粘贴 → 数值”，以免统一社会信用代码变成科学计数法、电话号码丢失开头的 0。"
        ),
        "办结时限填天数，如“20”或“20个工作日”；单位默认为工作日，按自然日计的在“办结时限单位”列选“自然日”。当场办结的承诺办结时限填 0 或“即办”，办件类型选“即办件”。".to_string(),
        format!(
            "受理条件和申请材料要逐项写明，不得使用兜底条款（如{catch_all}），也不要使用模糊表述（如{vague}）。"
        ),
        "以下情况会使填报表检查不通过：必填项空白；值不在下拉列表（代码表）中；数字或时限不是整数；统一社会信用代码或行政区划代码错误；承诺办结时限超过法定办结时限；材料的事项序号找不到对应事项；序号重复；同一事项重复填报。".to_string(),
        "提交前请在本机检查：把本文件拖到 yima 程序图标上，或运行 yima serve 后在浏览器中上传，或在命令行运行 yima check 填报表.xlsx（换成你的文件名）。每个问题都会指明工作表和单元格（如 事项!H17）以及修改办法；还可以下载标出问题单元格的工作簿。".to_string(),
    ];

    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 16)?;
    sheet.set_column_width(2, 14)?;
    sheet.set_column_width(3, 90)?;
    // Printed, it is read on paper: A4 portrait, the four columns on one
    // page width, page numbers below.
    sheet.set_paper_size(9);
    sheet.set_portrait();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    sheet.set_footer("&C第 &P 页，共 &N 页");
    sheet.write_string_with_format(0, 0, "政务服务事项填报表 · 填表说明", &styles.title)?;
    sheet.set_row_height(0, 28)?;
    let mut row = 2;
    for (i, step) in steps.iter().enumerate() {
        sheet.write_number_with_format(row, 0, (i + 1) as f64, &styles.body)?;
        sheet.merge_range(row, 1, row, 3, step, &styles.body)?;
        // Merged cells do not grow with their text; give long steps room.
        let lines = display_width(step).div_ceil(110).max(1);
        sheet.set_row_height(row, 16.5 * lines as f64 + 3.0)?;
        row += 1;
    }

    row += 1;
    sheet.write_string_with_format(row, 0, "各列填写要求", &styles.heading)?;
    row += 1;
    for (col, title) in ["工作表", "列名", "是否必填", "填写要求"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(row, col as u16, *title, &styles.table_header)?;
    }
    row += 1;
    let mut column_row = |sheet: &mut Worksheet,
                          name: &str,
                          header: &str,
                          required: String,
                          help: &str|
     -> Result<(), XlsxError> {
        sheet.write_string_with_format(row, 0, name, &styles.body)?;
        sheet.write_string_with_format(row, 1, header, &styles.body)?;
        sheet.write_string_with_format(row, 2, required, &styles.body)?;
        sheet.write_string_with_format(row, 3, help, &styles.body)?;
        row += 1;
        Ok(())
    };
    for e in &items.elements {
        let r = requirement_of(items, e, standard);
        column_row(sheet, s_items, &e.header, r, &e.help)?;
    }
    for e in &materials.elements {
        let r = requirement_of(materials, e, standard);
        column_row(sheet, s_materials, &e.header, r, &e.help)?;
    }
    let fees = &standard.elements.fees;
    for e in &fees.elements {
        let r = requirement_of(fees, e, standard);
        column_row(sheet, &fees.sheet, &e.header, r, &e.help)?;
    }
    let questions = &standard.elements.questions;
    for e in &questions.elements {
        let r = requirement_of(questions, e, standard);
        column_row(sheet, &questions.sheet, &e.header, r, &e.help)?;
    }
    Ok(())
}

/// Up to three phrases of a list that say different things: the lists hold
/// variants of one clause ("法律、法规规定的其他条件", "法律法规规定的其他条件"),
/// and one of each is example enough.
fn examples(list: &[Phrase]) -> Vec<&str> {
    let mut picked: Vec<&Phrase> = Vec::new();
    for p in list {
        let variant = picked.iter().any(|q| {
            q.instead == p.instead || q.phrase.contains(&p.phrase) || p.phrase.contains(&q.phrase)
        });
        if !variant {
            picked.push(p);
        }
        if picked.len() == 3 {
            break;
        }
    }
    picked.iter().map(|p| p.phrase.as_str()).collect()
}

/// The width Excel gives text: a CJK character is about two digits wide.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `s` cut to at most `limit` UTF-16 units, ending in `…` when cut.
fn clip(s: &str, limit: usize) -> String {
    if utf16_len(s) <= limit {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if utf16_len(&out) + c.len_utf16() + 1 > limit {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_come_from_the_tables() {
        let s = Standard::embedded();
        assert_eq!(
            requirement(Required::WhenPower, &s),
            "事项类型为行政许可、行政征收、行政给付、行政确认、其他行政权力时必填"
        );
        assert_eq!(
            requirement(Required::WhenResult, &s),
            "事项类型为行政许可、行政确认时必填"
        );
        assert_eq!(
            requirement(Required::WhenCharged, &s),
            "是否收费为“是”时必填"
        );
        assert_eq!(
            requirement(Required::WhenOnline, &s),
            "办理形式含网上办理或移动端办理时必填"
        );
    }

    #[test]
    fn widths_follow_the_kind_of_content() {
        let s = Standard::embedded();
        let width = |f: Field| ColumnLayout::of(s.elements.items.element(f), &s).width;
        assert!(width(Field::Conditions) > width(Field::ImplCode));
        assert!(width(Field::ImplCode) > width(Field::AgencyCode));
        assert!(width(Field::AgencyCode) > width(Field::Charged));
        assert!(width(Field::Charged) <= 12.0, "{}", width(Field::Charged));
    }

    #[test]
    fn integers_are_written_as_numbers_only_when_plain() {
        let s = Standard::embedded();
        let visits = ColumnLayout::of(s.elements.items.element(Field::Visits), &s);
        assert_eq!(visits.number("1"), Some(1.0));
        assert_eq!(visits.number("0"), Some(0.0));
        assert_eq!(visits.number("01"), None);
        assert_eq!(visits.number("一次"), None);
        let code = ColumnLayout::of(s.elements.items.element(Field::Division), &s);
        assert_eq!(code.number("431300"), None);
    }

    #[test]
    fn phrase_examples_skip_variants() {
        let s = Standard::embedded();
        let catch_all = examples(&s.lexicon.catch_all);
        assert_eq!(catch_all.len(), 3);
        assert_eq!(catch_all[0], "法律、法规规定的其他条件");
        for (i, a) in catch_all.iter().enumerate() {
            for b in &catch_all[i + 1..] {
                assert!(!a.contains(b) && !b.contains(a), "{a} / {b}");
            }
        }
    }

    #[test]
    fn clip_respects_excel_limits() {
        assert_eq!(clip("短", 32), "短");
        let long = "长".repeat(300);
        let cut = clip(&long, MESSAGE_LIMIT);
        assert!(utf16_len(&cut) <= MESSAGE_LIMIT);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn same_input_same_bytes() {
        let s = Standard::embedded();
        let a = build(&s, &Prefill::default()).unwrap();
        let b = build(&s, &Prefill::default()).unwrap();
        assert_eq!(a, b);
    }
}
