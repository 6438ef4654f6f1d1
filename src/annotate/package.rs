//! A workbook package (xlsx) marked in place. Only the parts that must
//! change are rewritten — the workbook's sheet list, its relationships, the
//! content types, the styles, the marked sheets and their comments — and
//! every other part is copied byte for byte, still compressed as it was:
//! values, formulas, merged cells, widths, validations, drawings, charts,
//! pivot tables and whatever a future Excel adds stay what they were.

use super::comments::{self, Note};
use super::findings::{self, Heading, Row};
use super::sheet::{self, CellRef};
use super::styles::{self, Styles};
use super::xml::{self, Edits, escape, quoted_sheet};
use crate::diag::{Diagnostic, Lang, Severity};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Write};

const NS_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const REL_WORKSHEET: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
const REL_STYLES: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles";
const REL_COMMENTS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
const REL_VML: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing";
const CT_WORKSHEET: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const CT_COMMENTS: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
const CT_STYLES: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";
const CT_VML: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";

/// Why a workbook could not be marked in place (it is then rebuilt from
/// its values, see [`super::convert`]).
#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("xml: {0}")]
    Xml(#[from] quick_xml::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Styles(#[from] styles::StylesError),
    #[error("{0}")]
    Structure(String),
}

fn structure<T>(why: impl Into<String>) -> Result<T, PatchError> {
    Err(PatchError::Structure(why.into()))
}

/// What to mark in a workbook.
pub struct Annotation<'a> {
    /// The findings of the filing, in report order.
    pub findings: Vec<&'a Diagnostic>,
    pub heading: Heading,
    pub lang: Lang,
}

/// A marked workbook.
pub struct Marked {
    pub bytes: Vec<u8>,
    /// The workbook holds macros (its name must end in .xlsm).
    pub macros: bool,
    /// Cells marked and commented.
    pub cells: usize,
}

/// One relationship of a part.
#[derive(Debug, Clone)]
struct Rel {
    id: String,
    kind: String,
    target: String,
}

/// A relationships part: its relationships, and the document to extend.
struct Rels {
    doc: String,
    rels: Vec<Rel>,
}

impl Rels {
    fn parse(doc: String) -> Rels {
        let mut rels = Vec::new();
        let mut reader = quick_xml::Reader::from_str(&doc);
        while let Ok(event) = reader.read_event() {
            match event {
                quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)
                    if e.local_name().as_ref() == "Relationship" =>
                {
                    rels.push(Rel {
                        id: xml::attr(&e, "Id").unwrap_or_default(),
                        kind: xml::attr(&e, "Type").unwrap_or_default(),
                        target: xml::attr(&e, "Target").unwrap_or_default(),
                    });
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        Rels { doc, rels }
    }

    fn empty() -> Rels {
        Rels::parse(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#
                .to_string(),
        )
    }

    /// A relationship id not taken yet.
    fn fresh_id(&self, stem: &str) -> String {
        (1..)
            .map(|n| format!("{stem}{n}"))
            .find(|id| self.rels.iter().all(|r| &r.id != id))
            .expect("an unused id")
    }

    /// Removes the relationship `id`.
    fn remove(&mut self, id: &str) {
        let key = format!("Id=\"{id}\"");
        if let Some(at) = self.doc.find(&key)
            && let Some(start) = self.doc[..at].rfind('<')
            && let Some(len) = self.doc[at..].find("/>")
        {
            self.doc.replace_range(start..at + len + 2, "");
        }
        self.rels.retain(|r| r.id != id);
    }

    /// Adds a relationship; gives its id.
    fn add(&mut self, kind: &str, target: &str) -> String {
        let id = self.fresh_id("rIdYima");
        let element = format!(
            r#"<Relationship Id="{id}" Type="{kind}" Target="{}"/>"#,
            escape(target)
        );
        match self.doc.rfind("</Relationships>") {
            Some(end) => self.doc.insert_str(end, &element),
            None => {
                // `<Relationships …/>`: written out with the new one.
                if let Some(span) = xml::find(&self.doc, "Relationships") {
                    let open = xml::open_tag(&self.doc, span)
                        .map(|t| xml::tag_text(&t, false))
                        .unwrap_or_else(|| "<Relationships>".into());
                    let text = format!("{open}{element}</Relationships>");
                    self.doc.replace_range(span.start..span.end, &text);
                }
            }
        }
        self.rels.push(Rel {
            id: id.clone(),
            kind: kind.into(),
            target: target.into(),
        });
        id
    }
}

/// The path of a part a relationship of `base` (a part path) points at.
fn resolve(base: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The relationships part of `part`: `xl/_rels/workbook.xml.rels`.
fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/_rels/{name}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// `target` as a relationship of `base` writes it (relative).
fn relative(base: &str, part: &str) -> String {
    let base_dir: Vec<&str> = base.split('/').collect::<Vec<_>>();
    let base_dir = &base_dir[..base_dir.len().saturating_sub(1)];
    let part: Vec<&str> = part.split('/').collect();
    let common = base_dir
        .iter()
        .zip(&part)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: Vec<&str> = vec![".."; base_dir.len() - common];
    out.extend(&part[common..]);
    out.join("/")
}

/// The package being marked: the archive and the parts read or made.
struct Package<'b> {
    zip: zip::ZipArchive<Cursor<&'b [u8]>>,
    names: Vec<String>,
    /// Parts replaced or added, by path.
    written: BTreeMap<String, Vec<u8>>,
    /// Parts left out.
    removed: Vec<String>,
}

impl<'b> Package<'b> {
    fn open(bytes: &'b [u8]) -> Result<Package<'b>, PatchError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes))?;
        let names = zip
            .file_names()
            .filter_map(|n| n.ok())
            .map(|n| n.to_string())
            .collect();
        Ok(Package {
            zip,
            names,
            written: BTreeMap::new(),
            removed: Vec::new(),
        })
    }

    fn has(&self, path: &str) -> bool {
        self.names.iter().any(|n| n == path) || self.written.contains_key(path)
    }

    fn text(&mut self, path: &str) -> Result<String, PatchError> {
        if let Some(b) = self.written.get(path) {
            return Ok(String::from_utf8_lossy(b).into_owned());
        }
        let mut s = String::new();
        self.zip.by_name(path)?.read_to_string(&mut s)?;
        Ok(s)
    }

    fn text_opt(&mut self, path: &str) -> Result<Option<String>, PatchError> {
        if self.has(path) {
            self.text(path).map(Some)
        } else {
            Ok(None)
        }
    }

    fn put(&mut self, path: &str, bytes: impl Into<Vec<u8>>) {
        self.written.insert(path.to_string(), bytes.into());
    }

    /// A path not taken, `dir/stem{n}.ext`.
    fn fresh(&self, dir: &str, stem: &str, ext: &str) -> String {
        (1..)
            .map(|n| format!("{dir}/{stem}{n}.{ext}"))
            .find(|p| !self.has(p))
            .expect("a free part name")
    }

    /// The archive: parts as they were, copied raw, but those written;
    /// then the new ones.
    fn finish(mut self) -> Result<Vec<u8>, PatchError> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let mut written = std::mem::take(&mut self.written);
        for i in 0..self.zip.len() {
            let file = self.zip.by_index_raw(i)?;
            let name = file.name()?.into_owned();
            if self.removed.contains(&name) {
                continue;
            }
            match written.remove(&name) {
                Some(bytes) => {
                    drop(file);
                    out.start_file(name.as_str(), options)?;
                    out.write_all(&bytes)?;
                }
                None => out.raw_copy_file(file)?,
            }
        }
        for (name, bytes) in written {
            out.start_file(name.as_str(), options)?;
            out.write_all(&bytes)?;
        }
        Ok(out.finish()?.into_inner())
    }
}

/// A sheet of the workbook.
struct SheetInfo {
    name: String,
    part: String,
    /// Its relationship's id in the workbook.
    rid: String,
}

/// Content types to add: overrides by part, defaults by extension.
#[derive(Default)]
struct Types {
    overrides: Vec<(String, &'static str)>,
    defaults: Vec<(&'static str, &'static str)>,
    /// Parts whose override goes.
    removed: Vec<String>,
}

impl Types {
    fn apply(self, doc: &str) -> String {
        let mut doc = doc.to_string();
        for part in &self.removed {
            let key = format!("PartName=\"/{part}\"");
            if let Some(at) = doc.find(&key)
                && let Some(start) = doc[..at].rfind('<')
                && let Some(len) = doc[at..].find("/>")
            {
                doc.replace_range(start..at + len + 2, "");
            }
        }
        let doc = doc.as_str();
        let mut add = String::new();
        let mut defaults = self.defaults;
        defaults.dedup();
        for (ext, ct) in defaults {
            if !doc.contains(&format!("Extension=\"{ext}\"")) {
                add.push_str(&format!(
                    r#"<Default Extension="{ext}" ContentType="{ct}"/>"#
                ));
            }
        }
        for (part, ct) in self.overrides {
            add.push_str(&format!(
                r#"<Override PartName="/{}" ContentType="{ct}"/>"#,
                escape(&part)
            ));
        }
        match doc.rfind("</Types>") {
            Some(end) => format!("{}{add}{}", &doc[..end], &doc[end..]),
            None => doc.to_string(),
        }
    }
}

/// The marks and notes of one sheet.
#[derive(Default)]
struct SheetMarks {
    severities: BTreeMap<CellRef, Severity>,
    notes: BTreeMap<CellRef, Vec<(String, String)>>,
}

/// The text of one finding in a comment: a heading and the help.
fn paragraph(d: &Diagnostic, moved_from: Option<u32>, lang: Lang) -> (String, String) {
    let label = match (d.severity, lang) {
        (Severity::Error, Lang::Zh) => "错误",
        (Severity::Warning, Lang::Zh) => "警告",
        (Severity::Error, Lang::En) => "Error",
        (Severity::Warning, Lang::En) => "Warning",
    };
    let row = match (moved_from, lang) {
        (Some(r), Lang::Zh) => format!("（第 {r} 行）"),
        (Some(r), Lang::En) => format!(" (row {r})"),
        (None, _) => String::new(),
    };
    let heading = format!("{label}{row}：{}", d.message.get(lang));
    let help = d.help.get(lang);
    let body = match lang {
        Lang::Zh if !help.is_empty() => format!("修改建议：{help}（规则 {}）", d.rule.id()),
        Lang::En if !help.is_empty() => format!("What to do: {help} (rule {})", d.rule.id()),
        Lang::Zh => format!("（规则 {}）", d.rule.id()),
        Lang::En => format!("(rule {})", d.rule.id()),
    };
    (heading, body)
}

/// Marks a workbook package with the findings of `a`.
pub fn mark(bytes: &[u8], a: &Annotation<'_>) -> Result<Marked, PatchError> {
    let mut pkg = Package::open(bytes)?;
    let root_rels = Rels::parse(pkg.text("_rels/.rels")?);
    let book_path = root_rels
        .rels
        .iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map(|r| resolve("", &r.target))
        .unwrap_or_else(|| "xl/workbook.xml".into());
    if !book_path.ends_with(".xml") {
        return structure(format!("{book_path} is not an XML workbook"));
    }
    let book = pkg.text(&book_path)?;
    let book_rels_path = rels_path(&book_path);
    let mut book_rels = Rels::parse(pkg.text(&book_rels_path)?);
    let content_types = pkg.text("[Content_Types].xml")?;
    let macros = content_types.contains("macroEnabled.main+xml");

    // The sheets, in order.
    let Some(sheets_span) = xml::find(&book, "sheets") else {
        return structure("no <sheets>");
    };
    let mut sheets = Vec::new();
    let mut max_sheet_id = 0u32;
    let mut id_attr = "r:id".to_string();
    for (s, e) in xml::children(&book, sheets_span) {
        let Some(tag) =
            xml::find(&book[s..e], "sheet").and_then(|sp| xml::open_tag(&book[s..e], sp))
        else {
            continue;
        };
        let name = xml::attr(&tag, "name").unwrap_or_default();
        if let Some(id) = xml::attr(&tag, "sheetId").and_then(|v| v.parse::<u32>().ok()) {
            max_sheet_id = max_sheet_id.max(id);
        }
        let rid_key = tag
            .attributes()
            .flatten()
            .find(|at| at.key.local_name().as_ref() == "id" && at.key.prefix().is_some())
            .map(|at| at.key.as_ref().to_string());
        if let Some(k) = rid_key {
            id_attr = k;
        }
        let rid = xml::attr_local(&tag, "id").unwrap_or_default();
        let part = book_rels
            .rels
            .iter()
            .find(|r| r.id == rid)
            .map(|r| resolve(&book_path, &r.target));
        if let Some(part) = part {
            sheets.push(SheetInfo { name, part, rid });
        }
    }
    // A workbook yima returned, checked again: its 检查结果 sheet (the first)
    // is replaced and the old marks go. One elsewhere is not yima's layout.
    let earlier = sheets.first().is_some_and(|s| s.name == findings::SHEET);
    if sheets
        .iter()
        .skip(usize::from(earlier))
        .any(|s| s.name == findings::SHEET)
    {
        return structure("the workbook has a 检查结果 sheet that is not its first");
    }
    let old_findings = earlier.then(|| sheets.remove(0));

    // The marks, by sheet: each finding at a cell, moved to the top-left
    // cell of a merged range that covers it.
    let mut surveys: HashMap<String, sheet::Survey> = HashMap::new();
    let mut marks: HashMap<String, SheetMarks> = HashMap::new();
    let mut rows: Vec<Row<'_>> = Vec::new();
    for d in &a.findings {
        let o = &d.origin;
        let info = o
            .sheet
            .as_deref()
            .and_then(|name| sheets.iter().find(|s| s.name == name));
        let Some(info) = info else {
            rows.push(Row {
                finding: d,
                target: None,
            });
            continue;
        };
        let target = match (o.row, o.col) {
            (Some(row), Some(col)) => {
                if !surveys.contains_key(&info.part) {
                    let part = pkg.zip.by_name(&info.part)?;
                    let s = sheet::survey(std::io::BufReader::new(part))?;
                    surveys.insert(info.part.clone(), s);
                }
                let merges = &surveys[&info.part].merges;
                let at = merges
                    .iter()
                    .find(|(lo, hi)| (lo.0..=hi.0).contains(&row) && (lo.1..=hi.1).contains(&col))
                    .map_or((row, col), |(lo, _)| *lo);
                let m = marks.entry(info.part.clone()).or_default();
                let sev = m.severities.entry(at).or_insert(d.severity);
                if d.severity == Severity::Error {
                    *sev = Severity::Error;
                }
                let moved = (at.0 != row).then_some(row);
                m.notes
                    .entry(at)
                    .or_default()
                    .push(paragraph(d, moved, a.lang));
                sheet::a1(at)
            }
            (Some(row), None) => format!("A{row}"),
            _ => "A1".to_string(),
        };
        rows.push(Row {
            finding: d,
            target: Some((info.name.clone(), target)),
        });
    }

    // Styles: the part, or a minimal one when the workbook has none.
    let styles_path = book_rels
        .rels
        .iter()
        .find(|r| r.kind == REL_STYLES || r.kind.ends_with("/styles"))
        .map(|r| resolve(&book_path, &r.target));
    let mut types = Types::default();
    let (styles_path, mut styles) = match styles_path {
        Some(p) => {
            let doc = pkg.text(&p)?;
            (p, Styles::parse(doc)?)
        }
        None => {
            let p = resolve(&book_path, "styles.xml");
            book_rels.add(REL_STYLES, &relative(&book_path, &p));
            types.overrides.push((p.clone(), CT_STYLES));
            (p, Styles::parse(styles::MINIMAL.to_string())?)
        }
    };

    // What an earlier marking left goes: its 检查结果 sheet, its fills (each
    // cell gets the format its mark was copied from) and its comments.
    let restyle = if earlier {
        styles.earlier_marks()
    } else {
        HashMap::new()
    };
    if let Some(old) = &old_findings {
        book_rels.remove(&old.rid);
        types.removed.push(old.part.clone());
        pkg.removed.push(old.part.clone());
        let rels = rels_path(&old.part);
        if pkg.has(&rels) {
            pkg.removed.push(rels);
        }
        for info in &sheets {
            strip_comments(&mut pkg, &info.part)?;
        }
    }

    // Shape-id blocks of the VML drawings already there.
    let mut blocks: Vec<u32> = Vec::new();
    let vml_parts: Vec<String> = pkg
        .names
        .iter()
        .filter(|n| n.ends_with(".vml"))
        .cloned()
        .collect();
    for p in vml_parts {
        if let Ok(doc) = pkg.text(&p) {
            blocks.extend(comments::idmap_blocks(&doc));
        }
    }

    // Each sheet: marked, its tab unselected, or as it is.
    let mut cells = 0;
    for info in &sheets {
        let m = marks.remove(&info.part);
        let untab = {
            let mut head = vec![0u8; 16 << 10];
            let n = read_up_to(pkg.zip.by_name(&info.part)?, &mut head)?;
            let head = String::from_utf8_lossy(&head[..n]);
            head.contains("tabSelected=\"1\"") || head.contains("tabSelected=\"true\"")
        };
        let Some(m) = m else {
            if untab || earlier {
                let empty = BTreeMap::new();
                let plan = sheet::Plan {
                    marks: &empty,
                    add_legacy_drawing: None,
                    untab,
                    restyle: &restyle,
                };
                rewrite_sheet(&mut pkg, &info.part, &plan, &mut styles)?;
            }
            continue;
        };
        cells += m.severities.len();
        let notes: Vec<Note> = m
            .notes
            .into_iter()
            .map(|(at, paragraphs)| Note { at, paragraphs })
            .collect();
        let survey = surveys.remove(&info.part).unwrap_or_default();
        let sheet_rels_path = rels_path(&info.part);
        let mut sheet_rels = match pkg.text_opt(&sheet_rels_path)? {
            Some(doc) => Rels::parse(doc),
            None => Rels::empty(),
        };
        let comments_rel = sheet_rels
            .rels
            .iter()
            .find(|r| r.kind == REL_COMMENTS || r.kind.ends_with("/comments"))
            .cloned();
        let vml_rel = survey
            .legacy_drawing
            .as_ref()
            .and_then(|id| sheet_rels.rels.iter().find(|r| &r.id == id))
            .cloned();
        // The notes that need a box: all, unless merged into comments
        // that are there.
        let boxes = match &comments_rel {
            Some(rel) => {
                let path = resolve(&info.part, &rel.target);
                let doc = pkg.text(&path)?;
                let Some((merged, boxes)) = comments::merge_part(&doc, &notes) else {
                    return structure(format!("{path}: no <authors>"));
                };
                pkg.put(&path, merged);
                boxes
            }
            None => {
                let path = pkg.fresh("xl", "commentsYima", "xml");
                pkg.put(&path, comments::new_part(&notes));
                sheet_rels.add(REL_COMMENTS, &relative(&info.part, &path));
                types.overrides.push((path, CT_COMMENTS));
                notes.clone()
            }
        };
        let add_drawing = match &vml_rel {
            Some(rel) => {
                let path = resolve(&info.part, &rel.target);
                let doc = pkg.text(&path)?;
                pkg.put(&path, comments::merge_vml(&doc, &boxes));
                None
            }
            None => {
                let block = blocks.iter().max().copied().unwrap_or(0) + 1;
                blocks.push(block);
                let path = pkg.fresh("xl/drawings", "vmlDrawingYima", "vml");
                pkg.put(&path, comments::new_vml(&boxes, block));
                types.defaults.push(("vml", CT_VML));
                Some(sheet_rels.add(REL_VML, &relative(&info.part, &path)))
            }
        };
        let plan = sheet::Plan {
            marks: &m.severities,
            add_legacy_drawing: add_drawing.as_deref(),
            untab,
            restyle: &restyle,
        };
        rewrite_sheet(&mut pkg, &info.part, &plan, &mut styles)?;
        pkg.put(&sheet_rels_path, sheet_rels.doc);
    }

    // The 检查结果 sheet, first.
    let own = styles.own();
    let (sheet_xml, filter) = findings::sheet_xml(&a.heading, &rows, own, a.lang);
    let findings_part = pkg.fresh(
        book_path
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string()
            .as_str(),
        "worksheets/yimaFindings",
        "xml",
    );
    pkg.put(&findings_part, sheet_xml);
    types.overrides.push((findings_part.clone(), CT_WORKSHEET));
    let rid = book_rels.add(REL_WORKSHEET, &relative(&book_path, &findings_part));
    pkg.put(&book_rels_path, book_rels.doc.clone());
    pkg.put(&styles_path, styles.finish());
    pkg.put(
        &book_path,
        workbook_xml(
            &book,
            sheets_span,
            &rid,
            &id_attr,
            max_sheet_id + 1,
            &filter,
            earlier,
        )?,
    );
    pkg.put("[Content_Types].xml", types.apply(&content_types));
    Ok(Marked {
        bytes: pkg.finish()?,
        macros,
        cells,
    })
}

/// Reads what fits in `buf` (the first bytes of a part).
fn read_up_to(mut r: impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let got = r.read(&mut buf[n..])?;
        if got == 0 {
            break;
        }
        n += got;
    }
    Ok(n)
}

fn rewrite_sheet(
    pkg: &mut Package<'_>,
    part: &str,
    plan: &sheet::Plan<'_>,
    styles: &mut Styles,
) -> Result<(), PatchError> {
    let mut out = Vec::new();
    {
        let file = pkg.zip.by_name(part)?;
        sheet::rewrite(std::io::BufReader::new(file), &mut out, plan, styles)?;
    }
    pkg.put(part, out);
    Ok(())
}

/// Takes yima's comments of an earlier marking out of the sheet `part`'s
/// comments and their boxes out of its drawings.
fn strip_comments(pkg: &mut Package<'_>, part: &str) -> Result<(), PatchError> {
    let Some(rels) = pkg.text_opt(&rels_path(part))? else {
        return Ok(());
    };
    let rels = Rels::parse(rels);
    let mut gone = Vec::new();
    for r in rels.rels.iter().filter(|r| r.kind.ends_with("/comments")) {
        let path = resolve(part, &r.target);
        if let Some(doc) = pkg.text_opt(&path)? {
            let (doc, cells) = comments::strip_part(&doc);
            pkg.put(&path, doc);
            gone.extend(cells);
        }
    }
    if gone.is_empty() {
        return Ok(());
    }
    for r in rels.rels.iter().filter(|r| r.kind.ends_with("/vmlDrawing")) {
        let path = resolve(part, &r.target);
        if let Some(doc) = pkg.text_opt(&path)? {
            pkg.put(&path, comments::strip_vml(&doc, &gone));
        }
    }
    Ok(())
}

/// The workbook part with the 检查结果 sheet first: its `<sheet>`, local
/// names moved one sheet on, the filter and print titles of the new sheet,
/// and the first tab active. With `replace_first`, the first sheet is an
/// earlier 检查结果 sheet, replaced, its local names gone.
fn workbook_xml(
    book: &str,
    sheets: xml::Span,
    rid: &str,
    id_attr: &str,
    sheet_id: u32,
    filter: &str,
    replace_first: bool,
) -> Result<String, PatchError> {
    let mut edits = Edits::default();
    let (prefix, ns) = match id_attr.split_once(':') {
        Some((p, _)) if book.contains(&format!("xmlns:{p}=")) => (String::new(), String::new()),
        _ => (String::new(), format!(r#" xmlns:r="{NS_REL}""#)),
    };
    let id_attr = if ns.is_empty() { id_attr } else { "r:id" };
    let element_prefix = xml::open_tag(book, sheets)
        .and_then(|t| t.name().prefix().map(|p| p.as_ref().to_string()))
        .map(|p| format!("{p}:"))
        .unwrap_or(prefix);
    let sheet = format!(
        r#"<{element_prefix}sheet name="{}" sheetId="{sheet_id}"{ns} {id_attr}="{rid}"/>"#,
        findings::SHEET
    );
    if sheets.empty {
        return structure("no sheet in the workbook");
    }
    match xml::children(book, sheets).first() {
        Some((start, end)) if replace_first => edits.replace(*start, *end, sheet),
        _ => edits.insert(sheets.open_end, sheet),
    }
    // Sheet-local names point one sheet further on (or, when the first
    // sheet is replaced, those of the first go and the others stay).
    for span in xml::find_all(book, "definedName", usize::MAX) {
        let Some(tag) = xml::open_tag(book, span) else {
            continue;
        };
        if let Some(n) = xml::attr(&tag, "localSheetId").and_then(|v| v.parse::<u32>().ok()) {
            if replace_first {
                if n == 0 {
                    edits.replace(span.start, span.end, "");
                }
                continue;
            }
            let moved = (n + 1).to_string();
            let tag = xml::with_attrs(&tag, &[("localSheetId", &moved)], &[]);
            edits.replace(span.start, span.open_end, xml::tag_text(&tag, span.empty));
        }
    }
    let sheet_ref = quoted_sheet(findings::SHEET);
    let (from, to) = filter.split_once(':').unwrap_or((filter, filter));
    let abs = |a1: &str| {
        let letters: String = a1.chars().take_while(char::is_ascii_alphabetic).collect();
        format!("${letters}${}", &a1[letters.len()..])
    };
    let names = format!(
        r#"<{element_prefix}definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{}</{element_prefix}definedName><{element_prefix}definedName name="_xlnm.Print_Titles" localSheetId="0">{}</{element_prefix}definedName>"#,
        escape(&format!("{sheet_ref}!{}:{}", abs(from), abs(to))),
        escape(&format!("{sheet_ref}!$3:$3")),
    );
    match xml::find(book, "definedNames") {
        Some(span) if !span.empty => edits.insert(span.open_end, names),
        Some(span) => edits.replace(
            span.start,
            span.end,
            format!("<{element_prefix}definedNames>{names}</{element_prefix}definedNames>"),
        ),
        None => edits.insert(
            sheets.end,
            format!("<{element_prefix}definedNames>{names}</{element_prefix}definedNames>"),
        ),
    }
    for span in xml::find_all(book, "workbookView", usize::MAX) {
        if let Some(tag) = xml::open_tag(book, span) {
            let tag = xml::with_attrs(&tag, &[], &["activeTab", "firstSheet"]);
            edits.replace(span.start, span.open_end, xml::tag_text(&tag, span.empty));
        }
    }
    Ok(edits.apply(book))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_paths() {
        assert_eq!(
            resolve("xl/workbook.xml", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets/sheet1.xml", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(
            resolve("xl/workbook.xml", "/xl/styles.xml"),
            "xl/styles.xml"
        );
        assert_eq!(
            rels_path("xl/worksheets/sheet1.xml"),
            "xl/worksheets/_rels/sheet1.xml.rels"
        );
        assert_eq!(
            relative("xl/worksheets/sheet1.xml", "xl/commentsYima1.xml"),
            "../commentsYima1.xml"
        );
        assert_eq!(
            relative("xl/workbook.xml", "xl/worksheets/y.xml"),
            "worksheets/y.xml"
        );
    }
}
