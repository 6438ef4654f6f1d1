//! The XML tokenizer under every part the reader reads: a pull scanner over
//! bytes inflated in chunks, giving tags and text as slices of its buffer.
//! It holds one token at a time (at most [`limits::XML_TOKEN`] bytes), reads
//! at most its part's limit, never recurses, and knows no DTD: a DOCTYPE —
//! the door to entity bombs and external entities — makes the part
//! damaged. Decoding text (entities, character references, Excel's
//! `_xHHHH_` escapes) is here too.

use super::{Error, Part};
use crate::filing::limits;
use crate::text;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One piece of XML.
pub(crate) enum Tok<'a> {
    Open {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
    },
    Close {
        name: &'a [u8],
    },
    Text {
        raw: &'a [u8],
        cdata: bool,
    },
}

/// Bytes inflated so far while one workbook is read, all parts and passes
/// together, against [`limits::INFLATED`].
pub(crate) type Budget = Arc<AtomicU64>;

/// A pull scanner over XML read in chunks: each token must fit in the
/// buffer, which grows when one does not, up to [`limits::XML_TOKEN`].
pub(crate) struct Scanner<R> {
    src: R,
    pub(crate) buf: Vec<u8>,
    pub(crate) pos: usize,
    pub(crate) end: usize,
    eof: bool,
    /// What is read, for messages.
    pub(crate) part: Part,
    /// Bytes read so far, and the most the part may have.
    read: u64,
    limit: u64,
    budget: Budget,
}

impl<R: Read> Scanner<R> {
    pub(crate) fn new(src: R, part: Part, limit: u64, budget: Budget) -> Self {
        Scanner {
            src,
            buf: vec![0; 256 << 10],
            pos: 0,
            end: 0,
            eof: false,
            part,
            read: 0,
            limit,
            budget,
        }
    }

    /// Reads more bytes, keeping those from `pos` on. False at the end.
    pub(crate) fn fill(&mut self) -> Result<bool, Error> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.end == self.buf.len() {
            if self.buf.len() >= limits::XML_TOKEN {
                let mb = limits::XML_TOKEN >> 20;
                return Err(self.part.too_large(text!(
                    "中有一段 XML 超过 {mb} MB",
                    "holds a piece of XML of over {mb} MB"
                )));
            }
            let len = (self.buf.len() * 2).min(limits::XML_TOKEN);
            self.buf.resize(len, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    self.count(n as u64)?;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.part.unreadable(&e)),
            }
        }
    }

    /// Counts `n` bytes read against the part's limit and the workbook's.
    fn count(&mut self, n: u64) -> Result<(), Error> {
        self.read += n;
        if self.read > self.limit {
            return Err(self.part.inflates_past(self.limit));
        }
        let all = self.budget.fetch_add(n, Ordering::Relaxed) + n;
        if all > limits::INFLATED {
            return Err(Part::Workbook.inflates_past(limits::INFLATED));
        }
        Ok(())
    }

    /// Finds `needle` at or after `from` (relative to `pos`), reading more
    /// as needed; the offset relative to `pos`.
    fn find(&mut self, from: usize, needle: &[u8]) -> Result<Option<usize>, Error> {
        let mut searched = from;
        loop {
            let hay = &self.buf[self.pos + searched..self.end];
            let hit = if needle.len() == 1 {
                memchr::memchr(needle[0], hay)
            } else {
                memchr::memmem::find(hay, needle)
            };
            if let Some(i) = hit {
                return Ok(Some(searched + i));
            }
            searched = (self.end - self.pos)
                .saturating_sub(needle.len() - 1)
                .max(from);
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// The end of the tag opened at `pos` (the offset of its `>`), quotes
    /// respected.
    fn tag_end(&mut self) -> Result<Option<usize>, Error> {
        let mut i = 1;
        let mut quote = 0u8;
        loop {
            while self.pos + i < self.end {
                let b = self.buf[self.pos + i];
                if quote != 0 {
                    if b == quote {
                        quote = 0;
                    }
                } else if b == b'>' {
                    return Ok(Some(i));
                } else if b == b'"' || b == b'\'' {
                    quote = b;
                }
                i += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// The next token; None at the end. Processing instructions and
    /// comments are skipped (in a loop: however many follow each other).
    pub(crate) fn next(&mut self) -> Result<Option<Tok<'_>>, Error> {
        // (Where the token starts and what it is, found first; the slices
        // of the buffer taken once it is known.)
        enum Found {
            Text(usize, usize, bool),
            Open(usize, usize),
            Close(usize, usize),
        }
        let found = loop {
            if self.pos == self.end && !self.fill()? {
                return Ok(None);
            }
            if self.buf[self.pos] != b'<' {
                let len = match self.find(0, b"<")? {
                    Some(i) => i,
                    None => self.end - self.pos,
                };
                let start = self.pos;
                self.pos += len;
                break Found::Text(start, len, false);
            }
            // A tag: make sure its second byte is here.
            if self.pos + 1 >= self.end && !self.fill()? {
                return Err(
                    self.malformed("的 XML 在标签中间中断", "has XML that ends inside a tag")
                );
            }
            match self.buf[self.pos + 1] {
                b'?' => {
                    let Some(i) = self.find(2, b"?>")? else {
                        return Err(self.malformed(
                            "中有未结束的处理指令",
                            "holds a processing instruction that does not end",
                        ));
                    };
                    self.pos += i + 2;
                }
                b'!' => {
                    while self.end - self.pos < 9 && self.fill()? {}
                    let head = &self.buf[self.pos..self.end.min(self.pos + 9)];
                    if head.starts_with(b"<!--") {
                        let Some(i) = self.find(4, b"-->")? else {
                            return Err(self.malformed(
                                "中有未结束的注释",
                                "holds a comment that does not end",
                            ));
                        };
                        self.pos += i + 3;
                    } else if head.starts_with(b"<![CDATA[") {
                        let Some(i) = self.find(9, b"]]>")? else {
                            return Err(self.malformed(
                                "中有未结束的 CDATA 段",
                                "holds a CDATA section that does not end",
                            ));
                        };
                        let start = self.pos + 9;
                        self.pos += i + 3;
                        break Found::Text(start, i - 9, true);
                    } else {
                        return Err(self.malformed(
                            "含有 DOCTYPE 或其他声明（工作簿中不应出现，可能是实体扩展攻击）",
                            "holds a DOCTYPE or other declaration (never in a workbook; perhaps an entity attack)",
                        ));
                    }
                }
                b'/' => {
                    let Some(i) = self.find(2, b">")? else {
                        return Err(self.malformed(
                            "的 XML 在结束标签中间中断",
                            "has XML that ends inside a closing tag",
                        ));
                    };
                    let start = self.pos;
                    self.pos += i + 1;
                    break Found::Close(start, i);
                }
                _ => {
                    let Some(i) = self.tag_end()? else {
                        return Err(self
                            .malformed("的 XML 在标签中间中断", "has XML that ends inside a tag"));
                    };
                    let start = self.pos;
                    self.pos += i + 1;
                    break Found::Open(start, i);
                }
            }
        };
        Ok(Some(match found {
            Found::Text(start, len, cdata) => Tok::Text {
                raw: &self.buf[start..start + len],
                cdata,
            },
            Found::Close(start, i) => Tok::Close {
                name: self.buf[start + 2..start + i].trim_ascii(),
            },
            Found::Open(start, i) => {
                let mut inner = &self.buf[start + 1..start + i];
                let empty = inner.last() == Some(&b'/');
                if empty {
                    inner = &inner[..inner.len() - 1];
                }
                let name_len = inner
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .unwrap_or(inner.len());
                Tok::Open {
                    name: &inner[..name_len],
                    attrs: &inner[name_len..],
                    empty,
                }
            }
        }))
    }

    /// The part is not well-formed XML: `zh` / `en` say how.
    pub(crate) fn malformed(&self, zh: &str, en: &str) -> Error {
        self.part.damaged(crate::diag::Text::new(zh, en))
    }
}

/// Where a part is in its document: the elements open (by their names as
/// written), whether the root has been opened and closed. A closing tag
/// that does not close the element open last, text outside the root that
/// is not white space, a second root, or an end before the root closes
/// make the part damaged: random bytes, a tag spliced into another, or a
/// part cut short are never read as a part that happens to hold other
/// cells or fewer rows.
pub(crate) struct Document {
    root: &'static [u8],
    /// The names of the elements open, one after the other, and where
    /// each starts.
    names: Vec<u8>,
    starts: Vec<usize>,
    done: bool,
}

impl Document {
    pub(crate) fn new(root: &'static [u8]) -> Document {
        Document {
            root,
            names: Vec::new(),
            starts: Vec::new(),
            done: false,
        }
    }

    /// Takes in an opening tag (`name` as written); false when the
    /// document cannot hold it.
    pub(crate) fn open(&mut self, name: &[u8], empty: bool) -> bool {
        if self.done || (self.starts.is_empty() && local(name) != self.root) || !name_ok(name) {
            return false;
        }
        if empty {
            self.done |= self.starts.is_empty();
        } else {
            self.starts.push(self.names.len());
            self.names.extend_from_slice(name);
        }
        true
    }

    /// Takes in the opening tag of an element a fast path read, known to
    /// be well formed and inside the root (a row).
    #[inline(always)]
    pub(crate) fn open_known(&mut self, name: &'static [u8]) {
        self.starts.push(self.names.len());
        self.names.extend_from_slice(name);
    }

    /// Takes in a closing tag (`name` as written); false when it does not
    /// close the element open last.
    #[inline]
    pub(crate) fn close(&mut self, name: &[u8]) -> bool {
        let Some(&start) = self.starts.last() else {
            return false;
        };
        if &self.names[start..] != name {
            return false;
        }
        self.starts.pop();
        self.names.truncate(start);
        self.done |= self.starts.is_empty();
        true
    }

    /// Takes in text; false when it stands outside the root and is not
    /// white space (a byte order mark at the start is white space).
    pub(crate) fn text(&self, raw: &[u8]) -> bool {
        self.inside()
            || raw
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(raw)
                .iter()
                .all(u8::is_ascii_whitespace)
    }

    /// Whether the root element was opened and closed.
    pub(crate) fn complete(&self) -> bool {
        self.done
    }

    /// Whether the root element is open.
    pub(crate) fn inside(&self) -> bool {
        !self.starts.is_empty()
    }
}

/// Whether a tag's name is one: not empty, UTF-8, no character XML does
/// not allow in a name.
fn name_ok(name: &[u8]) -> bool {
    !name.is_empty()
        && std::str::from_utf8(name).is_ok()
        && !name
            .iter()
            .any(|b| b.is_ascii_whitespace() || b"<>&\"'=/!?".contains(b))
}

/// The local part of a possibly prefixed name (`x:c` → `c`).
pub(crate) fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The raw value of attribute `key` (exact name).
pub(crate) fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    Attrs(attrs).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The raw value of the first prefixed attribute whose local name is `key`
/// (`r:id`).
pub(crate) fn attr_local<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    Attrs(attrs)
        .find(|(k, _)| k.contains(&b':') && local(k) == key)
        .map(|(_, v)| v)
}

/// Iterates `name="value"` pairs.
pub(crate) struct Attrs<'a>(pub(crate) &'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let s = self.0;
        let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
        let eq = start + s[start..].iter().position(|&b| b == b'=')?;
        let name = s[start..eq].trim_ascii_end();
        let q = eq + 1 + s[eq + 1..].iter().position(|b| !b.is_ascii_whitespace())?;
        let quote = s[q];
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = q + 1 + s[q + 1..].iter().position(|&b| b == quote)?;
        self.0 = &s[end + 1..];
        Some((name, &s[q + 1..end]))
    }
}

/// Whether a tag's attributes are written as XML allows: `name="value"`
/// pairs (either quote) separated by white space, to the end, no name
/// twice. (Checked on the token path; the fast paths read only what they
/// can check as they go.)
pub(crate) fn attrs_ok(attrs: &[u8]) -> bool {
    if std::str::from_utf8(attrs).is_err() {
        return false;
    }
    let mut names: [&[u8]; 16] = [&[]; 16];
    let mut more: Vec<&[u8]> = Vec::new();
    let mut n = 0;
    let mut rest = attrs;
    loop {
        let Some(start) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
            return true;
        };
        if start == 0 && n > 0 {
            return false;
        }
        let s = &rest[start..];
        let Some(eq) = s.iter().position(|&b| b == b'=') else {
            return false;
        };
        let name = s[..eq].trim_ascii_end();
        if name.is_empty()
            || name
                .iter()
                .any(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
        {
            return false;
        }
        let after = s[eq + 1..].trim_ascii_start();
        let Some((&quote, value)) = after.split_first() else {
            return false;
        };
        if quote != b'"' && quote != b'\'' {
            return false;
        }
        let Some(end) = value.iter().position(|&b| b == quote) else {
            return false;
        };
        if names[..n.min(16)].contains(&name) || more.contains(&name) {
            return false;
        }
        if n < 16 {
            names[n] = name;
        } else {
            more.push(name);
        }
        n += 1;
        rest = &value[end + 1..];
    }
}

/// Why text could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BadText {
    NotUtf8,
    Entity(String),
}

impl BadText {
    /// What to tell the user, the part named by the caller.
    pub(crate) fn says(&self) -> crate::diag::Text {
        match self {
            BadText::NotUtf8 => text!("含有不是 UTF-8 的文字", "holds text that is not UTF-8"),
            BadText::Entity(e) => {
                let e: String = e.chars().take(24).collect();
                text!("含有无法识别的实体“&{e}”", "holds an unknown entity `&{e}`")
            }
        }
    }
}

pub(crate) fn decode_attr(raw: &[u8]) -> Result<String, BadText> {
    let mut s = String::new();
    decode_text(raw, false, &mut s)?;
    Ok(s)
}

/// Appends XML text: UTF-8 checked, entities and character references
/// resolved, line ends normalized to `\n` (XML 1.0).
#[inline]
pub(crate) fn decode_text(raw: &[u8], cdata: bool, out: &mut String) -> Result<(), BadText> {
    let s = std::str::from_utf8(raw).map_err(|_| BadText::NotUtf8)?;
    let plain = if cdata {
        memchr::memchr(b'\r', raw).is_none()
    } else {
        memchr::memchr2(b'&', b'\r', raw).is_none()
    };
    if plain {
        out.push_str(s);
        return Ok(());
    }
    let mut rest = s;
    let next = |rest: &str| match cdata {
        true => memchr::memchr(b'\r', rest.as_bytes()),
        false => memchr::memchr2(b'&', b'\r', rest.as_bytes()),
    };
    while let Some(i) = next(rest) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix('\r') {
            out.push('\n');
            rest = after.strip_prefix('\n').unwrap_or(after);
            continue;
        }
        let Some(semi) = rest.find(';') else {
            return Err(BadText::Entity(rest[1..].to_string()));
        };
        let entity = &rest[1..semi];
        match entity {
            "amp" => out.push('&'),
            "lt" => out.push('<'),
            "gt" => out.push('>'),
            "quot" => out.push('"'),
            "apos" => out.push('\''),
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                match code.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => return Err(BadText::Entity(format!("{entity};"))),
                }
            }
        }
        rest = &rest[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// Appends `text` with Excel's `_xHHHH_` escapes undone (`_x000D_` is a
/// carriage return); a lone surrogate becomes U+FFFD, as in calamine.
pub(crate) fn unescape_x(text: &str, out: &mut String) {
    let escape_at = |s: &str, i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    };
    if !text.contains("_x") {
        out.push_str(text);
        return;
    }
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let Some(unit) = (bytes[i] == b'_').then(|| escape_at(text, i)).flatten() else {
            i += 1;
            continue;
        };
        out.push_str(&text[copied..i]);
        i += 7;
        match unit {
            0xD800..=0xDBFF => match escape_at(text, i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = i;
    }
    out.push_str(&text[copied..]);
}

/// Appends the text of one `<t>`: trimmed of ASCII white space unless it
/// asks to be preserved, `_xHHHH_` escapes undone (as calamine does).
pub(crate) fn push_t(out: &mut String, text: &str, preserve: bool) {
    let text = if preserve {
        text
    } else {
        text.trim_matches([' ', '\t', '\r', '\n'])
    };
    unescape_x(text, out);
}

/// Digits as a number: at most nine of them, nothing else.
pub(crate) fn parse_u32(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    // (One pass: shared string indexes are read for nearly every cell.)
    let mut n: u32 = 0;
    for &d in b {
        let d = d.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u32::from(d);
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanner(xml: &[u8]) -> Scanner<&[u8]> {
        Scanner::new(xml, Part::Path("t.xml".into()), u64::MAX, Budget::default())
    }

    #[test]
    fn text_is_decoded_as_xml_says() {
        let mut s = String::new();
        decode_text(
            b"a &amp; b &lt;c&gt; &#20107;&#x9879;\r\nx\ry",
            false,
            &mut s,
        )
        .unwrap();
        assert_eq!(s, "a & b <c> 事项\nx\ny");
        let mut s = String::new();
        decode_text(b"&amp;", true, &mut s).unwrap();
        assert_eq!(s, "&amp;");
        assert!(decode_text(b"&bogus;", false, &mut String::new()).is_err());
        assert!(decode_text(b"a & b", false, &mut String::new()).is_err());
        assert_eq!(
            decode_text(b"\xff", false, &mut String::new()),
            Err(BadText::NotUtf8)
        );
    }

    #[test]
    fn attributes_are_pairs_written_once() {
        for ok in [
            &b""[..],
            b" r=\"A1\" s='2' t=\"s\"",
            b"\n\tr = \"A1\" ",
            b" x:a=\"1\" a=\"2\"",
        ] {
            assert!(attrs_ok(ok), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b" r=\"A1\" r=\"B1\""[..],
            b" s=\"1\"  s=\"1\"",
            b" r=\"A1\"garbage",
            b" r=A1",
            b" r=\"A1",
            b" r=\"A1\"t=\"s\"",
            b" =\"x\"",
        ] {
            assert!(!attrs_ok(bad), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn excel_escapes_are_undone() {
        let mut s = String::new();
        unescape_x("a_x000D_b_x_c_xD83D__xDE00_", &mut s);
        assert_eq!(s, "a\rb_x_c😀");
    }

    #[test]
    fn scanner_handles_small_buffers_and_quotes() {
        // A reader that hands out one byte at a time exercises every refill.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() || out.is_empty() {
                    return Ok(0);
                }
                out[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let xml = br#"<?xml version="1.0"?><!-- c --><a x="1>2" y='q'><b/>t<![CDATA[<&>]]></a>"#;
        let mut sc = Scanner::new(
            Trickle(xml),
            Part::Path("t.xml".into()),
            u64::MAX,
            Budget::default(),
        );
        sc.buf = vec![0; 4];
        let mut seen = Vec::new();
        while let Some(t) = sc.next().unwrap() {
            seen.push(match t {
                Tok::Open { name, attrs, empty } => format!(
                    "open {} {} {empty}",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(attr(attrs, b"x").unwrap_or(b"-"))
                ),
                Tok::Close { name } => format!("close {}", String::from_utf8_lossy(name)),
                Tok::Text { raw, cdata } => {
                    format!("text {} {cdata}", String::from_utf8_lossy(raw))
                }
            });
        }
        assert_eq!(
            seen,
            [
                "open a 1>2 false",
                "open b - true",
                "text t false",
                "text <&> true",
                "close a"
            ]
        );
    }

    #[test]
    fn a_million_comments_in_a_row_need_no_stack() {
        // Skipped in a loop: a recursion per comment would overflow.
        let mut xml = b"<a>".to_vec();
        for _ in 0..1_000_000 {
            xml.extend_from_slice(b"<!---->");
        }
        xml.extend_from_slice(b"</a>");
        let mut sc = scanner(&xml);
        let mut tokens = 0;
        while sc.next().unwrap().is_some() {
            tokens += 1;
        }
        assert_eq!(tokens, 2);
    }

    #[test]
    fn a_doctype_is_refused() {
        let xml = br#"<!DOCTYPE lolz [<!ENTITY lol "lol">]><sst>&lol;</sst>"#;
        let err = scanner(xml).next().err().expect("refused");
        let Error::Damaged(t) = err else {
            panic!("{err:?}")
        };
        assert!(t.zh.contains("DOCTYPE"), "{}", t.zh);
    }

    #[test]
    fn a_part_is_read_up_to_its_limit_and_a_token_up_to_its() {
        let xml = vec![b' '; 1 << 20];
        let mut sc = Scanner::new(
            &xml[..],
            Part::Path("t.xml".into()),
            1000,
            Budget::default(),
        );
        assert!(matches!(sc.next(), Err(Error::TooLarge(_))));
        // One text of over the token limit, whatever the part's limit.
        let long = vec![b'x'; limits::XML_TOKEN + 10];
        let mut sc = scanner(&long);
        assert!(matches!(sc.next(), Err(Error::TooLarge(_))));
        // The workbook's budget counts every part.
        let budget = Budget::default();
        budget.store(limits::INFLATED - 10, Ordering::Relaxed);
        let mut sc = Scanner::new(&xml[..], Part::Path("t.xml".into()), u64::MAX, budget);
        assert!(matches!(sc.next(), Err(Error::TooLarge(_))));
    }

    #[test]
    fn a_document_has_one_root_nested_as_written_and_nothing_but_white_space_around_it() {
        let mut d = Document::new(b"worksheet");
        assert!(d.text(b"\xEF\xBB\xBF\r\n"));
        assert!(!d.text(b"\x01\x02"));
        assert!(!d.complete());
        assert!(d.open(b"x:worksheet", false));
        assert!(d.text(b"anything"));
        assert!(d.open(b"x:sheetData", false));
        assert!(d.open(b"x:row", true));
        assert!(d.open(b"x:c", false));
        // A tag closed by another's end: damaged.
        assert!(!d.close(b"x:v"));
        assert!(d.close(b"x:c"));
        assert!(d.close(b"x:sheetData"));
        assert!(!d.complete());
        assert!(d.close(b"x:worksheet"));
        assert!(d.complete());
        assert!(!d.open(b"worksheet", false));
        assert!(!d.text(b"x"));
        let mut d = Document::new(b"worksheet");
        assert!(!d.open(b"html", false));
        assert!(!d.close(b"worksheet"));
        let mut d = Document::new(b"sst");
        assert!(d.open(b"sst", true));
        assert!(d.complete());
    }
}
