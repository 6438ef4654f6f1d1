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

/// Writes `catalog.csv` of the build (the keys of its runs: `keys`) into
/// `w`, its runs noted in the plan's spans: each run as it comes, copied
/// from the earlier file or made, never the whole file in memory (30 MB at
/// 100,000 entries).
pub fn write(
    ctx: &BuildContext<'_>,
    plan: &Plan<'_>,
    keys: &[String],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let divisions = &ctx.workspace.standard.divisions;
    let spans = plan.out.spans();
    let runs: Vec<(String, crate::publish::spans::Run, String)> = (keys.par_iter().enumerate())
        .map(|(k, key)| {
            let first = k * RUN;
            let last = (first + RUN).min(ctx.entries.len());
            let key = key.clone();
            let (bytes, sum) = spans.copy(CSV_FILE, &key).unwrap_or_else(|| {
                let indices: Vec<usize> = (first..last).collect();
                let bytes = catalog_csv_rows(&ctx.parsed(&indices), first + 1, divisions, false);
                let sum = crate::fsx::checksum_hex(&bytes);
                (bytes.into(), sum)
            });
            (key, bytes, sum)
        })
        .collect();
    let head = catalog_csv_rows(&[], 1, divisions, true);
    w.write_all(&head)?;
    let mut at = head.len() as u64;
    for (key, bytes, sum) in runs {
        spans.note(CSV_FILE, &key, at, &bytes, Some(sum));
        w.write_all(&bytes)?;
        at += bytes.len() as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::catalog_csv;
    use super::super::testing::{entries, with_plan};
    use super::*;
    use crate::catalog::CatalogEntry;
    use crate::publish::cache::Previous;

    /// The bytes of `catalog.csv` made in runs, and how many runs were
    /// made rather than copied.
    fn written(
        all: &[CatalogEntry],
        previous: &Previous,
        root: &std::path::Path,
    ) -> (Vec<u8>, usize) {
        with_plan(all, "", previous, root, |ctx, plan| {
            let keys = run_keys(ctx, plan);
            let before = plan.out.spans().copied();
            let mut bytes = Vec::new();
            write(ctx, plan, &keys, &mut bytes).unwrap();
            std::fs::write(root.join(CSV_FILE), &bytes).unwrap();
            (bytes, keys.len() - (plan.out.spans().copied() - before))
        })
    }

    fn whole(all: &[CatalogEntry]) -> Vec<u8> {
        let refs: Vec<&CatalogEntry> = all.iter().collect();
        let divisions = crate::workspace::Workspace::defaults().standard.divisions;
        catalog_csv(&refs, &divisions)
    }

    #[test]
    fn runs_give_the_bytes_of_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let none = Previous::none();
        for n in [0, 1, RUN, RUN + 1, 2 * RUN + 7] {
            let all = entries(n);
            let (runs, made) = written(&all, &none, dir.path());
            assert!(runs == whole(&all), "{n} entries");
            assert_eq!(made, n.div_ceil(RUN));
        }
    }

    #[test]
    fn only_the_run_of_a_changed_entry_is_made_again() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut all = entries(3 * RUN);
        written(&all, &Previous::none(), a.path());
        all[RUN + 1].name = "改过的事项".into();
        let kept = Previous::load(a.path());
        let (again, made) = written(&all, &kept, b.path());
        assert!(again == whole(&all));
        assert_eq!(made, 1, "the run with the changed entry");
        // A run altered in the earlier file is made again: the same bytes.
        let text = std::fs::read_to_string(a.path().join(CSV_FILE)).unwrap();
        std::fs::write(a.path().join(CSV_FILE), text.replacen("事项0", "事项X", 1)).unwrap();
        let kept = Previous::load(a.path());
        let (again, made) = written(&all, &kept, b.path());
        assert!(again == whole(&all));
        assert_eq!(made, 2, "the altered run and the changed one");
    }
}
