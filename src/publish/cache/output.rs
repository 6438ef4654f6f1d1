//! The tree being built: files written anew or taken from an earlier
//! tree, each recorded for the new cache and memo.

use super::previous::Proven;
use super::*;
use crate::fsx::settled::{Memo, Stat};
use crate::publish::spans::Prefixed;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The files of the tree being built: written anew or linked from the
/// previous build, each recorded for the new cache.
pub struct Output<'p> {
    root: PathBuf,
    /// The tree the new one will be committed over, when files it proves
    /// are kept where they are instead of linked into `root`
    /// ([`crate::fsx::Staged::commit_over`]).
    in_place: Option<PathBuf>,
    /// The files kept in place there, by their lines in its cache.
    kept: OnceLock<super::kept::KeptLines>,
    previous: &'p Previous,
    /// Each file of the new tree: its record and, when known, its size.
    recorded: Mutex<Vec<(Recorded, Option<u64>)>>,
    /// The settled stats of the files linked into it.
    memo: Memo,
    /// The folders made in it so far.
    dirs: Mutex<rustc_hash::FxHashSet<std::ffi::OsString>>,
    /// The deflated pieces of its workbooks' rows, and those the earlier
    /// trees kept.
    pieces: crate::publish::pieces::Pieces,
    /// What the site's pages count per agency, and what the earlier trees
    /// kept ([`crate::publish::site::tallies`]).
    tallies: crate::publish::site::tallies::Tallies,
    /// Where the runs of its `catalog.json` lie, and those of the earlier
    /// trees' ([`crate::publish::spans`]).
    spans: crate::publish::spans::Spans,
    written: AtomicUsize,
    /// The files it wrote or copied (not linked), with their digests: noted
    /// in its memo once they have settled ([`Output::note_written`]).
    fresh: Mutex<Vec<(String, String)>>,
    reused: AtomicUsize,
    /// Its id for the folders each thread keeps open to copy files from
    /// and into ([`crate::fsx::copy_new_in`]).
    owner: u64,
    /// The thread that makes its hard links ([`crate::publish::linker`]), started
    /// with the first; none when it could not be started.
    linker: OnceLock<Option<crate::publish::linker::Linker>>,
}

/// Recorded files in path order: path, sha256 and size when known.
pub type SizedFiles = Vec<(String, String, Option<u64>)>;

/// Recorded files by path: sha256 and size when known.
pub type SizedByPath = rustc_hash::FxHashMap<String, (String, Option<u64>)>;

/// A file of the new tree written through a buffer and hashed.
type Hashing = crate::publish::spans::Hashing<io::BufWriter<std::fs::File>>;

/// A new file at `path`, written through a buffer and hashed.
fn hashing(path: &Path) -> io::Result<Hashing> {
    let file = std::fs::File::create(path)?;
    Ok(Hashing::new(io::BufWriter::with_capacity(1 << 18, file)))
}

/// The folder of a file of a tree (as `Path::parent`, split as bytes
/// where it can be).
fn parent(path: &Path) -> Option<&Path> {
    #[cfg(target_os = "linux")]
    if let Some((dir, _)) = crate::fsx::settled::at::split(path) {
        return Some(dir);
    }
    path.parent()
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
        // (Room for as many files as the earlier tree: 300,000 records and
        // memo lines taken at once rather than grown by doubling.)
        let files = previous.first_len();
        Output {
            root: root.to_path_buf(),
            in_place: None,
            kept: OnceLock::new(),
            previous,
            recorded: Mutex::new(Vec::with_capacity(files)),
            memo: Memo::with_room(files),
            dirs: Mutex::default(),
            pieces: crate::publish::pieces::Pieces::new(previous.roots()),
            tallies: crate::publish::site::tallies::Tallies::new(previous.roots()),
            spans: crate::publish::spans::Spans::new(previous.roots()),
            written: AtomicUsize::new(0),
            fresh: Mutex::default(),
            reused: AtomicUsize::new(0),
            owner: crate::fsx::settled::at::owner(),
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

    /// How many files are kept in place (see [`Output::over`]).
    pub fn kept_len(&self) -> usize {
        self.kept.get().map_or(0, super::kept::KeptLines::len)
    }

    /// The files kept in place (see [`super::Kept`]).
    pub fn kept(&self) -> super::Kept<'_> {
        super::Kept::new(self.previous, self.kept.get())
    }

    /// Takes the previous build's `paths` (relative, with `/`) into the new
    /// tree — kept in place ([`Output::over`]), else linked or copied into
    /// it — when all of them are recorded under `key` and unchanged; returns
    /// whether it did. Any doubt — a file missing, altered, recorded under
    /// another key, a link that fails — answers false: render them. (A
    /// file linked may be handed to the linker thread: it is in the tree
    /// once [`Output::finish_links`] returns.)
    pub fn reuse(&self, key: &str, paths: &[&str]) -> bool {
        self.take(key, paths, false).is_some()
    }

    /// [`Output::reuse`], giving the SHA-256 of each file taken (what it was
    /// proven to hold: the file may not be in the tree yet).
    pub fn reuse_digests(&self, key: &str, paths: &[&str]) -> Option<Vec<String>> {
        self.take(key, paths, true)
    }

    /// [`Output::reuse_digests`], the digests given only when `digests`
    /// asks (300,000 strings a steady build would otherwise copy for
    /// nothing: most callers only ask whether the files were taken).
    fn take(&self, key: &str, paths: &[&str], digests: bool) -> Option<Vec<String>> {
        if self.previous.is_empty() {
            return None;
        }
        let (from_root, by, tree, mut proven) = self.previous.verify(key, paths)?;
        let sha256 = |p: &Proven| sha256_of(self.previous.line(tree, p.record).0);
        let mut same = Vec::with_capacity(paths.len());
        if by == Take::Link && self.in_place.as_deref() == Some(from_root) {
            // The new tree is committed over this one: the files stay.
            let lines = (self.kept)
                .get_or_init(|| super::kept::KeptLines::new(tree, self.previous.lines_of(tree)));
            if lines.tree() == tree && proven.iter().all(|p| lines.fits(p.record)) {
                proven.iter().for_each(|p| lines.mark(p.record));
                same.resize(paths.len(), true);
            }
        }
        for (i, rel) in paths.iter().enumerate().skip(same.len()) {
            let to = self.root.join(rel);
            let from = from_root.join(rel);
            let linked = parent(&to)
                .map_or(Ok(()), |dir| self.ensure_dir(dir))
                .and_then(|()| match by {
                    // (Handed to the linker: it links, or copies, before the
                    // render ends, or fails it.)
                    Take::Link => match self.hand_to_linker(from, to) {
                        Ok(()) => Ok(true),
                        Err((from, to)) => crate::fsx::link_or_copy_in(self.owner, &from, &to),
                    },
                    // (Into a new name: never written through one.)
                    Take::Copy => crate::fsx::copy_new_in(self.owner, &from, &to).map(|_| false),
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
        // (The memo's line that proved a linked file is its line in the new
        // memo too: the same path, stat and digest.)
        for ((rel, p), linked) in paths.iter().zip(&mut proven).zip(same) {
            if linked {
                if let Some(line) = p.line.take() {
                    self.memo.note_line(line);
                } else if let Some(stat) = p.stat {
                    self.memo.note(rel, stat, sha256(p));
                }
            } else {
                self.lock_fresh()
                    .push((rel.to_string(), sha256(p).to_string()));
            }
        }
        let digests = if digests {
            proven.iter().map(|p| sha256(p).to_string()).collect()
        } else {
            Vec::new()
        };
        // (The earlier cache's line is the new one: the same path, key and
        // digest.)
        let mut rec = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        rec.extend((proven.iter()).map(|p| (Recorded::Kept(tree, p.record), Some(p.size))));
        self.reused.fetch_add(paths.len(), Ordering::Relaxed);
        Some(digests)
    }

    /// Hands the linker thread a file to link; the paths back when there
    /// is none.
    fn hand_to_linker(&self, from: PathBuf, to: PathBuf) -> Result<(), (PathBuf, PathBuf)> {
        let linker = self
            .linker
            .get_or_init(|| crate::publish::linker::Linker::spawn(self.owner).ok());
        match linker {
            Some(l) => l.link(from, to),
            None => Err((from, to)),
        }
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
    /// streamed by `body` and hashed as they go (a file of tens of
    /// megabytes made of runs at hand elsewhere, such as `catalog.csv`: not
    /// put together in memory taken fresh first).
    pub fn write_streamed(
        &self,
        rel: &str,
        key: &str,
        body: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> io::Result<()> {
        use io::Write;
        self.put(rel, key, &mut |path| {
            let mut w = hashing(path)?;
            body(&mut w)?;
            w.inner.flush()?;
            Ok((hex(&w.hash.finalize()), w.len))
        })
    }

    /// Writes a file of the new tree as [`Output::write`] does, its bytes a
    /// prefix streamed by `body` (a file too big to hold in memory at once,
    /// such as `catalog.json`, hashed as it goes) and then `tail`. When the earlier
    /// tree's file `rel` is proven to be the file its spans were recorded
    /// in ([`crate::publish::spans::Prefix`]) and its prefix has the key
    /// `prefix_key`, the prefix is copied from there and only the tail is
    /// hashed (a release's `catalog.json` after a build of the same
    /// entries); of another key, its runs are copied unchecked.
    pub fn write_prefixed(
        &self,
        rel: &str,
        key: &str,
        prefix_key: &str,
        body: &mut dyn FnMut(&mut dyn Prefixed) -> io::Result<()>,
        tail: &[u8],
    ) -> io::Result<()> {
        use crate::publish::spans::{Prefix, resume};
        use io::Write;
        // (Proven, the earlier file's runs need no checksum either.)
        let earlier = self.spans.prefix(rel).filter(|(root, _, p)| {
            self.previous
                .proven(root, rel)
                .is_some_and(|sha256| sha256 == p.sha256)
        });
        if earlier.is_some() {
            self.spans.trust(rel);
        }
        let earlier = earlier.filter(|(_, _, p)| p.key == prefix_key);
        self.put(rel, key, &mut |path| {
            if let Some((_, from, p)) = &earlier
                && let Some((sha256, size)) = resume(from, path, p, tail)?
            {
                // The runs lie where they lay.
                self.spans.keep(rel);
                self.spans.note_prefix(
                    rel,
                    Prefix {
                        sha256: sha256.clone(),
                        ..(*p).clone()
                    },
                );
                return Ok((sha256, size));
            }
            let mut w = hashing(path)?;
            body(&mut w)?;
            // (A body that lets the hashing wait takes it up by its end.)
            let state = w
                .state()
                .ok_or_else(|| io::Error::other("its hash was never taken up"))?;
            let len = w.len;
            w.write_all(tail)?;
            w.inner.flush()?;
            let sha256 = hex(&w.hash.finalize());
            self.spans.note_prefix(
                rel,
                Prefix {
                    key: prefix_key.to_string(),
                    len,
                    state,
                    sha256: sha256.clone(),
                },
            );
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
        // (Each looked up from its folder: the 300,000 guides the first
        // build after a release copies.)
        let owner = crate::fsx::settled::at::owner();
        fresh.par_iter().for_each(|(rel, sha256)| {
            if let Some(stat) = Stat::settled_in(owner, &root.join(rel)) {
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
            .push((Recorded::made(rel, key, &sha256), size));
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
        let prev = self.previous;
        let mut v: Vec<(String, String)> = self
            .recorded
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(r, _)| (text(r.path(prev)).to_string(), r.sha256(prev).to_string()))
            .collect();
        v.sort();
        v
    }

    /// Every recorded file with its sha256 and, when known, its size (what
    /// a release's manifest lists without looking at the files): those
    /// under the folder `folder` (a name) sorted by path, the others by
    /// path.
    pub fn sized_digests(&self, folder: &str) -> (SizedFiles, SizedByPath) {
        use rayon::prelude::*;
        let prev = self.previous;
        let rec = self.sorted();
        let prefix = format!("{folder}/");
        let prefix = prefix.as_bytes();
        let from = rec.partition_point(|(r, _)| r.path(prev) < prefix);
        let to = from + rec[from..].partition_point(|(r, _)| r.path(prev).starts_with(prefix));
        let sized = |(r, size): &(Recorded, Option<u64>)| {
            let path = text(r.path(prev)).to_string();
            (path, r.sha256(prev).to_string(), *size)
        };
        let inside = rec[from..to].par_iter().map(sized).collect();
        let rest = (rec[..from].iter().chain(&rec[to..]))
            .map(|r| {
                let (path, sha256, size) = sized(r);
                (path, (sha256, size))
            })
            .collect();
        (inside, rest)
    }

    /// The earlier trees it takes files from.
    pub(super) fn previous(&self) -> &'p Previous {
        self.previous
    }

    /// `f` of the cache's lines of the files under the folder `folder` (a
    /// name), in path order, each with the length of its path.
    pub(super) fn with_lines_under<R>(
        &self,
        folder: &str,
        f: impl FnOnce(&[(&[u8], usize)]) -> R,
    ) -> R {
        let prev = self.previous;
        let rec = self.sorted();
        let prefix = format!("{folder}/");
        let prefix = prefix.as_bytes();
        let from = rec.partition_point(|(r, _)| r.path(prev) < prefix);
        let lines: Vec<(&[u8], usize)> = (rec[from..].iter())
            .map(|(r, _)| r.line(prev))
            .take_while(|(line, path)| line[..*path].starts_with(prefix))
            .collect();
        f(&lines)
    }

    /// `create_dir_all`, once per folder of the new tree (the guides of a
    /// hundred thousand entries share one).
    fn ensure_dir(&self, dir: &Path) -> io::Result<()> {
        // (Known by the path's bytes: `Path` hashes its components, which
        // it parses for each of 300,000 files.)
        let dirs = || self.dirs.lock().unwrap_or_else(|p| p.into_inner());
        if !dirs().contains(dir.as_os_str()) {
            std::fs::create_dir_all(dir)?;
            dirs().insert(dir.as_os_str().to_owned());
        }
        Ok(())
    }

    /// The memo of the files put into the new tree, as text
    /// ([`Memo::text`]).
    #[cfg(test)]
    pub fn memo_text(&self) -> String {
        self.memo.text()
    }

    /// The memo of the files put into the new tree, written beside the
    /// tree at `root` to be put in place once the tree is there (see
    /// [`crate::fsx::settled`], [`Memo::pending`]).
    pub fn memo_pending(&self, root: &Path) -> io::Result<crate::fsx::Pending> {
        self.memo.pending(root)
    }

    /// The pieces of the new tree's workbooks ([`crate::publish::pieces`]).
    pub fn pieces(&self) -> &crate::publish::pieces::Pieces {
        &self.pieces
    }

    /// The site's tallies of the new tree ([`crate::publish::site::tallies`]).
    pub fn tallies(&self) -> &crate::publish::site::tallies::Tallies {
        &self.tallies
    }

    /// The runs of the new tree's `catalog.json` ([`crate::publish::spans`]).
    pub fn spans(&self) -> &crate::publish::spans::Spans {
        &self.spans
    }

    /// Writes the cache of the new tree into its root, the pieces of its
    /// workbooks and the runs of its `catalog.json` (atomically: each is
    /// whole or absent).
    pub fn write_cache(&self) -> io::Result<()> {
        let (cache, rest) = rayon::join(
            || {
                crate::fsx::write_atomic_with(&self.root.join(FILE), &mut |w| {
                    self.write_cache_text(w)
                })
            },
            || {
                self.pieces
                    .write(&self.root.join(crate::publish::pieces::FILE))?;
                self.tallies
                    .write(&self.root.join(crate::publish::site::tallies::FILE))?;
                self.spans
                    .write(&self.root.join(crate::publish::spans::FILE))
            },
        );
        cache.and(rest)
    }

    /// Writes the cache of the new tree (sealed) into `w`: streamed, not
    /// made in memory first (50 MB at 100,000 entries).
    pub(super) fn write_cache_text(&self, w: &mut dyn io::Write) -> io::Result<()> {
        let rec = self.sorted();
        write_sealed(w, rec.iter().map(|(r, _)| r.line(self.previous).0))
    }

    /// The records, sorted by path where they are (once, on every thread:
    /// the cache is written in this order, and the files of a folder are
    /// one run of it). Two lines of an earlier cache written in order
    /// compare as their places there do.
    fn sorted(&self) -> std::sync::MutexGuard<'_, Vec<(Recorded, Option<u64>)>> {
        use rayon::prelude::*;
        let prev = self.previous;
        let mut rec = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        let by_path = |a: &Recorded, b: &Recorded| match (a, b) {
            (Recorded::Kept(s, i), Recorded::Kept(t, j)) if s == t && prev.ordered(*s) => i.cmp(j),
            _ => a.path(prev).cmp(b.path(prev)),
        };
        if !rec.is_sorted_by(|a, b| by_path(&a.0, &b.0).is_le()) {
            rec.par_sort_unstable_by(|a, b| by_path(&a.0, &b.0));
        }
        rec
    }
}
