//! Writing files so that nothing is ever lost or half-written: single files
//! go through a temp file and a rename; whole trees (items/, dist/) are built
//! beside the old one and swapped in; a workspace lock keeps two yima
//! processes from writing at once.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: a temp file in the same folder,
/// flushed to disk, then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A tree being built beside `target`, swapped in by [`Staged::commit`].
/// Dropped without commit, it is removed and `target` is untouched.
pub struct Staged {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl Staged {
    /// Starts a new tree for `target` (which may not exist yet). Leftovers of
    /// an earlier run that was killed are cleaned up first.
    pub fn new(target: &Path) -> io::Result<Staged> {
        recover(target)?;
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
    /// repaired by the next [`recover`].
    pub fn commit(mut self) -> io::Result<()> {
        let old = sibling(&self.target, "old");
        if old.exists() {
            fs::remove_dir_all(&old)?;
        }
        let had_target = self.target.exists();
        if had_target {
            fs::rename(&self.target, &old)?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_target {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e);
        }
        self.committed = true;
        if had_target {
            fs::remove_dir_all(&old)?;
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.yima-{what}"))
}

/// Repairs what a killed swap left: if the target is gone but its `.old`
/// copy is there, the old tree comes back; a stale staging tree is removed.
pub fn recover(target: &Path) -> io::Result<()> {
    let old = sibling(target, "old");
    if old.exists() {
        if target.exists() {
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&old, target)?;
        }
    }
    // Staging trees of processes that are gone (killed mid-run).
    let prefix = format!(
        ".{}.yima-new-",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    if let Some(parent) = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .or(Some(Path::new(".")))
        && let Ok(rd) = fs::read_dir(parent)
    {
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
    Ok(())
}

/// Whether a process is running (Linux: /proc; elsewhere assume it is, so
/// nothing of a live run is ever removed).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Copies a tree into a staging folder, hard-linking files where the file
/// system allows (they are never modified in place, only replaced).
pub fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    if !from.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&dst)?;
            link_tree(&src, &dst)?;
        } else if fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// An exclusive lock on a workspace, held while it is written.
pub struct WorkspaceLock {
    _file: File,
}

/// The workspace is locked by another process.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another yima process holds the lock.
    #[error("another yima process is writing this workspace ({0})")]
    Busy(PathBuf),
    /// The lock file cannot be created.
    #[error("cannot create lock file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl WorkspaceLock {
    /// Takes the lock of the workspace at `root`, or fails at once when
    /// another process has it. The OS releases it if the process dies.
    pub fn acquire(root: &Path) -> Result<WorkspaceLock, LockError> {
        let path = root.join(".yima.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LockError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(WorkspaceLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(LockError::Busy(path)),
            Err(fs::TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_tree_replaces_or_leaves_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("items");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("a.yaml"), "old").unwrap();

        // Dropped without commit: nothing changes.
        {
            let s = Staged::new(&target).unwrap();
            fs::write(s.path().join("a.yaml"), "new").unwrap();
        }
        assert_eq!(fs::read_to_string(target.join("a.yaml")).unwrap(), "old");

        let s = Staged::new(&target).unwrap();
        link_tree(&target, s.path()).unwrap();
        write_atomic(&s.path().join("b.yaml"), b"b").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.yaml")).unwrap(), "old");
        assert_eq!(fs::read_to_string(target.join("b.yaml")).unwrap(), "b");
        assert!(!sibling(&target, "old").exists());
    }

    #[test]
    fn recover_restores_after_a_kill_between_renames() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("items");
        let old = sibling(&target, "old");
        fs::create_dir_all(&old).unwrap();
        fs::write(old.join("a.yaml"), "old").unwrap();
        recover(&target).unwrap();
        assert_eq!(fs::read_to_string(target.join("a.yaml")).unwrap(), "old");
    }

    #[test]
    fn second_lock_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = WorkspaceLock::acquire(dir.path()).unwrap();
        assert!(matches!(
            WorkspaceLock::acquire(dir.path()),
            Err(LockError::Busy(_))
        ));
    }
}
