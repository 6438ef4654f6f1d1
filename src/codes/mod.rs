//! Unified codes (SPEC §3): the item key a 基本编码 stands for, the code
//! structure (sequence with letter overflow, sub-item codes), deterministic
//! assignment of new codes against the registry, and 实施编码 derivation.

pub mod registry;
pub mod released;
pub mod upper;

use crate::standard::{Standard, normalize_value};
use registry::{Provenance, Record, Registry};
use rustc_hash::FxHashMap;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Letters used for sequences past 999 (never I, O, Z, S, V).
pub const OVERFLOW_LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRTUWXY";

/// What a 基本编码 stands for: category, sector, normalized name and
/// normalized sub-item name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    pub category: String,
    pub sector: String,
    pub name: String,
    pub sub_name: String,
}

impl ItemKey {
    pub fn new(category: &str, sector: &str, name: &str, sub_name: &str) -> ItemKey {
        ItemKey {
            category: category.to_string(),
            sector: sector.to_string(),
            name: normalize_value(name),
            sub_name: normalize_value(sub_name),
        }
    }

    /// The key of the main item (no sub-item).
    pub fn main(&self) -> ItemKey {
        ItemKey {
            sub_name: String::new(),
            ..self.clone()
        }
    }

    pub fn is_sub(&self) -> bool {
        !self.sub_name.is_empty()
    }
}

/// The sequence part (positions 7–9) of the n-th item of a group, n ≥ 1.
pub fn encode_sequence(n: u32) -> Option<String> {
    match n {
        1..=999 => Some(format!("{n:03}")),
        _ => {
            let i = n.checked_sub(1000)?;
            let letter = *OVERFLOW_LETTERS.get((i / 100) as usize)?;
            Some(format!("{}{:02}", letter as char, i % 100))
        }
    }
}

/// The inverse of [`encode_sequence`].
pub fn decode_sequence(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.len() != 3 {
        return None;
    }
    if b[0].is_ascii_digit() {
        return s.parse().ok().filter(|n| *n > 0);
    }
    let li = OVERFLOW_LETTERS.iter().position(|l| *l == b[0])? as u32;
    let rest: u32 = s[1..].parse().ok()?;
    Some(1000 + li * 100 + rest)
}

/// The 实施编码: USCC + level code + 基本编码.
pub fn impl_code(uscc: &str, level_code: &str, basic: &str) -> String {
    format!("{uscc}{level_code}{basic}")
}

/// Gives codes to item keys against a registry, deterministically: keys are
/// handled in sorted order, so the same inputs give the same codes whatever
/// the order of the filings.
///
/// A nation's registry holds a million codes and a batch needs a few, so the
/// assigner reads the registry once for what every new code depends on — the
/// highest sequence of each group — and only for the keys it is given what
/// they depend on: the stem of their main item and the highest sub-item code
/// under that stem.
pub struct Assigner<'a> {
    registry: &'a mut Registry,
    standard: &'a Standard,
    prefix: String,
    /// Highest sequence used per (prefix, category code, sector code).
    max_seq: FxHashMap<[u8; 6], u32>,
    /// Code stem (first 9 characters) per main item key asked about.
    stems: FxHashMap<ItemKey, String>,
    /// Highest numeric sub-item code per stem asked about.
    max_sub: FxHashMap<String, u32>,
}

/// A key whose category or sector has no code in the tables.
#[derive(Debug, thiserror::Error)]
#[error("no code for category `{category}` / sector `{sector}`")]
pub struct Uncodable {
    pub category: String,
    pub sector: String,
}

/// The 12 bytes of an issued code of the usual shape.
fn issued_code(r: &Record) -> Option<&[u8]> {
    (r.origin == Provenance::Issued && r.code.len() == 12 && r.code.is_ascii())
        .then_some(r.code.as_bytes())
}

impl<'a> Assigner<'a> {
    pub fn new(registry: &'a mut Registry, standard: &'a Standard, prefix: &str) -> Assigner<'a> {
        let mut max_seq: FxHashMap<[u8; 6], u32> = FxHashMap::default();
        // Every code in use takes its sequence, an upper level's too: a
        // province's own items share the city's prefix, and a code it
        // issued must never be issued here.
        for r in registry.records() {
            if r.code.len() != 12 || !r.code.is_ascii() {
                continue;
            }
            let b = r.code.as_bytes();
            if let Some(n) = std::str::from_utf8(&b[6..9]).ok().and_then(decode_sequence) {
                let group: [u8; 6] = b[..6].try_into().expect("12 bytes");
                let m = max_seq.entry(group).or_insert(0);
                *m = (*m).max(n);
            }
        }
        Assigner {
            registry,
            standard,
            prefix: prefix.to_string(),
            max_seq,
            stems: FxHashMap::default(),
            max_sub: FxHashMap::default(),
        }
    }

    /// Learns the stems of the main items of `keys` and the highest
    /// sub-item code under each, in one pass over the registry. A main item
    /// is found under its current or its registered name; the first record
    /// in issue order wins, as it always has.
    fn learn(&mut self, keys: &BTreeSet<&ItemKey>) {
        let mains: HashSet<ItemKey> = keys
            .iter()
            .map(|k| k.main())
            .filter(|m| !self.stems.contains_key(m))
            .collect();
        if mains.is_empty() {
            return;
        }
        let names: HashSet<(&str, &str, &str)> = mains
            .iter()
            .map(|m| (m.category.as_str(), m.sector.as_str(), m.name.as_str()))
            .collect();
        let mut found: HashMap<ItemKey, String> = HashMap::new();
        for r in self.registry.records() {
            let Some(b) = issued_code(r) else { continue };
            for name in [&r.name, &r.registered_name] {
                if names.contains(&(&*r.category, &*r.sector, &**name)) {
                    let key = ItemKey {
                        category: r.category.to_string(),
                        sector: r.sector.to_string(),
                        name: name.to_string(),
                        sub_name: String::new(),
                    };
                    found
                        .entry(key)
                        .or_insert_with(|| String::from_utf8_lossy(&b[..9]).into_owned());
                }
            }
        }
        let stems: HashSet<&str> = found.values().map(String::as_str).collect();
        let mut max_sub: HashMap<String, u32> = HashMap::new();
        for r in self.registry.records() {
            let Some(b) = issued_code(r) else { continue };
            let stem = std::str::from_utf8(&b[..9]).expect("ASCII");
            if stems.contains(stem)
                && let Some(n) = std::str::from_utf8(&b[9..])
                    .ok()
                    .and_then(|s| s.parse::<u32>().ok())
            {
                let m = max_sub.entry(stem.to_string()).or_insert(0);
                *m = (*m).max(n);
            }
        }
        self.max_sub.extend(max_sub);
        self.stems.extend(found);
    }

    /// Remembers a code just issued.
    fn note(&mut self, code: &str, key: &ItemKey) {
        let b = code.as_bytes();
        if b.len() != 12 || !code.is_ascii() {
            return;
        }
        if let Some(n) = decode_sequence(&code[6..9]) {
            let group: [u8; 6] = b[..6].try_into().expect("12 bytes");
            let m = self.max_seq.entry(group).or_insert(0);
            *m = (*m).max(n);
        }
        let stem = code[..9].to_string();
        self.stems.entry(key.main()).or_insert_with(|| stem.clone());
        if let Ok(n) = code[9..].parse::<u32>() {
            let m = self.max_sub.entry(stem).or_insert(0);
            *m = (*m).max(n);
        }
    }

    fn group(&self, key: &ItemKey) -> Result<String, Uncodable> {
        let code = |table: &str, name: &str| {
            self.standard
                .tables
                .table(table)
                .get(name)
                .and_then(|e| e.code.clone())
        };
        match (code("category", &key.category), code("sector", &key.sector)) {
            (Some(c), Some(s)) => Ok(format!("{}{c}{s}", self.prefix)),
            _ => Err(Uncodable {
                category: key.category.clone(),
                sector: key.sector.clone(),
            }),
        }
    }

    fn new_stem(&mut self, key: &ItemKey) -> Result<String, Uncodable> {
        let group = self.group(key)?;
        let group_bytes: Option<[u8; 6]> = group.as_bytes().try_into().ok();
        let current = group_bytes
            .and_then(|g| self.max_seq.get(&g).copied())
            .unwrap_or(0);
        let seq = encode_sequence(current + 1).ok_or_else(|| Uncodable {
            category: key.category.clone(),
            sector: key.sector.clone(),
        })?;
        if let Some(g) = group_bytes {
            self.max_seq.insert(g, current + 1);
        }
        Ok(format!("{group}{seq}"))
    }

    /// The code of every key: the registered one, or a new one appended to
    /// the registry.
    pub fn assign(&mut self, keys: &[ItemKey]) -> Result<HashMap<ItemKey, String>, Uncodable> {
        let all: BTreeSet<&ItemKey> = keys.iter().collect();
        let unregistered: BTreeSet<&ItemKey> = all
            .iter()
            .copied()
            .filter(|k| self.registry.by_key(k).is_none())
            .collect();
        self.learn(&unregistered);
        let mains_with_subs: BTreeSet<ItemKey> = all
            .iter()
            .filter(|k| k.is_sub())
            .map(|k| k.main())
            .collect();
        let mut out = HashMap::with_capacity(all.len());
        for key in all {
            if let Some(r) = self.registry.by_key(key) {
                out.insert(key.clone(), r.code.clone());
                continue;
            }
            let code = if key.is_sub() {
                let stem = match self.stems.get(&key.main()) {
                    Some(s) => s.clone(),
                    None => {
                        let s = self.new_stem(key)?;
                        self.stems.insert(key.main(), s.clone());
                        s
                    }
                };
                let n = self.max_sub.get(&stem).copied().unwrap_or(0) + 1;
                self.max_sub.insert(stem.clone(), n);
                format!("{stem}{n:03}")
            } else {
                // 00Y only for a main item that has sub-items (in this batch
                // or registered under its stem); a code in use (a retired
                // main) is never issued again, so such a main gets a new stem.
                let registered_subs = self
                    .stems
                    .get(key)
                    .and_then(|s| self.max_sub.get(s))
                    .is_some_and(|n| *n > 0);
                let suffix = if mains_with_subs.contains(key) || registered_subs {
                    "00Y"
                } else {
                    "000"
                };
                let stem = match self.stems.get(key) {
                    Some(s) if self.registry.get(&format!("{s}{suffix}")).is_none() => s.clone(),
                    _ => {
                        let s = self.new_stem(key)?;
                        self.stems.insert(key.clone(), s.clone());
                        s
                    }
                };
                format!("{stem}{suffix}")
            };
            self.registry
                .append(Record::new(&code, key, Provenance::Issued));
            self.note(&code, key);
            out.insert(key.clone(), code);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_overflow_to_letters() {
        assert_eq!(encode_sequence(1).unwrap(), "001");
        assert_eq!(encode_sequence(999).unwrap(), "999");
        assert_eq!(encode_sequence(1000).unwrap(), "A00");
        assert_eq!(encode_sequence(1199).unwrap(), "B99");
        // H is followed by J: I is skipped.
        assert_eq!(encode_sequence(1800).unwrap(), "J00");
        for n in 1..=3099 {
            let s = encode_sequence(n).unwrap();
            assert!(!s.contains(['I', 'O', 'Z', 'S', 'V']), "{s}");
            assert_eq!(decode_sequence(&s), Some(n));
        }
        assert_eq!(encode_sequence(0), None);
        assert_eq!(encode_sequence(3100), None);
    }

    fn key(c: &str, s: &str, n: &str, sub: &str) -> ItemKey {
        ItemKey::new(c, s, n, sub)
    }

    #[test]
    fn assignment_is_order_independent_and_structured() {
        let std = Standard::embedded();
        let keys = vec![
            key("行政许可", "公安", "户口迁移", ""),
            key("行政确认", "公安", "户口登记", ""),
            key("行政许可", "公安", "机动车登记", "注册登记"),
            key("行政许可", "公安", "机动车登记", "变更登记"),
            key("行政许可", "公安", "机动车登记", ""),
        ];
        let mut r1 = Registry::default();
        let a = Assigner::new(&mut r1, &std, "43").assign(&keys).unwrap();
        let mut rev = keys.clone();
        rev.reverse();
        let mut r2 = Registry::default();
        let b = Assigner::new(&mut r2, &std, "43").assign(&rev).unwrap();
        assert_eq!(a, b);
        assert_eq!(r1.to_text(), r2.to_text());
        assert_eq!(a[&keys[0]], "430101001000");
        assert_eq!(a[&keys[1]], "430701001000");
        let main = &a[&keys[4]];
        assert!(main.ends_with("00Y"), "{main}");
        assert_eq!(&a[&keys[2]][..9], &main[..9]);
        assert!(r1.integrity().is_empty());
    }

    #[test]
    fn codes_of_upper_levels_under_the_prefix_are_never_issued() {
        let std = Standard::embedded();
        let mut reg = Registry::default();
        // The province's own item, under the city's prefix 43.
        reg.append(Record::new(
            "430101007000",
            &key("行政许可", "公安", "省级事项", ""),
            Provenance::External,
        ));
        let got = Assigner::new(&mut reg, &std, "43")
            .assign(&[key("行政许可", "公安", "市级新事项", "")])
            .unwrap();
        assert_eq!(
            got[&key("行政许可", "公安", "市级新事项", "")],
            "430101008000"
        );
        assert!(reg.integrity().is_empty());
    }

    #[test]
    fn existing_codes_never_change_and_retired_are_not_reused() {
        let std = Standard::embedded();
        let mut reg = Registry::default();
        let first = Assigner::new(&mut reg, &std, "43")
            .assign(&[
                key("行政许可", "公安", "甲", ""),
                key("行政许可", "公安", "乙", ""),
            ])
            .unwrap();
        reg.retire(&first[&key("行政许可", "公安", "乙", "")]);
        let second = Assigner::new(&mut reg, &std, "43")
            .assign(&[
                key("行政许可", "公安", "甲", ""),
                key("行政许可", "公安", "丙", ""),
                key("行政许可", "公安", "乙", ""),
            ])
            .unwrap();
        assert_eq!(
            second[&key("行政许可", "公安", "甲", "")],
            first[&key("行政许可", "公安", "甲", "")]
        );
        let mut codes: Vec<&String> = second.values().collect();
        codes.push(&first[&key("行政许可", "公安", "乙", "")]);
        let unique: BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len(), "{codes:?}");
        assert!(reg.integrity().is_empty());
    }
}
