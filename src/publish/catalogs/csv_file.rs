//! `catalog.csv` written in runs of entries ([`crate::publish::spans`]), as
//! `catalog.json` is: the same bytes as [`super::catalog_csv`] gives, but a
//! run of rows unchanged since the last build (the same entries at the same
//! places: a row shows its 序号) is copied from the file that build wrote
//! instead of being made again from entries parsed for it.

use super::{CSV_FILE, catalog_csv_rows};
use crate::publish::spans::RUN;
use crate::publish::{BuildContext, Plan};
use rayon::prelude::*;

/// The key of each run of rows: of the entries' content and where the run
/// starts (its rows show their 序号).
pub fn run_keys(ctx: &BuildContext<'_>, plan: &Plan<'_>) -> Vec<String> {
    let n = ctx.entries.len().div_ceil(RUN);
    (0..n)
        .into_par_iter()
        .map(|k| {
            let first = k * RUN;
            let last = (first + RUN).min(ctx.entries.len());
            plan.content_key(ctx, &format!("{CSV_FILE} run\0{first}"), first..last)
        })
        .collect()
}

/// The bytes of `catalog.csv` of the build (the keys of its runs: `keys`),
/// its runs noted in the plan's spans.
pub fn bytes(ctx: &BuildContext<'_>, plan: &Plan<'_>, keys: &[String]) -> Vec<u8> {
    let divisions = &ctx.workspace.standard.divisions;
    let spans = plan.out.spans();
    let runs: Vec<(String, Vec<u8>, String)> = (keys.par_iter().enumerate())
        .map(|(k, key)| {
            let first = k * RUN;
            let last = (first + RUN).min(ctx.entries.len());
            let key = key.clone();
            let (bytes, sum) = spans.copy(CSV_FILE, &key).unwrap_or_else(|| {
                let indices: Vec<usize> = (first..last).collect();
                let bytes = catalog_csv_rows(&ctx.parsed(&indices), first + 1, divisions, false);
                let sum = crate::fsx::checksum_hex(&bytes);
                (bytes, sum)
            });
            (key, bytes, sum)
        })
        .collect();
    let mut out = catalog_csv_rows(&[], 1, divisions, true);
    out.reserve(runs.iter().map(|r| r.1.len()).sum());
    for (key, bytes, sum) in runs {
        spans.note(CSV_FILE, &key, out.len() as u64, &bytes, Some(sum));
        out.extend_from_slice(&bytes);
    }
    out
}
