//! The XML tokenizer under every part the reader reads: a pull scanner over
//! bytes inflated in chunks, giving tags and text as slices of its buffer.
//! It holds one token at a time (at most [`limits::XML_TOKEN`] bytes), reads
//! at most its part's limit, never recurses, and knows no DTD: a DOCTYPE —
//! the door to entity bombs and external entities — makes the part
//! damaged. What a document must be is [`super::document`]'s; what its text
//! says, [`super::decode`]'s.

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

#[cfg(test)]
mod tests {
    use super::super::document::attr;
    use super::*;

    fn scanner(xml: &[u8]) -> Scanner<&[u8]> {
        Scanner::new(xml, Part::Path("t.xml".into()), u64::MAX, Budget::default())
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
}
