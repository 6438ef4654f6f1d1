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
//! ([`Staged::commit_puts`]), and the cache of `dist/` made to say so.
//! The copies and the cache are staged while the release makes its manifest
//! ([`prepare`]) and put in place once the release is ([`Prepared::finish`]):
//! `dist/` never shows a release that was not made. The stat memo of
//! `dist/` is written again only when the copies it would note outweigh it
//! (the first release's 300,000, not a steady release's few dozen): a line
//! it keeps for a file replaced names the old file's stat, which the copy
//! does not have, so it proves nothing. Nothing else a build makes shows a
//! stamp (the catalogs and the site show the release version, which a
//! build does not have), so the rest of `dist/` stays as it is; a file
//! there whose key still names the old stamps (`catalog.json`, made of
//! every entry's key) is rendered again by the next build, as any file the
//! cache does not prove. A guide's key is the same in a release and a
//! build: it holds the entry, its stamp and where its forms are, not the
//! release version.
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

/// What [`prepare`] made ready for `dist/`: the copies and the cache of
/// `dist/` staged beside it, put in place by [`Prepared::finish`] once the
/// release is. Dropped unfinished, it leaves `dist/` as it was and removes
/// what it staged.
pub struct Prepared<'p> {
    dist: PathBuf,
    staged: Staged,
    /// The release's cache lines of the guides copied (each with the length
    /// of its path), in path order.
    changed: Vec<(Vec<u8>, usize)>,
    previous: &'p Previous,
    /// The place of `dist/` among the earlier trees.
    at: u16,
}

/// Stages beside the build in `dist` a copy of each guide of the release
/// being made in `release` (not yet in place; its tree `tree` recorded it,
/// from `dist` among its earlier trees) that the build's cache lists under
/// another key or not at all, and the cache of `dist/` that says so; none
/// when there is nothing to bring up to date. Waits for the release's
/// links before it copies (a guide it took from the previous release may
/// be one). An error leaves `dist` as it was.
pub fn prepare<'p>(
    dist: &Path,
    release: &Path,
    tree: &Output<'p>,
) -> io::Result<Option<Prepared<'p>>> {
    use rayon::prelude::*;
    let previous = tree.previous();
    let Some(at) = previous.place_of(dist) else {
        return Ok(None);
    };
    let built = previous.files_of(at);
    let changed: Vec<(Vec<u8>, usize)> =
        tree.with_lines_under(crate::publish::GUIDES_DIR, |guides| {
            guides
                .par_iter()
                .filter(|(line, path)| {
                    let rel = text(&line[..*path]);
                    let key = key_of(&line[path + 1..]);
                    built
                        .get(rel)
                        .is_none_or(|rest| key_of(rest.as_bytes()) != key)
                })
                .map(|(line, path)| (line.to_vec(), *path))
                .collect()
        });
    if changed.is_empty() {
        return Ok(None);
    }
    let staged = Staged::new(dist)?;
    let into = staged.path();
    let dirs: FxHashSet<&Path> = (changed.iter())
        .filter_map(|(line, path)| Path::new(text(&line[..*path])).parent())
        .collect();
    for dir in dirs {
        std::fs::create_dir_all(into.join(dir))?;
    }
    let paths: FxHashSet<&[u8]> = changed.iter().map(|(line, path)| &line[..*path]).collect();
    write_cache(built, &changed, &paths, &into.join(FILE))?;
    tree.finish_links()?;
    let owner = crate::fsx::settled::at::owner();
    changed.par_iter().try_for_each(|(line, path)| {
        let rel = text(&line[..*path]);
        crate::fsx::copy_new_in(owner, &release.join(rel), &into.join(rel)).map(|_| ())
    })?;
    Ok(Some(Prepared {
        dist: dist.to_path_buf(),
        staged,
        changed,
        previous,
        at,
    }))
}

impl Prepared<'_> {
    /// Moves the copies and the cache [`prepare`] staged into `dist/`, and
    /// notes the copies in its stat memo when that is worth writing it
    /// again. An error leaves `dist/` as it was, or as the next command
    /// finishes it.
    pub fn finish(self) -> io::Result<Restamped> {
        use rayon::prelude::*;
        let Prepared {
            dist,
            staged,
            changed,
            previous,
            at,
        } = self;
        // (Of the files listed, those not copied stay.)
        let kept = previous.files_of(at).len().saturating_sub(changed.len());
        let leftover = staged
            .commit_puts(changed.len() + 1, kept)
            .map_err(io::Error::from)?;
        // The copies are noted once they are in place, those that have
        // settled. Writing the memo costs its whole text again; not noting
        // them costs the next build reading and hashing them: the memo is
        // written when the copies noted outweigh it. The memo as it stands
        // proves none of them (each is a new file), only the files that
        // stayed.
        let owner = crate::fsx::settled::at::owner();
        let noted: Vec<(&str, Stat, &str)> = changed
            .par_iter()
            .filter_map(|(line, path)| {
                let rel = text(&line[..*path]);
                let stat = Stat::settled_in(owner, &dist.join(rel))?;
                Some((rel, stat, sha256_of(line)))
            })
            .collect();
        let old = previous.memo_of(at);
        let weight: u64 = noted.iter().map(|(_, stat, _)| stat.size()).sum();
        if !noted.is_empty() && weight >= old.text_len() as u64 {
            let paths: FxHashSet<&[u8]> =
                changed.iter().map(|(line, path)| &line[..*path]).collect();
            let memo = Memo::with_room(previous.files_of(at).len());
            old.carry_into(&memo, &|path| paths.contains(path));
            for (rel, stat, sha256) in noted {
                memo.note(rel, stat, sha256);
            }
            // (One that cannot be written costs the next build the hashing.)
            if let Ok(pending) = memo.pending(&dist) {
                let _ = pending.put();
            }
        }
        Ok(Restamped {
            files: changed.len(),
            leftover: leftover.map(|l| (crate::filing::display_path(&l.path), l.error.to_string())),
        })
    }
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
    changed: &[(Vec<u8>, usize)],
    paths: &FxHashSet<&[u8]>,
    to: &Path,
) -> io::Result<()> {
    use rayon::prelude::*;
    fn path<'a>((line, len): &(&'a [u8], usize)) -> &'a [u8] {
        &line[..*len]
    }
    let changed: Vec<(&[u8], usize)> = changed.iter().map(|(l, p)| (l.as_slice(), *p)).collect();
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
        lines.extend_from_slice(&changed);
        lines.par_sort_unstable_by(|a, b| path(a).cmp(path(b)));
    }
    crate::fsx::write_atomic_with(to, &mut |w| {
        write_sealed(w, lines.iter().map(|(line, _)| *line))
    })
}
