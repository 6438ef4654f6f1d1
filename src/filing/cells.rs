//! Reading one row's cells into typed values: the element kinds of
//! `schemas/elements.yaml` (text, integers, days, code-table values, URLs…),
//! each value located at its cell, each problem (value-missing, value-invalid,
//! value-too-long) pushed as a finding. A workbook's shared string read once
//! as an element without a finding is not read again ([`Memo`]).

use super::layout::{Column, FieldId, Table};
use super::source::{GridRow, RawCell};
use super::values::{self, NotALimit};
use crate::diag::{Diagnostic, Rule, Sink, Text as Msg};
use crate::model::{ArcStr, Days, Located, Origin};
use crate::standard::Standard;
use crate::standard::elements::{Element, Kind, SheetDef};
use crate::standard::tables::TableEntry;
use crate::text;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::Arc;

/// Separators of multi-valued cells (SPEC §2).
const MULTI_SEPARATORS: &[char] = &['、', ',', '，', ';', '；', '\n', '/', '|'];

/// Reads the cells of one row.
pub struct RowReader<'a, 'g, F> {
    pub table: &'a Table<'g, F>,
    pub def: &'a SheetDef<F>,
    pub standard: &'a Standard,
    pub row: &'a GridRow,
    pub sink: &'a mut Sink,
    /// The cells shown before the offending one in human output: each
    /// element with its header as shown; read only when a finding is made.
    pub context: &'a [(F, &'static str)],
    /// What the sheet's shared strings gave so far.
    pub memo: &'a mut Memo,
    /// The 序号 of the entries that have fee items (for sheet 事项).
    pub fee_seqs: Option<&'a super::parse::FeeSeqs>,
}

/// What reading a workbook's shared strings as elements gave, by element
/// and string, for those read without a finding. A sheet repeats a few
/// texts in most of its cells (the agency, its code and phones, the code
/// tables' values, the conditions of an item that every village offers),
/// and Excel stores each text once: each is cleaned, normalized, looked up
/// and measured once, and the cells that hold it again share its value.
/// A text that gave a finding is read again at each cell, so that each
/// finding is made where it is.
#[derive(Default)]
pub struct Memo {
    by_element: Vec<FxHashMap<u32, Slot>>,
}

/// One text read as one element: its value (none for a blank) and its
/// text as the cell held it, when that differs from the value.
#[derive(Clone)]
enum Slot {
    Blank,
    Text(ArcStr, ArcStr),
    List(Arc<[ArcStr]>, ArcStr),
    Number(u32, ArcStr),
    Days(Days, ArcStr),
    Truth(bool, ArcStr),
}

/// A value a [`Slot`] holds.
trait Memoized: Sized {
    fn into_slot(value: Self, raw: ArcStr) -> Slot;
    fn from_slot(slot: &Slot) -> Option<(Self, ArcStr)>;
}

macro_rules! memoized {
    ($t:ty, $variant:ident) => {
        impl Memoized for $t {
            fn into_slot(value: Self, raw: ArcStr) -> Slot {
                Slot::$variant(value, raw)
            }
            fn from_slot(slot: &Slot) -> Option<(Self, ArcStr)> {
                match slot {
                    Slot::$variant(v, raw) => Some((v.clone(), raw.clone())),
                    _ => None,
                }
            }
        }
    };
}
memoized!(ArcStr, Text);
memoized!(Arc<[ArcStr]>, List);
memoized!(u32, Number);
memoized!(Days, Days);
memoized!(bool, Truth);

impl Memo {
    fn get(&self, element: usize, shared: u32) -> Option<&Slot> {
        self.by_element.get(element)?.get(&shared)
    }

    fn put(&mut self, element: usize, shared: u32, slot: Slot) {
        if self.by_element.len() <= element {
            self.by_element.resize_with(element + 1, FxHashMap::default);
        }
        self.by_element[element].insert(shared, slot);
    }
}

/// A cell's location and contents, before parsing.
pub struct Cell<'a, F> {
    pub element: &'a Element<F>,
    /// The row (a catalog file's line), and the column of a sheet.
    pub row: u32,
    pub col: Option<u32>,
    pub raw: &'a RawCell,
    pub header: &'a str,
}

static EMPTY: RawCell = RawCell {
    text: String::new(),
    numeric: false,
    shared: None,
};

impl<'a, 'g, F: Copy + PartialEq + FieldId> RowReader<'a, 'g, F> {
    /// The cell of an element in this row, if its column exists.
    pub fn cell(&self, field: F) -> Option<Cell<'a, F>> {
        let col = self.table.column(field)?;
        let (row, at_col) = self.place(col);
        Some(Cell {
            element: self
                .def
                .elements
                .get(col.element)
                .unwrap_or_else(|| self.def.element(field)),
            row,
            col: at_col,
            raw: self.row.cell(col.col).unwrap_or(&EMPTY),
            header: &col.header,
        })
    }

    /// Where a cell is, for a finding.
    pub fn origin_of(&self, cell: &Cell<'_, F>) -> Origin {
        let grid = self.table.grid;
        Origin {
            file: grid.file.clone(),
            sheet: (!grid.yaml).then(|| grid.name.clone()),
            row: Some(cell.row),
            col: cell.col,
        }
    }

    /// The origin of the row itself.
    pub fn row_origin(&self) -> Origin {
        let grid = self.table.grid;
        let mut o = if grid.yaml {
            Origin::file(grid.file.clone())
        } else {
            Origin::sheet(grid.file.clone(), grid.name.clone())
        };
        o.row = Some(self.row.number);
        o
    }

    /// A finding at a cell, with the row's context.
    pub fn finding(&self, rule: Rule, cell: &Cell<'_, F>, message: Msg) -> Diagnostic {
        let mut d = Diagnostic::new(rule, self.origin_of(cell), message)
            .field(cell.element.field.field_id())
            .header(cell.header)
            .context(self.context_cells());
        if !cell.raw.text.is_empty() {
            d = d.value(cell.raw.text.clone());
        }
        d
    }

    fn invalid(&mut self, cell: &Cell<'_, F>, message: Msg, help: Msg) {
        let d = self.finding(Rule::ValueInvalid, cell, message).help(help);
        self.sink.push(d);
    }

    /// Reports a blank required cell.
    pub fn missing(&mut self, rule: Rule, cell: &Cell<'_, F>, message: Option<Msg>) {
        // (An element may name its own rule: a fee item's 收费依据 is
        // fee-basis-missing.)
        let rule = match &cell.element.missing_rule {
            Some(own) if rule == Rule::ValueMissing => own.parse().unwrap_or(rule),
            _ => rule,
        };
        let name = &cell.element.header;
        let help = &cell.element.help;
        let message = message
            .unwrap_or_else(|| text!("必填项“{name}”为空", "required element `{name}` is blank"));
        let d = self.finding(rule, cell, message).help(Msg::new(
            help.clone(),
            format!("fill in {}", cell.element.field.field_id()),
        ));
        self.sink.push(d);
    }

    /// The trimmed, NFKC-normalized text of a coded cell, or None when blank
    /// (reporting value-missing if the element is always required).
    fn coded(&mut self, field: F) -> Option<(Cell<'a, F>, Cow<'a, str>)> {
        let cell = self.cell(field)?;
        let v = clean_code(&cell.raw.text);
        if v.is_empty() {
            if self.def.always_required(cell.element) {
                self.missing(Rule::ValueMissing, &cell, None);
            }
            return None;
        }
        Some((cell, v))
    }

    /// Reads the element of `field` with `read`, or takes what reading the
    /// same shared string as this element gave before (see [`Memo`]).
    fn memoized<T: Memoized + Clone>(
        &mut self,
        field: F,
        read: impl FnOnce(&mut Self) -> Option<Located<T>>,
    ) -> Option<Located<T>> {
        let col = self.table.column(field)?;
        let raw = self.row.cell(col.col).unwrap_or(&EMPTY);
        let Some(shared) = raw.shared else {
            // A blank cell of an element not always required: nothing to
            // read and nothing to report.
            if raw.text.is_empty()
                && self
                    .def
                    .elements
                    .get(col.element)
                    .is_some_and(|e| !self.def.always_required(e))
            {
                return None;
            }
            return read(self);
        };
        let element = col.element;
        if let Some(slot) = self.memo.get(element, shared) {
            if let Slot::Blank = slot {
                return None;
            }
            let (value, raw) = T::from_slot(slot)?;
            let (row, col) = self.place(col);
            return Some(Located {
                value,
                row,
                col,
                raw,
                from_number: false,
            });
        }
        let findings = self.sink.pushed();
        let out = read(self);
        if self.sink.pushed() == findings {
            let slot = match &out {
                Some(l) => T::into_slot(l.value.clone(), l.raw.clone()),
                None => Slot::Blank,
            };
            self.memo.put(element, shared, slot);
        }
        out
    }

    /// Where the cell of a column of this row is: its row (a catalog
    /// file's line) and, in a sheet, its column.
    fn place(&self, col: &Column<F>) -> (u32, Option<u32>) {
        if self.table.grid.yaml {
            let line = self
                .row
                .lines
                .get(col.col as usize)
                .copied()
                .unwrap_or(self.row.number);
            (line, None)
        } else {
            (self.row.number, Some(col.col))
        }
    }

    /// A located value; the cell's text is kept as its raw text.
    fn located<T>(cell: &Cell<'_, F>, value: T) -> Located<T> {
        Located {
            value,
            row: cell.row,
            col: cell.col,
            raw: ArcStr::from(cell.raw.text.as_str()),
            from_number: cell.raw.numeric,
        }
    }

    /// A located whole number; the cell's text is kept as its raw text
    /// unless it is the number's digits (see [`crate::model::CellValue`]).
    fn located_number<T: crate::model::CellValue>(cell: &Cell<'_, F>, value: T) -> Located<T> {
        let t = cell.raw.text.as_bytes();
        let digits =
            !t.is_empty() && t.iter().all(u8::is_ascii_digit) && (t.len() == 1 || t[0] != b'0');
        if !digits {
            return Self::located(cell, value);
        }
        Located {
            value,
            row: cell.row,
            col: cell.col,
            raw: ArcStr::new(),
            from_number: cell.raw.numeric,
        }
    }

    /// A text value; its raw text is kept only when it differs. (A
    /// code-table value is given as its table's own copy of its canonical
    /// name, see [`crate::standard::tables::Table::get`].)
    fn located_text(cell: &Cell<'_, F>, value: ArcStr) -> Located<ArcStr> {
        let raw = if value == cell.raw.text {
            ArcStr::new()
        } else {
            ArcStr::from(cell.raw.text.as_str())
        };
        Located {
            value,
            row: cell.row,
            col: cell.col,
            raw,
            from_number: cell.raw.numeric,
        }
    }

    /// Prose: NFC, trimmed (full-width spaces too), line breaks unified.
    pub fn text(&mut self, field: F) -> Option<Located<ArcStr>> {
        self.memoized(field, |r| r.read_text(field))
    }

    fn read_text(&mut self, field: F) -> Option<Located<ArcStr>> {
        let cell = self.cell(field)?;
        let v = clean_prose(&cell.raw.text);
        if v.is_empty() {
            if self.def.always_required(cell.element) {
                self.missing(Rule::ValueMissing, &cell, None);
            }
            return None;
        }
        self.check_len(&cell, &v);
        Some(Self::located_text(&cell, ArcStr::from(v)))
    }

    fn check_len(&mut self, cell: &Cell<'_, F>, v: &str) {
        if let Some(max) = cell.element.max_len {
            let n = v.chars().count();
            if n > max {
                let name = &cell.element.header;
                let d = self
                    .finding(
                        Rule::ValueTooLong,
                        cell,
                        text!(
                            "“{name}”有 {n} 个字，超过 {max} 字的上限",
                            "`{name}` has {n} characters, over the limit of {max}"
                        ),
                    )
                    .help(text!(
                        "请精简到 {max} 字以内。",
                        "shorten it to at most {max} characters."
                    ));
                self.sink.push(d);
            }
        }
    }

    /// Steps, one a line or separated by →.
    pub fn lines(&mut self, field: F) -> Option<Located<Arc<[ArcStr]>>> {
        self.memoized(field, |r| {
            let t = r.read_text(field)?;
            let steps = split_steps(&t.value);
            Some(t.map(|_| Arc::from(steps)))
        })
    }

    /// A whole number within the element's range.
    pub fn integer(&mut self, field: F) -> Option<Located<u32>> {
        // Most are numbers written as their digits (序号, days, copies):
        // taken as they are when in range; anything else is read in full.
        if let Some(col) = self.table.column(field)
            && let Some(raw) = self.row.cell(col.col)
            && let Some(n) = plain_number(&raw.text)
            && let Some(element) = self.def.elements.get(col.element)
            && element.min.is_none_or(|min| n >= min)
            && element.max.is_none_or(|max| n <= max)
        {
            let (row, at) = self.place(col);
            return Some(Located {
                value: n,
                row,
                col: at,
                raw: ArcStr::new(),
                from_number: raw.numeric,
            });
        }
        self.memoized(field, |r| r.read_integer(field))
    }

    fn read_integer(&mut self, field: F) -> Option<Located<u32>> {
        let (cell, v) = self.coded(field)?;
        match parse_integer(&v) {
            Ok(n) => self
                .in_range(&cell, n)
                .then(|| Self::located_number(&cell, n)),
            Err(hint) => {
                let name = &cell.element.header;
                let help = match hint {
                    Some(n) => text!(
                        "请只填写数字，如“{n}”。",
                        "write the number only, e.g. `{n}`."
                    ),
                    None => text!(
                        "请填写不小于 0 的整数。",
                        "write a whole number, 0 or more."
                    ),
                };
                self.invalid(
                    &cell,
                    text!(
                        "“{name}”应为整数，而不是“{v}”",
                        "`{name}` must be a whole number, not `{v}`"
                    ),
                    help,
                );
                None
            }
        }
    }

    fn in_range(&mut self, cell: &Cell<'_, F>, n: u32) -> bool {
        let (min, max) = (
            cell.element.min.unwrap_or(0),
            cell.element.max.unwrap_or(u32::MAX),
        );
        if n < min || n > max {
            let name = &cell.element.header;
            self.invalid(
                cell,
                text!(
                    "“{name}”为 {n}，超出 {min}–{max} 的范围",
                    "`{name}` is {n}, outside {min}–{max}"
                ),
                Msg::new(
                    cell.element.help.clone(),
                    format!("a whole number from {min} to {max}"),
                ),
            );
            return false;
        }
        true
    }

    /// A time limit in days, or 无 (SPEC §2b: `20`, `20个工作日内`, `即办` …).
    pub fn days(&mut self, field: F) -> Option<Located<Days>> {
        self.memoized(field, |r| r.read_days(field, true))
    }

    /// A time limit in days that must be one (承诺办结时限: 无 is no value).
    pub fn limit(&mut self, field: F) -> Option<Located<u32>> {
        let days = self.memoized(field, |r| r.read_days(field, false))?;
        match days.value {
            Days::Days(n) => Some(days.map(|_| n)),
            Days::None => None,
        }
    }

    fn read_days(&mut self, field: F, none_allowed: bool) -> Option<Located<Days>> {
        let (cell, v) = self.coded(field)?;
        if matches!(&*v, "无" | "无法定时限" | "无时限" | "-" | "/") {
            if none_allowed {
                return Some(Self::located(&cell, Days::None));
            }
            let name = &cell.element.header;
            self.invalid(
                &cell,
                text!("“{name}”不能为“{v}”", "`{name}` cannot be `{v}`"),
                text!(
                    "请填写承诺的工作日数；当场办结的填 0。",
                    "write the promised number of working days; 0 for the same day."
                ),
            );
            return None;
        }
        match values::parse_limit(&v) {
            Ok(l) if l.unit.is_none() && v.bytes().all(|b| b.is_ascii_digit()) => self
                .in_range(&cell, l.days)
                .then(|| Self::located_number(&cell, Days::Days(l.days))),
            Ok(l) => self
                .in_range(&cell, l.days)
                .then(|| Self::located(&cell, Days::Days(l.days))),
            Err(why) => {
                let name = &cell.element.header;
                let help = match why {
                    NotALimit::OtherUnit(n, unit) => text!(
                        "时限以工作日或自然日计，请把“{n}{unit}”换算为天数，如“20个工作日”。",
                        "limits are counted in working or calendar days: convert `{n}{unit}` into days, e.g. `20个工作日`."
                    ),
                    NotALimit::Unreadable(Some(n)) => text!(
                        "请写天数及单位，如“{n}”或“{n}个工作日”；当场办结的填“即办”或 0。",
                        "write the days and their unit, e.g. `{n}` or `{n}个工作日`; `即办` or 0 for the same day."
                    ),
                    NotALimit::Unreadable(None) if none_allowed => text!(
                        "请写天数及单位，如“20个工作日”；当场办结的填“即办”；无法定时限的公共服务填“无”。",
                        "write the days and their unit, e.g. `20个工作日`; `即办` for the same day; `无` for a public service with none."
                    ),
                    NotALimit::Unreadable(None) => text!(
                        "请写天数及单位，如“20个工作日”；当场办结的填“即办”或 0。",
                        "write the days and their unit, e.g. `20个工作日`; `即办` or 0 for the same day."
                    ),
                };
                self.invalid(
                    &cell,
                    text!(
                        "“{name}”应为天数，而不是“{v}”",
                        "`{name}` must be a number of days, not `{v}`"
                    ),
                    help,
                );
                None
            }
        }
    }

    /// Several free-text values (联办机构), separated as multi-valued cells are.
    pub fn list(&mut self, field: F) -> Option<Located<Arc<[ArcStr]>>> {
        self.memoized(field, |r| {
            let t = r.read_text(field)?;
            let mut values: Vec<ArcStr> = Vec::new();
            for part in t.value.split(MULTI_SEPARATORS).map(str::trim) {
                if !part.is_empty() && !values.iter().any(|v| v == part) {
                    values.push(ArcStr::from(part));
                }
            }
            Some(t.map(|_| Arc::from(values)))
        })
    }

    /// A date, kept as ISO 8601.
    pub fn date(&mut self, field: F) -> Option<Located<ArcStr>> {
        self.memoized(field, |r| {
            let (cell, v) = r.coded(field)?;
            if let Some(iso) = values::parse_date(&v, cell.raw.numeric) {
                return Some(Self::located_text(&cell, ArcStr::from(iso)));
            }
            let name = &cell.element.header;
            r.invalid(
                &cell,
                text!("“{name}”不是日期：“{v}”", "`{name}` is not a date: `{v}`"),
                text!(
                    "请按“2026-03-01”或“2026年3月1日”填写。",
                    "write it as `2026-03-01` or `2026年3月1日`."
                ),
            );
            None
        })
    }

    /// A form: the name of a file under the workspace's `forms/`, or an
    /// http(s) URL. (Whether the file is there is form-missing's to say.)
    pub fn form(&mut self, field: F) -> Option<Located<ArcStr>> {
        self.memoized(field, |r| {
            let cell = r.cell(field)?;
            let v = clean_prose(&cell.raw.text);
            if v.is_empty() {
                return None;
            }
            if is_url(&v) || values::is_form_file_name(&v) {
                return Some(Self::located_text(&cell, ArcStr::from(v)));
            }
            let name = &cell.element.header;
            r.invalid(
                &cell,
                text!(
                    "“{name}”应为 forms 文件夹中的文件名或网址，而不是“{v}”",
                    "`{name}` must be a file name in forms/ or a URL, not `{v}`"
                ),
                text!(
                    "把文件放进工作区的 forms 文件夹，这里只写文件名，如“申请表.docx”；或写以 https:// 开头的网址。",
                    "put the file into the workspace's forms folder and write its name only, e.g. `申请表.docx`; or a URL starting with https://."
                ),
            );
            None
        })
    }

    /// A value of the element's code table, stored by its canonical name.
    pub fn choice(&mut self, field: F) -> Option<Located<ArcStr>> {
        self.memoized(field, |r| r.read_choice(field))
    }

    fn read_choice(&mut self, field: F) -> Option<Located<ArcStr>> {
        let (cell, v) = self.coded(field)?;
        let table = self.table_of(&cell);
        match table.lookup(&v) {
            Some(e) => Some(Self::located_text(&cell, e.name.clone())),
            None => {
                // A value the workspace has not enabled (a national category).
                if let Some((message, help)) = table.refusal(&v) {
                    self.invalid(&cell, message, help);
                    return None;
                }
                let suggestion = table.suggest(&v).map(|e| e.name.to_string());
                let names = table.names();
                self.not_in_table(&cell, &v, suggestion, &names);
                None
            }
        }
    }

    /// Several values of the element's code table.
    pub fn choices(&mut self, field: F) -> Option<Located<Arc<[ArcStr]>>> {
        self.memoized(field, |r| r.read_choices(field))
    }

    fn read_choices(&mut self, field: F) -> Option<Located<Arc<[ArcStr]>>> {
        let (cell, v) = self.coded_multi(field)?;
        let table = self.table_of(&cell);
        let mut values: Vec<ArcStr> = Vec::new();
        for part in v
            .split(MULTI_SEPARATORS)
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match table.lookup(part) {
                Some(e) => {
                    if !values.contains(&e.name) {
                        values.push(e.name.clone());
                    }
                }
                None => {
                    let suggestion = table.suggest(part).map(|e| e.name.to_string());
                    let names = table.names();
                    self.not_in_table(&cell, part, suggestion, &names);
                }
            }
        }
        if values.is_empty() {
            return None;
        }
        Some(Self::located(&cell, Arc::from(values)))
    }

    fn coded_multi(&mut self, field: F) -> Option<(Cell<'a, F>, String)> {
        // Keep line breaks: they separate values.
        let cell = self.cell(field)?;
        let v: String = crate::standard::nfkc(&cell.raw.text)
            .chars()
            .filter(|c| *c == '\n' || !c.is_whitespace())
            .collect();
        if v.trim().is_empty() {
            if self.def.always_required(cell.element) {
                self.missing(Rule::ValueMissing, &cell, None);
            }
            return None;
        }
        Some((cell, v))
    }

    /// 是 / 否.
    pub fn yes_no(&mut self, field: F) -> Option<Located<bool>> {
        self.memoized(field, |r| r.read_yes_no(field))
    }

    fn read_yes_no(&mut self, field: F) -> Option<Located<bool>> {
        let mut v = self.read_choice(field)?;
        // (A truth value cannot give its cell's text back: keep it.)
        if v.raw.is_empty() {
            v.raw = v.value.clone();
        }
        let truth = self
            .standard
            .tables
            .table("yes_no")
            .get(&v.value)
            .and_then(|e| e.truth)
            .unwrap_or(false);
        Some(v.map(|_| truth))
    }

    fn table_of(&self, cell: &Cell<'_, F>) -> &'a crate::standard::tables::Table {
        let name = cell.element.table.as_deref().unwrap_or("yes_no");
        self.standard.tables.table(name)
    }

    fn not_in_table(
        &mut self,
        cell: &Cell<'_, F>,
        v: &str,
        suggestion: Option<String>,
        names: &str,
    ) {
        let name = &cell.element.header;
        let help = match &suggestion {
            Some(s) => text!(
                "是否应为“{s}”？可选值：{names}。",
                "did you mean `{s}`? Allowed: {names}."
            ),
            None => text!("可选值：{names}。", "allowed values: {names}."),
        };
        let d = self
            .finding(
                Rule::ValueInvalid,
                cell,
                text!(
                    "“{v}”不是“{name}”的可选值",
                    "`{v}` is not an allowed value of `{name}`"
                ),
            )
            .help(help);
        let d = match suggestion {
            Some(s) => d.label(text!("应为“{s}”？", "did you mean `{s}`?")),
            None => d,
        };
        self.sink.push(d);
    }

    /// A code (USCC, division, 基本编码): NFKC, no spaces, upper case; checked
    /// by the domain rules.
    pub fn code(&mut self, field: F) -> Option<Located<ArcStr>> {
        self.memoized(field, |r| {
            let (cell, v) = r.coded(field)?;
            Some(Self::located_code(&cell, &v.to_uppercase()))
        })
    }

    /// Phone numbers as written, line breaks kept: they separate several
    /// numbers (SPEC §2b). Checked by phone-invalid.
    pub fn phone(&mut self, field: F) -> Option<Located<ArcStr>> {
        self.memoized(field, |r| {
            let (cell, v) = r.coded_multi(field)?;
            Some(Self::located_code(&cell, v.trim()))
        })
    }

    /// A coded value: its cell's text is kept as its raw text when it
    /// differs, or when the cell was a number (digits may have been lost).
    fn located_code(cell: &Cell<'_, F>, value: &str) -> Located<ArcStr> {
        let mut l = Self::located_text(cell, ArcStr::from(value));
        if cell.raw.numeric && l.raw.is_empty() {
            l.raw = l.value.clone();
        }
        l
    }

    /// An http(s) URL.
    pub fn url(&mut self, field: F) -> Option<Located<ArcStr>> {
        self.memoized(field, |r| r.read_url(field))
    }

    fn read_url(&mut self, field: F) -> Option<Located<ArcStr>> {
        let (cell, v) = self.coded(field)?;
        if is_url(&v) {
            return Some(Self::located_code(&cell, &v));
        }
        let name = &cell.element.header;
        let help = if !v.contains("://") && v.contains('.') && !v.contains(char::is_whitespace) {
            text!(
                "网址应以 http:// 或 https:// 开头，如“https://{v}”。",
                "a URL starts with http:// or https://, e.g. `https://{v}`."
            )
        } else {
            text!(
                "请填写以 http:// 或 https:// 开头的完整网址。",
                "write a full URL starting with http:// or https://."
            )
        };
        self.invalid(
            &cell,
            text!(
                "“{name}”不是有效的网址：“{v}”",
                "`{name}` is not a valid URL: `{v}`"
            ),
            help,
        );
        None
    }

    /// The table entry of a canonical value.
    pub fn entry_of(&self, table: &str, name: &Located<ArcStr>) -> Option<&'a TableEntry> {
        self.standard.tables.table(table).get(&name.value)
    }

    /// Whether the element's column exists in this sheet.
    pub fn has_column(&self, field: F) -> bool {
        self.table.column(field).is_some()
    }

    /// Reads the raw, cleaned text of a cell without reporting anything.
    pub fn peek(&self, field: F) -> String {
        self.cell(field)
            .map(|c| clean_prose(&c.raw.text))
            .unwrap_or_default()
    }

    /// The row's context cells that are filled, for a finding.
    pub(super) fn context_cells(&self) -> Vec<(String, String)> {
        self.context
            .iter()
            .map(|&(field, header)| (header.to_string(), self.peek(field)))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// The kind of an element (for generic reading).
    pub fn kind(&self, field: F) -> Kind {
        self.def.element(field).kind
    }
}

/// Prose cleaning: NFC, line endings unified, each line trimmed (full-width
/// spaces included), blank lines at the ends dropped.
pub fn clean_prose(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s = crate::standard::nfc(s);
    let trimmed = s.trim_matches(|c: char| c.is_whitespace());
    // The common case — one line, nothing to trim inside — costs one copy.
    if memchr::memchr2(b'\n', b'\r', trimmed.as_bytes()).is_none() {
        return trimmed.to_string();
    }
    let s = trimmed.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = s
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace()))
        .collect();
    lines
        .join("\n")
        .trim_matches(|c: char| c.is_whitespace())
        .to_string()
}

/// Code cleaning: NFKC, all white space removed.
pub fn clean_code_text(s: &str) -> String {
    clean_code(s).into_owned()
}

/// [`clean_code_text`], borrowing the text when it is clean already (most
/// cells are).
pub fn clean_code(s: &str) -> Cow<'_, str> {
    // (char::is_whitespace of ASCII.)
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    if s.is_ascii() {
        // ASCII is in normal form already: most codes, numbers and phones.
        if !s.as_bytes().iter().any(space) {
            return Cow::Borrowed(s);
        }
        return Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect());
    }
    let s = crate::standard::nfkc(s);
    if !s.chars().any(char::is_whitespace) {
        return s;
    }
    Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect())
}

/// A whole number written as just its digits — no sign, no leading zero,
/// at most nine of them (so it fits a u32) — as the cell holds it.
fn plain_number(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.is_empty() || b.len() > 9 || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    b.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// Parses a whole number; on failure, the number hidden in it when there is
/// one ("3个工作日" → 3), for the hint.
pub fn parse_integer(v: &str) -> Result<u32, Option<u32>> {
    if let Ok(n) = v.parse::<u32>() {
        return Ok(n);
    }
    if let Ok(f) = v.parse::<f64>()
        && f >= 0.0
        && f.fract() == 0.0
        && f <= u32::MAX as f64
    {
        return Ok(f as u32);
    }
    let digits: String = v
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    Err(digits.parse().ok())
}

/// Splits a process into steps: one a line, or separated by arrows; leading
/// step numbers ("1.", "（2）", "③", "第一步：") are dropped.
pub fn split_steps(s: &str) -> Vec<ArcStr> {
    s.split(['\n', '→', '➝', '⇒'])
        .flat_map(|p| p.split("->"))
        .map(strip_step_number)
        .filter(|p| !p.is_empty())
        .map(ArcStr::from)
        .collect()
}

fn strip_step_number(s: &str) -> &str {
    let s = s.trim();
    let t = s.trim_start_matches(['(', '（']);
    let digits = t.trim_start_matches(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    if digits.len() < t.len() {
        let rest = digits.trim_start_matches([')', '）', '.', '．', '、', ':', '：', ' ']);
        if rest.len() < digits.len() {
            return rest.trim();
        }
    }
    let circled = s.trim_start_matches(|c: char| ('①'..='⑳').contains(&c));
    if circled.len() < s.len() {
        return circled.trim_start_matches(['.', '、', ' ']).trim();
    }
    if let Some(rest) = s.strip_prefix('第')
        && let Some(i) = rest.find('步')
    {
        return rest[i + '步'.len_utf8()..]
            .trim_start_matches(['：', ':', '、', ' '])
            .trim();
    }
    s
}

/// An http(s) URL with a host.
pub fn is_url(v: &str) -> bool {
    let after = |scheme: &str| {
        v.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|_| &v[scheme.len()..])
    };
    match after("https://").or_else(|| after("http://")) {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && !v.contains(char::is_whitespace)
                && (host.contains('.')
                    || host
                        .get(..9)
                        .is_some_and(|h| h.eq_ignore_ascii_case("localhost")))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_numbers() {
        assert_eq!(plain_number("0"), Some(0));
        assert_eq!(plain_number("20"), Some(20));
        assert_eq!(plain_number("999999999"), Some(999_999_999));
        for not in [
            "",
            "07",
            "1234567890",
            "20.0",
            "-1",
            "+1",
            " 5",
            "５",
            "3个",
        ] {
            assert_eq!(plain_number(not), None, "{not}");
        }
    }

    #[test]
    fn integers_and_hints() {
        assert_eq!(parse_integer("20"), Ok(20));
        assert_eq!(parse_integer("20.0"), Ok(20));
        assert_eq!(parse_integer("3个工作日"), Err(Some(3)));
        assert_eq!(parse_integer("-1"), Err(Some(1)));
        assert_eq!(parse_integer("即时"), Err(None));
    }

    #[test]
    fn steps_split_and_unnumbered() {
        assert_eq!(
            split_steps("申请→受理→审查→决定"),
            vec!["申请", "受理", "审查", "决定"]
        );
        assert_eq!(
            split_steps("1.申请\n2、受理\n（3）审查\n④决定"),
            vec!["申请", "受理", "审查", "决定"]
        );
        assert_eq!(
            split_steps("第一步：网上申请\n第二步：现场核验"),
            vec!["网上申请", "现场核验"]
        );
        assert_eq!(split_steps("申请->受理"), vec!["申请", "受理"]);
    }

    #[test]
    fn urls() {
        assert!(is_url("https://zwfw.hunan.gov.cn/"));
        assert!(is_url("HTTPS://ZWFW.HUNAN.GOV.CN/"));
        assert!(is_url("http://LocalHost:8080/"));
        assert!(!is_url("https://是"));
        assert!(is_url("http://www.hnloudi.gov.cn/x?a=1"));
        assert!(!is_url("www.hnloudi.gov.cn"));
        assert!(!is_url("https://"));
        assert!(!is_url("ftp://a.b"));
    }

    #[test]
    fn prose_is_trimmed_not_rewritten() {
        assert_eq!(
            clean_prose("　申请人：年满18周岁，\r\n 具有完全民事行为能力。 "),
            "申请人：年满18周岁，\n具有完全民事行为能力。"
        );
    }
}
