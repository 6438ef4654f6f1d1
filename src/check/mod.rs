//! `yima check` as a library call: find the filings (and catalog folders),
//! read and check them in parallel, a few at a time, and build the report.
//! Filings stream through. With [`Checker::inputs`] each is read whole,
//! checked, handed to the caller (ingest keeps it) and dropped. With
//! [`Checker::scan`] — `yima check` itself — not even one filing is held:
//! its entries are checked a chunk at a time as the sheet is read, and only
//! what the rules across rows and files need stays, so memory holds the
//! findings and those keys, not the province nor its biggest file
//! (`scan.rs`: the scheduler; `kept.rs`: what stays; `queue.rs`: what its
//! two threads share). Both ways link rows by 序号 through
//! [`crate::filing::links`] and find item-duplicate through
//! [`crate::rules::duplicates`], so they report the same findings.

pub mod gate;
mod kept;
mod queue;
mod scan;

use crate::catalog::{self, Catalog};
use crate::codes::registry::{self, Registry};
use crate::diag::{Diagnostic, EntryRef, Report, Rule, Sink};
use crate::filing::{self, Input};
use crate::model::{Filing, Origin};
use crate::rules::duplicates::Duplicates;
use crate::rules::{self};
use crate::text;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

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
    /// Entries parsed before they are handed to the rules (when scanning).
    chunk: usize,
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
            chunk: scan::CHUNK,
        }
    }

    /// Hands entries to the rules `rows` at a time when scanning (at least
    /// one): for tests that cross the chunks' bounds with small filings.
    #[doc(hidden)]
    pub fn chunked(mut self, rows: usize) -> Self {
        self.chunk = rows.max(1);
        self
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
    pub fn inputs(&mut self, inputs: &[Input], each: &mut (dyn FnMut(&Filing) + Send)) {
        self.inputs_with(inputs, &|_, _, _| (), &mut |f, ()| each(f));
    }

    /// [`Checker::inputs`], with `prepare` run on each filing (with its index
    /// in `inputs` and its findings so far) in parallel, once it is checked;
    /// `each` gets what it made. A group of small filings is handed on while
    /// the next one is read.
    pub fn inputs_with<T: Send>(
        &mut self,
        inputs: &[Input],
        prepare: &(dyn Fn(usize, &Filing, &Sink) -> T + Sync),
        each: &mut (dyn FnMut(&Filing, T) + Send),
    ) {
        let (ws, registry, run_rules) = (self.ws, self.registry, self.rules);
        let read = |group: &[Input], base: usize| -> Vec<(Filing, Sink, T)> {
            group
                .par_iter()
                .enumerate()
                .map(|(k, input)| {
                    let mut sink = Sink::default();
                    let f = filing::read(input, &ws.standard, &mut sink);
                    if run_rules {
                        rules::check_filing(&f, ws, registry, &mut sink);
                    }
                    let made = prepare(base + k, &f, &sink);
                    (f, sink, made)
                })
                .collect()
        };
        let mut pending: Vec<(Filing, Sink, T)> = Vec::new();
        let mut first = 0;
        for group in groups(inputs) {
            let base = first;
            first += group.len();
            // A big filing alone in its group is handed on before the next
            // is read: never two of them in memory.
            if pending.len() == 1 && group.len() == 1 {
                for (f, s, made) in std::mem::take(&mut pending) {
                    self.absorb(f, s, |f| each(f, made));
                }
            }
            let before = std::mem::take(&mut pending);
            let (done, ()) = rayon::join(
                || read(group, base),
                || {
                    for (f, s, made) in before {
                        self.absorb(f, s, |f| each(f, made));
                    }
                },
            );
            pending = done;
        }
        for (f, s, made) in pending {
            self.absorb(f, s, |f| each(f, made));
        }
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
            self.absorb(f, s, &mut *each);
        }
    }

    fn absorb(&mut self, f: Filing, s: Sink, each: impl FnOnce(&Filing)) {
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

/// Checks a catalog already loaded, as [`check_paths`] checks its folder:
/// what `yima release` gates on, without reading `items/` a second time.
pub fn check_catalog(c: &Catalog, ws: &Workspace) -> Checked {
    let mut checker = Checker::new(ws, Some(&c.registry));
    let mut s = Sink::default();
    let filings = catalog::as_filings(c, &ws.standard, &mut s);
    checker.extend(s);
    checker.filings(filings, &mut |_| {});
    checker.scan(&[]);
    Checked {
        report: checker.finish(),
    }
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
