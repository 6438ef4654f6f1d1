//! Release stamps (SPEC §10): each guide shows the release in which its
//! entry last changed, not the release it happens to be part of, so a new
//! release renders again only the guides of the entries it changes.
//!
//! - In release `V`, an entry is stamped `V` when it is new or its content
//!   (every element but where it was filed from, the same comparison as the
//!   change log's) differs from the previous release's; otherwise it keeps
//!   the stamp the previous release gave it.
//! - In a build (no version), an entry unchanged since the newest release
//!   keeps that release's stamp; a changed or new one is “未发布” (empty).
//! - An agency's 汇编 is stamped like an entry whose content is the list of
//!   the agency's entries and their stamps.
//!
//! Every release records the stamps in `releases/V/stamps.json` (one line
//! per entry: 实施编码, stamp, sha256 of its content); the next build and
//! release read it. A release made before stamps existed gives its own
//! version to each of its entries, worked out from its `catalog.json`; one
//! that cannot be read gives no stamp (everything is stamped anew).

use crate::catalog::{CatalogEntry, lazy::Entry};
use crate::codes::released::{list, version_key};
use crate::fsx::sha256_hex;
use crate::workspace::Workspace;
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

mod before;
pub use before::Before;

/// The stamps' file name in a release folder.
pub const FILE: &str = "stamps.json";

/// The format of [`FILE`].
const FORMAT: u32 = 1;

/// `stamps.json`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StampFile {
    version: u32,
    release: String,
    entries: Vec<EntryStamp>,
    agencies: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryStamp {
    impl_code: String,
    release: String,
    sha256: String,
}

/// The stamps of a build's entries (aligned with its entries) and agencies.
#[derive(Debug, Default, Clone)]
pub struct Stamps {
    /// The stamp of each entry; empty for 未发布.
    pub entries: Vec<String>,
    /// The sha256 of each entry's JSON, every field included (what its
    /// guides are rendered from).
    pub whole: Vec<String>,
    /// The sha256 of each entry's content (without `source`).
    pub content: Vec<String>,
    /// The stamp of each agency's 汇编, by 统一社会信用代码.
    pub agencies: BTreeMap<String, String>,
    /// What the previous release stamped (nothing when there is none);
    /// `None` when it cannot be read.
    pub previous: Option<Before>,
    /// The folder of the previous release, when there is one.
    pub release: Option<std::path::PathBuf>,
}

/// An entry's digests ([`digests`]): of its whole JSON, and of its content.
pub type Sums = (String, String);

/// The digests of an entry: its whole JSON and its content (the JSON up to
/// `source`, its last field).
pub fn digests(e: &CatalogEntry) -> Sums {
    match serde_json::to_vec(e) {
        Ok(json) => json_digests(&json),
        // An entry that cannot serialize gets digests no cache holds.
        Err(_) => {
            let now = sha256_hex(format!("{:?}", std::time::SystemTime::now()).as_bytes());
            (now.clone(), now)
        }
    }
}

/// [`digests`] of an entry's JSON as `serde_json` writes it, in one pass
/// over the bytes: the content's hash is a copy of the whole's, taken where
/// `source` begins.
pub fn json_digests(json: &[u8]) -> Sums {
    use sha2::{Digest, Sha256};
    const SOURCE: &[u8] = b",\"source\":";
    let at = memchr::memmem::rfind(json, SOURCE).unwrap_or(json.len());
    let mut h = Sha256::new();
    h.update(&json[..at]);
    let content = h.clone().finalize();
    h.update(&json[at..]);
    (crate::fsx::hex(&h.finalize()), crate::fsx::hex(&content))
}

impl Stamps {
    /// The stamps of `entries` (sorted by 实施编码) in a build at `version`
    /// (empty for an unreleased build) of the workspace `ws`; `sums` holds
    /// the [`digests`] of each entry where they are known already.
    pub fn new(
        ws: &Workspace,
        entries: &[&Entry],
        sums: &[Option<&Sums>],
        version: &str,
    ) -> Stamps {
        use rayon::prelude::*;
        // (The previous release's stamps are read while the digests are
        // gathered.)
        let ((whole, content), (release, before)): ((Vec<String>, Vec<String>), _) = rayon::join(
            || {
                entries
                    .par_iter()
                    .enumerate()
                    .map(|(i, e)| match sums.get(i) {
                        Some(Some(known)) => {
                            // (Not parsed for the check: what was parsed is checked.)
                            if let Some(e) = e.if_parsed() {
                                debug_assert_eq!(**known, digests(e), "{}", e.impl_code);
                            }
                            (*known).clone()
                        }
                        _ => digests(e.get()),
                    })
                    .unzip()
            },
            || {
                let release = previous(ws, version);
                let before = release.as_deref().and_then(read);
                (release, before)
            },
        );
        let known = match &release {
            Some(_) => before.is_some(),
            // No release yet: every entry is new.
            None => true,
        };
        let before = before.unwrap_or_default();
        // (Both in 实施编码 order: found by walking them side by side.)
        let places = before.places(entries.iter().map(|e| e.summary().impl_code.as_str()));
        let entry_stamps: Vec<String> = places
            .par_iter()
            .zip(&content)
            .map(|(at, sha)| match at.map(|i| before.entry(i)) {
                Some((_, stamp, old)) if old == sha => stamp.to_string(),
                _ => version.to_string(),
            })
            .collect();
        // An agency's 汇编 changed when the list of its entries or one of
        // their stamps did.
        let mut now: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for (e, s) in entries.iter().zip(&entry_stamps) {
            let e = e.summary();
            now.entry(e.agency_code.as_str())
                .or_default()
                .push((&e.impl_code, s));
        }
        let agencies = now
            .into_iter()
            .map(|(agency, list)| {
                // (The previous release's entries of the agency, in
                // 实施编码 order as the list is when it is the same.)
                let was = before.starting(agency);
                let same = agency.len() == 18
                    && was.len() == list.len()
                    && was.zip(&list).all(|(i, (code, stamp))| {
                        let (c, s, _) = before.entry(i);
                        (c, s) == (*code, *stamp)
                    });
                let stamp = match before.agency(agency) {
                    Some(s) if same => s.to_string(),
                    _ => version.to_string(),
                };
                (agency.to_string(), stamp)
            })
            .collect();
        Stamps {
            entries: entry_stamps,
            whole,
            content,
            agencies,
            previous: known.then_some(before),
            release,
        }
    }

    /// Writes `stamps.json` of release `version` into `dir`.
    pub fn write(&self, entries: &[&Entry], version: &str, dir: &Path) -> std::io::Result<()> {
        // One entry a line: readable, and a change shows as a line's diff.
        let mut text = format!(
            "{{\"version\": {FORMAT}, \"release\": {}, \"agencies\": {},\n\"entries\": [\n",
            json(version),
            serde_json::to_string(&self.agencies).expect("agencies serialize")
        );
        // (Taken at once, each line put straight in: 100,000 lines.)
        text.reserve(entries.len() * 140);
        let stamped = entries.iter().zip(self.entries.iter().zip(&self.content));
        for (i, (e, (stamp, sha))) in stamped.enumerate() {
            if i > 0 {
                text.push_str(",\n");
            }
            // As `EntryStamp` serializes.
            text.push_str("{\"impl_code\":");
            push_json(&mut text, &e.summary().impl_code);
            text.push_str(",\"release\":");
            push_json(&mut text, stamp);
            text.push_str(",\"sha256\":");
            push_json(&mut text, sha);
            text.push('}');
        }
        text.push_str("\n]}\n");
        crate::fsx::write_atomic(&dir.join(FILE), text.as_bytes())
    }
}

fn json(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// [`json`] of `s` put at the end of `text`: as it is between quotes when
/// it has nothing JSON escapes (a quote, a backslash, a control
/// character), as `serde_json` writes it otherwise.
fn push_json(text: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        text.push('"');
        text.push_str(s);
        text.push('"');
    } else {
        text.push_str(&json(s));
    }
}

/// The folder of the newest release other than `version`, if any.
pub fn previous(ws: &Workspace, version: &str) -> Option<std::path::PathBuf> {
    let releases = ws.path(&ws.config.paths.releases);
    list(&releases)
        .into_iter()
        .filter(|v| v != version)
        .max_by_key(|v| version_key(v))
        .map(|v| releases.join(v))
}

/// The stamp of each entry of the release in `dir`, by 实施编码 (empty when
/// it holds no readable stamps).
pub fn of_release(dir: &Path) -> HashMap<String, String> {
    read(dir)
        .map(|b| {
            b.iter()
                .map(|(code, stamp, _)| (code.to_string(), stamp.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// What the release in `dir` stamped: its `stamps.json`, or, for a release
/// made before stamps, its version on every entry of its `catalog.json`.
/// `None` when neither can be read (or a stamp is no version).
fn read(dir: &Path) -> Option<Before> {
    if let Ok(text) = std::fs::read_to_string(dir.join(FILE)) {
        return Before::parse(text);
    }
    let version = dir.file_name()?.to_str()?;
    let text = std::fs::read_to_string(dir.join(super::catalogs::JSON_FILE)).ok()?;
    let doc = super::catalogs::read_catalog_json(&text).ok()?;
    let sums: Vec<String> = doc.entries.iter().map(|e| digests(e).1).collect();
    let agencies = doc
        .entries
        .iter()
        .filter_map(|e| e.impl_code.get(..18))
        .map(|a| (a.to_string(), version.to_string()))
        .collect();
    let list = doc.entries.iter().zip(&sums);
    Some(Before::of(
        list.map(|(e, sha)| (e.impl_code.as_str(), version, sha.as_str())),
        agencies,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_written_read_back_line_by_line() {
        let entries: Vec<Entry> = [
            "11431300006140469E3430101001000",
            "11431300006140469E3430101002000",
        ]
        .into_iter()
        .map(|code| {
            CatalogEntry {
                impl_code: code.into(),
                agency_code: code[..18].into(),
                ..Default::default()
            }
            .into()
        })
        .collect();
        let refs: Vec<&Entry> = entries.iter().collect();
        let stamps = Stamps {
            entries: vec!["2026.1".into(), "2026.2".into()],
            content: vec!["d1".into(), "d2".into()],
            agencies: [("11431300006140469E".to_string(), "2026.2".to_string())].into(),
            ..Stamps::default()
        };
        let dir = tempfile::tempdir().unwrap();
        stamps.write(&refs, "2026.2", dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        // (As JSON of its shape, and as the lines it is laid out in.)
        let file: StampFile = serde_json::from_str(&text).unwrap();
        assert_eq!(file.entries[1].sha256, "d2");
        assert!(Before::parse_lines(text.clone()).is_ok());
        let before = Before::parse(text).unwrap();
        assert_eq!(
            before.iter().collect::<Vec<_>>(),
            [
                ("11431300006140469E3430101001000", "2026.1", "d1"),
                ("11431300006140469E3430101002000", "2026.2", "d2")
            ]
        );
        assert_eq!(before.agency("11431300006140469E"), Some("2026.2"));
    }

    #[test]
    fn a_string_is_put_as_serde_json_writes_it() {
        for s in ["2026.1", "", "a\"b", "a\\b", "行\n", "\u{1}", "\u{7f}é"] {
            let mut text = String::from("x");
            push_json(&mut text, s);
            assert_eq!(text, format!("x{}", json(s)), "{s:?}");
        }
    }

    #[test]
    fn the_content_digest_leaves_out_where_an_entry_was_filed() {
        let mut e: CatalogEntry = serde_saphyr::from_str(include_str!(
            "../../../items/11431300006140469E/11431300006140469E3430101001000.yaml"
        ))
        .unwrap();
        let (whole, content) = digests(&e);
        e.source.row = Some(e.source.row.unwrap_or(0) + 1);
        let (whole2, content2) = digests(&e);
        assert_ne!(whole, whole2);
        assert_eq!(content, content2);
        e.name.push('证');
        assert_ne!(digests(&e).1, content);
    }

    #[test]
    fn one_pass_gives_the_whole_json_and_the_json_up_to_its_last_source() {
        let json = br#"{"name":"a,\"source\":b","x":1,"source":{"row":2}}"#;
        let at = json.len() - br#","source":{"row":2}}"#.len();
        assert_eq!(
            json_digests(json),
            (sha256_hex(json), sha256_hex(&json[..at]))
        );
        // No `source`: the content is the whole.
        let bare = br#"{"name":"a"}"#;
        assert_eq!(json_digests(bare), (sha256_hex(bare), sha256_hex(bare)));
    }
}
