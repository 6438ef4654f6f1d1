//! The large files yima keeps for itself and reads whole — the entry cache
//! (359 MB at 100,000 entries), the codes beside it, the build caches and
//! stat memos (50 MB each) — read by mapping them rather than copying them
//! into fresh memory.
//!
//! Read into a buffer, such a file costs its size in zeroed pages and a
//! copy (0.11–0.15 s for the entry cache, in every build and release);
//! mapped, its pages are the page cache's own (mapped at once, which cost
//! 0.01–0.03 s). Only yima's own hidden files are mapped, never an output
//! someone may edit: yima never rewrites them in place — each is replaced
//! by a rename ([`super::write_atomic`]), which leaves the mapped file as
//! it was, or has lines appended to its end ([`super::append_lines`]),
//! which leaves the bytes mapped as they were — and the workspace lock
//! keeps other yima runs out. (Such a file cut
//! short under the mapping by another program would fault the run.) Off
//! Unix — where a mapped file cannot be replaced — and for small or special
//! files, the bytes are read.

use std::io;
use std::ops::Deref;
use std::path::Path;

/// A file's bytes, mapped or read.
#[derive(Default)]
pub struct Bytes(Inner);

#[derive(Default)]
enum Inner {
    #[default]
    Empty,
    Read(Vec<u8>),
    #[cfg(unix)]
    Mapped(memmap2::Mmap),
}

/// Files smaller than this are read: a mapping costs more than a copy.
#[cfg_attr(not(unix), allow(dead_code))]
const MAP_FROM: u64 = 1 << 20;

impl Bytes {
    /// The bytes of the regular file at `path`.
    pub fn read(path: &Path) -> io::Result<Bytes> {
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        #[cfg(unix)]
        if meta.is_file() && meta.len() >= MAP_FROM {
            // SAFETY: the file is one of yima's own, replaced only by
            // renaming another over it or added to at its end (the
            // module's header), so the bytes mapped do not change while
            // they are mapped.
            #[allow(unsafe_code)]
            let map = unsafe { memmap2::MmapOptions::new().populate().map(&file)? };
            return Ok(Bytes(Inner::Mapped(map)));
        }
        if !meta.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        io::Read::read_to_end(&mut (&file), &mut bytes)?;
        Ok(Bytes(Inner::Read(bytes)))
    }
}

impl From<String> for Bytes {
    fn from(text: String) -> Bytes {
        Bytes(Inner::Read(text.into_bytes()))
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Bytes {
        Bytes(Inner::Read(bytes))
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            Inner::Empty => &[],
            Inner::Read(v) => v,
            #[cfg(unix)]
            Inner::Mapped(m) => m,
        }
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_the_same_mapped_or_not_and_a_replaced_one_stays_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        std::fs::write(&small, b"abc").unwrap();
        assert_eq!(&*Bytes::read(&small).unwrap(), b"abc");
        let big = dir.path().join("big");
        let text: Vec<u8> = (0..(MAP_FROM as usize + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&big, &text).unwrap();
        let mapped = Bytes::read(&big).unwrap();
        assert!(*mapped == *text);
        // Replaced as yima replaces its files: the bytes at hand stay.
        super::super::write_atomic(&big, b"new").unwrap();
        assert!(*mapped == *text);
        assert_eq!(&*Bytes::read(&big).unwrap(), b"new");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        assert!(Bytes::read(&empty).unwrap().is_empty());
        assert!(Bytes::read(&dir.path().join("missing")).is_err());
        assert!(Bytes::read(dir.path()).is_err(), "a folder");
        assert!(Bytes::default().is_empty());
    }
}
