//! 行政区划代码 (GB/T 2260 and the 12-digit town/village structure of SPEC §3):
//! division-invalid and level-division-mismatch.

use super::{Context, finding};
use crate::diag::Rule;
use crate::model::Entry;
use crate::standard::divisions::DivisionError;
use crate::standard::elements::Field;
use crate::standard::tables::DivisionKind;
use crate::text;

pub fn check(ctx: &mut Context<'_>, entry: &Entry) {
    let Some(code) = &entry.division else { return };
    let place = ctx.standard().divisions.resolve(&code.value);
    if let Ok(place) = place {
        level_fit(ctx, entry, place.kind);
        return;
    }
    let city = ctx.workspace.config.city_division.clone();
    let region = city.trim_end_matches("00").to_string();
    let v = &code.value;
    // The known divisions, for the help of a finding.
    let list = || {
        ctx.standard()
            .divisions
            .divisions
            .iter()
            .map(|d| format!("{} {}", d.code, d.name))
            .collect::<Vec<_>>()
            .join("、")
    };
    let (message, help) = match place {
        Ok(_) => return,
        Err(DivisionError::Malformed) => {
            let n = v.chars().count();
            (
                text!(
                    "行政区划代码应为 6 位或 12 位数字，实为“{v}”（{n} 位）",
                    "a division code has 6 or 12 digits, not `{v}` ({n})"
                ),
                text!(
                    "市、县填 6 位代码（如 431300）；乡镇、村填 12 位代码（如 431321100000）。",
                    "6 digits for a city or county (431300), 12 for a town or village (431321100000)."
                ),
            )
        }
        Err(DivisionError::Unknown) if !v.starts_with(&region) => {
            let list = list();
            (
                text!(
                    "行政区划代码 {v} 不在本地区（{city}）范围内",
                    "division {v} is outside the region ({city})"
                ),
                text!(
                    "填写本市或所辖县市区的代码：{list}。",
                    "use a code of the city or its counties: {list}."
                ),
            )
        }
        Err(DivisionError::Unknown) => {
            let list = list();
            (
                text!(
                    "行政区划代码 {v} 不在区划代码表中",
                    "division {v} is not in the division table"
                ),
                text!("所辖区划代码：{list}。", "the region's codes: {list}."),
            )
        }
        Err(DivisionError::TownUnderCity) => (
            text!(
                "12 位区划代码的前 6 位“{prefix}”是市级代码，乡镇和村应在所属县级区划下",
                "the first six digits `{prefix}` are the city's: a town or village sits under its county",
                prefix = &v[..6]
            ),
            text!(
                "前 6 位填所属县市区的代码（如 431321 双峰县）；市本级事项填 6 位代码 {city}。",
                "start with the county's code (431321 双峰县); a city-level entry uses the 6-digit {city}."
            ),
        ),
        Err(DivisionError::BadTown(t)) => (
            text!(
                "12 位区划代码第 7–9 位（乡镇）“{t:03}”不在有效范围",
                "town segment `{t:03}` (digits 7–9) is out of range"
            ),
            text!(
                "乡镇段：001–099 街道，100–199 镇，200–399 乡，400–599 其他。",
                "town segment: 001–099 街道, 100–199 镇, 200–399 乡, 400–599 other."
            ),
        ),
        Err(DivisionError::BadVillage(n)) => (
            text!(
                "12 位区划代码第 10–12 位（村）“{n:03}”不在有效范围",
                "village segment `{n:03}` (digits 10–12) is out of range"
            ),
            text!(
                "村段：000 乡镇本级，001–199 居委会，200–399 村委会。",
                "village segment: 000 the town itself, 001–199 居委会, 200–399 村委会."
            ),
        ),
    };
    let d = finding(
        ctx.standard(),
        Rule::DivisionInvalid,
        entry,
        Field::Division,
        code,
        message,
    )
    .help(help);
    ctx.push(d);
}

/// level-division-mismatch: 市级 ↔ city code, 县级 ↔ county code, 乡级 ↔
/// 12-digit town code, 村级 ↔ 12-digit village code.
fn level_fit(ctx: &mut Context<'_>, entry: &Entry, place: DivisionKind) {
    let Some(level) = &entry.level else { return };
    let Some(want) = ctx
        .standard()
        .tables
        .table("level")
        .get(&level.value)
        .and_then(|l| l.division)
    else {
        return;
    };
    if want == place {
        return;
    }
    let Some(code) = &entry.division else { return };
    let l = &level.value;
    let (fits_zh, fits_en) = match want {
        DivisionKind::City => ("市级代码（如 431300）", "the city code (431300)"),
        DivisionKind::County => ("县级代码（如 431321）", "a county code (431321)"),
        DivisionKind::Town => (
            "12 位乡镇代码（末 3 位为 000）",
            "a 12-digit town code ending in 000",
        ),
        DivisionKind::Village => (
            "12 位村级代码（末 3 位不为 000）",
            "a 12-digit village code",
        ),
    };
    let d = finding(
        ctx.standard(),
        Rule::LevelDivisionMismatch,
        entry,
        Field::Division,
        code,
        text!(
            "行使层级为“{l}”，但行政区划代码不是{fits_zh}",
            "level `{l}` goes with {fits_en}, not this division code"
        ),
    )
    .help(text!(
        "核对“行使层级”与“行政区划代码”：二者应指同一级行政区域。",
        "check 行使层级 against 行政区划代码: both name the same level of government."
    ));
    ctx.push(d);
}
