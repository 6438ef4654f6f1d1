//! 咨询电话 and 监督投诉电话: phone-invalid. A cell may hold several numbers,
//! separated as multi-valued cells are (SPEC §2b); each is checked on its
//! own, written the ways published lists write them — any dash, the area
//! code in brackets, spaces, an extension. A finding names the bad numbers,
//! and a leading 0 lost to a numeric cell.

use super::{Context, TextMemo, finding};
use crate::diag::Rule;
use crate::model::{ArcStr, Entry, Located};
use crate::standard::elements::Field;
use crate::text;

/// Separators between several numbers in one cell: those of every
/// multi-valued cell, line breaks included.
const SEPARATORS: &[char] = &['、', ',', '，', ';', '；', '/', '|', '\n'];

/// Characters that only group the digits of a number: spaces, every dash
/// (hyphen, full-width, en and em dashes, minus) and the brackets around an
/// area code.
fn is_grouping(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}' | '-' | '\u{2010}'
            ..='\u{2015}' | '\u{2212}' | '－' | '(' | ')' | '（' | '）'
    )
}

/// Words that start an extension: `转 8012`, `分机 8012`, `#8012`, `ext. 8012`.
const EXTENSION: &[&str] = &[
    "转", "分机", "#", "ext.", "ext", "EXT.", "EXT", "Ext.", "Ext",
];

/// The longest extension yima reads (digits).
const EXTENSION_DIGITS: usize = 6;

/// What kind of number a run of digits is, when it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A landline with its area code: 0 and 9–11 more digits.
    Landline,
    /// 1[3-9] and 9 more digits.
    Mobile,
    /// A five-digit service line: 12345, 12315, …
    Service,
    /// 400 or 800 and 7 more digits.
    Business,
}

impl Kind {
    fn of(d: &[u8]) -> Option<Kind> {
        match d {
            [b'0', b'0', ..] => None,
            [b'0', ..] if (10..=12).contains(&d.len()) => Some(Kind::Landline),
            [b'1', b'3'..=b'9', ..] if d.len() == 11 => Some(Kind::Mobile),
            [b'1', b'2', b'3', ..] if d.len() == 5 => Some(Kind::Service),
            [b'4' | b'8', b'0', b'0', ..] if d.len() == 10 => Some(Kind::Business),
            _ => None,
        }
    }

    /// Whether the number may have an extension.
    fn has_extensions(self) -> bool {
        matches!(self, Kind::Landline | Kind::Business)
    }
}

/// Why one number is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalid {
    /// Seven or eight digits: a local number without its area code.
    NoAreaCode,
    /// Anything else.
    Other,
}

/// One number of a cell, checked: `Ok` or why not.
pub fn check_number(number: &str) -> Result<(), Invalid> {
    // The digits, and where each group of them starts (groups are split by
    // dashes, spaces and brackets); no valid number has more than 12
    // digits and an extension more than 6.
    let mut digits = [0u8; 12 + EXTENSION_DIGITS];
    let mut len = 0;
    let mut last_group = 0;
    let mut in_group = false;
    let mut extension: Option<usize> = None;
    let mut rest = number.trim();
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            if len == digits.len() {
                return Err(Invalid::Other);
            }
            if !in_group {
                last_group = len;
                in_group = true;
            }
            digits[len] = c as u8;
            len += 1;
        } else if is_grouping(c) {
            in_group = false;
        } else if let Some(word) = EXTENSION.iter().find(|w| rest.starts_with(**w))
            && extension.is_none()
            && len > 0
        {
            extension = Some(len);
            in_group = false;
            rest = &rest[word.len()..];
            continue;
        } else {
            return Err(Invalid::Other);
        }
        rest = &rest[c.len_utf8()..];
    }
    let d = &digits[..len];
    let ok = match extension {
        // `0738-8312345转8012`: the number, then 1–6 digits.
        Some(at) => {
            (1..=EXTENSION_DIGITS).contains(&(len - at))
                && Kind::of(&d[..at]).is_some_and(Kind::has_extensions)
        }
        None => {
            Kind::of(d).is_some()
                // `0738-8312345-8012`: a last group of 1–6 digits after a
                // whole landline is its extension.
                || (last_group > 0
                    && len - last_group <= EXTENSION_DIGITS
                    && Kind::of(&d[..last_group]).is_some_and(Kind::has_extensions))
        }
    };
    if ok {
        Ok(())
    } else if extension.is_none() && matches!(len, 7 | 8) && !matches!(d[0], b'0' | b'1') {
        Err(Invalid::NoAreaCode)
    } else {
        Err(Invalid::Other)
    }
}

/// Whether one number is valid: a landline with its area code, a mobile,
/// the 12345 hotline (or a 5-digit service line such as 12315), or a 400/800
/// number; a landline or 400/800 number may have an extension.
pub fn is_valid(number: &str) -> bool {
    check_number(number).is_ok()
}

/// The numbers of a cell that are not valid, and why.
pub fn invalid(cell: &str) -> Vec<(&str, Invalid)> {
    cell.split(SEPARATORS)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter_map(|p| check_number(p).err().map(|why| (p, why)))
        .collect()
}

fn check_one(
    ctx: &mut Context<'_>,
    valid: &mut TextMemo<bool>,
    entry: &Entry,
    field: Field,
    phone: &Located<ArcStr>,
) {
    // An agency writes the same numbers in all its rows.
    if *valid.get(&phone.value, |v| invalid(v).is_empty()) {
        return;
    }
    let bad = invalid(&phone.value);
    let v = bad.iter().map(|(n, _)| *n).collect::<Vec<_>>().join("、");
    let header = ctx.standard().elements.items.element(field).header.clone();
    let lost_zero = phone.from_number && bad.len() == 1 && is_valid(&format!("0{}", bad[0].0));
    let d = if lost_zero {
        let fixed = format!("0{}", bad[0].0);
        finding(
            ctx.standard(),
            Rule::PhoneInvalid,
            entry,
            field,
            phone,
            text!(
                "“{header}”开头的 0 丢失了：单元格是数字格式",
                "`{header}` lost its leading 0: the cell is numeric"
            ),
        )
        .label(text!("应为 {fixed}", "should be {fixed}"))
        .help(text!(
            "把该列设为“文本”格式后重新输入，如 0738-8312345。",
            "format the column as text and type the number again, e.g. 0738-8312345."
        ))
    } else {
        let d = finding(
            ctx.standard(),
            Rule::PhoneInvalid,
            entry,
            field,
            phone,
            text!(
                "“{header}”不是有效的电话号码：{v}",
                "`{header}` is not a valid phone number: {v}"
            ),
        );
        if bad.iter().all(|(_, why)| *why == Invalid::NoAreaCode) {
            d.label(text!("缺少区号", "no area code")).help(text!(
                "固定电话要写区号，如 0738-8312345；多个号码用顿号分隔。",
                "a landline needs its area code, e.g. 0738-8312345; separate several with 、."
            ))
        } else {
            d.help(text!(
                "填写带区号的固定电话（0738-8312345）、手机号、12345 或 400/800 电话；多个号码用顿号分隔。",
                "a landline with area code (0738-8312345), a mobile, 12345, or a 400/800 number; separate several with 、."
            ))
        }
    };
    ctx.push(d);
}

/// phone-invalid of an entry; `valid` remembers the cells found valid.
pub fn check(ctx: &mut Context<'_>, valid: &mut TextMemo<bool>, entry: &Entry) {
    if let Some(p) = &entry.contact_phone {
        check_one(ctx, valid, entry, Field::ContactPhone, p);
    }
    if let Some(p) = &entry.complaint_phone {
        check_one(ctx, valid, entry, Field::ComplaintPhone, p);
    }
}

#[cfg(test)]
mod tests {
    use super::{Invalid, check_number, invalid, is_valid};

    #[test]
    fn valid_numbers() {
        for n in [
            "0738-8312345",
            "07388312345",
            "(0738)8312345",
            "（0738）8312345",
            "(0738) 8312345",
            "0738－8312345",
            "0738—8312345",
            "0738–8312345",
            "0738 8312345",
            "0738-8312345转801",
            "0738-8312345转 8012",
            "0738-8312345 转 8012",
            "0738-8312345分机8012",
            "0738-8312345-8012",
            "（0738）8312345-8012",
            "0738-8312345#8012",
            "0738-8312345 ext. 8012",
            "0738-8312345ext8012",
            "400-123-4567转1",
            "13907381234",
            "139 0738 1234",
            "139-0738-1234",
            "12345",
            "12315",
            "400-123-4567",
            "800-123-4567",
            "010-12345678",
            "010-12345678-123456",
        ] {
            assert_eq!(check_number(n), Ok(()), "{n}");
        }
    }

    #[test]
    fn invalid_numbers() {
        for n in [
            "7388312345",
            "1234",
            "23907381234",
            "0738-83123",
            "电话",
            "00738123456",
            // 12 digits of garbage, and a number over 12 digits.
            "123456789012",
            "0738-831234567890",
            // Letters, and an extension too long, empty, or where none goes.
            "0738-8312345a",
            "0738-831234x",
            "0738-8312345转8012345",
            "0738-8312345转",
            "13907381234转8012",
            "12345转2",
            "转8012",
            // A dash extension only follows a whole number.
            "0738-83123-8012",
            "0738-8312345-8012345",
            "8312345-8012",
        ] {
            assert!(!is_valid(n), "{n}");
        }
    }

    #[test]
    fn local_numbers_lack_their_area_code() {
        for n in ["8312345", "83123456", "831-2345"] {
            assert_eq!(check_number(n), Err(Invalid::NoAreaCode), "{n}");
        }
        for n in ["831234", "831234567", "0831234", "1390738"] {
            assert_eq!(check_number(n), Err(Invalid::Other), "{n}");
        }
    }

    #[test]
    fn each_number_of_a_cell_is_checked_on_its_own() {
        for cell in [
            "0738-8312345、12345",
            "0738-8312345,0738-8312346",
            "0738-8312345，13907381234",
            "0738-8312345;12345",
            "0738-8312345；12345",
            "0738-8312345/12345",
            "0738-8312345|12345",
            "0738-8312345\n0738-8312346\n",
            "0738-8312345转8012\n（0738）8312346",
        ] {
            assert!(invalid(cell).is_empty(), "{cell:?}");
        }
        let bad = invalid("0738-8312345、8312346\n电话待定；12345");
        assert_eq!(
            bad,
            vec![
                ("8312346", Invalid::NoAreaCode),
                ("电话待定", Invalid::Other)
            ]
        );
    }
}
