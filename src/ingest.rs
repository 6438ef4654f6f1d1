//! `yima ingest`: check filings, give every entry its codes, and fold the
//! result into the catalog — added, changed, unchanged, retired, renamed —
//! writing nothing when the filings have errors, and everything in one
//! atomic swap when they do not.
//!
//! Two passes keep memory small at province scale: the first checks every
//! filing and keeps only each entry's key and codes; the second reads the
//! filings again and writes each entry that is new or changed straight into
//! a prepared copy of `items/`. The second pass trusts nothing of the
//! first: each filing must hash as it did before the first pass, and each
//! entry must be the one the first pass gave its codes to, else nothing is
//! written. Before any code is issued the registry is checked against
//! itself, the newest release and the catalog ([`crate::assign::guard`]).
//! [`apply`] swaps the copy in, under the workspace lock, if nobody changed
//! the registry in between.

use crate::catalog::convert::from_entry;
use crate::catalog::{self, CatalogEntry, WriteError, Writer};
use crate::check::Checker;
use crate::codes::registry::{self, Provenance, Record, Registry, Status};
use crate::codes::{Assigner, ItemKey, impl_code, upper};
use crate::diag::{Diagnostic, Report, Rule, Sink};
use crate::filing;
use crate::fsx::{self, LockError, WorkspaceLock};
use crate::model::{Entry, Filing, Origin, text};
use crate::release::diff::Named;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
    /// A filing changed while it was being ingested (named as reports name
    /// it): its two readings differ.
    #[error("{0} changed while it was being ingested")]
    InputChanged(String),
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

/// Compares two entries ignoring where they were filed from.
fn same_content(a: &CatalogEntry, b: &CatalogEntry) -> bool {
    let mut b2 = b.clone();
    b2.source = a.source.clone();
    *a == b2
}

/// The sha256 of a filing's files as they are now.
fn fingerprint(input: &filing::Input) -> std::io::Result<[u8; 32]> {
    use sha2::{Digest, Sha256};
    use std::io::Read as _;
    let mut h = Sha256::new();
    let files: Vec<&Path> = match input {
        filing::Input::Workbook(p) => vec![p.as_path()],
        filing::Input::Csv { items, materials } => items
            .iter()
            .chain(materials)
            .map(PathBuf::as_path)
            .collect(),
    };
    let mut buf = vec![0u8; 1 << 16];
    for f in files {
        let mut file = std::fs::File::open(f)?;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        h.update(b"\0");
    }
    Ok(h.finalize().into())
}

/// A digest of what an entry is given codes by, to recognize it when the
/// filing is read again.
fn identity(key: &ItemKey, given: Option<&str>, agency_code: &str, level_code: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (key, given, agency_code, level_code).hash(&mut h);
    h.finish()
}

/// What the first pass keeps of an entry.
struct Seen {
    key: ItemKey,
    given: Option<String>,
    /// Whether `given` came from the upper-level catalog, not the filing
    /// (the second pass recognizes the row by what it filed).
    from_upper: bool,
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
    let hashes: Vec<[u8; 32]> = inputs
        .par_iter()
        .map(fingerprint)
        .collect::<std::io::Result<_>>()?;

    // Pass 1: check everything, keep keys and codes.
    let mut seen: Vec<Seen> = Vec::new();
    // Where each filing's entries start in `seen` (filings come in input order).
    let mut offsets: Vec<usize> = Vec::with_capacity(inputs.len());
    let mut checker = Checker::new(ws, Some(&current));
    checker.inputs(&inputs, &mut |f: &Filing| {
        offsets.push(seen.len());
        for e in &f.entries {
            let (Some(key), Some(name)) = (entry_key(e), &e.name) else {
                continue;
            };
            seen.push(Seen {
                key,
                given: e.basic_code.as_ref().map(|c| c.value.to_string()),
                from_upper: false,
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

    // Codes: registered ones kept (a new name is a rename), external ones
    // recorded in code order, new keys assigned in key order.
    let cfg = &ws.config;
    let mut registry = current;
    let mut renamed = Vec::new();
    let mut externals: BTreeMap<String, ItemKey> = BTreeMap::new();
    let mut need: Vec<ItemKey> = Vec::new();
    // A row that names an item of the upper-level catalog gets its code,
    // never one of its own (matched by category and name: those items
    // carry no sector of this workspace).
    let catalog = registry.upper();
    for s in &mut seen {
        if s.given.is_none()
            && let Some(code) = catalog.find(&s.key.category, &s.key.name, &s.key.sub_name)
        {
            s.given = Some(code.to_string());
            s.from_upper = true;
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
            None => need.push(s.key.clone()),
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
    let assigned = Assigner::new(&mut registry, &ws.standard, &cfg.region_prefix).assign(&need)?;
    let issued: Vec<String> = registry.records()[before..]
        .iter()
        .map(|r| r.code.clone())
        .collect();

    // 实施编码 of every entry, in input order; two rows on one code is an error.
    let mut codes: Vec<String> = Vec::with_capacity(seen.len());
    let mut basics: Vec<String> = Vec::with_capacity(seen.len());
    let mut first_at: HashMap<String, Origin> = HashMap::new();
    let mut collisions = Sink::default();
    for s in &seen {
        let basic = s.given.clone().unwrap_or_else(|| assigned[&s.key].clone());
        let code = impl_code(&s.agency_code, &s.level_code, &basic);
        basics.push(basic);
        if let Some(prev) = first_at.get(&code) {
            let place = prev.to_string();
            collisions.push(
                Diagnostic::new(
                    Rule::ItemDuplicate,
                    s.at.clone(),
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
        } else {
            first_at.insert(code.clone(), s.at.clone());
        }
        codes.push(code);
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

    // Pass 2: read the filings again and write what is new or changed.
    fsx::fault::point("ingest:pass2")?;
    let writer = Writer::begin(&items_dir)?;
    let fresh: HashSet<String> = codes.iter().cloned().collect();
    let agencies: HashSet<String> = seen.iter().map(|s| s.agency_code.clone()).collect();
    let filed_basic: HashSet<String> = basics.iter().cloned().collect();
    let identities: Vec<u64> = seen
        .iter()
        .map(|s| {
            let filed = s.given.as_deref().filter(|_| !s.from_upper);
            identity(&s.key, filed, &s.agency_code, &s.level_code)
        })
        .collect();
    drop(seen);
    let outcome = Mutex::new((Vec::new(), Vec::new(), 0usize));
    let mut first = 0;
    for group in crate::check::groups(&inputs) {
        let base = first;
        first += group.len();
        group
            .par_iter()
            .enumerate()
            .try_for_each(|(k, input)| -> Result<(), IngestError> {
                let i = base + k;
                let mut quiet = Sink::default();
                let f = filing::read(input, &ws.standard, &mut quiet);
                // The filing the first pass checked, byte for byte, and in
                // it the same entries in the same order: else the codes
                // would go to other rows.
                let changed = || IngestError::InputChanged(input.display());
                if fingerprint(input)? != hashes[i] {
                    return Err(changed());
                }
                let end = offsets.get(i + 1).copied().unwrap_or(identities.len());
                let kept: Vec<&Entry> = f
                    .entries
                    .iter()
                    .filter(|e| entry_key(e).is_some() && e.name.is_some())
                    .collect();
                if kept.len() != end - offsets[i] {
                    return Err(changed());
                }
                for (j, e) in kept.into_iter().enumerate() {
                    let n = offsets[i] + j;
                    let key = entry_key(e).expect("kept");
                    let given = e.basic_code.as_ref().map(|c| c.value.to_string());
                    let id = identity(
                        &key,
                        given.as_deref(),
                        text(&e.agency_code),
                        &level_code(ws, e),
                    );
                    if id != identities[n] {
                        return Err(changed());
                    }
                    let mut new = from_entry(e, &basics[n], &codes[n]);
                    // A filing is named by its file name, never by where it
                    // lay on the computer that ingested it (SPEC §7).
                    new.source.file = catalog::file_name_only(&new.source.file);
                    let path = items_dir.join(new.rel_path());
                    let old = read_entry(&path);
                    let kind = match &old {
                        None => Some(true),
                        Some(o) if same_content(o, &new) => None,
                        Some(_) => Some(false),
                    };
                    match kind {
                        None => outcome.lock().expect("no panics while held").2 += 1,
                        Some(added) => {
                            writer.put(&new)?;
                            let mut o = outcome.lock().expect("no panics while held");
                            if added {
                                o.0.push(Named::of(&new))
                            } else {
                                o.1.push(Named::of(&new))
                            }
                        }
                    }
                }
                Ok(())
            })?;
    }
    let (mut added, mut changed, unchanged) = outcome.into_inner().expect("no panics while held");
    added.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    changed.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));

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
                if fresh.contains(&code) {
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
    filed: &HashSet<String>,
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
    let text = std::fs::read_to_string(path).ok()?;
    serde_saphyr::from_str(&text).ok()
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
