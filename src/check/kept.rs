//! What stays of a filing checked as it is read ([`super::scan`]): of each
//! entry, what the rules across rows and files need once it is dropped
//! ([`Kept`], a chunk at a time in [`KeptRows`]); of the materials, their
//! count and the findings of those that link to an entry
//! ([`KeptMaterials`]), the others waiting in [`Links`] for their entry.

use super::queue::lock;
use crate::diag::{Diagnostic, Sink};
use crate::filing::links::Links;
use crate::model::{Entry, Linked, Located, Material, Origin, Text};
use crate::rules::duplicates::{EntryKey, FileDuplicates};
use crate::rules::{self};
use crate::workspace::Workspace;
use std::sync::Mutex;

/// What stays of an entry once it is checked: what the rules across rows
/// (seq-duplicate, material-orphan, no-materials) and across files
/// (item-duplicate) need. Its file and sheet are those of its chunk.
pub struct Kept {
    row: u32,
    seq: Option<Located<u32>>,
    name: Text,
    pub category: Text,
    key: Option<EntryKey>,
}

impl Kept {
    /// Keeps what is needed of `e` (its digest only when the rules run).
    fn of(e: Entry, rules: bool, memo: &mut rules::Memo) -> Kept {
        Kept {
            key: if rules {
                rules::duplicates::entry_key(&e, &mut memo.parts)
            } else {
                None
            },
            row: e.origin.row.unwrap_or_default(),
            seq: e.seq,
            name: e.name,
            category: e.category,
        }
    }

    /// The entry as far as it was kept, in `sheet`: for the place and
    /// context of a finding made after it was dropped.
    pub fn entry(&self, sheet: &Origin) -> Entry {
        Entry {
            origin: Origin {
                row: Some(self.row),
                ..sheet.clone()
            },
            seq: self.seq.clone(),
            name: self.name.clone(),
            category: self.category.clone(),
            ..Entry::default()
        }
    }

    /// Takes the entry in for item-duplicate, in `sheet`.
    pub fn see(&self, dups: &mut FileDuplicates, sheet: &Origin) {
        if let (Some(key), Some(name)) = (self.key, &self.name) {
            dups.see(key, name, sheet);
        }
    }
}

/// What stays of a filing's entries, a chunk at a time in sheet order: no
/// copy of the whole is made.
#[derive(Default)]
pub struct KeptRows {
    chunks: Vec<KeptChunk>,
    /// Entries kept.
    pub len: usize,
}

/// Entries kept from one chunk.
pub struct KeptChunk {
    /// Their file and sheet (no row).
    pub sheet: Origin,
    /// The index of the first in the sheet's entries.
    start: usize,
    pub rows: Vec<Kept>,
}

impl KeptRows {
    /// Keeps the chunk of `entries`, the next in sheet order.
    pub fn of(entries: Vec<Entry>, rules: bool, memo: &mut rules::Memo) -> KeptChunk {
        let sheet = entries.first().map_or_else(Origin::default, |e| Origin {
            row: None,
            col: None,
            ..e.origin.clone()
        });
        // (Collected into a vector of its own size: collecting in place
        // would keep the entries' much bigger one.)
        let mut rows = Vec::with_capacity(entries.len());
        rows.extend(entries.into_iter().map(|e| Kept::of(e, rules, memo)));
        KeptChunk {
            sheet,
            start: 0,
            rows,
        }
    }

    /// Adds the chunks, given in sheet order.
    pub fn extend(&mut self, chunks: impl IntoIterator<Item = KeptChunk>) {
        for mut c in chunks {
            c.start = self.len;
            self.len += c.rows.len();
            self.chunks.push(c);
        }
    }

    /// Each entry with its sheet, in sheet order.
    pub fn iter(&self) -> impl Iterator<Item = (&Origin, &Kept)> {
        self.chunks
            .iter()
            .flat_map(|c| c.rows.iter().map(move |k| (&c.sheet, k)))
    }

    /// The entry of row `row`, with its sheet.
    pub fn by_row(&self, row: u32) -> Option<(&Origin, &Kept)> {
        let first_row = |c: &KeptChunk| c.rows.first().map_or(0, |k| k.row);
        let c = self
            .chunks
            .partition_point(|c| first_row(c) <= row)
            .checked_sub(1)?;
        let chunk = &self.chunks[c];
        let i = chunk.rows.binary_search_by_key(&row, |k| k.row).ok()?;
        Some((&chunk.sheet, &chunk.rows[i]))
    }

    /// Entry `i` with its sheet.
    pub fn get(&self, i: usize) -> Option<(&Origin, &Kept)> {
        let c = self
            .chunks
            .partition_point(|c| c.start <= i)
            .checked_sub(1)?;
        let chunk = &self.chunks[c];
        Some((&chunk.sheet, chunk.rows.get(i - chunk.start)?))
    }

    /// The item-duplicate keys of the entries kept, of filing number
    /// `file_no` of the run.
    pub fn duplicates(&self, file_no: u32) -> FileDuplicates {
        let mut dups = FileDuplicates::new(file_no);
        for (sheet, k) in self.iter() {
            k.see(&mut dups, sheet);
        }
        dups
    }
}

/// What stays of the materials of a filing once checked: their count, and
/// the findings of their wording, which count only for a material that
/// links to an entry (as when the rules read a material through its entry).
/// A material whose entry is not read yet waits in [`Links`] as a
/// [`Pending`].
#[derive(Default)]
pub struct KeptMaterials {
    /// Materials read.
    pub count: usize,
    /// The wording findings of the materials linked (capped per rule and
    /// file, like every sink).
    pub found: Sink,
    /// The phrases found in the texts of materials so far.
    seen: rules::wording::Seen,
    /// The files found in the forms folders so far.
    forms: rules::forms::Forms,
}

/// A material waiting for its entry: enough of it for a material-orphan
/// finding, and the findings of its wording.
pub struct Pending {
    material: Box<Material>,
    found: Vec<Diagnostic>,
}

impl Linked for Pending {
    fn item_seq(&self) -> Option<&Located<u32>> {
        self.material.item_seq()
    }
    fn origin(&self) -> &Origin {
        self.material.origin()
    }
    fn context(&self) -> Vec<(String, String)> {
        self.material.context()
    }
    fn what(&self) -> crate::diag::Text {
        self.material.what()
    }
}

impl KeptMaterials {
    /// Checks the materials `rows`, and links them through `links`, which
    /// the thread reading sheet 事项 fills meanwhile.
    pub fn add(
        &mut self,
        rows: impl ExactSizeIterator<Item = Box<Material>>,
        ws: &Workspace,
        rules: bool,
        links: &Mutex<Links<Pending>>,
    ) {
        self.count += rows.len();
        // The rules first, while the other thread may take the links.
        let mut checked = Vec::with_capacity(rows.len());
        for m in rows {
            // A material without 事项序号 links to nothing: reported as
            // value-missing already.
            let Some(seq) = m.item_seq.as_ref().map(|s| s.value) else {
                continue;
            };
            let mut found = Vec::new();
            if rules {
                rules::wording::material(&ws.standard, &mut self.seen, &m, &mut found);
                rules::forms::check_material(ws, &mut self.forms, &m, &mut found);
            }
            checked.push((seq, m, found));
        }
        let mut links = lock(links);
        // The materials waiting for an entry read since the last chunk.
        links.arrived(|_, p| p.found.into_iter().for_each(|d| self.found.push(d)));
        for (seq, m, found) in checked {
            if links.link(seq).is_some() {
                found.into_iter().for_each(|d| self.found.push(d));
                continue;
            }
            // Only what a material-orphan finding shows is kept.
            let Material {
                origin,
                item_seq,
                name,
                ..
            } = *m;
            let material = Box::new(Material {
                origin,
                item_seq,
                name,
                ..Material::default()
            });
            links.wait(seq, Pending { material, found });
        }
    }

    /// Every row is read: the materials still waiting are linked or
    /// orphans, and the findings of those linked go to `sink`, with
    /// seq-duplicate and material-orphan. Gives whether each entry has a
    /// material.
    pub fn finish(
        mut self,
        links: Links<Pending>,
        linkable: bool,
        kept: &KeptRows,
        sink: &mut Sink,
    ) -> Vec<bool> {
        let ends = links.finish(linkable, |_, p| {
            p.found.into_iter().for_each(|d| self.found.push(d))
        });
        sink.extend(self.found);
        ends.report(
            |i| {
                let (sheet, k) = kept.get(i as usize)?;
                Some(std::borrow::Cow::Owned(k.entry(sheet)))
            },
            sink,
        )
    }
}
