//! The change report between two catalogs, keyed by 实施编码: entries added,
//! retired and renamed, and every other change field by field (materials
//! included, matched by name). Entries are compared as JSON objects, so a
//! release's `catalog.json` and a live `items/` compare alike.

use crate::catalog::{self, CatalogEntry, lazy::Entry};
use crate::codes::registry::Status;
use crate::publish::stamps::Before;
use crate::standard::Standard;
use rustc_hash::FxHashSet as HashSet;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// An entry as the change report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub impl_code: String,
    pub basic_code: String,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sub_name: String,
    pub agency: String,
    pub agency_code: String,
}

impl Named {
    /// How the change report names a catalog entry.
    pub fn of(e: &CatalogEntry) -> Named {
        Named {
            impl_code: e.impl_code.clone(),
            basic_code: e.basic_code.clone(),
            name: e.name.clone(),
            sub_name: e.sub_name.clone(),
            agency: e.agency.clone(),
            agency_code: e.agency_code.clone(),
        }
    }
}

/// A name that changed under the same code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    #[serde(flatten)]
    pub entry: Named,
    pub old_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub old_sub_name: String,
}

/// One element that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// The element id; for materials `materials[材料名称].field`.
    pub field: String,
    /// The element's Chinese name.
    pub label: String,
    pub before: Value,
    pub after: Value,
}

/// An entry whose elements changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    #[serde(flatten)]
    pub entry: Named,
    pub fields: Vec<FieldChange>,
}

/// Counts first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub before: usize,
    pub after: usize,
    pub added: usize,
    pub retired: usize,
    pub renamed: usize,
    pub changed: usize,
}

/// The change report (`changes.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub version: u32,
    pub from: String,
    pub to: String,
    pub counts: Counts,
    pub added: Vec<Named>,
    pub retired: Vec<Named>,
    pub renamed: Vec<Rename>,
    pub changed: Vec<EntryChange>,
}

/// A catalog to compare: active entries by 实施编码, as JSON objects.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub label: String,
    pub entries: BTreeMap<String, Map<String, Value>>,
}

/// Why a side could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("cannot read {path}: {message}")]
    Read { path: String, message: String },
    #[error("{0} is neither a release folder, a catalog folder nor a catalog.json")]
    NotACatalog(String),
}

impl Side {
    /// From catalog entries (only active ones count).
    pub fn from_entries<'a>(label: &str, entries: impl Iterator<Item = &'a CatalogEntry>) -> Side {
        let mut map = BTreeMap::new();
        for e in entries.filter(|e| e.status == Status::Active) {
            if let Ok(Value::Object(mut o)) = serde_json::to_value(e) {
                // Where it was filed from is not a change of the item.
                o.remove("source");
                map.insert(e.impl_code.clone(), o);
            }
        }
        Side {
            label: label.to_string(),
            entries: map,
        }
    }

    /// Loads a release folder (its `catalog.json`), a `catalog.json` file,
    /// or a catalog folder (`items/`).
    pub fn load(path: &Path) -> Result<Side, DiffError> {
        let label = crate::filing::display_path(path);
        let json = if path.is_file() {
            Some(path.to_path_buf())
        } else if path.join("catalog.json").is_file() {
            Some(path.join("catalog.json"))
        } else {
            None
        };
        let read_err = |message: String| DiffError::Read {
            path: label.clone(),
            message,
        };
        if let Some(file) = json {
            let text = std::fs::read_to_string(&file).map_err(|e| read_err(e.to_string()))?;
            let doc: Value = serde_json::from_str(&text).map_err(|e| read_err(e.to_string()))?;
            let entries = doc
                .get("entries")
                .and_then(Value::as_array)
                .ok_or_else(|| read_err("no `entries` array".into()))?;
            let mut parsed = Vec::with_capacity(entries.len());
            for e in entries {
                // Take the catalog entry's own fields; anything a catalog.json
                // adds for readers (division names…) is ignored.
                let mut obj = e.as_object().cloned().unwrap_or_default();
                let known = known_fields();
                obj.retain(|k, _| known.iter().any(|f| f == k));
                let entry: CatalogEntry = serde_json::from_value(Value::Object(obj))
                    .map_err(|e| read_err(e.to_string()))?;
                parsed.push(entry);
            }
            return Ok(Side::from_entries(&label, parsed.iter()));
        }
        if path.is_dir() && path.join(crate::codes::registry::FILE).is_file() {
            let cat = catalog::load(path).map_err(|e| read_err(e.to_string()))?;
            return Ok(Side::from_entries(&label, cat.entries()));
        }
        Err(DiffError::NotACatalog(label))
    }
}

/// The top-level fields of a catalog entry, from its JSON Schema.
fn known_fields() -> &'static [String] {
    static FIELDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let schema = serde_json::to_value(schemars::schema_for!(CatalogEntry)).unwrap_or_default();
        schema["properties"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    })
}

fn s(o: &Map<String, Value>, k: &str) -> String {
    o.get(k).and_then(Value::as_str).unwrap_or("").to_string()
}

fn named(o: &Map<String, Value>) -> Named {
    Named {
        impl_code: s(o, "impl_code"),
        basic_code: s(o, "basic_code"),
        name: s(o, "name"),
        sub_name: s(o, "sub_name"),
        agency: s(o, "agency"),
        agency_code: s(o, "agency_code"),
    }
}

/// The Chinese name of an element id.
fn label(standard: &Standard, field: &str) -> String {
    if let Some(e) = standard
        .elements
        .items
        .elements
        .iter()
        .find(|e| e.field.id() == field)
    {
        return e.header.clone();
    }
    if let Some(e) = standard
        .elements
        .materials
        .elements
        .iter()
        .find(|e| e.field.id() == field)
    {
        return e.header.clone();
    }
    match field {
        "status" => "状态",
        _ => ROW_LISTS
            .iter()
            .find(|l| l.0 == field)
            .map_or(field, |l| l.2),
    }
    .to_string()
}

/// The lists of rows an entry holds, each keyed by one of its fields.
const ROW_LISTS: &[(&str, &str, &str)] = &[
    ("materials", "name", "申请材料"),
    ("fee_items", "name", "收费项目"),
    ("questions", "question", "常见问题"),
];

/// The rows of a list by their key.
fn rows_by(v: Option<&Value>, key: &str) -> BTreeMap<String, Map<String, Value>> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| m.as_object().cloned())
                .map(|m| (s(&m, key), m))
                .collect()
        })
        .unwrap_or_default()
}

/// The header of a field of a list's rows.
fn row_label(standard: &Standard, list: &str, field: &str) -> String {
    let e = &standard.elements;
    let header = match list {
        "fee_items" => e.fees.by_id(field).map(|x| x.header.clone()),
        "questions" => e.questions.by_id(field).map(|x| x.header.clone()),
        _ => e.materials.by_id(field).map(|x| x.header.clone()),
    };
    header.unwrap_or_else(|| field.to_string())
}

/// The changes of a list of rows: rows added and deleted by their key,
/// and each field of a row kept.
fn row_changes(
    standard: &Standard,
    (list, key, what): (&str, &str, &str),
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<FieldChange>,
) {
    let (ma, mb) = (rows_by(old, key), rows_by(new, key));
    let mut names: Vec<&String> = ma.keys().chain(mb.keys()).collect();
    names.sort();
    names.dedup();
    for n in names {
        match (ma.get(n), mb.get(n)) {
            (Some(x), Some(y)) if x != y => {
                let mut fields: Vec<&String> = x.keys().chain(y.keys()).collect();
                fields.sort_by_cached_key(|f| order(standard, f));
                fields.dedup();
                for f in fields {
                    let (p, q) = (
                        x.get(f).unwrap_or(&Value::Null),
                        y.get(f).unwrap_or(&Value::Null),
                    );
                    if p != q {
                        out.push(FieldChange {
                            field: format!("{list}[{n}].{f}"),
                            label: format!("{what}“{n}”的{}", row_label(standard, list, f)),
                            before: p.clone(),
                            after: q.clone(),
                        });
                    }
                }
            }
            (Some(x), None) => out.push(FieldChange {
                field: format!("{list}[{n}]"),
                label: format!("删除{what}“{n}”"),
                before: Value::Object(x.clone()),
                after: Value::Null,
            }),
            (None, Some(y)) => out.push(FieldChange {
                field: format!("{list}[{n}]"),
                label: format!("新增{what}“{n}”"),
                before: Value::Null,
                after: Value::Object(y.clone()),
            }),
            _ => {}
        }
    }
}

fn field_changes(
    standard: &Standard,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Vec<FieldChange> {
    // Most entries of a release did not change: no field to sort and compare.
    if old == new {
        return Vec::new();
    }
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort_by_cached_key(|k| order(standard, k));
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        if matches!(k.as_str(), "name" | "sub_name" | "impl_code") {
            continue;
        }
        let (a, b) = (
            old.get(k).unwrap_or(&Value::Null),
            new.get(k).unwrap_or(&Value::Null),
        );
        if a == b {
            continue;
        }
        if let Some(list) = ROW_LISTS.iter().find(|l| l.0 == k) {
            row_changes(standard, *list, old.get(k), new.get(k), &mut out);
            continue;
        }
        out.push(FieldChange {
            field: k.clone(),
            label: label(standard, k),
            before: a.clone(),
            after: b.clone(),
        });
    }
    out
}

/// Sort key of an element id: its position in the standard, unknown ones last.
fn order(standard: &Standard, field: &str) -> (usize, String) {
    let pos = standard
        .elements
        .items
        .elements
        .iter()
        .position(|e| e.field.id() == field)
        .or_else(|| {
            standard
                .elements
                .materials
                .elements
                .iter()
                .position(|e| e.field.id() == field)
        })
        .unwrap_or(usize::MAX);
    (pos, field.to_string())
}

/// Compares the entries of a release (`new`, with the content digest of
/// each, [`crate::publish::stamps::digests`]) with the previous release
/// (`before`: its content digests by 实施编码, its `catalog.json` at
/// `old_json`, labelled `old_label`) as [`diff`] does, looking only at the
/// entries whose digest differs: an entry whose content is the same is no
/// change, and most of a release's entries are the same as before. `None`
/// when the previous `catalog.json` does not hold what its digests name
/// (then compare the whole catalogs).
pub fn diff_changed(
    standard: &Standard,
    (old_label, old_json, before): (&str, Option<&Path>, &Before),
    (new_label, new, digests): (&str, &[&Entry], &[String]),
) -> Option<Changes> {
    // (Both in 实施编码 order: found by walking them side by side.)
    let places = before.places(new.iter().map(|e| e.summary().impl_code.as_str()));
    // The previous release's entries the same in this one.
    let mut same = vec![false; before.len()];
    let mut changed_new = Vec::new();
    let mut added = Vec::new();
    for ((e, d), at) in new.iter().zip(digests).zip(places) {
        match at {
            Some(i) if before.entry(i).2 == d => same[i] = true,
            Some(_) => changed_new.push(e.get()),
            None => added.push(e.get()),
        }
    }
    let wanted: HashSet<&str> = before
        .iter()
        .zip(&same)
        .filter(|(_, same)| !**same)
        .map(|((code, _, _), _)| code)
        .collect();
    let old_entries = if wanted.is_empty() {
        Vec::new()
    } else {
        // Sought in the file, else read from it whole.
        let path = old_json?;
        match super::seek::entries(path, &wanted, before) {
            Some(found) => found,
            None => entries_of(&std::fs::read_to_string(path).ok()?, &wanted)?,
        }
    };
    let old = Side::from_entries(old_label, old_entries.iter());
    if old.entries.len() != wanted.len() {
        return None;
    }
    let mut c = diff(
        standard,
        &old,
        &Side::from_entries(new_label, changed_new.into_iter()),
    );
    c.added = added.iter().map(|e| Named::of(e)).chain(c.added).collect();
    c.added.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    c.counts.before = before.len();
    c.counts.after = new.len();
    c.counts.added = c.added.len();
    Some(c)
}

/// The entries of a `catalog.json` (as [`crate::publish::catalogs`] writes
/// it, pretty-printed) whose 实施编码 is in `wanted`, parsed from their own
/// lines alone; `None` when the text is not laid out so or one does not
/// parse.
fn entries_of(text: &str, wanted: &HashSet<&str>) -> Option<Vec<CatalogEntry>> {
    const START: &str = "\n    {\n";
    const CODE: &str = "      \"impl_code\": \"";
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find(START) {
        let start = at + i + 1;
        let body = start + START.len() - 1;
        let end = body + text[body..].find("\n    }")? + "\n    }".len();
        at = end;
        let code = text[body..end].strip_prefix(CODE)?;
        let code = &code[..code.find('"')?];
        if wanted.contains(code) {
            out.push(serde_json::from_str::<CatalogEntry>(&text[start..end]).ok()?);
        }
    }
    Some(out)
}

/// Compares two catalogs.
pub fn diff(standard: &Standard, old: &Side, new: &Side) -> Changes {
    let mut c = Changes {
        version: 1,
        from: old.label.clone(),
        to: new.label.clone(),
        ..Changes::default()
    };
    for (code, n) in &new.entries {
        match old.entries.get(code) {
            None => c.added.push(named(n)),
            Some(o) => {
                let renamed = s(o, "name") != s(n, "name") || s(o, "sub_name") != s(n, "sub_name");
                if renamed {
                    c.renamed.push(Rename {
                        entry: named(n),
                        old_name: s(o, "name"),
                        old_sub_name: s(o, "sub_name"),
                    });
                }
                let fields = field_changes(standard, o, n);
                if !fields.is_empty() {
                    c.changed.push(EntryChange {
                        entry: named(n),
                        fields,
                    });
                }
            }
        }
    }
    for (code, o) in &old.entries {
        if !new.entries.contains_key(code) {
            c.retired.push(named(o));
        }
    }
    c.counts = Counts {
        before: old.entries.len(),
        after: new.entries.len(),
        added: c.added.len(),
        retired: c.retired.len(),
        renamed: c.renamed.len(),
        changed: c.changed.len(),
    };
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(code: &str, name: &str, days: u32) -> CatalogEntry {
        CatalogEntry {
            impl_code: code.into(),
            name: name.into(),
            agency_code: code[..18].into(),
            promised_days: Some(days),
            ..Default::default()
        }
    }

    #[test]
    fn only_the_entries_whose_digest_changed_are_compared_and_the_result_is_the_whole_diff() {
        let standard = Standard::embedded();
        let code = |n: u32| format!("11431300006140469E34301010{n:02}000");
        let old: Vec<CatalogEntry> = (1..=5).map(|n| entry(&code(n), "甲", n)).collect();
        let old_refs: Vec<&CatalogEntry> = old.iter().collect();
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("catalog.json");
        std::fs::write(
            &json,
            crate::publish::catalogs::catalog_json("1", &old_refs),
        )
        .unwrap();
        let sums: Vec<String> = old
            .iter()
            .map(|e| crate::publish::stamps::digests(e).1)
            .collect();
        let stamped = old.iter().zip(&sums);
        let before = Before::of(
            stamped.map(|(e, sha)| (e.impl_code.as_str(), "1", sha.as_str())),
            Default::default(),
        );
        // 1 kept, 2 renamed, 3 changed, 4 retired, 5 kept, 6 added.
        let mut new = [
            old[0].clone(),
            entry(&code(2), "乙", 2),
            entry(&code(3), "甲", 30),
            old[4].clone(),
            entry(&code(6), "丙", 6),
        ];
        new[0].source.row = Some(9);
        let lazy: Vec<Entry> = new.iter().cloned().map(Into::into).collect();
        let refs: Vec<&Entry> = lazy.iter().collect();
        let digests: Vec<String> = new
            .iter()
            .map(|e| crate::publish::stamps::digests(e).1)
            .collect();
        let quick = diff_changed(
            &standard,
            ("1", Some(&json), &before),
            ("2", &refs, &digests),
        )
        .expect("the catalog.json holds what the digests name");
        let whole = diff(
            &standard,
            &Side {
                label: "1".into(),
                ..Side::load(&json).unwrap()
            },
            &Side::from_entries("2", new.iter()),
        );
        assert_eq!(quick, whole);
        // Entries not in 实施编码 order are found all the same.
        let backwards: Vec<&Entry> = refs.iter().rev().copied().collect();
        let sums_backwards: Vec<String> = digests.iter().rev().cloned().collect();
        let quick_backwards = diff_changed(
            &standard,
            ("1", Some(&json), &before),
            ("2", &backwards, &sums_backwards),
        );
        assert_eq!(quick_backwards.as_ref(), Some(&whole));
        assert_eq!(
            (
                whole.counts.added,
                whole.counts.retired,
                whole.counts.renamed,
                whole.counts.changed
            ),
            (1, 1, 1, 1)
        );
        // A catalog.json that does not hold a wanted entry: compare whole.
        std::fs::write(
            &json,
            crate::publish::catalogs::catalog_json("1", &old_refs[..2]),
        )
        .unwrap();
        assert!(
            diff_changed(
                &standard,
                ("1", Some(&json), &before),
                ("2", &refs, &digests)
            )
            .is_none()
        );
    }
}
