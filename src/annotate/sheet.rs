//! One worksheet part rewritten as it streams through: every event is
//! written back as it was read, but for the marked cells, which get the
//! filled copy of their format (a blank cell that the sheet does not hold is
//! added, in its row and column order), the `<legacyDrawing>` that shows the
//! comments, and the tab selection, which moves to the 检查结果 sheet.

use super::styles::Styles;
use super::xml;
use crate::diag::Severity;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// A cell, as (row, column): the row Excel shows (1-based) and the 0-based
/// column.
pub type CellRef = (u32, u32);

/// `H17` → (17, 7).
pub fn parse_ref(s: &str) -> Option<CellRef> {
    let s = s.trim().trim_start_matches('$');
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for b in s[..letters].bytes() {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row: u32 = s[letters..].trim_start_matches('$').parse().ok()?;
    (row >= 1).then_some((row, col - 1))
}

/// (17, 7) → `H17`.
pub fn a1((row, col): CellRef) -> String {
    format!("{}{row}", crate::model::column_letter(col))
}

/// A range `A1:C3` as its two corners; a single cell is both.
pub fn parse_range(s: &str) -> Option<(CellRef, CellRef)> {
    let (a, b) = s.split_once(':').unwrap_or((s, s));
    let (a, b) = (parse_ref(a)?, parse_ref(b)?);
    Some(((a.0.min(b.0), a.1.min(b.1)), (a.0.max(b.0), a.1.max(b.1))))
}

/// What a first pass over a sheet finds: its merged ranges and the
/// relationship id of its comments' drawing, if it has one.
#[derive(Debug, Default)]
pub struct Survey {
    pub merges: Vec<(CellRef, CellRef)>,
    pub legacy_drawing: Option<String>,
}

/// Reads the parts of a sheet that come after its cells but decide how the
/// cells are marked.
pub fn survey(part: impl BufRead) -> Result<Survey, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(part);
    let mut buf = Vec::new();
    let mut out = Survey::default();
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "mergeCell" => {
                    if let Some(r) = xml::attr(&e, "ref").and_then(|r| parse_range(&r)) {
                        out.merges.push(r);
                    }
                }
                "legacyDrawing" => out.legacy_drawing = xml::attr_local(&e, "id"),
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

/// How a sheet is rewritten.
pub struct Plan<'a> {
    /// The marked cells (top-left cells of merged ranges already).
    pub marks: &'a BTreeMap<CellRef, Severity>,
    /// The relationship id of a `<legacyDrawing>` to add (the sheet had
    /// none and gets comments).
    pub add_legacy_drawing: Option<&'a str>,
    /// Whether to unselect its tab.
    pub untab: bool,
    /// Cell formats to put back: those an earlier marking added, each to
    /// the format it was copied from.
    pub restyle: &'a std::collections::HashMap<u32, u32>,
}

/// Elements that come after `<legacyDrawing>` in a worksheet (ECMA-376
/// CT_Worksheet order): it goes before the first of them.
const AFTER_LEGACY_DRAWING: &[&str] = &[
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
];

/// The state of a rewrite.
struct Rewrite<'a, W: Write> {
    out: quick_xml::Writer<W>,
    restyle: &'a std::collections::HashMap<u32, u32>,
    styles: &'a mut Styles,
    /// Marks not written yet, by row then column.
    pending: BTreeMap<CellRef, Severity>,
    /// `x:` when the sheet's elements carry a prefix.
    prefix: String,
    /// Default formats of columns: (first, last, format), 0-based.
    col_styles: Vec<(u32, u32, u32)>,
    row: Option<u32>,
    row_style: Option<u32>,
    last_row: u32,
    next_col: u32,
}

impl<W: Write> Rewrite<'_, W> {
    fn put(&mut self, e: Event<'_>) -> std::io::Result<()> {
        self.out.write_event(e)
    }

    /// The format a cell the sheet does not hold would show with.
    fn base_style(&self, row_style: Option<u32>, col: u32) -> u32 {
        row_style
            .or_else(|| {
                self.col_styles
                    .iter()
                    .find(|(a, b, _)| (*a..=*b).contains(&col))
                    .map(|c| c.2)
            })
            .unwrap_or(0)
    }

    /// Writes `<c r=… s=…/>` for marks of row `row` before column `before`.
    fn flush_cells(&mut self, row: u32, before: u32) -> std::io::Result<()> {
        let due: Vec<(CellRef, Severity)> = self
            .pending
            .range((row, 0)..(row, before))
            .map(|(k, v)| (*k, *v))
            .collect();
        for (at, severity) in due {
            self.pending.remove(&at);
            let base = self.base_style(self.row_style, at.1);
            let s = self.styles.marked(base, severity).to_string();
            let mut c = BytesStart::new(format!("{}c", self.prefix));
            c.push_attribute(("r", a1(at).as_str()));
            c.push_attribute(("s", s.as_str()));
            self.put(Event::Empty(c))?;
        }
        Ok(())
    }

    /// Writes whole new rows for marks in rows before `before`.
    fn flush_rows(&mut self, before: u32) -> std::io::Result<()> {
        while let Some((&(row, _), _)) = self.pending.range(..(before, 0)).next() {
            let mut r = BytesStart::new(format!("{}row", self.prefix));
            r.push_attribute(("r", row.to_string().as_str()));
            self.put(Event::Start(r))?;
            let saved = self.row_style.take();
            self.flush_cells(row, u32::MAX)?;
            self.row_style = saved;
            self.put(Event::End(BytesEnd::new(format!("{}row", self.prefix))))?;
        }
        Ok(())
    }

    fn legacy_drawing(&mut self, rid: &str) -> std::io::Result<()> {
        let mut e = BytesStart::new(format!("{}legacyDrawing", self.prefix));
        e.push_attribute((
            "xmlns:r",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        ));
        e.push_attribute(("r:id", rid));
        self.put(Event::Empty(e))
    }

    /// A row's open tag: its number made explicit, its `spans` hint dropped
    /// when cells are added to it.
    fn open_row(&mut self, e: &BytesStart<'_>) -> (BytesStart<'static>, u32) {
        let number = xml::attr(e, "r")
            .and_then(|r| r.parse().ok())
            .unwrap_or(self.last_row + 1);
        self.last_row = number;
        self.next_col = 0;
        self.row_style = (xml::attr(e, "customFormat").as_deref() == Some("1"))
            .then(|| xml::attr(e, "s").and_then(|s| s.parse().ok()))
            .flatten();
        let touched = self
            .pending
            .range((number, 0)..(number + 1, 0))
            .next()
            .is_some();
        let n = number.to_string();
        let drop: &[&str] = if touched { &["spans"] } else { &[] };
        (xml::with_attrs(e, &[("r", &n)], drop), number)
    }

    /// A cell's open tag: its place made explicit, its format the filled
    /// copy when it is marked.
    fn open_cell(&mut self, e: &BytesStart<'_>) -> std::io::Result<BytesStart<'static>> {
        let row = self.row.unwrap_or(self.last_row);
        let col = xml::attr(e, "r")
            .and_then(|r| parse_ref(&r))
            .map_or(self.next_col, |(_, c)| c);
        self.next_col = col + 1;
        self.flush_cells(row, col)?;
        let at = (row, col);
        let r = a1(at);
        let written: Option<u32> = xml::attr(e, "s").and_then(|s| s.parse().ok());
        // An earlier mark goes: the format it was copied from.
        let s = written.map(|s| self.restyle.get(&s).copied().unwrap_or(s));
        Ok(match self.pending.remove(&at) {
            Some(severity) => {
                let s = self.styles.marked(s.unwrap_or(0), severity).to_string();
                xml::with_attrs(e, &[("r", &r), ("s", &s)], &[])
            }
            None if s != written => {
                let s = s.unwrap_or(0).to_string();
                xml::with_attrs(e, &[("r", &r), ("s", &s)], &[])
            }
            None => xml::with_attrs(e, &[("r", &r)], &[]),
        })
    }
}

/// Rewrites the sheet part `part` into `out` as `plan` says.
pub fn rewrite(
    part: impl BufRead,
    out: impl Write,
    plan: &Plan<'_>,
    styles: &mut Styles,
) -> Result<(), quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_reader(part);
    let mut w = Rewrite {
        out: quick_xml::Writer::new(out),
        restyle: plan.restyle,
        styles,
        pending: plan.marks.clone(),
        prefix: String::new(),
        col_styles: Vec::new(),
        row: None,
        row_style: None,
        last_row: 0,
        next_col: 0,
    };
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut in_data = false;
    let mut drawing_due = plan.add_legacy_drawing;
    // The bounds of the marks, for the sheet's declared dimension.
    let bounds = plan
        .marks
        .keys()
        .fold(None, |acc: Option<(CellRef, CellRef)>, &(r, c)| {
            Some(match acc {
                None => ((r, c), (r, c)),
                Some(((r0, c0), (r1, c1))) => ((r0.min(r), c0.min(c)), (r1.max(r), c1.max(c))),
            })
        });
    loop {
        let event = reader.read_event_into(&mut buf)?;
        match event {
            Event::Start(e) => {
                depth += 1;
                let local = e.local_name().as_ref().to_string();
                if depth == 1 {
                    w.prefix = prefix_of(&e);
                }
                if depth == 2
                    && let Some(rid) = drawing_due
                    && AFTER_LEGACY_DRAWING.contains(&local.as_str())
                {
                    w.legacy_drawing(rid)?;
                    drawing_due = None;
                }
                match local.as_str() {
                    "sheetData" if depth == 2 => {
                        in_data = true;
                        w.put(Event::Start(e))?;
                    }
                    "row" if in_data => {
                        let number = xml::attr(&e, "r")
                            .and_then(|r| r.parse().ok())
                            .unwrap_or(w.last_row + 1);
                        w.flush_rows(number)?;
                        let (tag, number) = w.open_row(&e);
                        w.row = Some(number);
                        w.put(Event::Start(tag))?;
                    }
                    "c" if in_data => {
                        let tag = w.open_cell(&e)?;
                        w.put(Event::Start(tag))?;
                    }
                    "sheetView" if plan.untab => {
                        let tag = xml::with_attrs(&e, &[], &["tabSelected"]);
                        w.put(Event::Start(tag))?;
                    }
                    "dimension" => {
                        let tag = dimension(&e, bounds);
                        w.put(Event::Start(tag))?;
                    }
                    _ => w.put(Event::Start(e))?,
                }
            }
            Event::Empty(e) => {
                let local = e.local_name().as_ref().to_string();
                if depth == 1
                    && let Some(rid) = drawing_due
                    && AFTER_LEGACY_DRAWING.contains(&local.as_str())
                {
                    w.legacy_drawing(rid)?;
                    drawing_due = None;
                }
                match local.as_str() {
                    "sheetData" if depth == 1 => {
                        // No cells at all: the marks are the rows.
                        let name = e.name().as_ref().to_string();
                        w.put(Event::Start(e))?;
                        w.flush_rows(u32::MAX)?;
                        w.put(Event::End(BytesEnd::new(name)))?;
                    }
                    "row" if in_data => {
                        let number = xml::attr(&e, "r")
                            .and_then(|r| r.parse().ok())
                            .unwrap_or(w.last_row + 1);
                        w.flush_rows(number)?;
                        let (tag, number) = w.open_row(&e);
                        if w.pending
                            .range((number, 0)..(number + 1, 0))
                            .next()
                            .is_some()
                        {
                            let name = e.name().as_ref().to_string();
                            w.put(Event::Start(tag))?;
                            w.flush_cells(number, u32::MAX)?;
                            w.put(Event::End(BytesEnd::new(name)))?;
                        } else {
                            w.put(Event::Empty(tag))?;
                        }
                    }
                    "c" if in_data => {
                        let tag = w.open_cell(&e)?;
                        w.put(Event::Empty(tag))?;
                    }
                    "col" => {
                        let n = |k: &str| xml::attr(&e, k).and_then(|v| v.parse::<u32>().ok());
                        if let (Some(min), Some(max), Some(s)) = (n("min"), n("max"), n("style")) {
                            w.col_styles
                                .push((min.saturating_sub(1), max.saturating_sub(1), s));
                        }
                        w.put(Event::Empty(e))?;
                    }
                    "sheetView" if plan.untab => {
                        let tag = xml::with_attrs(&e, &[], &["tabSelected"]);
                        w.put(Event::Empty(tag))?;
                    }
                    "dimension" => {
                        let tag = dimension(&e, bounds);
                        w.put(Event::Empty(tag))?;
                    }
                    _ => w.put(Event::Empty(e))?,
                }
            }
            Event::End(e) => {
                match e.local_name().as_ref() {
                    "row" if in_data => {
                        if let Some(row) = w.row.take() {
                            w.flush_cells(row, u32::MAX)?;
                        }
                        w.row_style = None;
                    }
                    "sheetData" if depth == 2 => {
                        w.flush_rows(u32::MAX)?;
                        in_data = false;
                    }
                    "worksheet" if depth == 1 => {
                        if let Some(rid) = drawing_due.take() {
                            w.legacy_drawing(rid)?;
                        }
                    }
                    _ => {}
                }
                depth = depth.saturating_sub(1);
                w.put(Event::End(e))?;
            }
            Event::Eof => break,
            other => w.put(other)?,
        }
        buf.clear();
    }
    Ok(())
}

/// `x:` for `<x:worksheet …>`, else empty.
fn prefix_of(e: &BytesStart<'_>) -> String {
    match e.name().prefix() {
        Some(p) => format!("{}:", p.as_ref()),
        None => String::new(),
    }
}

/// The sheet's declared range, grown to hold the marks.
fn dimension(e: &BytesStart<'_>, bounds: Option<(CellRef, CellRef)>) -> BytesStart<'static> {
    let declared = xml::attr(e, "ref").and_then(|r| parse_range(&r));
    let Some((lo, hi)) = bounds else {
        return e.to_owned();
    };
    let ((r0, c0), (r1, c1)) = declared.unwrap_or((lo, hi));
    let grown = ((r0.min(lo.0), c0.min(lo.1)), (r1.max(hi.0), c1.max(hi.1)));
    if Some(grown) == declared {
        return e.to_owned();
    }
    let text = format!("{}:{}", a1(grown.0), a1(grown.1));
    xml::with_attrs(e, &[("ref", &text)], &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sheet: &str, marks: &[(&str, Severity)], drawing: Option<&str>) -> (String, Styles) {
        let mut styles = Styles::parse(super::super::styles::MINIMAL.to_string()).unwrap();
        let marks: BTreeMap<CellRef, Severity> = marks
            .iter()
            .map(|(r, s)| (parse_ref(r).unwrap(), *s))
            .collect();
        let mut out = Vec::new();
        let none = std::collections::HashMap::new();
        let plan = Plan {
            marks: &marks,
            add_legacy_drawing: drawing,
            untab: true,
            restyle: &none,
        };
        rewrite(sheet.as_bytes(), &mut out, &plan, &mut styles).unwrap();
        (String::from_utf8(out).unwrap(), styles)
    }

    const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C2"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><cols><col min="2" max="2" width="30" style="0" customWidth="1"/></cols><sheetData><row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="C1" s="0"><v>5</v></c></row><row r="3"><c r="B3"><v>7</v></c></row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>"#;

    #[test]
    fn marks_existing_and_missing_cells_in_order() {
        let (out, _) = run(
            SHEET,
            &[
                ("C1", Severity::Error),
                ("B1", Severity::Warning),
                ("B2", Severity::Error),
                ("A5", Severity::Warning),
            ],
            Some("rIdY"),
        );
        assert!(
            out.contains(r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"/><c r="C1" s="2"><v>5</v></c></row>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<row r="2"><c r="B2" s="2"/></row><row r="3">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<row r="5"><c r="A5" s="1"/></row></sheetData>"#),
            "{out}"
        );
        assert!(out.contains(r#"<dimension ref="A1:C5"/>"#), "{out}");
        assert!(out.contains(r#"<sheetView workbookViewId="0"/>"#), "{out}");
        assert!(
            out.ends_with(r#"header="0.3" footer="0.3"/><legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdY"/></worksheet>"#),
            "{out}"
        );
        // The unmarked cell and the rest are as they were.
        assert!(
            out.contains(r#"<row r="3"><c r="B3"><v>7</v></c></row>"#),
            "{out}"
        );
        assert!(out.contains(r#"<col min="2" max="2" width="30" style="0" customWidth="1"/>"#));
    }

    #[test]
    fn cells_without_references_keep_their_places() {
        let sheet = r#"<worksheet xmlns="m"><sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row></sheetData></worksheet>"#;
        let (out, _) = run(sheet, &[("B2", Severity::Error)], None);
        assert_eq!(
            out,
            r#"<worksheet xmlns="m"><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c><c r="B2" s="1"/></row></sheetData></worksheet>"#
        );
    }

    #[test]
    fn prefixed_sheets_and_empty_sheet_data() {
        let sheet =
            r#"<x:worksheet xmlns:x="m"><x:sheetData/><x:tableParts count="0"/></x:worksheet>"#;
        let (out, _) = run(sheet, &[("A1", Severity::Error)], Some("r9"));
        assert_eq!(
            out,
            r#"<x:worksheet xmlns:x="m"><x:sheetData><x:row r="1"><x:c r="A1" s="1"/></x:row></x:sheetData><x:legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="r9"/><x:tableParts count="0"/></x:worksheet>"#
        );
    }

    #[test]
    fn references() {
        assert_eq!(parse_ref("H17"), Some((17, 7)));
        assert_eq!(parse_ref("AA1"), Some((1, 26)));
        assert_eq!(parse_ref("$B$2"), Some((2, 1)));
        assert_eq!(parse_ref("17"), None);
        assert_eq!(a1((17, 7)), "H17");
        assert_eq!(parse_range("B3:A1"), Some(((1, 0), (3, 1))));
    }
}
