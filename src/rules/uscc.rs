//! 统一社会信用代码 (GB 32100-2015) and the organization code it embeds
//! (GB 11714): uscc-invalid and uscc-region-mismatch.

use super::{Context, TextMemo, finding};
use crate::diag::Rule;
use crate::model::{ArcStr, Entry, Located};
use crate::standard::elements::Field;
use crate::text;

/// The USCC alphabet: digits and upper-case letters without I, O, Z, S, V.
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// What is wrong with a USCC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccError {
    /// Not 18 characters.
    Length(usize),
    /// Lower-case letters (the code is upper case).
    LowerCase,
    /// A character outside the alphabet, at a 1-based position.
    Charset { position: usize, found: char },
    /// The 18th character is not the GB 32100 check.
    Check { expected: char },
    /// The embedded organization code (positions 9–17) fails GB 11714.
    OrgCheck { expected: char },
}

/// Each ASCII character's value in the alphabet (0xff: not in it).
const VALUES: [u8; 128] = {
    let mut v = [0xffu8; 128];
    let a = ALPHABET.as_bytes();
    let mut i = 0;
    while i < a.len() {
        v[a[i] as usize] = i as u8;
        i += 1;
    }
    v
};

fn value_of(c: char) -> Option<u32> {
    let v = *VALUES.get(c as usize)?;
    (v != 0xff).then_some(u32::from(v))
}

/// The GB 32100 check character of the first 17 characters.
pub fn check_char(body: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in body.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET
        .as_bytes()
        .get(check as usize)
        .map(|&b| char::from(b))
}

/// The GB 11714 check character of an 8-character organization code body.
pub fn org_check_char(body: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in body.chars().zip(ORG_WEIGHTS) {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10)?,
    })
}

/// Validates a USCC as written.
pub fn validate(code: &str) -> Result<(), UsccError> {
    let n = code.chars().count();
    if n != 18 {
        return Err(UsccError::Length(n));
    }
    if code.chars().any(|c| c.is_ascii_lowercase()) {
        return Err(UsccError::LowerCase);
    }
    if let Some((i, c)) = code
        .chars()
        .enumerate()
        .find(|(_, c)| value_of(*c).is_none())
    {
        return Err(UsccError::Charset {
            position: i + 1,
            found: c,
        });
    }
    let expected = check_char(&code[..17]).expect("alphabet checked");
    if !code.ends_with(expected) {
        return Err(UsccError::Check { expected });
    }
    // Positions 9–17: the organization code; its check character is position 17.
    let org = &code[8..17];
    if let Some(expected) = org_check_char(&org[..8])
        && !org.ends_with(expected)
    {
        return Err(UsccError::OrgCheck { expected });
    }
    Ok(())
}

/// Whether the cell text shows a long number that a numeric cell rounded:
/// all digits (or scientific notation) from a number cell.
fn lost_precision(v: &Located<ArcStr>) -> bool {
    let raw = v.raw_text();
    let raw = raw.as_bytes();
    let sci = raw.windows(2).any(|w| w.eq_ignore_ascii_case(b"E+"))
        && raw
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'E' | b'e' | b'+'));
    sci || (v.from_number && v.value.len() >= 16 && v.value.bytes().all(|b| b.is_ascii_digit()))
}

pub fn check(ctx: &mut Context<'_>, memo: &mut TextMemo<Result<(), UsccError>>, entry: &Entry) {
    let Some(code) = &entry.agency_code else {
        return;
    };
    let result = if lost_precision(code) {
        ctx.push(
            finding(
                ctx.standard(),
                Rule::UsccInvalid,
                entry,
                Field::AgencyCode,
                code,
                text!(
                    "实施主体编码存成了数字，18 位代码已丢失精度",
                    "the USCC was stored as a number and lost digits"
                ),
            )
            .label(text!(
                "Excel 数字只保留 15 位有效数字",
                "Excel keeps only 15 significant digits"
            ))
            .help(text!(
                "把该列设为“文本”格式后，按统一社会信用代码证书重新输入全部 18 位。",
                "format the column as text and type all 18 characters again from the certificate."
            )),
        );
        return;
    } else {
        // As written (the reader upper-cases codes): lower case is a near
        // miss. (The text as written is the raw text, or the value itself
        // when that is the same.)
        let written = if code.raw.is_empty() {
            &code.value
        } else {
            &code.raw
        };
        memo.get(written, |w| validate(&crate::filing::cells::clean_code(w)))
            .clone()
    };
    let (message, label) = match &result {
        Ok(()) => {
            region(ctx, entry, code);
            return;
        }
        Err(UsccError::Length(n)) => (
            text!(
                "实施主体编码应为 18 位，实为 {n} 位",
                "the USCC must have 18 characters, not {n}"
            ),
            None,
        ),
        Err(UsccError::LowerCase) => {
            let upper = code.raw_text().to_uppercase();
            (
                text!(
                    "实施主体编码含小写字母",
                    "the USCC contains lower-case letters"
                ),
                Some(text!("应为大写：{upper}", "upper case: {upper}")),
            )
        }
        Err(UsccError::Charset { position, found }) => (
            text!(
                "实施主体编码第 {position} 位“{found}”不是有效字符",
                "character {position} of the USCC, `{found}`, is not allowed"
            ),
            Some(text!(
                "只能是数字和除 I、O、Z、S、V 以外的大写字母",
                "digits and upper-case letters other than I, O, Z, S, V"
            )),
        ),
        Err(UsccError::Check { expected }) => (
            text!(
                "实施主体编码的校验位不正确",
                "the USCC check character is wrong"
            ),
            Some(text!(
                "若前 17 位无误，第 18 位应为 \"{expected}\"",
                "if the first 17 are right, the 18th should be \"{expected}\""
            )),
        ),
        Err(UsccError::OrgCheck { expected }) => (
            text!(
                "实施主体编码内含的组织机构代码（第 9–17 位）校验位不正确",
                "the organization code inside the USCC (characters 9–17) fails its check"
            ),
            Some(text!(
                "若第 9–16 位无误，第 17 位应为 \"{expected}\"",
                "if characters 9–16 are right, the 17th should be \"{expected}\""
            )),
        ),
    };
    // A check character tells that some character is wrong, never which:
    // say what the check character would be, and that otherwise a
    // character before it was mistyped.
    let help = match &result {
        Err(UsccError::Check { expected }) => text!(
            "校验位只能说明代码中有字符写错，不能指出是哪一位。若前 17 位与证书一致，第 18 位应为“{expected}”；否则是前 17 位中有一位抄错，请对照该单位的统一社会信用代码证书逐位核对。若单元格为数字格式，请改为文本格式。",
            "a check character shows that a character is wrong, not which. If the first 17 match the certificate, the 18th should be \"{expected}\"; otherwise one of the first 17 was mistyped: compare the code with the unit's certificate character by character. If the cell is numeric, make it text."
        ),
        Err(UsccError::OrgCheck { expected }) => text!(
            "第 9–17 位是组织机构代码，校验位只能说明其中有字符写错，不能指出是哪一位。若第 9–16 位与证书一致，第 17 位应为“{expected}”（第 18 位随之改变）；否则是第 9–16 位中有一位抄错，请对照该单位的统一社会信用代码证书逐位核对。",
            "characters 9–17 are the organization code; its check shows that a character is wrong, not which. If characters 9–16 match the certificate, the 17th should be \"{expected}\" (and the 18th changes with it); otherwise one of characters 9–16 was mistyped: compare the code with the unit's certificate character by character."
        ),
        _ => text!(
            "请对照该单位的统一社会信用代码证书重新填写；若单元格为数字格式，请改为文本格式。",
            "copy the code from the unit's certificate; if the cell is numeric, make it text."
        ),
    };
    let mut d = finding(
        ctx.standard(),
        Rule::UsccInvalid,
        entry,
        Field::AgencyCode,
        code,
        message,
    )
    .help(help);
    if let Some(l) = label {
        d = d.label(l);
    }
    ctx.push(d);
}

/// uscc-region-mismatch: positions 3–8 name the division where the unit was
/// registered; a city's own agencies are registered inside the city.
fn region(ctx: &mut Context<'_>, entry: &Entry, code: &Located<ArcStr>) {
    let city = &ctx.workspace.config.city_division;
    let mut prefix = city.as_str();
    while let Some(p) = prefix.strip_suffix("00") {
        prefix = p;
    }
    let prefix = if prefix.len() < 2 {
        city.as_str()
    } else {
        prefix
    };
    let registered = &code.value[2..8];
    if registered.starts_with(prefix) {
        return;
    }
    let name = ctx
        .standard()
        .divisions
        .get(city)
        .map(|d| d.name.clone())
        .unwrap_or_else(|| city.clone());
    ctx.push(
        finding(ctx.standard(), Rule::UsccRegionMismatch, entry, Field::AgencyCode, code, text!(
            "实施主体编码的登记管理机关行政区划码 {registered} 不在本地区（{city} {name}）",
            "the USCC was registered in division {registered}, outside {city} {name}"
        ))
        .label(text!("第 3–8 位为登记地区划码", "characters 3–8 are the registration division"))
        .help(text!(
            "确认实施主体是否为本地区的单位；上级单位的事项应由上级填报，否则请核对代码。",
            "check that the agency belongs to this region; an upper-level unit's items are filed by that level."
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_pass() {
        for c in [
            "114507210081153718",
            "12441500196720244T",
            "11511300008778693M",
        ] {
            assert_eq!(validate(c), Ok(()), "{c}");
        }
    }

    #[test]
    fn near_misses_fail() {
        assert_eq!(
            validate("114507210081153719"),
            Err(UsccError::Check { expected: '8' })
        );
        assert_eq!(validate("11450721008115371"), Err(UsccError::Length(17)));
        assert_eq!(validate("12441500196720244t"), Err(UsccError::LowerCase));
        assert_eq!(
            validate("1144072100811537I8"),
            Err(UsccError::Charset {
                position: 17,
                found: 'I'
            })
        );
    }

    #[test]
    fn embedded_organization_code_is_checked() {
        // A body whose org code check is wrong but whose USCC check is recomputed.
        let body = "11450721008115372"; // org code 00811537-2, should be -1
        let code = format!("{body}{}", check_char(body).unwrap());
        assert_eq!(validate(&code), Err(UsccError::OrgCheck { expected: '1' }));
    }

    #[test]
    fn org_check_special_values() {
        // 11 - (sum mod 11) = 10 → X, = 11 → 0.
        let x = (0..100_000_000u32)
            .step_by(9_973)
            .map(|n| format!("{n:08}"))
            .find(|b| org_check_char(b) == Some('X'));
        assert!(x.is_some());
        assert_eq!(org_check_char("00000000"), Some('0'));
    }
}
