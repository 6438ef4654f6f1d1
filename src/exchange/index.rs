//! Where each record's child rows are in a child table (extend, materials,
//! fee items, questions): one pass over the file notes, for each run of
//! lines with one `task_code`, its bytes and first line — 24 bytes a run,
//! not the rows. A record's children are then read back by position, the
//! runs of a batch of records coalesced into few reads: in a file sorted
//! by `task_code` (as yima writes them) that is one read a batch.

use super::jsonl::{quick_task_code, task_code_of};
use rustc_hash::FxHasher;
use std::fs::File;
use std::hash::Hasher;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

/// A run of consecutive lines of one `task_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub len: u32,
    /// The number of its first line.
    pub line: u32,
}

/// The runs of a child table by the hash of their `task_code`.
#[derive(Debug)]
pub struct ChildIndex {
    pub path: PathBuf,
    /// (hash, run), sorted by hash then offset.
    runs: Vec<(u64, Span)>,
    /// Lines with no `task_code` that could be found, to report.
    pub unkeyed: Vec<u32>,
}

/// The hash a `task_code` is found by. Two codes with one hash share a
/// slot: the rows read back are checked against the code.
pub fn key(code: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(code);
    h.finish()
}

impl ChildIndex {
    /// Reads `path` once and notes its runs: the bytes are scanned for line
    /// breaks and each line's `task_code`, without copying or decoding the
    /// lines (they are read again, decoded, when their record is).
    pub fn build(path: &Path) -> io::Result<ChildIndex> {
        let mut runs: Vec<(u64, Span)> = Vec::new();
        let mut unkeyed = Vec::new();
        let mut note = |line: &[u8], offset: u64, number: u32| {
            let body = line.strip_suffix(b"\r").unwrap_or(line);
            if body.iter().all(u8::is_ascii_whitespace) {
                return;
            }
            let hash = match quick_task_code(body) {
                Some(code) => key(code),
                None => match std::str::from_utf8(body).ok().and_then(task_code_of) {
                    Some(code) => key(code.as_bytes()),
                    None => {
                        unkeyed.push(number);
                        return;
                    }
                },
            };
            let len = line.len() as u64 + 1;
            if let Some((h, last)) = runs.last_mut()
                && *h == hash
                && last.offset + u64::from(last.len) == offset
                && u64::from(last.len) + len < u64::from(u32::MAX)
            {
                last.len += len as u32;
                return;
            }
            runs.push((
                hash,
                Span {
                    offset,
                    len: len as u32,
                    line: number,
                },
            ));
        };
        let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
        let (mut offset, mut number) = (0u64, 0u32);
        // A line that runs past the end of the buffer is gathered here.
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let n = buf.len();
            let mut start = 0;
            while let Some(i) = memchr::memchr(b'\n', &buf[start..]) {
                let end = start + i;
                number += 1;
                if pending.is_empty() {
                    note(&buf[start..end], offset, number);
                    offset += (end - start) as u64 + 1;
                } else {
                    pending.extend_from_slice(&buf[start..end]);
                    note(&pending, offset, number);
                    offset += pending.len() as u64 + 1;
                    pending.clear();
                }
                start = end + 1;
            }
            if pending.len() + (n - start) > super::files::MAX_LINE {
                // An overlong line is no record; its runs end here.
                pending.clear();
            } else {
                pending.extend_from_slice(&buf[start..]);
            }
            reader.consume(n);
        }
        if !pending.is_empty() {
            number += 1;
            // (The last line has no break: its run is one byte short.)
            note(&pending, offset, number);
            if let Some((_, last)) = runs.last_mut()
                && last.line == number
            {
                last.len -= 1;
            }
        }
        runs.sort_by_key(|(h, s)| (*h, s.offset));
        Ok(ChildIndex {
            path: path.to_path_buf(),
            runs,
            unkeyed,
        })
    }

    /// An index of no file (a table the exchange does not have).
    pub fn empty() -> ChildIndex {
        ChildIndex {
            path: PathBuf::new(),
            runs: Vec::new(),
            unkeyed: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The runs of a code, by their place in the index (for marking them
    /// used) and span.
    pub fn runs_of(&self, code: &str) -> impl Iterator<Item = (usize, Span)> + '_ {
        let h = key(code.as_bytes());
        let start = self.runs.partition_point(|(k, _)| *k < h);
        self.runs[start..]
            .iter()
            .take_while(move |(k, _)| *k == h)
            .enumerate()
            .map(move |(i, (_, s))| (start + i, *s))
    }

    /// Every run, by place.
    pub fn runs(&self) -> impl Iterator<Item = (usize, Span)> + '_ {
        self.runs.iter().map(|(_, s)| *s).enumerate()
    }

    pub fn len(&self) -> usize {
        self.runs.len()
    }
}

/// The lines of a run: (number, text), or the number of a line that is not
/// UTF-8.
pub type RunLines = Vec<Result<(u32, String), u32>>;

/// Reads the lines of many runs of one file: runs close together are read
/// at once. Gives, per run asked for (in the order asked), its lines with
/// their numbers; a line that is not UTF-8 comes as `Err(number)`.
pub fn read_runs(path: &Path, spans: &[Span]) -> io::Result<Vec<RunLines>> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| spans[i].offset);
    let mut out: Vec<RunLines> = vec![Vec::new(); spans.len()];
    if spans.is_empty() {
        return Ok(out);
    }
    let mut file = File::open(path)?;
    /// Runs this close are read together.
    const GAP: u64 = 64 << 10;
    let mut i = 0;
    while i < order.len() {
        let first = spans[order[i]];
        let mut end = first.offset + u64::from(first.len);
        let mut j = i + 1;
        while j < order.len() && spans[order[j]].offset <= end + GAP {
            end = end.max(spans[order[j]].offset + u64::from(spans[order[j]].len));
            j += 1;
        }
        let bytes = super::files::read_at(&mut file, first.offset, (end - first.offset) as usize)?;
        for &k in &order[i..j] {
            let s = spans[k];
            let from = (s.offset - first.offset) as usize;
            let chunk = &bytes[from..from + s.len as usize];
            out[k] = chunk
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .enumerate()
                .map(|(n, l)| {
                    let number = s.line + n as u32;
                    let l = l.strip_suffix(b"\r").unwrap_or(l);
                    match std::str::from_utf8(l) {
                        Ok(t) => Ok((number, t.to_string())),
                        Err(_) => Err(number),
                    }
                })
                .collect();
        }
        i = j;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_found_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.jsonl");
        let text = "{\"task_code\":\"A\",\"n\":1}\n{\"task_code\":\"A\",\"n\":2}\n\n{\"task_code\":\"B\",\"n\":3}\n{\"n\":4}\n{\"task_code\":\"A\",\"n\":5}";
        std::fs::write(&p, text).unwrap();
        let idx = ChildIndex::build(&p).unwrap();
        assert_eq!(idx.unkeyed, [5]);
        let a: Vec<Span> = idx.runs_of("A").map(|(_, s)| s).collect();
        assert_eq!(a.len(), 2, "{a:?}");
        assert_eq!((a[0].line, a[1].line), (1, 6));
        let b: Vec<Span> = idx.runs_of("B").map(|(_, s)| s).collect();
        let read = read_runs(&p, &[a[1], b[0], a[0]]).unwrap();
        let lines = |r: &Vec<Result<(u32, String), u32>>| -> Vec<u32> {
            r.iter().map(|l| l.as_ref().unwrap().0).collect()
        };
        assert_eq!(lines(&read[0]), [6]);
        assert_eq!(lines(&read[1]), [4]);
        assert_eq!(lines(&read[2]), [1, 2]);
        assert!(read[2][1].as_ref().unwrap().1.ends_with("\"n\":2}"));
        assert_eq!(idx.runs_of("C").count(), 0);
    }
}
