//! The shared strings table (`xl/sharedStrings.xml`): each distinct text of
//! the workbook once, read once per workbook into one buffer and shared by
//! the sheets read in parallel. Rich runs are joined, phonetic runs left
//! out, as calamine does; a table cut short, or holding more than a filing
//! needs, makes the workbook unreadable.

use super::Error;
use super::archive::{cut_short, not_xml};
use super::decode::{decode_text, push_t};
use super::document::{Document, attr, attrs_ok, local};
use super::xml::{Scanner, Tok};
use crate::filing::limits;
use crate::text;
use std::io::Read;

/// The shared strings table: one buffer, each string's end in it.
#[derive(Default)]
pub(super) struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    /// String `i`, if the table has it.
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => 0,
            _ => self.ends[i - 1] as usize,
        };
        Some(&self.text[start..end])
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Ends the item being written.
    fn end_item(&mut self, part: &super::Part) -> Result<(), Error> {
        if self.ends.len() >= limits::SHARED_ITEMS {
            let most = limits::SHARED_ITEMS;
            return Err(part.too_large(text!(
                "含有超过 {most} 条文字",
                "holds more than {most} texts"
            )));
        }
        let start = self.ends.last().map_or(0, |&e| e as usize);
        if self.text.len() - start > limits::CELL_TEXT {
            let mb = limits::mb(limits::CELL_TEXT as u64);
            return Err(part.too_large(text!(
                "中有一条文字超过 {mb} MB",
                "holds a text of over {mb} MB"
            )));
        }
        // (The part's limit keeps the text far below 4 GB.)
        self.ends.push(self.text.len() as u32);
        Ok(())
    }
}

/// Reads the shared strings: the text of each `<si>`, rich runs joined,
/// phonetic runs left out.
pub(super) fn read(mut sc: Scanner<impl Read>) -> Result<Strings, Error> {
    let mut out = Strings::default();
    let mut doc = Document::new(b"sst");
    let mut phonetic = false;
    let mut in_t: Option<bool> = None; // Some(preserve) inside <t>
    let mut piece = String::new();
    let mut in_si = false;
    let part = &sc.part.clone();
    // An item inside an item, a run inside a run: scrambled tags, never
    // read as other texts.
    let scrambled = || {
        part.damaged(text!(
            "的标签错乱（文字中又有文字）",
            "has scrambled tags (a text inside a text)"
        ))
    };
    loop {
        // Nearly every item is one plain run, `<si><t>…</t></si>`: read at
        // once, else token by token below.
        if !in_si
            && doc.inside()
            && let Some((text, preserve)) = sc.plain_item()
        {
            piece.clear();
            decode_text(&sc.buf[text], false, &mut piece).map_err(|e| part.damaged(e.says()))?;
            push_t(&mut out.text, &piece, preserve);
            out.end_item(part)?;
            continue;
        }
        let Some(tok) = sc.next()? else { break };
        match tok {
            Tok::Open { name, attrs, empty } => {
                if !doc.open(name, empty) || !attrs_ok(attrs) {
                    return Err(not_xml(part));
                }
                let name = local(name);
                match name {
                    b"si" if in_si => return Err(scrambled()),
                    b"si" if empty => out.end_item(part)?,
                    b"si" => in_si = true,
                    b"rPh" => phonetic = !empty,
                    b"t" if in_t.is_some() => return Err(scrambled()),
                    b"t" if in_si && !phonetic && !empty => {
                        in_t = Some(attr(attrs, b"xml:space") == Some(b"preserve"));
                        piece.clear();
                    }
                    _ => {}
                }
            }
            Tok::Close { name } => {
                if !doc.close(name) {
                    return Err(not_xml(part));
                }
                let name = local(name);
                match name {
                    b"si" => {
                        in_si = false;
                        out.end_item(part)?
                    }
                    b"rPh" => phonetic = false,
                    b"t" => {
                        if let Some(preserve) = in_t.take() {
                            push_t(&mut out.text, &piece, preserve);
                        }
                    }
                    _ => {}
                }
            }
            Tok::Text { raw, cdata } => {
                if !doc.text(raw) {
                    return Err(not_xml(part));
                }
                if in_t.is_some() {
                    decode_text(raw, cdata, &mut piece).map_err(|e| part.damaged(e.says()))?;
                    if piece.len() > limits::CELL_TEXT {
                        let mb = limits::mb(limits::CELL_TEXT as u64);
                        return Err(part.too_large(text!(
                            "中有一条文字超过 {mb} MB",
                            "holds a text of over {mb} MB"
                        )));
                    }
                }
            }
        }
    }
    if !doc.complete() {
        return Err(cut_short(&sc.part));
    }
    Ok(out)
}

impl<R: Read> Scanner<R> {
    /// When the bytes at the scan position are a shared string item of one
    /// plain run — `<si><t>…</t></si>`, the `<t>` perhaps with
    /// `xml:space="preserve"` — all in the buffer, consumes them and gives
    /// the text's place in the buffer and whether it is preserved; else
    /// consumes nothing.
    fn plain_item(&mut self) -> Option<(std::ops::Range<usize>, bool)> {
        const PRESERVED: &[u8] = b"<si><t xml:space=\"preserve\">";
        let b = &self.buf[self.pos..self.end];
        let (open, preserve) = if b.starts_with(b"<si><t>") {
            (7, false)
        } else if b.starts_with(PRESERVED) {
            (PRESERVED.len(), true)
        } else {
            return None;
        };
        let lt = open + memchr::memchr(b'<', &b[open..])?;
        if !b[lt..].starts_with(b"</t></si>") {
            return None;
        }
        let start = self.pos + open;
        let end = self.pos + lt;
        self.pos = end + b"</t></si>".len();
        Some((start..end, preserve))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Part;
    use super::super::xml::Budget;
    use super::*;

    fn strings(xml: &str) -> Result<Vec<String>, Error> {
        let sc = Scanner::new(xml.as_bytes(), Part::Strings, u64::MAX, Budget::default());
        let s = read(sc)?;
        Ok((0..s.len())
            .map(|i| s.get(i).unwrap().to_string())
            .collect())
    }

    #[test]
    fn items_plain_rich_and_phonetic_read_as_a_person_sees_them() {
        let got = strings(
            r#"<?xml version="1.0"?><sst><si><t> a </t></si><si><r><t>富</t></r><r><t xml:space="preserve"> 文 </t></r><rPh><t>フ</t></rPh></si><si/></sst>"#,
        )
        .unwrap();
        assert_eq!(got, ["a", "富 文 ", ""]);
    }

    #[test]
    fn a_table_cut_short_or_replaced_is_damaged() {
        for xml in [
            "<sst><si><t>a</t></si>",
            "<sst><si><t>a</t></si></sst><sst>",
            "garbage<sst></sst>",
            "<html></html>",
            "",
        ] {
            assert!(
                matches!(strings(xml), Err(Error::Damaged(_))),
                "{xml}: {:?}",
                strings(xml)
            );
        }
    }
}
