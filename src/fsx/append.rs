//! Appending lines in place to a file of lines yima keeps for itself (the
//! entry cache, [`crate::catalog::cached`]) when writing it whole again
//! would cost its size in fresh memory for a few new lines.
//!
//! Only a file whose every line stands on its own may be appended to so: a
//! line is a fact checked when it is read, a later line for the same key
//! overrides an earlier one, and a line cut short (an append killed half
//! way) fails its check and is passed over. Nothing else in the file
//! changes, so a reader that mapped it ([`super::mapped`]) keeps the bytes
//! it mapped.

use super::fault;
use std::fs::OpenOptions;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Appends `lines` (whole lines, each ending in a newline) to the file at
/// `path` when it is a regular file that starts with the line `header`
/// and, when `len` is given, is `len` bytes long — after a newline when its
/// last line lacks one (an earlier append cut short). Returns false, having
/// written nothing, when the file is missing or not that file.
pub fn append_lines(path: &Path, header: &str, len: Option<u64>, lines: &[u8]) -> io::Result<bool> {
    let mut f = match OpenOptions::new().read(true).append(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let meta = f.metadata()?;
    let size = meta.len();
    let first = header.len() as u64 + 1;
    if !meta.is_file() || len.is_some_and(|l| l != size) || size < first {
        return Ok(false);
    }
    if !opens_with_line(&mut f, header) {
        return Ok(false);
    }
    let mut last = [0];
    f.seek(SeekFrom::Start(size - 1))?;
    f.read_exact(&mut last)?;
    if lines.is_empty() {
        return Ok(true);
    }
    fault::point("append")?;
    let mut out = Vec::with_capacity(lines.len() + 1);
    if last[0] != b'\n' {
        out.push(b'\n');
    }
    out.extend_from_slice(lines);
    // (Opened to append: the bytes go to the end whatever was read.)
    f.write_all(&out)?;
    f.sync_data()?;
    Ok(true)
}

/// Whether the file at `path` starts with the line `line` (its newline
/// included).
pub fn starts_with_line(path: &Path, line: &str) -> bool {
    std::fs::File::open(path).is_ok_and(|mut f| opens_with_line(&mut f, line))
}

/// Whether what `r` reads first is the line `line` and its newline.
fn opens_with_line(r: &mut impl Read, line: &str) -> bool {
    let mut head = vec![0; line.len() + 1];
    r.read_exact(&mut head).is_ok()
        && head[..line.len()] == *line.as_bytes()
        && head[line.len()] == b'\n'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_to_the_end_of_the_file_named_by_its_header_and_length_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines");
        assert!(
            !append_lines(&path, "head 1", None, b"a\n").unwrap(),
            "missing"
        );
        std::fs::write(&path, "head 1\nx\n").unwrap();
        assert!(append_lines(&path, "head 1", Some(9), b"a\nb\n").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "head 1\nx\na\nb\n");
        // Another length, another header, a header that only starts the
        // same: nothing written.
        assert!(!append_lines(&path, "head 1", Some(9), b"c\n").unwrap());
        assert!(!append_lines(&path, "head 2", None, b"c\n").unwrap());
        assert!(!append_lines(&path, "head ", None, b"c\n").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "head 1\nx\na\nb\n");
        // After a line cut short: a newline first, so the new line is whole.
        std::fs::write(&path, "head 1\nx\nhal").unwrap();
        assert!(append_lines(&path, "head 1", None, b"c\n").unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "head 1\nx\nhal\nc\n"
        );
        // Nothing to append: the file as it was, and the answer still true.
        assert!(append_lines(&path, "head 1", None, b"").unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "head 1\nx\nhal\nc\n"
        );
        assert!(starts_with_line(&path, "head 1"));
        assert!(!starts_with_line(&path, "head "));
        assert!(!starts_with_line(&dir.path().join("missing"), "head 1"));
        // A folder is no file of lines.
        assert!(!append_lines(dir.path(), "head 1", None, b"c\n").unwrap_or(false));
    }
}
