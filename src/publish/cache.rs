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

use crate::fsx::keyed::Keyed;
use crate::fsx::settled::{Memo, Stat};
use crate::fsx::{hex, sha256_hex};
use crate::workspace::Workspace;
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

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
/// (about 10 ms). When the binary cannot be read, a value unique to this
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
    crate::fsx::sha256_file(&path)?
        .map(|(_, digest)| digest)
        .ok_or_else(|| io::Error::other("the running binary is not a regular file"))
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
        for k in keys {
            h.update([0]);
            h.update(k.as_bytes());
        }
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

/// One file as the cache records it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Recorded {
    key: String,
    sha256: String,
}

/// Where the cache of the release in `dir` is kept: beside the release
/// folder (`releases/.VERSION.yima.cache`), not in it, so that a release
/// holds the same bytes whichever yima binary made it.
pub fn release_cache(dir: &Path) -> PathBuf {
    crate::fsx::beside(dir, "yima.cache")
}

/// The cache and the memo a release keeps beside itself for the next build
/// and release, made while the release is still staged
/// ([`ReleaseCache::of`]) and written once it is in place
/// ([`ReleaseCache::keep`]).
pub struct ReleaseCache {
    cache: String,
    memo: String,
}

impl ReleaseCache {
    /// The texts of the cache and the memo of the tree `out` staged at
    /// `staged`: its files keep their stats when the folder is put in place.
    pub fn of(out: &Output<'_>, staged: &Path) -> ReleaseCache {
        let (cache, memo) = rayon::join(
            || out.cache_text(),
            || {
                out.note_written(staged);
                out.memo_text()
            },
        );
        ReleaseCache { cache, memo }
    }

    /// Writes them beside the release just made in `dir` and removes those
    /// of older releases (only the newest one's are read). A memo that
    /// cannot be written costs the next release time only.
    pub fn keep(&self, dir: &Path) -> io::Result<()> {
        let path = release_cache(dir);
        crate::fsx::write_atomic(&path, self.cache.as_bytes())?;
        let _ = crate::fsx::settled::Memo::write(dir, &self.memo);
        let memo = crate::fsx::settled::memo_path(dir);
        if let Some(parent) = dir.parent() {
            for e in std::fs::read_dir(parent)?.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let ours = e.path() == path || e.path() == memo;
                let kept = name.ends_with(".yima.cache") || name.ends_with(".yima.stats");
                if name.starts_with('.') && kept && !ours {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }
}

/// One earlier tree: its folder and what its cache says of its files.
#[derive(Debug, Default)]
struct Tree {
    root: PathBuf,
    files: Keyed,
    /// The stats of its files as the run that made it found them: read
    /// with the cache for the first tree, which serves most files, and
    /// when first needed for the others (a steady build takes nothing
    /// from the release beside it, and a release nothing from `dist/`).
    memo: OnceLock<Memo>,
    /// How its files come into the new tree.
    by: Take,
}

impl Tree {
    fn memo(&self) -> &Memo {
        self.memo.get_or_init(|| Memo::load(&self.root))
    }
}

/// How a file of an earlier tree comes into the new one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Take {
    /// Hard-linked: the earlier tree is of the same kind (the previous
    /// `dist/` of a build, which the build then removes; the previous
    /// release of a release, which is never written to).
    #[default]
    Link,
    /// Copied: the earlier tree lives on beside the new one and is of
    /// another kind (a release and `dist/`), so that editing a file of
    /// `dist/` can never change a release.
    Copy,
}

/// The trees a build may reuse files from — the previous build in its
/// output folder, and the newest release — and what their caches say.
#[derive(Debug, Default)]
pub struct Previous {
    trees: Vec<Tree>,
    /// Why a cache was not used, when there was one to read.
    pub ignored: Option<String>,
}

impl Previous {
    /// No previous build: everything is rendered.
    pub fn none() -> Previous {
        Previous::default()
    }

    /// The cache of the build in `root`; empty when there is none or it
    /// cannot be trusted (see [`Previous::ignored`]).
    pub fn load(root: &Path) -> Previous {
        Previous::load_with_release(root, None)
    }

    /// The cache of the build in `root` and, when given, of the release in
    /// `release` (its files copied), read at once: what a build reuses.
    pub fn load_with_release(root: &Path, release: Option<&Path>) -> Previous {
        let mut p = Previous::none();
        let mut trees = vec![(root, root.join(FILE), Take::Link)];
        if let Some(dir) = release {
            trees.push((dir, release_cache(dir), Take::Copy));
        }
        p.add_all(&trees);
        p
    }

    /// Adds the trees `(root, cache, by)`, in this order: each tree in
    /// `root` described by the cache at `cache` (when there is one that can
    /// be trusted), its files taken `by`. The caches and memos are read in
    /// parallel.
    pub fn add_all(&mut self, trees: &[(&Path, PathBuf, Take)]) {
        use rayon::prelude::*;
        let read: Vec<Result<Option<Tree>, String>> = trees
            .par_iter()
            .enumerate()
            .map(
                |(n, (root, cache, by))| match std::fs::read_to_string(cache) {
                    Ok(text) => match parse(text) {
                        Ok(files) => Ok(Some(Tree {
                            root: root.to_path_buf(),
                            files,
                            memo: match n {
                                0 => OnceLock::from(Memo::load(root)),
                                _ => OnceLock::new(),
                            },
                            by: *by,
                        })),
                        Err(why) => Err(format!("{}: {why}", cache.display())),
                    },
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(format!("{}: {e}", cache.display())),
                },
            )
            .collect();
        for tree in read {
            match tree {
                Ok(tree) => self.trees.extend(tree),
                Err(why) => {
                    self.ignored.get_or_insert(why);
                }
            }
        }
    }

    /// The folders of the earlier trees, in the order they serve.
    /// The digest of the file `rel` of the earlier tree in `root`, when its
    /// settled stat proves it ([`Memo::digest`]).
    fn proven(&self, root: &Path, rel: &str) -> Option<&str> {
        let tree = self.trees.iter().find(|t| t.root == root)?;
        tree.memo()
            .digest(rel, &root.join(rel))
            .map(|(_, sha256)| sha256)
    }

    fn roots(&self) -> Vec<PathBuf> {
        self.trees.iter().map(|t| t.root.clone()).collect()
    }

    /// Whether any cache lists any file.
    pub fn is_empty(&self) -> bool {
        self.trees.iter().all(|t| t.files.is_empty())
    }

    /// The first tree in which every file of `paths` is recorded under
    /// `key` and still holds the bytes recorded — its stat is the one the
    /// tree's memo recorded with that digest, or its bytes hash to it —
    /// with their digests and settled stats.
    fn verify(&self, key: &str, paths: &[&str]) -> Option<(&Path, Take, Vec<Proven>)> {
        'trees: for tree in &self.trees {
            let mut proven = Vec::with_capacity(paths.len());
            for rel in paths {
                let Some((r_key, r_sha256)) = tree.files.get(rel).and_then(recorded) else {
                    continue 'trees;
                };
                if r_key != key {
                    continue 'trees;
                }
                let path = tree.root.join(rel);
                let (stat, size) = match tree.memo().digest(rel, &path) {
                    Some((stat, sha256)) if sha256 == r_sha256 => (Some(stat), stat.size()),
                    _ => {
                        // Looked at before it is read: a change while it is
                        // read moves its time past the stat noted.
                        let stat = Stat::settled(&path);
                        match digest_of(&path) {
                            Ok((sha256, size)) if sha256 == r_sha256 => (stat, size),
                            _ => continue 'trees,
                        }
                    }
                };
                proven.push(Proven {
                    sha256: r_sha256.to_string(),
                    stat,
                    size,
                });
            }
            return Some((&tree.root, tree.by, proven));
        }
        None
    }
}

/// A file of an earlier tree proven current: its digest, settled stat and
/// size.
struct Proven {
    sha256: String,
    stat: Option<Stat>,
    size: u64,
}

/// The sha256 and size of a file, read into a buffer each thread reuses
/// (fresh memory is slow to come by: every page is zeroed first).
fn digest_of(path: &Path) -> io::Result<(String, u64)> {
    use std::io::Read;
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        std::fs::File::open(path)?.read_to_end(&mut buf)?;
        Ok((sha256_hex(&buf), buf.len() as u64))
    })
}

/// Reads a cache's text: the header, `path<TAB>key<TAB>sha256` lines, and
/// the checksum of all that as the last line ([`crate::fsx::seal`]). A line
/// whose path leaves the tree or whose fields are no digests is never found.
fn parse(text: String) -> Result<Keyed, String> {
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

/// The files of the tree being built: written anew or linked from the
/// previous build, each recorded for the new cache.
pub struct Output<'p> {
    root: PathBuf,
    /// The tree the new one will be committed over, when files it proves
    /// are kept where they are instead of linked into `root`
    /// ([`crate::fsx::Staged::commit_over`]).
    in_place: Option<PathBuf>,
    /// The files kept in place there.
    kept: Mutex<rustc_hash::FxHashSet<String>>,
    previous: &'p Previous,
    /// Each file of the new tree: its record and, when known, its size.
    recorded: Mutex<Vec<(String, Recorded, Option<u64>)>>,
    /// The settled stats of the files linked into it.
    memo: Memo,
    /// The folders made in it so far.
    dirs: Mutex<rustc_hash::FxHashSet<PathBuf>>,
    /// The deflated pieces of its workbooks' rows, and those the earlier
    /// trees kept.
    pieces: super::pieces::Pieces,
    /// Where the runs of its `catalog.json` lie, and those of the earlier
    /// trees' ([`super::spans`]).
    spans: super::spans::Spans,
    written: AtomicUsize,
    /// The files it wrote or copied (not linked), with their digests: noted
    /// in its memo once they have settled ([`Output::note_written`]).
    fresh: Mutex<Vec<(String, String)>>,
    reused: AtomicUsize,
    /// The thread that makes its hard links ([`super::linker`]), started
    /// with the first; none when it could not be started.
    linker: OnceLock<Option<super::linker::Linker>>,
}

/// A writer that hashes and counts what it passes on.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: io::Write> io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// How many files a build wrote and how many it reused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub written: usize,
    pub reused: usize,
}

impl<'p> Output<'p> {
    /// The tree being built in `root`, reusing what `previous` proves.
    pub fn new(root: &Path, previous: &'p Previous) -> Output<'p> {
        Output {
            root: root.to_path_buf(),
            in_place: None,
            kept: Mutex::default(),
            previous,
            recorded: Mutex::new(Vec::new()),
            memo: Memo::default(),
            dirs: Mutex::default(),
            pieces: super::pieces::Pieces::new(previous.roots()),
            spans: super::spans::Spans::new(previous.roots()),
            written: AtomicUsize::new(0),
            fresh: Mutex::default(),
            reused: AtomicUsize::new(0),
            linker: OnceLock::new(),
        }
    }

    /// The tree being built in `root` to be committed over `target`: a file
    /// of `target` that `previous` proves (when `target` is the tree it
    /// links from) stays where it is — [`Output::kept`] lists them — and
    /// `root` holds only what is new.
    pub fn over(root: &Path, target: &Path, previous: &'p Previous) -> Output<'p> {
        Output {
            in_place: Some(target.to_path_buf()),
            ..Output::new(root, previous)
        }
    }

    /// The folder being built.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The files kept in place (see [`Output::over`]).
    pub fn kept(&self) -> rustc_hash::FxHashSet<String> {
        self.lock_kept().clone()
    }

    fn lock_kept(&self) -> std::sync::MutexGuard<'_, rustc_hash::FxHashSet<String>> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the previous build's `paths` (relative, with `/`) into the new
    /// tree — kept in place ([`Output::over`]), else linked or copied into
    /// it — when all of them are recorded under `key` and unchanged; returns
    /// whether it did. Any doubt — a file missing, altered, recorded under
    /// another key, a link that fails — answers false: render them. (A
    /// file linked may be handed to the linker thread: it is in the tree
    /// once [`Output::finish_links`] returns.)
    pub fn reuse(&self, key: &str, paths: &[&str]) -> bool {
        self.reuse_digests(key, paths).is_some()
    }

    /// [`Output::reuse`], giving the SHA-256 of each file taken (what it was
    /// proven to hold: the file may not be in the tree yet).
    pub fn reuse_digests(&self, key: &str, paths: &[&str]) -> Option<Vec<String>> {
        if self.previous.is_empty() {
            return None;
        }
        let (from_root, by, proven) = self.previous.verify(key, paths)?;
        let mut same = Vec::with_capacity(paths.len());
        if by == Take::Link && self.in_place.as_deref() == Some(from_root) {
            // The new tree is committed over this one: the files stay.
            self.lock_kept()
                .extend(paths.iter().map(|rel| rel.to_string()));
            same.resize(paths.len(), true);
        }
        for (i, rel) in paths.iter().enumerate().skip(same.len()) {
            let to = self.root.join(rel);
            let from = from_root.join(rel);
            let linked = to
                .parent()
                .map_or(Ok(()), |dir| self.ensure_dir(dir))
                .and_then(|()| match by {
                    // (Handed to the linker: it links, or copies, before the
                    // render ends, or fails it.)
                    Take::Link if self.hand_to_linker(&from, &to) => Ok(true),
                    Take::Link => std::fs::hard_link(&from, &to)
                        .map(|()| true)
                        .or_else(|_| std::fs::copy(&from, &to).map(|_| false)),
                    Take::Copy => std::fs::copy(&from, &to).map(|_| false),
                });
            match linked {
                Ok(linked) => same.push(linked),
                Err(_) => {
                    // What was linked goes again: the files are rendered
                    // anew, and never written through a link into the old
                    // tree.
                    for done in &paths[..i] {
                        let _ = std::fs::remove_file(self.root.join(done));
                    }
                    return None;
                }
            }
        }
        // A linked file is the same file, with the same stat; a copy is a
        // new one, noted like a file written once it has settled.
        for ((rel, p), linked) in paths.iter().zip(&proven).zip(same) {
            if linked {
                if let Some(stat) = p.stat {
                    self.memo.note(rel, stat, &p.sha256);
                }
            } else {
                self.lock_fresh().push((rel.to_string(), p.sha256.clone()));
            }
        }
        let digests = proven.iter().map(|p| p.sha256.clone()).collect();
        let mut rec = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        for (rel, p) in paths.iter().zip(proven) {
            rec.push((
                rel.to_string(),
                Recorded {
                    key: key.to_string(),
                    sha256: p.sha256,
                },
                Some(p.size),
            ));
        }
        self.reused.fetch_add(paths.len(), Ordering::Relaxed);
        Some(digests)
    }

    /// Hands the linker thread a file to link; false when there is none.
    fn hand_to_linker(&self, from: &Path, to: &Path) -> bool {
        let linker = self
            .linker
            .get_or_init(|| super::linker::Linker::spawn().ok());
        linker
            .as_ref()
            .is_some_and(|l| l.link(from.to_path_buf(), to.to_path_buf()))
    }

    /// Waits until every file handed to the linker is in the new tree: before
    /// anything reads the tree. An error names a file that could be neither
    /// linked nor copied.
    pub fn finish_links(&self) -> io::Result<()> {
        match self.linker.get() {
            Some(Some(linker)) => linker.finish().map(|_| ()),
            _ => Ok(()),
        }
    }

    /// Writes a file of the new tree (relative path with `/`), rendered from
    /// `key`, and records it.
    pub fn write(&self, rel: &str, key: &str, bytes: &[u8]) -> io::Result<()> {
        self.put(rel, key, &mut |path| {
            std::fs::write(path, bytes)?;
            Ok((sha256_hex(bytes), bytes.len() as u64))
        })
    }

    /// Writes a file of the new tree as [`Output::write`] does, its bytes
    /// streamed by `body` (a file too big to hold in memory at once, such
    /// as `catalog.json`) and hashed as they go.
    pub fn write_with(
        &self,
        rel: &str,
        key: &str,
        body: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        use io::Write;
        self.put(rel, key, &mut |path| {
            let mut w = Hashing {
                inner: io::BufWriter::with_capacity(1 << 18, std::fs::File::create(path)?),
                hash: Sha256::new(),
                len: 0,
            };
            body(&mut w)?;
            w.inner.flush()?;
            Ok((hex(&w.hash.finalize()), w.len))
        })
    }

    /// Writes a file of the new tree as [`Output::write_with`] does, its
    /// bytes a prefix streamed by `body` and then `tail`. When the earlier
    /// tree's file `rel` is proven to be the file its spans were recorded
    /// in ([`super::spans::Prefix`]) and its prefix has the key
    /// `prefix_key`, the prefix is copied from there and only the tail is
    /// hashed (a release's `catalog.json` after a build of the same
    /// entries); of another key, its runs are copied unchecked.
    pub fn write_prefixed(
        &self,
        rel: &str,
        key: &str,
        prefix_key: &str,
        body: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
        tail: &[u8],
    ) -> io::Result<()> {
        use super::spans::{Prefix, resume, state_hex};
        use io::Write;
        // (Proven, the earlier file's runs need no checksum either.)
        let earlier = self.spans.prefix(rel).filter(|(root, _, p)| {
            self.previous
                .proven(root, rel)
                .is_some_and(|sha256| sha256 == p.sha256)
        });
        if earlier.is_some() {
            self.spans.trust();
        }
        let earlier = earlier.filter(|(_, _, p)| p.key == prefix_key);
        self.put(rel, key, &mut |path| {
            if let Some((_, from, p)) = earlier
                && let Some((sha256, size)) = resume(from, path, p, tail)?
            {
                // The runs lie where they lay.
                self.spans.keep(rel);
                self.spans.note_prefix(Prefix {
                    sha256: sha256.clone(),
                    ..p.clone()
                });
                return Ok((sha256, size));
            }
            let mut w = Hashing {
                inner: io::BufWriter::with_capacity(1 << 18, std::fs::File::create(path)?),
                hash: Sha256::new(),
                len: 0,
            };
            body(&mut w)?;
            let (len, state) = (w.len, state_hex(&w.hash));
            w.write_all(tail)?;
            w.inner.flush()?;
            let sha256 = hex(&w.hash.finalize());
            self.spans.note_prefix(Prefix {
                key: prefix_key.to_string(),
                len,
                state,
                sha256: sha256.clone(),
            });
            Ok((sha256, w.len))
        })
    }

    /// Puts the file `rel` of the new tree, written by `write` (which
    /// answers its sha256 and size), and records it; an error names the
    /// file.
    fn put(
        &self,
        rel: &str,
        key: &str,
        write: &mut dyn FnMut(&Path) -> io::Result<(String, u64)>,
    ) -> io::Result<()> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            self.ensure_dir(dir)?;
        }
        crate::fsx::fault::point("publish:write")?;
        let (sha256, size) = write(&path)
            .map_err(|err| io::Error::new(err.kind(), format!("{}: {err}", path.display())))?;
        self.lock_fresh().push((rel.to_string(), sha256.clone()));
        self.record_sized(rel, key, sha256, Some(size));
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn lock_fresh(&self) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
        self.fresh.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes in the tree's memo the stat of each file it wrote or copied,
    /// found under `root` (where the tree is now: renaming a file keeps its
    /// stat), when it has settled. A file is noted with the digest of the
    /// bytes written, which nothing else writes to while the tree is being
    /// made; written early in a long build, it has settled by the end, and
    /// the next run takes its digest from the memo instead of reading it
    /// (the first steady build after a full one read every guide again).
    pub fn note_written(&self, root: &Path) {
        use rayon::prelude::*;
        let fresh = std::mem::take(&mut *self.lock_fresh());
        fresh.par_iter().for_each(|(rel, sha256)| {
            if let Some(stat) = Stat::settled(&root.join(rel)) {
                self.memo.note(rel, stat, sha256);
            }
        });
    }

    /// Records a file put in the tree some other way, with its digest.
    pub fn record(&self, rel: &str, key: &str, sha256: String) {
        self.record_sized(rel, key, sha256, None);
    }

    fn record_sized(&self, rel: &str, key: &str, sha256: String, size: Option<u64>) {
        self.recorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((
                rel.to_string(),
                Recorded {
                    key: key.to_string(),
                    sha256,
                },
                size,
            ));
    }

    /// How many files were written and reused so far.
    pub fn counts(&self) -> Counts {
        Counts {
            written: self.written.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
        }
    }

    /// Every recorded file with its sha256, sorted by path.
    pub fn digests(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .recorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(p, r, _)| (p.clone(), r.sha256.clone()))
            .collect();
        v.sort();
        v
    }

    /// Every recorded file by path: its sha256 and, when known, its size
    /// (what a release's manifest lists without looking at the files).
    pub fn sized_digests(&self) -> rustc_hash::FxHashMap<String, (String, Option<u64>)> {
        let rec = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        let mut map =
            rustc_hash::FxHashMap::with_capacity_and_hasher(rec.len(), Default::default());
        for (p, r, size) in rec.iter() {
            map.insert(p.clone(), (r.sha256.clone(), *size));
        }
        map
    }

    /// `create_dir_all`, once per folder of the new tree (the guides of a
    /// hundred thousand entries share one).
    fn ensure_dir(&self, dir: &Path) -> io::Result<()> {
        let dirs = || self.dirs.lock().unwrap_or_else(|p| p.into_inner());
        if !dirs().contains(dir) {
            std::fs::create_dir_all(dir)?;
            dirs().insert(dir.to_path_buf());
        }
        Ok(())
    }

    /// The memo of the files put into the new tree, as text
    /// ([`Memo::text`]), to write beside it once it is in place (see
    /// [`crate::fsx::settled`]).
    pub fn memo_text(&self) -> String {
        self.memo.text()
    }

    /// The pieces of the new tree's workbooks ([`super::pieces`]).
    pub fn pieces(&self) -> &super::pieces::Pieces {
        &self.pieces
    }

    /// The runs of the new tree's `catalog.json` ([`super::spans`]).
    pub fn spans(&self) -> &super::spans::Spans {
        &self.spans
    }

    /// Writes the cache of the new tree into its root, the pieces of its
    /// workbooks and the runs of its `catalog.json` (atomically: each is
    /// whole or absent).
    pub fn write_cache(&self) -> io::Result<()> {
        let (cache, rest) = rayon::join(
            || crate::fsx::write_atomic(&self.root.join(FILE), self.cache_text().as_bytes()),
            || {
                self.pieces.write(&self.root.join(super::pieces::FILE))?;
                self.spans.write(&self.root.join(super::spans::FILE))
            },
        );
        cache.and(rest)
    }

    /// The cache of the new tree, as text (sealed).
    fn cache_text(&self) -> String {
        // (Put in order where they are: a copy of 300,000 records to sort
        // cost 900,000 allocations. Nothing reads their order.)
        let mut rec = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        rec.sort_by(|a, b| a.0.cmp(&b.0));
        let mut text = String::with_capacity(rec.len() * 200);
        text.push_str(HEADER);
        text.push('\n');
        for (path, r, _) in rec.iter() {
            text.push_str(path);
            text.push('\t');
            text.push_str(&r.key);
            text.push('\t');
            text.push_str(&r.sha256);
            text.push('\n');
        }
        drop(rec);
        crate::fsx::seal(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_text(lines: &[&str]) -> String {
        let mut body = format!("{HEADER}\n");
        for l in lines {
            body.push_str(l);
            body.push('\n');
        }
        let sum = sha256_hex(body.as_bytes());
        format!("{body}{sum}\n")
    }

    #[test]
    fn a_sound_cache_reads_back() {
        let k = "a".repeat(64);
        let s = "b".repeat(64);
        let files = parse(cache_text(&[&format!("guides/X.html\t{k}\t{s}")])).unwrap();
        let got = files.get("guides/X.html").and_then(recorded);
        assert_eq!(got, Some((k.as_str(), s.as_str())));
        assert_eq!(files.get("guides/Y.html"), None);
    }

    #[test]
    fn a_damaged_cache_is_refused() {
        let k = "a".repeat(64);
        let s = "b".repeat(64);
        let good = cache_text(&[&format!("guides/X.html\t{k}\t{s}")]);
        // Altered after it was written.
        assert!(parse(good.replace("X.html", "Y.html")).is_err());
        // Truncated.
        assert!(parse(good[..good.len() - 10].to_string()).is_err());
        assert!(parse(String::new()).is_err());
        // Sound checksum, bad lines: a line without a path refuses the
        // text; one whose path leaves the tree or whose fields are no
        // digests is never found.
        assert!(parse(cache_text(&[&format!("\t{k}\t{s}")])).is_err());
        for (path, line) in [
            ("guides/X.html", "guides/X.html\tnot-a-key\tx".to_string()),
            ("../etc/passwd", format!("../etc/passwd\t{k}\t{s}")),
            ("/etc/passwd", format!("/etc/passwd\t{k}\t{s}")),
            ("a", format!("a\t{k}\t{s}\textra")),
            ("a", format!("a\t{k}")),
        ] {
            let files = parse(cache_text(&[&line, &format!("b\t{k}\t{s}")])).unwrap();
            assert_eq!(files.get(path), None, "{line}");
            assert!(files.get("b").is_some());
        }
    }

    #[test]
    fn a_file_changed_since_it_was_recorded_is_not_reused() {
        let old = tempfile::tempdir().unwrap();
        let new = tempfile::tempdir().unwrap();
        let none = Previous::none();
        let first = Output::new(old.path(), &none);
        let key = "c".repeat(64);
        first.write("guides/A.html", &key, b"<p>a</p>").unwrap();
        first.write("guides/B.html", &key, b"<p>b</p>").unwrap();
        first.write_cache().unwrap();
        std::fs::write(old.path().join("guides/B.html"), "<p>tampered</p>").unwrap();

        let prev = Previous::load(old.path());
        assert!(prev.ignored.is_none());
        let second = Output::new(new.path(), &prev);
        assert!(second.reuse(&key, &["guides/A.html"]));
        assert!(!second.reuse(&key, &["guides/B.html"]));
        assert!(!second.reuse(&"d".repeat(64), &["guides/A.html"]));
        // (Linked by the linker thread, in place once it has finished.)
        second.finish_links().unwrap();
        assert_eq!(
            std::fs::read(new.path().join("guides/A.html")).unwrap(),
            b"<p>a</p>"
        );
        assert!(!new.path().join("guides/B.html").exists());
        assert_eq!(second.counts().reused, 1);
    }

    #[test]
    fn files_written_are_noted_in_the_memo_once_settled_and_prove_themselves() {
        let tmp = tempfile::tempdir().unwrap();
        // (The memo is kept beside its tree: inside the temporary folder.)
        let dist = tmp.path().join("dist");
        let none = Previous::none();
        let out = Output::new(&dist, &none);
        let key = "c".repeat(64);
        out.write("guides/A.html", &key, b"<p>a</p>").unwrap();
        out.write("guides/B.html", &key, b"<p>b</p>").unwrap();
        // A was written a minute ago (a long build's early file), B just now
        // (in whole seconds, as a file system with coarse ticks stamps: not
        // settled for seconds however slow this test runs).
        let a = dist.join("guides/A.html");
        let set = |path: &std::path::Path, t: std::time::SystemTime| {
            let f = std::fs::File::options().write(true).open(path).unwrap();
            f.set_modified(t).unwrap();
        };
        let now = std::time::SystemTime::now();
        set(&a, now - std::time::Duration::from_secs(60));
        let epoch = std::time::UNIX_EPOCH;
        let whole = now.duration_since(epoch).unwrap().as_secs();
        set(
            &dist.join("guides/B.html"),
            epoch + std::time::Duration::from_secs(whole),
        );
        out.note_written(&dist);
        let text = out.memo_text();
        let sha_a = sha256_hex(b"<p>a</p>");
        assert!(text.contains("guides/A.html\t"), "{text}");
        assert!(text.contains(&sha_a), "{text}");
        assert!(!text.contains("guides/B.html"), "racily clean: {text}");
        // The memo proves A by its stat alone.
        crate::fsx::settled::Memo::write(&dist, &text).unwrap();
        let memo = Memo::load(&dist);
        assert_eq!(
            memo.digest("guides/A.html", &a).map(|d| d.1),
            Some(sha_a.as_str())
        );
        // Rewritten since: the stat no longer holds.
        std::fs::write(&a, "<p>z</p>").unwrap();
        assert_eq!(memo.digest("guides/A.html", &a), None);
    }

    #[test]
    fn a_proven_prefix_is_copied_and_only_the_tail_hashed() {
        let tmp = tempfile::tempdir().unwrap();
        let (old, new, again) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("c"),
        );
        let none = Previous::none();
        let prefix = b"{\"entries\": [1, 2, 3]".repeat(50);
        let key = "c".repeat(64);
        let write = |out: &Output<'_>, tail: &str| -> (bool, Vec<u8>, String) {
            let mut wrote = false;
            out.write_prefixed(
                "catalog.json",
                &key,
                "prefix key",
                &mut |w| {
                    wrote = true;
                    w.write_all(&prefix)
                },
                tail.as_bytes(),
            )
            .unwrap();
            let bytes = std::fs::read(out.root().join("catalog.json")).unwrap();
            let (_, sha256) = out.digests().pop().unwrap();
            (wrote, bytes, sha256)
        };
        let first = Output::new(&old, &none);
        let (wrote, bytes, sha256) = write(&first, ", \"release\": \"\"}");
        assert!(wrote);
        assert_eq!(sha256, sha256_hex(&bytes));
        // (The build's end: the file has settled, memo and records written.)
        let f = std::fs::File::options()
            .write(true)
            .open(old.join("catalog.json"))
            .unwrap();
        f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
            .unwrap();
        first.note_written(&old);
        first.write_cache().unwrap();
        Memo::write(&old, &first.memo_text()).unwrap();

        // A release of the same entries: the prefix is taken, the digest
        // is that of the bytes.
        let prev = Previous::load(&old);
        let second = Output::new(&new, &prev);
        let (wrote, bytes, sha256) = write(&second, ", \"release\": \"2026.1\"}");
        assert!(!wrote, "the prefix was copied");
        assert_eq!(bytes, [&prefix[..], b", \"release\": \"2026.1\"}"].concat());
        assert_eq!(sha256, sha256_hex(&bytes));

        // The earlier file altered in place (the same length): it no
        // longer proves itself, and the prefix is written.
        let mut altered = std::fs::read(old.join("catalog.json")).unwrap();
        altered[3] = b'E';
        std::fs::write(old.join("catalog.json"), &altered).unwrap();
        let prev = Previous::load(&old);
        let third = Output::new(&again, &prev);
        let (wrote, bytes, sha256) = write(&third, "}");
        assert!(wrote);
        assert_eq!(bytes, [&prefix[..], b"}"].concat());
        assert_eq!(sha256, sha256_hex(&bytes));
    }
}
