//! `catalog.json` written in runs of entries ([`crate::publish::spans`]):
//! the same bytes serde_json's pretty printer gives the whole document, but
//! a run of entries unchanged since the last build is copied from the file
//! that build wrote instead of being written again.

use super::{JSON_FILE, JSON_VERSION};
use crate::catalog::lazy::Entry;
use crate::publish::spans::{Copied, Prefixed, RUN};
use crate::publish::{BuildContext, Plan};
use std::io;

/// Runs made ready at once, while those before them are written.
const BATCH: usize = 16;

/// A batch of runs made ready — copied from the earlier file (with where
/// they lay there) or written anew (at no place) — and their places.
type Batch = (std::ops::Range<usize>, Vec<Copied>);

/// Writes `catalog.json` of the build into the plan's tree under `key`:
/// its head and every entry (its prefix, [`write_runs`]) and the release
/// it belongs to (its [`tail`]). The prefix shows no release: a release of
/// the entries the last build wrote copies it from that build's file.
pub fn write(ctx: &BuildContext<'_>, plan: &Plan<'_>, key: &str) -> io::Result<()> {
    let keys = run_keys(ctx, plan);
    let prefix_key = plan
        .stamp
        .group_key("catalog.json prefix", keys.iter().map(String::as_str));
    plan.out.write_prefixed(
        JSON_FILE,
        key,
        &prefix_key,
        &mut |w| write_runs(ctx, plan, &keys, w),
        tail(&ctx.version).as_bytes(),
    )
}

/// The key of each run of entries: of the entries' content alone (a run
/// shows no release stamp).
fn run_keys(ctx: &BuildContext<'_>, plan: &Plan<'_>) -> Vec<String> {
    use rayon::prelude::*;
    let n = ctx.entries.len().div_ceil(RUN);
    (0..n)
        .into_par_iter()
        .map(|k| {
            let first = k * RUN;
            let what = format!("catalog.json run\0{}", first == 0);
            let last = (first + RUN).min(ctx.entries.len());
            plan.content_key(ctx, &what, first..last)
        })
        .collect()
}

/// What follows the entries: the release, and the document's end.
fn tail(version: &str) -> String {
    format!(
        ",\n  \"release\": {}\n}}\n",
        serde_json::to_string(version).expect("a string serializes")
    )
}

/// Writes the prefix of `catalog.json` to `w`: its head, each run of
/// entries (of the keys `keys`) — copied when the earlier file has it,
/// else written — and the array's end. A batch of runs is made ready on
/// the other threads (read and checked, or written as text, each with its
/// checksum) while the batch before it goes out: the file is written and
/// hashed on one thread, the rest of the work is spread.
fn write_runs(
    ctx: &BuildContext<'_>,
    plan: &Plan<'_>,
    keys: &[String],
    w: &mut dyn Prefixed,
) -> io::Result<()> {
    use rayon::prelude::*;
    let spans = plan.out.spans();
    let head = format!("{{\n  \"version\": {JSON_VERSION},\n  \"entries\": [");
    // (While the runs are the earlier file's at the same places, so is
    // every byte before them, and the hashing waits: see `spans`.)
    if spans.begins_with(JSON_FILE, head.as_bytes()) {
        w.wait();
    }
    w.write_all(head.as_bytes())?;
    let mut offset = head.len() as u64;
    let runs: Vec<&[&Entry]> = ctx.entries.chunks(RUN).collect();
    let ready = |k: usize| -> Copied {
        spans.copy_placed(JSON_FILE, &keys[k]).unwrap_or_else(|| {
            let bytes = run_text(runs[k], k == 0);
            let sum = crate::fsx::checksum_hex(&bytes);
            Copied {
                run: bytes.into(),
                sum,
                offset: u64::MAX,
                state: None,
            }
        })
    };
    let batches: Vec<std::ops::Range<usize>> = (0..runs.len())
        .step_by(BATCH)
        .map(|a| a..(a + BATCH).min(runs.len()))
        .collect();
    let mut done: Option<Batch> = None;
    for i in 0..=batches.len() {
        let mut next = None;
        let went = rayon::in_place_scope(|s| {
            if let Some(range) = batches.get(i) {
                let next = &mut next;
                let ready = &ready;
                s.spawn(move |_| {
                    *next = Some((
                        range.clone(),
                        range.clone().into_par_iter().map(ready).collect(),
                    ));
                });
            }
            if let Some((range, batch)) = done.take() {
                for (k, c) in range.zip(batch) {
                    // A run where the earlier file had it, after bytes that
                    // were all its: the state recorded before it holds.
                    let same = w.waiting() && c.offset == offset && c.state.is_some();
                    if w.waiting() && !same {
                        w.take_up(state_at(spans, offset)?);
                    }
                    let state = if same { c.state } else { w.state() };
                    w.write_all(&c.run)?;
                    spans.note_with_state(JSON_FILE, &keys[k], offset, &c.run, Some(c.sum), state);
                    offset += c.run.len() as u64;
                }
            }
            Ok::<(), io::Error>(())
        });
        went?;
        done = next;
    }
    if w.waiting() {
        w.take_up(state_at(spans, offset)?);
    }
    let end: &[u8] = if ctx.entries.is_empty() {
        b"]"
    } else {
        b"\n  ]"
    };
    w.write_all(end)
}

/// The SHA-256 state of the earlier file's bytes before `offset`.
fn state_at(spans: &crate::publish::spans::Spans, offset: u64) -> io::Result<sha2::Sha256> {
    (spans.state_at(JSON_FILE, offset))
        .ok_or_else(|| io::Error::other("the earlier file's bytes can no longer be read"))
}

/// The text of a run of entries inside the `entries` array, as the pretty
/// printer writes it there: each entry on its own lines, indented two
/// levels, after `,` unless it is the array's first.
fn run_text(run: &[&Entry], first: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(run.len() * 4096);
    for (i, e) in run.iter().enumerate() {
        out.extend_from_slice(if first && i == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        let text = serde_json::to_vec_pretty(e.get()).expect("an entry serializes");
        // JSON text holds no line break but those of the layout.
        for line in text.split_inclusive(|&b| b == b'\n') {
            out.extend_from_slice(line);
            if line.ends_with(b"\n") {
                out.extend_from_slice(b"    ");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{entries, with_plan};
    use super::*;
    use crate::catalog::CatalogEntry;
    use crate::publish::cache::Previous;

    /// The bytes written, and how many runs were copied.
    fn written(
        all: &[CatalogEntry],
        version: &str,
        previous: &Previous,
        root: &std::path::Path,
    ) -> (Vec<u8>, usize) {
        with_plan(all, version, previous, root, |ctx, plan| {
            use sha2::Digest;
            use std::io::Write;
            let mut w = crate::publish::spans::Hashing::new(Vec::new());
            write_runs(ctx, plan, &run_keys(ctx, plan), &mut w).unwrap();
            // The hash is of every byte, whether it waited or not.
            assert!(w.state().is_some(), "taken up");
            w.write_all(tail(version).as_bytes()).unwrap();
            let bytes = std::mem::take(&mut w.inner);
            let hash = crate::fsx::hex(&w.hash.clone().finalize());
            assert_eq!(hash, crate::fsx::sha256_hex(&bytes));
            std::fs::write(root.join(JSON_FILE), &bytes).unwrap();
            (bytes, plan.out.spans().copied())
        })
    }

    #[test]
    fn the_hash_taken_up_from_the_earlier_state_is_that_of_the_bytes() {
        // One entry changed in the first run, in the middle, in the last,
        // or none: the runs before it are the earlier file's where they
        // were, and the hash waits for them (checked in `written`).
        for (changed, copied) in [
            (Some(0), 2),
            (Some(RUN + 1), 2),
            (Some(3 * RUN - 1), 2),
            (None, 3),
        ] {
            let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let mut all = entries(3 * RUN);
            written(&all, "", &Previous::none(), a.path());
            if let Some(i) = changed {
                all[i].name = "改过的事项，名称更长了".into();
            }
            let kept = Previous::load(a.path());
            let (again, n) = written(&all, "", &kept, b.path());
            let refs: Vec<&CatalogEntry> = all.iter().collect();
            assert!(again == super::super::catalog_json("", &refs).as_bytes());
            assert_eq!(n, copied, "{changed:?}");
            // The next build, from this one's states.
            let (c, kept) = (tempfile::tempdir().unwrap(), Previous::load(b.path()));
            all[RUN].name = "又改了".into();
            written(&all, "", &kept, c.path());
        }
    }

    #[test]
    fn runs_give_the_bytes_of_the_whole_document() {
        let dir = tempfile::tempdir().unwrap();
        let none = Previous::none();
        for n in [0, 1, 2, RUN, RUN + 1, 2 * RUN + 7] {
            let all = entries(n);
            let refs: Vec<&CatalogEntry> = all.iter().collect();
            let whole = super::super::catalog_json("2026.1", &refs);
            let (runs, copied) = written(&all, "2026.1", &none, dir.path());
            assert!(runs == whole.as_bytes(), "{n} entries");
            assert_eq!(copied, 0);
        }
    }

    #[test]
    fn an_unchanged_run_is_copied_and_the_bytes_are_the_same() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let none = Previous::none();
        let mut all = entries(3 * RUN);
        written(&all, "", &none, a.path());
        all[RUN + 1].name = "改过的事项".into();
        // The next build, and a release after it (another version).
        let kept = Previous::load(a.path());
        for version in ["", "2026.2"] {
            let (again, copied) = written(&all, version, &kept, b.path());
            let refs: Vec<&CatalogEntry> = all.iter().collect();
            assert!(again == super::super::catalog_json(version, &refs).as_bytes());
            assert_eq!(copied, 2, "the runs without the changed entry");
        }
        // Copied runs are those whose bytes hold: a run of the earlier
        // file altered in place is written again, the same bytes.
        let text = std::fs::read_to_string(a.path().join(JSON_FILE)).unwrap();
        std::fs::write(a.path().join(JSON_FILE), text.replacen("事项0", "事项X", 1)).unwrap();
        let kept = Previous::load(a.path());
        let (again, copied) = written(&all, "", &kept, b.path());
        let refs: Vec<&CatalogEntry> = all.iter().collect();
        assert!(again == super::super::catalog_json("", &refs).as_bytes());
        assert_eq!(copied, 1, "the first run was altered, the second changed");
    }
}
