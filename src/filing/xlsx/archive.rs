//! The workbook's zip archive and its index: the parts are inflated within
//! their limits (never trusting the sizes the archive declares), the
//! relationships and `xl/workbook.xml` give the sheets in order with the
//! path of each, and every other part is inflated once to check it (a
//! damaged part is a damaged workbook, even one not read: its CRC fails).

use super::decode::decode_attr;
use super::document::{Document, attr, attr_local, attrs_ok, local};
use super::strings::{self, Strings};
use super::xml::{Budget, Scanner, Tok};
use super::{Error, Part};
use crate::filing::limits;
use crate::text;
use std::io::{Cursor, Read};

pub(super) type Archive<'b> = zip::ZipArchive<Cursor<&'b [u8]>>;

/// A workbook opened for the fast reader: its sheets and shared strings.
pub struct Index {
    /// Every sheet in workbook order: its name and, for a worksheet, the
    /// path of its XML in the archive (chart sheets have none).
    pub sheets: Vec<(String, Option<String>)>,
    pub(super) strings: Strings,
    /// What every read of this workbook has inflated so far.
    pub(super) budget: Budget,
}

/// Opens the archive (again: each sheet is read on its own thread).
pub(super) fn open(bytes: &[u8]) -> Result<Archive<'_>, Error> {
    let zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Error::Foreign(e.to_string()))?;
    if zip.len() > limits::PARTS {
        let (n, most) = (zip.len(), limits::PARTS);
        return Err(Part::Workbook.too_large(text!(
            "含有 {n} 个部件，超过上限 {most}",
            "holds {n} parts, more than {most}"
        )));
    }
    Ok(zip)
}

/// A part of the archive as XML, read within `limit` bytes.
pub(super) fn part<'z, 'b>(
    zip: &'z mut Archive<'b>,
    path: &str,
    part: Part,
    limit: u64,
    budget: &Budget,
) -> Result<Scanner<zip::read::ZipFile<'z, Cursor<&'b [u8]>>>, Error> {
    let file = zip.by_name(path).map_err(|e| match e {
        zip::result::ZipError::FileNotFound => part.damaged(text!("缺失", "is missing")),
        e => part.unreadable(&e),
    })?;
    Ok(Scanner::new(file, part, limit, budget.clone()))
}

/// Opens a workbook's index: sheet names and paths, shared strings; every
/// other part is inflated to check it.
pub fn index(bytes: &[u8]) -> Result<Index, Error> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(Error::Foreign("not a zip archive".into()));
    }
    let mut zip = open(bytes)?;
    if zip.index_for_name("xl/workbook.xml").is_none() {
        return Err(Error::Foreign("no xl/workbook.xml".into()));
    }
    let budget = Budget::default();
    let targets = relationships(&mut zip, &budget)?;
    let sheets = workbook(&mut zip, &targets, &budget)?;
    let sst = targets
        .iter()
        .find(|r| r.ty.ends_with("/sharedStrings"))
        .map(|r| r.path.clone());
    let strings = match &sst {
        Some(p) => strings::read(part(
            &mut zip,
            p,
            Part::Strings,
            limits::SHARED_STRINGS,
            &budget,
        )?)?,
        None => Strings::default(),
    };
    // A damaged part is a damaged workbook, even one not read here (styles,
    // theme): inflating it checks its CRC. The sheets are checked as read.
    let mut chunk = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut file = zip
            .by_index(i)
            .map_err(|e| Part::Path(format!("#{i}")).unreadable(&e))?;
        let name = file
            .name()
            .map_err(|e| Part::Path(format!("#{i}")).unreadable(&e))?
            .to_string();
        if sst.as_deref() == Some(name.as_str())
            || sheets
                .iter()
                .any(|(_, p)| p.as_deref() == Some(name.as_str()))
        {
            continue;
        }
        let part = Part::Path(name);
        let mut read = 0u64;
        loop {
            let n = match file.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n as u64,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(part.unreadable(&e)),
            };
            read += n;
            if read > limits::OTHER_PART {
                return Err(part.inflates_past(limits::OTHER_PART));
            }
            let all = budget.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
            if all > limits::INFLATED {
                return Err(Part::Workbook.inflates_past(limits::INFLATED));
            }
        }
    }
    Ok(Index {
        sheets,
        strings,
        budget,
    })
}

/// One relationship of the workbook.
pub(super) struct Relationship {
    id: String,
    ty: String,
    /// The target's path in the archive.
    path: String,
}

/// What [`elements`] hands each element to: the part, the attributes.
type ElementFn<'f> = dyn FnMut(&Part, &[u8]) -> Result<(), Error> + 'f;

/// Reads a small part whole as the document of root `root`, handing each
/// element named `wanted` (its local name) to `each` with its attributes.
fn elements(
    zip: &mut Archive<'_>,
    path: &str,
    root: &'static [u8],
    wanted: &[u8],
    budget: &Budget,
    each: &mut ElementFn<'_>,
) -> Result<(), Error> {
    let mut sc = part(
        zip,
        path,
        Part::Path(path.into()),
        limits::SMALL_PART,
        budget,
    )?;
    let mut doc = Document::new(root);
    let part = &sc.part.clone();
    while let Some(tok) = sc.next()? {
        let fits = match tok {
            Tok::Open { name, attrs, empty } => {
                let fits = doc.open(name, empty) && attrs_ok(attrs);
                if fits && local(name) == wanted {
                    each(part, attrs)?;
                }
                fits
            }
            Tok::Close { name } => doc.close(name),
            Tok::Text { raw, .. } => doc.text(raw),
        };
        if !fits {
            return Err(not_xml(part));
        }
    }
    match doc.complete() {
        true => Ok(()),
        false => Err(cut_short(part)),
    }
}

/// An attribute's text, or what is wrong with it.
fn decoded(part: &Part, raw: &[u8]) -> Result<String, Error> {
    decode_attr(raw).map_err(|e| part.damaged(e.says()))
}

/// The workbook's relationships (`xl/_rels/workbook.xml.rels`).
fn relationships(zip: &mut Archive<'_>, budget: &Budget) -> Result<Vec<Relationship>, Error> {
    let mut out = Vec::new();
    let path = "xl/_rels/workbook.xml.rels";
    elements(
        zip,
        path,
        b"Relationships",
        b"Relationship",
        budget,
        &mut |part, attrs| {
            let (Some(id), Some(ty), Some(target)) = (
                attr(attrs, b"Id"),
                attr(attrs, b"Type"),
                attr(attrs, b"Target"),
            ) else {
                return Ok(());
            };
            let target = decoded(part, target)?;
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("xl/{}", target.trim_start_matches("./")),
            };
            out.push(Relationship {
                id: decoded(part, id)?,
                ty: decoded(part, ty)?,
                path,
            });
            Ok(())
        },
    )?;
    Ok(out)
}

/// The sheets of `xl/workbook.xml`, in order, with the path of each
/// worksheet.
fn workbook(
    zip: &mut Archive<'_>,
    targets: &[Relationship],
    budget: &Budget,
) -> Result<Vec<(String, Option<String>)>, Error> {
    let mut sheets = Vec::new();
    elements(
        zip,
        "xl/workbook.xml",
        b"workbook",
        b"sheet",
        budget,
        &mut |part, attrs| {
            let Some(sheet_name) = attr(attrs, b"name") else {
                return Err(
                    part.damaged(text!("中有一个工作表没有名称", "names no name for a sheet"))
                );
            };
            let id = attr_local(attrs, b"id")
                .map(|id| decoded(part, id))
                .transpose()?;
            let path = id.and_then(|id| {
                targets
                    .iter()
                    .find(|r| r.id == id && r.ty.ends_with("/worksheet"))
                    .map(|r| r.path.clone())
            });
            sheets.push((decoded(part, sheet_name)?, path));
            Ok(())
        },
    )?;
    Ok(sheets)
}

/// The part is not the XML document it must be.
pub(super) fn not_xml(part: &Part) -> Error {
    part.damaged(text!(
        "不是有效的 XML 文档（内容损坏或被替换）",
        "is not a valid XML document (damaged or replaced)"
    ))
}

/// The part ends before its document does.
pub(super) fn cut_short(part: &Part) -> Error {
    part.damaged(text!(
        "不完整（XML 在文档结束前中断）",
        "is cut short (its XML ends before the document does)"
    ))
}
