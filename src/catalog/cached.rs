//! Loading `items/` for a build with the entries of the previous build at
//! hand: parsing a hundred thousand YAML files is most of an unchanged
//! build's time, and an entry file whose bytes have not changed parses to
//! the same entry. The build keeps every entry it read in its output folder
//! (`dist/.yima.entries`, see docs/formats.md), one line each:
//!
//! ```text
//! path<TAB>sha256 of the file<TAB>sha256 of the JSON<TAB>sha256 of its content<TAB>check<TAB>codes as JSON<TAB>entry as JSON
//! ```
//!
//! (the JSON's digests are what the build stamps the entry with,
//! [`crate::publish::stamps::json_digests`]; the check: the XXH3-128 of the
//! fields before the JSON and of the JSON's length in decimal, each followed
//! by a NUL; the codes: the few elements
//! `assign --check` reads and where the entry goes, [`Summary`]) and the next build takes the entry
//! from the line instead of parsing the YAML when the file's digest is the
//! one recorded and the check holds (an altered line is not used). The
//! check guards against damage, not forgery — whoever can write the output
//! folder can write its files too — so it is a checksum of the short fields
//! (and the length, which a line cut short fails); the JSON (300 MB at
//! 100,000 entries) is proven by its own SHA-256, the line's third field,
//! only when an entry is parsed from it: a load hashes a few hundred bytes a
//! line, and a steady build parses a few entries.
//!
//! The file's digest comes from the memo beside `items/`
//! (`.items.yima.stats`, [`crate::fsx::settled`]) when the file's stat is
//! still the one noted there, else from reading it. What does not match is
//! parsed as [`super::load`] parses it, so the catalog is the same either
//! way; a missing or damaged cache costs only the time to parse.
//!
//! Beside it, `dist/.yima.codes` has the same lines without the entry's
//! JSON (and with a check of what is left): `assign --check` reads the
//! codes of 100,000 entries from 40 MB rather than 350 MB.
//!
//! Of two lines for one path the later counts: a steady build appends the
//! lines it made to both files rather than writing them whole ([`put`]).

mod put;

use super::lazy::{Entry, Json, Summary};
use super::{Catalog, CatalogError, ItemFile, item_paths, load_registry, parse_entry};
use crate::fsx::mapped::Bytes;
use crate::fsx::settled::{Memo, Stat};
use crate::fsx::sha256_hex;
use crate::publish::stamps::{Sums, json_digests};
use std::path::Path;
use std::sync::Arc;

/// The cache's file name, in the root of the output folder.
pub const FILE: &str = ".yima.entries";

/// The file of the codes' lines, beside [`FILE`].
pub const CODES_FILE: &str = ".yima.codes";

/// Where the codes' lines of the cache at `cache` are.
fn codes_path(cache: &Path) -> std::path::PathBuf {
    cache.with_file_name(CODES_FILE)
}

/// The first line of the cache: its format, then the binary that wrote it
/// ([`crate::publish::cache::binary_id`]): another yima may read the same
/// YAML into another entry, so it parses every file again.
const HEADER: &str = "yima entry cache 6";

/// The first line of the codes' file, likewise.
const CODES_HEADER: &str = "yima entry codes 2";

fn header() -> String {
    format!("{HEADER} {}", crate::publish::cache::binary_id())
}

fn codes_header() -> String {
    format!("{CODES_HEADER} {}", crate::publish::cache::binary_id())
}

/// A catalog loaded with the cache, and the cache for the next build.
pub struct Loaded {
    pub catalog: Catalog,
    /// The new cache: every entry read, in path order (appended or written
    /// whole, [`EntryCache::plan`]).
    pub cache: EntryCache,
    /// How many entries came from the cache rather than their YAML.
    pub reused: usize,
}

/// The cache a load leaves for the next one: lines kept from the old cache
/// (not copied: fresh memory is slow to come by) and new ones.
pub struct EntryCache {
    old: Arc<Bytes>,
    /// Where `old` was read from: the cache the new lines may be appended
    /// to ([`put`]).
    from: Option<std::path::PathBuf>,
    /// The line of each entry file, where it has one.
    lines: Vec<Option<Line>>,
    /// `items/` and the stats of its files as this load found them.
    items: std::path::PathBuf,
    memo: Memo,
}

pub use put::Put;

enum Line {
    /// A line of the old cache, by its place in its text.
    Old(usize, usize),
    New(String),
}

impl EntryCache {
    /// The text of a line.
    fn line<'a>(&'a self, line: &'a Line) -> &'a [u8] {
        match line {
            Line::Old(a, b) => &self.old[*a..*b],
            Line::New(text) => text.as_bytes(),
        }
    }

    /// The stat memo of `items/` this load noted, written beside `items/`
    /// to be put in place once the build is ([`Memo::pending`]).
    pub fn memo_pending(&self) -> std::io::Result<crate::fsx::Pending> {
        self.memo.pending(&self.items)
    }
}

/// Loads `items/` as [`super::load_whole`] does, taking an entry from the
/// cache at `cache` (when given) where the file's bytes are those recorded;
/// `keep_text` keeps each file's text (for line numbers in findings).
pub fn load_whole(
    dir: &Path,
    cache: Option<&Path>,
    keep_text: bool,
) -> Result<Loaded, CatalogError> {
    // The cache is read while the memo is, and indexed while the entry
    // files are listed: four steps of a tenth of a second each, on two
    // threads.
    // (A load that keeps every file's text reads every file: no memo.)
    let (old, memo) = rayon::join(
        || Arc::new(read_cache(cache)),
        || memo_of(dir, cache.filter(|_| !keep_text)),
    );
    let (index, paths) = rayon::join(
        || Index::of(&old, &header()),
        || dir.exists().then(|| item_paths(dir)),
    );
    let mut catalog = Catalog::default();
    let Some(paths) = paths else {
        return Ok(Loaded {
            catalog,
            cache: EntryCache {
                old: Default::default(),
                from: None,
                lines: Vec::new(),
                items: dir.to_path_buf(),
                memo,
            },
            reused: 0,
        });
    };
    let paths = paths?;
    let with = With {
        old: &old,
        memo: &memo,
        keep_text,
        parse: Parse::Whole,
    };
    // (Both columns are filled in place, on every thread: an entry file is
    // large, and moving 100,000 of them into the catalog one at a time,
    // into memory taken fresh, was a tenth of a second on one thread.)
    let mut found: Vec<Option<Line>> = Vec::new();
    {
        use rayon::prelude::*;
        paths
            .par_iter()
            .map(|rel| {
                let key = rel_key_of(rel);
                let recorded = index.get(&old, &key);
                read_one(dir, rel, &key, recorded, &with)
            })
            .unzip_into_vecs(&mut catalog.files, &mut found);
    }
    let reused = (found.iter())
        .filter(|line| matches!(line, Some(Line::Old(..))))
        .count();
    catalog.registry = load_registry(dir)?;
    super::whole(&catalog)?;
    Ok(Loaded {
        catalog,
        cache: EntryCache {
            old,
            from: cache.map(Path::to_path_buf),
            // (Kept with a place for each entry file: a pass to leave out
            // those with none held up the load on one thread.)
            lines: found,
            items: dir.to_path_buf(),
            memo,
        },
        reused,
    })
}

/// The stat memo of `items` when a cache is used (a load without one reads
/// every file: it has no digest to prove).
fn memo_of(items: &Path, cache: Option<&Path>) -> Memo {
    match cache {
        Some(_) => Memo::load(items),
        None => Memo::default(),
    }
}

/// Reads entry files one at a time with a cache at hand, for a pass over
/// `items/` that checks codes and keeps no catalog (`yima assign --check`):
/// an entry taken from the cache holds only what such a check reads
/// ([`Parse::Codes`]); one parsed from its file holds everything.
pub struct Reader {
    old: Arc<Bytes>,
    // Offsets into `old`: the reader owns both.
    index: Index,
    memo: Memo,
}

impl Reader {
    /// A reader of the entry files of `items` with the codes' lines of the
    /// cache at `cache` (none, or unusable ones, parse every file).
    pub fn open(items: &Path, cache: Option<&Path>) -> Reader {
        let codes = cache.map(codes_path);
        let (old, memo) = rayon::join(
            || Arc::new(read_cache(codes.as_deref())),
            || memo_of(items, cache),
        );
        let index = Index::of(&old, &codes_header());
        Reader { old, index, memo }
    }

    /// Reads the entry file `rel` of `dir` as [`super::read_item`] does
    /// (without its text), from the cache when its bytes are the recorded
    /// ones.
    pub fn read(&self, dir: &Path, rel: &Path) -> ItemFile {
        let key = rel_key_of(rel);
        let recorded = self.index.get(&self.old, &key);
        let with = With {
            old: &self.old,
            memo: &self.memo,
            keep_text: false,
            parse: Parse::Codes,
        };
        read_one(dir, rel, &key, recorded, &with).0
    }
}

/// The bytes of the cache at `path` (mapped, [`Bytes`]); none when there is
/// none. They are kept as bytes: a line is checked as UTF-8 when it is
/// used, on the thread that uses it (checking 300 MB of Chinese text at
/// once held up every load).
fn read_cache(path: Option<&Path>) -> Bytes {
    path.and_then(|p| Bytes::read(p).ok()).unwrap_or_default()
}

/// The lines of a cache's text by path, as offsets into the text (so that
/// whoever keeps the text can keep its index beside it): each line's start,
/// the end of its path, the end of the file digest it records, and its end.
/// Empty when the text does not start with `header` (another format, or
/// another binary's).
#[derive(Debug, Default)]
struct Index(hashbrown::HashTable<[usize; 4]>);

impl Index {
    fn of(text: &[u8], header: &str) -> Index {
        let first = text.len().min(header.len() + 1);
        if text[..first] != *format!("{header}\n").as_bytes() {
            return Index::default();
        }
        // (Lines are found with `memchr`: a byte-by-byte split of 300 MB held
        // up every load on one thread.)
        // (Room for lines of about 3 kB, the size of an entry as JSON: a
        // pass to count them cost as much as the pass that finds them.)
        let mut table = hashbrown::HashTable::with_capacity(text.len() / 3072);
        let key = |&[a, k, ..]: &[usize; 4]| &text[a..k];
        let mut start = first;
        while start < text.len() {
            let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |n| start + n);
            let line = &text[start..end];
            // The path and the digest: the first two fields.
            if let Some(k) = memchr::memchr(b'\t', line)
                && let Some(d) = memchr::memchr(b'\t', &line[k + 1..]).map(|d| k + 1 + d)
            {
                let at = [start, start + k, start + d, end];
                let hash = crate::fsx::keyed::hash_bytes(key(&at));
                // Of lines with the same path, the last counts.
                match table.entry(
                    hash,
                    |o| key(o) == key(&at),
                    |o| crate::fsx::keyed::hash_bytes(key(o)),
                ) {
                    hashbrown::hash_table::Entry::Occupied(mut o) => *o.get_mut() = at,
                    hashbrown::hash_table::Entry::Vacant(v) => {
                        v.insert(at);
                    }
                }
            }
            start = end + 1;
        }
        Index(table)
    }

    /// The file digest recorded for `key` in `text` (the text indexed) and
    /// where its line is.
    fn get<'t>(&self, text: &'t [u8], key: &str) -> Option<(&'t str, usize, usize)> {
        let hash = crate::fsx::keyed::hash_bytes(key.as_bytes());
        let &[a, k, d, b] = self
            .0
            .find(hash, |&[a, k, ..]| &text[a..k] == key.as_bytes())?;
        let digest = std::str::from_utf8(&text[k + 1..d]).ok()?;
        Some((digest, a, b))
    }
}

/// What every file of a load is read with: the old cache's text, the memo
/// of `items/`, whether each file's text is kept, and how much of an entry
/// a cache line gives.
#[derive(Clone, Copy)]
struct With<'a> {
    old: &'a Arc<Bytes>,
    memo: &'a Memo,
    keep_text: bool,
    parse: Parse,
}

/// Reads one entry file (`key`: its path as the cache writes it): from the
/// cache line `recorded` when the file's digest is the one recorded there —
/// by its stat noted in `memo`, or by its bytes — and the line holds, else
/// by parsing it. What proves the file is noted in `memo` for the next load.
fn read_one(
    dir: &Path,
    rel: &Path,
    key: &str,
    recorded: Option<(&str, usize, usize)>,
    with: &With<'_>,
) -> (ItemFile, Option<Line>) {
    let With {
        old,
        memo,
        keep_text,
        parse,
    } = *with;
    use std::io::Read;
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let full = dir.join(rel);
    let display = crate::filing::display_path(&full);
    // Not read at all when its stat proves it and its text is not wanted.
    let proven = recorded.filter(|_| !keep_text).and_then(|(digest, a, b)| {
        let (_, _, line) = memo
            .digest_line(key, &full)
            .filter(|(_, d, _)| *d == digest)?;
        let (e, sums) = from_line(old, a..b, parse, &full)?;
        // (The memo's line that proved it is the next memo's, as it stands.)
        memo.note_line(line);
        Some((e, sums, Line::Old(a, b)))
    });
    let failed = |message: String| ItemFile {
        rel: rel.to_path_buf(),
        display: display.clone(),
        text: String::new(),
        digest: String::new(),
        entry: Err(message),
        error_line: None,
        sums: None,
    };
    // A buffer each thread reuses: most files are only hashed.
    let read = match proven {
        // (The recorded digest: the file's bytes, its stat proves.)
        Some(cached) => Ok((
            None,
            recorded.map_or_else(String::new, |r| r.0.to_string()),
            Some(cached),
        )),
        None => BUF.with(|buf| {
            // Looked at before it is read: a change while it is read moves
            // its time past the stat noted.
            let stat = Stat::settled(&full);
            let mut buf = buf.borrow_mut();
            buf.clear();
            std::fs::File::open(&full)
                .and_then(|mut f| f.read_to_end(&mut buf))
                .map_err(|e| e.to_string())?;
            let text = std::str::from_utf8(&buf)
                .map_err(|_| "stream did not contain valid UTF-8".to_string())?;
            let digest = sha256_hex(text.as_bytes());
            if let Some(stat) = stat {
                memo.note(key, stat, &digest);
            }
            let cached = recorded
                .filter(|(d, _, _)| *d == digest)
                .and_then(|(_, a, b)| {
                    from_line(old, a..b, parse, &full).map(|(e, sums)| (e, sums, Line::Old(a, b)))
                });
            let owned = (keep_text || cached.is_none()).then(|| text.to_string());
            Ok::<_, String>((owned, digest, cached))
        }),
    };
    let (text, digest, cached) = match read {
        Ok(r) => r,
        Err(message) => return (failed(message), None),
    };
    let text = text.unwrap_or_default();
    let (entry, error_line, line, sums) = match cached {
        Some((e, sums, line)) => (Ok(e), None, Some(line), Some(sums)),
        None => match parse_entry(&text) {
            Ok(e) => match to_line(key, &digest, &e) {
                Some((line, sums)) => (Ok(e.into()), None, Some(Line::New(line)), Some(sums)),
                None => (Ok(e.into()), None, None, None),
            },
            Err((message, line)) => (Err(message), line, None, None),
        },
    };
    let file = ItemFile {
        rel: rel.to_path_buf(),
        display,
        text: if keep_text { text } else { String::new() },
        digest,
        entry,
        error_line,
        sums,
    };
    (file, line)
}

/// A path inside `items/` as the cache writes it: `/` between parts.
pub(crate) fn rel_key(rel: &Path) -> String {
    rel_key_of(rel).into_owned()
}

/// [`rel_key`], borrowed from `rel` when its bytes are already the key: a
/// path walked from `items/` is its names joined by `/`, and taking it
/// apart into components to join them again was most of a load's cost of
/// looking up an entry file's line.
pub(crate) fn rel_key_of(rel: &Path) -> std::borrow::Cow<'_, str> {
    if let Ok(key) = std::str::from_utf8(rel.as_os_str().as_encoded_bytes())
        && crate::fsx::is_plain_path(key)
    {
        return std::borrow::Cow::Borrowed(key);
    }
    std::borrow::Cow::Owned(
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
    )
}

/// The line of an entry read from a file of digest `digest`, and the
/// entry's digests; none when the entry cannot be written as JSON.
fn to_line(key: &str, digest: &str, e: &super::CatalogEntry) -> Option<(String, Sums)> {
    let json = serde_json::to_string(e).ok()?;
    if key.contains(['\t', '\n']) {
        return None;
    }
    let codes = serde_json::to_string(&Summary::of(e)).ok()?;
    let sums = json_digests(json.as_bytes());
    let len = json.len().to_string();
    let check = line_check(&[key, digest, &sums.0, &sums.1, &codes, &len].map(str::as_bytes));
    let (whole, content) = (&sums.0, &sums.1);
    Some((
        format!("{key}\t{digest}\t{whole}\t{content}\t{check}\t{codes}\t{json}"),
        sums,
    ))
}

/// The checksum that vouches for a line's other fields: XXH3-128 of each
/// followed by a NUL, in hex.
fn line_check<F: AsRef<[u8]>>(fields: &[F]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for f in fields {
        h.update(f.as_ref());
        h.update(b"\0");
    }
    format!("{:032x}", h.digest128())
}

/// How much of an entry a line gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parse {
    /// All of it.
    Whole,
    /// What a check of the codes reads ([`Summary`], a field of its own in
    /// the line); the rest is left empty.
    Codes,
}

/// The fields of `line` between tabs, as `splitn(n, ..)` gives them (the
/// last one holds the rest of the line), found by `memchr`: the first six
/// fields of a cache line are several hundred bytes, read for every entry
/// file a load finds.
fn tab_fields(line: &[u8], n: usize) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(line);
    let mut left = n;
    std::iter::from_fn(move || {
        let now = rest?;
        left = left.checked_sub(1)?;
        // (The last field is the rest of the line, not looked through: the
        // entry's JSON, 3.5 KB a line.)
        match (left > 0).then(|| memchr::memchr(b'\t', now)).flatten() {
            Some(tab) => {
                rest = Some(&now[tab + 1..]);
                Some(&now[..tab])
            }
            None => {
                rest = None;
                Some(now)
            }
        }
    })
}

/// The entry of a line whose check holds (as much of it as `parse` says:
/// the whole entry of a line of the cache, the codes of a line of the
/// codes' file), and its digests.
fn from_line(
    cache: &Arc<Bytes>,
    at: std::ops::Range<usize>,
    parse: Parse,
    file: &Path,
) -> Option<(Entry, Sums)> {
    let line = &cache[at.clone()];
    let mut parts = tab_fields(line, 7);
    let mut field = || parts.next();
    let (key, digest, whole, content) = (field()?, field()?, field()?, field()?);
    let (check, codes, json) = (field()?, field()?, field());
    // (The check is over the fields before the JSON and the JSON's length,
    // so that a line cut short fails it: the JSON itself is proven by its
    // SHA-256, the third field, when the entry is first read — a steady
    // build reads a few of 100,000, whose 350 MB it need not go through.)
    let sum = match (parse, json) {
        (Parse::Whole, Some(json)) => {
            let len = json.len().to_string();
            line_check(&[key, digest, whole, content, codes, len.as_bytes()])
        }
        (Parse::Codes, None) => line_check(&[key, digest, whole, content, codes]),
        _ => return None,
    };
    if sum.as_bytes() != check {
        return None;
    }
    // (Only what is parsed is checked as UTF-8.)
    let text = |b| simdutf8::basic::from_utf8(b).ok();
    let sums = (text(whole)?.to_string(), text(content)?.to_string());
    let summary = Summary::read(text(codes)?)?;
    let entry = match json {
        // (The JSON, checked, is parsed when the entry is first read.)
        Some(json) => Entry::later(
            summary,
            Json {
                text: Arc::clone(cache),
                range: at.end - json.len()..at.end,
                sha256: at.start + (whole.as_ptr() as usize - line.as_ptr() as usize),
                file: file.to_path_buf(),
            },
        ),
        None => Entry::parsed(summary.into_entry()),
    };
    Some((entry, sums))
}

/// Puts the line of the codes' file for a line of the cache, with its
/// newline, at the end of `out`: the same fields without the JSON, and a
/// check of those. False (and nothing put) for a line that is not one of
/// the cache's. The cache's own check is not worked out again: its lines
/// were checked when read, or made, by this load.
fn codes_line(line: &[u8], out: &mut Vec<u8>) -> bool {
    let mut parts = tab_fields(line, 7);
    let mut field = || parts.next();
    let (Some(key), Some(digest), Some(whole), Some(content), Some(_), Some(codes)) =
        (field(), field(), field(), field(), field(), field())
    else {
        return false;
    };
    let check = line_check(&[key, digest, whole, content, codes]);
    for f in [key, digest, whole, content, check.as_bytes(), codes] {
        out.extend_from_slice(f);
        out.push(b'\t');
    }
    out.pop();
    out.push(b'\n');
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogEntry;

    /// [`from_line`] of a line alone, the entry parsed.
    fn line_entry(line: &[u8], parse: Parse) -> Option<(CatalogEntry, Sums)> {
        let text = Arc::new(Bytes::from(line.to_vec()));
        let (e, sums) = from_line(&text, 0..line.len(), parse, Path::new("/nonexistent"))?;
        Some((e.into_inner(), sums))
    }

    #[test]
    fn a_line_gives_back_its_entry_and_an_altered_line_nothing() {
        let e = CatalogEntry {
            impl_code: "11431300006140469E3430101001000".into(),
            name: "户口迁移\t登记".into(),
            promised_days: Some(5),
            ..Default::default()
        };
        let (line, sums) = to_line("X/Y.yaml", &"a".repeat(64), &e).unwrap();
        assert_eq!(line.matches('\t').count(), 6, "{line}");
        // The digests are the entry's, as a build would work them out.
        assert_eq!(sums, crate::publish::stamps::digests(&e));
        assert_eq!(
            line_entry(line.as_bytes(), Parse::Whole),
            Some((e.clone(), sums.clone()))
        );
        // A line whose JSON was altered in place gives its codes, but not
        // that JSON: the entry is its file's, the JSON not being the bytes
        // its SHA-256 says.
        let altered = line.replace("\"promised_days\":5", "\"promised_days\":6");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("Y.yaml");
        let on_disk = CatalogEntry {
            promised_days: Some(7),
            ..e.clone()
        };
        std::fs::write(&file, crate::catalog::yaml::to_yaml(&on_disk).unwrap()).unwrap();
        let text = Arc::new(Bytes::from(altered.clone().into_bytes()));
        let (got, _) = from_line(&text, 0..altered.len(), Parse::Whole, &file).unwrap();
        assert_eq!(got.into_inner(), on_disk);
        // A line cut short, or grown, fails its check.
        for cut in [&line[..line.len() - 1], &format!("{line} ")] {
            assert_eq!(line_entry(cut.as_bytes(), Parse::Whole), None);
        }
        // Nor a line whose recorded digests were altered: they are what the
        // entry's release stamp is judged by.
        for sum in [&sums.0, &sums.1] {
            let redigested = line.replacen(sum.as_str(), &"0".repeat(64), 1);
            assert_ne!(redigested, line);
            assert_eq!(line_entry(redigested.as_bytes(), Parse::Whole), None);
        }
        assert_eq!(
            line_entry(line.replace("X/Y", "X/Z").as_bytes(), Parse::Whole),
            None
        );
        assert_eq!(line_entry(b"X/Y.yaml\tshort", Parse::Whole), None);
        // JSON that is no longer UTF-8 is not parsed either.
        let mut broken = line.clone().into_bytes();
        let at = broken.len() - 2;
        broken[at] = 0xff;
        let n = broken.len();
        let text = Arc::new(Bytes::from(broken));
        let (got, _) = from_line(&text, 0..n, Parse::Whole, &file).unwrap();
        assert_eq!(got.into_inner(), on_disk);
    }

    #[test]
    fn the_index_finds_every_whole_line_and_only_under_this_binarys_header() {
        let text = format!(
            "{}\na/b.yaml\td1\tc\t{{}}\nshort\td\n\nx.yaml\td2\tc\t{{}}",
            header()
        );
        let t = text.as_bytes();
        let index = Index::of(t, &header());
        assert_eq!(index.0.len(), 2, "{index:?}");
        let (d, a, b) = index.get(t, "a/b.yaml").unwrap();
        assert_eq!((d, &text[a..b]), ("d1", "a/b.yaml\td1\tc\t{}"));
        // The last line needs no newline.
        let (d, a, b) = index.get(t, "x.yaml").unwrap();
        assert_eq!((d, &text[a..b]), ("d2", "x.yaml\td2\tc\t{}"));
        assert_eq!(index.get(t, "short"), None);
        assert_eq!(index.get(t, "a/b"), None);
        // Of two lines with one path, the last.
        let twice = format!("{text}\na/b.yaml\td3\tc\t{{}}");
        let (d, ..) = Index::of(twice.as_bytes(), &header())
            .get(twice.as_bytes(), "a/b.yaml")
            .unwrap();
        assert_eq!(d, "d3");
        // Another header (another binary, another format): nothing.
        let other = text.replacen("yima entry cache", "yima entry cache 9", 1);
        assert!(Index::of(other.as_bytes(), &header()).0.is_empty());
        assert!(Index::of(header().as_bytes(), &header()).0.is_empty());
        assert!(Index::of(b"", &header()).0.is_empty());
    }

    #[test]
    fn a_pass_over_the_codes_gets_the_codes_and_names_of_an_entry_and_nothing_else() {
        let e = CatalogEntry {
            impl_code: "11431300006140469E3430101001000".into(),
            basic_code: "3430101001000".into(),
            name: "户口迁移登记".into(),
            sub_name: "省内迁移".into(),
            category: "行政确认".into(),
            sector: "公安".into(),
            agency_code: "11431300006140469E".into(),
            level: "市级".into(),
            status: crate::codes::registry::Status::Retired,
            promised_days: Some(5),
            channels: vec!["窗口办理".into()],
            ..Default::default()
        };
        let (line, sums) = to_line("X/Y.yaml", &"a".repeat(64), &e).unwrap();
        let mut short = Vec::new();
        assert!(codes_line(line.as_bytes(), &mut short));
        assert_eq!(short.pop(), Some(b'\n'));
        let short = String::from_utf8(short).unwrap();
        assert!(!codes_line(b"X/Y.yaml\tshort", &mut Vec::new()));
        assert!(line.starts_with(&short[..short.find('{').unwrap() - 34]));
        assert_eq!(short.matches('\t').count(), 5, "{short}");
        assert!(!short.contains("promised_days"), "{short}");
        // Each kind of line is read one way only.
        assert_eq!(line_entry(line.as_bytes(), Parse::Codes), None);
        assert_eq!(line_entry(short.as_bytes(), Parse::Whole), None);
        let (codes, got) = line_entry(short.as_bytes(), Parse::Codes).unwrap();
        assert_eq!(got, sums);
        let want = CatalogEntry {
            promised_days: None,
            channels: Vec::new(),
            ..e.clone()
        };
        assert_eq!(codes, want);
        // An altered line gives nothing this way either.
        let altered = short.replace("省内迁移", "省外迁移");
        assert_eq!(line_entry(altered.as_bytes(), Parse::Codes), None);
        let altered = short.replacen("3430101001000", "3430101001001", 1);
        assert_eq!(line_entry(altered.as_bytes(), Parse::Codes), None);
    }

    #[test]
    fn entries_taken_from_the_cache_carry_the_digests_a_build_would_work_out() {
        let items = Path::new(env!("CARGO_MANIFEST_DIR")).join("items");
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join(FILE);
        let first = load_whole(&items, Some(&cache), false).unwrap();
        first.cache.write(&cache).unwrap();
        let second = load_whole(&items, Some(&cache), false).unwrap();
        let files = &second.catalog.files;
        assert!(files.len() > 10);
        assert_eq!(second.reused, files.len());
        for (a, b) in first.catalog.files.iter().zip(files) {
            let e = b.entry.as_ref().unwrap();
            let sums = crate::publish::stamps::digests(e);
            // Parsed from YAML or taken from a line: the same digests.
            assert_eq!(a.sums.as_ref(), Some(&sums), "{}", b.display);
            assert_eq!(b.sums.as_ref(), Some(&sums), "{}", b.display);
        }
    }

    /// A copy of the sample catalog's `items/` in `dir`.
    pub(super) fn copy_items(dir: &Path) -> std::path::PathBuf {
        fn copy(from: &Path, to: &Path) {
            std::fs::create_dir_all(to).unwrap();
            for e in std::fs::read_dir(from).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    copy(&e.path(), &to.join(e.file_name()));
                } else {
                    std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
                }
            }
        }
        let items = dir.join("items");
        copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("items"), &items);
        items
    }

    /// Changes the names of entry files `rels` of `items`.
    pub(super) fn rename_entries(items: &Path, rels: &[&std::path::PathBuf]) {
        for rel in rels {
            let path = items.join(rel);
            let text = std::fs::read_to_string(&path).unwrap();
            let changed = text.replacen("name: ", "name: 新", 1);
            assert_ne!(changed, text);
            std::fs::write(&path, changed).unwrap();
        }
    }

    #[test]
    fn a_cache_written_from_old_runs_and_new_lines_is_the_one_written_anew() {
        let dir = tempfile::tempdir().unwrap();
        let items = copy_items(dir.path());
        let cache = dir.path().join(FILE);
        let first = load_whole(&items, Some(&cache), false).unwrap();
        first.cache.write(&cache).unwrap();
        let written = std::fs::read(&cache).unwrap();
        // Every line kept: the same bytes.
        let again = load_whole(&items, Some(&cache), false).unwrap();
        assert_eq!(again.reused, again.catalog.files.len());
        again.cache.write(&dir.path().join("again")).unwrap();
        assert_eq!(std::fs::read(dir.path().join("again")).unwrap(), written);
        // Two entries in the middle changed: runs of kept lines around new
        // ones, as a load that parses every file writes them.
        let mut rels: Vec<_> = again.catalog.files.iter().map(|f| f.rel.clone()).collect();
        rels.sort();
        rename_entries(&items, &[&rels[rels.len() / 3], &rels[rels.len() / 2]]);
        let mixed = load_whole(&items, Some(&cache), false).unwrap();
        assert_eq!(mixed.reused, mixed.catalog.files.len() - 2);
        mixed.cache.write(&dir.path().join("mixed")).unwrap();
        let fresh = load_whole(&items, None, false).unwrap();
        assert_eq!(fresh.reused, 0);
        fresh.cache.write(&dir.path().join("fresh")).unwrap();
        let mixed = std::fs::read(dir.path().join("mixed")).unwrap();
        assert_ne!(mixed, written);
        assert_eq!(mixed, std::fs::read(dir.path().join("fresh")).unwrap());
    }

    #[test]
    fn a_key_borrowed_from_its_path_is_the_key_made_from_its_components() {
        let paths = [
            "114313000014051574/1143130000140515743430112004002.yaml",
            "a.yaml",
            "a//b.yaml",
            "./a/b.yaml",
            "a/./b.yaml",
            "a/b/",
            "/a/b.yaml",
            "../a.yaml",
            "",
        ];
        for (i, p) in paths.map(Path::new).into_iter().enumerate() {
            let made = p
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let key = rel_key_of(p);
            assert_eq!(key, made, "{p:?}");
            // (The paths a walk of `items/` makes are their keys as they are.)
            let borrowed = matches!(key, std::borrow::Cow::Borrowed(_));
            assert_eq!(borrowed, [0, 1, 7].contains(&i), "{p:?}");
        }
    }

    #[test]
    fn fields_between_tabs_are_those_splitn_gives() {
        for line in [
            "",
            "a",
            "a\tb",
            "\t",
            "a\t\tb\t",
            "1\t2\t3\t4\t5\t6\t7\t8\t9",
            "1\t2\t3\t4\t5\t6\t7",
        ] {
            let line = line.as_bytes();
            for n in 0..10 {
                let ours: Vec<&[u8]> = tab_fields(line, n).collect();
                let theirs: Vec<&[u8]> = line.splitn(n, |&b| b == b'\t').collect();
                assert_eq!(ours, theirs, "{line:?} in {n}");
            }
        }
    }
}
