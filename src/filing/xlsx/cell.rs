//! A cell of a sheet's XML: its tag, and its value when plainly written,
//! read in one pass over the bytes as Excel, WPS and the common writers
//! write them (`<c r="B3" s="1" t="s"><v>46</v></c>`, the scanner's hottest
//! path); a row's tag likewise; cell references and merged regions. What
//! the value says is [`super::value`]'s.

use super::decode::parse_u32;
use super::document::{Attrs, attrs_ok};
use super::value::{CellType, cell_type};
use super::xml::Scanner;
use std::io::Read;

/// A cell's opening tag: its place (`r`), when given, and its type.
pub(super) struct CellTag {
    pub(super) at: Option<(u32, u32)>,
    pub(super) ty: CellType,
}

/// What follows a cell's opening tag, as far as it is read at once.
#[derive(Debug, PartialEq)]
pub(super) enum Body {
    /// Nothing: the tag closes itself (`<c …/>`).
    Empty,
    /// `<v>…</v></c>`: the value's place in the buffer.
    Value(std::ops::Range<usize>),
    /// `<v>…</v></c>` in a shared string cell, the value plain digits:
    /// the index, read as the value was scanned.
    Index(u32),
    /// Anything else (an inline string, a formula, the end of the
    /// buffer), left to the tokens.
    Open,
}

/// The `r` and `t` attributes of a cell, in one pass.
pub(super) fn cell_attrs(attrs: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    let (mut r, mut t) = (None, None);
    for (k, v) in Attrs(attrs) {
        match k {
            b"r" => r = Some(v),
            b"t" => t = Some(v),
            _ => {}
        }
    }
    (r, t)
}

/// `AB12` → (12, 27): the 1-based row and 0-based column.
pub(super) fn cell_ref(at: &[u8]) -> Option<(u32, u32)> {
    let letters = at.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for b in &at[..letters] {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row = parse_u32(&at[letters..])?;
    Some((row, col - 1))
}

/// `A1:C3` → 0-based (row, col) corners, as calamine gives merged regions
/// (`A1` alone is the one cell, corners given the other way round are put
/// in order); none for a reference that is not one or lies outside the
/// sheet's limits.
pub(super) fn merge_ref(r: &[u8]) -> Option<calamine::Dimensions> {
    use crate::filing::limits::{COLUMNS, ROWS};
    let (a, b) = match r.iter().position(|&b| b == b':') {
        Some(colon) => (cell_ref(&r[..colon])?, cell_ref(&r[colon + 1..])?),
        None => (cell_ref(r)?, cell_ref(r)?),
    };
    let fits = |(r, c): (u32, u32)| (1..=ROWS).contains(&r) && c < COLUMNS;
    if !fits(a) || !fits(b) {
        return None;
    }
    Some(calamine::Dimensions::new(
        (a.0.min(b.0) - 1, a.1.min(b.1)),
        (a.0.max(b.0) - 1, a.1.max(b.1)),
    ))
}

/// A cell's attributes, after `<c `, as Excel and most writers write them
/// — `r="B3"`, then ` s="…"` and ` t="…"` if given, in that order, in
/// double quotes — read straight through: the tag, whether it closes
/// itself, and what follows it.
#[inline(always)]
fn excel_tag<'b>(b: &'b [u8], current: &RowDigits) -> Option<(CellTag, bool, &'b [u8])> {
    let (at, mut rest) = plain_ref(b.strip_prefix(b"r=\"")?, b'"', current)?;
    if let Some(tail) = rest.strip_prefix(b" s=\"") {
        rest = &tail[tail.iter().position(|&c| c == b'"')? + 1..];
    }
    let mut ty = CellType::Number;
    if let Some(tail) = rest.strip_prefix(b" t=\"") {
        let end = tail.iter().position(|&c| c == b'"')?;
        ty = match &tail[..end] {
            b"s" => CellType::Shared,
            t => cell_type(Some(t)).ok()?,
        };
        rest = &tail[end + 1..];
    }
    let at = Some(at);
    match rest {
        [b'>', tail @ ..] => Some((CellTag { at, ty }, false, tail)),
        [b'/', b'>', tail @ ..] => Some((CellTag { at, ty }, true, tail)),
        _ => None,
    }
}

/// A cell's attributes, after `<c `, in any order, separated by single
/// spaces, with single or double quotes: the tag, whether it closes itself,
/// and what follows it.
fn any_tag<'b>(b: &'b [u8], current: &RowDigits) -> Option<(CellTag, bool, &'b [u8])> {
    let mut rest = b;
    let (mut at, mut ty) = (None, CellType::Number);
    // (No attribute twice: checked once the tag is read.)
    let once = |rest: &[u8]| attrs_ok(&b[..b.len() - rest.len()]);
    loop {
        // (Slice patterns: each step checks only the bytes it reads.)
        match rest {
            [b' ', tail @ ..] => rest = tail,
            [b'>', tail @ ..] if once(rest) => return Some((CellTag { at, ty }, false, tail)),
            [b'/', b'>', tail @ ..] if once(rest) => {
                return Some((CellTag { at, ty }, true, tail));
            }
            [b'>', ..] | [b'/', b'>', ..] => return None,
            [b'r', b'=', q @ (b'"' | b'\''), tail @ ..] => {
                let (place, tail) = plain_ref(tail, *q, current)?;
                at = Some(place);
                rest = tail;
            }
            [b't', b'=', q @ (b'"' | b'\''), tail @ ..] => {
                let end = tail.iter().position(|c| c == q)?;
                ty = cell_type(Some(&tail[..end])).ok()?;
                rest = &tail[end + 1..];
            }
            _ => rest = plain_attr(rest)?.2,
        }
    }
}

/// What follows a cell's opening tag, `b`, found at `at` in the buffer:
/// the [`Body`] read at once, and its length (none when left to the
/// tokens).
#[inline(always)]
fn plain_body(b: &[u8], ty: CellType, at: usize) -> (Body, usize) {
    let Some(v) = b.strip_prefix(b"<v>") else {
        return (Body::Open, 0);
    };
    const END: &[u8] = b"</v></c>";
    if ty == CellType::Shared {
        // The index, as [`parse_u32`] reads it, read as it is scanned.
        let (mut i, mut rest) = (0u32, v);
        while let [d @ b'0'..=b'9', tail @ ..] = rest {
            i = i.wrapping_mul(10).wrapping_add(u32::from(d - b'0'));
            rest = tail;
        }
        let digits = v.len() - rest.len();
        if (1..=9).contains(&digits) && rest.starts_with(END) {
            return (Body::Index(i), 3 + digits + END.len());
        }
    }
    match plain_value(b) {
        Some(len) => (Body::Value(at + 3..at + 3 + len), 3 + len + END.len()),
        None => (Body::Open, 0),
    }
}

/// When `b` starts with `<v>…</v></c>`, the length of the value.
#[inline(always)]
fn plain_value(b: &[u8]) -> Option<usize> {
    let body = b.strip_prefix(b"<v>")?;
    // (Values are short — digits, mostly —: no call to a search.)
    let lt = body.iter().position(|&c| c == b'<')?;
    body[lt..].starts_with(b"</v></c>").then_some(lt)
}

/// The cell reference at the start of `b` up to the closing `quote`, as
/// [`cell_ref`] reads it, and what follows the quote: read in one pass, as
/// the tag is scanned, its row matched at once when it is the `current`
/// one. (Too many letters or digits may wrap the numbers around before they
/// are refused.)
#[inline(always)]
fn plain_ref<'b>(b: &'b [u8], quote: u8, current: &RowDigits) -> Option<((u32, u32), &'b [u8])> {
    let mut rest = b;
    let (mut col, mut letters) = (0u32, 0);
    // (Lower case letters, which no writer writes, are left to the tokens.)
    while let [l @ b'A'..=b'Z', tail @ ..] = rest {
        col = col.wrapping_mul(26).wrapping_add(u32::from(l - b'A' + 1));
        letters += 1;
        rest = tail;
    }
    if quote == b'"'
        && (1..=3).contains(&letters)
        && let Some(tail) = current.strip(rest)
    {
        return Some(((current.number, col - 1), tail));
    }
    let (mut row, mut digits) = (0u32, 0);
    while let [d @ b'0'..=b'9', tail @ ..] = rest {
        row = row.wrapping_mul(10).wrapping_add(u32::from(d - b'0'));
        digits += 1;
        rest = tail;
    }
    match rest {
        [q, tail @ ..]
            if *q == quote && (1..=3).contains(&letters) && (1..=9).contains(&digits) =>
        {
            Some(((row, col - 1), tail))
        }
        _ => None,
    }
}

/// A row number as its cells' references end in the XML — its digits and
/// a double quote (`12"`) — packed into a word, for the row of nearly every
/// cell to be matched with one comparison instead of read digit by digit.
pub(super) struct RowDigits {
    pub(super) number: u32,
    word: u64,
    mask: u64,
    len: usize,
}

impl RowDigits {
    pub(super) fn new(number: u32) -> RowDigits {
        let digits = number.checked_ilog10().unwrap_or(0) as usize + 1;
        if digits > 7 {
            // Too long for the word: matches nothing (the digits are read).
            return RowDigits {
                number,
                word: 1,
                mask: 0,
                len: 0,
            };
        }
        let mut bytes = [0; 8];
        let mut n = number;
        for b in bytes[..digits].iter_mut().rev() {
            *b = b'0' + (n % 10) as u8;
            n /= 10;
        }
        bytes[digits] = b'"';
        let len = digits + 1;
        let mask = u64::MAX >> (64 - 8 * len);
        RowDigits {
            number,
            word: u64::from_le_bytes(bytes),
            mask,
            len,
        }
    }

    /// What follows the digits and quote when `b` starts with them (and
    /// has at least eight bytes).
    #[inline(always)]
    fn strip<'b>(&self, b: &'b [u8]) -> Option<&'b [u8]> {
        let head = u64::from_le_bytes(*b.first_chunk::<8>()?);
        (head & self.mask == self.word).then(|| &b[self.len..])
    }
}

/// The attribute written plainly at the start of `b` — a name without
/// white space in it (`r ="A1"` is left to the tokens), `=`, a quoted
/// value —: its name, its value and what follows.
#[inline(always)]
fn plain_attr(b: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let eq = b
        .iter()
        .position(|&c| matches!(c, b'=' | b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'))?;
    let (name, after) = b.split_at(eq);
    let [b'=', q @ (b'"' | b'\''), tail @ ..] = after else {
        return None;
    };
    if name.is_empty() {
        return None;
    }
    let end = tail.iter().position(|c| c == q)?;
    // (A name that is not ASCII is left to the tokens.)
    if !name.is_ascii() {
        return None;
    }
    Some((name, &tail[..end], &tail[end + 1..]))
}

/// A row's tag, read by [`Scanner::plain_row`].
#[derive(Debug, PartialEq)]
pub(super) enum RowTag {
    /// `<row …>`, with the row number it gives, if any.
    Start(Option<u32>),
    /// `<row …/>`, a row without cells.
    Empty(Option<u32>),
    /// `</row>`.
    End,
}

impl<R: Read> Scanner<R> {
    /// When the bytes at the scan position are a cell's opening tag written
    /// plainly — `<c` and attributes separated by single spaces, all in the
    /// buffer — consumes it and gives what it says and, when `<v>…</v></c>`
    /// follows (as nearly always), the value, consumed too; else consumes
    /// nothing (the caller goes on token by token, which also reports what
    /// is wrong with the tag, if anything). One pass over the bytes: this
    /// is the reader's hottest path. (Always inlined into `scan`, as is
    /// `put_shared`: no call per cell, what it gives kept in registers.)
    #[inline(always)]
    pub(super) fn plain_cell(&mut self, current: &RowDigits) -> Option<(CellTag, Body)> {
        let b = &self.buf[self.pos..self.end];
        let attrs = b.strip_prefix(b"<c ")?;
        let (tag, empty, rest) = excel_tag(attrs, current).or_else(|| any_tag(attrs, current))?;
        let body_at = self.pos + (b.len() - rest.len());
        let (body, len) = match empty {
            true => (Body::Empty, 0),
            false => plain_body(rest, tag.ty, body_at),
        };
        self.pos = body_at + len;
        Some((tag, body))
    }

    /// When the bytes at the scan position are a row's end tag, or its
    /// opening tag written plainly — `<row` and attributes separated by
    /// single spaces, a readable row number if any, all in the buffer —
    /// consumes it and gives which; else consumes nothing (the caller goes
    /// on token by token).
    #[inline]
    pub(super) fn plain_row(&mut self) -> Option<RowTag> {
        let b = &self.buf[self.pos..self.end];
        if b.starts_with(b"</row>") {
            self.pos += b"</row>".len();
            return Some(RowTag::End);
        }
        let mut rest = b.strip_prefix(b"<row")?;
        let mut number = None;
        // Where the last attribute ended.
        let mut after = rest;
        let empty = loop {
            match rest {
                [b' ', tail @ ..] => rest = tail,
                [b'>', tail @ ..] => {
                    rest = tail;
                    break false;
                }
                [b'/', b'>', tail @ ..] => {
                    rest = tail;
                    break true;
                }
                // (Attributes follow the name, and each other, after a
                // space: `<rowr="1">` is no row.)
                _ if rest.as_ptr() == after.as_ptr() => return None,
                _ => {
                    let (name, value, tail) = plain_attr(rest)?;
                    // (The row's number given twice is left to the tokens,
                    // which refuse it; the fast path reads no other
                    // attribute.)
                    if name == b"r" {
                        if number.is_some() {
                            return None;
                        }
                        number = Some(parse_u32(value)?);
                    }
                    rest = tail;
                    after = tail;
                }
            }
        };
        self.pos += b.len() - rest.len();
        Some(match empty {
            true => RowTag::Empty(number),
            false => RowTag::Start(number),
        })
    }

    /// When the bytes at the scan position are `<v>…</v></c>` — a cell's
    /// value as nearly every writer lays it out — consumes them and gives
    /// the value's place in the buffer; else consumes nothing (the caller
    /// goes on token by token).
    #[inline(always)]
    pub(super) fn simple_value(&mut self) -> Option<std::ops::Range<usize>> {
        let len = plain_value(&self.buf[self.pos..self.end])?;
        let start = self.pos + 3;
        self.pos = start + len + b"</v></c>".len();
        Some(start..start + len)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Part;
    use super::super::xml::Budget;
    use super::*;

    fn scanner(xml: &[u8]) -> Scanner<&[u8]> {
        let mut sc = Scanner::new(xml, Part::Strings, u64::MAX, Budget::default());
        sc.fill().unwrap();
        sc
    }

    #[test]
    fn cell_references() {
        assert_eq!(cell_ref(b"A1"), Some((1, 0)));
        assert_eq!(cell_ref(b"AB12"), Some((12, 27)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1048576, 16383)));
        assert_eq!(cell_ref(b"12"), None);
        assert_eq!(cell_ref(b"A"), None);
        let d = merge_ref(b"B2:B5").unwrap();
        assert_eq!((d.start, d.end), ((1, 1), (4, 1)));
        // One cell; corners the other way round.
        let d = merge_ref(b"C3").unwrap();
        assert_eq!((d.start, d.end), ((2, 2), (2, 2)));
        let d = merge_ref(b"C5:A2").unwrap();
        assert_eq!((d.start, d.end), ((1, 0), (4, 2)));
        // Outside the sheet, or not a reference: no region.
        for r in [
            &b"A0:A3"[..],
            b"A1:XFE1",
            b"A1:A1048577",
            b"B37.0:B34",
            b"",
            b"A1:",
        ] {
            assert!(merge_ref(r).is_none(), "{}", String::from_utf8_lossy(r));
        }
    }

    #[test]
    fn plainly_written_cells_are_read_at_once_and_others_left_to_the_tokens() {
        // What `plain_cell` gives — place, type, what follows the tag
        // (`/>`, `index 12`, `value 12` or `…` for the tokens) — and how far
        // it read, row 7 being read.
        type Read = (Option<(u32, u32)>, u8, String);
        let read = |xml: &[u8]| -> (Option<Read>, usize) {
            let mut sc = scanner(xml);
            let got = sc.plain_cell(&RowDigits::new(7)).map(|(t, body)| {
                let body = match body {
                    Body::Empty => "/>".to_string(),
                    Body::Index(i) => format!("index {i}"),
                    Body::Value(v) => format!("value {}", String::from_utf8_lossy(&sc.buf[v])),
                    Body::Open => "…".to_string(),
                };
                (t.at, t.ty as u8, body)
            });
            (got, sc.pos)
        };
        let shared = CellType::Shared as u8;
        let number = CellType::Number as u8;
        let string = CellType::Str as u8;
        let inline = CellType::Inline as u8;
        let cell = |at, ty, body: &str, len| (Some((at, ty, body.to_string())), len);
        // As Excel, WPS, rust_xlsxwriter write them; the next cell is not
        // read.
        let xml = br#"<c r="AB12" s="3" t="s"><v>1</v></c><c r="AC12"/>"#;
        assert_eq!(read(xml), cell(Some((12, 27)), shared, "index 1", 36));
        let xml = br#"<c r="B7" t="s"><v>46</v></c>"#;
        assert_eq!(read(xml), cell(Some((7, 1)), shared, "index 46", xml.len()));
        let xml = br#"<c r="C7"><v>2.5</v></c>"#;
        assert_eq!(
            read(xml),
            cell(Some((7, 2)), number, "value 2.5", xml.len())
        );
        let xml = br#"<c r="C7" s="1"/><c r="D7"/>"#;
        assert_eq!(read(xml), cell(Some((7, 2)), number, "/>", 17));
        // In any order, with either quote, with more spaces, with
        // attributes it does not know, however long.
        let xml = br#"<c t="s" r="C7"><v>12</v></c>"#;
        assert_eq!(read(xml), cell(Some((7, 2)), shared, "index 12", xml.len()));
        let xml = br#"<c r='B3' s='1'/>"#;
        assert_eq!(read(xml), cell(Some((3, 1)), number, "/>", xml.len()));
        let xml = br#"<c  t="s"  ><v>0</v></c>"#;
        assert_eq!(read(xml), cell(None, shared, "index 0", xml.len()));
        let xml = br#"<c r="A1" s="1" t="s" x="0123456789012345678901234567890123456789"/>"#;
        assert_eq!(read(xml), cell(Some((1, 0)), shared, "/>", xml.len()));
        // A value is given as written, to be decoded by the caller; so is a
        // shared string index that is not plain digits.
        let xml = br#"<c r="A1" t="str"><v>a&amp;b</v></c>"#;
        assert_eq!(
            read(xml),
            cell(Some((1, 0)), string, "value a&amp;b", xml.len())
        );
        for v in ["", " 1", "+1", "1234567890"] {
            let xml = format!(r#"<c r="A1" t="s"><v>{v}</v></c>"#);
            let body = format!("value {v}");
            let want = cell(Some((1, 0)), shared, &body, xml.len());
            assert_eq!(read(xml.as_bytes()), want, "{xml}");
        }
        // A cell holding more than `<v>` (an inline string, a formula), or
        // whose value is not all in the buffer: the tag alone is read, the
        // rest left to the tokens.
        for (xml, ty) in [
            (
                &br#"<c r="A1" t="inlineStr"><is><t>x</t></is></c>"#[..],
                inline,
            ),
            (br#"<c r="A1"><f>1+1</f><v>2</v></c>"#, number),
            (br#"<c r="A1" t="s"><v>2</v></x>"#, shared),
            (br#"<c r="A1"><v>2</v>"#, number),
            (br#"<c r="A1" t="s"><v>2</v>"#, shared),
        ] {
            let tag_len = xml.iter().position(|&b| b == b'>').unwrap() + 1;
            assert_eq!(
                read(xml),
                cell(Some((1, 0)), ty, "…", tag_len),
                "{}",
                String::from_utf8_lossy(xml)
            );
        }
        // Left to the tokens: another tag, white space other than single
        // spaces, an unknown type or a bad reference (reported there), an
        // unquoted value, a tag not all in the buffer.
        for xml in [
            &br#"<col min="1"/>"#[..],
            br#"<x:c r="A1"/>"#,
            br#"<c	r="A1"><v>1</v></c>"#,
            br#"<c r ="A1"><v>1</v></c>"#,
            br#"<c r="A1" t="x"><v>1</v></c>"#,
            br#"<c t="x" r="A1"><v>1</v></c>"#,
            br#"<c r="1A"><v>1</v></c>"#,
            br#"<c r="A1B"><v>1</v></c>"#,
            br#"<c r="ABCD1"><v>1</v></c>"#,
            br#"<c r="ABCDEFGHIJ1"><v>1</v></c>"#,
            br#"<c r="a1"><v>1</v></c>"#,
            br#"<c r="A12345678901234"><v>1</v></c>"#,
            br#"<c r="A1234567890"><v>1</v></c>"#,
            br#"<c r=A1><v>1</v></c>"#,
            br#"<c r="A1" t="s""#,
            br#"<c r="A1" t="s"/"#,
        ] {
            assert_eq!(read(xml), (None, 0), "{}", String::from_utf8_lossy(xml));
        }
    }

    #[test]
    fn references_in_the_current_row_are_matched_at_once_and_others_read() {
        let row_12 = RowDigits::new(12);
        assert_eq!(row_12.strip(br#"12" s="1">"#), Some(&br#" s="1">"#[..]));
        for other in [&br#"123" s="1">"#[..], br#"1" s="1">"#, br#"012" s="1">"#] {
            assert_eq!(row_12.strip(other), None);
        }
        // Fewer than eight bytes left: read digit by digit.
        assert_eq!(row_12.strip(br#"12">"#), None);
        // Either way, the same reference.
        for (current, r, row) in [
            (7, "7", 7),
            (7, "17", 17),
            (17, "7", 7),
            (7, "07", 7),
            (0, "0", 0),
            (1234567, "1234567", 1234567),
            (12345678, "12345678", 12345678),
            (12345678, "123456789", 123456789),
        ] {
            for quote in ['"', '\''] {
                let tag = format!("AB{r}{quote} t={quote}s{quote}>");
                let read = plain_ref(tag.as_bytes(), quote as u8, &RowDigits::new(current));
                let rest = format!(" t={quote}s{quote}>");
                assert_eq!(
                    read,
                    Some(((row, 27), rest.as_bytes())),
                    "{tag} in {current}"
                );
            }
        }
        assert_eq!(plain_ref(b"A1234567890\">", b'"', &RowDigits::new(7)), None);
    }

    #[test]
    fn plainly_written_row_tags_are_read_at_once_and_others_left_to_the_tokens() {
        let read = |xml: &[u8]| {
            let mut sc = scanner(xml);
            (sc.plain_row(), sc.pos)
        };
        assert_eq!(read(b"</row><row>"), (Some(RowTag::End), 6));
        assert_eq!(
            read(br#"<row r="12">"#),
            (Some(RowTag::Start(Some(12))), 12)
        );
        let excel = br#"<row r="3" spans="1:35" x14ac:dyDescent="0.25"><c"#;
        assert_eq!(read(excel), (Some(RowTag::Start(Some(3))), excel.len() - 2));
        assert_eq!(read(b"<row>"), (Some(RowTag::Start(None)), 5));
        assert_eq!(
            read(br#"<row ht='20' r='7'/>"#),
            (Some(RowTag::Empty(Some(7))), 20)
        );
        // An attribute given twice is left to the tokens (which refuse it).
        assert_eq!(read(br#"<row r="2" r="x">"#), (None, 0));
        // Left to the tokens: another tag, a prefixed name, white space
        // other than single spaces, a bad row number (reported there), a
        // tag not all in the buffer.
        for xml in [
            &b"<rows>"[..],
            br#"<rowr="1">"#,
            br#"<row r="1"s="2">"#,
            br#"<c r="A1"/>"#,
            br#"<x:row r="1">"#,
            b"</row >",
            br#"<row	r="1">"#,
            br#"<row r = "1">"#,
            br#"<row r="x">"#,
            br#"<row r="1""#,
        ] {
            assert_eq!(read(xml), (None, 0), "{}", String::from_utf8_lossy(xml));
        }
    }
}
