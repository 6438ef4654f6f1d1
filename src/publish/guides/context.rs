//! What one guide shows, in the order of a real 办事指南 (SPEC §2a, §5):
//! basic facts, legal basis, 权限划分/行使内容, conditions, materials with
//! their 受理标准 and forms to download, process, 审查标准, time limits with
//! their unit and note and the special procedures, fees by item, the result
//! and its sample, place and hours, contacts, the online service, notes and
//! the questions. Every element that has a value is shown; an element with
//! none leaves no empty row, and a section with none is left out, the
//! others numbered on (一、二、…). Labels are the elements' headers
//! (`schemas/elements.yaml`), so a guide speaks the filing's words.

use super::super::BuildContext;
use super::super::forms::{Forms, Link, is_web_url};
use crate::catalog::CatalogEntry;
use crate::catalog::entry::{CatalogFee, CatalogMaterial, CatalogQuestion, StatutoryDays};
use crate::standard::elements::{Field, MaterialField};
use serde::Serialize;
use std::borrow::Cow;

/// Everything one guide shows.
#[derive(Debug, Serialize)]
pub struct Guide<'a> {
    /// The catalog's name (`release_name` of `yima.yaml`).
    pub catalog: &'a str,
    /// The release version; empty for an unreleased build.
    pub version: &'a str,
    pub name: &'a str,
    pub sub_name: &'a str,
    pub basic_code: &'a str,
    pub impl_code: &'a str,
    pub agency: &'a str,
    /// The sections that have something to show, in order, numbered.
    pub sections: Vec<Section<'a>>,
    /// The labels of the materials' details.
    pub material_labels: MaterialLabels<'a>,
    /// Where the entry was filed, e.g. `公安.xlsx · 事项 第 5 行`.
    pub source: String,
    /// The page's schema.org markup (`GovernmentService`), as the JSON of a
    /// `<script type="application/ld+json">` block (src/exchange/jsonld.rs).
    pub jsonld: String,
}

/// One numbered section. Its content is whichever of the parts below is
/// there, shown in this order; a part that is empty is left out of the
/// context (templates test it with `{% if s.text %}`), which keeps the
/// conversion of a guide for its templates small.
#[derive(Debug, Default, Serialize)]
pub struct Section<'a> {
    /// The element id of the section (`facts`, `materials`, …).
    pub id: &'static str,
    /// Its number: 一, 二, ….
    pub no: &'static str,
    pub title: &'static str,
    /// Paragraphs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub text: Vec<&'a str>,
    /// A table of facts, one or two to a line: a flat list (a loop over
    /// lines of facts costs a template more than the flags), each fact
    /// saying whether it opens or closes its line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<Fact<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<MaterialRow<'a>>,
    /// Steps, without their numbers.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub steps: &'a [String],
    /// Fee items (收费项目).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<FeeRow<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<Qa<'a>>,
}

/// One element and its value: one line of text (`text`, as most are), or
/// several lines, or links. What it does not have is left out of the
/// context, as in [`Section`].
#[derive(Debug, Serialize)]
pub struct Fact<'a> {
    pub label: &'a str,
    /// The value when it is a single line of text.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub text: Cow<'a, str>,
    /// The value's lines when it has several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link<'a>>,
    /// The fact takes its table line alone (the template spans its cell).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub wide: bool,
    /// It is the first of its table line.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub open: bool,
    /// It is the last of its table line.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub close: bool,
}

/// One material: the facts of its table row, and its details — each left
/// out of the context when it has no value. Details are fields rather than
/// a list: a guide has a few materials of up to nine details each, and a
/// loop over them would cost the templates more than the rest of the page.
/// A text that spans lines keeps its line breaks (`white-space: pre-line`
/// shows them in HTML).
#[derive(Debug, Serialize)]
pub struct MaterialRow<'a> {
    /// 1-based.
    pub no: usize,
    pub name: &'a str,
    pub form: &'a str,
    pub copies: Option<u32>,
    pub source: &'a str,
    pub necessity: &'a str,
    /// Whether any of the details below has a value.
    pub details: bool,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub material_type: Cow<'a, str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub paper_spec: Cow<'a, str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub source_note: Cow<'a, str>,
    /// 电子证照: 是 · 否.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub e_license: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub acceptance_standard: Cow<'a, str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub basis: Cow<'a, str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub notes: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blank_form: Option<Link<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_form: Option<Link<'a>>,
    /// The details but the two forms as lines `label：value`, for a
    /// format that shows them as text (the Markdown guide's table cell).
    pub summary: String,
}

/// The labels of a material's details: the headers of sheet 申请材料.
#[derive(Debug, Serialize)]
pub struct MaterialLabels<'a> {
    pub material_type: &'a str,
    pub paper_spec: &'a str,
    pub source_note: &'a str,
    pub e_license: &'a str,
    pub acceptance_standard: &'a str,
    pub basis: &'a str,
    pub notes: &'a str,
    pub blank_form: &'a str,
    pub sample_form: &'a str,
}

impl<'a> MaterialLabels<'a> {
    fn new(ctx: &'a BuildContext<'_>) -> MaterialLabels<'a> {
        let def = &ctx.workspace.standard.elements.materials;
        let h = |f: MaterialField| def.element(f).header.as_str();
        MaterialLabels {
            material_type: h(MaterialField::MaterialType),
            paper_spec: h(MaterialField::PaperSpec),
            source_note: h(MaterialField::SourceNote),
            e_license: h(MaterialField::ELicense),
            acceptance_standard: h(MaterialField::AcceptanceStandard),
            basis: h(MaterialField::Basis),
            notes: h(MaterialField::Notes),
            blank_form: h(MaterialField::BlankForm),
            sample_form: h(MaterialField::SampleForm),
        }
    }
}

/// One fee item.
#[derive(Debug, Serialize)]
pub struct FeeRow<'a> {
    pub no: usize,
    pub name: &'a str,
    pub standard: Vec<&'a str>,
    pub basis: Vec<&'a str>,
    /// 是否允许减免: 是 · 否, or empty.
    pub reducible: &'static str,
    pub reduction_basis: Vec<&'a str>,
}

/// One question and its answer.
#[derive(Debug, Serialize)]
pub struct Qa<'a> {
    pub question: &'a str,
    pub answer: Vec<&'a str>,
}

/// The numbers of sections, in order.
const NUMERALS: [&str; 20] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六", "十七", "十八", "十九", "二十",
];

/// A value short enough to share its table line with another: one line of
/// at most this many characters.
const NARROW: usize = 14;

/// Builds the facts of a section, leaving out the elements without a value.
struct Facts<'a> {
    facts: Vec<Fact<'a>>,
}

impl<'a> Facts<'a> {
    fn new() -> Self {
        Facts { facts: Vec::new() }
    }

    /// A fact whose value is `lines` (left out when there are none).
    fn lines(&mut self, label: &'a str, mut lines: Vec<Cow<'a, str>>) -> &mut Self {
        let text = match lines.len() {
            0 => return self,
            1 => lines.pop().unwrap_or_default(),
            _ => Cow::Borrowed(""),
        };
        self.facts.push(Fact {
            label,
            text,
            lines,
            links: Vec::new(),
            wide: false,
            open: false,
            close: false,
        });
        self
    }

    /// A fact of text that may span lines.
    fn text(&mut self, label: &'a str, value: Option<&'a str>) -> &mut Self {
        let lines = value.map(lines).unwrap_or_default();
        self.lines(label, lines.into_iter().map(Cow::Borrowed).collect())
    }

    /// A fact of one computed value (left out when empty).
    fn value(&mut self, label: &'a str, value: impl Into<Cow<'a, str>>) -> &mut Self {
        let v = value.into();
        if v.trim().is_empty() {
            return self;
        }
        self.lines(label, vec![v])
    }

    fn yes_no(&mut self, label: &'a str, v: Option<bool>) -> &mut Self {
        self.value(label, yes_no(v))
    }

    /// A fact of several values, joined with 、.
    fn list(&mut self, label: &'a str, values: &[String]) -> &mut Self {
        self.value(label, values.join("、"))
    }

    fn link(&mut self, label: &'a str, link: Option<Link<'a>>) -> &mut Self {
        if let Some(l) = link.filter(|l| !l.text.is_empty()) {
            self.facts.push(Fact {
                label,
                text: Cow::Borrowed(""),
                lines: Vec::new(),
                links: vec![l],
                wide: false,
                open: false,
                close: false,
            });
        }
        self
    }

    /// The facts laid out two to a line where both are short: each fact
    /// marked as opening or closing its line, a fact alone on its line
    /// `wide`.
    fn rows(&mut self) -> Vec<Fact<'a>> {
        let mut out: Vec<Fact<'a>> = Vec::with_capacity(self.facts.len());
        // Whether the last fact is narrow and alone on its line so far.
        let mut open = false;
        for mut f in self.facts.drain(..) {
            let narrow = !f.text.is_empty() && f.text.chars().count() <= NARROW;
            match out.last_mut() {
                Some(last) if open && narrow => {
                    last.wide = false;
                    last.close = false;
                    f.close = true;
                    open = false;
                }
                _ => {
                    f.open = true;
                    f.close = true;
                    f.wide = true;
                    open = narrow;
                }
            }
            out.push(f);
        }
        out
    }
}

impl<'a> Guide<'a> {
    /// The guide of one entry; `forms` links the files it names.
    pub fn new(e: &'a CatalogEntry, ctx: &'a BuildContext<'_>, forms: &'a Forms) -> Guide<'a> {
        let std = &ctx.workspace.standard;
        let items = &std.elements.items;
        let h = |f: Field| items.element(f).header.as_str();
        let mut sections: Vec<Section<'a>> = Vec::new();
        let mut push = |mut s: Section<'a>| {
            let empty = s.text.is_empty()
                && s.facts.is_empty()
                && s.materials.is_empty()
                && s.steps.is_empty()
                && s.fees.is_empty()
                && s.questions.is_empty();
            if !empty && sections.len() < NUMERALS.len() {
                s.no = NUMERALS[sections.len()];
                sections.push(s);
            }
        };
        let section = |id, title| Section {
            id,
            title,
            ..Section::default()
        };

        let labels = MaterialLabels::new(ctx);

        // 一、基本信息
        let division_name = e
            .division
            .get(..6)
            .and_then(|c| std.divisions.get(c))
            .map_or("", |d| d.name.as_str());
        let mut f = Facts::new();
        f.value(h(Field::Category), e.category.as_str())
            .value(h(Field::SubName), e.sub_name.as_str())
            .value(h(Field::Sector), e.sector.as_str())
            .value(h(Field::Agency), e.agency.as_str())
            .value(h(Field::AgencyCode), e.agency_code.as_str())
            .text(h(Field::AgencyNature), e.agency_nature.as_deref())
            .value(h(Field::Level), e.level.as_str())
            .value(
                "行政区划",
                if division_name.is_empty() {
                    Cow::Borrowed(e.division.as_str())
                } else {
                    Cow::Owned(format!("{} {division_name}", e.division))
                },
            )
            .text(h(Field::PowerSource), e.power_source.as_deref())
            .text(h(Field::EntrustingAgency), e.entrusting_agency.as_deref())
            .list(h(Field::JointAgencies), &e.joint_agencies)
            .list(h(Field::Audience), &e.audience)
            .list(h(Field::CitizenTopics), &e.citizen_topics)
            .list(h(Field::BusinessTopics), &e.business_topics)
            .text(h(Field::HandlingType), e.handling_type.as_deref())
            .value(
                h(Field::Visits),
                e.visits.map(|v| format!("{v} 次")).unwrap_or_default(),
            )
            .text(h(Field::VisitReason), e.visit_reason.as_deref())
            .list(h(Field::Channels), &e.channels)
            .text(h(Field::Scope), e.scope.as_deref())
            .yes_no(h(Field::Forwarded), e.forwarded)
            .text(h(Field::Intermediary), e.intermediary.as_deref())
            .text(h(Field::QuantityLimit), e.quantity_limit.as_deref())
            .text(h(Field::EffectiveDate), e.effective_date.as_deref());
        push(Section {
            facts: f.rows(),
            ..section("facts", "基本信息")
        });

        push(Section {
            text: text_lines(&e.legal_basis),
            ..section("legal-basis", "设定依据")
        });
        f.text(h(Field::AuthorityDivision), e.authority_division.as_deref())
            .text(h(Field::ExerciseContent), e.exercise_content.as_deref());
        push(Section {
            facts: f.rows(),
            ..section("authority", "权限划分与行使内容")
        });
        push(Section {
            text: text_lines(&e.conditions),
            ..section("conditions", "受理条件")
        });
        push(Section {
            materials: e
                .materials
                .iter()
                .enumerate()
                .map(|(i, m)| MaterialRow::new(i + 1, m, &labels, forms))
                .collect(),
            ..section("materials", "申请材料")
        });
        push(Section {
            steps: &e.process,
            ..section("process", "办理流程")
        });
        push(Section {
            text: text_lines(&e.review_standard),
            ..section("review", "审查标准")
        });

        // 办理时限: each limit with its unit, then its note; the special
        // procedures, which the limits do not count.
        let statutory_unit = unit(&e.statutory_unit);
        let promised_unit = unit(&e.promised_unit);
        f.value(
            h(Field::StatutoryDays),
            match e.statutory_days {
                Some(StatutoryDays::Days(n)) => days(n, statutory_unit),
                Some(StatutoryDays::None(_)) => "无".to_string(),
                None => String::new(),
            },
        )
        .value(
            h(Field::PromisedDays),
            e.promised_days
                .map(|n| days(n, promised_unit))
                .unwrap_or_default(),
        )
        .text(h(Field::StatutoryNote), e.statutory_note.as_deref())
        .text(h(Field::PromisedNote), e.promised_note.as_deref());
        if let (Some(StatutoryDays::Days(s)), Some(p)) = (e.statutory_days, e.promised_days)
            && statutory_unit == promised_unit
            && let Some(c) = compression(s, p)
        {
            f.value("时限压缩", format!("承诺时限比法定时限压缩 {c}"));
        }
        f.text(h(Field::SpecialProcedure), e.special_procedure.as_deref());
        push(Section {
            facts: f.rows(),
            ..section("time-limits", "办理时限")
        });

        f.yes_no(h(Field::Charged), e.charged)
            .text(h(Field::FeeStandard), e.fee_standard.as_deref())
            .text(h(Field::FeeBasis), e.fee_basis.as_deref());
        push(Section {
            facts: f.rows(),
            fees: e
                .fee_items
                .iter()
                .enumerate()
                .map(|(i, fee)| FeeRow::new(i + 1, fee))
                .collect(),
            ..section("fees", "收费")
        });

        f.text(h(Field::ResultName), e.result_name.as_deref())
            .text(h(Field::ResultType), e.result_type.as_deref())
            .link(
                h(Field::ResultSample),
                e.result_sample.as_deref().map(|v| forms.link(v)),
            );
        push(Section {
            facts: f.rows(),
            ..section("result", "办理结果")
        });

        f.text(h(Field::Address), e.address.as_deref())
            .text(h(Field::Hours), e.hours.as_deref())
            .yes_no(h(Field::InHall), e.in_hall);
        push(Section {
            facts: f.rows(),
            ..section("place", "办理地点与时间")
        });

        f.text(h(Field::ContactPhone), e.contact_phone.as_deref())
            .text(h(Field::ConsultWay), e.consult_way.as_deref())
            .text(h(Field::ComplaintPhone), e.complaint_phone.as_deref())
            .text(h(Field::ComplaintWay), e.complaint_way.as_deref());
        push(Section {
            facts: f.rows(),
            ..section("contacts", "咨询与投诉")
        });

        let depth_table = std.tables.get("online_depth");
        let depth = e.online_depth.as_deref().map(|d| {
            match depth_table
                .and_then(|t| t.lookup(d))
                .and_then(|t| t.meaning.as_deref())
            {
                Some(meaning) => Cow::Owned(format!("{d}（{meaning}）")),
                None => Cow::Borrowed(d),
            }
        });
        f.link(
            h(Field::OnlineUrl),
            e.online_url
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| Link {
                    href: is_web_url(u).then_some(u),
                    text: u,
                    file: false,
                }),
        )
        .value(h(Field::OnlineDepth), depth.unwrap_or_default())
        .yes_no(h(Field::Online), e.online)
        .yes_no(h(Field::Appointment), e.appointment)
        .yes_no(h(Field::PayOnline), e.pay_online)
        .yes_no(h(Field::Courier), e.courier)
        .yes_no(h(Field::Kiosk), e.kiosk);
        push(Section {
            facts: f.rows(),
            ..section("online", "网上办理")
        });

        push(Section {
            text: text_lines(&e.notes),
            ..section("notes", "备注")
        });
        push(Section {
            questions: e.questions.iter().filter_map(Qa::new).collect(),
            ..section("questions", "常见问题")
        });

        Guide {
            catalog: &ctx.workspace.config.release_name,
            version: ctx.stamp_of(e),
            name: &e.name,
            sub_name: &e.sub_name,
            basic_code: &e.basic_code,
            impl_code: &e.impl_code,
            agency: &e.agency,
            sections,
            material_labels: labels,
            source: source(e),
            jsonld: crate::exchange::jsonld::GovernmentService::of(e, division_name).script(),
        }
    }
}

impl<'a> MaterialRow<'a> {
    fn new(
        no: usize,
        m: &'a CatalogMaterial,
        labels: &MaterialLabels<'_>,
        forms: &'a Forms,
    ) -> MaterialRow<'a> {
        let mut row = MaterialRow {
            no,
            name: &m.name,
            form: opt(&m.form),
            copies: m.copies,
            source: opt(&m.source),
            necessity: opt(&m.necessity),
            details: false,
            material_type: joined(&m.material_type),
            paper_spec: joined(&m.paper_spec),
            source_note: joined(&m.source_note),
            e_license: yes_no(m.e_license),
            acceptance_standard: joined(&m.acceptance_standard),
            basis: joined(&m.basis),
            notes: joined(&m.notes),
            blank_form: m
                .blank_form
                .as_deref()
                .map(|v| forms.link(v))
                .filter(|l| !l.text.is_empty()),
            sample_form: m
                .sample_form
                .as_deref()
                .map(|v| forms.link(v))
                .filter(|l| !l.text.is_empty()),
            summary: String::new(),
        };
        let texts = [
            (labels.material_type, &*row.material_type),
            (labels.paper_spec, &*row.paper_spec),
            (labels.source_note, &*row.source_note),
            (labels.e_license, row.e_license),
            (labels.acceptance_standard, &*row.acceptance_standard),
            (labels.basis, &*row.basis),
            (labels.notes, &*row.notes),
        ];
        let mut summary = String::new();
        for (label, text) in texts.into_iter().filter(|(_, t)| !t.is_empty()) {
            if !summary.is_empty() {
                summary.push('\n');
            }
            summary.push_str(label);
            summary.push('：');
            summary.push_str(text);
        }
        row.details = !summary.is_empty() || row.blank_form.is_some() || row.sample_form.is_some();
        row.summary = summary;
        row
    }
}

/// A text's non-blank lines, trimmed, joined by line breaks; borrowed when
/// it is that already.
fn joined(v: &Option<String>) -> Cow<'_, str> {
    let s = opt(v);
    let clean = !s.contains(['\n', '\r']) && s.trim() == s;
    if clean {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(lines(s).join("\n"))
    }
}

impl<'a> FeeRow<'a> {
    fn new(no: usize, f: &'a CatalogFee) -> FeeRow<'a> {
        FeeRow {
            no,
            name: &f.name,
            standard: text_lines(&f.standard),
            basis: text_lines(&f.basis),
            reducible: yes_no(f.reducible),
            reduction_basis: text_lines(&f.reduction_basis),
        }
    }
}

impl<'a> Qa<'a> {
    fn new(q: &'a CatalogQuestion) -> Option<Qa<'a>> {
        let question = q.question.trim();
        (!question.is_empty()).then(|| Qa {
            question,
            answer: lines(&q.answer),
        })
    }
}

/// A time limit's unit: the one filed, or 工作日.
fn unit(u: &Option<String>) -> &str {
    u.as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .unwrap_or("工作日")
}

/// `20 个工作日`, or 当场办结 for 0.
fn days(n: u32, unit: &str) -> String {
    if n == 0 {
        "当场办结".to_string()
    } else {
        format!("{n} 个{unit}")
    }
}

/// 1 − promised/statutory as a percentage with at most one decimal (`50%`,
/// `28.6%`); none without a statutory limit or when the promise exceeds it.
pub(super) fn compression(statutory: u32, promised: u32) -> Option<String> {
    if statutory == 0 || promised > statutory {
        return None;
    }
    // Tenths of a percent, rounded half up, in integers so every platform
    // prints the same digits.
    let saved = u64::from(statutory - promised);
    let tenths = (saved * 2000 + u64::from(statutory)) / (u64::from(statutory) * 2);
    Some(if tenths % 10 == 0 {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    })
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "是",
        Some(false) => "否",
        None => "",
    }
}

/// The non-blank lines of a text, trimmed.
pub(super) fn lines(s: &str) -> Vec<&str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

fn text_lines(v: &Option<String>) -> Vec<&str> {
    lines(opt(v))
}

/// Where the entry was filed, as the guide shows it.
fn source(e: &CatalogEntry) -> String {
    let s = &e.source;
    let mut out = s.file.clone();
    if !s.sheet.is_empty() {
        out.push_str(" · ");
        out.push_str(&s.sheet);
    }
    if let Some(row) = s.row {
        out.push_str(&format!(" 第 {row} 行"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_is_rounded_to_a_tenth() {
        assert_eq!(compression(20, 10).as_deref(), Some("50%"));
        assert_eq!(compression(7, 5).as_deref(), Some("28.6%"));
        assert_eq!(compression(3, 0).as_deref(), Some("100%"));
        assert_eq!(compression(3, 3).as_deref(), Some("0%"));
        assert_eq!(compression(0, 0), None);
        assert_eq!(compression(3, 5), None);
    }

    #[test]
    fn lines_drop_blanks_and_trim() {
        assert_eq!(lines(" 一 \n\n 二\r\n"), vec!["一", "二"]);
        assert!(lines("").is_empty());
    }

    #[test]
    fn short_facts_share_a_line_and_long_ones_take_their_own() {
        let mut f = Facts::new();
        f.value("甲", "短")
            .value("乙", "短")
            .value("丙", "这是一段很长很长很长很长很长的文字")
            .value("丁", "短")
            .value("空", "")
            .text("无", None)
            .value("戊", "短");
        let facts = f.rows();
        let lines: Vec<(&str, bool, bool, bool)> = facts
            .iter()
            .map(|f| (f.label, f.open, f.close, f.wide))
            .collect();
        assert_eq!(
            lines,
            [
                ("甲", true, false, false),
                ("乙", false, true, false),
                ("丙", true, true, true),
                ("丁", true, false, false),
                ("戊", false, true, false),
            ]
        );
    }

    #[test]
    fn days_name_their_unit() {
        assert_eq!(days(20, "自然日"), "20 个自然日");
        assert_eq!(days(0, "工作日"), "当场办结");
        assert_eq!(unit(&None), "工作日");
        assert_eq!(unit(&Some("自然日".into())), "自然日");
    }
}
