//! Code tables (`schemas/codes.yaml`, `schemas/sectors.yaml`): canonical names,
//! codes, the spellings departments use, and the flags rules read. A table
//! may hold values a workspace has not enabled (the national categories
//! beyond the six of this standard): they are known, so that a filing naming
//! one is told how to enable it, but not accepted.

use super::{closest, normalize_value};
use crate::diag::Text;
use crate::text;
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
    /// An administrative power exercised on the agency's own initiative
    /// (处罚, 强制, 检查): nobody applies, so no application material is
    /// expected (no-materials).
    #[serde(default)]
    pub ex_officio: bool,
    /// Accepted unless a workspace says otherwise (see [`Table::enable`]).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
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

fn enabled_by_default() -> bool {
    true
}

/// A code table with its lookup index.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "Vec<TableEntry>")]
pub struct Table {
    /// The values a cell may take, in the table's order.
    pub entries: Vec<TableEntry>,
    index: rustc_hash::FxHashMap<String, usize>,
    /// The values known but not enabled, and their index.
    disabled: Vec<TableEntry>,
    disabled_index: rustc_hash::FxHashMap<String, usize>,
    /// The `yima.yaml` key that enables values of this table, for the help
    /// of a value that is not enabled.
    switch: Option<String>,
}

/// Each value's name, code and aliases, normalized, to its place.
fn index_of(entries: &[TableEntry]) -> rustc_hash::FxHashMap<String, usize> {
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
    index
}

impl From<Vec<TableEntry>> for Table {
    fn from(all: Vec<TableEntry>) -> Self {
        let (entries, disabled): (Vec<_>, Vec<_>) = all.into_iter().partition(|e| e.enabled);
        Table {
            index: index_of(&entries),
            disabled_index: index_of(&disabled),
            entries,
            disabled,
            switch: None,
        }
    }
}

impl Table {
    /// Enables exactly the values named (by name, code or alias), in the
    /// table's order; the others become known but not accepted. `key` is
    /// the `yima.yaml` key that lists them. An unknown name is an error
    /// naming it and the values there are.
    pub fn enable(&mut self, key: &str, names: &[String]) -> Result<(), crate::diag::Text> {
        let mut all: Vec<TableEntry> = self
            .entries
            .drain(..)
            .chain(self.disabled.drain(..))
            .collect();
        // The table's order is its codes' (categories 01 … 20), else as listed.
        all.sort_by(|a, b| a.code.cmp(&b.code));
        let all_index = index_of(&all);
        let mut on = vec![false; all.len()];
        let mut unknown = Vec::new();
        for n in names {
            match all_index.get(&normalize_value(n)) {
                Some(&i) => on[i] = true,
                None => unknown.push(n.as_str()),
            }
        }
        for (e, on) in all.iter_mut().zip(&on) {
            e.enabled = *on;
        }
        let known = all
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join("、");
        *self = Table::from(all);
        self.switch = Some(key.to_string());
        match unknown.as_slice() {
            [] => Ok(()),
            u => {
                let u = u.join("、");
                Err(crate::text!(
                    "{key}：“{u}”不是可选值（可选：{known}）",
                    "{key}: unknown value `{u}` (known: {known})"
                ))
            }
        }
    }

    /// Marks the values of this table as enabled by the `yima.yaml` key.
    pub fn switched_by(&mut self, key: &str) {
        self.switch = Some(key.to_string());
    }

    /// The value a cell names that the table knows but does not accept,
    /// with the message and help of its finding (value-invalid): what it is
    /// and the `yima.yaml` line that enables it.
    pub fn refusal(&self, value: &str) -> Option<(Text, Text)> {
        let i = match self.disabled_index.get(value) {
            Some(&i) => i,
            None => *self.disabled_index.get(&normalize_value(value))?,
        };
        let key = self.switch.as_deref()?;
        let name = &self.disabled[i].name;
        let mut on: Vec<&TableEntry> = self.entries.iter().collect();
        on.push(&self.disabled[i]);
        on.sort_by(|a, b| a.code.cmp(&b.code));
        let list = on
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Some((
            text!(
                "“{name}”未在本工作区启用",
                "`{name}` is not enabled in this workspace"
            ),
            text!(
                "本工作区受理的有：{names}。若要受理“{name}”，在 yima.yaml 中写：{key}: [{list}]",
                "accepted here: {names}. To accept `{name}`, write in yima.yaml: {key}: [{list}]",
                names = self.names()
            ),
        ))
    }

    /// The names of the values known but not enabled.
    pub fn disabled_names(&self) -> impl Iterator<Item = &str> {
        self.disabled.iter().map(|e| e.name.as_str())
    }

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
