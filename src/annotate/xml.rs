//! Small tools for editing the XML parts of a workbook package in place:
//! escaping, reading an attribute, and finding an element's byte range so
//! that a part is changed where it must be and copied as it is elsewhere.

use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;

/// Text made safe for XML content and attribute values: the five special
/// characters escaped, and characters XML 1.0 cannot hold (control
/// characters other than tab and line breaks) dropped.
pub fn escape(s: &str) -> Cow<'_, str> {
    let needs = s
        .chars()
        .any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_forbidden(c));
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Line breaks inside attribute values would be normalized
            // away by a reader: keep them as references.
            '\n' => out.push_str("&#10;"),
            '\r' => {}
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// The unescaped value of attribute `name` (its qualified name as written).
pub fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.as_ref() == name).then(|| {
            quick_xml::escape::unescape(&a.value)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
    })
}

/// The value of the attribute whose local name is `local` (any prefix).
pub fn attr_local(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            quick_xml::escape::unescape(&a.value)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
    })
}

/// A start tag rewritten with `set` attributes replaced (where they were)
/// or added (at the end), and `drop` attributes removed; the others kept
/// as written, in order.
pub fn with_attrs(e: &BytesStart<'_>, set: &[(&str, &str)], drop: &[&str]) -> BytesStart<'static> {
    let name = e.name().as_ref().to_string();
    let mut out = BytesStart::new(name);
    let mut done: Vec<&str> = Vec::new();
    for a in e.attributes().flatten() {
        let key = a.key.as_ref();
        if drop.contains(&key) {
            continue;
        }
        match set.iter().find(|(k, _)| *k == key) {
            Some((k, v)) => {
                out.push_attribute((*k, *v));
                done.push(k);
            }
            None => out.push_attribute(a),
        }
    }
    for (k, v) in set {
        if !done.contains(k) {
            out.push_attribute((*k, *v));
        }
    }
    out
}

/// Where an element is in a document: its open tag, its content and its
/// end (byte offsets). An empty element (`<x/>`) has no content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Start of `<name`.
    pub start: usize,
    /// Just after the open tag's `>`.
    pub open_end: usize,
    /// Start of `</name>` (for an empty element, `start`).
    pub close_start: usize,
    /// Just after the element.
    pub end: usize,
    /// Whether it was written `<name …/>`.
    pub empty: bool,
}

/// The first element with local name `local`, at any depth.
pub fn find(doc: &str, local: &str) -> Option<Span> {
    find_all(doc, local, 1).into_iter().next()
}

/// Up to `most` elements with local name `local` (not nested in one
/// another), in document order.
pub fn find_all(doc: &str, local: &str, most: usize) -> Vec<Span> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_str(doc);
    let mut open: Option<(usize, usize, usize)> = None; // start, open_end, depth
    let mut depth = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let Ok(event) = reader.read_event() else {
            return out;
        };
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(e) => {
                depth += 1;
                if open.is_none() && e.local_name().as_ref() == local {
                    open = Some((before, after, depth));
                }
            }
            Event::End(e) => {
                if let Some((start, open_end, d)) = open
                    && d == depth
                    && e.local_name().as_ref() == local
                {
                    out.push(Span {
                        start,
                        open_end,
                        close_start: before,
                        end: after,
                        empty: false,
                    });
                    open = None;
                    if out.len() >= most {
                        return out;
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Empty(e) if open.is_none() && e.local_name().as_ref() == local => {
                out.push(Span {
                    start: before,
                    open_end: after,
                    close_start: before,
                    end: after,
                    empty: true,
                });
                if out.len() >= most {
                    return out;
                }
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// The child elements of `span` in `doc`, each as its byte range.
pub fn children(doc: &str, span: Span) -> Vec<(usize, usize)> {
    if span.empty {
        return Vec::new();
    }
    let inner = &doc[span.open_end..span.close_start];
    let mut reader = quick_xml::Reader::from_str(inner);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let Ok(event) = reader.read_event() else {
            return out;
        };
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(_) => {
                if depth == 0 {
                    start = before;
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push((span.open_end + start, span.open_end + after));
                }
            }
            Event::Empty(_) if depth == 0 => {
                out.push((span.open_end + before, span.open_end + after));
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// The open tag of `span` parsed, to read its attributes.
pub fn open_tag(doc: &str, span: Span) -> Option<BytesStart<'static>> {
    let mut reader = quick_xml::Reader::from_str(&doc[span.start..span.open_end]);
    match reader.read_event().ok()? {
        Event::Start(e) | Event::Empty(e) => Some(e.into_owned()),
        _ => None,
    }
}

/// The start tag as text, `<…>` (or `<…/>` when `empty`).
pub fn tag_text(e: &BytesStart<'_>, empty: bool) -> String {
    let inner = e.as_ref().to_string();
    if empty {
        format!("<{inner}/>")
    } else {
        format!("<{inner}>")
    }
}

/// Replacements of byte ranges of a document, applied at once.
#[derive(Debug, Default)]
pub struct Edits {
    edits: Vec<(usize, usize, String)>,
}

impl Edits {
    /// Replaces `start..end` with `text`.
    pub fn replace(&mut self, start: usize, end: usize, text: impl Into<String>) {
        self.edits.push((start, end, text.into()));
    }

    /// Inserts `text` at `at`.
    pub fn insert(&mut self, at: usize, text: impl Into<String>) {
        self.edits.push((at, at, text.into()));
    }

    /// The document with the edits made (insertions at one place keep the
    /// order they were made in).
    pub fn apply(mut self, doc: &str) -> String {
        // Stable: edits at one offset stay in the order given.
        self.edits.sort_by_key(|e| (e.0, e.1));
        let mut out = String::with_capacity(doc.len() + 1024);
        let mut at = 0;
        for (start, end, text) in self.edits {
            let start = start.max(at);
            out.push_str(&doc[at..start]);
            out.push_str(&text);
            at = end.max(start);
        }
        out.push_str(&doc[at..]);
        out
    }
}

/// The text of an element, its markup dropped and references resolved.
pub fn inner_text(element: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(element);
    let mut out = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => {
                let raw: &str = &t;
                out.push_str(
                    &quick_xml::escape::unescape(raw).unwrap_or(std::borrow::Cow::Borrowed(raw)),
                );
            }
            Ok(Event::GeneralRef(r)) => {
                let name: &str = &r;
                match name {
                    "lt" => out.push('<'),
                    "gt" => out.push('>'),
                    "amp" => out.push('&'),
                    "quot" => out.push('"'),
                    "apos" => out.push('\''),
                    n => {
                        let code = n
                            .strip_prefix("#x")
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()));
                        if let Some(c) = code.and_then(char::from_u32) {
                            out.push(c);
                        }
                    }
                }
            }
            Ok(Event::CData(c)) => out.push_str(&c),
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

/// Quotes a sheet name for a formula or link: `'事项'`, inner quotes doubled.
pub fn quoted_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("行1\n行2\u{1}"), "行1&#10;行2");
        assert!(matches!(escape("普通文字"), Cow::Borrowed(_)));
    }

    #[test]
    fn finds_elements_and_their_children() {
        let doc = r#"<a><fills count="2"><fill><p/></fill><fill/></fills><x/><fills/></a>"#;
        let s = find(doc, "fills").unwrap();
        assert_eq!(&doc[s.start..s.open_end], r#"<fills count="2">"#);
        let kids: Vec<&str> = children(doc, s).iter().map(|(a, b)| &doc[*a..*b]).collect();
        assert_eq!(kids, ["<fill><p/></fill>", "<fill/>"]);
        let all = find_all(doc, "fills", 9);
        assert_eq!(all.len(), 2);
        assert!(all[1].empty);
        let mut e = Edits::default();
        e.insert(s.close_start, "<fill/>");
        e.replace(s.start, s.open_end, r#"<fills count="3">"#);
        assert_eq!(
            e.apply(doc),
            r#"<a><fills count="3"><fill><p/></fill><fill/><fill/></fills><x/><fills/></a>"#
        );
    }
}
