//! The few entries of a previous release's `catalog.json` that a change log
//! needs, read without reading the file whole (407 MB at 100,000 entries).
//! Its entries are in 实施编码 order, one after another as
//! [`crate::publish::catalogs`] pretty-prints them, so each is found by a
//! binary search over byte offsets that reads a few kilobytes a step.
//!
//! What is found is only a candidate: [`entries`] keeps an entry only when
//! its content digest is the one the previous release's `stamps.json`
//! recorded for it, and answers `None` — read the file whole — when any
//! wanted entry is not found so.

use crate::catalog::CatalogEntry;
use crate::publish::stamps::Before;
use memchr::memmem;
use rustc_hash::FxHashSet as HashSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The line break and first line of an entry: `{` at four spaces, its
/// 实施编码 first. JSON strings hold no raw line break, so only the layout
/// matches.
const START: &[u8] = b"\n    {\n      \"impl_code\": \"";
/// The line that closes an entry.
const END: &[u8] = b"\n    }";
/// The longest 实施编码 looked for after [`START`].
const CODE_MAX: usize = 64;
/// The most read looking for one entry's start or end: a file that holds
/// none so near is not laid out as expected, and is read whole instead
/// (each step of the search stays bounded).
const SCAN_MAX: u64 = 8 << 20;

/// A `catalog.json` opened for reading at offsets.
struct Seeker {
    file: File,
    len: u64,
    /// How much is read at a time.
    step: usize,
}

impl Seeker {
    fn open(path: &Path, step: usize) -> Option<Seeker> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        Some(Seeker { file, len, step })
    }

    /// Up to `n` bytes from `at`.
    fn read(&mut self, at: u64, n: usize) -> Option<Vec<u8>> {
        let mut buf = Vec::with_capacity(n);
        self.file.seek(SeekFrom::Start(at)).ok()?;
        (&mut self.file).take(n as u64).read_to_end(&mut buf).ok()?;
        Some(buf)
    }

    /// The offset and 实施编码 of the first entry that starts (its `{` line)
    /// at or after `at`; none when no entry does.
    fn entry_at(&mut self, at: u64) -> Option<Option<(u64, String)>> {
        // The line break before an entry that starts at `at` is at `at - 1`.
        let mut pos = at.saturating_sub(1);
        let overlap = START.len() + CODE_MAX;
        let window = self.step.max(2 * overlap);
        let limit = pos.saturating_add(SCAN_MAX);
        while pos < self.len {
            if pos > limit {
                return None;
            }
            let buf = self.read(pos, window)?;
            if let Some(i) = memmem::find(&buf, START) {
                let code_at = i + START.len();
                let rest = &buf[code_at..buf.len().min(code_at + CODE_MAX)];
                if let Some(q) = memchr::memchr(b'"', rest) {
                    let code = std::str::from_utf8(&rest[..q]).ok()?.to_string();
                    return Some(Some((pos + i as u64 + 1, code)));
                }
                if buf.len() >= code_at + CODE_MAX {
                    return None; // no 实施编码 of a sane length: not our layout
                }
            }
            if buf.len() < window {
                break;
            }
            pos += (window - overlap) as u64;
        }
        Some(None)
    }

    /// The text of the entry that starts at `start`.
    fn entry_text(&mut self, start: u64) -> Option<String> {
        let mut text = Vec::new();
        loop {
            let from = text.len().saturating_sub(END.len());
            let more = self.read(start + text.len() as u64, self.step)?;
            if more.is_empty() || text.len() as u64 > SCAN_MAX {
                return None;
            }
            text.extend_from_slice(&more);
            if let Some(i) = memmem::find(&text[from..], END) {
                text.truncate(from + i + END.len());
                return String::from_utf8(text).ok();
            }
        }
    }

    /// The entry whose 实施编码 is `code`, by binary search; none when the
    /// file holds no such entry (or is not laid out as expected).
    fn find(&mut self, code: &str) -> Option<CatalogEntry> {
        // The least offset at which the first entry at or after it has a
        // code ≥ `code` (or there is none): monotone in the offset.
        let (mut lo, mut hi) = (0u64, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.entry_at(mid)? {
                Some((start, c)) if c.as_str() < code => lo = start + 1,
                _ => hi = mid,
            }
        }
        let (start, found) = self.entry_at(lo)??;
        if found != code {
            return None;
        }
        serde_json::from_str(&self.entry_text(start)?).ok()
    }
}

/// The entries of the `catalog.json` at `path` whose 实施编码 is in `wanted`,
/// each holding the content digest `before` names for it
/// ([`crate::publish::stamps::digests`]); none when any is not found so.
pub fn entries(path: &Path, wanted: &HashSet<&str>, before: &Before) -> Option<Vec<CatalogEntry>> {
    entries_with(path, wanted, before, 16 * 1024)
}

fn entries_with(
    path: &Path,
    wanted: &HashSet<&str>,
    before: &Before,
    step: usize,
) -> Option<Vec<CatalogEntry>> {
    let mut seeker = Seeker::open(path, step)?;
    let mut codes: Vec<&str> = wanted.iter().copied().collect();
    codes.sort_unstable();
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let e = seeker.find(code)?;
        if before.digest(code) != Some(crate::publish::stamps::digests(&e).1.as_str()) {
            return None;
        }
        out.push(e);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32, words: usize) -> CatalogEntry {
        CatalogEntry {
            impl_code: format!("11431300006140469E34301010{n:02}000"),
            name: format!("事项{n}"),
            agency_code: "11431300006140469E".into(),
            conditions: Some("符合条件；\n".repeat(words)),
            promised_days: Some(n),
            ..Default::default()
        }
    }

    #[test]
    fn every_entry_is_found_at_any_step_and_nothing_else() {
        // Entries of very different lengths, some longer than a step.
        let all: Vec<CatalogEntry> = (1..=40)
            .map(|n| entry(n * 2, (n as usize * 7) % 90))
            .collect();
        let refs: Vec<&CatalogEntry> = all.iter().collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.json");
        std::fs::write(
            &path,
            crate::publish::catalogs::catalog_json("2026.1", &refs),
        )
        .unwrap();
        let sums: Vec<String> = all
            .iter()
            .map(|e| crate::publish::stamps::digests(e).1)
            .collect();
        let stamped = all.iter().zip(&sums);
        let before = Before::of(
            stamped.map(|(e, sha)| (e.impl_code.as_str(), "2026.1", sha.as_str())),
            Default::default(),
        );
        for step in [128, 1000, 16 * 1024] {
            let mut s = Seeker::open(&path, step).unwrap();
            for e in &all {
                assert_eq!(s.find(&e.impl_code).as_ref(), Some(e), "step {step}");
            }
            // Before the first, between two, after the last.
            for n in [1, 3, 81] {
                assert!(
                    s.find(&entry(n, 0).impl_code).is_none(),
                    "{n} at step {step}"
                );
            }
            let wanted: HashSet<&str> = all
                .iter()
                .step_by(7)
                .map(|e| e.impl_code.as_str())
                .collect();
            let found = entries_with(&path, &wanted, &before, step).unwrap();
            assert_eq!(found.len(), wanted.len());
        }
        // A digest that does not hold, a code not there: read it whole.
        let one: HashSet<&str> = [all[5].impl_code.as_str()].into_iter().collect();
        let zeros = "0".repeat(64);
        let wrong = Before::of(
            before.iter().map(|(code, stamp, sha)| {
                (
                    code,
                    stamp,
                    if code == all[5].impl_code {
                        &zeros
                    } else {
                        sha
                    },
                )
            }),
            Default::default(),
        );
        assert!(entries(&path, &one, &wrong).is_none());
        let absent = entry(3, 0).impl_code;
        let absent: HashSet<&str> = [absent.as_str()].into_iter().collect();
        assert!(entries(&path, &absent, &before).is_none());
        // Blank space before the entries is found past …
        let text = crate::publish::catalogs::catalog_json("2026.1", &refs);
        let mut padded = text.clone();
        padded.insert_str(padded.find("\n    {").unwrap(), &" ".repeat(9 << 20));
        std::fs::write(&path, &padded).unwrap();
        assert_eq!(entries(&path, &one, &before).unwrap(), [all[5].clone()]);
        // … but an entry longer than any step may scan: given up, bounded.
        let mut padded = text.clone();
        let inside = padded.find(&all[5].impl_code).unwrap();
        let end = inside + padded[inside..].find("\n    }").unwrap();
        padded.insert_str(end, &" ".repeat(9 << 20));
        std::fs::write(&path, &padded).unwrap();
        assert!(entries(&path, &one, &before).is_none());
        // Another layout (compact): nothing is found.
        let compact = serde_json::to_string(&serde_json::json!({"entries": all})).unwrap();
        std::fs::write(&path, compact).unwrap();
        assert!(entries(&path, &one, &before).is_none());
    }
}
