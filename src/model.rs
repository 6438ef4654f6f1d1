//! The item model: implementation entries (实施清单) and their materials, each
//! value carrying where it came from so any later stage can point back at the
//! cell (or, for `items/`, the YAML line).

use crate::standard::elements::Field;
pub use arcstr::ArcStr;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// A place in an input: a file, and within it a sheet cell when known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Origin {
    /// The file as the user named it (relative paths stay relative).
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    /// The row number Excel shows (1-based), or the line of a YAML file.
    pub row: Option<u32>,
    /// 0-based column index; shown as a letter.
    pub col: Option<u32>,
}

impl Origin {
    pub fn file(file: Arc<str>) -> Self {
        Origin {
            file,
            ..Origin::default()
        }
    }

    pub fn sheet(file: Arc<str>, sheet: Arc<str>) -> Self {
        Origin {
            file,
            sheet: Some(sheet),
            ..Origin::default()
        }
    }

    pub fn cell(file: Arc<str>, sheet: Arc<str>, row: u32, col: u32) -> Self {
        Origin {
            file,
            sheet: Some(sheet),
            row: Some(row),
            col: Some(col),
        }
    }

    /// The same place, another column of its row.
    pub fn with_col(&self, col: u32) -> Self {
        Origin {
            col: Some(col),
            ..self.clone()
        }
    }

    /// The column letter, `A`…`Z`, `AA`….
    pub fn column_letter(&self) -> Option<String> {
        self.col.map(column_letter)
    }

    /// `H17`, when both row and column are known.
    pub fn a1(&self) -> Option<String> {
        match (self.row, self.col) {
            (Some(r), Some(c)) => Some(format!("{}{}", column_letter(c), r)),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    /// `file · sheet!H17`, or as much of it as is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match (&self.sheet, self.a1(), self.row) {
            (Some(s), Some(a1), _) => write!(f, " · {s}!{a1}"),
            (Some(s), None, Some(r)) => write!(f, " · {s}!{r}:{r}"),
            (Some(s), None, None) => write!(f, " · {s}"),
            (None, _, Some(r)) => write!(f, ":{r}"),
            (None, _, None) => Ok(()),
        }
    }
}

/// Excel's column letters for a 0-based index.
pub fn column_letter(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// A value and the cell it was read from. The file and sheet are those of
/// its row (the entry's or material's `origin`); the value keeps only its
/// row and column, so a province's entries stay small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    /// The row Excel shows (or the YAML line).
    pub row: u32,
    /// 0-based column; none for a YAML value.
    pub col: Option<u32>,
    /// The text as the cell held it, before parsing; empty when it is the
    /// value itself (most text), see [`Located::raw_text`].
    pub raw: ArcStr,
    /// The cell was numeric: a code or phone number may have lost digits.
    pub from_number: bool,
}

impl<T> Located<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Located<U> {
        Located {
            value: f(self.value),
            row: self.row,
            col: self.col,
            raw: self.raw,
            from_number: self.from_number,
        }
    }

    /// The cell's place, in the file and sheet of its row.
    pub fn at(&self, row_origin: &Origin) -> Origin {
        Origin {
            file: row_origin.file.clone(),
            sheet: row_origin.sheet.clone(),
            row: Some(self.row),
            col: self.col,
        }
    }
}

impl<T: CellValue> Located<T> {
    /// The text as the cell held it.
    pub fn raw_text(&self) -> Cow<'_, str> {
        if self.raw.is_empty() {
            self.value.cell_text().unwrap_or_default()
        } else {
            Cow::Borrowed(&self.raw)
        }
    }
}

/// A parsed value whose cell's text it can give back, so that the text is
/// not kept twice: a text itself, a whole number as its digits.
pub trait CellValue {
    fn cell_text(&self) -> Option<Cow<'_, str>> {
        None
    }
}

impl CellValue for ArcStr {
    fn cell_text(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}
impl CellValue for u32 {
    fn cell_text(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.to_string()))
    }
}
impl CellValue for bool {}
impl CellValue for Arc<[ArcStr]> {}
impl CellValue for Days {
    fn cell_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Days::Days(n) => n.cell_text(),
            Days::None => None,
        }
    }
}

/// A text element: shared text, so that the same text in many rows is
/// held once and copied by a count.
pub type Text = Option<Located<ArcStr>>;
/// A multi-valued element (服务对象, 办理形式, the steps of 办理流程),
/// shared as its texts are.
pub type List = Option<Located<Arc<[ArcStr]>>>;

/// 法定办结时限: a number of working days, or 无 (public services only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Days {
    Days(u32),
    None,
}

/// One implementation entry (a row of sheet 事项) and its materials.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// The row it was read from (column unset).
    pub origin: Origin,
    pub seq: Option<Located<u32>>,
    pub name: Text,
    pub sub_name: Text,
    /// Canonical 事项类型 name (see `schemas/codes.yaml`).
    pub category: Text,
    /// Canonical 业务指导部门 name (see `schemas/sectors.yaml`).
    pub sector: Text,
    pub basic_code: Text,
    pub impl_code: Text,
    pub agency: Text,
    pub agency_code: Text,
    pub agency_nature: Text,
    pub level: Text,
    pub division: Text,
    pub power_source: Text,
    pub audience: List,
    pub legal_basis: Text,
    pub conditions: Text,
    pub process: List,
    pub statutory_days: Option<Located<Days>>,
    pub promised_days: Option<Located<u32>>,
    pub handling_type: Text,
    pub visits: Option<Located<u32>>,
    pub charged: Option<Located<bool>>,
    pub fee_standard: Text,
    pub fee_basis: Text,
    pub channels: List,
    pub online_url: Text,
    pub scope: Text,
    pub in_hall: Option<Located<bool>>,
    pub address: Text,
    pub hours: Text,
    pub contact_phone: Text,
    pub complaint_phone: Text,
    pub result_name: Text,
    pub forwarded: Option<Located<bool>>,
    pub notes: Text,
    // 全要素 (SPEC §2a).
    pub authority_division: Text,
    pub exercise_content: Text,
    pub entrusting_agency: Text,
    pub joint_agencies: List,
    /// Canonical topic names (`schemas/topics.yaml`).
    pub citizen_topics: List,
    pub business_topics: List,
    /// Canonical 工作日 / 自然日.
    pub statutory_unit: Text,
    pub statutory_note: Text,
    pub promised_unit: Text,
    pub promised_note: Text,
    pub special_procedure: Text,
    pub visit_reason: Text,
    pub intermediary: Text,
    pub quantity_limit: Text,
    /// Canonical 一级 … 四级.
    pub online_depth: Text,
    pub online: Option<Located<bool>>,
    pub appointment: Option<Located<bool>>,
    pub pay_online: Option<Located<bool>>,
    pub courier: Option<Located<bool>>,
    pub kiosk: Option<Located<bool>>,
    pub consult_way: Text,
    pub complaint_way: Text,
    pub result_type: Text,
    /// A file name under `forms/`, or a URL.
    pub result_sample: Text,
    pub review_standard: Text,
    /// ISO 8601 (`2026-03-01`).
    pub effective_date: Text,
    /// Its materials, each boxed: a sheet's materials are parsed on their
    /// own and then handed to their entries, which moves a pointer each
    /// rather than the whole value.
    pub materials: Vec<Box<Material>>,
    /// Its fee items (sheet 收费项目), in sheet order.
    pub fees: Vec<Box<FeeItem>>,
    /// Its questions (sheet 常见问题), in sheet order.
    pub questions: Vec<Box<Question>>,
}

/// One fee item (a row of sheet 收费项目).
#[derive(Debug, Clone, Default)]
pub struct FeeItem {
    pub origin: Origin,
    pub item_seq: Option<Located<u32>>,
    pub name: Text,
    pub standard: Text,
    pub basis: Text,
    pub reducible: Option<Located<bool>>,
    pub reduction_basis: Text,
}

/// One question and its answer (a row of sheet 常见问题).
#[derive(Debug, Clone, Default)]
pub struct Question {
    pub origin: Origin,
    pub item_seq: Option<Located<u32>>,
    pub question: Text,
    pub answer: Text,
}

/// A row of a sheet that refers to an entry by its 序号 (申请材料, 收费项目,
/// 常见问题): linked to its entry, or reported as an orphan.
pub trait Linked {
    /// Its 事项序号.
    fn item_seq(&self) -> Option<&Located<u32>>;
    fn origin(&self) -> &Origin;
    /// Cells shown before the offending one in human output.
    fn context(&self) -> Vec<(String, String)>;
    /// What the row is, for a message: 材料, 收费项目, 问题.
    fn what(&self) -> crate::diag::Text;
}

impl<T: Linked + ?Sized> Linked for Box<T> {
    fn item_seq(&self) -> Option<&Located<u32>> {
        (**self).item_seq()
    }
    fn origin(&self) -> &Origin {
        (**self).origin()
    }
    fn context(&self) -> Vec<(String, String)> {
        (**self).context()
    }
    fn what(&self) -> crate::diag::Text {
        (**self).what()
    }
}

/// One application material (a row of sheet 申请材料).
#[derive(Debug, Clone, Default)]
pub struct Material {
    pub origin: Origin,
    pub seq: Option<Located<u32>>,
    pub item_seq: Option<Located<u32>>,
    pub name: Text,
    /// Canonical 材料形式.
    pub form: Text,
    pub copies: Option<Located<u32>>,
    pub source: Text,
    pub e_license: Option<Located<bool>>,
    pub necessity: Text,
    pub basis: Text,
    pub notes: Text,
    // 全要素 (SPEC §2a).
    /// Canonical 证件证书证明 / 申请表格文书 / 其他.
    pub material_type: Text,
    pub paper_spec: Text,
    pub source_note: Text,
    pub acceptance_standard: Text,
    /// A file name under `forms/`, or a URL.
    pub blank_form: Text,
    pub sample_form: Text,
}

/// The value of a text element, or "" when absent.
pub fn text(v: &Text) -> &str {
    v.as_ref().map_or("", |l| l.value.as_str())
}

impl Entry {
    /// The prose elements, for rules that read wording (catch-all, vague).
    pub fn prose(&self) -> impl Iterator<Item = (Field, &Located<ArcStr>)> {
        [
            (Field::Name, &self.name),
            (Field::SubName, &self.sub_name),
            (Field::Conditions, &self.conditions),
            (Field::LegalBasis, &self.legal_basis),
            (Field::FeeStandard, &self.fee_standard),
            (Field::FeeBasis, &self.fee_basis),
            (Field::Address, &self.address),
            (Field::Hours, &self.hours),
            (Field::ResultName, &self.result_name),
            (Field::Notes, &self.notes),
        ]
        .into_iter()
        .filter_map(|(f, v)| v.as_ref().map(|l| (f, l)))
    }

    /// Cells shown before the offending one in human output: 序号 and 事项名称.
    pub fn context(&self) -> Vec<(String, String)> {
        Entry::context_of(self.seq.as_ref(), self.name.as_ref())
    }

    /// The context of a row of sheet 事项 from its 序号 and 事项名称.
    pub fn context_of(
        seq: Option<&Located<u32>>,
        name: Option<&Located<ArcStr>>,
    ) -> Vec<(String, String)> {
        let mut ctx = Vec::new();
        if let Some(s) = seq {
            ctx.push(("序号".to_string(), s.value.to_string()));
        }
        if let Some(n) = name {
            ctx.push(("事项名称".to_string(), n.value.to_string()));
        }
        ctx
    }
}

/// The context of a row that refers to an entry: its 事项序号 and its name.
fn linked_context(
    item_seq: &Option<Located<u32>>,
    name_header: &str,
    name: &Text,
) -> Vec<(String, String)> {
    let mut ctx = Vec::new();
    if let Some(s) = item_seq {
        ctx.push(("事项序号".to_string(), s.value.to_string()));
    }
    if let Some(n) = name {
        ctx.push((name_header.to_string(), n.value.to_string()));
    }
    ctx
}

impl Material {
    /// Cells shown before the offending one in human output.
    pub fn context(&self) -> Vec<(String, String)> {
        linked_context(&self.item_seq, "材料名称", &self.name)
    }
}

impl Linked for Material {
    fn item_seq(&self) -> Option<&Located<u32>> {
        self.item_seq.as_ref()
    }
    fn origin(&self) -> &Origin {
        &self.origin
    }
    fn context(&self) -> Vec<(String, String)> {
        Material::context(self)
    }
    fn what(&self) -> crate::diag::Text {
        crate::text!("材料", "material")
    }
}

impl Linked for FeeItem {
    fn item_seq(&self) -> Option<&Located<u32>> {
        self.item_seq.as_ref()
    }
    fn origin(&self) -> &Origin {
        &self.origin
    }
    fn context(&self) -> Vec<(String, String)> {
        linked_context(&self.item_seq, "收费项目名称", &self.name)
    }
    fn what(&self) -> crate::diag::Text {
        crate::text!("收费项目", "fee item")
    }
}

impl Linked for Question {
    fn item_seq(&self) -> Option<&Located<u32>> {
        self.item_seq.as_ref()
    }
    fn origin(&self) -> &Origin {
        &self.origin
    }
    fn context(&self) -> Vec<(String, String)> {
        linked_context(&self.item_seq, "问题", &self.question)
    }
    fn what(&self) -> crate::diag::Text {
        crate::text!("问题", "question")
    }
}

/// A filing read and parsed: its entries (with materials attached) and the
/// counts the report needs.
#[derive(Debug, Clone, Default)]
pub struct Filing {
    /// The file as the user named it (for a CSV pair, its 事项 file).
    pub file: Arc<str>,
    pub entries: Vec<Entry>,
    /// Materials read, including orphans.
    pub material_count: usize,
    /// Whether materials could be linked to entries (both sheets read, with
    /// their 序号 columns); rules about missing materials need it.
    pub materials_known: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(7), "H");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn origin_display() {
        let o = Origin::cell("公安.xlsx".into(), "事项".into(), 17, 7);
        assert_eq!(o.to_string(), "公安.xlsx · 事项!H17");
        assert_eq!(Origin::file("a.xlsx".into()).to_string(), "a.xlsx");
    }
}
