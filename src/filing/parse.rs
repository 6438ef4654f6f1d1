//! Turning mapped sheets into the item model: one [`Entry`] per data row of 事项,
//! one [`Material`] per row of 申请材料 (and a [`FeeItem`] or [`Question`] per row
//! of the optional sheets), with the structural rules of a row (conditional
//! requirements) applied on the way. Linking rows by 序号 is
//! [`super::links`]'s.

use super::cells::{Memo, RowReader};
use super::layout::FieldId;
use super::layout::Table;
use super::source::GridRow;
use crate::diag::{Rule, Sink, Text as Msg};
use crate::model::{Days, Entry, FeeItem, Material, Question};
use crate::standard::Standard;
use crate::standard::elements::{
    FeeField, Field, MaterialField, QuestionField, Required, SheetDef,
};
use crate::text;

/// Words that open a note row under (or inside) the table rather than data.
const NOTE_OPENERS: &[&str] = &[
    "注",
    "说明",
    "填表",
    "填报",
    "备注",
    "附",
    "审核",
    "制表",
    "联系人",
    "合计",
    "负责人",
    "单位负责人",
];

/// Whether a row is a note, a signature line or a column-number row, not data.
fn is_note_row(row: &GridRow) -> bool {
    let mut filled = row
        .cells
        .iter()
        .map(|c| c.text.trim())
        .filter(|t| !t.is_empty());
    let Some(first) = filled.next() else {
        return true;
    };
    // (Data rows have many cells filled: two more decide most of them.)
    if filled.clone().nth(1).is_none() {
        let first = first.trim_start_matches(['*', '※', '　', ' ']);
        if NOTE_OPENERS.iter().any(|w| first.starts_with(w)) {
            return true;
        }
    }
    // A row that only numbers the columns: 1, 2, 3, …, five at least.
    first.parse::<usize>().ok() == Some(1)
        && filled.clone().nth(3).is_some()
        && filled
            .enumerate()
            .all(|(i, t)| t.parse::<usize>().ok() == Some(i + 2))
}

/// Whether a row holds no entry: only its key column (序号 / 事项序号) is
/// filled — templates are often numbered down the sheet in advance — or a
/// single cell holds text, as section titles ("一、行政许可") and notes do.
fn is_placeholder_row(row: &GridRow, key_col: Option<u32>) -> bool {
    let mut filled = row
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (i as u32, c.text.trim()))
        .filter(|(_, t)| !t.is_empty());
    let Some((c0, t0)) = filled.next() else {
        return true;
    };
    let mut only_key = Some(c0) == key_col;
    let mut count = 1;
    for (c, _) in filled {
        count += 1;
        only_key &= Some(c) == key_col;
        if count > 1 && !only_key {
            return false;
        }
    }
    only_key || (count == 1 && t0.parse::<f64>().is_err())
}

/// Parses data rows one at a time, as they are read: rows up to the header,
/// notes and placeholders are passed over; each other row becomes a `T`.
pub struct RowParser<'s, F: 'static, T> {
    def: &'s SheetDef<F>,
    standard: &'s Standard,
    key_col: Option<u32>,
    header_row: u32,
    context: &'static [(F, &'static str)],
    read: fn(&mut RowReader<'_, '_, F>) -> T,
    /// The 序号 of the entries that have fee items (sheet 收费项目).
    fee_seqs: Option<&'s FeeSeqs>,
    /// What the sheet's shared strings gave so far.
    memo: Memo,
    /// What was parsed so far.
    pub out: Vec<T>,
}

/// The cells a finding on sheet 事项 shows first.
const ENTRY_CONTEXT: &[(Field, &str)] = &[(Field::Seq, "序号"), (Field::Name, "事项名称")];
/// The cells a finding on sheet 申请材料 shows first.
const MATERIAL_CONTEXT: &[(MaterialField, &str)] = &[
    (MaterialField::ItemSeq, "事项序号"),
    (MaterialField::Name, "材料名称"),
];
/// The cells a finding on sheet 收费项目 shows first.
const FEE_CONTEXT: &[(FeeField, &str)] = &[
    (FeeField::ItemSeq, "事项序号"),
    (FeeField::Name, "收费项目名称"),
];
/// The cells a finding on sheet 常见问题 shows first.
const QUESTION_CONTEXT: &[(QuestionField, &str)] = &[
    (QuestionField::ItemSeq, "事项序号"),
    (QuestionField::Question, "问题"),
];

/// The 序号 of the entries that have fee items.
pub type FeeSeqs = rustc_hash::FxHashSet<u32>;

impl<'s, F: Copy + PartialEq + FieldId + 'static, T> RowParser<'s, F, T> {
    /// A parser of the data rows of `table`, its key column `key`.
    fn new(
        table: &Table<'_, F>,
        def: &'s SheetDef<F>,
        standard: &'s Standard,
        key: F,
        context: &'static [(F, &'static str)],
        read: fn(&mut RowReader<'_, '_, F>) -> T,
    ) -> Self {
        RowParser {
            def,
            standard,
            key_col: table.column(key).map(|c| c.col),
            header_row: table.header_row(),
            context,
            read,
            fee_seqs: None,
            memo: Memo::default(),
            out: Vec::new(),
        }
    }

    /// Knows which entries have fee items, which stand for the entry's own
    /// 收费标准 and 收费依据 (SPEC §2a).
    pub fn with_fees(mut self, fee_seqs: &'s FeeSeqs) -> Self {
        self.fee_seqs = Some(fee_seqs);
        self
    }

    /// Parses one row of the table's sheet (rows must come in sheet order).
    pub fn row(&mut self, table: &Table<'_, F>, row: &GridRow, sink: &mut Sink) {
        if row.number <= self.header_row
            || is_note_row(row)
            || is_placeholder_row(row, self.key_col)
        {
            return;
        }
        let mut r = RowReader {
            table,
            def: self.def,
            standard: self.standard,
            row,
            sink,
            context: self.context,
            memo: &mut self.memo,
            fee_seqs: self.fee_seqs,
        };
        self.out.push((self.read)(&mut r));
    }

    /// Makes room for `n` more parsed rows.
    pub fn reserve(&mut self, n: usize) {
        self.out.reserve_exact(n);
    }

    /// Parses the rows the table's own grid holds.
    pub fn grid_rows(mut self, table: &Table<'_, F>, sink: &mut Sink) -> Vec<T> {
        for row in &table.grid.rows[table.header_index + 1..] {
            self.row(table, row, sink);
        }
        self.out
    }
}

/// A parser of the 事项 rows of a table into entries.
pub fn entry_parser<'s>(
    table: &Table<'_, Field>,
    standard: &'s Standard,
) -> RowParser<'s, Field, Entry> {
    RowParser::new(
        table,
        &standard.elements.items,
        standard,
        Field::Seq,
        ENTRY_CONTEXT,
        read_entry,
    )
}

/// A parser of the 申请材料 rows of a table into materials.
pub fn material_parser<'s>(
    table: &Table<'_, MaterialField>,
    standard: &'s Standard,
) -> RowParser<'s, MaterialField, Box<Material>> {
    RowParser::new(
        table,
        &standard.elements.materials,
        standard,
        MaterialField::ItemSeq,
        MATERIAL_CONTEXT,
        |r| Box::new(read_material(r)),
    )
}

fn read_entry(r: &mut RowReader<'_, '_, Field>) -> Entry {
    let mut e = Entry {
        origin: r.row_origin(),
        seq: r.integer(Field::Seq),
        name: r.text(Field::Name),
        sub_name: r.text(Field::SubName),
        category: r.choice(Field::Category),
        sector: r.choice(Field::Sector),
        basic_code: r.code(Field::BasicCode),
        impl_code: r.code(Field::ImplCode),
        agency: r.text(Field::Agency),
        agency_code: r.code(Field::AgencyCode),
        agency_nature: r.choice(Field::AgencyNature),
        level: r.choice(Field::Level),
        division: r.code(Field::Division),
        power_source: r.choice(Field::PowerSource),
        audience: r.choices(Field::Audience),
        legal_basis: r.text(Field::LegalBasis),
        conditions: r.text(Field::Conditions),
        process: r.lines(Field::Process),
        statutory_days: r.days(Field::StatutoryDays),
        promised_days: r.limit(Field::PromisedDays),
        handling_type: r.choice(Field::HandlingType),
        visits: r.integer(Field::Visits),
        charged: r.yes_no(Field::Charged),
        fee_standard: r.text(Field::FeeStandard),
        fee_basis: r.text(Field::FeeBasis),
        channels: r.choices(Field::Channels),
        online_url: r.url(Field::OnlineUrl),
        scope: r.choice(Field::Scope),
        in_hall: r.yes_no(Field::InHall),
        address: r.text(Field::Address),
        hours: r.text(Field::Hours),
        contact_phone: r.phone(Field::ContactPhone),
        complaint_phone: r.phone(Field::ComplaintPhone),
        result_name: r.text(Field::ResultName),
        forwarded: r.yes_no(Field::Forwarded),
        notes: r.text(Field::Notes),
        authority_division: r.text(Field::AuthorityDivision),
        exercise_content: r.text(Field::ExerciseContent),
        entrusting_agency: r.text(Field::EntrustingAgency),
        joint_agencies: r.list(Field::JointAgencies),
        citizen_topics: r.choices(Field::CitizenTopics),
        business_topics: r.choices(Field::BusinessTopics),
        statutory_unit: r.choice(Field::StatutoryUnit),
        statutory_note: r.text(Field::StatutoryNote),
        promised_unit: r.choice(Field::PromisedUnit),
        promised_note: r.text(Field::PromisedNote),
        special_procedure: r.text(Field::SpecialProcedure),
        visit_reason: r.text(Field::VisitReason),
        intermediary: r.text(Field::Intermediary),
        quantity_limit: r.text(Field::QuantityLimit),
        online_depth: r.choice(Field::OnlineDepth),
        online: r.yes_no(Field::Online),
        appointment: r.yes_no(Field::Appointment),
        pay_online: r.yes_no(Field::PayOnline),
        courier: r.yes_no(Field::Courier),
        kiosk: r.yes_no(Field::Kiosk),
        consult_way: r.text(Field::ConsultWay),
        complaint_way: r.text(Field::ComplaintWay),
        result_type: r.choice(Field::ResultType),
        result_sample: r.form(Field::ResultSample),
        review_standard: r.text(Field::ReviewStandard),
        effective_date: r.date(Field::EffectiveDate),
        materials: Vec::new(),
        fees: Vec::new(),
        questions: Vec::new(),
    };
    conditional_requirements(r, &mut e);
    r.check_conditions();
    e
}

/// The requirements of SPEC §2 that depend on other cells of the row. Those
/// with a rule of their own (legal-basis-missing, fee-basis-missing,
/// online-url-missing) are reported under it, once, not also as value-missing.
fn conditional_requirements(r: &mut RowReader<'_, '_, Field>, e: &mut Entry) {
    let category = e.category.as_ref().and_then(|c| r.entry_of("category", c));
    let power = category.map(|c| c.power);
    let needs_result = category.map(|c| c.needs_result);
    let charged = e.charged.as_ref().map(|c| c.value);
    let channel_flag = |flag: fn(&crate::standard::tables::TableEntry) -> bool| {
        e.channels.as_ref().map(|ch| {
            ch.value
                .iter()
                .any(|c| r.standard.tables.table("channel").get(c).is_some_and(flag))
        })
    };
    let online = channel_flag(|t| t.online);
    let window = channel_flag(|t| t.window);
    // Fee items stand for the entry's own 收费标准 and 收费依据.
    let has_fees = e
        .seq
        .as_ref()
        .is_some_and(|s| r.fee_seqs.is_some_and(|f| f.contains(&s.value)));

    let present: [(Field, bool); 10] = [
        (Field::PowerSource, e.power_source.is_some()),
        (Field::LegalBasis, e.legal_basis.is_some()),
        (Field::StatutoryDays, e.statutory_days.is_some()),
        (Field::ResultName, e.result_name.is_some()),
        (Field::FeeStandard, e.fee_standard.is_some() || has_fees),
        (Field::FeeBasis, e.fee_basis.is_some() || has_fees),
        (Field::OnlineUrl, e.online_url.is_some()),
        (Field::Address, e.address.is_some()),
        (Field::Seq, true),
        (Field::Name, true),
    ];
    for (field, is_present) in present {
        if is_present {
            continue;
        }
        let Some(cell) = r.cell(field) else { continue };
        // A value that was there but invalid has been reported already.
        if !cell.raw.text.trim().is_empty() {
            continue;
        }
        let needed = match cell.element.required {
            Required::WhenPower => power,
            Required::WhenResult => needs_result,
            Required::WhenCharged => charged,
            Required::WhenOnline => online,
            Required::WhenWindow => window,
            Required::Yes | Required::No => Some(false),
        };
        if needed != Some(true) {
            continue;
        }
        let name = cell.element.header.clone();
        let category_name = e
            .category
            .as_ref()
            .map(|c| c.value.clone())
            .unwrap_or_default();
        let (rule, message): (Rule, Msg) = match field {
            Field::LegalBasis => (
                Rule::LegalBasisMissing,
                text!(
                    "{category_name}事项必须填写设定依据",
                    "a {category_name} entry must state its legal basis"
                ),
            ),
            Field::FeeStandard | Field::FeeBasis => (
                Rule::FeeBasisMissing,
                text!(
                    "是否收费为“是”，但“{name}”为空",
                    "charged, but `{name}` is blank"
                ),
            ),
            Field::OnlineUrl => (
                Rule::OnlineUrlMissing,
                text!(
                    "办理形式含网上或移动端办理，但网办地址为空",
                    "an online channel is chosen but the online address is blank"
                ),
            ),
            _ => (
                Rule::ValueMissing,
                text!(
                    "“{name}”为空（本事项必须填写）",
                    "`{name}` is blank (required for this entry)"
                ),
            ),
        };
        r.missing(rule, &cell, Some(message));
    }

    // 无 as a statutory time limit is for public services only.
    if let (Some(days), Some(true)) = (&e.statutory_days, power)
        && days.value == Days::None
        && let Some(cell) = r.cell(Field::StatutoryDays)
    {
        let category_name = e
            .category
            .as_ref()
            .map(|c| c.value.clone())
            .unwrap_or_default();
        let d = r
            .finding(
                Rule::ValueInvalid,
                &cell,
                text!(
                    "{category_name}事项必须有法定办结时限，不能填“无”",
                    "a {category_name} entry must have a statutory time limit, not `无`"
                ),
            )
            .help(text!(
                "按设定依据填写法定办结时限（工作日）。",
                "write the statutory limit in working days, from the legal basis."
            ));
        r.sink.push(d);
        e.statutory_days = None;
    }
}

/// Reads the materials of a 申请材料 sheet.
pub fn materials(
    table: &Table<'_, MaterialField>,
    standard: &Standard,
    sink: &mut Sink,
) -> Vec<Box<Material>> {
    material_parser(table, standard).grid_rows(table, sink)
}

fn read_material(r: &mut RowReader<'_, '_, MaterialField>) -> Material {
    let m = Material {
        origin: r.row_origin(),
        seq: r.integer(MaterialField::Seq),
        item_seq: r.integer(MaterialField::ItemSeq),
        name: r.text(MaterialField::Name),
        form: r.choice(MaterialField::Form),
        copies: r.integer(MaterialField::Copies),
        source: r.choice(MaterialField::Source),
        e_license: r.yes_no(MaterialField::ELicense),
        necessity: r.choice(MaterialField::Necessity),
        basis: r.text(MaterialField::Basis),
        notes: r.text(MaterialField::Notes),
        material_type: r.choice(MaterialField::MaterialType),
        paper_spec: r.text(MaterialField::PaperSpec),
        source_note: r.text(MaterialField::SourceNote),
        acceptance_standard: r.text(MaterialField::AcceptanceStandard),
        blank_form: r.form(MaterialField::BlankForm),
        sample_form: r.form(MaterialField::SampleForm),
    };
    r.check_conditions();
    // Paper forms need at least one copy.
    if let (Some(copies), Some(form)) = (&m.copies, &m.form)
        && copies.value == 0
        && !r
            .entry_of("material_form", form)
            .is_some_and(|f| f.electronic)
        && let Some(cell) = r.cell(MaterialField::Copies)
    {
        let f = &form.value;
        let d = r
            .finding(
                Rule::ValueInvalid,
                &cell,
                text!(
                    "材料形式为“{f}”，份数不能为 0",
                    "a material in form `{f}` needs at least one copy"
                ),
            )
            .help(text!(
                "纸质材料至少填 1 份；只收电子材料的，材料形式填“电子材料”。",
                "paper forms need 1 copy or more; use 电子材料 for electronic-only materials."
            ));
        r.sink.push(d);
    }
    m
}

/// A parser of the 收费项目 rows of a table into fee items.
pub fn fee_parser<'s>(
    table: &Table<'_, FeeField>,
    standard: &'s Standard,
) -> RowParser<'s, FeeField, Box<FeeItem>> {
    RowParser::new(
        table,
        &standard.elements.fees,
        standard,
        FeeField::ItemSeq,
        FEE_CONTEXT,
        |r| Box::new(read_fee(r)),
    )
}

fn read_fee(r: &mut RowReader<'_, '_, FeeField>) -> FeeItem {
    let f = FeeItem {
        origin: r.row_origin(),
        item_seq: r.integer(FeeField::ItemSeq),
        name: r.text(FeeField::Name),
        standard: r.text(FeeField::Standard),
        basis: r.text(FeeField::Basis),
        reducible: r.yes_no(FeeField::Reducible),
        reduction_basis: r.text(FeeField::ReductionBasis),
    };
    r.check_conditions();
    f
}

/// A parser of the 常见问题 rows of a table into questions.
pub fn question_parser<'s>(
    table: &Table<'_, QuestionField>,
    standard: &'s Standard,
) -> RowParser<'s, QuestionField, Box<Question>> {
    RowParser::new(
        table,
        &standard.elements.questions,
        standard,
        QuestionField::ItemSeq,
        QUESTION_CONTEXT,
        |r| {
            Box::new(Question {
                origin: r.row_origin(),
                item_seq: r.integer(QuestionField::ItemSeq),
                question: r.text(QuestionField::Question),
                answer: r.text(QuestionField::Answer),
            })
        },
    )
}

/// The 序号 of the entries that fee items refer to.
pub fn fee_seqs(fees: &[Box<FeeItem>]) -> FeeSeqs {
    fees.iter()
        .filter_map(|f| f.item_seq.as_ref().map(|s| s.value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filing::source::RawCell;

    fn row(cells: &[&str]) -> GridRow {
        GridRow {
            number: 5,
            cells: cells.iter().map(|t| RawCell::text(t.to_string())).collect(),
            lines: Vec::new(),
        }
    }

    #[test]
    fn notes_and_column_numbers_are_not_data() {
        assert!(is_note_row(&row(&[])));
        assert!(is_note_row(&row(&["", "  "])));
        assert!(is_note_row(&row(&["注：本表由各部门填报", "", "制表人"])));
        assert!(is_note_row(&row(&["", "※ 说明"])));
        assert!(is_note_row(&row(&["1", "2", "3", "4", "5"])));
        assert!(is_note_row(&row(&["1", "", "2", "3", " 4 ", "5", "6"])));
        // Not notes: a data row, numbers that stop counting, too few.
        assert!(!is_note_row(&row(&[
            "1",
            "社会团体成立登记",
            "",
            "行政许可"
        ])));
        assert!(!is_note_row(&row(&["1", "2", "3", "4", "6"])));
        assert!(!is_note_row(&row(&["1", "2", "3", "4"])));
        assert!(!is_note_row(&row(&["2", "3", "4", "5", "6"])));
        assert!(!is_note_row(&row(&["说明书核发", "行政许可", "民政"])));
    }
}
