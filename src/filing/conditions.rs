//! Requirements that depend on other cells of the row, as data
//! (`when:` and `full:` in `schemas/elements.yaml`, SPEC §2a): 委托部门 when
//! 权力来源 is 上级委托 or 同级委托, 来源渠道说明 when 材料来源 is 其他, and
//! under `profile: full` the 全要素 elements, some only for some categories.
//! A condition asks for a value only where the sheet has the element's
//! column: filings without the columns of SPEC §2a stay valid.

use super::cells::{RowReader, clean_code};
use super::layout::FieldId;
use crate::diag::{Rule, Text as Msg};
use crate::standard::elements::{Condition, Element};
use crate::text;

impl<F: Copy + PartialEq + FieldId> RowReader<'_, '_, F> {
    /// Reports each element whose value the row needs by a condition but
    /// lacks. (Elements required in every row are reported as they are
    /// read; the `when-…` keywords of SPEC §2 by the sheet's own parser.)
    pub fn check_conditions(&mut self) {
        let def = self.def;
        for c in &def.conditional {
            let e = &def.elements[c.element];
            let full = if def.full { c.full } else { None };
            if (c.when.is_none() && full.is_none()) || def.always_required(e) {
                continue;
            }
            // A filing without the column stays as valid as it was before
            // the elements of SPEC §2a existed (under the full profile the
            // column's absence is column-missing, once).
            let Some(cell) = self.cell(e.field) else {
                continue;
            };
            if !cell.raw.text.trim().is_empty() {
                continue;
            }
            let when = (e.when.as_ref().zip(c.when)).map(|(cond, at)| (cond, at, false));
            let full = (e.full.as_ref().and_then(|f| f.condition()).flatten())
                .zip(full)
                .map(|(cond, at)| (cond, at, true));
            let Some((cond, holds, full)) = when
                .into_iter()
                .chain(full)
                .find_map(|(cond, at, full)| self.holds(cond, at).map(|h| (cond, h, full)))
            else {
                continue;
            };
            let name = &e.header;
            let reason = reason(self.def.by_id(&cond.field), cond, &holds);
            let why = if full {
                let (zh, en) = (&reason.zh, &reason.en);
                text!("全要素要求：{zh}", "the full profile requires it: {en}")
            } else {
                reason
            };
            let (zh, en) = (&why.zh, &why.en);
            let message = text!("“{name}”为空（{zh}）", "`{name}` is blank ({en})");
            self.missing(Rule::ValueMissing, &cell, Some(message));
        }
    }

    /// The value of the cell a condition reads (element `at` of the
    /// sheet), when the condition holds.
    fn holds(&self, c: &Condition, at: usize) -> Option<String> {
        let other = self.def.elements.get(at)?;
        let cell = self.cell(other.field)?;
        let text = cell.raw.text.as_str();
        if text.is_empty() {
            return None;
        }
        if let Some(min) = c.min {
            let n = super::values::parse_limit(&clean_code(text)).ok()?.days;
            return (n >= min).then(|| n.to_string());
        }
        let table = other
            .table
            .as_deref()
            .map(|t| self.standard.tables.table(t));
        let holds = |v: &str| c.any_of.iter().any(|x| x == v).then(|| v.to_string());
        // (Most cells hold a canonical value as it is.)
        if let Some(x) = table.and_then(|t| t.get(text)) {
            return holds(&x.name);
        }
        let v = clean_code(text);
        match table {
            Some(t) => holds(&t.lookup(&v)?.name),
            None => holds(&v),
        }
    }
}

/// Why a condition asks for the value: "权力来源为“上级委托”".
fn reason<F>(other: Option<&Element<F>>, c: &Condition, value: &str) -> Msg {
    let other = other.map_or(c.field.as_str(), |o| o.header.as_str());
    match c.min {
        Some(min) => text!(
            "{other}为 {value}（不少于 {min}）时必须填写",
            "required when {other} is {value} ({min} or more)"
        ),
        None => text!(
            "{other}为“{value}”时必须填写",
            "required when {other} is `{value}`"
        ),
    }
}
