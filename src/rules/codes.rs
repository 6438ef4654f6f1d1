//! The structure of 基本编码 and 实施编码 (GB/T 39554.1 as SPEC §3 gives it):
//! basic-code-invalid and impl-code-mismatch. Whether a code was issued is
//! the registry's business (code-unknown, code-retired, code-renamed).

use super::{Context, finding};
use crate::diag::{Rule, Text};
use crate::model::Entry;
use crate::standard::elements::Field;
use crate::text;

/// Letters that never start an overflowed sequence (they read as digits).
pub const FORBIDDEN_SEQ_LETTERS: &[char] = &['I', 'O', 'Z', 'S', 'V'];

/// The parts of a well-formed 基本编码.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicCode<'a> {
    pub prefix: &'a str,
    pub category: &'a str,
    pub sector: &'a str,
    pub sequence: &'a str,
    pub sub: &'a str,
}

/// Why a 基本编码 is malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    Length(usize),
    Characters,
    Sequence,
    Sub,
}

/// Splits and checks the shape of a 基本编码 (not its meaning).
pub fn parse_basic(code: &str) -> Result<BasicCode<'_>, CodeError> {
    let n = code.chars().count();
    if n != 12 {
        return Err(CodeError::Length(n));
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return Err(CodeError::Characters);
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (prefix, category, sector, sequence, sub) = (
        &code[0..2],
        &code[2..4],
        &code[4..6],
        &code[6..9],
        &code[9..12],
    );
    if !digits(category) || !digits(sector) {
        return Err(CodeError::Characters);
    }
    let first = sequence.chars().next().expect("3 chars");
    let seq_ok = if first.is_ascii_digit() {
        digits(sequence) && sequence != "000"
    } else {
        !FORBIDDEN_SEQ_LETTERS.contains(&first) && digits(&sequence[1..])
    };
    if !seq_ok {
        return Err(CodeError::Sequence);
    }
    if !(sub == "00Y" || (digits(sub))) {
        return Err(CodeError::Sub);
    }
    Ok(BasicCode {
        prefix,
        category,
        sector,
        sequence,
        sub,
    })
}

pub fn check(ctx: &mut Context<'_>, entry: &Entry) {
    basic(ctx, entry);
    implementation(ctx, entry);
}

fn basic(ctx: &mut Context<'_>, entry: &Entry) {
    let Some(code) = &entry.basic_code else {
        return;
    };
    let v = &code.value;
    let cfg = &ctx.workspace.config;
    let std = ctx.standard();
    let problem: Option<(Text, Text)> = match parse_basic(v) {
        Err(CodeError::Length(n)) => Some((
            text!(
                "基本编码应为 12 位，实为 {n} 位",
                "a 基本编码 has 12 characters, not {n}"
            ),
            text!(
                "新事项的基本编码留空，由 yima 统一赋码。",
                "leave it blank for a new item; yima assigns it."
            ),
        )),
        Err(CodeError::Characters) => Some((
            text!(
                "基本编码“{v}”含无效字符",
                "基本编码 `{v}` has characters that are not allowed"
            ),
            text!(
                "基本编码由数字和大写字母组成，第 3–6 位为数字。",
                "digits and upper-case letters; characters 3–6 are digits."
            ),
        )),
        Err(CodeError::Sequence) => Some((
            text!(
                "基本编码第 7–9 位顺序码“{seq}”无效",
                "sequence `{seq}` (characters 7–9) is not valid",
                seq = &v[6..9]
            ),
            text!(
                "顺序码为 001–999；超过 999 时首位改用大写字母（不用 I、O、Z、S、V）。",
                "001–999; past 999 the first character is a letter other than I, O, Z, S, V."
            ),
        )),
        Err(CodeError::Sub) => Some((
            text!(
                "基本编码第 10–12 位子项码“{sub}”无效",
                "sub-item code `{sub}` (characters 10–12) is not valid",
                sub = &v[9..12]
            ),
            text!(
                "无子项填 000，有子项的主项填 00Y，子项填 001–999。",
                "000 no sub-items, 00Y a main item with sub-items, 001–999 a sub-item."
            ),
        )),
        Ok(parts) => {
            let issuing = parts.prefix == cfg.region_prefix;
            let external = cfg.external_prefixes.iter().any(|p| p == parts.prefix);
            let category = entry
                .category
                .as_ref()
                .and_then(|c| std.tables.table("category").get(&c.value));
            let sector = entry
                .sector
                .as_ref()
                .and_then(|s| std.tables.table("sector").get(&s.value));
            let has_sub = entry.sub_name.is_some();
            let p = parts.prefix;
            let region = &cfg.region_prefix;
            if !issuing && !external {
                let ext = cfg.external_prefixes.join("、");
                Some((
                    text!(
                        "基本编码前缀“{p}”既不是本地区（{region}）也不是上级目录（{ext}）",
                        "prefix `{p}` is neither this region's ({region}) nor an upper-level catalog's ({ext})"
                    ),
                    text!(
                        "本地区事项的基本编码由 yima 以 {region} 开头赋码；国家目录事项保留原编码。",
                        "codes of this region start with {region} and are assigned by yima; national items keep theirs."
                    ),
                ))
            } else if let Some(c) = category.filter(|c| c.code.as_deref() != Some(parts.category)) {
                let (want, name, got) =
                    (c.code.clone().unwrap_or_default(), &c.name, parts.category);
                Some((
                    text!(
                        "基本编码第 3–4 位“{got}”与事项类型“{name}”（{want}）不符",
                        "characters 3–4 `{got}` do not match category {name} ({want})"
                    ),
                    text!(
                        "核对事项类型；基本编码一经赋予不再改变，类型变了应作为新事项登记。",
                        "check the category; a code never changes, so a new category is a new item."
                    ),
                ))
            } else if let Some(s) =
                sector.filter(|s| issuing && s.code.as_deref() != Some(parts.sector))
            {
                let (want, name, got) = (s.code.clone().unwrap_or_default(), &s.name, parts.sector);
                Some((
                    text!(
                        "基本编码第 5–6 位“{got}”与业务指导部门“{name}”（{want}）不符",
                        "characters 5–6 `{got}` do not match sector {name} ({want})"
                    ),
                    text!(
                        "核对业务指导部门，或清空基本编码由 yima 重新确认。",
                        "check the sector, or leave the code blank for yima to look it up."
                    ),
                ))
            } else if issuing
                && has_sub
                && (parts.sub == "000" || !parts.sub.chars().all(|c| c.is_ascii_digit()))
            {
                let sub = parts.sub;
                Some((
                    text!(
                        "填写了子项名称，但基本编码子项码为“{sub}”",
                        "a sub-item name is given but the sub-item code is `{sub}`"
                    ),
                    text!(
                        "子项的子项码为 001–999；主项为 00Y，无子项为 000。",
                        "a sub-item's code is 001–999; a main item 00Y; none 000."
                    ),
                ))
            } else if issuing && !has_sub && parts.sub != "000" && parts.sub != "00Y" {
                let sub = parts.sub;
                Some((
                    text!(
                        "基本编码子项码为“{sub}”，但子项名称为空",
                        "sub-item code `{sub}` but no sub-item name"
                    ),
                    text!(
                        "子项须填写子项名称；否则子项码应为 000 或 00Y。",
                        "fill in the sub-item name, or use 000 / 00Y."
                    ),
                ))
            } else {
                None
            }
        }
    };
    if let Some((message, help)) = problem {
        let d = finding(
            std,
            Rule::BasicCodeInvalid,
            entry,
            Field::BasicCode,
            code,
            message,
        )
        .help(help);
        ctx.push(d);
    }
}

/// The 实施编码 a row's other cells determine, as far as they are known.
pub fn expected_impl_prefix(ctx: &Context<'_>, entry: &Entry) -> Option<String> {
    let uscc = entry.agency_code.as_ref()?;
    let level = entry.level.as_ref()?;
    let code = ctx
        .standard()
        .tables
        .table("level")
        .get(&level.value)?
        .code
        .clone()?;
    Some(format!("{}{}", uscc.value, code))
}

fn implementation(ctx: &mut Context<'_>, entry: &Entry) {
    let Some(code) = &entry.impl_code else { return };
    let Some(prefix) = expected_impl_prefix(ctx, entry) else {
        return;
    };
    let expected = match &entry.basic_code {
        Some(b) => format!("{prefix}{}", b.value),
        None => prefix.clone(),
    };
    let v = &code.value;
    let n = v.chars().count();
    let ok = if entry.basic_code.is_some() {
        *v == expected
    } else {
        n == 31 && v.starts_with(&prefix)
    };
    if ok {
        return;
    }
    let (message, label) = if n != 31 {
        (
            text!(
                "实施编码应为 31 位，实为 {n} 位",
                "an 实施编码 has 31 characters, not {n}"
            ),
            None,
        )
    } else {
        (
            text!(
                "实施编码与“统一社会信用代码 + 层级码 + 基本编码”不一致",
                "实施编码 ≠ USCC + level code + 基本编码"
            ),
            Some(if entry.basic_code.is_some() {
                text!("应为 {expected}", "should be {expected}")
            } else {
                text!(
                    "前 19 位应为 {prefix}",
                    "the first 19 characters should be {prefix}"
                )
            }),
        )
    };
    let mut d = finding(
        ctx.standard(),
        Rule::ImplCodeMismatch,
        entry,
        Field::ImplCode,
        code,
        message,
    )
    .help(text!(
        "实施编码可以留空，由 yima 按实施主体编码、行使层级和基本编码生成。",
        "leave 实施编码 blank: yima derives it from the USCC, the level and the 基本编码."
    ));
    if let Some(l) = label {
        d = d.label(l);
    }
    ctx.push(d);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_examples_parse() {
        let c = parse_basic("000104002000").unwrap();
        assert_eq!(
            (c.prefix, c.category, c.sector, c.sequence, c.sub),
            ("00", "01", "04", "002", "000")
        );
        assert!(parse_basic("001033002000").is_ok());
    }

    #[test]
    fn shapes() {
        assert_eq!(parse_basic("4301020010"), Err(CodeError::Length(10)));
        assert_eq!(parse_basic("430102000000"), Err(CodeError::Sequence));
        assert!(parse_basic("430102A01000").is_ok());
        assert_eq!(parse_basic("430102I01000"), Err(CodeError::Sequence));
        assert!(parse_basic("43010200100Y").is_ok());
        assert_eq!(parse_basic("43010200100X"), Err(CodeError::Sub));
        assert_eq!(parse_basic("43A102001000"), Err(CodeError::Characters));
        assert_eq!(parse_basic("4301020010a0"), Err(CodeError::Characters));
    }
}
