//! The second pass of an ingest: each entry's file is its code lines and
//! what the first pass spilled ([`super::spill`]), written into the staged
//! `items/` when it is new or its content changed — bytes compared first,
//! the two entries parsed only when the bytes differ.

use super::spill::{Spill, Spilled};
use super::{IngestError, parse_entry};
use crate::catalog::entry::entry_path;
use crate::catalog::{CatalogEntry, Writer, yaml};
use crate::release::diff::Named;
use rayon::prelude::*;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Entries a task of the second pass writes.
const PART: usize = 4096;

/// What the second pass did, each list in code order.
pub(super) struct Written {
    pub added: Vec<Named>,
    pub changed: Vec<Named>,
    pub unchanged: usize,
}

/// Writes the new and changed entries of the filings `spilled` (entry `j`
/// of filing `i` has the codes `codes[offsets[i] + j]`, `basics[…]`) into
/// `writer`'s tree, comparing each with its file in the catalog `items`.
pub(super) fn entries(
    items_dir: &Path,
    writer: &Writer,
    spill: &Spill,
    spilled: &[Vec<Spilled>],
    offsets: &[usize],
    codes: &[String],
    basics: &[String],
) -> Result<Written, IngestError> {
    let outcome = Mutex::new((Vec::new(), Vec::new(), 0usize));
    // Tasks of PART entries, a big filing's too: (filing, first
    // entry, its byte in the spill file, the entries).
    let mut tasks: Vec<(usize, usize, u64, &[Spilled])> = Vec::new();
    for (i, entries) in spilled.iter().enumerate() {
        let mut byte = 0u64;
        for (k, part) in entries.chunks(PART).enumerate() {
            tasks.push((i, k * PART, byte, part));
            byte += part.iter().map(|s| u64::from(s.len)).sum::<u64>();
        }
    }
    // Parts of each spill file not read yet: a file read whole is removed,
    // so the spill gives its space back while the entries are written.
    let unread: Vec<AtomicUsize> = spilled
        .iter()
        .map(|e| AtomicUsize::new(e.len().div_ceil(PART)))
        .collect();
    tasks
        .par_iter()
        .try_for_each(|&(i, first, byte, entries)| -> Result<(), IngestError> {
            let len = entries.iter().map(|s| s.len as usize).sum();
            let rest = spill.read(i, byte, len)?;
            if unread[i].fetch_sub(1, Ordering::AcqRel) == 1 {
                spill.release(i);
            }
            let (mut added, mut changed, mut unchanged) = (Vec::new(), Vec::new(), 0);
            // Whether the catalog has a folder for the agency (else no entry
            // of it is looked for).
            let mut folder: Option<(&str, bool)> = None;
            let mut at = 0;
            for (j, s) in entries.iter().enumerate() {
                let n = offsets[i] + first + j;
                let end = at + s.len as usize;
                let tail = rest.get(at..end).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "a damaged spill file")
                })?;
                at = end;
                let mut file = yaml::code_lines(&codes[n], &basics[n]).into_bytes();
                file.extend_from_slice(tail);
                let has_folder = match folder {
                    Some((a, has)) if a == s.agency_code => has,
                    _ => {
                        let has = items_dir.join(&s.agency_code).is_dir();
                        folder = Some((&s.agency_code, has));
                        has
                    }
                };
                let old = has_folder
                    .then(|| {
                        std::fs::read(items_dir.join(entry_path(&s.agency_code, &codes[n]))).ok()
                    })
                    .flatten();
                let kind = match old {
                    None => Some(true),
                    Some(o) if o == file => None,
                    Some(o) => compare(&o, &file),
                };
                let Some(is_new) = kind else {
                    unchanged += 1;
                    continue;
                };
                writer.put_yaml(&s.agency_code, &codes[n], &file)?;
                let named = Named {
                    impl_code: codes[n].clone(),
                    basic_code: basics[n].clone(),
                    name: s.name.clone(),
                    sub_name: s.sub_name.clone(),
                    agency: s.agency.clone(),
                    agency_code: s.agency_code.clone(),
                };
                if is_new {
                    added.push(named);
                } else {
                    changed.push(named);
                }
            }
            let mut o = outcome.lock().expect("no panics while held");
            o.0.extend(added);
            o.1.extend(changed);
            o.2 += unchanged;
            Ok(())
        })?;
    let (mut added, mut changed, unchanged) = outcome.into_inner().expect("no panics while held");
    added.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    changed.sort_by(|a, b| a.impl_code.cmp(&b.impl_code));
    Ok(Written {
        added,
        changed,
        unchanged,
    })
}

/// What a file of the catalog (`old`) becomes when it is written again as
/// `new`, their bytes differing: added (`Some(true)`) when the old one is
/// unreadable, changed (`Some(false)`), or unchanged (`None`) when only
/// their layout or where they were filed from differ.
fn compare(old: &[u8], new: &[u8]) -> Option<bool> {
    let Some(old) = parse_entry(old) else {
        return Some(true);
    };
    match parse_entry(new) {
        Some(new) if same_content(&old, &new) => None,
        _ => Some(false),
    }
}

/// Compares two entries ignoring where they were filed from.
fn same_content(a: &CatalogEntry, b: &CatalogEntry) -> bool {
    let mut b2 = b.clone();
    b2.source = a.source.clone();
    *a == b2
}
