//! `yima check` as a library call: find the filings (and catalog folders),
//! read them in parallel, run the domain rules over all of them together,
//! and build the report.

use crate::catalog::{self, Catalog};
use crate::codes::registry::{self, Registry};
use crate::diag::{Diagnostic, EntryRef, Report, Rule, Sink};
use crate::filing::{self, Input};
use crate::model::{Filing, Origin};
use crate::rules;
use crate::text;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// The outcome of a check: the report and the filings as read (for `ingest`).
pub struct Checked {
    pub report: Report,
    pub filings: Vec<Filing>,
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
    load_catalog(&dir, sink).map(|c| c.registry)
}

fn load_catalog(dir: &Path, sink: &mut Sink) -> Option<Catalog> {
    if !is_catalog_dir(dir) {
        return None;
    }
    match catalog::load(dir) {
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

/// Checks the filings and catalog folders found under `paths`.
pub fn check_paths(paths: &[PathBuf], ws: &Workspace) -> std::io::Result<Checked> {
    let (catalogs, others): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| is_catalog_dir(p));
    let inputs = filing::discover(&others)?;
    let mut sink = Sink::default();
    let mut filings = Vec::new();
    let mut registry = None;
    for dir in &catalogs {
        if let Some(c) = load_catalog(dir, &mut sink) {
            filings.extend(catalog::as_filings(&c, &ws.standard, &mut sink));
            registry.get_or_insert(c.registry);
        }
    }
    if registry.is_none() {
        registry = workspace_registry(ws, &mut sink);
    }
    filings.extend(read_inputs(&inputs, ws, &mut sink));
    Ok(finish(filings, sink, ws, registry.as_ref()))
}

/// Reads filings in parallel; findings go to `sink`, in input order.
pub fn read_inputs(inputs: &[Input], ws: &Workspace, sink: &mut Sink) -> Vec<Filing> {
    let read: Vec<(Filing, Sink)> = inputs
        .par_iter()
        .map(|input| {
            let mut s = Sink::default();
            let f = filing::read(input, &ws.standard, &mut s);
            (f, s)
        })
        .collect();
    let mut filings = Vec::with_capacity(read.len());
    for (f, s) in read {
        sink.extend(s);
        filings.push(f);
    }
    filings
}

/// Checks the given filings against the workspace's registry, if any.
pub fn check_inputs(inputs: &[Input], ws: &Workspace) -> Checked {
    let mut sink = Sink::default();
    let registry = workspace_registry(ws, &mut sink);
    let filings = read_inputs(inputs, ws, &mut sink);
    finish(filings, sink, ws, registry.as_ref())
}

/// Runs the domain rules over everything read and builds the report.
pub fn finish(
    filings: Vec<Filing>,
    mut sink: Sink,
    ws: &Workspace,
    registry: Option<&Registry>,
) -> Checked {
    rules::check(&filings, ws, registry, &mut sink);
    let files = filings
        .iter()
        .map(|f| (f.file.to_string(), f.entries.len(), f.material_count))
        .collect();
    let mut report = Report::new(sink.diagnostics, files, &ws.severities());
    report.entries = filings
        .iter()
        .flat_map(|f| {
            f.entries.iter().map(|e| EntryRef {
                file: f.file.to_string(),
                origin: e.origin.clone(),
                seq: e.seq.as_ref().map(|s| s.value),
                name: e.name.as_ref().map(|n| n.value.clone()),
                materials: e.materials.iter().map(|m| m.origin.clone()).collect(),
            })
        })
        .collect();
    Checked { report, filings }
}
