//! What a workbook must pass before calamine reads it (xls, xlsb, ods, and
//! any zip the dedicated xlsx reader leaves alone). calamine builds each
//! sheet as one dense range, as big as the sheet's far corner claims, and
//! trusts what the file says of its own sizes; so the file is looked
//! through first, within [`limits`](crate::filing::limits), for what calamine
//! would build: a file that claims far more than it holds — a cell at the
//! far corner, repeated cells by the million, a zip bomb, a compound file
//! whose sectors loop — is unreadable with a cause, before calamine
//! allocates anything. And calamine runs under [`guarded`], so that a
//! panic on a malformed record (which it has) is one more unreadable file,
//! not the end of the run.

mod biff;
mod cfb;
mod ods;

use super::ReadError;
use crate::filing::limits;
use crate::filing::xlsx::Part;
use crate::text;
use std::io::{Cursor, Read};

/// Checks a file meant for calamine: a compound file (xls) or a zip
/// archive (ods, xlsb, other packages). Other bytes are calamine's to
/// refuse.
pub fn check(bytes: &[u8]) -> Result<(), ReadError> {
    if bytes.starts_with(&cfb::SIGNATURE) {
        let stream = cfb::workbook_stream(bytes)?;
        return biff::check(&stream);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return check_zip(bytes);
    }
    Ok(())
}

/// Inflates every part of a zip archive within its limit, and looks
/// through an ods file's cells.
fn check_zip(bytes: &[u8]) -> Result<(), ReadError> {
    // (A zip archive that cannot be opened is calamine's to refuse.)
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    if zip.len() > limits::PARTS {
        let (n, most) = (zip.len(), limits::PARTS);
        return Err(ReadError::TooLarge(text!(
            "工作簿含有 {n} 个部件，超过上限 {most}",
            "the workbook holds {n} parts, more than {most}"
        )));
    }
    let mut total = 0u64;
    let mut chunk = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let Ok(mut file) = zip.by_index(i) else {
            continue;
        };
        let name = file.name().map(|n| n.to_string()).unwrap_or_default();
        let part = Part::Path(name.clone());
        let mut read = 0u64;
        if name.ends_with("sharedStrings.xml") {
            // calamine reserves room for the count its root declares.
            let mut head = [0u8; 4096];
            let n = file.read(&mut head).unwrap_or(0);
            if declared_count(&head[..n]).is_some_and(|c| c > limits::SHARED_ITEMS as u64) {
                let most = limits::SHARED_ITEMS;
                return Err(Part::Strings
                    .too_large(text!(
                        "声明了超过 {most} 条文字",
                        "declares more than {most} texts"
                    ))
                    .into());
            }
            total += n as u64;
            read = n as u64;
        }
        // Sheets may be big; other parts are small in any real workbook.
        let limit = if name == "content.xml" || name.ends_with(".bin") {
            limits::SHEET_XML
        } else {
            limits::OTHER_PART
        };
        loop {
            let n = match file.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // (A damaged part is calamine's to report.)
                Err(_) => break,
            };
            read += n;
            total += n;
            if read > limit {
                return Err(part.inflates_past(limit).into());
            }
            if total > limits::INFLATED {
                return Err(Part::Workbook.inflates_past(limits::INFLATED).into());
            }
        }
    }
    if zip.index_for_name("content.xml").is_some() {
        let file = zip
            .by_name("content.xml")
            .map_err(|e| ReadError::NotWorkbook {
                kind: crate::filing::sniff::FileKind::DamagedWorkbook,
                detail: e.to_string(),
            })?;
        ods::check(file)?;
    }
    Ok(())
}

/// The `uniqueCount` the root of a shared strings table declares.
fn declared_count(head: &[u8]) -> Option<u64> {
    let at = memchr::memmem::find(head, b"uniqueCount=")? + b"uniqueCount=".len();
    let quote = *head.get(at)?;
    let rest = &head[at + 1..];
    let end = rest.iter().position(|&b| b == quote)?;
    std::str::from_utf8(&rest[..end]).ok()?.trim().parse().ok()
}

/// Runs `read` (calamine at work); a panic in it is a damaged file. The
/// panic's message is not printed: the finding says what happened.
pub fn guarded<T>(read: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    quiet::install();
    let outcome =
        quiet::while_quiet(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)));
    match outcome {
        Ok(result) => result,
        Err(_) => Err(ReadError::Damaged(text!(
            "文件内容损坏，读取时出错",
            "the file is damaged: reading it failed"
        ))),
    }
}

/// Panics silenced while calamine reads on this thread, and only then:
/// every other panic is reported as before.
mod quiet {
    use std::cell::Cell;
    use std::sync::Once;

    thread_local! {
        static QUIET: Cell<bool> = const { Cell::new(false) };
    }

    /// Puts a hook before the current one that says nothing for a panic
    /// on a quiet thread.
    pub(super) fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if !QUIET.with(Cell::get) {
                    previous(info);
                }
            }));
        });
    }

    /// Runs `f` with this thread quiet.
    pub(super) fn while_quiet<T>(f: impl FnOnce() -> T) -> T {
        let before = QUIET.with(|q| q.replace(true));
        let out = f();
        QUIET.with(|q| q.set(before));
        out
    }
}

/// Sheet `n` (1-based) would be built far bigger than what it holds.
fn far_cells(n: usize) -> ReadError {
    ReadError::TooLarge(text!(
        "第 {n} 个工作表的单元格位置远超其内容（如极远的列或行），不像填报表",
        "sheet {n} places its cells far beyond its content (far columns or rows), unlike any filing"
    ))
}
