//! 咨询电话 and 监督投诉电话: phone-invalid, naming a leading 0 lost to a
//! numeric cell.

use super::{Context, TextMemo, finding};
use crate::diag::Rule;
use crate::model::{ArcStr, Entry, Located};
use crate::standard::elements::Field;
use crate::text;

/// Separators between several numbers in one cell.
const SEPARATORS: &[char] = &['、', ',', '，', ';', '；', '/', '\n'];

/// Whether one number is valid: a landline with its area code, a mobile,
/// the 12345 hotline (or a 5-digit service line such as 12315), or a 400/800
/// number.
pub fn is_valid(number: &str) -> bool {
    // The digits, without spaces, dashes and brackets; an extension after
    // 转 or # is allowed on landlines (and not read). No valid number has
    // more than 12 digits.
    let mut digits = [0u8; 12];
    let mut len = 0;
    for c in number.chars() {
        match c {
            ' ' | '-' | '(' | ')' | '（' | '）' => {}
            '转' | '#' => break,
            '0'..='9' if len < digits.len() => {
                digits[len] = c as u8;
                len += 1;
            }
            _ => return false,
        }
    }
    let n = std::str::from_utf8(&digits[..len]).unwrap_or("");
    (n.starts_with('0') && !n.starts_with("00") && (10..=12).contains(&len))
        || (len == 11 && n.starts_with('1') && matches!(n.as_bytes()[1], b'3'..=b'9'))
        || (len == 5 && n.starts_with("123"))
        || (len == 10 && (n.starts_with("400") || n.starts_with("800")))
}

/// The numbers of a cell that are not valid.
fn invalid(cell: &str) -> Vec<&str> {
    cell.split(SEPARATORS)
        .map(str::trim)
        .filter(|p| !p.is_empty() && !is_valid(p))
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
    let v = bad.join("、");
    let header = ctx.standard().elements.items.element(field).header.clone();
    let lost_zero = phone.from_number && bad.len() == 1 && is_valid(&format!("0{}", bad[0]));
    let d = if lost_zero {
        let fixed = format!("0{}", bad[0]);
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
        finding(ctx.standard(), Rule::PhoneInvalid, entry, field, phone, text!(
            "“{header}”不是有效的电话号码：{v}",
            "`{header}` is not a valid phone number: {v}"
        ))
        .help(text!(
            "填写带区号的固定电话（0738-8312345）、手机号、12345 或 400/800 电话；多个号码用顿号分隔。",
            "a landline with area code (0738-8312345), a mobile, 12345, or a 400/800 number; separate several with 、."
        ))
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
    use super::is_valid;

    #[test]
    fn valid_numbers() {
        for n in [
            "0738-8312345",
            "07388312345",
            "(0738)8312345",
            "0738-8312345转801",
            "13907381234",
            "12345",
            "12315",
            "400-123-4567",
            "010-12345678",
        ] {
            assert!(is_valid(n), "{n}");
        }
    }

    #[test]
    fn invalid_numbers() {
        for n in [
            "7388312345",
            "8312345",
            "1234",
            "23907381234",
            "0738-83123",
            "电话",
            "00738123456",
        ] {
            assert!(!is_valid(n), "{n}");
        }
    }
}
