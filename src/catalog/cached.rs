//! Loading `items/` for a build with the entries of the previous build at
//! hand: parsing a hundred thousand YAML files is most of an unchanged
//! build's time, and an entry file whose bytes have not changed parses to
//! the same entry. The build keeps every entry it read in its output folder
//! (`dist/.yima.entries`, see docs/formats.md), one line each:
//!
//! ```text
//! path<TAB>sha256 of the file<TAB>sha256 of the line's other fields<TAB>entry as JSON
//! ```
//!
//! and the next build still reads every entry file and hashes it, but takes
//! the entry from the line instead of parsing the YAML when the file's
//! digest is the one recorded and the line's own digest holds (an altered
//! line is not used). What does not match is parsed as [`super::load`]
//! parses it, so the catalog is the same either way; a missing or damaged
//! cache costs only the time to parse.

use super::{Catalog, CatalogError, ItemFile, item_paths, load_registry, parse_entry};
use crate::fsx::sha256_hex;
use std::collections::HashMap;
use std::path::Path;

/// The cache's file name, in the root of the output folder.
pub const FILE: &str = ".yima.entries";

/// The first line of the cache: its format, then the binary that wrote it
/// ([`crate::publish::cache::binary_id`]): another yima may read the same
/// YAML into another entry, so it parses every file again.
const HEADER: &str = "yima entry cache 1";

fn header() -> String {
    format!("{HEADER} {}", crate::publish::cache::binary_id())
}

/// A catalog loaded with the cache, and the cache's text for the next build.
pub struct Loaded {
    pub catalog: Catalog,
    /// The new cache: every entry read, the lines in path order.
    pub cache: String,
    /// How many entries came from the cache rather than their YAML.
    pub reused: usize,
}

/// Loads `items/` as [`super::load_whole`] does, taking an entry from the
/// cache at `cache` (when given) where the file's bytes are those recorded;
/// `keep_text` keeps each file's text (for line numbers in findings).
pub fn load_whole(
    dir: &Path,
    cache: Option<&Path>,
    keep_text: bool,
) -> Result<Loaded, CatalogError> {
    let old = cache.map(read).unwrap_or_default();
    let mut catalog = Catalog::default();
    if !dir.exists() {
        return Ok(Loaded {
            catalog,
            cache: format!("{}\n", header()),
            reused: 0,
        });
    }
    let paths = item_paths(dir)?;
    let read: Vec<(ItemFile, Option<String>, bool)> = {
        use rayon::prelude::*;
        paths
            .par_iter()
            .map(|rel| {
                let full = dir.join(rel);
                let display = crate::filing::display_path(&full);
                let key = rel_key(rel);
                let text = match std::fs::read_to_string(&full) {
                    Ok(t) => t,
                    Err(e) => {
                        let file = ItemFile {
                            rel: rel.clone(),
                            display,
                            text: String::new(),
                            entry: Err(e.to_string()),
                            error_line: None,
                        };
                        return (file, None, false);
                    }
                };
                let digest = sha256_hex(text.as_bytes());
                let cached = old
                    .get(&key)
                    .filter(|(d, _)| *d == digest)
                    .and_then(|(_, line)| from_line(line).map(|e| (e, line.clone())));
                let (entry, error_line, line, reused) = match cached {
                    Some((e, line)) => (Ok(e), None, Some(line), true),
                    None => match parse_entry(&text) {
                        Ok(e) => {
                            let line = to_line(&key, &digest, &e);
                            (Ok(e), None, line, false)
                        }
                        Err((message, line)) => (Err(message), line, None, false),
                    },
                };
                let file = ItemFile {
                    rel: rel.clone(),
                    display,
                    text: if keep_text { text } else { String::new() },
                    entry,
                    error_line,
                };
                (file, line, reused)
            })
            .collect()
    };
    let mut text = String::with_capacity(
        read.iter()
            .map(|r| r.1.as_ref().map_or(0, |l| l.len() + 1))
            .sum::<usize>()
            + 32,
    );
    text.push_str(&header());
    text.push('\n');
    let mut reused = 0;
    for (file, line, hit) in read {
        if let Some(line) = line {
            text.push_str(&line);
            text.push('\n');
        }
        reused += usize::from(hit);
        catalog.files.push(file);
    }
    catalog.registry = load_registry(dir)?;
    super::whole(&catalog)?;
    Ok(Loaded {
        catalog,
        cache: text,
        reused,
    })
}

/// A path inside `items/` as the cache writes it: `/` between parts.
fn rel_key(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The line of an entry read from a file of digest `digest`; none when the
/// entry cannot be written as JSON.
fn to_line(key: &str, digest: &str, e: &super::CatalogEntry) -> Option<String> {
    let json = serde_json::to_string(e).ok()?;
    if key.contains(['\t', '\n']) {
        return None;
    }
    let check = line_digest(key, digest, &json);
    Some(format!("{key}\t{digest}\t{check}\t{json}"))
}

/// The digest that vouches for a line's fields.
fn line_digest(key: &str, digest: &str, json: &str) -> String {
    let mut bytes = Vec::with_capacity(key.len() + digest.len() + json.len() + 2);
    bytes.extend_from_slice(key.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(digest.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(json.as_bytes());
    sha256_hex(&bytes)
}

/// The entry of a line whose digest holds.
fn from_line(line: &str) -> Option<super::CatalogEntry> {
    let mut parts = line.splitn(4, '\t');
    let (key, digest, check, json) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if line_digest(key, digest, json) != check {
        return None;
    }
    serde_json::from_str(json).ok()
}

/// The lines of a cache by path, each with the file digest it records;
/// empty when the cache is missing or of another format.
fn read(path: &Path) -> HashMap<String, (String, String)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(header().as_str()) {
        return HashMap::new();
    }
    lines
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let key = parts.next()?;
            let digest = parts.next()?;
            Some((key.to_string(), (digest.to_string(), line.to_string())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogEntry;

    #[test]
    fn a_line_gives_back_its_entry_and_an_altered_line_nothing() {
        let e = CatalogEntry {
            impl_code: "11431300006140469E3430101001000".into(),
            name: "户口迁移\t登记".into(),
            promised_days: Some(5),
            ..Default::default()
        };
        let line = to_line("X/Y.yaml", &"a".repeat(64), &e).unwrap();
        assert_eq!(line.matches('\t').count(), 3, "{line}");
        assert_eq!(from_line(&line), Some(e));
        assert_eq!(
            from_line(&line.replace("\"promised_days\":5", "\"promised_days\":6")),
            None
        );
        assert_eq!(from_line(&line.replace("X/Y", "X/Z")), None);
        assert_eq!(from_line("X/Y.yaml\tshort"), None);
    }
}
