//! `yima check` as a library call: find the filings, read them in parallel,
//! run the domain rules over all of them together, and build the report.

use crate::diag::{EntryRef, Report, Sink};
use crate::filing::{self, Input};
use crate::model::Filing;
use crate::rules;
use crate::workspace::Workspace;
use rayon::prelude::*;
use std::path::PathBuf;

/// The outcome of a check: the report and the filings as read (for `ingest`).
pub struct Checked {
    pub report: Report,
    pub filings: Vec<Filing>,
}

/// Checks the filings found under `paths`.
pub fn check_paths(paths: &[PathBuf], ws: &Workspace) -> std::io::Result<Checked> {
    let inputs = filing::discover(paths)?;
    Ok(check_inputs(&inputs, ws))
}

/// Checks the given filings.
pub fn check_inputs(inputs: &[Input], ws: &Workspace) -> Checked {
    let read: Vec<(Filing, Sink)> = inputs
        .par_iter()
        .map(|input| {
            let mut sink = Sink::default();
            let f = filing::read(input, &ws.standard, &mut sink);
            (f, sink)
        })
        .collect();
    let mut sink = Sink::default();
    let mut filings = Vec::with_capacity(read.len());
    for (f, s) in read {
        sink.extend(s);
        filings.push(f);
    }
    rules::check(&filings, ws, &mut sink);
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
