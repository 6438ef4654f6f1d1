//! What a part must be as an XML document: one root element, each closing
//! tag closing the element open last, names and attributes written as XML
//! allows, nothing but white space outside the root. The readers check
//! every token against it, so a part cut short, spliced or replaced is
//! damaged, never read as a part that happens to hold other cells. And
//! the small readers of names and attributes the parts share.

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

/// Whether a tag's name is one: a name as XML with namespaces allows —
/// letters (any beyond ASCII), digits, `.` `-` `_`, not starting with a
/// digit, `.` or `-`, at most one `:` between a prefix and a local name.
/// (`x:r\x:si` is no name: read as one, its local part would be `si`.)
fn name_ok(name: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(name) else {
        return false;
    };
    let mut parts = text.split(':');
    let (Some(first), second, None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let part_ok = |p: &str| {
        !p.is_empty()
            && !p.starts_with(|c: char| c.is_ascii_digit() || c == '.' || c == '-')
            && p.chars()
                .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    part_ok(first) && second.is_none_or(part_ok)
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // Names as XML allows them.
        for name in [
            &b"x:si"[..],
            b"si",
            b"x14ac:dyDescent",
            b"_a.b-c",
            "事项".as_bytes(),
        ] {
            assert!(name_ok(name), "{}", String::from_utf8_lossy(name));
        }
        for name in [
            &b""[..],
            b"x:r\\x:si",
            b"a:b:c",
            b":a",
            b"a:",
            b"1a",
            b"-a",
            b"a b",
            b"\xff",
        ] {
            assert!(!name_ok(name), "{}", String::from_utf8_lossy(name));
        }
    }
}
