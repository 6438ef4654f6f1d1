//! Whole trees (`items/`, `dist/`, a release) written beside the old one
//! and put in place: swapped in with two renames ([`Staged::commit`]), or —
//! for a build that keeps most of `dist/` — moved in file by file under a
//! plan ([`Staged::commit_over`], [`super::patch`]); and [`recover`], which
//! undoes or finishes what a killed commit left.

use super::{fault, patch, process_alive};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A tree being built beside `target`, swapped in by [`Staged::commit`].
/// Dropped without commit, it is removed and `target` is untouched.
pub struct Staged {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl Staged {
    /// Starts a new tree for `target` (which may not exist yet). Staging
    /// trees of runs that were killed are removed first.
    pub fn new(target: &Path) -> io::Result<Staged> {
        // A commit over `target` killed midway (a tree outside the
        // workspace, which no command repairs first) is finished before its
        // staging tree could be swept away.
        patch::recover(target)?;
        sweep(target);
        // A swap cut between its renames left the previous tree aside; it is
        // put back before any command reads the workspace. A tree staged now
        // would start from nothing and, committed, drop that content.
        let old = sibling(target, "old");
        if old.exists() && !target.exists() {
            return Err(io::Error::other(format!(
                "an interrupted write left the content of {} at {}: run yima once to restore it",
                target.display(),
                old.display()
            )));
        }
        fault::point("stage")?;
        // Unique per process and call: two runs preparing at once never share
        // a staging tree (the lock and a freshness check decide who commits).
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let staging = sibling(target, &format!("new-{}-{n}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        fs::create_dir_all(&staging)?;
        Ok(Staged {
            target: target.to_path_buf(),
            staging,
            committed: false,
        })
    }

    /// The folder to write the new tree into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Replaces `target` with the staged tree: old → `.old`, new → target,
    /// then the old one is removed. A kill between the two renames is
    /// repaired by [`recover`] (the old tree comes back). Once the new tree
    /// is in place the commit has happened: an old tree that cannot be
    /// removed is returned as a [`Leftover`], not an error.
    pub fn commit(mut self) -> Result<Option<Leftover>, CommitError> {
        let old = sibling(&self.target, "old");
        fault::point("swap").map_err(not_swapped)?;
        if old.exists() {
            super::remove_tree(&old).map_err(not_swapped)?;
        }
        let had_target = self.target.exists();
        if had_target {
            fs::rename(&self.target, &old).map_err(not_swapped)?;
        }
        let second =
            fault::point("swap:between").and_then(|()| fs::rename(&self.staging, &self.target));
        if let Err(e) = second {
            if had_target && let Err(back) = fs::rename(&old, &self.target) {
                // The old tree is whole at `old`; the next run puts it back.
                let _ = back;
                return Err(CommitError {
                    error: e,
                    stranded: Some(old),
                });
            }
            return Err(not_swapped(e));
        }
        self.committed = true;
        if had_target {
            // (A whole old tree — every guide, when the first build after a
            // release took them all anew — is removed on every thread.)
            let cleanup = fault::point("swap:cleanup").and_then(|()| super::remove_tree(&old));
            if let Err(error) = cleanup {
                return Ok(Some(Leftover { path: old, error }));
            }
        }
        Ok(None)
    }
}

impl Staged {
    /// Puts the staged tree in place over `target` file by file, keeping
    /// there the files `kept` (relative, with `/`) — which the staged tree
    /// does not hold — and dropping the rest of the old tree (see
    /// [`patch`]). A tree that is new, mostly new (moving its files in would
    /// cost more than linking the kept ones), or whose names cannot be
    /// listed, is swapped whole as [`Staged::commit`] does.
    ///
    /// `staged`: how many files the staged tree holds (at least; 0 when not
    /// known). As many as are kept or more, moving them in cannot cost less
    /// than a swap — the first build after a release, which takes every
    /// guide anew — and neither tree is walked to plan it.
    pub fn commit_over(
        mut self,
        kept: &dyn Kept,
        staged: usize,
    ) -> Result<Option<Leftover>, CommitError> {
        if kept.is_empty() {
            return self.commit();
        }
        if staged < kept.len()
            && let Some(leftover) = self.commit_by_plan(&|f| kept.keeps(f), staged)?
        {
            return Ok(leftover);
        }
        // Swapped whole: the kept files come into the staged tree first.
        patch::link_kept(&self.target, &self.staging, kept).map_err(not_swapped)?;
        self.commit()
    }

    /// Puts the staged tree in place over `target` as the old tree with
    /// the staged files put in and the files `removed` (relative, with `/`)
    /// taken out, file by file when that costs less than linking the rest
    /// of the old tree and swapping (see [`patch`]), else so. `staged`:
    /// how many files were staged (at least), which spares listing them
    /// when the old tree has no more.
    pub fn commit_except(
        mut self,
        removed: &rustc_hash::FxHashSet<String>,
        staged: usize,
    ) -> Result<Option<Leftover>, CommitError> {
        let keep = |f: &str| !removed.contains(f);
        if let Some(leftover) = self.commit_by_plan(&keep, staged)? {
            return Ok(leftover);
        }
        patch::link_all_kept(&self.target, &self.staging, &keep).map_err(not_swapped)?;
        self.commit()
    }

    /// Puts the staged files in place over `target`, replacing the old
    /// files of their names and keeping every other where it is, when
    /// `target` keeps at least `kept` files: the staged tree planned alone,
    /// the old one not walked ([`patch::commit_puts`]). Staged as many
    /// files as are kept or more, the tree is swapped whole (the kept ones
    /// linked in first).
    pub fn commit_puts(
        mut self,
        staged: usize,
        kept: usize,
    ) -> Result<Option<Leftover>, CommitError> {
        if staged < kept && self.target.is_dir() && !sibling(&self.target, "old").exists() {
            fault::point("swap").map_err(not_swapped)?;
            let done = patch::commit_puts(&self.target, &self.staging, kept)?;
            self.committed |= done.is_some();
            if let Some(leftover) = done {
                return Ok(leftover);
            }
        }
        // Swapped whole: nothing is dropped, so the old tree is walked once,
        // to link what stays (what is in the way of a staged file fails it,
        // as for a plan refused by [`Staged::commit_except`]).
        patch::link_all_kept(&self.target, &self.staging, &|_| true).map_err(not_swapped)?;
        self.commit()
    }

    /// The commit under a plan ([`patch::commit`]) that both commits over
    /// the old tree try first: `None` when the tree is to be swapped whole
    /// (there is no old tree, a swap's old copy is still beside it, or the
    /// plan would cost more).
    fn commit_by_plan(
        &mut self,
        keep: &(dyn Fn(&str) -> bool + Sync),
        staged: usize,
    ) -> Result<Option<Option<Leftover>>, CommitError> {
        if !self.target.is_dir() || sibling(&self.target, "old").exists() {
            return Ok(None);
        }
        fault::point("swap").map_err(not_swapped)?;
        let done = patch::commit(&self.target, &self.staging, keep, staged)?;
        self.committed |= done.is_some();
        Ok(done)
    }
}

/// The files of an old tree that a commit over it keeps where they are
/// ([`Staged::commit_over`]), by their paths inside it (with `/`).
pub trait Kept: Sync {
    /// Whether the file `rel` is kept.
    fn keeps(&self, rel: &str) -> bool;
    /// Whether no file is.
    fn is_empty(&self) -> bool;
    /// How many files are (at most: a file counted may be gone).
    fn len(&self) -> usize;
    /// Calls `f` with each file kept (for a commit that links them into the
    /// staged tree after all), stopping at its first error.
    fn each(&self, f: &mut dyn FnMut(&str) -> io::Result<()>) -> io::Result<()>;
}

impl Kept for rustc_hash::FxHashSet<String> {
    fn keeps(&self, rel: &str) -> bool {
        self.contains(rel)
    }

    fn is_empty(&self) -> bool {
        rustc_hash::FxHashSet::is_empty(self)
    }

    fn len(&self) -> usize {
        rustc_hash::FxHashSet::len(self)
    }

    fn each(&self, f: &mut dyn FnMut(&str) -> io::Result<()>) -> io::Result<()> {
        self.iter().try_for_each(|rel| f(rel))
    }
}

/// An error before anything moved: the target is as it was.
fn not_swapped(error: io::Error) -> CommitError {
    CommitError {
        error,
        stranded: None,
    }
}

/// The previous tree a commit could not remove; the new one is in place and
/// the next run removes it.
#[derive(Debug)]
pub struct Leftover {
    pub path: PathBuf,
    pub error: io::Error,
}

/// A commit that did not happen: the target is as it was — or, when
/// `stranded` is set, it is missing and its previous content waits at that
/// path, where the next run restores it from.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct CommitError {
    pub error: io::Error,
    pub stranded: Option<PathBuf>,
}

impl From<CommitError> for io::Error {
    fn from(e: CommitError) -> io::Error {
        e.error
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

pub(super) fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.yima-{what}"))
}

/// Repairs what a killed swap of `target` left: if the target is gone but
/// its `.old` copy is there, the old tree comes back (the swap is undone);
/// if both are there, the swap had happened and the old copy goes. Staging
/// trees of runs that are gone are removed. Says what it did.
pub fn recover(target: &Path) -> io::Result<Option<Repair>> {
    // A commit over the old tree killed midway is carried out to its end.
    if let Some(repair) = patch::recover(target)? {
        sweep(target);
        return Ok(Some(repair));
    }
    let old = sibling(target, "old");
    let mut repair = None;
    if old.exists() {
        if target.exists() {
            fs::remove_dir_all(&old)?;
            repair = Some(Repair::Finished(target.to_path_buf()));
        } else {
            fs::rename(&old, target)?;
            repair = Some(Repair::Undone(target.to_path_buf()));
        }
    }
    sweep(target);
    Ok(repair)
}

/// What [`recover`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    /// A swap killed between its renames: the previous tree is back.
    Undone(PathBuf),
    /// A swap killed after its renames: the new tree stays, the old copy is
    /// gone.
    Finished(PathBuf),
    /// A commit over the old tree killed while it moved the files in: its
    /// plan is carried out, the new tree stands.
    Completed(PathBuf),
    /// A registry file written ahead of a release was put in place (the
    /// release exists) or dropped (it does not).
    Pending { path: PathBuf, kept: bool },
}

/// Removes the staging trees of `target` left by runs that are gone.
pub(super) fn sweep(target: &Path) {
    let prefix = format!(
        ".{}.yima-new-",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(rd) = fs::read_dir(parent) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !process_alive(p)) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}
