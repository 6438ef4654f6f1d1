//! An entry parsed when it is first read. A build or release of 100,000
//! entries of which ten changed renders almost nothing, but parsing every
//! entry's JSON from the entry cache ([`super::cached`]) cost more CPU than
//! any stage (1.2–1.4 s on two cores). An entry taken from the cache is
//! therefore kept as where its JSON lies in the cache's text, with the few
//! elements every stage reads of every entry ([`Summary`]) parsed at once;
//! the rest is parsed the first time anything reads it (through `Deref`,
//! so a reader that needs the whole entry gets it, on whichever thread asks).
//! What a run parsed so is counted ([`parses`]) and shown by `--timings`.
//!
//! A cache line is used only when its checksum holds, and it holds the JSON
//! this binary wrote for the entry (the cache is the binary's own), so its
//! JSON parses; were it not to, the entry file is parsed as a load without
//! the cache would parse it.

mod read;

use super::CatalogEntry;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// The elements of an entry that commands read of every entry: the codes
/// `assign --check` checks, where the entry goes in the catalogs, and the
/// form files it names (part of its guides' cache key). Kept
/// in the entry cache's lines beside the entry's JSON (and alone in
/// `.yima.codes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Summary {
    pub impl_code: String,
    pub basic_code: String,
    pub status: crate::codes::registry::Status,
    pub name: String,
    pub sub_name: String,
    pub category: String,
    pub sector: String,
    pub agency_code: String,
    pub level: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub division: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<bool>,
    /// [`CatalogEntry::form_names`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
}

impl Summary {
    /// The summary of an entry.
    pub fn of(e: &CatalogEntry) -> Summary {
        Summary {
            impl_code: e.impl_code.clone(),
            basic_code: e.basic_code.clone(),
            status: e.status,
            name: e.name.clone(),
            sub_name: e.sub_name.clone(),
            category: e.category.clone(),
            sector: e.sector.clone(),
            agency_code: e.agency_code.clone(),
            level: e.level.clone(),
            division: e.division.clone(),
            forwarded: e.forwarded,
            forms: e.form_names().map(str::to_string).collect(),
        }
    }

    /// The entry file's path inside `items/` ([`CatalogEntry::rel_path`]).
    pub fn rel_path(&self) -> std::path::PathBuf {
        super::entry::entry_path(&self.agency_code, &self.impl_code)
    }

    /// Whether `rel` is [`Summary::rel_path`], told by its folder and name
    /// without making the path (a check of the codes asks it of 100,000
    /// entries).
    pub fn is_at(&self, rel: &std::path::Path) -> bool {
        let name = rel.file_name().and_then(|n| n.to_str());
        rel.parent() == Some(std::path::Path::new(&self.agency_code))
            && name.and_then(|n| n.strip_suffix(".yaml")) == Some(self.impl_code.as_str())
    }

    /// An entry holding what the summary holds and nothing else (what a
    /// check of the codes reads).
    pub fn into_entry(self) -> CatalogEntry {
        CatalogEntry {
            impl_code: self.impl_code,
            basic_code: self.basic_code,
            status: self.status,
            name: self.name,
            sub_name: self.sub_name,
            category: self.category,
            sector: self.sector,
            agency_code: self.agency_code,
            level: self.level,
            division: self.division,
            forwarded: self.forwarded,
            ..Default::default()
        }
    }
}

/// Where an entry's JSON lies: a range of a cache's text, and the entry
/// file it was read from.
#[derive(Clone)]
pub struct Json {
    pub text: Arc<crate::fsx::mapped::Bytes>,
    pub range: std::ops::Range<usize>,
    /// Where, in the same text, the SHA-256 of the JSON (64 hex digits) is
    /// that proves it.
    pub sha256: usize,
    pub file: PathBuf,
}

/// An entry of the catalog: parsed, or parsed when first read.
pub struct Entry {
    summary: Summary,
    // (Boxed: an entry's hundred-odd fields inline would make every entry
    // of a 100,000-entry catalog as large, parsed or not — hundreds of MB
    // of fresh memory moved twice by a load that parses ten.)
    cell: OnceLock<Box<CatalogEntry>>,
    json: Option<Json>,
}

static PARSED: AtomicUsize = AtomicUsize::new(0);

/// How many entries this process parsed from the cache's JSON when they
/// were first read.
pub fn parses() -> usize {
    PARSED.load(Ordering::Relaxed)
}

impl Entry {
    /// An entry already parsed.
    pub fn parsed(e: CatalogEntry) -> Entry {
        Entry {
            summary: Summary::of(&e),
            cell: OnceLock::from(Box::new(e)),
            json: None,
        }
    }

    /// An entry to be parsed from `json` when first read.
    pub fn later(summary: Summary, json: Json) -> Entry {
        Entry {
            summary,
            cell: OnceLock::new(),
            json: Some(json),
        }
    }

    /// What every stage reads of every entry, without parsing the rest.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The whole entry (parsed now when it was not yet).
    pub fn get(&self) -> &CatalogEntry {
        self.cell.get_or_init(|| {
            PARSED.fetch_add(1, Ordering::Relaxed);
            let json = self.json.as_ref().expect("an entry without JSON is parsed");
            Box::new(json.parse())
        })
    }

    /// The whole entry when it was parsed already.
    pub fn if_parsed(&self) -> Option<&CatalogEntry> {
        self.cell.get().map(|e| &**e)
    }

    /// The entry, owned.
    pub fn into_inner(self) -> CatalogEntry {
        self.get();
        *self.cell.into_inner().expect("parsed just now")
    }
}

impl Json {
    /// The entry of the JSON; should it not be the bytes its SHA-256 says,
    /// or not parse, that of its entry file.
    fn parse(&self) -> CatalogEntry {
        let text = &self.text[self.range.clone()];
        let recorded = self.text.get(self.sha256..self.sha256 + 64);
        let proven = recorded == Some(crate::fsx::sha256_hex(text).as_bytes());
        if let Some(e) = (proven.then(|| std::str::from_utf8(text).ok()).flatten())
            .and_then(|t| serde_json::from_str(t).ok())
        {
            return e;
        }
        let read = std::fs::read_to_string(&self.file).map_err(|e| e.to_string());
        match read.and_then(|t| super::parse_entry(&t).map_err(|(m, _)| m)) {
            Ok(e) => e,
            Err(m) => panic!(
                "{}: the entry can no longer be read ({m}); run the command again",
                crate::filing::display_path(&self.file)
            ),
        }
    }
}

impl std::ops::Deref for Entry {
    type Target = CatalogEntry;
    fn deref(&self) -> &CatalogEntry {
        self.get()
    }
}

impl std::ops::DerefMut for Entry {
    fn deref_mut(&mut self) -> &mut CatalogEntry {
        self.get();
        self.cell.get_mut().expect("parsed just now")
    }
}

impl Clone for Entry {
    fn clone(&self) -> Entry {
        Entry {
            summary: self.summary.clone(),
            cell: self.cell.clone(),
            json: self.json.clone(),
        }
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.get() == other.get()
    }
}

impl From<CatalogEntry> for Entry {
    fn from(e: CatalogEntry) -> Entry {
        Entry::parsed(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CatalogEntry {
        CatalogEntry {
            impl_code: "11330100MB0000000X4000000000000100".into(),
            name: "测试事项".into(),
            level: "市级".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_entry_is_parsed_once_when_first_read_and_its_summary_without_parsing() {
        let e = sample();
        let json = serde_json::to_string(&e).unwrap();
        let sha256 = crate::fsx::sha256_hex(json.as_bytes());
        let text = Arc::new(crate::fsx::mapped::Bytes::from(
            format!("xx{sha256}\t{json}yy").into_bytes(),
        ));
        let lazy = Entry::later(
            Summary::of(&e),
            Json {
                text,
                range: 67..67 + json.len(),
                sha256: 2,
                file: PathBuf::from("/nonexistent.yaml"),
            },
        );
        assert_eq!(lazy.summary().name, "测试事项");
        assert!(lazy.cell.get().is_none(), "the summary parses nothing");
        assert_eq!(*lazy, e);
        assert_eq!(lazy.name, "测试事项");
        assert_eq!(lazy.clone().into_inner(), e);
    }

    #[test]
    fn json_that_does_not_parse_gives_the_entry_of_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("e.yaml");
        std::fs::write(&file, crate::catalog::yaml::to_yaml(&sample()).unwrap()).unwrap();
        let lazy = |text: String, range, sha256| {
            Entry::later(
                Summary::default(),
                Json {
                    text: Arc::new(crate::fsx::mapped::Bytes::from(text.into_bytes())),
                    range,
                    sha256,
                    file: file.clone(),
                },
            )
        };
        let not_json = "{not json";
        let proven = format!("{not_json}{}", crate::fsx::sha256_hex(not_json.as_bytes()));
        assert_eq!(*lazy(proven, 0..9, 9), sample());
        // JSON that parses, of another entry, is not taken unless its
        // SHA-256 is the one recorded.
        let mut other = sample();
        other.name = "另一事项".into();
        let json = serde_json::to_string(&other).unwrap();
        let n = json.len();
        let sha256 = crate::fsx::sha256_hex(json.as_bytes());
        assert_eq!(*lazy(format!("{json}{sha256}"), 0..n, n), other);
        let altered = sha256.replace(
            &sha256[..1],
            if sha256.starts_with('0') { "1" } else { "0" },
        );
        assert_eq!(*lazy(format!("{json}{altered}"), 0..n, n), sample());
        assert_eq!(*lazy(json.clone(), 0..n, n), sample(), "no digest there");
    }
}
