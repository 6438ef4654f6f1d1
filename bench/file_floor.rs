//! `cargo run --release --example file-floor -- SRC DEST`: what this
//! machine's file system takes, on one thread, for the two things a steady
//! step must do per file of a release (SPEC §10): look at each file of SRC
//! (a `statx` from its open folder, as yima proves a kept file) and
//! hard-link each into DEST (a new folder, as a release takes an unchanged
//! file from the one before it). The incremental group of `bench/run.sh`
//! runs it on the newest release after its last steady step, so it sees the
//! RAM disk as that step did. Prints `files=… stat_seconds=… link_seconds=…`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[path = "two_folders.rs"]
mod two_folders;

fn main() -> ExitCode {
    two_folders::main("file-floor", run)
}

fn run(src: &Path, dest: &Path) -> std::io::Result<()> {
    // Every folder with its files' names, listed before anything is timed.
    let mut folders = Vec::new();
    collect(src, Path::new(""), &mut folders)?;
    let files: usize = folders.iter().map(|(_, names)| names.len()).sum();
    for (rel, _) in &folders {
        std::fs::create_dir_all(dest.join(rel))?;
    }
    let started = Instant::now();
    let mut bytes = 0u64;
    for (rel, names) in &folders {
        bytes += stat_all(&src.join(rel), names)?;
    }
    let stat_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for (rel, names) in &folders {
        link_all(&src.join(rel), &dest.join(rel), names)?;
    }
    let link_seconds = started.elapsed().as_secs_f64();
    println!(
        "file-floor: files={files} bytes={bytes} stat_seconds={stat_seconds:.3} link_seconds={link_seconds:.3}"
    );
    Ok(())
}

/// The folders under `root` (from `rel`) with the names of their files.
fn collect(
    root: &Path,
    rel: &Path,
    out: &mut Vec<(PathBuf, Vec<std::ffi::OsString>)>,
) -> std::io::Result<()> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(root.join(rel))? {
        let e = e?;
        if e.file_type()?.is_dir() {
            collect(root, &rel.join(e.file_name()), out)?;
        } else {
            names.push(e.file_name());
        }
    }
    out.push((rel.to_path_buf(), names));
    Ok(())
}

#[cfg(target_os = "linux")]
fn open(dir: &Path) -> std::io::Result<std::os::fd::OwnedFd> {
    use rustix::fs::{CWD, Mode, OFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(rustix::fs::openat(CWD, dir, flags, Mode::empty())?)
}

/// Looks at each file of `dir`; their total size.
#[cfg(target_os = "linux")]
fn stat_all(dir: &Path, names: &[std::ffi::OsString]) -> std::io::Result<u64> {
    use rustix::fs::{AtFlags, StatxFlags};
    let fd = open(dir)?;
    let mut bytes = 0;
    for name in names {
        bytes += rustix::fs::statx(&fd, name, AtFlags::empty(), StatxFlags::BASIC_STATS)?.stx_size;
    }
    Ok(bytes)
}

/// Hard-links each file of `from` into `to`.
#[cfg(target_os = "linux")]
fn link_all(from: &Path, to: &Path, names: &[std::ffi::OsString]) -> std::io::Result<()> {
    let (from, to) = (open(from)?, open(to)?);
    for name in names {
        rustix::fs::linkat(&from, name, &to, name, rustix::fs::AtFlags::empty())?;
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn stat_all(dir: &Path, names: &[std::ffi::OsString]) -> std::io::Result<u64> {
    let mut bytes = 0;
    for name in names {
        bytes += std::fs::metadata(dir.join(name))?.len();
    }
    Ok(bytes)
}

#[cfg(not(target_os = "linux"))]
fn link_all(from: &Path, to: &Path, names: &[std::ffi::OsString]) -> std::io::Result<()> {
    for name in names {
        std::fs::hard_link(from.join(name), to.join(name))?;
    }
    Ok(())
}
