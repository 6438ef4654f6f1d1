//! `yima check` as a library call: find the filings (and catalog folders),
//! read and check them in parallel, a few at a time, and build the report.
//! Filings stream through. With [`Checker::inputs`] each is read whole,
//! checked, handed to the caller (ingest keeps it) and dropped. With
//! [`Checker::scan`] — `yima check` itself — not even one filing is held:
//! its entries are checked a chunk at a time as the sheet is read, and only
//! what the rules across rows and files need stays (see [`Kept`]), so memory
//! holds the findings and those keys, not the province nor its biggest file.

use crate::catalog::{self, Catalog};
use crate::codes::registry::{self, Registry};
use crate::diag::{Diagnostic, EntryRef, Report, Rule, Sink};
use crate::filing::{self, Input};
use crate::filing::{Parsed, parse};
use crate::model::{Entry, Filing, Located, Material, Origin, Text};
use crate::rules::duplicates::{Duplicates, EntryKey, FileDuplicates};
use crate::rules::{self};
use crate::text;
use crate::workspace::Workspace;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::Ordering;

/// The outcome of a check.
pub struct Checked {
    pub report: Report,
}

/// Whether a folder is a catalog (`items/`): it holds the registry.
pub fn is_catalog_dir(p: &Path) -> bool {
    p.is_dir() && p.join(registry::FILE).is_file()
}

/// The workspace's registry, if it has a catalog; a registry that cannot be
/// read is reported, not fatal.
pub fn workspace_registry(ws: &Workspace, sink: &mut Sink) -> Option<Registry> {
    ws.root.as_ref()?;
    let dir = ws.path(&ws.config.paths.items);
    // The registry alone: the catalog's entries are not checked here.
    loaded(&dir, sink, catalog::load_registry_recovered)
}

fn load_catalog(dir: &Path, sink: &mut Sink) -> Option<Catalog> {
    loaded(dir, sink, catalog::load)
}

/// What `load` reads of the catalog `dir`, when it is one; a catalog that
/// cannot be read is reported.
fn loaded<T>(
    dir: &Path,
    sink: &mut Sink,
    load: fn(&Path) -> Result<T, catalog::CatalogError>,
) -> Option<T> {
    if !is_catalog_dir(dir) {
        return None;
    }
    match load(dir) {
        Ok(c) => Some(c),
        Err(e) => {
            let msg = e.to_string();
            let file = filing::display_path(&dir.join(registry::FILE));
            sink.push(
                Diagnostic::new(
                    Rule::FileUnreadable,
                    Origin::file(file.into()),
                    text!("目录无法读取：{msg}", "the catalog cannot be read: {msg}"),
                )
                .help(text!(
                    "codes.lock 由 yima 维护，请从版本库恢复，不要手工修改。",
                    "codes.lock is maintained by yima: restore it from version control rather than editing it."
                )),
            );
            None
        }
    }
}

/// A check in progress: findings so far, the cross-file state, the counts.
pub struct Checker<'a> {
    ws: &'a Workspace,
    registry: Option<&'a Registry>,
    sink: Sink,
    dups: Duplicates,
    files: Vec<(String, usize, usize)>,
    entries: Vec<EntryRef>,
    /// Run the domain rules (off: the reading stage alone).
    rules: bool,
    /// Keep an [`EntryRef`] per entry (the JUnit report lists them).
    keep_entries: bool,
}

impl<'a> Checker<'a> {
    pub fn new(ws: &'a Workspace, registry: Option<&'a Registry>) -> Checker<'a> {
        Checker {
            ws,
            registry,
            sink: Sink::default(),
            dups: Duplicates::default(),
            files: Vec::new(),
            entries: Vec::new(),
            rules: true,
            keep_entries: false,
        }
    }

    /// Keeps an [`EntryRef`] of every entry in the report.
    pub fn keeping_entries(mut self, keep: bool) -> Self {
        self.keep_entries = keep;
        self
    }

    /// Reads only: structural findings, no domain rules.
    pub fn reading_only(mut self) -> Self {
        self.rules = false;
        self
    }

    /// Adds findings made elsewhere (a catalog that could not be loaded).
    pub fn extend(&mut self, sink: Sink) {
        self.sink.extend(sink);
    }

    /// Reads and checks the inputs, a few in parallel at a time, and hands
    /// each filing to `each` in input order before dropping it.
    pub fn inputs(&mut self, inputs: &[Input], each: &mut dyn FnMut(&Filing)) {
        for group in groups(inputs) {
            let (ws, registry, run_rules) = (self.ws, self.registry, self.rules);
            let done: Vec<(Filing, Sink)> = group
                .par_iter()
                .map(|input| {
                    let mut sink = Sink::default();
                    let f = filing::read(input, &ws.standard, &mut sink);
                    if run_rules {
                        rules::check_filing(&f, ws, registry, &mut sink);
                    }
                    (f, sink)
                })
                .collect();
            for (f, s) in done {
                self.absorb(f, s, each);
            }
        }
    }

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
        for (row, first) in self.dups.absorb(f.dups) {
            if let Some((sheet, k)) = f.kept.by_row(row)
                && let Some(name) = &k.name
            {
                let d =
                    rules::duplicates::duplicate(&self.ws.standard, &k.entry(sheet), name, &first);
                self.sink.push(d);
            }
        }
        self.files
            .push((f.file.to_string(), f.kept.len, f.materials));
    }

    /// Checks filings already read (the catalog's entries).
    pub fn filings(&mut self, filings: Vec<Filing>, each: &mut dyn FnMut(&Filing)) {
        let (ws, registry) = (self.ws, self.registry);
        let done: Vec<(Filing, Sink)> = filings
            .into_par_iter()
            .map(|f| {
                let mut sink = Sink::default();
                rules::check_filing(&f, ws, registry, &mut sink);
                (f, sink)
            })
            .collect();
        for (f, s) in done {
            self.absorb(f, s, each);
        }
    }

    fn absorb(&mut self, f: Filing, s: Sink, each: &mut dyn FnMut(&Filing)) {
        self.sink.extend(s);
        if self.rules {
            let mut ctx = rules::Context {
                workspace: self.ws,
                registry: self.registry,
                sink: &mut self.sink,
            };
            self.dups.observe(&mut ctx, &f);
        }
        self.files
            .push((f.file.to_string(), f.entries.len(), f.material_count));
        if self.keep_entries {
            self.entries.extend(f.entries.iter().map(|e| EntryRef {
                file: f.file.to_string(),
                origin: e.origin.clone(),
                seq: e.seq.as_ref().map(|s| s.value),
                name: e.name.as_ref().map(|n| n.value.to_string()),
                materials: e.materials.iter().map(|m| m.origin.clone()).collect(),
            }));
        }
        each(&f);
    }

    /// The report: severities applied, sorted, counted.
    pub fn finish(self) -> Report {
        let mut report = Report::new(self.sink.diagnostics, self.files, &self.ws.severities());
        report.entries = self.entries;
        report
    }
}

/// Entries parsed before they are handed to the rules, and the most such
/// chunks waiting for the other thread: past that the reading thread checks
/// them itself, so memory holds a few chunks of a filing, not all of it.
const CHUNK: usize = 512;
const WAITING: usize = 4;

/// What stays of an entry once it is checked: what the rules across rows
/// (seq-duplicate, material-orphan, no-materials) and across files
/// (item-duplicate) need. Its file and sheet are those of its chunk.
struct Kept {
    row: u32,
    seq: Option<Located<u32>>,
    name: Text,
    category: Text,
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

    /// Its row, in `sheet`.
    fn origin(&self, sheet: &Origin) -> Origin {
        Origin {
            row: Some(self.row),
            ..sheet.clone()
        }
    }

    /// The entry as far as it was kept, in `sheet`: for the place and
    /// context of a finding made after it was dropped.
    fn entry(&self, sheet: &Origin) -> Entry {
        Entry {
            origin: self.origin(sheet),
            seq: self.seq.clone(),
            name: self.name.clone(),
            category: self.category.clone(),
            ..Entry::default()
        }
    }
}

/// What stays of a filing's entries, a chunk at a time in sheet order: no
/// copy of the whole is made.
#[derive(Default)]
struct KeptRows {
    chunks: Vec<KeptChunk>,
    /// Entries kept.
    len: usize,
}

/// Entries kept from one chunk.
struct KeptChunk {
    /// Their file and sheet (no row).
    sheet: Origin,
    /// The index of the first in the sheet's entries.
    start: usize,
    rows: Vec<Kept>,
}

impl KeptRows {
    /// Keeps the chunk of `entries`, the next in sheet order.
    fn of(entries: Vec<Entry>, rules: bool, memo: &mut rules::Memo) -> KeptChunk {
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
    fn extend(&mut self, chunks: impl IntoIterator<Item = KeptChunk>) {
        for mut c in chunks {
            c.start = self.len;
            self.len += c.rows.len();
            self.chunks.push(c);
        }
    }

    /// Each entry with its sheet, in sheet order.
    fn iter(&self) -> impl Iterator<Item = (&Origin, &Kept)> {
        self.chunks
            .iter()
            .flat_map(|c| c.rows.iter().map(move |k| (&c.sheet, k)))
    }

    /// The entry of row `row`, with its sheet.
    fn by_row(&self, row: u32) -> Option<(&Origin, &Kept)> {
        let first_row = |c: &KeptChunk| c.rows.first().map_or(0, |k| k.row);
        let c = self
            .chunks
            .partition_point(|c| first_row(c) <= row)
            .checked_sub(1)?;
        let chunk = &self.chunks[c];
        let i = chunk.rows.binary_search_by_key(&row, |k| k.row).ok()?;
        Some((&chunk.sheet, &chunk.rows[i]))
    }

    /// The item-duplicate keys of the entries kept, of filing number
    /// `file_no` of the run.
    fn duplicates(&self, file_no: u32) -> FileDuplicates {
        let mut dups = FileDuplicates::new(file_no);
        for (sheet, k) in self.iter() {
            if let (Some(key), Some(name)) = (k.key, &k.name) {
                dups.see(key, name, sheet);
            }
        }
        dups
    }

    /// Entry `i` with its sheet.
    fn get(&self, i: usize) -> Option<(&Origin, &Kept)> {
        let c = self
            .chunks
            .partition_point(|c| c.start <= i)
            .checked_sub(1)?;
        let chunk = &self.chunks[c];
        Some((&chunk.sheet, chunk.rows.get(i - chunk.start)?))
    }
}

/// What stays of the materials of a filing once checked: their links to
/// entries, and the findings of their wording, which count only for a
/// material that links to an entry (as when the rules read a material
/// through its entry). A material whose 事项序号 was already read on sheet
/// 事项 (on the other thread) keeps just that number; the others wait, with
/// enough for a material-orphan finding, and are linked as soon as the
/// entry is read.
#[derive(Default)]
struct KeptMaterials {
    /// Materials read.
    count: usize,
    /// The entries (by index in the sheet) the materials linked belong to.
    linked: Vec<u32>,
    /// Materials whose 事项序号 was not read yet, by that 序号.
    waiting: HashMap<u32, Vec<Pending>>,
    /// How many of the 序号 read (in [`Seqs::order`]) were looked up in
    /// `waiting` so far.
    looked_up: usize,
    /// The wording findings of the materials linked.
    found: Sink,
    /// The phrases found in the texts of materials so far.
    seen: rules::wording::Seen,
}

struct Pending {
    material: Box<Material>,
    found: Vec<Diagnostic>,
}

impl KeptMaterials {
    /// Checks the materials `rows`; `known` holds the 序号 read so far on
    /// sheet 事项.
    fn add(
        &mut self,
        rows: impl ExactSizeIterator<Item = Box<Material>>,
        ws: &Workspace,
        rules: bool,
        known: &Seqs,
    ) {
        self.count += rows.len();
        // The materials waiting for a 序号 read since the last chunk are
        // linked now: each 序号 is looked up once, whatever waits.
        if !self.waiting.is_empty() {
            for seq in &known.order[self.looked_up..] {
                if let Some(done) = self.waiting.remove(seq) {
                    let i = known.first[seq];
                    for p in done {
                        self.linked.push(i);
                        p.found.into_iter().for_each(|d| self.found.push(d));
                    }
                }
            }
        }
        self.looked_up = known.order.len();
        for m in rows {
            // A material without 事项序号 links to nothing: reported as
            // value-missing already.
            let Some(seq) = m.item_seq.as_ref().map(|s| s.value) else {
                continue;
            };
            let mut found = Vec::new();
            if rules {
                rules::wording::material(&ws.standard, &mut self.seen, &m, &mut found);
            }
            if let Some(&i) = known.first.get(&seq) {
                self.linked.push(i);
                found.into_iter().for_each(|d| self.found.push(d));
            } else {
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
                self.waiting
                    .entry(seq)
                    .or_default()
                    .push(Pending { material, found });
            }
        }
    }
}

/// The 序号 of sheet 事项 read so far, as the entries' thread reads them:
/// the entry (by its index in the sheet) that each 序号 first stands for —
/// the one its materials link to — and the entries that repeat one.
#[derive(Default)]
struct Seqs {
    first: HashMap<u32, u32>,
    /// The 序号 of `first` in the order they were read.
    order: Vec<u32>,
    /// Entries read so far.
    count: u32,
    /// Each entry that repeats a 序号, with the entry that had it first.
    repeats: Vec<(u32, u32)>,
}

impl Seqs {
    /// Takes in the next entries of the sheet.
    fn add(&mut self, entries: &[Entry]) {
        self.first.reserve(entries.len());
        for e in entries {
            let i = self.count;
            self.count += 1;
            let Some(seq) = &e.seq else { continue };
            match self.first.entry(seq.value) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                    self.order.push(seq.value);
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    self.repeats.push((i, *o.get()));
                }
            }
        }
    }
}

/// The value behind a lock, whether or not another thread panicked
/// holding it.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A filing checked as it was read.
struct Scanned {
    file: std::sync::Arc<str>,
    /// The bytes of its files.
    bytes: u64,
    kept: KeptRows,
    /// Its entries by item-duplicate key.
    dups: FileDuplicates,
    materials: usize,
    sink: Sink,
}

/// How far a sheet has been read: rows handed over, of the rows it
/// declares.
#[derive(Default)]
struct Progress {
    /// Rows the sheet declares (0: unknown).
    size: std::sync::atomic::AtomicUsize,
    /// Rows handed over so far.
    rows: std::sync::atomic::AtomicUsize,
}

impl Progress {
    fn expect(&self, rows: usize) {
        self.size.store(rows, Ordering::Relaxed);
    }

    fn advance(&self, rows: usize) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
    }

    /// The share read, in millionths; None when the size is unknown.
    fn share(&self) -> Option<u64> {
        let size = self.size.load(Ordering::Relaxed) as u64;
        let rows = self.rows.load(Ordering::Relaxed) as u64;
        (size > 0).then(|| rows.min(size) * 1_000_000 / size)
    }

    /// Whether this sheet is further on than `other`; None when either
    /// size is unknown.
    fn ahead_of(&self, other: &Progress) -> Option<bool> {
        Some(self.share()? > other.share()?)
    }
}

/// Chunks of entries read and waiting for the rules, shared by the thread
/// that reads sheet 事项 and the one that reads 申请材料.
struct Queue {
    jobs: Mutex<std::collections::VecDeque<(usize, Vec<Entry>)>>,
    /// Sheet 事项 is read: no more chunks come.
    done: std::sync::atomic::AtomicBool,
    /// Sheet 申请材料 is read: its thread waits for chunks.
    free: std::sync::atomic::AtomicBool,
    changed: std::sync::Condvar,
}

impl Queue {
    fn pop(&self) -> Option<(usize, Vec<Entry>)> {
        lock(&self.jobs).pop_front()
    }

    /// Waits until a chunk comes or sheet 事项 is read; None then.
    fn next(&self) -> Option<(usize, Vec<Entry>)> {
        let mut jobs = lock(&self.jobs);
        loop {
            if let Some(job) = jobs.pop_front() {
                return Some(job);
            }
            if self.done.load(Ordering::Acquire) {
                return None;
            }
            // (Woken by each chunk and by the end; the timeout is only a
            // safeguard.)
            jobs = self
                .changed
                .wait_timeout(jobs, std::time::Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Reads and checks one filing as it is read. Entries are parsed on one
/// thread and materials on another. While both sheets are read, a chunk of
/// entries is checked by the thread further on in its sheet (by the share
/// of the rows each sheet declares; every other chunk when a sheet does not
/// say): the entries' thread checks it at once or queues it, and the
/// materials' thread takes one between its own chunks (the entries' thread
/// takes them back when more than a few wait). The thread whose sheet is
/// read first checks all chunks still to come. Each entry is dropped once
/// checked, but for what [`Kept`] keeps. The findings are those of
/// [`filing::read`] and [`rules::check_filing`] on the same filing.
fn scan_one(input: &Input, file_no: u32, with: With<'_>) -> Scanned {
    let With {
        ws,
        registry,
        rules,
    } = with;
    let standard = &ws.standard;
    let mut sink = Sink::default();
    // Chunks checked: (index, what was kept); their findings, in order.
    let checked: Mutex<Vec<(usize, KeptChunk)>> = Mutex::new(Vec::new());
    let found: Mutex<crate::diag::InOrder> = Mutex::default();
    let queue = Queue {
        jobs: Mutex::new(std::collections::VecDeque::new()),
        done: std::sync::atomic::AtomicBool::new(false),
        free: std::sync::atomic::AtomicBool::new(false),
        changed: std::sync::Condvar::new(),
    };
    // What the rules worked out of texts, one memo a thread at a time.
    let memos: Mutex<Vec<rules::Memo>> = Mutex::new(Vec::new());
    // item-duplicate within the filing, as chunks are checked.
    let file_dups: Mutex<FileDuplicates> = Mutex::new(FileDuplicates::new(file_no));
    let check = |(index, rows): (usize, Vec<Entry>)| {
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
                if let (Some(key), Some(name)) = (k.key, &k.name) {
                    dups.see(key, name, &kept.sheet);
                }
            }
        }
        lock(&found).add(index, own);
        lock(&checked).push((index, kept));
    };
    // The 序号 of sheet 事项 read so far, so that most materials, read
    // meanwhile on the other thread, can be linked as they are read.
    let known: Mutex<Seqs> = Mutex::new(Seqs::default());
    let mut materials = KeptMaterials::default();
    // Whether a sheet had to be read again from its start after rows were
    // handed over (see `Parsed::Restart`): rare (cells merged down, rows
    // out of order), and then the filing is read again whole, below.
    let (mut entries_given, mut materials_given) = (false, false);
    let (mut entries_restarted, mut materials_restarted) = (false, false);
    let mut next = 0usize;
    // How far each sheet has been read, in millionths (unknown: the sheet
    // declares no size). The thread ahead checks the chunks of entries, so
    // that both end their sheets at about the same time.
    let entries_read = Progress::default();
    let materials_read = Progress::default();
    let mut on_entries = |p: Parsed<Entry>| match p {
        Parsed::Size(n) => {
            entries_read.expect(n);
            // Room for the entries the sheet declares (capped against a
            // lying declaration).
            let n = n.min(1 << 20);
            lock(&known).first.reserve(n);
            if rules {
                lock(&file_dups).reserve(n);
            }
        }
        Parsed::Restart => entries_restarted |= entries_given,
        Parsed::Rows(rows) => {
            entries_given = true;
            lock(&known).add(&rows);
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
                return;
            }
            let mut jobs = lock(&queue.jobs);
            jobs.push_back((index, rows));
            let more = (jobs.len() > WAITING).then(|| jobs.pop_front()).flatten();
            drop(jobs);
            queue.changed.notify_one();
            if let Some(job) = more {
                check(job);
            }
        }
        Parsed::End => {
            queue.done.store(true, Ordering::Release);
            // (Taken so that a waiter cannot miss the wake-up.)
            drop(lock(&queue.jobs));
            queue.changed.notify_all();
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
            materials.add(rows.into_iter(), ws, rules, &lock(&known));
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
        standard,
        &mut sink,
        CHUNK,
        &mut on_entries,
        &mut on_materials,
    );
    while let Some(job) = queue.pop() {
        check(job);
    }
    let mut scanned = Scanned {
        file: std::sync::Arc::from(input.display()),
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
    let sink = &mut scanned.sink;
    let kept = &scanned.kept;
    // Across the rows of the filing, as `filing::read` and
    // `rules::check_filing` do: seq-duplicate, materials linked by 序号
    // (material-orphan), no-materials.
    let known = known.into_inner().unwrap_or_else(|e| e.into_inner());
    if known.count as usize != kept.len {
        // (Every entry read is kept once checked: never so, unless a
        // sheet was read in a way this does not foresee.)
        debug_assert!(false, "{} entries read, {} kept", known.count, kept.len);
        return read_whole(input, file_no, with);
    }
    for &(i, first) in &known.repeats {
        let (Some((sheet, k)), Some((first_sheet, f))) =
            (kept.get(i as usize), kept.get(first as usize))
        else {
            continue;
        };
        if let (Some(seq), Some(prev)) = (&k.seq, &f.seq) {
            sink.push(parse::seq_duplicate(
                &k.origin(sheet),
                seq,
                k.name.as_ref(),
                &f.origin(first_sheet),
                prev,
            ));
        }
    }
    let mut linked = vec![false; kept.len];
    scanned.materials = materials.count;
    for i in materials.linked {
        linked[i as usize] = true;
    }
    sink.extend(materials.found);
    // (The report is sorted by place: the order of these does not show.)
    for (seq, waiting) in materials.waiting {
        for p in waiting {
            match known.first.get(&seq) {
                Some(&i) => {
                    linked[i as usize] = true;
                    sink.diagnostics.extend(p.found);
                }
                None if !outline.items_linkable => {}
                None => sink.push(parse::orphan(&p.material)),
            }
        }
    }
    if rules && outline.materials_known() {
        let mut ctx = rules::Context {
            workspace: ws,
            registry,
            sink,
        };
        for ((sheet, k), _) in kept.iter().zip(&linked).filter(|(_, l)| !**l) {
            // (Most entries without materials need none: public services.)
            if rules::timing::needs_materials(&ws.standard, &k.category) {
                rules::timing::no_materials(&mut ctx, &k.entry(sheet));
            }
        }
    }
    scanned
}

/// What a filing is checked with: the workspace, its registry if any, and
/// whether the domain rules run (off: the reading stage alone).
#[derive(Clone, Copy)]
struct With<'a> {
    ws: &'a Workspace,
    registry: Option<&'a Registry>,
    rules: bool,
}

/// Reads and checks one filing the plain way, held whole: for the rare
/// filing whose sheets cannot be read in one pass (see [`scan_one`]).
fn read_whole(input: &Input, file_no: u32, with: With<'_>) -> Scanned {
    let With {
        ws,
        registry,
        rules,
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

/// The bytes of a filing's files.
fn input_size(input: &Input) -> u64 {
    let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    match input {
        Input::Workbook(p) => len(p),
        Input::Csv { items, materials } => {
            items.as_deref().map_or(0, len) + materials.as_deref().map_or(0, len)
        }
    }
}

/// Splits inputs held whole as they are read into groups read in
/// parallel: a few files at a time, but a big file (a whole province in one
/// workbook) alone, so memory stays that of one big filing rather than
/// several.
pub fn groups(inputs: &[Input]) -> Vec<&[Input]> {
    groups_of(inputs, 2)
}

/// Splits inputs into groups of at most `per_thread` files a thread and
/// 48 MB of files at a time; a big file alone.
fn groups_of(inputs: &[Input], per_thread: usize) -> Vec<&[Input]> {
    /// Bytes of filings read at once.
    const BUDGET: u64 = 48 << 20;
    let most = (rayon::current_num_threads() * per_thread).max(2);
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, input) in inputs.iter().enumerate() {
        let s = input_size(input);
        if i > start && (i - start >= most || bytes + s > BUDGET) {
            out.push(&inputs[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += s;
    }
    if start < inputs.len() {
        out.push(&inputs[start..]);
    }
    out
}

/// Checks the filings and catalog folders found under `paths`; with
/// `entries`, the report lists every entry read ([`Report::entries`]).
pub fn check_paths(paths: &[PathBuf], ws: &Workspace, entries: bool) -> std::io::Result<Checked> {
    let (catalogs, others): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| is_catalog_dir(p));
    let inputs = filing::discover(&others)?;
    let mut sink = Sink::default();
    let mut loaded = Vec::new();
    for dir in &catalogs {
        if let Some(c) = load_catalog(dir, &mut sink) {
            loaded.push(c);
        }
    }
    let own_registry = if loaded.is_empty() {
        workspace_registry(ws, &mut sink)
    } else {
        None
    };
    let registry = loaded
        .first()
        .map(|c| &c.registry)
        .or(own_registry.as_ref());
    let mut checker = Checker::new(ws, registry).keeping_entries(entries);
    checker.extend(sink);
    for c in &loaded {
        let mut s = Sink::default();
        let filings = catalog::as_filings(c, &ws.standard, &mut s);
        checker.extend(s);
        checker.filings(filings, &mut |_| {});
    }
    if entries {
        checker.inputs(&inputs, &mut |_| {});
    } else {
        checker.scan(&inputs);
    }
    Ok(Checked {
        report: checker.finish(),
    })
}

/// Reads the filings found under `paths` without the domain rules: the
/// reading stage alone, for the benchmark.
pub fn read_paths(paths: &[PathBuf], ws: &Workspace) -> std::io::Result<Checked> {
    let inputs = filing::discover(paths)?;
    let mut checker = Checker::new(ws, None).reading_only();
    checker.scan(&inputs);
    Ok(Checked {
        report: checker.finish(),
    })
}

/// Checks the given filings against the workspace's registry, if any (the
/// report lists every entry read).
pub fn check_inputs(inputs: &[Input], ws: &Workspace) -> Checked {
    let mut sink = Sink::default();
    let registry = workspace_registry(ws, &mut sink);
    let mut checker = Checker::new(ws, registry.as_ref()).keeping_entries(true);
    checker.extend(sink);
    checker.inputs(inputs, &mut |_| {});
    Checked {
        report: checker.finish(),
    }
}
