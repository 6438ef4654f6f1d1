//! Files of an exchange: written as a stream into a temporary file that is
//! renamed over the target only when complete (a killed export leaves the
//! previous file or none, never half of one), and read as numbered lines
//! with their byte offsets, a buffer at a time.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A file being written; [`AtomicFile::finish`] puts it in place.
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        Ok(AtomicFile {
            target: target.to_path_buf(),
            tmp,
            out: Some(out),
        })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.as_mut().expect("not finished").write_all(bytes)
    }

    /// Flushes, syncs and renames the file into place.
    pub fn finish(mut self) -> io::Result<()> {
        let out = self.out.take().expect("finished once");
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.tmp, &self.target)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// A line of a file: its number (1-based), where it starts, its text
/// without the line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: u32,
    pub offset: u64,
    pub text: String,
}

/// The lines of a file, in order; blank lines are skipped but counted.
pub struct Lines {
    reader: BufReader<File>,
    number: u32,
    offset: u64,
    buf: Vec<u8>,
}

/// A line that is not UTF-8 (or too long to be a record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotText {
    pub number: u32,
}

/// Longest line read as a record (a record is a few kilobytes).
pub const MAX_LINE: usize = 64 << 20;

impl Lines {
    pub fn open(path: &Path) -> io::Result<Lines> {
        Ok(Lines {
            reader: BufReader::with_capacity(1 << 20, File::open(path)?),
            number: 0,
            offset: 0,
            buf: Vec::new(),
        })
    }

    /// The next non-blank line; `Ok(None)` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<Result<Line, NotText>>> {
        loop {
            self.buf.clear();
            let n = (&mut self.reader)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut self.buf)?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            let offset = self.offset;
            self.offset += n as u64;
            if n > MAX_LINE {
                // The rest of an overlong line is passed over.
                if !self.buf.ends_with(b"\n") {
                    loop {
                        let avail = self.reader.fill_buf()?;
                        if avail.is_empty() {
                            break;
                        }
                        let (used, done) = match memchr::memchr(b'\n', avail) {
                            Some(i) => (i + 1, true),
                            None => (avail.len(), false),
                        };
                        self.offset += used as u64;
                        self.reader.consume(used);
                        if done {
                            break;
                        }
                    }
                }
                return Ok(Some(Err(NotText {
                    number: self.number,
                })));
            }
            let mut bytes: &[u8] = &self.buf;
            if self.number == 1 {
                bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            }
            while let Some(b) = bytes
                .strip_suffix(b"\n")
                .or_else(|| bytes.strip_suffix(b"\r"))
            {
                bytes = b;
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(match std::str::from_utf8(bytes) {
                Ok(t) => Ok(Line {
                    number: self.number,
                    offset,
                    text: t.to_string(),
                }),
                Err(_) => Err(NotText {
                    number: self.number,
                }),
            }));
        }
    }
}

/// Reads `len` bytes at `offset` of a file.
pub fn read_at(file: &mut File, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; len];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_numbers_and_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(
            &p,
            b"\xEF\xBB\xBF{\"a\":1}\r\n\n{\"b\":\"\xE4\xB8\x80\"}\n\xFF\n{}",
        )
        .unwrap();
        let mut lines = Lines::open(&p).unwrap();
        let l1 = lines.next_line().unwrap().unwrap().unwrap();
        assert_eq!(
            (l1.number, l1.offset, l1.text.as_str()),
            (1, 0, "{\"a\":1}")
        );
        let l3 = lines.next_line().unwrap().unwrap().unwrap();
        assert_eq!((l3.number, l3.text.as_str()), (3, "{\"b\":\"一\"}"));
        let mut f = File::open(&p).unwrap();
        let raw = read_at(&mut f, l3.offset, 11).unwrap();
        assert_eq!(std::str::from_utf8(&raw).unwrap(), "{\"b\":\"一\"}");
        assert_eq!(
            lines.next_line().unwrap().unwrap(),
            Err(NotText { number: 4 })
        );
        assert_eq!(lines.next_line().unwrap().unwrap().unwrap().text, "{}");
        assert!(lines.next_line().unwrap().is_none());
    }

    #[test]
    fn an_unfinished_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.jsonl");
        std::fs::write(&p, "old").unwrap();
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"new").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"new").unwrap();
        f.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
    }
}
