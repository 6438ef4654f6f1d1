//! The comments (批注) on marked cells: the legacy comments part, which
//! Excel, WPS and LibreOffice all show on hover, and the VML drawing that
//! gives each its box. A sheet that has comments already (the template's
//! header notes) keeps them: the findings are added to its parts, and a
//! cell that has a note gets the finding appended to it.

use super::sheet::{CellRef, a1};
use super::xml::{self, Edits, escape};

/// The author of the comments yima adds.
pub const AUTHOR: &str = "yima";

/// A comment to add: its cell and its paragraphs, each a heading (in
/// bold) and a body.
#[derive(Debug, Clone)]
pub struct Note {
    pub at: CellRef,
    pub paragraphs: Vec<(String, String)>,
}

impl Note {
    fn chars(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|(h, b)| h.chars().count() + b.chars().count() + 2)
            .sum()
    }
}

/// The rich-text runs of a note, after `lead`.
fn runs(note: &Note, lead: &str) -> String {
    let mut out = String::new();
    for (i, (heading, body)) in note.paragraphs.iter().enumerate() {
        let lead = if i == 0 { lead } else { "\n\n" };
        out.push_str(&format!(
            r#"<r><rPr><b/><sz val="9"/><color rgb="FF9C0006"/><rFont val="宋体"/><family val="3"/><charset val="134"/></rPr><t xml:space="preserve">{}{}</t></r>"#,
            escape(lead),
            escape(heading),
        ));
        if !body.is_empty() {
            out.push_str(&format!(
                r#"<r><rPr><sz val="9"/><rFont val="宋体"/><family val="3"/><charset val="134"/></rPr><t xml:space="preserve">&#10;{}</t></r>"#,
                escape(body)
            ));
        }
    }
    out
}

/// A new comments part holding `notes`.
pub fn new_part(notes: &[Note]) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>yima</author></authors><commentList>"#,
    );
    for n in notes {
        out.push_str(&format!(
            r#"<comment ref="{}" authorId="0"><text>{}</text></comment>"#,
            a1(n.at),
            runs(n, "")
        ));
    }
    out.push_str("</commentList></comments>");
    out
}

/// An existing comments part with `notes` added; returns it and the notes
/// that need a box of their own in the drawing (those on cells that had no
/// comment).
pub fn merge_part(doc: &str, notes: &[Note]) -> Option<(String, Vec<Note>)> {
    let authors = xml::find(doc, "authors")?;
    let list = xml::find(doc, "commentList");
    let author_id = xml::children(doc, authors).len();
    let mut edits = Edits::default();
    if authors.empty {
        edits.replace(
            authors.start,
            authors.end,
            format!("<authors><author>{AUTHOR}</author></authors>"),
        );
    } else {
        edits.insert(authors.close_start, format!("<author>{AUTHOR}</author>"));
    }
    // The comments already there, by cell: where each one's text ends.
    let mut existing: Vec<(CellRef, usize)> = Vec::new();
    if let Some(list) = list {
        for (a, b) in xml::children(doc, list) {
            let comment = &doc[a..b];
            let Some(open) = xml::find(comment, "comment").and_then(|s| xml::open_tag(comment, s))
            else {
                continue;
            };
            let Some(at) = xml::attr(&open, "ref").and_then(|r| super::sheet::parse_ref(&r)) else {
                continue;
            };
            if let Some(text) = xml::find(comment, "text").filter(|t| !t.empty) {
                existing.push((at, a + text.close_start));
            }
        }
    }
    let mut boxes = Vec::new();
    let mut added = String::new();
    for n in notes {
        match existing.iter().find(|(at, _)| *at == n.at) {
            Some((_, text_end)) => edits.insert(*text_end, runs(n, "\n\n")),
            None => {
                added.push_str(&format!(
                    r#"<comment ref="{}" authorId="{author_id}"><text>{}</text></comment>"#,
                    a1(n.at),
                    runs(n, "")
                ));
                boxes.push(n.clone());
            }
        }
    }
    match list {
        Some(l) if l.empty => edits.replace(
            l.start,
            l.end,
            format!("<commentList>{added}</commentList>"),
        ),
        Some(l) => edits.insert(l.close_start, added),
        None => edits.insert(authors.end, format!("<commentList>{added}</commentList>")),
    }
    Some((edits.apply(doc), boxes))
}

const VML_HEAD: &str = r#"<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">"#;

const SHAPE_TYPE: &str = r#"<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>"#;

/// The box of one note: beside its cell, hidden until the cell is pointed
/// at, sized to its text.
fn shape(id: u32, note: &Note) -> String {
    let (row, col) = note.at;
    let chars = note.chars();
    // About 18 characters a line in a box four columns wide.
    let lines = (chars / 18 + 3).clamp(4, 16) as u32;
    format!(
        r##"<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:220pt;height:{h}pt;z-index:{id};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{c1}, 15, {r0}, 2, {c2}, 15, {r1}, 16</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row0}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"##,
        h = lines * 12,
        c1 = col + 1,
        c2 = col + 5,
        r0 = row.saturating_sub(1),
        r1 = row.saturating_sub(1) + lines,
        row0 = row.saturating_sub(1),
    )
}

/// A new VML drawing holding the boxes of `notes`; `block` is its shape-id
/// block, unique in the workbook (ids `block * 1024 + n`).
pub fn new_vml(notes: &[Note], block: u32) -> String {
    let mut out = format!(
        r#"{VML_HEAD}<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>{SHAPE_TYPE}"#
    );
    for (i, n) in notes.iter().enumerate() {
        out.push_str(&shape(block * 1024 + 1 + i as u32, n));
    }
    out.push_str("</xml>");
    out
}

/// An existing VML drawing with the boxes of `notes` added, numbered after
/// its own shapes.
pub fn merge_vml(doc: &str, notes: &[Note]) -> String {
    let max_id = doc
        .match_indices("_x0000_s")
        .filter_map(|(i, m)| {
            let rest = &doc[i + m.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u32>().ok()
        })
        .max()
        .unwrap_or(1024);
    let mut shapes = String::new();
    if !doc.contains("_x0000_t202") {
        shapes.push_str(SHAPE_TYPE);
    }
    for (i, n) in notes.iter().enumerate() {
        shapes.push_str(&shape(max_id + 1 + i as u32, n));
    }
    match doc.rfind("</xml>") {
        Some(end) => format!("{}{shapes}{}", &doc[..end], &doc[end..]),
        None => format!("{doc}{shapes}"),
    }
}

/// The shape-id blocks (`o:idmap data`) a VML drawing uses.
pub fn idmap_blocks(doc: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for (i, _) in doc.match_indices("idmap") {
        let rest = &doc[i..doc.len().min(i + 200)];
        if let Some(d) = rest.find("data=\"") {
            let value = &rest[d + 6..];
            let value = &value[..value.find('"').unwrap_or(0)];
            out.extend(
                value
                    .split(',')
                    .filter_map(|v| v.trim().parse::<u32>().ok()),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(at: CellRef, body: &str) -> Note {
        Note {
            at,
            paragraphs: vec![("错误 [value-missing]".into(), body.into())],
        }
    }

    #[test]
    fn a_new_part_lists_every_note() {
        let doc = new_part(&[note((5, 7), "必填项为空 <&>"), note((6, 0), "b")]);
        assert!(doc.contains(r#"<comment ref="H5" authorId="0">"#), "{doc}");
        assert!(doc.contains("必填项为空 &lt;&amp;&gt;"), "{doc}");
        assert_eq!(doc.matches("<comment ").count(), 2);
        let vml = new_vml(&[note((5, 7), "x")], 3);
        assert!(
            vml.contains(r#"data="3""#) && vml.contains("_x0000_s3073"),
            "{vml}"
        );
        assert!(
            vml.contains("<x:Row>4</x:Row><x:Column>7</x:Column>"),
            "{vml}"
        );
    }

    #[test]
    fn notes_join_the_comments_already_there() {
        let doc = r#"<comments xmlns="m"><authors><author>填表人</author></authors><commentList><comment ref="A1" authorId="0"><text><t>序号：正整数</t></text></comment></commentList></comments>"#;
        let (merged, boxes) =
            merge_part(doc, &[note((1, 0), "表头有误"), note((2, 1), "值为空")]).unwrap();
        assert!(
            merged.contains("<author>填表人</author><author>yima</author>"),
            "{merged}"
        );
        // A1 had a note: the finding is added to it, with no second box.
        assert!(
            merged.contains("<t>序号：正整数</t><r><rPr><b/>"),
            "{merged}"
        );
        assert!(
            merged.contains(r#"<comment ref="B2" authorId="1">"#),
            "{merged}"
        );
        assert_eq!(boxes.len(), 1);
        assert_eq!(boxes[0].at, (2, 1));
        let vml = r#"<xml><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/></o:shapelayout><v:shapetype id="_x0000_t202"/><v:shape id="_x0000_s1025"/></xml>"#;
        let merged = merge_vml(vml, &boxes);
        assert!(merged.contains(r#"id="_x0000_s1026""#), "{merged}");
        assert!(merged.ends_with("</v:shape></xml>"), "{merged}");
        assert_eq!(idmap_blocks(vml), [1]);
    }
}

/// Whether a run's text is a finding yima added after someone's note:
/// it opens with a blank line and a severity.
fn is_added_run(text: &str) -> bool {
    let t = text.trim_start_matches(['\n', '\r']).trim_start();
    let blank_line = text.starts_with("\n\n") || text.starts_with("\r\n\r\n");
    blank_line
        && ["错误", "警告", "Error", "Warning"]
            .iter()
            .any(|w| t.starts_with(w))
}

/// A comments part without what yima added to it by an earlier marking:
/// its own comments (author `yima`) go, and the findings appended to other
/// people's notes are cut off. Gives the part and the cells whose comments
/// went (their boxes go from the drawing too).
pub fn strip_part(doc: &str) -> (String, Vec<CellRef>) {
    let Some(authors) = xml::find(doc, "authors") else {
        return (doc.to_string(), Vec::new());
    };
    let ours = xml::children(doc, authors)
        .iter()
        .position(|(a, b)| super::xml::inner_text(&doc[*a..*b]) == AUTHOR);
    let Some(ours) = ours else {
        return (doc.to_string(), Vec::new());
    };
    let Some(list) = xml::find(doc, "commentList") else {
        return (doc.to_string(), Vec::new());
    };
    let mut edits = Edits::default();
    let mut gone = Vec::new();
    for (a, b) in xml::children(doc, list) {
        let comment = &doc[a..b];
        let Some(open) = xml::find(comment, "comment").and_then(|s| xml::open_tag(comment, s))
        else {
            continue;
        };
        let author = xml::attr(&open, "authorId").and_then(|v| v.parse::<usize>().ok());
        if author == Some(ours) {
            if let Some(at) = xml::attr(&open, "ref").and_then(|r| super::sheet::parse_ref(&r)) {
                gone.push(at);
            }
            edits.replace(a, b, "");
            continue;
        }
        // Someone's note with findings appended: cut from the first
        // appended run to the end of the text.
        let Some(text) = xml::find(comment, "text").filter(|t| !t.empty) else {
            continue;
        };
        let runs = xml::children(comment, text);
        if let Some((start, _)) = runs
            .iter()
            .find(|(s, e)| is_added_run(&super::xml::inner_text(&comment[*s..*e])))
        {
            edits.replace(a + start, a + text.close_start, "");
        }
    }
    (edits.apply(doc), gone)
}

/// A VML drawing without the boxes of the comments on `cells`.
pub fn strip_vml(doc: &str, cells: &[CellRef]) -> String {
    if cells.is_empty() {
        return doc.to_string();
    }
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    while let Some(start) = rest.find("<v:shape ") {
        let Some(len) = rest[start..].find("</v:shape>") else {
            break;
        };
        let end = start + len + "</v:shape>".len();
        let shape = &rest[start..end];
        let number = |tag: &str| -> Option<u32> {
            let open = format!("<x:{tag}>");
            let at = shape.find(&open)? + open.len();
            shape[at..at + shape[at..].find('<')?].trim().parse().ok()
        };
        let at = number("Row").zip(number("Column")).map(|(r, c)| (r + 1, c));
        out.push_str(&rest[..start]);
        if !at.is_some_and(|at| cells.contains(&at)) {
            out.push_str(shape);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod strip_tests {
    use super::*;

    #[test]
    fn what_yima_added_is_taken_out_again() {
        let doc = r#"<comments xmlns="m"><authors><author>填表人</author></authors><commentList><comment ref="A1" authorId="0"><text><t>序号：正整数</t></text></comment></commentList></comments>"#;
        let note = |at| Note {
            at,
            paragraphs: vec![("错误：表头有误".into(), "修改建议：改".into())],
        };
        let (merged, boxes) = merge_part(doc, &[note((1, 0)), note((2, 1))]).unwrap();
        let vml = new_vml(&boxes, 1);
        let (stripped, gone) = strip_part(&merged);
        assert_eq!(gone, vec![(2, 1)]);
        // The note is as it was; yima's author stays listed, unused.
        assert_eq!(
            stripped,
            r#"<comments xmlns="m"><authors><author>填表人</author><author>yima</author></authors><commentList><comment ref="A1" authorId="0"><text><t>序号：正整数</t></text></comment></commentList></comments>"#
        );
        let vml = strip_vml(&vml, &gone);
        assert!(!vml.contains("<v:shape "), "{vml}");
        assert!(vml.contains("_x0000_t202"));
    }
}
