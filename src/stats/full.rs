//! Whether an entry has every element of the full profile (全要素, SPEC §2a):
//! each element of `schemas/elements.yaml` with a `full:` mark that applies
//! to the entry — always, or when its condition holds (结果类型 for 行政许可
//! and 行政确认, 到现场原因说明 when 到办事现场次数 ≥ 1, …) — has a value, in
//! the entry and in each of its materials. Which elements those are is the
//! schema's to say, as it is for `profile: full` when a filing is checked.

use crate::catalog::CatalogEntry;
use crate::catalog::entry::CatalogMaterial;
use crate::standard::Standard;
use crate::standard::elements::{Condition, Element, FieldId, SheetDef};
use crate::standard::tables::Table;

/// One element the full profile asks for, and when.
struct Requirement<'s, F> {
    field: F,
    /// None: always.
    when: Option<When<'s, F>>,
}

/// A condition on another element of the same row.
struct When<'s, F> {
    field: F,
    /// The code table its values are canonical names of.
    table: Option<&'s Table>,
    condition: &'s Condition,
}

/// The elements of the full profile of both sheets, read once.
pub struct FullProfile<'s> {
    items: Vec<Requirement<'s, crate::standard::elements::Field>>,
    materials: Vec<Requirement<'s, crate::standard::elements::MaterialField>>,
}

impl<'s> FullProfile<'s> {
    pub fn new(standard: &'s Standard) -> FullProfile<'s> {
        FullProfile {
            items: requirements(&standard.elements.items, standard),
            materials: requirements(&standard.elements.materials, standard),
        }
    }

    /// Whether the entry and each of its materials fill every element the
    /// full profile asks of them.
    pub fn is_complete(&self, e: &CatalogEntry) -> bool {
        complete(&self.items, |f| e.value(f))
            && e.materials
                .iter()
                .all(|m: &CatalogMaterial| complete(&self.materials, |f| m.value(f)))
    }
}

fn requirements<'s, F: Copy + PartialEq + FieldId>(
    def: &'s SheetDef<F>,
    standard: &'s Standard,
) -> Vec<Requirement<'s, F>> {
    def.elements
        .iter()
        .filter_map(|e: &'s Element<F>| {
            let condition = e.full.as_ref()?.condition()?;
            let when = match condition {
                None => None,
                // A condition on an element the schema does not have is
                // refused when the standard loads.
                Some(c) => {
                    let other = def.by_id(&c.field)?;
                    Some(When {
                        field: other.field,
                        table: other.table.as_deref().and_then(|t| standard.tables.get(t)),
                        condition: c,
                    })
                }
            };
            Some(Requirement {
                field: e.field,
                when,
            })
        })
        .collect()
}

/// Whether every requirement that applies to a row has a value.
fn complete<'v, F: Copy>(
    requirements: &[Requirement<'_, F>],
    value: impl Fn(F) -> Option<std::borrow::Cow<'v, str>>,
) -> bool {
    requirements.iter().all(|r| {
        let applies = match &r.when {
            None => true,
            Some(w) => value(w.field).is_some_and(|v| holds(w, &v)),
        };
        !applies || value(r.field).is_some()
    })
}

/// Whether the other element's value meets the condition: one of its
/// values (by canonical name), or a number at least so large.
fn holds<F>(w: &When<'_, F>, v: &str) -> bool {
    let c = w.condition;
    if let Some(min) = c.min {
        return v.trim().parse::<u32>().is_ok_and(|n| n >= min);
    }
    let canonical = match w.table {
        Some(t) => t.lookup(v).map_or(v, |x| x.name.as_str()),
        None => v,
    };
    c.any_of.iter().any(|a| a == canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_decides_what_a_full_entry_has() {
        let standard = Standard::embedded();
        let profile = FullProfile::new(&standard);
        let ids: Vec<&str> = profile.items.iter().map(|r| r.field.id()).collect();
        // Marked `full` in schemas/elements.yaml.
        for id in [
            "statutory_unit",
            "special_procedure",
            "visit_reason",
            "result_type",
        ] {
            assert!(ids.contains(&id), "{id}: {ids:?}");
        }
        assert!(!ids.contains(&"online_depth"), "{ids:?}");
        let m: Vec<&str> = profile.materials.iter().map(|r| r.field.id()).collect();
        assert_eq!(m, ["acceptance_standard"]);
    }
}
