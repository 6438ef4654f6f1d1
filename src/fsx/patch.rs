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

use super::{Leftover, Repair, fault, sibling, write_atomic};
use rustc_hash::FxHashSet as HashSet;
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

/// A name as a plan can hold it: UTF-8, with no tab or line break; none
/// otherwise (such a tree is swapped whole).
fn plain_name(name: &std::ffi::OsStr) -> Option<&str> {
    name.to_str().filter(|n| !n.contains(['\t', '\n', '\r']))
}

/// Visits every file and folder under `dir` (`visit(rel, is_folder)`,
/// relative, with `/`, a folder before what it holds); false when a name is
/// not UTF-8 or holds a tab or line break (such a tree is swapped whole).
fn visit(dir: &Path, visit: &mut dyn FnMut(&str, bool)) -> io::Result<bool> {
    fn walk(dir: &Path, rel: &mut String, visit: &mut dyn FnMut(&str, bool)) -> io::Result<bool> {
        let at = rel.len();
        for e in fs::read_dir(dir)? {
            let e = e?;
            let name = e.file_name();
            let Some(name) = plain_name(&name) else {
                return Ok(false);
            };
            rel.truncate(at);
            rel.push_str(name);
            if e.file_type()?.is_dir() {
                visit(rel, true);
                rel.push('/');
                if !walk(&e.path(), rel, visit)? {
                    return Ok(false);
                }
            } else {
                visit(rel, false);
            }
        }
        rel.truncate(at);
        Ok(true)
    }
    walk(dir, &mut String::new(), visit)
}

/// The files and folders under `dir`, relative, with `/`; none where
/// [`visit`] gives false.
fn list(dir: &Path) -> io::Result<Option<(Vec<String>, Vec<String>)>> {
    let (mut files, mut dirs) = (Vec::new(), Vec::new());
    let whole = visit(dir, &mut |rel, folder| {
        if folder { &mut dirs } else { &mut files }.push(rel.to_string());
    })?;
    Ok(whole.then_some((files, dirs)))
}

/// The plan that makes `target` the staged tree plus the files of the old
/// tree that `keep` keeps in place, and how many those are; none when the
/// trees cannot be listed by name (swap them whole).
#[cfg(test)]
fn plan(
    target: &Path,
    staging: &Path,
    keep: &(dyn Fn(&str) -> bool + Sync),
) -> io::Result<Option<(Plan, usize)>> {
    plan_with(target, staging, keep, 0)
}

/// [`plan`], knowing that the staging tree holds at least `staged` files:
/// when the old tree holds no more, moving them in cannot cost less than
/// a swap, and the staging tree (a first ingest's million files) is not
/// listed at all.
fn plan_with(
    target: &Path,
    staging: &Path,
    keep: &(dyn Fn(&str) -> bool + Sync),
    staged: usize,
) -> io::Result<Option<(Plan, usize)>> {
    let (new, old) = if staged == 0 {
        rayon::join(|| list(staging), || Old::walk(target, keep))
    } else {
        let old = Old::walk(target, keep)?;
        if old.as_ref().is_none_or(|old| old.files <= staged) {
            return Ok(None);
        }
        (list(staging), Ok(old))
    };
    let (Some((puts, new_dirs)), Some(old)) = (new?, old?) else {
        return Ok(None);
    };
    let put_set: HashSet<&str> = puts.iter().map(String::as_str).collect();
    // A folder where the old tree has a file, or a file where it has a
    // folder (an old tree someone rearranged by hand): swapped whole.
    let old_dir_set: HashSet<&str> = old.dirs.iter().map(String::as_str).collect();
    let is_old_file = |rel: &str| {
        !old_dir_set.contains(rel)
            && fs::symlink_metadata(target.join(rel)).is_ok_and(|m| !m.is_dir())
    };
    if new_dirs.iter().any(|d| is_old_file(d))
        || puts.iter().any(|f| old_dir_set.contains(f.as_str()))
    {
        return Ok(None);
    }
    // An old file the staged tree replaces is neither kept nor dropped.
    let replaced_kept = puts.iter().filter(|f| keep(f) && is_old_file(f)).count();
    let kept = old.kept - replaced_kept;
    let drops: Vec<String> = (old.unkept.into_iter())
        .filter(|f| !put_set.contains(f.as_str()))
        .collect();
    // The new tree's folders: the staged ones and those holding kept files
    // (a replaced file's folders are staged ones).
    let mut wanted: HashSet<&str> = new_dirs.iter().map(String::as_str).collect();
    wanted.extend(old.holding_kept.iter().map(String::as_str));
    let plan = Plan::of(
        staging,
        puts,
        drops,
        (&new_dirs, &old.dirs, &old_dir_set),
        &wanted,
    );
    Ok(Some((plan, kept)))
}

impl Plan {
    /// The plan of `puts` and `drops` from the staging tree `staging`: the
    /// staged folders the old tree lacks (parents first; `old_dir_set` the
    /// old folders as a set) are made, the old folders not `wanted` go
    /// (deepest first).
    fn of(
        staging: &Path,
        puts: Vec<String>,
        drops: Vec<String>,
        (new_dirs, old_dirs, old_dir_set): (&[String], &[String], &HashSet<&str>),
        wanted: &HashSet<&str>,
    ) -> Plan {
        let mut dirs: Vec<String> = (new_dirs.iter())
            .filter(|d| !old_dir_set.contains(d.as_str()))
            .cloned()
            .collect();
        dirs.sort_by_key(|d| d.matches('/').count());
        let mut gone: Vec<String> = (old_dirs.iter())
            .filter(|d| !wanted.contains(d.as_str()))
            .cloned()
            .collect();
        gone.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
        let staging = staging.file_name().and_then(|n| n.to_str());
        Plan {
            staging: staging.unwrap_or_default().to_string(),
            dirs,
            puts,
            drops,
            gone,
        }
    }
}

/// The old tree as a plan needs it, found in one walk without a path kept
/// for each of its files (300,000 in a steady build, nearly all kept).
#[derive(Debug, Default)]
struct Old {
    /// How many files it has.
    files: usize,
    /// How many of them `keep` keeps.
    kept: usize,
    /// The others, in the order found.
    unkept: Vec<String>,
    /// Its folders, in the order found.
    dirs: Vec<String>,
    /// The folders holding a kept file, at any depth.
    holding_kept: HashSet<String>,
    /// The folder of the kept file looked at last (a folder's files mostly
    /// come one after another: its folders are noted again only when the
    /// folder changes).
    noted: String,
}

/// Why a walk gave no [`Old`]: an error, or a name [`visit`] refuses.
enum Unwalked {
    Io(io::Error),
    Refused,
}

impl From<io::Error> for Unwalked {
    fn from(e: io::Error) -> Unwalked {
        Unwalked::Io(e)
    }
}

impl Old {
    /// Walks `dir` as [`list`] does (none where it gives none), asking
    /// `keep` of each file: the names of a folder are read in order, then
    /// looked at on every thread (the 300,000 guides of one folder, the
    /// thousands of agencies' folders of `items/`), the parts joined in the
    /// order found.
    fn walk(dir: &Path, keep: &(dyn Fn(&str) -> bool + Sync)) -> io::Result<Option<Old>> {
        match Old::walk_in(dir, "", keep) {
            Ok(old) => Ok(Some(old)),
            Err(Unwalked::Refused) => Ok(None),
            Err(Unwalked::Io(e)) => Err(e),
        }
    }

    /// [`Old::walk`] of the folder `dir`, which is `rel` (empty, or ending
    /// in `/`) inside the tree.
    fn walk_in(
        dir: &Path,
        rel: &str,
        keep: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Old, Unwalked> {
        use rayon::prelude::*;
        // (The paths joined by hand into one text, each a range of it: a
        // string each, or `format!`, cost several times as much for each of
        // the 300,000 names of a build's tree.)
        let mut text = String::new();
        let mut names = Vec::new();
        let mut refused = false;
        let listed = super::names::each(dir, &mut |name, is_dir| {
            let Some(name) = plain_name(name) else {
                refused = true;
                return Err(io::Error::other("refused"));
            };
            let start = text.len();
            text.push_str(rel);
            text.push_str(name);
            names.push((start..text.len(), is_dir));
            Ok(())
        });
        if refused {
            return Err(Unwalked::Refused);
        }
        listed?;
        names
            .par_iter()
            .with_min_len(64)
            .try_fold(Old::default, |mut old, (at, is_dir)| {
                let path = &text[at.clone()];
                if *is_dir {
                    old.dirs.push(path.to_string());
                    let inside =
                        Old::walk_in(&dir.join(&path[rel.len()..]), &format!("{path}/"), keep)?;
                    return Ok(old.and(inside));
                }
                old.file(path, keep);
                Ok(old)
            })
            .try_reduce(Old::default, |a, b| Ok(a.and(b)))
    }

    /// Counts the file `path`, kept or not.
    fn file(&mut self, path: &str, keep: &dyn Fn(&str) -> bool) {
        self.files += 1;
        if !keep(path) {
            self.unkept.push(path.to_string());
            return;
        }
        self.kept += 1;
        let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
        if parent != self.noted {
            self.noted = parent.to_string();
            // This folder and those above it, once each.
            let mut folder = parent;
            while !folder.is_empty() && self.holding_kept.insert(folder.to_string()) {
                folder = folder.rsplit_once('/').map_or("", |(parent, _)| parent);
            }
        }
    }

    /// This part of a walk followed by `next`.
    fn and(mut self, next: Old) -> Old {
        self.files += next.files;
        self.kept += next.kept;
        self.unkept.extend(next.unkept);
        self.dirs.extend(next.dirs);
        if self.holding_kept.is_empty() {
            self.holding_kept = next.holding_kept;
        } else {
            self.holding_kept.extend(next.holding_kept);
        }
        self.noted = next.noted;
        self
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

/// The plan of [`commit_puts`]: the staged files put, the staged folders
/// the old tree lacks made; none where the old tree has a file where a
/// folder is staged or a folder where a file is (walked as any commit).
fn plan_puts(target: &Path, staging: &Path, kept: usize) -> io::Result<Option<(Plan, usize)>> {
    let Some((puts, new_dirs)) = list(staging)? else {
        return Ok(None);
    };
    let kind = |rel: &str| match fs::symlink_metadata(target.join(rel)) {
        Ok(m) => Ok(Some(m.is_dir())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    };
    let mut dirs = Vec::new();
    for d in new_dirs {
        match kind(&d)? {
            Some(true) => {}
            Some(false) => return Ok(None),
            None => dirs.push(d),
        }
    }
    for f in &puts {
        if kind(f)? == Some(true) {
            return Ok(None);
        }
    }
    dirs.sort_by_key(|d| d.matches('/').count());
    let staging = staging.file_name().and_then(|n| n.to_str());
    let plan = Plan {
        staging: staging.unwrap_or_default().to_string(),
        dirs,
        puts,
        ..Plan::default()
    };
    Ok(Some((plan, kept)))
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
