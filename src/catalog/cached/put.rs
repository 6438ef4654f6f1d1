//! Putting the entry cache where the next load finds it: its new lines
//! appended to the cache the load read, or the whole cache written anew.
//!
//! A steady build keeps all but a few of 100,000 lines, and writing the
//! cache and its codes' file whole (400 MB at 100,000 entries) cost it more
//! than a second of processor time, most of it in taking fresh memory for
//! the new file. Its lines stand on their own — each is checked when read,
//! and of two lines for one path the later counts — so the lines a load
//! made are appended to the files it read instead ([`crate::fsx::append_lines`]),
//! once the build is in place: a line appended is true whether or not the
//! build that wrote it came to an end, and a line cut short is passed over.
//! The files are written whole again when the lines no longer in use would
//! outgrow those in use (an entry changed, a file removed: its old line
//! stays behind), when the cache read was another binary's or none, and in
//! a build that swaps its whole tree.

use super::{CODES_FILE, EntryCache, FILE, Line, codes_header, codes_line, codes_path, header};
use crate::fsx::starts_with_line;
use std::path::Path;

/// Lines not in use a cache may hold beyond as many bytes as those in use,
/// before it is written whole again.
const SLACK: usize = 1 << 20;

/// Which of the cache's two files take this load's new lines appended in
/// place ([`EntryCache::put`]); the others are written whole into the new
/// tree ([`EntryCache::write_whole`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Put {
    /// [`FILE`].
    pub entries: bool,
    /// [`CODES_FILE`].
    pub codes: bool,
}

impl Put {
    /// The names, in the output folder, of the files appended in place:
    /// the new tree keeps them where they are.
    pub fn kept(self) -> impl Iterator<Item = &'static str> {
        [(self.entries, FILE), (self.codes, CODES_FILE)]
            .into_iter()
            .filter_map(|(kept, name)| kept.then_some(name))
    }
}

impl EntryCache {
    /// How the cache goes to its files: appended to those this load read
    /// when `in_place` (the build keeps its old tree and puts the new files
    /// over it), they are this binary's, the entries' file is still the
    /// text read and the lines in use there stay at least half of it;
    /// else written whole.
    pub fn plan(&self, in_place: bool) -> Put {
        let Some(from) = self.from.as_deref().filter(|_| in_place) else {
            return Put::default();
        };
        let head = format!("{}\n", header());
        if !self.old.starts_with(head.as_bytes()) {
            return Put::default();
        }
        let (kept, new) = self.sizes();
        let used = head.len() + kept + new;
        let grown = self.old.len() + new;
        let entries = grown <= 2 * used + SLACK
            && std::fs::metadata(from).is_ok_and(|m| m.len() == self.old.len() as u64);
        // (The codes' file is appended to alongside: its unused lines grow
        // as the entries' file's do.)
        let codes = entries && starts_with_line(&codes_path(from), &codes_header());
        Put { entries, codes }
    }

    /// Writes into the folder `dir` the cache's files that `put` does not
    /// append to, whole and each atomically.
    pub fn write_whole(&self, dir: &Path, put: Put) -> std::io::Result<()> {
        let (entries, codes) = rayon::join(
            || match put.entries {
                true => Ok(()),
                false => self.write_entries(&dir.join(FILE)),
            },
            || match put.codes {
                true => Ok(()),
                false => self.write_codes(&dir.join(CODES_FILE)),
            },
        );
        entries.and(codes)
    }

    /// Appends this load's new lines to the files `put` names, once the
    /// tree that keeps them is in place. A file that cannot take them (no
    /// longer the one read, a failed write) costs the next load the time
    /// to parse those entries again; a codes' file that fails half way is
    /// removed, so that the next build writes it whole.
    pub fn put(&self, put: Put) -> std::io::Result<()> {
        let Some(from) = self.from.as_deref() else {
            return Ok(());
        };
        if put.entries {
            let len = Some(self.old.len() as u64);
            crate::fsx::append_lines(from, &header(), len, &self.new_lines())?;
        }
        if put.codes {
            let mut codes = Vec::new();
            for l in self.lines.iter().flatten() {
                if let Line::New(text) = l {
                    codes_line(text.as_bytes(), &mut codes);
                }
            }
            let path = codes_path(from);
            if let Err(e) = crate::fsx::append_lines(&path, &codes_header(), None, &codes) {
                let _ = std::fs::remove_file(&path);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Writes the whole cache to `path` and its codes' lines beside it
    /// ([`CODES_FILE`]), each atomically (a build writes into its tree,
    /// [`EntryCache::write_whole`]).
    #[cfg(test)]
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let (entries, codes) = rayon::join(
            || self.write_entries(path),
            || self.write_codes(&codes_path(path)),
        );
        entries.and(codes)
    }

    /// The lines this load made (not kept from the old cache), each with
    /// its newline.
    fn new_lines(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for l in self.lines.iter().flatten() {
            if let Line::New(text) = l {
                out.extend_from_slice(text.as_bytes());
                out.push(b'\n');
            }
        }
        out
    }

    /// The bytes of the lines kept from the old cache and of the new ones,
    /// newlines included.
    fn sizes(&self) -> (usize, usize) {
        let (mut kept, mut new) = (0, 0);
        for l in self.lines.iter().flatten() {
            match l {
                Line::Old(a, b) => kept += b - a + 1,
                Line::New(text) => new += text.len() + 1,
            }
        }
        (kept, new)
    }

    fn write_entries(&self, path: &Path) -> std::io::Result<()> {
        crate::fsx::write_atomic_with(path, &mut |w| {
            w.write_all(header().as_bytes())?;
            w.write_all(b"\n")?;
            // Lines kept from the old cache that lay one after another
            // there (the byte between two such is their newline) go out
            // as one write, straight from the old text.
            let mut run: Option<(usize, usize)> = None;
            for l in self.lines.iter().flatten() {
                if let (Line::Old(a, b), Some((_, end))) = (l, &mut run)
                    && *a == *end + 1
                {
                    *end = *b;
                    continue;
                }
                if let Some((a, end)) = run.take() {
                    w.write_all(&self.old[a..end])?;
                    w.write_all(b"\n")?;
                }
                match l {
                    Line::Old(a, b) => run = Some((*a, *b)),
                    Line::New(text) => {
                        w.write_all(text.as_bytes())?;
                        w.write_all(b"\n")?;
                    }
                }
            }
            if let Some((a, end)) = run {
                w.write_all(&self.old[a..end])?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })
    }

    fn write_codes(&self, path: &Path) -> std::io::Result<()> {
        crate::fsx::write_atomic_with(path, &mut |w| {
            w.write_all(codes_header().as_bytes())?;
            w.write_all(b"\n")?;
            let mut buf = Vec::with_capacity(1024);
            for l in self.lines.iter().flatten() {
                buf.clear();
                if codes_line(self.line(l), &mut buf) {
                    w.write_all(&buf)?;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::load_whole;
    use super::super::tests::{copy_items, rename_entries};
    use super::*;

    /// The catalog `items` loads to, as its entries' JSON, in path order.
    fn entries(items: &Path, cache: Option<&Path>) -> Vec<String> {
        let loaded = load_whole(items, cache, false).unwrap();
        (loaded.catalog.files.iter())
            .map(|f| serde_json::to_string(&**f.entry.as_ref().unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn new_lines_go_to_the_end_of_the_cache_read_and_serve_as_a_whole_cache_does() {
        let dir = tempfile::tempdir().unwrap();
        let items = copy_items(dir.path());
        let out = dir.path().join("dist");
        std::fs::create_dir_all(&out).unwrap();
        let cache = out.join(FILE);
        let first = load_whole(&items, Some(&cache), false).unwrap();
        // No cache read, or a tree swapped whole: written whole.
        assert_eq!(first.cache.plan(true), Put::default());
        first
            .cache
            .write_whole(&out, first.cache.plan(true))
            .unwrap();
        let (entries_len, codes_len) = (len(&cache), len(&out.join(CODES_FILE)));

        let mut rels: Vec<_> = first.catalog.files.iter().map(|f| f.rel.clone()).collect();
        rels.sort();
        rename_entries(&items, &[&rels[1], &rels[rels.len() / 2]]);
        let second = load_whole(&items, Some(&cache), false).unwrap();
        assert_eq!(second.reused, rels.len() - 2);
        assert_eq!(
            second.cache.plan(false),
            Put::default(),
            "a tree swapped whole"
        );
        let put = second.cache.plan(true);
        assert_eq!(
            put,
            Put {
                entries: true,
                codes: true
            }
        );
        assert_eq!(put.kept().collect::<Vec<_>>(), [FILE, CODES_FILE]);
        // Nothing written whole, then two lines appended to each file.
        second.cache.write_whole(&out, put).unwrap();
        assert_eq!(
            (len(&cache), len(&out.join(CODES_FILE))),
            (entries_len, codes_len)
        );
        second.cache.put(put).unwrap();
        assert!(len(&cache) > entries_len && len(&out.join(CODES_FILE)) > codes_len);
        let text = std::fs::read_to_string(&cache).unwrap();
        assert_eq!(
            text.lines().count(),
            rels.len() + 3,
            "the header, every entry, two new"
        );

        // The later line counts: every entry from the cache, the same
        // catalog as one parsed from its files.
        let third = load_whole(&items, Some(&cache), false).unwrap();
        assert_eq!(third.reused, rels.len());
        assert_eq!(entries(&items, Some(&cache)), entries(&items, None));
        // `assign --check` reads the codes' lines: every one from the file.
        let reader = super::super::Reader::open(&items, Some(&cache));
        assert_eq!(reader.index.0.len(), rels.len());

        // An append cut short: the entry of the cut line is parsed again,
        // and the next lines start on a line of their own.
        let cut = text.len() - 40;
        std::fs::write(&cache, &text.as_bytes()[..cut]).unwrap();
        rename_entries(&items, &[&rels[0]]);
        let fourth = load_whole(&items, Some(&cache), false).unwrap();
        assert_eq!(fourth.reused, rels.len() - 2);
        let put = fourth.cache.plan(true);
        assert!(put.entries);
        fourth.cache.put(put).unwrap();
        assert_eq!(
            load_whole(&items, Some(&cache), false).unwrap().reused,
            rels.len()
        );
        assert_eq!(entries(&items, Some(&cache)), entries(&items, None));

        // A cache that is no longer the one read takes nothing.
        let fifth = load_whole(&items, Some(&cache), false).unwrap();
        std::fs::write(&cache, format!("{}\n", header())).unwrap();
        rename_entries(&items, &[&rels[2]]);
        assert!(!fifth.cache.plan(true).entries, "another length");
    }

    #[test]
    fn a_cache_mostly_of_lines_no_longer_used_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let items = copy_items(dir.path());
        let cache = dir.path().join(FILE);
        load_whole(&items, Some(&cache), false)
            .unwrap()
            .cache
            .write(&cache)
            .unwrap();
        let whole = std::fs::read_to_string(&cache).unwrap();
        // Lines of entries long gone: more than those in use, and the slack.
        let gone = "gone/x.yaml\td\tw\tc\tk\t{}\n".repeat((2 * whole.len() + SLACK) / 20);
        std::fs::write(&cache, format!("{whole}{gone}")).unwrap();
        let loaded = load_whole(&items, Some(&cache), false).unwrap();
        assert_eq!(loaded.reused, loaded.catalog.files.len());
        assert_eq!(loaded.cache.plan(true), Put::default());
        loaded
            .cache
            .write_whole(dir.path(), Put::default())
            .unwrap();
        assert_eq!(std::fs::read_to_string(&cache).unwrap(), whole);
        // Another binary's cache, or a codes' file of another format.
        let other = whole.replacen(&header(), "yima entry cache 5 other", 1);
        std::fs::write(&cache, other).unwrap();
        let loaded = load_whole(&items, Some(&cache), false).unwrap();
        assert_eq!(loaded.cache.plan(true), Put::default());
        std::fs::write(&cache, &whole).unwrap();
        std::fs::write(dir.path().join(CODES_FILE), "yima entry codes 1 x\n").unwrap();
        let loaded = load_whole(&items, Some(&cache), false).unwrap();
        let put = loaded.cache.plan(true);
        assert_eq!(
            put,
            Put {
                entries: true,
                codes: false
            }
        );
        loaded.cache.write_whole(dir.path(), put).unwrap();
        assert!(starts_with_line(
            &dir.path().join(CODES_FILE),
            &codes_header()
        ));
    }

    fn len(path: &Path) -> u64 {
        std::fs::metadata(path).unwrap().len()
    }
}
