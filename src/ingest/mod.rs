//! `yima ingest`: check filings, give every entry its codes, and fold the
//! result into the catalog — added, changed, unchanged, retired, renamed —
//! writing nothing when the filings have errors, and everything in one
//! atomic swap when they do not.
//!
//! Two passes keep memory small at province scale: the first reads and
//! checks every filing once, keeps each entry's key and codes in memory and
//! its file, all but the two lines of its codes, in a spill folder
//! ([`spill`]); the second writes each entry that is new or changed, its
//! code lines and what was spilled, straight into a prepared copy of
//! `items/`. Before any code is issued the registry is checked against
//! itself, the newest release and the catalog ([`crate::assign::guard`]).
//! [`apply`] swaps the copy in, under the workspace lock, if nobody changed
//! the registry in between.

mod spill;
mod write;

use crate::catalog::{self, CatalogEntry, WriteError, Writer};
use crate::check::Checker;
use crate::codes::registry::{self, Provenance, Record, Registry, Status};
use crate::codes::{Assigner, ItemKey, impl_code, upper};
use crate::diag::{Diagnostic, Report, Rule, Severity, Sink};
use crate::filing;
use crate::fsx::{self, LockError, WorkspaceLock};
use crate::model::{Entry, Filing, Origin, text};
use crate::release::diff::Named;
use crate::workspace::Workspace;
use rustc_hash::{FxHashMap, FxHashSet};
use spill::{Spill, Spilled};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What an ingest does to the catalog, prepared and ready to swap in.
pub struct Plan {
    pub added: Vec<Named>,
    pub changed: Vec<Named>,
    pub unchanged: usize,
    pub retired: Vec<Named>,
    /// (code, old name, new name), names as 名称 or 名称（子项）.
    pub renamed: Vec<(String, String, String)>,
    /// Codes issued by this ingest.
    pub issued: Vec<String>,
    /// Codes from upper-level catalogs recorded by this ingest.
    pub external: Vec<String>,
    /// The registry after the ingest.
    pub registry: Registry,
    /// The prepared `items/`.
    writer: Option<Writer>,
    /// The registry's fingerprint when the plan was made.
    base: String,
}

impl Plan {
    /// Whether applying it would change any file.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.retired.is_empty()
            && self.renamed.is_empty()
            && self.external.is_empty()
    }
}

/// Why an ingest could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A file of the new catalog could not be written; nothing changed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A category or sector has no code.
    #[error(transparent)]
    Uncodable(#[from] crate::codes::Uncodable),
    /// Another run changed the catalog after this plan was made.
    #[error("the catalog changed since this ingest was planned")]
    Stale,
    /// The registry is damaged, lost what a release published, or lacks a
    /// code the catalog uses: no code is issued until it is repaired.
    #[error("the registry must be repaired before codes are issued ({} problems)", .0.len())]
    Unsafe(Vec<crate::assign::Problem>),
    /// The new catalog could not be swapped in.
    #[error(transparent)]
    Commit(#[from] catalog::CommitFailed),
}

/// What an applied ingest left to say.
#[derive(Debug, Default)]
pub struct Applied {
    /// The previous `items/`, replaced but not removed (its path, why);
    /// the next run removes it.
    pub leftover: Option<(String, String)>,
}

/// The key of a checked entry.
pub fn entry_key(e: &Entry) -> Option<ItemKey> {
    Some(ItemKey::new(
        &e.category.as_ref()?.value,
        &e.sector.as_ref()?.value,
        &e.name.as_ref()?.value,
        text(&e.sub_name),
    ))
}

/// Whether a row of a filing is an entry of the catalog: it has what its
/// key is made of ([`entry_key`]; the checks reported any that has not).
fn kept(e: &Entry) -> bool {
    e.category.is_some() && e.sector.is_some() && e.name.is_some()
}

/// What the first pass keeps of an entry.
struct Seen {
    key: ItemKey,
    given: Option<String>,
    agency_code: String,
    level_code: String,
    /// Where its name is, for a collision report.
    at: Origin,
}

fn level_code(ws: &Workspace, e: &Entry) -> String {
    e.level
        .as_ref()
        .and_then(|l| ws.standard.tables.table("level").get(&l.value))
        .and_then(|l| l.code.clone())
        .unwrap_or_default()
}

/// Checks the filings and, when they have no error, prepares the ingest.
pub fn plan(
    paths: &[PathBuf],
    ws: &Workspace,
    retire_missing: bool,
) -> Result<(Report, Option<Plan>), IngestError> {
    let items_dir = ws.path(&ws.config.paths.items);
    let base = catalog::registry_fingerprint(&items_dir);
    let current = catalog::load_registry(&items_dir)?;
    let unsafe_ = crate::assign::guard(ws, &current)?;
    if !unsafe_.is_empty() {
        return Err(IngestError::Unsafe(unsafe_));
    }
    let inputs = filing::discover(paths)?;
    let spill = Spill::new(&items_dir)?;

    // Pass 1: check everything, keep keys and codes, spill the entries.
    let mut seen: Vec<Seen> = Vec::new();
    // Where each filing's entries start in `seen` (filings come in input order).
    let mut offsets: Vec<usize> = Vec::with_capacity(inputs.len());
    let mut spilled: Vec<Vec<Spilled>> = Vec::with_capacity(inputs.len());
    let mut spill_error: Option<std::io::Error> = None;
    // Once a filing has an error nothing will be written: the rest is
    // checked, not spilled.
    let severities = ws.severities();
    let doomed = AtomicBool::new(false);
    let mut skipped = false;
    let mut checker = Checker::new(ws, Some(&current));
    let prepare = |i: usize, f: &Filing, found: &Sink| {
        let error = |d: &Diagnostic| severities.of(d.rule) == Some(Severity::Error);
        if doomed.load(Ordering::Relaxed) || found.diagnostics.iter().any(error) {
            doomed.store(true, Ordering::Relaxed);
            return Ok(None);
        }
        spill.put(i, f.entries.iter().filter(|e| kept(e))).map(Some)
    };
    checker.inputs_with(&inputs, &prepare, &mut |f: &Filing, made| {
        offsets.push(seen.len());
        match made {
            Ok(Some(entries)) => spilled.push(entries),
            Ok(None) => {
                spilled.push(Vec::new());
                skipped = true;
            }
            Err(e) => {
                spilled.push(Vec::new());
                spill_error.get_or_insert(e);
            }
        }
        for e in &f.entries {
            let (Some(key), Some(name)) = (entry_key(e), &e.name) else {
                continue;
            };
            seen.push(Seen {
                key,
                given: e.basic_code.as_ref().map(|c| c.value.to_string()),
                agency_code: text(&e.agency_code).to_string(),
                level_code: level_code(ws, e),
                at: name.at(&e.origin),
            });
        }
    });
    let report = checker.finish();
    if report.summary.errors > 0 {
        return Ok((report, None));
    }
    if let Some(e) = spill_error {
        return Err(e.into());
    }
    if skipped {
        // A filing was not spilled for an error its findings hold: the
        // report has it. Never write a catalog without its entries.
        return Err(std::io::Error::other("a filing with errors was not kept").into());
    }

    // Codes: registered ones kept (a new name is a rename), external ones
    // recorded in code order, new keys assigned in key order.
    let cfg = &ws.config;
    let mut registry = current;
    let mut renamed = Vec::new();
    let mut externals: BTreeMap<String, ItemKey> = BTreeMap::new();
    // Each key once: a million rows name a few thousand items.
    let mut need: FxHashSet<&ItemKey> = FxHashSet::default();
    // A row that names an item of the upper-level catalog gets its code,
    // never one of its own (matched by category and name: those items
    // carry no sector of this workspace).
    let catalog = registry.upper();
    for s in &mut seen {
        if s.given.is_none()
            && let Some(code) = catalog.find(&s.key.category, &s.key.name, &s.key.sub_name)
        {
            s.given = Some(code.to_string());
        }
    }
    for s in &seen {
        match &s.given {
            Some(code) => match registry.get(code) {
                Some(rec) if rec.origin == Provenance::External && upper::names(rec, &s.key) => {}
                Some(rec) if rec.key() != s.key && !rec.answers_to(&s.key) => {
                    let old = registry::display_name(&rec.name, &rec.sub_name);
                    registry.rename(code, &s.key.name, &s.key.sub_name);
                    renamed.push((
                        code.clone(),
                        old,
                        registry::display_name(&s.key.name, &s.key.sub_name),
                    ));
                }
                Some(_) => {}
                None => {
                    externals
                        .entry(code.clone())
                        .or_insert_with(|| s.key.clone());
                }
            },
            None => {
                need.insert(&s.key);
            }
        }
    }
    let mut external = Vec::new();
    for (code, key) in &externals {
        let origin = if code.starts_with(&cfg.region_prefix) {
            Provenance::Issued
        } else {
            Provenance::External
        };
        registry.append(Record::new(code, key, origin));
        external.push(code.clone());
    }
    let before = registry.len();
    let need: Vec<ItemKey> = need.into_iter().cloned().collect();
    let assigned = Assigner::new(&mut registry, &ws.standard, &cfg.region_prefix).assign(&need)?;
    let issued: Vec<String> = registry.records()[before..]
        .iter()
        .map(|r| r.code.clone())
        .collect();

    // 实施编码 of every entry, in input order; two rows on one code is an error.
    let mut codes: Vec<String> = Vec::with_capacity(seen.len());
    let mut basics: Vec<String> = Vec::with_capacity(seen.len());
    let mut collisions = Sink::default();
    for s in &seen {
        let basic = s.given.clone().unwrap_or_else(|| assigned[&s.key].clone());
        codes.push(impl_code(&s.agency_code, &s.level_code, &basic));
        basics.push(basic);
    }
    let mut first_at: FxHashMap<&str, usize> = FxHashMap::default();
    first_at.reserve(codes.len());
    for (n, code) in codes.iter().enumerate() {
        let Some(&prev) = first_at.get(code.as_str()) else {
            first_at.insert(code, n);
            continue;
        };
        let place = seen[prev].at.to_string();
        collisions.push(
            Diagnostic::new(
                Rule::ItemDuplicate,
                seen[n].at.clone(),
                crate::text!(
                    "与 {place} 得到同一个实施编码 {code}",
                    "gets the same 实施编码 {code} as {place}"
                ),
            )
            .field("name")
            .help(crate::text!(
                "同一实施主体、同一层级的同一事项只能有一行；不同区划请分别由所在地的实施主体填报。",
                "one row per item, agency and level; other divisions are filed by their own agencies."
            )),
        );
    }
    if !collisions.diagnostics.is_empty() {
        let mut all = report.diagnostics.clone();
        all.extend(collisions.diagnostics);
        let files = report
            .files
            .iter()
            .map(|f| (f.file.clone(), f.entries, f.materials))
            .collect();
        let mut again = Report::new(all, files, &ws.severities());
        again.entries = report.entries;
        return Ok((again, None));
    }
    drop(first_at);

    // Pass 2: each entry's file is its code lines and what pass 1 spilled;
    // written when it is new or its content changed.
    fsx::fault::point("ingest:pass2")?;
    let writer = Writer::begin(&items_dir)?;
    let fresh: FxHashSet<&str> = codes.iter().map(String::as_str).collect();
    let agencies: HashSet<String> = seen.iter().map(|s| s.agency_code.clone()).collect();
    let filed_basic: FxHashSet<&str> = basics.iter().map(String::as_str).collect();
    drop(seen);
    let write::Written {
        added,
        changed,
        unchanged,
    } = write::entries(
        &items_dir, &writer, &spill, &spilled, &offsets, &codes, &basics,
    )?;
    drop(spill);

    // Entries of the filing agencies that the filings no longer list.
    let mut retired = Vec::new();
    if retire_missing {
        let mut agencies: Vec<&String> = agencies.iter().collect();
        agencies.sort();
        for agency in agencies {
            for path in entry_files(&items_dir.join(agency)) {
                let code = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if fresh.contains(code.as_str()) {
                    continue;
                }
                let Some(mut c) = read_entry(&path) else {
                    continue;
                };
                if c.status == Status::Active {
                    c.status = Status::Retired;
                    writer.put(&c)?;
                    retired.push(c);
                }
            }
        }
        // A basic code is retired when no active entry of any agency uses
        // it any more.
        let candidates: HashSet<&str> = retired.iter().map(|c| c.basic_code.as_str()).collect();
        let still_used = basic_codes_in_use(&items_dir, &candidates, &retired, &filed_basic);
        for b in candidates {
            if !still_used.contains(b) {
                registry.retire(b);
            }
        }
    }
    writer.registry(&registry)?;
    Ok((
        report,
        Some(Plan {
            added,
            changed,
            unchanged,
            retired: retired.iter().map(Named::of).collect(),
            renamed,
            issued,
            external,
            registry,
            writer: Some(writer),
            base,
        }),
    ))
}

/// The basic codes among `candidates` that an active entry still uses: one
/// filed now, or one on disk that is not being retired.
fn basic_codes_in_use<'a>(
    items: &Path,
    candidates: &HashSet<&'a str>,
    retiring: &[CatalogEntry],
    filed: &FxHashSet<&str>,
) -> HashSet<&'a str> {
    let retiring: HashSet<&str> = retiring.iter().map(|c| c.impl_code.as_str()).collect();
    let mut used: HashSet<&'a str> = candidates
        .iter()
        .copied()
        .filter(|b| filed.contains(*b))
        .collect();
    if used.len() == candidates.len() {
        return used;
    }
    // Entry files end in their basic code: <USCC 18><level 1><basic 12>.yaml.
    for path in entry_files(items) {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem.len() != 31 || retiring.contains(stem.as_str()) {
            continue;
        }
        let Some(b) = candidates.iter().find(|b| stem.ends_with(**b)) else {
            continue;
        };
        if used.contains(b) {
            continue;
        }
        if read_entry(&path).is_some_and(|c| c.status == Status::Active) {
            used.insert(b);
        }
    }
    used
}

/// The entry file at `path`, if there is a readable one.
fn read_entry(path: &Path) -> Option<CatalogEntry> {
    parse_entry(&std::fs::read(path).ok()?)
}

/// The entry an entry file's bytes hold, if they hold one.
fn parse_entry(bytes: &[u8]) -> Option<CatalogEntry> {
    serde_saphyr::from_str(std::str::from_utf8(bytes).ok()?).ok()
}

/// Every entry file under a folder, sorted.
fn entry_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Swaps the prepared catalog in, under the workspace lock, unless another
/// run changed the registry since the plan was made.
pub fn apply(ws: &Workspace, plan: &mut Plan) -> Result<Applied, IngestError> {
    let root = ws.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let _lock = WorkspaceLock::acquire(&root)?;
    let items = ws.path(&ws.config.paths.items);
    if catalog::registry_fingerprint(&items) != plan.base {
        return Err(IngestError::Stale);
    }
    let mut applied = Applied::default();
    if let Some(w) = plan.writer.take()
        && let Some(l) = w.commit()?
    {
        applied.leftover = Some((filing::display_path(&l.path), l.error.to_string()));
    }
    Ok(applied)
}
