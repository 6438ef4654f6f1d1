//! item-duplicate: the same entry (category, name, sub-item, agency code,
//! division) twice across all inputs of a run. One pass with a hash map, so
//! a province's filings cost linear time.

use super::{Context, finding};
use crate::diag::Rule;
use crate::model::{Entry, Filing, text};
use crate::standard::elements::Field;
use crate::standard::normalize_value;
use crate::text;
use std::collections::HashMap;

/// The identity of an implementation entry.
pub fn entry_key(e: &Entry) -> Option<(String, String, String, String, String)> {
    Some((
        e.category.as_ref()?.value.clone(),
        normalize_value(&e.name.as_ref()?.value),
        normalize_value(text(&e.sub_name)),
        e.agency_code.as_ref()?.value.clone(),
        e.division.as_ref()?.value.clone(),
    ))
}

pub fn check(ctx: &mut Context<'_>, filings: &[Filing]) {
    let mut seen: HashMap<_, &Entry> = HashMap::new();
    for e in filings.iter().flat_map(|f| &f.entries) {
        let Some(key) = entry_key(e) else { continue };
        match seen.get(&key) {
            None => {
                seen.insert(key, e);
            }
            Some(first) => {
                let Some(name) = &e.name else { continue };
                let place = first
                    .name
                    .as_ref()
                    .map(|n| n.at.to_string())
                    .unwrap_or_else(|| first.origin.to_string());
                let d = finding(ctx.standard(), Rule::ItemDuplicate, e, Field::Name, name, text!(
                    "与 {place} 是同一事项（类型、名称、子项、实施主体、区划均相同）",
                    "the same entry as {place} (category, name, sub-item, agency and division all equal)"
                ))
                .help(text!(
                    "删除重复的一行；同一事项的不同情形请用“子项名称”区分。",
                    "delete the repeated row; tell variants apart with 子项名称."
                ));
                ctx.push(d);
            }
        }
    }
}
