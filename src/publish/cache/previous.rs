//! The earlier trees a build or release may take files from, and the
//! proof that a file of one is what its cache recorded.

use super::*;
use crate::fsx::settled::{Memo, Stat};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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
                |(n, (root, cache, by))| match crate::fsx::mapped::Bytes::read(cache) {
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
    pub(super) fn proven(&self, root: &Path, rel: &str) -> Option<String> {
        let tree = self.trees.iter().find(|t| t.root == root)?;
        // (A tree whose memo no other file needed: that file's line alone.)
        match tree.memo.get() {
            Some(memo) => memo
                .digest(rel, &root.join(rel))
                .map(|(_, sha256)| sha256.to_string()),
            None => Memo::digest_of_one(root, rel),
        }
    }

    pub(super) fn roots(&self) -> Vec<PathBuf> {
        self.trees.iter().map(|t| t.root.clone()).collect()
    }

    /// How many files the first tree's cache lists: about how many a new
    /// tree made from it holds.
    pub(super) fn first_len(&self) -> usize {
        self.trees.first().map_or(0, |t| t.files.len())
    }

    /// Whether any cache lists any file.
    pub fn is_empty(&self) -> bool {
        self.trees.iter().all(|t| t.files.is_empty())
    }

    /// The first tree in which every file of `paths` is recorded under
    /// `key` and still holds the bytes recorded — its stat is the one the
    /// tree's memo recorded with that digest, or its bytes hash to it —
    /// with their digests and settled stats.
    /// The tree is given with its place among the trees ([`Previous::line`]).
    pub(super) fn verify(
        &self,
        key: &str,
        paths: &[&str],
    ) -> Option<(&Path, Take, u16, Vec<Proven>)> {
        'trees: for (t, tree) in self.trees.iter().enumerate() {
            let mut proven = Vec::with_capacity(paths.len());
            for rel in paths {
                // (The line's fields as bytes: the key must be this one and
                // the digest the one proven below, both hex of this binary's
                // making, so neither is checked apart — 300,000 lines a
                // step.)
                let Some(record) = tree.files.place(rel) else {
                    continue 'trees;
                };
                let (line, path) = tree.files.line_text(record);
                let rest = line.get(path + 1..).unwrap_or_default();
                let Some(tab) = memchr::memchr(b'\t', rest) else {
                    continue 'trees;
                };
                let (r_key, r_sha256) = (&rest[..tab], &rest[tab + 1..]);
                if r_key != key.as_bytes() {
                    continue 'trees;
                }
                let path = tree.root.join(rel);
                let (stat, size, line) = match tree.memo().digest_line(rel, &path) {
                    Some((stat, sha256, line)) if sha256.as_bytes() == r_sha256 => {
                        (Some(stat), stat.size(), Some(line))
                    }
                    _ => {
                        // Looked at before it is read: a change while it is
                        // read moves its time past the stat noted.
                        let stat = Stat::settled(&path);
                        match digest_of(&path) {
                            Ok((sha256, size)) if sha256.as_bytes() == r_sha256 => {
                                (stat, size, None)
                            }
                            _ => continue 'trees,
                        }
                    }
                };
                proven.push(Proven {
                    record,
                    stat,
                    size,
                    line,
                });
            }
            return Some((&tree.root, tree.by, t as u16, proven));
        }
        None
    }

    /// The place among the trees of the one in `root`, when its cache was
    /// read.
    pub(super) fn place_of(&self, root: &Path) -> Option<u16> {
        (self.trees.iter().position(|t| t.root == root)).map(|t| t as u16)
    }

    /// The cache's lines of the tree at place `tree`.
    pub(super) fn files_of(&self, tree: u16) -> &Keyed {
        &self.trees[tree as usize].files
    }

    /// The stat memo beside the tree at place `tree` (read when first
    /// needed).
    pub(super) fn memo_of(&self, tree: u16) -> &Memo {
        self.trees[tree as usize].memo()
    }

    /// The line `i` of the cache of the tree at place `tree` (as
    /// [`Previous::verify`] gives them) and the length of its path.
    pub(super) fn line(&self, tree: u16, i: u32) -> (&[u8], usize) {
        self.trees[tree as usize].files.line_text(i)
    }

    /// The place of the line of the file `rel` in the cache of the tree at
    /// place `tree`, when it has one (the line [`Previous::verify`] proves
    /// the file by: the rest of it is not looked at).
    pub(super) fn line_of(&self, tree: u16, rel: &str) -> Option<u32> {
        self.trees.get(tree as usize)?.files.place(rel)
    }

    /// How many lines the cache of the tree at place `tree` has.
    pub(super) fn lines_of(&self, tree: u16) -> usize {
        self.trees.get(tree as usize).map_or(0, |t| t.files.len())
    }

    /// Whether the lines of the cache of the tree at place `tree` come in
    /// the order of their paths (as a cache is written).
    pub(super) fn ordered(&self, tree: u16) -> bool {
        self.trees[tree as usize].files.ordered()
    }
}

/// A file of an earlier tree proven current: its line in the tree's cache,
/// settled stat and size.
pub(super) struct Proven {
    /// The line's place in the cache ([`Previous::line`]).
    pub(super) record: u32,
    pub(super) stat: Option<Stat>,
    pub(super) size: u64,
    /// The memo's line that proved it, when its memo did.
    pub(super) line: Option<crate::fsx::keyed::Line>,
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
