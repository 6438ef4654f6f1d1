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
/// and release, written beside the release while it is still staged
/// ([`ReleaseCache::of`]) and put in place once it is there
/// ([`ReleaseCache::keep`]); dropped before, they are removed.
pub struct ReleaseCache {
    /// The release they are kept beside.
    dir: PathBuf,
    cache: io::Result<crate::fsx::Pending>,
    memo: io::Result<crate::fsx::Pending>,
}

impl ReleaseCache {
    /// The cache and the memo of the tree `out` staged at `staged`, to be
    /// kept beside the release `dir` (its files keep their stats when the
    /// folder is put in place): streamed into their files, not made in
    /// memory first.
    pub fn of(out: &Output<'_>, staged: &Path, dir: &Path) -> ReleaseCache {
        let (cache, memo) = rayon::join(
            || crate::fsx::Pending::write(&release_cache(dir), &mut |w| out.write_cache_text(w)),
            || {
                out.note_written(staged);
                out.memo_pending(dir)
            },
        );
        ReleaseCache {
            dir: dir.to_path_buf(),
            cache,
            memo,
        }
    }

    /// Puts them beside their release, once it is in place, and removes
    /// those of older releases (only the newest one's are read). A memo
    /// that cannot be written costs the next release time only.
    pub fn keep(self) -> io::Result<()> {
        let dir = self.dir.as_path();
        self.cache?.put()?;
        if let Ok(memo) = self.memo {
            let _ = memo.put();
        }
        let path = release_cache(dir);
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
