//! The content-hash cache of incremental builds (SPEC §10). A build records,
//! for every file it puts in `dist/`, the digest of what the file was made
//! from (its *key*) and the digest of its bytes, in `dist/.yima.cache`. The
//! next build renders a file again only when it cannot prove the old one is
//! what it would render now:
//!
//! - the key of an output is a sha256 of everything it is rendered from: the
//!   [`Stamp`] of the build (the yima binary, `yima.yaml`, the workspace's
//!   templates and schemas, the release version) and the entry — or, for a
//!   file of many entries (a 汇编, a catalog, a shard of the site's data),
//!   the keys of its entries in order;
//! - an old file is reused only when the cache lists it under the same key
//!   *and* its bytes still hash to what the cache recorded: a file edited,
//!   truncated or replaced in `dist/` is rendered again, never published.
//!   A file whose settled stat is the one the memo beside its tree recorded
//!   ([`crate::fsx::settled`]) is not read again to prove it: a hundred
//!   thousand entries keep 4 GB of guides;
//! - a cache that is missing, from another format, truncated or altered (its
//!   last line is the checksum of the lines before it, [`crate::fsx::seal`]) counts as empty: the
//!   build renders everything, which costs time and nothing else.
//!
//! A steady build keeps the reused files where they are in `dist/` and
//! stages only what it renders, the new cache among it; the commit moves
//! them in under a plan ([`crate::fsx::Staged::commit_over`]), so files and
//! cache are published together: a build killed before the plan leaves the
//! old tree and the old cache, one killed after is finished by the next
//! command. A build that swaps a whole tree (the first, `--only docx`, a
//! release) hard-links reused files into it instead — never written through.
//!
//! Here: the keys and the cache's text; [`previous`] reads the earlier
//! trees and proves their files, [`output`] makes the new tree and its
//! records, [`release`] keeps a release's cache and memo beside it, and
//! [`prepare`] brings the guides of `dist/` up to a release's stamps.

use crate::fsx::keyed::Keyed;
use crate::fsx::{hex, sha256_hex};
use crate::workspace::Workspace;
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};

mod kept;
mod output;
mod previous;
mod release;
mod restamp;

pub use kept::Kept;
pub use output::{Counts, Output, SizedByPath, SizedFiles};
pub use previous::{Previous, Take};
pub use release::{ReleaseCache, release_cache};
pub use restamp::{Prepared, Restamped, prepare};

/// The cache's file name, in the root of the output folder.
pub const FILE: &str = ".yima.cache";

/// The first line of the cache: its format.
const HEADER: &str = "yima build cache 1";

/// What every key of a build starts from: the digest of the yima binary, the
/// workspace's configuration, templates and schemas, and the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp(String);

/// The yima binary that runs, as the digest of its bytes (and yima's
/// version): the embedded templates and schemas and the code that reads and
/// renders are all in it, so another binary trusts nothing an earlier one
/// cached — and the same binary installed again (a CI job that installs
/// yima at every run, docs/ci.md) trusts what it cached. Read once per run
/// (about 20 ms), or taken from the workspace's memo of it when the
/// binary's stat is the one noted there. When the binary cannot be read, a value unique to this
/// run: everything is rendered again.
pub fn binary_id() -> String {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let id = match running_binary_digest() {
            Ok(digest) => digest,
            Err(_) => format!("{:?}", std::time::SystemTime::now()),
        };
        sha256_hex(format!("{}\0{id}", env!("CARGO_PKG_VERSION")).as_bytes())
    })
    .clone()
}

/// The SHA-256 of the running executable's bytes. On Linux through
/// `/proc/self/exe`, which is the binary running even when its file has
/// been replaced or removed since it started.
fn running_binary_digest() -> io::Result<String> {
    let path = if cfg!(target_os = "linux") {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe()?
    };
    // (Hashing the binary's 20 MB was 20 ms of each command, four a step
    // of CI: its digest is remembered beside the workspace by its settled
    // stat, in a stat memo as every other file's is, [`crate::fsx::settled`].)
    use crate::fsx::settled::{Memo, Stat};
    let memo = BINARY_MEMO.get();
    let key = path.to_string_lossy();
    if let Some(digest) = memo.and_then(|memo| Memo::digest_of_one(memo, &key)) {
        return Ok(digest);
    }
    let digest = crate::fsx::sha256_file(&path)?
        .map(|(_, digest)| digest)
        .ok_or_else(|| io::Error::other("the running binary is not a regular file"))?;
    if let (Some(memo), Some(stat)) = (memo, Stat::settled(&path)) {
        // (One that cannot be written costs the next run the hashing.)
        let next = Memo::default();
        next.note(&key, stat, &digest);
        let _ = next.save(memo);
    }
    Ok(digest)
}

/// The stat memo (`.binary.yima.stats`, beside a workspace's `yima.yaml`)
/// that remembers the running binary's digest by its stat, its one line
/// named by the binary's path (docs/formats.md).
pub const BINARY_FILE: &str = ".binary.yima.stats";

/// Where the running binary's digest is remembered, once a workspace is
/// loaded ([`remember_binary_beside`]).
static BINARY_MEMO: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Remembers the running binary's digest in the workspace at `root` (the
/// first workspace a run loads; a run's binary is worked out once).
pub fn remember_binary_beside(root: &Path) {
    // (The memo beside the "tree" `binary` is `.binary.yima.stats`.)
    let _ = BINARY_MEMO.set(root.join("binary"));
}

impl Stamp {
    /// The stamp as text (a SHA-256 in hex).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stamp of a build of `ws`. The release version is not part of it:
    /// an entry's key holds its release stamp, a file that shows the version
    /// holds it in its key.
    pub fn new(ws: &Workspace) -> Stamp {
        let mut h = Sha256::new();
        h.update(HEADER.as_bytes());
        // Another binary renders everything once.
        h.update(binary_id().as_bytes());
        h.update(format!("{:?}", ws.config).as_bytes());
        if ws.root.is_some() {
            for dir in [&ws.config.paths.templates, &ws.config.paths.schemas] {
                hash_tree(&mut h, &ws.path(dir));
            }
        }
        Stamp(hex(&h.finalize()))
    }

    /// The key of one entry's own outputs (its guides): the stamp, the
    /// digest of the entry as it is ([`super::stamps::digests`]), its release
    /// stamp, and where its forms are linked (`links`).
    pub fn entry_key(&self, entry: &str, release: &str, links: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.0.as_bytes());
        h.update(b"entry\0");
        h.update(entry.as_bytes());
        h.update([0]);
        h.update(release.as_bytes());
        h.update([0]);
        h.update(links.as_bytes());
        hex(&h.finalize())
    }

    /// The key of a file made from many entries: what it is (`what`, e.g. a
    /// file name) and the keys of its entries, in order.
    pub fn group_key<'k>(&self, what: &str, keys: impl IntoIterator<Item = &'k str>) -> String {
        let mut h = Sha256::new();
        h.update(self.0.as_bytes());
        h.update(b"group\0");
        h.update(what.as_bytes());
        // (The same bytes fed a buffer at a time: two small updates a key
        // cost as much as the hashing, over 100,000 keys.)
        let mut buf = Vec::with_capacity(1 << 16);
        for k in keys {
            buf.push(0);
            buf.extend_from_slice(k.as_bytes());
            if buf.len() >= 1 << 16 {
                h.update(&buf);
                buf.clear();
            }
        }
        h.update(&buf);
        hex(&h.finalize())
    }
}

/// Feeds every file under `dir` (paths and bytes, in path order) to `h`;
/// nothing when there is no such folder.
fn hash_tree(h: &mut Sha256, dir: &Path) {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update([0]);
        match std::fs::read(&f) {
            Ok(bytes) => h.update(Sha256::digest(&bytes)),
            Err(e) => h.update(e.to_string().as_bytes()),
        }
    }
}

pub(crate) fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// One file as the new cache records it: its line, `path<TAB>key<TAB>sha256`
/// — made anew, or, for a file taken from an earlier tree, the line of
/// that tree's cache (the same path, key and digest), read where it stands
/// ([`Previous::line`]): a steady build takes 300,000 files, and three
/// strings each were 900,000 allocations in memory taken fresh.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Recorded {
    Made(Box<str>),
    /// The earlier tree (by its place among the trees) and the line's place
    /// in its cache.
    Kept(u16, u32),
}

impl Recorded {
    fn made(path: &str, key: &str, sha256: &str) -> Recorded {
        Recorded::Made(format!("{path}\t{key}\t{sha256}").into())
    }

    /// Its line, and the length of the path that begins it.
    fn line<'a>(&'a self, previous: &'a Previous) -> (&'a [u8], usize) {
        match self {
            Recorded::Made(line) => (line.as_bytes(), line.find('\t').unwrap_or(0)),
            Recorded::Kept(tree, i) => previous.line(*tree, *i),
        }
    }

    /// Its path.
    fn path<'a>(&'a self, previous: &'a Previous) -> &'a [u8] {
        let (line, path) = self.line(previous);
        &line[..path]
    }

    /// Its sha256 (the last field: 64 hex digits, as the cache's check of
    /// a kept line holds).
    fn sha256<'a>(&'a self, previous: &'a Previous) -> &'a str {
        sha256_of(self.line(previous).0)
    }
}

/// The sha256 a cache's line records: its last field.
fn sha256_of(line: &[u8]) -> &str {
    let at = line.iter().rposition(|&b| b == b'\t').map_or(0, |t| t + 1);
    text(&line[at..])
}

/// Bytes known to be UTF-8 (a path or digest of a line found by a `&str`).
fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Writes a cache's text into `w`: the header, `lines` (each
/// `path<TAB>key<TAB>sha256`, in path order) and their checksum
/// ([`crate::fsx::seal_into`]), streamed.
fn write_sealed<'l>(
    w: &mut dyn io::Write,
    lines: impl IntoIterator<Item = &'l [u8]> + Clone,
) -> io::Result<()> {
    crate::fsx::seal_into(w, &mut |w| {
        w.write_all(HEADER.as_bytes())?;
        w.write_all(b"\n")?;
        for line in lines.clone() {
            w.write_all(line)?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Reads a cache's text: the header, `path<TAB>key<TAB>sha256` lines, and
/// the checksum of all that as the last line ([`crate::fsx::seal`]). A line
/// whose path leaves the tree or whose fields are no digests is never found.
fn parse(text: impl Into<crate::fsx::mapped::Bytes>) -> Result<Keyed, String> {
    use crate::fsx::is_sha256_hex as hex64;
    Keyed::unseal(text, HEADER, |path, rest| {
        let safe = !path.starts_with('/') && !path.contains("..");
        safe && recorded(rest).is_some_and(|(key, sha)| hex64(key) && hex64(sha))
    })
}

/// The key and digest a cache records for a file: the rest of its line.
fn recorded(rest: &str) -> Option<(&str, &str)> {
    rest.split_once('\t')
}

#[cfg(test)]
mod tests;

/// The records an earlier tree keeps beside its files (`file` in each of
/// `roots`, read by `read`), by key: where two trees have a key, the first
/// root's.
pub(crate) fn kept_records<T>(
    roots: &[PathBuf],
    file: &str,
    read: impl Fn(&Path) -> Vec<(String, T)>,
) -> std::collections::HashMap<String, T> {
    let mut map = std::collections::HashMap::new();
    for root in roots {
        for (k, v) in read(&root.join(file)) {
            map.entry(k).or_insert(v);
        }
    }
    map
}
