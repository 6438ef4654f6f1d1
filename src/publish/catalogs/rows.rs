//! The entry rows of a catalog sheet as SpreadsheetML, written here rather
//! than cell by cell through rust_xlsxwriter (which looks up each cell's
//! format by hashing it: most of a 100,000-entry catalog's time) and in
//! pieces of [`ROWS`] rows, each deflated on its own and kept for the next
//! build ([`crate::publish::pieces`]). The XML is what rust_xlsxwriter
//! writes for the same cells — inline strings, its escapes, its styles —
//! which a test holds it to.

use super::{CODE_COLUMNS, COLUMNS, Cell, RowContext, looks_like_formula};
use crate::catalog::CatalogEntry;
use crate::standard::divisions::Divisions;
use std::fmt::Write;

/// Entry rows per piece: a changed entry costs its piece, a few hundred
/// KB of XML to write and deflate.
pub const ROWS: usize = 256;

/// The style (cellXfs index) of each kind of cell, as the frame registered
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StyleIds {
    pub text: u32,
    pub quoted: u32,
    pub code: u32,
    pub number: u32,
}

/// The XML of `entries` as rows from row `first_row` (1-based), their 序号
/// counting from `first_seq`.
pub fn xml(
    entries: &[&CatalogEntry],
    first_row: u32,
    first_seq: usize,
    divisions: &Divisions,
    styles: StyleIds,
) -> Vec<u8> {
    let letters: Vec<String> = (0..COLUMNS.len() as u32)
        .map(crate::model::column_letter)
        .collect();
    let code: Vec<bool> = COLUMNS
        .iter()
        .map(|c| CODE_COLUMNS.contains(&c.header))
        .collect();
    let mut out = String::with_capacity(entries.len() * 2048);
    for (i, entry) in entries.iter().enumerate() {
        let row = first_row + i as u32;
        let r = RowContext {
            seq: first_seq + i,
            entry,
            divisions,
        };
        let _ = write!(out, r#"<row r="{row}">"#);
        for (c, column) in COLUMNS.iter().enumerate() {
            let at = &letters[c];
            let plain = if code[c] { styles.code } else { styles.text };
            match (column.value)(&r) {
                Cell::Text(s) if !s.is_empty() => {
                    let s = super::excel_text(&s);
                    let style = if looks_like_formula(s) {
                        styles.quoted
                    } else {
                        plain
                    };
                    let ends = ['\t', '\n', ' '];
                    let preserve = if s.starts_with(ends) || s.ends_with(ends) {
                        r#" xml:space="preserve""#
                    } else {
                        ""
                    };
                    let _ = write!(
                        out,
                        r#"<c r="{at}{row}" s="{style}" t="inlineStr"><is><t{preserve}>"#
                    );
                    escape(&mut out, &escape_escapes(s));
                    out.push_str("</t></is></c>");
                }
                Cell::Number(n) => {
                    let _ = write!(
                        out,
                        r#"<c r="{at}{row}" s="{}"><v>{n}</v></c>"#,
                        styles.number
                    );
                }
                Cell::Text(_) | Cell::Blank => {
                    let _ = write!(out, r#"<c r="{at}{row}" s="{plain}"/>"#);
                }
            }
        }
        out.push_str("</row>");
    }
    out.into_bytes()
}

/// Text as XML character data, as Excel writes it: `& < >` escaped, and
/// the control characters XML cannot hold (and U+FFFE, U+FFFF) as `_xHHHH_`.
fn escape(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(ch),
            '\0'..='\x1f' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "_x{:04X}_", ch as u32);
            }
            _ => out.push(ch),
        }
    }
}

/// Text that already reads as an escape (`_x0041_`) keeps it: its leading
/// `_` is written `_x005F_`, as Excel does.
fn escape_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    const LEN: usize = "_xHHHH_".len();
    if !s.contains("_x") {
        return s.into();
    }
    let mut out = s.to_string();
    // From the right, so that each insertion leaves the places before it.
    for (i, _) in s.rmatch_indices("_x") {
        let whole = s.get(i + 2..i + LEN).is_some_and(|t| {
            t.len() == LEN - 2
                && t.ends_with('_')
                && t[..LEN - 3].chars().all(|c| c.is_ascii_hexdigit())
        });
        if whole {
            out.insert_str(i, "_x005F");
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_as_excel_writes_it() {
        let mut out = String::new();
        escape(&mut out, "a&b<c>\"d'\t\n\r\x01\u{fffe}");
        assert_eq!(out, "a&amp;b&lt;c&gt;\"d'\t\n_x000D__x0001__xFFFE_");
        assert_eq!(
            escape_escapes("_x0041_ and _x12_ _xZZZZ_"),
            "_x005F_x0041_ and _x12_ _xZZZZ_"
        );
        assert_eq!(
            escape_escapes("a_x00e9_b_x0041_"),
            "a_x005F_x00e9_b_x005F_x0041_"
        );
        assert_eq!(escape_escapes("_x004"), "_x004");
    }
}
