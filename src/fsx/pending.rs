//! A file written whole under a temp name beside its place, and put there
//! (renamed over whatever is there) only when the step it belongs to has
//! happened: what [`super::write_atomic`] does in one go, split so that a
//! text can be streamed into its file while other work runs, instead of
//! being made in memory to be written later (the stat memo of a build is
//! written while its tree is committed, and put in place once it is).

use super::{fault, temp_path};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file written beside `path`, not yet in place. Dropped without
/// [`Pending::put`], it is removed: the file at `path` stays as it was.
#[derive(Debug)]
pub struct Pending {
    tmp: Option<PathBuf>,
    path: PathBuf,
}

impl Pending {
    /// Writes what `write` writes (through a buffer, then synced) to a temp
    /// file beside `path` (creating its folder); an error leaves nothing.
    pub fn write(
        path: &Path,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<Pending> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let pending = Pending {
            tmp: Some(temp_path(path)),
            path: path.to_path_buf(),
        };
        fault::point("write")?;
        let tmp = pending.tmp.as_deref().expect("just set");
        let mut f = io::BufWriter::with_capacity(1 << 16, File::create(tmp)?);
        write(&mut f)?;
        let f = f.into_inner().map_err(io::IntoInnerError::into_error)?;
        f.sync_all()?;
        Ok(pending)
    }

    /// Renames the file into place; on failure it is removed.
    pub fn put(mut self) -> io::Result<()> {
        let tmp = self.tmp.take().expect("put once");
        let renamed = fault::point("write:rename").and_then(|()| fs::rename(&tmp, &self.path));
        if renamed.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        renamed
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_file_is_in_place_once_put_and_gone_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memo");
        fs::write(&path, "old").unwrap();
        let listing = || {
            let mut names: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };

        let p = Pending::write(&path, &mut |w| w.write_all(b"new")).unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "old",
            "not yet in place"
        );
        assert_eq!(
            listing().len(),
            2,
            "the temp file beside it: {:?}",
            listing()
        );
        drop(p);
        assert_eq!(listing(), ["memo"], "dropped: removed");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");

        let p = Pending::write(&path, &mut |w| w.write_all(b"new")).unwrap();
        p.put().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(listing(), ["memo"]);

        // A writer that fails leaves nothing beside the file.
        let e = Pending::write(&path, &mut |_| Err(io::Error::other("full"))).unwrap_err();
        assert_eq!(e.to_string(), "full");
        assert_eq!(listing(), ["memo"]);
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    }
}
