//! Deflated pieces of the catalog workbooks' sheets, kept from one build for
//! the next (SPEC §10). A sheet of `catalog.xlsx` holds every entry; its XML
//! is deflated as pieces of a few hundred rows, each on its own (no
//! back-reference reaches into another piece, and each ends on a byte
//! boundary), so the pieces joined are one deflate stream and a piece whose
//! rows did not change is taken as it was instead of being written and
//! deflated again. A build keeps the pieces it used in its output folder
//! (`dist/.yima.pieces`, see docs/formats.md):
//!
//! ```text
//! yima pieces 1
//! key<TAB>crc32<TAB>length<TAB>deflated length<TAB>sha256<LF><deflated bytes>
//! ```
//!
//! A piece is used only when its digest (of the key, CRC, length and bytes)
//! holds; a damaged or missing file costs only the time to deflate.

use crate::publish::spans::Run;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The file's name, in the root of the output folder.
pub const FILE: &str = ".yima.pieces";

const HEADER: &str = "yima pieces 1";

/// The deflate level of every piece (zlib's default, as the rest of a
/// workbook is packed).
const LEVEL: u32 = 6;

/// Part of a deflate stream: `len` bytes whose CRC-32 is `crc`, deflated to
/// `data` (deflated here, or the bytes of the mapped file an earlier build
/// kept it in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub crc: u32,
    pub len: u64,
    pub data: Run,
}

impl Piece {
    /// `raw` deflated on its own, ending on a byte boundary in a block that
    /// is not the last: what may follow is another piece.
    pub fn part(raw: &[u8]) -> Piece {
        Piece::deflate(raw, flate2::FlushCompress::Sync)
    }

    /// `raw` deflated on its own as the end of the stream.
    pub fn last(raw: &[u8]) -> Piece {
        Piece::deflate(raw, flate2::FlushCompress::Finish)
    }

    fn deflate(raw: &[u8], flush: flate2::FlushCompress) -> Piece {
        let mut c = flate2::Compress::new(flate2::Compression::new(LEVEL), false);
        let mut data = Vec::with_capacity(raw.len() / 4 + 64);
        loop {
            if data.len() == data.capacity() {
                data.reserve(data.capacity().max(4096));
            }
            let fed = c.total_in() as usize;
            let status = c
                .compress_vec(&raw[fed..], &mut data, flush)
                .expect("deflating to memory cannot fail");
            let done = match flush {
                flate2::FlushCompress::Finish => status == flate2::Status::StreamEnd,
                // Flushed whole when the output did not fill the room given.
                _ => c.total_in() as usize == raw.len() && data.len() < data.capacity(),
            };
            if done {
                break;
            }
        }
        Piece {
            crc: crc32fast::hash(raw),
            len: raw.len() as u64,
            data: data.into(),
        }
    }

    fn digest(&self, key: &str) -> String {
        let mut h = Sha256::new();
        h.update(format!("{key}\0{:08x}\0{}\0", self.crc, self.len).as_bytes());
        h.update(&self.data[..]);
        crate::fsx::hex(&h.finalize())
    }
}

/// The CRC-32 and length of pieces joined.
#[derive(Debug, Clone, Default)]
pub struct Joined {
    crc: crc32fast::Hasher,
    len: u64,
}

impl Joined {
    pub fn add(&mut self, p: &Piece) {
        self.crc
            .combine(&crc32fast::Hasher::new_with_initial_len(p.crc, p.len));
        self.len += p.len;
    }

    /// The CRC-32 and length of everything added.
    pub fn finish(self) -> (u32, u64) {
        (self.crc.finalize(), self.len)
    }
}

/// The pieces an earlier build kept, and those this one uses.
#[derive(Debug, Default)]
pub struct Pieces {
    /// The output folders whose [`FILE`] may serve, first found first.
    roots: Vec<PathBuf>,
    old: OnceLock<HashMap<String, Arc<Piece>>>,
    used: Mutex<Vec<(String, Arc<Piece>)>>,
    /// How many were deflated rather than kept.
    made: std::sync::atomic::AtomicUsize,
}

impl Pieces {
    /// The pieces kept in the output folders `roots` (read when first asked).
    pub fn new(roots: Vec<PathBuf>) -> Pieces {
        Pieces {
            roots,
            ..Pieces::default()
        }
    }

    /// The piece of `key`: kept by an earlier build, or `make` (the raw
    /// text) deflated. Either way it is noted for [`Pieces::write`].
    pub fn get(&self, key: &str, make: impl FnOnce() -> Vec<u8>) -> Arc<Piece> {
        let piece = match self.old().get(key) {
            Some(p) => p.clone(),
            None => {
                self.made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Arc::new(Piece::part(&make()))
            }
        };
        self.used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((key.to_string(), piece.clone()));
        piece
    }

    /// How many pieces were deflated rather than kept.
    pub fn made(&self) -> usize {
        self.made.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn old(&self) -> &HashMap<String, Arc<Piece>> {
        self.old
            .get_or_init(|| super::cache::kept_records(&self.roots, FILE, read))
    }

    /// Notes the kept piece of `key`, if there is one, for
    /// [`Pieces::write`]: a workbook kept as it was keeps its pieces.
    pub fn keep(&self, key: &str) {
        if let Some(p) = self.old().get(key) {
            self.used
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((key.to_string(), p.clone()));
        }
    }

    /// Writes the pieces used to `path` (atomically), in key order.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner()).clone();
        used.sort_by(|a, b| a.0.cmp(&b.0));
        used.dedup_by(|a, b| a.0 == b.0);
        crate::fsx::write_atomic_with(path, &mut |w| {
            w.write_all(HEADER.as_bytes())?;
            w.write_all(b"\n")?;
            for (key, p) in &used {
                let line = format!(
                    "{key}\t{:08x}\t{}\t{}\t{}\n",
                    p.crc,
                    p.len,
                    p.data.len(),
                    p.digest(key)
                );
                w.write_all(line.as_bytes())?;
                w.write_all(&p.data)?;
            }
            Ok(())
        })
    }
}

/// The pieces of the file at `path` whose digests hold; none when it is
/// missing or not such a file. Reading stops at the first record that is
/// not whole.
fn read(path: &Path) -> Vec<(String, Arc<Piece>)> {
    // (Mapped, and each piece a slice of the mapping: 27 MB at 100,000
    // entries that are neither read nor copied into memory taken fresh.)
    let Ok(bytes) = crate::fsx::mapped::Bytes::read(path) else {
        return Vec::new();
    };
    let bytes = Arc::new(bytes);
    let mut out = Vec::new();
    let head = format!("{HEADER}\n");
    if !bytes.starts_with(head.as_bytes()) {
        return out;
    }
    let mut at = head.len();
    while at < bytes.len() {
        let Some(end) = memchr::memchr(b'\n', &bytes[at..]).map(|e| at + e) else {
            break;
        };
        let Some((key, crc, len, size, digest)) =
            std::str::from_utf8(&bytes[at..end]).ok().and_then(record)
        else {
            break;
        };
        let start = end + 1;
        let Some(stop) = start.checked_add(size).filter(|&s| s <= bytes.len()) else {
            break;
        };
        let piece = Piece {
            crc,
            len,
            data: Run::within(&bytes, start..stop),
        };
        at = stop;
        if piece.digest(&key) == digest {
            out.push((key, Arc::new(piece)));
        }
    }
    out
}

/// A record's line: its key, the piece's CRC-32, length and size, and its
/// digest.
fn record(line: &str) -> Option<(String, u32, u64, usize, String)> {
    let mut f = line.split('\t');
    let key = f.next()?.to_string();
    let crc = u32::from_str_radix(f.next()?, 16).ok()?;
    let len = f.next()?.parse().ok()?;
    let size: usize = f.next()?.parse().ok()?;
    let digest = f.next()?.to_string();
    Some((key, crc, len, size, digest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A stream's bytes, or a piece's (ended with an empty last piece).
    fn inflate(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let data = [data, &Piece::last(&[]).data[..]].concat();
        flate2::read::DeflateDecoder::new(&data[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn pieces_joined_are_one_stream_with_the_crc_of_the_whole() {
        let parts: Vec<Vec<u8>> = (0..5)
            .map(|i| format!("<row r=\"{i}\">{}</row>", "事项".repeat(i * 3000)).into_bytes())
            .collect();
        let mut stream = Vec::new();
        let mut joined = Joined::default();
        for (i, raw) in parts.iter().enumerate() {
            let p = if i + 1 == parts.len() {
                Piece::last(raw)
            } else {
                Piece::part(raw)
            };
            joined.add(&p);
            stream.extend_from_slice(&p.data);
        }
        let whole = parts.concat();
        assert_eq!(inflate(&stream), whole);
        assert_eq!(
            joined.finish(),
            (crc32fast::hash(&whole), whole.len() as u64)
        );
    }

    #[test]
    fn kept_pieces_serve_the_next_build_and_damaged_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let first = Pieces::new(vec![]);
        let a = first.get("a", || b"alpha".repeat(100));
        first.get("b", || b"beta".repeat(100));
        first.write(&dir.path().join(FILE)).unwrap();

        let next = Pieces::new(vec![dir.path().to_path_buf()]);
        assert_eq!(next.get("a", || unreachable!("kept")), a);
        assert_eq!(inflate(&next.get("b", Vec::new).data), b"beta".repeat(100));

        // A byte of a piece altered: that piece is made again.
        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() - 3;
        bytes[at] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let damaged = Pieces::new(vec![dir.path().to_path_buf()]);
        assert_eq!(damaged.get("a", || unreachable!("kept")), a);
        let made = damaged.get("b", || b"made".to_vec());
        assert_eq!(inflate(&made.data), b"made");
        // Cut short: what is whole still serves.
        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        let cut = Pieces::new(vec![dir.path().to_path_buf()]);
        assert_eq!(cut.get("a", || unreachable!("kept")), a);
        assert_eq!(inflate(&cut.get("b", || b"x".to_vec()).data), b"x");
    }
}
