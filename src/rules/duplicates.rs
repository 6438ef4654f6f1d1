//! item-duplicate: the same entry (category, name, sub-item, agency code,
//! division) twice across all inputs of a run. A filing's entries are taken
//! in as they are checked ([`FileDuplicates`], any order, the first in the
//! sheet winning), and filings are merged one by one, in input order, into
//! a hash map of what came before ([`Duplicates::absorb`]), so a province's
//! filings cost linear time and only the keys stay in memory — each key as a
//! 128-bit digest of its parts, with the place of its first entry in a few
//! bytes. A filing read whole ([`Duplicates::observe`]) and one checked as it
//! is read (`crate::check`) go the same way, and are reported by
//! [`report`].

use super::{Context, TextMemo, finding};
use crate::diag::{Rule, Sink};
use crate::model::{ArcStr, Entry, Filing, Located, Origin};
use crate::standard::Standard;
use crate::standard::elements::Field;
use crate::text;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// The identity of an implementation entry: category, name and sub-item
/// (both as [`crate::standard::normalize_value`] leaves them), agency code and division, as a
/// digest. Two different entries share one with a chance of about 2⁻¹²⁸
/// per pair — never, in practice, among a province's million.
/// (Two halves rather than a u128, whose alignment of 16 would pad each
/// entry of the run's map.)
pub type EntryKey = [u64; 2];

/// The digests of the parts of entries seen before: a filing repeats its
/// categories, names, agencies and divisions, and each is digested once.
#[derive(Default)]
pub struct Parts {
    texts: TextMemo<u128>,
    names: TextMemo<u128>,
}

impl Parts {
    /// The digest of a part of an entry's identity; a name (`name`)
    /// compares as normalize_value leaves it.
    fn digest(&mut self, text: &ArcStr, name: bool) -> u128 {
        if name {
            *self.names.get(text, |t| part_digest(t, true))
        } else {
            *self.texts.get(text, |t| part_digest(t, false))
        }
    }
}

/// The identity of an implementation entry, None when a part is missing;
/// `parts` remembers the digests of its parts for the entries to come.
pub fn entry_key(e: &Entry, parts: &mut Parts) -> Option<EntryKey> {
    static NONE: ArcStr = arcstr::literal!("");
    let sub = e.sub_name.as_ref().map_or(&NONE, |s| &s.value);
    let digests = [
        parts.digest(&e.category.as_ref()?.value, false),
        parts.digest(&e.name.as_ref()?.value, true),
        parts.digest(sub, true),
        parts.digest(&e.agency_code.as_ref()?.value, false),
        parts.digest(&e.division.as_ref()?.value, false),
    ];
    // The part digests are uniformly spread already: folding them in turn
    // by an odd multiplier (a bijection of each, given the others) keeps
    // two different entries apart as surely as hashing them again.
    const ODD: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835;
    let h = digests
        .into_iter()
        .fold(0u128, |h, d| (h.rotate_left(61) ^ d).wrapping_mul(ODD));
    Some([h as u64, (h >> 64) as u64])
}

/// The digest of one part: its bytes, a name's as normalize_value leaves
/// them (without building the normalized text).
fn part_digest(text: &str, name: bool) -> u128 {
    if !name {
        return digest(text.as_bytes());
    }
    let mut bytes = Vec::with_capacity(text.len());
    let mut utf8 = [0u8; 4];
    for c in crate::standard::nfkc(text)
        .chars()
        .filter(|c| !c.is_whitespace())
    {
        bytes.extend_from_slice(c.to_ascii_uppercase().encode_utf8(&mut utf8).as_bytes());
    }
    digest(&bytes)
}

/// Two independent 64-bit digests of `bytes`: SipHash keyed differently
/// (fixed keys, so the digest is the same in every run).
fn digest(bytes: &[u8]) -> u128 {
    use std::hash::{Hash, Hasher};
    let half = |seed: u64| {
        let mut h = std::hash::DefaultHasher::new();
        seed.hash(&mut h);
        h.write(bytes);
        h.finish()
    };
    (u128::from(half(0x5a17)) << 64) | u128::from(half(0x1ee7))
}

/// Where an entry's name is, in few bytes: the filing's number in the
/// run and the row (the column is the filing's, see [`Duplicates::sheets`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    file: u32,
    row: u32,
}

/// What a run has seen so far: the first entry of each identity. A
/// province's million entries are a million keys, each kept with a place
/// of a few bytes rather than a whole [`Origin`].
#[derive(Debug, Default)]
pub struct Duplicates {
    first: FxHashMap<EntryKey, Place>,
    /// The file, sheet and name column of each filing, by its number.
    sheets: Vec<Origin>,
    /// How many entries the run is expected to hold in all.
    expected: usize,
}

/// item-duplicate within one filing, as its entries are checked a chunk
/// at a time in any order: the first entry of each key (the one highest
/// in the sheet), and the entries that are not.
#[derive(Debug, Default)]
pub struct FileDuplicates {
    /// The filing's number in the run.
    file: u32,
    /// Its file and sheet.
    sheet: Option<Origin>,
    first: FxHashMap<EntryKey, Place>,
    /// Entries found again: the key, and the row of the entry.
    repeats: Vec<(EntryKey, u32)>,
}

/// A filing's duplicates as plain data: its sheet (file, sheet, column of
/// the names), its first entries and its repeats, each by key and row. The
/// release gate keeps them per entry file ([`crate::check::gate`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileKeys {
    pub sheet: Option<(String, Option<String>, Option<u32>)>,
    pub first: Vec<(EntryKey, u32)>,
    pub repeats: Vec<(EntryKey, u32)>,
}

impl FileDuplicates {
    /// What [`FileDuplicates::from_keys`] makes this again from.
    pub fn keys(&self) -> FileKeys {
        let mut first: Vec<(EntryKey, u32)> = self.first.iter().map(|(k, p)| (*k, p.row)).collect();
        first.sort_unstable_by_key(|&(k, row)| (row, k));
        FileKeys {
            sheet: self.sheet.as_ref().map(|o| {
                (
                    o.file.to_string(),
                    o.sheet.as_ref().map(|s| s.to_string()),
                    o.col,
                )
            }),
            first,
            repeats: self.repeats.clone(),
        }
    }

    /// The duplicates `keys` hold, as filing number `file` of the run.
    pub fn from_keys(file: u32, keys: &FileKeys) -> FileDuplicates {
        FileDuplicates {
            file,
            sheet: keys.sheet.as_ref().map(|(f, sheet, col)| Origin {
                file: f.as_str().into(),
                sheet: sheet.as_deref().map(Into::into),
                row: None,
                col: *col,
            }),
            first: (keys.first.iter())
                .map(|&(k, row)| (k, Place { file, row }))
                .collect(),
            repeats: keys.repeats.clone(),
        }
    }

    /// The duplicates of filing number `file` of the run.
    pub fn new(file: u32) -> Self {
        FileDuplicates {
            file,
            ..FileDuplicates::default()
        }
    }

    /// The entries of `filing`, filing number `file` of the run, by their
    /// keys (the digests made in parallel). A filing's entries are rows of
    /// one sheet (a catalog's filings, one entry each).
    pub fn of(filing: &Filing, file: u32) -> FileDuplicates {
        use rayon::prelude::*;
        let keys: Vec<Option<EntryKey>> = filing
            .entries
            .par_iter()
            .map_init(Parts::default, |parts, e| entry_key(e, parts))
            .collect();
        let mut dups = FileDuplicates::new(file);
        dups.reserve(keys.len());
        for (e, key) in filing.entries.iter().zip(keys) {
            if let (Some(key), Some(name)) = (key, &e.name) {
                dups.see(key, name, &e.origin);
            }
        }
        dups
    }

    /// Makes room for `n` more entries.
    pub fn reserve(&mut self, n: usize) {
        self.first.reserve(n);
    }

    /// Takes in an entry of the filing by its key and its name, in `sheet`
    /// (in any order of entries).
    pub fn see(&mut self, key: EntryKey, name: &Located<ArcStr>, sheet: &Origin) {
        use std::collections::hash_map::Entry;
        debug_assert!(
            (self.sheet.as_ref()).is_none_or(|s| s.file == sheet.file && s.sheet == sheet.sheet),
            "the entries of a filing are rows of one sheet"
        );
        if self.sheet.is_none() {
            self.sheet = Some(Origin {
                row: None,
                col: name.col,
                ..sheet.clone()
            });
        }
        let place = Place {
            file: self.file,
            row: name.row,
        };
        match self.first.entry(key) {
            Entry::Vacant(v) => {
                v.insert(place);
            }
            Entry::Occupied(mut o) => {
                let lost = if place.row < o.get().row {
                    std::mem::replace(o.get_mut(), place).row
                } else {
                    place.row
                };
                self.repeats.push((key, lost));
            }
        }
    }
}

impl Duplicates {
    /// Reports the entries of `filing` seen before (in this filing or an
    /// earlier one) and remembers the new ones.
    pub fn observe(&mut self, ctx: &mut Context<'_>, filing: &Filing) {
        let again = self.absorb(FileDuplicates::of(filing, self.next_file()));
        report_in(&ctx.workspace.standard, again, filing, ctx.sink);
    }

    /// The place of a first entry.
    fn origin(&self, place: Place) -> Origin {
        Origin {
            row: Some(place.row),
            ..self
                .sheets
                .get(place.file as usize)
                .cloned()
                .unwrap_or_default()
        }
    }

    /// Expects `n` entries in the run in all: room for them is made once
    /// the first filing is in, rather than doubled again and again.
    pub fn expect(&mut self, n: usize) {
        self.expected = n;
    }

    /// The number the next filing of the run takes.
    pub fn next_file(&self) -> u32 {
        self.sheets.len() as u32
    }

    /// Takes in the duplicates of the next filing in input order; gives
    /// each of its entries that is a duplicate — found again in the filing,
    /// or its first of a key an earlier filing had — by the row of its
    /// name, with the place of the first.
    pub fn absorb(&mut self, file: FileDuplicates) -> Vec<(u32, Origin)> {
        debug_assert_eq!(file.file, self.next_file(), "filings in input order");
        self.sheets.push(file.sheet.unwrap_or_default());
        let mut again = file.repeats;
        if self.first.is_empty() {
            // (The run's first filing: its firsts are the run's.)
            self.first = file.first;
        } else {
            let more = self.expected.saturating_sub(self.first.len());
            self.first.reserve(file.first.len().max(more));
            for (key, place) in file.first {
                match self.first.entry(key) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(place);
                    }
                    std::collections::hash_map::Entry::Occupied(_) => {
                        again.push((key, place.row));
                    }
                }
            }
        }
        again
            .into_iter()
            .filter_map(|(key, row)| Some((row, self.origin(*self.first.get(&key)?))))
            .collect()
    }
}

/// Reports item-duplicate for each entry [`Duplicates::absorb`] gave, found
/// by the row of its name through `entry`.
pub fn report<'e>(
    std: &Standard,
    again: Vec<(u32, Origin)>,
    entry: impl Fn(u32) -> Option<Cow<'e, Entry>>,
    sink: &mut Sink,
) {
    for (row, first) in again {
        if let Some(e) = entry(row)
            && let Some(name) = &e.name
        {
            sink.push(duplicate(std, &e, name, &first));
        }
    }
}

/// [`report`] of the entries [`Duplicates::absorb`] gave for `filing`,
/// read whole.
pub fn report_in(std: &Standard, again: Vec<(u32, Origin)>, filing: &Filing, sink: &mut Sink) {
    if again.is_empty() {
        return;
    }
    let by_row: FxHashMap<u32, &Entry> = filing
        .entries
        .iter()
        .filter_map(|e| Some((e.name.as_ref()?.row, e)))
        .collect();
    report(
        std,
        again,
        |row| by_row.get(&row).map(|e| Cow::Borrowed(*e)),
        sink,
    );
}

/// item-duplicate: `e` is the same entry as the one at `first`.
fn duplicate(
    std: &Standard,
    e: &Entry,
    name: &Located<ArcStr>,
    first: &Origin,
) -> crate::diag::Diagnostic {
    let place = first.to_string();
    finding(
        std,
        Rule::ItemDuplicate,
        e,
        Field::Name,
        name,
        text!(
            "与 {place} 是同一事项（类型、名称、子项、实施主体、区划均相同）",
            "the same entry as {place} (category, name, sub-item, agency and division all equal)"
        ),
    )
    .help(text!(
        "删除重复的一行；同一事项的不同情形请用“子项名称”区分。",
        "delete the repeated row; tell variants apart with 子项名称."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(row: u32) -> Located<ArcStr> {
        Located {
            value: ArcStr::from("社会团体成立登记"),
            row,
            col: Some(1),
            raw: ArcStr::new(),
            from_number: false,
        }
    }

    fn sheet(file: &str) -> Origin {
        Origin::sheet(file.into(), "事项".into())
    }

    fn at(file: &str, row: u32) -> Origin {
        Origin::cell(file.into(), "事项".into(), row, 1)
    }

    #[test]
    fn the_first_in_the_sheet_is_the_first_whatever_order_rows_come_in() {
        let mut run = Duplicates::default();
        let mut a = FileDuplicates::new(run.next_file());
        // Key 1 at rows 50, 10 and 30, seen in that order; key 2 once.
        for (key, row) in [(1, 50), (2, 7), (1, 10), (1, 30)] {
            a.see([key, 0], &name(row), &sheet("a.xlsx"));
        }
        let mut again = run.absorb(a);
        again.sort_by_key(|(row, _)| *row);
        assert_eq!(again, [(30, at("a.xlsx", 10)), (50, at("a.xlsx", 10))]);

        // A later filing: its first of key 1 and its repeat of key 3 are
        // duplicates; key 3's first stays its own.
        let mut b = FileDuplicates::new(run.next_file());
        for (key, row) in [(3, 9), (1, 4), (3, 5)] {
            b.see([key, 0], &name(row), &sheet("b.xlsx"));
        }
        let mut again = run.absorb(b);
        again.sort_by_key(|(row, _)| *row);
        assert_eq!(again, [(4, at("a.xlsx", 10)), (9, at("b.xlsx", 5))]);
    }
}
