//! Putting a staged tree in place over the old one file by file, when most
//! of it is the old one. An incremental build of a large catalog keeps
//! nearly every file of `dist/`: building the whole tree beside it (a hard
//! link for each kept file) and swapping it in cost two file-system
//! operations per kept file — 600,000 for 100,000 entries, most of a steady
//! build on a disk. Instead the staged tree holds only what is new, and the
//! commit moves those files into the old tree under a journal:
//!
//! 1. the plan — folders to make, files to put (the staged ones), files and
//!    folders to drop (what the old tree has and the new one does not) — is
//!    written to `.NAME.yima-patch` beside the tree (atomically, sealed with
//!    its checksum, [`super::seal`]): from then on the commit has happened;
//! 2. the plan is carried out: each put a rename over the old file, after a
//!    hard link of the old file is kept in the staging tree; each drop a
//!    rename into it. An error on the way moves everything back (the old
//!    files from the staging tree), removes the plan and reports the error:
//!    nothing happened;
//! 3. the plan and the staging tree are removed.
//!
//! A run killed during step 2 leaves the plan: [`recover`], run by every
//! command before it reads the workspace, carries it out to the end (each
//! step can be done twice: a put whose staged file is gone is done). So, as
//! for a swapped tree, the workspace is the one before or the one after as
//! every command sees it; while the plan is carried out a reader of the tree
//! itself sees some files new and some old.
//!
//! Here: the plan's text, carrying it out and undoing it, and [`recover`];
//! [`plan`] makes the plans.

use super::{Leftover, Repair, fault, sibling, write_atomic};

mod plan;
#[cfg(test)]
use plan::{list, plan};
use plan::{plan_puts, plan_with};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The plan's first line: its format.
const HEADER: &str = "yima patch 1";

/// Where the staging tree keeps the old files a put replaced and the files
/// a drop took away, until the plan is carried out.
const BACKUP: &str = ".yima-backup";

/// The plan of a commit: paths relative to the tree, with `/`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Plan {
    /// The staging tree's folder name (beside the tree).
    staging: String,
    /// Folders of the new tree the old one lacks, parents first.
    dirs: Vec<String>,
    /// Files of the staging tree.
    puts: Vec<String>,
    /// Files of the old tree the new one does not have.
    drops: Vec<String>,
    /// Folders of the old tree the new one does not have, deepest first.
    gone: Vec<String>,
}

impl Plan {
    /// Whether carrying the plan out costs fewer file operations than
    /// swapping the whole tree, with `kept` files kept: a put is a link, a
    /// rename and later an unlink of the old file; a drop a rename and an
    /// unlink; a swap links each kept file into the staged tree and unlinks
    /// every file of the old one. (The first build after a release, which
    /// stamps every guide, puts nearly every file: 300,000 moves at 100,000
    /// entries cost seconds more than a swap.)
    fn cheaper(&self, kept: usize) -> bool {
        2 * self.puts.len() + self.drops.len() < 2 * kept
    }
}

/// The plan's file beside `target`.
fn plan_path(target: &Path) -> PathBuf {
    sibling(target, "patch")
}

impl Plan {
    fn to_text(&self) -> String {
        let mut s = format!("{HEADER}\nstaging\t{}\n", self.staging);
        for (tag, list) in [
            ("dir", &self.dirs),
            ("put", &self.puts),
            ("drop", &self.drops),
            ("gone", &self.gone),
        ] {
            for rel in list {
                s.push_str(tag);
                s.push('\t');
                s.push_str(rel);
                s.push('\n');
            }
        }
        super::seal(s)
    }

    fn parse(text: &str) -> Option<Plan> {
        let body = super::unseal(text).ok()?;
        let mut lines = body.lines();
        if lines.next() != Some(HEADER) {
            return None;
        }
        let mut plan = Plan::default();
        for line in lines {
            let (tag, rel) = line.split_once('\t')?;
            // A plan names paths inside the tree, nothing else.
            let inside = !rel.is_empty()
                && !rel.starts_with('/')
                && !rel
                    .split('/')
                    .any(|p| p.is_empty() || p == "." || p == "..");
            if !inside {
                return None;
            }
            match tag {
                "staging" if !rel.contains('/') => plan.staging = rel.to_string(),
                "dir" => plan.dirs.push(rel.to_string()),
                "put" => plan.puts.push(rel.to_string()),
                "drop" => plan.drops.push(rel.to_string()),
                "gone" => plan.gone.push(rel.to_string()),
                _ => return None,
            }
        }
        (!plan.staging.is_empty()).then_some(plan)
    }
}

/// Links (or copies) every file of `target` into the staged tree but those
/// `keep` does not keep and those the staged tree has, for a commit that
/// swaps the whole tree after all.
pub(super) fn link_all_kept(
    target: &Path,
    staging: &Path,
    keep: &dyn Fn(&str) -> bool,
) -> io::Result<()> {
    fn walk(from: &Path, to: &Path, prefix: &str, keep: &dyn Fn(&str) -> bool) -> io::Result<()> {
        for e in fs::read_dir(from)? {
            let e = e?;
            let name = e.file_name();
            let rel = format!("{prefix}{}", name.to_string_lossy());
            let (src, dst) = (e.path(), to.join(&name));
            // What the old tree has where the new one puts something of
            // another kind (a folder by hand where an entry file goes) is
            // kept by failing, never dropped by the swap.
            let in_the_way = |why: &str| {
                io::Error::other(format!("{}：{why}", crate::filing::display_path(&src)))
            };
            if e.file_type()?.is_dir() {
                if dst.exists() && !dst.is_dir() {
                    return Err(in_the_way(
                        "此处是文件夹，无法放入同名文件（a folder is where a file goes）",
                    ));
                }
                fs::create_dir_all(&dst)?;
                walk(&src, &dst, &format!("{rel}/"), keep)?;
            } else if dst.is_dir() {
                return Err(in_the_way(
                    "此处是文件，无法建同名文件夹（a file is where a folder goes）",
                ));
            } else if keep(&rel) && !dst.exists() {
                fs::hard_link(&src, &dst).or_else(|_| fs::copy(&src, &dst).map(|_| ()))?;
            }
        }
        Ok(())
    }
    fault::point("link")?;
    if !target.is_dir() {
        return Ok(());
    }
    walk(target, staging, "", keep)
}

/// Links (or copies) the files `kept` of `target` into the staged tree,
/// for a commit that swaps the whole tree after all.
pub(super) fn link_kept(
    target: &Path,
    staging: &Path,
    kept: &dyn super::staged::Kept,
) -> io::Result<()> {
    kept.each(&mut |rel| {
        let (from, to) = (target.join(rel), staging.join(rel));
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::hard_link(&from, &to).or_else(|_| fs::copy(&from, &to).map(|_| ()))
    })
}

/// One step carried out, to be undone on an error.
enum Done {
    Dir(String),
    /// A put; whether the old file was saved first.
    Put(String, bool),
    Drop(String),
    Gone(String),
}

/// Commits `staging` over `target` keeping where they are the files of the
/// old tree that `keep` keeps (see the module's header). `Ok(None)` when
/// the trees cannot be listed by name, or when swapping the whole tree
/// costs less ([`Plan::cheaper`]): the caller swaps the whole tree.
pub(super) fn commit(
    target: &Path,
    staging: &Path,
    keep: &(dyn Fn(&str) -> bool + Sync),
    staged: usize,
) -> Result<Option<Option<Leftover>>, super::CommitError> {
    carry(target, staging, plan_with(target, staging, keep, staged))
}

/// [`commit`] of a staging tree that adds and replaces files and drops
/// none, over an old tree of which at least `kept` files stay: planned
/// from the staged files alone, the old tree not walked (a release that
/// brings a few guides of `dist/` up to its stamps, among 300,000 files).
pub(super) fn commit_puts(
    target: &Path,
    staging: &Path,
    kept: usize,
) -> Result<Option<Option<Leftover>>, super::CommitError> {
    carry(target, staging, plan_puts(target, staging, kept))
}

/// Carries out the plan `planned` (with how many old files it keeps) when
/// it costs less than a swap; see [`commit`].
fn carry(
    target: &Path,
    staging: &Path,
    planned: io::Result<Option<(Plan, usize)>>,
) -> Result<Option<Option<Leftover>>, super::CommitError> {
    let not_done = |error| super::CommitError {
        error,
        stranded: None,
    };
    let Some((plan, _)) = planned
        .map_err(not_done)?
        .filter(|(plan, kept)| plan.cheaper(*kept))
    else {
        return Ok(None);
    };
    let plan_file = plan_path(target);
    write_atomic(&plan_file, plan.to_text().as_bytes()).map_err(not_done)?;
    let mut done = Vec::new();
    let carried =
        fault::point("swap:between").and_then(|()| carry_out(target, staging, &plan, &mut done));
    if let Err(e) = carried {
        undo(target, staging, done);
        let _ = fs::remove_file(&plan_file);
        return Err(not_done(e));
    }
    let cleanup = fault::point("swap:cleanup")
        .and_then(|()| fs::remove_file(&plan_file))
        .and_then(|()| fs::remove_dir_all(staging));
    Ok(Some(cleanup.err().map(|error| Leftover {
        path: if plan_file.exists() {
            plan_file
        } else {
            staging.to_path_buf()
        },
        error,
    })))
}

/// Carries out `plan`, noting each step in `done`.
fn carry_out(target: &Path, staging: &Path, plan: &Plan, done: &mut Vec<Done>) -> io::Result<()> {
    let backup = staging.join(BACKUP);
    for rel in &plan.dirs {
        fault::point("patch:dir")?;
        fs::create_dir(target.join(rel))?;
        done.push(Done::Dir(rel.clone()));
    }
    for rel in &plan.puts {
        fault::point("patch:put")?;
        let to = target.join(rel);
        // The old file stays whole where it is until the rename replaces it;
        // a link to it in the staging tree brings it back on an error.
        let saved = if to.is_file() {
            let keep = backup.join(rel);
            fs::create_dir_all(keep.parent().unwrap_or(&backup))?;
            fs::hard_link(&to, &keep).or_else(|_| fs::copy(&to, &keep).map(|_| ()))?;
            true
        } else {
            false
        };
        // (A file held open elsewhere — a workbook open in Excel on Windows —
        // cannot be replaced: the error names it.)
        fs::rename(staging.join(rel), &to).map_err(|e| named(e, &to))?;
        done.push(Done::Put(rel.clone(), saved));
    }
    for rel in &plan.drops {
        fault::point("patch:drop")?;
        let keep = backup.join(rel);
        fs::create_dir_all(keep.parent().unwrap_or(&backup))?;
        let from = target.join(rel);
        fs::rename(&from, keep).map_err(|e| named(e, &from))?;
        done.push(Done::Drop(rel.clone()));
    }
    for rel in &plan.gone {
        fault::point("patch:gone")?;
        // Empty by now: its files were dropped, its folders are deeper.
        let dir = target.join(rel);
        fs::remove_dir(&dir).map_err(|e| named(e, &dir))?;
        done.push(Done::Gone(rel.clone()));
    }
    Ok(())
}

/// An error of a step, naming the file (the kind kept).
fn named(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Undoes the steps `done`, last first: the old files come back from the
/// staging tree, the new ones go back into it.
fn undo(target: &Path, staging: &Path, done: Vec<Done>) {
    let backup = staging.join(BACKUP);
    for step in done.into_iter().rev() {
        let _ = match step {
            Done::Gone(rel) => fs::create_dir(target.join(rel)),
            Done::Drop(rel) => fs::rename(backup.join(&rel), target.join(&rel)),
            Done::Put(rel, saved) => {
                let back = fs::rename(target.join(&rel), staging.join(&rel));
                if saved {
                    fs::rename(backup.join(&rel), target.join(&rel))
                } else {
                    back
                }
            }
            Done::Dir(rel) => fs::remove_dir(target.join(rel)),
        };
    }
}

/// Carries out to its end the plan a killed commit of `target` left, if
/// there is one (see the module's header), and removes it and its staging
/// tree. A plan that cannot be read was never complete, so the commit had
/// not happened: it goes, and its staging tree with it.
pub(super) fn recover(target: &Path) -> io::Result<Option<Repair>> {
    let plan_file = plan_path(target);
    let text = match fs::read_to_string(&plan_file) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(plan) = Plan::parse(&text) else {
        fs::remove_file(&plan_file)?;
        return Ok(None);
    };
    let staging = target.with_file_name(&plan.staging);
    for rel in &plan.dirs {
        fs::create_dir_all(target.join(rel))?;
    }
    for rel in &plan.puts {
        let from = staging.join(rel);
        if from.is_file() {
            fs::rename(from, target.join(rel))?;
        }
    }
    for rel in &plan.drops {
        match fs::remove_file(target.join(rel)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    for rel in &plan.gone {
        match fs::remove_dir_all(target.join(rel)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    fs::remove_file(&plan_file)?;
    match fs::remove_dir_all(&staging) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    Ok(Some(Repair::Completed(target.to_path_buf())))
}

#[cfg(test)]
mod tests;
