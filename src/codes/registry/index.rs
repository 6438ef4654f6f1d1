//! The registry's indexes: a record's position by the 64-bit hash of its
//! code or item key. The hash alone is kept, not a copy of the key (a
//! nation's registry holds a million of each), and every look-up confirms
//! the record it finds, so two keys sharing a hash are told apart.
//!
//! Names are compared as stored: a record's names come from item keys,
//! which are normalized when they are made ([`ItemKey::new`]).

use super::Record;
use crate::codes::ItemKey;
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;

/// Record positions by hash; a hash that two keys share lists both.
#[derive(Debug, Clone, Default)]
pub struct Index {
    one: FxHashMap<u64, u32>,
    more: FxHashMap<u64, Vec<u32>>,
}

impl Index {
    /// The position under `hash` for which `is` holds.
    pub fn find(&self, hash: u64, is: impl Fn(usize) -> bool) -> Option<usize> {
        let first = *self.one.get(&hash)? as usize;
        if is(first) {
            return Some(first);
        }
        self.more
            .get(&hash)?
            .iter()
            .map(|&i| i as usize)
            .find(|&i| is(i))
    }

    /// Adds a position (whose key is not in the index yet).
    pub fn insert(&mut self, hash: u64, i: u32) {
        if let Some(&first) = self.one.get(&hash)
            && first != i
        {
            self.more.entry(hash).or_default().push(i);
            return;
        }
        self.one.insert(hash, i);
    }

    /// Removes a position.
    pub fn remove(&mut self, hash: u64, i: u32) {
        if self.one.get(&hash) == Some(&i) {
            match self.more.get_mut(&hash).and_then(Vec::pop) {
                Some(next) => {
                    self.one.insert(hash, next);
                }
                None => {
                    self.one.remove(&hash);
                }
            }
        } else if let Some(v) = self.more.get_mut(&hash) {
            v.retain(|&j| j != i);
        }
        if self.more.get(&hash).is_some_and(Vec::is_empty) {
            self.more.remove(&hash);
        }
    }
}

/// The hash of a code.
pub fn hash_code(code: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(code.as_bytes());
    h.finish()
}

fn hash_parts(category: &str, sector: &str, name: &str, sub_name: &str) -> u64 {
    let mut h = FxHasher::default();
    for part in [category, sector, name, sub_name] {
        h.write(part.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

/// The hash of an item key.
pub fn hash_key(key: &ItemKey) -> u64 {
    hash_parts(&key.category, &key.sector, &key.name, &key.sub_name)
}

/// The hash of a record's current key.
pub fn hash_record_key(r: &Record) -> u64 {
    hash_parts(&r.category, &r.sector, &r.name, &r.sub_name)
}

/// Whether `key` is the record's current key. A registry stores names as
/// item keys hold them (normalized when the key was made), so they compare
/// as they are.
pub fn is_key_of(r: &Record, key: &ItemKey) -> bool {
    r.category == key.category
        && r.sector == key.sector
        && r.name == key.name
        && r.sub_name == key.sub_name
}

/// Whether two records have the same current key.
pub fn same_key(a: &Record, b: &Record) -> bool {
    a.category == b.category && a.sector == b.sector && a.name == b.name && a.sub_name == b.sub_name
}
