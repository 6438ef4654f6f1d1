//! Entry files written straight: a serde serializer for the one shape an
//! entry file has — a map of scalars, lists of scalars, lists of maps and
//! one nested map — that writes what serde-saphyr writes for it, byte for
//! byte, at a fraction of the cost (the general emitter's decisions were a
//! quarter of a million-entry ingest).
//!
//! It never guesses. A string is written plain only by rules that are a
//! subset of serde-saphyr's own (a non-ASCII first character, a word that
//! cannot be a YAML keyword, digits and hyphens that are neither a number
//! nor a date), written quoted when it is only digits or a date, and any
//! other string is handed to serde-saphyr alone and its answer used when it
//! is one line. Anything else — a block scalar (several lines, or longer than
//! the folding width), a float, an empty list, a shape entry files do not
//! have — makes [`to_yaml`] return `None`, and the caller writes the whole
//! entry with serde-saphyr. The tests below hold the two equal on random
//! entries.

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::borrow::Cow;
use std::fmt;

/// The widest single-line string serde-saphyr writes as a plain or quoted
/// scalar; a longer plain one is folded (its `folded_wrap_chars`).
const FOLD: usize = 80;

/// The YAML serde-saphyr would write for `value`, if it has the shape of an
/// entry file.
pub fn to_yaml<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut out = String::with_capacity(4096);
    value
        .serialize(Node {
            out: &mut out,
            at: At::Top,
        })
        .ok()?;
    Some(out)
}

/// Why the fast path gave up (never shown: the caller falls back).
#[derive(Debug)]
pub struct Unsupported;

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("outside the shape of an entry file")
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsupported
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

/// Where a node is written.
#[derive(Clone, Copy)]
enum At {
    /// The document: only a map.
    Top,
    /// The value of a key written at this indent (`key:` is written).
    Key(usize),
    /// An item of a list, after `- `; the item's further keys go at this indent.
    Item(usize),
}

struct Node<'a> {
    out: &'a mut String,
    at: At,
}

impl Node<'_> {
    /// A scalar, already in its style, and the end of its line.
    fn scalar(self, text: &str) -> Result {
        match self.at {
            At::Top => return Err(Unsupported),
            At::Key(_) => self.out.push(' '),
            At::Item(_) => {}
        }
        self.out.push_str(text);
        self.out.push('\n');
        Ok(())
    }

    fn number(self, v: impl fmt::Display) -> Result {
        use std::fmt::Write as _;
        let mut s = String::new();
        let _ = write!(s, "{v}");
        self.scalar(&s)
    }
}

/// A string as serde-saphyr writes it as a value.
enum Styled<'s> {
    /// On the key's line (or after `- `).
    Inline(Cow<'s, str>),
    /// A block scalar: its header, a line break and its lines.
    Block(String),
}

/// How serde-saphyr writes the string `s` as the value of a key at
/// `indent` (or an item of a list when `indent` is `None`), when the rules
/// here are sure of it.
fn styled(s: &str, indent: Option<usize>) -> Result<Styled<'_>> {
    if s.contains('\n') {
        // Several lines: a literal block when every character can be in
        // one, else a quoted line.
        if block_safe(s) {
            return literal(s, indent.ok_or(Unsupported)?).map(Styled::Block);
        }
        return asked(s).map(|l| Styled::Inline(Cow::Owned(l)));
    }
    if s.len() > FOLD && s.chars().count() > FOLD {
        // A long line is folded when it could be plain (trailing spaces
        // aside); serde-saphyr is asked about any other.
        let probe = s.trim_end_matches(' ');
        if !probe.is_empty() && plain(probe) {
            let mut out = String::from(">-\n");
            fold(&mut out, s, &" ".repeat(indent.ok_or(Unsupported)? + 2));
            return Ok(Styled::Block(out));
        }
        return asked(s).map(|l| Styled::Inline(Cow::Owned(l)));
    }
    if plain(s) {
        return Ok(Styled::Inline(Cow::Borrowed(s)));
    }
    if quoted_as_is(s) {
        return Ok(Styled::Inline(Cow::Owned(format!("\"{s}\""))));
    }
    asked(s).map(|l| Styled::Inline(Cow::Owned(l)))
}

/// serde-saphyr's answer for one string, when it is a plain or
/// double-quoted line.
fn asked(s: &str) -> Result<String> {
    let answer = serde_saphyr::to_string(&s).map_err(|_| Unsupported)?;
    match answer.strip_suffix('\n') {
        Some(line) if !line.contains('\n') && (line == s || line.starts_with('"')) => {
            Ok(line.to_owned())
        }
        _ => Err(Unsupported),
    }
}

/// Whether every character of `s` can stand in a block scalar.
fn block_safe(s: &str) -> bool {
    s.chars().all(|c| match c {
        '\n' | '\t' => true,
        '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' => false,
        c => matches!(
            c as u32,
            0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x0010_FFFF
        ),
    })
}

/// A literal block (`|`) for a key at `indent`: chomping by the trailing
/// line breaks, an indentation indicator when the first line starts with
/// spaces, empty lines left empty.
fn literal(s: &str, indent: usize) -> Result<String> {
    let content = s.trim_end_matches('\n');
    let trailing = s.len() - content.len();
    let mut out = String::with_capacity(s.len() + 16);
    out.push('|');
    let leading = content
        .split('\n')
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with(' '));
    if leading {
        out.push('2');
    }
    match trailing {
        0 => out.push('-'),
        1 if !content.is_empty() => {}
        _ => out.push('+'),
    }
    out.push('\n');
    if content.is_empty() {
        for _ in 0..trailing {
            out.push('\n');
        }
        return Ok(out);
    }
    let pad = " ".repeat(indent + 2);
    for line in content.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing.max(1) {
        out.push('\n');
    }
    Ok(out)
}

/// The lines of a folded block (`>`) for one line of text: broken only at
/// runs of ASCII spaces once a line passes the folding width, one space of
/// each run standing for the break.
fn fold(out: &mut String, line: &str, pad: &str) {
    let mut start = 0;
    let mut col = 0;
    // The last run of spaces: (start, end, length in characters).
    let mut last: Option<(usize, usize, usize)> = None;
    let (mut in_run, mut run_start, mut run_len) = (false, 0, 0);
    let (mut prev, mut prev_len) = (0, 0);
    for (i, ch) in line.char_indices() {
        if in_run && ch != ' ' {
            // A tab after the run would make the next line more indented.
            if ch != '\t' {
                last = Some((run_start, prev + prev_len, run_len));
            }
            in_run = false;
            run_len = 0;
        }
        if ch == ' ' {
            if in_run {
                run_len += 1;
            } else {
                (in_run, run_start, run_len) = (true, i, 1);
            }
        }
        col += 1;
        if col > FOLD {
            let Some((ws_start, ws_end, ws_len)) = last else {
                break;
            };
            out.push_str(pad);
            out.push_str(&line[start..ws_start]);
            for _ in 1..ws_len {
                out.push(' ');
            }
            out.push('\n');
            start = ws_end;
            col = 0;
            last = None;
        }
        prev = i;
        prev_len = ch.len_utf8();
    }
    out.push_str(pad);
    out.push_str(&line[start..]);
    out.push('\n');
}

/// Characters serde-saphyr escapes, which force double quotes.
fn escaped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// Whether serde-saphyr surely finds `s` fit to be plain, its length aside
/// (false when unsure).
fn plain(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if last.is_ascii_whitespace() {
        return false;
    }
    if first.is_ascii_digit() {
        // Digits and hyphens: plain unless a number or a date.
        return b.iter().all(|c| c.is_ascii_digit() || *c == b'-') && !quoted_as_is(s);
    }
    // A non-ASCII first character starts no YAML indicator, number,
    // keyword or date; a letter starts only keywords (null, true, yes, on,
    // n, nan, inf …), none longer than five letters.
    let lead = first >= 0x80
        || (first.is_ascii_alphabetic() && (b.len() > 5 || !b.iter().all(u8::is_ascii_alphabetic)));
    if !lead {
        return false;
    }
    let mut after_space = false;
    for c in s.chars() {
        // `#` after whitespace would start a comment.
        if escaped(c) || (c == '#' && after_space) {
            return false;
        }
        after_space = c.is_whitespace();
    }
    !s.contains(": ") && !s.trim().ends_with(':')
}

/// Digits, or a date (`2024-1-01`): serde-saphyr quotes them, and they need
/// no escapes.
fn quoted_as_is(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let mut parts = s.split('-');
    let mut run = |min: usize, max: usize| {
        parts.next().is_some_and(|p| {
            (min..=max).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
        })
    };
    run(4, 4) && run(1, 2) && run(1, 2) && parts.next().is_none()
}

/// Keys entry files use: snake_case words that are no YAML keyword.
fn key_ok(k: &str) -> bool {
    k.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && k.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        && !matches!(k, "null" | "true" | "false" | "nan" | "inf")
}

macro_rules! unsupported {
    ($($f:ident($($t:ty),*)),* $(,)?) => {
        $(fn $f(self, $(_: $t),*) -> Result<Self::Ok> { Err(Unsupported) })*
    };
}

impl<'a> ser::Serializer for Node<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = List<'a>;
    type SerializeTuple = Impossible<(), Unsupported>;
    type SerializeTupleStruct = Impossible<(), Unsupported>;
    type SerializeTupleVariant = Impossible<(), Unsupported>;
    type SerializeMap = Impossible<(), Unsupported>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = Impossible<(), Unsupported>;

    fn serialize_bool(self, v: bool) -> Result {
        self.scalar(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.number(v)
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.number(v)
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.number(v)
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.number(v)
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.number(v)
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.number(v)
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.number(v)
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.number(v)
    }
    unsupported!(
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );
    fn serialize_str(self, v: &str) -> Result {
        let indent = match self.at {
            At::Key(indent) => Some(indent),
            _ => None,
        };
        match styled(v, indent)? {
            Styled::Inline(text) => self.scalar(&text),
            Styled::Block(lines) => {
                // Only after a key (`indent` is given only there).
                self.out.push(' ');
                self.out.push_str(&lines);
                Ok(())
            }
        }
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Result {
        v.serialize(self)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result {
        // serde-saphyr gives some newtype names a meaning of their own.
        Err(Unsupported)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result {
        Err(Unsupported)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<List<'a>> {
        // Lists only as values of the document's keys: `key:` then `- item`
        // lines at the key's indent.
        match self.at {
            At::Key(0) => {
                self.out.push('\n');
                Ok(List {
                    out: self.out,
                    items: 0,
                })
            }
            _ => Err(Unsupported),
        }
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple> {
        Err(Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(Unsupported)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap> {
        Err(Unsupported)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Map<'a>> {
        let (indent, inline_first) = match self.at {
            At::Top => (0, false),
            // A map under a key of the document: its keys indented by two.
            At::Key(0) => {
                self.out.push('\n');
                (2, false)
            }
            // A map in a list of the document: its first key after `- `.
            At::Item(2) => (2, true),
            _ => return Err(Unsupported),
        };
        Ok(Map {
            out: self.out,
            indent,
            inline_first,
            keys: 0,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(Unsupported)
    }
}

/// A list under a key of the document.
pub struct List<'a> {
    out: &'a mut String,
    items: usize,
}

impl ser::SerializeSeq for List<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result {
        self.out.push_str("- ");
        self.items += 1;
        v.serialize(Node {
            out: self.out,
            at: At::Item(2),
        })
    }
    fn end(self) -> Result {
        // An empty list is written `[]`: left to serde-saphyr.
        if self.items == 0 {
            return Err(Unsupported);
        }
        Ok(())
    }
}

/// A map: the document, a map under one of its keys, or an item of a list.
pub struct Map<'a> {
    out: &'a mut String,
    indent: usize,
    inline_first: bool,
    keys: usize,
}

impl ser::SerializeStruct for Map<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> Result {
        if !key_ok(key) {
            return Err(Unsupported);
        }
        if !(self.inline_first && self.keys == 0) {
            for _ in 0..self.indent {
                self.out.push(' ');
            }
        }
        self.keys += 1;
        self.out.push_str(key);
        self.out.push(':');
        v.serialize(Node {
            out: self.out,
            at: At::Key(self.indent),
        })
    }
    fn end(self) -> Result {
        // An empty map is written `{}`: left to serde-saphyr.
        if self.keys == 0 {
            return Err(Unsupported);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogEntry;
    use proptest::prelude::*;

    fn general(e: &CatalogEntry) -> String {
        serde_saphyr::to_string(e).expect("serializes")
    }

    /// The entries of the sample catalog (`items/`).
    fn samples() -> Vec<CatalogEntry> {
        static SAMPLES: std::sync::OnceLock<Vec<CatalogEntry>> = std::sync::OnceLock::new();
        SAMPLES.get_or_init(read_samples).clone()
    }

    fn read_samples() -> Vec<CatalogEntry> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/items");
        let mut out = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("items/ readable").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "yaml") {
                    let text = std::fs::read_to_string(&p).expect("readable");
                    out.push(serde_saphyr::from_str(&text).expect("an entry"));
                }
            }
        }
        assert!(out.len() > 10, "the sample catalog has entries");
        out
    }

    #[test]
    fn the_sample_catalog_is_written_as_serde_saphyr_writes_it_and_none_falls_back() {
        for e in samples() {
            let fast = to_yaml(&e);
            assert_eq!(
                fast.as_deref(),
                Some(general(&e).as_str()),
                "{}",
                e.impl_code
            );
        }
    }

    #[test]
    fn block_scalars_and_awkward_strings() {
        let base = samples().remove(0);
        let texts = [
            "第一行\n第二行",
            "  缩进的第一行\n第二行\n",
            "结尾两个换行\n\n",
            "\n",
            "带\r回车\n的两行",
            &"很长的一行没有空格".repeat(12),
            &"word ".repeat(40),
            &format!("{}  two spaces {}", "x".repeat(78), "y".repeat(90)),
            &format!("{}\tthen tab {}", "x ".repeat(40), "z".repeat(10)),
            "2024-11-01",
            "2024-1-1",
            "12:30",
            "0738-5956337",
            "432006052000",
            "-",
            "#",
            "- a",
            "a #b",
            "a: b",
            "结尾冒号：:",
            "true",
            "No",
            "~",
            "<<",
            "",
            " 前导空格",
            "尾随空格 ",
            "\u{3000}全角空格:\u{3000}",
            "BOM\u{FEFF}",
            "引号\"和\\反斜杠",
            "0x1F",
            "1e5",
            ".5",
            "+1",
            "https://example.org/a?b=c#d",
        ];
        for t in texts {
            let mut e = base.clone();
            e.conditions = Some(t.to_string());
            e.audience = vec![t.to_string(), "自然人".into()];
            if let Some(m) = e.materials.first_mut() {
                m.notes = Some(t.to_string());
            }
            e.source.sheet = t.to_string();
            if let Some(fast) = to_yaml(&e) {
                assert_eq!(fast, general(&e), "{t:?}");
            }
        }
        // Several lines and long lines are written here, not left to the
        // general emitter.
        let mut e = base.clone();
        e.conditions = Some("一、条件一；\n二、条件二。".into());
        e.legal_basis = Some(format!("{} 第三条", "《某某条例》".repeat(16)));
        e.materials[0].notes = Some("第一行\n第二行".into());
        assert_eq!(to_yaml(&e).as_deref(), Some(general(&e).as_str()));
    }

    /// Strings that stress the style rules: YAML keywords, numbers, dates,
    /// indicators, comments, control characters, line breaks, long lines.
    fn awkward() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a",
            "Z",
            "yes",
            "null",
            "0",
            "9",
            "-",
            ":",
            ": ",
            " ",
            "#",
            " #",
            ".",
            "_",
            "e",
            "x",
            "T",
            "中",
            "，",
            "：",
            "\n",
            "\t",
            "\"",
            "'",
            "\\",
            "\u{85}",
            "\u{3000}",
            "+",
            "!",
            "&",
            "*",
            "%",
            "@",
            "`",
            "|",
            ">",
            "[",
            "{",
            ",",
            "2024-11-01",
            "12:30",
            "\r",
            "\u{FEFF}",
            "~",
            "<<",
            "条例",
            "第三条",
            "---",
        ]);
        prop_oneof![
            3 => prop::collection::vec(piece.clone(), 0..8).prop_map(|v| v.concat()),
            1 => prop::collection::vec(piece, 20..70).prop_map(|v| v.concat()),
            1 => "[0-9-]{1,14}",
            1 => "\\PC{0,100}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn what_it_writes_is_what_serde_saphyr_writes(
            strings in prop::collection::vec(awkward(), 12),
            pick in 0usize..1000,
            drop_lists in any::<bool>(),
        ) {
            let all = samples();
            let mut e = all[pick % all.len()].clone();
            let mut s = strings.into_iter();
            let mut next = || s.next().unwrap_or_default();
            e.name = next();
            e.conditions = Some(next());
            e.legal_basis = Some(next());
            e.hours = Some(next());
            e.division = next();
            e.process = vec![next(), next()];
            if let Some(m) = e.materials.first_mut() {
                m.name = next();
                m.notes = Some(next());
                m.basis = Some(next());
            }
            e.source.file = next();
            e.source.sheet = next();
            if drop_lists {
                e.audience.clear();
                e.materials.clear();
            }
            let fast = to_yaml(&e);
            if let Some(fast) = &fast {
                prop_assert_eq!(fast, &general(&e));
            }
        }
    }
}
