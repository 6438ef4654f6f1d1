//! The names in a folder, read a buffer of entries at a time.
//!
//! `std::fs::read_dir` makes two strings for each name it gives (the entry's
//! own and `file_name`'s copy) and shares the open folder with each entry:
//! for the 300,000 files of `dist/guides/`, walked by each steady build's
//! commit, and the 100,000 entry files every command's load walks, that was
//! most of what a walk cost beside the kernel's `getdents64`. On Linux the
//! entries are read into one buffer (`rustix::fs::RawDir`) and each name is
//! handed on where it lies; elsewhere `read_dir` is used.

use std::ffi::OsStr;
use std::io;
use std::path::Path;

/// Calls `each(name, is_folder)` for every name in the folder `dir` but `.`
/// and `..`, in the order the folder gives them. A link is not a folder
/// (it is not followed), as `DirEntry::file_type` tells it.
pub fn each(dir: &Path, each: &mut dyn FnMut(&OsStr, bool) -> io::Result<()>) -> io::Result<()> {
    imp::each(dir, each)
}

/// [`each`] of the folder open at `fd` (read from where it stands: a folder
/// read once).
#[cfg(target_os = "linux")]
pub fn each_in(
    fd: &std::os::fd::OwnedFd,
    each: &mut dyn FnMut(&OsStr, bool) -> io::Result<()>,
) -> io::Result<()> {
    imp::each_in(fd, each)
}

#[cfg(target_os = "linux")]
mod imp {
    use rustix::fs::{CWD, FileType, Mode, OFlags, RawDir};
    use std::ffi::OsStr;
    use std::io;
    use std::mem::MaybeUninit;
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    /// Room for a few hundred entries a read.
    const BUFFER: usize = 64 * 1024;

    pub fn each(
        dir: &Path,
        each: &mut dyn FnMut(&OsStr, bool) -> io::Result<()>,
    ) -> io::Result<()> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(CWD, dir, flags, Mode::empty())?;
        each_in(&fd, each)
    }

    pub fn each_in(
        fd: &OwnedFd,
        each: &mut dyn FnMut(&OsStr, bool) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut buf = vec![MaybeUninit::<u8>::uninit(); BUFFER];
        let mut entries = RawDir::new(fd, &mut buf);
        while let Some(entry) = entries.next() {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let is_dir = match entry.file_type() {
                FileType::Directory => true,
                // (A file system that does not say: asked of the file, not
                // following a link.)
                FileType::Unknown => {
                    let stat = rustix::fs::statat(fd, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)?;
                    FileType::from_raw_mode(stat.st_mode) == FileType::Directory
                }
                _ => false,
            };
            each(OsStr::from_bytes(name), is_dir)?;
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::ffi::OsStr;
    use std::io;
    use std::path::Path;

    pub fn each(
        dir: &Path,
        each: &mut dyn FnMut(&OsStr, bool) -> io::Result<()>,
    ) -> io::Result<()> {
        for e in std::fs::read_dir(dir)? {
            let e = e?;
            let is_dir = e.file_type()?.is_dir();
            each(&e.file_name(), is_dir)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_gives_the_names_read_dir_gives_and_which_are_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("子文件夹")).unwrap();
        std::fs::write(root.join("a.yaml"), "x").unwrap();
        std::fs::write(root.join(".hidden"), "x").unwrap();
        // More names than one read of the buffer holds.
        let many: Vec<String> = (0..3000).map(|i| format!("{i:0>200}")).collect();
        for n in &many {
            std::fs::write(root.join(n), "").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("子文件夹"), root.join("link")).unwrap();
        let mut ours = Vec::new();
        each(root, &mut |name, is_dir| {
            ours.push((name.as_encoded_bytes().to_vec(), is_dir));
            Ok(())
        })
        .unwrap();
        let mut theirs: Vec<(Vec<u8>, bool)> = std::fs::read_dir(root)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().as_encoded_bytes().to_vec();
                (name, e.file_type().unwrap().is_dir())
            })
            .collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
        assert!(ours.contains(&("子文件夹".as_bytes().to_vec(), true)));
        assert!(
            ours.contains(&(b"link".to_vec(), false)),
            "a link is no folder"
        );
        assert_eq!(ours.len(), many.len() + 3 + usize::from(cfg!(unix)));
        // A folder that is not there, or not a folder.
        assert!(each(&root.join("nothing"), &mut |_, _| Ok(())).is_err());
        assert!(each(&root.join("a.yaml"), &mut |_, _| Ok(())).is_err());
        // What the callback returns stops the walk.
        let mut seen = 0;
        let stopped = each(root, &mut |_, _| {
            seen += 1;
            Err(io::Error::other("enough"))
        });
        assert!(stopped.is_err() && seen == 1);
    }
}
