//! `yima import --format platform DIR`: the platform's tables into the
//! workspace. The registry's history (`yima_codes.jsonl`) and the basic
//! catalog (`task_directory.jsonl`) come first: their codes are recorded,
//! external ones with their canonical names. Then each family's records
//! stream through — basic lines a batch at a time, their child rows found
//! by an index built in one pass over each child table — and are checked
//! as a filing is and written as catalog entries into a prepared `items/`
//! that [`apply`] swaps in. Findings never stop a record from being
//! imported (but with `strict`); a record of another region or of a
//! category the workspace does not enable is left out and counted.

use super::codes::Codes;
use super::directory::{self, CODES_FILE, CodeRow, CodesOutcome};
use super::files::Lines;
use super::grid::{self, Files, Numbered};
use super::index::ChildIndex;
use super::records::{self, CHILDREN, Child, Read, at_line, path_safe};
use super::tables::{DIRECTORY, Family, Table};
use super::{ExchangeError, jsonl};
use crate::catalog::convert::from_entry;
use crate::catalog::entry::Source;
use crate::catalog::{self, CatalogEntry, Writer};
use crate::codes::ItemKey;
use crate::codes::registry::{Provenance, Record as CodeRecord, Registry, Status};
use crate::diag::{Diagnostic, Report, Rule, Sink, Text};
use crate::fsx::WorkspaceLock;
use crate::release::diff::Named;
use crate::rules::{self, duplicates::Duplicates};
use crate::standard::elements::Field;
use crate::text;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Basic lines read at once, and records checked together.
const BATCH: usize = 8192;
const CHUNK: usize = 512;

/// What an import does, prepared and ready to swap in.
pub struct Plan {
    pub report: Report,
    pub added: Vec<Named>,
    pub changed: Vec<Named>,
    pub unchanged: usize,
    /// Codes recorded from `yima_codes.jsonl` and `task_directory.jsonl`,
    /// and from records whose code the registry lacked.
    pub codes: CodesOutcome,
    /// Records left out, by reason, with a count.
    pub skipped: BTreeMap<String, (Text, usize)>,
    /// Values in columns yima does not keep: `file · key` → rows.
    pub unkept: BTreeMap<String, usize>,
    pub registry: Registry,
    writer: Option<Writer>,
    base: String,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.codes.added.is_empty()
            && self.codes.renamed.is_empty()
    }
}

/// The exchange files of a folder.
#[derive(Default)]
struct Found {
    directory: Option<PathBuf>,
    codes: Option<PathBuf>,
    /// The registry's own log, beside `codes`.
    log: Option<PathBuf>,
    tables: BTreeMap<(Family, Table), PathBuf>,
}

/// The records of a chunk of lines, with the values of theirs yima does not
/// keep, counted by file and key.
type ChunkRead = (Vec<Read>, BTreeMap<String, usize>);

fn find(dir: &Path) -> Result<Found, ExchangeError> {
    let mut found = Found::default();
    let rd = std::fs::read_dir(dir).map_err(|e| ExchangeError::io(dir, e))?;
    let mut names: Vec<(String, PathBuf)> = rd
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    names.sort();
    for (name, path) in names {
        if name == CODES_FILE {
            found.codes = Some(path);
            continue;
        }
        if name == directory::LOG_FILE {
            found.log = Some(path);
            continue;
        }
        match Table::of_file(&name) {
            Some((Table::Directory, _)) => found.directory = Some(path),
            Some((t, f)) => {
                found.tables.entry((f, t)).or_insert(path);
            }
            None => {}
        }
    }
    if found.directory.is_none() && found.codes.is_none() && found.tables.is_empty() {
        return Err(ExchangeError::NoTables(crate::filing::display_path(dir)));
    }
    Ok(found)
}

fn shown(path: &Path) -> Arc<str> {
    Arc::from(crate::filing::display_path(path).as_str())
}

/// Reads an exchange folder and prepares the import (writing nothing into
/// `items/` itself; `dry_run` prepares no files at all).
pub fn plan(ws: &Workspace, dir: &Path, dry_run: bool) -> Result<Plan, ExchangeError> {
    let found = find(dir)?;
    let items = ws.path(&ws.config.paths.items);
    let base = catalog::registry_fingerprint(&items);
    let mut registry = catalog::load_registry_recovered(&items)?;
    let codes = Codes::load(ws)?;
    let mut sink = Sink::default();
    let mut outcome = CodesOutcome::default();
    let mut unkept = BTreeMap::new();

    if let Some(path) = &found.codes {
        let file = shown(path);
        let mut rows = Vec::new();
        each_line(
            path,
            &file,
            &mut sink,
            |line, text, sink| match serde_json::from_str::<CodeRow>(text) {
                Ok(r) => rows.push(r),
                Err(e) => sink.push(bad_line(&file, line, &e.to_string())),
            },
        )?;
        let whole = match &found.log {
            Some(log) if registry.is_empty() => std::fs::read_to_string(log)
                .ok()
                .and_then(|text| directory::whole_log(&text, Some(&rows))),
            _ => None,
        };
        match whole {
            Some(log) => {
                outcome.added = log.records().iter().map(|r| r.code.clone()).collect();
                registry = log;
            }
            None => directory::import_code_rows(rows, &mut registry, &mut outcome),
        }
    }
    if let Some(path) = &found.directory {
        let file = shown(path);
        let ctx = directory::Context {
            codes: &codes,
            standard: &ws.standard,
            region_prefix: &ws.config.region_prefix,
            external_prefixes: &ws.config.external_prefixes,
        };
        let keep = records::Keep::new(Table::Directory, DIRECTORY);
        let mut tally = records::Tally::default();
        each_line(
            path,
            &file,
            &mut sink,
            |line, text, sink| match jsonl::parse(text, line, DIRECTORY) {
                Ok(row) => {
                    tally.count(&row, &keep);
                    directory::import_row(&row, &mut registry, &ctx, &mut outcome);
                }
                Err(e) => sink.push(bad_line(&file, line, &e.0)),
            },
        )?;
        tally.add_to(DIRECTORY, &file, &mut unkept);
    }

    let writer = if dry_run {
        None
    } else {
        Some(Writer::begin(&items)?)
    };
    let mut run = Run {
        ws,
        codes: &codes,
        items: &items,
        writer: writer.as_ref(),
        registry,
        sink,
        outcome,
        unkept,
        dups: Duplicates::default(),
        seen: HashSet::new(),
        skipped: BTreeMap::new(),
        files: Vec::new(),
        written: Mutex::new((Vec::new(), Vec::new(), 0)),
    };
    for family in Family::ALL {
        if let Some(basic) = found.tables.get(&(family, Table::Basic)) {
            run.family(family, basic, &found)?;
        } else {
            // Child rows without their basic table are orphans, all.
            for (t, child) in CHILDREN.iter().enumerate() {
                if let Some(p) = found.tables.get(&(family, *child)) {
                    let file = shown(p);
                    run.sink
                        .push(orphans_without_basic(&file, &Table::Basic.file(family), t));
                }
            }
        }
    }
    let Run {
        registry,
        sink,
        outcome,
        unkept,
        skipped,
        files,
        written,
        ..
    } = run;
    if let Some(w) = &writer {
        w.registry(&registry)?;
    }
    let (mut added, mut changed, unchanged) = written.into_inner().expect("no panics while held");
    added.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    changed.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    let report = Report::new(sink.diagnostics, files, &ws.severities());
    Ok(Plan {
        report,
        added,
        changed,
        unchanged,
        codes: outcome,
        skipped,
        unkept,
        registry,
        writer,
        base,
    })
}

/// Swaps the prepared catalog in, under the workspace lock, unless another
/// run changed the registry since the plan was made. An old `items/` that
/// could not be removed once the new one is in comes back to be named.
pub fn apply(
    ws: &Workspace,
    plan: &mut Plan,
) -> Result<Option<crate::fsx::Leftover>, ExchangeError> {
    let root = ws.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let _lock = WorkspaceLock::acquire(&root)?;
    let items = ws.path(&ws.config.paths.items);
    if catalog::registry_fingerprint(&items) != plan.base {
        return Err(ExchangeError::Stale);
    }
    match plan.writer.take() {
        Some(w) => Ok(w.commit()?),
        None => Ok(None),
    }
}

fn bad_line(file: &Arc<str>, line: u32, why: &str) -> Diagnostic {
    records::no_record(file, line, why)
}

fn orphans_without_basic(file: &Arc<str>, basic: &str, _table: usize) -> Diagnostic {
    Diagnostic::new(
        Rule::MaterialOrphan,
        crate::model::Origin::file(file.clone()),
        text!(
            "没有 {basic}：本文件的行都找不到所属事项",
            "no {basic}: no row of this file has its record"
        ),
    )
}

/// Calls `each` with every line of a file (its number and text); a line
/// that is not UTF-8 is a finding.
fn each_line(
    path: &Path,
    file: &Arc<str>,
    sink: &mut Sink,
    mut each: impl FnMut(u32, &str, &mut Sink),
) -> Result<(), ExchangeError> {
    let mut lines = Lines::open(path).map_err(|e| ExchangeError::io(path, e))?;
    while let Some(l) = lines.next_line().map_err(|e| ExchangeError::io(path, e))? {
        match l {
            Ok(l) => each(l.number, &l.text, sink),
            Err(bad) => sink.push(bad_line(file, bad.number, "not UTF-8 text")),
        }
    }
    Ok(())
}

/// The state of an import across families and batches.
struct Run<'a> {
    ws: &'a Workspace,
    codes: &'a Codes,
    items: &'a Path,
    writer: Option<&'a Writer>,
    registry: Registry,
    sink: Sink,
    outcome: CodesOutcome,
    unkept: BTreeMap<String, usize>,
    dups: Duplicates,
    /// The 实施编码 imported so far.
    seen: HashSet<Box<str>>,
    skipped: BTreeMap<String, (Text, usize)>,
    /// (file, entries, materials) for the report.
    files: Vec<(String, usize, usize)>,
    /// Added, changed, unchanged.
    written: Mutex<(Vec<Named>, Vec<Named>, usize)>,
}

/// A record kept for checking, with what the batch knows of it.
struct Kept {
    line: u32,
    task_code: String,
    record: Box<super::inbound::Record>,
}

impl Run<'_> {
    fn skip(&mut self, reason: Text) {
        self.skipped
            .entry(reason.zh.clone())
            .or_insert_with(|| (reason, 0))
            .1 += 1;
    }

    fn family(&mut self, family: Family, basic: &Path, found: &Found) -> Result<(), ExchangeError> {
        let basic_file = shown(basic);
        let paths: Vec<Option<&PathBuf>> = CHILDREN
            .iter()
            .map(|t| found.tables.get(&(family, *t)))
            .collect();
        let built: Vec<Result<Child, ExchangeError>> = paths
            .par_iter()
            .map(|p| match p {
                Some(p) => Ok(Child {
                    index: ChildIndex::build(p).map_err(|e| ExchangeError::io(*p, e))?,
                    file: shown(p),
                }),
                None => Ok(Child {
                    index: ChildIndex::empty(),
                    file: Arc::from(""),
                }),
            })
            .collect();
        let mut children = Vec::with_capacity(4);
        for c in built {
            children.push(c?);
        }
        let children: [Child; 4] = children
            .try_into()
            .map_err(|_| ())
            .expect("four child tables");
        let mut used: Vec<Vec<bool>> = children
            .iter()
            .map(|c| vec![false; c.index.len()])
            .collect();
        let files = Files {
            basic: basic_file.clone(),
            extend: children[0].file.clone(),
            material: children[1].file.clone(),
            fee: children[2].file.clone(),
            questions: children[3].file.clone(),
        };
        let (mut entries, mut materials) = (0usize, 0usize);
        let mut lines = Lines::open(basic).map_err(|e| ExchangeError::io(basic, e))?;
        loop {
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                match lines.next_line().map_err(|e| ExchangeError::io(basic, e))? {
                    Some(l) => batch.push(l.map_err(|bad| bad.number)),
                    None => break,
                }
            }
            if batch.is_empty() {
                break;
            }
            let ctx = records::Context {
                ws: self.ws,
                codes: self.codes,
                family,
                basic_file: &basic_file,
                children: &children,
            };
            let read: Vec<std::io::Result<ChunkRead>> = batch
                .par_chunks(CHUNK)
                .map(|chunk| {
                    let mut unkept = BTreeMap::new();
                    records::read(chunk, &ctx, &mut unkept).map(|r| (r, unkept))
                })
                .collect();
            let mut kept = Vec::new();
            for r in read {
                let (reads, unkept) = r.map_err(|e| ExchangeError::io(basic, e))?;
                for (k, n) in unkept {
                    *self.unkept.entry(k).or_default() += n;
                }
                for r in reads {
                    match r {
                        Read::Bad(d) => self.sink.push(*d),
                        Read::Skipped(why) => self.skip(why),
                        Read::Record {
                            line,
                            task_code,
                            record,
                            runs,
                        } => {
                            for (t, rs) in runs.iter().enumerate() {
                                rs.iter().for_each(|&r| used[t][r] = true);
                            }
                            if !self.seen.insert(task_code.clone().into_boxed_str()) {
                                self.sink.push(repeated(&basic_file, line, &task_code));
                                continue;
                            }
                            self.register(&record);
                            kept.push(Kept {
                                line,
                                task_code,
                                record,
                            });
                        }
                    }
                }
            }
            let (n, m) = self.check_and_write(&files, &kept)?;
            entries += n;
            materials += m;
        }
        for (t, child) in children.iter().enumerate() {
            for (run, span) in child.index.runs() {
                if !used[t][run] {
                    self.sink.push(orphan(&child.file, span.line, &basic_file));
                }
            }
            for &line in &child.index.unkeyed {
                self.sink.push(orphan(&child.file, line, &basic_file));
            }
        }
        self.files
            .push((basic_file.to_string(), entries, materials));
        Ok(())
    }

    /// Records the 基本编码 of a record the registry does not have yet, as
    /// accepted from the platform (external).
    fn register(&mut self, record: &super::inbound::Record) {
        let cell = |f: Field| record.entry.get(&f).map_or("", String::as_str);
        let code = cell(Field::BasicCode);
        if crate::rules::codes::parse_basic(code).is_err() || self.registry.get(code).is_some() {
            return;
        }
        let key = ItemKey::new(
            cell(Field::Category),
            cell(Field::Sector),
            cell(Field::Name),
            cell(Field::SubName),
        );
        self.registry
            .append(CodeRecord::new(code, &key, Provenance::External));
        if record.status == Status::Retired {
            self.registry.retire(code);
        }
        self.outcome.added.push(code.to_string());
    }

    /// Checks a batch's records as a filing is checked, and writes each as
    /// a catalog entry. Returns the records and materials checked.
    fn check_and_write(
        &mut self,
        files: &Files,
        kept: &[Kept],
    ) -> Result<(usize, usize), ExchangeError> {
        let ws = self.ws;
        let registry = &self.registry;
        let (items, writer, written) = (self.items, self.writer, &self.written);
        let done: Vec<Result<(Vec<crate::model::Filing>, Sink), ExchangeError>> = kept
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut sink = Sink::default();
                let (active, retired): (Vec<&Kept>, Vec<&Kept>) = chunk
                    .iter()
                    .partition(|k| k.record.status == Status::Active);
                let filings = grid::filings(files, &numbered(&active), &ws.standard, &mut sink);
                for f in &filings {
                    rules::check_filing(f, ws, Some(registry), &mut sink);
                }
                let extend_lines: HashMap<u32, u32> = active
                    .iter()
                    .filter_map(|k| k.record.extend_line.map(|e| (k.line, e)))
                    .collect();
                grid::place(&mut sink.diagnostics, files, &extend_lines);
                // Retired entries are history: read, not checked.
                let old = grid::filings(
                    files,
                    &numbered(&retired),
                    &ws.standard,
                    &mut Sink::default(),
                );
                let by_line: HashMap<u32, &Kept> = chunk.iter().map(|k| (k.line, k)).collect();
                for e in filings.iter().chain(&old).flat_map(|f| &f.entries) {
                    let Some(k) = e.seq.as_ref().and_then(|s| by_line.get(&s.value)) else {
                        continue;
                    };
                    let entry = entry_of(e, k, &files.basic);
                    if !path_safe(&entry.agency_code) {
                        continue;
                    }
                    write_one(items, writer, written, entry)?;
                }
                Ok((filings, sink))
            })
            .collect();
        let (mut n, mut m) = (0, 0);
        for d in done {
            let (filings, sink) = d?;
            self.sink.extend(sink);
            for filing in filings {
                n += filing.entries.len();
                m += filing.material_count;
                let mut ctx = rules::Context {
                    workspace: ws,
                    registry: Some(&self.registry),
                    sink: &mut self.sink,
                };
                self.dups.observe(&mut ctx, &filing);
            }
        }
        Ok((n, m))
    }
}

fn numbered<'k>(ks: &[&'k Kept]) -> Vec<Numbered<'k>> {
    ks.iter()
        .map(|k| Numbered {
            line: k.line,
            record: &k.record,
        })
        .collect()
}

/// The catalog entry of a checked record, its codes as the record gives them.
fn entry_of(e: &crate::model::Entry, k: &Kept, basic_file: &Arc<str>) -> CatalogEntry {
    let basic = k
        .record
        .entry
        .get(&Field::BasicCode)
        .map_or("", String::as_str);
    let mut c = from_entry(e, basic, &k.task_code);
    c.status = k.record.status;
    c.source = k.record.source.clone().unwrap_or_else(|| Source {
        file: Path::new(&**basic_file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sheet: String::new(),
        row: Some(k.line),
    });
    c
}

/// Compares an entry with its file in `items/` and writes it when new or
/// changed.
fn write_one(
    items: &Path,
    writer: Option<&Writer>,
    written: &Mutex<(Vec<Named>, Vec<Named>, usize)>,
    entry: CatalogEntry,
) -> Result<(), ExchangeError> {
    let old = std::fs::read_to_string(items.join(entry.rel_path()))
        .ok()
        .and_then(|t| serde_saphyr::from_str::<CatalogEntry>(&t).ok());
    let kind = match &old {
        None => Some(true),
        Some(o) if *o == entry => None,
        Some(_) => Some(false),
    };
    let Some(added) = kind else {
        written.lock().expect("no panics while held").2 += 1;
        return Ok(());
    };
    if let Some(w) = writer {
        w.put(&entry)?;
    }
    let named = Named {
        impl_code: entry.impl_code.clone(),
        basic_code: entry.basic_code.clone(),
        name: entry.name.clone(),
        sub_name: entry.sub_name.clone(),
        agency: entry.agency.clone(),
        agency_code: entry.agency_code.clone(),
    };
    let mut w = written.lock().expect("no panics while held");
    if added {
        w.0.push(named)
    } else {
        w.1.push(named)
    }
    Ok(())
}

fn repeated(file: &Arc<str>, line: u32, code: &str) -> Diagnostic {
    at_line(
        Rule::ItemDuplicate,
        file,
        line,
        Some("task_code"),
        text!(
            "实施编码 {code} 在本次导入中重复出现，本行未导入",
            "task_code {code} comes again in this import: this line is not imported"
        ),
    )
    .field("impl_code")
    .value(code.to_string())
}

fn orphan(file: &Arc<str>, line: u32, basic: &Arc<str>) -> Diagnostic {
    at_line(
        Rule::MaterialOrphan,
        file,
        line,
        Some("task_code"),
        text!(
            "此行的 task_code 在 {basic} 中没有对应记录",
            "the task_code of this line matches no record of {basic}"
        ),
    )
    .field("item_seq")
    .help(text!(
        "子表的每一行以 task_code 对应基本信息表的一条记录。",
        "each row of a child table belongs to the record of the basic table with its task_code."
    ))
}
