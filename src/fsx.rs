//! Writing files so that nothing is ever lost or half-written: single files
//! go through a temp file and a rename (yima's own files of self-checking
//! lines may take new lines at their end instead, [`append_lines`]); whole trees (items/, dist/) are built
//! beside the old one and put in place (`staged`, `patch`); a workspace lock
//! keeps two yima processes from writing at once; and [`recover_workspace`],
//! run once before any command reads a workspace, finishes or undoes what an
//! interrupted write left. [`fault`] lets tests kill a run or fail a write at
//! any of these steps.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

mod append;
mod bulk;
pub mod fault;
pub mod keyed;
pub mod mapped;
pub mod names;
mod patch;
mod pending;
pub mod settled;
mod staged;

pub use append::{append_lines, starts_with_line};
pub use bulk::{copy_new, copy_new_in, link_or_copy_in, remove_tree};
pub use pending::Pending;
use staged::sibling;
pub use staged::{CommitError, Kept, Leftover, Repair, Staged, recover};

/// The size and sha256 of a file, read in chunks; none when it is not a
/// regular file (or a link to one) — a pipe would wait forever, a device
/// such as `/dev/zero` never end — or when it grows while read.
pub fn sha256_file(path: &Path) -> std::io::Result<Option<(u64, String)>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Ok(None);
    }
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    let mut reader = file.take(meta.len() + 1);
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    if size > meta.len() {
        return Ok(None);
    }
    Ok(Some((size, hex(&hasher.finalize()))))
}

/// Lowercase hex sha256 of some bytes: what a file held.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Bytes as lower-case hex (how every digest yima writes is spelled).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// `text` sealed with a checksum of it as a last line — the format of the
/// build cache, the stat memos, the `catalog.json` spans, the release gate's
/// memo and the patch journal — so that a file cut short or altered no
/// longer matches ([`unseal`]). The checksum is the XXH3-128 of the text,
/// in hex: it guards against damage, not forgery (whoever can write these
/// files can write what they describe), and a SHA-256 of the 100 MB a
/// release reads and writes this way cost it a fifth of a second of CPU.
pub fn seal(mut text: String) -> String {
    let sum = checksum_hex(text.as_bytes());
    text.push_str(&sum);
    text.push('\n');
    text
}

/// [`seal`] of the text `body` writes, streamed into `w` as it is made:
/// the same bytes, without the text held in memory first (a build's cache
/// and stat memo are about 50 MB each at 100,000 entries, and memory taken
/// fresh from the system costs more than writing the file).
pub fn seal_into(
    w: &mut dyn Write,
    body: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    /// Passes on what it is given, summing it.
    struct Summing<'w> {
        inner: &'w mut dyn Write,
        sum: xxhash_rust::xxh3::Xxh3,
    }
    impl Write for Summing<'_> {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            let n = self.inner.write(bytes)?;
            self.sum.update(&bytes[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.inner.flush()
        }
    }
    // (Buffered above the sum: it is taken over chunks, not over each
    // field of each line.)
    let mut b = io::BufWriter::with_capacity(
        1 << 16,
        Summing {
            inner: w,
            sum: xxhash_rust::xxh3::Xxh3::new(),
        },
    );
    body(&mut b)?;
    let s = b.into_inner().map_err(io::IntoInnerError::into_error)?;
    let sum = s.sum.digest128();
    writeln!(s.inner, "{sum:032x}")
}

/// The text [`seal`] sealed, when its last line is still its checksum (or
/// its SHA-256, as earlier versions sealed); else why not.
pub fn unseal(text: &str) -> Result<&str, &'static str> {
    Ok(&text[..unseal_bytes(text.as_bytes())?])
}

/// [`unseal`] of bytes: the length of the text sealed (the checksum's line
/// starts there).
pub fn unseal_bytes(text: &[u8]) -> Result<usize, &'static str> {
    let mut trimmed = text;
    while let [rest @ .., b'\n'] = trimmed {
        trimmed = rest;
    }
    let body_end = memchr::memrchr(b'\n', trimmed).ok_or("no checksum line")? + 1;
    let (body, sum) = text.split_at(body_end);
    let mut sum = sum;
    while let [rest @ .., b'\n'] = sum {
        sum = rest;
    }
    let holds = match sum.len() {
        32 => checksum_hex(body).as_bytes() == sum,
        64 => sha256_hex(body).as_bytes() == sum,
        _ => false,
    };
    if !holds {
        return Err("checksum does not match");
    }
    Ok(body_end)
}

/// Whether `s` is a SHA-256 in hex. (Every byte looked at, without
/// stopping at the first that is not: the compiler checks them sixteen or
/// more at a time. A build checks about a million of them.)
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && (s.bytes()).fold(true, |ok, b| {
            ok & (b.is_ascii_digit() | ((b | 0x20).wrapping_sub(b'a') < 6))
        })
}

/// The XXH3-128 of `bytes`, in hex: the checksum of what yima keeps for
/// itself (caches, memos, spans), which guards against damage, not forgery.
pub fn checksum_hex(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// Writes `bytes` to `path` atomically: a temp file in the same folder,
/// flushed to disk, then renamed over the target. A target that is no file
/// but a device, a pipe or a socket, or a standard stream (`-o /dev/null`,
/// `-o /dev/stdout`), is written into as it is: renaming over it would
/// replace the device itself with a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, &mut |w| w.write_all(bytes))
}

/// [`write_atomic`] of what `write` writes, streamed through a buffer.
pub fn write_atomic_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if is_special(path) {
        let mut f = OpenOptions::new().write(true).open(path)?;
        return write(&mut f).and_then(|()| f.flush());
    }
    Pending::write(path, write)?.put()
}

/// Writes a file of a staged tree ([`Staged`]): nobody sees the tree
/// before its commit swaps it in whole, so no temp file and rename are
/// needed — only what a rename would have replaced goes first (a hard link
/// to the live tree is removed, never written through). Synced like
/// [`write_atomic`]'s files.
pub fn write_staged(path: &Path, bytes: &[u8]) -> io::Result<()> {
    fault::point("write")?;
    let create = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    // Most files are new: created at once; one that is there (a hard link
    // to the current file) is removed first, never written through.
    let mut f = match create() {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path)?;
            create()?
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            create()?
        }
        Err(e) => return Err(e),
    };
    let written = f.write_all(bytes).and_then(|()| f.sync_all());
    if written.is_err() {
        drop(f);
        let _ = fs::remove_file(path);
    }
    written
}

/// Whether `path` is written into as it is rather than replaced: a
/// character device, a pipe or a socket, or one of the standard streams
/// (`/dev/stdout`, `/dev/fd/N`: links into `/proc/self/fd`). Any other link
/// is replaced like a file, never written through, and so is a block
/// device's name.
#[cfg(unix)]
fn is_special(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let special = |t: fs::FileType| t.is_char_device() || t.is_fifo() || t.is_socket();
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => fs::read_link(path)
            .is_ok_and(|to| to.starts_with("/proc/self/fd") || to.starts_with("/dev/fd")),
        Ok(m) => special(m.file_type()),
        Err(_) => false,
    }
}

#[cfg(not(unix))]
fn is_special(_path: &Path) -> bool {
    false
}

/// The temp file [`write_atomic`] writes before renaming it to `path`:
/// hidden, beside it, named after the process (so a killed run's leftover
/// is known for one).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Removes the temp files [`write_atomic`] left in `dir` when the run that
/// wrote them is gone.
fn sweep_temp_files(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') {
            continue;
        }
        let Some((_, pid)) = name.rsplit_once(".tmp-") else {
            continue;
        };
        if pid.parse::<u32>().is_ok_and(|p| !process_alive(p))
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Whether `path` is names joined by `/` as they stand — not empty, no empty
/// or `.` name, no `\` — so that taken apart into its components and joined
/// again with `/` it reads the same.
pub fn is_plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path.split('/').all(|name| !name.is_empty() && name != ".")
}

/// The hidden file `.NAME.SUFFIX` beside `dir` (a folder or file named
/// NAME): what describes a tree is kept beside it, never in it.
pub fn beside(dir: &Path, suffix: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    dir.with_file_name(format!(".{name}.{suffix}"))
}

/// A file written ahead of the step that makes it true: `<dir>/.<file>.yima-
/// pending-<tag>`. A release writes the stamped registry this way before it
/// commits its folder, and renames it over the registry after; the tag names
/// the release, so whether it happened is known after a kill.
pub fn pending_path(path: &Path, tag: &str) -> PathBuf {
    beside(path, &format!("yima-pending-{tag}"))
}

/// Puts a pending file in place (when `happened` says its step happened)
/// or drops it.
fn settle_pending(dir: &Path, happened: &dyn Fn(&str) -> bool) -> io::Result<Vec<Repair>> {
    let mut done = Vec::new();
    let Ok(rd) = fs::read_dir(dir) else {
        return Ok(done);
    };
    let mut found: Vec<(PathBuf, String, String)> = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix('.') else {
            continue;
        };
        let Some((file, tag)) = rest.split_once(".yima-pending-") else {
            continue;
        };
        found.push((e.path(), file.to_string(), tag.to_string()));
    }
    found.sort();
    for (path, file, tag) in found {
        let target = dir.join(&file);
        let kept = happened(&tag);
        if kept {
            fs::rename(&path, &target)?;
        } else {
            fs::remove_file(&path)?;
        }
        done.push(Repair::Pending { path: target, kept });
    }
    Ok(done)
}

/// The trees and folders of a workspace that yima writes.
#[derive(Debug, Clone)]
pub struct WorkspaceDirs {
    pub root: PathBuf,
    pub items: PathBuf,
    pub dist: PathBuf,
    pub releases: PathBuf,
}

/// Repairs whatever an interrupted run left in a workspace, the same way
/// for every command, before it reads anything: a swap of `items/` or
/// `dist/` killed midway is undone or finished ([`recover`]); a registry
/// written ahead of a release is put in place if the release exists and
/// dropped if not; staging trees and temp files of runs that are gone are
/// removed. Runs only when no other yima process holds the workspace lock
/// (one that does is mid-write and will finish itself). Says what it did.
pub fn recover_workspace(dirs: &WorkspaceDirs) -> io::Result<Vec<Repair>> {
    // Most runs find nothing to repair, and then take no lock (whose file a
    // read-only command should not create).
    if !needs_recovery(dirs) {
        return Ok(Vec::new());
    }
    let Ok(_lock) = WorkspaceLock::acquire(&dirs.root) else {
        return Ok(Vec::new());
    };
    let mut done = Vec::new();
    for tree in [&dirs.items, &dirs.dist] {
        done.extend(recover(tree)?);
    }
    let releases = dirs.releases.clone();
    let released = move |tag: &str| releases.join(tag).join("manifest.json").is_file();
    done.extend(settle_pending(&dirs.items, &released)?);
    sweep_staging_in(&dirs.releases);
    for dir in [&dirs.root, &dirs.items, &dirs.releases] {
        sweep_temp_files(dir);
    }
    Ok(done)
}

/// Whether an interrupted run left anything: a backup or staging tree
/// beside `items/` or `dist/`, a pending registry or a temp file in
/// `items/`, a staging tree or temp file among the releases or at the root.
fn needs_recovery(dirs: &WorkspaceDirs) -> bool {
    let names = |dir: &Path| -> Vec<String> {
        fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default()
    };
    let ours = |n: &str| n.contains(".yima-") || n.contains(".tmp-");
    let mut dirs_to_look: Vec<&Path> = vec![&dirs.root, &dirs.items, &dirs.releases];
    for tree in [&dirs.items, &dirs.dist] {
        if let Some(parent) = tree.parent() {
            dirs_to_look.push(parent);
        }
    }
    dirs_to_look.sort();
    dirs_to_look.dedup();
    dirs_to_look
        .iter()
        .any(|d| names(d).iter().any(|n| ours(n)))
}

/// Removes every staging tree in `dir` whose run is gone (a release killed
/// before its folder existed leaves `.VERSION.yima-new-…` alone in it).
fn sweep_staging_in(dir: &Path) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix('.') else {
            continue;
        };
        let Some((_, tail)) = rest.split_once(".yima-new-") else {
            continue;
        };
        let pid = tail.split('-').next().and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !process_alive(p)) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Whether a process is running (Linux: /proc; elsewhere assume it is, so
/// nothing of a live run is ever removed).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

/// Copies a tree into a staging folder, hard-linking files where the file
/// system allows (they are never modified in place, only replaced).
pub fn link_tree(from: &Path, to: &Path) -> io::Result<()> {
    fault::point("link")?;
    if !from.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            fs::create_dir_all(&dst)?;
            link_tree(&src, &dst)?;
        } else if fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// An exclusive lock on a workspace, held while it is written.
pub struct WorkspaceLock {
    _file: File,
}

/// The workspace is locked by another process.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another yima process holds the lock.
    #[error("another yima process is writing this workspace ({0})")]
    Busy(PathBuf),
    /// The lock file cannot be created.
    #[error("cannot create lock file {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

impl WorkspaceLock {
    /// Takes the lock of the workspace at `root`, or fails at once when
    /// another process has it. The OS releases it if the process dies.
    pub fn acquire(root: &Path) -> Result<WorkspaceLock, LockError> {
        let path = root.join(".yima.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LockError::Io {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(WorkspaceLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(LockError::Busy(path)),
            Err(fs::TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sha256_in_hex_is_64_hex_digits_of_either_case() {
        let digest = sha256_hex(b"yima");
        assert!(is_sha256_hex(&digest));
        assert!(is_sha256_hex(&digest.to_uppercase()));
        assert!(!is_sha256_hex(&digest[1..]), "63 digits");
        assert!(!is_sha256_hex(&format!("{digest}0")), "65 digits");
        // Each byte in each place: a hex digit as the standard library
        // says, or the text is refused.
        for b in 0..=255u8 {
            for at in [0, 31, 63] {
                let mut bytes = digest.clone().into_bytes();
                bytes[at] = b;
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    assert_eq!(
                        is_sha256_hex(text),
                        b.is_ascii_hexdigit(),
                        "{b:#04x} at {at}"
                    );
                }
            }
        }
        assert!(
            !is_sha256_hex(&format!("é{}", &digest[2..])),
            "64 bytes, not digits"
        );
    }

    #[test]
    fn a_text_sealed_as_it_is_written_is_the_text_sealed_whole() {
        // Lines longer and shorter than the chunk the sum is taken over,
        // written in pieces of every size.
        let lines: Vec<String> = (0..5000)
            .map(|i| format!("guides/{i}.html\t{}\t{i}\n", "x".repeat(i % 300)))
            .collect();
        let text = format!("yima build cache 1\n{}", lines.concat());
        let mut streamed = Vec::new();
        seal_into(&mut streamed, &mut |w| {
            w.write_all(b"yima build cache 1\n")?;
            for (i, line) in lines.iter().enumerate() {
                let cut = i % line.len();
                w.write_all(&line.as_bytes()[..cut])?;
                w.write_all(&line.as_bytes()[cut..])?;
            }
            Ok(())
        })
        .unwrap();
        assert!(streamed.len() > 1 << 17, "more than one chunk");
        assert_eq!(String::from_utf8(streamed).unwrap(), seal(text.clone()));
        let mut empty = Vec::new();
        seal_into(&mut empty, &mut |_| Ok(())).unwrap();
        assert_eq!(String::from_utf8(empty).unwrap(), seal(String::new()));
    }

    #[test]
    fn a_sealed_text_unseals_and_an_altered_or_cut_one_does_not() {
        let sealed = seal("yima stat memo 1\na.html\t1.2.3.4\tff\n".into());
        assert_eq!(
            unseal(&sealed),
            Ok("yima stat memo 1\na.html\t1.2.3.4\tff\n")
        );
        let altered = sealed.replacen("a.html", "b.html", 1);
        assert_eq!(unseal(&altered), Err("checksum does not match"));
        let cut = &sealed[..sealed.len() - 5];
        assert!(unseal(cut).is_err());
        assert!(unseal("").is_err() && unseal("one line\n").is_err());
        // A text sealed with its SHA-256, as earlier versions sealed, still
        // reads; a checksum of neither length does not.
        let body = "yima spans 1\nk\t0\t1\tff\n";
        let old = format!("{body}{}\n", sha256_hex(body.as_bytes()));
        assert_eq!(unseal(&old), Ok(body));
        let short = format!("{body}{}\n", &sha256_hex(body.as_bytes())[..40]);
        assert!(unseal(&short).is_err());
    }

    #[test]
    fn hex_is_lower_case_and_a_digest_is_spelled_as_sha256sum_spells_it() {
        assert_eq!(hex(&[0x00, 0xab, 0x0f, 0xf0]), "00ab0ff0");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_written_into_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"report").unwrap();
        assert_eq!(reader.join().unwrap(), b"report");
        let kind = fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the pipe is still a pipe");
        // Nothing was left beside it.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        // A link to a file is replaced, never written through.
        let target = dir.path().join("target");
        fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
        assert_eq!(fs::read_to_string(&link).unwrap(), "new");
        assert!(
            !fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn staged_tree_replaces_or_leaves_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("items");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("a.yaml"), "old").unwrap();

        // Dropped without commit: nothing changes.
        {
            let s = Staged::new(&target).unwrap();
            fs::write(s.path().join("a.yaml"), "new").unwrap();
        }
        assert_eq!(fs::read_to_string(target.join("a.yaml")).unwrap(), "old");

        let s = Staged::new(&target).unwrap();
        link_tree(&target, s.path()).unwrap();
        write_atomic(&s.path().join("b.yaml"), b"b").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("a.yaml")).unwrap(), "old");
        assert_eq!(fs::read_to_string(target.join("b.yaml")).unwrap(), "b");
        assert!(!sibling(&target, "old").exists());
    }

    #[test]
    fn recover_restores_after_a_kill_between_renames() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("items");
        let old = sibling(&target, "old");
        fs::create_dir_all(&old).unwrap();
        fs::write(old.join("a.yaml"), "old").unwrap();
        assert_eq!(
            recover(&target).unwrap(),
            Some(Repair::Undone(target.clone()))
        );
        assert_eq!(fs::read_to_string(target.join("a.yaml")).unwrap(), "old");

        // Killed after both renames: the new tree stays, the old copy goes.
        fs::create_dir_all(&old).unwrap();
        fs::write(old.join("a.yaml"), "older").unwrap();
        assert_eq!(
            recover(&target).unwrap(),
            Some(Repair::Finished(target.clone()))
        );
        assert!(!old.exists());
        assert_eq!(fs::read_to_string(target.join("a.yaml")).unwrap(), "old");
        assert_eq!(recover(&target).unwrap(), None);
    }

    #[test]
    fn a_pending_file_is_kept_only_if_its_step_happened() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let dirs = WorkspaceDirs {
            root: root.clone(),
            items: root.join("items"),
            dist: root.join("dist"),
            releases: root.join("releases"),
        };
        let lock = dirs.items.join("codes.lock");
        fs::create_dir_all(&dirs.items).unwrap();
        fs::write(&lock, "before").unwrap();
        fs::write(pending_path(&lock, "2026.1"), "after").unwrap();
        // (A child process another test starts at that moment holds a copy
        // of the lock's descriptor until it runs its program: the repair is
        // skipped then, as for any other holder of the lock, and tried
        // again here.)
        let recover = || {
            for _ in 0..200 {
                let done = recover_workspace(&dirs).unwrap();
                if !done.is_empty() {
                    return done;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Vec::new()
        };
        // No release 2026.1: the pending registry is dropped.
        let done = recover();
        assert_eq!(
            done,
            [Repair::Pending {
                path: lock.clone(),
                kept: false
            }]
        );
        assert_eq!(fs::read_to_string(&lock).unwrap(), "before");
        assert_eq!(fs::read_dir(&dirs.items).unwrap().count(), 1);
        // The release exists: the pending registry is the registry.
        fs::create_dir_all(dirs.releases.join("2026.1")).unwrap();
        fs::write(dirs.releases.join("2026.1/manifest.json"), "{}").unwrap();
        fs::write(pending_path(&lock, "2026.1"), "after").unwrap();
        assert_eq!(recover().len(), 1);
        assert_eq!(fs::read_to_string(&lock).unwrap(), "after");
        assert_eq!(fs::read_dir(&dirs.items).unwrap().count(), 1);
    }

    #[test]
    fn second_lock_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = WorkspaceLock::acquire(dir.path()).unwrap();
        assert!(matches!(
            WorkspaceLock::acquire(dir.path()),
            Err(LockError::Busy(_))
        ));
    }
}
