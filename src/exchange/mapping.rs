//! Which platform column carries which element, and how its value is
//! written there: one table that the export and the import both read, so
//! the two directions cannot drift apart. Elements that need more than one
//! column or a composed text (事项名称, 行政区划代码, the phones and ways of
//! 咨询 and 投诉, 网办地址) are handled in `outbound`/`inbound`; elements with
//! no column at all travel in `extend_field` (docs/exchange.md).

use super::codes::Codes;
use super::tables::Table;
use crate::standard::elements::{FeeField, Field, MaterialField, QuestionField};

/// How an element's cell text becomes a column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conv {
    /// The text as it is.
    Text,
    /// One value of a code table, as its platform code.
    Code(&'static str),
    /// Several values of a code table (`、` in a cell), as codes joined by `,`.
    Codes(&'static str),
    /// A whole number.
    Int,
    /// A date (`2026-03-01`), as a datetime at midnight.
    Date,
}

/// One element in one column.
#[derive(Debug, Clone, Copy)]
pub struct Map<F> {
    pub field: F,
    pub table: Table,
    pub key: &'static str,
    pub conv: Conv,
}

const fn m<F>(field: F, table: Table, key: &'static str, conv: Conv) -> Map<F> {
    Map {
        field,
        table,
        key,
        conv,
    }
}

use Conv::*;
use Table::{Basic, Extend, Fee, Material, Questions};

/// The elements of an entry with a column of their own.
pub const ENTRY: &[Map<Field>] = &[
    m(Field::Conditions, Basic, "accept_condition", Text),
    m(Field::StatutoryNote, Basic, "anticipate_explain", Text),
    m(
        Field::StatutoryUnit,
        Basic,
        "anticipate_type",
        Code("days_unit"),
    ),
    m(Field::LegalBasis, Basic, "by_law", Text),
    m(Field::BasicCode, Basic, "catalog_code", Text),
    m(Field::AgencyCode, Basic, "dept_code", Text),
    m(Field::Agency, Basic, "dept_name", Text),
    m(
        Field::AgencyNature,
        Basic,
        "dept_type",
        Code("agency_nature"),
    ),
    m(Field::EntrustingAgency, Basic, "entrust_name", Text),
    m(Field::FeeBasis, Basic, "fee_basis", Text),
    m(Field::Process, Basic, "handle_flow", Text),
    m(Field::Channels, Basic, "handle_type", Codes("channel")),
    m(Field::Charged, Basic, "is_fee", Code("yes_no")),
    m(Field::Visits, Basic, "limit_scene_num", Int),
    m(Field::EffectiveDate, Basic, "plan_effective_date", Date),
    m(
        Field::PowerSource,
        Basic,
        "power_source",
        Code("power_source"),
    ),
    m(
        Field::HandlingType,
        Basic,
        "project_type",
        Code("handling_type"),
    ),
    m(Field::PromisedDays, Basic, "promise_day", Int),
    m(Field::PromisedNote, Basic, "promise_explain", Text),
    m(
        Field::PromisedUnit,
        Basic,
        "promise_type",
        Code("days_unit"),
    ),
    m(Field::Audience, Basic, "server_type", Codes("audience")),
    m(Field::SpecialProcedure, Basic, "special_procedure", Text),
    m(Field::ImplCode, Basic, "task_code", Text),
    m(Field::Category, Basic, "task_type", Code("category")),
    m(Field::Address, Basic, "transact_addr", Text),
    m(Field::Hours, Basic, "transact_time", Text),
    m(Field::Level, Basic, "use_level", Code("level")),
    m(
        Field::BusinessTopics,
        Extend,
        "corp_topic_type",
        Codes("business_topic"),
    ),
    m(Field::Scope, Extend, "handle_area", Code("scope")),
    m(Field::InHall, Extend, "is_entry_center", Code("yes_no")),
    m(Field::Courier, Extend, "is_express", Code("yes_no")),
    m(Field::Online, Extend, "is_online", Code("yes_no")),
    m(Field::PayOnline, Extend, "is_pay_online", Code("yes_no")),
    m(Field::Appointment, Extend, "is_schedule", Code("yes_no")),
    m(Field::Kiosk, Extend, "is_service_terminals", Code("yes_no")),
    m(Field::QuantityLimit, Extend, "limit_explain", Text),
    m(Field::VisitReason, Extend, "limit_scene_explain", Text),
    m(
        Field::OnlineDepth,
        Extend,
        "online_handle_depth",
        Code("online_depth"),
    ),
    m(Field::JointAgencies, Extend, "other_dept", Text),
    m(Field::ResultSample, Extend, "result_guid", Text),
    m(Field::ResultName, Extend, "result_name", Text),
    m(
        Field::ResultType,
        Extend,
        "result_type",
        Code("result_type"),
    ),
    m(Field::Intermediary, Extend, "service_type", Text),
    m(
        Field::CitizenTopics,
        Extend,
        "user_topic_type",
        Codes("citizen_topic"),
    ),
];

/// Elements carried by the special cases of `outbound`/`inbound`, and the
/// column that carries them (for the place of a finding).
pub const COMPOSED: &[(Field, Table, &str)] = &[
    (Field::Name, Basic, "task_name"),
    (Field::StatutoryDays, Basic, "anticipate_day"),
    (Field::ContactPhone, Basic, "link_way"),
    (Field::ConsultWay, Basic, "link_way"),
    (Field::ComplaintPhone, Basic, "supervise_way"),
    (Field::ComplaintWay, Basic, "supervise_way"),
    (Field::OnlineUrl, Extend, "online_handle_url"),
    (Field::Division, Extend, "village_code"),
];

/// Elements no platform column carries: they travel in `extend_field`.
pub const EXTEND_ONLY: &[Field] = &[
    Field::Sector,
    Field::SubName,
    Field::FeeStandard,
    Field::Notes,
    Field::Forwarded,
    Field::AuthorityDivision,
    Field::ExerciseContent,
    Field::ReviewStandard,
];

/// The elements of a material.
pub const MATERIAL: &[Map<MaterialField>] = &[
    m(
        MaterialField::AcceptanceStandard,
        Material,
        "accept_stand",
        Text,
    ),
    m(MaterialField::Basis, Material, "by_law", Text),
    m(MaterialField::SampleForm, Material, "example_guid", Text),
    m(MaterialField::Notes, Material, "fill_explain", Text),
    m(MaterialField::BlankForm, Material, "form_guid", Text),
    m(
        MaterialField::Necessity,
        Material,
        "is_need",
        Code("necessity"),
    ),
    m(
        MaterialField::Form,
        Material,
        "material_format",
        Code("material_form"),
    ),
    m(MaterialField::Name, Material, "material_name", Text),
    m(
        MaterialField::MaterialType,
        Material,
        "material_type",
        Code("material_type"),
    ),
    m(MaterialField::PaperSpec, Material, "page_format", Text),
    m(MaterialField::Copies, Material, "page_num", Int),
    m(MaterialField::SourceNote, Material, "source_explain", Text),
    m(
        MaterialField::Source,
        Material,
        "source_type",
        Code("material_source"),
    ),
];

/// The elements of a fee item.
pub const FEE: &[Map<FeeField>] = &[
    m(FeeField::Basis, Fee, "by_law", Text),
    m(FeeField::ReductionBasis, Fee, "desc_explain", Text),
    m(FeeField::Name, Fee, "fee_name", Text),
    m(FeeField::Standard, Fee, "fee_stand", Text),
    m(FeeField::Reducible, Fee, "is_desc", Code("yes_no")),
];

/// The elements of a question.
pub const QUESTION: &[Map<QuestionField>] = &[
    m(QuestionField::Answer, Questions, "answer", Text),
    m(QuestionField::Question, Questions, "question", Text),
];

/// A cell's text as the column's text (before it is typed): a code for a
/// value, codes joined by `,` for values joined by `、`, a datetime for a
/// date. A value without a code keeps its text.
pub fn to_column(conv: Conv, cell: &str, codes: &Codes) -> String {
    match conv {
        Text | Int => cell.to_string(),
        Code(table) => codes.code(table, cell).unwrap_or(cell).to_string(),
        Codes(table) => {
            let names: Vec<String> = cell.split('、').map(str::to_string).collect();
            codes.join(table, &names)
        }
        Date => format!("{cell} 00:00:00"),
    }
}

/// A column's text as a cell's: the inverse of [`to_column`]. A code the
/// table does not know keeps its text, for the check to report.
pub fn to_cell(conv: Conv, column: &str, codes: &Codes) -> String {
    match conv {
        Text | Int => column.to_string(),
        Code(table) => codes.name(table, column).unwrap_or(column).to_string(),
        Codes(table) => codes.split(table, column).join("、"),
        Date => date_part(column).to_string(),
    }
}

/// `2026-03-01` of `2026-03-01 00:00:00` (or of `2026-03-01T…`); other
/// text as it is, for the check to report.
fn date_part(s: &str) -> &str {
    let b = s.as_bytes();
    let dated = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    let rest_is_midnight = s.get(10..).is_some_and(|r| {
        let r = r.trim_start_matches([' ', 'T']);
        r.is_empty() || r.trim_end_matches(['0', ':', '.', 'Z']).is_empty()
    });
    if dated && rest_is_midnight {
        &s[..10]
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::tables::{Family, index_of};

    #[test]
    fn every_mapped_key_is_a_column_of_its_table() {
        let check = |table: Table, key: &str| {
            assert!(
                index_of(table.columns(Family::General), key).is_some(),
                "{key} is no column of {table:?}"
            );
        };
        ENTRY.iter().for_each(|m| check(m.table, m.key));
        COMPOSED.iter().for_each(|(_, t, k)| check(*t, k));
        MATERIAL.iter().for_each(|m| check(m.table, m.key));
        FEE.iter().for_each(|m| check(m.table, m.key));
        QUESTION.iter().for_each(|m| check(m.table, m.key));
    }

    #[test]
    fn every_element_is_carried_once() {
        let mut seen: Vec<Field> = ENTRY.iter().map(|m| m.field).collect();
        seen.extend(COMPOSED.iter().map(|(f, _, _)| *f));
        seen.extend(EXTEND_ONLY);
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), n, "an element is mapped twice");
        for f in Field::ALL {
            assert!(*f == Field::Seq || seen.contains(f), "{f:?} is not carried");
        }
        let mats: Vec<MaterialField> = MATERIAL.iter().map(|m| m.field).collect();
        for f in MaterialField::ALL {
            let special = matches!(
                f,
                MaterialField::Seq | MaterialField::ItemSeq | MaterialField::ELicense
            );
            assert!(special || mats.contains(f), "{f:?} is not carried");
        }
    }

    #[test]
    fn docs_exchange_md_maps_every_element_to_its_column() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/exchange.md"))
            .expect("docs/exchange.md");
        let row = |id: &str, key: &str| {
            let (id, key) = (format!("`{id}`"), format!("`{key}`"));
            assert!(
                doc.lines()
                    .any(|l| l.starts_with('|') && l.contains(&id) && l.contains(&key)),
                "docs/exchange.md has no row mapping {id} to {key}"
            );
        };
        ENTRY.iter().for_each(|m| row(m.field.id(), m.key));
        COMPOSED.iter().for_each(|(f, _, k)| row(f.id(), k));
        MATERIAL.iter().for_each(|m| row(m.field.id(), m.key));
        FEE.iter().for_each(|m| row(m.field.id(), m.key));
        QUESTION.iter().for_each(|m| row(m.field.id(), m.key));
        for f in EXTEND_ONLY {
            let id = format!("`{}`", f.id());
            assert!(
                doc.lines().any(|l| l.starts_with('|') && l.contains(&id)),
                "docs/exchange.md does not say where {id} goes"
            );
        }
    }

    #[test]
    fn values_convert_both_ways() {
        let codes = Codes::embedded();
        let a = to_column(Codes("audience"), "自然人、企业法人", &codes);
        assert_eq!(a, "1,2");
        assert_eq!(to_cell(Codes("audience"), &a, &codes), "自然人、企业法人");
        assert_eq!(to_column(Code("yes_no"), "是", &codes), "1");
        assert_eq!(to_cell(Code("yes_no"), "0", &codes), "否");
        assert_eq!(to_cell(Code("level"), "9", &codes), "9");
        assert_eq!(to_column(Date, "2026-03-01", &codes), "2026-03-01 00:00:00");
        assert_eq!(to_cell(Date, "2026-03-01 00:00:00", &codes), "2026-03-01");
        assert_eq!(to_cell(Date, "2026-03-01T00:00:00Z", &codes), "2026-03-01");
        assert_eq!(
            to_cell(Date, "2026-03-01 12:00:00", &codes),
            "2026-03-01 12:00:00"
        );
    }
}
