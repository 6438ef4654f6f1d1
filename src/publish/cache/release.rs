//! What a release keeps beside itself for the next build and release.

use super::*;
use std::io;
use std::path::{Path, PathBuf};

/// Where the cache of the release in `dir` is kept: beside the release
/// folder (`releases/.VERSION.yima.cache`), not in it, so that a release
/// holds the same bytes whichever yima binary made it.
pub fn release_cache(dir: &Path) -> PathBuf {
    crate::fsx::beside(dir, "yima.cache")
}

/// The cache and the memo a release keeps beside itself for the next build
/// and release, made while the release is still staged
/// ([`ReleaseCache::of`]) and written once it is in place
/// ([`ReleaseCache::keep`]).
pub struct ReleaseCache {
    cache: String,
    memo: String,
}

impl ReleaseCache {
    /// The texts of the cache and the memo of the tree `out` staged at
    /// `staged`: its files keep their stats when the folder is put in place.
    pub fn of(out: &Output<'_>, staged: &Path) -> ReleaseCache {
        let (cache, memo) = rayon::join(
            || out.cache_text(),
            || {
                out.note_written(staged);
                out.memo_text()
            },
        );
        ReleaseCache { cache, memo }
    }

    /// Writes them beside the release just made in `dir` and removes those
    /// of older releases (only the newest one's are read). A memo that
    /// cannot be written costs the next release time only.
    pub fn keep(&self, dir: &Path) -> io::Result<()> {
        let path = release_cache(dir);
        crate::fsx::write_atomic(&path, self.cache.as_bytes())?;
        let _ = crate::fsx::settled::Memo::write(dir, &self.memo);
        let memo = crate::fsx::settled::memo_path(dir);
        if let Some(parent) = dir.parent() {
            for e in std::fs::read_dir(parent)?.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let ours = e.path() == path || e.path() == memo;
                let kept = name.ends_with(".yima.cache") || name.ends_with(".yima.stats");
                if name.starts_with('.') && kept && !ours {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }
}
