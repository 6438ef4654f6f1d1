//! What the site's index and statistics pages count, per agency, kept from
//! one build for the next (SPEC §10). Both pages count every entry (the
//! filters' values, the indicators), and both counts are sums: an agency's
//! part, made from its entries, is kept under the key of their content
//! (`dist/.yima.tallies`, see docs/formats.md):
//!
//! ```text
//! yima tallies 1
//! key<TAB>tally as JSON
//! …
//! checksum of the lines above (crate::fsx::seal)
//! ```
//!
//! so a build reads only the entries of agencies whose entries changed.
//! Kept shares are worked out again from their counts
//! ([`Indicators::sum`]): the pages are the same bytes either way. A
//! missing or damaged file costs only the time to count.

use super::data::Counted;
use crate::stats::Indicators;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The file's name, in the root of the output folder.
pub const FILE: &str = ".yima.tallies";

const HEADER: &str = "yima tallies 1";

/// What one agency's entries add to the pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// The agency's name, as its first entry gives it.
    pub agency: String,
    pub indicators: Indicators,
    /// The filters' values ([`super::data::counts`]).
    pub filters: [Vec<Counted>; 6],
}

/// The tallies earlier builds kept, and those this one uses, each as its
/// JSON (shared, not copied: an agency's is up to hundreds of kilobytes,
/// and memory taken fresh is slow to come by).
#[derive(Debug, Default)]
pub struct Tallies {
    /// The output folders whose [`FILE`] may serve, first found first.
    roots: Vec<PathBuf>,
    old: OnceLock<HashMap<String, Arc<str>>>,
    used: Mutex<Vec<(String, Arc<str>)>>,
}

impl Tallies {
    /// The tallies kept in the output folders `roots` (read when first
    /// asked).
    pub fn new(roots: Vec<PathBuf>) -> Tallies {
        Tallies {
            roots,
            ..Tallies::default()
        }
    }

    /// The tally of `key`: kept by an earlier build, else `make`. Either
    /// way it is noted for [`Tallies::write`].
    pub fn get(&self, key: &str, make: impl FnOnce() -> Tally) -> Tally {
        let kept = self.old().get(key).and_then(|json| {
            let t: Tally = serde_json::from_str(json).ok()?;
            Some((t, Arc::clone(json)))
        });
        let (tally, json) = kept.unwrap_or_else(|| {
            let t = make();
            let json = serde_json::to_string(&t).expect("a tally serializes");
            (t, json.into())
        });
        self.used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((key.to_string(), json));
        tally
    }

    fn old(&self) -> &HashMap<String, Arc<str>> {
        self.old
            .get_or_init(|| crate::publish::cache::kept_records(&self.roots, FILE, read))
    }

    /// Notes every kept tally for [`Tallies::write`]: pages kept as they
    /// were keep their tallies.
    pub fn keep_all(&self) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.extend(self.old().iter().map(|(k, j)| (k.clone(), Arc::clone(j))));
    }

    /// Writes the tallies used to `path` (atomically, sealed), in key
    /// order; nothing when none was used.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if used.is_empty() {
            return Ok(());
        }
        // (Put in order where they are, and streamed into the file.)
        used.sort_by(|a, b| a.0.cmp(&b.0));
        used.dedup_by(|a, b| a.0 == b.0);
        crate::fsx::write_atomic_with(path, &mut |w| {
            crate::fsx::seal_into(w, &mut |w| {
                w.write_all(HEADER.as_bytes())?;
                w.write_all(b"\n")?;
                for (key, json) in used.iter() {
                    for part in [key.as_bytes(), b"\t", json.as_bytes(), b"\n"] {
                        w.write_all(part)?;
                    }
                }
                Ok(())
            })
        })
    }
}

/// The tallies of the file at `path`; none when it is missing, damaged or
/// of another format.
fn read(path: &Path) -> Vec<(String, Arc<str>)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(body) = crate::fsx::unseal(&text) else {
        return Vec::new();
    };
    let mut lines = body.lines();
    if lines.next() != Some(HEADER) {
        return Vec::new();
    }
    lines
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, j)| (k.to_string(), Arc::from(j)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(n: u64) -> Tally {
        Tally {
            agency: "市公安局".into(),
            indicators: Indicators {
                entries: n,
                ..Indicators::default()
            },
            filters: Default::default(),
        }
    }

    #[test]
    fn a_kept_tally_is_taken_and_a_damaged_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let first = Tallies::new(vec![]);
        assert_eq!(first.get("a", || tally(1)), tally(1));
        first.write(&dir.path().join(FILE)).unwrap();

        let next = Tallies::new(vec![dir.path().to_path_buf()]);
        assert_eq!(next.get("a", || tally(2)), tally(1), "kept");
        assert_eq!(next.get("b", || tally(3)), tally(3), "made");

        let file = dir.path().join(FILE);
        let text = std::fs::read_to_string(&file).unwrap();
        // (Streamed as the sealed text of its lines.)
        let json = serde_json::to_string(&tally(1)).unwrap();
        assert_eq!(text, crate::fsx::seal(format!("{HEADER}\na\t{json}\n")));
        std::fs::write(&file, text.replacen("市公安局", "市公安厅", 1)).unwrap();
        let damaged = Tallies::new(vec![dir.path().to_path_buf()]);
        assert_eq!(damaged.get("a", || tally(4)), tally(4));
    }
}
