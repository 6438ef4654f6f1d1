//! The release gate with a memo (SPEC §10): `yima release` stops when `yima
//! check items/` would report an error, and after a few entries changed
//! almost every entry file is the one the last release checked. What the
//! check found in each file — its errors, counted as the report counts them
//! under the workspace's severities, and the keys item-duplicate compares
//! across files — is kept in `releases/.yima.gate`, by a digest of the
//! file's place in the catalog, its path and its text. A file found there
//! is not converted or checked again; the rules across files
//! (item-duplicate) still run over every file's keys, and a file that has a
//! duplicate is checked again whole, so its count is the report's.
//!
//! The memo holds only under the *fingerprint* it was made with: the yima
//! binary, the workspace's configuration, templates and schemas (the build
//! cache's [`Stamp`]), the files in the forms folder (form-missing), and the
//! registry's records but for their release stamps (the code rules and
//! name-near-catalog). Anything else changed, and every file is checked. A
//! damaged memo is not read; deleting it only costs time. The count always
//! equals `check_catalog`'s (tests/release.rs compares them after edits).

use crate::catalog::{self, Catalog, ItemFile};
use crate::codes::registry::Registry;
use crate::diag::{Diagnostic, Report, Severities, Sink};
use crate::fsx;
use crate::fsx::hex;
use crate::fsx::keyed::Keyed;
use crate::model::Filing;
use crate::publish::cache::{Stamp, collect};
use crate::rules::{self, duplicates};
use crate::workspace::Workspace;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

/// The memo's file name, in the releases folder.
pub const FILE: &str = ".yima.gate";

/// The memo's format, first in its fingerprint.
const FORMAT: &str = "yima release gate 2";

/// What the check found in one entry file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Found {
    /// Its errors as the report counts them.
    errors: usize,
    /// Its keys for item-duplicate; none when it is no current entry
    /// (retired, or not an entry at all).
    keys: Option<duplicates::FileKeys>,
}

/// The memo for the next gate: under its fingerprint, a line for each
/// file, `key<TAB>found` (JSON of [`Found`]) — the line of the memo read
/// when the file was found there, as it stands, else made anew. (Read as
/// one JSON document and written again whole, the memo of 100,000 files
/// was a third of the gate's time; its lines are looked up in the mapped
/// text instead, each parsed by the thread that finds it.)
struct Memo {
    fingerprint: String,
    /// The memo read.
    old: Keyed,
    lines: Vec<MemoLine>,
}

enum MemoLine {
    /// The place of the memo's line that held the file.
    Kept(u32),
    Made(String),
}

impl Memo {
    /// The memo's first line: its format and fingerprint.
    fn header(fingerprint: &str) -> String {
        format!("{FORMAT}\t{fingerprint}")
    }

    fn write(&self, w: &mut dyn io::Write) -> io::Result<()> {
        w.write_all(Memo::header(&self.fingerprint).as_bytes())?;
        w.write_all(b"\n")?;
        for line in &self.lines {
            match line {
                MemoLine::Kept(at) => w.write_all(self.old.line_text(*at).0)?,
                MemoLine::Made(line) => w.write_all(line.as_bytes())?,
            }
            w.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// What a gate found, and the memo for the next one.
pub struct Gated {
    /// The catalog's errors, as `yima check items/` counts them.
    pub errors: usize,
    /// Entry files whose findings the memo held.
    pub remembered: usize,
    memo: Memo,
    path: PathBuf,
}

impl Gated {
    /// Writes the memo for the next gate, once the release is made (or
    /// refused for the errors found): a release killed before leaves the
    /// workspace as it was. A memo that cannot be written costs the next
    /// gate time only.
    pub fn keep(self) {
        self.pending().put();
    }

    /// Writes the memo beside its place while other work runs (a release
    /// makes its manifest meanwhile); [`KeptGate::put`] puts it there once
    /// the release is made, and dropped, it leaves the old memo. Written
    /// only into a releases folder that is there (a first release refused
    /// makes none); a memo that cannot be written costs the next gate time
    /// only.
    pub fn pending(self) -> KeptGate {
        let memo = self.memo;
        let pending = (self.path.parent().is_some_and(Path::is_dir))
            .then(|| {
                fsx::Pending::write(&self.path, &mut |w| {
                    fsx::seal_into(w, &mut |w| memo.write(w))
                })
                .ok()
            })
            .flatten();
        KeptGate(pending)
    }
}

/// The gate's memo for the next release, written and not yet in place
/// ([`Gated::pending`]).
pub struct KeptGate(Option<fsx::Pending>);

impl KeptGate {
    /// Puts the memo in place (its old one stays if that fails).
    pub fn put(self) {
        if let Some(p) = self.0 {
            let _ = p.put();
        }
    }
}

/// Counts the errors `yima check` finds in the catalog `c` of `ws` (loaded
/// from `items`, with or without the files' texts), taking each unchanged
/// file's findings from the memo at `memo`, and makes the memo anew
/// ([`Gated::keep`] writes it). A file checked again is read again when its
/// text was not kept; one that changed since the catalog was loaded is an
/// error.
pub fn errors(c: &Catalog, ws: &Workspace, items: &Path, memo: &Path) -> io::Result<Gated> {
    let fingerprint = fingerprint(ws, &c.registry);
    let old = load(memo, &fingerprint);
    let severities = ws.severities();
    let standard = &ws.standard;
    let registry = Some(&c.registry);
    // Each file: its key, what the memo or a check found in it, and the
    // place of the memo's line that held it.
    let done: Vec<(Option<String>, Found, Option<u32>)> = (c.files.par_iter().enumerate())
        .map(|(i, f)| -> io::Result<_> {
            let key = file_key(i, f);
            let held = key.as_ref().and_then(|k| old.get_at(k));
            if let Some((found, at)) = held.and_then(|(rest, at)| Some((parse_found(rest)?, at))) {
                return Ok((key, found, Some(at)));
            }
            let (sink, filing) = check_file(i, f, items, ws, registry)?;
            let found = Found {
                errors: count(sink.diagnostics, &severities),
                keys: (filing.as_ref()).map(|filing| {
                    // (Kept by the file's place in items/, not where the
                    // workspace is: the memo is the same on every computer.)
                    let mut keys = duplicates::FileDuplicates::of(filing, 0).keys();
                    if let Some(sheet) = &mut keys.sheet {
                        sheet.0 = catalog::cached::rel_key(&f.rel);
                    }
                    keys
                }),
            };
            Ok((key, found, None))
        })
        .collect::<io::Result<_>>()?;
    let remembered = done.iter().filter(|(_, _, at)| at.is_some()).count();

    // item-duplicate across the files, in catalog order, as the check runs
    // it; a file with a duplicate is counted again with it.
    let mut dups = duplicates::Duplicates::default();
    dups.expect(c.files.len());
    let mut errors = 0;
    for (i, (_, found, _)) in done.iter().enumerate() {
        errors += found.errors;
        let Some(keys) = &found.keys else { continue };
        let again = dups.absorb(duplicates::FileDuplicates::from_keys(
            dups.next_file(),
            keys,
        ));
        if again.is_empty() {
            continue;
        }
        // (Rare: checked again whole, its filing made again.)
        let (mut sink, filing) = check_file(i, &c.files[i], items, ws, registry)?;
        let Some(filing) = filing else { continue };
        duplicates::report_in(standard, again, &filing, &mut sink);
        errors = errors - found.errors + count(sink.diagnostics, &severities);
    }

    let lines = (done.into_iter())
        .filter_map(|(key, found, at)| match at {
            Some(at) => Some(MemoLine::Kept(at)),
            None => Some(MemoLine::Made(format!("{}\t{}", key?, found_json(&found)))),
        })
        .collect();
    Ok(Gated {
        errors,
        remembered,
        memo: Memo {
            fingerprint,
            old,
            lines,
        },
        path: memo.to_path_buf(),
    })
}

/// The findings of entry file `i` of the catalog alone, and the filing it
/// is (none when it is no current entry).
fn check_file(
    i: usize,
    f: &ItemFile,
    items: &Path,
    ws: &Workspace,
    registry: Option<&Registry>,
) -> io::Result<(Sink, Option<Filing>)> {
    let mut sink = Sink::default();
    let text = text_of(f, items)?;
    let filing = catalog::as_filing_of(i, f, &text, &ws.standard, &mut sink);
    if let Some(filing) = &filing {
        rules::check_filing(filing, ws, registry, &mut sink);
    }
    Ok((sink, filing))
}

/// The text of an entry file: as loaded, else read again and proven to be
/// the bytes the catalog was loaded from.
fn text_of<'f>(f: &'f ItemFile, items: &Path) -> io::Result<Cow<'f, str>> {
    if !f.text.is_empty() || f.entry.is_err() {
        return Ok(Cow::Borrowed(&f.text));
    }
    let text = std::fs::read_to_string(items.join(&f.rel))?;
    if !f.digest.is_empty() && fsx::sha256_hex(text.as_bytes()) != f.digest {
        return Err(io::Error::other(format!(
            "{}：在发布过程中被修改，请重新运行（changed while the release was made; run it again）",
            f.display
        )));
    }
    Ok(Cow::Owned(text))
}

/// The errors among `diagnostics` as a report counts them.
fn count(diagnostics: Vec<Diagnostic>, severities: &Severities) -> usize {
    if diagnostics.is_empty() {
        return 0;
    }
    Report::new(diagnostics, Vec::new(), severities)
        .summary
        .errors
}

/// A file's key: its place in the catalog (its findings' rows), its path
/// in `items/` and the digest of its text. None for a file that is no
/// entry, or whose text and digest are both unknown: such a file is
/// checked.
fn file_key(i: usize, f: &ItemFile) -> Option<String> {
    let digest = match (&f.entry, f.digest.is_empty(), f.text.is_empty()) {
        (Err(_), ..) | (Ok(_), true, true) => return None,
        (Ok(_), false, _) => Cow::Borrowed(f.digest.as_str()),
        (Ok(_), true, false) => Cow::Owned(fsx::sha256_hex(f.text.as_bytes())),
    };
    let mut h = Sha256::new();
    h.update((i as u64).to_le_bytes());
    h.update(catalog::cached::rel_key_of(&f.rel).as_bytes());
    h.update([0]);
    h.update(digest.as_bytes());
    Some(hex(&h.finalize()))
}

/// Everything besides a file that its findings depend on.
fn fingerprint(ws: &Workspace, registry: &Registry) -> String {
    let mut h = Sha256::new();
    h.update(FORMAT.as_bytes());
    h.update([0]);
    h.update(Stamp::new(ws).as_str().as_bytes());
    // The forms folder: which names are files there (form-missing).
    if let Some(dir) = ws.forms_dir() {
        let mut files = Vec::new();
        collect(&dir, &mut files);
        files.sort();
        for f in files {
            let name = f.strip_prefix(&dir).unwrap_or(&f);
            h.update(name.to_string_lossy().as_bytes());
            h.update([0, u8::from(f.is_file())]);
        }
    }
    // The registry's records as the rules read them: a release's stamp on
    // them is not read by any rule, and changes at every release. (Field
    // by field: spelling each record with `{:?}` escaped every character
    // of its names, a third of the gate's time. A field added to the
    // record does not compile here until it is hashed or left out.)
    for r in registry.records() {
        let crate::codes::registry::Record {
            code,
            category,
            sector,
            name,
            sub_name,
            registered_name,
            registered_sub_name,
            status,
            origin,
            serial,
            first_release: _,
            former_names,
        } = r;
        let texts = [&**code, category, sector, name, sub_name];
        for text in texts
            .into_iter()
            .chain([&**registered_name, registered_sub_name])
        {
            h.update(text.as_bytes());
            h.update([0]);
        }
        h.update(format!("{status:?}\0{origin:?}\0{serial}\0").as_bytes());
        for former in former_names {
            h.update(former.as_bytes());
            h.update([1]);
        }
        h.update([b'\n']);
    }
    hex(&h.finalize())
}

/// The memo at `path`, when it is whole and made under `fingerprint`
/// (else empty): its lines by key.
fn load(path: &Path, fingerprint: &str) -> Keyed {
    fsx::mapped::Bytes::read(path)
        .ok()
        .and_then(|text| Keyed::unseal(text, &Memo::header(fingerprint), |_, _| true).ok())
        .unwrap_or_default()
}

/// What a memo's line says was found in a file (the rest of the line after
/// its key); none when it does not parse.
fn parse_found(rest: &str) -> Option<Found> {
    serde_json::from_str(rest).ok()
}

/// [`Found`] as a memo's line holds it.
fn found_json(found: &Found) -> String {
    serde_json::to_string(found).expect("findings serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A memo of two files, one with keys and one without.
    fn gated(path: &Path, errors: usize) -> Gated {
        let keys = duplicates::FileKeys {
            sheet: Some(("x/y.yaml".into(), None, Some(3))),
            first: Vec::new(),
            repeats: Vec::new(),
        };
        let files = [
            (
                "a".repeat(64),
                Found {
                    errors,
                    keys: Some(keys),
                },
            ),
            (
                "b".repeat(64),
                Found {
                    errors: 0,
                    keys: None,
                },
            ),
        ];
        let lines = files
            .iter()
            .map(|(key, found)| MemoLine::Made(format!("{key}\t{}", found_json(found))))
            .collect();
        Gated {
            errors,
            remembered: 0,
            memo: Memo {
                fingerprint: "f".into(),
                old: Keyed::default(),
                lines,
            },
            path: path.to_path_buf(),
        }
    }

    /// What the memo at `path` made under `fingerprint` says of the file
    /// of key `key`.
    fn found(path: &Path, fingerprint: &str, key: &str) -> Option<Found> {
        parse_found(load(path, fingerprint).get(key)?)
    }

    #[test]
    fn a_memo_written_ahead_is_put_in_place_only_when_told_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        gated(&path, 1).keep();
        let kept = std::fs::read(&path).unwrap();
        assert_eq!(found(&path, "f", &"a".repeat(64)).unwrap().errors, 1);
        assert_eq!(found(&path, "f", &"b".repeat(64)).unwrap().keys, None);
        // Under another fingerprint, nothing is found.
        assert_eq!(found(&path, "g", &"a".repeat(64)), None);
        // Written ahead: the old memo stays until it is put.
        let ahead = gated(&path, 2).pending();
        assert_eq!(std::fs::read(&path).unwrap(), kept);
        ahead.put();
        let put = std::fs::read(&path).unwrap();
        gated(&path, 2).keep();
        assert_eq!(
            put,
            std::fs::read(&path).unwrap(),
            "the bytes `keep` writes"
        );
        assert_eq!(found(&path, "f", &"a".repeat(64)).unwrap().errors, 2);
        // Dropped (a release that failed after the gate): nothing changes
        // and nothing is left beside it.
        drop(gated(&path, 3).pending());
        assert_eq!(std::fs::read(&path).unwrap(), put);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // No releases folder: none is made.
        let missing = dir.path().join("releases").join(FILE);
        gated(&missing, 0).pending().put();
        assert!(!missing.parent().unwrap().exists());
    }

    #[test]
    fn the_fingerprint_follows_the_records_but_not_their_release_stamps() {
        let ws = Workspace::defaults();
        let items = Path::new(env!("CARGO_MANIFEST_DIR")).join("items");
        let text = std::fs::read_to_string(items.join("codes.lock")).unwrap();
        let registry = Registry::parse(&text).unwrap();
        let code = registry.records()[0].code.clone();
        let before = fingerprint(&ws, &registry);
        assert_eq!(before, fingerprint(&ws, &registry.clone()));
        // A release stamps the records: no rule reads the stamp.
        let mut stamped = registry.clone();
        assert!(stamped.stamp_release("2026.1") > 0);
        assert_eq!(fingerprint(&ws, &stamped), before);
        // A record renamed: the findings may change, every file is checked.
        let mut renamed = registry.clone();
        renamed.rename(&code, "改名后的事项", "");
        assert_ne!(fingerprint(&ws, &renamed), before);
    }
}
