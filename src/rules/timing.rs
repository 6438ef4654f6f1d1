//! Time limits and visits: promised-exceeds-statutory, days-unit-mismatch,
//! handling-type-mismatch, visits-exceed-one (the "只跑一次" target), and
//! no-materials.

use super::{Context, finding};
use crate::diag::Rule;
use crate::filing::values::{Unit, unit_in_text};
use crate::model::{CellValue, Days, Entry, Located, Text};
use crate::standard::elements::Field;
use crate::text;

/// The unit a time limit counts in: its unit column's, else the one its
/// text names, else working days (SPEC §2a).
pub fn unit_of<T: CellValue>(limit: &Located<T>, unit: &Text) -> Unit {
    unit.as_ref()
        .and_then(|u| Unit::of_name(&u.value))
        .or_else(|| unit_in_text(&limit.raw_text()))
        .unwrap_or(Unit::Working)
}

pub fn check(ctx: &mut Context<'_>, entry: &Entry) {
    days_units(ctx, entry);
    let std = ctx.standard();
    if let (Some(promised), Some(statutory)) = (&entry.promised_days, &entry.statutory_days)
        && let Days::Days(limit) = statutory.value
        && promised.value > limit
        // (Limits in different units are not compared: 20 calendar days
        // are no fixed number of working days.)
        && let unit = unit_of(promised, &entry.promised_unit)
        && unit == unit_of(statutory, &entry.statutory_unit)
    {
        let p = promised.value;
        let (zh, en) = match unit {
            Unit::Working => ("工作日", "working days"),
            Unit::Natural => ("自然日", "calendar days"),
        };
        let d = finding(std, Rule::PromisedExceedsStatutory, entry, Field::PromisedDays, promised, text!(
            "承诺办结时限 {p} 个{zh}超过法定办结时限 {limit} 个{zh}",
            "the promised limit of {p} {en} exceeds the statutory {limit}"
        ))
        .label(text!("不得超过 {limit}", "at most {limit}"))
        .help(text!(
            "承诺时限应当压缩在法定时限以内；核对两列是否填反。",
            "the promised limit must be within the statutory one; check the two columns are not swapped."
        ));
        ctx.push(d);
    }

    let std = ctx.standard();
    if let (Some(kind), Some(promised)) = (&entry.handling_type, &entry.promised_days) {
        let instant = std
            .tables
            .table("handling_type")
            .get(&kind.value)
            .is_some_and(|t| t.instant);
        let p = promised.value;
        let problem = if instant && p > 0 {
            Some(text!(
                "即办件的承诺办结时限应为 0，实为 {p} 个工作日",
                "an instant item (即办件) is done the same day, but {p} days are promised"
            ))
        } else if !instant && p == 0 {
            Some(text!(
                "承诺件的承诺办结时限为 0；当场办结的应为即办件",
                "a promised item (承诺件) with 0 days is an instant item (即办件)"
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let d = finding(std, Rule::HandlingTypeMismatch, entry, Field::HandlingType, kind, message).help(text!(
                "当场办结的填“即办件”、承诺时限 0；需要审查时间的填“承诺件”、承诺时限不少于 1 个工作日。",
                "same-day: 即办件 with 0 days; otherwise 承诺件 with at least 1 day."
            ));
            ctx.push(d);
        }
    }

    let std = ctx.standard();
    if let Some(visits) = &entry.visits
        && visits.value > 1
    {
        let n = visits.value;
        let d = finding(std, Rule::VisitsExceedOne, entry, Field::Visits, visits, text!(
            "到办事现场次数为 {n}，未达到“只跑一次”",
            "{n} visits in person: the target is at most one"
        ))
        .help(text!(
            "通过网上预审、容缺受理、邮寄送达等把到现场次数压减到 1 次以内。",
            "use online pre-checks, deferred materials and delivery by post to need one visit or none."
        ));
        ctx.push(d);
    }
}

/// days-unit-mismatch: a limit whose text names one unit while its unit
/// column says the other.
fn days_units(ctx: &mut Context<'_>, entry: &Entry) {
    let std = ctx.standard();
    let found = [
        entry.statutory_days.as_ref().and_then(|l| {
            unit_mismatch(std, entry, Field::StatutoryDays, l, &entry.statutory_unit)
        }),
        entry
            .promised_days
            .as_ref()
            .and_then(|l| unit_mismatch(std, entry, Field::PromisedDays, l, &entry.promised_unit)),
    ];
    for d in found.into_iter().flatten() {
        ctx.push(d);
    }
}

fn unit_mismatch<T: CellValue>(
    std: &crate::standard::Standard,
    entry: &Entry,
    field: Field,
    limit: &Located<T>,
    unit: &Text,
) -> Option<crate::diag::Diagnostic> {
    let written = unit_in_text(&limit.raw_text())?;
    let column = Unit::of_name(&unit.as_ref()?.value)?;
    if written == column {
        return None;
    }
    let header = &std.elements.items.element(field).header;
    let (w, c) = (written.name(), column.name());
    Some(
        finding(std, Rule::DaysUnitMismatch, entry, field, limit, text!(
            "“{header}”写的是{w}，而单位列为{c}",
            "`{header}` is written in {w}, but its unit column says {c}"
        ))
        .label(text!("单位列为{c}", "the unit column says {c}"))
        .help(text!(
            "时限列只写天数，单位写在单位列；两处须一致（工作日与自然日相差很大）。",
            "write only the number of days in the limit column and the unit in the unit column; the two must agree."
        )),
    )
}

/// no-materials: an administrative-power entry that lists no material.
/// Whether an entry of this category must list materials (an
/// administrative power somebody applies for), as no-materials asks.
pub fn needs_materials(std: &crate::standard::Standard, category: &Text) -> bool {
    category
        .as_ref()
        .and_then(|c| std.tables.table("category").get(&c.value))
        .is_some_and(|c| c.power && !c.ex_officio)
}

pub fn no_materials(ctx: &mut Context<'_>, entry: &Entry) {
    let std = ctx.standard();
    if needs_materials(std, &entry.category)
        && entry.materials.is_empty()
        && let Some(name) = &entry.name
    {
        let category = entry
            .category
            .as_ref()
            .map(|c| c.value.clone())
            .unwrap_or_default();
        let d = finding(std, Rule::NoMaterials, entry, Field::Name, name, text!(
            "{category}事项没有列出任何申请材料",
            "this {category} entry lists no application material"
        ))
        .help(text!(
            "在“申请材料”表按事项序号列出全部材料；确实无需材料的，在备注中说明依据。",
            "list every material in sheet 申请材料 by 事项序号; if truly none is needed, say why in 备注."
        ));
        ctx.push(d);
    }
}
