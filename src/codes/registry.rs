//! The code registry `items/codes.lock`: every 基本编码 ever issued or
//! accepted, with the item key it stands for, its status, the release it
//! first appeared in and its former names. Append-only: records are never
//! removed or re-keyed, and a chain of hashes over the immutable part of each
//! record makes a lost or altered record visible.

use super::ItemKey;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The file name of the registry inside `items/`.
pub const FILE: &str = "codes.lock";

/// Whether a code is in use.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Active,
    Retired,
}

/// Where a code came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// Issued by this workspace under its region prefix.
    Issued,
    /// Accepted from an upper-level catalog (an external prefix).
    External,
}

/// One code and what it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The 基本编码.
    pub code: String,
    pub category: String,
    pub sector: String,
    /// The item's current name.
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub_name: String,
    /// The name it was registered under (never changes).
    pub registered_name: String,
    /// The sub-item name it was registered under (never changes).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub registered_sub_name: String,
    pub status: Status,
    pub origin: Provenance,
    /// Issue order, 1-based, never reused.
    pub serial: u64,
    /// The release it first appeared in; empty until released.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub first_release: String,
    /// Earlier names, as 名称 or 名称（子项）.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_names: Vec<String>,
    /// sha256 of the previous record's chain value and this record's
    /// immutable fields.
    pub chain: String,
}

/// An item's name as people write it: 名称, or 名称（子项）.
pub fn display_name(name: &str, sub_name: &str) -> String {
    if sub_name.is_empty() {
        name.to_string()
    } else {
        format!("{name}（{sub_name}）")
    }
}

impl Record {
    /// A new active record of `code` for `key`; serial and chain are set
    /// when it is appended.
    pub fn new(code: &str, key: &ItemKey, origin: Provenance) -> Record {
        Record {
            code: code.to_string(),
            category: key.category.clone(),
            sector: key.sector.clone(),
            name: key.name.clone(),
            sub_name: key.sub_name.clone(),
            registered_name: key.name.clone(),
            registered_sub_name: key.sub_name.clone(),
            status: Status::Active,
            origin,
            serial: 0,
            first_release: String::new(),
            former_names: Vec::new(),
            chain: String::new(),
        }
    }

    /// The key the record stands for now (its current name).
    pub fn key(&self) -> ItemKey {
        ItemKey::new(&self.category, &self.sector, &self.name, &self.sub_name)
    }

    /// Whether `key` is this record's item under its current or a former
    /// name (an agency whose entry still carries the old name is not wrong).
    pub fn answers_to(&self, key: &ItemKey) -> bool {
        if key.category != self.category || key.sector != self.sector {
            return false;
        }
        if *key == self.key() {
            return true;
        }
        let shown = crate::standard::normalize_value(&display_name(&key.name, &key.sub_name));
        self.former_names
            .iter()
            .any(|f| crate::standard::normalize_value(f) == shown)
    }

    fn chain_value(&self, prev: &str) -> String {
        let mut h = Sha256::new();
        for part in [
            prev,
            &self.code,
            &self.category,
            &self.sector,
            &self.registered_name,
            &self.registered_sub_name,
            match self.origin {
                Provenance::Issued => "issued",
                Provenance::External => "external",
            },
            &self.serial.to_string(),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let mut s = String::with_capacity(64);
        for b in h.finalize() {
            let _ = write!(s, "{b:02x}");
        }
        s
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    version: u32,
    #[serde(default)]
    codes: Vec<Record>,
}

/// A problem with the registry file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// Two records with one code.
    DuplicateCode(String),
    /// Two active records for one item key.
    DuplicateKey(String),
    /// A record whose chain value does not follow from the one before:
    /// a record was removed, reordered or altered.
    BrokenChain { code: String, serial: u64 },
    /// Serial numbers skip: a record was removed.
    MissingSerial(u64),
}

/// The registry in memory, with its indexes.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    records: Vec<Record>,
    by_code: HashMap<String, usize>,
    by_key: HashMap<ItemKey, usize>,
    /// The upper-level catalog among the records, indexed when first asked
    /// for; any change of a record drops it.
    upper: std::sync::OnceLock<super::upper::UpperCatalog>,
}

/// The registry file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(pub String);

impl Registry {
    /// Parses `codes.lock`.
    pub fn parse(text: &str) -> Result<Registry, RegistryError> {
        if text.trim().is_empty() {
            return Ok(Registry::default());
        }
        let file: RegistryFile =
            serde_saphyr::from_str(text).map_err(|e| RegistryError(e.to_string()))?;
        if file.version != 1 {
            return Err(RegistryError(format!(
                "unsupported registry version {}",
                file.version
            )));
        }
        let mut r = Registry::default();
        for rec in file.codes {
            r.insert(rec);
        }
        Ok(r)
    }

    fn insert(&mut self, rec: Record) {
        self.upper = std::sync::OnceLock::new();
        let i = self.records.len();
        self.by_code.entry(rec.code.clone()).or_insert(i);
        if rec.status == Status::Active {
            self.by_key.entry(rec.key()).or_insert(i);
        }
        self.records.push(rec);
    }

    /// Serializes the registry, records in issue order.
    pub fn to_yaml(&self) -> String {
        let file = RegistryFile {
            version: 1,
            codes: self.records.clone(),
        };
        let body = serde_saphyr::to_string(&file).expect("registry serializes");
        format!(
            "# 基本编码登记簿（yima 维护，只增不减，请勿手工修改）\n# The code registry, maintained by yima: append-only, do not edit.\n{body}"
        )
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn get(&self, code: &str) -> Option<&Record> {
        self.by_code.get(code).map(|&i| &self.records[i])
    }

    /// The active record of an item key.
    pub fn by_key(&self, key: &ItemKey) -> Option<&Record> {
        self.by_key.get(key).map(|&i| &self.records[i])
    }

    /// The upper levels' basic catalog: the active external records, by
    /// category and name (see [`super::upper`]).
    pub fn upper(&self) -> &super::upper::UpperCatalog {
        self.upper
            .get_or_init(|| super::upper::UpperCatalog::of(self))
    }

    /// Every record (active or retired) whose item is the main item `key`
    /// names or one of its sub-items — they share the code stem.
    pub fn stem_of(&self, key: &ItemKey) -> Option<String> {
        let main = key.main();
        self.records
            .iter()
            .filter(|r| r.origin == Provenance::Issued)
            .find(|r| {
                r.key().main() == main
                    || ItemKey::new(&r.category, &r.sector, &r.registered_name, "").main() == main
            })
            .map(|r| r.code[..9].to_string())
    }

    /// Appends a record, computing its serial and chain value.
    pub fn append(&mut self, mut rec: Record) -> &Record {
        let prev = self
            .records
            .last()
            .map(|r| r.chain.clone())
            .unwrap_or_default();
        rec.serial = self.records.last().map_or(1, |r| r.serial + 1);
        rec.chain = rec.chain_value(&prev);
        self.insert(rec);
        self.records.last().expect("just pushed")
    }

    /// Records a new name (and sub-item name) for a code; the old one joins
    /// the former names.
    pub fn rename(&mut self, code: &str, new_name: &str, new_sub_name: &str) {
        let Some(&i) = self.by_code.get(code) else {
            return;
        };
        self.upper = std::sync::OnceLock::new();
        let old_key = self.records[i].key();
        let rec = &mut self.records[i];
        if rec.name == new_name && rec.sub_name == new_sub_name {
            return;
        }
        let old = display_name(&rec.name, &rec.sub_name);
        rec.name = new_name.to_string();
        rec.sub_name = new_sub_name.to_string();
        let new = display_name(new_name, new_sub_name);
        rec.former_names.retain(|f| *f != new);
        if !rec.former_names.contains(&old) {
            rec.former_names.push(old);
        }
        if rec.status == Status::Active {
            self.by_key.remove(&old_key);
            let key = self.records[i].key();
            self.by_key.insert(key, i);
        }
    }

    /// Retires a code. It is never issued again.
    pub fn retire(&mut self, code: &str) {
        if let Some(&i) = self.by_code.get(code) {
            self.upper = std::sync::OnceLock::new();
            let key = self.records[i].key();
            self.records[i].status = Status::Retired;
            if self.by_key.get(&key) == Some(&i) {
                self.by_key.remove(&key);
            }
        }
    }

    /// Stamps codes without a release with this one.
    pub fn stamp_release(&mut self, release: &str) -> usize {
        let mut n = 0;
        for r in &mut self.records {
            if r.first_release.is_empty() {
                r.first_release = release.to_string();
                n += 1;
            }
        }
        n
    }

    /// Checks the file's own integrity: unique codes, one active record per
    /// key, contiguous serials, an unbroken chain.
    pub fn integrity(&self) -> Vec<Integrity> {
        let mut out = Vec::new();
        let mut codes: HashMap<&str, usize> = HashMap::new();
        let mut keys: HashMap<ItemKey, usize> = HashMap::new();
        let mut prev = String::new();
        let mut prev_serial = 0u64;
        for (i, r) in self.records.iter().enumerate() {
            if codes.insert(&r.code, i).is_some() {
                out.push(Integrity::DuplicateCode(r.code.clone()));
            }
            if r.status == Status::Active && keys.insert(r.key(), i).is_some() {
                out.push(Integrity::DuplicateKey(r.code.clone()));
            }
            // A gap is reported once, at its first missing serial.
            if r.serial > prev_serial + 1 {
                out.push(Integrity::MissingSerial(prev_serial + 1));
            }
            prev_serial = prev_serial.max(r.serial);
            if r.chain != r.chain_value(&prev) {
                out.push(Integrity::BrokenChain {
                    code: r.code.clone(),
                    serial: r.serial,
                });
            }
            prev = r.chain.clone();
        }
        out
    }

    /// The codes of `older` that this registry lost or changed: every record
    /// of an earlier registry must still be here with the same code and key.
    pub fn lost_since(&self, older: &Registry) -> Vec<String> {
        older
            .records
            .iter()
            .filter(|o| {
                self.get(&o.code).is_none_or(|n| {
                    n.category != o.category
                        || n.sector != o.sector
                        || n.registered_name != o.registered_name
                        || n.registered_sub_name != o.registered_sub_name
                        || (o.status == Status::Retired && n.status == Status::Active)
                })
            })
            .map(|o| o.code.clone())
            .collect()
    }
}
