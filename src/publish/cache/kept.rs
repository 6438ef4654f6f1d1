//! The files of the previous build that a steady build keeps where they are
//! ([`crate::fsx::Staged::commit_over`]): 300,000 at 100,000 entries.
//!
//! Each was a path copied into a set of strings while the render proved
//! it, and looked up there again by the commit's walk of the old tree: as
//! many allocations, hashed twice, in a build that renders ten entries.
//! A kept file is one of the earlier cache's lines, so it is noted as a bit
//! for that line ([`KeptLines`]), and the walk asks the earlier cache for
//! the line of a path it finds ([`Kept::keeps`]).

use super::Previous;
use rustc_hash::FxHashSet;
use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The lines of one earlier tree's cache whose files are kept, marked
/// while the render proves them (from any thread).
#[derive(Debug)]
pub struct KeptLines {
    /// The tree's place among the earlier trees ([`Previous::line`]).
    tree: u16,
    /// A bit a line.
    bits: Vec<AtomicU64>,
    /// How many bits are set.
    count: AtomicUsize,
}

impl KeptLines {
    /// No line kept yet of the tree at place `tree`, whose cache has
    /// `lines` lines.
    pub fn new(tree: u16, lines: usize) -> KeptLines {
        KeptLines {
            tree,
            bits: (0..lines.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
            count: AtomicUsize::new(0),
        }
    }

    /// The tree whose lines they are.
    pub fn tree(&self) -> u16 {
        self.tree
    }

    /// Whether the tree's cache has a line at place `line`.
    pub fn fits(&self, line: u32) -> bool {
        (line as usize) < self.bits.len() * 64
    }

    /// Marks the line at place `line` kept (one that [`KeptLines::fits`]).
    pub fn mark(&self, line: u32) {
        let (word, bit) = (line as usize / 64, 1u64 << (line % 64));
        if let Some(w) = self.bits.get(word)
            && w.fetch_or(bit, Ordering::Relaxed) & bit == 0
        {
            self.count.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn has(&self, line: u32) -> bool {
        let (word, bit) = (line as usize / 64, 1u64 << (line % 64));
        self.bits
            .get(word)
            .is_some_and(|w| w.load(Ordering::Relaxed) & bit != 0)
    }

    /// How many lines are kept.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

/// The files a commit keeps: lines of an earlier tree's cache, and other
/// files by their paths (the entry cache's, which no render records).
pub struct Kept<'a> {
    previous: &'a Previous,
    lines: Option<&'a KeptLines>,
    others: FxHashSet<String>,
}

impl<'a> Kept<'a> {
    /// The files whose lines `lines` marks (none when it is none).
    pub fn new(previous: &'a Previous, lines: Option<&'a KeptLines>) -> Kept<'a> {
        Kept {
            previous,
            lines,
            others: FxHashSet::default(),
        }
    }

    /// Keeps the files `paths` too.
    pub fn extend(&mut self, paths: impl IntoIterator<Item = String>) {
        self.others.extend(paths);
    }
}

impl crate::fsx::Kept for Kept<'_> {
    fn keeps(&self, rel: &str) -> bool {
        self.others.contains(rel)
            || self.lines.is_some_and(|lines| {
                (self.previous.line_of(lines.tree, rel)).is_some_and(|line| lines.has(line))
            })
    }

    fn is_empty(&self) -> bool {
        self.others.is_empty() && self.lines.is_none_or(|l| l.len() == 0)
    }

    fn len(&self) -> usize {
        self.others.len() + self.lines.map_or(0, KeptLines::len)
    }

    fn each(&self, f: &mut dyn FnMut(&str) -> io::Result<()>) -> io::Result<()> {
        for rel in &self.others {
            f(rel)?;
        }
        let Some(lines) = self.lines else {
            return Ok(());
        };
        for (w, word) in lines.bits.iter().enumerate() {
            let mut bits = word.load(Ordering::Relaxed);
            while bits != 0 {
                let line = (w * 64) as u32 + bits.trailing_zeros();
                bits &= bits - 1;
                let (text, path) = self.previous.line(lines.tree, line);
                let rel = std::str::from_utf8(&text[..path]).map_err(io::Error::other)?;
                f(rel)?;
            }
        }
        Ok(())
    }
}
