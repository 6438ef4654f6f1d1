//! The streaming path of `yima check` ([`Checker::scan`]): filings read a
//! group at a time, each checked as it is read ([`scan_one`]) — its entries
//! a chunk at a time on the two threads reading its sheets, each entry
//! dropped once checked but for what [`Kept`] keeps — and each group taken
//! in (its findings, item-duplicate across filings) while the next is read.
//!
//! [`Kept`]: super::kept::Kept

use super::kept::{KeptChunk, KeptMaterials, KeptRows, Pending};
use super::queue::{Job, Progress, Queue, lock};
use super::{Checker, groups_of, input_size};
use crate::codes::registry::Registry;
use crate::diag::Sink;
use crate::filing::links::Links;
use crate::filing::{self, Input, Parsed};
use crate::model::{Entry, Material};
use crate::rules::duplicates::FileDuplicates;
use crate::rules::{self};
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Entries parsed before they are handed to the rules.
pub const CHUNK: usize = 512;

impl Checker<'_> {
    /// Reads and checks the inputs, a few in parallel at a time, each as it
    /// is read, without holding it (see [`scan_one`]).
    pub fn scan(&mut self, inputs: &[Input]) {
        // Each group is taken in (its findings, item-duplicate across
        // filings) on this thread while the next group is read and checked
        // on the others.
        let mut pending: Vec<Scanned> = Vec::new();
        let total: u64 = inputs.iter().map(input_size).sum();
        let mut expected = false;
        // A filing checked as it is read holds little: dozens of
        // department files at a time, so the cores seldom wait for the
        // last of a group.
        for group in groups_of(inputs, 16) {
            let with = With {
                ws: self.ws,
                registry: self.registry,
                rules: self.rules,
                chunk: self.chunk,
            };
            let first = self.dups.next_file() + pending.len() as u32;
            let read = |group: &[Input]| -> Vec<Scanned> {
                group
                    .par_iter()
                    .enumerate()
                    .map(|(i, input)| scan_one(input, first + i as u32, with))
                    .collect()
            };
            if !expected && !pending.is_empty() {
                self.expect_entries(&pending, total);
                expected = true;
            }
            pending = std::thread::scope(|s| {
                let next = s.spawn(|| read(group));
                for f in std::mem::take(&mut pending) {
                    self.absorb_scanned(f);
                }
                // (A panic there surfaces here, as it would have.)
                next.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
        }
        for f in pending {
            self.absorb_scanned(f);
        }
    }

    /// Tells item-duplicate how many entries the run holds, as the first
    /// filings checked have them by the byte.
    fn expect_entries(&mut self, first: &[Scanned], total: u64) {
        let entries: usize = first.iter().map(|f| f.kept.len).sum();
        let bytes: u64 = first.iter().map(|f| f.bytes).sum();
        if bytes > 0 {
            let n = entries as f64 * total as f64 / bytes as f64;
            self.dups.expect(n.min(1e9) as usize);
        }
    }

    /// Takes in a filing checked as it was read, in input order.
    fn absorb_scanned(&mut self, f: Scanned) {
        self.sink.extend(f.sink);
        let again = self.dups.absorb(f.dups);
        let entry = |row| {
            let (sheet, k) = f.kept.by_row(row)?;
            Some(Cow::Owned(k.entry(sheet)))
        };
        rules::duplicates::report(&self.ws.standard, again, entry, &mut self.sink);
        self.files
            .push((f.file.to_string(), f.kept.len, f.materials));
    }
}

/// What a filing is checked with: the workspace, its registry if any,
/// whether the domain rules run (off: the reading stage alone), and how
/// many entries a chunk holds.
#[derive(Clone, Copy)]
struct With<'a> {
    ws: &'a Workspace,
    registry: Option<&'a Registry>,
    rules: bool,
    chunk: usize,
}

/// A filing checked as it was read.
struct Scanned {
    file: Arc<str>,
    /// The bytes of its files.
    bytes: u64,
    kept: KeptRows,
    /// Its entries by item-duplicate key.
    dups: FileDuplicates,
    materials: usize,
    sink: Sink,
}

/// Reads and checks one filing as it is read. Entries are parsed on one
/// thread and materials on another. While both sheets are read, a chunk of
/// entries is checked by the thread further on in its sheet (by the share
/// of the rows each sheet declares; every other chunk when a sheet does not
/// say): the entries' thread checks it at once or queues it, and the
/// materials' thread takes one between its own chunks (the entries' thread
/// takes them back when more than a few wait). The thread whose sheet is
/// read first checks all chunks still to come. Each entry is dropped once
/// checked, but for what [`super::kept::Kept`] keeps; the 序号 and 事项序号
/// go to [`Links`] as they are read. The findings are those of
/// [`filing::read`] and [`rules::check_filing`] on the same filing.
fn scan_one(input: &Input, file_no: u32, with: With<'_>) -> Scanned {
    let With {
        ws,
        registry,
        rules,
        chunk,
    } = with;
    let mut sink = Sink::default();
    // Chunks checked: (index, what was kept); their findings, in order.
    let checked: Mutex<Vec<(usize, KeptChunk)>> = Mutex::new(Vec::new());
    let found: Mutex<crate::diag::InOrder> = Mutex::default();
    let queue = Queue::default();
    // What the rules worked out of texts, one memo a thread at a time.
    let memos: Mutex<Vec<rules::Memo>> = Mutex::new(Vec::new());
    // item-duplicate within the filing, as chunks are checked.
    let file_dups: Mutex<FileDuplicates> = Mutex::new(FileDuplicates::new(file_no));
    let check = |(index, rows): Job| {
        let mut memo = lock(&memos).pop().unwrap_or_default();
        let mut own = Sink::default();
        let mut ctx = rules::Context {
            workspace: ws,
            registry,
            sink: &mut own,
        };
        if rules {
            for e in &rows {
                rules::check_entry(&mut ctx, &mut memo, e);
            }
        }
        let kept = KeptRows::of(rows, rules, &mut memo);
        lock(&memos).push(memo);
        if rules {
            let mut dups = lock(&file_dups);
            for k in &kept.rows {
                k.see(&mut dups, &kept.sheet);
            }
        }
        lock(&found).add(index, own);
        lock(&checked).push((index, kept));
    };
    // The 序号 of sheet 事项 and the 事项序号 of 申请材料 read so far, so
    // that most materials, read meanwhile on the other thread, are linked
    // as they are read.
    let links: Mutex<Links<Pending>> = Mutex::new(Links::default());
    let mut materials = KeptMaterials::default();
    // Whether a sheet had to be read again from its start after rows were
    // handed over (see `Parsed::Restart`): rare (cells merged down, rows
    // out of order), and then the filing is read again whole, below.
    let (mut entries_given, mut materials_given) = (false, false);
    let (mut entries_restarted, mut materials_restarted) = (false, false);
    let mut next = 0usize;
    // How far each sheet has been read. The thread ahead checks the chunks
    // of entries, so that both end their sheets at about the same time.
    let entries_read = Progress::default();
    let materials_read = Progress::default();
    let mut on_entries = |p: Parsed<Entry>| match p {
        Parsed::Size(n) => {
            entries_read.expect(n);
            // Room for the entries the sheet declares (capped against a
            // lying declaration).
            let n = n.min(1 << 20);
            lock(&links).reserve(n);
            if rules {
                lock(&file_dups).reserve(n);
            }
        }
        Parsed::Restart => entries_restarted |= entries_given,
        Parsed::Rows(rows) => {
            entries_given = true;
            lock(&links).take_entries(&rows);
            entries_read.advance(rows.len());
            let index = next;
            next += 1;
            // Once 申请材料 is read, its thread checks every chunk; while
            // both sheets are read, the thread further on in its own.
            let mine = !queue.free.load(Ordering::Acquire)
                && match entries_read.ahead_of(&materials_read) {
                    Some(ahead) => ahead,
                    None => index.is_multiple_of(2),
                };
            if mine {
                check((index, rows));
            } else if let Some(job) = queue.push((index, rows)) {
                check(job);
            }
        }
        Parsed::End => {
            queue.close();
            // Help with the chunks still waiting while 申请材料 is read
            // (not while unwinding from a panic: that surfaces as is).
            if !std::thread::panicking() {
                while let Some(job) = queue.pop() {
                    check(job);
                }
            }
        }
    };
    let mut on_materials = |p: Parsed<Box<Material>>| match p {
        Parsed::Size(n) => materials_read.expect(n),
        Parsed::Restart => materials_restarted |= materials_given,
        Parsed::Rows(rows) => {
            materials_given = true;
            materials_read.advance(rows.len());
            materials.add(rows.into_iter(), ws, rules, &links);
            if materials_read.ahead_of(&entries_read) != Some(false)
                && let Some(job) = queue.pop()
            {
                check(job);
            }
        }
        Parsed::End => {
            queue.free.store(true, Ordering::Release);
            // Help with the entries until sheet 事项 is read. (Both sheets
            // may be read on one thread, one after the other: then 事项
            // is read first, and this does not wait.)
            while let Some(job) = queue.next() {
                check(job);
            }
        }
    };
    let outline = filing::read_with(
        input,
        &ws.standard,
        &mut sink,
        chunk,
        &mut on_entries,
        &mut on_materials,
    );
    while let Some(job) = queue.pop() {
        check(job);
    }
    let mut scanned = Scanned {
        file: Arc::from(input.display()),
        bytes: input_size(input),
        kept: KeptRows::default(),
        dups: FileDuplicates::new(file_no),
        materials: 0,
        sink,
    };
    let Some(outline) = outline else {
        return scanned;
    };
    if entries_restarted || materials_restarted {
        return read_whole(input, file_no, with);
    }
    let mut chunks = checked.into_inner().unwrap_or_else(|e| e.into_inner());
    chunks.sort_unstable_by_key(|c| c.0);
    let mut kept_chunks = Vec::with_capacity(chunks.len());
    for (_, kept) in chunks {
        kept_chunks.push(kept);
    }
    let found = found.into_inner().unwrap_or_else(|e| e.into_inner());
    scanned.sink.extend(found.finish());
    scanned.kept.extend(kept_chunks);
    scanned.dups = file_dups.into_inner().unwrap_or_else(|e| e.into_inner());
    let links = links.into_inner().unwrap_or_else(|e| e.into_inner());
    if links.entries() != scanned.kept.len {
        // (Every entry read is kept once checked: never so, unless a
        // sheet was read in a way this does not foresee.)
        debug_assert!(
            false,
            "{} entries read, {} kept",
            links.entries(),
            scanned.kept.len
        );
        return read_whole(input, file_no, with);
    }
    // Across the rows of the filing, as `filing::read` and
    // `rules::check_filing` do: seq-duplicate, material-orphan (fee items
    // and questions were read whole before the entries), no-materials.
    let (sink, kept) = (&mut scanned.sink, &scanned.kept);
    let (linkable, materials_known) = (outline.items_linkable, outline.materials_known());
    links.link_rows(outline.fees, linkable, sink, |_, _| {});
    links.link_rows(outline.questions, linkable, sink, |_, _| {});
    scanned.materials = materials.count;
    let has_materials = materials.finish(links, linkable, kept, sink);
    if rules && materials_known {
        let mut ctx = rules::Context {
            workspace: ws,
            registry,
            sink,
        };
        for ((sheet, k), _) in kept.iter().zip(&has_materials).filter(|(_, m)| !**m) {
            // (Most entries without materials need none: public services.)
            if rules::timing::needs_materials(&ws.standard, &k.category) {
                rules::timing::no_materials(&mut ctx, &k.entry(sheet));
            }
        }
    }
    scanned
}

/// Reads and checks one filing the plain way, held whole: for the rare
/// filing whose sheets cannot be read in one pass (see [`scan_one`]).
fn read_whole(input: &Input, file_no: u32, with: With<'_>) -> Scanned {
    let With {
        ws,
        registry,
        rules,
        ..
    } = with;
    let mut sink = Sink::default();
    let f = filing::read(input, &ws.standard, &mut sink);
    if rules {
        rules::check_filing(&f, ws, registry, &mut sink);
    }
    let mut kept = KeptRows::default();
    if !f.entries.is_empty() {
        kept.extend([KeptRows::of(f.entries, rules, &mut rules::Memo::default())]);
    }
    Scanned {
        dups: kept.duplicates(file_no),
        bytes: input_size(input),
        kept,
        file: f.file,
        materials: f.material_count,
        sink,
    }
}
