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
//! entry with serde-saphyr. Its tests (`tests.rs`) hold the two equal on random
//! entries.

mod style;

use serde::Serialize;
use serde::ser::{self, Impossible};
use std::fmt;
use style::{Styled, styled};

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

/// The first two lines of an entry file: its 实施编码 and 基本编码, as
/// [`crate::catalog::CatalogEntry::to_yaml`] writes them. With
/// [`after_code_lines`] of the same entry written with any codes, the file.
pub fn code_lines(impl_code: &str, basic_code: &str) -> String {
    #[derive(Serialize)]
    struct Codes<'a> {
        impl_code: &'a str,
        basic_code: &'a str,
    }
    let codes = Codes {
        impl_code,
        basic_code,
    };
    to_yaml(&codes).unwrap_or_else(|| serde_saphyr::to_string(&codes).expect("two strings"))
}

/// An entry file without its first two lines, the codes (each on one line
/// whatever they are: short strings).
pub fn after_code_lines(yaml: &str) -> &str {
    let mut lines = yaml.match_indices('\n');
    match lines.nth(1) {
        Some((i, _)) => &yaml[i + 1..],
        None => "",
    }
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

/// Keys entry files use: snake_case words that are no YAML keyword.
fn key_ok(k: &str) -> bool {
    /// The bytes of such words.
    static WORD: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
            c += 1;
        }
        t
    };
    k.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
        && k.bytes().all(|c| WORD[usize::from(c)])
        && (k.len() > 5 || !matches!(k, "null" | "true" | "false" | "nan" | "inf"))
}

macro_rules! unsupported {
    ($($f:ident($($t:ty),*)),* $(,)?) => {
        $(fn $f(self, $(_: $t),*) -> Result<Self::Ok> { Err(Unsupported) })*
    };
}

/// Integers are written as Rust prints them, as serde-saphyr does.
macro_rules! numbers {
    ($($f:ident($t:ty)),* $(,)?) => {
        $(fn $f(self, v: $t) -> Result<Self::Ok> { self.number(v) })*
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
    numbers!(
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
    );
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
mod tests;
