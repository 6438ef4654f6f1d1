//! Spans of `catalog.json` and `catalog.csv` kept from one build for the
//! next (SPEC §10): each holds every entry (`catalog.json` in full, 407 MB
//! at 100,000 entries), and writing one again means reading every entry.
//! Their entries are written in runs of [`RUN`]; a build notes where each
//! run lies in the file it wrote (`dist/.yima.spans`, see docs/formats.md):
//!
//! ```text
//! yima spans 5
//! key<TAB>offset<TAB>length<TAB>checksum<TAB>file<TAB>state
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
//!
//! Everything of `catalog.json` but its last lines (the release it belongs
//! to) is its *prefix*; the record ends with the file, the prefix's key,
//! length and the SHA-256 state at its end, and the digest of the whole file:
//!
//! ```text
//! prefix<TAB>file<TAB>key<TAB>length<TAB>state<TAB>sha256
//! ```
//!
//! A release of the catalog the last build made has the same prefix: it is
//! copied from that file in the kernel, and only the tail is hashed, once
//! the file is proven to be the one recorded ([`Prefix`]).
//!
//! A run's `state` is the SHA-256 state of the file's bytes before it (`-`
//! when not known). A build writes its runs in order, and those before the
//! first entry that changed are the earlier file's at the same places: their
//! hashing waits ([`Prefixed`]) and is taken up from the state the earlier
//! file recorded there. (Hashing `catalog.json` was a quarter of a second
//! of a steady build, on the one thread that writes it.)

mod hashing;

pub use hashing::{Hashing, Prefixed};

use crate::fsx::mapped::Bytes;
use sha2::Sha256;
use sha2::digest::Digest;
use sha2::digest::common::hazmat::{SerializableState, SerializedState};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The file's name, in the root of the output folder.
pub const FILE: &str = ".yima.spans";

const HEADER: &str = "yima spans 5";

/// Entries per run.
pub const RUN: usize = 256;

/// Where a run lies in its file, and the checksum of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub len: u64,
    pub sum: String,
    /// The file it lies in, relative to the tree's root.
    pub rel: String,
    /// The SHA-256 state of the file's bytes before it ([`state_hex`]),
    /// when known.
    pub state: Option<String>,
}

/// A run copied from an earlier file: its bytes, their checksum, and
/// where it lay there with the SHA-256 state of the bytes before it.
pub struct Copied {
    pub run: Run,
    pub sum: String,
    pub offset: u64,
    pub state: Option<String>,
}

/// The prefix of a file (all of it but its tail): what it is made from
/// (its key), its length, the SHA-256 state after it
/// ([`sha2::digest::common::hazmat::SerializableState`], in hex) and the
/// digest of the whole file it was noted in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    pub key: String,
    pub len: u64,
    pub state: String,
    pub sha256: String,
}

/// A file's prefix, with the file.
type FilePrefix = (String, Prefix);

/// What an earlier tree's [`FILE`] records: the tree, the runs of its
/// files and a file's prefix (with the file).
#[derive(Debug)]
struct Old {
    root: PathBuf,
    runs: HashMap<String, Span>,
    prefix: Option<FilePrefix>,
}

/// The spans of a `catalog.json` of an earlier tree, and those of the one
/// being written.
#[derive(Debug, Default)]
pub struct Spans {
    /// The output folders whose [`FILE`] may serve, first found first.
    roots: Vec<PathBuf>,
    old: OnceLock<Option<Old>>,
    new: Mutex<Vec<(String, Span)>>,
    new_prefix: Mutex<Option<FilePrefix>>,
    /// How many runs were copied rather than written.
    copied: std::sync::atomic::AtomicUsize,
    /// The earlier file proven whole ([`Spans::trust`]).
    trusted: OnceLock<String>,
    /// The earlier files runs are copied from, mapped ([`Spans::mapped`]).
    files: Mutex<Vec<(String, Option<Arc<Bytes>>)>>,
}

/// The bytes of a run: of an earlier file, mapped, or made anew.
#[derive(Debug, Clone)]
pub struct Run(Arc<Bytes>, std::ops::Range<usize>);

impl std::ops::Deref for Run {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0[self.1.clone()]
    }
}

impl PartialEq for Run {
    fn eq(&self, other: &Run) -> bool {
        **self == **other
    }
}

impl Eq for Run {}

impl Run {
    /// The bytes at `range` of a mapped file, shared rather than copied.
    pub fn within(bytes: &Arc<Bytes>, range: std::ops::Range<usize>) -> Run {
        Run(Arc::clone(bytes), range)
    }
}

impl From<Vec<u8>> for Run {
    fn from(bytes: Vec<u8>) -> Run {
        let len = bytes.len();
        Run(Arc::new(Bytes::from(bytes)), 0..len)
    }
}

impl Spans {
    /// The spans kept in the output folders `roots` (read when first
    /// asked).
    pub fn new(roots: Vec<PathBuf>) -> Spans {
        Spans {
            roots,
            ..Spans::default()
        }
    }

    fn old(&self) -> Option<&Old> {
        self.old
            .get_or_init(|| {
                self.roots.iter().find_map(|root| {
                    let text = std::fs::read_to_string(root.join(FILE)).ok()?;
                    let (runs, prefix) = parse(&text)?;
                    Some(Old {
                        root: root.clone(),
                        runs,
                        prefix,
                    })
                })
            })
            .as_ref()
    }

    /// The prefix recorded for the earlier file `rel`: the earlier tree's
    /// root, the file, and the record (whose `sha256` the file must be
    /// proven to have before the prefix is taken).
    pub fn prefix(&self, rel: &str) -> Option<(&Path, PathBuf, &Prefix)> {
        let old = self.old()?;
        let (file, prefix) = old.prefix.as_ref().filter(|(f, _)| f == rel)?;
        Some((&old.root, old.root.join(file), prefix))
    }

    /// Notes that the earlier file `rel` is proven to be the one its spans
    /// were recorded in (by its settled stat): its runs are copied without
    /// checking their checksums.
    pub fn trust(&self, rel: &str) {
        let _ = self.trusted.set(rel.to_string());
    }

    /// Notes the prefix of the new file `rel`.
    pub fn note_prefix(&self, rel: &str, prefix: Prefix) {
        *self.new_prefix.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((rel.to_string(), prefix));
    }

    /// The bytes of the run of `key` in the earlier file `rel`, when it is
    /// recorded and the bytes there still hash to what was recorded (or the
    /// file is proven, [`Spans::trust`]); with that digest, which is theirs
    /// wherever they are written.
    pub fn copy(&self, rel: &str, key: &str) -> Option<(Run, String)> {
        self.copy_placed(rel, key).map(|c| (c.run, c.sum))
    }

    /// [`Spans::copy`], with where the run lay in the earlier file.
    pub fn copy_placed(&self, rel: &str, key: &str) -> Option<Copied> {
        let old = self.old()?;
        let span = old.runs.get(key).filter(|s| s.rel == rel)?;
        let file = self.mapped(old, rel)?;
        // A record that reaches past the file's end is not read.
        let start = usize::try_from(span.offset).ok()?;
        let end = start.checked_add(usize::try_from(span.len).ok()?)?;
        if end > file.len() {
            return None;
        }
        let bytes = Run(file, start..end);
        let holds = self.trusted.get().is_some_and(|t| t == rel)
            || crate::fsx::checksum_hex(&bytes) == span.sum;
        if holds {
            self.copied
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        holds.then(|| Copied {
            run: bytes,
            sum: span.sum.clone(),
            offset: span.offset,
            state: span.state.clone(),
        })
    }

    /// The SHA-256 state the earlier file `rel` recorded before its run
    /// at `offset`, else that of its bytes before `offset` hashed now; none
    /// when it cannot be read. (For a file whose bytes before `offset` are
    /// the earlier file's.)
    pub fn state_at(&self, rel: &str, offset: u64) -> Option<Sha256> {
        let old = self.old()?;
        let recorded = (old.runs.values())
            .find(|s| s.rel == rel && s.offset == offset)
            .and_then(|s| state_of(s.state.as_deref()?));
        recorded.or_else(|| {
            let file = self.mapped(old, rel)?;
            let upto = usize::try_from(offset).ok()?;
            Some(Sha256::new().chain_update(file.get(..upto)?))
        })
    }

    /// Whether the earlier file `rel` begins with `head`.
    pub fn begins_with(&self, rel: &str, head: &[u8]) -> bool {
        (self.old()).is_some_and(|old| self.mapped(old, rel).is_some_and(|f| f.starts_with(head)))
    }

    /// The earlier file `rel`, mapped once for every run copied from it
    /// (read into memory taken fresh, a run at a time, its 400 MB cost a
    /// build as much as writing them); none when it cannot be read.
    fn mapped(&self, old: &Old, rel: &str) -> Option<Arc<Bytes>> {
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, file)) = files.iter().find(|(r, _)| r == rel) {
            return file.clone();
        }
        let file = Bytes::read(&old.root.join(rel)).ok().map(Arc::new);
        files.push((rel.to_string(), file.clone()));
        file
    }

    /// How many runs were copied rather than written.
    pub fn copied(&self) -> usize {
        self.copied.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Notes where the run of `key` lies in the new file `rel`; `sum` is
    /// the bytes' digest when it is known (a copied run's), else it is
    /// worked out.
    pub fn note(&self, rel: &str, key: &str, offset: u64, bytes: &[u8], sum: Option<String>) {
        self.note_with_state(rel, key, offset, bytes, sum, None);
    }

    /// [`Spans::note`], with the SHA-256 state of the file's bytes before
    /// the run.
    pub fn note_with_state(
        &self,
        rel: &str,
        key: &str,
        offset: u64,
        bytes: &[u8],
        sum: Option<String>,
        state: Option<String>,
    ) {
        let sum = sum.unwrap_or_else(|| crate::fsx::checksum_hex(bytes));
        self.new.lock().unwrap_or_else(|p| p.into_inner()).push((
            key.to_string(),
            Span {
                offset,
                len: bytes.len() as u64,
                sum,
                rel: rel.to_string(),
                state,
            },
        ));
    }

    /// Whether the earlier spans record a run of `rel` under each of `keys`.
    pub fn has_runs(&self, rel: &str, keys: &[String]) -> bool {
        self.old().is_some_and(|old| {
            keys.iter()
                .all(|k| old.runs.get(k).is_some_and(|s| s.rel == rel))
        })
    }

    /// Notes the earlier runs of `keys` in `rel` as the new file's: it was
    /// kept as it was ([`Spans::has_runs`] holds).
    pub fn keep_runs(&self, rel: &str, keys: &[String]) {
        if let Some(old) = self.old() {
            let mut new = self.new.lock().unwrap_or_else(|p| p.into_inner());
            let runs = keys.iter().filter_map(|k| Some((k, old.runs.get(k)?)));
            new.extend(
                runs.filter(|(_, s)| s.rel == rel)
                    .map(|(k, s)| (k.clone(), s.clone())),
            );
        }
    }

    /// Notes the earlier file `rel`'s spans as the new file's: it was kept
    /// as it was. (A span that no longer holds fails its digest when used.)
    pub fn keep(&self, rel: &str) {
        if let Some(old) = self.old() {
            let mut new = self.new.lock().unwrap_or_else(|p| p.into_inner());
            let runs = old.runs.iter().filter(|(_, s)| s.rel == rel);
            new.extend(runs.map(|(k, s)| (k.clone(), s.clone())));
            drop(new);
            if let Some((file, prefix)) = old.prefix.as_ref().filter(|(f, _)| f == rel) {
                self.note_prefix(file, prefix.clone());
            }
        }
    }

    /// Writes the spans noted to `path` (atomically), in key order.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let mut new = self.new.lock().unwrap_or_else(|p| p.into_inner()).clone();
        new.sort_by(|a, b| a.0.cmp(&b.0));
        let mut text = String::from(HEADER);
        text.push('\n');
        for (key, s) in &new {
            let Span {
                offset,
                len,
                sum,
                rel,
                state,
            } = s;
            let state = state.as_deref().unwrap_or("-");
            text.push_str(&format!("{key}\t{offset}\t{len}\t{sum}\t{rel}\t{state}\n"));
        }
        if let Some((rel, p)) = &*self.new_prefix.lock().unwrap_or_else(|p| p.into_inner()) {
            let Prefix {
                key,
                len,
                state,
                sha256,
            } = p;
            text.push_str(&format!(
                "{PREFIX}\t{rel}\t{key}\t{len}\t{state}\t{sha256}\n"
            ));
        }
        crate::fsx::write_atomic(path, crate::fsx::seal(text).as_bytes())
    }
}

/// The SHA-256 state of `hash` (what it has been fed so far), in hex.
pub fn state_hex(hash: &Sha256) -> String {
    crate::fsx::hex(&hash.serialize())
}

/// The hasher of a state [`state_hex`] gave; none when it does not read.
fn state_of(text: &str) -> Option<Sha256> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect();
    let state = SerializedState::<Sha256>::try_from(&bytes?[..]).ok()?;
    Sha256::deserialize(&state).ok()
}

/// Writes `to` as the first `prefix.len` bytes of `from` (copied in the
/// kernel where it can be) and then `tail`, and answers its SHA-256 and
/// size from the state `prefix` records, the tail alone hashed. None when
/// the state does not read or `from` cannot give the bytes: `to` is then
/// to be written whole (creating it again empties it).
pub fn resume(
    from: &Path,
    to: &Path,
    prefix: &Prefix,
    tail: &[u8],
) -> io::Result<Option<(String, u64)>> {
    let Some(mut hash) = state_of(&prefix.state) else {
        return Ok(None);
    };
    let Ok(source) = std::fs::File::open(from) else {
        return Ok(None);
    };
    let mut out = std::fs::File::create(to)?;
    if io::copy(&mut source.take(prefix.len), &mut out)? != prefix.len {
        return Ok(None);
    }
    out.write_all(tail)?;
    hash.update(tail);
    Ok(Some((
        crate::fsx::hex(&hash.finalize()),
        prefix.len + tail.len() as u64,
    )))
}

/// The first field of the prefix's line (a run's key is a digest in hex).
const PREFIX: &str = "prefix";

/// The spans of a file's text and its prefix; none when it is not whole.
fn parse(text: &str) -> Option<(HashMap<String, Span>, Option<FilePrefix>)> {
    let body = crate::fsx::unseal(text).ok()?;
    let mut lines = body.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let mut out = HashMap::new();
    let mut prefix = None;
    for line in lines {
        let mut f = line.split('\t');
        let key = f.next()?.to_string();
        if key == PREFIX {
            let rel = f.next()?.to_string();
            let p = Prefix {
                key: f.next()?.to_string(),
                len: f.next()?.parse().ok()?,
                state: f.next()?.to_string(),
                sha256: f.next()?.to_string(),
            };
            prefix = Some((rel, p));
            continue;
        }
        let span = Span {
            offset: f.next()?.parse().ok()?,
            len: f.next()?.parse().ok()?,
            sum: f.next()?.to_string(),
            rel: f.next()?.to_string(),
            state: Some(f.next()?).filter(|s| *s != "-").map(str::to_string),
        };
        out.insert(key, span);
    }
    Some((out, prefix))
}

#[cfg(test)]
mod tests;
