//! The workbook's styles (`xl/styles.xml`), extended, never rewritten: a
//! marked cell keeps its own style — font, number format, borders,
//! alignment — with only the fill changed, as a copy of its cell format
//! appended to the table; and the 检查结果 sheet gets the few formats it
//! needs. Everything already in the part stays where it is, so every other
//! cell's style index still means what it meant.

use super::xml::{self, Edits, Span};
use crate::diag::Severity;
use std::collections::HashMap;

/// The fills of marked cells: Excel's own “bad” red and “neutral” yellow.
pub const ERROR_FILL: &str = "FFFFC7CE";
pub const WARNING_FILL: &str = "FFFFEB9C";

/// The formats of the 检查结果 sheet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Own {
    pub title: u32,
    pub header: u32,
    pub body: u32,
    pub link: u32,
    pub error: u32,
    pub warning: u32,
}

/// Why the styles could not be extended (the workbook is then rebuilt
/// from its values instead).
#[derive(Debug, thiserror::Error)]
#[error("styles: {0}")]
pub struct StylesError(pub String);

/// The styles part being extended.
pub struct Styles {
    doc: String,
    fonts: Span,
    fills: Span,
    borders: Span,
    xfs: Span,
    /// The cell formats as written, by index.
    xf_text: Vec<String>,
    font_count: usize,
    fill_count: usize,
    border_count: usize,
    new_fonts: Vec<String>,
    new_fills: Vec<String>,
    new_borders: Vec<String>,
    new_xfs: Vec<String>,
    /// The marked copy of each (cell format, severity).
    marked: HashMap<(u32, Severity), u32>,
    error_fill: Option<usize>,
    warning_fill: Option<usize>,
    own: Option<Own>,
}

/// A styles part with nothing in it but what every workbook needs.
pub const MINIMAL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#;

impl Styles {
    /// Reads a styles part.
    pub fn parse(doc: String) -> Result<Styles, StylesError> {
        let section = |name: &str| {
            xml::find(&doc, name)
                .filter(|s| !s.empty)
                .ok_or_else(|| StylesError(format!("no <{name}>")))
        };
        let (fonts, fills, borders, xfs) = (
            section("fonts")?,
            section("fills")?,
            section("borders")?,
            section("cellXfs")?,
        );
        let xf_text = xml::children(&doc, xfs)
            .into_iter()
            .map(|(a, b)| doc[a..b].to_string())
            .collect::<Vec<_>>();
        if xf_text.is_empty() {
            return Err(StylesError("no cell format".into()));
        }
        Ok(Styles {
            font_count: xml::children(&doc, fonts).len(),
            fill_count: xml::children(&doc, fills).len(),
            border_count: xml::children(&doc, borders).len(),
            fonts,
            fills,
            borders,
            xfs,
            xf_text,
            doc,
            new_fonts: Vec::new(),
            new_fills: Vec::new(),
            new_borders: Vec::new(),
            new_xfs: Vec::new(),
            marked: HashMap::new(),
            error_fill: None,
            warning_fill: None,
            own: None,
        })
    }

    fn fill(&mut self, severity: Severity) -> usize {
        let (slot, rgb) = match severity {
            Severity::Error => (self.error_fill, ERROR_FILL),
            Severity::Warning => (self.warning_fill, WARNING_FILL),
        };
        if let Some(i) = slot {
            return i;
        }
        let i = self.fill_count + self.new_fills.len();
        self.new_fills.push(solid(rgb));
        match severity {
            Severity::Error => self.error_fill = Some(i),
            Severity::Warning => self.warning_fill = Some(i),
        }
        i
    }

    fn push_xf(&mut self, text: String) -> u32 {
        let i = self.xf_text.len() + self.new_xfs.len();
        self.new_xfs.push(text);
        i as u32
    }

    /// The format of a marked cell whose format was `s`: the same, filled.
    pub fn marked(&mut self, s: u32, severity: Severity) -> u32 {
        if let Some(&i) = self.marked.get(&(s, severity)) {
            return i;
        }
        let fill = self.fill(severity).to_string();
        let base = self
            .xf_text
            .get(s as usize)
            .unwrap_or(&self.xf_text[0])
            .clone();
        let text = refill(&base, &fill);
        let i = self.push_xf(text);
        self.marked.insert((s, severity), i);
        i
    }

    /// The cell formats an earlier marking added (a copy of a format with
    /// yima's red or yellow fill), each with the format it was copied from:
    /// the same but for the fill. For a workbook yima returned and someone
    /// checks again, so that the old marks go.
    pub fn earlier_marks(&self) -> HashMap<u32, u32> {
        let fills = xml::children(&self.doc, self.fills);
        let ours: Vec<usize> = fills
            .iter()
            .enumerate()
            .filter(|(_, (a, b))| {
                let f = &self.doc[*a..*b];
                f.contains("solid") && (f.contains(ERROR_FILL) || f.contains(WARNING_FILL))
            })
            .map(|(i, _)| i)
            .collect();
        if ours.is_empty() {
            return HashMap::new();
        }
        let fill_of = |xf: &str| -> Option<usize> {
            xml::find(xf, "xf")
                .and_then(|s| xml::open_tag(xf, s))
                .and_then(|t| xml::attr(&t, "fillId"))
                .and_then(|v| v.parse().ok())
        };
        let key = |xf: &str| -> Option<String> {
            let span = xml::find(xf, "xf")?;
            let tag = xml::open_tag(xf, span)?;
            let mut attrs: Vec<(String, String)> = tag
                .attributes()
                .flatten()
                .filter(|a| !matches!(a.key.as_ref(), "fillId" | "applyFill"))
                .map(|a| (a.key.as_ref().to_string(), a.value.to_string()))
                .collect();
            attrs.sort();
            Some(format!("{attrs:?}{}", &xf[span.open_end..]))
        };
        let mut out = HashMap::new();
        for (i, text) in self.xf_text.iter().enumerate() {
            if !fill_of(text).is_some_and(|f| ours.contains(&f)) {
                continue;
            }
            let k = key(text);
            let original = self.xf_text.iter().enumerate().find(|(j, other)| {
                *j != i && !fill_of(other).is_some_and(|f| ours.contains(&f)) && key(other) == k
            });
            if let Some((j, _)) = original {
                out.insert(i as u32, j as u32);
            }
        }
        out
    }

    /// The formats of the 检查结果 sheet (made once).
    pub fn own(&mut self) -> Own {
        if let Some(o) = self.own {
            return o;
        }
        let font = |this: &mut Styles, text: &str| {
            let i = this.font_count + this.new_fonts.len();
            this.new_fonts.push(text.to_string());
            i
        };
        let bold_big = font(
            self,
            r#"<font><b/><sz val="14"/><name val="宋体"/><family val="3"/><charset val="134"/></font>"#,
        );
        let bold = font(
            self,
            r#"<font><b/><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>"#,
        );
        let plain = font(
            self,
            r#"<font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>"#,
        );
        let link = font(
            self,
            r#"<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="宋体"/><family val="3"/><charset val="134"/></font>"#,
        );
        let border = self.border_count + self.new_borders.len();
        self.new_borders.push(
            r#"<border><left style="thin"><color rgb="FFA6A6A6"/></left><right style="thin"><color rgb="FFA6A6A6"/></right><top style="thin"><color rgb="FFA6A6A6"/></top><bottom style="thin"><color rgb="FFA6A6A6"/></bottom><diagonal/></border>"#.into(),
        );
        let header_fill = self.fill_count + self.new_fills.len();
        self.new_fills.push(solid("FFD9E1F2"));
        let error_fill = self.fill(Severity::Error);
        let warning_fill = self.fill(Severity::Warning);
        let xf = |font: usize, fill: usize, border: usize, align: &str| {
            format!(
                r#"<xf numFmtId="49" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment {align}/></xf>"#
            )
        };
        let wrap = r#"vertical="top" wrapText="1""#;
        let own = Own {
            title: self.push_xf(xf(bold_big, 0, 0, r#"vertical="center""#)),
            header: self.push_xf(xf(
                bold,
                header_fill,
                border,
                r#"horizontal="center" vertical="center" wrapText="1""#,
            )),
            body: self.push_xf(xf(plain, 0, border, wrap)),
            link: self.push_xf(xf(link, 0, border, wrap)),
            error: self.push_xf(xf(
                bold,
                error_fill,
                border,
                r#"horizontal="center" vertical="top""#,
            )),
            warning: self.push_xf(xf(
                bold,
                warning_fill,
                border,
                r#"horizontal="center" vertical="top""#,
            )),
        };
        self.own = Some(own);
        own
    }

    /// The part with what was added.
    pub fn finish(self) -> String {
        let mut edits = Edits::default();
        let mut section = |span: Span, count: usize, added: &[String]| {
            if added.is_empty() {
                return;
            }
            let Some(open) = xml::open_tag(&self.doc, span) else {
                return;
            };
            let n = (count + added.len()).to_string();
            let tag = xml::with_attrs(&open, &[("count", &n)], &[]);
            edits.replace(span.start, span.open_end, xml::tag_text(&tag, false));
            edits.insert(span.close_start, added.concat());
        };
        section(self.fonts, self.font_count, &self.new_fonts);
        section(self.fills, self.fill_count, &self.new_fills);
        section(self.borders, self.border_count, &self.new_borders);
        section(self.xfs, self.xf_text.len(), &self.new_xfs);
        edits.apply(&self.doc)
    }
}

/// A solid fill of colour `rgb`.
fn solid(rgb: &str) -> String {
    format!(
        r#"<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/></patternFill></fill>"#
    )
}

/// A cell format as written, with its fill replaced by `fill`.
fn refill(xf_text: &str, fill: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(xf_text);
    let (open, empty, open_end) = loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                break (e.into_owned(), false, reader.buffer_position() as usize);
            }
            Ok(quick_xml::events::Event::Empty(e)) => {
                break (e.into_owned(), true, reader.buffer_position() as usize);
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => {
                return format!(
                    r#"<xf numFmtId="0" fontId="0" fillId="{fill}" borderId="0" xfId="0" applyFill="1"/>"#
                );
            }
            Ok(_) => {}
        }
    };
    let tag = xml::with_attrs(&open, &[("fillId", fill), ("applyFill", "1")], &[]);
    format!("{}{}", xml::tag_text(&tag, empty), &xf_text[open_end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_format_is_the_cell_format_refilled() {
        let mut s = Styles::parse(MINIMAL.to_string()).unwrap();
        let a = s.marked(0, Severity::Error);
        let b = s.marked(0, Severity::Error);
        let c = s.marked(0, Severity::Warning);
        assert_eq!((a, b, c), (1, 1, 2));
        let own = s.own();
        assert_eq!(own.title, 3);
        let doc = s.finish();
        assert!(doc.contains(r#"<fills count="5">"#), "{doc}");
        assert!(doc.contains(r#"<cellXfs count="9">"#), "{doc}");
        assert!(
            doc.contains(
                r#"<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>"#
            ),
            "{doc}"
        );
        assert!(doc.contains(ERROR_FILL) && doc.contains(WARNING_FILL));
        // What was there is untouched.
        assert!(doc.starts_with(&MINIMAL[..MINIMAL.find("<fonts").unwrap()]));
    }

    #[test]
    fn children_and_alignment_of_a_format_are_kept() {
        let xf = r#"<xf numFmtId="49" fontId="3" fillId="0" borderId="1" xfId="0" applyAlignment="1"><alignment wrapText="1"/></xf>"#;
        assert_eq!(
            refill(xf, "7"),
            r#"<xf numFmtId="49" fontId="3" fillId="7" borderId="1" xfId="0" applyAlignment="1" applyFill="1"><alignment wrapText="1"/></xf>"#
        );
    }
}
