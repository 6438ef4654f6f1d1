//! The differential oracle of yima's workbook readers, shared by the
//! cargo-fuzz targets (`fuzz/fuzz_targets/`) and the mutation run every
//! `cargo test` makes (`tests/reader_mutations.rs`): a workbook is read by
//! yima — its own xlsx reader, or calamine behind the checks of
//! `filing::source::guard` — and, when it is an xlsx package, by calamine alone.
//! Neither may panic; when both read it, they must give the same sheets,
//! rows and cells. yima may refuse what calamine reads (it is stricter: a
//! shared string index that is not one, a sheet cut short), never the
//! other way round without a reason the oracle names.
//!
//! The `xlsx` target's input is a sheet's XML, a NUL byte, and the shared
//! strings' XML: [`package`] wraps them into a workbook (stored, with
//! correct CRCs), so what is mutated is the XML, not the zip's checksums.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use yima::filing::source::{Book, Grid};

/// CRC-32 as zip uses it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *t = c;
    }
    let mut crc = !0u32;
    for &b in data {
        crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    !crc
}

/// A zip archive written by hand.
#[derive(Default)]
pub struct Zip {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u16,
}

impl Zip {
    /// Adds a part stored as it is.
    pub fn stored(&mut self, name: &str, data: &[u8]) -> &mut Zip {
        self.entry(name, 0, data, data.len() as u32, crc32(data))
    }

    /// Adds a part whose deflate stream is `compressed`, inflating to
    /// `size` bytes (its CRC is not given: nothing reads that far).
    pub fn deflated(&mut self, name: &str, compressed: &[u8], size: u32) -> &mut Zip {
        self.entry(name, 8, compressed, size, 0)
    }

    fn entry(&mut self, name: &str, method: u16, data: &[u8], size: u32, crc: u32) -> &mut Zip {
        let offset = self.out.len() as u32;
        let name = name.as_bytes();
        let o = &mut self.out;
        o.extend(0x0403_4b50u32.to_le_bytes());
        o.extend(20u16.to_le_bytes()); // version needed
        o.extend(0u16.to_le_bytes()); // flags
        o.extend(method.to_le_bytes());
        o.extend([0u8; 4]); // time, date
        o.extend(crc.to_le_bytes());
        o.extend((data.len() as u32).to_le_bytes());
        o.extend(size.to_le_bytes());
        o.extend((name.len() as u16).to_le_bytes());
        o.extend(0u16.to_le_bytes());
        o.extend(name);
        o.extend(data);
        let c = &mut self.central;
        c.extend(0x0201_4b50u32.to_le_bytes());
        c.extend(20u16.to_le_bytes()); // made by
        c.extend(20u16.to_le_bytes());
        c.extend(0u16.to_le_bytes());
        c.extend(method.to_le_bytes());
        c.extend([0u8; 4]);
        c.extend(crc.to_le_bytes());
        c.extend((data.len() as u32).to_le_bytes());
        c.extend(size.to_le_bytes());
        c.extend((name.len() as u16).to_le_bytes());
        c.extend([0u8; 8]); // extra, comment, disk, internal attributes
        c.extend(0u32.to_le_bytes()); // external attributes
        c.extend(offset.to_le_bytes());
        c.extend(name);
        self.count += 1;
        self
    }

    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut self.out);
        let at = out.len() as u32;
        out.extend(&self.central);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend(self.count.to_le_bytes());
        out.extend(self.count.to_le_bytes());
        out.extend((self.central.len() as u32).to_le_bytes());
        out.extend(at.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }
}

/// The parts every xlsx holds but its sheet, its shared strings and the
/// workbook's relationships: one sheet, 事项, at
/// `xl/worksheets/sheet1.xml`.
pub fn xlsx_skeleton(zip: &mut Zip) {
    zip.stored(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
    )
    .stored(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    )
    .stored(
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="事项" sheetId="1" r:id="rId1"/></sheets></workbook>"#.as_bytes(),
    );
}

/// The workbook relationships of [`xlsx_skeleton`].
pub const WORKBOOK_RELS: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// A one-sheet workbook of the sheet XML and shared strings XML given.
pub fn package(sheet: &[u8], strings: &[u8]) -> Vec<u8> {
    let mut zip = Zip::default();
    xlsx_skeleton(&mut zip);
    zip.stored("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        .stored("xl/worksheets/sheet1.xml", sheet)
        .stored("xl/sharedStrings.xml", strings);
    zip.finish()
}

/// An input of the `xlsx` target: the sheet's XML and the shared strings'
/// XML, split at the first NUL (none: no shared strings).
pub fn split(input: &[u8]) -> (&[u8], &[u8]) {
    match input.iter().position(|&b| b == 0) {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, b"<sst/>"),
    }
}

/// The rows of a sheet as (number, texts with their numeric flag), blank
/// rows and trailing blank cells left out: what the two readers must agree
/// on.
pub type Shape = Vec<(u32, Vec<(String, bool)>)>;

pub fn shape(g: &Grid) -> Shape {
    g.rows
        .iter()
        .filter(|r| !r.cells.iter().all(|c| c.text.is_empty()))
        .map(|r| {
            let mut cells: Vec<(String, bool)> = r
                .cells
                .iter()
                .map(|c| (c.text.clone(), c.numeric))
                .collect();
            while cells.last().is_some_and(|c| c.0.is_empty()) {
                cells.pop();
            }
            (r.number, cells)
        })
        .collect()
}

/// A workbook as one reader gives it: sheet names, the first ten rows of
/// each, each whole.
#[derive(Debug, PartialEq)]
pub struct Read {
    pub names: Vec<String>,
    pub heads: Vec<Shape>,
    pub sheets: Vec<Shape>,
}

/// Reads a workbook through `open`; the error as text.
fn read(
    open: impl FnOnce() -> Result<Book, yima::filing::source::ReadError>,
) -> Result<Read, String> {
    let book = open().map_err(|e| e.to_string())?;
    let heads = book.heads(10).map_err(|e| e.to_string())?;
    let mut sheets = Vec::new();
    for i in 0..book.sheet_names().len() {
        sheets.push(shape(&book.sheet(i).map_err(|e| e.to_string())?));
    }
    Ok(Read {
        names: book.sheet_names().to_vec(),
        heads: heads.iter().map(shape).collect(),
        sheets,
    })
}

/// How the two readers fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// Both read it, the same.
    Agreed,
    /// yima read it; calamine did not.
    OursOnly,
    /// calamine read it; yima found it unreadable.
    CalamineOnly,
    /// Neither read it.
    Neither,
    /// yima read it; calamine was not asked (not an xlsx package, or one
    /// that would make calamine allocate without bound: see [`calamine_safe`]).
    NotCompared,
    /// yima found it unreadable; calamine was not asked.
    Refused,
}

/// Whether calamine may read an xlsx package without risk to the process:
/// its cell reader sizes a table by a shared formula's `si` attribute.
/// (yima never runs calamine on an xlsx package; this guards the oracle.)
pub fn calamine_safe(bytes: &[u8]) -> bool {
    !bytes.windows(3).any(|w| w == b"si=")
}

/// Whether a part holds text that XML and calamine read differently: a
/// comment or processing instruction inside the root element, or — in a
/// sheet (`sheet`) — a CDATA section or a character reference
/// (`&#x4E8B;`), which XML leaves out of the text around them or makes
/// text, yima joining the pieces, calamine reading a cell's value only up
/// to the first; or a carriage return, which XML reads as a line feed
/// (Excel writes one as `_x000D_`) and calamine keeps; or, in a sheet, an
/// entity in the value of a cell that is not a string formula (`t="str"`),
/// which calamine reads only up to the entity. Not compared.
pub fn interrupted(xml: &[u8], sheet: bool) -> bool {
    if xml.contains(&b'\r') || (sheet && entity_in_value(xml)) {
        return true;
    }
    let root =
        (0..xml.len()).find(|&i| xml[i] == b'<' && !matches!(xml.get(i + 1), Some(b'?' | b'!')));
    let Some(root) = root else { return false };
    let rest = &xml[root..];
    let comment: &[u8] = if sheet { b"<!" } else { b"<!--" };
    rest.windows(comment.len()).any(|w| w == comment)
        || rest.windows(2).any(|w| w == b"<?" || (sheet && w == b"&#"))
}

/// Whether a `<v>` holds an entity in a cell whose tag does not say
/// `t="str"`.
fn entity_in_value(xml: &[u8]) -> bool {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut at = 0;
    while let Some(i) = find(&xml[at..], b"v>") {
        let start = at + i + 2;
        at = start;
        let Some(len) = xml[start..].iter().position(|&b| b == b'<') else {
            break;
        };
        if !xml[start..start + len].contains(&b'&') {
            continue;
        }
        // The cell's tag: the last `<c` or `:c` before the value.
        let before = &xml[..start];
        let tag = (0..before.len().saturating_sub(2)).rev().find(|&j| {
            matches!(&before[j..j + 2], b"<c" | b":c")
                && matches!(before.get(j + 2), Some(b' ' | b'>'))
        });
        let str_cell = tag.is_some_and(|j| {
            let end = before[j..]
                .iter()
                .position(|&b| b == b'>')
                .map_or(before.len(), |e| j + e);
            let t = &before[j..end];
            find(t, b"t=\"str\"").is_some() || find(t, b"t='str'").is_some()
        });
        if !str_cell {
            return true;
        }
    }
    false
}

/// The `xlsx` target: the input's sheet and shared strings packaged and
/// read by both readers (by yima alone when a comment or processing
/// instruction interrupts their text, see [`interrupted`]).
pub fn xlsx_target(input: &[u8]) -> Outcome {
    let (sheet, strings) = split(input);
    let compare = !interrupted(sheet, true) && !interrupted(strings, false);
    read_both(&package(sheet, strings), "变异.xlsx", compare)
}

/// The `workbook` target: a whole file, of any format, as a workbook.
pub fn workbook_target(bytes: &[u8], name: &str) -> Outcome {
    read_both(bytes, name, true)
}

/// Reads `bytes`, a workbook named `name`, with yima and — for an xlsx
/// package, when `compare` — calamine; panics when both read it and
/// differ.
fn read_both(bytes: &[u8], name: &str, compare: bool) -> Outcome {
    let path = Path::new(name);
    let display: Arc<str> = Arc::from(name);
    let ours = read(|| Book::open_bytes(bytes.to_vec(), path, &display));
    let xlsx = !matches!(
        yima::filing::xlsx::index(bytes),
        Err(yima::filing::xlsx::Error::Foreign(_))
    );
    if !compare || !xlsx || !calamine_safe(bytes) {
        return match ours {
            Ok(_) => Outcome::NotCompared,
            Err(_) => Outcome::Refused,
        };
    }
    let theirs = read(|| Book::open_bytes_with_calamine(bytes.to_vec(), path, &display));
    match (ours, theirs) {
        (Ok(a), Ok(b)) => {
            if a != b {
                panic!(
                    "yima and calamine read the workbook differently: {}",
                    difference(&a, &b)
                );
            }
            Outcome::Agreed
        }
        (Ok(_), Err(_)) => Outcome::OursOnly,
        (Err(e), Ok(_)) => {
            // (Why yima is stricter, when asked: `YIMA_FUZZ_VERBOSE=1`.)
            if std::env::var_os("YIMA_FUZZ_VERBOSE").is_some() {
                eprintln!("yima refused what calamine read: {e}");
            }
            Outcome::CalamineOnly
        }
        (Err(_), Err(_)) => Outcome::Neither,
    }
}

/// Where two reads first differ, in a line or two.
fn difference(a: &Read, b: &Read) -> String {
    if a.names != b.names {
        return format!("sheets {:?} / {:?}", a.names, b.names);
    }
    for (what, x, y) in [
        ("head", &a.heads, &b.heads),
        ("sheet", &a.sheets, &b.sheets),
    ] {
        for (i, (x, y)) in x.iter().zip(y).enumerate() {
            for (rx, ry) in x.iter().zip(y) {
                if rx != ry {
                    return format!("{what} {i}, yima {rx:?}\n calamine {ry:?}");
                }
            }
            if x.len() != y.len() {
                let (nx, ny) = (x.len(), y.len());
                return format!(
                    "{what} {i}: {nx} rows / {ny}; yima's last {:?}, calamine's last {:?}",
                    x.last(),
                    y.last()
                );
            }
        }
    }
    "?".into()
}
