//! Conversions between the checked item model and catalog files: a filing's
//! [`Entry`] becomes a [`CatalogEntry`] once it has its codes, and a catalog
//! entry becomes cells again — for the pre-filled filing template and for
//! checking `items/` with the very rules that check filings.

use super::entry::{CatalogEntry, CatalogMaterial, NoLimit, Source, StatutoryDays};
use crate::codes::registry::Status;
use crate::model::{Days, Entry, List, Material, Text, text};
use crate::standard::elements::{Field, MaterialField};
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
    }
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
        materials: e.materials.iter().map(|m| material(m)).collect(),
        source: Source {
            file: e.origin.file.to_string(),
            sheet: e.origin.sheet.as_deref().unwrap_or("").to_string(),
            row: e.origin.row,
        },
    }
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "是".into(),
        Some(false) => "否".into(),
        None => String::new(),
    }
}

/// The cells of one entry row, as a filing would hold them.
pub type Cells = BTreeMap<Field, String>;
/// The cells of one material row.
pub type MaterialCells = BTreeMap<MaterialField, String>;

/// A catalog entry as filing cells: the entry row (with `seq`) and its
/// material rows (with `item_seq` = `seq`).
pub fn to_cells(c: &CatalogEntry, seq: u32) -> (Cells, Vec<MaterialCells>) {
    let mut row = Cells::new();
    let mut put = |f: Field, v: String| {
        if !v.is_empty() {
            row.insert(f, v);
        }
    };
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    put(Field::Seq, seq.to_string());
    put(Field::Name, c.name.clone());
    put(Field::SubName, c.sub_name.clone());
    put(Field::Category, c.category.clone());
    put(Field::Sector, c.sector.clone());
    put(Field::BasicCode, c.basic_code.clone());
    put(Field::ImplCode, c.impl_code.clone());
    put(Field::Agency, c.agency.clone());
    put(Field::AgencyCode, c.agency_code.clone());
    put(Field::AgencyNature, o(&c.agency_nature));
    put(Field::Level, c.level.clone());
    put(Field::Division, c.division.clone());
    put(Field::PowerSource, o(&c.power_source));
    put(Field::Audience, c.audience.join("、"));
    put(Field::LegalBasis, o(&c.legal_basis));
    put(Field::Conditions, o(&c.conditions));
    put(Field::Process, c.process.join("\n"));
    put(
        Field::StatutoryDays,
        match c.statutory_days {
            Some(StatutoryDays::Days(n)) => n.to_string(),
            Some(StatutoryDays::None(_)) => "无".into(),
            None => String::new(),
        },
    );
    put(
        Field::PromisedDays,
        c.promised_days.map(|n| n.to_string()).unwrap_or_default(),
    );
    put(Field::HandlingType, o(&c.handling_type));
    put(
        Field::Visits,
        c.visits.map(|n| n.to_string()).unwrap_or_default(),
    );
    put(Field::Charged, yes_no(c.charged));
    put(Field::FeeStandard, o(&c.fee_standard));
    put(Field::FeeBasis, o(&c.fee_basis));
    put(Field::Channels, c.channels.join("、"));
    put(Field::OnlineUrl, o(&c.online_url));
    put(Field::Scope, o(&c.scope));
    put(Field::InHall, yes_no(c.in_hall));
    put(Field::Address, o(&c.address));
    put(Field::Hours, o(&c.hours));
    put(Field::ContactPhone, o(&c.contact_phone));
    put(Field::ComplaintPhone, o(&c.complaint_phone));
    put(Field::ResultName, o(&c.result_name));
    put(Field::Forwarded, yes_no(c.forwarded));
    put(Field::Notes, o(&c.notes));
    let materials = c
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut r = MaterialCells::new();
            let mut put = |f: MaterialField, v: String| {
                if !v.is_empty() {
                    r.insert(f, v);
                }
            };
            put(MaterialField::Seq, (i + 1).to_string());
            put(MaterialField::ItemSeq, seq.to_string());
            put(MaterialField::Name, m.name.clone());
            put(MaterialField::Form, o(&m.form));
            put(
                MaterialField::Copies,
                m.copies.map(|n| n.to_string()).unwrap_or_default(),
            );
            put(MaterialField::Source, o(&m.source));
            put(MaterialField::ELicense, yes_no(m.e_license));
            put(MaterialField::Necessity, o(&m.necessity));
            put(MaterialField::Basis, o(&m.basis));
            put(MaterialField::Notes, o(&m.notes));
            r
        })
        .collect();
    (row, materials)
}
