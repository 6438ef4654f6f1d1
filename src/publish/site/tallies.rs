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
use std::sync::{Mutex, OnceLock};

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

/// The tallies earlier builds kept, and those this one uses.
#[derive(Debug, Default)]
pub struct Tallies {
    /// The output folders whose [`FILE`] may serve, first found first.
    roots: Vec<PathBuf>,
    old: OnceLock<HashMap<String, String>>,
    used: Mutex<Vec<(String, String)>>,
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
            Some((t, json.clone()))
        });
        let (tally, json) = kept.unwrap_or_else(|| {
            let t = make();
            let json = serde_json::to_string(&t).expect("a tally serializes");
            (t, json)
        });
        self.used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((key.to_string(), json));
        tally
    }

    fn old(&self) -> &HashMap<String, String> {
        self.old
            .get_or_init(|| crate::publish::cache::kept_records(&self.roots, FILE, read))
    }

    /// Notes every kept tally for [`Tallies::write`]: pages kept as they
    /// were keep their tallies.
    pub fn keep_all(&self) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.extend(self.old().iter().map(|(k, j)| (k.clone(), j.clone())));
    }

    /// Writes the tallies used to `path` (atomically, sealed), in key
    /// order; nothing when none was used.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if used.is_empty() {
            return Ok(());
        }
        used.sort_by(|a, b| a.0.cmp(&b.0));
        used.dedup_by(|a, b| a.0 == b.0);
        let mut text = String::from(HEADER);
        text.push('\n');
        for (key, json) in &used {
            text.push_str(key);
            text.push('\t');
            text.push_str(json);
            text.push('\n');
        }
        crate::fsx::write_atomic(path, crate::fsx::seal(text).as_bytes())
    }
}

/// The tallies of the file at `path`; none when it is missing, damaged or
/// of another format.
fn read(path: &Path) -> Vec<(String, String)> {
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
        .map(|(k, j)| (k.to_string(), j.to_string()))
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
        std::fs::write(&file, text.replacen("市公安局", "市公安厅", 1)).unwrap();
        let damaged = Tallies::new(vec![dir.path().to_path_buf()]);
        assert_eq!(damaged.get("a", || tally(4)), tally(4));
    }
}
