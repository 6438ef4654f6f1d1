//! Spans of `catalog.json` kept from one build for the next (SPEC §10):
//! the file is every entry in full, 407 MB at 100,000 entries, and writing
//! it again is most of an unchanged catalog's catalogs stage. Its entries
//! are written in runs of [`RUN`]; a build notes where each run lies in the
//! file it wrote (`dist/.yima.spans`, see docs/formats.md):
//!
//! ```text
//! yima spans 2
//! key<TAB>offset<TAB>length<TAB>checksum
//! …
//! checksum of the lines above (crate::fsx::seal)
//! ```
//!
//! and the next build copies a run whose key it still has from that file
//! instead of writing it, when the bytes there still have the recorded
//! checksum ([`crate::fsx::checksum_hex`]: it guards against damage, and a
//! SHA-256 of each run copied cost a build and a release a quarter of a
//! second of CPU). A missing or damaged record costs only the time to
//! write.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The file's name, in the root of the output folder.
pub const FILE: &str = ".yima.spans";

const HEADER: &str = "yima spans 2";

/// Entries of `catalog.json` per run.
pub const RUN: usize = 256;

/// Where a run lies in its file, and the checksum of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub len: u64,
    pub sum: String,
}

/// The spans of a `catalog.json` of an earlier tree, and those of the one
/// being written.
#[derive(Debug, Default)]
pub struct Spans {
    /// The output folders whose [`FILE`] may serve, first found first.
    roots: Vec<PathBuf>,
    old: OnceLock<Option<(PathBuf, HashMap<String, Span>)>>,
    new: Mutex<Vec<(String, Span)>>,
    /// How many runs were copied rather than written.
    copied: std::sync::atomic::AtomicUsize,
}

impl Spans {
    /// The spans kept in the output folders `roots` for the file `rel` of
    /// each (read when first asked).
    pub fn new(roots: Vec<PathBuf>) -> Spans {
        Spans {
            roots,
            ..Spans::default()
        }
    }

    fn old(&self, rel: &str) -> Option<&(PathBuf, HashMap<String, Span>)> {
        self.old
            .get_or_init(|| {
                self.roots.iter().find_map(|root| {
                    let text = std::fs::read_to_string(root.join(FILE)).ok()?;
                    Some((root.join(rel), parse(&text)?))
                })
            })
            .as_ref()
    }

    /// The bytes of the run of `key` in the earlier file `rel`, when it is
    /// recorded and the bytes there still hash to what was recorded; with
    /// that digest, which is theirs wherever they are written.
    pub fn copy(&self, rel: &str, key: &str) -> Option<(Vec<u8>, String)> {
        let (file, spans) = self.old(rel)?;
        let span = spans.get(key)?;
        let mut f = std::fs::File::open(file).ok()?;
        // A record that reaches past the file's end is not read (nor is
        // room made for it).
        let size = f.metadata().ok()?.len();
        if span.offset.checked_add(span.len)? > size {
            return None;
        }
        f.seek(SeekFrom::Start(span.offset)).ok()?;
        let mut bytes = Vec::with_capacity(usize::try_from(span.len).ok()?);
        f.take(span.len).read_to_end(&mut bytes).ok()?;
        let holds = bytes.len() as u64 == span.len && crate::fsx::checksum_hex(&bytes) == span.sum;
        if holds {
            self.copied
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        holds.then(|| (bytes, span.sum.clone()))
    }

    /// How many runs were copied rather than written.
    pub fn copied(&self) -> usize {
        self.copied.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Notes where the run of `key` lies in the new file; `sum` is the
    /// bytes' digest when it is known (a copied run's), else it is worked
    /// out.
    pub fn note(&self, key: &str, offset: u64, bytes: &[u8], sum: Option<String>) {
        let sum = sum.unwrap_or_else(|| crate::fsx::checksum_hex(bytes));
        self.new.lock().unwrap_or_else(|p| p.into_inner()).push((
            key.to_string(),
            Span {
                offset,
                len: bytes.len() as u64,
                sum,
            },
        ));
    }

    /// Notes the earlier file's spans as the new file's: it was kept as it
    /// was. (A span that no longer holds fails its digest when used.)
    pub fn keep(&self, rel: &str) {
        if let Some((_, old)) = self.old(rel) {
            let mut new = self.new.lock().unwrap_or_else(|p| p.into_inner());
            new.extend(old.iter().map(|(k, s)| (k.clone(), s.clone())));
        }
    }

    /// Writes the spans noted to `path` (atomically), in key order.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut new = self.new.lock().unwrap_or_else(|p| p.into_inner()).clone();
        new.sort_by(|a, b| a.0.cmp(&b.0));
        let mut text = String::from(HEADER);
        text.push('\n');
        for (key, s) in &new {
            text.push_str(&format!("{key}\t{}\t{}\t{}\n", s.offset, s.len, s.sum));
        }
        crate::fsx::write_atomic(path, crate::fsx::seal(text).as_bytes())
    }
}

/// The spans of a file's text; none when it is not whole.
fn parse(text: &str) -> Option<HashMap<String, Span>> {
    let body = crate::fsx::unseal(text).ok()?;
    let mut lines = body.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut out = HashMap::new();
    for line in lines {
        let mut f = line.split('\t');
        let key = f.next()?.to_string();
        let span = Span {
            offset: f.next()?.parse().ok()?,
            len: f.next()?.parse().ok()?,
            sum: f.next()?.to_string(),
        };
        out.insert(key, span);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_copied_only_while_its_bytes_hold() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalog.json");
        std::fs::write(&file, b"head[run one][run two]tail").unwrap();
        let first = Spans::new(vec![]);
        first.note("one", 4, b"[run one]", None);
        first.note("two", 13, b"[run two]", None);
        first.write(&dir.path().join(FILE)).unwrap();

        let next = Spans::new(vec![dir.path().to_path_buf()]);
        let one = next.copy("catalog.json", "one").unwrap();
        assert_eq!(
            one,
            (
                b"[run one]".to_vec(),
                crate::fsx::checksum_hex(b"[run one]")
            )
        );
        assert_eq!(next.copy("catalog.json", "two").unwrap().0, b"[run two]");
        assert_eq!(next.copy("catalog.json", "three"), None);

        // The file edited under a span: that run is written again.
        std::fs::write(&file, b"head[run one][run 2!]tail").unwrap();
        let edited = Spans::new(vec![dir.path().to_path_buf()]);
        assert_eq!(edited.copy("catalog.json", "one").unwrap().0, b"[run one]");
        assert_eq!(edited.copy("catalog.json", "two"), None);

        // A record reaching past the end (its checksum made to match) is
        // not read.
        let spans = dir.path().join(FILE);
        let forged = format!("{HEADER}\nbig\t4\t{}\t{}\n", u64::MAX / 2, "0".repeat(32));
        std::fs::write(&spans, crate::fsx::seal(forged)).unwrap();
        let far = Spans::new(vec![dir.path().to_path_buf()]);
        assert_eq!(far.copy("catalog.json", "big"), None);
        first.write(&spans).unwrap();

        // The record altered: nothing is trusted.
        let text = std::fs::read_to_string(&spans).unwrap();
        std::fs::write(&spans, text.replacen("\t4\t", "\t5\t", 1)).unwrap();
        let altered = Spans::new(vec![dir.path().to_path_buf()]);
        assert_eq!(altered.copy("catalog.json", "one"), None);
    }
}
