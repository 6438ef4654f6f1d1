//! A catalog entry's elements by field, as a filing cell would hold them —
//! for what reads elements named in `schemas/elements.yaml` rather than in
//! code: the 全要素 share of `yima stats` asks whether every element whose
//! `full:` applies to an entry has a value.

use super::entry::{CatalogEntry, CatalogMaterial, StatutoryDays};
use crate::standard::elements::{Field, MaterialField};
use std::borrow::Cow;

/// A text element: none when blank.
fn text(v: &str) -> Option<Cow<'_, str>> {
    let v = v.trim();
    (!v.is_empty()).then_some(Cow::Borrowed(v))
}

fn opt(v: &Option<String>) -> Option<Cow<'_, str>> {
    v.as_deref().and_then(text)
}

/// Several values as one cell: joined with 、.
fn list(v: &[String]) -> Option<Cow<'_, str>> {
    match v {
        [] => None,
        [one] => text(one),
        many => Some(Cow::Owned(many.join("、"))),
    }
}

fn number(v: Option<u32>) -> Option<Cow<'static, str>> {
    v.map(|n| Cow::Owned(n.to_string()))
}

fn yes_no(v: Option<bool>) -> Option<Cow<'static, str>> {
    v.map(|b| Cow::Borrowed(if b { "是" } else { "否" }))
}

impl CatalogEntry {
    /// The value of an element of sheet 事项 as its cell would hold it (是/否,
    /// several values joined with 、, numbers as digits); none when blank.
    pub fn value(&self, f: Field) -> Option<Cow<'_, str>> {
        match f {
            // An entry of the catalog has no 序号; it is its file.
            Field::Seq => None,
            Field::Name => text(&self.name),
            Field::SubName => text(&self.sub_name),
            Field::Category => text(&self.category),
            Field::Sector => text(&self.sector),
            Field::BasicCode => text(&self.basic_code),
            Field::ImplCode => text(&self.impl_code),
            Field::Agency => text(&self.agency),
            Field::AgencyCode => text(&self.agency_code),
            Field::AgencyNature => opt(&self.agency_nature),
            Field::Level => text(&self.level),
            Field::Division => text(&self.division),
            Field::PowerSource => opt(&self.power_source),
            Field::Audience => list(&self.audience),
            Field::LegalBasis => opt(&self.legal_basis),
            Field::Conditions => opt(&self.conditions),
            Field::Process => list(&self.process),
            Field::StatutoryDays => self.statutory_days.map(|d| match d {
                StatutoryDays::Days(n) => Cow::Owned(n.to_string()),
                StatutoryDays::None(_) => Cow::Borrowed("无"),
            }),
            Field::PromisedDays => number(self.promised_days),
            Field::HandlingType => opt(&self.handling_type),
            Field::Visits => number(self.visits),
            Field::Charged => yes_no(self.charged),
            Field::FeeStandard => opt(&self.fee_standard),
            Field::FeeBasis => opt(&self.fee_basis),
            Field::Channels => list(&self.channels),
            Field::OnlineUrl => opt(&self.online_url),
            Field::Scope => opt(&self.scope),
            Field::InHall => yes_no(self.in_hall),
            Field::Address => opt(&self.address),
            Field::Hours => opt(&self.hours),
            Field::ContactPhone => opt(&self.contact_phone),
            Field::ComplaintPhone => opt(&self.complaint_phone),
            Field::ResultName => opt(&self.result_name),
            Field::Forwarded => yes_no(self.forwarded),
            Field::Notes => opt(&self.notes),
            Field::AuthorityDivision => opt(&self.authority_division),
            Field::ExerciseContent => opt(&self.exercise_content),
            Field::EntrustingAgency => opt(&self.entrusting_agency),
            Field::JointAgencies => list(&self.joint_agencies),
            Field::CitizenTopics => list(&self.citizen_topics),
            Field::BusinessTopics => list(&self.business_topics),
            Field::StatutoryUnit => opt(&self.statutory_unit),
            Field::StatutoryNote => opt(&self.statutory_note),
            Field::PromisedUnit => opt(&self.promised_unit),
            Field::PromisedNote => opt(&self.promised_note),
            Field::SpecialProcedure => opt(&self.special_procedure),
            Field::VisitReason => opt(&self.visit_reason),
            Field::Intermediary => opt(&self.intermediary),
            Field::QuantityLimit => opt(&self.quantity_limit),
            Field::OnlineDepth => opt(&self.online_depth),
            Field::Online => yes_no(self.online),
            Field::Appointment => yes_no(self.appointment),
            Field::PayOnline => yes_no(self.pay_online),
            Field::Courier => yes_no(self.courier),
            Field::Kiosk => yes_no(self.kiosk),
            Field::ConsultWay => opt(&self.consult_way),
            Field::ComplaintWay => opt(&self.complaint_way),
            Field::ResultType => opt(&self.result_type),
            Field::ResultSample => opt(&self.result_sample),
            Field::ReviewStandard => opt(&self.review_standard),
            Field::EffectiveDate => opt(&self.effective_date),
        }
    }
}

impl CatalogMaterial {
    /// The value of an element of sheet 申请材料 as its cell would hold it;
    /// none when blank.
    pub fn value(&self, f: MaterialField) -> Option<Cow<'_, str>> {
        match f {
            // Materials of the catalog are numbered by their order, and
            // belong to their entry.
            MaterialField::Seq | MaterialField::ItemSeq => None,
            MaterialField::Name => text(&self.name),
            MaterialField::Form => opt(&self.form),
            MaterialField::Copies => number(self.copies),
            MaterialField::Source => opt(&self.source),
            MaterialField::ELicense => yes_no(self.e_license),
            MaterialField::Necessity => opt(&self.necessity),
            MaterialField::Basis => opt(&self.basis),
            MaterialField::Notes => opt(&self.notes),
            MaterialField::MaterialType => opt(&self.material_type),
            MaterialField::PaperSpec => opt(&self.paper_spec),
            MaterialField::SourceNote => opt(&self.source_note),
            MaterialField::AcceptanceStandard => opt(&self.acceptance_standard),
            MaterialField::BlankForm => opt(&self.blank_form),
            MaterialField::SampleForm => opt(&self.sample_form),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::entry::NoLimit;

    #[test]
    fn values_read_as_cells() {
        let e = CatalogEntry {
            name: " 婚姻登记 ".into(),
            audience: vec!["自然人".into(), "企业法人".into()],
            statutory_days: Some(StatutoryDays::None(NoLimit::None)),
            visits: Some(0),
            charged: Some(false),
            notes: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(e.value(Field::Name).as_deref(), Some("婚姻登记"));
        assert_eq!(
            e.value(Field::Audience).as_deref(),
            Some("自然人、企业法人")
        );
        assert_eq!(e.value(Field::StatutoryDays).as_deref(), Some("无"));
        assert_eq!(e.value(Field::Visits).as_deref(), Some("0"));
        assert_eq!(e.value(Field::Charged).as_deref(), Some("否"));
        assert_eq!(e.value(Field::Notes), None);
        assert_eq!(e.value(Field::SubName), None);
        let m = CatalogMaterial {
            acceptance_standard: Some("签字盖章".into()),
            ..Default::default()
        };
        assert_eq!(
            m.value(MaterialField::AcceptanceStandard).as_deref(),
            Some("签字盖章")
        );
        assert_eq!(m.value(MaterialField::BlankForm), None);
    }
}
