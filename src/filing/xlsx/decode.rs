//! The text of XML, as the parts hold it: UTF-8 checked, entities and
//! character references resolved, line ends normalized; Excel's `_xHHHH_`
//! escapes undone; a run of a shared or inline string trimmed unless it is
//! to be preserved; digits read as a number.

use crate::text;

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
    fn excel_escapes_are_undone() {
        let mut s = String::new();
        unescape_x("a_x000D_b_x_c_xD83D__xDE00_", &mut s);
        assert_eq!(s, "a\rb_x_c😀");
    }
}
