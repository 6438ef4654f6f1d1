//! Conversions between the checked item model and catalog files: a filing's
//! [`Entry`] becomes a [`CatalogEntry`] once it has its codes, and a catalog
//! entry becomes cells again — for the pre-filled filing template and for
//! checking `items/` with the very rules that check filings.

use super::entry::{
    CatalogEntry, CatalogFee, CatalogMaterial, CatalogQuestion, NoLimit, Source, StatutoryDays,
};
use crate::codes::registry::Status;
use crate::model::{Days, Entry, FeeItem, List, Located, Material, Question, Text, text};
use crate::standard::Standard;
use crate::standard::elements::{
    FeeField, Field, FieldId, Kind, MaterialField, QuestionField, SheetDef,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

fn opt(v: &Text) -> Option<String> {
    v.as_ref().map(|l| l.value.to_string())
}

fn list(v: &List) -> Vec<String> {
    v.as_ref()
        .map(|l| l.value.iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

fn material(m: &Material) -> CatalogMaterial {
    CatalogMaterial {
        name: text(&m.name).to_string(),
        form: opt(&m.form),
        copies: m.copies.as_ref().map(|c| c.value),
        source: opt(&m.source),
        e_license: m.e_license.as_ref().map(|c| c.value),
        necessity: opt(&m.necessity),
        basis: opt(&m.basis),
        notes: opt(&m.notes),
        material_type: opt(&m.material_type),
        paper_spec: opt(&m.paper_spec),
        source_note: opt(&m.source_note),
        acceptance_standard: opt(&m.acceptance_standard),
        blank_form: opt(&m.blank_form),
        sample_form: opt(&m.sample_form),
    }
}

fn fee(f: &FeeItem) -> CatalogFee {
    CatalogFee {
        name: text(&f.name).to_string(),
        standard: opt(&f.standard),
        basis: opt(&f.basis),
        reducible: f.reducible.as_ref().map(|v| v.value),
        reduction_basis: opt(&f.reduction_basis),
    }
}

fn question(q: &Question) -> CatalogQuestion {
    CatalogQuestion {
        question: text(&q.question).to_string(),
        answer: text(&q.answer).to_string(),
    }
}

fn truth(v: &Option<Located<bool>>) -> Option<bool> {
    v.as_ref().map(|v| v.value)
}

/// A time limit's unit as the catalog keeps it: its unit column's, else
/// the unit its text names (`20个自然日`); none when neither says.
fn unit_of<T: crate::model::CellValue>(limit: &Option<Located<T>>, unit: &Text) -> Option<String> {
    opt(unit).or_else(|| {
        let raw = limit.as_ref()?.raw_text();
        crate::filing::values::unit_in_text(&raw).map(|u| u.name().to_string())
    })
}

/// The catalog entry of a checked filing row, with its codes.
pub fn from_entry(e: &Entry, basic_code: &str, impl_code: &str) -> CatalogEntry {
    CatalogEntry {
        impl_code: impl_code.to_string(),
        basic_code: basic_code.to_string(),
        status: Status::Active,
        name: text(&e.name).to_string(),
        sub_name: text(&e.sub_name).to_string(),
        category: text(&e.category).to_string(),
        sector: text(&e.sector).to_string(),
        agency: text(&e.agency).to_string(),
        agency_code: text(&e.agency_code).to_string(),
        agency_nature: opt(&e.agency_nature),
        level: text(&e.level).to_string(),
        division: text(&e.division).to_string(),
        power_source: opt(&e.power_source),
        audience: list(&e.audience),
        legal_basis: opt(&e.legal_basis),
        conditions: opt(&e.conditions),
        process: list(&e.process),
        statutory_days: e.statutory_days.as_ref().map(|d| match d.value {
            Days::Days(n) => StatutoryDays::Days(n),
            Days::None => StatutoryDays::None(NoLimit::None),
        }),
        promised_days: e.promised_days.as_ref().map(|d| d.value),
        handling_type: opt(&e.handling_type),
        visits: e.visits.as_ref().map(|v| v.value),
        charged: e.charged.as_ref().map(|v| v.value),
        fee_standard: opt(&e.fee_standard),
        fee_basis: opt(&e.fee_basis),
        channels: list(&e.channels),
        online_url: opt(&e.online_url),
        scope: opt(&e.scope),
        in_hall: e.in_hall.as_ref().map(|v| v.value),
        address: opt(&e.address),
        hours: opt(&e.hours),
        contact_phone: opt(&e.contact_phone),
        complaint_phone: opt(&e.complaint_phone),
        result_name: opt(&e.result_name),
        forwarded: e.forwarded.as_ref().map(|v| v.value),
        notes: opt(&e.notes),
        authority_division: opt(&e.authority_division),
        exercise_content: opt(&e.exercise_content),
        entrusting_agency: opt(&e.entrusting_agency),
        joint_agencies: list(&e.joint_agencies),
        citizen_topics: list(&e.citizen_topics),
        business_topics: list(&e.business_topics),
        statutory_unit: unit_of(&e.statutory_days, &e.statutory_unit),
        statutory_note: opt(&e.statutory_note),
        promised_unit: unit_of(&e.promised_days, &e.promised_unit),
        promised_note: opt(&e.promised_note),
        special_procedure: opt(&e.special_procedure),
        visit_reason: opt(&e.visit_reason),
        intermediary: opt(&e.intermediary),
        quantity_limit: opt(&e.quantity_limit),
        online_depth: opt(&e.online_depth),
        online: truth(&e.online),
        appointment: truth(&e.appointment),
        pay_online: truth(&e.pay_online),
        courier: truth(&e.courier),
        kiosk: truth(&e.kiosk),
        consult_way: opt(&e.consult_way),
        complaint_way: opt(&e.complaint_way),
        result_type: opt(&e.result_type),
        result_sample: opt(&e.result_sample),
        review_standard: opt(&e.review_standard),
        effective_date: opt(&e.effective_date),
        materials: e.materials.iter().map(|m| material(m)).collect(),
        fee_items: e.fees.iter().map(|f| fee(f)).collect(),
        questions: e.questions.iter().map(|q| question(q)).collect(),
        source: Source {
            file: e.origin.file.to_string(),
            sheet: e.origin.sheet.as_deref().unwrap_or("").to_string(),
            row: e.origin.row,
        },
    }
}

/// The cells of one entry row, as a filing would hold them.
pub type Cells = BTreeMap<Field, String>;
/// The cells of one material row.
pub type MaterialCells = BTreeMap<MaterialField, String>;
/// The cells of one fee-item row.
pub type FeeCells = BTreeMap<FeeField, String>;
/// The cells of one question row.
pub type QuestionCells = BTreeMap<QuestionField, String>;

/// A catalog entry as the rows of a filing: the entry row (with `seq`),
/// and its materials, fee items and questions (with `item_seq` = `seq`).
pub struct Rows {
    pub entry: Cells,
    pub materials: Vec<MaterialCells>,
    pub fees: Vec<FeeCells>,
    pub questions: Vec<QuestionCells>,
}

/// A catalog entry as filing cells. The keys of an item file are the field
/// ids of the elements, so every element is carried by its id, written as
/// a filing writes it: 是/否, several values joined by 、 (the steps of a
/// process a line each).
pub fn to_cells(c: &CatalogEntry, seq: u32, standard: &Standard) -> Rows {
    let Ok(Value::Object(mut top)) = serde_json::to_value(c) else {
        unreachable!("a catalog entry serializes as an object")
    };
    let mut entry = cells_of(&mut top, &standard.elements.items);
    entry.insert(Field::Seq, seq.to_string());
    // (Each value is taken out of the JSON, not copied: a release converts
    // every entry of the catalog.)
    let mut rows = |key: &str| -> Vec<Map<String, Value>> {
        match top.remove(key) {
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::Object(m) => Some(m),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let linked = |i: usize, cells: &mut BTreeMap<_, String>, item_seq, own_seq: Option<_>| {
        cells.insert(item_seq, seq.to_string());
        if let Some(own) = own_seq {
            cells.insert(own, (i + 1).to_string());
        }
    };
    let mut materials = Vec::new();
    for (i, mut m) in rows("materials").into_iter().enumerate() {
        let mut cells = cells_of(&mut m, &standard.elements.materials);
        linked(
            i,
            &mut cells,
            MaterialField::ItemSeq,
            Some(MaterialField::Seq),
        );
        materials.push(cells);
    }
    let mut fees = Vec::new();
    for mut f in rows("fee_items") {
        let mut cells = cells_of(&mut f, &standard.elements.fees);
        cells.insert(FeeField::ItemSeq, seq.to_string());
        fees.push(cells);
    }
    let mut questions = Vec::new();
    for mut q in rows("questions") {
        let mut cells = cells_of(&mut q, &standard.elements.questions);
        cells.insert(QuestionField::ItemSeq, seq.to_string());
        questions.push(cells);
    }
    Rows {
        entry,
        materials,
        fees,
        questions,
    }
}

/// The cells of the elements of `def` that an item file's object holds,
/// taken out of it (copied, when two elements name the same field).
fn cells_of<F: Copy + Ord + FieldId>(
    object: &mut Map<String, Value>,
    def: &SheetDef<F>,
) -> BTreeMap<F, String> {
    let mut out = BTreeMap::new();
    for e in &def.elements {
        let id = e.field.field_id();
        let found = if def.distinct {
            object.remove(id)
        } else {
            object.get(id).cloned()
        };
        let Some(v) = found else {
            continue;
        };
        let joiner = if e.kind == Kind::Lines { "\n" } else { "、" };
        let text = match v {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => yes_no(Some(b)),
            Value::Array(parts) => parts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(joiner),
            Value::Null | Value::Object(_) => continue,
        };
        if !text.is_empty() {
            out.insert(e.field, text);
        }
    }
    out
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "是".into(),
        Some(false) => "否".into(),
        None => String::new(),
    }
}
