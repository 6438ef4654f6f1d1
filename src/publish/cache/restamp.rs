//! A release brings the guides of `dist/` up to its stamps (SPEC §10).
//!
//! A guide shows the release in which its entry last changed, so release
//! `V` changes the guide of every entry it stamps — every guide, the first
//! time — and has just rendered each. Left alone, `dist/` would show those
//! entries 未发布 until the next build, which would then copy the same
//! files out of the release. So the release does it: each guide of the
//! release that the cache of `dist/` lists under another key (or not at
//! all) is copied into `dist/` — a copy, never a link, so that no edit of
//! `dist/` reaches a release — moved in under a plan as a build's files are
//! ([`Staged::commit_except`]), and the cache and stat memo of `dist/` made
//! to say so. Nothing else a build makes shows a stamp (the catalogs and
//! the site show the release version, which a build does not have), so the
//! rest of `dist/` stays as it is; a file there whose key still names the
//! old stamps (`catalog.json`, made of every entry's key) is rendered again
//! by the next build, as any file the cache does not prove. A guide's key
//! is the same in a release and a build: it holds the entry, its stamp and
//! where its forms are, not the release version.
//!
//! A `dist/` whose cache the release could not read is left alone: the next
//! build makes what it needs.

use super::*;
use crate::fsx::Staged;
use crate::fsx::settled::{Memo, Stat};
use rustc_hash::FxHashSet;

/// What bringing `dist/` up to a release did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restamped {
    /// Guides copied into `dist/`.
    pub files: usize,
    /// The tree `dist/` was before, replaced but not removed (its path and
    /// why); the next run removes it.
    pub leftover: Option<(String, String)>,
}

/// Copies into the build in `dist` the guides of the release just made in
/// `release` (whose tree `tree` recorded, from `dist` among its earlier
/// trees) that the build's cache lists under another key or not at all.
/// An error leaves `dist` as it was, or as the next command finishes it.
pub fn restamp(dist: &Path, release: &Path, tree: &Output<'_>) -> io::Result<Restamped> {
    use rayon::prelude::*;
    let previous = tree.previous();
    let Some(at) = previous.place_of(dist) else {
        return Ok(Restamped::default());
    };
    let built = previous.files_of(at);
    tree.with_lines_under(crate::publish::GUIDES_DIR, |guides| {
        let changed: Vec<(&[u8], usize)> = guides
            .par_iter()
            .filter(|(line, path)| {
                let rel = text(&line[..*path]);
                let key = key_of(&line[path + 1..]);
                built
                    .get(rel)
                    .is_none_or(|rest| key_of(rest.as_bytes()) != key)
            })
            .copied()
            .collect();
        if changed.is_empty() {
            return Ok(Restamped::default());
        }
        let staged = Staged::new(dist)?;
        let into = staged.path();
        let owner = crate::fsx::settled::at::owner();
        let dirs: FxHashSet<&Path> = (changed.iter())
            .filter_map(|(line, path)| Path::new(text(&line[..*path])).parent())
            .collect();
        for dir in dirs {
            std::fs::create_dir_all(into.join(dir))?;
        }
        changed.par_iter().try_for_each(|(line, path)| {
            let rel = text(&line[..*path]);
            crate::fsx::copy_new_in(owner, &release.join(rel), &into.join(rel)).map(|_| ())
        })?;
        let paths: FxHashSet<&[u8]> = changed.iter().map(|(line, path)| &line[..*path]).collect();
        write_cache(built, &changed, &paths, &into.join(FILE))?;
        // The memo keeps what it said of every other file; the copies are
        // noted once they are in place (later, more of them have settled).
        let memo = Memo::with_room(built.len());
        previous
            .memo_of(at)
            .carry_into(&memo, &|path| paths.contains(path));
        // (Of the files listed, those not copied stay.)
        let kept = built.len().saturating_sub(changed.len());
        let leftover = staged
            .commit_puts(changed.len() + 1, kept)
            .map_err(io::Error::from)?;
        let owner = crate::fsx::settled::at::owner();
        changed.par_iter().for_each(|(line, path)| {
            let rel = text(&line[..*path]);
            if let Some(stat) = Stat::settled_in(owner, &dist.join(rel)) {
                memo.note(rel, stat, sha256_of(line));
            }
        });
        // (One that cannot be written costs the next build the hashing.)
        if let Ok(pending) = memo.pending(dist) {
            let _ = pending.put();
        }
        Ok(Restamped {
            files: changed.len(),
            leftover: leftover.map(|l| (crate::filing::display_path(&l.path), l.error.to_string())),
        })
    })
}

/// The key of a cache's line after its path (`key<TAB>sha256`).
fn key_of(rest: &[u8]) -> &[u8] {
    rest.split(|&b| b == b'\t').next().unwrap_or_default()
}

/// Writes the cache of `dist/` with the guides copied in: the lines of
/// `built` but those of `paths`, and the release's lines `changed` (in
/// path order) for them, in path order (sealed, as a build writes it).
fn write_cache(
    built: &crate::fsx::keyed::Keyed,
    changed: &[(&[u8], usize)],
    paths: &FxHashSet<&[u8]>,
    to: &Path,
) -> io::Result<()> {
    use rayon::prelude::*;
    fn path<'a>((line, len): &(&'a [u8], usize)) -> &'a [u8] {
        &line[..*len]
    }
    let mut lines: Vec<(&[u8], usize)> = (0..built.len() as u32)
        .map(|i| built.line_text(i))
        .filter(|l| !paths.contains(path(l)))
        .collect();
    if built.ordered() {
        // (Two runs in path order, merged: the earlier cache was written
        // so.)
        let mut merged = Vec::with_capacity(lines.len() + changed.len());
        let mut new = changed.iter().copied().peekable();
        for l in lines {
            while let Some(c) = new.next_if(|c| path(c) < path(&l)) {
                merged.push(c);
            }
            merged.push(l);
        }
        merged.extend(new);
        lines = merged;
    } else {
        lines.extend_from_slice(changed);
        lines.par_sort_unstable_by(|a, b| path(a).cmp(path(b)));
    }
    crate::fsx::write_atomic_with(to, &mut |w| {
        write_sealed(w, lines.iter().map(|(line, _)| *line))
    })
}
