//! item-duplicate: the same entry (category, name, sub-item, agency code,
//! division) twice across all inputs of a run. Filings are observed one by
//! one, in input order, against a hash map of what came before, so a
//! province's filings cost linear time and only the keys stay in memory.

use super::{Context, finding};
use crate::diag::Rule;
use crate::model::{Entry, Filing, Origin, text};
use crate::standard::elements::Field;
use crate::standard::normalize_value;
use crate::text;
use std::collections::HashMap;

/// The identity of an implementation entry.
pub type EntryKey = (String, String, String, String, String);

/// The identity of an implementation entry.
pub fn entry_key(e: &Entry) -> Option<EntryKey> {
    Some((
        e.category.as_ref()?.value.clone(),
        normalize_value(&e.name.as_ref()?.value),
        normalize_value(text(&e.sub_name)),
        e.agency_code.as_ref()?.value.clone(),
        e.division.as_ref()?.value.clone(),
    ))
}

/// What a run has seen so far.
#[derive(Debug, Default)]
pub struct Duplicates {
    first: HashMap<EntryKey, Origin>,
}

impl Duplicates {
    /// Reports the entries of `filing` seen before (in this filing or an
    /// earlier one) and remembers the new ones.
    pub fn observe(&mut self, ctx: &mut Context<'_>, filing: &Filing) {
        for e in &filing.entries {
            let Some(key) = entry_key(e) else { continue };
            let Some(name) = &e.name else { continue };
            match self.first.get(&key) {
                None => {
                    self.first.insert(key, name.at(&e.origin));
                }
                Some(first) => {
                    let place = first.to_string();
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
}
