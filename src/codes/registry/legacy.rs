//! The YAML registry of earlier versions (`version: 1`): one block of keys
//! per record, each with a chain value over its immutable part. It is read
//! as it is — with a parser budget that grows with the file, so a registry
//! of any size reads — checked the way it always was, and becomes the log
//! on the next write, each record's state carried on its issue line.

use super::Status;
use super::{Damage, Event, Integrity, Migrated, Provenance, Record, Registry, RegistryError};
use arcstr::ArcStr;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    codes: Vec<OldRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OldRecord {
    code: String,
    category: String,
    sector: String,
    name: String,
    #[serde(default)]
    sub_name: String,
    registered_name: String,
    #[serde(default)]
    registered_sub_name: String,
    status: Status,
    origin: Provenance,
    serial: u64,
    #[serde(default)]
    first_release: String,
    #[serde(default)]
    former_names: Vec<String>,
    chain: String,
}

impl OldRecord {
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

/// serde-saphyr's default budget stops at 250,000 nodes, about 13,000
/// records; a registry's file is yima's own, so the budget follows its size
/// (a node takes at least a byte) and never stops a file that exists.
fn options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    let room = len.saturating_mul(2).max(1 << 20);
    budget.max_nodes = budget.max_nodes.max(room);
    budget.max_events = budget.max_events.max(room);
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(room);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// The 1-based line of each record's `- code:` line, in order.
fn record_lines(text: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- code:"))
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

/// Reads the YAML registry and checks it as version 1 did: unique codes,
/// one active record per key, contiguous serials, an unbroken chain.
pub fn parse(text: &str) -> Result<Registry, RegistryError> {
    let file: File = serde_saphyr::from_str_with_options(text, options(text.len()))
        .map_err(|e| RegistryError(e.to_string()))?;
    if file.version != 1 {
        return Err(RegistryError(format!(
            "unsupported registry version {}",
            file.version
        )));
    }
    let lines = record_lines(text);
    let mut reg = Registry {
        legacy: true,
        ..Registry::default()
    };
    let mut prev = String::new();
    let mut prev_serial = 0u64;
    for (i, old) in file.codes.into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let mut damage = Vec::new();
        // A gap is reported once, at its first missing serial.
        if old.serial > prev_serial + 1 {
            damage.push(Damage::Missing {
                first: prev_serial + 1,
                last: old.serial - 1,
            });
        }
        prev_serial = prev_serial.max(old.serial);
        if old.chain != old.chain_value(&prev) {
            damage.push(Damage::Altered);
        }
        prev = old.chain.clone();
        let name = ArcStr::from(old.name);
        let sub_name = ArcStr::from(old.sub_name);
        let first_release = ArcStr::from(old.first_release);
        let rec = Record {
            code: old.code,
            category: ArcStr::from(old.category),
            sector: ArcStr::from(old.sector),
            name: name.clone(),
            sub_name: sub_name.clone(),
            registered_name: ArcStr::from(old.registered_name),
            registered_sub_name: ArcStr::from(old.registered_sub_name),
            status: old.status,
            origin: old.origin,
            serial: old.serial,
            first_release: first_release.clone(),
            former_names: old.former_names.clone(),
        };
        let code = rec.code.clone();
        let plain = name == rec.registered_name
            && sub_name == rec.registered_sub_name
            && rec.status == Status::Active
            && first_release.is_empty()
            && old.former_names.is_empty();
        let migrated = (!plain).then(|| {
            Box::new(Migrated {
                name,
                sub_name,
                status: rec.status,
                first_release,
                former_names: old.former_names,
            })
        });
        let (r, taken) = reg.insert(rec, line);
        reg.log.push(Event::Issue {
            record: r,
            migrated,
        });
        if taken.code {
            damage.push(Damage::DuplicateCode(code));
        } else if taken.key {
            damage.push(Damage::DuplicateKey(code));
        }
        for d in damage {
            reg.damage.push(Integrity {
                line: line as usize,
                damage: d,
            });
        }
    }
    Ok(reg)
}
