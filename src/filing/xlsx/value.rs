//! A cell's value finished from its type (`t`) and what its `<v>` or
//! `<is>` holds: a shared string looked up, a number written as people
//! typed it, a boolean or error as Excel shows it. A value that is not
//! what its type says — a shared string index that is not one, a number
//! cell that is not a number — is a [`Fault`] the scanner reports at the
//! cell, never read as another value.

use super::decode::unescape_x;
use super::strings::Strings;
use crate::filing::grid::push_float;

/// The type of a cell (`t` attribute).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum CellType {
    Number,
    NumberDeclared,
    Shared,
    Str,
    Inline,
    Bool,
    Error,
    Date,
}

/// What is wrong with a cell.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Fault {
    /// A `t` the format does not have.
    Type(String),
    /// A shared string index that is not plain digits.
    Index(String),
    /// A shared string index past the table's end (its length).
    Missing(u64, usize),
    /// A cell declared a number (`t="n"`) whose value is not one.
    Number(String),
    /// A cell declared a boolean whose value is not one.
    Bool(String),
    /// A cell declared an error whose value is not one.
    ErrorValue(String),
    /// A cell past the sheet's last column.
    Column,
}

impl Fault {
    /// What to tell the user, the cell named by the caller.
    pub(super) fn says(&self) -> crate::diag::Text {
        use crate::text;
        let short = |s: &str| -> String { s.chars().take(24).collect() };
        match self {
            Fault::Type(t) => {
                let t = short(t);
                text!("的类型“{t}”不存在", "has a type `{t}` that does not exist")
            }
            Fault::Index(v) => {
                let v = short(v);
                text!(
                    "的共享字符串编号“{v}”无效",
                    "has a shared string index `{v}` that is not one"
                )
            }
            Fault::Missing(i, n) => text!(
                "引用第 {i} 个共享字符串，但共享字符串表只有 {n} 条",
                "refers to shared string {i}, but the table holds only {n}"
            ),
            Fault::Number(v) => {
                let v = short(v);
                text!(
                    "声明为数字，值“{v}”却不是数字",
                    "is declared a number but holds `{v}`"
                )
            }
            Fault::Bool(v) => {
                let v = short(v);
                text!(
                    "声明为逻辑值，值“{v}”却不是",
                    "is declared a boolean but holds `{v}`"
                )
            }
            Fault::Column => {
                let most = crate::filing::limits::COLUMNS;
                text!(
                    "超出 Excel 的 {most} 列",
                    "lies past Excel's {most} columns"
                )
            }
            Fault::ErrorValue(v) => {
                let v = short(v);
                text!(
                    "声明为错误值，值“{v}”却不是",
                    "is declared an error value but holds `{v}`"
                )
            }
        }
    }
}

/// The type a cell's `t` attribute gives.
pub(super) fn cell_type(t: Option<&[u8]>) -> Result<CellType, Fault> {
    Ok(match t {
        None => CellType::Number,
        Some(b"n") => CellType::NumberDeclared,
        Some(b"s") => CellType::Shared,
        Some(b"str") => CellType::Str,
        Some(b"inlineStr") => CellType::Inline,
        Some(b"b") => CellType::Bool,
        Some(b"e") => CellType::Error,
        Some(b"d") => CellType::Date,
        Some(other) => return Err(Fault::Type(String::from_utf8_lossy(other).into_owned())),
    })
}

/// `v` when it is an integer as writers write one — ASCII digits, no
/// leading zero, at most 15 of them, so exact in an f64 — whose text
/// [`push_float`] would give back unchanged: it need not be parsed.
#[inline(always)]
pub(super) fn plain_integer(v: &[u8]) -> Option<&str> {
    let plain = match v {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.len() < 15 && rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if plain {
        std::str::from_utf8(v).ok()
    } else {
        None
    }
}

/// The shared string index a cell's value gives: plain digits, nothing
/// else (no sign, no fraction, no white space), as Excel writes it.
pub(super) fn shared_index(v: &str) -> Result<u64, Fault> {
    if v.is_empty() || v.len() > 20 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Fault::Index(v.to_string()));
    }
    v.parse().map_err(|_| Fault::Index(v.to_string()))
}

/// Writes a cell's text, from its type and the text of its `<v>` or
/// `<is>`, into `out` (empty for an empty cell); true when it is a number.
pub(super) fn finish_cell(
    ty: CellType,
    v: &str,
    strings: &Strings,
    out: &mut String,
) -> Result<bool, Fault> {
    match ty {
        CellType::Shared => {
            if v.is_empty() {
                return Ok(false);
            }
            let i = shared_index(v)?;
            match usize::try_from(i).ok().and_then(|i| strings.get(i)) {
                Some(s) => out.push_str(s),
                None => return Err(Fault::Missing(i, strings.len())),
            }
        }
        CellType::Number | CellType::NumberDeclared => {
            if v.is_empty() {
                return Ok(false);
            }
            if let Some(digits) = plain_integer(v.as_bytes()) {
                out.push_str(digits);
                return Ok(true);
            }
            match v.parse::<f64>() {
                Ok(f) => {
                    push_float(out, f);
                    return Ok(true);
                }
                // (A cell without a type holding text reads as the text,
                // as calamine reads it.)
                Err(_) if ty == CellType::Number => out.push_str(v),
                Err(_) => return Err(Fault::Number(v.to_string())),
            }
        }
        CellType::Str => unescape_x(v, out),
        CellType::Inline | CellType::Date => out.push_str(v),
        CellType::Bool => match v.trim() {
            "" => {}
            "1" | "true" => out.push_str("TRUE"),
            "0" | "false" => out.push_str("FALSE"),
            _ => return Err(Fault::Bool(v.to_string())),
        },
        CellType::Error => {
            // The errors Excel shows (`#DIV/0!`, `#N/A`, and the newer
            // `#SPILL!`, `#CALC!` …), as they are written.
            let known = v.len() <= 16
                && v.starts_with('#')
                && v[1..]
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"/!?_".contains(&b));
            if !known {
                return Err(Fault::ErrorValue(v.to_string()));
            }
            out.push_str(v)
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_integers_are_kept_as_written_and_others_parsed() {
        // Kept: what parsing and printing would give back unchanged.
        for v in ["0", "7", "46", "123456789012345"] {
            assert_eq!(plain_integer(v.as_bytes()), Some(v));
            let mut printed = String::new();
            push_float(&mut printed, v.parse().unwrap());
            assert_eq!(printed, v);
        }
        // Parsed: a sign, a leading zero, a fraction or exponent, white
        // space, 16 digits or more (not all exact), nothing.
        for v in [
            "-1",
            "+1",
            "007",
            "00",
            "1.5",
            "2.0",
            "1E3",
            " 1",
            "1 ",
            "1234567890123456",
            "",
        ] {
            assert_eq!(plain_integer(v.as_bytes()), None, "{v}");
        }
        // What a number cell reads as, either way.
        let strings = Strings::default();
        for (v, text) in [("46", "46"), ("007", "7"), ("2.0", "2"), ("0.5", "0.5")] {
            let mut out = String::new();
            assert!(finish_cell(CellType::Number, v, &strings, &mut out).unwrap());
            assert_eq!(out, text);
        }
    }

    #[test]
    fn a_shared_string_index_is_plain_digits_within_the_table_or_a_fault() {
        let strings = Strings::default();
        for v in [
            "abc",
            "-1",
            "37.0",
            " 1",
            "1 ",
            "+1",
            "1e3",
            "18446744073709551616",
        ] {
            let fault = finish_cell(CellType::Shared, v, &strings, &mut String::new());
            assert_eq!(fault, Err(Fault::Index(v.to_string())), "{v}");
        }
        for v in ["0", "7", "4294967296", "18446744073709551615"] {
            let fault = finish_cell(CellType::Shared, v, &strings, &mut String::new());
            assert!(matches!(fault, Err(Fault::Missing(_, 0))), "{v}: {fault:?}");
        }
    }

    #[test]
    fn values_that_are_not_what_their_type_says_are_faults() {
        let strings = Strings::default();
        let finish = |ty, v| finish_cell(ty, v, &strings, &mut String::new());
        assert!(matches!(
            finish(CellType::NumberDeclared, "x"),
            Err(Fault::Number(_))
        ));
        assert!(matches!(finish(CellType::Bool, "2"), Err(Fault::Bool(_))));
        assert!(matches!(
            finish(CellType::Error, "oops"),
            Err(Fault::ErrorValue(_))
        ));
        let mut out = String::new();
        finish_cell(CellType::Error, "#SPILL!", &strings, &mut out).unwrap();
        assert_eq!(out, "#SPILL!");
        assert!(matches!(cell_type(Some(b"x")), Err(Fault::Type(_))));
    }
}
