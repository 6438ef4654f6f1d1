//! Code tables (`schemas/codes.yaml`, `schemas/sectors.yaml`): canonical names,
//! codes, the spellings departments use, and the flags rules read.

use super::{closest, normalize_value};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Which kind of division code a 行使层级 goes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DivisionKind {
    City,
    County,
    Town,
    Village,
}

/// One value of a code table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableEntry {
    pub name: crate::model::ArcStr,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub power: bool,
    #[serde(default)]
    pub needs_result: bool,
    #[serde(default)]
    pub instant: bool,
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub window: bool,
    #[serde(default)]
    pub truth: Option<bool>,
    #[serde(default)]
    pub electronic: bool,
    /// The 网上办理深度 of 全程网办 (四级).
    #[serde(default)]
    pub full_online: bool,
    /// What the value stands for, shown beside it in guides (网上办理深度
    /// 四级: 全程网办).
    #[serde(default)]
    pub meaning: Option<String>,
    #[serde(default)]
    pub division: Option<DivisionKind>,
}

/// A code table with its lookup index.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Vec<TableEntry>")]
pub struct Table {
    pub entries: Vec<TableEntry>,
    index: rustc_hash::FxHashMap<String, usize>,
}

impl From<Vec<TableEntry>> for Table {
    fn from(entries: Vec<TableEntry>) -> Self {
        let mut index = rustc_hash::FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            index.insert(normalize_value(&e.name), i);
        }
        for (i, e) in entries.iter().enumerate() {
            if let Some(c) = &e.code {
                index.entry(normalize_value(c)).or_insert(i);
            }
            for a in &e.aliases {
                index.entry(normalize_value(a)).or_insert(i);
            }
        }
        Table { entries, index }
    }
}

impl Table {
    /// The entry a cell value names (by name, code or alias).
    pub fn lookup(&self, value: &str) -> Option<&TableEntry> {
        // A value as typed is usually already in the index.
        let i = match self.index.get(value) {
            Some(&i) => i,
            None => *self.index.get(&normalize_value(value))?,
        };
        Some(&self.entries[i])
    }

    /// The entry with this canonical name. A value the reader took from
    /// this table is the entry's own copy of its name: found by where it
    /// is, before any text is compared.
    pub fn get(&self, name: &str) -> Option<&TableEntry> {
        self.entries
            .iter()
            .find(|e| std::ptr::eq(e.name.as_str(), name))
            .or_else(|| self.entries.iter().find(|e| e.name == name))
    }

    /// The value closest to a misspelling, for "did you mean".
    pub fn suggest(&self, value: &str) -> Option<&TableEntry> {
        let v = normalize_value(value);
        closest(&v, self.index.iter().map(|(k, &i)| (k.as_str(), i))).map(|i| &self.entries[i])
    }

    /// The canonical names, joined for a message.
    pub fn names(&self) -> String {
        self.entries
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The entry with this code.
    pub fn by_code(&self, code: &str) -> Option<&TableEntry> {
        self.entries
            .iter()
            .find(|e| e.code.as_deref() == Some(code))
    }
}

/// All code tables by name, as `schemas/codes.yaml` and `sectors.yaml` give them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Tables(pub BTreeMap<String, Table>);

impl Tables {
    pub fn get(&self, name: &str) -> Option<&Table> {
        self.0.get(name)
    }

    /// A table the code needs; its absence is caught when the standard loads.
    pub fn table(&self, name: &str) -> &Table {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("code table `{name}` is checked at load"))
    }
}

/// Tables every rule relies on; a workspace override must keep them.
pub const REQUIRED_TABLES: &[&str] = &[
    "category",
    "level",
    "agency_nature",
    "power_source",
    "audience",
    "handling_type",
    "yes_no",
    "channel",
    "scope",
    "material_form",
    "material_source",
    "necessity",
    "sector",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        serde_saphyr::from_str(
            "- {name: 行政许可, code: '01', power: true}\n- {name: 公共服务, code: '20', aliases: [公共服务事项]}\n",
        )
        .unwrap()
    }

    #[test]
    fn lookup_by_name_code_alias_and_width() {
        let t = table();
        assert_eq!(t.lookup("行政许可").unwrap().name, "行政许可");
        assert_eq!(t.lookup("01").unwrap().name, "行政许可");
        assert_eq!(t.lookup("０１").unwrap().name, "行政许可");
        assert_eq!(t.lookup(" 公共服务事项 ").unwrap().name, "公共服务");
        assert!(t.lookup("行政处罚").is_none());
    }

    #[test]
    fn suggests_near_misses() {
        let t = table();
        assert_eq!(t.suggest("行政许可证").unwrap().name, "行政许可");
        assert_eq!(t.suggest("公共服").unwrap().name, "公共服务");
        assert!(t.suggest("完全无关的文字内容").is_none());
        let forms: Table =
            serde_saphyr::from_str("- {name: 原件}\n- {name: 原件和复印件}\n- {name: 复印件}\n")
                .unwrap();
        assert_eq!(forms.suggest("原件和复印伴").unwrap().name, "原件和复印件");
        assert_eq!(forms.suggest("原件1").unwrap().name, "原件");
    }
}
