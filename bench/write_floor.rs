//! `cargo run --release --example write-floor -- SRC DEST`: the time plain
//! file writes take to write the files under SRC (a built `dist/guides/`)
//! again under DEST — the floor that `yima build` is measured against. The
//! files are read into memory first, so only the writing is timed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[path = "two_folders.rs"]
mod two_folders;

fn main() -> ExitCode {
    two_folders::main("write-floor", run)
}

fn run(src: &Path, dest: &Path) -> std::io::Result<()> {
    let mut files = Vec::new();
    collect(src, Path::new(""), &mut files)?;
    let bytes: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
    let started = Instant::now();
    let mut made: Vec<PathBuf> = Vec::new();
    for (rel, data) in &files {
        let target = dest.join(rel);
        if let Some(dir) = target.parent()
            && !made.iter().any(|d| d == dir)
        {
            std::fs::create_dir_all(dir)?;
            made.push(dir.to_path_buf());
        }
        std::fs::write(&target, data)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "write-floor: files={} bytes={bytes} seconds={seconds:.3} files_per_s={:.0} mb_per_s={:.1}",
        files.len(),
        files.len() as f64 / seconds.max(1e-9),
        bytes as f64 / 1e6 / seconds.max(1e-9)
    );
    Ok(())
}

fn collect(root: &Path, rel: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let r = rel.join(e.file_name());
        if e.file_type()?.is_dir() {
            collect(root, &r, out)?;
        } else {
            let data = std::fs::read(root.join(&r))?;
            out.push((r, data));
        }
    }
    Ok(())
}
