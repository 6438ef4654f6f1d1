//! The plans of a commit over an old tree ([`super::commit`]): made from
//! one walk of the old tree and a listing of the staged one, or — for a
//! staging tree that drops nothing — from the staged names alone.

use super::Plan;
use rustc_hash::FxHashSet as HashSet;
use std::fs;
use std::io;
use std::path::Path;

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
pub(super) fn list(dir: &Path) -> io::Result<Option<(Vec<String>, Vec<String>)>> {
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
pub(super) fn plan(
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
pub(super) fn plan_with(
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
    pub(super) fn of(
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
        let listed = crate::fsx::names::each(dir, &mut |name, is_dir| {
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

/// The plan of [`commit_puts`]: the staged files put, the staged folders
/// the old tree lacks made; none where the old tree has a file where a
/// folder is staged or a folder where a file is (walked as any commit).
pub(super) fn plan_puts(
    target: &Path,
    staging: &Path,
    kept: usize,
) -> io::Result<Option<(Plan, usize)>> {
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
    // (No old folder goes: every old file stays.)
    let none = HashSet::default();
    let plan = Plan::of(staging, puts, Vec::new(), (&dirs, &[], &none), &none);
    Ok(Some((plan, kept)))
}
