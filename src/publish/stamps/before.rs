//! What a release stamped ([`Before`]): each entry's stamp and content
//! digest, read from the release's `stamps.json` once by each build and
//! release and looked up for every entry of the catalog.
//!
//! The file is read as it was written — one entry a line, in 实施编码 order —
//! into one text and the places of its strings, and looked up by walking
//! the catalog's entries (in the same order) beside it; a file laid out
//! otherwise is read as any JSON and sorted, to the same result.

use super::{EntryStamp, FORMAT, StampFile};
use crate::codes::released::check_version;
use std::collections::BTreeMap;
use std::ops::Range;

/// The stamps a release gave: by 实施编码 (sorted), its stamp and content
/// digest; by 统一社会信用代码, the stamp of the agency's 汇编.
#[derive(Debug, Default, Clone)]
pub struct Before {
    /// The strings the places below are in.
    text: String,
    /// Each entry's 实施编码, stamp and content digest, by 实施编码.
    entries: Vec<[Range<u32>; 3]>,
    /// The stamp of each agency's 汇编.
    pub(super) agencies: BTreeMap<String, String>,
}

impl Before {
    /// The stamps of `entries` (实施编码, stamp, content digest) and
    /// `agencies`; a 实施编码 given twice keeps its last.
    pub fn of<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
        agencies: BTreeMap<String, String>,
    ) -> Before {
        let mut b = Before {
            agencies,
            ..Before::default()
        };
        for (code, stamp, sha) in entries {
            let code = b.push(code);
            let stamp = b.push(stamp);
            let sha = b.push(sha);
            b.entries.push([code, stamp, sha]);
        }
        b.sort();
        b
    }

    fn push(&mut self, s: &str) -> Range<u32> {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        start..self.text.len() as u32
    }

    fn at(&self, r: &Range<u32>) -> &str {
        &self.text[r.start as usize..r.end as usize]
    }

    /// Into 实施编码 order; of a 实施编码 given twice, the last is kept.
    fn sort(&mut self) {
        let text = &self.text;
        let code = |r: &[Range<u32>; 3]| &text[r[0].start as usize..r[0].end as usize];
        if self.entries.windows(2).all(|w| code(&w[0]) < code(&w[1])) {
            return;
        }
        // (Stable: of equal codes, the last given is the last here.)
        self.entries.sort_by(|a, b| code(a).cmp(code(b)));
        let mut kept: Vec<[Range<u32>; 3]> = Vec::with_capacity(self.entries.len());
        for e in self.entries.drain(..) {
            match kept.last_mut() {
                Some(last) if code(last) == code(&e) => *last = e,
                _ => kept.push(e),
            }
        }
        self.entries = kept;
    }

    /// How many entries were stamped.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry was stamped.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `i`-th entry (in 实施编码 order): its 实施编码, stamp and content
    /// digest.
    pub fn entry(&self, i: usize) -> (&str, &str, &str) {
        let [code, stamp, sha] = &self.entries[i];
        (self.at(code), self.at(stamp), self.at(sha))
    }

    /// Every entry, in 实施编码 order ([`Before::entry`]).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        (0..self.len()).map(|i| self.entry(i))
    }

    /// Where the entry of 实施编码 `code` is, if it was stamped.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|e| self.at(&e[0]).cmp(code))
            .ok()
    }

    /// The content digest of the entry of 实施编码 `code`.
    pub fn digest(&self, code: &str) -> Option<&str> {
        self.find(code).map(|i| self.entry(i).2)
    }

    /// The stamp of the agency's 汇编.
    pub fn agency(&self, code: &str) -> Option<&str> {
        self.agencies.get(code).map(String::as_str)
    }

    /// For each of `codes`, where it is ([`Before::find`]): in one walk
    /// beside them while they come in 实施编码 order, by a search for any
    /// that does not.
    pub fn places<'c>(&self, codes: impl Iterator<Item = &'c str>) -> Vec<Option<usize>> {
        let mut next = 0;
        codes
            .map(|code| {
                let here = (next < self.len() && self.at(&self.entries[next][0]) == code)
                    .then_some(next)
                    .or_else(|| self.find(code));
                if let Some(i) = here {
                    next = i + 1;
                }
                here
            })
            .collect()
    }

    /// The entries whose 实施编码 starts with `prefix` (an agency's
    /// 统一社会信用代码): the range of their places.
    pub fn starting(&self, prefix: &str) -> Range<usize> {
        let start = self.entries.partition_point(|e| self.at(&e[0]) < prefix);
        let len = self.entries[start..].partition_point(|e| self.at(&e[0]).starts_with(prefix));
        start..start + len
    }

    /// `stamps.json` as [`super::Stamps::write`] writes it, or as any JSON
    /// of its shape; `None` when it is neither, of another format, or a
    /// stamp is no version.
    pub fn parse(text: String) -> Option<Before> {
        let before = match Self::parse_lines(text) {
            Ok(b) => b,
            Err(text) => {
                let file = serde_json::from_str::<StampFile>(&text).ok()?;
                if file.version != FORMAT || check_version(&file.release).is_err() {
                    return None;
                }
                let list = file.entries.iter().map(|e: &EntryStamp| {
                    (e.impl_code.as_str(), e.release.as_str(), e.sha256.as_str())
                });
                Before::of(list, file.agencies)
            }
        };
        let mut last = "";
        let sound = before.iter().all(|(_, stamp, _)| {
            // (Stamps come in runs of the same few versions.)
            let ok = stamp == last || check_version(stamp).is_ok();
            last = stamp;
            ok
        }) && before.agencies.values().all(|s| check_version(s).is_ok());
        sound.then_some(before)
    }

    /// The text as [`super::Stamps::write`] lays it out, its strings taken
    /// where they stand; the text back when it is laid out otherwise.
    pub(super) fn parse_lines(text: String) -> Result<Before, String> {
        /// Where the header line ends and the entries begin.
        const ENTRIES: &str = ",\n\"entries\": [\n";
        /// After the last entry.
        const END: &str = "\n]}\n";
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Head {
            version: u32,
            release: String,
            agencies: BTreeMap<String, String>,
        }
        let Some(h) = text.find(ENTRIES) else {
            return Err(text);
        };
        let head = match serde_json::from_str::<Head>(&format!("{}}}", &text[..h])) {
            Ok(head) if head.version == FORMAT && check_version(&head.release).is_ok() => head,
            _ => return Err(text),
        };
        let mut entries = Vec::new();
        let mut at = h + ENTRIES.len();
        let bytes = text.as_bytes();
        // (`[\n` then `\n]}` when there is none.)
        if &text[at..] != END {
            loop {
                let Some((fields, end)) = line(bytes, at) else {
                    return Err(text);
                };
                entries.push(fields);
                if bytes[end..].starts_with(b",\n") {
                    at = end + 2;
                } else if &bytes[end..] == END.as_bytes() {
                    break;
                } else {
                    return Err(text);
                }
            }
        }
        let mut before = Before {
            text,
            entries,
            agencies: head.agencies,
        };
        before.sort();
        Ok(before)
    }
}

/// One entry's line at `at`, `{"impl_code":"…","release":"…","sha256":"…"}`
/// with no escape in its strings: the places of the three, and where the
/// line ends.
fn line(bytes: &[u8], at: usize) -> Option<([Range<u32>; 3], usize)> {
    const KEYS: [&[u8]; 3] = [b"{\"impl_code\":\"", b",\"release\":\"", b",\"sha256\":\""];
    let mut places: [Range<u32>; 3] = Default::default();
    let mut at = at;
    for (key, place) in KEYS.iter().zip(places.iter_mut()) {
        if !bytes.get(at..)?.starts_with(key) {
            return None;
        }
        let start = at + key.len();
        let len = memchr::memchr3(b'"', b'\\', b'\n', &bytes[start..])?;
        let end = start + len;
        if bytes[end] != b'"' {
            return None;
        }
        *place = u32::try_from(start).ok()?..u32::try_from(end).ok()?;
        at = end + 1;
    }
    (bytes.get(at) == Some(&b'}')).then_some((places, at + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamped(codes: &[&str]) -> Before {
        Before::of(codes.iter().map(|c| (*c, "2026.1", "ab")), BTreeMap::new())
    }

    #[test]
    fn places_are_found_in_order_out_of_order_and_not_at_all() {
        let b = stamped(&["A1", "A2", "B1", "B3"]);
        let codes = ["A1", "A2", "A3", "B1", "A1", "B3", "C"];
        assert_eq!(
            b.places(codes.into_iter()),
            [Some(0), Some(1), None, Some(2), Some(0), Some(3), None]
        );
        assert_eq!(b.starting("A"), 0..2);
        assert_eq!(b.starting("B"), 2..4);
        assert_eq!(b.starting("C"), 4..4);
        assert_eq!(b.starting(""), 0..4);
    }

    #[test]
    fn given_out_of_order_or_twice_they_are_sorted_and_the_last_kept() {
        let b = Before::of(
            [("B", "1", "x"), ("A", "1", "y"), ("B", "2", "z")],
            BTreeMap::new(),
        );
        assert_eq!(
            b.iter().collect::<Vec<_>>(),
            [("A", "1", "y"), ("B", "2", "z")]
        );
        assert_eq!(b.digest("B"), Some("z"));
        assert_eq!(b.digest("C"), None);
    }

    #[test]
    fn any_layout_of_the_json_reads_as_the_written_one() {
        let written = "{\"version\": 1, \"release\": \"2026.2\", \"agencies\": {\"A\":\"2026.1\"},\n\"entries\": [\n\
            {\"impl_code\":\"A2\",\"release\":\"2026.2\",\"sha256\":\"d2\"},\n\
            {\"impl_code\":\"A1\",\"release\":\"2026.1\",\"sha256\":\"d1\"}\n]}\n";
        let lines = Before::parse_lines(written.to_string()).unwrap();
        let value: serde_json::Value = serde_json::from_str(written).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        // (Not laid out as written: read as JSON.)
        assert!(Before::parse_lines(pretty.clone()).is_err());
        let any = Before::parse(pretty).unwrap();
        for b in [&lines, &any] {
            assert_eq!(
                b.iter().collect::<Vec<_>>(),
                [("A1", "2026.1", "d1"), ("A2", "2026.2", "d2")]
            );
            assert_eq!(b.agency("A"), Some("2026.1"));
        }
        // None stamped.
        let none =
            "{\"version\": 1, \"release\": \"2026.2\", \"agencies\": {},\n\"entries\": [\n\n]}\n";
        assert!(Before::parse_lines(none.to_string()).unwrap().is_empty());
        // An escape, a stamp that is no version, another format.
        let escaped = written.replace("\"d1\"", "\"d\\u0031\"");
        assert!(Before::parse_lines(escaped.clone()).is_err());
        assert_eq!(Before::parse(escaped).unwrap().digest("A1"), Some("d1"));
        assert!(Before::parse(written.replace("\"2026.1\",\"sha", "\"../x\",\"sha")).is_none());
        assert!(Before::parse(written.replace("\"version\": 1", "\"version\": 2")).is_none());
        assert!(Before::parse(written.replace("]}\n", "]")).is_none());
    }
}
