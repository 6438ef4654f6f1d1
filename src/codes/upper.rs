//! The upper levels' basic catalog as the registry holds it: the active
//! external records (national `00…`, provincial), found by category and
//! normalized name. A filing row that names such an item without a code
//! gets its code on ingest, never a local one; a name close to one of them
//! gets a "did you mean" (name-near-catalog). Near names are found through
//! the character pairs they share, then by the edit distance "did you
//! mean" uses everywhere else.

use super::ItemKey;
use super::registry::{Provenance, Record, Registry, Status, display_name};
use crate::standard::normalize_value;
use rustc_hash::FxHashMap;
use std::sync::Mutex;

/// One item of the upper-level catalog.
#[derive(Debug, Clone)]
struct Item {
    category: String,
    /// 名称（子项）, normalized.
    key: String,
    code: String,
    /// The name as people read it.
    shown: String,
}

/// The upper-level catalog's items, indexed.
#[derive(Debug, Default)]
pub struct UpperCatalog {
    items: Vec<Item>,
    exact: FxHashMap<(String, String), usize>,
    /// Items by the character pairs of their key.
    pairs: FxHashMap<(char, char), Vec<u32>>,
    /// Near names already looked for.
    near: Mutex<FxHashMap<(String, String), Option<usize>>>,
}

/// The normalized 名称（子项） of a name and sub-item name.
pub fn item_name(name: &str, sub_name: &str) -> String {
    normalize_value(&display_name(name, sub_name))
}

fn pairs(s: &str) -> impl Iterator<Item = (char, char)> + '_ {
    s.chars().zip(s.chars().skip(1))
}

/// Whether a record names the item of `key` by category and name: how an
/// upper-level item, which carries no sector of this workspace's table, is
/// matched.
pub fn names(record: &Record, key: &ItemKey) -> bool {
    record.category == key.category
        && item_name(&record.name, &record.sub_name) == item_name(&key.name, &key.sub_name)
}

impl Clone for UpperCatalog {
    fn clone(&self) -> Self {
        UpperCatalog {
            items: self.items.clone(),
            exact: self.exact.clone(),
            pairs: self.pairs.clone(),
            near: Mutex::default(),
        }
    }
}

impl UpperCatalog {
    /// The active external records of a registry.
    pub fn of(registry: &Registry) -> UpperCatalog {
        let mut c = UpperCatalog::default();
        for r in registry.records() {
            if r.origin != Provenance::External || r.status != Status::Active {
                continue;
            }
            let item = Item {
                category: r.category.to_string(),
                key: item_name(&r.name, &r.sub_name),
                code: r.code.clone(),
                shown: display_name(&r.name, &r.sub_name),
            };
            let i = c.items.len();
            if c.exact
                .insert((item.category.clone(), item.key.clone()), i)
                .is_some()
            {
                continue;
            }
            let mut seen: Vec<(char, char)> = pairs(&item.key).collect();
            seen.sort_unstable();
            seen.dedup();
            for p in seen {
                c.pairs.entry(p).or_default().push(i as u32);
            }
            c.items.push(item);
        }
        c
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The code of the upper-level item a filing row names exactly.
    pub fn find(&self, category: &str, name: &str, sub_name: &str) -> Option<&str> {
        // (A workspace without an upper-level catalog asks for every row.)
        if self.is_empty() {
            return None;
        }
        let key = (category.to_string(), item_name(name, sub_name));
        self.exact.get(&key).map(|&i| self.items[i].code.as_str())
    }

    /// The upper-level item of the category whose name is close to this
    /// one (and not it): (its code, its name).
    pub fn near(&self, category: &str, name: &str, sub_name: &str) -> Option<(&str, &str)> {
        let key = item_name(name, sub_name);
        if self
            .exact
            .contains_key(&(category.to_string(), key.clone()))
        {
            return None;
        }
        let memo = (category.to_string(), key);
        if let Some(found) = self.near.lock().ok().and_then(|m| m.get(&memo).copied()) {
            return found.map(|i| (self.items[i].code.as_str(), self.items[i].shown.as_str()));
        }
        let found = self.search(category, &memo.1);
        if let Ok(mut m) = self.near.lock() {
            m.insert(memo, found);
        }
        found.map(|i| (self.items[i].code.as_str(), self.items[i].shown.as_str()))
    }

    fn search(&self, category: &str, key: &str) -> Option<usize> {
        let mut shared: FxHashMap<u32, u32> = FxHashMap::default();
        for p in pairs(key) {
            for &i in self.pairs.get(&p).map_or(&[][..], Vec::as_slice) {
                *shared.entry(i).or_default() += 1;
            }
        }
        let mut best: Vec<(u32, u32)> = shared
            .into_iter()
            .filter(|(i, _)| self.items[*i as usize].category == category)
            .map(|(i, n)| (n, i))
            .collect();
        // The most pairs in common first; a few candidates are enough.
        best.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        best.truncate(16);
        crate::standard::closest(
            key,
            best.iter()
                .map(|&(_, i)| (self.items[i as usize].key.as_str(), i as usize)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        let mut r = Registry::default();
        for (code, cat, name, sub, origin) in [
            (
                "000104002000",
                "行政许可",
                "固定资产投资项目节能审查",
                "",
                Provenance::External,
            ),
            (
                "001033002000",
                "其他行政权力",
                "全民健身设施拆迁或者改变用途批准",
                "",
                Provenance::External,
            ),
            (
                "000101001001",
                "行政许可",
                "机动车登记",
                "注册登记",
                Provenance::External,
            ),
            (
                "430101001000",
                "行政许可",
                "城市本地事项",
                "",
                Provenance::Issued,
            ),
        ] {
            r.append(Record::new(code, &ItemKey::new(cat, "", name, sub), origin));
        }
        r
    }

    #[test]
    fn upper_items_are_found_by_category_and_name() {
        let c = UpperCatalog::of(&registry());
        assert_eq!(
            c.find("行政许可", "固定资产投资项目节能审查", ""),
            Some("000104002000")
        );
        assert_eq!(
            c.find("行政许可", " 固定资产投资项目节能审查 ", ""),
            Some("000104002000")
        );
        assert_eq!(c.find("行政确认", "固定资产投资项目节能审查", ""), None);
        assert_eq!(
            c.find("行政许可", "机动车登记", "注册登记"),
            Some("000101001001")
        );
        assert_eq!(
            c.find("行政许可", "机动车登记（注册登记）", ""),
            Some("000101001001")
        );
        // Issued codes are no upper-level items.
        assert_eq!(c.find("行政许可", "城市本地事项", ""), None);
    }

    #[test]
    fn near_names_get_a_did_you_mean() {
        let c = UpperCatalog::of(&registry());
        assert_eq!(
            c.near("行政许可", "固定资产投资项目节能审核", ""),
            Some(("000104002000", "固定资产投资项目节能审查"))
        );
        assert_eq!(
            c.near("其他行政权力", "全民健身设施拆迁或改变用途批准", ""),
            Some(("001033002000", "全民健身设施拆迁或者改变用途批准"))
        );
        assert_eq!(c.near("行政许可", "固定资产投资项目节能审查", ""), None);
        assert_eq!(c.near("行政许可", "食品经营许可", ""), None);
        assert_eq!(c.near("行政确认", "固定资产投资项目节能审核", ""), None);
    }
}
