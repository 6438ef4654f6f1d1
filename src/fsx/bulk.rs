//! Files copied and trees removed by the hundred thousand.
//!
//! The first build after a release takes every guide the release stamped
//! (300,000 files, 3.4 GB at 100,000 entries) by copying it into the new
//! tree, and then removes the old tree whole. `std::fs::copy` asks the
//! kernel five times about each file beside copying it (the source's and
//! the copy's stats, the copy's permissions, a last read that finds the
//! end), and `std::fs::remove_dir_all` unlinks one file at a time, each
//! freeing its pages on the one thread. Here a copy is two opens, the
//! copy by the kernel (`copy_file_range`) and its end; and a tree's files
//! are unlinked on every thread: the kernel frees a file's pages after it
//! lets go of the folder, so those run side by side.

use std::fs;
use std::io;
use std::path::Path;

/// Copies the file `from` to `to`, a new file: one that already exists is
/// an error, so that nothing is ever written through a name that was
/// there (a hard link to a release). The copy has the permissions of a new
/// file, as a file written anew does. Answers the bytes copied.
pub fn copy_new(from: &Path, to: &Path) -> io::Result<u64> {
    imp::copy_new(from, to)
}

/// [`copy_new`], each end looked up from its folder when it is the one
/// this thread copied from, or into, last for `owner` (an id of
/// [`crate::fsx::settled::at::owner`], held by something during which the
/// folders stay where they are; 0: none, looked up whole) — one component
/// for the kernel to look up rather than each of a full path's.
pub fn copy_new_in(owner: u64, from: &Path, to: &Path) -> io::Result<u64> {
    #[cfg(target_os = "linux")]
    if let Some(copied) = imp::in_folders(owner, from, to, &mut imp::copy_at) {
        return copied;
    }
    copy_new(from, to)
}

/// Links `to` to the file `from` — each looked up from its folder as
/// [`copy_new_in`] does — or, where it cannot be linked (another file
/// system), copies it there as a new file; whether it was linked.
pub fn link_or_copy_in(owner: u64, from: &Path, to: &Path) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    let linked = imp::in_folders(owner, from, to, &mut |from_dir, from, to_dir, to| {
        use rustix::fs::AtFlags;
        Ok(rustix::fs::linkat(
            from_dir,
            from,
            to_dir,
            to,
            AtFlags::empty(),
        )?)
    });
    #[cfg(not(target_os = "linux"))]
    let linked = None;
    match linked.unwrap_or_else(|| fs::hard_link(from, to)) {
        Ok(()) => Ok(true),
        Err(_) => copy_new_in(owner, from, to).map(|_| false),
    }
}

/// Removes the folder `dir` and all it holds, its files on every thread;
/// a tree that is not there is removed already. Links are removed, never
/// followed (as `std::fs::remove_dir_all` does).
pub fn remove_tree(dir: &Path) -> io::Result<()> {
    match imp::remove_tree(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound && !dir.exists() => Ok(()),
        // (Whatever it could not do — a name it cannot read, a file
        // system that will not say — the standard library tries.)
        Err(_) => match fs::remove_dir_all(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            done => done,
        },
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use rayon::prelude::*;
    use rustix::fs::{AtFlags, CWD, Mode, OFlags};
    use std::ffi::{CStr, CString, OsStr};
    use std::fs;
    use std::io;
    use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    pub fn copy_new(from: &Path, to: &Path) -> io::Result<u64> {
        copy_at(CWD.as_fd(), from.as_os_str(), CWD.as_fd(), to.as_os_str())
    }

    /// `f` of the folders of `from` and `to`, open as this thread last
    /// opened them for `owner`, and the two names; none when there is no
    /// owner, or a path is not a plain folder and name, or a folder will not
    /// open (the caller goes by the whole paths then).
    pub fn in_folders<R>(
        owner: u64,
        from: &Path,
        to: &Path,
        f: &mut dyn FnMut(BorrowedFd<'_>, &OsStr, BorrowedFd<'_>, &OsStr) -> io::Result<R>,
    ) -> Option<io::Result<R>> {
        use crate::fsx::settled::at::{Slot, in_folder, split};
        let (Some((from_dir, from_name)), Some((to_dir, to_name))) = (split(from), split(to))
        else {
            return None;
        };
        if owner == 0 {
            return None;
        }
        in_folder(Slot::From, owner, from_dir, |src| {
            in_folder(Slot::To, owner, to_dir, |dst| {
                f(src.as_fd(), from_name, dst.as_fd(), to_name)
            })
        })
        .flatten()
    }

    /// Copies `from` in the folder `from_dir` to the new file `to` in
    /// `to_dir` (either a path from the current folder, with `CWD`).
    pub fn copy_at(
        from_dir: BorrowedFd<'_>,
        from: &OsStr,
        to_dir: BorrowedFd<'_>,
        to: &OsStr,
    ) -> io::Result<u64> {
        let read = OFlags::RDONLY | OFlags::CLOEXEC;
        let src = rustix::fs::openat(from_dir, from, read, Mode::empty())?;
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
        let dst = rustix::fs::openat(to_dir, to, flags, Mode::from_raw_mode(0o666))?;
        let mut copied = 0u64;
        loop {
            match rustix::fs::copy_file_range(&src, None, &dst, None, 1 << 30) {
                Ok(0) => return Ok(copied),
                Ok(n) => copied += n as u64,
                // (A file system or kernel that does not copy between
                // files: read and written, from where the copy got to.)
                Err(e) if copied == 0 && kernel_cannot(e) => {
                    let (mut src, mut dst) = (fs::File::from(src), fs::File::from(dst));
                    return io::copy(&mut src, &mut dst);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Whether `copy_file_range` failed for want of support rather than
    /// for the files.
    fn kernel_cannot(e: rustix::io::Errno) -> bool {
        use rustix::io::Errno;
        [
            Errno::XDEV,
            Errno::NOSYS,
            Errno::OPNOTSUPP,
            Errno::INVAL,
            Errno::PERM,
        ]
        .contains(&e)
    }

    pub fn remove_tree(dir: &Path) -> io::Result<()> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(CWD, dir, flags, Mode::empty())?;
        empty(&fd)?;
        drop(fd);
        fs::remove_dir(dir)
    }

    /// Removes all the folder open at `fd` holds: its files on every
    /// thread, then each folder in it, emptied the same way.
    fn empty(fd: &OwnedFd) -> io::Result<()> {
        let (mut files, mut dirs): (Vec<CString>, Vec<CString>) = (Vec::new(), Vec::new());
        crate::fsx::names::each_in(fd, &mut |name, is_dir| {
            let name = CString::new(name.as_bytes()).map_err(io::Error::other)?;
            let list = if is_dir { &mut dirs } else { &mut files };
            list.push(name);
            Ok(())
        })?;
        files.par_chunks(256).try_for_each(|names| {
            names
                .iter()
                .try_for_each(|name| unlink(fd, name, AtFlags::empty()))
        })?;
        dirs.par_iter().try_for_each(|name| {
            // (Opened from its folder and never through a link: a folder
            // swapped for a link meanwhile is not followed.)
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let inner = rustix::fs::openat(fd, name.as_c_str(), flags, Mode::empty())?;
            empty(&inner)?;
            unlink(fd, name, AtFlags::REMOVEDIR)
        })
    }

    /// Unlinks `name` in the folder open at `fd`; one gone already is not
    /// an error.
    fn unlink(fd: &impl AsFd, name: &CStr, flags: AtFlags) -> io::Result<()> {
        match rustix::fs::unlinkat(fd, name, flags) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::fs;
    use std::io;
    use std::path::Path;

    pub fn copy_new(from: &Path, to: &Path) -> io::Result<u64> {
        let mut src = fs::File::open(from)?;
        let mut dst = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(to)?;
        io::copy(&mut src, &mut dst)
    }

    pub fn remove_tree(dir: &Path) -> io::Result<()> {
        fs::remove_dir_all(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_a_new_file_with_the_same_bytes_and_never_one_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.html"), dir.path().join("b.html"));
        let bytes: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        fs::write(&a, &bytes).unwrap();
        assert_eq!(copy_new(&a, &b).unwrap(), bytes.len() as u64);
        assert_eq!(fs::read(&b).unwrap(), bytes);
        // An empty file copies as one.
        let (e, f) = (dir.path().join("e"), dir.path().join("f"));
        fs::write(&e, b"").unwrap();
        assert_eq!(copy_new(&e, &f).unwrap(), 0);
        assert_eq!(fs::read(&f).unwrap(), b"");
        // A name that is there — here a hard link to another file — is
        // neither written through nor replaced.
        let (kept, link) = (dir.path().join("kept"), dir.path().join("link"));
        fs::write(&kept, b"published").unwrap();
        fs::hard_link(&kept, &link).unwrap();
        let e = copy_new(&a, &link).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{e}");
        assert_eq!(fs::read(&kept).unwrap(), b"published");
        // A source that is not there names no copy.
        assert!(copy_new(&dir.path().join("missing"), &dir.path().join("m")).is_err());
        assert!(!dir.path().join("m").exists());
    }

    #[test]
    fn a_copy_from_open_folders_is_the_copy_by_path_and_no_folder_outlives_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        for d in [&a, &b] {
            fs::create_dir(d).unwrap();
        }
        for i in 0..20 {
            fs::write(a.join(format!("{i}.html")), format!("<p>{i}</p>")).unwrap();
        }
        let id = crate::fsx::settled::at::owner();
        for i in 0..20 {
            let name = format!("{i}.html");
            copy_new_in(id, &a.join(&name), &b.join(&name)).unwrap();
            assert_eq!(
                fs::read(b.join(&name)).unwrap(),
                fs::read(a.join(&name)).unwrap()
            );
        }
        let e = copy_new_in(id, &a.join("0.html"), &b.join("1.html")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{e}");
        assert_eq!(fs::read(b.join("1.html")).unwrap(), b"<p>1</p>");
        // The folder copied into moved away and another put in its place:
        // a new owner copies into the new one.
        fs::rename(&b, &c).unwrap();
        fs::create_dir(&b).unwrap();
        let next = crate::fsx::settled::at::owner();
        copy_new_in(next, &a.join("3.html"), &b.join("new.html")).unwrap();
        assert_eq!(fs::read(b.join("new.html")).unwrap(), b"<p>3</p>");
        assert!(!c.join("new.html").exists());
        assert_eq!(fs::read_dir(&b).unwrap().count(), 1);
        // No owner: by path.
        copy_new_in(0, &a.join("4.html"), &b.join("4.html")).unwrap();
        assert!(b.join("4.html").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_from_open_folders_is_the_same_file_and_a_name_there_stays() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for d in [&a, &b] {
            fs::create_dir(d).unwrap();
        }
        fs::write(a.join("x.html"), b"x").unwrap();
        fs::write(b.join("there.html"), b"there").unwrap();
        let id = crate::fsx::settled::at::owner();
        for owner in [id, 0] {
            let to = b.join(format!("x-{owner}.html"));
            assert!(link_or_copy_in(owner, &a.join("x.html"), &to).unwrap());
            let ino = |p: &Path| fs::metadata(p).unwrap().ino();
            assert_eq!(ino(&to), ino(&a.join("x.html")), "a link");
            // A name already there: neither linked over nor written through.
            let e = link_or_copy_in(owner, &a.join("x.html"), &b.join("there.html")).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{e}");
            assert_eq!(fs::read(b.join("there.html")).unwrap(), b"there");
        }
    }

    #[test]
    fn a_tree_is_removed_whole_and_what_a_link_points_to_stays() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("old");
        let outside = dir.path().join("outside");
        fs::create_dir_all(tree.join("guides")).unwrap();
        fs::create_dir_all(tree.join("site/data/deep")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("keep.txt"), b"mine").unwrap();
        // More files than one chunk of a thread, and than one read of names.
        for i in 0..3000 {
            fs::write(
                tree.join(format!("guides/{i:05}-{}.html", "x".repeat(40))),
                b"g",
            )
            .unwrap();
        }
        fs::write(tree.join("site/data/deep/a.json"), b"{}").unwrap();
        fs::write(tree.join("catalog.json"), b"{}").unwrap();
        #[cfg(unix)]
        {
            // Links to a folder and to a file outside: removed, not followed.
            std::os::unix::fs::symlink(&outside, tree.join("site/to-outside")).unwrap();
            std::os::unix::fs::symlink(outside.join("keep.txt"), tree.join("keep-link")).unwrap();
        }
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(fs::read(outside.join("keep.txt")).unwrap(), b"mine");
        // Gone already: nothing to do.
        remove_tree(&tree).unwrap();
        // A file is not a tree.
        let file = dir.path().join("file");
        fs::write(&file, b"f").unwrap();
        assert!(remove_tree(&file).is_err());
        assert!(file.exists());
    }
}
