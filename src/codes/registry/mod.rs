//! The code registry `items/codes.lock`: every 基本编码 ever issued or
//! accepted, with the item key it stands for, its status, the release it
//! first appeared in and its former names.
//!
//! On disk it is a log, one event a line — a code issued, renamed, retired,
//! a release stamped — each line chained to the one before by a hash
//! ([`log`]). Nothing is ever rewritten, only appended, so a lost, altered,
//! repeated or reordered line shows, names its line, and a review of a
//! change sees only added lines. The YAML of earlier versions is still read
//! ([`legacy`]) and written as the log on the next write (docs/codes.md).
//!
//! In memory the registry is the records the log describes, indexed by code
//! and by active item key, plus the events themselves (a few bytes each) so
//! the file is written back byte for byte with the new events appended.

mod index;
mod legacy;
mod log;

use super::ItemKey;
use arcstr::ArcStr;
use index::Index;
use serde::{Deserialize, Serialize};

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

/// One code and what it stands for now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The 基本编码.
    pub code: String,
    pub category: ArcStr,
    pub sector: ArcStr,
    /// The item's current name.
    pub name: ArcStr,
    pub sub_name: ArcStr,
    /// The name it was registered under (never changes).
    pub registered_name: ArcStr,
    /// The sub-item name it was registered under (never changes).
    pub registered_sub_name: ArcStr,
    pub status: Status,
    pub origin: Provenance,
    /// Issue order, 1-based, never reused.
    pub serial: u64,
    /// The release it first appeared in; empty until released.
    pub first_release: ArcStr,
    /// Earlier names, as 名称 or 名称（子项）.
    pub former_names: Vec<String>,
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
    /// A new active record of `code` for `key`; its serial is set when it
    /// is appended.
    pub fn new(code: &str, key: &ItemKey, origin: Provenance) -> Record {
        let name = ArcStr::from(key.name.as_str());
        let sub_name = ArcStr::from(key.sub_name.as_str());
        Record {
            code: code.to_string(),
            category: ArcStr::from(key.category.as_str()),
            sector: ArcStr::from(key.sector.as_str()),
            registered_name: name.clone(),
            registered_sub_name: sub_name.clone(),
            name,
            sub_name,
            status: Status::Active,
            origin,
            serial: 0,
            first_release: ArcStr::new(),
            former_names: Vec::new(),
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
        if index::is_key_of(self, key) {
            return true;
        }
        let shown = crate::standard::normalize_value(&display_name(&key.name, &key.sub_name));
        self.former_names
            .iter()
            .any(|f| crate::standard::normalize_value(f) == shown)
    }
}

/// One change of the registry, in the order it happened: what a line of
/// `codes.lock` says. Records are referred to by their position.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// A code issued or accepted. A registry migrated from the YAML format
    /// carries each record's state at migration on its issue line.
    Issue {
        record: u32,
        migrated: Option<Box<Migrated>>,
    },
    /// A new name for a code.
    Rename {
        record: u32,
        name: ArcStr,
        sub_name: ArcStr,
    },
    /// A code retired.
    Retire { record: u32 },
    /// A release: every code without a first release gets this one.
    Release { version: ArcStr },
}

/// A record's state when it was migrated from the YAML format.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Migrated {
    name: ArcStr,
    sub_name: ArcStr,
    status: Status,
    first_release: ArcStr,
    former_names: Vec<String>,
}

/// A problem of the registry file itself, at a line of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    /// 1-based line of `codes.lock`.
    pub line: usize,
    pub damage: Damage,
}

/// What is wrong at a line of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// Not a line of the registry's format (the reason).
    Unreadable(String),
    /// Records `first..=last` are gone: lines were removed before this one.
    Missing { first: u64, last: u64 },
    /// Record `n` is out of place: a line repeated or moved.
    Misplaced { n: u64 },
    /// The line does not hash to its chain value: it was edited.
    Altered,
    /// A code issued a second time.
    DuplicateCode(String),
    /// A second active code for one item key.
    DuplicateKey(String),
    /// A rename or retirement of a code never issued before it.
    UnknownCode(String),
}

impl Damage {
    /// What is wrong, for people.
    pub fn message(&self) -> crate::diag::Text {
        use crate::text;
        match self {
            Damage::Unreadable(why) => text!(
                "不是登记簿的记录行：{why}",
                "not a line of the registry: {why}"
            ),
            Damage::Missing { first, last } if first == last => text!(
                "登记簿缺少第 {first} 条记录：此行之前的一行被删除",
                "record {first} is missing from the registry: a line before this one was removed"
            ),
            Damage::Missing { first, last } => text!(
                "登记簿缺少第 {first}–{last} 条记录：此行之前的行被删除",
                "records {first}–{last} are missing from the registry: lines before this one were removed"
            ),
            Damage::Misplaced { n } => text!(
                "第 {n} 条记录重复或被移动：登记簿只能在末尾追加",
                "record {n} is repeated or moved: the registry only grows at its end"
            ),
            Damage::Altered => text!(
                "此行被改动（校验链断开）：登记簿由 yima 追加，不能手工修改",
                "this line was edited (the chain breaks): yima appends to the registry, it is not edited by hand"
            ),
            Damage::DuplicateCode(c) => text!(
                "编码 {c} 在登记簿中出现多次（编码被重复使用）",
                "code {c} appears more than once (reused)"
            ),
            Damage::DuplicateKey(c) => text!(
                "编码 {c} 所指事项已有另一个有效编码",
                "the item of code {c} has another active code"
            ),
            Damage::UnknownCode(c) => text!(
                "编码 {c} 在此之前没有登记，却被更名或注销",
                "code {c} is renamed or retired before it was ever issued"
            ),
        }
    }
}

/// The registry in memory, with its indexes.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    records: Vec<Record>,
    /// Every record by code.
    by_code: Index,
    /// Active records by item key.
    by_key: Index,
    /// Every change, in order; a line of the file each.
    log: Vec<Event>,
    /// Problems found while reading the file.
    damage: Vec<Integrity>,
    /// Read from the YAML format of earlier versions.
    legacy: bool,
    /// The line of each record's issue in the file it was read from
    /// (0 for records appended since).
    lines: Vec<u32>,
    /// The upper-level catalog among the records, indexed when first asked
    /// for; any change of a record drops it.
    upper: std::sync::OnceLock<super::upper::UpperCatalog>,
}

/// What [`Registry::insert`] found taken.
#[derive(Debug, Clone, Copy)]
struct Taken {
    code: bool,
    key: bool,
}

/// The registry file could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(pub String);

impl Registry {
    /// Parses `codes.lock`: the log, or the YAML of earlier versions. Damage
    /// found on the way (a removed, edited, repeated or reordered line) is
    /// kept for [`Registry::integrity`]; only a file that is not a registry
    /// at all is an error.
    pub fn parse(text: &str) -> Result<Registry, RegistryError> {
        // A byte-order mark an editor put in front changes no line.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let blank = text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if log::is_log(text) {
            log::parse(text)
        } else if blank {
            Ok(Registry::default())
        } else {
            legacy::parse(text)
        }
    }

    /// Reads `codes.lock` from a file a line at a time: the log never has to
    /// be in memory beside the registry. The YAML of earlier versions is
    /// read whole, as it always was.
    pub fn read(input: &mut dyn std::io::BufRead) -> Result<Registry, RegistryError> {
        let head = input.fill_buf().map_err(|e| RegistryError(e.to_string()))?;
        let bom = head.starts_with("\u{feff}".as_bytes());
        let head = String::from_utf8_lossy(&head[..head.len().min(4096)]).into_owned();
        if bom {
            input.consume(3);
        }
        if log::is_log(&head) {
            return log::read(input);
        }
        let mut text = String::new();
        input
            .read_to_string(&mut text)
            .map_err(|e| RegistryError(e.to_string()))?;
        Registry::parse(&text)
    }

    /// The file's text: the log, every event a line, chained.
    pub fn to_text(&self) -> String {
        log::write(self)
    }

    /// Writes the file's text to `out`, a line at a time.
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        log::write_to(self, out)
    }

    /// Whether it was read from the YAML format (and will be written as the
    /// log next time).
    pub fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// The upper levels' basic catalog: the active external records, by
    /// category and name (see [`super::upper`]).
    pub fn upper(&self) -> &super::upper::UpperCatalog {
        self.upper
            .get_or_init(|| super::upper::UpperCatalog::of(self))
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
        self.by_code
            .find(index::hash_code(code), |i| self.records[i].code == code)
            .map(|i| &self.records[i])
    }

    /// The active record of an item key.
    pub fn by_key(&self, key: &ItemKey) -> Option<&Record> {
        self.by_key
            .find(index::hash_key(key), |i| {
                index::is_key_of(&self.records[i], key)
            })
            .map(|i| &self.records[i])
    }

    /// The line of `code.lock` a record was read from (its issue), if it was
    /// read from a file.
    pub fn line_of(&self, code: &str) -> Option<usize> {
        let i = self
            .by_code
            .find(index::hash_code(code), |i| self.records[i].code == code)?;
        self.lines
            .get(i)
            .copied()
            .filter(|l| *l > 0)
            .map(|l| l as usize)
    }

    /// Adds a record as it is read or appended and indexes it; the first of
    /// two records with one code or one active key keeps the index. Says
    /// whether its code, and its key, were taken already.
    fn insert(&mut self, rec: Record, line: u32) -> (u32, Taken) {
        self.upper = std::sync::OnceLock::new();
        let i = self.records.len() as u32;
        let hc = index::hash_code(&rec.code);
        let code_taken = self
            .by_code
            .find(hc, |j| self.records[j].code == rec.code)
            .is_some();
        let mut key_taken = false;
        if rec.status == Status::Active {
            let hk = index::hash_record_key(&rec);
            key_taken = self
                .by_key
                .find(hk, |j| index::same_key(&self.records[j], &rec))
                .is_some();
            if !key_taken {
                self.by_key.insert(hk, i);
            }
        }
        if !code_taken {
            self.by_code.insert(hc, i);
        }
        self.records.push(rec);
        self.lines.push(line);
        (
            i,
            Taken {
                code: code_taken,
                key: key_taken,
            },
        )
    }

    /// Indexes record `i` by its key if it is active and its key is free.
    fn index_key(&mut self, i: u32) {
        let rec = &self.records[i as usize];
        if rec.status != Status::Active {
            return;
        }
        let h = index::hash_record_key(rec);
        let taken = self.by_key.find(h, |j| {
            index::same_key(&self.records[j], &self.records[i as usize])
        });
        if taken.is_none() {
            self.by_key.insert(h, i);
        }
    }

    /// Takes record `i` out of the key index (renamed or retired).
    fn unindex_key(&mut self, i: u32) {
        let h = index::hash_record_key(&self.records[i as usize]);
        self.by_key.remove(h, i);
    }

    fn index_of(&self, code: &str) -> Option<u32> {
        self.by_code
            .find(index::hash_code(code), |i| self.records[i].code == code)
            .map(|i| i as u32)
    }

    /// Appends a record, numbering it.
    pub fn append(&mut self, rec: Record) -> &Record {
        self.issue(rec, None)
    }

    /// Numbers, indexes and logs a record's issue.
    fn issue(&mut self, mut rec: Record, migrated: Option<Box<Migrated>>) -> &Record {
        rec.serial = self.records.len() as u64 + 1;
        let (i, _) = self.insert(rec, 0);
        self.log.push(Event::Issue {
            record: i,
            migrated,
        });
        &self.records[i as usize]
    }

    /// Appends a record with the state it has in another registry (a name
    /// given since its registration, retired, released, former names), as
    /// an exchange import brings it. Its issue line carries that state, as
    /// the line of a record migrated from the YAML format does.
    pub fn adopt(&mut self, rec: Record) -> &Record {
        let fresh = rec.name == rec.registered_name
            && rec.sub_name == rec.registered_sub_name
            && rec.status == Status::Active
            && rec.first_release.is_empty()
            && rec.former_names.is_empty();
        let migrated = (!fresh).then(|| {
            Box::new(Migrated {
                name: rec.name.clone(),
                sub_name: rec.sub_name.clone(),
                status: rec.status,
                first_release: rec.first_release.clone(),
                former_names: rec.former_names.clone(),
            })
        });
        self.issue(rec, migrated)
    }

    /// Records a new name (and sub-item name) for a code; the old one joins
    /// the former names.
    pub fn rename(&mut self, code: &str, new_name: &str, new_sub_name: &str) {
        let Some(i) = self.index_of(code) else {
            return;
        };
        let rec = &self.records[i as usize];
        if rec.name == new_name && rec.sub_name == new_sub_name {
            return;
        }
        let (name, sub_name) = (ArcStr::from(new_name), ArcStr::from(new_sub_name));
        self.apply_rename(i, name.clone(), sub_name.clone());
        self.log.push(Event::Rename {
            record: i,
            name,
            sub_name,
        });
    }

    fn apply_rename(&mut self, i: u32, name: ArcStr, sub_name: ArcStr) {
        self.upper = std::sync::OnceLock::new();
        let active = self.records[i as usize].status == Status::Active;
        if active {
            self.unindex_key(i);
        }
        let rec = &mut self.records[i as usize];
        let old = display_name(&rec.name, &rec.sub_name);
        let new = display_name(&name, &sub_name);
        rec.name = name;
        rec.sub_name = sub_name;
        rec.former_names.retain(|f| *f != new);
        if !rec.former_names.contains(&old) {
            rec.former_names.push(old);
        }
        if active {
            self.index_key(i);
        }
    }

    /// Retires a code. It is never issued again.
    pub fn retire(&mut self, code: &str) {
        let Some(i) = self.index_of(code) else {
            return;
        };
        if self.records[i as usize].status == Status::Retired {
            return;
        }
        self.apply_retire(i);
        self.log.push(Event::Retire { record: i });
    }

    fn apply_retire(&mut self, i: u32) {
        self.upper = std::sync::OnceLock::new();
        self.unindex_key(i);
        self.records[i as usize].status = Status::Retired;
    }

    /// Stamps codes without a release with this one; returns how many.
    pub fn stamp_release(&mut self, release: &str) -> usize {
        let version = ArcStr::from(release);
        let n = self.apply_release(&version);
        if n > 0 {
            self.log.push(Event::Release { version });
        }
        n
    }

    fn apply_release(&mut self, version: &ArcStr) -> usize {
        let mut n = 0;
        for r in &mut self.records {
            if r.first_release.is_empty() {
                r.first_release = version.clone();
                n += 1;
            }
        }
        n
    }

    /// The problems of the file it was read from: removed, edited, repeated
    /// or reordered lines, a code issued twice, two active codes for one
    /// key. Empty for a registry built in memory.
    pub fn integrity(&self) -> &[Integrity] {
        &self.damage
    }

    /// The codes of `older` that this registry lost or changed: every record
    /// of an earlier registry must still be here with the same code, key and
    /// first release, and a retired one still retired.
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
                        || n.origin != o.origin
                        || (o.status == Status::Retired && n.status == Status::Active)
                        || (!o.first_release.is_empty() && n.first_release != o.first_release)
                })
            })
            .map(|o| o.code.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests;
