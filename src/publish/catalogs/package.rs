//! A catalog workbook put together: the frame rust_xlsxwriter wrote — every
//! part as it is, the sheets with their title and header but without the
//! entries — and each sheet's entry rows as deflated pieces
//! ([`crate::publish::pieces`]) joined into its part's data. The zip is
//! packed here: the zip crate takes data to deflate, not data deflated
//! already, and a piece kept from the last build is not deflated again.

use crate::publish::pieces::{Joined, Piece};
use std::io::{Cursor, Read};
use std::sync::Arc;

/// The entry rows of one sheet, to go where the frame's sheet data ends.
pub struct SheetRows {
    /// The sheet's part in the package (`xl/worksheets/sheet1.xml`).
    pub part: String,
    /// The start of the frame's last row (`<row r="2"`), after which the
    /// rows go.
    pub after: String,
    /// The sheet's dimension in the frame (`A1:Y2`) and with its rows
    /// (`A1:Y1170`).
    pub dimension: (String, String),
    pub pieces: Vec<Arc<Piece>>,
}

/// The workbook `frame` with the rows of `sheets` in their parts.
pub fn splice(frame: &[u8], sheets: &[SheetRows]) -> Result<Vec<u8>, String> {
    let err = |e: zip::result::ZipError| e.to_string();
    let mut archive = zip::ZipArchive::new(Cursor::new(frame)).map_err(err)?;
    // (Sized for the whole at once: a workbook of the catalog is tens of
    // megabytes, and a buffer grown by doubling touches twice that in
    // memory the kernel has to clear first.)
    let rows: usize = (sheets.iter().flat_map(|s| &s.pieces))
        .map(|p| p.data.len())
        .sum();
    let mut zip = Packer {
        out: Vec::with_capacity(frame.len() + rows),
        ..Packer::default()
    };
    for i in 0..archive.len() {
        let name = archive
            .by_index_raw(i)
            .map_err(err)?
            .name()
            .map_err(err)?
            .to_string();
        match sheets.iter().find(|s| s.part == name) {
            Some(rows) => {
                let mut xml = String::new();
                (archive.by_index(i).map_err(err)?)
                    .read_to_string(&mut xml)
                    .map_err(|e| e.to_string())?;
                let (head, tail) = split(&xml, rows)?;
                let (head, tail) = (Piece::part(head.as_bytes()), Piece::last(tail.as_bytes()));
                let parts: Vec<&Piece> = std::iter::once(&head)
                    .chain(rows.pieces.iter().map(|p| p.as_ref()))
                    .chain(std::iter::once(&tail))
                    .collect();
                let mut joined = Joined::default();
                for p in &parts {
                    joined.add(p);
                }
                let (crc, len) = joined.finish();
                let data: Vec<&[u8]> = parts.iter().map(|p| &p.data[..]).collect();
                zip.add(&name, DEFLATED, crc, len, &data)?;
            }
            None => {
                let mut f = archive.by_index_raw(i).map_err(err)?;
                let method = match f.compression() {
                    zip::CompressionMethod::Stored => STORED,
                    zip::CompressionMethod::Deflated => DEFLATED,
                    other => return Err(format!("{name}: {other} in the frame")),
                };
                let (crc, len) = (f.crc32(), f.size());
                let mut raw = Vec::new();
                f.read_to_end(&mut raw).map_err(|e| e.to_string())?;
                zip.add(&name, method, crc, len, &[&raw])?;
            }
        }
    }
    zip.finish()
}

/// A frame sheet's XML with its dimension set, cut where the rows go.
fn split(xml: &str, rows: &SheetRows) -> Result<(String, String), String> {
    let from = format!(r#"<dimension ref="{}"/>"#, rows.dimension.0);
    let to = format!(r#"<dimension ref="{}"/>"#, rows.dimension.1);
    let Some(at) = xml.find(&from) else {
        return Err(format!("{}: no {from} in the frame", rows.part));
    };
    let xml = format!("{}{to}{}", &xml[..at], &xml[at + from.len()..]);
    let missing = || format!("{}: no {} in the frame", rows.part, rows.after);
    let row = xml.find(&rows.after).ok_or_else(missing)?;
    let cut = row + xml[row..].find("</row>").ok_or_else(missing)? + "</row>".len();
    let Some(end) = xml[cut..].find("</sheetData>").map(|e| cut + e) else {
        return Err(format!("{}: no sheet data in the frame", rows.part));
    };
    // rust_xlsxwriter ends a constant-memory sheet whose last row has a
    // height by writing that row again, empty: dropped, nothing else is.
    let between = &xml[cut..end];
    let again = between.is_empty()
        || (between.starts_with(&rows.after)
            && between.ends_with("/>")
            && !between[1..].contains('<'));
    if !again {
        return Err(format!(
            "{}: unexpected rows in the frame: {between}",
            rows.part
        ));
    }
    Ok((xml[..cut].to_string(), xml[end..].to_string()))
}

const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// 1980-01-01 00:00, the earliest time a zip holds (as the frame's parts).
const DOS_DATE: u16 = (1 << 5) | 1;
/// Version 2.0 of the format: deflate, no zip64.
const VERSION: u16 = 20;
/// Made on Unix (3), with the frame's permissions (rw-------).
const MADE_BY: u16 = (3 << 8) | VERSION;
const PERMISSIONS: u32 = 0o100600 << 16;

/// A zip written part by part: local headers and data, then the central
/// directory. Parts and the whole stay under 4 GiB (no zip64): a sheet
/// holds at most Excel's 1,048,576 rows.
#[derive(Default)]
struct Packer {
    out: Vec<u8>,
    central: Vec<u8>,
    count: usize,
}

impl Packer {
    fn add(
        &mut self,
        name: &str,
        method: u16,
        crc: u32,
        len: u64,
        data: &[&[u8]],
    ) -> Result<(), String> {
        let size: u64 = data.iter().map(|d| d.len() as u64).sum();
        let small = |n: u64| {
            u32::try_from(n)
                .ok()
                .filter(|&n| n != u32::MAX)
                .ok_or_else(|| format!("{name}: larger than a workbook holds (4 GiB)"))
        };
        let (size, len, offset) = (small(size)?, small(len)?, small(self.out.len() as u64)?);
        let name_len = u16::try_from(name.len()).map_err(|_| format!("{name}: name too long"))?;
        let mut local = Vec::with_capacity(30 + name.len());
        put32(&mut local, 0x0403_4b50);
        for v in [VERSION, 0, method, 0, DOS_DATE] {
            put16(&mut local, v);
        }
        for v in [crc, size, len] {
            put32(&mut local, v);
        }
        put16(&mut local, name_len);
        put16(&mut local, 0);
        local.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(&local);
        for d in data {
            self.out.extend_from_slice(d);
        }
        let c = &mut self.central;
        put32(c, 0x0201_4b50);
        for v in [MADE_BY, VERSION, 0, method, 0, DOS_DATE] {
            put16(c, v);
        }
        for v in [crc, size, len] {
            put32(c, v);
        }
        for v in [name_len, 0, 0, 0, 0] {
            put16(c, v);
        }
        put32(c, PERMISSIONS);
        put32(c, offset);
        c.extend_from_slice(name.as_bytes());
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<u8>, String> {
        let too_large = || "larger than a workbook holds (4 GiB)".to_string();
        let count = u16::try_from(self.count).map_err(|_| too_large())?;
        let at = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let size = u32::try_from(self.central.len()).map_err(|_| too_large())?;
        let mut end = Vec::with_capacity(22);
        put32(&mut end, 0x0605_4b50);
        for v in [0, 0, count, count] {
            put16(&mut end, v);
        }
        put32(&mut end, size);
        put32(&mut end, at);
        put16(&mut end, 0);
        self.out.append(&mut self.central);
        self.out.extend_from_slice(&end);
        Ok(self.out)
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
