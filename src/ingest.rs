//! `yima ingest`: check filings, give every entry its codes, and fold the
//! result into the catalog — added, changed, unchanged, retired, renamed —
//! writing nothing when the filings have errors, and everything in one
//! atomic swap when they do not.

use crate::catalog::convert::from_entry;
use crate::catalog::{self, CatalogEntry, CatalogError};
use crate::check::{self, Checked};
use crate::codes::registry::{Provenance, Record, Registry, Status};
use crate::codes::{Assigner, ItemKey, impl_code};
use crate::diag::{Diagnostic, Rule, Sink};
use crate::filing;
use crate::fsx::{LockError, WorkspaceLock};
use crate::model::{Entry, text};
use crate::workspace::Workspace;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// What an ingest does to the catalog.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub added: Vec<CatalogEntry>,
    /// (before, after)
    pub changed: Vec<(CatalogEntry, CatalogEntry)>,
    pub unchanged: usize,
    pub retired: Vec<CatalogEntry>,
    /// (code, old name, new name)
    pub renamed: Vec<(String, String, String)>,
    /// Codes issued by this ingest.
    pub issued: Vec<String>,
    /// The catalog after the ingest, sorted by path.
    pub entries: Vec<CatalogEntry>,
    pub registry: Registry,
}

impl Plan {
    /// Whether applying it would change any file.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.changed.is_empty()
            && self.retired.is_empty()
            && self.renamed.is_empty()
    }
}

/// Why an ingest could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A category or sector has no code.
    #[error(transparent)]
    Uncodable(#[from] crate::codes::Uncodable),
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

/// Checks the filings and, when they have no error, plans the ingest.
pub fn plan(
    paths: &[PathBuf],
    ws: &Workspace,
    retire_missing: bool,
) -> Result<(Checked, Option<Plan>), IngestError> {
    let items_dir = ws.path(&ws.config.paths.items);
    let current = catalog::load(&items_dir)?;
    let inputs = filing::discover(paths)?;
    let mut sink = Sink::default();
    let filings = check::read_inputs(&inputs, ws, &mut sink);
    let mut checked = check::finish(filings, sink, ws, Some(&current.registry));
    if checked.report.summary.errors > 0 {
        return Ok((checked, None));
    }
    let mut registry = current.registry.clone();
    let cfg = &ws.config;
    let std = &ws.standard;
    let mut plan = Plan::default();

    // Codes given in the filings: registered ones are kept (a new name is a
    // rename); external ones are recorded the first time they are seen.
    let entries: Vec<&Entry> = checked.filings.iter().flat_map(|f| &f.entries).collect();
    let mut code_of: Vec<Option<String>> = Vec::with_capacity(entries.len());
    let mut need: Vec<ItemKey> = Vec::new();
    for e in &entries {
        let Some(key) = entry_key(e) else {
            code_of.push(None);
            continue;
        };
        if let Some(given) = &e.basic_code {
            let code = given.value.clone();
            match registry.get(&code) {
                Some(rec) if rec.key() != key => {
                    let old = rec.name.clone();
                    registry.rename(&code, &key.name);
                    plan.renamed.push((code.clone(), old, key.name.clone()));
                }
                Some(_) => {}
                None => {
                    registry.append(Record {
                        code: code.clone(),
                        category: key.category.clone(),
                        sector: key.sector.clone(),
                        name: key.name.clone(),
                        sub_name: key.sub_name.clone(),
                        registered_name: key.name.clone(),
                        status: Status::Active,
                        origin: if code.starts_with(&cfg.region_prefix) {
                            Provenance::Issued
                        } else {
                            Provenance::External
                        },
                        serial: 0,
                        first_release: String::new(),
                        former_names: Vec::new(),
                        chain: String::new(),
                    });
                }
            }
            code_of.push(Some(code));
        } else {
            need.push(key);
            code_of.push(None);
        }
    }
    let before = registry.len();
    let assigned = Assigner::new(&mut registry, std, &cfg.region_prefix).assign(&need)?;
    plan.issued = registry.records()[before..]
        .iter()
        .map(|r| r.code.clone())
        .collect();

    let existing: HashMap<&str, &CatalogEntry> = current
        .entries()
        .map(|c| (c.impl_code.as_str(), c))
        .collect();
    let mut fresh: BTreeMap<String, CatalogEntry> = BTreeMap::new();
    let mut collisions = Sink::default();
    for (e, given) in entries.iter().zip(code_of) {
        let Some(key) = entry_key(e) else { continue };
        let basic = match given {
            Some(c) => c,
            None => assigned[&key].clone(),
        };
        let level_code = e
            .level
            .as_ref()
            .and_then(|l| std.tables.table("level").get(&l.value))
            .and_then(|l| l.code.clone())
            .unwrap_or_default();
        let code = impl_code(text(&e.agency_code), &level_code, &basic);
        let new = from_entry(e, &basic, &code);
        if let Some(prev) = fresh.get(&code) {
            let place = prev.source.file.clone();
            let row = prev.source.row.unwrap_or(0);
            let at = e
                .name
                .as_ref()
                .map(|n| n.at.clone())
                .unwrap_or_else(|| e.origin.clone());
            collisions.push(
                Diagnostic::new(
                    Rule::ItemDuplicate,
                    at,
                    crate::text!(
                        "与 {place} 第 {row} 行得到同一个实施编码 {code}",
                        "gets the same 实施编码 {code} as {place} row {row}"
                    ),
                )
                .field("name")
                .help(crate::text!(
                    "同一实施主体、同一层级的同一事项只能有一行；不同区划请分别由所在地的实施主体填报。",
                    "one row per item, agency and level; other divisions are filed by their own agencies."
                )),
            );
            continue;
        }
        fresh.insert(code, new);
    }
    if !collisions.diagnostics.is_empty() {
        let mut all = checked.report.diagnostics.clone();
        all.extend(collisions.diagnostics);
        let files = checked
            .report
            .files
            .iter()
            .map(|f| (f.file.clone(), f.entries, f.materials))
            .collect();
        let entries_ref = std::mem::take(&mut checked.report.entries);
        checked.report = crate::diag::Report::new(all, files, &ws.severities());
        checked.report.entries = entries_ref;
        return Ok((checked, None));
    }

    let mut out: BTreeMap<String, CatalogEntry> = current
        .entries()
        .map(|c| (c.impl_code.clone(), c.clone()))
        .collect();
    for (code, new) in &fresh {
        match existing.get(code.as_str()) {
            None => plan.added.push(new.clone()),
            Some(old) if same_content(old, new) => plan.unchanged += 1,
            Some(old) => plan.changed.push(((*old).clone(), new.clone())),
        }
        if existing
            .get(code.as_str())
            .is_none_or(|old| !same_content(old, new))
        {
            out.insert(code.clone(), new.clone());
        }
    }
    if retire_missing {
        let agencies: HashSet<&str> = fresh.values().map(|c| c.agency_code.as_str()).collect();
        for c in current.entries() {
            if c.status == Status::Active
                && agencies.contains(c.agency_code.as_str())
                && !fresh.contains_key(&c.impl_code)
            {
                let mut r = c.clone();
                r.status = Status::Retired;
                plan.retired.push(r.clone());
                out.insert(r.impl_code.clone(), r);
            }
        }
        // A basic code is retired when no active entry of any agency uses it.
        let in_use: HashSet<&str> = out
            .values()
            .filter(|c| c.status == Status::Active)
            .map(|c| c.basic_code.as_str())
            .collect();
        let to_retire: Vec<String> = plan
            .retired
            .iter()
            .map(|c| c.basic_code.clone())
            .filter(|b| !in_use.contains(b.as_str()))
            .collect();
        for b in to_retire {
            registry.retire(&b);
        }
    }
    plan.entries = out.into_values().collect();
    plan.entries.sort_by_key(CatalogEntry::rel_path);
    plan.registry = registry;
    Ok((checked, Some(plan)))
}

/// Writes a plan under the workspace lock, as one atomic swap of `items/`.
pub fn apply(ws: &Workspace, plan: &Plan) -> Result<(), IngestError> {
    let root = ws.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let _lock = WorkspaceLock::acquire(&root)?;
    catalog::write(
        &ws.path(&ws.config.paths.items),
        &plan.entries,
        &plan.registry,
    )?;
    Ok(())
}
