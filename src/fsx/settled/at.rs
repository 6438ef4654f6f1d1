//! Stats of files looked up from their folder rather than from the root.
//!
//! A build proves the files it keeps by their stats: 300,000 of them in
//! one folder at 100,000 entries, and as many in a release. Looked up by
//! full path, each `statx` walks every component of the path again
//! (`/dev/shm/ws/releases/2026.3/guides/…`: seven look-ups in the kernel's
//! dentry hash), which was most of the time of a stat. Here each thread
//! keeps the folder it looked in last open (`O_PATH`), and a file of the
//! same folder is looked up from there: one component.
//!
//! The folder is remembered for one [`super::Memo`] only (by its `owner`
//! id), and a memo is only used while its tree stays where it is, so an
//! open folder is never one that was since moved away or replaced. Off
//! Linux the path is looked up whole ([`Stat::of`]).

use super::Stat;
use std::path::Path;

/// The stat of the file at `path` as [`Stat::of`] gives it, looked up from
/// its folder when it is the one this thread looked in last for `owner`
/// (0: no owner, looked up whole).
#[cfg(target_os = "linux")]
pub fn stat(owner: u64, path: &Path) -> Option<Stat> {
    use rustix::fs::{AtFlags, FileType, StatxFlags};
    // (Split and compared as bytes: `Path`'s own parent, name and
    // comparison parse the path into components, for each of 300,000
    // files.)
    let Some((dir, name)) = split(path).filter(|_| owner != 0) else {
        return Stat::of(path);
    };
    in_folder(Slot::Stat, owner, dir, |fd| {
        let want = StatxFlags::TYPE | StatxFlags::SIZE | StatxFlags::MTIME | StatxFlags::INO;
        let s = rustix::fs::statx(fd, name, AtFlags::empty(), StatxFlags::BASIC_STATS).ok()?;
        if !StatxFlags::from_bits_retain(s.stx_mask).contains(want) {
            return Stat::of(path);
        }
        if FileType::from_raw_mode(s.stx_mode.into()) != FileType::RegularFile {
            return None;
        }
        // (As std reads a time before 1970: not at all.)
        let secs = u128::try_from(s.stx_mtime.tv_sec).ok()?;
        Some(Stat {
            len: s.stx_size,
            mtime: secs * 1_000_000_000 + u128::from(s.stx_mtime.tv_nsec),
            dev: rustix::fs::makedev(s.stx_dev_major, s.stx_dev_minor),
            ino: s.stx_ino,
        })
    })?
}

/// What a thread keeps a folder open for: a stat, and the two ends of a
/// copy ([`crate::fsx::copy_new_in`]), each its own, so that one use does
/// not close the folder of another.
#[cfg(target_os = "linux")]
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    Stat,
    From,
    To,
}

/// Calls `f` with the folder `dir` open (`O_PATH`), the one this thread
/// opened last in `slot` when that was `dir` for `owner`; none when `dir`
/// cannot be opened. Uses of different slots nest.
#[cfg(target_os = "linux")]
pub fn in_folder<R>(
    slot: Slot,
    owner: u64,
    dir: &Path,
    f: impl FnOnce(&std::os::fd::OwnedFd) -> R,
) -> Option<R> {
    use std::cell::RefCell;
    use std::os::fd::OwnedFd;
    use std::path::PathBuf;
    type Open = RefCell<Option<(u64, PathBuf, OwnedFd)>>;
    thread_local! {
        static LAST: [Open; 3] = const { [const { RefCell::new(None) }; 3] };
    }
    LAST.with(|last| {
        let mut last = last[slot as usize].borrow_mut();
        if !matches!(&*last, Some((o, d, _)) if *o == owner && d.as_os_str() == dir.as_os_str()) {
            *last = Some((owner, dir.to_path_buf(), open_folder(dir).ok()?));
        }
        let (_, _, fd) = last.as_ref()?;
        Some(f(fd))
    })
}

/// A path's folder and name, split at its last `/` as bytes (what
/// `Path::parent` and `Path::file_name` give for the plain paths a build
/// makes, without parsing it into components twice); none for any other
/// path (a root, a trailing `/`, a name `.` or `..`), which is linked by
/// its whole path.
#[cfg(target_os = "linux")]
pub fn split(path: &std::path::Path) -> Option<(&std::path::Path, &std::ffi::OsStr)> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    let at = bytes.iter().rposition(|&b| b == b'/')?;
    let (dir, name) = (&bytes[..at], &bytes[at + 1..]);
    if dir.is_empty() || dir.ends_with(b"/") || matches!(name, b"" | b"." | b"..") {
        return None;
    }
    Some((
        std::path::Path::new(std::ffi::OsStr::from_bytes(dir)),
        std::ffi::OsStr::from_bytes(name),
    ))
}

/// The folder `dir`, open to look files up from (`O_PATH`: neither read
/// nor written through).
#[cfg(target_os = "linux")]
pub fn open_folder(dir: &Path) -> std::io::Result<std::os::fd::OwnedFd> {
    use rustix::fs::{CWD, Mode, OFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(rustix::fs::openat(CWD, dir, flags, Mode::empty())?)
}

#[cfg(not(target_os = "linux"))]
pub fn stat(_owner: u64, path: &Path) -> Option<Stat> {
    Stat::of(path)
}

/// A new owner id: one per memo read, or tree being built.
pub fn owner() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_from_the_folder_is_the_stat_by_path_and_no_folder_outlives_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::write(a.join("x.html"), "x").unwrap();
        std::fs::write(a.join("y.html"), "yy").unwrap();
        let id = owner();
        for name in ["x.html", "y.html", "missing.html"] {
            let p = a.join(name);
            assert_eq!(stat(id, &p), Stat::of(&p), "{name}");
        }
        assert!(stat(id, &a.join("x.html")).is_some());
        // A folder is no file; a link to a file is looked through.
        std::fs::create_dir(a.join("sub")).unwrap();
        assert_eq!(stat(id, &a.join("sub")), None);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("x.html", a.join("link")).unwrap();
            assert_eq!(stat(id, &a.join("link")), Stat::of(&a.join("x.html")));
        }
        // A file replaced: another inode, seen from the open folder too.
        let before = stat(id, &a.join("x.html")).unwrap();
        std::fs::write(b.with_extension("tmp"), "z").unwrap();
        std::fs::rename(b.with_extension("tmp"), a.join("x.html")).unwrap();
        assert_ne!(stat(id, &a.join("x.html")), Some(before));
        assert_eq!(stat(id, &a.join("x.html")), Stat::of(&a.join("x.html")));
        // The folder moved away and another put in its place: a new owner
        // looks it up again and sees the new one.
        std::fs::rename(&a, &b).unwrap();
        std::fs::create_dir(&a).unwrap();
        std::fs::write(a.join("y.html"), "other").unwrap();
        let next = owner();
        assert_ne!(next, id);
        assert_eq!(stat(next, &a.join("y.html")), Stat::of(&a.join("y.html")));
        assert_eq!(stat(next, &a.join("y.html")).unwrap().size(), 5);
        assert_eq!(stat(0, &a.join("y.html")), Stat::of(&a.join("y.html")));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_path_splits_as_parent_and_file_name_do_or_not_at_all() {
        use std::path::Path;
        for p in [
            "/a/b/c.html",
            "a/b",
            "/x/y",
            "rel/guides/甲.md",
            "/a/.hidden",
        ] {
            let p = Path::new(p);
            let (dir, name) = split(p).unwrap();
            assert_eq!(
                (Some(dir), Some(name)),
                (p.parent(), p.file_name()),
                "{p:?}"
            );
        }
        for p in ["/", "/a", "a", "a/b/", "a/.", "a/..", "a//b", ""] {
            assert!(split(Path::new(p)).is_none(), "{p:?}");
        }
    }
}
