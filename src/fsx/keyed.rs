//! The lines of a sealed text yima keeps for itself (the build cache, a
//! stat memo), looked up by their first field without copying them.
//!
//! Such a text has a line for each of up to hundreds of thousands of files.
//! Read into a map of owned strings, each line cost three allocations and
//! their hashing, a tenth of a second of CPU per 100,000 lines, in every
//! build and release; most lines are looked up once, many not at all. So
//! the text is kept as it was read, with a table of its lines by the hash
//! of their first field (a binary search over 300,000 lines instead cost
//! more in cache misses than the maps had cost to build). A line is
//! checked when it is looked up: a release reads the caches of the
//! previous release and of `dist/`, and looks most files up in one only.

use super::mapped::Bytes;
use std::sync::atomic::{AtomicU32, Ordering};

/// A text's lines by their first field (up to the first tab).
#[derive(Debug)]
pub struct Keyed {
    /// The text as read (mapped when large, [`super::mapped`]); a line is
    /// checked as UTF-8 when it is looked up.
    text: std::sync::Arc<Bytes>,
    /// Each line's start, the end of its first field and its end.
    lines: Vec<(usize, usize, usize)>,
    /// The lines (their places in `lines`) by the hash of their first
    /// field, one per first field.
    table: hashbrown::HashTable<u32>,
    /// What a line's first field and the rest of it must hold for the line
    /// to be found.
    check: Check,
    /// Whether no first field is on two lines: then a line found by
    /// looking ahead of the last one found is the one the table has.
    unique: bool,
    /// Whether the lines come in the order of their first fields (as
    /// bytes), none twice.
    ordered: bool,
    /// Where each thread (rayon's, by index, then any other) looks first:
    /// the line after the last one it found.
    next: Box<[AtomicU32]>,
}

/// A line of a [`Keyed`] text, held where it stands (the text is kept
/// while a line of it is).
#[derive(Debug, Clone)]
pub struct Line {
    text: std::sync::Arc<Bytes>,
    start: usize,
    tab: usize,
    end: usize,
    /// Whether the text's lines are in key order ([`Keyed::ordered`]).
    ordered: bool,
}

impl Line {
    /// Its first field.
    pub fn key(&self) -> &[u8] {
        &self.text[self.start..self.tab]
    }

    /// The whole line, without its line break.
    pub fn bytes(&self) -> &[u8] {
        &self.text[self.start..self.end]
    }

    /// How its key compares with `other`'s, told by their places alone:
    /// when both are lines of one text in key order ([`Keyed::ordered`]),
    /// without reading the keys; none otherwise.
    pub fn cmp_by_place(&self, other: &Line) -> Option<std::cmp::Ordering> {
        (self.ordered && std::sync::Arc::ptr_eq(&self.text, &other.text))
            .then(|| self.start.cmp(&other.start))
    }
}

/// Lines looked at ahead of the last one found before the table is.
const AHEAD: usize = 3;

/// A check of a line's first field and the rest of it.
type Check = fn(&str, &str) -> bool;

impl Default for Keyed {
    fn default() -> Keyed {
        Keyed {
            text: std::sync::Arc::default(),
            lines: Vec::new(),
            table: hashbrown::HashTable::new(),
            check: |_, _| false,
            unique: true,
            ordered: true,
            next: Box::default(),
        }
    }
}

/// The hash a first field is filed under, as bytes (here and in
/// [`crate::catalog::cached`]).
pub(crate) fn hash_bytes(key: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

impl Keyed {
    /// The lines of `body` after its first line, which must be `header`;
    /// every line must have a first field and a tab. A line is found only
    /// when `check` holds for its first field and the rest of it (looked at
    /// when it is looked up). Of lines with the same first field, the last
    /// counts.
    pub fn parse(body: impl Into<Bytes>, header: &str, check: Check) -> Result<Keyed, String> {
        let body = body.into();
        let len = body.len();
        Keyed::parse_to(body, len, header, check)
    }

    /// [`Keyed::parse`] of the first `len` bytes of `body`.
    fn parse_to(body: Bytes, len: usize, header: &str, check: Check) -> Result<Keyed, String> {
        let text = &body[..len];
        let first = memchr::memchr(b'\n', text).map_or(len, |n| n + 1);
        let head = &text[..first];
        if head.strip_suffix(b"\n").unwrap_or(head) != header.as_bytes() {
            return Err("unknown format".into());
        }
        // (Room for lines of about 150 bytes, a path and two digests: a
        // pass to count them cost as much as the pass that finds them.)
        let mut lines = Vec::with_capacity(len / 150 + 1);
        let mut start = first;
        while start < len {
            if lines.len() >= u32::MAX as usize {
                return Err("too many lines".into());
            }
            let end = memchr::memchr(b'\n', &text[start..]).map_or(len, |n| start + n);
            let line = &text[start..end];
            let tab = match memchr::memchr(b'\t', line) {
                Some(tab) if tab > 0 => start + tab,
                _ => {
                    let line = String::from_utf8_lossy(line);
                    return Err(format!("malformed line: {line}"));
                }
            };
            lines.push((start, tab, end));
            start = end + 1;
        }
        let key = |i: u32| {
            let (a, b, _) = lines[i as usize];
            &text[a..b]
        };
        let mut table = hashbrown::HashTable::with_capacity(lines.len());
        let mut unique = true;
        let mut ordered = true;
        for i in 0..lines.len() as u32 {
            let k = key(i);
            ordered = ordered && (i == 0 || key(i - 1) < k);
            match table.entry(hash_bytes(k), |&j| key(j) == k, |&j| hash_bytes(key(j))) {
                hashbrown::hash_table::Entry::Occupied(mut o) => {
                    *o.get_mut() = i;
                    unique = false;
                }
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
        let threads = rayon::current_num_threads() + 1;
        Ok(Keyed {
            text: std::sync::Arc::new(body),
            lines,
            table,
            check,
            unique,
            ordered,
            next: (0..threads).map(|_| AtomicU32::new(0)).collect(),
        })
    }

    /// [`Keyed::parse`] of a text [`super::seal`] sealed, when its seal
    /// holds.
    pub fn unseal(text: impl Into<Bytes>, header: &str, check: Check) -> Result<Keyed, String> {
        let text = text.into();
        let body = super::unseal_bytes(&text)?;
        Keyed::parse_to(text, body, header, check)
    }

    /// The rest of the line whose first field is `key` (after its tab),
    /// when the check holds for it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_at(key).map(|(rest, _)| rest)
    }

    /// The place of the line of `key` (the first field), as found; unlike
    /// [`Keyed::get_at`], the rest of the line is not looked at.
    pub fn place(&self, key: &str) -> Option<u32> {
        self.find(key)
    }

    /// [`Keyed::get`], with the line's place among the lines (for
    /// [`Keyed::line`]).
    pub fn get_at(&self, key: &str) -> Option<(&str, u32)> {
        let i = self.find(key)?;
        let (_, tab, end) = self.lines[i as usize];
        let rest = simdutf8::basic::from_utf8(&self.text[tab + 1..end]).ok()?;
        (self.check)(key, rest).then_some((rest, i))
    }

    /// The line at place `i` ([`Keyed::get_at`]) as it stands in the text
    /// (without its line break), and the length of its first field.
    pub fn line_text(&self, i: u32) -> (&[u8], usize) {
        let (start, tab, end) = self.lines[i as usize];
        (&self.text[start..end], tab - start)
    }

    /// The line at place `i` ([`Keyed::get_at`]) as it stands in the text,
    /// to be written again as it is, without a copy.
    pub fn line(&self, i: u32) -> Line {
        let (start, tab, end) = self.lines[i as usize];
        Line {
            text: self.text.clone(),
            start,
            tab,
            end,
            ordered: self.ordered,
        }
    }

    /// The place of the line whose first field is `key`. Files are mostly
    /// looked up in the order their lines were written (by path, as a
    /// build goes through its entries), so the lines just after the last
    /// one a thread found are looked at first: they are at hand in memory,
    /// where a line by the table lies anywhere in a text of 50 MB.
    fn find(&self, key: &str) -> Option<u32> {
        let key = key.as_bytes();
        let is = |i: u32| {
            let (a, b, _) = self.lines[i as usize];
            &self.text[a..b] == key
        };
        let slot = (self
            .next
            .get(rayon::current_thread_index().map_or(0, |t| t + 1)))
        .filter(|_| self.unique);
        let ahead = slot.and_then(|next| {
            let from = next.load(Ordering::Relaxed) as usize;
            let to = (from + AHEAD).min(self.lines.len());
            (from..to).map(|i| i as u32).find(|&i| is(i))
        });
        let i = match ahead {
            Some(i) => i,
            None => *self.table.find(hash_bytes(key), |&i| is(i))?,
        };
        if let Some(next) = slot {
            next.store(i + 1, Ordering::Relaxed);
        }
        Some(i)
    }

    /// Whether its lines come in the order of their first fields (as
    /// bytes), none twice: then lines compare as their places do.
    pub fn ordered(&self) -> bool {
        self.ordered
    }

    /// The length of the text the lines are of.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// How many lines it has.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it has no line.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_found_by_its_first_field_in_order_or_not() {
        let any = |_: &str, _: &str| true;
        let text = "head\na\t1\nb/c\t2\tx\nd\t3".to_string();
        let k = Keyed::parse(text, "head", any).unwrap();
        assert_eq!(k.get("a"), Some("1"));
        assert_eq!(k.get("b/c"), Some("2\tx"));
        assert_eq!(k.get("d"), Some("3"), "the last line needs no newline");
        assert_eq!(k.get("b"), None);
        assert_eq!(k.get(""), None);
        // Out of order, and a field twice: the last counts.
        let text = "head\nz\t1\na\t2\nz\t3\n".to_string();
        let k = Keyed::parse(text, "head", any).unwrap();
        assert_eq!((k.get("a"), k.get("z")), (Some("2"), Some("3")));
        // Another header, a line without a field or a tab: the text is
        // refused. A line the check refuses is not found.
        assert!(Keyed::parse("other\na\t1\n".to_string(), "head", any).is_err());
        assert!(Keyed::parse("head\nno tab\n".to_string(), "head", any).is_err());
        assert!(Keyed::parse("head\n\tempty\n".to_string(), "head", any).is_err());
        let digits = |_: &str, rest: &str| rest.bytes().all(|b| b.is_ascii_digit());
        let k = Keyed::parse("head\na\t1\nb\tx\n".to_string(), "head", digits).unwrap();
        assert_eq!((k.get("a"), k.get("b")), (Some("1"), None));
        assert!(Keyed::default().get("").is_none());
        let k = Keyed::parse("head\n".to_string(), "head", any).unwrap();
        assert!(k.is_empty() && k.get("a").is_none());
        // Bytes that are not UTF-8 (a damaged text read as it is): the
        // line is not found, the others are.
        let k = Keyed::parse(b"head\na\t\xff\nb\t2\n".to_vec(), "head", any).unwrap();
        assert_eq!((k.get("a"), k.get("b")), (None, Some("2")));
    }

    #[test]
    fn lines_are_found_the_same_in_order_out_of_order_and_on_many_threads() {
        use rayon::prelude::*;
        let any = |_: &str, _: &str| true;
        let mut text = "head\n".to_string();
        for i in 0..1000 {
            text.push_str(&format!("k{i:04}\t{i}\n"));
        }
        let k = Keyed::parse(text.clone(), "head", any).unwrap();
        let want = |i: usize| Some(i.to_string());
        let got = |i: usize| k.get(&format!("k{i:04}")).map(str::to_string);
        // In order (each found just ahead), skipping, backwards, again.
        for order in [
            (0..1000).collect::<Vec<_>>(),
            (0..1000).step_by(7).collect(),
            (0..1000).rev().collect(),
            (0..1000).map(|i| (i * 389) % 1000).collect(),
        ] {
            for i in order {
                assert_eq!(got(i), want(i), "k{i:04}");
            }
        }
        assert_eq!(k.get("k1000"), None, "past the last line");
        assert_eq!(k.get("k0999\t999"), None);
        (0..4000usize)
            .into_par_iter()
            .for_each(|n| assert_eq!(got(n % 1000), want(n % 1000)));
        // A field on two lines: the later counts, also right after the
        // earlier one was found.
        text.push_str("k0500\tlater\n");
        let k = Keyed::parse(text, "head", any).unwrap();
        assert_eq!(k.get("k0499"), Some("499"));
        assert_eq!(k.get("k0500"), Some("later"));
        assert_eq!(k.get("k0501"), Some("501"));
    }
}
