//! The command line the file floors share (`write-floor`, `file-floor`):
//! `NAME SRC DEST`, where DEST is a folder that does not exist yet.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs `run(SRC, DEST)` from the command line, reporting as `name`.
pub fn main(name: &str, run: fn(&Path, &Path) -> std::io::Result<()>) -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [src, dest] = args.as_slice() else {
        eprintln!("usage: {name} SRC DEST");
        return ExitCode::from(2);
    };
    if dest.exists() {
        eprintln!("{name}: {} exists; name a new folder", dest.display());
        return ExitCode::FAILURE;
    }
    match run(src, dest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}
