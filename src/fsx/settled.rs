//! What a file's metadata proves about its bytes. A [`Memo`] records, for
//! the files of one tree, each file's *settled stat* — size, modification
//! time and (on Unix) device and inode, elsewhere creation time — with the
//! sha256 of its bytes, and a later run that finds the same stat takes the
//! recorded digest instead of reading the file again, as `git`'s index does:
//! writing a file changes its modification time, replacing it changes its
//! inode.
//!
//! The memo describes the machine's files, not what they hold, so it is kept
//! beside its tree (`.dist.yima.stats` beside `dist/`), never in it: a tree
//! built anew gives the same bytes as one built on the old. It is only ever
//! a shortcut to a digest: a memo that is stale, from another tree or
//! damaged proves nothing and costs the time to read the files.
//!
//! A stat proves nothing while the file's modification time is recent: a
//! file system stamps times in ticks (a few milliseconds on Linux, two
//! seconds on FAT), and a file rewritten within the tick in which it was
//! looked at, to the same size, would look the same. So a stat is recorded
//! only when the file was last modified [`SETTLE`] or more before it was
//! looked at ("racily clean" files, in `git`'s words, are hashed again next
//! time), and never when the clock says the file comes from the future.
//! A time with digits below the millisecond comes from a file system that
//! stamps in fine ticks (ext4, XFS, btrfs, tmpfs, APFS, NTFS: the kernel's
//! tick, at most tens of milliseconds): there [`SETTLE_FINE`] is enough, and
//! a file written early in a run is proven when the run ends.

pub(crate) mod at;

use super::keyed::Keyed;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long ago a file must have been modified for its stat to prove it.
pub const SETTLE: Duration = Duration::from_secs(3);

/// [`SETTLE`] for a file whose time has digits below the millisecond: a
/// file system stamping in fine ticks. Over ten times the longest tick
/// Linux (10 ms) or Windows (15.6 ms) stamps with, so a later write cannot
/// fall into the tick of the time seen.
pub const SETTLE_FINE: Duration = Duration::from_millis(200);

/// A file's stat, as recorded and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    len: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    mtime: u128,
    dev: u64,
    ino: u64,
}

impl Stat {
    /// The stat of the file at `path` when it settled — modified at least
    /// [`SETTLE`] before now, or [`SETTLE_FINE`] on a file system that
    /// stamps in fine ticks — and none otherwise (or when it cannot be
    /// looked at, or is no regular file).
    pub fn settled(path: &Path) -> Option<Stat> {
        Stat::settled_in(0, path)
    }

    /// [`Stat::settled`], the file looked up from its folder when it is the
    /// one this thread looked in last for `owner` ([`at::stat`]; 0: none).
    pub fn settled_in(owner: u64, path: &Path) -> Option<Stat> {
        let now = SystemTime::now();
        let s = at::stat(owner, path)?;
        let settle = if s.mtime % 1_000_000 == 0 {
            SETTLE
        } else {
            SETTLE_FINE
        };
        let settled_before = now.checked_sub(settle)?.duration_since(UNIX_EPOCH).ok()?;
        (s.mtime < settled_before.as_nanos()).then_some(s)
    }

    /// The stat of the file at `path` as it is now (no proof of anything
    /// unless it equals a settled one recorded earlier).
    pub fn of(path: &Path) -> Option<Stat> {
        let m = std::fs::metadata(path).ok()?;
        if !m.is_file() {
            return None;
        }
        let mtime = m
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_nanos();
        #[cfg(unix)]
        let (dev, ino) = {
            use std::os::unix::fs::MetadataExt;
            (m.dev(), m.ino())
        };
        // Elsewhere (Windows) no inode is at hand: a file copied over
        // another keeps its modification time but gets its own creation time.
        #[cfg(not(unix))]
        let (dev, ino) = {
            let created = m
                .created()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
            (0, created.map_or(0, |d| d.as_nanos() as u64))
        };
        Some(Stat {
            len: m.len(),
            mtime,
            dev,
            ino,
        })
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.len
    }

    /// Whether the file at `path` still has this stat.
    pub fn holds(&self, path: &Path) -> bool {
        Stat::of(path).as_ref() == Some(self)
    }

    /// Reads a stat as [`Stat`]'s `Display` writes it.
    pub fn parse(s: &str) -> Option<Stat> {
        let mut parts = s.split('.');
        let mut next = || parts.next()?.parse::<u128>().ok();
        let stat = Stat {
            len: u64::try_from(next()?).ok()?,
            mtime: next()?,
            dev: u64::try_from(next()?).ok()?,
            ino: u64::try_from(next()?).ok()?,
        };
        parts.next().is_none().then_some(stat)
    }
}

/// `len.mtime.dev.ino`, decimal.
impl fmt::Display for Stat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // (As a u64 while it fits, until the year 2554: formatting a u128
        // divides in software, and a memo has 300,000 of them.)
        match u64::try_from(self.mtime) {
            Ok(mtime) => write!(f, "{}.{mtime}.{}.{}", self.len, self.dev, self.ino),
            Err(_) => write!(f, "{}.{}.{}.{}", self.len, self.mtime, self.dev, self.ino),
        }
    }
}

/// The first line of a memo: its format.
const HEADER: &str = "yima stat memo 1";

/// Where the memo of the tree at `root` is kept: beside it, as
/// `.NAME.yima.stats`.
pub fn memo_path(root: &Path) -> PathBuf {
    super::beside(root, "yima.stats")
}

/// The settled stats and digests of the files of one tree, by their path
/// in it (with `/`), as a run found them; and those of the next run, as it
/// finds them.
#[derive(Debug, Default)]
pub struct Memo {
    /// The memo read: `stat<TAB>sha256` by path.
    old: Keyed,
    /// Whose folders the files are looked up from ([`at`]): 0 for a memo
    /// that was not read.
    owner: u64,
    /// The lines noted for the next memo (`path<TAB>stat<TAB>sha256`),
    /// each with the length of its path: made as the files are noted, on
    /// the threads that prove or write them, so that the memo's text is
    /// only put in order and joined.
    new: Mutex<Vec<Noted>>,
}

/// A line noted for the next memo: made, with the length of its path, or
/// the line of an earlier memo that proved the file, as it stands there
/// (the same path, stat and digest: 300,000 lines a steady build would
/// otherwise make again).
#[derive(Debug)]
enum Noted {
    Made(String, usize),
    Kept(super::keyed::Line),
}

impl Noted {
    fn path(&self) -> &[u8] {
        match self {
            Noted::Made(line, len) => &line.as_bytes()[..*len],
            Noted::Kept(line) => line.key(),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Noted::Made(line, _) => line.as_bytes(),
            Noted::Kept(line) => line.bytes(),
        }
    }
}

impl Memo {
    /// A memo that reads nothing, with room for the `n` files a run will
    /// note (taken at once, not grown by doubling in memory taken fresh).
    pub fn with_room(n: usize) -> Memo {
        Memo {
            new: Mutex::new(Vec::with_capacity(n)),
            ..Memo::default()
        }
    }

    /// The memo kept beside the tree at `root`; empty when there is none or
    /// it cannot be read whole.
    pub fn load(root: &Path) -> Memo {
        let old = super::mapped::Bytes::read(&memo_path(root))
            .ok()
            .and_then(parse_memo)
            .unwrap_or_default();
        // (Room for a line for each file it holds: as many are noted again
        // when nothing changed, taken at once rather than grown by
        // doubling.)
        let new = Mutex::new(Vec::with_capacity(old.len()));
        Memo {
            old,
            owner: at::owner(),
            new,
        }
    }

    /// The digest the memo kept beside the tree at `root` records for its
    /// file `rel`, when the file's stat is the one recorded: [`Memo::load`]
    /// and [`Memo::digest`] for one file, without making the table of all
    /// its lines (a release proves the `catalog.json` of `dist/`, whose
    /// memo lists 300,000 files). None when the memo cannot be read whole,
    /// or lists `rel` other than once.
    pub fn digest_of_one(root: &Path, rel: &str) -> Option<String> {
        let text = super::mapped::Bytes::read(&memo_path(root)).ok()?;
        let body = &text[..super::unseal_bytes(&text).ok()?];
        let body = body.strip_prefix(format!("{HEADER}\n").as_bytes())?;
        let needle = format!("\n{rel}\t");
        let mut found = memchr::memmem::find_iter(body, needle.as_bytes())
            .map(|at| at + 1)
            .chain(body.starts_with(&needle.as_bytes()[1..]).then_some(0));
        let (start, again) = (found.next()?, found.next());
        if again.is_some() {
            return None;
        }
        let line = &body[start..];
        let line = &line[..memchr::memchr(b'\n', line)?];
        let rest = std::str::from_utf8(&line[rel.len() + 1..]).ok()?;
        let (stat, sha256) = fields(rest)?;
        (super::is_sha256_hex(sha256) && Stat::of(&root.join(rel))? == stat)
            .then(|| sha256.to_string())
    }

    /// The digest of `path` (the file `rel` of the tree) and its stat, when
    /// its stat is the one recorded.
    pub fn digest(&self, rel: &str, path: &Path) -> Option<(Stat, &str)> {
        self.proof(rel, path)
            .map(|(stat, sha256, _)| (stat, sha256))
    }

    /// [`Memo::digest`], with the memo's line that proves it, to be noted
    /// as it is ([`Memo::note_line`]).
    pub fn digest_line(&self, rel: &str, path: &Path) -> Option<(Stat, &str, super::keyed::Line)> {
        let (stat, sha256, at) = self.proof(rel, path)?;
        Some((stat, sha256, self.old.line(at)))
    }

    /// The stat and digest recorded for `rel`, and the place of its line,
    /// when the file at `path` still has that stat.
    fn proof(&self, rel: &str, path: &Path) -> Option<(Stat, &str, u32)> {
        let (rest, at) = self.old.get_at(rel)?;
        let (stat, sha256) = fields(rest)?;
        (at::stat(self.owner, path)? == stat).then_some((stat, sha256, at))
    }

    /// The length of the memo's text as read (0 for none).
    pub fn text_len(&self) -> usize {
        self.old.text_len()
    }

    /// Notes every line of the memo read, but those whose path `drop`
    /// picks, in `next` as they stand (the files a run leaves as they are
    /// keep their stats and digests: nothing is looked at).
    pub fn carry_into(&self, next: &Memo, drop: &dyn Fn(&[u8]) -> bool) {
        let mut new = next.new.lock().unwrap_or_else(|p| p.into_inner());
        for i in 0..self.old.len() as u32 {
            let line = self.old.line(i);
            if !drop(line.key()) {
                new.push(Noted::Kept(line));
            }
        }
    }

    /// Notes the line of an earlier memo ([`Memo::digest_line`]) that
    /// proved a file at the same path in this tree, for the next memo.
    pub fn note_line(&self, line: super::keyed::Line) {
        self.new
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Noted::Kept(line));
    }

    /// Notes that the file `rel`, of stat `stat`, holds bytes of digest
    /// `sha256`, for the next memo.
    pub fn note(&self, rel: &str, stat: Stat, sha256: &str) {
        // (A path with a tab or a newline cannot be a line's first field.)
        if rel.contains(['\t', '\n']) {
            return;
        }
        let mut line = String::with_capacity(rel.len() + sha256.len() + 48);
        let _ = write!(line, "{rel}\t{stat}\t{sha256}");
        self.new
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Noted::Made(line, rel.len()));
    }

    /// Writes the noted files as the memo of the tree at `root`
    /// (atomically; a memo is whole or absent).
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        self.pending(root)?.put()
    }

    /// Writes the noted files as the memo of the tree at `root`, beside
    /// it, to be put in place ([`super::Pending::put`]) once the tree is:
    /// streamed into its file rather than made in memory first.
    pub fn pending(&self, root: &Path) -> std::io::Result<super::Pending> {
        super::Pending::write(&memo_path(root), &mut |w| self.write_text(w))
    }

    /// Writes a memo's text made by [`Memo::text`] as the memo of the tree
    /// at `root`.
    #[cfg(test)]
    pub fn write(root: &Path, text: &str) -> std::io::Result<()> {
        super::write_atomic(&memo_path(root), text.as_bytes())
    }

    /// The noted files as a memo's text (sealed): [`Memo::write_text`]
    /// into memory.
    #[cfg(test)]
    pub fn text(&self) -> String {
        let mut text = Vec::new();
        self.write_text(&mut text)
            .expect("memory takes every write");
        String::from_utf8(text).expect("the lines are text")
    }

    /// Writes the noted files as a memo's text (sealed) into `w`, taking
    /// them: the lines in path order, each path once.
    pub fn write_text(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut new = std::mem::take(&mut *self.new.lock().unwrap_or_else(|p| p.into_inner()));
        // (Most lines of a steady build's memo are the earlier memo's, in
        // path order there: those compare by their places, without reading
        // 300,000 paths in the mapped text again and again.)
        let cmp = |a: &Noted, b: &Noted| {
            match (a, b) {
                (Noted::Kept(x), Noted::Kept(y)) => x.cmp_by_place(y),
                _ => None,
            }
            .unwrap_or_else(|| a.path().cmp(b.path()))
        };
        new.sort_by(cmp);
        new.dedup_by(|a, b| cmp(a, b).is_eq());
        super::seal_into(w, &mut |w| {
            w.write_all(HEADER.as_bytes())?;
            w.write_all(b"\n")?;
            for line in &new {
                w.write_all(line.bytes())?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })
    }
}

/// A memo's text: the header, `path<TAB>stat<TAB>sha256` lines, and the
/// checksum of all that ([`super::seal`]); none when the header or the
/// checksum does not hold. A line whose digest is none is never found, nor
/// one whose stat does not read ([`Memo::digest`]).
/// The stat and digest of a memo's line after its path.
fn fields(rest: &str) -> Option<(Stat, &str)> {
    let (stat, sha256) = rest.split_once('\t')?;
    Some((Stat::parse(stat)?, sha256))
}

fn parse_memo(text: super::mapped::Bytes) -> Option<Keyed> {
    Keyed::unseal(text, HEADER, |_, rest| {
        rest.split_once('\t')
            .is_some_and(|(_, sha256)| super::is_sha256_hex(sha256))
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_mtime(path: &Path, t: SystemTime) {
        let f = std::fs::File::options().write(true).open(path).unwrap();
        f.set_modified(t).unwrap();
    }

    #[test]
    fn a_fresh_file_proves_nothing_and_a_settled_one_proves_itself() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.html");
        std::fs::write(&p, "<p>a</p>").unwrap();
        assert_eq!(Stat::settled(&p), None, "just written: racily clean");
        set_mtime(&p, SystemTime::now() - Duration::from_secs(60));
        let s = Stat::settled(&p).expect("settled a minute ago");
        assert!(s.holds(&p));
        assert_eq!(Stat::parse(&s.to_string()), Some(s));
        // A time past what a u64 holds (nanoseconds after 2554) is written whole.
        let far = Stat {
            mtime: u128::from(u64::MAX) + 7,
            ..s
        };
        assert!(far.to_string().contains(".18446744073709551622."), "{far}");
        assert_eq!(Stat::parse(&far.to_string()), Some(far));
        assert!(Stat::parse("1.2.3").is_none() && Stat::parse("1.2.3.4.5").is_none());
        // Rewritten to the same size: the time moves.
        std::fs::write(&p, "<p>b</p>").unwrap();
        assert!(!s.holds(&p));
    }

    #[test]
    fn a_replaced_file_does_not_hold_even_with_its_time_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.html");
        std::fs::write(&p, "<p>a</p>").unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        set_mtime(&p, old);
        let s = Stat::settled(&p).unwrap();
        let q = dir.path().join("b.html");
        std::fs::write(&q, "<p>b</p>").unwrap();
        set_mtime(&q, old);
        std::fs::rename(&q, &p).unwrap();
        #[cfg(unix)]
        assert!(!s.holds(&p), "another inode");
        assert!(Stat::settled(dir.path()).is_none(), "a folder is no file");
        assert!(Stat::settled(&dir.path().join("missing")).is_none());
    }

    #[test]
    fn a_fine_time_settles_in_a_fraction_of_a_second_and_a_coarse_one_in_seconds() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.html");
        std::fs::write(&p, "x").unwrap();
        let since = |t: Duration| SystemTime::now() - t;
        // A second ago, in a time with nanoseconds: settled.
        let fine = since(Duration::from_secs(1));
        let fine = UNIX_EPOCH
            + Duration::from_secs(fine.duration_since(UNIX_EPOCH).unwrap().as_secs())
            + Duration::from_nanos(123_456_789);
        set_mtime(&p, fine - Duration::from_secs(1));
        assert!(Stat::settled(&p).is_some(), "fine ticks, two seconds ago");
        // The same, but stamped in whole seconds as FAT or ext3 stamp: not
        // for three seconds.
        let coarse = UNIX_EPOCH
            + Duration::from_secs(
                since(Duration::from_secs(1))
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs(),
            );
        set_mtime(&p, coarse);
        assert_eq!(Stat::settled(&p), None, "whole seconds, a second ago");
        set_mtime(&p, coarse - Duration::from_secs(5));
        assert!(
            Stat::settled(&p).is_some(),
            "whole seconds, six seconds ago"
        );
        // A fine time within the fine settling time: not yet.
        set_mtime(&p, since(SETTLE_FINE / 4));
        assert_eq!(Stat::settled(&p), None);
    }

    #[test]
    fn a_file_from_the_future_is_not_settled() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.html");
        std::fs::write(&p, "x").unwrap();
        set_mtime(&p, SystemTime::now() + Duration::from_secs(3600));
        assert_eq!(Stat::settled(&p), None);
    }

    #[test]
    fn a_memo_proves_what_still_holds_and_a_damaged_one_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dist");
        std::fs::create_dir_all(&root).unwrap();
        let (a, b) = (root.join("a.html"), root.join("b.html"));
        std::fs::write(&a, "<p>a</p>").unwrap();
        std::fs::write(&b, "<p>b</p>").unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        set_mtime(&a, old);
        set_mtime(&b, old);
        let memo = Memo::load(&root);
        assert_eq!(memo.digest("a.html", &a), None, "no memo yet");
        memo.note("a.html", Stat::settled(&a).unwrap(), &"a".repeat(64));
        memo.note("b.html", Stat::settled(&b).unwrap(), &"b".repeat(64));
        memo.save(&root).unwrap();
        assert_eq!(memo_path(&root), dir.path().join(".dist.yima.stats"));

        let memo = Memo::load(&root);
        let (stat, sha) = memo.digest("a.html", &a).unwrap();
        assert_eq!(sha, "a".repeat(64));
        // One file's line alone proves the same, or nothing (a path that
        // is the end of another's is not that path).
        let one = |rel| Memo::digest_of_one(&root, rel);
        assert_eq!(one("a.html"), Some("a".repeat(64)));
        assert_eq!(one("b.html"), Some("b".repeat(64)));
        assert_eq!(
            (one(".html"), one("html"), one("c.html")),
            (None, None, None)
        );
        std::fs::write(&b, "<p>B</p>").unwrap();
        assert_eq!(memo.digest("b.html", &b), None, "rewritten");
        assert_eq!(one("b.html"), None, "rewritten");
        assert_eq!(memo.digest("a.html", &b), None, "another file");
        memo.note("a.html", stat, &"a".repeat(64));
        memo.save(&root).unwrap();
        let again = Memo::load(&root);
        assert!(again.digest("a.html", &a).is_some(), "what was noted again");
        assert!(again.digest("b.html", &b).is_none(), "what was not");

        let text = std::fs::read_to_string(memo_path(&root)).unwrap();
        std::fs::write(memo_path(&root), text.replace("a.html", "b.html")).unwrap();
        assert!(Memo::load(&root).old.is_empty(), "altered");
        assert_eq!(Memo::digest_of_one(&root, "a.html"), None, "altered");
        std::fs::write(memo_path(&root), &text[..text.len() - 3]).unwrap();
        assert!(Memo::load(&root).old.is_empty(), "cut short");
        assert_eq!(Memo::digest_of_one(&root, "a.html"), None, "cut short");
        // A path listed twice (sealed all the same) proves nothing alone.
        let body = crate::fsx::unseal(&text).unwrap();
        let line = body.lines().find(|l| l.starts_with("a.html\t")).unwrap();
        let twice = crate::fsx::seal(format!("{body}{line}\n"));
        std::fs::write(memo_path(&root), twice).unwrap();
        assert_eq!(Memo::digest_of_one(&root, "a.html"), None, "twice");
    }

    #[test]
    fn a_line_that_proved_a_file_is_noted_as_it_stands_among_made_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("dist");
        std::fs::create_dir_all(root.join("g")).unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        let names = ["g/c.html", "a.html", "g/b.md", "z.txt"];
        for n in names {
            std::fs::write(root.join(n), n).unwrap();
            set_mtime(&root.join(n), old);
        }
        let first = Memo::load(&root);
        for n in names {
            let stat = Stat::settled(&root.join(n)).unwrap();
            first.note(n, stat, &n.len().to_string().repeat(64));
        }
        first.save(&root).unwrap();
        let made = std::fs::read(memo_path(&root)).unwrap();
        // The next run proves three by their lines, and makes the fourth's
        // again (as a rewritten file's would be): the same memo.
        let memo = Memo::load(&root);
        let next = Memo::default();
        // (Out of order, and one twice: lines of one memo in path order
        // are ordered by their places in it.)
        for n in ["z.txt", "g/c.html", "a.html", "z.txt"] {
            let (_, sha256, line) = memo.digest_line(n, &root.join(n)).unwrap();
            assert_eq!(line.key(), n.as_bytes());
            assert_eq!(sha256, n.len().to_string().repeat(64));
            next.note_line(line);
        }
        let stat = Stat::settled(&root.join("g/b.md")).unwrap();
        next.note("g/b.md", stat, &"6".repeat(64));
        assert_eq!(next.text().as_bytes(), made.as_slice());
        // A file changed since has no line to give.
        std::fs::write(root.join("a.html"), "changed").unwrap();
        assert!(memo.digest_line("a.html", &root.join("a.html")).is_none());
    }

    #[test]
    fn a_memos_text_holds_each_path_once_in_order_and_no_path_that_cannot_be_a_field() {
        let stat = |n: u64| Stat {
            len: n,
            mtime: 1_700_000_000_000_000_000 + u128::from(n),
            dev: 7,
            ino: 100 + n,
        };
        let memo = Memo::default();
        for (rel, n, sha) in [
            ("guides/b.md", 1, "b"),
            ("a.b", 2, "x"),
            ("guides/a.html", 3, "a"),
            ("a", 4, "y"),
            ("guides/b.md", 5, "c"),
            ("tab\there", 6, "t"),
            ("new\nline", 7, "n"),
            ("a\u{1}", 8, "z"),
        ] {
            memo.note(rel, stat(n), &sha.repeat(64));
        }
        let text = memo.text();
        let body = &text[..crate::fsx::unseal(&text).unwrap().len()];
        let lines: Vec<&str> = body.lines().collect();
        let line = |rel: &str, n, sha: &str| format!("{rel}\t{}\t{}", stat(n), sha.repeat(64));
        assert_eq!(
            lines,
            [
                HEADER.to_string(),
                line("a", 4, "y"),
                line("a\u{1}", 8, "z"),
                line("a.b", 2, "x"),
                line("guides/a.html", 3, "a"),
                line("guides/b.md", 1, "b"),
            ],
            "sorted by path, the first note of a path kept"
        );
        assert!(
            memo.text().lines().count() == 2,
            "taken: only the header and seal are left"
        );
    }
}
