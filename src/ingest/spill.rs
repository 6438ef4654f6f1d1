//! What the first pass of an ingest keeps of each entry until its codes are
//! known: its file without the two lines of its codes
//! ([`crate::catalog::yaml::after_code_lines`]), one file per filing in a
//! folder beside `items/` that is never swapped in — removed when the
//! ingest ends, or, after a kill, by the next run that stages `items/` — and
//! in memory what names the entry in the change report.
//!
//! The second pass writes each entry from here, never from the filings read
//! again: what is written is what was checked, whatever happens to a filing
//! meanwhile, and a filing is read once.

use crate::catalog::convert::from_entry;
use crate::catalog::{self, yaml};
use crate::fsx::Staged;
use crate::model::Entry;
use rayon::prelude::*;
use std::io;
use std::path::Path;

/// An entry of a filing, as the first pass left it.
pub struct Spilled {
    /// Bytes of its file after the code lines.
    pub len: u32,
    pub name: String,
    pub sub_name: String,
    pub agency: String,
    pub agency_code: String,
}

/// The spill folder of one ingest.
pub struct Spill {
    dir: Staged,
}

impl Spill {
    /// A new folder beside the catalog `items`.
    pub fn new(items: &Path) -> io::Result<Spill> {
        Ok(Spill {
            dir: Staged::new(items)?,
        })
    }

    fn path(&self, filing: usize) -> std::path::PathBuf {
        self.dir.path().join(format!("{filing}.yaml"))
    }

    /// Spills the entries of the filing `filing` (its index among the
    /// inputs), in order, as they will be written.
    pub fn put<'e>(
        &self,
        filing: usize,
        entries: impl Iterator<Item = &'e Entry>,
    ) -> io::Result<Vec<Spilled>> {
        use std::io::Write as _;
        let entries: Vec<&Entry> = entries.collect();
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let path = self.path(filing);
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        crate::fsx::fault::point("spill").map_err(named)?;
        let mut file = std::fs::File::create(&path).map_err(named)?;
        let mut kept = Vec::with_capacity(entries.len());
        // A big filing is converted on every core, a few hundred entries a
        // task, and written a few thousand entries at a time.
        for part in entries.chunks(8192) {
            let parts: Vec<(String, Vec<Spilled>)> = part.par_chunks(256).map(spilled).collect();
            for (text, k) in parts {
                file.write_all(text.as_bytes()).map_err(named)?;
                kept.extend(k);
            }
        }
        if kept.iter().any(|k| k.len == u32::MAX) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "an entry of more than 4 GB",
            ));
        }
        Ok(kept)
    }

    /// `len` bytes of what [`Spill::put`] spilled of the filing `filing`,
    /// from `offset` (UTF-8 as it was written: the bytes are not checked
    /// again, a damaged file is refused when it is parsed).
    pub fn read(&self, filing: usize, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        use std::io::{Read as _, Seek as _};
        let path = self.path(filing);
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
        crate::fsx::fault::point("spill:read").map_err(named)?;
        let mut file = std::fs::File::open(&path).map_err(named)?;
        file.seek(io::SeekFrom::Start(offset)).map_err(named)?;
        let mut bytes = vec![0; len];
        file.read_exact(&mut bytes).map_err(named)?;
        Ok(bytes)
    }

    /// Removes what was spilled of the filing `filing`, read whole (a file
    /// that stays is removed with the folder).
    pub fn release(&self, filing: usize) {
        let _ = std::fs::remove_file(self.path(filing));
    }
}

/// Entries as they are spilled: their files after the code lines, one after
/// the other, and what names each.
fn spilled(chunk: &[&Entry]) -> (String, Vec<Spilled>) {
    let mut text = String::new();
    let mut kept = Vec::with_capacity(chunk.len());
    for e in chunk {
        let mut new = from_entry(e, "", "");
        // A filing is named by its file name, never by where it lay on the
        // computer that ingested it (SPEC §7).
        new.source.file = catalog::file_name_only(&new.source.file);
        let whole = new.to_yaml();
        let rest = yaml::after_code_lines(&whole);
        text.push_str(rest);
        kept.push(Spilled {
            len: u32::try_from(rest.len()).unwrap_or(u32::MAX),
            name: new.name,
            sub_name: new.sub_name,
            agency: new.agency,
            agency_code: new.agency_code,
        });
    }
    (text, kept)
}
