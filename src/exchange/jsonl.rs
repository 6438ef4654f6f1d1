//! One JSON object a line, in the platform's columns: a row is read into
//! the cells of a table's columns (plus the keys the table does not have,
//! kept for the report), without building a document of the line; a row
//! is written with its keys in the table's order, so the same row always
//! gives the same bytes.

use super::tables::{Column, Ty, index_of};
use serde::de::{DeserializeSeed, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A value to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
}

impl Value {
    /// Text, or null when empty.
    pub fn text_or_null(s: &str) -> Value {
        if s.is_empty() {
            Value::Null
        } else {
            Value::Text(s.to_string())
        }
    }
}

/// A row read from a line: the text of each column (numbers as their
/// digits, true/false as 1/0, arrays and objects as their JSON), none when
/// absent, null or empty — borrowed from the line where JSON needs no
/// unescaping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row<'a> {
    /// The line of the file (1-based).
    pub line: u32,
    pub cells: Vec<Option<Cow<'a, str>>>,
    /// Keys the table does not have, and their text.
    pub extra: Vec<(String, String)>,
}

impl Row<'_> {
    /// The row, owning its text.
    pub fn into_owned(self) -> Row<'static> {
        Row {
            line: self.line,
            cells: (self.cells.into_iter())
                .map(|c| c.map(|c| Cow::Owned(c.into_owned())))
                .collect(),
            extra: self.extra,
        }
    }

    /// The cell of a column by key.
    pub fn get<'a>(&'a self, columns: &[Column], key: &str) -> Option<&'a str> {
        let i = index_of(columns, key)?;
        self.cells.get(i)?.as_deref()
    }

    /// A key the table does not have.
    pub fn extra(&self, key: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a line is no row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine(pub String);

/// Parses a line into a row of `columns`.
pub fn parse<'a>(line: &'a str, number: u32, columns: &[Column]) -> Result<Row<'a>, BadLine> {
    let mut de = serde_json::Deserializer::from_str(line);
    let mut row = (RowSeed { columns }).deserialize(&mut de).map_err(|e| {
        // serde_json counts columns in bytes; the line is what users need.
        BadLine(strip_position(&e.to_string()))
    })?;
    de.end()
        .map_err(|e| BadLine(strip_position(&e.to_string())))?;
    row.line = number;
    Ok(row)
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

struct RowSeed<'c> {
    columns: &'c [Column],
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Row<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Row<'de>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = Row<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object (one record a line)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row<'de>, A::Error> {
        let mut row = Row {
            line: 0,
            cells: vec![None; self.columns.len()],
            extra: Vec::new(),
        };
        // Rows usually come with their keys in the table's order (yima
        // writes them so): the next column is tried before the index.
        let mut next = 0;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let text = map.next_value::<CellText<'de>>()?.0;
            let at = match self.columns.get(next) {
                Some(c) if c.key == key => Some(next),
                _ => index_of(self.columns, &key),
            };
            next = at.map_or(next, |i| i + 1);
            match at {
                Some(i) => row.cells[i] = text,
                None => {
                    if let Some(t) = text {
                        row.extra.push((key.into_owned(), t.into_owned()));
                    }
                }
            }
        }
        Ok(row)
    }
}

/// A value as text (see [`Row`]).
struct CellText<'a>(Option<Cow<'a, str>>);

impl<'de> serde::Deserialize<'de> for CellText<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = CellText<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<CellText<'de>, E> {
        Ok(CellText((!v.is_empty()).then_some(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<CellText<'de>, E> {
        Ok(CellText((!v.is_empty()).then(|| Cow::Owned(v.to_string()))))
    }
    fn visit_string<E>(self, v: String) -> Result<CellText<'de>, E> {
        Ok(CellText((!v.is_empty()).then_some(Cow::Owned(v))))
    }
    fn visit_u64<E>(self, v: u64) -> Result<CellText<'de>, E> {
        Ok(CellText(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_i64<E>(self, v: i64) -> Result<CellText<'de>, E> {
        Ok(CellText(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E>(self, v: f64) -> Result<CellText<'de>, E> {
        // A whole number written with a fraction (`20.0`) is the number.
        let text = if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{}", v as i64)
        } else {
            v.to_string()
        };
        Ok(CellText(Some(Cow::Owned(text))))
    }
    fn visit_bool<E>(self, v: bool) -> Result<CellText<'de>, E> {
        Ok(CellText(Some(Cow::Borrowed(if v { "1" } else { "0" }))))
    }
    fn visit_unit<E>(self) -> Result<CellText<'de>, E> {
        Ok(CellText(None))
    }
    fn visit_none<E>(self) -> Result<CellText<'de>, E> {
        Ok(CellText(None))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> Result<CellText<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element::<serde_json::Value>()? {
            items.push(v);
        }
        Ok(CellText(Some(Cow::Owned(
            serde_json::Value::Array(items).to_string(),
        ))))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CellText<'de>, A::Error> {
        let mut obj = serde_json::Map::new();
        while let Some(k) = map.next_key::<String>()? {
            obj.insert(k, map.next_value::<serde_json::Value>()?);
        }
        Ok(CellText(Some(Cow::Owned(
            serde_json::Value::Object(obj).to_string(),
        ))))
    }
}

/// Whether a line's key is `task_code` = `code`: finds the value without
/// parsing the line, for the index of child rows. None when the line does
/// not say it plainly (the row is then parsed).
pub fn quick_task_code(line: &[u8]) -> Option<&[u8]> {
    const KEY: &[u8] = b"\"task_code\":";
    let at = memchr::memmem::find(line, KEY)? + KEY.len();
    let rest = &line[at..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let rest = rest.strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', rest)?;
    let code = &rest[..end];
    (!code.contains(&b'\\')).then_some(code)
}

/// The `task_code` of a line, parsed.
pub fn task_code_of(line: &str) -> Option<String> {
    const ONE: &[Column] = &[Column {
        key: "task_code",
        ty: Ty::Text,
        required: true,
        title: "实施编码",
    }];
    let row = parse(line, 0, ONE).ok()?;
    row.cells.into_iter().next().flatten().map(Cow::into_owned)
}

/// Writes a row of `columns` (values in the same order) as one line.
pub fn write(out: &mut Vec<u8>, columns: &[Column], values: &[Value]) {
    debug_assert_eq!(columns.len(), values.len());
    out.push(b'{');
    for (i, (c, v)) in columns.iter().zip(values).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(c.key.as_bytes());
        out.extend_from_slice(b"\":");
        match v {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Value::Text(s) => {
                serde_json::to_writer(&mut *out, s).expect("writing to memory");
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

/// The value a column needs when yima has nothing for it: null, or for a
/// NOT NULL column an empty text or 0.
pub fn empty(c: &Column) -> Value {
    match (c.required, c.ty) {
        (false, _) => Value::Null,
        (true, Ty::Int) => Value::Int(0),
        (true, _) => Value::Text(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::tables::{FEE, MATERIAL};

    #[test]
    fn a_row_reads_every_kind_of_value() {
        let line = r#"{"fee_name":"工本费","order_num":2,"is_desc":true,"remark":null,"by_law":"","x":[{"a":1}],"fee_stand":"10.0"}"#;
        let row = parse(line, 7, FEE).unwrap();
        assert_eq!(row.line, 7);
        assert_eq!(row.get(FEE, "fee_name"), Some("工本费"));
        assert_eq!(row.get(FEE, "order_num"), Some("2"));
        assert_eq!(row.get(FEE, "is_desc"), Some("1"));
        assert_eq!(row.get(FEE, "remark"), None);
        assert_eq!(row.get(FEE, "by_law"), None);
        assert_eq!(row.get(FEE, "fee_stand"), Some("10.0"));
        assert_eq!(row.extra("x"), Some(r#"[{"a":1}]"#));
        assert!(parse("[1,2]", 1, FEE).is_err());
        assert!(parse(r#"{"a":1} x"#, 1, FEE).is_err());
        assert!(parse(r#"{"a":"#, 1, FEE).is_err());
    }

    #[test]
    fn rows_write_in_column_order_and_read_back() {
        let mut values: Vec<Value> = MATERIAL.iter().map(empty).collect();
        values[index_of(MATERIAL, "material_name").unwrap()] =
            Value::Text("身份证\n\"原件\"".into());
        values[index_of(MATERIAL, "order_num").unwrap()] = Value::Int(3);
        let mut out = Vec::new();
        write(&mut out, MATERIAL, &values);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(r#"{"accept_stand":null,"by_law":null,"cd_batch":"""#));
        assert!(text.ends_with("}\n"));
        let row = parse(text.trim_end(), 1, MATERIAL).unwrap();
        assert_eq!(row.get(MATERIAL, "material_name"), Some("身份证\n\"原件\""));
        assert_eq!(row.get(MATERIAL, "order_num"), Some("3"));
        assert_eq!(quick_task_code(text.as_bytes()), Some(&b""[..]));
    }

    #[test]
    fn the_task_code_is_found_without_parsing() {
        let line = br#"{"answer":"a","task_code":"1145072100811537184452004020000","x":1}"#;
        assert_eq!(
            quick_task_code(line),
            Some(&b"1145072100811537184452004020000"[..])
        );
        assert_eq!(quick_task_code(br#"{"task_code": 12}"#), None);
        assert_eq!(
            task_code_of(r#"{"task_code": 12, "a": [1]}"#).as_deref(),
            Some("12")
        );
    }
}
